"""Repairs happen only where the identities make the answer unique; anomalies are kept."""

import re

import pytest

from govreports import parse_text
from govreports.parse.alignments import Alignment, Slot, row_alignments
from govreports.parse.rows import Token
from govreports.parse.search import propagate
from govreports.synth import consistent_values, render, render_rows, replace_row, table_rows
from govreports.template import SCHEMA

GRANTED = [f"table3.granted.{c}" for c in ("natural_person", "commercial_enterprise", "research_institution",
                                             "social_welfare_org", "legal_service_org", "other_org", "total")]


def values_with_granted(row):
    values = consistent_values("2021", seed=7)
    delta = [new - values[c] for c, new in zip(GRANTED, row)]
    for code, d in zip(GRANTED, delta):
        col = code.rsplit(".", 1)[1]
        values[code] += d
        values[f"table3.total_handled.{col}"] += d
        values[f"table3.new_received.{col}"] += d
    return values


def token(text, column=None, cell=0, line=1):
    value = None if text == "/" else (int(text) if text.isdigit() else float(text))
    return Token("blank" if text == "/" else "number", text, value, line, column, cell)


def test_lost_cell_in_one_cell_per_line_layout_is_fixed_by_row_and_column_identities():
    values = values_with_granted([12, 3, 0, 0, 1, 0, 16])
    rows = replace_row(table_rows(values), "予以公开", ["12", "3", "0", "1", "0", "16"])  # research_institution lost
    report = parse_text(render_rows(rows, "lines"))
    assert report.status == "repaired"
    assert [report.values()[c] for c in GRANTED] == [12, 3, 0, 0, 1, 0, 16]
    repaired = {r.code: (r.value, r.kind) for r in report.repairs}
    assert set(repaired.values()) == {(0, "lost_cell")}
    assert all(c.passed for c in report.checks)


def test_lost_cell_in_tab_layout_is_placed_by_its_column():
    values = values_with_granted([5, 0, 2, 0, 0, 0, 7])
    rows = replace_row(table_rows(values), "予以公开", ["5", "0", "", "0", "0", "0", "7"])
    report = parse_text(render_rows(rows, "tabs"))
    assert report.values()["table3.granted.research_institution"] == 2
    assert [(r.code, r.value, r.kind) for r in report.repairs] == [("table3.granted.research_institution", 2, "lost_cell")]
    assert report.status == "repaired"


def test_run_together_cells_are_split_when_only_one_split_is_a_number_sequence():
    values = values_with_granted([0, 0, 0, 0, 0, 0, 0])
    rows = replace_row(table_rows(values), "予以公开", ["000000", "0"])
    report = parse_text(render_rows(rows, "lines"))
    assert [report.values()[c] for c in GRANTED] == [0] * 7
    assert {r.kind for r in report.repairs} == {"run_together"}
    assert len(report.repairs) == 6
    assert report.status == "repaired"


def test_run_together_digits_are_split_by_the_identities():
    values = values_with_granted([12, 3, 0, 0, 1, 0, 16])
    rows = replace_row(table_rows(values), "予以公开", ["123", "0", "0", "1", "0", "16"])
    report = parse_text(render_rows(rows, "lines"))
    assert [report.values()[c] for c in GRANTED] == [12, 3, 0, 0, 1, 0, 16]
    assert {(r.code, r.kind) for r in report.repairs} == {
        ("table3.granted.natural_person", "run_together"), ("table3.granted.commercial_enterprise", "run_together")}


def test_number_split_apart_is_joined_when_the_identities_fix_it():
    values = values_with_granted([12, 3, 0, 0, 1, 0, 16])
    rows = replace_row(table_rows(values), "予以公开", ["1 2", "3", "0", "0", "1", "0", "16"])
    report = parse_text(render_rows(rows, "lines"))
    assert [report.values()[c] for c in GRANTED] == [12, 3, 0, 0, 1, 0, 16]
    assert [(r.code, r.value, r.kind) for r in report.repairs] == [("table3.granted.natural_person", 12, "split_apart")]


def test_table4_values_that_cannot_be_placed_stay_null_and_make_the_report_invalid():
    values = consistent_values("2021", seed=7)
    rows = table_rows(values)
    rows[-1] = rows[-1][:10]  # five of fifteen cells lost: the group identities cannot place the rest
    report = parse_text(render_rows(rows, "lines"))
    table4 = [v for code, v in report.values().items() if code.startswith("table4.")]
    assert table4 == [None] * 15
    assert report.status == "invalid"
    assert any(p.code == "cells.lost" for p in report.errors)


def test_source_anomaly_keeps_published_figures_and_names_the_identity():
    values = values_with_granted([12, 3, 0, 0, 1, 0, 16])
    values["table3.granted.total"] = 17  # as published: the row does not add up
    report = parse_text(render(values, "pipes"))
    assert report.values()["table3.granted.total"] == 17
    assert report.status == "invalid"
    assert report.repairs == ()
    failed = [(c.identity, c.scope, c.lhs_value, c.rhs_value) for c in report.checks if c.passed is False]
    assert ("table3.row_sum", "granted", 16, 17) in failed
    assert any(p.code == "identity.failed" and "source anomaly" in p.message for p in report.errors)


def test_blank_cells_are_null_not_zero_and_count_as_zero_in_checks():
    values = values_with_granted([2, 0, 0, 0, 0, 0, 2])
    rows = replace_row(table_rows(values), "予以公开", ["2", "/", "/", "/", "/", "/", "2"])
    report = parse_text(render_rows(rows, "pipes"))
    cells = {c.code: c for c in report.cells}
    assert cells["table3.granted.commercial_enterprise"].value is None
    assert cells["table3.granted.commercial_enterprise"].status == "blank"
    assert report.status == "valid"


@pytest.mark.parametrize("tokens, width, expected", [
    pytest.param(["0", "0"], 2, [[0, 0]], id="direct"),
    pytest.param(["000"], 3, [[0, 0, 0]], id="zeros-run-together"),
    pytest.param(["105"], 2, [[10, 5]], id="no-leading-zero-piece"),
    pytest.param(["123"], 2, [[1, 23], [12, 3]], id="digits-need-identities"),
])
def test_row_alignments(tokens, width, expected):
    alignments = row_alignments(tuple(token(t, cell=i) for i, t in enumerate(tokens)), width)
    full = [[s.value for s in a.slots] for a in alignments if all(s.kind != "lost" for s in a.slots)]
    assert sorted(full) == sorted(expected)


def test_positional_alignment_uses_the_tables_start_column():
    tokens = tuple(token(t, column=c, cell=c) for t, c in (("4", 3), ("1", 5)))
    alignments = row_alignments(tokens, 3, start=3)
    assert alignments == [Alignment((Slot("number", 4, "4"), Slot("lost"), Slot("number", 1, "1")), frozenset({"lost_cell"}))]


def test_propagate_solves_zero_forcing_and_detects_contradictions():
    identity = SCHEMA.identities("2021")[0]  # table3.row_sum for new_received
    known = {c: 0 for c in identity.lhs[:4]}
    solved = propagate(known | {identity.rhs[0]: 0}, set(identity.lhs[4:]), (identity,))
    assert [solved[c] for c in identity.lhs[4:]] == [0, 0]
    assert propagate({c: 1 for c in identity.lhs} | {identity.rhs[0]: 2}, set(), (identity,)) is None


def test_table2_row_with_unplaceable_extra_values_is_left_null_with_a_warning():
    values = consistent_values("2021", seed=7)
    rows = replace_row(table_rows(values), "行政许可", ["5.5", "/", "6"])
    report = parse_text(render_rows(rows, "lines"))
    assert report.values()["table2.licensing.decisions"] is None
    assert any(p.code == "table2.extra_values" and p.severity == "warning" for p in report.errors)
    assert report.status == "valid"  # table 2 has no identities: a gap there is a warning only


def _crawler_stream(seed: int) -> str:
    """A synthetic report as a crawler leaves it: the title, then every cell run together on one line."""
    from govreports.synth import generate_report, render_report

    drawn = generate_report(seed, "forced-rows", layouts=("lines",), anomaly_rate=0)
    lines = [line.strip() for line in render_report(drawn).decode("utf-8").split("\n") if line.strip()]
    return lines[0] + "\n" + "".join(lines[1:])


def test_rows_with_one_reading_each_are_assigned_together_with_the_same_outcomes(monkeypatch):
    from pathlib import Path

    from govreports.parse import search

    texts = [_crawler_stream(seed) for seed in range(6)]
    texts += [p.read_text(encoding="utf-8") for p in sorted(Path("tests/real/raw").glob("pingtan-zone_*.txt"))]
    texts.append(Path("data/raw").glob("004_*.txt").__next__().read_text(encoding="utf-8"))
    # a figure changed so that the rows' readings contradict the identities: the rows go one by one
    texts.append(texts[0].replace("0", "7", 1))
    texts.append(re.sub(r"(本年新收政府信息公开申请数量)(\d)", r"\1-\2", texts[1]))
    taken = []
    forced_rows = search._Search._forced_rows

    def counting(self, solved, unknown):
        forced = forced_rows(self, solved, unknown)
        taken.append(forced is not None)
        return forced

    monkeypatch.setattr(search._Search, "_forced_rows", counting)
    together = [parse_text(text).to_dict() for text in texts]
    monkeypatch.setattr(search._Search, "_forced_rows", lambda self, solved, unknown: None)
    one_by_one = [parse_text(text).to_dict() for text in texts]
    assert together == one_by_one
    assert any(taken) and not all(taken)  # both paths ran
    assert sum(r["status"] in ("valid", "repaired") for r in together) >= 6
