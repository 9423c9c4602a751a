"""Evaluate the template's identities on a report's cells. This stage never changes a value.

Blank cells ("/", "—", printed empty) count as 0 in the sums, as the template's authors meant
them; a cell the layout lost (no value, status ``lost``) makes the identities it appears in
unevaluable (``passed`` is None).
"""

from __future__ import annotations

import math

from govreports.records import CellValue, Check
from govreports.schema import SCHEMA

LOST = "lost"


def side_sum(codes: tuple, cells: dict) -> float | None:
    """Return the sum of ``codes`` over ``cells`` (blank = 0), or None if one was lost."""
    total = 0
    for code in codes:
        cell: CellValue | None = cells.get(code)
        if cell is None or cell.status == LOST:
            return None
        total += cell.value or 0
    return total


def check_identities(template: str, cells: dict) -> tuple:
    """Return one :class:`Check` per identity of ``template``, evaluated on ``cells`` ({code: CellValue})."""
    checks = []
    for identity in SCHEMA.identities(template):
        lhs, rhs = side_sum(identity.lhs, cells), side_sum(identity.rhs, cells)
        passed = None if lhs is None or rhs is None else math.isclose(lhs, rhs, abs_tol=1e-9)
        checks.append(Check(identity.name, identity.scope, identity.lhs, identity.rhs, lhs, rhs, passed))
    return tuple(checks)


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
