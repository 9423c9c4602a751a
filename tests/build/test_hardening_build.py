"""Hardening of ``govreports build``: it never deletes its inputs, races another build, or leaves workers behind."""

import csv
import os
import shutil
import signal
import subprocess
import sys
import time

import pytest
from conftest import RAW

from govreports.build import build_dataset
from govreports.build.safety import OutputFolderError, build_lock


def read_csv(path):
    with path.open(encoding="utf-8", newline="") as f:
        return list(csv.DictReader(f))


@pytest.fixture
def raw(tmp_path):
    folder = tmp_path / "data" / "raw"
    shutil.copytree(RAW, folder)
    return folder


def snapshot(folder):
    return {p.relative_to(folder).as_posix(): p.read_bytes() for p in sorted(folder.rglob("*")) if p.is_file()}


def build(raw, out, **kwargs):
    kwargs.setdefault("workers", 1)
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
