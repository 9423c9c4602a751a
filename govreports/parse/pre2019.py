"""Reports from before the national template (2008-2018): the statistics table and the sentences.

Many reports of 2009-2018 append a 《政府信息公开情况统计表》 whose rows print a label, a unit and
one or two values (this year, and cumulative since 2008); crawlers often run the row's values
together (``受理…条728``: 7 this year, 28 cumulative) and glue the next row's item number to them.
This module finds the form's labels anywhere in the text (:func:`table_rows`), reads each row's
values, and splits a run of digits only when the form's own checks make the split unique
(:func:`solve_rows`): no leading zeros, this year never above the cumulative figure, and every
parent row equal to the sum of its printed children (channels to applications received, answers
by type to applications answered, results to reconsiderations) in each column. A split the
checks cannot settle leaves the cells null (``lost``).

The narrative's stated figures (:func:`stated_figures`) are checked against the table, a
disagreement reported with both figures; a report without a table gets its core figures from
the sentences (status ``stated``), which nothing can check (report status ``unchecked``).
"""

from __future__ import annotations

import itertools
import re
from dataclasses import dataclass
from functools import cache

from govreports.errors import Problem
from govreports.records import CellValue, Check, Repair
from govreports.template import pre2019_terms as terms
from govreports.template.pre2019 import COLUMNS, children, codes, stat_row, stat_rows
from govreports.template.vocabulary import CellStatus, RepairKind, ReportStatus

MAX_COMBINATIONS = 200_000  # a group of rows whose splits multiply past this is left unsolved
_ITEM_AT_END = re.compile(r"(?:" + terms.OF_WHICH + r"\s*:?\s*)?(?:" + terms.ITEM_NUMBER + r")?\s*$")
_GLUED_ITEM = re.compile(r"(\d+)\s*[、.]\s*$")
_VALUE_TEXT = re.compile(r"^[\s:]*(?P<unit>" + "|".join(sorted(map(re.escape, (*terms.MONEY_UNITS, *terms.COUNT_UNITS)),
                                                              key=len, reverse=True)) + r")?\s*(?P<values>[\d\s.,-]*)")
_NUMBER = re.compile(r"-?\d+(?:\.\d+)?")


@dataclass(frozen=True)
class PrintedRow:
    """One row of the statistics table as printed: its code, the label, its unit and value texts."""

    row_code: str
    label: str
    unit: str | None
    values: tuple  # the value texts, as printed (a run of digits may hold both columns)


@dataclass(frozen=True)
class Pre2019Read:
    """What was read of a pre-2019 report: the cells, checks, repairs and problems."""

    cells: tuple
    checks: tuple
    repairs: tuple
    problems: tuple
    status: str
    has_table: bool


# ----------------------------------------------------------------------------------------
# Finding the table and its rows


def is_pre2019(text: str, year: int | None) -> bool:
    """Return True for a report of the era before the 2019 template (by its year or its words)."""
    if year is not None:
        return year < 2019
    return any(word in text for word in terms.ERA_WORDS)


def table_region(text: str) -> tuple:
    """Return ``(start, end)`` of the statistics table in the text, or None when it prints none."""
    header = text.find(terms.HEADER_WORDS[0])
    start = header if header >= 0 else text.rfind(terms.TABLE_TITLE)
    if start < 0:
        return None
    ends = [i for i in (text.find(word, start) for word in terms.TABLE_END_WORDS) if i > start]
    return start, min(ends) if ends else len(text)


@cache
def _label_pattern() -> re.Pattern:
    """Return one pattern matching every label variant, longest first (so 行政复议数量 beats 行政复议数)."""
    labels = sorted({label for row in stat_rows() for label in row.labels}, key=len, reverse=True)
    return re.compile("|".join(re.escape(label) for label in labels))


@cache
def _rows_by_label() -> dict:
    found: dict = {}
    for row in stat_rows():
        for label in row.labels:
            found.setdefault(label, []).append(row.row_code)
    return found


def has_cumulative_column(table: str) -> bool:
    """Return True when the table's header names a cumulative column (历年累计)."""
    head = table[:200]
    return any(word in head for word in terms.CUMULATIVE_HEADERS)


def table_rows(table: str) -> list:
    """Return the :class:`PrintedRow` s of a statistics table, in printed order."""
    matches = list(_label_pattern().finditer(table))
    rows, parent, item = [], None, 0
    for index, match in enumerate(matches):
        end = matches[index + 1].start() if index + 1 < len(matches) else len(table)
        text = table[match.end():end]
        row_code = _row_code(match.group(), parent)
        if stat_row(row_code).parent:
            item += 1  # the row's number in its parent's "其中" list
        else:
            parent, item = row_code, 0
        value_text, unit = _value_text(text, item)
        rows.append(PrintedRow(row_code, match.group(), unit, value_text))
    return rows


def _row_code(label: str, parent: str | None) -> str:
    """Return the row a label names; a label several rows share (其他情形数) belongs to the current parent."""
    candidates = _rows_by_label()[label]
    for code in candidates:
        if stat_row(code).parent and stat_row(code).parent == parent:
            return code
    return candidates[0]


def _value_text(text: str, item: int) -> tuple:
    """Return ``(value texts, unit)`` printed after a label, the next row's item number cut off."""
    text = _strip_next_item(text, item + 1)
    match = _VALUE_TEXT.match(text)
    values = tuple(match.group("values").split()) if match else ()
    return values, match.group("unit") if match else None


def _strip_next_item(text: str, expected: int) -> str:
    """Cut the next row's "其中:" and item number ("2、", "2.") from the end, even when glued to digits."""
    glued = _GLUED_ITEM.search(text)
    if glued and glued.group(1).endswith(str(expected)) and glued.group(1) != str(expected):
        return text[:glued.start(1) + len(glued.group(1)) - len(str(expected))]
    return _ITEM_AT_END.sub("", text, count=1)


# ----------------------------------------------------------------------------------------
# Reading each row's values, and splitting runs the checks settle


def row_candidates(row: PrintedRow, width: int) -> list:
    """Return the possible readings of a row: tuples of ``width`` numbers (None where not printed).

    Each reading is ``(values, split)``: ``split`` is True when a run of digits was cut in two.
    """
    numbers = [t for t in row.values if _NUMBER.fullmatch(t)]
    if not numbers:
        return [((None,) * width, False)]
    if len(numbers) == width:
        return [(tuple(_number(t) for t in numbers), False)]
    if len(numbers) == 1 and width == 2:
        return [(pair, True) for pair in _pairs(numbers[0])]
    return []


def _pairs(run: str) -> list:
    """Return the ways to cut a digit run into (this year, cumulative): no leading zero, this <= cumulative."""
    pairs = []
    for cut in range(1, len(run)):
        left, right = run[:cut], run[cut:]
        if _leading_zero(left) or _leading_zero(right):
            continue
        if int(left) <= int(right):
            pairs.append((int(left), int(right)))
    return pairs


def _leading_zero(digits: str) -> bool:
    return len(digits) > 1 and digits.startswith("0")


def _number(text: str):
    value = float(text)
    return int(value) if value.is_integer() and "." not in text else value


def _groups(printed: dict) -> list:
    """Return ``(parent, printed children)`` for every parent printed with at least one child."""
    return [(parent, tuple(c for c in children(parent) if c in printed))
            for parent in printed if any(c in printed for c in children(parent))]


def _parts(printed: dict) -> list:
    """Return ``(parent, printed parts)`` for every parent printed with rows that are each at most it."""
    return [(parent, tuple(c for c in children(parent, "part") if c in printed))
            for parent in printed if any(c in printed for c in children(parent, "part"))]


def _within(values: dict, parts: list, width: int) -> bool:
    for parent, kids in parts:
        for kid in kids:
            if parent in values and kid in values:
                for column in range(width):
                    total, part = values[parent][column], values[kid][column]
                    if total is not None and part is not None and part > total:
                        return False
    return True


def _holds(values: dict, groups: list, width: int) -> bool:
    for parent, kids in groups:
        if any(c not in values for c in (parent, *kids)):
            continue
        for column in range(width):
            total = values[parent][column]
            parts = [values[c][column] for c in kids]
            if total is not None and None not in parts and abs(total - sum(parts)) > 1e-9:
                return False
    return True


def narrow_by_text(printed: dict, stated: dict) -> tuple:
    """Keep, of a run-together row's splits, the one whose this-year figure the narrative states.

    Only when exactly one split matches the stated figure: a text that states another figure
    leaves the row as it was (and is reported as disagreeing). Returns ``(printed, narrowed rows)``.
    """
    narrowed, out = set(), dict(printed)
    for row_code, options in printed.items():
        if len(options) > 1 and row_code in stated:
            matching = [o for o in options if o[0][0] == stated[row_code]]
            if len(matching) == 1:
                out[row_code], narrowed = matching, narrowed | {row_code}
    return out, narrowed


def solve_rows(printed: dict, width: int) -> tuple:
    """Return ``(values, split rows, unsolved rows)``: each row's values where they are unique.

    ``printed`` maps row codes to their candidate readings. Rows with one reading are taken as
    they are; the others are solved against the parent = sum of children checks, and a row keeps
    a reading only when every combination that passes the checks gives it the same one.
    """
    split_rows = {r for r, c in printed.items() if len(c) == 1 and c[0][1]}
    fixed = {r: c[0][0] for r, c in printed.items() if len(c) == 1}
    open_rows = [r for r, c in printed.items() if len(c) > 1]
    if not open_rows:
        return fixed, split_rows, {r for r, c in printed.items() if not c}
    groups, parts = _groups(printed), _parts(printed)
    options = [printed[r] for r in open_rows]
    if _product_size(options) > MAX_COMBINATIONS:
        return fixed, split_rows, set(open_rows) | {r for r, c in printed.items() if not c}
    agreed: dict = {}
    for combination in itertools.product(*options):
        values = {**fixed, **{r: c[0] for r, c in zip(open_rows, combination)}}
        if not _holds(values, groups, width) or not _within(values, parts, width):
            continue
        for row, (reading, _split) in zip(open_rows, combination):
            agreed.setdefault(row, set()).add(reading)
    solved = {r: next(iter(v)) for r, v in agreed.items() if len(v) == 1}
    unsolved = (set(open_rows) - set(solved)) | {r for r, c in printed.items() if not c}
    return {**fixed, **solved}, split_rows | set(solved), unsolved


def _product_size(options: list) -> int:
    size = 1
    for option in options:
        size *= len(option)
    return size


# ----------------------------------------------------------------------------------------
# Sentences


def stated_figures(text: str) -> dict:
    """Return ``{row code: number}`` for the figures the narrative states (the first statement of each)."""
    stated = {}
    for row_code, pattern in terms.NONE_RECEIVED.items():
        if re.search(pattern, text):
            stated[row_code] = 0
    for row_code, patterns in terms.SENTENCE_PATTERNS.items():
        found = [m for p in patterns for m in re.finditer(p, text)]
        if found:
            stated[row_code] = int(min(found, key=lambda m: m.start()).group("n"))
    return stated


# ----------------------------------------------------------------------------------------
# The report


def read_pre2019(text: str) -> Pre2019Read:
    """Read a pre-2019 report's statistics table and stated figures into cells and checks."""
    region = table_region(text)
    table = text[region[0]:region[1]] if region else ""
    narrative = text[:region[0]] + text[region[1]:] if region else text
    stated = stated_figures(narrative)
    rows = table_rows(table) if table else []
    if not rows:
        return _from_sentences(stated)
    width = 2 if has_cumulative_column(table) else 1
    printed, narrowed = narrow_by_text({row.row_code: row_candidates(row, width) for row in rows}, stated)
    values, split, unsolved = solve_rows(printed, width)
    cells, repairs = _table_cells(rows, values, split, unsolved, width, narrowed)
    checks = _identity_checks(values, printed, width) + _narrative_checks(stated, values)
    problems = _problems(unsolved, checks, rows, printed)
    status = _status(checks, unsolved, repairs)
    return Pre2019Read(tuple(cells.values()), tuple(checks), tuple(repairs), tuple(problems), status, True)


def _unprinted_cells() -> dict:
    """Return every cell of the form as ``not_printed``: what a report prints is filled in after."""
    return {code: CellValue(code, None, CellStatus.NOT_PRINTED.value, None) for code in codes()}


def _table_cells(rows: list, values: dict, split: set, unsolved: set, width: int, narrowed: set) -> tuple:
    cells = _unprinted_cells()
    repairs = []
    raw = {row.row_code: " ".join(row.values) for row in rows}
    for row_code in {row.row_code for row in rows}:
        row = stat_row(row_code)
        for index, column in enumerate(COLUMNS[:width]):
            code = row.code(column)
            if row_code in unsolved:
                cells[code] = CellValue(code, None, CellStatus.LOST.value, raw[row_code] or None)
                continue
            value = values[row_code][index]
            status = CellStatus.BLANK.value if value is None else CellStatus.NUMBER.value
            if row_code in split and value is not None:
                status = CellStatus.REPAIRED.value
                settled_by = ("the narrative's stated this-year figure" if row_code in narrowed
                              else "every parent = sum of its printed children (each part at most its parent)")
                repairs.append(Repair(code, value, RepairKind.RUN_TOGETHER.value,
                                      f"row {row.labels[0]!r} prints {raw[row_code]!r} for this year and cumulative; "
                                      "the only split with no leading zero, this year <= cumulative and "
                                      f"{settled_by} gives {code} = {value}"))
            cells[code] = CellValue(code, value, status, raw[row_code] or None)
    return cells, repairs


def _identity_checks(values: dict, printed: dict, width: int) -> list:
    checks = []
    for parent, kids in _groups(printed):
        for index, column in enumerate(COLUMNS[:width]):
            lhs = tuple(stat_row(k).code(column) for k in kids)
            rhs = (stat_row(parent).code(column),)
            parts = [values.get(k, (None,) * width)[index] for k in kids]
            total = values.get(parent, (None,) * width)[index]
            if total is None or None in parts:
                checks.append(Check(f"{terms.FORM}.children_sum", f"{parent}.{column}", lhs, rhs, None, None, None))
                continue
            checks.append(Check(f"{terms.FORM}.children_sum", f"{parent}.{column}", lhs, rhs, sum(parts), total,
                                abs(sum(parts) - total) < 1e-9))
    return checks


# Rows a variant prints combined, for comparing a stated figure with the table.
_COMBINED = {"requests_letter": "requests_letter_fax", "requests_fax": "requests_letter_fax"}


def _narrative_checks(stated: dict, values: dict) -> list:
    """Return a check per stated figure: against the table's this-year figure, or not printed there."""
    checks = []
    for row_code, figure in stated.items():
        target = row_code if row_code in values else _COMBINED.get(row_code)
        code = stat_row(row_code).code("year")
        if target not in values:
            checks.append(Check(f"narrative.{row_code}", "text", ("stated_in_text",), (code,), figure, None, False))
            continue
        table_value = values[target][0]
        passed = None if table_value is None else abs(table_value - figure) < 1e-9
        checks.append(Check(f"narrative.{row_code}", "text", ("stated_in_text",), (stat_row(target).code("year"),),
                            figure, table_value, passed))
    return checks


def _problems(unsolved: set, checks: list, rows: list, printed: dict) -> list:
    problems = []
    labels = {row.row_code: row.label for row in rows}
    for row_code in sorted(unsolved):
        problems.append(Problem("stats.split_ambiguous" if printed[row_code] else "stats.unreadable",
                                f"statistics table: row {labels[row_code]!r}: its printed values "
                                + ("run together and no check settles the split; left null" if printed[row_code]
                                   else "cannot be read; left null")))
    for check in checks:
        if check.passed is False and check.identity.startswith("narrative."):
            table = "not printed in the table" if check.rhs_value is None else f"the table prints {check.rhs_value}"
            problems.append(Problem("narrative.disagrees", f"source anomaly: the text states {check.identity[10:]} = "
                                    f"{check.lhs_value}, {table}", "warning"))
        elif check.passed is False:
            problems.append(Problem("identity.failed", f"source anomaly: {check.scope}: the printed children sum to "
                                    f"{check.lhs_value}, the table prints {check.rhs_value}"))
    return problems


def _status(checks: list, unsolved: set, repairs: list) -> str:
    table_checks = [c for c in checks if not c.identity.startswith("narrative.")]
    if unsolved or any(c.passed is False for c in table_checks):
        return ReportStatus.INVALID.value
    if not table_checks:
        return ReportStatus.UNCHECKED.value
    return ReportStatus.REPAIRED.value if repairs else ReportStatus.VALID.value


def _from_sentences(stated: dict) -> Pre2019Read:
    """A report with no statistics table: its stated figures, which nothing checks."""
    cells = _unprinted_cells()
    for row_code, figure in stated.items():
        code = stat_row(row_code).code("year")
        cells[code] = CellValue(code, figure, CellStatus.STATED.value, None)
    problems = (Problem("stats.sentences_only", "no statistics table: figures read from the narrative's sentences, "
                        "which no identity can check", "warning"),) if stated else ()
    status = ReportStatus.UNCHECKED.value if stated else ReportStatus.FAILED.value
    if not stated:
        problems = (Problem("tables.not_found", "a report from before the 2019 template with neither a statistics "
                            "table nor stated figures about applications"),)
    return Pre2019Read(tuple(cells.values()), (), (), problems, status, False)
