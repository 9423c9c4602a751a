"""The study notebooks, executed with Papermill on the bundled reports and on a synthetic corpus.

Every notebook must run without an error cell, render Chinese with the CJK font (a missing glyph is
an error here: ``GOVREPORTS_STRICT_GLYPHS``), print a plain statement where there is no data, and
report headline figures that equal the ones computed here directly from the processed tables.
"""

import json
import math
from pathlib import Path
from urllib.parse import quote

import nbformat
import pandas as pd
import pytest
from click.testing import CliRunner

from govreports import paths as config
from govreports.build import build_dataset
from govreports.cli import cli
from govreports.study import index as study_index
from govreports.study import notebooks as report

ROOT = Path(__file__).resolve().parents[2]
from govreports.synth import consistent_values, render  # noqa: E402

pytestmark = pytest.mark.slow

STUDY_NOTEBOOKS = ("year", "region", "quality")
AGENCIES = {  # agency -> volume multiplier (identities are linear: scaled values stay consistent)
    "湘阴县人民政府": 3, "岳阳市教育局": 1, "长沙市岳麓区人民政府": 12, "岳阳市人民政府": 40, "湖南省财政厅": 2,
    "湘潭市自然资源和规划局": 1, "长沙市人民政府办公厅": 25,
    "吉林省松原市人民政府": 8, "松原市教育局": 1, "长春市朝阳区人民政府": 5, "吉林省人民政府办公厅": 30,
    "前郭尔罗斯蒙古族自治县人民政府": 2, "四平市公安局": 1,
}
YEARS = (2021, 2022, 2023)
LAYOUTS = ("lines", "pipes", "tabs", "markdown", "spaces")
APPLICANTS = ("natural_person", "commercial_enterprise", "research_institution", "social_welfare_org",
              "legal_service_org", "other_org")
BROKEN_PANEL = "四平市公安局"  # its carried-over figures ignore last year's: panel checks fail
ANOMALY = ("长春市朝阳区人民政府", 2022)  # a published total that breaks table 3's row sum


@pytest.fixture(autouse=True)
def strict_glyphs(monkeypatch):
    """A glyph missing from the font raises inside the notebook's kernel (it inherits the environment)."""
    monkeypatch.setenv("GOVREPORTS_STRICT_GLYPHS", "1")


def carry_over(values: dict, previous: dict) -> dict:
    """Return ``values`` with last year's carried-forward applications as this year's carried-over ones.

    New applications are adjusted so that every identity still holds (granted grows if needed).
    """
    values = dict(values)
    for column in APPLICANTS:
        values[f"table3.carried_over.{column}"] = previous[f"table3.carried_forward.{column}"]
        new = (values[f"table3.total_handled.{column}"] + values[f"table3.carried_forward.{column}"]
               - values[f"table3.carried_over.{column}"])
        if new < 0:
            values[f"table3.granted.{column}"] -= new
            values[f"table3.total_handled.{column}"] -= new
            new = 0
        values[f"table3.new_received.{column}"] = new
    for row in ("carried_over", "new_received", "granted", "total_handled"):
        values[f"table3.{row}.total"] = sum(values[f"table3.{row}.{c}"] for c in APPLICANTS)
    return values


def synthetic_reports() -> dict:
    """Return ``{file name: text}``: 13 agencies x 3 years, one more report, and one file that is no report."""
    files, index = {}, 0
    for seed, (agency, scale) in enumerate(AGENCIES.items()):
        previous = None
        for year in YEARS:
            values = consistent_values("2021", seed * 10 + year)
            values = {c: v * scale if c.startswith(("table3.", "table4.")) else v for c, v in values.items()}
            if previous is not None and agency != BROKEN_PANEL:
                values = carry_over(values, previous)
            previous = values
            if (agency, year) == ANOMALY:
                values = {**values, "table3.granted.total": values["table3.granted.total"] + 1}
            layout = LAYOUTS[index % len(LAYOUTS)]
            files[f"{index:03d}_{layout}.txt"] = render(values, layout, "2021",
                                                        title=f"{agency}{year}年政府信息公开工作年度报告")
            index += 1
    files[f"{index:03d}_lines.txt"] = render(consistent_values("2021", 999), "lines", "2021",
                                             title="株洲市人民政府2023年政府信息公开工作年度报告")
    files["notes.txt"] = "minutes of a meeting, not a report\n"
    return files


@pytest.fixture(scope="session")
def synthetic(tmp_path_factory):
    """The processed dataset of ~40 synthetic reports (2 provinces, 3 years)."""
    raw = tmp_path_factory.mktemp("synthetic_raw")
    for name, text in synthetic_reports().items():
        (raw / name).write_text(text, encoding="utf-8")
    out = tmp_path_factory.mktemp("synthetic") / "processed"
    build_dataset(raw, out, workers=1)
    return out


def notebooks_dir(tmp_path: Path) -> Path:
    """Return a copy of the study notebooks and parameter files (without notebooks other work adds)."""
    folder = tmp_path / "notebooks"
    (folder / "params").mkdir(parents=True)
    for name in STUDY_NOTEBOOKS:
        (folder / f"{name}.ipynb").write_bytes((ROOT / "notebooks" / f"{name}.ipynb").read_bytes())
    for path in (ROOT / "notebooks" / "params").glob("*.yml"):
        (folder / "params" / path.name).write_bytes(path.read_bytes())
    return folder


def outputs(ipynb: Path) -> list:
    """Return every output of an executed notebook."""
    return [o for cell in nbformat.read(ipynb, as_version=4).cells for o in cell.get("outputs", [])]


def stream_text(ipynb: Path) -> str:
    """Return everything an executed notebook printed (stdout and stderr)."""
    return "".join(o.get("text", "") for o in outputs(ipynb) if o.get("output_type") == "stream")


def assert_clean(ipynb: Path) -> None:
    """No error output, no font warning, and a headline cell."""
    errors = [o for o in outputs(ipynb) if o.get("output_type") == "error"]
    assert errors == [], errors[0].get("evalue") if errors else ""
    printed = stream_text(ipynb)
    assert "missing from font" not in printed and "findfont" not in printed
    assert study_index.read_headline(ipynb), f"{ipynb.name} has no headline output"


def run(notebook: str, processed: Path, tmp_path: Path, **parameters) -> report.Outcome:
    """Execute one notebook on ``processed`` and check that it ran cleanly."""
    out = tmp_path / "reports"
    out.mkdir()
    outcome = report.run_one(report.make_run(notebook, **parameters), processed, out, notebooks_dir(tmp_path),
                             with_code=False)
    assert outcome.ok, outcome.error
    assert_clean(outcome.ipynb)
    assert outcome.html.is_file()
    return outcome


def close(a, b) -> bool:
    """Return True if two headline figures agree (both missing counts as agreeing)."""
    if a is None or (isinstance(a, float) and math.isnan(a)):
        return b is None or (isinstance(b, float) and math.isnan(b))
    return b is not None and math.isclose(a, b, rel_tol=1e-9, abs_tol=1e-12)


# ----------------------------------------------------------------------------------------
# Expected figures, computed directly from the processed tables with pandas


def tables(processed: Path) -> dict:
    """Return the processed tables as DataFrames."""
    return {name: pd.read_parquet(processed / f"{name}.parquet")
            for name in ("reports", "cells", "checks", "repairs", "manifest")}


def pooled(frame: pd.DataFrame, numerator: list, denominator: str) -> float:
    """Return sum(numerator columns) / sum(denominator) over rows where all are present."""
    frame = frame.dropna(subset=[*numerator, denominator])
    total = frame[denominator].sum()
    return float(frame[numerator].sum(axis=1).sum() / total) if total > 0 else math.nan


def expected_year(processed: Path, year: int) -> dict:
    """Return the year notebook's headline figures, computed independently."""
    reports = tables(processed)["reports"]
    corpus = reports[reports["year"] == year]
    usable = corpus[corpus["status"].isin(["valid", "repaired"])]
    volumes = usable["new_received_total"].dropna().sort_values(ascending=False)
    with_reconsideration = usable.dropna(subset=["reconsideration_total", "new_received_total"])
    applications = with_reconsideration["new_received_total"].sum()
    previous = reports[(reports["year"] == year - 1) & reports["status"].isin(["valid", "repaired"])]
    return {
        "reports": len(corpus), "usable_reports": len(usable), "provinces": corpus["province"].nunique(),
        "new_applications": float(usable["new_received_total"].sum()) if usable["new_received_total"].notna().any() else None,
        "disclosure_rate": pooled(usable, ["granted_total", "partially_granted_total"], "total_handled_total"),
        "reconsideration_per_100": (100 * with_reconsideration["reconsideration_total"].sum() / applications
                                    if applications > 0 else math.nan),
        "top10_share": float(volumes.head(10).sum() / volumes.sum()) if volumes.sum() > 0 else math.nan,
        "previous_year_reports": len(previous),
    }


def expected_region(processed: Path, province: str) -> dict:
    """Return the region notebook's headline figures for a province, computed independently."""
    data = tables(processed)
    reports, checks = data["reports"], data["checks"]
    mine = reports[reports["province"] == province]
    usable = mine[mine["status"].isin(["valid", "repaired"])]
    panel = checks[checks["identity"].str.startswith("panel.") & checks["report_id"].isin(mine["report_id"])]
    return {
        "reports": len(mine), "usable_reports": len(usable), "agencies": mine["agency"].nunique(),
        "years": sorted(int(y) for y in mine["year"].unique()),
        "new_by_year": {str(int(y)): float(v) for y, v in usable.groupby("year")["new_received_total"].sum().items()},
        "disclosure_rate": pooled(usable, ["granted_total", "partially_granted_total"], "total_handled_total"),
        "panel_checks": len(panel), "panel_failed": int((panel["passed"] == False).sum()),  # noqa: E712
    }


def expected_quality(processed: Path) -> dict:
    """Return the quality notebook's headline figures, computed independently."""
    data = tables(processed)
    checks, cells = data["checks"], data["cells"]
    template = checks[checks["identity"].str.match(r"table[34]\.")]
    return {
        "files": len(data["manifest"]), "reports": len(data["reports"]),
        "usable_reports": int(data["reports"]["status"].isin(["valid", "repaired"]).sum()),
        "manifest_status": data["manifest"]["manifest_status"].value_counts().to_dict(),
        "failed_checks": int((checks["passed"] == False).sum()),  # noqa: E712
        "unevaluable_checks": int(checks["passed"].isna().sum()),
        "source_anomalies": int((template["passed"] == False).sum()),  # noqa: E712
        "repairs": data["repairs"]["kind_of_repair"].value_counts().to_dict(),
        "lost_cells": int((cells["value_status"] == "lost").sum()),
        # every narrative.* identity (the reports before 2019 state many figures in sentences)
        "narrative_failed": int((checks["identity"].str.startswith("narrative.")
                                 & (checks["passed"] == False)).sum()),  # noqa: E712
    }


def assert_headline(headline: dict, expected: dict) -> None:
    """Every expected figure equals the notebook's."""
    for key, value in expected.items():
        got = headline.get(key)
        if isinstance(value, (int, float)) or value is None:
            assert close(value, got), f"{key}: notebook {got}, tables {value}"
        else:
            assert got == value, f"{key}: notebook {got}, tables {value}"


# ----------------------------------------------------------------------------------------
# The synthetic corpus


def test_synthetic_corpus_is_as_designed(synthetic):
    data = tables(synthetic)
    reports = data["reports"]
    assert len(reports) == len(AGENCIES) * len(YEARS) + 1
    assert set(reports["province"]) == {"湖南省", "吉林省"}
    assert set(reports["year"]) == set(YEARS)
    assert (reports["status"] == "invalid").sum() == 1
    panel = data["checks"][data["checks"]["identity"] == "panel.carried_over"]
    assert (panel["passed"] == True).any() and (panel["passed"] == False).any()  # noqa: E712


def test_year_notebook_on_the_synthetic_corpus(synthetic, tmp_path):
    outcome = run("year", synthetic, tmp_path, year=2022)
    assert_headline(outcome.headline, expected_year(synthetic, 2022))
    assert outcome.headline["usable_reports"] == len(AGENCIES) - 1  # the anomaly is invalid
    printed = stream_text(outcome.ipynb)
    assert "agencies reported in both years" in printed
    html = outcome.html.read_text(encoding="utf-8")
    assert "2022年度政府信息公开工作年度报告" in html and "data:image/png;base64" in html
    assert "metrics.report_indicators" not in html  # code hidden by default


def test_region_notebook_on_the_synthetic_corpus(synthetic, tmp_path):
    outcome = run("region", synthetic, tmp_path, region="吉林省")
    expected = expected_region(synthetic, "吉林省")
    assert_headline(outcome.headline, expected)
    assert expected["panel_failed"] > 0  # the broken agency's checks are shown
    assert BROKEN_PANEL in outcome.html.read_text(encoding="utf-8")


def test_region_by_adcode_selects_the_prefecture(synthetic, tmp_path):
    outcome = run("region", synthetic, tmp_path, region="430600")
    reports = tables(synthetic)["reports"]
    assert outcome.headline["reports"] == int(reports["adcode"].str.startswith("4306").sum())
    assert outcome.headline["agencies"] == 3  # 湘阴县人民政府, 岳阳市教育局, 岳阳市人民政府


def test_quality_notebook_on_the_synthetic_corpus(synthetic, tmp_path):
    outcome = run("quality", synthetic, tmp_path)
    expected = expected_quality(synthetic)
    assert_headline(outcome.headline, expected)
    assert expected["source_anomalies"] >= 1 and expected["manifest_status"].get("failed") == 1
    json.dumps(outcome.headline)  # plain data: the index and other tools read it


# ----------------------------------------------------------------------------------------
# The bundled reports, through the command line


def test_report_all_on_the_bundled_reports(bundled, tmp_path, monkeypatch):
    out = tmp_path / "reports"
    # Only this study's notebooks (a models.ipynb in progress elsewhere is not under test here).
    monkeypatch.setattr(config, "NOTEBOOKS_DIR", notebooks_dir(tmp_path))
    result = CliRunner().invoke(cli, ["report", "--all", "--processed", str(bundled), "--out", str(out),
                                      "--continue-on-error"], catch_exceptions=False)
    assert result.exit_code == 0, result.output
    reports = pd.read_parquet(bundled / "reports.parquet")
    years = sorted(int(y) for y in reports["year"].unique())
    provinces = sorted(reports["province"].unique())
    names = [f"year__year-{y}" for y in years] + [f"region__region-{p}" for p in provinces] + ["quality"]
    names.append("region__region-430600")  # notebooks/params/yueyang.yml
    index = (out / "index.html").read_text(encoding="utf-8")
    for name in names:
        assert (out / f"{name}.html").is_file() and (out / f"{name}.ipynb").is_file(), name
        assert_clean(out / f"{name}.ipynb")
        assert f'href="{quote(name + ".html")}"' in index
    for year in years:
        assert_headline(study_index.read_headline(out / f"year__year-{year}.ipynb"), expected_year(bundled, year))
    for province in provinces:
        assert_headline(study_index.read_headline(out / f"region__region-{province}.ipynb"),
                        expected_region(bundled, province))
    assert_headline(study_index.read_headline(out / "quality.ipynb"), expected_quality(bundled))
    assert f"{len(names)} of {len(names)} notebooks ran" in result.output


def test_a_year_without_reports_says_so(bundled, tmp_path):
    outcome = run("year", bundled, tmp_path, year=1999)
    printed = stream_text(outcome.ipynb)
    assert "No reports for 1999" in printed
    years = sorted(int(y) for y in pd.read_parquet(bundled / "reports.parquet")["year"].unique())
    assert years == [2012, 2013, 2014, 2017, 2019, 2020, 2021, 2022, 2023, 2024, 2025]
    assert f"The corpus covers: {', '.join(map(str, years))}" in printed
    assert outcome.headline["reports"] == 0
    assert not [o for o in outputs(outcome.ipynb) if "image/png" in o.get("data", {})]  # no empty figure


def test_region_name_is_data_not_code(bundled, tmp_path):
    """A region name with quotes, a newline and markup reaches the notebook unchanged and inert."""
    marker = tmp_path / "injected"
    region = f'湖南省"\nopen({str(marker)!r}, "w").write("x")  # \'\n<script>alert(1)</script>'
    outcome = run("region", bundled, tmp_path, region=region)
    assert not marker.exists()
    assert outcome.headline["region"] == region
    assert "No reports match the region" in stream_text(outcome.ipynb)
    assert "\n" not in outcome.html.name and '"' not in outcome.html.name and "/" not in outcome.html.stem
    html = outcome.html.read_text(encoding="utf-8")
    assert "<script>alert(1)</script>" not in html
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html


def test_with_code_keeps_the_code(bundled, tmp_path):
    outcome = report.run_one(report.make_run("quality"), bundled, tmp_path, notebooks_dir(tmp_path), with_code=True)
    assert outcome.ok, outcome.error
    assert "check_outcomes" in outcome.html.read_text(encoding="utf-8")


def test_a_failing_notebook_is_reported_and_the_others_go_on(bundled, tmp_path):
    folder = notebooks_dir(tmp_path)
    broken = nbformat.v4.new_notebook()
    broken.cells = [nbformat.v4.new_code_cell("raise ValueError('no such indicator')")]
    broken.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3", "language": "python"}
    nbformat.write(broken, folder / "models.ipynb")
    runs = [report.make_run("models"), report.make_run("quality")]
    lines = []
    outcomes = report.run_report(runs, processed=bundled, out_dir=tmp_path / "out", notebooks_dir=folder,
                                 continue_on_error=True, log=lines.append)
    assert [o.ok for o in outcomes] == [False, True]
    assert "ValueError: no such indicator" in outcomes[0].error
    assert any(line.startswith("[1/2] models: FAILED: ValueError") for line in lines)
    index = (tmp_path / "out" / "index.html").read_text(encoding="utf-8")
    assert "no such indicator" in index and "quality.html" in index
    stopped = report.run_report(runs, processed=bundled, out_dir=tmp_path / "out2", notebooks_dir=folder)
    assert len(stopped) == 1


def test_a_missing_glyph_fails_the_notebook(bundled, tmp_path):
    """The strict setting reaches the kernel: a character the CJK font lacks is an error, not a box."""
    folder = notebooks_dir(tmp_path)
    notebook = nbformat.v4.new_notebook()
    notebook.cells = [nbformat.v4.new_code_cell(
        "from govreports.study import figures\nfigures.setup()\nfig, ax = figures.new_figure()\n"
        "ax.set_title(chr(0x20000))\nfigures.show(fig)")]
    notebook.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3", "language": "python"}
    nbformat.write(notebook, folder / "glyph.ipynb")
    outcome = report.run_one(report.make_run("glyph"), bundled, tmp_path, folder, with_code=False)
    assert not outcome.ok and "missing from font" in outcome.error


@pytest.mark.parametrize("data", ["bundled", "synthetic"])
def test_models_notebook_runs_as_a_results_section(data, request, tmp_path):
    processed = request.getfixturevalue(data)
    folder = notebooks_dir(tmp_path)
    (folder / "models.ipynb").write_bytes((ROOT / "notebooks" / "models.ipynb").read_bytes())
    out = tmp_path / "reports"
    out.mkdir()
    outcome = report.run_one(report.make_run("models"), processed, out, folder, with_code=False)
    assert outcome.ok, outcome.error
    assert_clean(outcome.ipynb)
    printed = stream_text(outcome.ipynb)
    headline = study_index.read_headline(outcome.ipynb)
    assert headline["reports"] == len(models_frame(processed))
    assert headline["models_fitted"] + headline["models_skipped"] + headline["models_degenerate"] == 13
    if headline["models_fitted"] == 0:  # the 5 bundled reports: every model skipped, each with its reason
        assert "too few reports" in printed and "No robustness run could be fitted" in printed
    else:
        assert "comparison.tex" in printed and "Standard errors of the same fit under every clustering" in printed


def models_frame(processed):
    from govreports.study import models

    return models.load_model_frame(processed)
