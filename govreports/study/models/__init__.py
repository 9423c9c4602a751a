"""Statistical models relating application outcomes to agency characteristics (issue 7).

The unit of every model is one agency-year report whose status is ``valid`` or ``repaired``
(``sensitivity=True`` adds ``invalid`` ones, with their figures as published). The model frame
comes from the processed tables through :func:`govreports.study.metrics.report_indicators`; nothing
here reads raw reports.

Models (``fit_all`` runs them all; each also has its own function):

* disclosure, 予以公开 + 部分公开 (``disclosed``) out of (七)总计 (``handled``): a binomial GLM
  with a logit link and standard errors clustered by agency, and a quasi-binomial version
  (scale = Pearson chi2 / residual df) robust to over-dispersion;
* the shares "information not held" (四 1.本机关不掌握, ``not_held``) and "not processed"
  (五 不予处理, ``not_processed``) of ``handled``: the same two models;
* application volume (一、本年新收, ``new``): a negative binomial (NB2) GLM, its dispersion
  ``alpha`` estimated by maximum likelihood;
* reconsideration (行政复议) and litigation (行政诉讼) counts with ``log(new)`` as offset:
  Poisson and negative binomial GLMs;
* a multilevel logit of disclosure with a random intercept by province (statsmodels
  ``BinomialBayesMixedGLM``, Laplace approximation: posterior mode and standard deviations from
  the inverse Hessian; its mean-field variational fit understates them several-fold).

Standard errors clustered by agency are statsmodels' cluster-robust (CR1) ones, and their
intervals and p-values use a t distribution with (agencies - 1) degrees of freedom: with few
agencies, normal intervals cover too rarely (benchmarks/bench_model_recovery.py measures it).
Every table's ``ci_low`` / ``ci_high`` are 95% intervals.

Covariates have readable names: ``level`` (reference county), ``kind`` (reference government),
a region (``province`` fixed effects, or ``macro_region``, east / central / west / northeast,
when provinces are few), ``years_since_2021`` (year - 2021), ``template`` (reference 2019),
``log_applications`` (ln(1 + new)) and ``natural_person_share`` (new applications from natural
persons / new). A report whose denominator is zero is dropped from that model and counted.

When the data cannot identify a model, nothing is raised: covariates with a single value, a
singular design, separation (a category without events) or too many parameters for the reports
are dropped with a note saying exactly why, and a model that still cannot be fitted (too few
reports, an outcome without variation) comes back ``fitted=False`` with the reason.
"""

from __future__ import annotations

import math
import warnings
from dataclasses import dataclass, field
from itertools import product
from pathlib import Path

import numpy as np
import pandas as pd

from govreports.study import figures
from govreports.study.metrics import report_indicators
from govreports.template import model_terms as terms

STATUSES = ("valid", "repaired")
SENSITIVITY_STATUSES = ("valid", "repaired", "invalid")
BASE_YEAR = 2021
MIN_REPORTS = 10
MIN_PROVINCE_REPORTS = 10
MAX_BERNOULLI_ROWS = 2_000_000
Z95 = 1.959963984540054
DIVERGENT_ESTIMATE = 15.0

# Category orders: the first value present in a model's sample is its reference.
CATEGORY_ORDERS = {
    "level": ("county", "prefecture", "province", "township"),
    "kind": ("government", "department"),
    "template": ("2019", "2021"),
    "macro_region": ("east", "central", "west", "northeast"),
}
CATEGORICAL = (*CATEGORY_ORDERS, "province")
REGION_TERMS = ("province", "macro_region")

RATE_COVARIATES = ("level", "kind", "region", "years_since_2021", "template", "log_applications",
                   "natural_person_share")
COUNT_COVARIATES = ("level", "kind", "region", "years_since_2021", "template", "natural_person_share")
VOLUME_COVARIATES = ("level", "kind", "region", "years_since_2021", "template")
# When reports are too few for the parameters, covariates go in this order.
DROP_ORDER = ("province", "macro_region", "natural_person_share", "log_applications", "template",
              "years_since_2021", "kind", "level")

# Binomial outcomes: name -> (successes, trials).
RATE_OUTCOMES = {
    "disclosure": ("disclosed", "handled"),
    "not_held": ("not_held", "handled"),
    "not_processed": ("not_processed", "handled"),
}
COUNT_OUTCOMES = ("reconsideration", "litigation")

FRAME_COLUMNS = ("report_id", "agency", "status", "template", "year", "province", "level", "kind", "new",
                 "handled", "disclosed", "not_held", "not_processed", "natural_person", "reconsideration",
                 "litigation")
TABLE_COLUMNS = ("model", "term", "estimate", "std_error", "ci_low", "ci_high", "p_value", "n", "ratio",
                 "ratio_ci_low", "ratio_ci_high", "ratio_type")


# ----------------------------------------------------------------------------------------
# The model frame


def build_model_frame(reports: pd.DataFrame, cells: pd.DataFrame, years=None,
                      sensitivity: bool = False) -> pd.DataFrame:
    """Return the model frame: one row per agency-year report with counts and covariates.

    Unit: a report with status ``valid`` or ``repaired`` (plus ``invalid`` if ``sensitivity``),
    in ``years``; when an agency has several reports for one year, the best-status one is kept
    (valid, then repaired, then invalid; then the smallest ``report_id``). Counts come from
    :func:`govreports.study.metrics.report_indicators`: ``new`` (一、本年新收), ``handled`` ((七)总计),
    ``disclosed`` (予以公开 + 部分公开), ``not_held`` (本机关不掌握), ``not_processed``
    (不予处理), ``natural_person`` (new applications from natural persons), ``reconsideration``
    and ``litigation`` (表四 totals). Covariates are added by :func:`prepare_covariates`.

    Args:
        reports: the processed ``reports`` table.
        cells: the processed ``cells`` table.
        years: None (all), a ``(first, last)`` pair (inclusive, either may be None) or a list of years.
        sensitivity: also keep ``invalid`` reports.

    Returns:
        The frame; ``frame.attrs["excluded"]`` counts the reports left out and why.
    """
    statuses = SENSITIVITY_STATUSES if sensitivity else STATUSES
    excluded = {}
    kept = reports[reports["status"].isin(statuses)]
    excluded["status not in " + "/".join(statuses)] = len(reports) - len(kept)
    in_years = _year_mask(kept["year"], years)
    excluded["outside the years"] = int((~in_years).sum())
    kept = kept[in_years]
    kept, duplicates = _one_per_agency_year(kept)
    excluded["duplicate agency-year"] = duplicates
    indicators = report_indicators(kept, cells[cells["report_id"].isin(kept["report_id"])])
    indicators = indicators.rename(columns={"reconsideration_total": "reconsideration"})
    for column in FRAME_COLUMNS:
        if column not in indicators:
            indicators[column] = np.nan
    frame = prepare_covariates(indicators[list(FRAME_COLUMNS)])
    frame.attrs["excluded"] = {k: int(v) for k, v in excluded.items() if v}
    return frame


def load_model_frame(processed_dir: str | Path = "data/processed", years=None,
                     sensitivity: bool = False) -> pd.DataFrame:
    """Read ``reports`` and ``cells`` from a processed folder and return :func:`build_model_frame`.

    Unit: one agency-year report (valid or repaired; ``sensitivity`` adds invalid ones).

    Args:
        processed_dir: the folder ``govreports build`` wrote (Parquet read if present, else CSV).
        years: None, a ``(first, last)`` pair or a list of years.
        sensitivity: also keep ``invalid`` reports.

    Raises:
        FileNotFoundError: the folder has no ``reports`` table (run ``govreports build`` first).
    """
    folder = Path(processed_dir)
    reports, cells = _read_table(folder, "reports"), _read_table(folder, "cells")
    return build_model_frame(reports, cells, years=years, sensitivity=sensitivity)


def prepare_covariates(frame: pd.DataFrame) -> pd.DataFrame:
    """Return a copy of a model frame with the derived covariates (recomputed from its columns).

    ``years_since_2021`` = year - 2021; ``log_applications`` = ln(1 + new);
    ``natural_person_share`` = natural_person / new (missing when new is 0); ``log_new`` =
    ln(new) (the offset; missing when new is 0); ``macro_region`` from the province (NBS's
    east / central / west / northeast); ``cluster`` = the agency (the report id if unknown).
    Unit: one agency-year report.
    """
    out = frame.copy()
    for column in FRAME_COLUMNS:
        if column not in out:
            out[column] = None  # an absent column is missing everywhere: the models needing it say so
    for column in ("year", "new", "handled", "disclosed", "not_held", "not_processed", "natural_person",
                   "reconsideration", "litigation"):
        out[column] = pd.to_numeric(out[column], errors="coerce").astype(float)
    for column in ("level", "kind", "template", "province", "agency"):
        out[column] = out[column].astype(object).where(out[column].notna(), None)
    out["template"] = out["template"].map(lambda v: None if v is None else str(v))
    positive = out["new"] > 0
    out["years_since_2021"] = out["year"] - BASE_YEAR
    out["log_applications"] = np.log1p(out["new"].clip(lower=0))
    out["natural_person_share"] = (out["natural_person"] / out["new"]).where(positive)
    out["log_new"] = np.log(out["new"].where(positive))
    out["macro_region"] = out["province"].map(macro_region)
    out["cluster"] = out["agency"].where(out["agency"].notna(), "report:" + out["report_id"].astype(str))
    return out


def macro_region(province) -> str | None:
    """Return the NBS macro-region (east, central, west, northeast) of a province name, or None."""
    if not isinstance(province, str):
        return None
    for region, prefixes in terms.MACRO_REGION_PROVINCES.items():
        if province.startswith(prefixes):
            return region
    return None


def _read_table(folder: Path, name: str) -> pd.DataFrame:
    if (folder / f"{name}.parquet").exists():
        return pd.read_parquet(folder / f"{name}.parquet")
    if (folder / f"{name}.csv").exists():
        return pd.read_csv(folder / f"{name}.csv", dtype={"template": str, "adcode": str})
    raise FileNotFoundError(f"{folder} has no {name} table: run `govreports build` first")


def _year_mask(year: pd.Series, years) -> pd.Series:
    if years is None:
        return pd.Series(True, index=year.index)
    numeric = pd.to_numeric(year, errors="coerce")
    if isinstance(years, tuple) and len(years) == 2:
        first, last = years
        mask = pd.Series(True, index=year.index)
        if first is not None:
            mask &= numeric >= first
        if last is not None:
            mask &= numeric <= last
        return mask
    return numeric.isin(list(years))


def _one_per_agency_year(reports: pd.DataFrame) -> tuple:
    rank = reports["status"].map({"valid": 0, "repaired": 1, "invalid": 2}).fillna(3)
    ordered = reports.assign(_rank=rank).sort_values(["_rank", "report_id"])
    known = ordered["agency"].notna() & ordered["year"].notna()
    duplicated = known & ordered.duplicated(["agency", "year"], keep="first")
    kept = ordered[~duplicated].drop(columns="_rank").sort_values("report_id")
    return kept, int(duplicated.sum())


# ----------------------------------------------------------------------------------------
# Results


@dataclass
class ModelResult:
    """One model: fitted (with its tidy table and statsmodels result) or skipped, and why.

    Attributes:
        name: the model's key, e.g. ``disclosure_binomial``.
        description: what was fitted (family, link, standard errors).
        fitted: False when the data cannot identify the model (see ``skipped``).
        skipped: why the model was not fitted, in words; None when fitted.
        formula: the statsmodels formula fitted (its offset, if any, in ``offset``).
        offset: the offset column (``log_new``) or None.
        covariates: covariates in the fitted model.
        dropped_covariates: ``{covariate: reason}`` for covariates left out.
        dropped_reports: ``{reason: number of reports}`` left out of this model.
        notes: every decision and warning, in order.
        n: reports used; ``n_clusters``: agencies among them.
        table: the tidy coefficient table (:data:`TABLE_COLUMNS`), None when skipped.
        fit: the statsmodels results object, None when skipped.
        data: the model's sample (categoricals set as fitted).
        extra: model-specific figures (``alpha``, ``scale``, ...).
    """

    name: str
    description: str
    fitted: bool = False
    skipped: str | None = None
    formula: str | None = None
    offset: str | None = None
    covariates: list = field(default_factory=list)
    dropped_covariates: dict = field(default_factory=dict)
    dropped_reports: dict = field(default_factory=dict)
    notes: list = field(default_factory=list)
    n: int = 0
    n_clusters: int = 0
    table: pd.DataFrame | None = None
    fit: object | None = None
    data: pd.DataFrame | None = None
    extra: dict = field(default_factory=dict)

    @property
    def message(self) -> str:
        """Return a one-line account: why it was skipped, or the notes on what was dropped."""
        if not self.fitted:
            return f"{self.name} skipped: {self.skipped}"
        return f"{self.name} fitted on {self.n} reports" + (": " + "; ".join(self.notes) if self.notes else "")

    def __repr__(self) -> str:
        return f"ModelResult({self.message})"


@dataclass(frozen=True)
class _Response:
    """What a model explains: ``events`` out of ``trials`` (binomial) or with ``exposure`` (offset)."""

    events: str
    trials: str | None = None
    exposure: str | None = None


@dataclass
class _Spec:
    """A model's sample and covariates while the identifiability checks run."""

    sample: pd.DataFrame
    covariates: list
    response: _Response
    notes: list = field(default_factory=list)
    dropped_reports: dict = field(default_factory=dict)
    dropped_covariates: dict = field(default_factory=dict)
    skip: str | None = None
    recheck: bool = False

    def drop_covariate(self, name: str, reason: str) -> None:
        """Remove a covariate with its reason; a dropped province falls back to the macro-region."""
        self.covariates.remove(name)
        self.dropped_covariates[name] = reason
        self.notes.append(f"dropped {name}: {reason}")
        if name == "province" and "macro_region" not in self.covariates + list(self.dropped_covariates):
            self.covariates.append("macro_region")
            self.notes.append("using macro_region (east/central/west/northeast) instead of province")
            self.recheck = True  # the new covariate goes through every check

    def drop_reports(self, mask: pd.Series, reason: str) -> None:
        """Remove the reports where ``mask`` holds, counting them under ``reason``."""
        count = int(mask.sum())
        if count:
            self.dropped_reports[reason] = self.dropped_reports.get(reason, 0) + count
            self.sample = self.sample[~mask]


def _skipped(name: str, description: str, reason: str, spec: _Spec | None = None) -> ModelResult:
    result = ModelResult(name, description, fitted=False, skipped=reason)
    if spec is not None:
        result.covariates = list(spec.covariates)
        result.dropped_covariates, result.dropped_reports = spec.dropped_covariates, spec.dropped_reports
        result.notes, result.n = spec.notes, len(spec.sample)
    return result


# ----------------------------------------------------------------------------------------
# Identifiability checks


def _specify(frame: pd.DataFrame, response: _Response, covariates, region: str | None,
             min_reports: int) -> _Spec:
    """Select a model's reports and covariates; ``spec.skip`` says why it cannot be fitted."""
    spec = _Spec(prepare_covariates(frame), list(covariates), response)
    _select_reports(spec)
    _check_variation(spec)
    if not spec.skip:
        _resolve_region(spec, region)
    checks = (_missing_covariates, lambda s: _check_size(s, min_reports), _constant_covariates, _separation,
              _too_many_parameters, _collinear_covariates)
    while not spec.skip:
        spec.recheck = False
        for check in checks:
            check(spec)
            if spec.skip or spec.recheck:  # recheck: a covariate was added (macro_region for province)
                break
        if not spec.recheck:
            break
    return spec


def _select_reports(spec: _Spec) -> None:
    r = spec.response
    needed = [c for c in (r.events, r.trials, r.exposure) if c]
    spec.drop_reports(spec.sample[needed].isna().any(axis=1), "missing " + " or ".join(needed))
    denominator = r.trials or r.exposure
    if denominator:
        spec.drop_reports(spec.sample[denominator] <= 0, f"zero denominator ({denominator} = 0)")
    if r.trials:
        bad = (spec.sample[r.events] < 0) | (spec.sample[r.events] > spec.sample[r.trials])
        spec.drop_reports(bad, f"{r.events} > {r.trials} or negative (inconsistent counts)")


def _check_variation(spec: _Spec) -> None:
    r, sample = spec.response, spec.sample
    if sample.empty:
        return
    if (sample[r.events] == 0).all():
        spec.skip = f"{r.events} is 0 in every report ({len(sample)} reports): the outcome does not vary"
    elif r.trials and (sample[r.events] == sample[r.trials]).all():
        spec.skip = f"{r.events} equals {r.trials} in every report ({len(sample)} reports): the outcome does not vary"


def _resolve_region(spec: _Spec, region: str | None) -> None:
    if "region" not in spec.covariates:
        return
    index = spec.covariates.index("region")
    counts = spec.sample["province"].value_counts()
    if region is None or region == "none":
        spec.covariates.remove("region")
        return
    if region == "auto":
        few = int((counts < MIN_PROVINCE_REPORTS).sum())
        if len(counts) >= 2 and few == 0:
            region = "province"
        else:
            region = "macro_region"
            spec.notes.append(f"region: macro_region, not province fixed effects ({len(counts)} provinces, "
                              f"{few} with fewer than {MIN_PROVINCE_REPORTS} reports)")
    spec.covariates[index] = region


def _missing_covariates(spec: _Spec) -> None:
    for name in list(spec.covariates):
        missing = spec.sample[name].isna()
        n = len(spec.sample)
        if n and missing.all():
            spec.drop_covariate(name, f"{name} is missing for every report")
        elif missing.sum() * 2 > n:
            spec.drop_covariate(name, f"{name} is missing for {int(missing.sum())} of {n} reports")
        else:
            spec.drop_reports(missing, f"missing {name}")


def _check_size(spec: _Spec, min_reports: int) -> None:
    n = len(spec.sample)
    if n < min_reports:
        dropped = "; ".join(f"{reason}: {count}" for reason, count in spec.dropped_reports.items())
        spec.skip = (f"too few reports: {n} usable, at least {min_reports} needed"
                     + (f" (dropped: {dropped})" if dropped else ""))
    else:
        _check_variation(spec)


def _constant_covariates(spec: _Spec) -> None:
    for name in list(spec.covariates):
        values = spec.sample[name]
        if len(values) and (values == values.iloc[0]).all():
            value = values.iloc[0]
            shown = f"{value:g}" if isinstance(value, float) else str(value)
            what = "has one value" if name in CATEGORICAL else "is constant"
            spec.drop_covariate(name, f"{name} {what}: {shown}")


def _separation(spec: _Spec) -> None:
    """Drop categorical covariates with a category where the outcome never (or always) occurs."""
    while True:
        found = [(name, reason) for name in spec.covariates if name in CATEGORICAL
                 for reason in [_separating(spec, name)] if reason]
        if not found:
            return
        spec.drop_covariate(*found[0])


def _separating(spec: _Spec, name: str) -> str | None:
    r = spec.response
    sums = spec.sample.groupby(name)[[c for c in (r.events, r.trials) if c]].sum()
    none = [str(v) for v in sums.index[sums[r.events] == 0]]
    every = [str(v) for v in sums.index[sums[r.events] == sums[r.trials]]] if r.trials else []
    if none:
        return f"separation, an estimate would be infinite: {r.events} is 0 wherever {name} = {', '.join(none)}"
    if every:
        return (f"separation, an estimate would be infinite: {r.events} equals {r.trials} wherever "
                f"{name} = {', '.join(every)}")
    return None


def _rank_deficient(sample: pd.DataFrame, covariates: list) -> bool:
    design = _design(sample, covariates)
    return np.linalg.matrix_rank(design) < design.shape[1]


def _collinear_covariates(spec: _Spec) -> None:
    kept: list = []
    for name in list(spec.covariates):
        if name not in spec.covariates:
            continue
        if _rank_deficient(spec.sample, kept + [name]):
            partners = [k for k in kept if _rank_deficient(spec.sample, [k, name])]
            with_what = ", ".join(partners) if partners else "the covariates before it (" + ", ".join(kept) + ")"
            spec.drop_covariate(name, f"the design is singular: {name} is collinear with {with_what}")
        else:
            kept.append(name)


def _too_many_parameters(spec: _Spec) -> None:
    while True:
        n, p = len(spec.sample), _design(spec.sample, spec.covariates).shape[1]
        if n - p >= 1:
            return
        order = [c for c in DROP_ORDER if c in spec.covariates] + [c for c in spec.covariates if c not in DROP_ORDER]
        if not order:
            spec.skip = f"too few reports: {n} cannot identify even an intercept with residual degrees of freedom"
            return
        spec.drop_covariate(order[0], f"{n} reports cannot identify {p} parameters")


def _categorize(sample: pd.DataFrame, covariates) -> pd.DataFrame:
    """Return the sample with its categorical covariates as pandas categoricals, reference first."""
    out = sample.copy()
    for name in [c for c in covariates if c in CATEGORICAL]:
        values = out[name].astype(str)
        present = set(values)
        if name in CATEGORY_ORDERS:
            order = [v for v in CATEGORY_ORDERS[name] if v in present]
        else:
            counts = values.value_counts()
            order = [sorted(counts.index[counts == counts.max()])[0]]
        order += sorted(present - set(order))
        out[name] = pd.Categorical(values, categories=order)
    return out


def _rhs(covariates) -> str:
    return " + ".join(covariates) if covariates else "1"


def _design(sample: pd.DataFrame, covariates) -> np.ndarray:
    from patsy import dmatrix

    return np.asarray(dmatrix(_rhs(covariates), _categorize(sample, covariates), NA_action="raise"))


# ----------------------------------------------------------------------------------------
# Fitting


def _run_safely(name: str, description: str, fit):
    """Call ``fit()``; an exception becomes a skipped result (nothing reaches the notebook)."""
    try:
        return fit()
    except Exception as error:  # noqa: BLE001 - a failed fit must be reported, not raised
        return _skipped(name, description, f"fit failed: {type(error).__name__}: {error}")


def _caught_warnings(caught) -> list:
    messages = []
    for item in caught:
        text = f"warning: {item.category.__name__}: {str(item.message).strip().splitlines()[0]}"
        if text not in messages:
            messages.append(text)
    return messages


def _cov_kwargs(data: pd.DataFrame, cluster: bool, notes: list) -> dict:
    if not cluster:
        return {}
    groups = pd.factorize(data["cluster"])[0]
    n_groups = int(groups.max()) + 1 if len(groups) else 0
    if n_groups < 2:
        notes.append("one agency only: standard errors are not clustered")
        return {}
    # t with (agencies - 1) degrees of freedom: with few agencies normal intervals are too narrow.
    return {"cov_type": "cluster", "cov_kwds": {"groups": groups}, "use_t": True}


def _result(name: str, description: str, spec: _Spec, formula: str, data: pd.DataFrame) -> ModelResult:
    return ModelResult(name, description, fitted=True, formula=formula, covariates=list(spec.covariates),
                       dropped_covariates=spec.dropped_covariates, dropped_reports=spec.dropped_reports,
                       notes=spec.notes, n=len(data), n_clusters=int(data["cluster"].nunique()), data=data)


def _fit_glm(result: ModelResult, family, *, cluster: bool, ratio_type: str, scale=None,
             offset: str | None = None, var_weights: str | None = None) -> ModelResult:
    import statsmodels.formula.api as smf

    data = result.data
    kwargs = _cov_kwargs(data, cluster, result.notes)
    if scale is not None:
        kwargs["scale"] = scale
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        model = smf.glm(result.formula, data, family=family, offset=data[offset] if offset else None,
                        var_weights=data[var_weights] if var_weights else None)
        result.fit = model.fit(**kwargs)
    result.offset = offset
    result.notes.extend(_caught_warnings(caught))
    if cluster and "cov_type" in kwargs and result.n_clusters <= len(result.fit.params):
        result.notes.append(f"only {result.n_clusters} agencies for {len(result.fit.params)} parameters: "
                            "clustered standard errors are unreliable")
    interval = result.fit.conf_int(alpha=0.05)
    result.table = _tidy(result.fit.params, result.fit.bse, result.fit.pvalues, interval[0], interval[1], result,
                         ratio_type)
    _flag_divergence(result)
    return result


def _tidy(params: pd.Series, bse: pd.Series, pvalues, low, high, result: ModelResult,
          ratio_type: str) -> pd.DataFrame:
    estimate, std_error = np.asarray(params, float), np.asarray(bse, float)
    low, high = np.asarray(low, float), np.asarray(high, float)
    table = pd.DataFrame({
        "model": result.name, "term": list(params.index), "estimate": estimate, "std_error": std_error,
        "ci_low": low, "ci_high": high, "p_value": np.asarray(pvalues, float), "n": result.n,
    })
    with np.errstate(over="ignore"):
        table["ratio"], table["ratio_ci_low"], table["ratio_ci_high"] = np.exp(estimate), np.exp(low), np.exp(high)
    table["ratio_type"] = ratio_type
    return table


def _flag_divergence(result: ModelResult) -> None:
    table = result.table
    bad = table[~np.isfinite(table["std_error"]) | (table["estimate"].abs() > DIVERGENT_ESTIMATE)]
    if len(bad):
        result.notes.append("estimates may diverge (separation or a near-singular design): "
                            + ", ".join(bad["term"]))


def _rate_description(outcome: str, dispersion: str) -> str:
    successes, trials = RATE_OUTCOMES[outcome]
    if dispersion == "quasi":
        return (f"{outcome}: {successes} out of {trials}, quasi-binomial GLM (logit); "
                "standard errors scaled by Pearson chi2 / residual df")
    return f"{outcome}: {successes} out of {trials}, binomial GLM (logit); standard errors clustered by agency (t, agencies - 1 df)"


def fit_rate(frame: pd.DataFrame, outcome: str = "disclosure", *, dispersion: str = "cluster",
             covariates=None, region: str | None = "auto", min_reports: int = MIN_REPORTS) -> ModelResult:
    """Fit a binomial GLM (logit) of a share of handled applications.

    Unit: one agency-year report with ``handled`` > 0 (reports with ``handled`` = 0 are dropped
    and counted in ``dropped_reports``). Model: ``successes_i ~ Binomial(handled_i, p_i)``,
    ``logit(p_i) = x_i'b``. Formula (statsmodels, successes and failures as the response)::

        disclosed + I(handled - disclosed) ~ level + kind + province + years_since_2021
            + template + log_applications + natural_person_share

    with ``disclosed`` replaced by ``not_held`` or ``not_processed`` for those outcomes, and
    ``province`` by ``macro_region`` when provinces are few. The quasi-binomial version fits the
    same likelihood as ``I(disclosed / handled) ~ ...`` with ``var_weights = handled``:
    statsmodels' ``scale="X2"`` ignores the number of trials of a two-column response (its
    scale would be Pearson chi2 / df divided by about the mean ``handled``), not of this one.

    Args:
        frame: a model frame (:func:`build_model_frame`).
        outcome: ``disclosure`` (予以公开 + 部分公开), ``not_held`` (本机关不掌握) or
            ``not_processed`` (不予处理), each out of (七)总计.
        dispersion: ``cluster`` (binomial, standard errors clustered by agency, intervals and
            p-values from t with agencies - 1 df) or ``quasi``
            (quasi-binomial: model standard errors times sqrt(Pearson chi2 / residual df)).
        covariates: covariate names (default :data:`RATE_COVARIATES`; ``region`` resolves to
            ``province`` or ``macro_region``).
        region: ``auto`` (province fixed effects when every province has at least 10 reports,
            else macro-regions), ``province``, ``macro_region`` or None.
        min_reports: fewest usable reports to fit at all.

    Returns:
        A :class:`ModelResult`; odds ratios in its table. Never raises.
    """
    suffix = "quasibinomial" if dispersion == "quasi" else "binomial"
    name = f"{outcome}_{suffix}"
    description = _rate_description(outcome, dispersion) if outcome in RATE_OUTCOMES else outcome

    def fit() -> ModelResult:
        import statsmodels.api as sm

        successes, trials = RATE_OUTCOMES[outcome]
        spec = _specify(frame, _Response(successes, trials), covariates or RATE_COVARIATES, region, min_reports)
        if spec.skip:
            return _skipped(name, description, spec.skip, spec)
        quasi = dispersion == "quasi"
        response = f"I({successes} / {trials})" if quasi else f"{successes} + I({trials} - {successes})"
        result = _result(name, description, spec, f"{response} ~ {_rhs(spec.covariates)}", _model_data(spec))
        result.extra.update(successes=successes, trials=trials)
        result = _fit_glm(result, sm.families.Binomial(), cluster=not quasi, ratio_type="odds ratio",
                          scale="X2" if quasi else None, var_weights=trials if quasi else None)
        result.extra["scale"] = float(result.fit.scale)
        return result

    return _run_safely(name, description, fit)


def _model_data(spec: _Spec) -> pd.DataFrame:
    r = spec.response
    columns = [c for c in (r.events, r.trials, r.exposure) if c] + list(spec.covariates)
    columns += [c for c in ("log_new", "cluster", "report_id") if c not in columns]
    return _categorize(spec.sample[columns], spec.covariates).reset_index(drop=True)


def fit_disclosure(frame: pd.DataFrame, **options) -> ModelResult:
    """Fit the disclosure model: 予以公开 + 部分公开 out of (七)总计, binomial GLM (logit).

    Unit: one agency-year report with ``handled`` > 0. Formula:
    ``disclosed + I(handled - disclosed) ~ level + kind + province + years_since_2021 + template
    + log_applications + natural_person_share``. Options as :func:`fit_rate` (e.g.
    ``dispersion="quasi"``, ``covariates=["level", "kind"]``).
    """
    return fit_rate(frame, "disclosure", **options)


def fit_not_held(frame: pd.DataFrame, **options) -> ModelResult:
    """Fit the "information not held" share (本机关不掌握 / (七)总计), binomial GLM (logit).

    Unit: one agency-year report with ``handled`` > 0. Formula:
    ``not_held + I(handled - not_held) ~ level + kind + province + years_since_2021 + template
    + log_applications + natural_person_share``. Options as :func:`fit_rate`.
    """
    return fit_rate(frame, "not_held", **options)


def fit_not_processed(frame: pd.DataFrame, **options) -> ModelResult:
    """Fit the "not processed" share (不予处理 / (七)总计), binomial GLM (logit).

    Unit: one agency-year report with ``handled`` > 0. Formula:
    ``not_processed + I(handled - not_processed) ~ level + kind + province + years_since_2021
    + template + log_applications + natural_person_share``. Options as :func:`fit_rate`.
    """
    return fit_rate(frame, "not_processed", **options)


def _negbin_alpha(result: ModelResult) -> float:
    """Estimate NB2's ``alpha`` by maximum likelihood (statsmodels' discrete NegativeBinomial)."""
    import statsmodels.formula.api as smf

    data = result.data
    offset = data[result.offset] if result.offset else None
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        mle = smf.negativebinomial(result.formula, data, offset=offset, loglike_method="nb2").fit(
            disp=0, maxiter=500)
    result.notes.extend(_caught_warnings(caught))
    alpha = float(mle.params["alpha"])
    if not mle.mle_retvals.get("converged", True):
        result.notes.append("the maximum-likelihood estimate of alpha did not converge")
    if not math.isfinite(alpha):
        raise ValueError("the negative binomial dispersion alpha could not be estimated")
    result.extra["alpha"] = alpha
    result.extra["alpha_std_error"] = float(mle.bse["alpha"])
    if alpha < 1e-8:
        result.notes.append("no over-dispersion (alpha ~ 0): the negative binomial reduces to Poisson")
        alpha = 1e-8
    return alpha


def _count_fit(name: str, description: str, frame: pd.DataFrame, response: _Response, family: str,
               covariates, region, min_reports) -> ModelResult:
    import statsmodels.api as sm

    spec = _specify(frame, response, covariates, region, min_reports)
    if spec.skip:
        return _skipped(name, description, spec.skip, spec)
    formula = f"{response.events} ~ {_rhs(spec.covariates)}"
    result = _result(name, description, spec, formula, _model_data(spec))
    result.offset = "log_new" if response.exposure else None
    if family == "negbin":
        glm_family = sm.families.NegativeBinomial(alpha=_negbin_alpha(result))
    else:
        glm_family = sm.families.Poisson()
    return _fit_glm(result, glm_family, cluster=True, ratio_type="rate ratio", offset=result.offset)


def fit_volume(frame: pd.DataFrame, *, covariates=None, region: str | None = "auto",
               min_reports: int = MIN_REPORTS) -> ModelResult:
    """Fit application volume (一、本年新收, ``new``): negative binomial (NB2) GLM, log link.

    Unit: one agency-year report with ``new`` known. Model: ``new_i ~ NB(mu_i, alpha)``,
    ``Var = mu + alpha mu^2``, ``log(mu_i) = x_i'b``; ``alpha`` is estimated by maximum
    likelihood (statsmodels' discrete ``NegativeBinomial``) and the GLM is fitted with it,
    standard errors clustered by agency. Formula::

        new ~ level + kind + province + years_since_2021 + template

    Args:
        frame: a model frame (:func:`build_model_frame`).
        covariates: covariate names (default :data:`VOLUME_COVARIATES`).
        region: as :func:`fit_rate`.
        min_reports: fewest usable reports to fit at all.

    Returns:
        A :class:`ModelResult` (rate ratios; ``extra["alpha"]``). Never raises.
    """
    name = "volume_negbin"
    description = "volume: new applications, negative binomial GLM (NB2, log link, alpha by ML); " \
                  "standard errors clustered by agency (t, agencies - 1 df)"
    return _run_safely(name, description, lambda: _count_fit(
        name, description, frame, _Response("new"), "negbin", covariates or VOLUME_COVARIATES, region, min_reports))


def fit_count(frame: pd.DataFrame, outcome: str = "reconsideration", family: str = "poisson", *,
              covariates=None, region: str | None = "auto", min_reports: int = MIN_REPORTS) -> ModelResult:
    """Fit reconsideration (行政复议) or litigation (行政诉讼) counts per application.

    Unit: one agency-year report with ``new`` > 0 (reports with no new application are dropped
    and counted: their offset is undefined). Model: ``count_i ~ Poisson(mu_i)`` or
    ``NB2(mu_i, alpha)``, ``log(mu_i) = log(new_i) + x_i'b`` (offset ``log_new``), standard
    errors clustered by agency. Formula (offset passed separately)::

        reconsideration ~ level + kind + province + years_since_2021 + template
            + natural_person_share,  offset = log(new)

    Args:
        frame: a model frame (:func:`build_model_frame`).
        outcome: ``reconsideration`` (表四 行政复议 总计) or ``litigation`` (行政诉讼, both kinds).
        family: ``poisson`` or ``negbin`` (alpha by maximum likelihood).
        covariates: covariate names (default :data:`COUNT_COVARIATES`).
        region: as :func:`fit_rate`.
        min_reports: fewest usable reports to fit at all.

    Returns:
        A :class:`ModelResult` (rate ratios per application). Never raises.
    """
    name = f"{outcome}_{family}"
    label = "Poisson GLM" if family == "poisson" else "negative binomial GLM (NB2, alpha by ML)"
    description = f"{outcome}: count with offset log(new), {label}, log link; standard errors clustered by agency (t, agencies - 1 df)"
    return _run_safely(name, description, lambda: _count_fit(
        name, description, frame, _Response(outcome, exposure="new"), family, covariates or COUNT_COVARIATES,
        region, min_reports))


def _bernoulli(data: pd.DataFrame, successes: str, trials: str) -> pd.DataFrame:
    """Return one row per application: ``application_disclosed`` 1 or 0, the report's covariates."""
    events = data[successes].astype(int).to_numpy()
    others = (data[trials] - data[successes]).astype(int).to_numpy()
    rows = np.concatenate([np.repeat(np.arange(len(data)), events), np.repeat(np.arange(len(data)), others)])
    long = data.iloc[rows].reset_index(drop=True)
    long["application_disclosed"] = np.concatenate([np.ones(events.sum()), np.zeros(others.sum())])
    return long


def fit_disclosure_mixed(frame: pd.DataFrame, *, covariates=None, min_reports: int = MIN_REPORTS,
                         max_rows: int = MAX_BERNOULLI_ROWS, fe_prior_sd: float = 2.0,
                         vc_prior_sd: float = 1.0, seed: int = 0) -> ModelResult:
    """Fit the MULTILEVEL disclosure model: logit with a random intercept by province (Bayesian).

    Unit: one application, within an agency-year report with ``handled`` > 0 (each report is
    expanded to ``disclosed`` rows with outcome 1 and ``handled - disclosed`` rows with 0; the
    likelihood equals the binomial one). Model: ``logit P(disclosed) = x_i'b + u_province``,
    ``u ~ N(0, s^2)``, with statsmodels' ``BinomialBayesMixedGLM`` (priors: b ~ N(0,
    ``fe_prior_sd``^2), log s ~ N(0, ``vc_prior_sd``^2)) in its Laplace approximation
    (``fit_map``: the posterior mode, and SDs from the inverse Hessian of the log posterior; the
    mean-field variational fit, ``fit_vb``, understates them several-fold). The table gives the
    posterior mode (``estimate``), posterior SD (``std_error``) and mode +- 1.96 SD (approximate
    95% credible intervals; no p-values), and ``log_sd(province)`` (its ``ratio`` is the SD).
    The province intercept absorbs province-level variation only: repeated reports of one
    agency are treated as independent here. Formula (fixed part; random part
    ``{"province": "0 + C(province)"}``)::

        application_disclosed ~ level + kind + years_since_2021 + template
            + log_applications + natural_person_share

    Args:
        frame: a model frame (:func:`build_model_frame`).
        covariates: fixed-effect covariates (default :data:`RATE_COVARIATES` without the region).
        min_reports: fewest usable reports to fit at all.
        max_rows: most applications (expanded rows) to fit; above it the model is skipped.
        fe_prior_sd: prior SD of the fixed effects.
        vc_prior_sd: prior SD of the log SD of the province intercepts.
        seed: seed of the random-effect starting values (the fit is deterministic given it).

    Returns:
        A :class:`ModelResult` (``fit`` is a ``BayesMixedGLMResults``). Never raises.
    """
    name = "disclosure_mixed"
    description = ("disclosure: MULTILEVEL logit, random intercept by province (statsmodels "
                   "BinomialBayesMixedGLM, Laplace approximation: posterior mode and SDs)")

    def fit() -> ModelResult:
        wanted = [c for c in covariates or RATE_COVARIATES if c not in ("region", *REGION_TERMS)]
        known = frame[frame["province"].notna()]
        spec = _specify(known, _Response("disclosed", "handled"), wanted, None, min_reports)
        if len(known) < len(frame):
            spec.dropped_reports["missing province"] = len(frame) - len(known)
        skip = spec.skip or _mixed_skip(spec, max_rows)
        if skip:
            return _skipped(name, description, skip, spec)
        formula = f"application_disclosed ~ {_rhs(spec.covariates)}"
        result = _result(name, description, spec, formula, _model_data_with_province(spec))
        return _fit_mixed(result, fe_prior_sd, vc_prior_sd, seed)

    return _run_safely(name, description, fit)


def _mixed_skip(spec: _Spec, max_rows: int) -> str | None:
    provinces = spec.sample["province"].unique()
    if len(provinces) < 2:
        shown = provinces[0] if len(provinces) else "none"
        return f"province has one value: {shown} (a random intercept needs at least 2 provinces)"
    rows = int(spec.sample["handled"].sum())
    if rows > max_rows:
        return f"{rows} applications exceed max_rows={max_rows} (the mixed fit needs one row per application)"
    if len(provinces) < 5:
        spec.notes.append(f"only {len(provinces)} provinces: the province variance is poorly identified")
    return None


def _model_data_with_province(spec: _Spec) -> pd.DataFrame:
    data = _model_data(spec)
    data["province"] = spec.sample["province"].to_numpy()
    return data


def _fit_mixed(result: ModelResult, fe_prior_sd: float, vc_prior_sd: float, seed: int) -> ModelResult:
    from statsmodels.genmod.bayes_mixed_glm import BinomialBayesMixedGLM

    long = _bernoulli(result.data, "disclosed", "handled")
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        model = BinomialBayesMixedGLM.from_formula(result.formula, {"province": "0 + C(province)"}, long,
                                                   vcp_p=vc_prior_sd, fe_p=fe_prior_sd)
        result.fit = model.fit_map(rng=seed)
    result.notes.extend(_caught_warnings(caught))
    fit = result.fit
    params = pd.Series(list(fit.fe_mean) + list(fit.vcp_mean), index=model.fep_names + ["log_sd(province)"])
    sds = pd.Series(list(fit.fe_sd) + list(fit.vcp_sd), index=params.index)
    result.table = _tidy(params, sds, np.full(len(params), np.nan), params - Z95 * sds, params + Z95 * sds, result,
                         "odds ratio")
    result.table.loc[result.table["term"] == "log_sd(province)", "ratio_type"] = "standard deviation"
    result.extra.update(province_sd=float(np.exp(fit.vcp_mean[0])), applications=len(long))
    _flag_divergence(result)
    return result


def fit_all(frame: pd.DataFrame, *, region: str | None = "auto", min_reports: int = MIN_REPORTS,
            mixed: bool = True) -> dict:
    """Fit every model of the study on a model frame; return ``{name: ModelResult}`` in order.

    Unit: one agency-year report (the mixed model: one application). Models and formulas:
    ``disclosure_binomial`` / ``disclosure_quasibinomial`` (``disclosed + I(handled - disclosed)
    ~ covariates``), ``disclosure_mixed`` (random intercept by province), ``not_held_*`` and
    ``not_processed_*`` (the same with those outcomes), ``volume_negbin`` (``new ~ ...``),
    ``reconsideration_poisson`` / ``_negbin`` and ``litigation_poisson`` / ``_negbin``
    (``count ~ ...`` with offset ``log(new)``); covariates as in :func:`fit_rate`,
    :func:`fit_volume` and :func:`fit_count`. Skipped models are in the dict with their reason.

    Args:
        frame: a model frame (:func:`build_model_frame`).
        region: as :func:`fit_rate`.
        min_reports: fewest usable reports to fit a model at all.
        mixed: also fit the multilevel model (the slowest).
    """
    options = {"region": region, "min_reports": min_reports}
    results = {}
    for outcome in RATE_OUTCOMES:
        for dispersion in ("cluster", "quasi"):
            result = fit_rate(frame, outcome, dispersion=dispersion, **options)
            results[result.name] = result
        if outcome == "disclosure" and mixed:
            results["disclosure_mixed"] = fit_disclosure_mixed(frame, min_reports=min_reports)
    results["volume_negbin"] = fit_volume(frame, **options)
    for outcome in COUNT_OUTCOMES:
        for family in ("poisson", "negbin"):
            result = fit_count(frame, outcome, family, **options)
            results[result.name] = result
    return results


# ----------------------------------------------------------------------------------------
# Tables


def summary_table(results: dict) -> pd.DataFrame:
    """Return one row per model: fitted or skipped, reports used, what was dropped and why.

    Columns: ``model``, ``description``, ``status`` (fitted / skipped), ``n`` (reports),
    ``n_clusters`` (agencies), ``zero_denominator`` (reports dropped for a zero denominator),
    ``dropped_reports``, ``dropped_covariates``, ``formula``, ``offset``, ``message``.
    """
    rows = []
    for name, result in results.items():
        zero = sum(v for k, v in result.dropped_reports.items() if k.startswith("zero denominator"))
        rows.append({
            "model": name, "description": result.description, "status": "fitted" if result.fitted else "skipped",
            "n": result.n, "n_clusters": result.n_clusters, "zero_denominator": zero,
            "dropped_reports": "; ".join(f"{k}: {v}" for k, v in result.dropped_reports.items()),
            "dropped_covariates": "; ".join(f"{k} ({v})" for k, v in result.dropped_covariates.items()),
            "formula": result.formula, "offset": result.offset,
            "message": result.skipped if not result.fitted else "; ".join(result.notes),
        })
    return pd.DataFrame(rows)


def coefficient_table(results: dict) -> pd.DataFrame:
    """Return the tidy coefficient tables of every fitted model, stacked (:data:`TABLE_COLUMNS`)."""
    tables = [r.table for r in results.values() if r.fitted and r.table is not None]
    return pd.concat(tables, ignore_index=True) if tables else pd.DataFrame(columns=list(TABLE_COLUMNS))


LATEX_COLUMNS = ("term", "estimate", "std_error", "ci_low", "ci_high", "p_value", "ratio", "ratio_ci_low",
                 "ratio_ci_high")


LATEX_SPECIALS = {"\\": r"\textbackslash{}", "&": r"\&", "%": r"\%", "$": r"\$", "#": r"\#", "_": r"\_",
                  "{": r"\{", "}": r"\}", "~": r"\textasciitilde{}", "^": r"\textasciicircum{}"}


def latex_escape(text: str) -> str:
    """Return ``text`` with LaTeX's special characters escaped (for captions)."""
    return "".join(LATEX_SPECIALS.get(char, char) for char in str(text))


def _write_latex(table: pd.DataFrame, path: Path, caption: str, label: str) -> None:
    text = table.to_latex(index=False, escape=True, float_format="%.4g", na_rep="",
                          caption=latex_escape(caption), label=label)
    path.write_text(text, encoding="utf-8")


def write_tables(results: dict, out_dir: str | Path = "reports/tables") -> list:
    """Write each fitted model's tidy table, and the summary of all models, as CSV and LaTeX.

    Files: ``<model>.csv`` and ``<model>.tex`` per fitted model, ``coefficients.csv`` (all
    models stacked), ``models_summary.csv`` and ``models_summary.tex`` (every model, fitted or
    skipped, with its reason). LaTeX tables may hold Chinese province names: compile with xeCJK.

    Args:
        results: ``{name: ModelResult}`` (:func:`fit_all`).
        out_dir: the folder (created if missing).

    Returns:
        The paths written.
    """
    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    written = []
    for name, result in results.items():
        if not (result.fitted and result.table is not None):
            continue
        result.table.to_csv(out / f"{name}.csv", index=False)
        caption = f"{result.description}. n = {result.n} reports; formula: {result.formula}"
        _write_latex(result.table[list(LATEX_COLUMNS)], out / f"{name}.tex", caption, f"tab:{name}")
        written += [out / f"{name}.csv", out / f"{name}.tex"]
    coefficient_table(results).to_csv(out / "coefficients.csv", index=False)
    summary = summary_table(results)
    summary.to_csv(out / "models_summary.csv", index=False)
    _write_latex(summary[["model", "status", "n", "n_clusters", "zero_denominator", "message"]],
                 out / "models_summary.tex", "Models fitted and skipped", "tab:models_summary")
    return written + [out / "coefficients.csv", out / "models_summary.csv", out / "models_summary.tex"]


# ----------------------------------------------------------------------------------------
# Predictions


def _profile_value(data: pd.DataFrame, name: str):
    column = data[name]
    if isinstance(column.dtype, pd.CategoricalDtype):
        return column.value_counts().idxmax()
    return float(column.mean())


def predicted_rates(result: ModelResult, by=("level", "kind")) -> pd.DataFrame:
    """Return a binomial model's predicted rates, with 95% intervals, for each level x kind.

    Unit: a profile agency-year: the ``by`` covariates set to each combination of their values,
    numeric covariates at their sample means and other categorical ones at their most common
    value. Prediction: ``expit(x'b)`` with the interval from the model's covariance (clustered
    for ``*_binomial``). ``reports`` and ``observed_rate`` (pooled successes / trials) describe
    the reports in each cell. Empty when the model was skipped or is not a GLM of a share.

    Args:
        result: a fitted :func:`fit_rate` result.
        by: categorical covariates to vary (those not in the model are ignored).
    """
    columns = [*by, "rate", "ci_low", "ci_high", "reports", "observed_rate"]
    if not result.fitted or "trials" not in result.extra or result.name == "disclosure_mixed":
        return pd.DataFrame(columns=columns)
    data, successes, trials = result.data, result.extra["successes"], result.extra["trials"]
    varied = [b for b in by if b in result.covariates]
    grid = pd.DataFrame(list(product(*[data[b].cat.categories for b in varied])), columns=varied)
    if grid.empty:
        grid = pd.DataFrame(index=[0])
    for name in result.covariates:
        if name not in varied:
            grid[name] = _profile_value(data, name)
    frame = result.fit.get_prediction(grid).summary_frame(alpha=0.05)
    out = grid[varied].copy()
    out["rate"] = frame["mean"].to_numpy()
    out["ci_low"], out["ci_high"] = frame["mean_ci_lower"].to_numpy(), frame["mean_ci_upper"].to_numpy()
    keys = list(out[varied].itertuples(index=False))
    out["reports"] = [_cell_count(data, varied, key) for key in keys]
    pooled = data.groupby(varied, observed=True)[[successes, trials]].sum() if varied else None
    out["observed_rate"] = [_observed(pooled, tuple(key), successes, trials) for key in keys]
    for b in by:
        if b not in out:
            out[b] = None
    out = out[columns].reset_index(drop=True)
    out.attrs["outcome"] = result.name.rsplit("_", 1)[0]
    return out


def _cell_count(data: pd.DataFrame, varied: list, row) -> int:
    if not varied:
        return len(data)
    mask = np.ones(len(data), bool)
    for name, value in zip(varied, row):
        mask &= (data[name] == value).to_numpy()
    return int(mask.sum())


def _observed(observed, key: tuple, successes: str, trials: str) -> float:
    if observed is None:
        return math.nan
    key = key[0] if len(key) == 1 else key
    if key not in observed.index:
        return math.nan
    cell = observed.loc[key]
    return float(cell[successes] / cell[trials]) if cell[trials] > 0 else math.nan


# ----------------------------------------------------------------------------------------
# Plots


def term_label(term: str) -> str:
    """Return a model term in Chinese for plots, e.g. ``level[T.prefecture]`` -> ``行政级别: 地市级``."""
    if "[T." in term:
        name, value = term[:-1].split("[T.", 1)
        values = {"level": terms.LEVEL_ZH, "kind": terms.KIND_ZH, "template": terms.TEMPLATE_ZH,
                  "macro_region": terms.MACRO_REGION_ZH}.get(name, {})
        return f"{terms.COVARIATE_ZH.get(name, name)}: {values.get(value, value)}"
    if term == "log_sd(province)":
        return terms.COVARIATE_ZH["sd(province)"]
    return terms.COVARIATE_ZH.get(term, term)


DEFAULT_PLOTTED = ("disclosure_binomial", "disclosure_mixed", "not_held_binomial", "not_processed_binomial")


def plot_coefficients(results: dict, names=DEFAULT_PLOTTED, *, hide=("Intercept", "province[", "log_sd("),
                      ax=None):
    """Plot odds or rate ratios with their 95% intervals (log scale), one colour per model.

    Args:
        results: ``{name: ModelResult}``; skipped models are left out.
        names: the models to plot, in order.
        hide: terms starting with any of these are not plotted (intercepts, province effects).
        ax: a matplotlib axis (a new figure if None).

    Returns:
        The matplotlib figure (None when no model in ``names`` was fitted).
    """
    import matplotlib.pyplot as plt
    from matplotlib.ticker import FuncFormatter, LogLocator, NullFormatter

    figures.setup()  # the CJK font and house style shared with the study notebooks
    tables = [results[n].table for n in names if n in results and results[n].fitted]
    tables = [t[~t["term"].str.startswith(tuple(hide))] for t in tables]
    tables = [t for t in tables if len(t)]
    if not tables:
        return None
    order = list(dict.fromkeys(term for t in tables for term in t["term"]))
    fig, ax = (ax.figure, ax) if ax is not None else plt.subplots(figsize=(10, 1.5 + 0.45 * len(order)))
    step = 0.7 / max(len(tables), 1)
    for index, table in enumerate(tables):
        y = np.array([order.index(t) for t in table["term"]]) + (index - (len(tables) - 1) / 2) * step
        ratio = table["ratio"].to_numpy()
        errors = np.vstack([ratio - table["ratio_ci_low"].to_numpy(), table["ratio_ci_high"].to_numpy() - ratio])
        model = table["model"].iloc[0]
        ax.errorbar(ratio, y, xerr=errors, fmt="o", capsize=3, label=terms.MODEL_ZH.get(model, model))
    ax.axvline(1.0, color="grey", linewidth=1, linestyle="--")
    ax.set_xscale("log")
    ax.xaxis.set_major_locator(LogLocator(base=10, subs=(1.0, 2.0, 5.0)))
    ax.xaxis.set_major_formatter(FuncFormatter(lambda v, _: f"{v:g}"))
    ax.xaxis.set_minor_formatter(NullFormatter())
    ax.set_yticks(range(len(order)), [term_label(t) for t in order])
    ax.invert_yaxis()
    ax.set_xlabel(terms.COEFFICIENT_AXIS)
    ax.set_title(terms.COEFFICIENT_PLOT_TITLE)
    ax.legend(fontsize="small", loc="upper left", bbox_to_anchor=(1.01, 1.0))
    fig.tight_layout()
    return fig


def plot_predicted_rates(predictions: pd.DataFrame, *, title: str | None = None, ax=None):
    """Plot predicted rates (:func:`predicted_rates`) by administrative level, one series per kind.

    Args:
        predictions: the output of :func:`predicted_rates`.
        title: the plot title (default: the model's outcome, in Chinese).
        ax: a matplotlib axis (a new figure if None).

    Returns:
        The matplotlib figure (None when there is nothing to plot).
    """
    import matplotlib.pyplot as plt

    figures.setup()  # the CJK font and house style shared with the study notebooks
    if predictions.empty:
        return None
    levels = [v for v in predictions["level"].dropna().unique()] or [None]
    kinds = [v for v in predictions["kind"].dropna().unique()] or [None]
    fig, ax = (ax.figure, ax) if ax is not None else plt.subplots(figsize=(7, 4))
    step = 0.25
    for index, kind in enumerate(kinds):
        part = predictions if kind is None else predictions[predictions["kind"] == kind]
        x = np.array([levels.index(v) if v in levels else 0 for v in part["level"]]) + (index - (len(kinds) - 1) / 2) * step
        rate = part["rate"].to_numpy()
        errors = np.vstack([rate - part["ci_low"].to_numpy(), part["ci_high"].to_numpy() - rate])
        label = terms.KIND_ZH.get(kind, "") if kind is not None else ""
        ax.errorbar(x, rate, yerr=errors, fmt="o", capsize=4, label=label or None)
    ax.set_xticks(range(len(levels)), [terms.LEVEL_ZH.get(v, "") if v else "" for v in levels])
    ax.set_xlabel(terms.LEVEL_AXIS)
    ax.set_ylabel(terms.PREDICTED_AXIS)
    ax.set_ylim(0, 1)
    outcome = predictions.attrs.get("outcome", "disclosure")
    ax.set_title(title or terms.PREDICTED_TITLE + terms.OUTCOME_ZH.get(outcome, outcome))
    if any(k is not None for k in kinds):
        ax.legend()
    fig.tight_layout()
    return fig


__all__ = [
    "ModelResult", "build_model_frame", "load_model_frame", "prepare_covariates", "macro_region",
    "fit_rate", "fit_disclosure", "fit_not_held", "fit_not_processed", "fit_volume", "fit_count",
    "fit_disclosure_mixed", "fit_all", "summary_table", "coefficient_table", "write_tables",
    "predicted_rates", "latex_escape", "term_label", "plot_coefficients", "plot_predicted_rates",
]
