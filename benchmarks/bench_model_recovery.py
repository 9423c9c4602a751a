"""Coverage of the models' 95% intervals when agencies and provinces differ: which method holds.

Each draw is an agency-year panel (31 provinces x 8 agencies x 5 years, 1,240 reports) from a
logit with agency effects, province shocks and report-level over-dispersion
(``draw_frame`` in tests/integration/test_model_recovery.py), fitted directly as a model frame.
For each method: the share of draws whose 95% interval holds the population-averaged truth of
each coefficient (the GLM's estimand on that draw's design), pooled over the five coefficients
and per coefficient, and the mean interval width. Then the GLMM (province random intercept,
marginal ML): how often its interval holds a province SD of 0.1 and 0.5, and how often a fit
with no province effect collapses and is reported degenerate.

    python benchmarks/bench_model_recovery.py --draws 100 --glmm-draws 20
"""

from __future__ import annotations

import argparse
import math
import sys
import time
from pathlib import Path

import numpy as np
import pandas as pd

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "tests" / "integration"))  # the generator

from test_model_recovery import SCENARIOS, coverage, glmm_draws  # noqa: E402

METHODS = {
    "recommended (province, CR3)": {},
    "province, CR1": {"clustering": "province", "se": "CR1"},
    "agency, CR3": {"clustering": "agency", "se": "CR3"},
    "agency, CR1": {"clustering": "agency", "se": "CR1"},
    "two-way province x year, CR3": {"clustering": "twoway", "se": "CR3"},
    "quasi-binomial (ignores clustering)": {"dispersion": "quasi"},
}


def glmm_summary(draws: int) -> pd.DataFrame:
    """Return, per true province SD, the GLMM's recovery and degeneracy over ``draws`` draws."""
    rows = []
    for sd in (0.0, 0.1, 0.5):
        results = glmm_draws(sd, draws)
        sigma = np.array([r.extra["sigma"] for r in results])
        inside = [r.status == "fitted" and r.extra["sigma_ci"][0] <= sd <= r.extra["sigma_ci"][1] for r in results]
        rows.append({"true_sd": sd, "draws": draws, "median_sigma": float(np.median(sigma)),
                     "interval_holds_truth": float(np.mean(inside)),
                     "degenerate": float(np.mean([r.status == "degenerate" for r in results])),
                     "lr_rejects_at_5pct": float(np.mean([r.extra["lr_p"] < 0.05 for r in results]))})
    return pd.DataFrame(rows)


def main() -> None:
    from common import header  # the machine, the commit and the reading floor of this run

    header()
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--draws", type=int, default=100)
    parser.add_argument("--glmm-draws", type=int, default=20)
    args = parser.parse_args()
    for scenario in SCENARIOS:
        start = time.perf_counter()
        rows = coverage(args.draws, scenario, METHODS, first_seed=1000)
        elapsed = time.perf_counter() - start
        pooled = rows.groupby("method", sort=False).agg(coverage=("covered", "mean"), width=("width", "mean"))
        per_term = rows.pivot_table(index="method", columns="term", values="covered", sort=False)
        print(f"\n== {scenario}: {SCENARIOS[scenario]}; {args.draws} draws, {elapsed:.0f} s "
              f"(Monte Carlo SE of a 95% coverage per term: {math.sqrt(0.95 * 0.05 / args.draws):.3f})")
        print(pooled.join(per_term).to_string(float_format=lambda v: f"{v:.3f}"))
    start = time.perf_counter()
    summary = glmm_summary(args.glmm_draws)
    print(f"\n== GLMM, province random intercept (marginal ML), {time.perf_counter() - start:.0f} s")
    print(summary.to_string(index=False, float_format=lambda v: f"{v:.3f}"))


if __name__ == "__main__":
    main()
