"""Parse a synthetic national corpus: throughput and accuracy per layout, against the answer keys.

Generates a corpus with :func:`govreports.synth.generate_corpus` (N reports per layout, round
robin), parses every file once with :func:`govreports.parse` in this one process (the garbage
collector set as ``govreports parse`` and ``build`` set it), and prints per layout: reports per
second on one core (parse from disk, after one warm-up report per layout), the cells right /
wrong / missed against the keys (a blank cell is right only when it comes out null; "silent"
counts wrong cells in reports the parser called valid), metadata fields right, and the statuses
given.

    python benchmarks/bench_corpus.py --per-layout 300 [--seed 1] [--layouts html,pipes] [--keep DIR]
"""

from __future__ import annotations

import argparse
import json
import math
import sys
import tempfile
import time
from collections import Counter, defaultdict
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(Path(__file__).resolve().parent))

from common import machine_line  # noqa: E402

from govreports import parse  # noqa: E402
from govreports.parse import fewer_collections  # noqa: E402
from govreports.synth import DEFAULT_LAYOUTS, LAYOUTS, generate_corpus, parse_layouts  # noqa: E402

META = ("year", "template", "agency", "province", "prefecture", "county", "adcode", "level", "kind")


def score(report: dict, key: dict, tally: Counter, examples: list) -> None:
    """Add one parsed report's agreement with its key to ``tally`` (and a few examples of errors)."""
    cells, valid = report["cells"], report["status"] == "valid"
    for code, want in key["cells"].items():
        got = cells.get(code)
        if got is None:
            tally["missed"] += 1
        elif math.isclose(got, want, rel_tol=1e-9, abs_tol=1e-6):
            tally["right"] += 1
        else:
            tally["wrong"] += 1
            tally["silent"] += valid
            examples.append(f"{key['file']}: {code}={got!r} (key {want!r})")
    for code in key["blank"]:
        ok = cells.get(code) is None
        tally["right" if ok else "wrong"] += 1
        if not ok:
            examples.append(f"{key['file']}: {code}={cells[code]!r} (printed blank)")
    for field in META:
        ok = report[field] == key[field]
        tally["meta_right"] += ok
        if not ok:
            examples.append(f"{key['file']}: {field}={report[field]!r} (key {key[field]!r})")
    tally["meta"] += len(META)
    tally[f"status:{report['status']}"] += 1
    tally["anomalies"] += key["anomaly"] is not None


def run(corpus: Path) -> tuple:
    """Parse every report of the corpus; return (per-layout tallies, per-layout seconds, examples)."""
    keys = [json.loads(p.read_text(encoding="utf-8")) for p in sorted((corpus / "truth").glob("*.json"))]
    warmed = set()
    for key in keys:  # one report per layout first: imports, cpca's tables, regex caches
        if key["layout"] not in warmed:
            parse(corpus / "reports" / key["file"])
            warmed.add(key["layout"])
    tallies, seconds, examples = defaultdict(Counter), Counter(), defaultdict(list)
    with fewer_collections():  # as `govreports parse` and `govreports build` run
        for key in keys:
            _parse_and_score(corpus, key, tallies, seconds, examples)
    return tallies, seconds, examples


def _parse_and_score(corpus: Path, key: dict, tallies: dict, seconds: Counter, examples: dict) -> None:
    """Parse one report (timed) and add its agreement with its key to the layout's tally."""
    path = corpus / "reports" / key["file"]
    start = time.perf_counter()
    report = parse(path)
    seconds[key["layout"]] += time.perf_counter() - start
    tallies[key["layout"]]["reports"] += 1
    score(report.to_dict(), key, tallies[key["layout"]], examples[key["layout"]])


def print_table(tallies: dict, seconds: Counter, examples: dict) -> None:
    header = (f"{'layout':<13}{'reports':>8}{'rep/s/core':>11}{'ms/rep':>8}{'cells right':>13}{'wrong':>7}"
              f"{'silent':>7}{'missed':>8}{'meta right':>12}  statuses")
    print(header)
    print("-" * len(header))
    total = Counter()
    for layout in sorted(tallies, key=list(LAYOUTS).index):
        t = tallies[layout]
        total.update(t)
        total["seconds"] += seconds[layout]
        print(_line(layout, t, seconds[layout]))
    print("-" * len(header))
    print(_line("all", total, total["seconds"]))
    for layout, found in examples.items():
        for example in found[:5]:
            print(f"  {layout}: {example}")


def _line(name: str, t: Counter, secs: float) -> str:
    cells = t["right"] + t["wrong"] + t["missed"]
    statuses = ", ".join(f"{k.split(':')[1]} {v}" for k, v in sorted(t.items()) if k.startswith("status:"))
    return (f"{name:<13}{t['reports']:>8}{t['reports'] / secs:>11,.0f}{1000 * secs / t['reports']:>8.2f}"
            f"{t['right']:>7}/{cells:<6}{t['wrong']:>6}{t['silent']:>7}{t['missed']:>8}"
            f"{t['meta_right']:>6}/{t['meta']:<6} {statuses}")


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--per-layout", type=int, default=300, help="reports per layout (default 300)")
    ap.add_argument("--seed", default="1")
    ap.add_argument("--layouts", default=",".join(DEFAULT_LAYOUTS), help="comma-separated (default: %(default)s)")
    ap.add_argument("--anomaly-rate", type=float, default=0.02)
    ap.add_argument("--keep", type=Path, default=None, help="write the corpus here and keep it")
    args = ap.parse_args()
    layouts = parse_layouts(args.layouts)
    with tempfile.TemporaryDirectory() as tmp:
        out = args.keep or Path(tmp) / "corpus"
        start = time.perf_counter()
        result = generate_corpus(args.per_layout * len(layouts), args.seed, out, layouts=layouts,
                                 anomaly_rate=args.anomaly_rate)
        generated = time.perf_counter() - start
        print(machine_line())
        print(f"corpus: {result.reports} synthetic reports (seed {args.seed}, {args.per_layout} per layout, "
              f"{result.anomalies} with an anomaly), generated in {generated:.1f} s "
              f"({result.reports / generated:,.0f} reports/s)")
        tallies, seconds, examples = run(result.out_dir)
        print_table(tallies, seconds, examples)


if __name__ == "__main__":
    main()
