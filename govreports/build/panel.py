"""Cross-year checks across the panel of one agency's reports.

An agency's 上年结转 (``carried_over``) in year t equals its 结转下年度 (``carried_forward``) in
year t-1, column by column; and on the 2021 template, 表二's 现行有效件数 (``in_force``) in year t
equals last year's plus this year's 制发 (``issued``) minus 废止 (``repealed``). Before 2019 (the
2014 form), each cumulative figure (历年累计) in year t equals last year's plus this year's.
"""

from __future__ import annotations

from dataclasses import dataclass

from govreports.build.rows import agency_id
from govreports.records import Check, Report
from govreports.template import TABLE3_APPLICANT_COLUMNS, TABLE3_TOTAL_COLUMN
from govreports.template.pre2019_terms import FORM as PRE2019_FORM

TABLE2_STOCK_ROWS = ("rules", "normative_documents")
# Rows of the statistics table before 2019 whose cumulative figure carries over from year to year.
CUMULATIVE_ROWS = ("proactive_total", "requests_received", "answers_total", "answers_granted", "answers_partly",
                   "answers_refused", "reconsideration_total", "litigation_total")


PANEL_CODES = tuple(
    [f"table3.{row}.{column}" for row in ("carried_forward", "carried_over")
     for column in TABLE3_APPLICANT_COLUMNS + (TABLE3_TOTAL_COLUMN,)]
    + [f"table2.{row}.{column}" for row in TABLE2_STOCK_ROWS for column in ("in_force", "issued", "repealed")]
    + [f"stats.{row}.{column}" for row in CUMULATIVE_ROWS for column in ("year", "cumulative")]
)
_INDEX = {code: i for i, code in enumerate(PANEL_CODES)}


@dataclass(frozen=True, slots=True)
class PanelEntry:
    """What the cross-year checks need of one report (a build keeps one per report in memory).

    ``values`` holds :data:`PANEL_CODES` in order: a number (blank counts as 0), or None if lost.
    """

    report_id: str
    agency: str | None
    adcode: str | None
    year: int | None
    template: str | None
    values: tuple


def panel_summary(report_id: str, report: Report) -> PanelEntry:
    """Return the small :class:`PanelEntry` of a report."""
    cells = {c.code: c for c in report.cells}
    values = tuple(_value(cells, code) for code in PANEL_CODES)
    meta = report.metadata
    return PanelEntry(report_id, meta.agency, meta.adcode, meta.year, report.template, values)


def _value(cells: dict, code: str):
    cell = cells.get(code)
    if cell is None or cell.status in ("lost", "not_printed"):
        return None
    return cell.value or 0


def _get(entry: PanelEntry, code: str):
    return entry.values[_INDEX[code]]


def _check(identity: str, scope: str, lhs: tuple, rhs: tuple, lhs_values: list, rhs_values: list) -> Check:
    if None in lhs_values or None in rhs_values:
        return Check(identity, scope, lhs, rhs, None, None, None)
    left, right = sum(lhs_values), sum(rhs_values)
    return Check(identity, scope, lhs, rhs, left, right, abs(left - right) < 1e-9)


def carry_over_checks(previous: PanelEntry, current: PanelEntry) -> list:
    """Return the checks that this year's carried-over applications are last year's carried forward."""
    if PRE2019_FORM in (previous.template, current.template):
        return []  # the statistics table before 2019 prints no carry-over
    checks = []
    for column in TABLE3_APPLICANT_COLUMNS + (TABLE3_TOTAL_COLUMN,):
        last, this = f"table3.carried_forward.{column}", f"table3.carried_over.{column}"
        checks.append(_check("panel.carried_over", column, (f"{previous.report_id}:{last}",), (this,),
                             [_get(previous, last)], [_get(current, this)]))
    return checks


def in_force_checks(previous: PanelEntry, current: PanelEntry) -> list:
    """Return the checks that 表二's stock in force carries forward with this year's issued and repealed."""
    if previous.template != "2021" or current.template != "2021":
        return []
    checks = []
    for row in TABLE2_STOCK_ROWS:
        in_force, issued, repealed = (f"table2.{row}.{c}" for c in ("in_force", "issued", "repealed"))
        checks.append(_check("panel.in_force", row, (f"{previous.report_id}:{in_force}", issued), (in_force, repealed),
                             [_get(previous, in_force), _get(current, issued)],
                             [_get(current, in_force), _get(current, repealed)]))
    return checks


def cumulative_checks(previous: PanelEntry, current: PanelEntry) -> list:
    """Return the checks that each cumulative figure (历年累计) is last year's plus this year's (2014 form)."""
    if previous.template != PRE2019_FORM or current.template != PRE2019_FORM:
        return []
    checks = []
    for row in CUMULATIVE_ROWS:
        last, year, total = (f"stats.{row}.cumulative", f"stats.{row}.year", f"stats.{row}.cumulative")
        if _get(current, total) is None and _get(previous, last) is None:
            continue  # the row is printed in neither report
        checks.append(_check("panel.cumulative", row, (f"{previous.report_id}:{last}", year), (total,),
                             [_get(previous, last), _get(current, year)], [_get(current, total)]))
    return checks


def panel_checks(entries: list) -> list:
    """Return ``[(report_id, checks)]`` for each report whose agency also reported the year before.

    ``entries`` are :class:`PanelEntry` records. Agencies are matched on ``agency_id`` (normalised
    name and adcode, as the reports table keys them); a year with two reports for one agency is
    ambiguous and left unchecked (the build keeps one report per agency and year beforehand).
    """
    by_agency: dict = {}
    for entry in entries:
        if entry.agency and entry.year and entry.template:
            by_agency.setdefault(agency_id(entry.agency, entry.adcode), {}).setdefault(entry.year, []).append(entry)
    results = []
    for years in by_agency.values():
        for year in sorted(years):
            if len(years[year]) != 1 or len(years.get(year - 1, ())) != 1:
                continue
            previous, current = years[year - 1][0], years[year][0]
            checks = carry_over_checks(previous, current) + in_force_checks(previous, current)
            results.append((current.report_id, tuple(checks + cumulative_checks(previous, current))))
    return results
