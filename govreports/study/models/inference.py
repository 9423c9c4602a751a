"""Cluster-robust inference for the GLMs: by agency, by province, two-way; small-G corrections.

An agency reports every year, and agencies of one province share its shocks, so the reports of
a model are not independent. Covariances here are sandwich estimators built from a statsmodels
GLM's score and Hessian contributions:

* ``CR1``: the usual cluster-robust covariance (statsmodels' ``cov_type="cluster"``, with its
  G/(G-1) (N-1)/(N-K) factor);
* ``CR3``: the cluster jackknife, (G-1)/G sum_g (b_(-g) - b)(b_(-g) - b)', with each
  leave-one-cluster-out estimate b_(-g) taken one Newton step from b (exact for a linear model,
  very close for a GLM): the small-G correction, larger than CR1 when clusters are few or unequal;
* two-way (province x year), Cameron, Gelbach and Miller's V_province + V_year - V_province-year.
  Agencies nest in provinces, so agency x province two-way clustering equals province clustering;
  the second dimension that is not nested is the year (a national shock in one year).

Intervals and p-values use a t distribution with G - 1 degrees of freedom (G the clusters, the
smaller dimension for two-way). Joint Wald tests per factor use the same covariance (F with q
and G - 1 df), and :func:`adjust_pvalues` controls the false discovery rate (Benjamini-Hochberg,
``statsmodels.stats.multitest.multipletests``) over the terms a reader scans.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
from scipy import stats

CLUSTERINGS = ("agency", "province", "twoway")
SE_TYPES = ("CR1", "CR3")


def _contributions(fit) -> tuple:
    """Return (scores n x p, Hessian weights n) of a statsmodels GLM fit at its estimate."""
    model, params = fit.model, np.asarray(fit.params)
    scores = np.asarray(model.score_obs(params, scale=1.0))
    factor = np.asarray(model.hessian_factor(params, scale=1.0, observed=True))
    return scores, factor


def _sum_by(values: np.ndarray, codes: np.ndarray, groups: int) -> np.ndarray:
    out = np.zeros((groups, values.shape[1]))
    np.add.at(out, codes, values)
    return out


def cr1(fit, groups) -> np.ndarray:
    """Return the CR1 cluster-robust covariance of a GLM fit, clustered by ``groups``."""
    codes, uniques = pd.factorize(np.asarray(groups))
    g, (n, k) = len(uniques), fit.model.exog.shape
    scores, factor = _contributions(fit)
    bread = np.linalg.pinv(-(fit.model.exog * factor[:, None]).T @ fit.model.exog)
    sums = _sum_by(scores, codes, g)
    meat = sums.T @ sums
    correction = g / max(g - 1, 1) * (n - 1) / max(n - k, 1)
    return correction * bread @ meat @ bread.T


def cr3(fit, groups) -> np.ndarray:
    """Return the CR3 (cluster jackknife, one Newton step per left-out cluster) covariance."""
    codes, uniques = pd.factorize(np.asarray(groups))
    g = len(uniques)
    exog = fit.model.exog
    scores, factor = _contributions(fit)
    information = -(exog * factor[:, None]).T @ exog
    score_sums = _sum_by(scores, codes, g)
    deltas = np.empty_like(score_sums)
    for index in range(g):  # b_(-g) - b = -(I - I_g)^+ s_g: the rest's score is -s_g at b
        rows = codes == index
        part = -(exog[rows] * factor[rows, None]).T @ exog[rows]
        deltas[index] = -np.linalg.pinv(information - part) @ score_sums[index]
    return (g - 1) / g * deltas.T @ deltas


def _groups(data: pd.DataFrame, clustering: str):
    if clustering == "agency":
        return data["cluster"].to_numpy()
    if clustering == "province":
        return data["province"].astype(object).fillna("?").astype(str).to_numpy()
    if clustering == "year":
        return data["year"].to_numpy()
    raise ValueError(f"unknown clustering {clustering!r}: use one of {', '.join(CLUSTERINGS)}")


def cluster_covariance(fit, data: pd.DataFrame, clustering: str = "agency", se: str = "CR3") -> tuple:
    """Return ``(covariance, degrees of freedom)`` of a GLM fit clustered as asked.

    Args:
        fit: a statsmodels GLM results object fitted on ``data`` (same rows, same order).
        data: the model sample, with ``cluster`` (agency key), ``province`` and ``year``.
        clustering: ``agency``, ``province`` or ``twoway`` (province and year).
        se: ``CR1`` or ``CR3``.

    Raises:
        ValueError: an unknown clustering or standard-error type.
    """
    if se not in SE_TYPES:
        raise ValueError(f"unknown standard-error type {se!r}: use CR1 or CR3")
    estimator = cr3 if se == "CR3" else cr1
    if clustering != "twoway":
        groups = _groups(data, clustering)
        return estimator(fit, groups), len(pd.unique(groups)) - 1
    province, year = _groups(data, "province"), _groups(data, "year")
    both = pd.Series(province).astype(str) + "|" + pd.Series(year).astype(str)
    covariance = estimator(fit, province) + estimator(fit, year) - estimator(fit, both.to_numpy())
    covariance = _nearest_psd(covariance)
    return covariance, min(len(pd.unique(province)), len(pd.unique(year))) - 1


def _nearest_psd(matrix: np.ndarray) -> np.ndarray:
    """Clip negative eigenvalues (two-way sums can have them) to zero, as Cameron et al. advise."""
    values, vectors = np.linalg.eigh((matrix + matrix.T) / 2)
    return (vectors * np.clip(values, 0, None)) @ vectors.T


def t_inference(params, covariance: np.ndarray, df: int) -> pd.DataFrame:
    """Return ``std_error``, ``ci_low``, ``ci_high`` (95%) and ``p_value`` from t(df)."""
    estimate = np.asarray(params, float)
    std_error = np.sqrt(np.clip(np.diag(covariance), 0, None))
    df = max(int(df), 1)
    critical = stats.t.ppf(0.975, df)
    with np.errstate(divide="ignore", invalid="ignore"):
        p_value = 2 * stats.t.sf(np.abs(estimate / std_error), df)
    return pd.DataFrame({"std_error": std_error, "ci_low": estimate - critical * std_error,
                         "ci_high": estimate + critical * std_error, "p_value": p_value})


def design_info(fit):
    """Return the patsy DesignInfo of a formula-fitted statsmodels model (None if not a formula)."""
    data = fit.model.data
    return getattr(data, "design_info", None) or getattr(data, "model_spec", None)


def factor_slices(fit) -> dict:
    """Return ``{factor: slice of the parameters}`` from the fitted formula's design (patsy)."""
    info = design_info(fit)
    if info is None:
        return {}
    return {name: part for name, part in info.term_name_slices.items() if name != "Intercept"}


def wald_tests(fit, covariance: np.ndarray, df: int) -> pd.DataFrame:
    """Return a joint Wald test per factor (all its terms zero): F(q, df) with the given covariance.

    Columns: ``factor``, ``terms`` (q), ``statistic`` (F = W / q), ``df_denom``, ``p_value``.
    A factor with one term gives the square of its t statistic.
    """
    params = np.asarray(fit.params, float)
    rows = []
    for name, part in factor_slices(fit).items():
        b, v = params[part], covariance[part, part]
        q = len(b)
        wald = float(b @ np.linalg.pinv(v) @ b)
        rank = int(np.linalg.matrix_rank(v))
        statistic = wald / max(rank, 1)
        rows.append({"factor": name, "terms": q, "rank": rank, "statistic": statistic, "df_denom": max(df, 1),
                     "p_value": float(stats.f.sf(statistic, max(rank, 1), max(df, 1)))})
    return pd.DataFrame(rows, columns=["factor", "terms", "rank", "statistic", "df_denom", "p_value"])


def adjust_pvalues(p_values, method: str = "fdr_bh") -> np.ndarray:
    """Return multiplicity-adjusted p-values (``multipletests``; NaNs stay NaN)."""
    from statsmodels.stats.multitest import multipletests

    values = np.asarray(p_values, float)
    out = np.full(values.shape, np.nan)
    finite = np.isfinite(values)
    if finite.any():
        out[finite] = multipletests(values[finite], method=method)[1]
    return out


def clustering_comparison(fit, data: pd.DataFrame) -> pd.DataFrame:
    """Return each term's standard error under every clustering and type, side by side.

    Columns: ``term``, then ``se_<clustering>_<type>`` for agency / province / twoway and CR1 /
    CR3, and ``clusters_<clustering>`` (G). Unit: the model's reports.
    """
    out = pd.DataFrame({"term": list(fit.params.index)})
    for clustering in CLUSTERINGS:
        for se in SE_TYPES:
            covariance, df = cluster_covariance(fit, data, clustering, se)
            out[f"se_{clustering}_{se}"] = np.sqrt(np.clip(np.diag(covariance), 0, None))
        out[f"clusters_{clustering}"] = df + 1
    return out
