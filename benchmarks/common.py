"""Helpers shared by the benchmark scripts: the machine, the commit, the reading floor, rates.

Figures from a shared, loaded machine move with the load, so every benchmark prints, beside its
figures, the commit it ran and a *reading floor* measured in the same minute: how fast this
machine, at that moment, reads small files and runs a fixed pure-Python loop. A figure divided
by the floor ("x floor") compares across days and machines far better than the figure itself.
"""

from __future__ import annotations

import json
import os
import platform
import subprocess
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
FLOOR_FILES = 200  # files of 3 KB (a text report's size) read per round of the floor
FLOOR_LOOP = 20_000  # iterations of the fixed pure-Python loop per round


def seed_reports() -> list:
    """Return the five seed reports of data/raw (those with an answer key in tests/truth).

    data/raw also bundles real reports (run-together crawler streams, PDFs, reports before 2019)
    whose mix would change every figure; the benchmarks' text workload stays the seeds, so that
    figures of different days compare.
    """
    keys = sorted((ROOT / "tests" / "truth").glob("*.json"))
    return [ROOT / "data" / "raw" / json.loads(k.read_text(encoding="utf-8"))["file"] for k in keys]


def machine_line() -> str:
    """Return lines describing the machine, the commit and (measured now) the reading floor."""
    return f"{_machine()}\n{commit_line()}\n{floor_line(reading_floor(0.5))}"


def floor_line(floor: float) -> str:
    """Return the line that reports the reading floor."""
    return (f"reading floor: {floor:,.1f} rounds/s ({FLOOR_FILES} files of 3 KB read + {FLOOR_LOOP:,} "
            "Python loop steps a round); figures below also as 'x floor' = figure / floor")


def _machine() -> str:
    return f"machine: {platform.machine()}, {os.cpu_count()} cores, Python {platform.python_version()}, {platform.platform()}"


def commit_line() -> str:
    """Return the commit the benchmark runs (``+dirty`` when the tree has uncommitted changes)."""
    try:
        head = subprocess.run(["git", "-C", str(ROOT), "log", "-1", "--format=%h %cs %s"], capture_output=True,
                              text=True, timeout=10, check=True).stdout.strip()
        dirty = subprocess.run(["git", "-C", str(ROOT), "status", "--porcelain", "--untracked-files=no"],
                               capture_output=True, text=True, timeout=10, check=True).stdout.strip()
    except (OSError, subprocess.SubprocessError):
        return "commit: unknown (not a git checkout)"
    return f"commit: {head[:90]}{' +dirty' if dirty else ''}"


def _floor_round(paths: list) -> int:
    """Read every file once and run the fixed loop once; return a checksum (so nothing is skipped)."""
    total = 0
    for path in paths:
        with open(path, "rb") as handle:
            total += len(handle.read())
    words = {}
    for i in range(FLOOR_LOOP):
        key = f"k{i % 97}"
        words[key] = words.get(key, 0) + (i & 7)
    return total + sum(words.values())


def reading_floor(seconds: float = 1.0) -> float:
    """Return rounds per second of the floor: ``FLOOR_FILES`` small files read + a fixed Python loop.

    One round costs about what parsing one text report costs on an idle machine (a few ms), so
    the floor tracks the same things a parse depends on: the CPU share this process gets, its
    cache and the file system's speed.
    """
    with tempfile.TemporaryDirectory() as tmp:
        paths = []
        for i in range(FLOOR_FILES):
            path = Path(tmp) / f"{i}.txt"
            path.write_bytes(bytes([65 + i % 26]) * 3000)
            paths.append(path)
        _floor_round(paths)
        count, start = 0, time.perf_counter()
        while time.perf_counter() - start < seconds:
            _floor_round(paths)
            count += 1
        return count / (time.perf_counter() - start)


def header(seconds: float = 1.0) -> float:
    """Print the machine, the commit and the reading floor; return the floor (rounds/s)."""
    print(_machine())
    print(commit_line())
    floor = reading_floor(seconds)
    print(floor_line(floor))
    return floor


def per_floor(value: float, floor: float) -> str:
    """Return ``value`` as a ratio to the reading floor, for printing."""
    return f"{value / floor:.2f} x floor"


def rate(func, items: list, seconds: float) -> float:
    """Return how many items per second ``func`` handles, after one warm-up pass."""
    for item in items:
        func(item)
    count, start = 0, time.perf_counter()
    while time.perf_counter() - start < seconds:
        for item in items:
            func(item)
        count += len(items)
    return count / (time.perf_counter() - start)
