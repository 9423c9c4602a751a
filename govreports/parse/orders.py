"""Value orders other than one row per label: table 3 printed column by column, in blocks of rows.

Converters that lose a table's ruling (``pdftotext`` without ``-layout``) print 表三 in the
order its text boxes were laid out: some rows across, a block of rows down each column (the
自然人 column of nine rows, then the next column), labels apart from their figures. The values
keep the template's order of rows; only the order inside a block changes.

:func:`block_readings` lists every reading of table 3's value stream as consecutive blocks of
rows, each printed row by row or column by column, in which every row passes its own identity
(the six applicant columns sum to 总计). It only proposes: :mod:`govreports.parse.solve` keeps
a reading when it is the only one under which every identity of the table holds.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import NamedTuple

from govreports.errors import Problem
from govreports.parse.labels import label_key
from govreports.records import CellValue, Repair
from govreports.template import SCHEMA

MAX_READINGS = 64  # distinct partial readings kept at one point of the stream: beyond, too ambiguous
ROWS, COLUMNS = "rows", "columns"


class Reading(NamedTuple):
    """One way to read the stream: the tokens of each printed row, and the blocks that gave them.

    Attributes:
        rows: per printed row of the table, its ``width`` tokens in column order.
        blocks: ``(first row, number of rows, ROWS or COLUMNS)`` per block, in order.
        skipped: tokens left out (a lone number printed between full rows: a page number).
    """

    rows: tuple
    blocks: tuple
    skipped: tuple = ()


def prepare_units(lines: tuple, width: int) -> list:
    """Return the stream's printed lines as units, without the empty grid cells padding a row's end."""
    units = []
    for tokens in lines:
        tokens = list(tokens)
        while len(tokens) > width and len(tokens) % width and tokens[-1].kind == "blank" and not tokens[-1].text:
            tokens.pop()
        if tokens:
            units.append(tuple(tokens))
    return units


def _skippable(units: list, width: int) -> list:
    """Return, per unit, whether it is a lone number printed between lines of full rows."""
    flags = []
    for index, unit in enumerate(units):
        before = units[index - 1] if index > 0 else ()
        after = units[index + 1] if index + 1 < len(units) else ()
        flags.append(len(unit) == 1 and len(before) >= width and len(after) >= width)
    return flags


def _key(rows: tuple) -> tuple:
    return tuple((t.kind, t.value) for row in rows for t in row)


def block_readings(lines: tuple, n_rows: int, width: int, row_ok: Callable) -> list | None:
    """Return every distinct reading of the stream as ``n_rows`` rows of ``width`` values.

    Args:
        lines: the stream's tokens, one tuple per printed line (a block ends at a line's end).
        n_rows: the rows the table prints.
        width: the cells of each row.
        row_ok: ``row_ok(row_index, tokens)`` says whether a row passes its own identities.

    Returns:
        The readings (distinct by their values), or None when there are too many to tell apart.
    """
    units = prepare_units(lines, width)
    stream = _Stream(units, width, row_ok)
    spare = sum(len(u) for u, skip in zip(units, stream.skippable) if skip)
    if not 0 <= stream.ends[-1] - n_rows * width <= spare:
        return []  # the stream holds too few or too many values for the rows
    # states[u][i]: {values key: Reading} for the readings of units[:u] as rows[:i]
    states = [{} for _ in range(len(units) + 1)]
    states[0][0] = {(): Reading((), ())}
    for u in range(len(units)):
        for i, readings in sorted(states[u].items()):
            if stream.skippable[u]:
                target = states[u + 1].setdefault(i, {})
                for key, reading in readings.items():
                    target.setdefault(key, reading._replace(skipped=reading.skipped + units[u]))
            for stop, count, order, rows in stream.blocks(u, i, n_rows):
                target = states[stop].setdefault(i + count, {})
                for key, reading in readings.items():
                    target.setdefault(key + _key(rows), Reading(
                        reading.rows + rows, reading.blocks + ((i, count, order),), reading.skipped))
                if len(target) > MAX_READINGS:
                    return None
    return list(states[len(units)].get(n_rows, {}).values())


class _Stream:
    """The stream's units with their positions, and the blocks that may start at a unit."""

    def __init__(self, units: list, width: int, row_ok: Callable) -> None:
        self.width, self.row_ok = width, row_ok
        self.skippable = _skippable(units, width)
        self.ends = [0]
        for unit in units:
            self.ends.append(self.ends[-1] + len(unit))
        self.unit_at = {end: index for index, end in enumerate(self.ends)}
        self.flat = tuple(t for unit in units for t in unit)

    def blocks(self, u: int, i: int, n_rows: int):
        """Yield ``(stop unit, rows, order, row tokens)`` for each block starting at unit ``u``, row ``i``."""
        start = self.ends[u]
        for count in range(1, n_rows - i + 1):
            end = start + count * self.width
            if end > self.ends[-1]:
                return
            stop = self.unit_at.get(end)
            if stop is None:
                continue  # a block ends at the end of a printed line
            block = self.flat[start:end]
            for order in (ROWS, COLUMNS) if count > 1 else (ROWS,):
                if order == ROWS and count > 1 and self._rows_at_line_ends(start, count):
                    continue  # the same as one-row blocks, which are tried anyway
                rows = self._checked_rows(block, count, order, i)
                if rows is not None:
                    yield stop, count, order, rows

    def _rows_at_line_ends(self, start: int, count: int) -> bool:
        """Return True when every row of a row-by-row block ends where a printed line ends."""
        return all(start + r * self.width in self.unit_at for r in range(1, count))

    def _checked_rows(self, block: tuple, count: int, order: str, first: int) -> tuple | None:
        """Return a block's rows if each passes its own identities (checked row by row, stopping early)."""
        rows = []
        for r in range(count):
            if order == ROWS:
                row = block[r * self.width:(r + 1) * self.width]
            else:
                row = block[r::count]
            if not self.row_ok(first + r, row):
                return None
            rows.append(row)
        return tuple(rows)


# ----------------------------------------------------------------------------------------
# Settling table 3 by the only order the identities allow


def settle_by_order(template: str, table_read, merged: tuple, label_cells: dict) -> tuple | None:
    """Read table 3 from its value stream when one row per label left cells lost.

    Every reading of the stream (see :func:`block_readings`), for the template as printed and
    for each merged row the report may print (its parent's label printed, none of its
    sub-rows'), is tested against every identity of table 3 (a printed blank proves nothing
    either way). Exactly one reading must fit. It may move a value the label reading placed:
    in these layouts labels are printed apart from their figures, and a label printed just before
    another row's figures binds them wrongly (the identities show it).

    Returns:
        ``(merged, cells, repairs, problems)`` for table 3, or None (nothing fits, or more than one).
    """
    lines = table_read.table3_stream()
    if not lines:
        return None
    fits = []
    for variant in _variants(template, table_read, merged):
        rows = tuple(r for r in SCHEMA.printed_rows(template, variant) if r.table == "table3")
        identities = tuple(i for i in SCHEMA.merged_identities(template, variant) if i.table == "table3")
        readings = block_readings(lines, len(rows), rows[0].width, _row_checker(rows, identities))
        if readings is None:
            readings = _line_per_row(lines, len(rows), rows[0].width)
        if readings is None:
            return None
        for reading in readings:
            values = {code: t for row, tokens in zip(rows, reading.rows) for code, t in zip(row.codes, tokens)}
            if _holds(identities, values):
                fits.append((variant, rows, reading, identities))
        if len(fits) > 1:
            return None
    if len(fits) != 1:
        return None
    return _order_cells(*fits[0], label_cells)


def _line_per_row(lines: tuple, n_rows: int, width: int) -> list | None:
    """Return ``[the reading of each printed line as one row]`` when the lines print exactly that.

    Labels displaced from their figures (pdfplumber's text of a ruled PDF: ``9 0 0 0 0 0 9`` above
    its label's second line) leave the label reading short of rows, and a table of small counts
    has too many block readings to weigh; but a stream of exactly one line of ``width`` figures
    per row is read as printed, row by row (the identities still decide whether it fits).
    """
    units = prepare_units(lines, width)
    if len(units) != n_rows or any(len(unit) != width for unit in units):
        return None
    return [Reading(tuple(units), ((0, n_rows, ROWS),))]


def _variants(template: str, table_read, merged: tuple) -> list:
    """Return the merged-row sets to try: as read, and with each merged row the text allows."""
    # Labels printed apart from their figures may follow the last of them: the next segment's
    # labels (table 4's header) belong to the region too.
    region = table_read.segments[table_read.region[0]:table_read.region[1] + 1]
    text = label_key(" ".join(s.label_text for s in region))
    variants = [merged]
    for group in SCHEMA.merged_rows(template):
        if group.row_code in merged or label_key(group.label) not in text:
            continue
        subs = [r for r in SCHEMA.rows(template) if r.row_code in group.sub_rows]
        if not any(label_key(label) in text for row in subs for label in row.labels):
            variants.append(tuple(sorted(merged + (group.row_code,))))
    return variants


def _row_checker(rows: tuple, identities: tuple) -> Callable:
    """Return ``row_ok(index, tokens)``: the identities within one row hold (blanks prove nothing)."""
    own = []
    for row in rows:
        codes = set(row.codes)
        own.append((row.codes, tuple(i for i in identities if set(i.codes) <= codes)))

    def row_ok(index: int, tokens: tuple) -> bool:
        codes, checks = own[index]
        return _holds(checks, dict(zip(codes, tokens)))

    return row_ok


def _holds(identities: tuple, tokens: dict) -> bool:
    """Return True when every identity without a printed blank holds on the tokens' values."""
    for identity in identities:
        cells = [tokens.get(code) for code in identity.codes]
        if any(t is None or t.kind != "number" for t in cells):
            continue
        lhs = sum(tokens[c].value for c in identity.lhs)
        if abs(lhs - sum(tokens[c].value for c in identity.rhs)) > 1e-9:
            return False
    return True


def _describe(blocks: tuple, rows: tuple) -> str:
    """Say where the reading found each block: ``rows 5-13 (denied_state_secret..) column by column``."""
    parts = []
    for first, count, order in blocks:
        if order == COLUMNS:
            parts.append(f"rows {first + 1}-{first + count} ({rows[first].row_code}..{rows[first + count - 1].row_code}) "
                         "column by column")
    return "; ".join(parts) or "row by row"


def _order_cells(variant: tuple, rows: tuple, reading: Reading, identities: tuple, label_cells: dict) -> tuple:
    """Return ``(merged, cells, repairs, problems)`` of table 3 read in the reading's order."""
    where = _describe(reading.blocks, rows)
    names = ", ".join(sorted({i.name for i in identities}))
    cells, repairs = {}, []
    for row, tokens in zip(rows, reading.rows):
        for code, token in zip(row.codes, tokens):
            before = label_cells.get(code)
            if token.kind != "number":
                cells[code] = CellValue(code, None, token.kind, token.text)
            elif before is not None and before.status == "number" and before.value == token.value:
                cells[code] = before
            else:
                cells[code] = CellValue(code, token.value, "repaired", None)
                repairs.append(Repair(code, token.value, "value_order", (
                    f"table 3 prints its values in another order ({where}); of every reading as blocks of rows "
                    f"printed across or down the columns, only this one satisfies {names}: {code} = {token.value}")))
    skipped = f"; a lone number between rows was left out ({', '.join(t.text for t in reading.skipped)})" \
        if reading.skipped else ""
    problems = [Problem("table3.value_order", f"table 3 is read in the only order its identities allow: {where}{skipped}",
                        "warning")]
    return variant, cells, repairs, problems
