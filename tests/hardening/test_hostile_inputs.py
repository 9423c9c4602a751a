"""The hostile-input bar, for ``parse`` and for ``build``: every bad file ends ``failed`` or ``skipped``
with a reason, no traceback, the good file next to them still valid, and memory under 2 GB.

The corpus (span bombs, a gridSpan bomb, tens of MB of docx XML, 100,000-deep HTML, UTF-16 without
a byte-order mark, an 8 GB sparse file, a bad file name, a pipe, links) is made in ``tmp_path``.
"""

import csv
import json
import os
import subprocess
import sys

import pytest
from hostile import GOOD, add_odd_entries, make_hostile_corpus

LIMIT_MB = 2048
# Runs a command and prints the peak resident memory of everything it started, in MB, last.
MEASURED = ("import resource, subprocess, sys\n"
            "done = subprocess.run(sys.argv[1:], capture_output=True, timeout=600)\n"
            "sys.stdout.buffer.write(done.stdout); sys.stderr.buffer.write(done.stderr)\n"
            "print('PEAK_MB', resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss // 1024, file=sys.stderr)\n"
            "sys.exit(done.returncode)\n")
GOVREPORTS = [sys.executable, "-m", "govreports"]


def measured(command):
    done = subprocess.run([sys.executable, "-c", MEASURED, *command], capture_output=True, timeout=900)
    stderr = done.stderr.decode("utf-8", "replace")
    peak = int(stderr.rsplit("PEAK_MB", 1)[1].split()[0])
    return done, stderr, peak


@pytest.fixture(scope="module")
def corpus(tmp_path_factory):
    folder = tmp_path_factory.mktemp("hostile") / "raw"
    names = make_hostile_corpus(folder)
    return folder, names


EXPECTED_REASONS = {
    "span_bomb.html": "a span bomb, not a report table",
    "grid_span_bomb.docx": "a span bomb, not a report table",
    "xml_bomb.docx": "bytes of XML (the limit is",
    "deep.html": "nested deeper than the HTML parser's limit",
    "sparse_8gb.txt": "8589934592 bytes is over the 52428800-byte limit",
}


def test_parse_records_every_hostile_file_with_its_reason_in_bounded_memory(corpus, tmp_path):
    folder, names = corpus
    bad_name = os.fsencode(tmp_path) + b"/bad-\xff-name.txt"
    with open(bad_name, "wb") as handle:
        handle.write(b"\xff\xfe not a report")
    done, stderr, peak = measured(GOVREPORTS + ["parse", "--format", "json", str(folder / GOOD), bad_name]
                                  + [str(folder / n) for n in names])
    assert "Traceback" not in stderr
    reports = {r["source"]: r for r in map(json.loads, done.stdout.decode("utf-8").splitlines())}
    assert reports["bad-\\xff-name.txt"]["status"] == "failed"  # printed with an escape, not a crash
    assert reports[GOOD]["status"] == "valid"
    assert reports["utf16_no_bom.txt"]["status"] == "valid"  # read as UTF-16-LE, not refused as binary
    for name, reason in EXPECTED_REASONS.items():
        assert reports[name]["status"] == "failed", name
        assert reason in reports[name]["errors"][0]["message"], (name, reports[name]["errors"])
    assert peak < LIMIT_MB, f"peak {peak} MB"


def test_build_records_every_entry_with_a_status_and_a_reason_in_bounded_memory(corpus, tmp_path):
    folder, _names = corpus
    outside = tmp_path / "outside"
    outside.mkdir()
    raw = tmp_path / "raw"
    raw.mkdir()
    for entry in folder.iterdir():
        os.link(entry, raw / entry.name)  # hard links: the 8 GB sparse file is not copied
    add_odd_entries(raw, outside)
    out = tmp_path / "out"
    done, stderr, peak = measured(GOVREPORTS + ["build", str(raw), "--out", str(out), "--workers", "1",
                                                "--cache", str(tmp_path / "cache"), "--corrections", ""])
    assert done.returncode == 0, stderr[-2000:]
    assert "Traceback" not in stderr
    with (out / "manifest.csv").open(encoding="utf-8", newline="") as handle:
        manifest = {r["source"]: (r["manifest_status"], r["reason"]) for r in csv.DictReader(handle)}
    assert manifest[GOOD][0] == "valid"
    for name, reason in EXPECTED_REASONS.items():
        assert manifest[name][0] == "failed" and reason in manifest[name][1], (name, manifest[name])
    assert manifest["bad-\\xff\\xfe-name.txt"] == ("failed", "the file name is not valid UTF-8; rename the file")
    assert manifest["pipe.txt"] == ("skipped", "not a regular file (a pipe, socket or device)")
    assert manifest["link_out.txt"] == ("skipped", "symbolic link to a file outside the raw folder; not followed")
    assert manifest["dangling.txt"] == ("skipped", "broken symbolic link (its target does not exist)")
    assert manifest[".hidden.txt"] == ("skipped", "hidden (its name starts with a dot)")
    assert manifest["README.md"] == ("skipped", "provenance or documentation file, not a report")
    assert all(status and reason for name, (status, reason) in manifest.items() if status != "valid")
    assert peak < LIMIT_MB, f"peak {peak} MB"


@pytest.mark.parametrize("data, reason", [
    (b"\xff\xfe odd!", "starts with a UTF-16 byte-order mark but is not UTF-16 text (truncated data at byte 6)"),
    (b"\xef\xbb\xbf abc \xff", "starts with a UTF-8 byte-order mark but byte 8 is not UTF-8"),
    (bytes(range(256)) * 20, "binary content"),
])
def test_a_byte_order_mark_that_lies_fails_with_its_reason_not_a_traceback(tmp_path, data, reason):
    from govreports.parse import parse

    (tmp_path / "r.txt").write_bytes(data)
    report = parse(tmp_path / "r.txt")
    assert report.status == "failed" and reason in report.errors[0].message
