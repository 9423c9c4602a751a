"""govreports build: contents, validity, determinism, cache, corrections, panel checks, atomicity."""

import csv
import shutil

import pytest
from conftest import RAW, copy_seeds

from govreports import build as dataset
from govreports.build import build_dataset, cache, runners  # noqa: F401 (reached as dataset.cache, dataset.runners)
from govreports.build.corrections import CorrectionsError
from govreports.synth import consistent_values, render


def read_csv(path):
    with path.open(encoding="utf-8", newline="") as f:
        return list(csv.DictReader(f))


@pytest.fixture
def raw(tmp_path):
    folder = copy_seeds(tmp_path / "raw")
    (folder / "empty.txt").write_bytes(b"")
    shutil.copy(RAW / "003_7d12747508f9e08c.txt", folder / "copy_of_003.txt")
    return folder


def build(raw, out, **kwargs):
    kwargs.setdefault("workers", 1)
    kwargs.setdefault("csv", "all")  # these tests read every table's CSV; tests/build/test_csv_choice.py the others
    return build_dataset(raw, out, **kwargs)


def test_build_writes_every_table_and_accounts_for_every_input(raw, tmp_path):
    result = build(raw, tmp_path / "out")
    out = tmp_path / "out"
    names = {p.name for p in out.iterdir()}
    for table in ("reports", "cells", "checks", "repairs", "manifest"):
        assert {f"{table}.csv", f"{table}.parquet"} <= names
    assert {"datapackage.json", "codebook.csv"} <= names
    manifest = read_csv(out / "manifest.csv")
    assert len(manifest) == 8  # five seeds, an empty file, a duplicate, and SOURCES.csv (provenance: skipped)
    status = {row["source"]: row["manifest_status"] for row in manifest}
    assert status["empty.txt"] == "failed"
    assert status["copy_of_003.txt"] == "duplicate"
    assert status["SOURCES.csv"] == "skipped"
    assert status["004_c493ddf6db4f273e.txt"] == "invalid"
    assert result.counts == {"valid": 3, "repaired": 1, "invalid": 1, "failed": 1, "duplicate": 1, "skipped": 1}
    reports = read_csv(out / "reports.csv")
    assert len(reports) == 5
    xiangyin = next(r for r in reports if r["source"] == "003_7d12747508f9e08c.txt")
    assert (xiangyin["new_received_total"], xiangyin["granted_total"], xiangyin["not_processed_total"]) == ("71", "64", "6")
    cells = read_csv(out / "cells.csv")
    assert len(cells) == 200 * 4 + 198
    blank = next(c for c in cells if c["code"] == "table2.rules.new_made")
    assert (blank["value"], blank["value_status"]) == ("", "lost")


def test_datapackage_validates_with_frictionless(raw, tmp_path):
    from frictionless import validate

    build(raw, tmp_path / "out")
    report = validate(str(tmp_path / "out" / "datapackage.json"))
    assert report.valid, report.flatten(["resourcePath", "rowNumber", "fieldName", "message"])[:5]


def test_build_is_deterministic(raw, tmp_path):
    build(raw, tmp_path / "a")
    build(raw, tmp_path / "b", workers=2)
    for path in sorted((tmp_path / "a").iterdir()):
        assert path.read_bytes() == (tmp_path / "b" / path.name).read_bytes(), path.name


def test_unchanged_inputs_are_not_parsed_again(raw, tmp_path, monkeypatch):
    build(raw, tmp_path / "out", cache_dir=tmp_path / "cache")
    (raw / "new.txt").write_text("政府信息公开\n没有表格", encoding="utf-8")
    counted = []
    original = dataset.runners.parse_report
    monkeypatch.setattr(dataset.runners, "parse_report", lambda path, data=None: counted.append(path) or original(path, data))
    build(raw, tmp_path / "out", cache_dir=tmp_path / "cache")
    assert [p.rsplit("/", 1)[1] for p in counted] == ["new.txt"]
    manifest = {r["source"]: r["manifest_status"] for r in read_csv(tmp_path / "out" / "manifest.csv")}
    assert manifest["new.txt"] == "failed" and manifest["003_7d12747508f9e08c.txt"] == "valid"


def test_a_build_from_the_cache_has_the_same_bytes_as_a_fresh_one(raw, tmp_path):
    build(raw, tmp_path / "fresh")
    build(raw, tmp_path / "first", cache_dir=tmp_path / "cache")
    build(raw, tmp_path / "cached", cache_dir=tmp_path / "cache")  # every report read back from the cache
    for path in sorted((tmp_path / "fresh").iterdir()):
        assert path.read_bytes() == (tmp_path / "cached" / path.name).read_bytes(), path.name


def test_corrections_are_applied_and_recorded(raw, tmp_path):
    corrections = tmp_path / "corrections.csv"
    corrections.write_text(
        "source,code,value,who,why\n"
        "004_c493ddf6db4f273e.txt,table4.reconsideration.total,0,RA,checked the agency's PDF\n",
        encoding="utf-8",
    )
    build(raw, tmp_path / "out", corrections_path=corrections)
    cells = read_csv(tmp_path / "out" / "cells.csv")
    report_id = next(r["report_id"] for r in read_csv(tmp_path / "out" / "manifest.csv") if r["source"].startswith("004"))
    corrected = [c for c in cells if c["report_id"] == report_id and c["code"] == "table4.reconsideration.total"]
    assert [(c["value"], c["value_status"]) for c in corrected] == [("0", "corrected")]


def test_bad_corrections_file_lists_every_problem(raw, tmp_path):
    corrections = tmp_path / "corrections.csv"
    corrections.write_text("source,code,value,who,why\nx.txt,table9.nope.total,1,RA,r\nx.txt,table3.granted.total,abc,,\n",
                           encoding="utf-8")
    with pytest.raises(CorrectionsError) as error:
        build(raw, tmp_path / "out", corrections_path=corrections)
    assert "2 invalid row(s)" in str(error.value)
    assert "line 2: unknown cell code 'table9.nope.total'" in str(error.value)
    assert "line 3: value 'abc' is not a number" in str(error.value)


def test_cross_year_checks_compare_carried_over_with_last_years_carried_forward(tmp_path):
    folder = tmp_path / "raw"
    folder.mkdir()
    first = consistent_values("2021", seed=21)
    second = consistent_values("2021", seed=22)
    for name, values, year in (("a2022.txt", first, 2022), ("a2023.txt", second, 2023)):
        title = f"湘阴县人民政府{year}年政府信息公开工作年度报告"
        (folder / name).write_text(render(values, "pipes", title=title), encoding="utf-8")
    build(folder, tmp_path / "out")
    checks = [c for c in read_csv(tmp_path / "out" / "checks.csv") if c["identity"] == "panel.carried_over"]
    assert len(checks) == 7
    total = next(c for c in checks if c["scope"] == "total")
    assert total["lhs_value"] == str(first["table3.carried_forward.total"])
    assert total["rhs_value"] == str(second["table3.carried_over.total"])
    assert total["passed"] == ("true" if total["lhs_value"] == total["rhs_value"] else "false")


def test_an_interrupted_build_leaves_the_previous_output_intact(raw, tmp_path, monkeypatch):
    build(raw, tmp_path / "out")
    before = {p.name: p.read_bytes() for p in (tmp_path / "out").iterdir()}

    def explode(*args, **kwargs):
        raise KeyboardInterrupt

    monkeypatch.setattr(dataset, "replace_folder", explode)
    (raw / "extra.txt").write_text("政府信息公开", encoding="utf-8")
    with pytest.raises(KeyboardInterrupt):
        build(raw, tmp_path / "out")
    assert {p.name: p.read_bytes() for p in (tmp_path / "out").iterdir()} == before
    assert [p.name for p in tmp_path.iterdir() if p.name.startswith(".out.")] == []  # .out-build.lock stays


@pytest.mark.slow
def test_dask_engine_gives_identical_tables(raw, tmp_path):
    build(raw, tmp_path / "local")
    build(raw, tmp_path / "dask", engine="dask", workers=2)
    for path in sorted((tmp_path / "local").iterdir()):
        assert path.read_bytes() == (tmp_path / "dask" / path.name).read_bytes(), path.name


def test_a_file_that_takes_too_long_is_recorded_as_failed_and_the_build_goes_on(raw, tmp_path, monkeypatch):
    import time

    original = dataset.runners.parse_report

    def slow_for_one(path, data=None):
        if path.endswith("002_b24b1ab6d4164d4e.txt"):
            time.sleep(5)
        return original(path, data)

    monkeypatch.setattr(dataset.runners, "parse_report", slow_for_one)
    build(raw, tmp_path / "out", file_timeout=0.5)
    manifest = {r["source"]: (r["manifest_status"], r["reason"]) for r in read_csv(tmp_path / "out" / "manifest.csv")}
    assert manifest["002_b24b1ab6d4164d4e.txt"] == (
        "failed", "002_b24b1ab6d4164d4e.txt: took longer than 0.5 s to parse; skipped (raise --file-timeout)")
    assert manifest["003_7d12747508f9e08c.txt"][0] == "valid"


def test_killing_a_build_with_a_real_signal_leaves_the_previous_output_and_the_next_run_completes(tmp_path):
    import os
    import signal
    import subprocess
    import sys
    import time

    from govreports.synth import consistent_values, render

    raw = tmp_path / "raw"
    raw.mkdir()
    for i in range(400):
        (raw / f"r{i:03d}.txt").write_text(render(consistent_values("2021", seed=i), "lines"), encoding="utf-8")
    out = tmp_path / "processed"
    copy_seeds(tmp_path / "small")
    build(tmp_path / "small", out)
    before = {p.name: p.read_bytes() for p in out.iterdir()}
    command = [sys.executable, "-m", "govreports", "build", str(raw), "--out", str(out), "--workers", "1", "--cache", ""]
    process = subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    deadline = time.time() + 60
    while not list(tmp_path.glob(".processed.building-*")) and time.time() < deadline:
        time.sleep(0.05)
    time.sleep(0.5)  # well inside the build: rows are being written to the staging folder
    os.kill(process.pid, signal.SIGKILL)
    process.wait()
    assert {p.name: p.read_bytes() for p in out.iterdir()} == before
    finished = subprocess.run(command, capture_output=True, text=True, timeout=300)
    assert finished.returncode == 0, finished.stderr
    assert len(read_csv(out / "manifest.csv")) == 400
    assert list(tmp_path.glob(".processed.*")) == []


def test_the_cache_key_changes_with_the_parser_code(raw, tmp_path, monkeypatch):
    build(raw, tmp_path / "out", cache_dir=tmp_path / "cache")
    first = sorted(p.name for p in (tmp_path / "cache").iterdir())
    dataset.cache.parser_fingerprint.cache_clear()
    monkeypatch.setattr(dataset.cache, "__version__", "9.9.9")  # stands for any change of the parser's code
    build(raw, tmp_path / "out", cache_dir=tmp_path / "cache")
    dataset.cache.parser_fingerprint.cache_clear()
    second = sorted(p.name for p in (tmp_path / "cache").iterdir())
    assert len(second) == 2 * len(first)
    assert {n.split("-")[0] for n in second} == {n.split("-")[0] for n in first}


def test_parsing_in_a_batch_raises_the_gc_threshold_and_restores_it():
    import gc

    from govreports.parse import GC_THRESHOLD, parse_many

    before = gc.get_threshold()
    seen = []
    for report in parse_many([RAW / "003_7d12747508f9e08c.txt", RAW / "001_9b0f64044e721509.txt"]):
        seen.append((report.status, gc.get_threshold()[0]))
    assert seen == [("valid", GC_THRESHOLD), ("valid", GC_THRESHOLD)]
    assert gc.get_threshold() == before
