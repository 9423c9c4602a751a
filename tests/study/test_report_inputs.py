"""What `govreports report` is asked for is checked before anything runs; every artefact goes under --out."""

import re
from pathlib import Path

import pandas as pd
import pytest
from click.testing import CliRunner

from govreports.cli import cli
from govreports.errors import GovReportsError
from govreports.study import notebooks as report

ROOT = Path(__file__).resolve().parents[2]
NOTEBOOKS = ROOT / "notebooks"


@pytest.fixture
def processed(tmp_path):
    folder = tmp_path / "processed"
    folder.mkdir()
    rows = [(2022, "湖南省", "岳阳市", None, "430600"), (2023, "湖南省", None, None, "430000"),
            (2023, "吉林省", "长春市", "农安县", "220122")]
    pd.DataFrame(rows, columns=["year", "province", "prefecture", "county", "adcode"]).to_parquet(
        folder / "reports.parquet")
    return folder


@pytest.mark.parametrize("region, message", [
    ("湖南", "no report of region '湖南' .*did you mean 湖南省\\?"),
    ("岳阳", "did you mean 岳阳市\\?"),
    ("430700", "no report of region '430700'"),
])
def test_an_unknown_region_is_refused_with_the_closest_names(processed, region, message):
    with pytest.raises(GovReportsError, match=message):
        report.plan(regions=[region], processed=processed, notebooks_dir=NOTEBOOKS)


def test_a_region_far_from_any_gets_no_suggestion(processed):
    with pytest.raises(GovReportsError) as error:
        report.plan(regions=["火星省"], processed=processed, notebooks_dir=NOTEBOOKS)
    assert "did you mean" not in str(error.value) and "6-digit adcode" in str(error.value)


def test_known_regions_and_years_pass(processed):
    runs = report.plan(years=[2023], regions=["湖南省", "430600", "农安县"], processed=processed,
                       notebooks_dir=NOTEBOOKS)
    assert [r.name for r in runs] == ["year__year-2023", "region__region-湖南省", "region__region-430600",
                                      "region__region-农安县"]


def test_an_unknown_year_is_refused_with_the_nearest(processed):
    with pytest.raises(GovReportsError, match=re.escape("no report of year 2030") + ".*did you mean 2022, 2023\\?.*2022-2023"):
        report.plan(years=[2030], processed=processed, notebooks_dir=NOTEBOOKS)


def test_cli_exits_non_zero_before_running_anything(processed, tmp_path):
    out = tmp_path / "out"
    result = CliRunner().invoke(cli, ["report", "--region", "湖南", "--processed", str(processed), "--out", str(out)])
    assert result.exit_code == 1 and "did you mean 湖南省?" in result.output and not out.exists()


def write_params(tmp_path, text):
    path = tmp_path / "p.yml"
    path.write_text(text, encoding="utf-8")
    return path


def test_an_unknown_parameter_is_named(processed, tmp_path):
    path = write_params(tmp_path, "notebook: region\nparameters:\n  regoin: 湖南省\n")
    with pytest.raises(GovReportsError, match="no parameter 'regoin' \\(did you mean region\\?\\)"):
        report.plan(params=[path], processed=processed, notebooks_dir=NOTEBOOKS)


def test_parameters_are_coerced_to_the_defaults_types(processed, tmp_path):
    path = write_params(tmp_path, "runs:\n  - notebook: models\n    parameters: {year_start: '2022', sensitivity: 'true'}\n"
                                  "  - notebook: year\n    parameters: {year: '2023'}\n")
    runs = report.plan(params=[path], processed=processed, notebooks_dir=NOTEBOOKS)
    assert runs[0].params == {"year_start": 2022, "sensitivity": True} and runs[1].params == {"year": 2023}


@pytest.mark.parametrize("text, message", [
    ("notebook: year\nparameters: {year: 'last'}\n", "parameter 'year' = 'last' is not a int"),
    ("notebook: models\nparameters: {sensitivity: 'maybe'}\n", "parameter 'sensitivity' = 'maybe' is not a bool"),
    ("notebook: year\nparameters: {year: 2023.5}\n", "parameter 'year' = 2023.5 is not a int"),
])
def test_values_of_the_wrong_type_are_refused(processed, tmp_path, text, message):
    with pytest.raises(GovReportsError, match=re.escape(message)):
        report.plan(params=[write_params(tmp_path, text)], processed=processed, notebooks_dir=NOTEBOOKS)


def test_models_flag_runs_the_models_notebook_alone(processed):
    assert [r.name for r in report.plan(models=True, processed=processed, notebooks_dir=NOTEBOOKS)] == ["models"]


def test_the_models_tables_go_under_out(tmp_path, monkeypatch):
    seen = {}

    def fake_execute(source, target, parameters, **options):
        seen.clear()
        seen.update(parameters)

    import papermill

    monkeypatch.setattr(papermill, "execute_notebook", fake_execute)
    report.execute(report.make_run("models"), tmp_path / "processed", tmp_path / "out", NOTEBOOKS)
    assert seen["out_dir"] == str((tmp_path / "out" / "tables").resolve())
    assert seen["processed"] == str((tmp_path / "processed").resolve())
    report.execute(report.make_run("models", out_dir="/elsewhere"), tmp_path / "p", tmp_path / "out", NOTEBOOKS)
    assert seen["out_dir"] == "/elsewhere"
    report.execute(report.make_run("year", year=2023), tmp_path / "p", tmp_path / "out", NOTEBOOKS)
    assert seen == {"year": 2023, "processed": str((tmp_path / "p").resolve()),  # the year notebook has no out_dir
                    "figures_dir": str((tmp_path / "out" / "figures" / "year__year-2023").resolve())}
