"""Render parsed reports for people: the readable summary ``govreports parse`` prints."""

from __future__ import annotations

from govreports.records import Report
from govreports.template import SCHEMA
from govreports.template.pre2019 import COLUMNS, stat_rows
from govreports.template.pre2019_terms import FORM as PRE2019_FORM


def _format_value(cell) -> str:
    if cell.status == "lost":
        return "?"
    if cell.value is None:
        return "/"
    text = f"{cell.value:g}" if isinstance(cell.value, float) else str(cell.value)
    return text + ("*" if cell.status == "repaired" else "")


def _table_lines(report: Report, table: str) -> list:
    cells = {c.code: c for c in report.cells}
    lines = []
    for row in SCHEMA.rows(report.template, table):
        values = [_format_value(cells[code]) for code in row.codes]
        if table == "table4":
            for start in range(0, len(row.codes), 5):
                group = row.codes[start].split(".")[1]
                lines.append(f"  {group:<34}" + "".join(f"{v:>8}" for v in values[start:start + 5]))
        else:
            lines.append(f"  {row.row_code:<34}" + "".join(f"{v:>8}" for v in values))
    return lines


def _stats_lines(report: Report) -> list:
    cells = {c.code: c for c in report.cells}
    lines = []
    for row in stat_rows():
        printed = [cells.get(row.code(column)) for column in COLUMNS]
        if all(c is None or c.status == "not_printed" for c in printed):
            continue
        values = ["" if c is None or c.status == "not_printed" else _format_value(c) for c in printed]
        lines.append(f"  {row.row_code:<34}" + "".join(f"{v:>8}" for v in values))
    return lines


def summarise(report: Report) -> str:
    """Return a report as readable text: metadata, the three tables, checks, repairs and problems."""
    meta = report.metadata
    head = f"== {report.source}: {report.status}" + (f" (template {report.template})" if report.template else "")
    place = "/".join(p for p in (meta.province, meta.prefecture, meta.county) if p) or "?"
    lines = [
        head,
        f"agency: {meta.agency or '?'} | year: {meta.year or '?'} | published: {meta.published or '?'}",
        f"place: {place} ({meta.adcode or '?'}) | level: {meta.level or '?'} | kind: {meta.kind or '?'}",
    ]
    if report.template == PRE2019_FORM:
        lines.append("statistics table (this year, cumulative since 2008)")
        lines.extend(_stats_lines(report))
    elif report.template:
        for table, title in (("table2", "table 2 (proactive disclosure)"),
                             ("table3", "table 3 (applications: natural person, 5 kinds of organisation, total)"),
                             ("table4", "table 4 (upheld, corrected, other, pending, total)")):
            lines.append(title)
            lines.extend(_table_lines(report, table))
        failed = sum(c.passed is False for c in report.checks)
        open_checks = sum(c.passed is None for c in report.checks)
        lines.append(f"checks: {len(report.checks) - failed - open_checks} passed, {failed} failed, "
                     f"{open_checks} unevaluable (/ = blank, ? = lost, * = repaired)")
    for repair in report.repairs:
        lines.append(f"repair: {repair.code} = {repair.value} ({repair.kind}): {repair.evidence}")
    for problem in report.errors:
        lines.append(f"{problem.severity}: {problem.message}")
    return "\n".join(lines)
