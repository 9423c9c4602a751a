"""Model results and identification: which reports and covariates a model can use, and why.

When the data cannot identify a model, nothing is raised: covariates with a single value, a
singular design, separation (a category without events) or too many parameters for the reports
are dropped with a note saying exactly why, and a model that still cannot be fitted (too few
reports, an outcome without variation) comes back ``status="skipped"`` with the reason.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from govreports.study.models.frame import prepare_covariates

MIN_REPORTS = 10
MIN_PROVINCE_REPORTS = 10
Z95 = 1.959963984540054
DIVERGENT_ESTIMATE = 15.0

# Category orders: the first value present in a model's sample is its reference.
CATEGORY_ORDERS = {
    "level": ("county", "prefecture", "province", "township"),
    "kind": ("government", "department"),
    "template": ("2019", "2021"),
    "macro_region": ("east", "central", "west", "northeast"),
}
# Categorical covariates whose reference is the most common value (province) or the first (year_fe).
CATEGORICAL = (*CATEGORY_ORDERS, "province", "year_fe")
REGION_TERMS = ("province", "macro_region")

# Time enters as year fixed effects (``year_fe``): the template is a deterministic step in the year
# and a linear trend imposes a shape. ``no_new`` is the missing-indicator of ``natural_person_share``
# (undefined when new = 0; the share is set to 0 there), so no report is dropped for it.
RATE_COVARIATES = ("level", "kind", "region", "year_fe", "log_applications", "natural_person_share", "no_new")
COUNT_COVARIATES = ("level", "kind", "region", "year_fe", "natural_person_share")
VOLUME_COVARIATES = ("level", "kind", "region", "year_fe")
# When reports are too few for the parameters, covariates go in this order.
DROP_ORDER = ("province", "macro_region", "year_fe", "no_new", "natural_person_share", "log_applications",
              "template", "years_since_2021", "kind", "level")

# Binomial outcomes: name -> (successes, trials).
RATE_OUTCOMES = {
    "disclosure": ("disclosed", "handled"),
    "not_held": ("not_held", "handled"),
    "not_processed": ("not_processed", "handled"),
}
COUNT_OUTCOMES = ("reconsideration", "litigation")

TABLE_COLUMNS = ("model", "term", "estimate", "std_error", "ci_low", "ci_high", "p_value", "n", "ratio",
                 "ratio_ci_low", "ratio_ci_high", "ratio_type", "p_adjusted")

@dataclass
class ModelResult:
    """One model: fitted (with its tidy table and statsmodels result) or skipped, and why.

    Attributes:
        name: the model's key, e.g. ``disclosure_binomial``.
        description: what was fitted (family, link, standard errors).
        fitted: True when estimates exist (``status`` fitted or degenerate).
        status: ``fitted``; ``degenerate`` (estimates exist but a variance is at its boundary or
            the information matrix failed: not to be read as a fit); ``skipped`` (see ``skipped``).
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
    status: str = "skipped"
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
        return f"{self.name} {self.status} on {self.n} reports" + (": " + "; ".join(self.notes) if self.notes else "")

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
    result = ModelResult(name, description, fitted=False, status="skipped", skipped=reason)
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
    if "no_new" in spec.covariates and not (spec.sample["no_new"] == 1).any():
        spec.covariates.remove("no_new")  # the missing-indicator is needed only where new = 0 occurs
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
        elif name == "year_fe":
            order = sorted(present)[:1]
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


