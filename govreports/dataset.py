"""Build the processed dataset from a folder of raw reports, reproducibly.

``build_dataset(raw_dir, out_dir)`` parses every file (in parallel, with a cache keyed by the
file's SHA-256 and the parser version), applies ``data/corrections.csv``, adds cross-year panel
checks, and writes the tables ``reports``, ``cells``, ``checks``, ``repairs`` and ``manifest`` as
Parquet and CSV with a ``datapackage.json``. The output folder is replaced atomically: an
interrupted build leaves the previous one intact. Running it twice gives byte-identical files.
"""

from __future__ import annotations

import csv
import hashlib
import io
import json
import logging
import os
import shutil
import signal
import tempfile
import threading
from collections.abc import Callable, Iterable
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass, replace
from functools import lru_cache
from pathlib import Path

from govreports import __version__
from govreports.corrections import apply_corrections, read_corrections
from govreports.errors import GovReportsError, Problem
from govreports.panel import PanelEntry, panel_checks, panel_summary
from govreports.parse import parse
from govreports.records import Report
from govreports.schema import SCHEMA
from govreports.schema.fields import FIELDS, REPORT_TOTALS, TABLE4_TOTALS, TABLE_COLUMNS
from govreports.sources import sha256_of, sniff_format

log = logging.getLogger(__name__)

IGNORED_NAMES = {"SOURCES.csv", "README.md", ".gitkeep"}
TABLES = tuple(TABLE_COLUMNS)


@dataclass(frozen=True)
class InputFile:
    """One file of the raw folder, read once: where it is, its digest and size."""

    source: str
    path: str
    sha256: str
    size_bytes: int
    format: str


@dataclass(frozen=True)
class BuildResult:
    """What a build did: the output folder and counts per manifest status."""

    out_dir: Path
    counts: dict
    reports: int


def list_inputs(raw_dir: Path) -> list:
    """Return every file under ``raw_dir`` in a stable order (provenance files excluded)."""
    files = []
    for path in sorted(raw_dir.rglob("*")):
        if path.is_file() and path.name not in IGNORED_NAMES and not path.name.startswith("."):
            data = path.read_bytes()
            files.append(InputFile(path.relative_to(raw_dir).as_posix(), str(path), sha256_of(data), len(data),
                                   sniff_format(path, data)))
    return files


# ----------------------------------------------------------------------------------------
# Parsing with a cache


@lru_cache(maxsize=1)
def parser_fingerprint() -> str:
    """Return a digest of the parser's code and schema data: the parse cache's key.

    The version number alone would keep serving stale parses after a change of code that did
    not bump it.
    """
    package = Path(__file__).resolve().parent
    digest = hashlib.sha256(__version__.encode())
    for path in sorted(package.rglob("*")):
        if path.suffix in (".py", ".csv") and "__pycache__" not in path.parts:
            digest.update(path.relative_to(package).as_posix().encode())
            digest.update(path.read_bytes())
    return digest.hexdigest()[:16]


def _cache_path(cache_dir: Path, sha256: str) -> Path:
    return cache_dir / f"{sha256}-{parser_fingerprint()}.json"


def parse_to_dict(path: str) -> dict:
    """Parse one file and return its JSON-ready dict."""
    return parse(path).to_dict()


@dataclass(frozen=True)
class FileRows:
    """What one input file adds to the output tables (made in a worker, written by the main process)."""

    manifest: tuple
    tables: dict
    panel: PanelEntry | None


def file_rows(file: InputFile, data: dict, corrections: tuple) -> FileRows:
    """Return a parsed file's rows for every table, its corrections applied."""
    report = replace(Report.from_dict(data), source=file.source)
    report = apply_corrections(report, list(corrections))
    report_id = file.sha256[:16]
    manifest = _manifest_row(file, report.status, _first_error(report), report_id)
    if report.status == "failed":
        return FileRows(manifest, {}, None)
    return FileRows(manifest, report_rows(report_id, file.source, report), panel_summary(report_id, report))


class FileTimeout(Exception):
    """Raised inside a worker when one file takes longer than the build's per-file limit."""


def _on_alarm(signum, frame):
    raise FileTimeout


def parse_within(path: str, seconds: float) -> dict:
    """Parse one file, giving up after ``seconds`` (a pathological PDF must not stall a build)."""
    if seconds <= 0 or threading.current_thread() is not threading.main_thread():
        return parse_to_dict(path)
    previous = signal.signal(signal.SIGALRM, _on_alarm)
    signal.setitimer(signal.ITIMER_REAL, seconds)
    try:
        return parse_to_dict(path)
    except FileTimeout:
        message = f"{Path(path).name}: took longer than {seconds:g} s to parse; skipped (raise --file-timeout)"
        return Report(Path(path).name, "failed", errors=(Problem("source.timeout", message),)).to_dict()
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, previous)


def parse_task(file: InputFile, corrections: tuple, keep: bool, seconds: float = 0) -> tuple:
    """Parse one file in a worker: return ``(report dict if keep else None, FileRows)``."""
    data = parse_within(file.path, seconds)
    return (data if keep else None), file_rows(file, data, corrections)


def iter_parsed(files: list, cache_dir: Path | None, runner: Callable, corrections: list,
                file_timeout: float = 0) -> Iterable:
    """Yield ``(file, FileRows or None)`` in the files' order; None for a repeated file.

    Parses only what the cache lacks (in ``runner``'s workers), and stores new parses in it.
    """
    def cached(file: InputFile) -> Path | None:
        return _cache_path(cache_dir, file.sha256) if cache_dir else None

    def own(file: InputFile) -> tuple:
        return tuple(c for c in corrections if c.source == file.source)

    seen, todo = set(), []
    for file in files:
        if file.sha256 not in seen and not (cached(file) and cached(file).exists()):
            todo.append(file)
        seen.add(file.sha256)
    fresh = iter(runner([(f, own(f), cache_dir is not None, file_timeout) for f in todo]))
    pending = {f.sha256 for f in todo}
    seen.clear()
    for file in files:
        if file.sha256 in seen:
            yield file, None
            continue
        seen.add(file.sha256)
        if file.sha256 in pending:
            data, rows = next(fresh)
            if cache_dir:
                _write_atomic(cached(file), json.dumps(data, ensure_ascii=False).encode("utf-8"))
        else:
            rows = file_rows(file, json.loads(cached(file).read_text(encoding="utf-8")), own(file))
        yield file, rows


def _run_task(task: tuple) -> tuple:
    return parse_task(*task)


def local_runner(workers: int) -> Callable:
    """Return a function running parse tasks with ``workers`` processes (in-process for one), in order."""

    def run(tasks: list) -> Iterable:
        if workers <= 1 or len(tasks) < 2:
            return map(_run_task, tasks)
        return _pool_map(tasks, workers)

    return run


POOL_WINDOW = 2048  # tasks in flight at once: finished rows waiting for the writer stay bounded


def _pool_map(tasks: list, workers: int) -> Iterable:
    chunksize = max(1, min(32, len(tasks) // (workers * 8)))
    with ProcessPoolExecutor(max_workers=workers) as pool:
        for start in range(0, len(tasks), POOL_WINDOW):
            yield from pool.map(_run_task, tasks[start:start + POOL_WINDOW], chunksize=chunksize)


def dask_runner(workers: int, scheduler: str | None = None) -> Callable:
    """Return a function running parse tasks on Dask (a scheduler address, or a local cluster)."""

    def run(tasks: list) -> Iterable:
        if not tasks:
            return []
        from dask.distributed import Client, LocalCluster

        if scheduler:
            with Client(scheduler) as client:
                return client.gather(client.map(_run_task, tasks, pure=False))
        with LocalCluster(n_workers=max(workers, 1), threads_per_worker=1, processes=True,
                          dashboard_address=None) as cluster, Client(cluster) as client:
            return client.gather(client.map(_run_task, tasks, pure=False))

    return run


# ----------------------------------------------------------------------------------------
# Tables


def _report_row(report_id: str, source: str, report: Report) -> dict:
    meta = report.metadata
    cells = {c.code: c for c in report.cells}
    row = {
        "report_id": report_id, "source": source, "sha256": report.sha256, "status": report.status,
        "template": report.template, "year": meta.year, "agency": meta.agency, "published": meta.published,
        "province": meta.province, "prefecture": meta.prefecture, "county": meta.county, "adcode": meta.adcode,
        "level": meta.level, "kind": meta.kind, "n_repairs": len(report.repairs),
        "n_failed_checks": sum(c.passed is False for c in report.checks),
        "n_lost_cells": sum(c.status == "lost" for c in report.cells),
    }
    for name, prefixes in REPORT_TOTALS.items():
        codes = [f"table3.{r.row_code}.total" for r in _rows(report, "table3") if r.row_code.startswith(prefixes)]
        row[name] = _sum_cells(cells, codes)
    for group in TABLE4_TOTALS:
        row[f"{group}_total"] = _sum_cells(cells, [f"table4.{group}.total"])
    return row


def _rows(report: Report, table: str) -> tuple:
    return SCHEMA.rows(report.template, table) if report.template else ()


def _sum_cells(cells: dict, codes: list):
    if not codes or any(c not in cells or cells[c].status == "lost" for c in codes):
        return None
    return sum(cells[c].value or 0 for c in codes)


# Rows are tuples in the order of TABLE_COLUMNS: a large build writes hundreds of millions.


def _cell_rows(report_id: str, report: Report) -> list:
    return [(report_id, cell.code, *cell.code.split("."), cell.value, cell.status) for cell in report.cells]


def _check_rows(report_id: str, checks: Iterable) -> list:
    return [(report_id, c.identity, c.scope, " + ".join(c.lhs), " + ".join(c.rhs), c.lhs_value, c.rhs_value,
             c.passed) for c in checks]


def _repair_rows(report_id: str, report: Report) -> list:
    return [(report_id, r.code, r.value, r.kind, r.evidence) for r in report.repairs]


def _first_error(report: Report) -> str | None:
    errors = [p.message for p in report.errors if p.severity == "error"]
    return errors[0] if errors else None


def _as_tuple(table: str, row: dict) -> tuple:
    return tuple(row[c] for c in TABLE_COLUMNS[table])


def report_rows(report_id: str, source: str, report: Report) -> dict:
    """Return ``{table: rows}`` for one parsed (not failed) report."""
    return {
        "reports": [_as_tuple("reports", _report_row(report_id, source, report))],
        "cells": _cell_rows(report_id, report),
        "checks": _check_rows(report_id, report.checks + report.narrative_checks),
        "repairs": _repair_rows(report_id, report),
    }


def stream_tables(parsed: Iterable, writers: dict, progress: Callable | None = None) -> dict:
    """Write every file's rows to ``writers``; return the manifest counts.

    Only a small summary per report is kept in memory (for the cross-year panel checks), so
    memory stays bounded however large the corpus.
    """
    counts: dict = {}
    panel = []
    first_source: dict = {}
    for file, rows in parsed:
        if rows is None:
            manifest = _manifest_row(file, "duplicate", f"same bytes as {first_source[file.sha256]}", None)
        else:
            first_source[file.sha256] = file.source
            manifest = rows.manifest
            for table, table_rows in rows.tables.items():
                writers[table].write(table_rows)
            if rows.panel:
                panel.append(rows.panel)
        writers["manifest"].write([manifest])
        counts[manifest[4]] = counts.get(manifest[4], 0) + 1
        if progress:
            progress(sum(counts.values()))
    for report_id, checks in panel_checks(panel):
        writers["checks"].write(_check_rows(report_id, checks))
    return counts


def _manifest_row(file: InputFile, status: str, reason: str | None, report_id: str | None) -> tuple:
    return (file.source, file.sha256, file.size_bytes, file.format, status, reason, report_id, __version__)


# ----------------------------------------------------------------------------------------
# Writing


def _csv_value(value):
    """Return a value as CSV writes it: booleans lowercase (None is written empty by csv itself)."""
    if value is True:
        return "true"
    if value is False:
        return "false"
    return value


class TableWriter:
    """Append rows of one output table to its CSV and Parquet files, a batch at a time."""

    BATCH_ROWS = 50_000

    def __init__(self, name: str, folder: Path) -> None:
        import pyarrow as pa
        import pyarrow.parquet as pq

        self.name, self.folder = name, folder
        self.columns = TABLE_COLUMNS[name]
        types = {"string": pa.string(), "integer": pa.int64(), "number": pa.float64(), "boolean": pa.bool_()}
        self.schema = pa.schema([pa.field(c, types[FIELDS[_field_key(name, c)]["type"]]) for c in self.columns])
        self._csv_handle = (folder / f"{name}.csv").open("w", encoding="utf-8", newline="")
        self._csv = csv.writer(self._csv_handle, lineterminator="\n")
        self._csv.writerow(self.columns)
        self._parquet = pq.ParquetWriter(folder / f"{name}.parquet", self.schema, compression="zstd",
                                         write_statistics=False)
        self._buffer: list = []
        self._booleans = any(f.type == pa.bool_() for f in self.schema)

    def write(self, rows: list) -> None:
        """Append rows (tuples in the table's column order)."""
        if self._booleans:
            self._csv.writerows([tuple(map(_csv_value, row)) for row in rows])
        else:
            self._csv.writerows(rows)
        self._buffer.extend(rows)
        if len(self._buffer) >= self.BATCH_ROWS:
            self._flush()

    def _flush(self) -> None:
        import pyarrow as pa

        if not self._buffer:
            return
        columns = [pa.array(values, type=f.type) for values, f in zip(zip(*self._buffer), self.schema)]
        self._parquet.write_table(pa.Table.from_arrays(columns, schema=self.schema))
        self._buffer = []

    def close(self) -> None:
        """Flush and close both files."""
        self._flush()
        self._parquet.close()
        self._csv_handle.close()


def _field_key(table: str, column: str) -> str:
    return "manifest_status" if (table, column) == ("manifest", "manifest_status") else column


def _write_atomic(path: Path, data: bytes) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.")
    with os.fdopen(fd, "wb") as handle:
        handle.write(data)
    os.replace(tmp, path)


def file_digests(folder: Path) -> dict:
    """Return ``{file name: sha256}`` for the files in ``folder``."""
    digests = {}
    for path in sorted(folder.iterdir()):
        digest = hashlib.sha256()
        with path.open("rb") as handle:
            for chunk in iter(lambda: handle.read(1 << 20), b""):
                digest.update(chunk)
        digests[path.name] = digest.hexdigest()
    return digests


def _codebook_csv() -> bytes:
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


def build_dataset(raw_dir: str | Path, out_dir: str | Path, *, workers: int | None = None,
                  engine: str = "local", scheduler: str | None = None, cache_dir: str | Path | None = None,
                  corrections_path: str | Path | None = None, progress: Callable | None = None,
                  file_timeout: float = 120.0) -> BuildResult:
    """Parse every file under ``raw_dir`` and write the processed dataset to ``out_dir``.

    Args:
        raw_dir: folder of raw reports (searched recursively).
        out_dir: folder to (re)write atomically.
        workers: parallel processes (default: all cores).
        engine: ``"local"`` (processes on this machine) or ``"dask"``.
        scheduler: a Dask scheduler address (``engine="dask"``); a local cluster if None.
        cache_dir: folder for the parse cache (None: no cache).
        corrections_path: a corrections CSV (see :mod:`govreports.corrections`); None for none.
        progress: called as ``progress(done, total)`` after each input file.
        file_timeout: seconds one file may take to parse before it is recorded as failed (0: no limit).

    Raises:
        GovReportsError: the raw folder is missing or the corrections file is invalid.
    """
    from govreports.datapackage import write_datapackage

    raw_dir, out_dir = Path(raw_dir), Path(out_dir)
    if not raw_dir.is_dir():
        raise GovReportsError(f"raw folder {raw_dir} does not exist")
    recover_interrupted(out_dir)
    files = list_inputs(raw_dir)
    corrections = read_corrections(corrections_path) if corrections_path else []
    workers = workers or os.cpu_count() or 1
    runner = dask_runner(workers, scheduler) if engine == "dask" else local_runner(workers)
    out_dir.parent.mkdir(parents=True, exist_ok=True)
    staging = Path(tempfile.mkdtemp(dir=out_dir.parent, prefix=f".{out_dir.name}.building-"))
    staging.chmod(0o755)
    try:
        writers = {name: TableWriter(name, staging) for name in TABLES}
        try:
            parsed = iter_parsed(files, Path(cache_dir) if cache_dir else None, runner, corrections, file_timeout)
            counts = stream_tables(parsed, writers,
                                   (lambda done: progress(done, len(files))) if progress else None)
        finally:
            for writer in writers.values():
                writer.close()
        (staging / "codebook.csv").write_bytes(_codebook_csv())
        write_datapackage(staging, TABLES, file_digests(staging))
        replace_folder(staging, out_dir)
    finally:
        if staging.exists():
            shutil.rmtree(staging)
    return BuildResult(out_dir, counts, sum(counts.get(s, 0) for s in ("valid", "repaired", "invalid")))


__all__ = ["build_dataset", "BuildResult", "list_inputs"]
