"""Evaluate the template's identities on a report's cells. This stage never changes a value.

Blank cells ("/", "—", printed empty) count as 0 in the sums, as the template's authors meant
them; a cell the layout lost (no value, status ``lost``) makes the identities it appears in
unevaluable (``passed`` is None).
"""

from __future__ import annotations

import math

from govreports.records import Check
from govreports.template import SCHEMA

LOST = "lost"
UNKNOWN = frozenset({LOST, "not_printed"})  # statuses whose cells have no number to sum


def check_identities(template: str, cells: dict, identities: tuple | None = None) -> tuple:
    """Return one :class:`Check` per identity of ``template``, evaluated on ``cells`` ({code: CellValue}).

    ``identities`` replaces the template's own (a report printing merged rows: ``cells`` then
    holds the merged rows' cells too).
    """
    # Each cell is in several identities: read its number (None if lost) once.
    numbers = {code: None if cell.status in UNKNOWN else cell.value or 0 for code, cell in cells.items()}
    checks, new_check = [], Check.fast
    for identity in identities or SCHEMA.identities(template):
        lhs, rhs = _numbers_sum(identity.lhs, numbers), _numbers_sum(identity.rhs, numbers)
        passed = None if lhs is None or rhs is None else math.isclose(lhs, rhs, abs_tol=1e-9)
        checks.append(new_check((identity.name, identity.scope, identity.lhs, identity.rhs, lhs, rhs, passed)))
    return tuple(checks)


def _numbers_sum(codes: tuple, numbers: dict) -> float | None:
    """Return the sum of the codes' numbers, None if one is missing from the report or lost."""
    try:
        return sum(map(numbers.get, codes))
    except TypeError:  # a None: the cell is missing from the report, or lost
        return None


def failed_checks(checks: tuple) -> tuple:
    """Return the checks that failed."""
    return tuple(c for c in checks if c.passed is False)


def unevaluable_checks(checks: tuple) -> tuple:
    """Return the checks a lost cell kept from being evaluated."""
    return tuple(c for c in checks if c.passed is None)


def report_status(checks: tuple, repairs: tuple) -> str:
    """Return ``invalid`` if an identity fails or cannot be evaluated, else ``repaired`` or ``valid``."""
    if failed_checks(checks) or unevaluable_checks(checks):
        return "invalid"
    return "repaired" if repairs else "valid"
