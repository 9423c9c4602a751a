"""OCR speed on scanned reports: pages per second, seconds per report, peak memory, on one core.

Usage: python benchmarks/bench_ocr.py [--detect-scale S] [SCANS...]   (default: tests/data/scans/*,
the committed fixtures: 150 dpi greyscale, A4 pages). The process is pinned to one core and the
engine to one thread; the model load (once per process) is timed apart. Each file's wall time
and CPU time are printed: on a loaded machine the CPU time is the steadier figure. The CPU
time is split between the engine's detection, its recognition, and the rest (rendering,
cleaning, tables, the parse).
"""

from __future__ import annotations

import json
import os
import resource
import sys
import time
from pathlib import Path

os.environ["GOVREPORTS_OCR_THREADS"] = "1"
if len(sys.argv) > 2 and sys.argv[1] == "--detect-scale":
    os.environ["GOVREPORTS_OCR_DETECT_SCALE"] = sys.argv[2]
    del sys.argv[1:3]
if hasattr(os, "sched_setaffinity"):
    os.sched_setaffinity(0, {min(os.sched_getaffinity(0))})

from govreports.parse import parse  # noqa: E402
from govreports.read import raster  # noqa: E402
from govreports.read.ocr import engine  # noqa: E402

SCANS = Path(__file__).resolve().parents[1] / "tests" / "data" / "scans"


def pages_of(path: Path) -> int:
    data = path.read_bytes()
    return sum(1 for _ in raster.page_images(data, "pdf" if data.startswith(b"%PDF") else "image"))


STAGES = {"detect": 0.0, "recognise": 0.0}


def timing(name: str, method):
    """Return ``method`` adding its CPU time to ``STAGES[name]``."""

    def timed(*args, **kwargs):
        started = time.process_time()
        try:
            return method(*args, **kwargs)
        finally:
            STAGES[name] += time.process_time() - started

    return timed


def main() -> None:
    from common import header  # the machine, the commit and the reading floor of this run

    header()
    paths = [Path(p) for p in sys.argv[1:]] or sorted(p for p in SCANS.iterdir() if p.name.startswith("scan_"))
    started = time.perf_counter()
    ocr = engine()
    load = time.perf_counter() - started
    for name in STAGES:
        setattr(ocr, name, timing(name, getattr(ocr, name)))
    total_pages, total_seconds, total_cpu, rows = 0, 0.0, 0.0, []
    for path in paths:
        pages = pages_of(path)
        started, cpu = time.perf_counter(), time.process_time()
        report = parse(path)
        seconds, cpu = time.perf_counter() - started, time.process_time() - cpu
        total_pages += pages
        total_seconds += seconds
        total_cpu += cpu
        rows.append({"file": path.name, "pages": pages, "seconds": round(seconds, 1), "cpu_seconds": round(cpu, 1),
                     "status": report.status})
    peak_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    for row in rows:
        print(json.dumps(row))
    scale = os.environ.get("GOVREPORTS_OCR_DETECT_SCALE", "default")
    print(f"detect scale {scale}; model load {load:.1f} s; {total_pages} pages in {total_seconds:.1f} s wall, "
          f"{total_cpu:.1f} s CPU: {total_pages / total_seconds:.3f} pages/s wall ({total_pages / total_cpu:.3f} CPU), "
          f"{total_seconds / total_pages:.1f} s/page wall ({total_cpu / total_pages:.1f} CPU), "
          f"{total_seconds / len(paths):.1f} s/report wall ({total_cpu / len(paths):.1f} CPU); "
          f"peak RSS {peak_mb:.0f} MB (one core, one thread)")
    rest = total_cpu - sum(STAGES.values())
    print(f"CPU per page: detection {STAGES['detect'] / total_pages:.2f} s, recognition "
          f"{STAGES['recognise'] / total_pages:.2f} s, the rest {rest / total_pages:.2f} s")


if __name__ == "__main__":
    main()
