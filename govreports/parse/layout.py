"""Normalise a report's text and split it into lines of cells, whatever layout it came in.

Converters print tables in many ways: one cell per line (with `` |`` separators and ``||||``
padding, or with blank lines between), tab-separated rows (OCR), markdown pipe rows,
space-aligned rows (``pdftotext -layout``) and run-together text. This stage removes page
furniture, normalises characters (full-width to ASCII, traditional to simplified) and
returns :class:`Line` records that keep each printed cell apart. It never interprets numbers.
"""

from __future__ import annotations

import re
import unicodedata
from functools import lru_cache
from typing import NamedTuple

from govreports.read.furniture import is_page_marker
from govreports.records import SPANNED, fast_constructor
from govreports.template.terms import FOOTNOTE_MARKS, ROW_ITEM_NUMBER, T2S_PROTECTED


class Line(NamedTuple):
    """One printed line, split into cells (a named tuple: a report has hundreds).

    Attributes:
        number: 1-based line number in the normalised text.
        cells: the cells' texts, stripped.
        positional: True when the cells' indexes are columns of the table (tab-, pipe- or
            grid-separated rows), so an empty cell holds a place.
        grid: True when the line is a row of a real table grid (HTML, Word): an empty cell
            there is a printed blank, not a cell the converter lost.
    """

    number: int
    cells: tuple
    positional: bool = False
    grid: bool = False


Line.fast = fast_constructor(Line)


# Compatibility characters NFKC folds (full-width forms, circled and parenthesised numbers,
# odd spaces), as one translate table: NFKC over the whole text is ten times slower.
_FOLD_RANGES = ((0x00A0, 0x00A1), (0x2000, 0x2070), (0x2460, 0x2500), (0x3000, 0x3001),
                (0x3200, 0x3300), (0xF900, 0xFB00), (0xFE30, 0xFE70), (0xFF00, 0xFFF0))
_MARKDOWN_RULE = re.compile(r"^\|?[\s:|-]*-[\s:|-]*\|?$")
_ONLY_PIPES = re.compile(r"^[|\s]+$")
_ROW_ITEM = re.compile(ROW_ITEM_NUMBER)
_WIDE_GAP = re.compile(r"\S(?: {2,}|\u3000)\S")


@lru_cache(maxsize=1)
def _fold_table() -> dict:
    table = {}
    for start, stop in _FOLD_RANGES:
        for code in range(start, stop):
            folded = unicodedata.normalize("NFKC", chr(code))
            if folded != chr(code):
                table[code] = folded
    table[0x3000] = " "  # ideographic space
    table[0x00A0] = " "
    return table


@lru_cache(maxsize=1)
def _t2s_converter():
    import opencc  # imported lazily: it loads dictionaries

    return opencc.OpenCC("t2s")


@lru_cache(maxsize=1)
def _foldable_runs() -> re.Pattern:
    """Return a pattern matching runs of characters the fold table changes."""
    return re.compile("[" + "".join(re.escape(chr(code)) for code in sorted(_fold_table())) + "]+")


@lru_cache(maxsize=4096)
def _fold_run(run: str, after_digit: bool = False) -> str:
    """Fold one run; a footnote mark right after a digit (``6454①``) is kept, not made a digit."""
    if not FOOTNOTE_MARKS.intersection(run):
        return run.translate(_fold_table())
    out, previous_digit = [], after_digit
    for char in run:
        folded = char if char in FOOTNOTE_MARKS and previous_digit else char.translate(_fold_table())
        out.append(folded)
        previous_digit = folded[-1:].isdigit() and folded.isascii()
    return "".join(out)


def _fold_match(match: re.Match) -> str:
    start = match.start()
    return _fold_run(match.group(), start > 0 and match.string[start - 1].isdigit())


@lru_cache(maxsize=1)
def _foldable_marks() -> frozenset:
    """Return the footnote marks the fold table would change (①, ＊): only they need a run's context."""
    return frozenset(mark for mark in FOOTNOTE_MARKS if ord(mark) in _fold_table())


def fold_compatibility(text: str) -> str:
    """Fold full-width forms, circled numbers and odd spaces to their plain characters.

    A circled or parenthesised number printed right after a figure (``6454①``) is a footnote
    mark, not a digit: it is kept as printed, for the table stage to set apart.
    """
    # str.translate looks every character up in a dict; only the few distinct characters that
    # need folding are replaced (a Chinese report prints a dozen: ，（）： ...), each in one pass
    # over the text. No folded form holds a foldable character, so the order does not matter.
    # A text printing a foldable footnote mark is folded run by run, each mark in its context.
    runs = _foldable_runs().findall(text)
    if not runs:
        return text
    chars = set("".join(runs))
    if not _foldable_marks().isdisjoint(chars):
        return _foldable_runs().sub(_fold_match, text)
    table = _fold_table()
    for char in chars:
        text = text.replace(char, table[ord(char)])
    return text


def normalise_text(text: str, *, to_simplified: bool = True) -> str:
    """Return ``text`` normalised for matching.

    Compatibility characters are folded (full-width forms, circled numbers), line ends unified
    and, by default, traditional characters converted to simplified (OpenCC ``t2s``).
    """
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    if text.isascii():  # nothing to fold or convert (a constant-time check: most grid cells are figures)
        return text
    text = fold_compatibility(text.replace("\ufeff", ""))
    if to_simplified:
        text = _keep_protected(text, _t2s_converter().convert(text))
    return text


def _keep_protected(before: str, after: str) -> str:
    """Undo t2s on characters simplified text also uses in names (乾安县 must not become 干安县)."""
    if len(before) != len(after) or not any(ch in before for ch in T2S_PROTECTED):
        return after
    return "".join(b if b in T2S_PROTECTED else a for a, b in zip(after, before))


def _split_cells(raw: str) -> tuple | None:
    """Return ``(cells, positional)`` for a printed line, or None for furniture and rules."""
    stripped = raw.strip()
    if is_page_marker(stripped) or _ONLY_PIPES.match(stripped):
        return None
    if "|" in stripped:
        if _MARKDOWN_RULE.match(stripped):
            return None
        return _pipe_cells(stripped)
    if "\t" in raw:
        return _tab_cells(raw), True
    if _WIDE_GAP.search(stripped):
        return tuple(re.split(r"(?: {2,}|\u3000)+", stripped)), False
    return (stripped,), False


def _tab_cells(raw: str) -> tuple:
    """Return a tab-separated line's cells, without the empty ones it ends with.

    A row label followed by empty cells only (``2.其他法律行政法规禁止公开`` and seven tabs, a row a
    browser copied with every cell blank) keeps them: they are the row's printed blanks. Only
    a label opening with an item number counts (a header row's trailing tabs are padding), and
    only where no cell ends in a figure.
    """
    cells = [c.strip() for c in raw.rstrip(" \r\n").split("\t")]
    kept = _strip_trailing_empty(list(cells))
    if (len(cells) - len(kept) >= 2 and kept and _ROW_ITEM.match(kept[-1])
            and not any(c[-1:].isdigit() for c in kept)):
        return tuple(cells)
    return kept


def _pipe_cells(stripped: str) -> tuple:
    inner = stripped[1:] if stripped.startswith("|") else stripped
    inner = inner.rstrip("|").rstrip()
    parts = [p.strip() for p in inner.split("|")]
    if len(parts) == 1:
        return (parts[0],), False
    return _strip_trailing_empty(parts), True


def _strip_trailing_empty(cells: list) -> tuple:
    while cells and not cells[-1]:
        cells.pop()
    return tuple(cells)


@lru_cache(maxsize=32768)
def _line_shape(raw: str) -> tuple | None:
    """Return ``(cells, positional, pipe width)`` for a printed line, None for a line without cells.

    A markdown rule (``|---|---|``) gives ``(None, False, its width)``. The pipe width is set
    only for a pipe row of figures that printed empty cells at its end (see
    :func:`_with_trailing_blanks`), else 0. Cached: table lines (labels, ``0 |``, OCR rows of
    zeros) repeat from report to report, so each is split once.
    """
    stripped = raw.strip()
    if not stripped:
        return None
    if stripped.isdigit():
        return (stripped,), False, 0
    split = _split_cells(raw)
    if split is None:
        rule = "|" in stripped and _MARKDOWN_RULE.match(stripped)
        return (None, False, _pipe_width(stripped)) if rule else None
    cells, positional = split
    if not cells:
        return None
    width = _pipe_width(stripped) if positional and "|" in stripped else 0
    padded = width > len(cells) and any(c[:1].isdigit() for c in cells)  # a row of figures, not of headers
    return cells, positional, width if padded else 0


def split_lines(text: str) -> list:
    """Split normalised text into :class:`Line` records, dropping blank lines and page markers."""
    # This loop runs for every printed line of every report: Line.fast, not Line().
    lines, new_line = [], Line.fast
    rule_width = 0  # cells of the last markdown rule (|---|---|): the width of the table below it
    for number, raw in enumerate(text.split("\n"), start=1):
        shape = _line_shape(raw)
        if shape is None:
            continue
        cells, positional, width = shape
        if cells is None:
            rule_width = width
        elif width and width <= rule_width:
            lines.append(new_line((number, _with_trailing_blanks(cells, width), positional, True)))
        else:
            lines.append(new_line((number, cells, positional, False)))
    return lines


def _pipe_width(stripped: str) -> int:
    """Return the number of cells a pipe row prints, empty ones included."""
    return stripped.strip("|").count("|") + 1


def _with_trailing_blanks(cells: tuple, width: int) -> tuple:
    """Return a pipe row's cells with the empty cells it prints at its end, inside its table's width.

    A markdown row that prints an empty cell where its table has a column printed that cell
    blank (a carried-forward row ``| label | 1 | 0 | 0 | 0 | 0 | 0 |  |``): the line becomes a grid line,
    whose empty cells are printed blanks. Empty cells past the table's width are not kept.
    """
    return cells + ("",) * (width - len(cells))


def grid_lines(rows: tuple, start: int = 1) -> list:
    """Turn the rows of a real table grid into positional grid :class:`Line` s.

    A position covered by a span (None) keeps its column but carries no cell: it becomes the
    empty string in a line whose ``spanned`` columns are listed, so that a value spanning
    several columns is read once. A cell printed empty stays ``""``: a printed blank.
    """
    lines, new_line, cell_text = [], Line.fast, _GRID_CELLS.__getitem__
    for offset, row in enumerate(rows):
        cells = tuple(map(cell_text, row))
        if not _NO_CELL.issuperset(cells):
            lines.append(new_line((start + offset, cells, True, True)))
    return lines


SPANNED_TEXT = "\x00"  # placeholder for a spanned position inside a grid Line
_NO_CELL = frozenset(("", SPANNED_TEXT))  # a grid row of nothing but these prints no cell
GRID_CELL_CACHE = 65536


class _GridCells(dict):
    """Grid cells' texts normalised and stripped, by printed text; a span (None) is :data:`SPANNED_TEXT`.

    A cache (labels, headers and ``0`` repeat from row to row and report to report) read with
    one dict lookup per position; emptied when it reaches :data:`GRID_CELL_CACHE` entries.
    """

    def __missing__(self, cell: str) -> str:
        if len(self) >= GRID_CELL_CACHE:
            self.clear()
            self[SPANNED] = SPANNED_TEXT
        text = self[cell] = normalise_text(str(cell)).strip()
        return text


_GRID_CELLS = _GridCells({SPANNED: SPANNED_TEXT})


def document_lines(document) -> list:
    """Return the :class:`Line` s of a document: its text split by layout, its grids kept as grids."""
    if not document.blocks:
        return split_lines(normalise_text(document.text))
    lines, number = [], 1
    for block in document.blocks:
        if block.kind == "table":
            block_lines = grid_lines(block.rows, number)
            number += len(block.rows)
        else:
            text = normalise_text(block.text)
            block_lines = [Line(ln.number + number - 1, ln.cells, ln.positional, ln.grid) for ln in split_lines(text)]
            number += text.count("\n") + 1
        lines.extend(block_lines)
    return lines
