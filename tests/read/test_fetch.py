"""govreports fetch against a local HTTP server started by the test (loopback only)."""

import csv
import http.server
import threading

import pytest
from conftest import RAW

from govreports import parse
from govreports.read.fetch import FetchPolicy, FetchRequest, fetch_all, file_name_for

REPORT = (RAW / "003_7d12747508f9e08c.txt").read_text(encoding="utf-8")
PAGE = ("<html><head><meta charset='gbk'></head><body><pre>" + REPORT + "</pre></body></html>").encode("gb18030")


class Handler(http.server.BaseHTTPRequestHandler):
    hits: dict = {}

    def log_message(self, *args):
        pass

    def do_GET(self):  # noqa: N802 (http.server's name)
        Handler.hits[self.path] = Handler.hits.get(self.path, 0) + 1
        if self.path == "/report.html":
            self.reply(200, PAGE, "text/html; charset=gbk")
        elif self.path == "/flaky.html" and Handler.hits[self.path] < 3:
            self.reply(503, b"busy", "text/plain")
        elif self.path == "/flaky.html":
            self.reply(200, PAGE, "text/html")
        elif self.path == "/huge.pdf":
            self.reply(200, b"%PDF-" + b"x" * 50_000, "application/pdf")
        elif self.path == "/to-file":
            self.send_response(302)
            self.send_header("Location", "file:///etc/passwd")
            self.end_headers()
        else:
            self.reply(404, b"not found", "text/plain")

    def reply(self, status, body, content_type):
        self.send_response(status)
        self.send_header("Content-Type", content_type)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)


@pytest.fixture(scope="module")
def server():
    httpd = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{httpd.server_address[1]}"
    httpd.shutdown()


POLICY = FetchPolicy(delay=0.0, timeout=5, retries=3, backoff=0.0, max_bytes=40_000)


def sources(raw):
    with (raw / "SOURCES.csv").open(encoding="utf-8", newline="") as f:
        return list(csv.DictReader(f))


def test_downloads_records_provenance_and_parses(server, tmp_path):
    results = fetch_all([FetchRequest(f"{server}/report.html", "湘阴县人民政府", "2023")], tmp_path, POLICY)
    assert [(r.fetch_status, r.http_status) for r in results] == [("downloaded", "200")]
    row = sources(tmp_path)[0]
    assert (row["url"], row["http_status"], row["content_type"], row["fetch_status"], row["agency"]) == (
        f"{server}/report.html", "200", "text/html; charset=gbk", "downloaded", "湘阴县人民政府")
    report = parse(tmp_path / row["file"])
    assert report.status == "valid" and report.values()["table3.granted.total"] == 64
    assert [p.name for p in tmp_path.iterdir() if p.name.startswith(".")] == []


def test_already_fetched_urls_are_skipped(server, tmp_path):
    fetch_all([FetchRequest(f"{server}/report.html")], tmp_path, POLICY)
    again = fetch_all([FetchRequest(f"{server}/report.html")], tmp_path, POLICY)
    assert [r.fetch_status for r in again] == ["skipped"]
    assert len(sources(tmp_path)) == 1


def test_retries_with_backoff_then_succeeds(server, tmp_path):
    waits = []
    results = fetch_all([FetchRequest(f"{server}/flaky.html")], tmp_path, FetchPolicy(delay=0, backoff=0.5, retries=3),
                        sleep=waits.append)
    assert results[0].fetch_status == "downloaded"
    assert waits == [0.5, 1.0]


@pytest.mark.parametrize("path, reason", [
    pytest.param("/missing.html", "HTTP 404 Not Found", id="404-no-retry"),
    pytest.param("/huge.pdf", "larger than the 40000-byte cap", id="size-cap"),
    pytest.param("/to-file", "HTTP 302 Found - Redirection to url 'file:///etc/passwd' is not allowed", id="redirect-to-file"),
])
def test_failures_are_recorded_and_leave_no_partial_file(server, tmp_path, path, reason):
    results = fetch_all([FetchRequest(f"{server}{path}")], tmp_path, POLICY)
    assert (results[0].fetch_status, results[0].reason) == ("failed", reason)
    assert sorted(p.name for p in tmp_path.iterdir()) == ["SOURCES.csv"]
    assert sources(tmp_path)[0]["fetch_status"] == "failed"


def test_only_http_urls_are_fetched(tmp_path):
    results = fetch_all([FetchRequest("file:///etc/passwd")], tmp_path, POLICY)
    assert results[0].reason == "only http(s) URLs are fetched, not 'file:///etc/passwd'"


def test_file_names_are_safe():
    name = file_name_for("http://evil.example/../../etc/passwd", "text/html")
    assert "/" not in name and name.endswith(".html") and name.startswith("evil.example_")
