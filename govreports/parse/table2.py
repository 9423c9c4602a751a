"""Read 表二 (主动公开政府信息情况) conservatively: it has no identities to check a repair against.

A table-2 cell gets a value only when the layout shows where it belongs: the row prints exactly
its cells, a positional layout (tabs, grids) shows the columns, or a run of digits has one split
only. Anything else (a short row, an extra value that would be joined to its neighbour, a
number with a leading zero) leaves the row's open cells null with a warning: never a guess.

Money cells are converted to the codebook's unit (cells.csv ``unit``): the unit printed in the
cell (``251000元``) or in the column's header (``金额(单位:万元)``) is read, converted, and
recorded in a warning; where no unit is printed the number is kept and ``unit.unstated`` flagged.
A footnote mark after a figure (``6454①``) is set apart from it and named in a warning.
"""

from __future__ import annotations

import re
from decimal import Decimal
from functools import cache

from govreports.errors import Problem
from govreports.parse.rows import split_printed_value
from govreports.records import CellValue
from govreports.template import SCHEMA
from govreports.template.terms import HEADER_UNIT_PATTERN, MONEY_UNITS

NUMBER, LOST = "number", "lost"
_HEADER_UNIT = re.compile(HEADER_UNIT_PATTERN)


def _cell(code: str, slot) -> CellValue:
    return CellValue(code, slot.value if slot.kind == NUMBER else None, slot.kind, slot.raw)


def _lost_row(codes: tuple) -> dict:
    return {code: CellValue(code, None, LOST, None) for code in codes}


def _is_sure(alignment) -> bool:
    """Return True for a reading that needs no guess: as printed, by columns, or a digit run's one split."""
    return alignment.kinds <= {"lost_cell", "run_together", "ocr_digit"} and "split_apart" not in alignment.kinds


def settle_table2(rows: dict, problems: list) -> dict:
    """Return table 2's cells from ``{row_code: (codes, alignments, read)}``; warnings go to ``problems``."""
    cells = {}
    for row_code, (codes, alignments, read) in rows.items():
        cells.update(_settle_row(row_code, codes, alignments, read, problems))
    return cells


def _settle_row(row_code: str, codes: tuple, alignments: list, read, problems: list) -> dict:
    if read is None:
        problems.append(Problem("table2.row_missing", f"table 2: row {row_code!r} was not found; its cells are null",
                                "warning"))
        return _lost_row(codes)
    if len(alignments) == 1 and _is_sure(alignments[0]):
        return {c: _cell(c, s) for c, s in zip(codes, alignments[0].slots)}
    printed = " ".join(t.text for t in read.tokens)
    if len(read.tokens) > len(codes):
        problems.append(Problem(
            "table2.extra_values",
            f"table 2: row {read.label[-20:]!r} prints {len(read.tokens)} values [{printed}] for {len(codes)} "
            "cell(s); table 2 has no identity to tell which belong, so the row is left null",
            "warning",
        ))
        return _lost_row(codes)
    agreed = _agreed_cells(codes, [a for a in alignments if _is_sure(a)])
    code = "table2.row_short" if len(read.tokens) < len(codes) else "table2.row_unreadable"
    problems.append(Problem(
        code,
        f"table 2: row {read.label[-20:]!r} prints {len(read.tokens)} value(s) [{printed}] for {len(codes)} "
        "cells and nothing shows which cells they belong to; the row's open cells are left null",
        "warning",
    ))
    return agreed


def _agreed_cells(codes: tuple, alignments: list) -> dict:
    """Return the row's cells, a value only where every possible reading puts the same one."""
    cells = _lost_row(codes)
    if not alignments:
        return cells
    for index, code in enumerate(codes):
        slots = [a.slots[index] for a in alignments]
        first = slots[0]
        if first.kind != LOST and all(s.kind == first.kind and s.value == first.value for s in slots):
            cells[code] = _cell(code, first)
    return cells


# ----------------------------------------------------------------------------------------
# Units and footnote marks


@cache
def _money_codes(template: str) -> tuple:
    """Return ``((code, codebook unit), ...)`` for table 2's money cells."""
    return tuple((c.code, c.unit) for c in SCHEMA.cells(template, "table2") if c.unit in MONEY_UNITS)


def finish_table2(template: str, table_read, cells: dict, problems: list) -> None:
    """Set footnote marks apart and convert money cells to the codebook's unit, in place."""
    for read in table_read.rows.values():
        if read.row.table == "table2":
            _footnote_problems(read, problems)
    for code, unit in _money_codes(template):
        cell = cells.get(code)
        if cell is not None and cell.status == NUMBER and cell.value is not None:
            cells[code] = _in_codebook_unit(cell, unit, _header_unit(table_read, code), problems)


def _footnote_problems(read, problems: list) -> None:
    for token in read.tokens:
        if token.kind == NUMBER and not (token.text.isascii() and token.text.isdigit()):
            mark = split_printed_value(token.text)[2]
            if mark:
                problems.append(Problem(
                    "table2.footnote",
                    f"table 2: row {read.label[-20:]!r} prints {token.text!r}: the footnote mark {mark!r} is not "
                    f"part of the figure, read as {token.value}",
                    "warning",
                ))


def _header_unit(table_read, code: str) -> str:
    """Return the money unit the row's header prints ("(单位:万元)"), or "" when it prints none."""
    read = table_read.rows.get(code.split(".")[1])
    if read is None:
        return ""
    found = _HEADER_UNIT.findall(read.label)
    return "".join(found[-1]) if found else ""


def _in_codebook_unit(cell: CellValue, unit: str, header_unit: str, problems: list) -> CellValue:
    """Return the cell in the codebook's unit, recording the printed unit (or its absence)."""
    printed_unit = split_printed_value(cell.raw or "")[1] or header_unit
    scales = MONEY_UNITS[unit]
    if printed_unit not in scales:
        problems.append(Problem(
            "unit.unstated",
            f"{cell.code}: no unit is printed for {cell.raw!r} (neither in the cell nor in its header); "
            f"kept as {cell.value} in the codebook's unit ({unit}) unconverted",
            "warning",
        ))
        return cell
    scale = Decimal(scales[printed_unit])
    if scale == 1:
        return cell
    value = Decimal(split_printed_value(cell.raw)[0].replace(",", "")) if cell.raw else Decimal(str(cell.value))
    converted = _plain_number(value * scale)
    problems.append(Problem(
        "unit.converted",
        f"{cell.code}: printed {cell.raw!r} in {printed_unit}; converted to {converted} ({unit})",
        "warning",
    ))
    return CellValue(cell.code, converted, cell.status, cell.raw)


def _plain_number(value: Decimal):
    """Return an exact decimal as an int when it is whole, else as the nearest float."""
    return int(value) if value == value.to_integral_value() else float(value)
