"""Fixed-effect GLMs of the study: shares (binomial logit) and counts (Poisson, negative binomial).

The recommended model of a share is the binomial GLM (logit) with year fixed effects and
cluster-robust standard errors (CR3, the cluster jackknife, t with G - 1 df), clustered by
province when the sample has at least :data:`MIN_PROVINCE_CLUSTERS` provinces (agencies nest in
provinces, so this also covers an agency's repeated reports and province shocks), else by agency
(:mod:`govreports.study.models.inference`). The quasi-binomial GLM is kept only as a labelled
comparison: its intervals ignore that an agency reports every year and cover far too rarely.

Counts: application volume is a negative binomial (NB2) GLM; reconsideration and litigation
counts have ``log(new)`` as offset, a choice tested against ``log(new)`` as a regressor (the
Wald test of its coefficient = 1, and the LR test, in ``extra["exposure_test"]``). NB's alpha has
a boundary LR test against Poisson (chi2 mixture 0.5 chi2(0) + 0.5 chi2(1)); alpha at its boundary
or a failed information matrix marks the fit ``degenerate``, not ``fitted``.
"""

from __future__ import annotations

import math
import warnings

import numpy as np
import pandas as pd
from scipy import stats

from govreports.study.models import inference
from govreports.study.models.spec import (
    COUNT_COVARIATES,
    DIVERGENT_ESTIMATE,
    MIN_REPORTS,
    RATE_COVARIATES,
    RATE_OUTCOMES,
    VOLUME_COVARIATES,
    Z95,
    ModelResult,
    _categorize,
    _Response,
    _rhs,
    _skipped,
    _Spec,
    _specify,
)

MIN_PROVINCE_CLUSTERS = 20
ALPHA_BOUNDARY = 1e-6


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


def _result(name: str, description: str, spec: _Spec, formula: str, data: pd.DataFrame) -> ModelResult:
    return ModelResult(name, description, fitted=True, status="fitted", formula=formula,
                       covariates=list(spec.covariates), dropped_covariates=spec.dropped_covariates,
                       dropped_reports=spec.dropped_reports, notes=spec.notes, n=len(data),
                       n_clusters=int(data["cluster"].nunique()), data=data)


def resolve_clustering(data: pd.DataFrame, clustering: str) -> str:
    """Return the clustering to use: ``auto`` is province with enough provinces, else agency."""
    if clustering != "auto":
        return clustering
    provinces = data["province"].nunique() if "province" in data else 0
    return "province" if provinces >= MIN_PROVINCE_CLUSTERS else "agency"


def _fit_glm(result: ModelResult, family, *, clustering: str | None, se: str, ratio_type: str,
             scale=None, offset: str | None = None, var_weights: str | None = None) -> ModelResult:
    """Fit the GLM, then its covariance: clustered (t, G - 1 df) or model-based (``clustering=None``)."""
    import statsmodels.formula.api as smf

    data = result.data
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        model = smf.glm(result.formula, data, family=family, offset=data[offset] if offset else None,
                        var_weights=data[var_weights] if var_weights else None)
        result.fit = model.fit(scale=scale) if scale is not None else model.fit()
    result.offset = offset
    result.notes.extend(_caught_warnings(caught))
    if clustering is None:
        covariance, df = np.asarray(result.fit.cov_params()), None
    else:
        covariance, df = _clustered(result, clustering, se)
    result.extra.update(vcov=covariance, df=df)
    result.table = _table(result, covariance, df, ratio_type)
    if clustering is not None:
        result.extra["wald"] = inference.wald_tests(result.fit, covariance, df)
    _flag_divergence(result)
    return result


def _clustered(result: ModelResult, clustering: str, se: str) -> tuple:
    data = result.data
    clustering = resolve_clustering(data, clustering)
    groups = data["cluster"] if clustering == "agency" else data["province"]
    if pd.Series(groups).nunique() < 2:
        result.notes.append(f"one {clustering} only: standard errors are model-based, not clustered")
        return np.asarray(result.fit.cov_params()), max(result.n - len(result.fit.params), 1)
    covariance, df = inference.cluster_covariance(result.fit, data, clustering, se)
    result.extra.update(clustering=clustering, se_type=se, clusters=df + 1)
    if df + 1 <= len(result.fit.params):
        result.notes.append(f"only {df + 1} {clustering} clusters for {len(result.fit.params)} parameters: "
                            "clustered standard errors are unreliable")
    return covariance, df


def _table(result: ModelResult, covariance: np.ndarray, df, ratio_type: str) -> pd.DataFrame:
    params = result.fit.params
    if df is None:  # model-based: normal intervals
        std_error = np.sqrt(np.clip(np.diag(covariance), 0, None))
        low, high = params - Z95 * std_error, params + Z95 * std_error
        p_value = np.asarray(result.fit.pvalues)
    else:
        inferred = inference.t_inference(params, covariance, df)
        std_error, low, high, p_value = (inferred[c].to_numpy() for c in ("std_error", "ci_low", "ci_high", "p_value"))
    return _tidy(params, std_error, p_value, low, high, result, ratio_type)


def _tidy(params: pd.Series, bse, pvalues, low, high, result: ModelResult, ratio_type: str) -> pd.DataFrame:
    estimate, std_error = np.asarray(params, float), np.asarray(bse, float)
    low, high = np.asarray(low, float), np.asarray(high, float)
    table = pd.DataFrame({
        "model": result.name, "term": list(params.index), "estimate": estimate, "std_error": std_error,
        "ci_low": low, "ci_high": high, "p_value": np.asarray(pvalues, float), "n": result.n,
    })
    with np.errstate(over="ignore"):
        table["ratio"], table["ratio_ci_low"], table["ratio_ci_high"] = np.exp(estimate), np.exp(low), np.exp(high)
    table["ratio_type"] = ratio_type
    scanned = table["term"] != "Intercept"  # many terms are read at once: Benjamini-Hochberg over them
    table["p_adjusted"] = np.nan
    table.loc[scanned, "p_adjusted"] = inference.adjust_pvalues(table.loc[scanned, "p_value"])
    return table


def _flag_divergence(result: ModelResult) -> None:
    table = result.table
    bad = table[~np.isfinite(table["std_error"]) | (table["estimate"].abs() > DIVERGENT_ESTIMATE)]
    if len(bad):
        result.notes.append("estimates may diverge (separation or a near-singular design): "
                            + ", ".join(bad["term"]))


def _se_words(clustering: str, se: str) -> str:
    where = {"auto": "by province (>= 20 provinces) else by agency", "agency": "by agency",
             "province": "by province", "twoway": "two-way by province and year"}[clustering]
    return f"standard errors clustered {where} ({se}, t with G - 1 df)"


def _rate_description(outcome: str, dispersion: str, clustering: str, se: str) -> str:
    successes, trials = RATE_OUTCOMES[outcome]
    if dispersion == "quasi":
        return (f"{outcome}: {successes} out of {trials}, quasi-binomial GLM (logit); model-based standard "
                "errors scaled by Pearson chi2 / residual df: IGNORES CLUSTERING (an agency's repeated "
                "reports), for comparison only")
    return f"{outcome}: {successes} out of {trials}, binomial GLM (logit), year fixed effects; {_se_words(clustering, se)}"


def fit_rate(frame: pd.DataFrame, outcome: str = "disclosure", *, dispersion: str = "cluster",
             clustering: str = "auto", se: str = "CR3", covariates=None, region: str | None = "auto",
             min_reports: int = MIN_REPORTS) -> ModelResult:
    """Fit a binomial GLM (logit) of a share of handled applications (population-averaged).

    Unit: one agency-year report with ``handled`` > 0 (reports with ``handled`` = 0 are dropped
    and counted in ``dropped_reports``). Model: ``successes_i ~ Binomial(handled_i, p_i)``,
    ``logit(p_i) = x_i'b``. Formula (statsmodels, successes and failures as the response)::

        disclosed + I(handled - disclosed) ~ level + kind + province + year_fe
            + log_applications + natural_person_share + no_new

    with ``disclosed`` replaced by ``not_held`` or ``not_processed`` for those outcomes, and
    ``province`` by ``macro_region`` when provinces are few. ``year_fe`` are year fixed effects;
    ``no_new`` marks reports with no new application (where ``natural_person_share`` is set to
    0). The quasi-binomial version fits ``I(disclosed / handled) ~ ...`` with ``var_weights =
    handled`` and ``scale="X2"``; it ignores clustering and is offered only for comparison.

    Args:
        frame: a model frame (:func:`build_model_frame`).
        outcome: ``disclosure`` (予以公开 + 部分公开), ``not_held`` (本机关不掌握) or
            ``not_processed`` (不予处理), each out of (七)总计.
        dispersion: ``cluster`` (binomial, cluster-robust errors) or ``quasi`` (quasi-binomial,
            model-based errors times sqrt(Pearson chi2 / residual df), normal intervals).
        clustering: ``auto``, ``agency``, ``province`` or ``twoway`` (province and year).
        se: ``CR3`` (cluster jackknife, the small-G correction) or ``CR1``.
        covariates: covariate names (default :data:`RATE_COVARIATES`; ``region`` resolves to
            ``province`` or ``macro_region``).
        region: ``auto`` (province fixed effects when every province has at least 10 reports,
            else macro-regions), ``province``, ``macro_region`` or None.
        min_reports: fewest usable reports to fit at all.

    Returns:
        A :class:`ModelResult`; odds ratios in its table, joint Wald tests per factor in
        ``extra["wald"]``. Never raises.
    """
    suffix = "quasibinomial" if dispersion == "quasi" else "binomial"
    name = f"{outcome}_{suffix}"
    description = _rate_description(outcome, dispersion, clustering, se) if outcome in RATE_OUTCOMES else outcome

    def fit() -> ModelResult:
        import statsmodels.api as sm

        successes, trials = RATE_OUTCOMES[outcome]
        spec = _specify(frame, _Response(successes, trials), covariates or RATE_COVARIATES, region, min_reports)
        if spec.skip:
            return _skipped(name, description, spec.skip, spec)
        quasi = dispersion == "quasi"
        response = f"I({successes} / {trials})" if quasi else f"{successes} + I({trials} - {successes})"
        result = _result(name, description, spec, f"{response} ~ {_rhs(spec.covariates)}", _model_data(spec))
        result.extra.update(successes=successes, trials=trials, scale_type="population-averaged")
        result = _fit_glm(result, sm.families.Binomial(), clustering=None if quasi else clustering, se=se,
                          ratio_type="odds ratio", scale="X2" if quasi else None,
                          var_weights=trials if quasi else None)
        result.extra["scale"] = float(result.fit.scale) if quasi else _pearson_scale(result.fit)
        return result

    return _run_safely(name, description, fit)


def _pearson_scale(fit) -> float:
    return float(fit.pearson_chi2 / max(fit.df_resid, 1))


def _model_data(spec: _Spec) -> pd.DataFrame:
    r = spec.response
    columns = [c for c in (r.events, r.trials, r.exposure) if c] + list(spec.covariates)
    columns += [c for c in ("log_new", "cluster", "report_id", "province", "year", "new") if c not in columns]
    return _categorize(spec.sample[columns], spec.covariates).reset_index(drop=True)


def fit_disclosure(frame: pd.DataFrame, **options) -> ModelResult:
    """Fit the disclosure model: 予以公开 + 部分公开 out of (七)总计, binomial GLM (logit).

    Unit: one agency-year report with ``handled`` > 0. Formula:
    ``disclosed + I(handled - disclosed) ~ level + kind + province + year_fe
    + log_applications + natural_person_share + no_new``. Options as :func:`fit_rate` (e.g.
    ``clustering="province"``, ``covariates=["level", "kind"]``).
    """
    return fit_rate(frame, "disclosure", **options)


def fit_not_held(frame: pd.DataFrame, **options) -> ModelResult:
    """Fit the "information not held" share (本机关不掌握 / (七)总计), binomial GLM (logit).

    Unit: one agency-year report with ``handled`` > 0. Formula:
    ``not_held + I(handled - not_held) ~ level + kind + province + year_fe
    + log_applications + natural_person_share + no_new``. Options as :func:`fit_rate`.
    """
    return fit_rate(frame, "not_held", **options)


def fit_not_processed(frame: pd.DataFrame, **options) -> ModelResult:
    """Fit the "not processed" share (不予处理 / (七)总计), binomial GLM (logit).

    Unit: one agency-year report with ``handled`` > 0. Formula:
    ``not_processed + I(handled - not_processed) ~ level + kind + province + year_fe
    + log_applications + natural_person_share + no_new``. Options as :func:`fit_rate`.
    """
    return fit_rate(frame, "not_processed", **options)


# ----------------------------------------------------------------------------------------
# Counts


def _negbin_alpha(result: ModelResult) -> float:
    """Estimate NB2's ``alpha`` by ML; test it against Poisson at the boundary; flag degeneracy."""
    import statsmodels.formula.api as smf

    data = result.data
    offset = data[result.offset] if result.offset else None
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        mle = smf.negativebinomial(result.formula, data, offset=offset, loglike_method="nb2").fit(
            disp=0, maxiter=500)
        poisson = smf.poisson(result.formula, data, offset=offset).fit(disp=0, maxiter=200)
    result.notes.extend(_caught_warnings(caught))
    alpha, alpha_se = float(mle.params["alpha"]), float(mle.bse["alpha"])
    if not math.isfinite(alpha):
        raise ValueError("the negative binomial dispersion alpha could not be estimated")
    lr = max(2 * (float(mle.llf) - float(poisson.llf)), 0.0)
    result.extra.update(alpha=alpha, alpha_std_error=alpha_se, alpha_lr=lr,
                        alpha_lr_p=0.5 * float(stats.chi2.sf(lr, 1)), llf_poisson=float(poisson.llf))
    problems = _negbin_problems(mle, alpha, alpha_se)
    if problems:
        result.status = "degenerate"
        result.notes.append("DEGENERATE: " + "; ".join(problems))
    return max(alpha, 1e-8)


def _negbin_problems(mle, alpha: float, alpha_se: float) -> list:
    problems = []
    if alpha < ALPHA_BOUNDARY:
        problems.append(f"alpha = {alpha:.2g} is at its boundary (no over-dispersion: use the Poisson model)")
    if not mle.mle_retvals.get("converged", True):
        problems.append("the maximum-likelihood estimate of alpha did not converge")
    if not np.isfinite(np.asarray(mle.bse, float)).all() or not math.isfinite(alpha_se):
        problems.append("the information matrix is singular (failed Hessian)")
    return problems


def _count_fit(name: str, description: str, frame: pd.DataFrame, response: _Response, family: str,
               covariates, region, min_reports, clustering: str, se: str) -> ModelResult:
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
    result = _fit_glm(result, glm_family, clustering=clustering, se=se, ratio_type="rate ratio",
                      offset=result.offset)
    if response.exposure:
        result.extra["exposure_test"] = _exposure_test(result, glm_family)
    return result


def _exposure_test(result: ModelResult, family) -> dict:
    """Test the offset: refit with log(new) as a regressor; Wald (clustered) and LR of theta = 1."""
    import statsmodels.formula.api as smf

    data = result.data
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        free = smf.glm(result.formula + " + log_new", data, family=family).fit()
    covariance, df = inference.cluster_covariance(free, data, result.extra.get("clustering", "agency"),
                                                  result.extra.get("se_type", "CR3"))
    index = list(free.params.index).index("log_new")
    theta, theta_se = float(free.params["log_new"]), float(math.sqrt(max(covariance[index, index], 0)))
    wald_p = float(2 * stats.t.sf(abs((theta - 1) / theta_se), max(df, 1))) if theta_se > 0 else math.nan
    lr = max(2 * (float(free.llf) - float(result.fit.llf)), 0.0)
    test = {"elasticity": theta, "std_error": theta_se, "wald_p": wald_p, "lr": lr,
            "lr_p": float(stats.chi2.sf(lr, 1)), "df": df}
    verdict = "rejected" if min(wald_p, 1.0) < 0.05 else "not rejected"
    result.notes.append(f"offset log(new) tested against a free elasticity: theta = {theta:.3f} (SE {theta_se:.3f}), "
                        f"Wald p(theta = 1) = {wald_p:.3g}, LR p = {test['lr_p']:.3g}: the offset is {verdict}")
    return test


def fit_volume(frame: pd.DataFrame, *, covariates=None, region: str | None = "auto",
               min_reports: int = MIN_REPORTS, clustering: str = "auto", se: str = "CR3") -> ModelResult:
    """Fit application volume (一、本年新收, ``new``): negative binomial (NB2) GLM, log link.

    Unit: one agency-year report with ``new`` known. Model: ``new_i ~ NB(mu_i, alpha)``,
    ``Var = mu + alpha mu^2``, ``log(mu_i) = x_i'b``; ``alpha`` is estimated by maximum
    likelihood (statsmodels' discrete ``NegativeBinomial``, with its boundary LR test against
    Poisson) and the GLM is fitted with it, cluster-robust standard errors. Formula::

        new ~ level + kind + province + year_fe

    Args:
        frame: a model frame (:func:`build_model_frame`).
        covariates: covariate names (default :data:`VOLUME_COVARIATES`).
        region: as :func:`fit_rate`.
        min_reports: fewest usable reports to fit at all.
        clustering: as :func:`fit_rate`.
        se: as :func:`fit_rate`.

    Returns:
        A :class:`ModelResult` (rate ratios; ``extra["alpha"]``, ``extra["alpha_lr_p"]``). Never raises.
    """
    name = "volume_negbin"
    description = ("volume: new applications, negative binomial GLM (NB2, log link, alpha by ML), year fixed "
                   f"effects; {_se_words(clustering, se)}")
    return _run_safely(name, description, lambda: _count_fit(
        name, description, frame, _Response("new"), "negbin", covariates or VOLUME_COVARIATES, region, min_reports,
        clustering, se))


def fit_count(frame: pd.DataFrame, outcome: str = "reconsideration", family: str = "poisson", *,
              covariates=None, region: str | None = "auto", min_reports: int = MIN_REPORTS,
              clustering: str = "auto", se: str = "CR3") -> ModelResult:
    """Fit reconsideration (行政复议) or litigation (行政诉讼) counts per application.

    Unit: one agency-year report with ``new`` > 0 (reports with no new application are dropped
    and counted: their exposure is zero and the offset undefined). Model: ``count_i ~
    Poisson(mu_i)`` or ``NB2(mu_i, alpha)``, ``log(mu_i) = log(new_i) + x_i'b`` (offset
    ``log_new``), cluster-robust standard errors. The offset is tested against ``log(new)`` as a
    regressor (``extra["exposure_test"]``). Formula (offset passed separately)::

        reconsideration ~ level + kind + province + year_fe + natural_person_share,
            offset = log(new)

    Args:
        frame: a model frame (:func:`build_model_frame`).
        outcome: ``reconsideration`` (表四 行政复议 总计) or ``litigation`` (行政诉讼, both kinds).
        family: ``poisson`` or ``negbin`` (alpha by maximum likelihood).
        covariates: covariate names (default :data:`COUNT_COVARIATES`).
        region: as :func:`fit_rate`.
        min_reports: fewest usable reports to fit at all.
        clustering: as :func:`fit_rate`.
        se: as :func:`fit_rate`.

    Returns:
        A :class:`ModelResult` (rate ratios per application). Never raises.
    """
    name = f"{outcome}_{family}"
    label = "Poisson GLM" if family == "poisson" else "negative binomial GLM (NB2, alpha by ML)"
    description = (f"{outcome}: count with offset log(new), {label}, log link, year fixed effects; "
                   f"{_se_words(clustering, se)}")
    return _run_safely(name, description, lambda: _count_fit(
        name, description, frame, _Response(outcome, exposure="new"), family, covariates or COUNT_COVARIATES,
        region, min_reports, clustering, se))


__all__ = ["fit_rate", "fit_disclosure", "fit_not_held", "fit_not_processed", "fit_volume", "fit_count",
           "resolve_clustering", "MIN_PROVINCE_CLUSTERS"]
