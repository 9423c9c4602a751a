"""The schema is the single source of truth: complete, consistent, and matching the spec's codebook."""

import ast
import csv
import re
from pathlib import Path

import pytest

from govreports.template import SCHEMA, TEMPLATES

SPEC = Path(__file__).resolve().parents[1] / "data" / "spec" / "codebook.csv"
PACKAGE = Path(__file__).resolve().parents[2] / "govreports"


def spec_codes(template):
    with SPEC.open(encoding="utf-8") as f:
        return [r["code"] for r in csv.DictReader(f) if template in r["template"].split(",")]


@pytest.mark.parametrize("template", TEMPLATES)
def test_cells_are_the_spec_codebook_in_order(template):
    assert list(SCHEMA.codes(template)) == spec_codes(template)


@pytest.mark.parametrize("template, rows3", [("2021", 25), ("2019", 23)])
def test_table3_is_a_full_grid_of_seven_columns(template, rows3):
    rows = SCHEMA.rows(template, "table3")
    assert len(rows) == rows3
    assert {r.width for r in rows} == {7}
    assert SCHEMA.rows(template, "table4")[0].width == 15


@pytest.mark.parametrize("template", TEMPLATES)
def test_every_identity_names_existing_codes(template):
    codes = set(SCHEMA.codes(template))
    for identity in SCHEMA.identities(template):
        assert set(identity.codes) <= codes, identity


@pytest.mark.parametrize("template, count", [("2021", 25 + 7 + 7 + 3), ("2019", 23 + 7 + 7 + 3)])
def test_identity_count(template, count):
    assert len(SCHEMA.identities(template)) == count


@pytest.mark.parametrize("template", TEMPLATES)
def test_every_row_has_a_label(template):
    assert all(row.labels for row in SCHEMA.rows(template))


def test_outcome_sum_covers_the_rows_between_inflow_and_total():
    identity = next(i for i in SCHEMA.identities("2019") if i.name == "table3.outcomes_sum" and i.scope == "total")
    assert identity.lhs[0] == "table3.granted.total"
    assert identity.lhs[-1] == "table3.other_handling.total"
    assert len(identity.lhs) == 19


def _docstring_nodes(tree):
    for node in ast.walk(tree):
        if isinstance(node, (ast.Module, ast.ClassDef, ast.FunctionDef, ast.AsyncFunctionDef)) and node.body:
            first = node.body[0]
            if isinstance(first, ast.Expr) and isinstance(first.value, ast.Constant):
                yield first.value


def test_no_chinese_literal_outside_the_template_package():
    """Labels and vocabulary live in govreports/template/: code in every other subpackage imports them
    (docstrings may quote them)."""
    cjk = re.compile(r"[\u4e00-\u9fff]")
    offenders = []
    paths = sorted(p for p in PACKAGE.rglob("*.py") if "template" not in p.relative_to(PACKAGE).parts)
    assert len(paths) > 30  # every subpackage is walked, not only the top level
    for path in paths:
        tree = ast.parse(path.read_text(encoding="utf-8"))
        docstrings = {id(n) for n in _docstring_nodes(tree)}
        for node in ast.walk(tree):
            if isinstance(node, ast.Constant) and isinstance(node.value, str) and id(node) not in docstrings:
                if cjk.search(node.value):
                    offenders.append(f"{path.relative_to(PACKAGE)}:{node.lineno}")
    assert offenders == []
