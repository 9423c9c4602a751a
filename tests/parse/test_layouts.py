"""Every layout converters produce gives the same cells: the template's values, exactly."""

import json
from pathlib import Path

import pytest

from govreports import parse, parse_text
from govreports.synth import consistent_values, render

LAYOUTS = ["lines", "pipes", "tabs", "markdown", "spaces", "vertical"]


@pytest.mark.parametrize("template", ["2021", "2019"])
@pytest.mark.parametrize("layout", LAYOUTS)
def test_every_layout_reads_every_cell(layout, template):
    values = consistent_values(template, seed=11)
    report = parse_text(render(values, layout, template))
    assert report.template == template
    assert report.values() == values
    assert report.status == "valid"


@pytest.mark.parametrize("layout", LAYOUTS)
def test_tables_continued_across_pages_with_page_markers_and_repeated_headers(layout):
    values = consistent_values("2021", seed=5)
    report = parse_text(render(values, layout, page_break_after=22))
    assert report.values() == values
    assert report.status == "valid"


def test_traditional_characters_and_full_width_forms_are_normalised():
    values = consistent_values("2021", seed=2)
    text = render(values, "pipes").replace("政府信息公开", "政府資訊公開").replace("申请", "申請").replace("(", "（").replace(")", "）")
    report = parse_text(text)
    assert report.values() == values


def test_template_2019_is_recognised_from_its_own_labels_not_the_year():
    values = consistent_values("2019", seed=4)
    report = parse_text(render(values, "lines", "2019", title="某某县人民政府2021年政府信息公开工作年度报告"))
    assert report.template == "2019"
    assert report.values()["table2.procurement.projects"] == values["table2.procurement.projects"]


LAYOUT_FIXTURES = Path(__file__).resolve().parents[1] / "data" / "layouts"


def test_pdftotext_layout_with_wrapped_labels_centred_group_labels_and_page_markers():
    """A `pdftotext -layout` rendering: columns apart by runs of spaces, labels wrapped onto the next
    line, the 表三 group labels printed between rows, a page marker inside the table."""
    report = parse(LAYOUT_FIXTURES / "pdftotext_layout_2022.txt")
    values = report.values()
    assert report.status == "valid"
    assert [values[f"table3.{row}.total"] for row in ("new_received", "carried_over", "granted", "partially_granted",
                                                       "denied_third_party_rights", "unavailable_not_held",
                                                       "not_processed_duplicate", "total_handled", "carried_forward")] == [
        16, 1, 11, 1, 1, 2, 1, 16, 1]
    assert values["table3.not_processed_duplicate.commercial_enterprise"] == 1
    assert [values[f"table2.normative_documents.{c}"] for c in ("issued", "repealed", "in_force")] == [2, 1, 15]
    assert values["table2.licensing.decisions"] == 356
    assert values["table4.reconsideration.upheld"] == 1 and values["table4.reconsideration.total"] == 1
    assert (report.metadata.agency, report.metadata.year) == ("某某市生态环境局", 2022)


def test_pdftotext_layout_of_a_word_table_with_narrow_label_columns():
    """A Word report's PDF through `pdftotext -layout`: each label wrapped every two characters, its
    first piece (``3.危``) on its figures' line and the rest below, under the row above's figures;
    table 4's headers printed a character per line. Each row keeps its own figures (the label's
    item number names the row), and table 4 is found by its spanning headers."""
    key = json.loads((LAYOUT_FIXTURES / "word_narrow_columns_pdftotext_layout.json").read_text(encoding="utf-8"))
    report = parse(LAYOUT_FIXTURES / key["file"])
    values = report.values()
    assert report.template == key["template"] and report.status in ("valid", "repaired")
    assert {code: values.get(code) for code in key["cells"]} == key["cells"]
    # Before, each row took the figures of the row below (the label above them held the row's name).
    assert [values[f"table3.{row}.natural_person"] for row in (
        "denied_administrative_query", "unavailable_not_held", "unavailable_needs_creation", "not_processed_complaint",
        "other_no_correction")] == [0, 1, 0, 1, 1]
    assert values["table4.reconsideration.total"] == 0 and values["table4.litigation_direct.total"] == 0


def test_a_table4_row_of_figures_with_two_cells_run_together_is_not_read_by_position():
    # 表四's 15 figures printed 14: the last two (尚未审结 2, 总计 2) run together as "22". No empty
    # cell shows where a cell went, so its values are not placed by column: 0,0,0,22,22 and
    # 0,0,0,2,2 both satisfy the identities, and neither is guessed.
    values = dict(consistent_values("2021", seed=11))
    group = "table4.litigation_after_reconsideration"
    values.update({f"{group}.upheld": 0, f"{group}.corrected": 0, f"{group}.other": 0, f"{group}.pending": 2,
                   f"{group}.total": 2})
    lines = render(values, "markdown").split("\n")
    index = max(i for i, line in enumerate(lines) if line.count("|") == 16)
    cells = lines[index].strip("|").split("|")
    lines[index] = "|" + "|".join(cells[:13] + [" 22 "]) + "|"
    got = parse_text("\n".join(lines)).values()
    assert got[f"{group}.pending"] in (None, 2) and got[f"{group}.total"] in (None, 2)
    assert got["table4.reconsideration.total"] == values["table4.reconsideration.total"]
