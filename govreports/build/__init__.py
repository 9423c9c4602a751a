"""Stage 3, build: the processed dataset from a folder of raw reports, reproducibly.

``build_dataset(raw_dir, out_dir)`` lists every input once (:mod:`.inputs`), parses the files in
chunks (:mod:`.runners`; a parse cache keyed by the file's SHA-256 and the parser's fingerprint,
:mod:`.cache`), applies ``data/corrections.csv`` (:mod:`.corrections`), turns reports into rows
(:mod:`.rows`), adds cross-year panel checks (:mod:`.panel`), and writes the tables ``reports``,
``cells``, ``checks``, ``repairs`` and ``manifest`` as Parquet and CSV (:mod:`.writer`) with a
``datapackage.json`` (:mod:`.resources`). The output folder is replaced atomically: an
interrupted build leaves the previous one intact. Running it twice gives byte-identical files.
"""

from __future__ import annotations

import hashlib
import math
import os
import shutil
import tempfile
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from govreports.build.corrections import check_sources, read_corrections
from govreports.build.duplicates import drop_reports
from govreports.build.inputs import first_seen, list_inputs
from govreports.build.resources import TABLES, is_synthetic, refuse_synthetic_default
from govreports.build.rows import CSV_CHOICES, DEFAULT_CSV, LONG_TABLES
from govreports.build.runners import chunk_tasks, dask_runner, local_runner, process_pool
from govreports.build.safety import build_lock, check_output_folder
from govreports.build.writer import (
    TableWriter,
    codebook_csv,
    indicator_definitions_csv,
    recover_interrupted,
    replace_folder,
    write_tables,
)
from govreports.errors import GovReportsError


@dataclass(frozen=True)
class BuildResult:
    """What a build did: the output folder and counts per manifest status."""

    out_dir: Path
    counts: dict
    reports: int


def build_dataset(raw_dir: str | Path, out_dir: str | Path, *, workers: int | None = None,
                  engine: str = "local", scheduler: str | None = None, cache_dir: str | Path | None = None,
                  corrections_path: str | Path | None = None, progress: Callable | None = None,
                  file_timeout: float = 120.0, csv: str = DEFAULT_CSV) -> BuildResult:
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
        csv: which tables get a CSV copy beside their Parquet file: ``"all"``, ``"reports"`` (the
            small tables; ``cells`` and ``checks`` Parquet only) or ``"none"`` (``CSV_CHOICES``).

    Raises:
        GovReportsError: the raw folder is missing, the corrections file is invalid or an
            option makes no sense.
    """
    _check_options(workers, file_timeout)
    if csv not in CSV_CHOICES:
        raise GovReportsError(f"--csv {csv}: choose one of {', '.join(CSV_CHOICES)}")
    raw_dir, out_dir = Path(raw_dir), Path(out_dir)
    if not raw_dir.is_dir():
        raise GovReportsError(f"raw folder {raw_dir} does not exist")
    inputs = {"raw folder": raw_dir, "cache": cache_dir, "corrections file": corrections_path}
    check_output_folder(out_dir, inputs)
    refuse_synthetic_default(raw_dir, out_dir)
    workers = workers or os.cpu_count() or 1
    corrections = read_corrections(corrections_path) if corrections_path else []
    out_dir.parent.mkdir(parents=True, exist_ok=True)
    with build_lock(out_dir):
        recover_interrupted(out_dir)
        check_output_folder(out_dir, inputs)  # again: what recovery put back is checked too
        counts = _build_locked(raw_dir, out_dir, workers, engine, scheduler, cache_dir,
                               corrections, corrections_path, progress, file_timeout, csv_tables(csv))
    return BuildResult(out_dir, counts, sum(counts.get(s, 0) for s in ("valid", "repaired", "invalid", "unchecked")))


def csv_tables(choice: str) -> frozenset:
    """Return the tables that get a CSV copy for ``--csv choice`` (all, reports or none)."""
    return {"all": frozenset(TABLES), "reports": frozenset(TABLES) - LONG_TABLES, "none": frozenset()}[choice]


def _check_options(workers: int | None, file_timeout: float) -> None:
    """Raise :class:`GovReportsError` for a number of workers or a time limit that makes no sense."""
    if workers is not None and (not isinstance(workers, int) or workers < 1):
        raise GovReportsError(f"workers must be a whole number of at least 1, not {workers!r}")
    if not isinstance(file_timeout, int | float) or not math.isfinite(file_timeout) or file_timeout < 0:
        raise GovReportsError(f"file_timeout must be 0 (no limit) or a finite number of seconds, not {file_timeout!r}")


def _build_locked(raw_dir: Path, out_dir: Path, workers: int, engine: str, scheduler: str | None, cache_dir,
                  corrections: list, corrections_path, progress: Callable | None, file_timeout: float,
                  csv_tables: frozenset = frozenset(TABLES)) -> dict:
    """Build into a staging folder and swap it in as ``out_dir`` (the caller holds the lock)."""
    with process_pool(workers if engine == "local" else 1) as pool:
        files = list_inputs(raw_dir, pool)
        check_sources(corrections, [f.source for f in files], corrections_path)
        runner = dask_runner(workers, scheduler) if engine == "dask" else local_runner(pool, workers)
        staging = Path(tempfile.mkdtemp(dir=out_dir.parent, prefix=f".{out_dir.name}.building-"))
        staging.chmod(0o755)
        try:
            counts = _write_dataset(raw_dir, files, runner, staging, corrections, cache_dir, file_timeout, progress,
                                    csv_tables)
            replace_folder(staging, out_dir)
        finally:
            if staging.exists():
                shutil.rmtree(staging)
    return counts


def _write_dataset(raw_dir: Path, files: list, runner: Callable, staging: Path, corrections: list, cache_dir, file_timeout: float,
                   progress: Callable | None, csv_tables: frozenset = frozenset(TABLES)) -> dict:
    """Write every table, the codebook and the data package into ``staging``; return the counts."""
    from govreports.build.resources import write_datapackage

    writers = {name: TableWriter(name, staging, csv=name in csv_tables) for name in TABLES}
    try:
        firsts, repeats = first_seen(files)
        tasks = chunk_tasks(raw_dir, firsts, corrections, Path(cache_dir) if cache_dir else None, file_timeout,
                            csv_tables)
        del firsts
        counts, displaced = write_tables(files, runner(tasks), writers, repeats,
                                         (lambda done: progress(done, len(files))) if progress else None)
    finally:
        for writer in writers.values():
            writer.close()
    digests = {name: digest for writer in writers.values() for name, digest in writer.digests().items()}
    if displaced:  # two reports of one agency and year: keep one (govreports.build.duplicates)
        digests.update(drop_reports(staging, displaced, {name: name in csv_tables for name in TABLES}))
    for name, data in (("codebook.csv", codebook_csv()), ("indicator_definitions.csv", indicator_definitions_csv())):
        (staging / name).write_bytes(data)
        digests[name] = hashlib.sha256(data).hexdigest()
    write_datapackage(staging, TABLES, dict(sorted(digests.items())), synthetic=is_synthetic(raw_dir))
    return counts


__all__ = ["build_dataset", "BuildResult", "list_inputs"]
