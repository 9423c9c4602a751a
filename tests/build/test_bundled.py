"""The bundled corpus (data/raw): every file has its provenance, and the build gives what the README says."""

import csv
import hashlib

import pandas as pd
import pytest
from conftest import RAW, ROOT

from govreports.build import build_dataset


def sources():
    with (RAW / "SOURCES.csv").open(encoding="utf-8", newline="") as f:
        return list(csv.DictReader(f))


def test_every_bundled_file_has_one_provenance_row_with_its_digest():
    rows = {row["file"]: row for row in sources()}
    files = sorted(p.name for p in RAW.iterdir() if p.name != "SOURCES.csv")
    assert sorted(rows) == files and len(files) == 17
    for name, row in rows.items():
        assert row["sha256"] == hashlib.sha256((RAW / name).read_bytes()).hexdigest(), name
        assert row["origin"] and row["layout"], name
    unknown = [row for row in rows.values() if not row["retrieved"]]
    assert all("unknown" in row["reason"] or "not recorded" in row["origin"] for row in unknown)


@pytest.fixture(scope="module")
def bundled(tmp_path_factory):
    out = tmp_path_factory.mktemp("bundled") / "processed"
    return build_dataset(RAW, out, workers=1), out


def test_the_bundled_build_gives_the_figures_the_readme_states(bundled):
    result, out = bundled
    assert result.counts == {"valid": 5, "repaired": 7, "invalid": 3, "unchecked": 1, "duplicate": 1, "skipped": 1}
    reports = pd.read_parquet(out / "reports.parquet")
    assert len(reports) == result.reports == 16
    assert (reports["year"].min(), reports["year"].max()) == (2012, 2025)
    assert sorted(reports["template"].unique()) == ["2014", "2019", "2021"]
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    assert "17 files holding 16 reports" in readme and "(5 valid, 7 repaired, 3 invalid, 1 unchecked)" in readme
    manifest = pd.read_parquet(out / "manifest.parquet").set_index("source")
    assert manifest.loc["hongze-district_2024.txt", "manifest_status"] == "duplicate"
    assert manifest.loc["pingtan-localtax_2013.txt", "manifest_status"] == "unchecked"
