"""Helpers shared by the benchmark scripts."""

from __future__ import annotations

import os
import platform
import time


def machine_line() -> str:
    """Return one line describing the machine the figures come from."""
    return f"machine: {platform.machine()}, {os.cpu_count()} cores, Python {platform.python_version()}, {platform.platform()}"


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
