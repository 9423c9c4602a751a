"""Template variants: a parent row printed merged in place of its sub-rows; grid label columns."""

from govreports import parse_text
from govreports.parse.alignments import row_alignments
from govreports.parse.rows import Token
from govreports.synth import consistent_values, render_rows, table_rows
from govreports.template import SCHEMA

COLUMNS = ("natural_person", "commercial_enterprise", "research_institution", "social_welfare_org",
           "legal_service_org", "other_org", "total")
OTHER_SUBS = ("other_no_correction", "other_fee_unpaid", "other_other")


def merged_other_rows(values: dict, template: str = "2021") -> list:
    """Return the printed rows with (六)其他处理 as one row holding the sum of its three sub-rows."""
    sums = [sum(values[f"table3.{sub}.{col}"] for sub in OTHER_SUBS) for col in COLUMNS]
    out, done = [], False
    for row in table_rows(values, template):
        if row and row[0].startswith("(六)其他处理"):
            if not done:
                out.append(["(六)其他处理"] + [str(v) for v in sums])
                done = True
            continue
        out.append(row)
    return out, sums


def test_schema_derives_merged_rows_from_the_sub_row_labels():
    merged = {m.row_code: m for m in SCHEMA.merged_rows("2021")}
    assert merged["other_handling"].sub_rows == OTHER_SUBS
    assert merged["other_handling"].label == "(六)其他处理"
    assert merged["denied"].sub_rows[0] == "denied_state_secret" and len(merged["denied"].sub_rows) == 8
    outcomes = [i for i in SCHEMA.merged_identities("2021", ("other_handling",))
                if i.name == "table3.outcomes_sum" and i.scope == "total"][0]
    assert "table3.other_handling.total" in outcomes.lhs
    assert not any(c.startswith("table3.other_no_correction") for c in outcomes.lhs)


def test_merged_other_row_keeps_its_total_and_leaves_sub_cells_not_printed():
    values = consistent_values("2021", seed=7)
    rows, sums = merged_other_rows(values)
    report = parse_text(render_rows(rows, "tabs"))
    assert report.status == ("repaired" if 0 in sums else "valid")  # a 0 sum fixes its sub-cells
    merged = {c.code: c.value for c in report.merged_cells}
    assert [merged[f"table3.other_handling.{col}"] for col in COLUMNS] == sums
    status = {c.code: c.status for c in report.cells}
    nonzero = [col for col, s in zip(COLUMNS, sums) if s]
    assert nonzero
    for col in nonzero:
        for sub in OTHER_SUBS:
            assert status[f"table3.{sub}.{col}"] == "not_printed"
            assert report.values()[f"table3.{sub}.{col}"] is None
    assert all(c.passed for c in report.checks)
    assert any(c.scope == "other_handling" for c in report.checks)
    assert report.values()["table3.granted.total"] == values["table3.granted.total"]


def test_merged_row_printing_zero_makes_each_sub_cell_zero():
    values = consistent_values("2021", seed=7)
    for sub in OTHER_SUBS:
        for col in COLUMNS:
            code = f"table3.{sub}.{col}"
            values[f"table3.total_handled.{col}"] -= values[code]
            values[f"table3.new_received.{col}"] -= values[code]
            values[code] = 0
    rows, sums = merged_other_rows(values)
    assert sums == [0] * 7
    report = parse_text(render_rows(rows, "lines"))
    assert report.status == "repaired"
    assert {report.values()[f"table3.{sub}.{col}"] for sub in OTHER_SUBS for col in COLUMNS} == {0}
    assert {r.kind for r in report.repairs} == {"merged_row"}
    assert len(report.repairs) == 21


def test_empty_grid_cell_in_the_label_column_is_not_a_cell():
    # (七)总计 in a PDF grid: its label sits one column left of the sub-row labels, leaving ""
    tokens = (Token("blank", "", None, 1, 2, 0),) + tuple(
        Token("number", t, int(t), 1, 3 + i, 1 + i) for i, t in enumerate(["95", "0", "0", "0", "0", "0", "95"]))
    alignments = row_alignments(tokens, 7, start=3)
    assert len(alignments) == 1 and alignments[0].is_direct
    assert [s.value for s in alignments[0].slots] == [95, 0, 0, 0, 0, 0, 95]


def table2_values(values: dict) -> dict:
    return {c: v for c, v in values.items() if c.startswith("table2.")}


def test_table2_blocks_printed_out_of_the_templates_order_are_bound_by_their_exact_labels():
    values = consistent_values("2021", seed=7)
    rows = table_rows(values)
    first_item = rows[1:5]  # 第二十条第(一)项: 规章 and 规范性文件, printed after the other items
    rows = rows[:1] + rows[5:15] + first_item + rows[15:]
    report = parse_text(render_rows(rows, "lines"))
    assert {c: report.values()[c] for c in table2_values(values)} == table2_values(values)


def test_table2_label_after_a_column_header_or_after_its_value_is_still_its_row():
    values = consistent_values("2021", seed=7)
    rows = table_rows(values)
    licensing = rows.index(["行政许可", str(values["table2.licensing.decisions"])])
    # 行政许可 printed before the column header, its value after the header
    rows[licensing - 1: licensing + 1] = [["信息内容", "行政许可", "本年处理决定数量",
                                           str(values["table2.licensing.decisions"])]]
    fees = rows.index(["行政事业性收费", str(values["table2.fees.amount_10k_yuan"])])
    # the value printed under the header, the label after it (before table 3's heading)
    rows[fees - 1: fees + 2] = [["信息内容", "本年收费金额(单位:万元)", str(values["table2.fees.amount_10k_yuan"])],
                                ["行政事业性收费", rows[fees + 1][0]]]
    report = parse_text(render_rows(rows, "lines"))
    assert report.values()["table2.licensing.decisions"] == values["table2.licensing.decisions"]
    assert report.values()["table2.fees.amount_10k_yuan"] == values["table2.fees.amount_10k_yuan"]
    assert report.status == "valid"


def test_other_merged_groups_work_the_same_way_unavailable_printed_as_one_row():
    values = consistent_values("2021", seed=3)
    subs = ("unavailable_not_held", "unavailable_needs_creation", "unavailable_unclear")
    sums = [sum(values[f"table3.{sub}.{col}"] for sub in subs) for col in COLUMNS]
    out, done = [], False
    for row in table_rows(values):
        if row and row[0].startswith("(四)无法提供"):
            if not done:
                out.append(["(四)无法提供"] + [str(v) for v in sums])
                done = True
            continue
        out.append(row)
    report = parse_text(render_rows(out, "tabs"))
    merged = {c.code: c.value for c in report.merged_cells}
    assert [merged[f"table3.unavailable.{col}"] for col in COLUMNS] == sums
    assert all(c.passed for c in report.checks)
    status = {c.code: c.status for c in report.cells}
    assert {status[f"table3.{sub}.total"] for sub in subs} == {"not_printed" if sums[-1] else "repaired"}
    others = {c: v for c, v in values.items() if c.startswith("table3.") and not c.startswith("table3.unavailable_")}
    assert {c: report.values()[c] for c in others} == others
