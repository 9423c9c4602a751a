"""Render a synthetic report as a Word ``.docx`` file (python-docx), merged table cells included.

:mod:`govreports.synth` lays a report out as parts (title, paragraphs, tables whose cells carry
row and column spans, as in HTML); this module writes those parts as a real Word document, the
format many agencies publish. The bytes are reproducible: the zip entries get a fixed date.
"""

from __future__ import annotations

import io
import zipfile

FIXED_ZIP_DATE = (2020, 1, 1, 0, 0, 0)


def placed_cells(grid: list) -> tuple:
    """Return ``([(row, column, rowspan, colspan, text)], rows, columns)`` for an HTML-style grid.

    ``grid`` lists each row's printed cells as ``(text, rowspan, colspan)``, leaving out the
    positions that a span from an earlier cell covers, as HTML does.
    """
    covered, placed = set(), []
    for r, row in enumerate(grid):
        c = 0
        for text, rowspan, colspan in row:
            while (r, c) in covered:
                c += 1
            placed.append((r, c, rowspan, colspan, text))
            covered.update((r + dr, c + dc) for dr in range(rowspan) for dc in range(colspan))
            c += colspan
    columns = max(c + cs for _r, c, _rs, cs, _t in placed)
    return placed, len(grid), columns


def docx_bytes(parts: list) -> bytes:
    """Return a ``.docx`` holding the parts: ``("title" | "p", text)`` and ``("table", grid)``."""
    import docx  # python-docx, imported on use: only the Word layout needs it

    document = docx.Document()
    for kind, item in parts:
        if kind == "title":
            document.add_heading(item, level=1)
        elif kind == "p":
            document.add_paragraph(item)
        else:
            _add_table(document, item)
    buffer = io.BytesIO()
    document.save(buffer)
    return _with_fixed_dates(buffer.getvalue())


def _add_table(document, grid: list) -> None:
    from docx.table import _Cell

    placed, rows, columns = placed_cells(grid)
    table = document.add_table(rows=rows, cols=columns)
    table.style = "Table Grid"
    # Every cell taken once, before any merge: Table.cell() rebuilds the whole grid on each call,
    # which makes a 25-row table take most of a second.
    cells = [[_Cell(tc, table) for tc in tr.tc_lst] for tr in table._tbl.tr_lst]
    for r, c, _rowspan, _colspan, text in placed:
        cells[r][c].text = text
    for r, c, rowspan, colspan, _text in placed:
        if rowspan > 1 or colspan > 1:
            cells[r][c].merge(cells[r + rowspan - 1][c + colspan - 1])


def _with_fixed_dates(data: bytes) -> bytes:
    """Rewrite a zip with every entry dated :data:`FIXED_ZIP_DATE` (zip entries carry the save time)."""
    out = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(data)) as source, zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as target:
        for info in source.infolist():
            target.writestr(zipfile.ZipInfo(info.filename, FIXED_ZIP_DATE), source.read(info.filename),
                            compress_type=zipfile.ZIP_DEFLATED)
    return out.getvalue()


__all__ = ["docx_bytes", "placed_cells"]
