"""One report per agency and year (govreports.build.duplicates), on the real Hongze pair and synthetic ones.

Also: the parse cache serves the reports of the bundled corpus that its re-check used to refuse
or crash on (merged rows, the form before 2019), and a report without a statistics table is
recorded ``unchecked`` with its reason.
"""

import hashlib
import json
import logging
import shutil

import pandas as pd
import pytest
from conftest import RAW

from govreports.build import build_dataset
from govreports.synth import consistent_values, render

PDF, TXT = "hongze-district_2024.pdf", "hongze-district_2024.txt"
TITLE = "株洲市人民政府2023年政府信息公开工作年度报告"


def sha256_of(path):
    return hashlib.sha256(path.read_bytes()).hexdigest()


def build(raw, out, **kwargs):
    kwargs.setdefault("workers", 1)
    kwargs.setdefault("csv", "all")
    return build_dataset(raw, out, **kwargs)


@pytest.fixture(scope="module")
def hongze(tmp_path_factory):
    """The Hongze 2024 report as its PDF and its pdftotext text, and the Pingtan 2013 tax bureau's, built."""
    raw = tmp_path_factory.mktemp("raw")
    for name in (PDF, TXT, "pingtan-localtax_2013.txt"):
        shutil.copy(RAW / name, raw / name)
    out = tmp_path_factory.mktemp("out") / "processed"
    return build(raw, out), out


def test_the_pdf_is_kept_and_its_text_recorded_as_a_duplicate(hongze):
    result, out = hongze
    manifest = pd.read_csv(out / "manifest.csv").set_index("source")
    assert manifest.loc[PDF, "manifest_status"] == "repaired"
    kept = manifest.loc[PDF, "report_id"]
    assert manifest.loc[TXT, "manifest_status"] == "duplicate" and pd.isna(manifest.loc[TXT, "report_id"])
    assert manifest.loc[TXT, "reason"] == (f"same agency and year (2024) as {PDF} (report {kept}), which is kept: "
                                           "the original format first (pdf before text)")
    assert result.counts == {"repaired": 1, "duplicate": 1, "unchecked": 1} and result.reports == 2
    reports = pd.read_csv(out / "reports.csv")
    assert reports["source"].tolist() == [PDF, "pingtan-localtax_2013.txt"]
    hongze_row = reports.set_index("source").loc[PDF]
    assert (hongze_row["agency"], hongze_row["year"], hongze_row["new_received_total"]) == ("淮安市洪泽区人民政府", 2024, 95)


def test_no_table_keeps_rows_of_the_displaced_report(hongze):
    _result, out = hongze
    text_id = "24d20b629eee92b8"  # the text's sha256, first 16 hex digits
    for table in ("cells", "checks", "repairs", "indicators"):
        parquet = pd.read_parquet(out / f"{table}.parquet")
        assert text_id not in set(parquet["report_id"]), table
        assert pd.read_csv(out / f"{table}.csv", dtype=str)["report_id"].nunique() == parquet["report_id"].nunique()
    assert len(pd.read_parquet(out / "cells.parquet").query("report_id == '82ba40ade55a9310'")) == 200
    package = json.loads((out / "datapackage.json").read_text(encoding="utf-8"))
    resources = {r["name"]: r for r in package["resources"]}
    for table in ("manifest", "cells", "reports"):  # the rewritten files' digests, not the first ones'
        assert resources[table]["hash"] == f"sha256:{sha256_of(out / f'{table}.csv')}"
        assert resources[table]["parquet"]["hash"] == f"sha256:{sha256_of(out / f'{table}.parquet')}"


def test_a_report_without_a_table_is_unchecked_with_its_reason(hongze):
    _result, out = hongze
    row = pd.read_csv(out / "manifest.csv").set_index("source").loc["pingtan-localtax_2013.txt"]
    assert row["manifest_status"] == "unchecked"
    assert row["reason"] == "no statistics table: figures read from the narrative's sentences, which no identity can check"
    stated = pd.read_parquet(out / "cells.parquet").query("report_id == @row.report_id and value_status == 'stated'")
    assert dict(zip(stated["row_code"], stated["value"])) == {"proactive_total": 45, "requests_received": 0,
                                                              "reconsideration_total": 0}


def test_the_better_verdict_then_the_first_path_decides_within_one_format(tmp_path):
    good = consistent_values("2021", 7)
    broken = {**good, "table3.granted.total": good["table3.granted.total"] + 1}
    raw = tmp_path / "raw"
    raw.mkdir()
    (raw / "a_broken.txt").write_text(render(broken, "lines", "2021", title=TITLE), encoding="utf-8")
    (raw / "b_good.txt").write_text(render(good, "lines", "2021", title=TITLE), encoding="utf-8")
    (raw / "c_good_tabs.txt").write_text(render(good, "tabs", "2021", title=TITLE), encoding="utf-8")
    result = build(raw, tmp_path / "out")
    manifest = pd.read_csv(tmp_path / "out" / "manifest.csv").set_index("source")
    assert result.counts == {"valid": 1, "duplicate": 2}
    assert manifest.loc["b_good.txt", "manifest_status"] == "valid"
    assert "the better verdict first (valid before invalid)" in manifest.loc["a_broken.txt", "reason"]
    assert "the same format and verdict: the first source path" in manifest.loc["c_good_tabs.txt", "reason"]
    assert pd.read_csv(tmp_path / "out" / "reports.csv")["source"].tolist() == ["b_good.txt"]


def test_other_agencies_or_years_are_not_duplicates(tmp_path):
    raw = tmp_path / "raw"
    raw.mkdir()
    values = consistent_values("2021", 3)
    (raw / "a.txt").write_text(render(values, "lines", "2021", title=TITLE), encoding="utf-8")
    (raw / "b.txt").write_text(render(values, "lines", "2021", title=TITLE.replace("2023", "2022")), encoding="utf-8")
    (raw / "c.txt").write_text(render(values, "lines", "2021", title=TITLE.replace("株洲", "湘潭")), encoding="utf-8")
    assert build(raw, tmp_path / "out").counts == {"valid": 3}


def test_the_cache_serves_merged_rows_and_reports_before_2019(tmp_path, caplog):
    raw = tmp_path / "raw"
    raw.mkdir()
    for name in (PDF, "pingtan-zone_2014.txt", "pingtan-localtax_2013.txt"):
        shutil.copy(RAW / name, raw / name)
    cache = tmp_path / "cache"
    build(raw, tmp_path / "first", cache_dir=cache)
    with caplog.at_level(logging.WARNING):
        build(raw, tmp_path / "second", cache_dir=cache)
    assert not [r for r in caplog.records if "discarding" in r.getMessage()]
    for name in ("reports.csv", "cells.csv", "checks.csv", "manifest.csv"):
        assert (tmp_path / "first" / name).read_bytes() == (tmp_path / "second" / name).read_bytes()


def test_a_tampered_cache_entry_of_a_report_before_2019_is_discarded(tmp_path, caplog):
    raw = tmp_path / "raw"
    raw.mkdir()
    shutil.copy(RAW / "pingtan-zone_2014.txt", raw / "pingtan-zone_2014.txt")
    cache = tmp_path / "cache"
    build(raw, tmp_path / "first", cache_dir=cache)
    (entry,) = cache.glob("*.json")
    record = json.loads(entry.read_text(encoding="utf-8"))
    cells = record["report"]["cells"]
    assert cells["stats.requests_received.year"] == 1
    cells["stats.requests_received.year"] = 2  # its channels (1) no longer add up to it, as the entry records
    entry.write_text(json.dumps(record, ensure_ascii=False), encoding="utf-8")
    with caplog.at_level(logging.WARNING):
        build(raw, tmp_path / "second", cache_dir=cache)
    assert [r for r in caplog.records if "discarding cache entry" in r.getMessage()]
    assert (tmp_path / "first" / "cells.csv").read_bytes() == (tmp_path / "second" / "cells.csv").read_bytes()
