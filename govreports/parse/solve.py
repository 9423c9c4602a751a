"""Place each row's printed values in the row's cells, repairing only what the identities fix.

A row that prints exactly as many values as it has cells is read as printed, whatever its
arithmetic: a report whose published figures break an identity keeps its figures (a source
anomaly, reported by :mod:`govreports.parse.checks`). A row that prints too few or too many values
has several possible *alignments*:

* ``lost_cell``: the layout dropped cells; the printed values keep their order and the lost
  cells can sit anywhere (or, in a positional layout, where the columns say);
* ``run_together``: cells printed without a separator (``000000`` for six zeros); a digit run
  with a leading zero cannot be one number;
* ``split_apart``: one number printed in pieces (``1 2`` for 12);
* ``ocr_digit``: a number the OCR engine was unsure of (a ``doubt`` token) is not taken as
  read: its cell is open, like a lost one, and only the identities can give it a value.

Every alignment is solved against the template's identities (with counts never negative). A
cell gets a value only when every alignment consistent with the identities gives it the same
value; each such cell is listed as a :class:`~govreports.records.Repair` with its evidence.
Otherwise it stays null with status ``lost``.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache

from govreports.errors import Problem
from govreports.parse import headers, orders, table2
from govreports.parse.alignments import (
    BLANK,
    LOST,
    NOT_PRINTED,
    NUMBER,
    UNSURE,
    Slot,
    _valid_number_text,
    row_alignments,
)
from govreports.parse.search import _solve_table
from govreports.records import CellValue, Repair
from govreports.template import SCHEMA


@dataclass(frozen=True)
class Settlement:
    """The cells of a report after alignment and repair, with the repairs and problems.

    ``merged`` holds the cells of merged rows printed in place of their sub-rows (codes outside
    the template's codebook) and ``identities`` the identities to check, which use them.
    """

    cells: dict
    repairs: tuple
    problems: tuple
    merged: dict = None
    identities: tuple = None


# ----------------------------------------------------------------------------------------
# Alignments of one row


# ----------------------------------------------------------------------------------------
# Solving identities


# ----------------------------------------------------------------------------------------
# Settling a report's cells


def _direct_cell(code: str, slot: Slot) -> CellValue:
    return CellValue(code, slot.value if slot.kind == NUMBER else None, slot.kind, slot.raw)


def settle_cells(template: str, table_read) -> Settlement:
    """Turn the rows found in a report into its cells, repairing what the identities fix."""
    problems = []
    order = headers.table3_order(template, table_read.rows, problems)
    direct = None if order else _direct_cells(template, table_read)
    if direct is not None:
        table2.finish_table2(template, table_read, direct, problems)
        return Settlement(direct, (), tuple(problems))
    cells, repairs = {}, []
    merged = tuple(sorted(table_read.merged))
    all_identities = SCHEMA.merged_identities(template, merged)
    by_table: dict = {}
    blank_tables = _blank_for_zero_tables(table_read)
    for row in SCHEMA.printed_rows(template, merged):
        read = table_read.rows.get(row.row_code)
        tokens = read.tokens if read else ()
        start = 0 if read and read.labelled else table_read.positional_starts.get(row.table)
        alignments = row_alignments(tokens, row.width, start, whole=table_read.stream,
                                    gap=BLANK if row.table in blank_tables else LOST)
        codes = headers.row_codes(row, order)  # bound to columns in the printed header's order
        by_table.setdefault(row.table, {})[row.row_code] = (codes, alignments, read)
    cells.update(table2.settle_table2(by_table.get("table2", {}), problems))
    table2.finish_table2(template, table_read, cells, problems)
    for table in ("table3", "table4"):
        rows = by_table.get(table, {})
        identities = tuple(i for i in all_identities if i.table == table)
        table_problems: list = []
        table_cells, table_repairs = _settle_identity_table(rows, identities, table_problems)
        if table == "table3" and not order and not table_read.stream and any(
                c.status == LOST for c in table_cells.values()):
            # Columns in the template's order, rows cut from lines: try the other value orders.
            ordered = orders.settle_by_order(template, table_read, merged, table_cells)
            if ordered is not None:
                merged, table_cells, table_repairs, table_problems = ordered
                all_identities = SCHEMA.merged_identities(template, merged)
        problems.extend(table_problems)
        cells.update(table_cells)
        repairs.extend(table_repairs)
    merged_cells = {}
    for group in SCHEMA.merged_rows(template):
        if group.row_code in merged:
            merged_cells.update({code: cells.pop(code) for code in group.codes})
            repairs.extend(_not_printed_cells(group, merged_cells, cells, problems))
    ordered = {code: cells[code] for code in SCHEMA.codes(template)}
    return Settlement(ordered, tuple(repairs), tuple(problems), merged_cells or None,
                      all_identities if merged else None)


def _blank_for_zero_tables(table_read) -> frozenset:
    """Return the tables that print no 0 at all but leave cells empty in positional rows.

    Such a table prints "none" as an empty cell (the 2019 form as many agencies filled it): an
    empty cell of a positional row there is a printed blank, as in a grid, not a cell a
    converter lost, and no identity fills it.
    """
    tables: dict = {}
    for read in table_read.rows.values():
        zero = any(t.kind == NUMBER and t.value == 0 for t in read.tokens)
        labelled, seen_zero = tables.get(read.row.table, (False, False))
        positional = read.labelled or bool(read.tokens) and all(t.column is not None for t in read.tokens)
        tables[read.row.table] = (labelled or positional, seen_zero or zero)
    return frozenset(table for table, (labelled, zero) in tables.items() if labelled and not zero)


def _not_printed_cells(group, merged_cells: dict, cells: dict, problems: list) -> list:
    """Fill the sub-rows of a merged row: null (``not_printed``), or 0 where the merged cell prints 0.

    Counts are never negative, so sub-cells that sum to a printed 0 are each 0: that is fixed
    by the identities and recorded as a repair. Any other sum leaves the sub-cells unknown.
    """
    repairs = []
    for code in group.codes:
        column = code.rsplit(".", 1)[1]
        merged = merged_cells[code]
        for sub in group.sub_rows:
            sub_code = f"table3.{sub}.{column}"
            if merged.status in (NUMBER, "repaired") and merged.value == 0:
                cells[sub_code] = CellValue(sub_code, 0, "repaired", None)
                repairs.append(Repair(sub_code, 0, "merged_row", (
                    f"{group.label} is printed as one row, without its sub-rows; its {column} cell is 0 and "
                    f"counts are never negative, so each sub-row's {column} cell is 0")))
            else:
                cells[sub_code] = CellValue(sub_code, None, NOT_PRINTED, None)
    problems.append(Problem(
        "template.merged_row",
        f"table 3 prints {group.label} as one row without its sub-rows ({', '.join(group.sub_rows)}): "
        f"its cells are kept as {group.row_code}, the sub-rows' cells are not printed", "warning"))
    return repairs


def _direct_cells(template: str, table_read) -> dict | None:
    """Return the cells of a report whose every row prints exactly its cells, else None.

    The usual report: nothing to place or repair, so each token becomes its cell as printed.
    """
    cells, new_cell = {}, CellValue.fast
    for row in SCHEMA.rows(template):
        read = table_read.rows.get(row.row_code)
        if read is None:
            return None
        tokens = read.tokens
        if len(tokens) != row.width:
            # Empty grid cells past the row's last column are padding (a markdown table wider
            # than the row); anything else needs placing.
            if len(tokens) < row.width or any(t.kind != BLANK or t.text for t in tokens[row.width:]):
                return None
            tokens = tokens[:row.width]
        # The tokens' fields unpacked in the loop: this runs for every cell of nearly every report.
        for code, (kind, text, value, _line, _column, _cell) in zip(row.codes, tokens):
            if kind == UNSURE:
                return None  # an OCR reading left to the identities
            if kind == NUMBER:
                if text[0] in "0+-" and text != "0" and not _valid_number_text(text.lstrip("+-")):
                    return None  # "05" is two cells run together, not a number
                cells[code] = new_cell((code, value, NUMBER, text))
            else:
                cells[code] = new_cell((code, None, kind, text))
    return cells


def _row_problems(rows: dict) -> list:
    """Return a problem for each row not found, and each row whose values cannot be placed."""
    problems = []
    for row_code, (codes, alignments, read) in rows.items():
        table = codes[0].split(".")[0]
        if read is None:
            problems.append(Problem(f"{table}.row_missing", f"row {row_code!r} was not found in the report"))
        elif not alignments:
            problems.append(Problem(
                "cells.unplaceable",
                f"row {read.label[-30:]!r} prints {len(read.tokens)} values for {len(codes)} cells "
                "in too many possible arrangements to place them",
            ))
    return problems


def _settled_cell(code: str, index: int, alignments: list, determined: dict, kinds: dict) -> CellValue:
    """Return one cell of a row: as printed, as a printed blank, as repaired, or lost."""
    if len(alignments) == 1 and alignments[0].is_direct:
        return _direct_cell(code, alignments[0].slots[index])
    if alignments and all(a.slots[index].kind == BLANK for a in alignments):
        return _direct_cell(code, alignments[0].slots[index])
    if code not in determined:
        return CellValue(code, None, LOST, None)
    if code not in kinds:  # every arrangement put the same printed value here
        return CellValue(code, determined[code], NUMBER, _printed_raw(alignments, index))
    return CellValue(code, determined[code], "repaired", None)


def _settle_identity_table(rows: dict, identities: tuple, problems: list) -> tuple:
    """Settle table 3 or table 4: place rows, solve the identities, list repairs and losses."""
    if all(read is not None and len(a) == 1 and a[0].is_direct for _codes, a, read in rows.values()):
        # Every row printed exactly its cells: nothing to place or repair (the usual report).
        return {code: _direct_cell(code, slot) for codes, a, _r in rows.values() for code, slot in zip(codes, a[0].slots)}, []
    problems.extend(_row_problems(rows))
    reads = {r: (codes, alignments) for r, (codes, alignments, _read) in rows.items()}
    determined, kinds, _anomalies = _solve_table(reads, identities)
    cells, repairs, names = {}, [], _identity_names(identities)
    for codes, alignments, read in rows.values():
        if len(alignments) == 1 and alignments[0].is_direct:  # read as printed: no cell to settle
            cells.update((code, _direct_cell(code, slot)) for code, slot in zip(codes, alignments[0].slots))
            continue
        printed = None  # the row's evidence, written once for all its repaired cells
        for index, code in enumerate(codes):
            cell = _settled_cell(code, index, alignments, determined, kinds)
            cells[code] = cell
            if cell.status == "repaired":
                printed = printed or _row_printed(code, read, len(codes))
                repairs.append(_repair_record(code, cell.value, kinds[code], printed, names))
    repairs = _keep_repairs_that_hold(cells, repairs, identities, problems)
    lost = [c for c, v in cells.items() if v.status == LOST]
    if lost:
        problems.append(Problem(
            "cells.lost",
            f"{len(lost)} cell(s) could not be read and no identity fixes them: {', '.join(lost[:8])}"
            + (" ..." if len(lost) > 8 else ""),
        ))
    return cells, repairs


def _keep_repairs_that_hold(cells: dict, repairs: list, identities: tuple, problems: list) -> list:
    """Drop every repair an identity it appears in then fails: its cell goes back to lost.

    A repair's evidence names the identities that fix it; a repaired value under which one of
    them fails was no repair (a wrong join or split), so it is never kept.
    """
    numbers = {code: None if cell.status == LOST else cell.value or 0 for code, cell in cells.items()}
    failing = set()
    for identity in identities:
        lhs = [numbers.get(c) for c in identity.lhs]
        rhs = [numbers.get(c) for c in identity.rhs]
        if None not in lhs and None not in rhs and abs(sum(lhs) - sum(rhs)) > 1e-9:
            failing.update(identity.codes)
    kept = []
    for repair in repairs:
        if repair.code in failing:
            cells[repair.code] = CellValue(repair.code, None, LOST, None)
            problems.append(Problem("repair.rejected", f"{repair.code}: the reading {repair.value} "
                                    f"({repair.kind}) breaks an identity it appears in; the cell is left null"))
        else:
            kept.append(repair)
    return kept


@lru_cache(maxsize=16)
def _identity_names(identities: tuple) -> dict:
    """Return ``{code: the names of the identities it appears in, sorted and joined}``."""
    names: dict = {}
    for identity in identities:
        for code in identity.codes:
            names.setdefault(code, set()).add(identity.name)
    return {code: ", ".join(sorted(found)) for code, found in names.items()}


def _printed_raw(alignments: list, index: int):
    raws = {a.slots[index].raw for a in alignments}
    return raws.pop() if len(raws) == 1 else None


def _row_printed(code: str, read, width: int) -> str:
    """Return what a row printed, for the evidence of its repairs."""
    printed = " ".join(t.text for t in read.tokens) if read else ""
    label = read.label[-30:] if read else code.rsplit(".", 1)[0]
    unsure = [f"{t.text!r} (confidence {t.value:.2f})" for t in (read.tokens if read else ()) if t.kind == UNSURE]
    note = f"; the OCR engine was unsure of its reading(s) {', '.join(unsure)}" if unsure else ""
    return f"row {label!r} prints {len(read.tokens) if read else 0} value(s) [{printed}] for {width} cells{note}"


def _repair_record(code: str, value, kinds: set, printed: str, identity_names: dict) -> Repair:
    kind = "ocr_digit" if "ocr_digit" in kinds else (min(kinds) if kinds else "lost_cell")
    names = identity_names.get(code) or "the identities"
    evidence = f"{printed}; every placement consistent with {names} gives {code} = {value}"
    return Repair(code, value, kind, evidence)
