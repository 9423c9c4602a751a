"""Intervals for pooled rates that respect clustering: a cluster bootstrap over agencies (or reports).

A pooled rate (sum of numerators / sum of denominators over reports) is not a binomial proportion
of independent applications: the applications of one agency share its practice, so two reports of
117 applications carry far less information than 117 coin flips. :func:`cluster_bootstrap`
resamples whole clusters (an agency's reports, or single reports) with replacement and takes the
percentile interval of the pooled rate over the draws. Draws are seeded: the same data give the
same interval.
"""

from __future__ import annotations

import math

import numpy as np
import pandas as pd

DRAWS = 2000
SEED = 20190515  # any fixed seed: intervals are reproducible run to run
LEVEL = 0.95
MIN_CLUSTERS = 2  # one cluster says nothing about variation between clusters: no interval


def cluster_sums(frame: pd.DataFrame, numerator: str, denominator: str, cluster: str) -> pd.DataFrame:
    """Return the numerator and denominator summed per cluster (rows missing either are left out)."""
    part = frame.dropna(subset=[numerator, denominator])
    # A row without a cluster is one of its own, named after its report (or its position) so that
    # the clusters' order, and so the draws, depend on the data only.
    alone = part["report_id"].astype(str) if "report_id" in part else pd.Series(part.index, index=part.index).astype(str)
    if cluster in part:
        keys = [str(k) if pd.notna(k) else f"#{r}" for r, k in zip(alone, part[cluster])]
    else:
        keys = [f"#{r}" for r in alone]
    sums = part.groupby(keys, sort=True)[[numerator, denominator]].sum()
    return sums.rename(columns={numerator: "successes", denominator: "trials"})


def percentile_interval(successes: np.ndarray, trials: np.ndarray, *, draws: int = DRAWS, seed: int = SEED,
                        level: float = LEVEL) -> tuple:
    """Return the cluster-bootstrap percentile interval ``(low, high)`` of ``sum(successes) / sum(trials)``.

    Args:
        successes: one numerator per cluster.
        trials: one denominator per cluster.
        draws: bootstrap resamples of the clusters.
        seed: the random generator's seed.
        level: the interval's coverage.

    Returns NaNs with fewer than :data:`MIN_CLUSTERS` clusters or no trials. Resamples whose
    trials sum to 0 are left out (the rate is undefined there).
    """
    successes, trials = np.asarray(successes, dtype=float), np.asarray(trials, dtype=float)
    if len(trials) < MIN_CLUSTERS or trials.sum() <= 0:
        return (math.nan, math.nan)
    rng = np.random.default_rng(seed)
    weights = rng.multinomial(len(trials), np.full(len(trials), 1 / len(trials)), size=draws)
    top, bottom = weights @ successes, weights @ trials
    rates = top[bottom > 0] / bottom[bottom > 0]
    tail = (1 - level) / 2
    low, high = np.quantile(rates, [tail, 1 - tail])
    return (float(low), float(high))


def cluster_bootstrap(frame: pd.DataFrame, numerator: str, denominator: str, *, cluster: str = "agency_key",
                      draws: int = DRAWS, seed: int = SEED, level: float = LEVEL) -> dict:
    """Return a pooled rate with its cluster-bootstrap interval and what it rests on.

    Args:
        frame: one row per report (e.g. :func:`govreports.study.metrics.report_indicators`).
        numerator: column of the rate's numerator.
        denominator: column of its denominator.
        cluster: column naming the cluster of each row (``agency_key``: an agency's reports are
            resampled together; ``report_id``: each report alone). A row whose cluster is missing
            is a cluster of its own.
        draws: bootstrap resamples.
        seed: the random generator's seed.
        level: the interval's coverage.

    Returns ``{"successes", "trials", "reports", "clusters", "rate", "ci_low", "ci_high"}``;
    the rate is NaN when ``trials == 0``.
    """
    part = frame.dropna(subset=[numerator, denominator])
    sums = cluster_sums(part, numerator, denominator, cluster)
    successes, trials = float(sums["successes"].sum()), float(sums["trials"].sum())
    low, high = percentile_interval(sums["successes"].to_numpy(), sums["trials"].to_numpy(), draws=draws,
                                    seed=seed, level=level)
    return {"successes": successes, "trials": trials, "reports": len(part), "clusters": len(sums),
            "rate": successes / trials if trials > 0 else math.nan, "ci_low": low, "ci_high": high}


__all__ = ["DRAWS", "SEED", "LEVEL", "MIN_CLUSTERS", "cluster_sums", "percentile_interval", "cluster_bootstrap"]
