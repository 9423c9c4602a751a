"""A binomial GLMM (logit) with one random intercept, by marginal maximum likelihood.

``disclosed_i ~ Binomial(handled_i, expit(x_i'b + u_g))``, ``u_g ~ N(0, sigma^2)``, g a
province (or an agency). The likelihood of each group integrates ``u_g`` out by adaptive
Gauss-Hermite quadrature (nodes centred on the mode of ``u_g`` and scaled by its curvature, as
lme4's ``glmer(nAGQ > 1)``), and ``(b, log sigma)`` maximise the sum with scipy's L-BFGS-B.
Standard errors come from the numerical Hessian of the marginal log-likelihood; the interval of
sigma is exp(log sigma +- 1.96 SE), and the LR test of sigma = 0 against the GLM uses the
boundary mixture 0.5 chi2(0) + 0.5 chi2(1).

Coefficients are CONDITIONAL (for a province with u = 0), not population-averaged: they are
larger in absolute value than the GLM's by about sqrt(1 + 0.346 sigma^2).

A fit is ``degenerate`` (not ``fitted``) when sigma runs to its boundary (below
:data:`SIGMA_FLOOR` times the fixed effects' scale, or its log at the search bound), when the
optimiser did not converge, or when the Hessian is not positive definite: statsmodels'
``BinomialBayesMixedGLM.fit_map`` returned sigma = 3e-14 and called it fitted.
"""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
from scipy import optimize, special, stats

from govreports.study.models.frame import prepare_covariates
from govreports.study.models.spec import (
    MIN_REPORTS,
    RATE_COVARIATES,
    ModelResult,
    _Response,
    _rhs,
    _skipped,
    _specify,
)

NODES = 12
LOG_SIGMA_BOUNDS = (-9.0, 3.0)
SIGMA_FLOOR = 1e-3
MODE_STEPS = 30


def _log_density(y, n, eta):
    """Binomial log-likelihood terms without the constant (vectorised, stable)."""
    return y * eta - n * np.logaddexp(0.0, eta)


def _group_sums(values: np.ndarray, starts: np.ndarray) -> np.ndarray:
    """Sum rows by group (the rows are sorted by group; ``starts`` are the first rows)."""
    return np.add.reduceat(values, starts, axis=0)


def _modes(y, n, offset, codes, starts, sigma):
    """Return each group's posterior mode of u and its curvature (Newton, vectorised by group)."""
    u = np.zeros(len(starts))
    precision = 1.0 / sigma**2
    for _ in range(MODE_STEPS):
        p = special.expit(offset + u[codes])
        gradient = _group_sums(y - n * p, starts) - u * precision
        curvature = _group_sums(n * p * (1 - p), starts) + precision
        step = gradient / curvature
        u += step
        if np.max(np.abs(step)) < 1e-10:
            break
    p = special.expit(offset + u[codes])
    curvature = _group_sums(n * p * (1 - p), starts) + precision
    return u, curvature


def marginal_loglik(beta, log_sigma, data: dict) -> float:
    """Return the marginal log-likelihood (adaptive Gauss-Hermite) of ``(beta, log sigma)``.

    Per group: log of sqrt(2) s sum_k w_k exp(z_k^2) f(u_hat + sqrt(2) s z_k), with f the
    binomial likelihood of the group's reports times the normal density of u, u_hat its mode
    and s = 1 / sqrt(curvature) there.
    """
    y, n, codes, starts = data["y"], data["n"], data["codes"], data["starts"]
    sigma = math.exp(log_sigma)
    eta = data["X"] @ beta
    mode, curvature = _modes(y, n, eta, codes, starts, sigma)
    scale = 1.0 / np.sqrt(curvature)
    nodes, weights = data["nodes"], data["weights"]
    u = mode[:, None] + math.sqrt(2.0) * scale[:, None] * nodes[None, :]
    linear = eta[:, None] + u[codes]
    group = _group_sums(y[:, None] * linear - n[:, None] * np.logaddexp(0.0, linear), starts)
    prior = -0.5 * (u / sigma) ** 2 - math.log(sigma) - 0.5 * math.log(2 * math.pi)
    terms = group + prior + nodes[None, :] ** 2 + np.log(weights)[None, :]
    return float(np.sum(special.logsumexp(terms, axis=1) + np.log(math.sqrt(2.0) * scale))) + data["constant"]


def glm_loglik(beta, data: dict) -> float:
    """Return the binomial log-likelihood with no random effect (sigma = 0)."""
    return float(np.sum(_log_density(data["y"], data["n"], data["X"] @ beta))) + data["constant"]


def prepare(y, n, X, groups) -> dict:
    """Return the arrays the likelihood needs (group codes, nodes, the binomial constant)."""
    codes, uniques = pd.factorize(np.asarray(groups))
    order = np.argsort(codes, kind="stable")  # rows sorted by group: sums by np.add.reduceat
    codes = codes[order]
    y, n = np.asarray(y, float)[order], np.asarray(n, float)[order]
    starts = np.flatnonzero(np.r_[True, codes[1:] != codes[:-1]])
    nodes, weights = np.polynomial.hermite.hermgauss(NODES)
    constant = float(np.sum(special.gammaln(n + 1) - special.gammaln(y + 1) - special.gammaln(n - y + 1)))
    return {"y": y, "n": n, "X": np.asarray(X, float)[order], "codes": codes, "starts": starts,
            "groups": len(uniques), "labels": list(uniques), "nodes": nodes, "weights": weights,
            "constant": constant}


def fit_glmm(y, n, X, groups, beta_start=None) -> dict:
    """Fit the random-intercept logit by marginal ML; return estimates, covariance and checks.

    Returns a dict: ``beta``, ``log_sigma``, ``sigma``, ``covariance`` (of ``(beta, log
    sigma)``), ``loglik``, ``loglik_glm``, ``lr``, ``lr_p`` (sigma = 0, boundary mixture),
    ``converged``, ``status`` (``fitted`` or ``degenerate``), ``problems`` (why degenerate),
    ``sigma_ci`` and ``groups``.
    """
    data = prepare(y, n, X, groups)
    p = data["X"].shape[1]
    start = np.zeros(p) if beta_start is None else np.asarray(beta_start, float)
    glm = optimize.minimize(lambda b: -glm_loglik(b, data), start, method="BFGS")
    theta0 = np.append(glm.x, math.log(0.3))
    bounds = [(None, None)] * p + [LOG_SIGMA_BOUNDS]
    objective = lambda t: -marginal_loglik(t[:-1], t[-1], data)  # noqa: E731
    best = optimize.minimize(objective, theta0, method="L-BFGS-B", bounds=bounds,
                             options={"maxiter": 500, "ftol": 1e-12, "gtol": 1e-6})
    covariance, hessian_ok = _covariance(objective, best.x)
    out = {"beta": best.x[:-1], "log_sigma": float(best.x[-1]), "sigma": math.exp(best.x[-1]),
           "covariance": covariance, "loglik": -float(best.fun), "loglik_glm": -float(glm.fun),
           "converged": bool(best.success), "groups": data["groups"], "message": str(best.message)}
    out["lr"] = max(2 * (out["loglik"] - out["loglik_glm"]), 0.0)
    out["lr_p"] = 0.5 * float(stats.chi2.sf(out["lr"], 1)) if out["lr"] > 0 else 1.0
    se = math.sqrt(covariance[-1, -1]) if hessian_ok else math.nan
    out["log_sigma_se"] = se
    out["sigma_ci"] = (math.exp(out["log_sigma"] - 1.959963984540054 * se),
                       math.exp(out["log_sigma"] + 1.959963984540054 * se)) if hessian_ok else (math.nan, math.nan)
    out["problems"] = _problems(out, hessian_ok)
    out["status"] = "degenerate" if out["problems"] else "fitted"
    return out


def _covariance(objective, theta) -> tuple:
    """Return (inverse numerical Hessian, whether it is positive definite)."""
    from statsmodels.tools.numdiff import approx_hess3

    hessian = approx_hess3(theta, objective)
    hessian = (hessian + hessian.T) / 2
    try:
        np.linalg.cholesky(hessian)
    except np.linalg.LinAlgError:
        return np.full(hessian.shape, np.nan), False
    return np.linalg.inv(hessian), True


def _problems(out: dict, hessian_ok: bool) -> list:
    problems = []
    if out["sigma"] < SIGMA_FLOOR or out["log_sigma"] <= LOG_SIGMA_BOUNDS[0] + 1e-6:
        problems.append(f"sigma = {out['sigma']:.2g} is at its boundary (no group variation identified)")
    if out["log_sigma"] >= LOG_SIGMA_BOUNDS[1] - 1e-6:
        problems.append(f"sigma = {out['sigma']:.3g} ran to its upper bound")
    if not out["converged"]:
        problems.append(f"the optimiser did not converge ({out['message']})")
    if not hessian_ok:
        problems.append("the Hessian of the marginal likelihood is not positive definite")
    return problems


# ----------------------------------------------------------------------------------------
# The study's multilevel disclosure model


def fit_disclosure_mixed(frame: pd.DataFrame, *, group: str = "province", covariates=None,
                         min_reports: int | None = None) -> ModelResult:
    """Fit the MULTILEVEL disclosure model: logit with a random intercept by province (or agency).

    Unit: one agency-year report with ``handled`` > 0 and the group known. Model:
    ``disclosed_i ~ Binomial(handled_i, expit(x_i'b + u_g))``, ``u_g ~ N(0, sigma^2)``, by
    marginal maximum likelihood (adaptive Gauss-Hermite quadrature, :func:`fit_glmm`). The
    coefficients are CONDITIONAL on the group effect (a province with u = 0), not
    population-averaged like the GLM's. The table holds ``sd(<group>)`` (estimate = log sigma,
    ``ratio`` = sigma with its interval). ``status`` is ``degenerate`` when sigma is at its
    boundary, the optimiser failed or the Hessian is not positive definite. Formula (fixed part;
    random intercept by ``group``)::

        disclosed + I(handled - disclosed) ~ level + kind + macro_region + year_fe
            + log_applications + natural_person_share + no_new

    Args:
        frame: a model frame (:func:`build_model_frame`).
        group: ``province`` or ``agency`` (the agency key).
        covariates: fixed-effect covariates (default :data:`RATE_COVARIATES`, the region as
            ``macro_region``: the random intercept replaces province fixed effects).
        min_reports: fewest usable reports to fit at all (default :data:`MIN_REPORTS`).

    Returns:
        A :class:`ModelResult` (``extra``: ``sigma``, ``sigma_ci``, ``lr_p``, ``glmm``). Never raises.
    """
    from govreports.study.models.fit import _run_safely

    name = "disclosure_mixed" if group == "province" else f"disclosure_mixed_{group}"
    description = (f"disclosure: MULTILEVEL binomial logit, random intercept by {group}, marginal ML (adaptive "
                   f"Gauss-Hermite, {NODES} nodes); coefficients CONDITIONAL on the {group} effect")
    return _run_safely(name, description, lambda: _fit_mixed(frame, name, description, group, covariates,
                                                             min_reports or MIN_REPORTS))


def _fit_mixed(frame, name, description, group, covariates, min_reports) -> ModelResult:
    from patsy import dmatrix

    from govreports.study.models.fit import _model_data, _result, _tidy

    # A province intercept replaces province fixed effects; macro-regions (province-level) stay.
    wanted = [("macro_region" if c == "region" else c) for c in covariates or RATE_COVARIATES if c != "province"]
    column = "province" if group == "province" else "cluster"
    known = prepare_covariates(frame)
    known = known[known[column].notna()] if column == "province" else known
    spec = _specify(known, _Response("disclosed", "handled"), wanted, None, min_reports)
    if len(known) < len(frame):
        spec.dropped_reports[f"missing {group}"] = len(frame) - len(known)
    skip = spec.skip or _group_skip(spec, column, group)
    if skip:
        return _skipped(name, description, skip, spec)
    formula = f"disclosed + I(handled - disclosed) ~ {_rhs(spec.covariates)}"
    result = _result(name, description, spec, formula, _model_data(spec))
    design = dmatrix(_rhs(spec.covariates), result.data, return_type="dataframe")
    glmm = fit_glmm(result.data["disclosed"], result.data["handled"], design, result.data[column])
    result.status = glmm["status"]
    result.notes.extend("DEGENERATE: " + p for p in glmm["problems"])
    params = pd.Series(np.append(glmm["beta"], glmm["log_sigma"]), index=[*design.columns, f"sd({group})"])
    se = np.sqrt(np.clip(np.diag(glmm["covariance"]), 0, None))
    with np.errstate(divide="ignore", invalid="ignore"):
        p_value = 2 * stats.norm.sf(np.abs(params.to_numpy() / se))
    result.table = _tidy(params, se, p_value, params - 1.959963984540054 * se, params + 1.959963984540054 * se,
                         result, "odds ratio (conditional)")
    last = result.table.index[-1]
    result.table.loc[last, ["ratio_type", "p_value", "p_adjusted"]] = ["standard deviation", glmm["lr_p"], np.nan]
    result.extra.update(sigma=glmm["sigma"], sigma_ci=glmm["sigma_ci"], lr_p=glmm["lr_p"], glmm=glmm,
                        loglik=glmm["loglik"], groups=glmm["groups"], scale_type="conditional",
                        successes="disclosed", trials="handled")
    if group == "province":
        result.extra["province_sd"] = glmm["sigma"]
    return result


def _group_skip(spec, column: str, group: str) -> str | None:
    values = spec.sample[column].unique()
    if len(values) < 2:
        shown = values[0] if len(values) else "none"
        return f"{group} has one value: {shown} (a random intercept needs at least 2 groups)"
    if len(values) < 5:
        spec.notes.append(f"only {len(values)} {group} groups: the {group} variance is poorly identified")
    return None
