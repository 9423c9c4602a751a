"""Mutation testing of correctness: a damaged or altered report is never 'valid' with wrong numbers.

A mutation that changes the published figures (change, swap, shift) must come out with exactly
the printed figures and, unless it left every number as it was, 'invalid'. A mutation that only
damages the layout (drop, run_together) must come back 'repaired' with the original values, or
'invalid' with the cells it cannot place null. A number that differs from what was printed is
never reported.
"""

import random

import pytest

from govreports import parse_text
from govreports.synth import consistent_values, render_rows
from govreports.synth.mutations import LAYOUT_DAMAGE, mutate, satisfies_identities

KINDS = ["change", "swap", "shift", "drop", "run_together"]
LAYOUTS = ["lines", "pipes", "tabs", "markdown", "spaces"]


def classify(seed: int, kind: str, layout: str) -> str:
    """Parse one mutated report; assert it is right; return how the parser saw it."""
    rng = random.Random(seed)
    template = rng.choice(["2021", "2019"])
    values = consistent_values(template, seed=seed)
    rows, printed = mutate(values, template, kind, rng)
    report = parse_text(render_rows(rows, layout))
    got = report.values()
    wrong = [c for c, v in printed.items() if got[c] is not None and got[c] != v]
    assert wrong == [], f"{kind}/{layout}/seed {seed}: {report.status} with wrong cells {wrong[:3]}"
    if printed == values and kind not in LAYOUT_DAMAGE:
        return "no-op"  # e.g. two equal values swapped: nothing to detect
    if kind not in LAYOUT_DAMAGE and satisfies_identities(printed, template):
        # e.g. two results of one table-4 group swapped: every identity still holds, so the
        # published figures are read as printed and nothing can tell them from the truth
        assert report.status == "valid" and got == printed
        return "invisible"
    if report.status == "valid":
        assert kind in LAYOUT_DAMAGE and got == values, f"{kind}/{layout}/seed {seed}: valid but altered"
        return "valid"
    if kind in LAYOUT_DAMAGE:
        assert report.status in ("repaired", "invalid")
        return report.status
    assert report.status == "invalid" and got == printed
    return "detected"


@pytest.mark.parametrize("kind", KINDS)
@pytest.mark.parametrize("layout", LAYOUTS)
def test_mutations_are_never_silent(kind, layout):
    outcomes = [classify(seed, kind, layout) for seed in range(12)]
    if kind not in LAYOUT_DAMAGE:
        assert set(outcomes) <= {"detected", "no-op", "invisible"}
        assert outcomes.count("detected") >= 6
