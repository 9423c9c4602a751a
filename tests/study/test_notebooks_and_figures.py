"""The report runner (planning, names, parameter files, index), the figures and the study's metrics."""

import math
import os
import re
import subprocess
import sys
from pathlib import Path

import nbformat
import pandas as pd
import pytest
from click.testing import CliRunner

from govreports.cli import cli
from govreports.errors import GovReportsError
from govreports.study import figures, index, metrics
from govreports.study import notebooks as report

ROOT = Path(__file__).resolve().parents[2]


# ----------------------------------------------------------------------------------------
# Names


@pytest.mark.parametrize("value, slug", [("湖南省", "湖南省"), ("2023", "2023"), ("430600", "430600"),
                                         ("岳阳市_教育局", "岳阳市_教育局")])
def test_slug_keeps_chinese_letters_and_digits(value, slug):
    assert report.slugify(value) == slug


@pytest.mark.parametrize("value", ['湖南省"\nimport os', "a/b", "../../etc/passwd", "..", "a b", "<x>", "", "x" * 200])
def test_slug_is_a_safe_file_name(value):
    slug = report.slugify(value)
    assert slug and re.fullmatch(r"[\w-]+", slug) and not slug.startswith(("-", "."))
    assert len(slug) <= report.SLUG_MAX + 9


def test_different_values_never_share_a_slug():
    values = ["a/b", "a b", "a-b", "a\nb", "a?b"]
    assert len({report.slugify(v) for v in values}) == len(values)


def test_output_names():
    assert report.make_run("year", year=2023).name == "year__year-2023"
    assert report.make_run("region", region="湖南省").name == "region__region-湖南省"
    assert report.make_run("quality").name == "quality"


# ----------------------------------------------------------------------------------------
# Planning


def notebooks(tmp_path, names=("year", "region", "quality")):
    folder = tmp_path / "notebooks"
    (folder / "params").mkdir(parents=True)
    for name in names:
        nbformat.write(nbformat.v4.new_notebook(), folder / f"{name}.ipynb")
    return folder


def processed(tmp_path, rows=((2022, "湖南省"), (2023, "吉林省"), (2023, "湖南省"), (None, None))):
    folder = tmp_path / "processed"
    folder.mkdir()
    pd.DataFrame(rows, columns=["year", "province"]).to_parquet(folder / "reports.parquet")
    return folder


def test_all_runs_every_year_and_province_then_quality_models_and_parameter_files(tmp_path):
    folder = notebooks(tmp_path, ("year", "region", "quality", "models"))
    (folder / "params" / "yueyang.yml").write_text("notebook: region\nparameters:\n  region: '430600'\n", encoding="utf-8")
    runs = report.plan(run_all=True, processed=processed(tmp_path), notebooks_dir=folder)
    assert [r.name for r in runs] == ["year__year-2022", "year__year-2023", "region__region-吉林省",
                                      "region__region-湖南省", "quality", "models", "region__region-430600"]


def test_the_study_runs_first_with_all_and_alone_with_study(tmp_path):
    folder, data = notebooks(tmp_path, ("study", "year", "region", "quality")), processed(tmp_path)
    runs = report.plan(run_all=True, processed=data, notebooks_dir=folder)
    assert [r.name for r in runs][:2] == ["study", "year__year-2022"]
    assert [r.name for r in report.plan(study=True, processed=data, notebooks_dir=folder)] == ["study"]


def test_models_runs_only_if_its_notebook_exists(tmp_path):
    runs = report.plan(run_all=True, processed=processed(tmp_path), notebooks_dir=notebooks(tmp_path))
    assert "models" not in [r.name for r in runs]


def test_repeated_runs_are_run_once(tmp_path):
    runs = report.plan(years=[2023, 2023], regions=["湖南省"], run_all=True, processed=processed(tmp_path),
                       notebooks_dir=notebooks(tmp_path))
    names = [r.name for r in runs]
    assert len(names) == len(set(names)) and names[0] == "year__year-2023"


def test_nothing_to_run_is_an_error(tmp_path):
    with pytest.raises(GovReportsError, match="nothing to run"):
        report.plan(processed=processed(tmp_path), notebooks_dir=notebooks(tmp_path))


def test_all_needs_a_built_dataset(tmp_path):
    with pytest.raises(GovReportsError, match="govreports build"):
        report.plan(run_all=True, processed=tmp_path / "missing", notebooks_dir=notebooks(tmp_path))


def test_parameter_file_with_several_runs(tmp_path):
    folder = notebooks(tmp_path)
    path = tmp_path / "study.yml"
    path.write_text("runs:\n  - notebook: year\n    parameters: {year: 2022}\n  - notebook: quality.ipynb\n", encoding="utf-8")
    assert [r.name for r in report.params_runs(path, folder)] == ["year__year-2022", "quality"]


@pytest.mark.parametrize("text, message", [
    ("notebook: nowhere\n", "no notebook"),
    ("notebook: ../year\n", "no notebook"),
    ("parameters: {year: 2022}\n", "needs a 'notebook'"),
    ("notebook: year\nparameters: [2022]\n", "plain values"),
    ("notebook: year\nparameters: {year: {a: 1}}\n", "plain values"),
    ("- just a list\n", "expected a mapping"),
    ("notebook: [unclosed\n", "cannot read"),
])
def test_invalid_parameter_files_are_refused(tmp_path, text, message):
    path = tmp_path / "bad.yml"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(GovReportsError, match=re.escape(message)):
        report.params_runs(path, notebooks(tmp_path))


def test_the_repository_parameter_files_are_valid():
    for path in sorted((ROOT / "notebooks" / "params").glob("*.yml")):
        assert report.params_runs(path, ROOT / "notebooks")


def test_the_notebooks_have_a_parameters_cell_first_and_no_outputs():
    for name in ("study", "year", "region", "quality"):
        notebook = nbformat.read(ROOT / "notebooks" / f"{name}.ipynb", as_version=4)
        code = [c for c in notebook.cells if c.cell_type == "code"]
        assert "parameters" in code[0].metadata.get("tags", []), name
        assert all(not c.get("outputs") and c.get("execution_count") is None for c in code), name
        assert "headline" in code[-1].metadata.get("tags", []), name


def test_cli_report_without_a_selection_fails(tmp_path):
    result = CliRunner().invoke(cli, ["report", "--processed", str(processed(tmp_path))])
    assert result.exit_code == 1 and "nothing to run" in result.output


# ----------------------------------------------------------------------------------------
# Headline and index


def executed(folder: Path, stem: str, parameters: dict, headline: dict) -> Path:
    """Write a fake executed notebook (as Papermill leaves it) with its HTML next to it."""
    notebook = nbformat.v4.new_notebook()
    cell = nbformat.v4.new_code_cell("")
    cell.outputs = [nbformat.v4.new_output("display_data", data={index.HEADLINE_MIME: headline, "text/plain": "{}"})]
    notebook.cells = [cell]
    notebook.metadata["papermill"] = {"parameters": {**parameters, "processed": "/somewhere",
                                                     "figures_dir": f"/somewhere/figures/{stem}"}}
    nbformat.write(notebook, folder / f"{stem}.ipynb")
    (folder / f"{stem}.html").write_text("<html></html>", encoding="utf-8")
    return folder / f"{stem}.ipynb"


def test_headline_round_trip(tmp_path):
    path = executed(tmp_path, "year__year-2023", {"year": 2023}, {"reports": 3, "disclosure_rate": 0.5})
    assert index.read_headline(path) == {"reports": 3, "disclosure_rate": 0.5}


def test_index_links_every_report_and_escapes_names(tmp_path):
    region = '<b>湖南省</b>"'
    executed(tmp_path, "year__year-2023", {"year": 2023},
             {"reports": 3, "usable_reports": 2, "new_applications": 1234.0, "disclosure_rate": 0.905,
              "dataset_version": "v1"})
    executed(tmp_path, report.make_run("region", region=region).name, {"region": region},
             {"reports": 1, "dataset_version": "v0"})
    (tmp_path / "datapackage.json").write_text('{"version": "v1"}', encoding="utf-8")
    failed = report.Outcome(report.make_run("models"), error="ValueError: <no>")
    page = index.write_index(tmp_path, tmp_path, [failed]).read_text(encoding="utf-8")
    assert 'href="year__year-2023.html"' in page and "1,234" in page and "90.5%" in page
    assert "&lt;b&gt;湖南省&lt;/b&gt;&quot;" in page and "<b>湖南省" not in page
    assert index.quote(report.make_run("region", region=region).name + ".html") in page
    assert "ValueError: &lt;no&gt;" in page
    assert page.count("stale") >= 2  # the region report was made from another dataset version


def test_the_study_is_linked_first(tmp_path):
    executed(tmp_path, "year__year-2023", {"year": 2023}, {"reports": 3, "dataset_version": "v1"})
    executed(tmp_path, "study", {}, {"reports": 5, "usable_reports": 4, "dataset_version": "v1"})
    (tmp_path / "datapackage.json").write_text('{"version": "v1"}', encoding="utf-8")
    page = index.write_index(tmp_path, tmp_path).read_text(encoding="utf-8")
    links = re.findall(r'href="([^"]+\.html)"', page)
    assert links[:2] == ["study.html", "year__year-2023.html"]
    assert "/somewhere" not in page  # folders the runner passed are not what a report is about
    assert page.index(index._label("study")) < page.index(index._label("year"))


def test_the_index_names_the_dataset_relative_to_itself_not_by_a_local_absolute_path(tmp_path):
    processed, out = tmp_path / "data" / "processed", tmp_path / "reports"
    processed.mkdir(parents=True)
    out.mkdir()
    (processed / "datapackage.json").write_text('{"version": "v7"}', encoding="utf-8")
    page = index.write_index(out, processed).read_text(encoding="utf-8")
    assert "../data/processed, version v7" in page
    assert str(tmp_path) not in page


# ----------------------------------------------------------------------------------------
# Configuration


def test_paths_are_found_from_the_working_directory_and_env_overrides(tmp_path):
    code = "from govreports import paths as config; print(config.ROOT); print(config.PROCESSED_DIR); print(config.REPORTS_DIR)"
    env = {k: v for k, v in os.environ.items() if not k.startswith("GOVREPORTS_")}
    default = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, env=env, check=True, cwd=ROOT)
    assert default.stdout.split() == [str(ROOT), str(ROOT / "data" / "processed"), str(ROOT / "reports")]
    # From a subfolder of a project, the project; from a folder of one's own, that folder: never
    # the package's install location.
    below = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, env=env, check=True,
                           cwd=ROOT / "notebooks")
    assert below.stdout.split()[0] == str(ROOT)
    project = tmp_path / "study"
    (project / "data" / "processed").mkdir(parents=True)
    (project / "data" / "processed" / "deep").mkdir()
    elsewhere = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, env=env, check=True,
                               cwd=project / "data" / "processed" / "deep")
    assert elsewhere.stdout.split() == [str(project.resolve()), str(project.resolve() / "data" / "processed"),
                                        str(project.resolve() / "reports")]
    env["GOVREPORTS_PROCESSED"] = str(tmp_path / "elsewhere")
    moved = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, env=env, check=True, cwd=ROOT)
    assert moved.stdout.split()[1] == str(tmp_path / "elsewhere")


# ----------------------------------------------------------------------------------------
# Figures


@pytest.fixture
def shown(monkeypatch):
    """Collect the figures the helpers would display (rendered to PNG, strictly)."""
    figures_shown = []
    monkeypatch.setenv(figures.STRICT_ENV, "1")
    monkeypatch.setattr(figures, "show", lambda fig: figures_shown.append((fig, figures.to_png(fig))))
    figures.setup()
    return figures_shown


def test_the_cjk_font_is_mplfonts_own():
    from matplotlib import font_manager

    name = figures.setup()
    assert font_manager.findfont(font_manager.FontProperties(family=name)) == str(figures.font_path())
    assert "mplfonts" in str(figures.font_path())


def test_a_missing_glyph_is_an_error_in_strict_mode(monkeypatch):
    figures.setup()
    fig, ax = figures.new_figure()
    ax.set_title(chr(0x20000))  # CJK Extension B: not in Noto Sans CJK SC
    monkeypatch.setenv(figures.STRICT_ENV, "1")
    with pytest.raises(UserWarning, match="missing from font"):
        figures.to_png(fig)
    monkeypatch.setenv(figures.STRICT_ENV, "0")
    with pytest.warns(UserWarning, match="missing from font"):
        figures.to_png(fig)


def test_every_chart_is_titled_labelled_and_sourced(shown):
    source = figures.source_note("v1", 3)
    common = {"title": "标题\nTitle", "xlabel": figures.term("reports_axis"), "ylabel": figures.term("province"),
              "source": source}
    figures.bar(pd.Series([3, 1], index=["湖南省", "吉林省"]), **common)
    figures.rate_bars(pd.DataFrame({"g": ["县级 county"], "rate": [0.5], "ci_low": [0.3], "ci_high": [0.7], "trials": [10],
                                    "reports": [3]}),
                      "g", **common)
    figures.stacked_shares(pd.DataFrame({"予以公开 granted": [3, 0], "不予公开 denied": [1, 2]}, index=["a", "b"]),
                           legend="办理结果 outcome", **common)
    figures.lines(pd.DataFrame({"x": [1.0, 2.0]}, index=[2022, 2023]), **common)
    figures.grouped_bars(pd.DataFrame({"x": [1.0, 2.0]}, index=[2022, 2023]), **common)
    figures.concentration_curve(pd.DataFrame({"agency_share": [0.5, 1.0], "cumulative_share": [0.8, 1.0]}), **common)
    assert len(shown) == 6
    for fig, png in shown:
        ax = fig.axes[0]
        assert ax.get_title(loc="left") == "标题\nTitle" and ax.get_xlabel() and ax.get_ylabel()
        assert any(t.get_text().startswith(source) for t in fig.texts)
        assert png.startswith(b"\x89PNG")


@pytest.mark.parametrize("values", [pd.Series(dtype=float), pd.Series([math.nan]), pd.Series([0, 0], index=["a", "b"])])
def test_no_empty_figure(shown, capsys, values):
    figures.bar(values, title="t\nT", xlabel="x", ylabel="y", source="s", what="nothing here")
    assert shown == [] and capsys.readouterr().out.startswith("No figure: ")


def test_table_prints_a_statement_when_empty(capsys):
    figures.table(pd.DataFrame(), "No reports for 1999.")
    assert capsys.readouterr().out == "No reports for 1999.\n"


def test_category_labels_are_bilingual():
    assert figures.category("level", "county") == "县级 county"
    assert figures.category("status", None) == figures.term("unknown")
    assert figures.category("kind", "something new") == "something new"


# ----------------------------------------------------------------------------------------
# The study's metrics


def frame():
    reports = pd.DataFrame([
        {"report_id": "r1", "status": "valid", "year": 2022, "agency": "湘阴县人民政府", "province": "湖南省",
         "prefecture": "岳阳市", "county": "湘阴县", "adcode": "430624"},
        {"report_id": "r2", "status": "valid", "year": 2023, "agency": "湘阴县人民政府", "province": "湖南省",
         "prefecture": "岳阳市", "county": "湘阴县", "adcode": "430624"},
        {"report_id": "r3", "status": "invalid", "year": 2023, "agency": "松原市教育局", "province": "吉林省",
         "prefecture": "松原市", "county": None, "adcode": "220700"},
    ])
    for column in ("source", "template", "level", "kind"):
        reports[column] = "x"
    cells = []
    for report_id, new, denied, not_held in (("r1", 10, 2, 1), ("r2", 20, 3, 5), ("r3", 5, 0, 0)):
        values = {"new_received": new, "carried_over": 0, "granted": new - denied - not_held,
                  "denied_state_secret": denied, "unavailable_not_held": not_held, "total_handled": new,
                  "carried_forward": 0}
        cells += [{"report_id": report_id, "code": f"table3.{row}.total", "value": float(v)} for row, v in values.items()]
    return reports, pd.DataFrame(cells)


@pytest.mark.parametrize("region, ids", [("湖南省", ["r1", "r2"]), ("岳阳市", ["r1", "r2"]), ("湘阴县", ["r1", "r2"]),
                                         ("430000", ["r1", "r2"]), ("430600", ["r1", "r2"]), ("430624", ["r1", "r2"]),
                                         ("220000", ["r3"]), ("湖南", []), ("000000", [])])
def test_region_selection(region, ids):
    reports, _ = frame()
    assert reports.loc[metrics.region_mask(reports, region), "report_id"].tolist() == ids


def test_reason_ranking_pools_and_ranks():
    reports, cells = frame()
    indicators = metrics.usable(metrics.report_indicators(reports, cells))
    ranking = metrics.reason_ranking(indicators, cells)
    assert ranking["row_code"].tolist() == ["unavailable_not_held", "denied_state_secret"]
    assert ranking["applications"].tolist() == [6.0, 5.0]
    assert ranking["share_of_handled"].tolist() == pytest.approx([6 / 30, 5 / 30])
    # Both usable reports are one agency's: a single cluster, so no interval is claimed.
    assert ranking["ci_low"].isna().all() and ranking["ci_high"].isna().all()


def test_headline_equals_the_rate_table():
    reports, cells = frame()
    indicators = metrics.usable(metrics.report_indicators(reports, cells))
    headline = metrics.headline(indicators, by=["year"]).set_index("year")
    rates = metrics.rate_table(indicators, "denial_rate", by=["year"]).set_index("year")
    assert headline["denial_rate"].tolist() == rates["rate"].tolist() == [0.2, 0.15]
    assert headline["reports"].tolist() == [1, 1]


def test_matched_change_and_volume():
    reports, cells = frame()
    indicators = metrics.usable(metrics.report_indicators(reports, cells))
    change = metrics.matched_change(indicators, 2023)
    assert change[["before", "after", "change", "change_pct"]].iloc[0].tolist() == [10.0, 20.0, 10.0, 100.0]
    assert metrics.matched_change(indicators, 2022).empty
    assert metrics.volume_brackets(indicators).set_index("bracket")["reports"].to_dict() == {
        "0": 0, "1-9": 0, "10-99": 2, "100-999": 0, "1000+": 0}
    assert metrics.volume_summary(indicators)["top1_share"].iloc[0] == pytest.approx(20 / 30)


def test_check_outcomes_counts_unevaluable_apart():
    checks = pd.DataFrame({"identity": ["a", "a", "a", "b"], "passed": [True, False, None, True]})
    table = metrics.check_outcomes(checks).set_index("identity")
    assert table.loc["a"].tolist() == [1, 1, 1] and table.loc["b"].tolist() == [1, 0, 0]
    assert metrics.check_outcomes(checks.iloc[:0]).empty
