"""The command line: exact exit codes and output (sqlite-utils style)."""

import json

from click.testing import CliRunner
from conftest import RAW

from govreports.cli import cli

SEED = str(RAW / "003_7d12747508f9e08c.txt")


def run(*args):
    return CliRunner().invoke(cli, list(args), catch_exceptions=False)


def test_parse_json_prints_one_object_per_report():
    result = run("parse", SEED, str(RAW / "000_9ead0039b57e9f32.txt"), "--format", "json")
    assert result.exit_code == 0
    lines = [json.loads(line) for line in result.output.splitlines()]
    assert [line["source"] for line in lines] == ["003_7d12747508f9e08c.txt", "000_9ead0039b57e9f32.txt"]
    assert lines[0]["cells"]["table3.granted.total"] == 64
    assert lines[0]["status"] == "valid"
    assert set(lines[0]) >= {"source", "status", "template", "year", "agency", "published", "province", "prefecture",
                             "county", "adcode", "level", "kind", "cells", "checks", "repairs", "errors"}


def test_parse_summary_is_readable():
    result = run("parse", SEED)
    assert result.exit_code == 0
    assert result.output.startswith("== 003_7d12747508f9e08c.txt: valid (template 2021)\n")
    assert "  granted                                 62       2       0       0       0       0      64" in result.output
    assert "checks: 42 passed, 0 failed, 0 unevaluable" in result.output


def test_parse_folder_and_bad_file_goes_on(tmp_path):
    (tmp_path / "a.txt").write_bytes(b"")
    (tmp_path / "b.txt").write_text((RAW / "003_7d12747508f9e08c.txt").read_text(encoding="utf-8"), encoding="utf-8")
    result = run("parse", str(tmp_path), "--format", "json")
    assert result.exit_code == 0
    statuses = [(r["source"], r["status"]) for r in map(json.loads, result.output.splitlines())]
    assert statuses == [("a.txt", "failed"), ("b.txt", "valid")]


def test_parse_csv_is_long_format():
    result = run("parse", SEED, "--format", "csv")
    rows = result.output.splitlines()
    assert rows[0] == "source,status,template,code,value,value_status"
    assert "003_7d12747508f9e08c.txt,valid,2021,table3.granted.total,64,number" in rows
    assert len(rows) == 1 + 200


def test_check_exit_codes():
    assert run("check", SEED).exit_code == 0
    result = run("check", str(RAW / "004_c493ddf6db4f273e.txt"))
    assert result.exit_code == 1
    assert result.output.startswith("004_c493ddf6db4f273e.txt\tinvalid\t0 failed identities\t")


def test_schema_lists_the_codebook():
    result = run("schema", "--template", "2021")
    lines = result.output.splitlines()
    assert lines[0] == "table,template,code,row_code,column_code,row_label_zh,column_label_zh,name_en,unit,dtype"
    assert len(lines) == 1 + 200


def test_missing_argument_is_a_usage_error():
    result = CliRunner().invoke(cli, ["parse"])
    assert result.exit_code == 2
    assert "Missing argument 'PATHS...'" in result.output
