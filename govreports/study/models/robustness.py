"""Robustness of the recommended share model: the same fit on other samples, side by side.

Runs (each a :func:`govreports.study.models.fit.fit_rate` with the same options): ``main`` (the
frame as given), ``valid only`` (repaired reports left out), ``with invalid`` (invalid reports
added with their printed figures, when a sensitivity frame is given), ``before 2021`` and
``2021 on`` (the two templates apart), and ``without <province>`` for each province (leave one
province out). Unit: one agency-year report.
"""

from __future__ import annotations

import pandas as pd

from govreports.study.models.fit import fit_rate
from govreports.study.models.frame import BASE_YEAR

ROBUSTNESS_COLUMNS = ("run", "status", "n", "term", "estimate", "ci_low", "ci_high", "ratio", "skipped")


def _samples(frame: pd.DataFrame, sensitivity_frame: pd.DataFrame | None, leave_out: bool) -> list:
    runs = [("main", frame), ("valid only", frame[frame["status"] == "valid"])]
    if sensitivity_frame is not None:
        runs.append(("with invalid", sensitivity_frame))
    year = pd.to_numeric(frame["year"], errors="coerce")
    runs += [(f"before {BASE_YEAR}", frame[year < BASE_YEAR]), (f"{BASE_YEAR} on", frame[year >= BASE_YEAR])]
    if leave_out:
        for province in sorted(frame["province"].dropna().unique()):
            runs.append((f"without {province}", frame[frame["province"] != province]))
    return runs


def robustness_table(frame: pd.DataFrame, outcome: str = "disclosure", *, sensitivity_frame=None,
                     terms=None, leave_out: bool = True, **options) -> pd.DataFrame:
    """Return the recommended model's chosen terms on every robustness sample, one row per run x term.

    Args:
        frame: the main model frame.
        outcome: as :func:`fit_rate`.
        sensitivity_frame: the frame with invalid reports (``load_model_frame(sensitivity=True)``).
        terms: the terms to report (default: every term but the intercept, province and year dummies).
        leave_out: also run leave-one-province-out.
        **options: passed to :func:`fit_rate` (covariates, clustering, ...).

    Returns:
        Columns :data:`ROBUSTNESS_COLUMNS`; a skipped run has one row with its reason.
    """
    rows = []
    for run, sample in _samples(frame, sensitivity_frame, leave_out):
        result = fit_rate(sample, outcome, **options)
        if not result.fitted:
            rows.append({"run": run, "status": result.status, "n": result.n, "skipped": result.skipped})
            continue
        table = result.table
        chosen = table["term"].isin(terms) if terms else ~table["term"].str.startswith(
            ("Intercept", "province[", "year_fe["))
        for _, row in table[chosen].iterrows():
            rows.append({"run": run, "status": result.status, "n": result.n, "term": row["term"],
                         "estimate": row["estimate"], "ci_low": row["ci_low"], "ci_high": row["ci_high"],
                         "ratio": row["ratio"], "skipped": None})
    return pd.DataFrame(rows, columns=list(ROBUSTNESS_COLUMNS))
