"""Statistical models relating application outcomes to agency characteristics (issues 7, 17).

The unit of every model is one agency-year report whose status is ``valid`` or ``repaired``
(``sensitivity=True`` adds ``invalid`` ones, with their figures as published); agencies are
identified by :func:`govreports.study.metrics.agency_key` (name + adcode), shared with the metrics.

The package, one job per module:

* :mod:`~govreports.study.models.frame`: the model frame from ``data/processed``;
* :mod:`~govreports.study.models.spec`: results and identification (what a model can use);
* :mod:`~govreports.study.models.inference`: cluster-robust covariances (agency, province,
  two-way; CR1 and the CR3 jackknife), joint Wald tests per factor, multiplicity control;
* :mod:`~govreports.study.models.fit`: the GLMs (binomial shares, Poisson / NB counts);
* :mod:`~govreports.study.models.mixed`: the GLMM (random intercept, marginal ML by adaptive
  Gauss-Hermite quadrature, degenerate fits flagged);
* :mod:`~govreports.study.models.effects`: average predictions and marginal effects;
* :mod:`~govreports.study.models.robustness`: the same model on other samples;
* :mod:`~govreports.study.models.export`: tables (CSV, LaTeX), bilingual labels;
* :mod:`~govreports.study.models.plots`: figures (the only module importing matplotlib).

Recommended model of a share: the binomial GLM (logit) with year fixed effects and CR3
cluster-robust errors, clustered by province when there are at least 20 provinces, else by
agency. The quasi-binomial GLM ignores clustering and is kept only as a labelled comparison.
"""

from __future__ import annotations

import pandas as pd

from govreports.study.models.effects import (
    average_marginal_effects,
    average_predictions,
    predicted_rates,
    response_effects,
)
from govreports.study.models.export import (
    coefficient_table,
    comparison_table,
    latex_escape,
    summary_table,
    term_label,
    wald_table,
    write_tables,
)
from govreports.study.models.fit import (
    MIN_PROVINCE_CLUSTERS,
    fit_count,
    fit_disclosure,
    fit_not_held,
    fit_not_processed,
    fit_rate,
    fit_volume,
)
from govreports.study.models.frame import (
    BASE_YEAR,
    FRAME_COLUMNS,
    SENSITIVITY_STATUSES,
    STATUSES,
    build_model_frame,
    load_model_frame,
    macro_region,
    prepare_covariates,
)
from govreports.study.models.inference import (
    adjust_pvalues,
    cluster_covariance,
    clustering_comparison,
    wald_tests,
)
from govreports.study.models.mixed import fit_disclosure_mixed, fit_glmm
from govreports.study.models.plots import plot_coefficients, plot_predicted_rates
from govreports.study.models.robustness import robustness_table
from govreports.study.models.spec import (
    COUNT_COVARIATES,
    COUNT_OUTCOMES,
    MIN_REPORTS,
    RATE_COVARIATES,
    RATE_OUTCOMES,
    TABLE_COLUMNS,
    VOLUME_COVARIATES,
    ModelResult,
)


def fit_all(frame: pd.DataFrame, *, region: str | None = "auto", min_reports: int = MIN_REPORTS,
            mixed: bool = True, clustering: str = "auto") -> dict:
    """Fit every model of the study on a model frame; return ``{name: ModelResult}`` in order.

    Unit: one agency-year report. Models and formulas: ``disclosure_binomial`` (recommended:
    ``disclosed + I(handled - disclosed) ~ covariates``, cluster-robust CR3) and
    ``disclosure_quasibinomial`` (comparison only: ignores clustering), ``disclosure_mixed`` and
    ``disclosure_mixed_agency`` (random intercept by province / agency, marginal ML),
    ``not_held_*`` and ``not_processed_*`` (the same GLMs with those outcomes),
    ``volume_negbin`` (``new ~ ...``), ``reconsideration_poisson`` / ``_negbin`` and
    ``litigation_poisson`` / ``_negbin`` (``count ~ ...`` with offset ``log(new)``, tested).
    Skipped models are in the dict with their reason; degenerate ones have ``status="degenerate"``.

    Args:
        frame: a model frame (:func:`build_model_frame`).
        region: as :func:`fit_rate`.
        min_reports: fewest usable reports to fit a model at all.
        mixed: also fit the multilevel models (the slowest).
        clustering: as :func:`fit_rate`.
    """
    options = {"region": region, "min_reports": min_reports, "clustering": clustering}
    results = {}
    for outcome in RATE_OUTCOMES:
        for dispersion in ("cluster", "quasi"):
            result = fit_rate(frame, outcome, dispersion=dispersion, **options)
            results[result.name] = result
        if outcome == "disclosure" and mixed:
            for group in ("province", "agency"):
                result = fit_disclosure_mixed(frame, group=group, min_reports=min_reports)
                results[result.name] = result
    results["volume_negbin"] = fit_volume(frame, **options)
    for outcome in COUNT_OUTCOMES:
        for family in ("poisson", "negbin"):
            result = fit_count(frame, outcome, family, **options)
            results[result.name] = result
    version = frame.attrs.get("dataset_version")
    for result in results.values():
        result.extra["dataset_version"] = version
    return results


__all__ = [
    "ModelResult", "build_model_frame", "load_model_frame", "prepare_covariates", "macro_region",
    "fit_rate", "fit_disclosure", "fit_not_held", "fit_not_processed", "fit_volume", "fit_count",
    "fit_disclosure_mixed", "fit_glmm", "fit_all", "summary_table", "coefficient_table", "comparison_table",
    "wald_table", "write_tables", "predicted_rates", "average_predictions", "average_marginal_effects",
    "response_effects", "latex_escape", "term_label", "plot_coefficients", "plot_predicted_rates",
    "cluster_covariance", "clustering_comparison", "robustness_table", "wald_tests", "adjust_pvalues",
    "STATUSES", "SENSITIVITY_STATUSES", "BASE_YEAR", "FRAME_COLUMNS", "MIN_REPORTS", "MIN_PROVINCE_CLUSTERS",
    "RATE_COVARIATES", "COUNT_COVARIATES", "VOLUME_COVARIATES", "RATE_OUTCOMES", "COUNT_OUTCOMES", "TABLE_COLUMNS",
]
