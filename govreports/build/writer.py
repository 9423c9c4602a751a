"""Writing a build's output folder: every chunk's rows and manifest rows, in input order.

The output folder is replaced atomically (:func:`replace_folder`): an interrupted build leaves the
previous one intact, and :func:`recover_interrupted` undoes what a killed build left behind.
"""

from __future__ import annotations

import csv
import hashlib
import io
import os
import shutil
import sys
from collections.abc import Callable, Iterable
from dataclasses import replace
from pathlib import Path

import pyarrow.parquet as pq

from govreports.build.duplicates import Candidate, agency_year_duplicates, count_moves
from govreports.build.inputs import manifest_row
from govreports.build.panel import panel_checks
from govreports.build.resources import table_schema
from govreports.build.rows import TablePart, check_rows, csv_bytes, table_from_rows
from govreports.template import SCHEMA

# ----------------------------------------------------------------------------------------
# Writing


class TableWriter:
    """Append rows of one output table to its Parquet file and, if asked, its CSV copy.

    Chunks made by workers are appended as they come (:meth:`write_part`); rows made by the
    writing process itself (the manifest, the cross-year checks) are buffered and written in
    batches (:meth:`write`). Row groups follow the chunks, which do not depend on the number of
    workers, so a build's files are the same bytes however it was run.
    """

    BATCH_ROWS = 50_000

    def __init__(self, name: str, folder: Path, csv: bool = True) -> None:
        self.name = name
        self.schema = table_schema(name)
        self._paths = {"parquet": folder / f"{name}.parquet"}
        self._csv = None
        if csv:
            self._paths["csv"] = folder / f"{name}.csv"
            self._csv = self._paths["csv"].open("wb")
            self._csv_digest = hashlib.sha256()
            self._write_csv(csv_bytes(self.schema.empty_table(), header=True))
        self._parquet = pq.ParquetWriter(self._paths["parquet"], self.schema, compression="zstd",
                                         write_statistics=False)
        self._buffer: list = []

    def write(self, rows: list) -> None:
        """Append rows (tuples in the table's column order)."""
        self._buffer.extend(rows)
        if len(self._buffer) >= self.BATCH_ROWS:
            self._flush()

    def write_part(self, part: TablePart) -> None:
        """Append a chunk's rows made elsewhere."""
        self._flush()
        self._write_csv(part.csv)
        self._parquet.write_table(part.table)

    def _write_csv(self, data: bytes) -> None:
        # Hashed as written: reading a national build's CSV files again at the end would take minutes.
        if self._csv is not None:
            self._csv.write(data)
            self._csv_digest.update(data)

    def _flush(self) -> None:
        if self._buffer:
            table = table_from_rows(self.name, self._buffer)
            if self._csv is not None:
                self._write_csv(csv_bytes(table))
            self._parquet.write_table(table)
            self._buffer = []

    def close(self) -> None:
        """Flush and close the files."""
        self._flush()
        self._parquet.close()
        if self._csv is not None:
            self._csv.close()

    def digests(self) -> dict:
        """Return ``{file name: sha256}`` of the closed table's files (Parquet, and CSV if written)."""
        digests = {self._paths["parquet"].name: hashlib.sha256(self._paths["parquet"].read_bytes()).hexdigest()}
        if "csv" in self._paths:
            digests[self._paths["csv"].name] = self._csv_digest.hexdigest()
        return digests


def write_tables(files: list, results: Iterable, writers: dict, repeats: dict | None = None,
                 progress: Callable | None = None) -> tuple:
    """Write every chunk's rows and every input's manifest row.

    ``results`` are the chunks of the first-seen files, in order; ``repeats`` maps the index of
    each repeated file to the source of its first copy, and such a file gets a ``duplicate`` row
    in its place. Only a small summary per report is kept in memory (for the cross-year panel
    checks and the one-report-per-agency-year rule), so memory stays bounded however large the corpus.

    Returns:
        ``(manifest counts, displaced)``: ``displaced`` maps the report id of each report that
        another of its agency and year displaces (:mod:`govreports.build.duplicates`) to the
        reason; the counts already list them as ``duplicate``, and the caller removes their rows
        once the tables are closed (:func:`~govreports.build.duplicates.drop_reports`).
    """
    counts: dict = {}
    panel: list = []
    candidates: dict = {}
    repeats = repeats or {}
    queue: list = []  # manifest rows of the current chunk, in order
    results = iter(results)
    for index, file in enumerate(files):
        if file.problem:
            manifest = manifest_row(file, *file.problem, None)
        elif index in repeats:
            manifest = manifest_row(file, "duplicate", f"same bytes as {repeats[index]}", None)
        else:
            if not queue:
                queue = list(_write_chunk(next(results), writers, panel))
            manifest = queue.pop(0)
            if manifest[6] is not None and manifest[4] != "failed":
                candidates[manifest[6]] = Candidate(manifest[6], manifest[0], manifest[3], manifest[4])
        writers["manifest"].write([manifest])
        counts[manifest[4]] = counts.get(manifest[4], 0) + 1
        if progress:
            progress(index + 1)
    displaced = agency_year_duplicates(panel, candidates)
    panel = [entry for entry in panel if entry.report_id not in displaced]
    for report_id, checks in panel_checks(panel):
        writers["checks"].write(check_rows(report_id, checks))
    return count_moves(counts, candidates, displaced), displaced


def _write_chunk(result, writers: dict, panel: list) -> tuple:
    for name, part in result.parts.items():
        writers[name].write_part(part)
    # Agency names and codes repeat every year: one copy each (a national build keeps a million entries).
    panel.extend(replace(e, agency=e.agency and sys.intern(e.agency), adcode=e.adcode and sys.intern(e.adcode))
                 for e in result.panel)
    return result.manifest


def indicator_definitions_csv() -> bytes:
    """Return the crosswalk of indicators comparable across eras (``template/indicators.csv``) as CSV bytes."""
    from importlib import resources

    return resources.files("govreports.template").joinpath("indicators.csv").read_bytes()


def codebook_csv() -> bytes:
    """Return the codebook (every cell of every template) as CSV bytes."""
    rows = SCHEMA.to_codebook()
    buffer = io.StringIO()
    writer = csv.DictWriter(buffer, fieldnames=list(rows[0]), lineterminator="\n")
    writer.writeheader()
    writer.writerows(rows)
    return buffer.getvalue().encode("utf-8")


def replace_folder(staging: Path, out_dir: Path) -> None:
    """Swap ``staging`` in as ``out_dir``; the previous folder survives any interruption."""
    backup = out_dir.with_name(f".{out_dir.name}.previous")
    if backup.exists():
        shutil.rmtree(backup)
    if out_dir.exists():
        os.replace(out_dir, backup)
    os.replace(staging, out_dir)
    if backup.exists():
        shutil.rmtree(backup)


def recover_interrupted(out_dir: Path) -> None:
    """Undo what a killed build left behind.

    Puts back the previous output folder if the build stopped between its two renames, and
    removes half-written staging folders.
    """
    backup = out_dir.with_name(f".{out_dir.name}.previous")
    if backup.exists() and not out_dir.exists():
        os.replace(backup, out_dir)
    for stale in out_dir.parent.glob(f".{out_dir.name}.building-*") if out_dir.parent.exists() else ():
        shutil.rmtree(stale, ignore_errors=True)


