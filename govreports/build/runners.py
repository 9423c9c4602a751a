"""Where a build's chunks of files are parsed: in this process, a pool of processes, or Dask.

A chunk is a run of consecutive input files; its worker parses each file (or reads its cached
parse), applies the corrections that name it, and turns the chunk into rows of every table
(:mod:`govreports.build.rows`). Results come back in input order, with a bounded number in flight.
"""

from __future__ import annotations

import gc
import os
from collections.abc import Callable, Iterable
from concurrent.futures import ProcessPoolExecutor
from contextlib import contextmanager
from dataclasses import dataclass, replace
from pathlib import Path

from govreports.build.cache import cached_parse
from govreports.build.corrections import apply_corrections
from govreports.build.inputs import manifest_row
from govreports.build.panel import panel_summary
from govreports.build.rows import ChunkTables, table_parts
from govreports.build.safety import die_with_parent
from govreports.errors import Problem
from govreports.limits import TIMEOUT, FileTimeout, run_within
from govreports.parse import GC_THRESHOLD, fewer_collections, parse
from govreports.records import Report


def parse_report(path: str, data: bytes | None = None) -> Report:
    """Parse one file, or its bytes already read (the step a build's workers repeat; a seam for tests)."""
    return parse(path, data=data)


def parse_within(path: str, seconds: float, data: bytes | None = None) -> Report:
    """Parse one file, giving up after ``seconds`` (a pathological file must not stall a build).

    The limit holds in a worker process's main thread and in a Dask worker's threads alike
    (see :mod:`govreports.build.limits`).
    """
    try:
        return run_within(seconds, parse_report, path, data)
    except FileTimeout:
        message = f"{Path(path).name}: took longer than {seconds:g} s to parse; skipped (raise --file-timeout)"
        return Report(Path(path).name, "failed", errors=(Problem(TIMEOUT, message),))


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
    csv_tables: frozenset | None = None  # tables written as CSV too (None: all)


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
        report = replace(cached_parse(file, task.raw_dir, cache_dir, task.file_timeout, parse_within), source=file.source)
        report = apply_corrections(report, [c for c in task.corrections if c.source == file.source])
        report_id = file.sha256[:16]
        manifest.append(manifest_row(file, report.status, _manifest_reason(report), report_id))
        if report.status != "failed":
            tables.add(report_id, file.source, report)
            panel.append(panel_summary(report_id, report))
    return ChunkResult(tuple(manifest), tuple(panel), table_parts(tables.to_arrow(), task.csv_tables))


def _manifest_reason(report: Report) -> str | None:
    """Return the report's first error or, for a report no identity could check, the first warning (why)."""
    errors = [p.message for p in report.errors if p.severity == "error"]
    if not errors and report.status == "unchecked":
        errors = [p.message for p in report.errors]
    return errors[0] if errors else None


def chunk_tasks(raw_dir: Path, files: list, corrections: list, cache_dir: Path | None, file_timeout: float,
                csv_tables: frozenset | None = None) -> list:
    """Split the first-seen files of ``raw_dir`` into :class:`ChunkTask` s, in order."""
    wanted = {f.source for f in files}
    own = tuple(c for c in corrections if c.source in wanted)
    cache = str(cache_dir) if cache_dir else None
    return [ChunkTask(str(Path(raw_dir).resolve()), tuple(files[i:i + CHUNK_FILES]), own, cache, file_timeout,
                      csv_tables) for i in range(0, len(files), CHUNK_FILES)]


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

