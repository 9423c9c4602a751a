"""Manual corrections, the reproducible way: a CSV applied in the build, never edits of raw files.

``data/corrections.csv`` has one row per corrected cell: ``source`` (the report file, relative to
the raw folder), ``code`` (a cell code), ``value`` (the number, or empty for null), ``who`` and
``why``. A corrected cell keeps the status ``corrected`` in the dataset, and the report's
identities are checked again with the corrected values.
"""

from __future__ import annotations

import csv
from dataclasses import dataclass, replace
from pathlib import Path

from govreports.errors import GovReportsError, Problem
from govreports.parse import checks as validate
from govreports.parse.rows import parse_number
from govreports.records import CellValue, Report
from govreports.template import SCHEMA, TEMPLATES

COLUMNS = ("source", "code", "value", "who", "why")


class CorrectionsError(GovReportsError):
    """The corrections file is malformed; the message lists every problem found."""


@dataclass(frozen=True)
class Correction:
    """One researcher's correction of one cell of one report."""

    source: str
    code: str
    value: float | None
    who: str
    why: str


def read_corrections(path: str | Path) -> list:
    """Read and check a corrections CSV; raise :class:`CorrectionsError` listing every bad row.

    A missing file means no corrections.
    """
    path = Path(path)
    if not path.exists():
        return []
    with path.open(encoding="utf-8", newline="") as handle:
        reader = csv.DictReader(handle)
        missing = [c for c in COLUMNS if c not in (reader.fieldnames or [])]
        if missing:
            raise CorrectionsError(f"{path}: missing column(s) {', '.join(missing)}; expected {', '.join(COLUMNS)}")
        rows = list(reader)
    known = {code for template in TEMPLATES for code in SCHEMA.codes(template)}
    corrections, problems = [], []
    for number, row in enumerate(rows, start=2):
        problem = _row_problem(row, known)
        if problem:
            problems.append(f"line {number}: {problem}")
            continue
        value = parse_number(row["value"].strip()) if row["value"].strip() else None
        corrections.append(Correction(row["source"].strip(), row["code"].strip(), value, row["who"].strip(), row["why"].strip()))
    if problems:
        raise CorrectionsError(f"{path} has {len(problems)} invalid row(s):\n- " + "\n- ".join(problems))
    return corrections


def _row_problem(row: dict, known: set) -> str | None:
    if not (row.get("source") or "").strip():
        return "empty source"
    if (row.get("code") or "").strip() not in known:
        return f"unknown cell code {row.get('code')!r}"
    value = (row.get("value") or "").strip()
    if value and parse_number(value) is None:
        return f"value {value!r} is not a number"
    if not (row.get("who") or "").strip() or not (row.get("why") or "").strip():
        return "who and why are required"
    return None


def apply_corrections(report: Report, corrections: list) -> Report:
    """Return the report with ``corrections`` applied and its identities checked again.

    Raises:
        CorrectionsError: a correction names a cell that is not in the report's template.
    """
    if not corrections or report.template is None:
        return report
    cells = {c.code: c for c in report.cells}
    notes = []
    for correction in corrections:
        if correction.code not in cells:
            raise CorrectionsError(f"correction for {correction.source}: {correction.code} is not a cell of "
                                   f"template {report.template}")
        cells[correction.code] = CellValue(correction.code, correction.value, "corrected", None)
        notes.append(Problem("cell.corrected", f"{correction.code} set to {correction.value} by "
                             f"{correction.who}: {correction.why}", "warning"))
    checks = validate.check_identities(report.template, cells)
    status = validate.report_status(checks, report.repairs)
    return replace(report, status=status, cells=tuple(cells.values()), checks=checks,
                   errors=report.errors + tuple(notes))
