import pytest

from govreports.parse.layout import is_page_marker, normalise_text, split_lines


@pytest.mark.parametrize("line", ["— 3 —", "- 4 -", "第3页", "第 2 页 共 9 页", "3/10"])
def test_page_markers_are_recognised(line):
    assert is_page_marker(line)


@pytest.mark.parametrize("line", ["3", "(一)予以公开", "2023年"])
def test_cells_are_not_page_markers(line):
    assert not is_page_marker(line)


@pytest.mark.parametrize("raw, cells, positional", [
    pytest.param("规章 |", ("规章",), False, id="pipe-suffixed cell"),
    pytest.param("| 规章 | 0 | 1 |", ("规章", "0", "1"), True, id="markdown row"),
    pytest.param("\t(七)总计\t\t0\t3", ("", "(七)总计", "", "0", "3"), True, id="tab row keeps empty cells"),
    pytest.param("行政许可    12    3", ("行政许可", "12", "3"), False, id="space-aligned row"),
    pytest.param("行政许可 12", ("行政许可 12",), False, id="single space stays one cell"),
])
def test_split_line(raw, cells, positional):
    [line] = split_lines(raw)
    assert (line.cells, line.positional) == (cells, positional)


@pytest.mark.parametrize("raw", ["||||", "|---|---|", "   ", "— 12 —"])
def test_lines_without_cells_are_dropped(raw):
    assert split_lines(raw) == []


def test_normalise_folds_full_width_and_converts_traditional():
    assert normalise_text("（一）予以公開：１２\u3000件") == "(一)予以公开:12 件"


def test_folding_each_character_once_is_folding_run_by_run():
    import random

    from govreports.parse.layout import (
        _fold_match,
        _fold_table,
        _foldable_marks,
        _foldable_runs,
        fold_compatibility,
    )

    table = _fold_table()
    assert not any(ord(ch) in table for folded in table.values() for ch in folded)  # no fold feeds another
    rng = random.Random(3)
    foldable = [chr(code) for code in table]
    for with_marks in (False, True):
        for _ in range(200):
            pool = foldable if with_marks else [c for c in foldable if c not in _foldable_marks()]
            text = "".join(rng.choice(pool + list("予以公开12 a")) for _ in range(40))
            assert fold_compatibility(text) == _foldable_runs().sub(_fold_match, text)
    assert fold_compatibility("6454①，共１２件②") == "6454①,共12件2"  # a mark after a figure stays
    assert fold_compatibility("①予以公开，１２") == "1予以公开,12"


def test_split_lines_numbers_lines_of_the_normalised_text():
    lines = split_lines("a\n\n— 2 —\nb |\n")
    assert [(line.number, line.cells) for line in lines] == [(1, ("a",)), (4, ("b",))]


def test_ascii_text_only_has_its_line_ends_unified():
    assert normalise_text("12\r\n3\r4 ") == "12\n3\n4 "
    assert normalise_text("12\r\n\ufeff（一）") == "12\n(一)"


def test_grid_lines_keep_spans_and_blanks_and_drop_empty_rows():
    from govreports.parse.layout import SPANNED_TEXT, grid_lines

    rows = (("（一）予以公開", None, " １２ ", ""), (None, "", None, ""), ("總計", "0", "3", "7"))
    assert grid_lines(rows, start=5) == [
        (5, ("(一)予以公开", SPANNED_TEXT, "12", ""), True, True),
        (7, ("总计", "0", "3", "7"), True, True),
    ]
