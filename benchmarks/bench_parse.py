"""Print parse speed on text reports: reports per second on one core.

Usage: python benchmarks/bench_parse.py [--seconds N] [FILES...]
Defaults to the five seed reports in data/raw plus synthetic renderings in six layouts, and
measures ``parse_document`` (everything after reading the file: layout, tables, repairs,
checks, metadata) plus, separately, ``parse`` from disk.
"""

from __future__ import annotations

import argparse
import os
import platform
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "tests"))

from govreports.parse import parse, parse_document  # noqa: E402
from govreports.sources import read_document  # noqa: E402


def synthetic_documents(tmp: Path) -> list:
    from synth import consistent_values, render

    paths = []
    for i, layout in enumerate(["lines", "pipes", "tabs", "markdown", "spaces", "vertical"]):
        for template in ("2021", "2019"):
            path = tmp / f"synth_{layout}_{template}.txt"
            path.write_text(render(consistent_values(template, seed=i), layout, template), encoding="utf-8")
            paths.append(path)
    return paths


def rate(func, items, seconds: float) -> tuple:
    for item in items:  # warm-up: imports, caches
        func(item)
    count, start = 0, time.perf_counter()
    while time.perf_counter() - start < seconds:
        for item in items:
            func(item)
        count += len(items)
    elapsed = time.perf_counter() - start
    return count / elapsed, elapsed / count * 1000


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("files", nargs="*")
    ap.add_argument("--seconds", type=float, default=3.0)
    args = ap.parse_args()
    import tempfile

    with tempfile.TemporaryDirectory() as tmp:
        paths = [Path(f) for f in args.files] or sorted((ROOT / "data" / "raw").glob("*.txt")) + synthetic_documents(Path(tmp))
        documents = [read_document(p) for p in paths]
        print(f"machine: {platform.machine()}, {os.cpu_count()} cores, Python {platform.python_version()}, {platform.platform()}")
        print(f"reports: {len(paths)} ({sum(len(d.text) for d in documents) // len(documents)} characters on average)")
        per_second, ms = rate(parse_document, documents, args.seconds)
        print(f"parse_document (in memory): {per_second:,.0f} reports/s on one core ({ms:.2f} ms/report)")
        per_second, ms = rate(parse, paths, args.seconds)
        print(f"parse (from disk):          {per_second:,.0f} reports/s on one core ({ms:.2f} ms/report)")


if __name__ == "__main__":
    main()
