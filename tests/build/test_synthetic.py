"""A synthetic corpus is marked at the source, and everything built from it says so."""

import csv
import json

import nbformat
import pytest

from govreports.build import build_dataset
from govreports.build.resources import is_synthetic
from govreports.errors import GovReportsError
from govreports.study.index import SYNTHETIC_CLASS, add_banner, write_index
from govreports.study.notebooks import export_html
from govreports.synth import generate_corpus


@pytest.fixture(scope="module")
def corpus(tmp_path_factory):
    return generate_corpus(3, 11, tmp_path_factory.mktemp("synth") / "corpus", layouts=("html",),
                           anomaly_rate=0).out_dir


def test_the_generator_writes_markers_and_tags_each_report(corpus):
    assert (corpus / "SYNTHETIC").is_file() and (corpus / "reports" / "SYNTHETIC").is_file()
    rows = list(csv.DictReader((corpus / "MANIFEST.csv").open(encoding="utf-8")))
    assert len(rows) == 3 and {r["synthetic"] for r in rows} == {"true"}
    assert is_synthetic(corpus) and is_synthetic(corpus / "reports") and not is_synthetic(corpus / "truth" / "x")


def test_a_synthetic_build_is_marked_in_its_datapackage(corpus, tmp_path):
    result = build_dataset(corpus / "reports", tmp_path / "out", workers=1)
    package = json.loads((tmp_path / "out" / "datapackage.json").read_text(encoding="utf-8"))
    assert result.reports == 3 and package["synthetic"] is True
    assert package["title"].startswith("SYNTHETIC") and "SYNTHETIC" in package["sources"][0]["title"]
    assert "published by Chinese government agencies" not in json.dumps(package)
    manifest = list(csv.DictReader((tmp_path / "out" / "manifest.csv").open(encoding="utf-8")))
    statuses = {row["source"]: row["manifest_status"] for row in manifest}
    assert statuses.pop("SYNTHETIC") == "skipped" and set(statuses.values()) <= {"valid", "repaired"}


def test_a_real_build_is_not_synthetic(tmp_path):
    raw = tmp_path / "raw"
    raw.mkdir()
    (raw / "a.txt").write_text("no report here", encoding="utf-8")
    build_dataset(raw, tmp_path / "out", workers=1)
    package = json.loads((tmp_path / "out" / "datapackage.json").read_text(encoding="utf-8"))
    assert package["synthetic"] is False and "published by Chinese government agencies" in package["sources"][0]["title"]
    assert package["created"] == "1970-01-01T00:00:00Z"  # no dated report, and never the wall clock
    assert package["licenses"][0]["name"] == "CC-BY-4.0" and "CC-BY-4.0" in package["description"]


def test_created_is_the_year_after_the_newest_report_or_source_date_epoch(corpus, tmp_path, monkeypatch):
    years = [int(r["year"]) for r in csv.DictReader((corpus / "MANIFEST.csv").open(encoding="utf-8"))]
    build_dataset(corpus / "reports", tmp_path / "a", workers=1)
    package = json.loads((tmp_path / "a" / "datapackage.json").read_text(encoding="utf-8"))
    assert package["created"] == f"{max(years) + 1}-01-01T00:00:00Z"
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "1767225600")
    build_dataset(corpus / "reports", tmp_path / "b", workers=1)
    package = json.loads((tmp_path / "b" / "datapackage.json").read_text(encoding="utf-8"))
    assert package["created"] == "2026-01-01T00:00:00Z"


def test_a_synthetic_corpus_is_refused_in_data_processed(corpus, tmp_path):
    target = tmp_path / "data" / "processed"
    for raw in (corpus, corpus / "reports"):
        with pytest.raises(GovReportsError, match="SYNTHETIC corpus .* refusing to build it into"):
            build_dataset(raw, target, workers=1)
    assert not target.exists()


def test_pages_of_a_synthetic_dataset_carry_a_banner(tmp_path):
    processed = tmp_path / "processed"
    processed.mkdir()
    (processed / "datapackage.json").write_text(json.dumps({"version": "v1", "synthetic": True}), encoding="utf-8")
    page = write_index(tmp_path, processed).read_text(encoding="utf-8")
    assert page.count(SYNTHETIC_CLASS) == 2 and page.index(SYNTHETIC_CLASS + '"') < page.index("<h1>")
    notebook = nbformat.v4.new_notebook(cells=[nbformat.v4.new_markdown_cell("# A page")])
    ipynb = tmp_path / "year__year-2023.ipynb"
    nbformat.write(notebook, ipynb)
    marked = export_html(ipynb, synthetic=True).read_text(encoding="utf-8")
    assert f'<div class="{SYNTHETIC_CLASS}"' in marked and "SYNTHETIC data" in marked
    plain = export_html(ipynb).read_text(encoding="utf-8")
    assert f'<div class="{SYNTHETIC_CLASS}"' not in plain
    assert add_banner(add_banner("<html><body class='x'><p>a</p></body></html>")).count("<div class") == 1


def test_agency_id_follows_one_agency_and_keeps_same_named_ones_apart():
    import hashlib

    from govreports.build.rows import agency_id

    name = "\u4e1c\u5858\u9547\u4eba\u6c11\u653f\u5e9c"  # a township name found in several provinces
    digest = hashlib.sha1(name.encode("utf-8")).hexdigest()[:8]
    assert agency_id(name, "430104") == f"430104-{digest}"
    assert agency_id(name, "320583") == f"320583-{digest}" != agency_id(name, "430104")
    assert agency_id(f" {name[:2]} {name[2:]}", "430104") == agency_id(name, "430104")  # spaces normalised
    assert agency_id(name, None) == f"000000-{digest}" and agency_id(None, "430104") is None


def test_the_reports_table_carries_agency_id(corpus, tmp_path):
    import pandas as pd

    from govreports.build.rows import agency_id

    build_dataset(corpus / "reports", tmp_path / "out", workers=1)
    reports = pd.read_parquet(tmp_path / "out" / "reports.parquet")
    expected = [agency_id(a, c) for a, c in zip(reports["agency"], reports["adcode"])]
    assert reports["agency_id"].tolist() == expected and reports["agency_id"].str.fullmatch(r"\d{6}-[0-9a-f]{8}").all()
