"""OCR speed on scanned reports: pages per second, seconds per report, peak memory, on one core.

Usage: python benchmarks/bench_ocr.py [SCANS...]   (default: tests/data/scans/*, the committed
fixtures: 150 dpi greyscale, two A4 pages each). The process is pinned to one core and the
engine to one thread; the model load (once per process) is timed apart.
"""

from __future__ import annotations

import json
import os
import resource
import sys
import time
from pathlib import Path

os.environ["GOVREPORTS_OCR_THREADS"] = "1"
if hasattr(os, "sched_setaffinity"):
    os.sched_setaffinity(0, {min(os.sched_getaffinity(0))})

from govreports.parse import parse  # noqa: E402
from govreports.read import raster  # noqa: E402
from govreports.read.ocr import engine  # noqa: E402

SCANS = Path(__file__).resolve().parents[1] / "tests" / "data" / "scans"


def pages_of(path: Path) -> int:
    data = path.read_bytes()
    return sum(1 for _ in raster.page_images(data, "pdf" if data.startswith(b"%PDF") else "image"))


def main() -> None:
    from common import header  # the machine, the commit and the reading floor of this run

    header()
    paths = [Path(p) for p in sys.argv[1:]] or sorted(p for p in SCANS.iterdir() if p.name.startswith("scan_"))
    started = time.perf_counter()
    engine()
    load = time.perf_counter() - started
    total_pages, total_seconds, rows = 0, 0.0, []
    for path in paths:
        pages = pages_of(path)
        started = time.perf_counter()
        report = parse(path)
        seconds = time.perf_counter() - started
        total_pages += pages
        total_seconds += seconds
        rows.append({"file": path.name, "pages": pages, "seconds": round(seconds, 1), "status": report.status})
    peak_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    for row in rows:
        print(json.dumps(row))
    print(f"model load {load:.1f} s; {total_pages} pages in {total_seconds:.1f} s: "
          f"{total_pages / total_seconds:.3f} pages/s, {total_seconds / total_pages:.1f} s/page, "
          f"{total_seconds / len(paths):.1f} s/report; peak RSS {peak_mb:.0f} MB (one core, one thread)")


if __name__ == "__main__":
    main()
