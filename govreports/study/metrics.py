"""Indicators of the study, defined once: formulas, denominators and their source in the template.

Every function takes the processed tables (``data/processed``) as pandas DataFrames and returns
a DataFrame; nothing here reads raw reports. Pooled rates come with 95% intervals from a cluster
bootstrap over agencies (:mod:`govreports.study.uncertainty`: an agency's applications are not
independent draws), the naive Wilson interval beside it for comparison, and are never computed
over a zero denominator (the rate is then missing, with ``trials == 0``).

Notation, from 表三 (table 3), column 总计 (``total``) unless said otherwise:
``new`` = 一、本年新收, ``carried_over`` = 二、上年结转, ``handled`` = (七)总计,
``forward`` = 四、结转下年度继续办理.
"""

from __future__ import annotations

import math

import pandas as pd

from govreports.study.uncertainty import cluster_bootstrap
from govreports.template import TABLE3_APPLICANT_COLUMNS
from govreports.template.vocabulary import (
    LEVELS,
    OUTCOME_GROUPS,
    TABLE4_GROUPS,
    USABLE_STATUSES,
    Z95,
    Scope,
)


def agency_key(reports: pd.DataFrame) -> pd.Series:
    """Return the stable agency key of each report: the one every model and metric groups by.

    ``agency_id`` when the table has that column and it is filled; otherwise the agency name and
    the adcode (``name|adcode``), so that same-named townships (e.g. two 东塘镇人民政府 in
    different provinces) stay apart; without an adcode, the name and the province
    (``name||province``). Missing when the agency name is missing.
    """
    name = reports["agency"] if "agency" in reports else pd.Series(None, index=reports.index, dtype=object)
    adcode = _text(reports, "adcode")
    province = _text(reports, "province")
    key = name.astype(object) + "|" + adcode.where(adcode != "", "|" + province)
    key = key.where(name.notna(), None)
    if "agency_id" in reports:
        ids = reports["agency_id"]
        key = ids.astype(object).where(ids.notna(), key)
    return key.astype(object).rename("agency_key")


def _text(frame: pd.DataFrame, column: str) -> pd.Series:
    if column not in frame:
        return pd.Series("", index=frame.index, dtype=object)
    return frame[column].astype(object).where(frame[column].notna(), "").astype(str)


def wilson_interval(successes: float, trials: float, z: float = Z95) -> tuple:
    """Return the Wilson score interval ``(low, high)`` for a binomial proportion; NaNs if no trials."""
    if trials <= 0 or pd.isna(trials) or pd.isna(successes):
        return (math.nan, math.nan)
    p = successes / trials
    denominator = 1 + z * z / trials
    centre = (p + z * z / (2 * trials)) / denominator
    half = z * math.sqrt(p * (1 - p) / trials + z * z / (4 * trials * trials)) / denominator
    # The interval always holds p: at 0 of n (or n of n) rounding can put a bound a hair past it
    # (2.8e-17 above 0 for 0 of 12), and an error bar then has a negative length.
    return (max(0.0, min(p, centre - half)), min(1.0, max(p, centre + half)))


def wide_cells(cells: pd.DataFrame) -> pd.DataFrame:
    """Return one row per report and one column per cell code (values; nulls stay NaN)."""
    return cells.pivot(index="report_id", columns="code", values="value")  # noqa: PD010 (pairs are unique)


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
    for group in TABLE4_GROUPS:
        for result in ("total", "corrected", "pending"):
            out[f"{group}_{result}"] = wide.get(f"table4.{group}.{result}")
    out["litigation"] = out["litigation_direct_total"] + out["litigation_after_reconsideration_total"]
    out["litigation_corrected"] = out["litigation_direct_corrected"] + out["litigation_after_reconsideration_corrected"]
    for code in [c for c in wide.columns if c.startswith("table2.")]:
        out[code.replace("table2.", "t2_").replace(".", "_")] = wide[code]
    columns = ["source", "status", "template", "year", "agency", "province", "prefecture", "county", "adcode",
               "level", "kind"] + [c for c in ("agency_id", "scope") if c in reports]
    meta = reports.set_index("report_id")[columns]
    if "scope" not in meta:  # a dataset built before the column existed: nothing says
        meta = meta.assign(scope=Scope.UNKNOWN.value)
    meta = meta.assign(agency_key=agency_key(meta).to_numpy())
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


# Characters of the adcode that name a division at each level (a county's all six).
_DIVISION_DIGITS = {"province": 2, "prefecture": 4, "county": 6}


def double_counted(indicators: pd.DataFrame) -> pd.Series:
    """Return, per row, whether it is a jurisdiction-wide summary whose members are in the frame too.

    A report of scope ``jurisdiction`` (a 汇总 report) adds up the agencies of its division; another
    report of the same year whose adcode lies in that division, at the summary's level or below,
    is one of its members, and a sum over both would count the member twice. Summaries without
    members in the frame, or without an adcode or level, are not double counted.
    """
    flags = pd.Series(False, index=indicators.index)
    if "scope" not in indicators:
        return flags
    summaries = indicators[(indicators["scope"] == Scope.JURISDICTION.value) & indicators["adcode"].notna()
                           & indicators["level"].isin(list(_DIVISION_DIGITS))]
    rank = {level: i for i, level in enumerate(LEVELS)}
    for index, summary in summaries.iterrows():
        prefix = str(summary["adcode"])[:_DIVISION_DIGITS[summary["level"]]]
        others = indicators.drop(index)
        members = others[(others["year"] == summary["year"]) & others["adcode"].astype(str).str.startswith(prefix)
                         & (others["level"].map(rank) >= rank[summary["level"]])]
        flags[index] = not members.empty
    return flags


def summable(indicators: pd.DataFrame) -> pd.DataFrame:
    """Return the rows a sum across reports may add: all but summaries whose members are there too.

    Every pooled figure of this module (rates, per-100 figures, compositions, volumes,
    concentration, headlines) sums over ``summable(frame)``, so a jurisdiction's summary is never
    added to its own members (see :func:`double_counted`); ``reports`` counts what was summed.
    """
    flags = double_counted(indicators)
    return indicators[~flags] if flags.any() else indicators


def _denominators(frame: pd.DataFrame) -> pd.DataFrame:
    """Return ``frame`` with the derived denominators of :data:`RATES` whose columns it has."""
    frame = frame.copy()
    if {"new", "carried_over"} <= set(frame):
        frame["inflow"] = frame["new"] + frame["carried_over"]
    if {"reconsideration_total", "reconsideration_pending"} <= set(frame):
        frame["reconsideration_decided"] = frame["reconsideration_total"] - frame["reconsideration_pending"]
    pending = ("litigation_direct_pending", "litigation_after_reconsideration_pending")
    if {"litigation", *pending} <= set(frame):
        frame["litigation_decided"] = frame["litigation"] - frame[pending[0]] - frame[pending[1]]
    return frame


def rate_table(indicators: pd.DataFrame, rate: str, by: list | None = None, *, cluster: str = "agency_key",
               draws: int | None = None) -> pd.DataFrame:
    """Return a pooled rate (sum of numerators / sum of denominators) with its 95% intervals.

    Args:
        indicators: :func:`report_indicators`' output (filter it first, e.g. on status).
        rate: a key of :data:`RATES`, e.g. ``disclosure_rate``.
        by: columns to group by (None: the whole frame).
        cluster: what the bootstrap resamples (``agency_key`` or ``report_id``).
        draws: bootstrap resamples (None: :data:`govreports.study.uncertainty.DRAWS`).

    Returns a DataFrame with ``successes`` and ``trials`` (applications), ``reports``,
    ``clusters``, ``rate``, ``ci_low`` / ``ci_high`` (cluster bootstrap, NaN with fewer than two
    clusters) and ``wilson_low`` / ``wilson_high`` (applications treated as independent: too
    narrow when they cluster, shown for comparison); the rate is NaN where ``trials == 0``.
    """
    numerator, denominator, _formula = RATES[rate]
    frame = _denominators(summable(indicators)).dropna(subset=[numerator, denominator])
    options = {"cluster": cluster, **({"draws": draws} if draws else {})}
    rows = []
    for group, part in _groups(frame, by):
        row = {**group, **cluster_bootstrap(part, numerator, denominator, **options)}
        row["wilson_low"], row["wilson_high"] = wilson_interval(row["successes"], row["trials"])
        rows.append(row)
    columns = [*(by or []), "successes", "trials", "reports", "clusters", "rate", "ci_low", "ci_high",
               "wilson_low", "wilson_high"]
    return pd.DataFrame(rows, columns=columns)


def per_100_applications(indicators: pd.DataFrame, count: str, by: list | None = None) -> pd.DataFrame:
    """Return ``count`` (e.g. ``reconsideration_total``) per 100 new applications, pooled; NaN over zero."""
    frame = summable(indicators).dropna(subset=[count, "new"])
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
    volumes = summable(indicators)["new"].dropna().sort_values(ascending=False)
    total = volumes.sum()
    return float(volumes.head(top).sum() / total) if total > 0 else math.nan


# ----------------------------------------------------------------------------------------
# Summaries the study notebooks share (selections, compositions, rankings, headlines).

# The outcome groups whose rows name a reason (not the two disclosure rows).
REASON_GROUPS = {group: OUTCOME_GROUPS[group][0] for group in ("denied", "unavailable", "not_processed", "other")}
VOLUME_BRACKETS = ((0, 0, "0"), (1, 9, "1-9"), (10, 99, "10-99"), (100, 999, "100-999"), (1000, math.inf, "1000+"))


def usable(indicators: pd.DataFrame) -> pd.DataFrame:
    """Return the rows whose report is ``valid`` or ``repaired`` (complete tables whose identities hold)."""
    return indicators[indicators["status"].isin(USABLE_STATUSES)]


def _groups(frame: pd.DataFrame, by: list | None) -> list:
    """Return ``[(group values as a dict, part)]`` for ``by`` (one group, ``{}``, when ``by`` is None)."""
    if not by:
        return [({}, frame)]
    out = []
    for key, part in frame.groupby(by, dropna=False, sort=True):
        out.append((dict(zip(by, key if isinstance(key, tuple) else (key,))), part))
    return out


def outcome_composition(indicators: pd.DataFrame, by: list | None = None) -> pd.DataFrame:
    """Return the pooled composition of outcomes (表三 (一)-(六)) over applications handled ((七)总计).

    One row per group and outcome (:data:`OUTCOME_GROUPS`' keys, in template order), with
    ``count``, ``handled``, ``reports`` and ``share`` (``count / handled``; NaN when nothing was handled).
    """
    frame = summable(indicators).dropna(subset=["handled"])
    rows = []
    for group, part in _groups(frame, by):
        handled = float(part["handled"].sum())
        for outcome in OUTCOME_GROUPS:
            count = float(part[outcome].sum())
            rows.append({**group, "outcome": outcome, "count": count, "handled": handled, "reports": len(part),
                         "share": count / handled if handled > 0 else math.nan})
    return pd.DataFrame(rows, columns=[*(by or []), "outcome", "count", "handled", "reports", "share"])


def reason_ranking(indicators: pd.DataFrame, cells: pd.DataFrame) -> pd.DataFrame:
    """Rank the reasons an application was not granted (不予公开, 无法提供, 不予处理, 其他处理 rows).

    Args:
        indicators: :func:`report_indicators`' rows of the reports to pool (filter first).
        cells: the ``cells`` table (at least ``report_id``, ``code``, ``value``).

    Returns one row per reason row code of 表三 with ``group`` (a key of :data:`REASON_GROUPS`),
    ``applications`` (column 总计, summed), ``reports`` (reports printing the cell),
    ``share_of_handled`` with its 95% cluster-bootstrap interval over agencies, sorted from the most
    used reason.
    """
    columns = ["row_code", "group", "applications", "reports", "share_of_handled", "ci_low", "ci_high"]
    indicators = summable(indicators)
    ids = set(indicators["report_id"])
    part = cells[cells["report_id"].isin(ids) & cells["code"].str.startswith("table3.")
                 & cells["code"].str.endswith(".total")]
    row_code = part["code"].str.split(".").str[1]
    part = part.assign(row_code=row_code)[row_code.str.startswith(tuple(REASON_GROUPS.values()))]
    if part.empty:
        return pd.DataFrame(columns=columns)
    handled = float(indicators["handled"].sum())
    table = part.groupby("row_code").agg(applications=("value", "sum"), reports=("value", "count")).reset_index()
    table["group"] = [next(g for g, p in REASON_GROUPS.items() if r.startswith(p)) for r in table["row_code"]]
    table["share_of_handled"] = table["applications"] / handled if handled > 0 else math.nan
    # Each reason's share over the reports' handled applications, resampling agencies (a report
    # that does not print the row contributes 0 to it, as to the pooled share).
    per_report = part.pivot_table(index="report_id", columns="row_code", values="value", aggfunc="sum")
    frame = indicators[["report_id", "agency_key", "handled"]].join(per_report, on="report_id")
    intervals = [cluster_bootstrap(frame.assign(count=frame[r].fillna(0)), "count", "handled") for r in table["row_code"]]
    table["ci_low"], table["ci_high"] = [i["ci_low"] for i in intervals], [i["ci_high"] for i in intervals]
    table = table.sort_values(["applications", "row_code"], ascending=[False, True], kind="stable")
    return table[columns].reset_index(drop=True)


def proactive_totals(indicators: pd.DataFrame, cells: pd.DataFrame) -> pd.DataFrame:
    """Return 表二 (proactive disclosure) per cell code: ``reports`` printing a figure, ``total``, ``median``.

    Codes of both templates can appear (a year is usually printed in one); a blank cell is not a zero
    and is left out of ``reports``, ``total`` and ``median``.
    """
    ids = set(summable(indicators)["report_id"])
    part = cells[cells["report_id"].isin(ids) & cells["code"].str.startswith("table2.")].dropna(subset=["value"])
    if part.empty:
        return pd.DataFrame(columns=["code", "reports", "total", "median"])
    table = part.groupby("code", sort=True)["value"].agg(reports="count", total="sum", median="median")
    return table.reset_index()


def volume_summary(indicators: pd.DataFrame) -> pd.DataFrame:
    """Return one row describing new applications per report and their concentration.

    Columns: ``reports`` (with a figure), ``total``, ``mean``, ``median``, ``p90``, ``max``,
    ``zero_reports`` and ``top1_share``, ``top5_share``, ``top10_share`` (see :func:`concentration`).
    """
    indicators = summable(indicators)
    volumes = indicators["new"].dropna()
    row = {"reports": len(volumes), "total": float(volumes.sum()) if len(volumes) else math.nan}
    stats = {"mean": volumes.mean(), "median": volumes.median(), "p90": volumes.quantile(0.9), "max": volumes.max()}
    row.update({k: (float(v) if len(volumes) else math.nan) for k, v in stats.items()})
    row["zero_reports"] = int((volumes == 0).sum())
    for top in (1, 5, 10):
        row[f"top{top}_share"] = concentration(indicators, top=top)
    return pd.DataFrame([row])


def volume_brackets(indicators: pd.DataFrame) -> pd.DataFrame:
    """Return the number of reports per bracket of new applications (0, 1-9, 10-99, 100-999, 1000+)."""
    volumes = indicators["new"].dropna()
    rows = [{"bracket": label, "reports": int(((volumes >= low) & (volumes <= high)).sum())}
            for low, high, label in VOLUME_BRACKETS]
    return pd.DataFrame(rows)


def concentration_curve(indicators: pd.DataFrame) -> pd.DataFrame:
    """Return agencies ranked by new applications with their share and the cumulative share.

    Columns: ``rank`` (1 = most), ``agency``, ``new``, ``share``, ``cumulative_share`` and
    ``agency_share`` (rank / number of reports): the curve behind :func:`concentration`.
    """
    frame = summable(indicators).dropna(subset=["new"]).sort_values(["new", "agency"], ascending=[False, True],
                                                                    kind="stable")
    total = float(frame["new"].sum())
    out = pd.DataFrame({"rank": range(1, len(frame) + 1), "agency": frame["agency"].to_numpy(),
                        "new": frame["new"].to_numpy(dtype=float)})
    out["share"] = out["new"] / total if total > 0 else math.nan
    out["cumulative_share"] = out["share"].cumsum()
    out["agency_share"] = out["rank"] / max(len(out), 1)
    return out


HEADLINE_RATES = ("disclosure_rate", "denial_rate", "not_held_rate", "reconsideration_correction_rate",
                  "litigation_correction_rate")
HEADLINE_PER_100 = {"reconsideration_per_100": "reconsideration_total", "litigation_per_100": "litigation"}


def headline(indicators: pd.DataFrame, by: list | None = None) -> pd.DataFrame:
    """Return the study's headline indicators, one row per group.

    Columns: ``reports``, ``new`` (new applications, summed), ``handled``, each rate of
    :data:`HEADLINE_RATES` with ``<rate>_low`` / ``<rate>_high`` (95% cluster bootstrap), and
    ``reconsideration_per_100`` / ``litigation_per_100`` (cases per 100 new applications).
    Every figure is pooled with :func:`rate_table` or :func:`per_100_applications`.
    """
    rows = []
    for group, part in _groups(summable(indicators), by):
        # min_count: a group whose reports print no figure has a missing total, not 0 (pre-2019 forms).
        row = {**group, "reports": len(part), "new": float(part["new"].sum(min_count=1)),
               "handled": float(part["handled"].sum(min_count=1))}
        for rate in HEADLINE_RATES:
            table = rate_table(part, rate)
            values = table.iloc[0] if len(table) else {"rate": math.nan, "ci_low": math.nan, "ci_high": math.nan}
            row.update({rate: values["rate"], f"{rate}_low": values["ci_low"], f"{rate}_high": values["ci_high"]})
        for name, count in HEADLINE_PER_100.items():
            table = per_100_applications(part, count)
            row[name] = table["per_100"].iloc[0] if len(table) else math.nan
        rows.append(row)
    columns = [*(by or []), "reports", "new", "handled"]
    columns += [c for rate in HEADLINE_RATES for c in (rate, f"{rate}_low", f"{rate}_high")] + list(HEADLINE_PER_100)
    return pd.DataFrame(rows, columns=columns)


def matched_change(indicators: pd.DataFrame, year: int) -> pd.DataFrame:
    """Return new applications of agencies that reported both in ``year - 1`` and ``year``.

    Agencies are matched on :func:`agency_key` (name and adcode, as the panel checks are); an agency with two
    reports in one year is left out. Columns: ``agency``, ``adcode``, ``before``, ``after``,
    ``change`` and ``change_pct`` (NaN when ``before`` is 0).
    """
    frame = indicators[indicators["year"].isin([year - 1, year])].dropna(subset=["new"])
    frame = frame.assign(adcode=frame["adcode"].fillna(""), agency_key=agency_key(frame))
    counts = frame.groupby(["agency_key", "year"]).size()
    single = counts[counts == 1].reset_index()[["agency_key", "year"]]
    frame = frame.merge(single, on=["agency_key", "year"])
    wide = frame.pivot_table(index="agency_key", columns="year", values="new", aggfunc="sum")
    if year - 1 not in wide.columns or year not in wide.columns:
        return pd.DataFrame(columns=["agency", "adcode", "before", "after", "change", "change_pct"])
    wide = wide.dropna(subset=[year - 1, year])
    names = frame.sort_values("year").groupby("agency_key")[["agency", "adcode"]].last()
    out = names.join(pd.DataFrame({"before": wide[year - 1], "after": wide[year]}), how="inner")
    out = out.reset_index(drop=True)
    out["change"] = out["after"] - out["before"]
    out["change_pct"] = [100 * c / b if b > 0 else math.nan for c, b in zip(out["change"], out["before"])]
    return out.sort_values(["agency", "adcode"]).reset_index(drop=True)


def region_mask(reports: pd.DataFrame, region: str) -> pd.Series:
    """Return which reports belong to ``region``: a province, prefecture or county name, or an adcode.

    An adcode selects by its significant prefix: ``430000`` a province, ``430600`` a
    prefecture, ``430624`` a county. Names are compared whole (``湖南省``, ``岳阳市``).
    """
    region = str(region).strip()
    if region.isdigit() and len(region) == 6:
        prefix = region.rstrip("0")
        prefix = prefix + "0" * ((2 - len(prefix) % 2) % 2)  # whole levels: 2, 4 or 6 digits
        return reports["adcode"].fillna("").astype(str).str.startswith(prefix) & (prefix != "")
    names = [reports[c].fillna("").astype(str) for c in ("province", "prefecture", "county")]
    return (names[0] == region) | (names[1] == region) | (names[2] == region)


def check_outcomes(checks: pd.DataFrame, by: list | None = None) -> pd.DataFrame:
    """Return counts of checks ``passed``, ``failed`` and ``unevaluable`` (a lost cell), per group."""
    by = by or ["identity"]
    frame = checks.assign(result=[("unevaluable" if pd.isna(p) else "passed" if p else "failed")
                                  for p in checks["passed"]])
    results = ["passed", "failed", "unevaluable"]
    if frame.empty:
        return pd.DataFrame(columns=[*by, *results])
    table = pd.crosstab([frame[c] for c in by], frame["result"]).reindex(columns=results, fill_value=0)
    table.columns.name = None
    return table.reset_index()
