"""Indicators of the study, defined once: formulas, denominators and their source in the template.

Every function takes the processed tables (``data/processed``) as pandas DataFrames and returns
a DataFrame; nothing here reads raw reports. Rates come with Wilson 95% intervals and are never
computed over a zero denominator (the rate is then missing, with ``trials == 0``).

Notation, from 表三 (table 3), column 总计 (``total``) unless said otherwise:
``new`` = 一、本年新收, ``carried_over`` = 二、上年结转, ``handled`` = (七)总计,
``forward`` = 四、结转下年度继续办理.
"""

from __future__ import annotations

import math

import pandas as pd

from govreports.schema import SCHEMA, TABLE3_APPLICANT_COLUMNS

Z95 = 1.959963984540054
OUTCOME_GROUPS = {
    "granted": ("granted",),
    "partially_granted": ("partially_granted",),
    "denied": ("denied_",),
    "unavailable": ("unavailable_",),
    "not_processed": ("not_processed_",),
    "other": ("other_",),
}


def wilson_interval(successes: float, trials: float, z: float = Z95) -> tuple:
    """Return the Wilson score interval ``(low, high)`` for a binomial proportion; NaNs if no trials."""
    if trials <= 0 or pd.isna(trials) or pd.isna(successes):
        return (math.nan, math.nan)
    p = successes / trials
    denominator = 1 + z * z / trials
    centre = (p + z * z / (2 * trials)) / denominator
    half = z * math.sqrt(p * (1 - p) / trials + z * z / (4 * trials * trials)) / denominator
    return (max(0.0, centre - half), min(1.0, centre + half))


def wide_cells(cells: pd.DataFrame) -> pd.DataFrame:
    """Return one row per report and one column per cell code (values; nulls stay NaN)."""
    return cells.pivot(index="report_id", columns="code", values="value")  # noqa: PD010 (pairs are unique)


def outcome_codes(template: str = "2021") -> dict:
    """Return ``{outcome row code: its total cell}`` for every outcome row of 表三, in template order."""
    rows = [r.row_code for r in SCHEMA.rows(template, "table3")]
    outcomes = rows[rows.index("carried_over") + 1: rows.index("total_handled")]
    return {row: f"table3.{row}.total" for row in outcomes}


def report_indicators(reports: pd.DataFrame, cells: pd.DataFrame) -> pd.DataFrame:
    """Return per-report counts behind every indicator (one row per report, by ``report_id``).

    Columns: ``new``, ``carried_over``, ``handled``, ``forward``, ``granted``, ``partially_granted``,
    ``denied``, ``unavailable``, ``not_processed``, ``other``, ``not_held`` (四 1.本机关不掌握),
    ``disclosed`` (予以公开 + 部分公开), ``decided`` (disclosed + denied + unavailable: requests
    answered on substance), ``natural_person`` .. ``other_org`` (new applications by applicant),
    ``reconsideration``, ``reconsideration_corrected``, ``litigation``, ``litigation_corrected``,
    and table 2's counts, joined to the report's metadata.
    """
    wide = wide_cells(cells)
    out = pd.DataFrame(index=wide.index)
    total = lambda row: wide.get(f"table3.{row}.total")  # noqa: E731
    out["new"], out["carried_over"] = total("new_received"), total("carried_over")
    out["handled"], out["forward"] = total("total_handled"), total("carried_forward")
    for name, prefixes in OUTCOME_GROUPS.items():
        codes = [c for c in wide.columns if c.startswith("table3.") and c.endswith(".total")
                 and c.split(".")[1].startswith(prefixes)]
        out[name] = wide[codes].sum(axis=1, min_count=1) if codes else math.nan
    out["not_held"] = total("unavailable_not_held")
    out["disclosed"] = out["granted"] + out["partially_granted"]
    out["decided"] = out["disclosed"] + out["denied"] + out["unavailable"]
    for column in TABLE3_APPLICANT_COLUMNS:
        out[column] = wide.get(f"table3.new_received.{column}")
    for group in ("reconsideration", "litigation_direct", "litigation_after_reconsideration"):
        for result in ("total", "corrected", "pending"):
            out[f"{group}_{result}"] = wide.get(f"table4.{group}.{result}")
    out["litigation"] = out["litigation_direct_total"] + out["litigation_after_reconsideration_total"]
    out["litigation_corrected"] = out["litigation_direct_corrected"] + out["litigation_after_reconsideration_corrected"]
    for code in [c for c in wide.columns if c.startswith("table2.")]:
        out[code.replace("table2.", "t2_").replace(".", "_")] = wide[code]
    meta = reports.set_index("report_id")[["source", "status", "template", "year", "agency", "province",
                                          "prefecture", "county", "adcode", "level", "kind"]]
    return meta.join(out, how="left").reset_index()


RATES = {
    "disclosure_rate": ("disclosed", "handled", "(granted + partially_granted) / total_handled"),
    "disclosure_rate_decided": ("disclosed", "decided", "(granted + partially_granted) / (granted + partially_granted + denied + unavailable)"),
    "denial_rate": ("denied", "handled", "denied_* / total_handled"),
    "not_held_rate": ("not_held", "handled", "unavailable_not_held / total_handled"),
    "not_processed_rate": ("not_processed", "handled", "not_processed_* / total_handled"),
    "backlog_rate": ("forward", "inflow", "carried_forward / (new_received + carried_over)"),
    "natural_person_share": ("natural_person", "new", "new_received.natural_person / new_received.total"),
    "reconsideration_correction_rate": ("reconsideration_corrected", "reconsideration_decided", "reconsideration.corrected / (reconsideration.total - pending)"),
    "litigation_correction_rate": ("litigation_corrected", "litigation_decided", "litigation corrected / (litigation total - pending), both kinds"),
}


def _denominators(frame: pd.DataFrame) -> pd.DataFrame:
    frame = frame.copy()
    frame["inflow"] = frame["new"] + frame["carried_over"]
    frame["reconsideration_decided"] = frame["reconsideration_total"] - frame["reconsideration_pending"]
    pending = frame["litigation_direct_pending"] + frame["litigation_after_reconsideration_pending"]
    frame["litigation_decided"] = frame["litigation"] - pending
    return frame


def rate_table(indicators: pd.DataFrame, rate: str, by: list | None = None) -> pd.DataFrame:
    """Return a pooled rate (sum of numerators / sum of denominators) with its Wilson 95% interval.

    Args:
        indicators: :func:`report_indicators`' output (filter it first, e.g. on status).
        rate: a key of :data:`RATES`, e.g. ``disclosure_rate``.
        by: columns to group by (None: the whole frame).

    Returns a DataFrame with ``successes``, ``trials``, ``reports``, ``rate``, ``ci_low``, ``ci_high``;
    the rate is NaN where ``trials == 0``.
    """
    numerator, denominator, _formula = RATES[rate]
    frame = _denominators(indicators).dropna(subset=[numerator, denominator])
    groups = frame.groupby(by, dropna=False) if by else [((), frame)]
    rows = []
    for key, part in groups:
        successes, trials = float(part[numerator].sum()), float(part[denominator].sum())
        low, high = wilson_interval(successes, trials)
        row = dict(zip(by, key if isinstance(key, tuple) else (key,))) if by else {}
        row.update(successes=successes, trials=trials, reports=len(part),
                   rate=successes / trials if trials > 0 else math.nan, ci_low=low, ci_high=high)
        rows.append(row)
    return pd.DataFrame(rows)


def per_100_applications(indicators: pd.DataFrame, count: str, by: list | None = None) -> pd.DataFrame:
    """Return ``count`` (e.g. ``reconsideration_total``) per 100 new applications, pooled; NaN over zero."""
    frame = indicators.dropna(subset=[count, "new"])
    groups = frame.groupby(by, dropna=False) if by else [((), frame)]
    rows = []
    for key, part in groups:
        events, applications = float(part[count].sum()), float(part["new"].sum())
        row = dict(zip(by, key if isinstance(key, tuple) else (key,))) if by else {}
        row.update(events=events, applications=applications, reports=len(part),
                   per_100=100 * events / applications if applications > 0 else math.nan)
        rows.append(row)
    return pd.DataFrame(rows)


def concentration(indicators: pd.DataFrame, top: int = 10) -> float:
    """Return the share of new applications received by the ``top`` agencies with the most (NaN if none)."""
    volumes = indicators["new"].dropna().sort_values(ascending=False)
    total = volumes.sum()
    return float(volumes.head(top).sum() / total) if total > 0 else math.nan
