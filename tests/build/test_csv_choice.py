"""``govreports build --csv all|reports|none``: Parquet always, CSV copies as chosen, a valid data package."""

import json
import shutil
from pathlib import Path

import pandas as pd
import pytest
from click.testing import CliRunner

from govreports.build import build_dataset
from govreports.build.resources import TABLES
from govreports.cli import cli
from govreports.errors import GovReportsError

RAW = Path(__file__).resolve().parents[2] / "data" / "raw"


@pytest.fixture(scope="module")
def raw(tmp_path_factory):
    folder = tmp_path_factory.mktemp("raw")
    for path in sorted(RAW.glob("*.txt"))[:2]:
        shutil.copy(path, folder / path.name)
    return folder


@pytest.mark.parametrize("choice, with_csv", [
    ("all", set(TABLES)),
    ("reports", set(TABLES) - {"cells", "checks"}),
    ("none", set()),
])
def test_each_choice_writes_parquet_for_every_table_and_csv_as_chosen(raw, tmp_path, choice, with_csv):
    from frictionless import validate

    out = tmp_path / "out"
    build_dataset(raw, out, workers=1, csv=choice)
    names = {p.name for p in out.iterdir()}
    assert {f"{t}.parquet" for t in TABLES} <= names
    assert {n[:-4] for n in names if n.endswith(".csv")} - {"codebook", "indicator_definitions"} == with_csv
    package = json.loads((out / "datapackage.json").read_text(encoding="utf-8"))
    paths = {r["name"]: r["path"] for r in package["resources"] if r["name"] in TABLES}
    assert paths == {t: f"{t}.csv" if t in with_csv else f"{t}.parquet" for t in TABLES}
    report = validate(str(out / "datapackage.json"))
    assert report.valid, report.flatten(["resourcePath", "rowNumber", "fieldName", "message"])[:5]


def test_parquet_only_tables_hold_the_rows_the_csv_would(raw, tmp_path):
    build_dataset(raw, tmp_path / "all", workers=1, csv="all")
    build_dataset(raw, tmp_path / "none", workers=1, csv="none")
    for table in ("cells", "checks"):
        from_csv = pd.read_csv(tmp_path / "all" / f"{table}.csv", dtype=str, keep_default_na=False)
        parquet = pd.read_parquet(tmp_path / "none" / f"{table}.parquet")
        assert len(from_csv) == len(parquet) > 50
        assert (tmp_path / "all" / f"{table}.parquet").read_bytes() == (tmp_path / "none" / f"{table}.parquet").read_bytes()
    package = json.loads((tmp_path / "none" / "datapackage.json").read_text(encoding="utf-8"))
    cells = next(r for r in package["resources"] if r["name"] == "cells")
    assert cells["format"] == "parquet" and cells["parquet"]["bytes"] == (tmp_path / "none" / "cells.parquet").stat().st_size


def test_the_cli_defaults_to_csv_for_the_small_tables_only(raw, tmp_path):
    result = CliRunner().invoke(cli, ["build", str(raw), "--out", str(tmp_path / "out"), "--cache", "", "--workers", "1"])
    assert result.exit_code == 0, result.output
    assert not (tmp_path / "out" / "cells.csv").exists() and (tmp_path / "out" / "reports.csv").exists()
    result = CliRunner().invoke(cli, ["build", str(raw), "--out", str(tmp_path / "out2"), "--csv", "some"])
    assert result.exit_code != 0 and "'some' is not one of" in result.output


def test_an_unknown_choice_is_refused_by_the_library_too(raw, tmp_path):
    with pytest.raises(GovReportsError, match="--csv some: choose one of all, reports, none"):
        build_dataset(raw, tmp_path / "out", workers=1, csv="some")
