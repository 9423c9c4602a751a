"""Read 表三's column header where it is printed, so that values are bound to columns by name.

The national template prints the applicant columns in one order (自然人, the five kinds of
法人或其他组织, 总计), in one header row or two (the group heading over its five columns). A
table printed with its columns in another order, headers and all, is read in the printed order:
each row's values are bound to the codes its header names. Where the header is not printed (or
not all of it, or a name twice) nothing changes: the template's order is assumed, and two whole
columns swapped there are invisible to the identities (see README, "What the parser cannot see").
"""

from __future__ import annotations

import re
from functools import cache

from govreports.errors import Problem
from govreports.template import SCHEMA
from govreports.template.terms import TABLE3_GROUP_HEADER, TABLE3_HEADER_START

GROUP = "group"


@cache
def _columns(template: str) -> tuple:
    """Return ``((column label, column code), ...)`` of 表三 in the template's order."""
    row = SCHEMA.rows(template, "table3")[0]
    return tuple((SCHEMA.cell(template, code).column_label_zh, code.rsplit(".", 1)[1]) for code in row.codes)


@cache
def _names_pattern(template: str) -> re.Pattern:
    names = [label for label, _code in _columns(template)] + [TABLE3_GROUP_HEADER]
    return re.compile("|".join(map(re.escape, sorted(names, key=len, reverse=True))))


def printed_column_order(template: str, header_text: str) -> tuple | None:
    """Return 表三's column codes in the order ``header_text`` prints them, or None if it does not.

    ``header_text`` is the label text before the first row's values. None when the header does
    not name every column exactly once (not printed, generic ``数据1..``, garbled).
    """
    start = header_text.rfind(TABLE3_HEADER_START)
    text = header_text[start:] if start >= 0 else header_text
    code_of = dict(_columns(template))
    code_of[TABLE3_GROUP_HEADER] = GROUP
    seen = [code_of[m.group()] for m in _names_pattern(template).finditer(text)]
    if len(set(seen)) != len(seen) or not set(code_of.values()) - {GROUP} <= set(seen):
        return None
    if GROUP not in seen:
        return None if _group_heading_unread(template, seen) else tuple(seen)
    return _two_level_order(template, seen)


def _group_heading_unread(template: str, seen: list) -> bool:
    """Return True when a two-row header's group heading was not read (a garbled OCR cell).

    The two ungrouped columns then come first and the five grouped ones after them, as a
    two-row header prints them; where the group heading stood among the first row's names is
    lost, so the columns' order cannot be told.
    """
    width = len(_columns(template)) - 2
    canonical = [code for _label, code in _columns(template)]
    ungrouped = {canonical[0], canonical[-1]}
    return set(seen[:-width]) == ungrouped and set(seen[-width:]) == set(canonical) - ungrouped


def _two_level_order(template: str, seen: list) -> tuple | None:
    """Return the order of a two-row header: the group heading's place holds its five columns.

    The first row prints the two ungrouped columns and the group heading, the second the
    five columns under it: the last five names printed.
    """
    width = len(_columns(template)) - 2  # the group heading spans all columns but two
    first, second = seen[:-width], seen[-width:]
    if GROUP in second or len(first) != 3:
        return None
    at = first.index(GROUP)
    return tuple(first[:at] + second + first[at + 1:])


def table3_order(template: str, reads: dict, problems: list) -> tuple | None:
    """Return 表三's column codes in printed order when its header reorders them, else None.

    None when the header is not printed or prints the template's order (the usual case).
    """
    first = reads.get("new_received")
    if first is None:
        return None
    order = printed_column_order(template, first.label)
    canonical = tuple(code for _label, code in _columns(template))
    if order is None or order == canonical:
        return None
    problems.append(Problem(
        "table3.columns_as_printed",
        f"table 3: the header prints the applicant columns in another order ({', '.join(order)}); "
        "every row's values were bound to the columns the header names",
        "warning",
    ))
    return order


def row_codes(row, order: tuple | None) -> tuple:
    """Return a row's codes in printed order: 表三's as its header orders them, others as the template's."""
    if order is None or row.table != "table3":
        return row.codes
    return tuple(f"table3.{row.row_code}.{column}" for column in order)
