"""Print the stream solver's speed: crawler text whose cells run together, reports per second on one core.

Usage: python benchmarks/bench_stream.py [--n 40] [--seconds 3]
Synthetic reports (seeded, realistic figures) are rendered as a crawler leaves them: the title,
then every cell of the report run together on one line (with an odd space), plus the two real
pingtan-zone reports of ``tests/real/raw``. Each is parsed from memory (``parse_document``: label
search in the stream, the split of every run under the identities, checks, metadata); the same
reports are parsed again and again, so caches are warm. Also prints the share of cells read
(right) and lost, and the number of wrong cells (it must be 0).
"""

from __future__ import annotations

import argparse
import random
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]

from common import machine_line, rate  # noqa: E402

from govreports.parse import parse_document  # noqa: E402
from govreports.read import read_document, sha256_of  # noqa: E402
from govreports.records import Document  # noqa: E402
from govreports.synth import generate_report, render_report  # noqa: E402


def stream_text(report, rng: random.Random) -> str:
    """Render a synthetic report as a crawler does: title, then every cell run together on one line."""
    lines = [line.strip() for line in render_report(report).decode("utf-8").split("\n") if line.strip()]
    return lines[0] + "\n" + "".join(line + rng.choice(("", "", "", " ")) for line in lines[1:])


def synthetic(n: int) -> list:
    """Return ``[(document, published values)]`` for ``n`` synthetic streams."""
    out = []
    for index in range(n):
        drawn = generate_report(index, "bench-stream", layouts=("lines",), anomaly_rate=0)
        text = stream_text(drawn, random.Random(index))
        document = Document(f"stream_{index}.txt", sha256_of(text.encode()), "text", "utf-8", text)
        out.append((document, drawn.values))
    return out


def accuracy(pairs: list) -> tuple:
    """Return (right, lost, wrong) over every published cell."""
    right = lost = wrong = 0
    for document, expected in pairs:
        values = parse_document(document).values()
        for code, want in expected.items():
            got = values.get(code)
            lost += got is None
            right += got is not None and got == want
            wrong += got is not None and got != want
    return right, lost, wrong


def cpu_rate(func, items: list, seconds: float) -> float:
    """Return items per CPU-second (process time): steadier than wall time on a loaded machine."""
    count, start = 0, time.process_time()
    while time.process_time() - start < seconds:
        for item in items:
            func(item)
        count += len(items)
    return count / (time.process_time() - start)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--n", type=int, default=40)
    ap.add_argument("--seconds", type=float, default=3.0)
    args = ap.parse_args()
    pairs = synthetic(args.n)
    real = [read_document(p) for p in sorted((ROOT / "tests" / "real" / "raw").glob("pingtan-zone_*.txt"))]
    documents = [d for d, _ in pairs] + real
    print(machine_line())
    right, lost, wrong = accuracy(pairs)
    total = right + lost + wrong
    print(f"synthetic streams: {len(pairs)}; cells right {right / total:.1%}, lost {lost / total:.1%}, wrong {wrong}")
    print(f"reports: {len(documents)} ({sum(len(d.text) for d in documents) // len(documents)} characters on average)")
    per_second = rate(parse_document, documents, args.seconds)
    print(f"parse_document, stream (in memory, caches warm): {per_second:,.0f} reports/s on one core "
          f"({1000 / per_second:.2f} ms/report)")
    per_cpu_second = cpu_rate(parse_document, documents, args.seconds)
    print(f"parse_document, stream (CPU time of this process):  {per_cpu_second:,.0f} reports per CPU-second")


if __name__ == "__main__":
    main()
