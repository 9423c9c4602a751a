"""The documentation keeps up with the code: every command has help and is in the README."""

from pathlib import Path

import pytest
from click.testing import CliRunner

from govreports.cli import cli

README = (Path(__file__).resolve().parents[1] / "README.md").read_text(encoding="utf-8")
COMMANDS = sorted(cli.commands)


@pytest.mark.parametrize("name", COMMANDS)
def test_every_command_has_help(name):
    result = CliRunner().invoke(cli, [name, "--help"])
    assert result.exit_code == 0
    assert cli.commands[name].help and len(cli.commands[name].help) > 20


@pytest.mark.parametrize("name", COMMANDS)
def test_every_command_is_in_the_readme(name):
    assert f"govreports {name}" in README


def test_readme_starts_with_the_two_commands_for_a_fresh_machine():
    head = README.split("## Quickstart")[0]
    assert "make study" in head and "make test" in head


# ----------------------------------------------------------------------------------------
# The replication package: licences and citation

ROOT = Path(__file__).resolve().parents[1]
# The Citation File Format's own schema, 1.2.0 (as shipped by cffconvert), so the check runs without it.
CFF_SCHEMA = ROOT / "tests" / "data" / "cff-1.2.0.schema.json"


def test_the_licences_are_files_and_agree():
    import tomllib

    licence = (ROOT / "LICENSE").read_text(encoding="utf-8")
    assert licence.startswith("MIT License") and "CC-BY-4.0" in licence
    assert "MIT" in str(tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["project"]["license"])


def test_citation_cff_is_valid_under_the_cff_schema():
    import json

    import jsonschema
    import yaml

    citation = yaml.safe_load((ROOT / "CITATION.cff").read_text(encoding="utf-8"))
    citation["date-released"] = str(citation["date-released"])  # YAML reads it as a date; the schema wants text
    jsonschema.validate(citation, json.loads(CFF_SCHEMA.read_text(encoding="utf-8")))
    assert citation["license"] == "MIT" and citation["references"][0]["license"] == "CC-BY-4.0"
    wrong = {**citation, "references": [{**citation["references"][0], "type": "dataset"}]}
    with pytest.raises(jsonschema.ValidationError, match="dataset"):  # what the file once said
        jsonschema.validate(wrong, json.loads(CFF_SCHEMA.read_text(encoding="utf-8")))


CFFCONVERT = "cffconvert==2.0.0"  # pins jsonschema<4, which frictionless cannot share: own venv


def cffconvert_tool(folder: Path) -> str:
    """Return a cffconvert executable: the environment's, else one installed into its own venv."""
    import shutil
    import subprocess
    import sys
    import venv

    found = shutil.which("cffconvert")
    if found:
        return found
    venv.create(folder, with_pip=True)
    pip = subprocess.run([str(folder / "bin" / "pip"), "install", "--quiet", CFFCONVERT],
                         capture_output=True, text=True, timeout=600)
    if pip.returncode != 0:
        pytest.skip(f"{CFFCONVERT} could not be installed into its own venv: {pip.stderr[-300:]}")
    assert sys.prefix != str(folder)
    return str(folder / "bin" / "cffconvert")


@pytest.mark.slow
def test_cffconvert_validates_the_citation(tmp_path):
    import subprocess

    tool = cffconvert_tool(tmp_path / "cffconvert-venv")
    result = subprocess.run([tool, "--validate", "-i", str(ROOT / "CITATION.cff")], capture_output=True, text=True)
    assert result.returncode == 0 and "valid" in result.stdout, result.stdout + result.stderr
    broken = tmp_path / "CITATION.cff"
    broken.write_text((ROOT / "CITATION.cff").read_text(encoding="utf-8").replace("type: software",
                                                                                    "type: program"),
                      encoding="utf-8")
    rejected = subprocess.run([tool, "--validate", "-i", str(broken)], capture_output=True, text=True)
    assert rejected.returncode != 0  # the check can fail: a CFF file is software or dataset


# ----------------------------------------------------------------------------------------
# The README's Data section: column names exactly as in the files, and a loading example that runs


def readme_table_columns() -> dict:
    """Return ``{table: [columns]}`` from the README's table of tables (the names listed before any note)."""
    import re

    found = {}
    for line in README.splitlines():
        match = re.match(r"\s*\| `(\w+)` \| [^|]+ \| (.+) \|$", line)
        if match:
            listed = match.group(2).split(" (")[0]
            found[match.group(1)] = re.findall(r"`(\w+)`", listed)
    return found


def test_readme_column_names_are_the_files_columns():
    from govreports.template.fields import RESOURCES

    listed = readme_table_columns()
    assert set(RESOURCES) <= set(listed)
    for table, resource in RESOURCES.items():
        assert listed[table] == list(resource["columns"]), table


def test_readme_pandas_example_runs_on_the_bundled_dataset(monkeypatch):
    import contextlib
    import io
    import re

    import pandas as pd

    if not (ROOT / "data" / "processed" / "indicators.parquet").is_file():
        pytest.skip("no bundled dataset built")
    code = re.search(r"```python\n(.*?)```", README.split("## Data")[1], re.S).group(1)
    monkeypatch.chdir(ROOT)
    printed = io.StringIO()
    with contextlib.redirect_stdout(printed):
        exec(compile(code, "README", "exec"), {})
    reports = pd.read_parquet(ROOT / "data" / "processed" / "reports.parquet")
    usable = reports[reports["status"].isin(["valid", "repaired"])]
    assert set(usable["level"].dropna()) and all(level in printed.getvalue() for level in set(usable["level"].dropna()))
