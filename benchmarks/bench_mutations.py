"""Mutation benchmark: how the parser classifies thousands of altered or damaged reports.

Usage: python benchmarks/bench_mutations.py [--n 2000] [--seed 0]

For each kind of mutation (see tests/mutations.py) and each text layout, mutate valid synthetic
reports and count the outcomes:
- published changes (change, swap, shift): ``detected`` (invalid, figures kept exactly as printed),
  ``no-op`` (the mutation left every number as it was), ``invisible`` (the altered figures still
  satisfy every identity, e.g. two results of one table-4 group swapped: read exactly as printed,
  undetectable by arithmetic), ``silent`` (a number other than the printed one, or valid although
  an identity fails);
- layout damage (drop, run_together): ``repaired`` (restored exactly), ``invalid`` (cells left
  null), ``silent`` (a wrong number reported).
Prints one line per kind and the detection rate; ``silent`` must be 0.
"""

from __future__ import annotations

import argparse
import random
from collections import Counter
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]

from govreports import parse_text  # noqa: E402
from govreports.synth import consistent_values, render_rows  # noqa: E402
from govreports.synth.mutations import (  # noqa: E402
    CORRUPTIONS,
    FILE_CORRUPTIONS,
    LAYOUT_CORRUPTIONS,
    LAYOUT_DAMAGE,
    corrupt,
    mutate,
    satisfies_identities,
)

KINDS = ["change", "swap", "shift", "drop", "run_together"]
LAYOUTS = ["lines", "pipes", "tabs", "markdown", "spaces"]


def outcome(kind: str, layout: str, rng: random.Random) -> str:
    template = rng.choice(["2021", "2019"])
    values = consistent_values(template, seed=rng.randrange(10**9))
    rows, printed = mutate(values, template, kind, rng)
    report = parse_text(render_rows(rows, layout))
    got = report.values()
    if any(got[c] is not None and got[c] != v for c, v in printed.items()):
        return "silent"
    if kind in LAYOUT_DAMAGE:
        return "repaired" if report.status in ("repaired", "valid") and got == values else "invalid"
    if printed == values:
        return "no-op"
    if satisfies_identities(printed, template):
        return "invisible"  # read exactly as printed; no identity can tell it from the truth
    return "detected" if report.status == "invalid" else "silent"


def _same(got, want) -> bool:
    return got == want or (isinstance(got, float) and abs(got - want) < 1e-6)


def corruption_outcome(kind: str, layout: str, rng: random.Random) -> str:
    """Classify one corrupted report (see :func:`govreports.synth.mutations.corrupt`)."""
    template = rng.choice(["2021", "2019"])
    values = consistent_values(template, seed=rng.randrange(10**9))
    text, printed = corrupt(values, template, kind, rng, layout)
    report = parse_text(text)
    if kind in FILE_CORRUPTIONS:
        return "failed" if report.status == "failed" else "silent"
    got = report.values()
    if any(got[c] is not None and not _same(got[c], v) for c, v in printed.items()):
        return "silent"
    if kind in LAYOUT_CORRUPTIONS:
        return "read exactly" if all(_same(got[c], v) for c, v in printed.items() if v is not None) else "null"
    if printed == values:
        return "no-op"
    if satisfies_identities(printed, template):
        return "invisible"  # read exactly as printed; no identity can tell it from the truth
    return "detected" if report.status == "invalid" else "silent"


def main() -> None:
    from common import header  # the machine, the commit and the reading floor of this run

    header()
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--n", type=int, default=2000, help="mutations per kind")
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--kinds", default="", help="comma-separated kinds (default: all)")
    args = ap.parse_args()
    rng = random.Random(args.seed)
    kinds = args.kinds.split(",") if args.kinds else KINDS + list(CORRUPTIONS)
    for kind in kinds:
        if kind in CORRUPTIONS:
            counts = Counter(corruption_outcome(kind, rng.choice(LAYOUTS), rng) for _ in range(args.n))
            print(f"{kind:29} n={args.n}: " + ", ".join(f"{k} {v}" for k, v in sorted(counts.items()))
                  + f"; silent {counts['silent']}")
            continue
        counts = Counter(outcome(kind, rng.choice(LAYOUTS), rng) for _ in range(args.n))
        effective = args.n - counts["no-op"] - counts["invisible"]
        caught = counts["detected"] + counts["repaired"] + counts["invalid"]
        print(f"{kind:29} n={args.n}: " + ", ".join(f"{k} {v}" for k, v in sorted(counts.items()))
              + f"; handled correctly {caught}/{effective} ({100 * caught / max(effective, 1):.2f}%)")


if __name__ == "__main__":
    main()
