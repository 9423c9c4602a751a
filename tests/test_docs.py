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
