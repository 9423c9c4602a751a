"""Results on the response scale: average predictions and average marginal effects (delta method).

An average prediction sets a covariate to one value for EVERY report of the model's sample,
keeps the other covariates as observed, predicts each report and averages (counterfactual,
over the sample: not one modal profile). An average marginal effect is the difference of two
such averages (a category against the reference) or, for a numeric covariate, the average
derivative (by a central difference). Intervals are 95%, by the delta method with the model's
own covariance (cluster-robust for the recommended GLMs) and t with G - 1 df when clustered.

Scale: the probability of the outcome for share models; events per application (the offset
removed) or per report for counts. These are population-averaged quantities of a GLM.
"""

from __future__ import annotations

from itertools import product

import numpy as np
import pandas as pd
from scipy import stats

from govreports.study.models.inference import design_info
from govreports.study.models.spec import CATEGORICAL, ModelResult

EFFECT_COLUMNS = ("model", "quantity", "covariate", "value", "estimate", "std_error", "ci_low", "ci_high",
                  "scale", "n")
STEP = 1e-4


def _design(result: ModelResult, data: pd.DataFrame) -> np.ndarray:
    from patsy import build_design_matrices

    info = design_info(result.fit)
    return np.asarray(build_design_matrices([info], data, NA_action="raise")[0])


def _mean_prediction(result: ModelResult, design: np.ndarray):
    link = result.fit.model.family.link
    return lambda beta: float(np.mean(link.inverse(design @ beta)))


def _jacobian(functions: list, beta: np.ndarray) -> np.ndarray:
    return np.vstack([_central(f, beta) for f in functions])


def _central(function, beta: np.ndarray) -> np.ndarray:
    steps = np.maximum(np.abs(beta), 1.0) * 1e-6
    out = np.empty(len(beta))
    for index, step in enumerate(steps):
        up, down = beta.copy(), beta.copy()
        up[index] += step
        down[index] -= step
        out[index] = (function(up) - function(down)) / (2 * step)
    return out


def _interval(result: ModelResult, functions: list) -> pd.DataFrame:
    beta = np.asarray(result.fit.params, float)
    estimate = np.array([f(beta) for f in functions])
    jacobian = _jacobian(functions, beta)
    covariance = result.extra.get("vcov", np.asarray(result.fit.cov_params()))
    std_error = np.sqrt(np.clip(np.einsum("ij,jk,ik->i", jacobian, covariance, jacobian), 0, None))
    df = result.extra.get("df")
    critical = stats.t.ppf(0.975, df) if df else stats.norm.ppf(0.975)
    return pd.DataFrame({"estimate": estimate, "std_error": std_error, "ci_low": estimate - critical * std_error,
                         "ci_high": estimate + critical * std_error})


def _scale(result: ModelResult) -> str:
    if "trials" in result.extra:
        return "probability (population-averaged)"
    return "events per application" if result.offset else "events per report"


def _usable(result: ModelResult) -> bool:
    return bool(result.fitted and result.fit is not None and hasattr(result.fit.model, "family"))


def _values(data: pd.DataFrame, name: str) -> list:
    return list(data[name].cat.categories) if isinstance(data[name].dtype, pd.CategoricalDtype) else []


def _counterfactual(data: pd.DataFrame, settings: dict) -> pd.DataFrame:
    out = data.copy()
    for name, value in settings.items():
        if isinstance(data[name].dtype, pd.CategoricalDtype):
            out[name] = pd.Categorical([value] * len(out), categories=data[name].cat.categories)
        else:
            out[name] = value
    return out


def average_predictions(result: ModelResult, covariates=None) -> pd.DataFrame:
    """Return average predictions for each value of each categorical covariate, with 95% intervals.

    Unit: the model's reports, each predicted with the covariate set to the value (others as
    observed), then averaged. Columns: :data:`EFFECT_COLUMNS` (``quantity`` = ``average
    prediction``). Empty when the model is skipped or not a GLM.
    """
    if not _usable(result):
        return pd.DataFrame(columns=list(EFFECT_COLUMNS))
    data = result.data
    names = [c for c in (covariates or result.covariates) if c in CATEGORICAL and c in data]
    rows, functions = [], []
    for name in names:
        for value in _values(data, name):
            functions.append(_mean_prediction(result, _design(result, _counterfactual(data, {name: value}))))
            rows.append({"covariate": name, "value": str(value)})
    return _frame(result, rows, functions, "average prediction")


def average_marginal_effects(result: ModelResult, covariates=None) -> pd.DataFrame:
    """Return average marginal effects on the response scale, with 95% intervals (delta method).

    Unit: the model's reports. A category: the average prediction at it minus at the reference
    (``value`` = the category); a numeric covariate: the average derivative of the prediction
    (``value`` = ``dy/dx``). Columns: :data:`EFFECT_COLUMNS` (``quantity`` = ``average marginal
    effect``). Empty when the model is skipped or not a GLM.
    """
    if not _usable(result):
        return pd.DataFrame(columns=list(EFFECT_COLUMNS))
    data = result.data
    rows, functions = [], []
    for name in [c for c in (covariates or result.covariates) if c in data]:
        for value, function in _effects_of(result, data, name):
            rows.append({"covariate": name, "value": value})
            functions.append(function)
    return _frame(result, rows, functions, "average marginal effect")


def _effects_of(result: ModelResult, data: pd.DataFrame, name: str) -> list:
    values = _values(data, name)
    if values:
        base = _mean_prediction(result, _design(result, _counterfactual(data, {name: values[0]})))
        out = []
        for value in values[1:]:
            level = _mean_prediction(result, _design(result, _counterfactual(data, {name: value})))
            out.append((str(value), lambda b, level=level: level(b) - base(b)))
        return out
    step = STEP * max(float(data[name].std() or 1.0), 1e-8)
    up = _mean_prediction(result, _design(result, data.assign(**{name: data[name] + step})))
    down = _mean_prediction(result, _design(result, data.assign(**{name: data[name] - step})))
    return [("dy/dx", lambda b: (up(b) - down(b)) / (2 * step))]


def _frame(result: ModelResult, rows: list, functions: list, quantity: str) -> pd.DataFrame:
    if not rows:
        return pd.DataFrame(columns=list(EFFECT_COLUMNS))
    out = pd.DataFrame(rows).join(_interval(result, functions))
    out.insert(0, "quantity", quantity)
    out.insert(0, "model", result.name)
    out["scale"], out["n"] = _scale(result), result.n
    return out[list(EFFECT_COLUMNS)]


def response_effects(results: dict) -> pd.DataFrame:
    """Return average predictions and marginal effects of every fitted GLM, stacked."""
    parts = [part for result in results.values() if result.status == "fitted"
             for part in (average_predictions(result), average_marginal_effects(result)) if len(part)]
    return pd.concat(parts, ignore_index=True) if parts else pd.DataFrame(columns=list(EFFECT_COLUMNS))


def predicted_rates(result: ModelResult, by=("level", "kind")) -> pd.DataFrame:
    """Return a share model's average predicted rates, with 95% intervals, for each level x kind.

    Unit: the model's reports, each predicted with ``by`` set to one combination of values
    (other covariates as observed), averaged over the sample. ``reports`` and
    ``observed_rate`` (pooled successes / trials) describe the reports in each cell. Empty when
    the model was skipped or is not a binomial GLM.
    """
    columns = [*by, "rate", "ci_low", "ci_high", "reports", "observed_rate"]
    if not _usable(result) or "trials" not in result.extra:
        return pd.DataFrame(columns=columns)
    data, successes, trials = result.data, result.extra["successes"], result.extra["trials"]
    varied = [b for b in by if b in result.covariates]
    combos = list(product(*[data[b].cat.categories for b in varied])) if varied else [()]
    functions = [_mean_prediction(result, _design(result, _counterfactual(data, dict(zip(varied, combo)))))
                 for combo in combos]
    interval = _interval(result, functions)
    out = pd.DataFrame(combos, columns=varied) if varied else pd.DataFrame(index=[0])
    out["rate"], out["ci_low"], out["ci_high"] = interval["estimate"], interval["ci_low"], interval["ci_high"]
    out["reports"] = [_cell(data, varied, combo).sum() for combo in combos]
    out["observed_rate"] = [_observed(data[_cell(data, varied, combo)], successes, trials) for combo in combos]
    for b in by:
        if b not in out:
            out[b] = None
    out = out[columns].reset_index(drop=True)
    out.attrs["outcome"] = result.name.rsplit("_", 1)[0]
    out.attrs["dataset_version"] = result.extra.get("dataset_version")
    return out


def _cell(data: pd.DataFrame, varied: list, combo) -> np.ndarray:
    mask = np.ones(len(data), bool)
    for name, value in zip(varied, combo):
        mask &= (data[name] == value).to_numpy()
    return mask


def _observed(part: pd.DataFrame, successes: str, trials: str) -> float:
    total = part[trials].sum()
    return float(part[successes].sum() / total) if total > 0 else float("nan")
