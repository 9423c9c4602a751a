"""Hardening of ``govreports build``: it never deletes its inputs, races another build, or leaves workers behind."""

import csv
import os
import signal
import subprocess
import sys
import time

import pytest
from conftest import RAW, copy_seeds

from govreports.build import build_dataset
from govreports.build import cache as build_cache
from govreports.build import runners as build_runners
from govreports.build.safety import OutputFolderError, build_lock


def read_csv(path):
    with path.open(encoding="utf-8", newline="") as f:
        return list(csv.DictReader(f))


@pytest.fixture
def raw(tmp_path):
    return copy_seeds(tmp_path / "data" / "raw")


def snapshot(folder):
    return {p.relative_to(folder).as_posix(): p.read_bytes() for p in sorted(folder.rglob("*")) if p.is_file()}


def build(raw, out, **kwargs):
    kwargs.setdefault("workers", 1)
    kwargs.setdefault("csv", "all")  # these tests read the long tables' CSV
    return build_dataset(raw, out, **kwargs)


@pytest.mark.parametrize("where", ["raw", "parent of raw", "inside raw"])
def test_an_output_folder_overlapping_the_raw_folder_is_refused_and_the_raw_folder_kept(raw, where):
    out = {"raw": raw, "parent of raw": raw.parent, "inside raw": raw / "processed"}[where]
    before = snapshot(raw)
    with pytest.raises(OutputFolderError, match="raw folder"):
        build(raw, out)
    assert snapshot(raw) == before


def test_an_output_folder_overlapping_the_cache_or_the_corrections_is_refused(raw, tmp_path):
    cache = tmp_path / "data" / "cache"
    build(raw, tmp_path / "data" / "processed", cache_dir=cache)
    cached = snapshot(cache)
    with pytest.raises(OutputFolderError, match="is the cache"):
        build(raw, cache, cache_dir=cache)
    corrections = tmp_path / "notes" / "corrections.csv"
    corrections.parent.mkdir()
    corrections.write_text("source,code,value,who,why\n", encoding="utf-8")
    with pytest.raises(OutputFolderError, match="holds the corrections file"):
        build(raw, tmp_path / "notes", corrections_path=corrections)
    assert snapshot(cache) == cached and corrections.exists()


def test_a_folder_that_is_not_a_previous_output_is_not_replaced(raw, tmp_path):
    theirs = tmp_path / "thesis"
    theirs.mkdir()
    (theirs / "chapter1.tex").write_text("years of work", encoding="utf-8")
    with pytest.raises(OutputFolderError, match="not a previous govreports output"):
        build(raw, theirs)
    assert (theirs / "chapter1.tex").read_text(encoding="utf-8") == "years of work"
    (theirs / "datapackage.json").write_text('{"name": "someone-elses-package"}', encoding="utf-8")
    with pytest.raises(OutputFolderError):
        build(raw, theirs)
    empty = tmp_path / "empty"
    empty.mkdir()
    assert build(raw, empty).reports == 5  # an empty folder loses nothing
    assert build(raw, empty).reports == 5  # and a previous output is replaced


def test_the_cli_refuses_to_build_over_the_raw_folder(raw):
    before = snapshot(raw)
    done = subprocess.run([sys.executable, "-m", "govreports", "build", str(raw), "--out", str(raw.parent),
                           "--workers", "1", "--cache", ""], capture_output=True, text=True, timeout=120)
    assert done.returncode == 1
    assert "refusing to write to" in done.stderr and "Traceback" not in done.stderr
    assert snapshot(raw) == before


def test_a_second_build_into_the_same_folder_is_refused_while_the_first_runs(raw, tmp_path):
    out = tmp_path / "processed"
    staging = tmp_path / ".processed.building-first"  # what a running build is writing
    with build_lock(out):
        staging.mkdir()
        with pytest.raises(OutputFolderError, match="another build is writing to"):
            build(raw, out)
        assert staging.exists()  # the second build did not delete the first one's staging folder
        staging.rmdir()
    assert build(raw, out).reports == 5  # the lock is released with the first build


def _children(pid):
    found = []
    for entry in os.listdir("/proc"):
        if entry.isdigit():
            try:
                with open(f"/proc/{entry}/stat") as handle:
                    fields = handle.read().rsplit(")", 1)[1].split()
            except OSError:
                continue
            if int(fields[1]) == pid and fields[0] != "Z":
                found.append(int(entry))
    return found


def _alive(pid):
    try:
        with open(f"/proc/{pid}/stat") as handle:
            return handle.read().rsplit(")", 1)[1].split()[0] != "Z"
    except OSError:
        return False


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="reads /proc")
def test_killing_the_build_process_kills_its_workers(tmp_path):
    from govreports.synth import consistent_values, render

    raw = tmp_path / "raw"
    raw.mkdir()
    for i in range(300):
        (raw / f"r{i:03d}.txt").write_text(render(consistent_values("2021", seed=i), "lines"), encoding="utf-8")
    command = [sys.executable, "-m", "govreports", "build", str(raw), "--out", str(tmp_path / "out"),
               "--workers", "2", "--cache", ""]
    process = subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    deadline = time.time() + 60
    workers = []
    while len(workers) < 2 and time.time() < deadline:
        time.sleep(0.1)
        workers = _children(process.pid)
    assert len(workers) >= 2
    os.kill(process.pid, signal.SIGKILL)
    process.wait()
    deadline = time.time() + 15
    while any(_alive(w) for w in workers) and time.time() < deadline:
        time.sleep(0.1)
    survivors = [w for w in workers if _alive(w)]
    for w in survivors:  # never leave them running, even when the test fails
        os.kill(w, signal.SIGKILL)
    assert survivors == []


# ----------------------------------------------------------------------------------------
# The parse cache: an entry always holds the parse of the bytes it is named after


def manifest_of(out):
    return {r["source"]: r for r in read_csv(out / "manifest.csv")}


def agencies(out):
    return {r["source"]: r["agency"] for r in read_csv(out / "reports.csv")}


def test_a_file_changed_while_the_build_reads_it_does_not_poison_the_cache(raw, tmp_path, monkeypatch):

    first, second = raw / "001_9b0f64044e721509.txt", raw / "003_7d12747508f9e08c.txt"
    original_bytes = first.read_bytes()
    cache = tmp_path / "cache"
    build(raw, tmp_path / "fresh")
    expected = agencies(tmp_path / "fresh")
    real_read = build_cache.read_capped

    def replaced_while_listed(path):
        if path.name == first.name and first.read_bytes() == original_bytes:
            first.write_bytes(second.read_bytes())  # the file is replaced after it was hashed
        return real_read(path)

    monkeypatch.setattr(build_cache, "read_capped", replaced_while_listed)
    build(raw, tmp_path / "out", cache_dir=cache)
    row = manifest_of(tmp_path / "out")[first.name]
    assert (row["manifest_status"], row["reason"]) == (
        "failed", f"{first.name}: changed while the build was reading it; build again once it is complete")
    monkeypatch.undo()
    first.write_bytes(original_bytes)
    build(raw, tmp_path / "again", cache_dir=cache)
    assert agencies(tmp_path / "again") == expected  # the old hash serves the old content's parse


def test_corrupt_empty_foreign_or_tampered_cache_entries_are_discarded_with_a_warning(raw, tmp_path, caplog):
    import json

    cache = tmp_path / "cache"
    build(raw, tmp_path / "fresh")
    build(raw, tmp_path / "first", cache_dir=cache)
    entries = sorted(cache.glob("*.json"))
    assert len(entries) == 5  # one per seed report
    entries[0].write_bytes(b"")
    entries[1].write_bytes(b'{"sha256": "trunc')
    entries[2].write_bytes(entries[3].read_bytes())  # another file's entry under this file's name
    record = json.loads(entries[4].read_text(encoding="utf-8"))
    record["report"]["cells"]["table3.granted.total"] += 7  # a figure changed inside the entry: its identities no longer give its verdict
    entries[4].write_text(json.dumps(record, ensure_ascii=False), encoding="utf-8")
    with caplog.at_level("WARNING"):
        build(raw, tmp_path / "cached", cache_dir=cache)
    discarded = [r.getMessage() for r in caplog.records if r.getMessage().startswith("discarding cache entry")]
    assert len(discarded) == 4
    for path in sorted((tmp_path / "fresh").iterdir()):
        assert path.read_bytes() == (tmp_path / "cached" / path.name).read_bytes(), path.name


def test_a_timeout_is_not_cached_and_a_rerun_with_a_higher_limit_parses_the_file(raw, tmp_path, monkeypatch):
    import time


    original = build_runners.parse_report

    def slow(path, data=None):
        if path.endswith("002_b24b1ab6d4164d4e.txt"):
            time.sleep(2)
        return original(path, data)

    monkeypatch.setattr(build_runners, "parse_report", slow)
    build(raw, tmp_path / "out", cache_dir=tmp_path / "cache", file_timeout=0.3)
    assert manifest_of(tmp_path / "out")["002_b24b1ab6d4164d4e.txt"]["manifest_status"] == "failed"
    build(raw, tmp_path / "out", cache_dir=tmp_path / "cache", file_timeout=30)
    assert manifest_of(tmp_path / "out")["002_b24b1ab6d4164d4e.txt"]["manifest_status"] == "repaired"  # as parsed


def test_the_file_timeout_holds_in_a_worker_thread_as_dask_runs_tasks(monkeypatch):
    import threading
    import time


    def spin(path, data=None):  # pure Python work, as a parse is
        end = time.monotonic() + 10
        while time.monotonic() < end:
            pass
        return "finished"

    monkeypatch.setattr(build_runners, "parse_report", spin)
    seen = {}

    def task():
        started = time.monotonic()
        seen["report"] = build_runners.parse_within("slow.txt", 0.3)
        seen["seconds"] = time.monotonic() - started
        time.sleep(0.5)  # no late exception fires after the limit was disarmed
        seen["after"] = "still running"

    thread = threading.Thread(target=task)
    thread.start()
    thread.join(20)
    assert seen["report"].status == "failed"
    assert seen["report"].errors[0].message == "slow.txt: took longer than 0.3 s to parse; skipped (raise --file-timeout)"
    assert seen["seconds"] < 3 and seen["after"] == "still running"


def test_a_full_disk_while_writing_the_cache_is_logged_and_the_build_goes_on(raw, tmp_path, monkeypatch, caplog):
    import errno


    def full(path, data):
        raise OSError(errno.ENOSPC, "No space left on device")

    monkeypatch.setattr(build_cache, "write_atomic", full)
    with caplog.at_level("WARNING"):
        result = build(raw, tmp_path / "out", cache_dir=tmp_path / "cache")
    assert result.reports == 5 and result.counts["valid"] == 3
    assert any("No space left on device" in r.getMessage() and "going on without caching" in r.getMessage()
               for r in caplog.records)


# ----------------------------------------------------------------------------------------
# corrections.csv: every doubtful row is an error naming it


HEADER = "source,code,value,who,why\n"


def corrections_file(tmp_path, body, encoding="utf-8"):
    path = tmp_path / "corrections.csv"
    path.write_bytes((HEADER + body).encode(encoding))
    return path


def build_with(raw, tmp_path, path):
    return build(raw, tmp_path / "out", corrections_path=path)


def test_an_unquoted_thousands_separator_is_an_error_naming_the_row(raw, tmp_path):
    from govreports.build.corrections import CorrectionsError

    path = corrections_file(tmp_path, "004_c493ddf6db4f273e.txt,table3.granted.total,6,454,RA,checked\n")
    with pytest.raises(CorrectionsError, match=r'line 2: 6 fields where 5 are expected.*quoted \("6,454"\)'):
        build_with(raw, tmp_path, path)
    quoted = corrections_file(tmp_path, '004_c493ddf6db4f273e.txt,table3.granted.total,"6,454",RA,checked\n')
    build_with(raw, tmp_path, quoted)
    cells = read_csv(tmp_path / "out" / "cells.csv")
    assert any(c["code"] == "table3.granted.total" and (c["value"], c["value_status"]) == ("6454", "corrected")
               for c in cells)


@pytest.mark.parametrize("written, hint", [("nothing_like_it.txt", ""),
                                           ("004_C493DDF6DB4F273E.TXT", " (did you mean '004_c493ddf6db4f273e.txt'?)"),
                                           ("./004_c493ddf6db4f273e.txt", " (did you mean '004_c493ddf6db4f273e.txt'?)")])
def test_a_source_that_names_no_file_is_an_error_naming_the_row(raw, tmp_path, written, hint):
    from govreports.build.corrections import CorrectionsError

    path = corrections_file(tmp_path, f"{written},table3.granted.total,1,RA,checked\n")
    with pytest.raises(CorrectionsError) as error:
        build_with(raw, tmp_path, path)
    assert f"line 2: source {written!r} is not a file of the raw folder{hint}" in str(error.value)


def test_conflicting_duplicate_rows_are_an_error_and_identical_ones_are_not(raw, tmp_path):
    from govreports.build.corrections import CorrectionsError

    row = "004_c493ddf6db4f273e.txt,table4.reconsideration.total,{},RA,checked\n"
    path = corrections_file(tmp_path, row.format(0) + row.format(3))
    with pytest.raises(CorrectionsError, match="line 3: table4.reconsideration.total of 004_c493ddf6db4f273e.txt is "
                                               "corrected to 3 here and to 0 on line 2; keep one"):
        build_with(raw, tmp_path, path)
    build_with(raw, tmp_path, corrections_file(tmp_path, row.format(0) + row.format(0)))


def test_utf8_with_a_bom_is_read_and_another_encoding_is_named(raw, tmp_path):
    from govreports.build.corrections import CorrectionsError

    body = "004_c493ddf6db4f273e.txt,table4.reconsideration.total,0,研究助理,核对了PDF\n"
    build_with(raw, tmp_path, corrections_file(tmp_path, body, "utf-8-sig"))
    assert read_csv(tmp_path / "out" / "manifest.csv")[4]["manifest_status"] in ("valid", "repaired", "invalid")
    with pytest.raises(CorrectionsError, match=r"not UTF-8 .*save it as UTF-8"):
        build_with(raw, tmp_path, corrections_file(tmp_path, body, "gb18030"))


def test_a_correction_naming_a_cell_of_the_other_template_is_recorded_and_the_build_goes_on(raw, tmp_path):
    from govreports.template import SCHEMA

    report = next(r for r in read_csv_reports(raw, tmp_path) if r["source"] == "003_7d12747508f9e08c.txt")
    other = "2019" if report["template"] == "2021" else "2021"
    foreign = next(c for c in SCHEMA.codes(other) if c not in set(SCHEMA.codes(report["template"])))
    path = corrections_file(tmp_path, f"003_7d12747508f9e08c.txt,{foreign},1,RA,checked\n")
    result = build_with(raw, tmp_path, path)
    assert result.reports == 5
    assert manifest_of(tmp_path / "out")["003_7d12747508f9e08c.txt"]["manifest_status"] == "valid"


def read_csv_reports(raw, tmp_path):
    build(raw, tmp_path / "plain")
    return read_csv(tmp_path / "plain" / "reports.csv")


# ----------------------------------------------------------------------------------------
# One bad input never stops a build


def test_an_unreadable_file_or_folder_is_recorded_and_the_build_goes_on(raw, tmp_path, monkeypatch):
    from govreports.build import inputs

    (raw / "sub").mkdir()
    (raw / "sub" / "inside.txt").write_text("x", encoding="utf-8")
    (raw / "locked.txt").write_text("x", encoding="utf-8")
    real_scandir, real_read = os.scandir, inputs.read_capped

    def scandir(path):  # as a folder without read permission behaves (the tests run as root)
        if os.path.basename(path) == "sub":
            raise PermissionError(13, "Permission denied")
        return real_scandir(path)

    def read(path):
        if path.name == "locked.txt":
            return real_read(raw / "missing-on-purpose.txt")  # the error a file that cannot be read raises
        return real_read(path)

    monkeypatch.setattr(inputs.os, "scandir", scandir)
    monkeypatch.setattr(inputs, "read_capped", read)
    result = build(raw, tmp_path / "out")
    manifest = {r["source"]: (r["manifest_status"], r["reason"]) for r in read_csv(tmp_path / "out" / "manifest.csv")}
    assert manifest["sub"] == ("failed", "folder cannot be read: Permission denied")
    assert manifest["locked.txt"][0] == "failed" and "cannot read: No such file or directory" in manifest["locked.txt"][1]
    assert result.reports == 5


def test_a_file_over_the_size_cap_is_refused_before_it_is_read(raw, tmp_path):
    with open(raw / "huge.txt", "wb") as handle:
        handle.truncate(8 * 1024 ** 3)  # sparse: 8 GB if it were read
    result = build(raw, tmp_path / "out")
    row = manifest_of(tmp_path / "out")["huge.txt"]
    assert (row["manifest_status"], row["reason"], row["sha256"]) == (
        "failed", "huge.txt: 8589934592 bytes is over the 52428800-byte limit for one report", "")
    assert result.reports == 5


# ----------------------------------------------------------------------------------------
# Options: clear messages, never a traceback or an absurd run


@pytest.mark.parametrize("arguments, message", [
    (["--workers", "0"], "Invalid value for '--workers': 0: give at least 1"),
    (["--workers", "-1"], "Invalid value for '--workers': -1: give at least 1"),
    (["--file-timeout", "nan"], "'nan': give 0 for no limit, or a number of seconds of at least 0.1"),
    (["--file-timeout", "inf"], "'inf': give 0 for no limit"),
    (["--file-timeout", "1e-9"], "'1e-9': give 0 for no limit"),
    (["--file-timeout", "soon"], "'soon' is not a number of seconds"),
    (["--out", ""], "Invalid value for '--out': must not be empty"),
])
def test_absurd_build_options_are_refused_with_a_clear_message(raw, tmp_path, arguments, message):
    from click.testing import CliRunner

    from govreports.cli import cli

    command = ["build", str(raw), "--out", str(tmp_path / "out"), "--cache", ""] + arguments
    result = CliRunner().invoke(cli, command)
    assert result.exit_code == 2 and message in result.output, result.output
    assert not (tmp_path / "out").exists()


def test_more_workers_than_cores_are_capped_with_a_note(raw, tmp_path, monkeypatch):
    from click.testing import CliRunner

    from govreports import cli as cli_module

    monkeypatch.setattr(cli_module.os, "cpu_count", lambda: 1)
    result = CliRunner().invoke(cli_module.cli, ["build", str(raw), "--out", str(tmp_path / "out"), "--cache", "",
                                                 "--corrections", "", "--workers", "1000"])
    assert result.exit_code == 0, result.output
    assert "--workers 1000 is more than the 1 cores: using 1" in result.output


def test_the_library_refuses_absurd_options_too(raw, tmp_path):
    from govreports.errors import GovReportsError

    for options in ({"workers": 0}, {"workers": -1}, {"file_timeout": float("nan")}, {"file_timeout": -1}):
        with pytest.raises(GovReportsError):
            build_dataset(raw, tmp_path / "out", **options)


def test_parse_and_check_of_a_missing_file_exit_1_with_a_message(tmp_path):
    from click.testing import CliRunner

    from govreports.cli import cli

    for command in ("parse", "check"):
        result = CliRunner().invoke(cli, [command, str(tmp_path / "missing.txt")])
        assert result.exit_code == 1 and "missing.txt': no such file or folder" in result.output


def test_parse_has_a_time_limit_per_file(monkeypatch):
    import time

    from click.testing import CliRunner

    from govreports import cli as cli_module

    def spin(path, **options):
        end = time.monotonic() + 10
        while time.monotonic() < end:
            pass

    monkeypatch.setattr(cli_module, "parse", spin)
    result = CliRunner().invoke(cli_module.cli, ["check", "--timeout", "0.3", str(RAW / "003_7d12747508f9e08c.txt")])
    assert result.exit_code == 1
    assert "took longer than 0.3 s to parse; skipped (raise --timeout)" in result.output


def test_the_file_timeout_holds_in_a_dask_worker(monkeypatch):
    import time

    distributed = pytest.importorskip("dask.distributed")

    def spin(path, data=None):
        end = time.monotonic() + 10
        while time.monotonic() < end:
            pass

    monkeypatch.setattr(build_runners, "parse_report", spin)
    with distributed.LocalCluster(n_workers=1, threads_per_worker=1, processes=False, dashboard_address=None) as cluster, \
            distributed.Client(cluster) as client:
        started = time.monotonic()
        report = client.submit(build_runners.parse_within, "slow.txt", 0.5, pure=False).result(timeout=30)
    assert time.monotonic() - started < 8
    assert report.status == "failed" and report.errors[0].code == "source.timeout"
