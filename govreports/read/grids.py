"""Readers for report formats with real tables: HTML pages, Word files and PDFs.

Each reader turns a file's bytes into :class:`~govreports.records.Block` s in reading order:
running text, and every table rebuilt as a grid whose row and column spans are expanded (the
top-left position of a spanned cell holds its text, every other position it covers holds
:data:`~govreports.parse.layout.SPANNED`, and a cell printed empty is ``""``). The helpers here are
shared by the readers; :func:`govreports.read.document.read_document` picks the reader.
"""

from __future__ import annotations

from govreports.errors import SourceError
from govreports.records import SPANNED, Block

MAX_COLSPAN = 1000  # a hostile colspan="100000" must not build a huge grid
# A real report's largest table has a few hundred positions; spans that would fill more than
# this many are a bomb (a 50 KB page could otherwise ask for billions), refused before expanding.
MAX_GRID_CELLS = 200_000


class GridTooLarge(SourceError):
    """A table's spans would expand to more than :data:`MAX_GRID_CELLS` positions."""


def check_grid_size(cells: int) -> None:
    """Raise :class:`GridTooLarge` when a table would fill more than :data:`MAX_GRID_CELLS` positions."""
    if cells > MAX_GRID_CELLS:
        raise GridTooLarge(f"a table's row and column spans would fill {cells:,} grid positions (the limit is "
                           f"{MAX_GRID_CELLS:,}); a span bomb, not a report table")


def collapse(text: str) -> str:
    """Return ``text`` with every run of whitespace (including no-break and ideographic spaces) as one space."""
    return " ".join(text.split())


def parse_span(value: str | None, limit: int) -> int:
    """Return a row or column span from its attribute text: 1 when absent or invalid, at most ``limit``.

    A span of 0 means "to the end" in HTML: ``limit`` is what is left of the table.
    """
    try:
        span = int(str(value).strip()) if value is not None else 1
    except ValueError:
        return 1
    if span == 0:
        return max(1, limit)
    return max(1, min(span, limit))


def expand_spans(rows: list) -> tuple:
    """Expand a table given as rows of ``(text, rowspan, colspan)`` into a rectangular grid.

    A spanned cell's text sits at its top-left position; the other positions it covers, and
    positions no cell reaches (short rows), are :data:`SPANNED`. Rowspans are clipped to the
    table's last row.

    Returns:
        A tuple of row tuples, all of the same width.

    Raises:
        GridTooLarge: the spans would fill more than :data:`MAX_GRID_CELLS` positions.
    """
    taken: dict = {}
    height = len(rows)
    check_grid_size(sum(min(rowspan, height - r) * min(colspan, MAX_COLSPAN)
                        for r, cells in enumerate(rows) for _text, rowspan, colspan in cells))
    for r, cells in enumerate(rows):
        c = 0
        for text, rowspan, colspan in cells:
            while (r, c) in taken:
                c += 1
            for dr in range(min(rowspan, height - r)):
                for dc in range(min(colspan, MAX_COLSPAN)):
                    taken[(r + dr, c + dc)] = text if dr == dc == 0 else SPANNED
            c += colspan
    width = max((c + 1 for _r, c in taken), default=0)
    check_grid_size(width * height)
    return tuple(tuple(taken.get((r, c), SPANNED) for c in range(width)) for r in range(height))


def pad_rows(rows: list) -> tuple:
    """Return ``rows`` as tuples of one width, short rows padded with :data:`SPANNED`.

    Raises:
        GridTooLarge: the grid would have more than :data:`MAX_GRID_CELLS` positions.
    """
    width = max((len(row) for row in rows), default=0)
    check_grid_size(width * len(rows))
    return tuple(tuple(row) + (SPANNED,) * (width - len(row)) for row in rows)


def table_text(rows: tuple) -> str:
    """Flatten a grid into text: one line per row, cells separated by tabs, spanned positions empty."""
    lines = []
    for row in rows:
        cells = ["" if cell is SPANNED else cell for cell in row]
        while cells and not cells[-1]:
            cells.pop()
        if cells:
            lines.append("\t".join(cells))
    return "\n".join(lines)


def blocks_text(blocks: tuple) -> str:
    """Return the whole document as plain text: text blocks as they are, tables flattened with tabs."""
    parts = [block.text if block.kind == "text" else table_text(block.rows) for block in blocks]
    return "\n".join(part for part in parts if part) + "\n"


def merge_text_blocks(blocks: list) -> tuple:
    """Join consecutive text blocks into one and drop empty ones (readers emit text piecemeal)."""
    merged: list = []
    for block in blocks:
        if block.kind == "text":
            if not block.text.strip():
                continue
            if merged and merged[-1].kind == "text":
                merged[-1] = Block("text", text=merged[-1].text + "\n" + block.text)
                continue
        merged.append(block)
    return tuple(merged)
