"""Turn parsed reports into the dataset's tables and write them as CSV and Parquet.

A build's workers turn each chunk of reports into Arrow tables, column by column (the cell
codes and the identities repeat, so they are taken from small dictionaries rather
than converted row by row), and format the chunk's CSV lines themselves. The writing process then
only appends bytes to each CSV file and Arrow tables to each Parquet file, so it keeps up with
any number of workers. Both formats are written by Arrow: the same values give the same bytes
whichever process made them.
"""

from __future__ import annotations

import fnmatch
import hashlib
import re
import unicodedata
from dataclasses import dataclass, field
from functools import lru_cache

import pyarrow as pa
import pyarrow.csv as pa_csv

from govreports.build.resources import table_schema
from govreports.records import Report
from govreports.template import SCHEMA, TEMPLATES, pre2019
from govreports.template.fields import REPORT_TOTALS, TABLE4_TOTALS, TABLE_COLUMNS
from govreports.template.metadata_terms import ZONE_SUFFIX
from govreports.template.scope_terms import ZONE_COMMITTEE
from govreports.template.vocabulary import Scope


def table_from_rows(name: str, rows: list) -> pa.Table:
    """Return an Arrow table from rows (tuples in the table's column order)."""
    schema = table_schema(name)
    if not rows:
        return schema.empty_table()
    columns = [pa.array(values, type=f.type) for values, f in zip(zip(*rows), schema)]
    return pa.Table.from_arrays(columns, schema=schema)


def csv_bytes(table: pa.Table, *, header: bool = False) -> bytes:
    """Return a table's CSV lines (strings quoted, null empty, booleans ``true``/``false``)."""
    sink = pa.BufferOutputStream()
    pa_csv.write_csv(table, sink, pa_csv.WriteOptions(include_header=header))
    return sink.getvalue().to_pybytes()


# ----------------------------------------------------------------------------------------
# One report's rows


def report_row(report_id: str, source: str, report: Report) -> tuple:
    """Return the report's row of the ``reports`` table (metadata, status and headline totals)."""
    meta = report.metadata
    cells = {c.code: c for c in report.cells}
    row = {
        "report_id": report_id, "source": source, "sha256": report.sha256, "status": report.status,
        "template": report.template, "year": meta.year, "agency": meta.agency,
        "agency_printed": meta.agency_printed, "agency_id": agency_id(meta.agency, meta.adcode),
        "published": meta.published,
        "province": meta.province, "prefecture": meta.prefecture, "county": meta.county, "adcode": meta.adcode,
        "level": meta.level, "kind": meta.kind, "scope": meta.scope or Scope.UNKNOWN.value,
        "n_repairs": len(report.repairs),
        "n_failed_checks": sum(c.passed is False for c in report.checks),
        "n_lost_cells": sum(c.status == "lost" for c in report.cells),
    }
    rows = SCHEMA.rows(report.template, "table3") if report.template in TEMPLATES else ()
    for name, prefixes in REPORT_TOTALS.items():
        row[name] = _sum_cells(cells, [f"table3.{r.row_code}.total" for r in rows if r.row_code.startswith(prefixes)])
    for group in TABLE4_TOTALS:
        row[f"{group}_total"] = _sum_cells(cells, [f"table4.{group}.total"])
    return tuple(row[c] for c in TABLE_COLUMNS["reports"])


def agency_id(name: str | None, adcode: str | None) -> str | None:
    """Return the stable id of an agency: ``<adcode or 000000>-<first 8 hex of sha1(normalised name)>``.

    The name is normalised (NFKC, whitespace removed) so that full-width or spaced printings of one
    name give one id, and a development zone's administrative committee (管委会, 管理委员会: the
    zone's government) is the zone named alone, as a county named alone is its people's government
    (平潭综合实验区管委会 2014 and 平潭综合实验区 2017-2022 are one agency; 平潭县人民政府 another).
    The adcode keeps same-named agencies of different places (two 东塘镇人民政府) apart. None when
    the agency is unknown.
    """
    if not name:
        return None
    normalised = "".join(unicodedata.normalize("NFKC", name).split())
    normalised = _ZONE_COMMITTEE_RE.sub(r"\g<zone>", normalised)
    return f"{adcode or '000000'}-{hashlib.sha1(normalised.encode('utf-8')).hexdigest()[:8]}"


_ZONE_COMMITTEE_RE = re.compile(rf"(?P<zone>{ZONE_SUFFIX}){ZONE_COMMITTEE}$")


def _sum_cells(cells: dict, codes: list):
    if not codes or any(c not in cells or cells[c].status in ("lost", "not_printed") for c in codes):
        return None
    return sum(cells[c].value or 0 for c in codes)


def indicator_rows(report_id: str, report: Report) -> list:
    """Return the report's rows of the ``indicators`` table: each crosswalk indicator in its era's cells.

    An indicator is the sum of its cells in the report's form (blank counts 0); it is null when the
    report prints none of them, or when one of them was lost.
    """
    cells = {c.code: c for c in report.cells}
    rows = []
    for indicator in pre2019.indicators():
        codes = [c for spec in indicator.codes.get(report.template, ()) for c in _matching(spec, cells)]
        rows.append((report_id, indicator.name, report.template, _indicator_value(codes, cells)))
    return rows


def _matching(spec: str, cells: dict) -> list:
    return fnmatch.filter(cells, spec) if "*" in spec else [spec]


def _indicator_value(codes: list, cells: dict):
    present = [cells[c] for c in codes if c in cells and cells[c].status != "not_printed"]
    if not present or any(c.status == "lost" for c in present):
        return None
    return sum(c.value or 0 for c in present)


def check_rows(report_id: str, checks) -> list:
    """Return rows of the ``checks`` table for some checks of one report."""
    return [(report_id, c.identity, c.scope, " + ".join(c.lhs), " + ".join(c.rhs), c.lhs_value, c.rhs_value,
             c.passed) for c in checks]


# ----------------------------------------------------------------------------------------
# A chunk of reports, column by column


@lru_cache(maxsize=1)
def _code_dictionary() -> tuple:
    """Return ``({code: index}, code, table, row and column arrays)`` over both templates' codes."""
    codes = sorted(set(SCHEMA.codes("2019")) | set(SCHEMA.codes("2021")) | set(pre2019.codes()))
    parts = [code.split(".") for code in codes]
    arrays = [pa.array(codes)] + [pa.array([p[i] for p in parts]) for i in range(3)]
    return {code: i for i, code in enumerate(codes)}, arrays


@dataclass
class ChunkTables:
    """The rows a chunk of reports adds to each table, collected column by column."""

    report_ids: list = field(default_factory=list)
    reports: list = field(default_factory=list)
    repairs: list = field(default_factory=list)
    indicators: list = field(default_factory=list)
    cell_report: list = field(default_factory=list)
    cell_code: list = field(default_factory=list)
    cell_value: list = field(default_factory=list)
    cell_status: list = field(default_factory=list)
    check_report: list = field(default_factory=list)
    check_kind: list = field(default_factory=list)
    check_lhs: list = field(default_factory=list)
    check_rhs: list = field(default_factory=list)
    check_passed: list = field(default_factory=list)
    check_kinds: dict = field(default_factory=dict)  # (identity, scope, lhs, rhs) -> index

    def add(self, report_id: str, source: str, report: Report) -> None:
        """Add one parsed (not failed) report's rows."""
        index = len(self.report_ids)
        self.report_ids.append(report_id)
        self.reports.append(report_row(report_id, source, report))
        self.repairs.extend((report_id, r.code, r.value, r.kind, r.evidence) for r in report.repairs)
        self.indicators.extend(indicator_rows(report_id, report))
        code_index = _code_dictionary()[0]
        for cell in report.cells:
            self.cell_code.append(code_index[cell.code])
            self.cell_value.append(cell.value)
            self.cell_status.append(cell.status)
        self.cell_report.extend([index] * len(report.cells))
        for check in report.checks + report.narrative_checks:
            key = (check.identity, check.scope, check.lhs, check.rhs)
            self.check_kind.append(self.check_kinds.setdefault(key, len(self.check_kinds)))
            self.check_lhs.append(check.lhs_value)
            self.check_rhs.append(check.rhs_value)
            self.check_passed.append(check.passed)
        self.check_report.extend([index] * (len(report.checks) + len(report.narrative_checks)))

    def to_arrow(self) -> dict:
        """Return ``{table: Arrow table}`` for the reports, cells, checks and repairs tables."""
        ids = pa.array(self.report_ids, pa.string())
        return {
            "reports": table_from_rows("reports", self.reports),
            "cells": self._cells(ids),
            "checks": self._checks(ids),
            "repairs": table_from_rows("repairs", self.repairs),
            "indicators": table_from_rows("indicators", self.indicators),
        }

    def _cells(self, ids: pa.Array) -> pa.Table:
        _index, (codes, tables, rows, columns) = _code_dictionary()
        which = pa.array(self.cell_code, pa.int32())
        arrays = [ids.take(pa.array(self.cell_report, pa.int32())), codes.take(which), tables.take(which),
                  rows.take(which), columns.take(which), pa.array(self.cell_value, pa.float64()),
                  pa.array(self.cell_status, pa.string())]
        return pa.Table.from_arrays(arrays, schema=table_schema("cells"))

    def _checks(self, ids: pa.Array) -> pa.Table:
        kinds = list(self.check_kinds)
        which = pa.array(self.check_kind, pa.int32())
        identity, scope, lhs, rhs = (
            pa.array([k[0] for k in kinds], pa.string()), pa.array([k[1] for k in kinds], pa.string()),
            pa.array([" + ".join(k[2]) for k in kinds], pa.string()), pa.array([" + ".join(k[3]) for k in kinds], pa.string()),
        )
        arrays = [ids.take(pa.array(self.check_report, pa.int32())), identity.take(which), scope.take(which),
                  lhs.take(which), rhs.take(which), pa.array(self.check_lhs, pa.float64()),
                  pa.array(self.check_rhs, pa.float64()), pa.array(self.check_passed, pa.bool_())]
        return pa.Table.from_arrays(arrays, schema=table_schema("checks"))


class TablePart:
    """One chunk's rows of one table, ready to append: the Arrow table and its CSV lines.

    A part made in a worker travels to the writer pickled as LZ4-compressed Arrow IPC, a
    fraction of the table's size; a part made in the writing process is not serialised at all.
    """

    __slots__ = ("table", "csv")

    def __init__(self, table: pa.Table, csv: bytes) -> None:
        self.table, self.csv = table, csv

    def __getstate__(self) -> tuple:
        sink = pa.BufferOutputStream()
        with pa.ipc.new_stream(sink, self.table.schema, options=pa.ipc.IpcWriteOptions(compression="lz4")) as writer:
            writer.write_table(self.table)
        return sink.getvalue().to_pybytes(), self.csv

    def __setstate__(self, state: tuple) -> None:
        arrow, self.csv = state
        self.table = pa.ipc.open_stream(arrow).read_all()


# Which tables get a CSV copy beside their Parquet file (``govreports build --csv``): the long
# tables (cells about 24 KB and checks 19 KB of CSV per report, 47 GB for a million reports)
# only with ``all``; the default ``reports`` keeps CSV for the small tables a spreadsheet opens.
LONG_TABLES = frozenset({"cells", "checks"})
CSV_CHOICES = ("all", "reports", "none")
DEFAULT_CSV = "reports"


def table_parts(tables: dict, csv_tables: frozenset | None = None) -> dict:
    """Return ``{name: TablePart}`` for tables with rows, CSV lines formatted (done in the worker).

    Only the tables in ``csv_tables`` (default: all) get CSV lines; the others an empty ``b""``.
    """
    return {name: TablePart(table, csv_bytes(table) if csv_tables is None or name in csv_tables else b"")
            for name, table in tables.items() if table.num_rows}


__all__ = ["CSV_CHOICES", "DEFAULT_CSV", "LONG_TABLES", "ChunkTables", "TablePart", "agency_id", "check_rows", "report_row", "table_from_rows", "table_parts"]
