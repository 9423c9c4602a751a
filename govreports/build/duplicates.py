"""One report per agency and year: the rule for two files that hold the same agency's same year.

A raw folder can hold one report twice in different forms (the published PDF and a text someone
extracted from it, a web page and its Word attachment). Files with the same bytes are caught
before parsing (:func:`govreports.build.inputs.first_seen`); these are caught after, by what the
parser read: two parsed reports with the same ``agency_id`` (normalised name and adcode) and the
same year. The rule, applied in this order until one report is left:

1. the original publication format first: PDF, then Word (docx, doc), then HTML, then an archive,
   then plain text (usually derived: a ``pdftotext`` run, an OCR or markdown conversion);
2. then the better parse verdict: valid, repaired, invalid, unchecked;
3. then the source path (so that the choice never depends on the order files are listed in).

The kept report is in every table; each other one keeps its manifest row with status
``duplicate``, a reason naming the kept file, and no ``report_id``, and has no rows elsewhere.
Reports whose agency or year is unknown are never taken for duplicates.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from pathlib import Path

import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.parquet as pq

from govreports.build.rows import agency_id, csv_bytes
from govreports.template.vocabulary import ManifestStatus

# Lower is preferred (rule 1 and 2 above); anything not listed comes last.
FORMAT_ORDER = ("pdf", "docx", "doc", "html", "zip", "text")
STATUS_ORDER = ("valid", "repaired", "invalid", "unchecked")
# Manifest columns by position (see govreports.build.inputs.manifest_row).
SOURCE, FORMAT, STATUS, REASON, REPORT_ID = 0, 3, 4, 5, 6


@dataclass(frozen=True, slots=True)
class Candidate:
    """One parsed report as the rule sees it."""

    report_id: str
    source: str
    format: str
    status: str


def _rank(candidate: Candidate) -> tuple:
    """Return the sort key of the rule: format, then verdict, then source path."""
    def position(order: tuple, value: str) -> int:
        return order.index(value) if value in order else len(order)
    return position(FORMAT_ORDER, candidate.format), position(STATUS_ORDER, candidate.status), candidate.source


def agency_year_duplicates(panel: list, candidates: dict) -> dict:
    """Return ``{report_id: reason}`` for every report that another of its agency and year displaces.

    Args:
        panel: the build's :class:`~govreports.build.panel.PanelEntry` records (agency, adcode, year).
        candidates: ``{report_id: Candidate}`` of the parsed reports.
    """
    groups: dict = {}
    for entry in panel:
        if entry.agency and entry.year and entry.report_id in candidates:
            key = (agency_id(entry.agency, entry.adcode), entry.year)
            groups.setdefault(key, []).append(candidates[entry.report_id])
    dropped = {}
    for (_agency, year), group in groups.items():
        if len(group) < 2:
            continue
        kept, *others = sorted(group, key=_rank)
        for other in others:
            dropped[other.report_id] = (f"same agency and year ({year}) as {kept.source} (report {kept.report_id}), "
                                        f"which is kept: {_deciding_rule(kept, other)}")
    return dropped


def _deciding_rule(kept: Candidate, other: Candidate) -> str:
    """Return which rule of the three chose ``kept`` over ``other``, in words."""
    if kept.format != other.format:
        return f"the original format first ({kept.format} before {other.format})"
    if kept.status != other.status:
        return f"the better verdict first ({kept.status} before {other.status})"
    return "the same format and verdict: the first source path"


def drop_reports(folder: Path, dropped: dict, tables: dict) -> dict:
    """Remove the displaced reports' rows from every written table and mark them in the manifest.

    Args:
        folder: the staging folder holding the closed tables.
        dropped: ``{report_id: reason}`` from :func:`agency_year_duplicates`.
        tables: ``{table name: True if it has a CSV copy}`` of the tables written.

    Returns:
        ``{file name: sha256}`` of the files rewritten (their digests replace the writer's).
    """
    ids = pa.array(sorted(dropped), pa.string())
    digests = {}
    for name, with_csv in tables.items():
        if name == "manifest":
            digests.update(_rewrite(folder, name, with_csv, lambda t: _mark_manifest(t, dropped)))
        else:
            digests.update(_rewrite(folder, name, with_csv,
                                    lambda t: t.filter(pc.invert(pc.is_in(t["report_id"], value_set=ids)))))
    return digests


def _mark_manifest(table: pa.Table, dropped: dict) -> pa.Table:
    """Return the manifest rows with each displaced report's status, reason and report id replaced."""
    rows = []
    for row in table.to_pylist():
        if row["report_id"] in dropped:
            row.update(manifest_status=ManifestStatus.DUPLICATE.value, reason=dropped[row["report_id"]],
                       report_id=None)
        rows.append(row)
    return pa.Table.from_pylist(rows, schema=table.schema)


def _rewrite(folder: Path, name: str, with_csv: bool, change) -> dict:
    """Rewrite one table's Parquet file (and CSV copy) row group by row group through ``change``."""
    path = folder / f"{name}.parquet"
    source = pq.ParquetFile(path)
    schema = source.schema_arrow
    staged = path.with_name(f".{name}.rewriting.parquet")
    csv_digest = hashlib.sha256()
    csv_out = (folder / f"{name}.csv").open("wb") if with_csv else None
    try:
        _write_csv(csv_out, csv_digest, csv_bytes(schema.empty_table(), header=True))
        with pq.ParquetWriter(staged, schema, compression="zstd", write_statistics=False) as writer:
            for group in range(source.num_row_groups):
                table = change(source.read_row_group(group))
                if table.num_rows:
                    writer.write_table(table)
                    _write_csv(csv_out, csv_digest, csv_bytes(table))
    finally:
        if csv_out is not None:
            csv_out.close()
    staged.replace(path)
    digests = {path.name: hashlib.sha256(path.read_bytes()).hexdigest()}
    if with_csv:
        digests[f"{name}.csv"] = csv_digest.hexdigest()
    return digests


def _write_csv(out, digest, data: bytes) -> None:
    if out is not None:
        out.write(data)
        digest.update(data)


def count_moves(counts: dict, candidates: dict, dropped: dict) -> dict:
    """Return the manifest counts with each displaced report moved from its verdict to ``duplicate``."""
    counts = dict(counts)
    for report_id in dropped:
        status = candidates[report_id].status
        counts[status] -= 1
        if not counts[status]:
            del counts[status]
        counts[ManifestStatus.DUPLICATE.value] = counts.get(ManifestStatus.DUPLICATE.value, 0) + 1
    return counts
