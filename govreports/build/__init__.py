"""Build the processed dataset from a folder of raw reports, reproducibly.

``build_dataset(raw_dir, out_dir)`` parses every file (in parallel, with a cache keyed by the
file's SHA-256 and the parser version), applies ``data/corrections.csv``, adds cross-year panel
checks, and writes the tables ``reports``, ``cells``, ``checks``, ``repairs`` and ``manifest`` as
Parquet and CSV with a ``datapackage.json``. The output folder is replaced atomically: an
interrupted build leaves the previous one intact. Running it twice gives byte-identical files.
"""

from __future__ import annotations

import csv
import gc
import hashlib
import io
import json
import logging
import os
import shutil
import signal
import sys
import tempfile
import threading
from collections.abc import Callable, Iterable
from concurrent.futures import ProcessPoolExecutor
from contextlib import contextmanager
from dataclasses import dataclass, replace
from functools import lru_cache
from pathlib import Path

from govreports import __version__
from govreports.build.corrections import apply_corrections, read_corrections
from govreports.errors import GovReportsError, Problem
from govreports.build.panel import panel_checks, panel_summary
from govreports.build.safety import build_lock, check_output_folder, die_with_parent
from govreports.parse import GC_THRESHOLD, fewer_collections, parse
from govreports.records import Report
from govreports.template import SCHEMA
from govreports.template.fields import TABLE_COLUMNS
from govreports.read import sha256_of, sniff_format
from govreports.build.rows import ChunkTables, TableWriter, check_rows, table_parts

log = logging.getLogger(__name__)

IGNORED_NAMES = {"SOURCES.csv", "README.md", ".gitkeep"}
TABLES = tuple(TABLE_COLUMNS)


@dataclass(frozen=True, slots=True)  # slots: a national build holds a million of them
class InputFile:
    """One file of the raw folder, read once: its path under the folder, its digest and size."""

    source: str  # the path under the raw folder
    sha256: str
    size_bytes: int
    format: str


@dataclass(frozen=True)
class BuildResult:
    """What a build did: the output folder and counts per manifest status."""

    out_dir: Path
    counts: dict
    reports: int


def list_inputs(raw_dir: Path, pool: ProcessPoolExecutor | None = None) -> list:
    """Return every file under ``raw_dir`` in a stable order (provenance files excluded).

    Each file is read once to take its digest; with many files that is spread over ``pool``.
    """
    paths = [str(p) for p in sorted(raw_dir.rglob("*"))
             if p.is_file() and p.name not in IGNORED_NAMES and not p.name.startswith(".")]
    chunks = [(str(raw_dir), paths[i:i + DIGEST_CHUNK]) for i in range(0, len(paths), DIGEST_CHUNK)]
    if pool is None or len(chunks) < 2:
        return [f for chunk in chunks for f in _describe(chunk)]
    return [f for described in pool.map(_describe, chunks) for f in described]


DIGEST_CHUNK = 2000


def _describe(chunk: tuple) -> list:
    """Return the :class:`InputFile` of each path of a chunk (read, hashed, format sniffed)."""
    raw_dir, paths = chunk
    files = []
    for name in paths:
        path = Path(name)
        data = path.read_bytes()
        files.append(InputFile(path.relative_to(raw_dir).as_posix(), sha256_of(data), len(data),
                               sniff_format(path, data)))
    return files


# ----------------------------------------------------------------------------------------
# Parsing with a cache


PARSER_PARTS = ("read", "parse", "template", "records.py", "errors.py")  # what a parse depends on


@lru_cache(maxsize=1)
def parser_fingerprint() -> str:
    """Return a digest of the parser's code and template data: the parse cache's key.

    The version number alone would keep serving stale parses after a change of code that did
    not bump it; code of later stages (build, study) does not change a parse and is left out.
    """
    package = Path(__file__).resolve().parents[1]
    digest = hashlib.sha256(__version__.encode())
    for part in PARSER_PARTS:
        paths = [package / part] if part.endswith(".py") else sorted((package / part).rglob("*"))
        for path in paths:
            if path.suffix in (".py", ".csv") and "__pycache__" not in path.parts:
                digest.update(path.relative_to(package).as_posix().encode())
                digest.update(path.read_bytes())
    return digest.hexdigest()[:16]


def _cache_path(cache_dir: Path, sha256: str) -> Path:
    return cache_dir / f"{sha256}-{parser_fingerprint()}.json"


def parse_report(path: str) -> Report:
    """Parse one file (the step a build's workers repeat; a seam for tests)."""
    return parse(path)


class FileTimeout(Exception):
    """Raised inside a worker when one file takes longer than the build's per-file limit."""


def _on_alarm(signum, frame):
    raise FileTimeout


def parse_within(path: str, seconds: float) -> Report:
    """Parse one file, giving up after ``seconds`` (a pathological PDF must not stall a build)."""
    if seconds <= 0 or threading.current_thread() is not threading.main_thread():
        return parse_report(path)
    previous = signal.signal(signal.SIGALRM, _on_alarm)
    signal.setitimer(signal.ITIMER_REAL, seconds)
    try:
        return parse_report(path)
    except FileTimeout:
        message = f"{Path(path).name}: took longer than {seconds:g} s to parse; skipped (raise --file-timeout)"
        return Report(Path(path).name, "failed", errors=(Problem("source.timeout", message),))
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, previous)


def cached_parse(file: InputFile, raw_dir: str, cache_dir: Path | None, seconds: float) -> Report:
    """Return a file's parse from the cache, or parse it (and store it in the cache)."""
    if cache_dir is None:
        return parse_within(os.path.join(raw_dir, file.source), seconds)
    path = _cache_path(cache_dir, file.sha256)
    if path.exists():
        return Report.from_dict(json.loads(path.read_text(encoding="utf-8")))
    report = parse_within(os.path.join(raw_dir, file.source), seconds)
    _write_atomic(path, json.dumps(report.to_dict(), ensure_ascii=False).encode("utf-8"))
    return report


# ----------------------------------------------------------------------------------------
# Chunks: what a worker does


CHUNK_FILES = 256  # files per task: fixed, so that row groups do not depend on the number of workers


@dataclass(frozen=True)
class ChunkTask:
    """A run of consecutive (first-seen) input files for one worker, with what it needs."""

    raw_dir: str
    files: tuple
    corrections: tuple
    cache_dir: str | None
    file_timeout: float


@dataclass(frozen=True)
class ChunkResult:
    """What a chunk adds to the dataset: manifest rows, panel entries and each table's part."""

    manifest: tuple
    panel: tuple
    parts: dict


def build_chunk(task: ChunkTask) -> ChunkResult:
    """Parse a chunk of files (or read their cached parses) and make its rows of every table."""
    tables = ChunkTables()
    manifest, panel = [], []
    cache_dir = Path(task.cache_dir) if task.cache_dir else None
    for file in task.files:
        report = replace(cached_parse(file, task.raw_dir, cache_dir, task.file_timeout), source=file.source)
        report = apply_corrections(report, [c for c in task.corrections if c.source == file.source])
        report_id = file.sha256[:16]
        manifest.append(_manifest_row(file, report.status, _first_error(report), report_id))
        if report.status != "failed":
            tables.add(report_id, file.source, report)
            panel.append(panel_summary(report_id, report))
    return ChunkResult(tuple(manifest), tuple(panel), table_parts(tables.to_arrow()))


def _first_error(report: Report) -> str | None:
    errors = [p.message for p in report.errors if p.severity == "error"]
    return errors[0] if errors else None


def chunk_tasks(raw_dir: Path, files: list, corrections: list, cache_dir: Path | None, file_timeout: float) -> list:
    """Split the first-seen files of ``raw_dir`` into :class:`ChunkTask` s, in order."""
    wanted = {f.source for f in files}
    own = tuple(c for c in corrections if c.source in wanted)
    cache = str(cache_dir) if cache_dir else None
    return [ChunkTask(str(Path(raw_dir).resolve()), tuple(files[i:i + CHUNK_FILES]), own, cache, file_timeout)
            for i in range(0, len(files), CHUNK_FILES)]


# ----------------------------------------------------------------------------------------
# Runners: where chunks are built


@contextmanager
def process_pool(workers: int):
    """Yield a pool of ``workers`` processes (None for one: everything runs in this process).

    The processes are started at once, while this process is still small: forked later, each
    would carry a copy of the build's list of a million input files.
    """
    if workers <= 1:
        with fewer_collections():
            yield None
        return
    with ProcessPoolExecutor(max_workers=workers, initializer=_start_worker, initargs=(os.getpid(),)) as pool:
        list(pool.map(int, range(workers)))  # start the workers now
        yield pool


def _start_worker(parent: int) -> None:
    die_with_parent(parent)  # a killed build must not leave its workers running
    gc.set_threshold(GC_THRESHOLD, *gc.get_threshold()[1:])  # see parse.fewer_collections


def local_runner(pool: ProcessPoolExecutor | None, workers: int) -> Callable:
    """Return a function building chunks in ``pool`` (in this process if None), in order."""

    def run(tasks: list) -> Iterable:
        if pool is None or len(tasks) < 2:
            return map(build_chunk, tasks)
        return _ordered(pool.submit, build_chunk, tasks, workers * CHUNKS_AHEAD)

    return run


CHUNKS_AHEAD = 4  # chunks in flight per worker: finished chunks waiting for the writer stay bounded


def _ordered(submit: Callable, function: Callable, tasks: list, ahead: int) -> Iterable:
    """Yield ``function(task)`` for each task in order, with at most ``ahead`` submitted and unread."""
    pending = []
    for task in tasks:
        pending.append(submit(function, task))
        if len(pending) >= ahead:
            yield pending.pop(0).result()
    for future in pending:
        yield future.result()


def dask_runner(workers: int, scheduler: str | None = None) -> Callable:
    """Return a function building chunks on Dask (a scheduler address, or a local cluster)."""

    def run(tasks: list) -> Iterable:
        if not tasks:
            return
        from dask.distributed import Client, LocalCluster

        if scheduler:
            with Client(scheduler) as client:
                ahead = CHUNKS_AHEAD * max(1, len(client.scheduler_info().get("workers", {})) or workers)
                yield from _ordered(lambda f, t: client.submit(f, t, pure=False), build_chunk, tasks, ahead)
            return
        with LocalCluster(n_workers=max(workers, 1), threads_per_worker=1, processes=True,
                          dashboard_address=None) as cluster, Client(cluster) as client:
            yield from _ordered(lambda f, t: client.submit(f, t, pure=False), build_chunk, tasks,
                                CHUNKS_AHEAD * max(workers, 1))

    return run


# ----------------------------------------------------------------------------------------
# Writing


def write_tables(files: list, results: Iterable, writers: dict, repeats: dict | None = None,
                 progress: Callable | None = None) -> dict:
    """Write every chunk's rows and every input's manifest row; return the manifest counts.

    ``results`` are the chunks of the first-seen files, in order; ``repeats`` maps the index of
    each repeated file to the source of its first copy, and such a file gets a ``duplicate`` row
    in its place. Only a small summary per report is kept in memory (for the cross-year panel
    checks), so memory stays bounded however large the corpus.
    """
    counts: dict = {}
    panel: list = []
    repeats = repeats or {}
    queue: list = []  # manifest rows of the current chunk, in order
    results = iter(results)
    for index, file in enumerate(files):
        if index in repeats:
            manifest = _manifest_row(file, "duplicate", f"same bytes as {repeats[index]}", None)
        else:
            if not queue:
                queue = list(_write_chunk(next(results), writers, panel))
            manifest = queue.pop(0)
        writers["manifest"].write([manifest])
        counts[manifest[4]] = counts.get(manifest[4], 0) + 1
        if progress:
            progress(index + 1)
    for report_id, checks in panel_checks(panel):
        writers["checks"].write(check_rows(report_id, checks))
    return counts


def _write_chunk(result: ChunkResult, writers: dict, panel: list) -> tuple:
    for name, part in result.parts.items():
        writers[name].write_part(part)
    # Agency names and codes repeat every year: one copy each (a national build keeps a million entries).
    panel.extend(replace(e, agency=e.agency and sys.intern(e.agency), adcode=e.adcode and sys.intern(e.adcode))
                 for e in result.panel)
    return result.manifest


def first_seen(files: list) -> tuple:
    """Return ``(files whose bytes were not seen earlier, {index of a repeated file: source of its first copy})``."""
    first_source: dict = {}
    firsts, repeats = [], {}
    for index, file in enumerate(files):
        if file.sha256 in first_source:
            repeats[index] = first_source[file.sha256]
        else:
            first_source[file.sha256] = file.source
            firsts.append(file)
    return firsts, repeats


def _manifest_row(file: InputFile, status: str, reason: str | None, report_id: str | None) -> tuple:
    return (file.source, file.sha256, file.size_bytes, file.format, status, reason, report_id, __version__)


def _write_atomic(path: Path, data: bytes) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.")
    with os.fdopen(fd, "wb") as handle:
        handle.write(data)
    os.replace(tmp, path)


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
        corrections_path: a corrections CSV (see :mod:`govreports.build.corrections`); None for none.
        progress: called as ``progress(done, total)`` after each input file.
        file_timeout: seconds one file may take to parse before it is recorded as failed (0: no limit).

    Raises:
        GovReportsError: the raw folder is missing or the corrections file is invalid.
    """
    raw_dir, out_dir = Path(raw_dir), Path(out_dir)
    if not raw_dir.is_dir():
        raise GovReportsError(f"raw folder {raw_dir} does not exist")
    inputs = {"raw folder": raw_dir, "cache": cache_dir, "corrections file": corrections_path}
    check_output_folder(out_dir, inputs)
    workers = workers or os.cpu_count() or 1
    corrections = read_corrections(corrections_path) if corrections_path else []
    out_dir.parent.mkdir(parents=True, exist_ok=True)
    with build_lock(out_dir):
        recover_interrupted(out_dir)
        check_output_folder(out_dir, inputs)  # again: what recovery put back is checked too
        counts = _build_locked(raw_dir, out_dir, workers, engine, scheduler, cache_dir, corrections, progress,
                               file_timeout)
    return BuildResult(out_dir, counts, sum(counts.get(s, 0) for s in ("valid", "repaired", "invalid")))


def _build_locked(raw_dir: Path, out_dir: Path, workers: int, engine: str, scheduler: str | None, cache_dir,
                  corrections: list, progress: Callable | None, file_timeout: float) -> dict:
    """Build into a staging folder and swap it in as ``out_dir`` (the caller holds the lock)."""
    with process_pool(workers if engine == "local" else 1) as pool:
        files = list_inputs(raw_dir, pool)
        runner = dask_runner(workers, scheduler) if engine == "dask" else local_runner(pool, workers)
        staging = Path(tempfile.mkdtemp(dir=out_dir.parent, prefix=f".{out_dir.name}.building-"))
        staging.chmod(0o755)
        try:
            counts = _write_dataset(raw_dir, files, runner, staging, corrections, cache_dir, file_timeout, progress)
            replace_folder(staging, out_dir)
        finally:
            if staging.exists():
                shutil.rmtree(staging)
    return counts


def _write_dataset(raw_dir: Path, files: list, runner: Callable, staging: Path, corrections: list, cache_dir, file_timeout: float,
                   progress: Callable | None) -> dict:
    """Write every table, the codebook and the data package into ``staging``; return the counts."""
    from govreports.build.resources import write_datapackage

    writers = {name: TableWriter(name, staging) for name in TABLES}
    try:
        firsts, repeats = first_seen(files)
        tasks = chunk_tasks(raw_dir, firsts, corrections, Path(cache_dir) if cache_dir else None, file_timeout)
        del firsts
        counts = write_tables(files, runner(tasks), writers, repeats,
                              (lambda done: progress(done, len(files))) if progress else None)
    finally:
        for writer in writers.values():
            writer.close()
    digests = {name: digest for writer in writers.values() for name, digest in writer.digests().items()}
    codebook = _codebook_csv()
    (staging / "codebook.csv").write_bytes(codebook)
    digests["codebook.csv"] = hashlib.sha256(codebook).hexdigest()
    write_datapackage(staging, TABLES, dict(sorted(digests.items())))
    return counts


__all__ = ["build_dataset", "BuildResult", "list_inputs"]
