"""Table grids as OCR rebuilds them, damaged as OCR damages them, parsed end to end.

No OCR runs here: each grid is the template's tables for an answer key (the HTML renderer's
layout read back by the HTML reader), then changed as a scan's grid goes wrong, so these tests
are fast and need no OCR engine.
"""

from __future__ import annotations

import json
import sys
from dataclasses import replace
from pathlib import Path

import pytest

from govreports.parse import parse_document
from govreports.read.grids import blocks_text
from govreports.read.html import read_html
from govreports.records import DOUBT, Document
from govreports.template import SCHEMA

TESTS = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(TESTS / "data" / "renderings"))

from make_renderings import fmt, html_table, report_parts  # noqa: E402

KEY = json.loads((TESTS / "data" / "scans" / "keys" / "shuyang-county_2025.json").read_text(encoding="utf-8"))
FIRST, SECOND = "table3.not_processed_duplicate", "table3.not_processed_publication"


def key_blocks(key: dict) -> list:
    """Return the blocks the HTML reader makes of a key printed as the template's tables."""
    values = {code: fmt(key["cells"].get(code)) for code in SCHEMA.codes(key["template"])}
    parts = report_parts(key["agency"], key["year"], values, key["template"])
    body = "".join(html_table(item) if kind == "table" else f"<p>{item}</p>" for kind, item in parts)
    blocks, _ = read_html(f"<html><body>{body}</body></html>".encode(), "key.html", None)
    return blocks


def row_label(code: str) -> str:
    return SCHEMA.cell("2021", code + ".total").row_label_zh.split(" ")[-1]


def parse_blocks(blocks: list):
    return parse_document(Document("scan.pdf", "0" * 64, "scan", None, blocks_text(blocks), tuple(blocks)))


def with_rows(blocks: list, change) -> list:
    """Return the blocks with table 3's grid rows passed through ``change(rows, first, second)``."""
    result = []
    for block in blocks:
        rows = [list(row) for row in block.rows]
        first = next((i for i, row in enumerate(rows) if row_label(FIRST) in row), None)
        if first is not None:
            change(rows, first, first + 1)
            block = replace(block, rows=tuple(map(tuple, rows)))
        result.append(block)
    return result


def merge_labels(rows: list, first: int, second: int) -> None:
    """The rule between two label cells lost: one cell holds both labels, spanning both rows."""
    label = rows[first].index(row_label(FIRST))
    rows[first][label] = row_label(FIRST) + row_label(SECOND)
    rows[second][label] = None


def merge_rows(rows: list, first: int, second: int) -> None:
    """The rule between two whole rows lost: each cell holds both rows' texts, top one first."""
    merge_labels(rows, first, second)
    for column, text in enumerate(rows[second]):
        if text is not None:
            rows[first][column] = f"{rows[first][column]} {text}"
    del rows[second]


def merge_and_lose(rows: list, first: int, second: int) -> None:
    """Both rows in one line, and one value of it unread: which value is whose cannot be told."""
    merge_rows(rows, first, second)
    rows[first][3] = rows[first][3].split()[0]


def merge_with_junk(rows: list, first: int, second: int) -> None:
    """Merged labels, and a value cell of the first row read as a character (a speck and a 0)."""
    merge_labels(rows, first, second)
    rows[first][6] = "o" + chr(0x56FA)


def wrong_cells(report) -> list:
    values = report.values()
    return [(code, want, values.get(code)) for code, want in KEY["cells"].items()
            if values.get(code) is not None and values.get(code) != want]


def test_the_key_differs_between_the_two_rows():
    # The guard is only tested if binding one row's values to the other would be wrong.
    assert KEY["cells"][FIRST + ".total"] != KEY["cells"][SECOND + ".total"]


@pytest.mark.parametrize("change", [merge_labels, merge_rows], ids=["by line", "by cell"])
def test_a_label_cell_naming_two_rows_is_split_between_them(change):
    report = parse_blocks(with_rows(key_blocks(KEY), change))
    values = report.values()
    assert wrong_cells(report) == []
    for row in (FIRST, SECOND):
        for column in ("natural_person", "commercial_enterprise", "total"):
            assert values[f"{row}.{column}"] == KEY["cells"][f"{row}.{column}"]
    assert report.status == "valid"


@pytest.mark.parametrize("change", [merge_and_lose, merge_with_junk], ids=["lost value", "junk cell"])
def test_two_rows_values_that_cannot_be_told_apart_are_bound_to_neither(change):
    report = parse_blocks(with_rows(key_blocks(KEY), change))
    assert wrong_cells(report) == []  # never one row's values in the other's cells
    values = report.values()
    assert values[FIRST + ".natural_person"] is None or report.status == "repaired"
    assert report.status != "valid" or all(values[c] == KEY["cells"][c] for c in KEY["cells"])


# ---------------------------------------------------------------- cells as the OCR reader reads them


def piece(text, box=(0, 0, 10, 10), certainty=0.99, digits=None):
    from govreports.read.ocr import Reading

    return (box, Reading(text, 0.99, text if digits is None else digits, certainty))


def test_two_numbers_side_by_side_in_one_cell_are_doubtful():
    from govreports.read.ocr import cell_text
    from govreports.records import DOUBT

    text, _score = cell_text([piece("0", (0, 0, 10, 10)), piece("21", (14, 0, 30, 10))])
    assert DOUBT in text and text.startswith("021")  # a speck read as digits beside the 0
    assert cell_text([piece("6", (0, 0, 10, 10)), piece("0", (0, 20, 10, 30))])[0] == "6 0"  # one above the other


def test_a_short_misreading_in_a_column_of_numbers_is_a_doubtful_number():
    from govreports.read.ocr import cell_text
    from govreports.records import DOUBT

    misread = piece("o" + chr(0x56FA), digits="0", certainty=0.95)
    assert cell_text([misread])[0] == "o" + chr(0x56FA)  # elsewhere: label text, as read
    text, _score = cell_text([misread], numeric=True)
    assert text.split(DOUBT)[0] == "0"
    header = piece(chr(0x5176) + chr(0x4ED6), digits="")  # a two-character header has no digit-like mark
    assert cell_text([header], numeric=True)[0] == header[1].text


def test_a_cell_spanning_two_rows_with_a_number_in_each_gives_each_row_its_own():
    import numpy as np

    from govreports.read.ocr import _cell_texts
    from govreports.read.raster import Cell

    cell = Cell((0, 0, 40, 60), 0, 3, 2, 1)
    bands = {0: (0.0, 30.0), 1: (30.0, 60.0)}
    white = np.full((60, 40), 255, np.uint8)
    pieces = [piece("6", (10, 8, 20, 20)), piece("0", (10, 38, 20, 50))]
    assert [(r, t) for r, t, _s in _cell_texts(cell, pieces, True, bands, white)] == [(0, "6"), (1, "0")]
    one = [(r, t) for r, t, _s in _cell_texts(cell, pieces[:1], True, bands, white)]
    assert one == [(0, "6")] + [(1, "")]  # in a column of numbers: the row with no ink printed a blank
    inked = white.copy()
    inked[38:50, 12:18] = 0  # a digit the engine did not read
    assert [t for _r, t, _s in _cell_texts(cell, pieces[:1], True, bands, inked)][1].startswith(DOUBT)
    label = [(r, t) for r, t, _s in _cell_texts(cell, pieces[:1], False, bands, white)]
    assert label == [(0, "6")]  # elsewhere a spanned cell's text is its first row's


def test_a_position_no_cell_covers_in_a_column_of_numbers_is_a_blank_or_an_unread_number():
    import numpy as np

    from govreports.read.ocr import _fill_holes

    grid = [["a", "1"], ["b", None]]
    covered = np.array([[True, True], [True, False]])
    edges = ((0, 30, 60), (0, 40, 80))
    white = np.full((60, 80), 255, np.uint8)
    _fill_holes(grid, covered, edges, {1}, white)
    assert grid[1][1] == ""
    grid[1][1] = None
    white[38:52, 55:62] = 0
    _fill_holes(grid, covered, edges, {1}, white)
    assert grid[1][1].startswith(DOUBT)
    grid[1][1] = None
    _fill_holes(grid, covered, edges, set(), white)  # not a column of numbers: left as it was
    assert grid[1][1] is None


def test_empty_cells_of_a_header_row_print_nothing():
    from govreports.read.ocr import _quiet_headers
    from govreports.records import doubtful

    words = [chr(0x7ED3) + chr(0x679C), chr(0x603B) + chr(0x8BA1)]
    grid = [[words[0], doubtful("", 0.0), "", words[1]], [words[0], "", "", "0"]]
    _quiet_headers(grid)
    assert grid[0] == [words[0], None, None, words[1]]
    assert grid[1] == [words[0], "", "", "0"]  # a row of values keeps its blanks


def test_a_two_row_header_whose_group_heading_was_misread_keeps_the_templates_order():
    from govreports.parse.headers import printed_column_order

    # 法人或其他组织 read without a character: the five columns under it come after 总计 in the text.
    garbled = "申请人情况 自然人 法人或其组织 总计 商业企业 科研机构 社会公益组织 法律服务机构 其他"
    assert printed_column_order("2021", garbled) is None
    read = garbled.replace("法人或其组织", "法人或其他组织")
    assert printed_column_order("2021", read) == (
        "natural_person", "commercial_enterprise", "research_institution", "social_welfare_org",
        "legal_service_org", "other_org", "total")


def test_dust_beside_a_number_is_not_part_of_it():
    from govreports.read.ocr import Reading, cell_text

    zero = ((0, 0, 22, 28), Reading("0", 0.87, "0", 0.998))
    dust = ((30, 10, 41, 20), Reading("B", 0.21, "", 0.0))
    assert cell_text([zero, dust], numeric=True)[0] == "0"
    assert cell_text([((0, 0, 27, 29), Reading("0-", 0.77, "0-", 0.986))])[0] == "0"  # a speck after it
    certain = ((30, 10, 41, 20), Reading("1", 0.95, "1", 0.99))  # a small piece read with confidence
    assert DOUBT in cell_text([zero, certain], numeric=True)[0]


def test_running_text_keeps_a_character_whose_look_alikes_together_outweigh_the_blank():
    import numpy as np

    from govreports.read.ocr import _decode, _digit_classes

    characters = ["blank", "0", "1", "a", "b", "c", ".", ",", "-", "2", "3", "4", "5", "6", "7", "8", "9"]
    steps = np.array([[0.1, 0, 0, 0.9, 0, 0] + [0] * 11,  # a
                      [0.45, 0, 0, 0, 0.3, 0.25] + [0] * 11,  # b or c, each below the blank
                      [0.9, 0, 0, 0.1, 0, 0] + [0] * 11])  # nothing
    reading = _decode(steps, characters, _digit_classes(tuple(characters)))
    assert reading.text == "a"  # the usual greedy decoding drops the middle character
    assert reading.words == "ab"
