"""Manual corrections, the reproducible way: a CSV applied in the build, never edits of raw files.

``data/corrections.csv`` has one row per corrected cell: ``source`` (the report file, relative to
the raw folder), ``code`` (a cell code), ``value`` (the number, or empty for null), ``who`` and
``why``. A corrected cell keeps the status ``corrected`` in the dataset, and the report's
identities are checked again with the corrected values.
"""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass, replace
from pathlib import Path, PurePosixPath

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
    """One researcher's correction of one cell of one report (``line``: its line in the CSV)."""

    source: str
    code: str
    value: float | None
    who: str
    why: str
    line: int = 0


def read_corrections(path: str | Path) -> list:
    """Read and check a corrections CSV; raise :class:`CorrectionsError` listing every bad row.

    A missing file means no corrections. UTF-8 with or without a byte-order mark (Excel's
    "CSV UTF-8") is read; any other encoding is refused with a message saying so.
    """
    path = Path(path)
    if not path.exists():
        return []
    rows, fieldnames = _read_rows(path)
    missing = [c for c in COLUMNS if c not in fieldnames]
    if missing:
        raise CorrectionsError(f"{path}: missing column(s) {', '.join(missing)}; expected {', '.join(COLUMNS)}")
    known = {code for template in TEMPLATES for code in SCHEMA.codes(template)}
    corrections, problems = [], []
    for number, row in rows:
        problem = _row_problem(row, known)
        if problem:
            problems.append(f"line {number}: {problem}")
            continue
        value = parse_number(row["value"].strip()) if row["value"].strip() else None
        corrections.append(Correction(row["source"].strip(), row["code"].strip(), value, row["who"].strip(),
                                      row["why"].strip(), number))
    problems.extend(_conflicts(corrections))
    if problems:
        raise CorrectionsError(f"{path} has {len(problems)} invalid row(s):\n- " + "\n- ".join(problems))
    return corrections


def _read_rows(path: Path) -> tuple:
    """Return ``([(line number, row dict)], field names)`` of a UTF-8 CSV (a BOM is dropped)."""
    try:
        text = path.read_text(encoding="utf-8-sig")
    except UnicodeDecodeError as exc:
        raise CorrectionsError(f"{path}: not UTF-8 (byte {exc.object[exc.start]:#04x} at offset {exc.start} "
                               "cannot be read); save it as UTF-8 (in Excel: \"CSV UTF-8\")") from exc
    reader = csv.DictReader(io.StringIO(text, newline=""))
    rows = [(reader.line_num, row) for row in reader]
    return rows, [name.strip() for name in reader.fieldnames or []]


def _conflicts(corrections: list) -> list:
    """Return a problem for each correction of a cell that an earlier row corrects to another value."""
    first: dict = {}
    problems = []
    for correction in corrections:
        key = (correction.source, correction.code)
        earlier = first.setdefault(key, correction)
        if earlier is not correction and earlier.value != correction.value:
            problems.append(f"line {correction.line}: {correction.code} of {correction.source} is corrected to "
                            f"{correction.value} here and to {earlier.value} on line {earlier.line}; keep one")
    return problems


def check_sources(corrections: list, sources: list, path: str | Path) -> None:
    """Raise :class:`CorrectionsError` for every correction whose source is not a file of the raw folder.

    A source written with another case or a leading ``./`` is named with the file it resembles.
    """
    present = set(sources)
    near = {_loose(s): s for s in sources}
    problems = []
    for correction in corrections:
        if correction.source in present:
            continue
        guess = near.get(_loose(correction.source))
        hint = f" (did you mean {guess!r}?)" if guess else ""
        problems.append(f"line {correction.line}: source {correction.source!r} is not a file of the raw folder{hint}")
    if problems:
        raise CorrectionsError(f"{path} has {len(problems)} invalid row(s):\n- " + "\n- ".join(problems))


def _loose(source: str) -> str:
    """Return a source path as a loose key: case folded, backslashes and leading ``./`` dropped."""
    return PurePosixPath(source.replace("\\", "/")).as_posix().removeprefix("./").casefold()


def _row_problem(row: dict, known: set) -> str | None:
    if None in row:  # more fields than columns: DictReader puts the rest under the key None
        return (f"{len(COLUMNS) + len(row[None])} fields where {len(COLUMNS)} are expected; a number written "
                'with a thousands separator must be quoted ("6,454") or written without it')
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

    A correction naming a cell the report's template does not have (a code of the other
    template) is not applied: it is recorded as a warning on the report, and the build goes on.
    """
    if not corrections or report.template is None:
        return report
    cells = {c.code: c for c in report.cells}
    notes = []
    for correction in corrections:
        if correction.code not in cells:
            notes.append(Problem("cell.correction_not_applied", f"correction on line {correction.line} not applied: "
                                 f"{correction.code} is not a cell of template {report.template}", "warning"))
            continue
        cells[correction.code] = CellValue(correction.code, correction.value, "corrected", None)
        notes.append(Problem("cell.corrected", f"{correction.code} set to {correction.value} by "
                             f"{correction.who}: {correction.why}", "warning"))
    checks = validate.check_identities(report.template, cells)
    status = validate.report_status(checks, report.repairs)
    return replace(report, status=status, cells=tuple(cells.values()), checks=checks,
                   errors=report.errors + tuple(notes))
