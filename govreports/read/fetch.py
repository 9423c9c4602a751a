"""Collect reports from the web, politely, with provenance: ``govreports fetch LIST``.

``LIST`` is a CSV with a ``url`` column (and optionally ``agency`` and ``year``). Each URL is
downloaded into the raw folder with a rate limit, a timeout, retries with exponential back-off
and a size cap, skipping URLs already fetched; each attempt is appended to the folder's
``SOURCES.csv`` (URL, retrieval time, HTTP status, content type, sha256, file name, status and
reason). A failed download never leaves a partial file, and nothing is written outside the raw
folder.
"""

from __future__ import annotations

import csv
import hashlib
import logging
import os
import tempfile
import time
import urllib.error
import urllib.request
from dataclasses import asdict, dataclass
from datetime import datetime, timezone
from pathlib import Path
from urllib.parse import urlparse

from govreports import __version__
from govreports.errors import GovReportsError

log = logging.getLogger(__name__)

SOURCES_COLUMNS = ("file", "sha256", "format", "encoding", "agency", "year", "url", "retrieved", "http_status",
                   "content_type", "fetch_status", "reason", "origin", "layout")
SUFFIXES = {"text/html": ".html", "application/xhtml+xml": ".html", "application/pdf": ".pdf", "text/plain": ".txt",
            "application/vnd.openxmlformats-officedocument.wordprocessingml.document": ".docx",
            "application/msword": ".doc"}
RETRY_STATUSES = {429, 500, 502, 503, 504}
USER_AGENT = f"govreports/{__version__} (research; polite fetcher)"


@dataclass(frozen=True)
class FetchRequest:
    """One line of the fetch list."""

    url: str
    agency: str = ""
    year: str = ""


@dataclass(frozen=True)
class FetchPolicy:
    """How politely to fetch: seconds between requests, timeout, retries, back-off and size cap."""

    delay: float = 1.0
    timeout: float = 30.0
    retries: int = 3
    backoff: float = 1.0
    max_bytes: int = 50 * 1024 * 1024


@dataclass(frozen=True)
class FetchResult:
    """What happened to one URL: ``downloaded``, ``skipped`` (already there) or ``failed``."""

    url: str
    fetch_status: str
    file: str = ""
    sha256: str = ""
    http_status: str = ""
    content_type: str = ""
    reason: str = ""
    retrieved: str = ""


class FetchError(GovReportsError):
    """A download failed; the message says why (status, timeout, size cap, scheme)."""


def read_fetch_list(path: str | Path) -> list:
    """Read a CSV of URLs (column ``url``; optional ``agency``, ``year``).

    Raises:
        GovReportsError: the file is missing or has no ``url`` column.
    """
    path = Path(path)
    if not path.exists():
        raise GovReportsError(f"fetch list {path} does not exist")
    with path.open(encoding="utf-8-sig", newline="") as handle:
        reader = csv.DictReader(handle)
        if "url" not in (reader.fieldnames or []):
            raise GovReportsError(f"{path}: no 'url' column (columns: {', '.join(reader.fieldnames or [])})")
        return [FetchRequest(r["url"].strip(), (r.get("agency") or "").strip(), (r.get("year") or "").strip())
                for r in reader if (r.get("url") or "").strip()]


def file_name_for(url: str, content_type: str) -> str:
    """Return a safe file name for a URL: host, a hash of the URL, and a suffix from the content type."""
    parsed = urlparse(url)
    host = "".join(ch if ch.isalnum() or ch in ".-" else "_" for ch in parsed.hostname or "host")[:60]
    suffix = SUFFIXES.get(content_type.split(";")[0].strip().lower()) or Path(parsed.path).suffix.lower()
    suffix = suffix if suffix in set(SUFFIXES.values()) | {".htm", ".shtml"} else ".html"
    return f"{host}_{hashlib.sha256(url.encode()).hexdigest()[:16]}{suffix}"


class _NoRedirectToOtherSchemes(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, req, fp, code, msg, headers, newurl):  # noqa: D102 (urllib's hook)
        if urlparse(newurl).scheme not in ("http", "https"):
            raise FetchError(f"redirect to a non-http(s) URL refused: {newurl}")
        return super().redirect_request(req, fp, code, msg, headers, newurl)


_OPENER = urllib.request.build_opener(_NoRedirectToOtherSchemes())


def download(url: str, target_dir: Path, policy: FetchPolicy) -> FetchResult:
    """Download one URL into ``target_dir`` (once, no retry); raise :class:`FetchError` on failure."""
    if urlparse(url).scheme not in ("http", "https"):
        raise FetchError(f"only http(s) URLs are fetched, not {url!r}")
    request = urllib.request.Request(url, headers={"User-Agent": USER_AGENT})
    try:
        with _OPENER.open(request, timeout=policy.timeout) as response:
            content_type = response.headers.get("Content-Type", "")
            tmp_path, digest = _save_capped(response, target_dir, policy.max_bytes)
            status = str(response.status)
    except urllib.error.HTTPError as exc:
        raise FetchError(f"HTTP {exc.code} {exc.reason}") from exc
    except (urllib.error.URLError, TimeoutError, OSError) as exc:
        reason = getattr(exc, "reason", exc)
        raise FetchError(f"{type(exc).__name__}: {reason}") from exc
    name = file_name_for(url, content_type)
    final = (target_dir / name).resolve()
    if final.parent != target_dir.resolve():
        os.unlink(tmp_path)
        raise FetchError(f"refusing to write outside {target_dir}: {name}")
    os.replace(tmp_path, final)
    return FetchResult(url, "downloaded", name, digest, status, content_type, "", _now())


def _save_capped(response, target_dir: Path, max_bytes: int) -> tuple:
    """Stream a response to a temporary file in ``target_dir``; remove it and raise past ``max_bytes``."""
    fd, tmp = tempfile.mkstemp(dir=target_dir, prefix=".fetch-", suffix=".part")
    digest, size = hashlib.sha256(), 0
    try:
        with os.fdopen(fd, "wb") as handle:
            for chunk in iter(lambda: response.read(1 << 16), b""):
                size += len(chunk)
                if size > max_bytes:
                    raise FetchError(f"larger than the {max_bytes}-byte cap")
                digest.update(chunk)
                handle.write(chunk)
    except BaseException:
        os.unlink(tmp)
        raise
    return tmp, digest.hexdigest()


def _now() -> str:
    return datetime.now(timezone.utc).replace(microsecond=0).isoformat()


def _is_retryable(error: FetchError) -> bool:
    message = str(error)
    return not message.startswith("HTTP ") or any(message.startswith(f"HTTP {s} ") for s in RETRY_STATUSES)


def fetch_one(request: FetchRequest, raw_dir: Path, policy: FetchPolicy, sleep=time.sleep) -> FetchResult:
    """Download one URL with retries and back-off; return a ``failed`` result instead of raising."""
    attempt = 0
    while True:
        try:
            return download(request.url, raw_dir, policy)
        except FetchError as error:
            attempt += 1
            if attempt > policy.retries or not _is_retryable(error):
                return FetchResult(request.url, "failed", reason=str(error), retrieved=_now(),
                                   http_status=str(error).split()[1] if str(error).startswith("HTTP ") else "")
            sleep(policy.backoff * 2 ** (attempt - 1))


def fetched_urls(sources: Path) -> set:
    """Return the URLs ``SOURCES.csv`` records as downloaded whose file is still there."""
    if not sources.exists():
        return set()
    with sources.open(encoding="utf-8", newline="") as handle:
        rows = list(csv.DictReader(handle))
    return {r["url"] for r in rows if r.get("fetch_status") == "downloaded" and (sources.parent / r["file"]).exists()}


def append_sources(sources: Path, rows: list) -> None:
    """Append rows to ``SOURCES.csv``, upgrading an older header to :data:`SOURCES_COLUMNS` first."""
    existing = []
    if sources.exists():
        with sources.open(encoding="utf-8", newline="") as handle:
            existing = list(csv.DictReader(handle))
    fd, tmp = tempfile.mkstemp(dir=sources.parent, prefix=".SOURCES-", suffix=".csv")
    with os.fdopen(fd, "w", encoding="utf-8", newline="") as handle:
        writer = csv.DictWriter(handle, fieldnames=SOURCES_COLUMNS, lineterminator="\n", extrasaction="ignore")
        writer.writeheader()
        writer.writerows(existing + rows)
    os.replace(tmp, sources)


def fetch_all(requests: list, raw_dir: str | Path, policy: FetchPolicy = FetchPolicy(), sleep=time.sleep) -> list:
    """Fetch every request into ``raw_dir`` politely; record each in ``SOURCES.csv``; return the results."""
    raw_dir = Path(raw_dir)
    raw_dir.mkdir(parents=True, exist_ok=True)
    sources = raw_dir / "SOURCES.csv"
    done = fetched_urls(sources)
    results, last = [], None
    for request in requests:
        if request.url in done:
            results.append(FetchResult(request.url, "skipped", reason="already fetched"))
            continue
        if last is not None:
            sleep(max(0.0, policy.delay - (time.monotonic() - last)))
        last = time.monotonic()
        result = fetch_one(request, raw_dir, policy, sleep)
        results.append(result)
        if result.fetch_status == "downloaded":
            done.add(request.url)
        row = {**asdict(result), "agency": request.agency, "year": request.year, "origin": "govreports fetch"}
        append_sources(sources, [row])
        log.info("%s: %s %s", request.url, result.fetch_status, result.reason)
    return results
