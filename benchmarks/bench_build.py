"""Print `govreports build` throughput and peak memory on a corpus of N reports.

Usage: python benchmarks/bench_build.py [--n 10000 100000] [--workers 1 2] [--engine local|dask] [--writer]

The corpus repeats the five real seed reports and ten synthetic renderings in five text layouts,
each copy made unique by a trailing line (so the cache and the duplicate detection do not skip
it); two of the fifteen (seeds 002 and 004) are OCR-like and need repairs. ``--writer`` also
times the writing process alone on chunks made beforehand: the bound of a build spread over many
machines. Each configuration runs in a fresh process; peak memory is the maximum resident set
size of the build process and of its largest worker.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def make_corpus(folder: Path, n: int) -> None:
    from common import seed_reports

    from govreports.synth import consistent_values, render

    bases = [p.read_text(encoding="utf-8") for p in seed_reports()]
    bases += [render(consistent_values(t, seed=s), layout, t)
              for s, layout in enumerate(["lines", "pipes", "tabs", "markdown", "spaces"]) for t in ("2021", "2019")]
    folder.mkdir(parents=True, exist_ok=True)
    for i in range(n):
        sub = folder / f"{i // 1000:04d}"
        sub.mkdir(exist_ok=True)
        (sub / f"r{i:07d}.txt").write_text(bases[i % len(bases)] + f"\n(copy {i})\n", encoding="utf-8")


def run_build(raw: Path, out: Path, workers: int, engine: str) -> dict:
    code = (
        "import json, resource, time, sys\n"
        "from govreports.build import build_dataset\n"
        "t = time.perf_counter()\n"
        f"r = build_dataset({str(raw)!r}, {str(out)!r}, workers={workers}, engine={engine!r})\n"
        "wall = time.perf_counter() - t\n"
        "main = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024\n"
        "child = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024\n"
        "print(json.dumps({'wall': wall, 'main_mb': main, 'child_mb': child, 'counts': r.counts}))\n"
    )
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    return json.loads(done.stdout.strip().splitlines()[-1])


def writer_bound(raw: Path, out: Path) -> None:
    """Print how fast the writing process alone takes chunks in (what bounds a build on many machines)."""
    import time

    from govreports.build import TABLES
    from govreports.build.inputs import list_inputs
    from govreports.build.runners import build_chunk, chunk_tasks
    from govreports.build.writer import TableWriter, write_tables

    files = list_inputs(raw)
    results = [build_chunk(task) for task in chunk_tasks(raw, files, [], None, 0)]
    out.mkdir()
    start = time.perf_counter()
    writers = {name: TableWriter(name, out) for name in TABLES}
    write_tables(files, results, writers)
    for writer in writers.values():
        writer.close()
        writer.digests()
    seconds = time.perf_counter() - start
    print(f"writer alone, n={len(files):,}: {seconds:.1f} s, {len(files) / seconds:,.0f} reports/s "
          f"({1000 * seconds / len(files):.2f} ms per report)")


def main() -> None:
    from common import header  # the machine, the commit and the reading floor of this run

    header()
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--n", type=int, nargs="+", default=[10_000])
    ap.add_argument("--workers", type=int, nargs="+", default=[1, 2])
    ap.add_argument("--engine", default="local", choices=["local", "dask"])
    ap.add_argument("--writer", action="store_true", help="also time the writing process alone (chunks made beforehand)")
    args = ap.parse_args()
    print(f"machine: {platform.machine()}, {os.cpu_count()} cores, Python {platform.python_version()}")
    for n in args.n:
        with tempfile.TemporaryDirectory() as tmp:
            raw = Path(tmp) / "raw"
            make_corpus(raw, n)
            if args.writer:
                writer_bound(raw, Path(tmp) / "writer")
                shutil.rmtree(Path(tmp) / "writer")
            for workers in args.workers:
                out = Path(tmp) / f"out{workers}"
                result = run_build(raw, out, workers, args.engine)
                total = result["main_mb"] + (workers if workers > 1 or args.engine == "dask" else 0) * result["child_mb"]
                print(f"n={n:,} workers={workers} engine={args.engine}: {result['wall']:.1f} s, "
                      f"{n / result['wall']:,.0f} reports/s, peak memory: main {result['main_mb']:,.0f} MB, "
                      f"largest worker {result['child_mb']:,.0f} MB, all processes at most {total:,.0f} MB; "
                      f"{result['counts']}")
                shutil.rmtree(out)


if __name__ == "__main__":
    main()
