"""The bundled corpus (data/raw): every file has its provenance, and the build gives what the README says."""

import contextlib
import csv
import hashlib
import io
import re

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
    out = tmp_path_factory.mktemp("bundled") / "data" / "processed"  # as the README's examples read it
    return build_dataset(RAW, out, workers=1, csv="all"), out


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


def test_agency_id_follows_the_pingtan_zone_across_years_and_keeps_the_county_apart(bundled):
    _result, out = bundled
    reports = pd.read_parquet(out / "reports.parquet").set_index("source")
    zone = reports.loc[[f"pingtan-zone_{y}.txt" for y in (2014, 2017, 2019, 2022)]]
    # printed 平潭综合实验区管委会 in 2014 and 平潭综合实验区 later: the zone's committee is the zone
    assert zone["agency_printed"].tolist() == ["平潭综合实验区管委会"] + ["平潭综合实验区"] * 3
    assert set(zone["agency_id"]) == {"350128-e1bbe4ab"}
    county = reports.loc[["pingtan-county_2012.txt", "pingtan-county_2013.txt"], "agency_id"]
    assert set(county) == {"350128-d4c62feb"}
    tax = reports.loc["pingtan-localtax_2013.txt", "agency_id"]
    assert tax not in set(zone["agency_id"]) | set(county)
    assert reports["agency_id"].nunique() == 12  # 16 reports: the zone 4 times, the county twice


def test_the_scope_column_and_its_description(bundled):
    _result, out = bundled
    reports = pd.read_parquet(out / "reports.parquet")
    assert reports["scope"].value_counts().to_dict() == {"jurisdiction": 8, "agency": 5, "unknown": 3}
    package = __import__("json").loads((out / "datapackage.json").read_text(encoding="utf-8"))
    fields = {f["name"]: f for r in package["resources"] if r["name"] == "reports" for f in r["schema"]["fields"]}
    assert fields["scope"]["constraints"] == {"enum": ["agency", "jurisdiction", "unknown"]}
    checks = {f["name"]: f for r in package["resources"] if r["name"] == "checks" for f in r["schema"]["fields"]}
    assert "identity" in checks["scope"]["description"]  # the checks table's scope keeps its own meaning


def readme_data_section() -> str:
    return (ROOT / "README.md").read_text(encoding="utf-8").split("\n## Data\n")[1].split("\n## ")[0]


def test_the_readme_lists_the_columns_of_the_files_as_written(bundled):
    _result, out = bundled
    listed = {}
    for line in readme_data_section().splitlines():
        match = re.match(r"\s*\| `(\w+)` \| [^|]+ \| (.+) \|$", line)
        if match and match.group(1) != "codebook":
            listed[match.group(1)] = re.findall(r"`(\w+)`", match.group(2).split(" (")[0])
    assert set(listed) == {"reports", "cells", "checks", "repairs", "indicators", "manifest"}
    for table, columns in listed.items():
        assert pd.read_parquet(out / f"{table}.parquet").columns.tolist() == columns, table
        with (out / f"{table}.csv").open(encoding="utf-8", newline="") as f:
            assert next(csv.reader(f)) == columns, table


def run_readme_example(index: int, folder, monkeypatch) -> str:
    """Run the README Data section's ``index``-th Python example in ``folder``; return what it printed."""
    code = re.findall(r"```python\n(.*?)```", readme_data_section(), re.S)[index]
    monkeypatch.chdir(folder)
    printed = io.StringIO()
    with contextlib.redirect_stdout(printed):
        exec(compile(code, "README", "exec"), {})
    return printed.getvalue()


def test_the_readme_examples_answer_their_questions_on_the_bundled_data(bundled, monkeypatch):
    _result, out = bundled
    folder = out.parent.parent
    by_level = run_readme_example(0, folder, monkeypatch)
    reports = pd.read_parquet(out / "reports.parquet")
    indicators = pd.read_parquet(out / "indicators.parquet").pivot_table(index="report_id", columns="indicator",
                                                                         values="value", aggfunc="first")
    usable = reports[reports["status"].isin(["valid", "repaired"])].join(indicators, on="report_id")
    for level, part in usable.groupby("level"):
        share = part["not_held"].sum() / part["applications_answered"].sum()
        assert re.search(rf"{level}\s+{share:.6f}", by_level), (level, share, by_level)
    zone = run_readme_example(1, folder, monkeypatch)
    rows = [line.split() for line in zone.splitlines()[1:]]
    assert [(r[1], r[3], r[4]) for r in rows] == [("2014", "2014", "1.0"), ("2017", "2014", "0.0"),
                                                  ("2019", "2019", "23.0"), ("2022", "2021", "74.0")]
    assert "1, 0, 23 and 74 applications for 2014, 2017, 2019 and 2022" in readme_data_section()
