"""Empirical coverage of the disclosure model's 95% intervals, through the whole pipeline.

Each draw simulates agency-year disclosure counts from a logit model of level and kind with
known coefficients (tests/integration/test_model_recovery.py), renders every agency-year as a
report file, builds the processed dataset with ``build_dataset``, loads the model frame and fits
``disclosed + I(handled - disclosed) ~ level + kind``. Printed per coefficient: the true value,
the mean estimate, and the share of draws whose 95% interval holds the truth for the binomial GLM
with agency-clustered standard errors and t(agencies - 1) intervals (the model of
govreports.study.models), the same errors with normal intervals, the quasi-binomial GLM, and a naive
binomial GLM (for comparison).

    python benchmarks/bench_model_recovery.py --draws 100
"""

from __future__ import annotations

import argparse
import math
import sys
import tempfile
import time
from pathlib import Path

import pandas as pd
import statsmodels.api as sm
import statsmodels.formula.api as smf

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "tests" / "integration"))  # the recovery test's generator and fit

from test_model_recovery import TRUE, recover  # noqa: E402

from govreports.study import models  # noqa: E402

Z95 = 1.959963984540054


def one_draw(seed: int, agencies_per_cell: int, workers: int) -> tuple:
    """Return (rows of per-coefficient results, pipeline fidelity) for one simulated corpus."""
    with tempfile.TemporaryDirectory() as tmp:
        drawn, frame = recover(seed, Path(tmp), agencies_per_cell, workers)
    merged = frame.merge(drawn, on=["agency", "year"], suffixes=("", "_drawn"))
    faithful = len(merged) == len(drawn) and bool(
        (merged["status"] == "valid").all()
        and all((merged[c] == merged[f"{c}_drawn"]).all() for c in ("level", "kind", "disclosed", "handled")))
    if not faithful:  # the pipeline lost or changed something: coverage would not measure the model
        return [], False
    clustered = models.fit_disclosure(frame, covariates=["level", "kind"])
    quasi = models.fit_disclosure(frame, covariates=["level", "kind"], dispersion="quasi")
    naive = smf.glm(clustered.formula, clustered.data, family=sm.families.Binomial()).fit()
    fits = {"clustered": clustered.table.set_index("term"), "quasi": quasi.table.set_index("term")}
    normal = fits["clustered"].copy()  # the same clustered errors with normal, not t, intervals
    normal["ci_low"], normal["ci_high"] = normal["estimate"] - Z95 * normal["std_error"], \
        normal["estimate"] + Z95 * normal["std_error"]
    fits["clustered_normal"] = normal
    fits["naive"] = pd.DataFrame({"estimate": naive.params, "ci_low": naive.params - Z95 * naive.bse,
                                  "ci_high": naive.params + Z95 * naive.bse})
    rows = []
    for term, value in TRUE.items():
        row = {"seed": seed, "term": term, "true": value, "estimate": fits["clustered"].loc[term, "estimate"]}
        for name, table in fits.items():
            row[f"covered_{name}"] = bool(table.loc[term, "ci_low"] <= value <= table.loc[term, "ci_high"])
            row[f"width_{name}"] = table.loc[term, "ci_high"] - table.loc[term, "ci_low"]
        rows.append(row)
    return rows, faithful


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--draws", type=int, default=100)
    parser.add_argument("--first-seed", type=int, default=1, help="seed of the first draw (the test uses 0)")
    parser.add_argument("--agencies-per-cell", type=int, default=4, help="agencies per level x kind (max 6)")
    parser.add_argument("--workers", type=int, default=1)
    args = parser.parse_args()

    start, rows, faithful = time.perf_counter(), [], 0
    for seed in range(args.first_seed, args.first_seed + args.draws):
        draw_rows, ok = one_draw(seed, args.agencies_per_cell, args.workers)
        rows += draw_rows
        faithful += ok
    elapsed = time.perf_counter() - start
    if not rows:
        print(f"no draw came through the pipeline intact ({args.draws} draws): nothing to measure")
        return
    results = pd.DataFrame(rows)
    summary = results.groupby("term", sort=False).agg(
        true=("true", "first"), mean_estimate=("estimate", "mean"), clustered_t=("covered_clustered", "mean"),
        clustered_normal=("covered_clustered_normal", "mean"), quasi=("covered_quasi", "mean"),
        naive=("covered_naive", "mean"), width_clustered_t=("width_clustered", "mean"),
        width_quasi=("width_quasi", "mean"))
    reports = 2 * 6 * args.agencies_per_cell
    print(f"{args.draws} draws of {reports} reports ({args.agencies_per_cell * 6} agencies x 2 years), "
          f"{elapsed:.0f} s ({elapsed / args.draws:.2f} s per draw: render, build, fit)")
    print(f"pipeline faithful (every report valid, counts and metadata as drawn): {faithful}/{args.draws} draws "
          "(coverage is over these)")
    print(f"Monte Carlo standard error of a 95% coverage: {math.sqrt(0.95 * 0.05 / faithful):.3f}")
    print("coverage of the 95% intervals (share of draws holding the true value), and mean interval widths:")
    print(summary.to_string(float_format=lambda v: f"{v:.3f}"))
    print(f"all four coefficients covered (clustered, t): "
          f"{results.groupby('seed')['covered_clustered'].all().mean():.3f}")


if __name__ == "__main__":
    main()
