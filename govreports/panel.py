"""Cross-year checks across the panel of one agency's reports.

An agency's 上年结转 (``carried_over``) in year t equals its 结转下年度 (``carried_forward``) in
year t-1, column by column; and on the 2021 template, 表二's 现行有效件数 (``in_force``) in year t
equals last year's plus this year's 制发 (``issued``) minus 废止 (``repealed``).
"""

from __future__ import annotations

from dataclasses import replace

from govreports.records import Check, Report
from govreports.schema import TABLE3_APPLICANT_COLUMNS, TABLE3_TOTAL_COLUMN

TABLE2_STOCK_ROWS = ("rules", "normative_documents")


def _value(cells: dict, code: str):
    cell = cells.get(code)
    if cell is None or cell.status == "lost":
        return None
    return cell.value or 0


def _check(identity: str, scope: str, lhs: tuple, rhs: tuple, lhs_values: list, rhs_values: list) -> Check:
    if None in lhs_values or None in rhs_values:
        return Check(identity, scope, lhs, rhs, None, None, None)
    left, right = sum(lhs_values), sum(rhs_values)
    return Check(identity, scope, lhs, rhs, left, right, abs(left - right) < 1e-9)


def carry_over_checks(previous_id: str, previous: Report, current: Report) -> list:
    """Return the checks that this year's carried-over applications are last year's carried forward."""
    before = {c.code: c for c in previous.cells}
    now = {c.code: c for c in current.cells}
    checks = []
    for column in TABLE3_APPLICANT_COLUMNS + (TABLE3_TOTAL_COLUMN,):
        last = f"table3.carried_forward.{column}"
        this = f"table3.carried_over.{column}"
        checks.append(_check("panel.carried_over", column, (f"{previous_id}:{last}",), (this,),
                             [_value(before, last)], [_value(now, this)]))
    return checks


def in_force_checks(previous_id: str, previous: Report, current: Report) -> list:
    """Return the checks that 表二's stock in force carries forward with this year's issued and repealed."""
    if previous.template != "2021" or current.template != "2021":
        return []
    before = {c.code: c for c in previous.cells}
    now = {c.code: c for c in current.cells}
    checks = []
    for row in TABLE2_STOCK_ROWS:
        last, issued = f"table2.{row}.in_force", f"table2.{row}.issued"
        this, repealed = f"table2.{row}.in_force", f"table2.{row}.repealed"
        checks.append(_check("panel.in_force", row, (f"{previous_id}:{last}", issued), (this, repealed),
                             [_value(before, last), _value(now, issued)], [_value(now, this), _value(now, repealed)]))
    return checks


PANEL_ROWS = ("table3.carried_forward.", "table3.carried_over.") + tuple(f"table2.{r}." for r in TABLE2_STOCK_ROWS)


def panel_summary(report: Report) -> Report:
    """Return the report with only what the panel checks need (keeps a large build's memory small)."""
    cells = tuple(c for c in report.cells if c.code.startswith(PANEL_ROWS))
    return replace(report, cells=cells, checks=(), repairs=(), errors=())


def panel_checks(reports: list) -> list:
    """Return ``[(report_id, checks)]`` for each report whose agency also reported the year before.

    ``reports`` is a list of ``(report_id, Report)``. Agencies are matched on name and adcode;
    a year with two reports for one agency is ambiguous and left unchecked.
    """
    by_agency: dict = {}
    for report_id, report in reports:
        meta = report.metadata
        if meta.agency and meta.year and report.template:
            by_agency.setdefault((meta.agency, meta.adcode), {}).setdefault(meta.year, []).append((report_id, report))
    results = []
    for years in by_agency.values():
        for year in sorted(years):
            if len(years[year]) != 1 or len(years.get(year - 1, ())) != 1:
                continue
            (previous_id, previous), (current_id, current) = years[year - 1][0], years[year][0]
            checks = carry_over_checks(previous_id, previous, current) + in_force_checks(previous_id, previous, current)
            results.append((current_id, tuple(checks)))
    return results
