"""Figures of the models: the only module of the package that imports matplotlib.

Coefficient plots label each model as population-averaged (GLMs) or conditional on the random
effect (the multilevel model), and degenerate fits are never drawn. Every label is bilingual and
every figure carries a source note (the dataset version and the reports the model rests on).
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from govreports.study import figures
from govreports.study.models.export import term_label
from govreports.template import model_terms as terms

DEFAULT_PLOTTED = ("disclosure_binomial", "disclosure_mixed", "not_held_binomial", "not_processed_binomial")


def _model_label(result) -> str:
    """Return a model's legend entry: its Chinese name, its code name and the scale of its effects."""
    scale = terms.CONDITIONAL if result.extra.get("scale_type") == "conditional" else terms.POPULATION_AVERAGED
    return f"{terms.MODEL_ZH.get(result.name, result.name)} / {result.name} [{scale}]"


def model_source(results, version: str | None = None) -> str:
    """Return the source note of a models' figure: dataset version, reports and agencies of the fits drawn."""
    chosen = list(results.values()) if isinstance(results, dict) else list(results)
    fitted = [r for r in chosen if getattr(r, "status", None) == "fitted"]
    version = version or next((r.extra.get("dataset_version") for r in fitted if r.extra.get("dataset_version")),
                              "unknown")
    reports = max((r.n for r in fitted), default=0)
    clusters = max((r.n_clusters or 0 for r in fitted), default=0)
    return figures.source_note(version, reports, f"{clusters} clusters; valid or repaired agency-year reports")


def _note(fig, source: str) -> None:
    """Put the source note under a pyplot figure, leaving room for it."""
    fig.subplots_adjust(bottom=max(fig.subplotpars.bottom, 0.32 / fig.get_figheight() + 0.08))
    fig.text(0.005, 0.005, source, fontsize=7.5, color="0.35", ha="left", va="bottom", wrap=True)


def plot_coefficients(results: dict, names=DEFAULT_PLOTTED, *, hide=("Intercept", "province[", "year_fe[", "sd("),
                      ax=None, source: str | None = None):
    """Plot odds or rate ratios with their 95% intervals (log scale), one colour per model.

    Only models whose status is ``fitted`` are drawn (degenerate and skipped ones are left out);
    each legend entry says whether its effects are population-averaged or conditional.

    Args:
        results: ``{name: ModelResult}``.
        names: the models to plot, in order.
        hide: terms starting with any of these are not plotted (intercepts, fixed effects, SDs).
        ax: a matplotlib axis (a new figure if None).
        source: the source note (default: :func:`model_source` of the models drawn).

    Returns:
        The matplotlib figure (None when no model in ``names`` was fitted).
    """
    import matplotlib.pyplot as plt
    from matplotlib.ticker import FuncFormatter, LogLocator, NullFormatter

    figures.setup()  # the CJK font and house style shared with the study notebooks
    chosen = [results[n] for n in names if n in results and results[n].status == "fitted"]
    tables = [(r, r.table[~r.table["term"].str.startswith(tuple(hide))]) for r in chosen]
    tables = [(r, t) for r, t in tables if len(t)]
    if not tables:
        return None
    order = list(dict.fromkeys(term for _, t in tables for term in t["term"]))
    fig, ax = (ax.figure, ax) if ax is not None else plt.subplots(figsize=(10, 1.5 + 0.45 * len(order)))
    step = 0.7 / max(len(tables), 1)
    for index, (result, table) in enumerate(tables):
        y = np.array([order.index(t) for t in table["term"]]) + (index - (len(tables) - 1) / 2) * step
        ratio = table["ratio"].to_numpy()
        errors = np.vstack([ratio - table["ratio_ci_low"].to_numpy(), table["ratio_ci_high"].to_numpy() - ratio])
        ax.errorbar(ratio, y, xerr=errors, fmt="o", capsize=3, label=_model_label(result))
    ax.axvline(1.0, color="grey", linewidth=1, linestyle="--")
    ax.set_xscale("log")
    ax.xaxis.set_major_locator(LogLocator(base=10, subs=(1.0, 2.0, 5.0)))
    ax.xaxis.set_major_formatter(FuncFormatter(lambda v, _: f"{v:g}"))
    ax.xaxis.set_minor_formatter(NullFormatter())
    ax.set_yticks(range(len(order)), [term_label(t, "both") for t in order])
    ax.invert_yaxis()
    ax.set_xlabel(terms.COEFFICIENT_AXIS)
    ax.set_title(terms.COEFFICIENT_PLOT_TITLE)
    ax.legend(fontsize="small", loc="upper left", bbox_to_anchor=(1.01, 1.0))
    fig.tight_layout()
    _note(fig, source or model_source([r for r, _ in tables]))
    return fig


def plot_predicted_rates(predictions: pd.DataFrame, *, title: str | None = None, ax=None,
                         source: str | None = None):
    """Plot predicted rates (:func:`predicted_rates`) by administrative level, one series per kind.

    A level x kind cell with no report is not drawn: the model would extrapolate to agencies
    the data do not have.

    Args:
        predictions: the output of :func:`predicted_rates`.
        title: the plot title (default: the model's outcome, in Chinese and English).
        ax: a matplotlib axis (a new figure if None).
        source: the source note (default: the dataset version in ``predictions.attrs`` and the reports).

    Returns:
        The matplotlib figure (None when there is nothing to plot).
    """
    import matplotlib.pyplot as plt

    figures.setup()  # the CJK font and house style shared with the study notebooks
    outcome = predictions.attrs.get("outcome", "disclosure")
    version = predictions.attrs.get("dataset_version") or "unknown"
    if "reports" in predictions:
        predictions = predictions[predictions["reports"].fillna(0) > 0]
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
        label = f"{terms.KIND_ZH.get(kind, kind)} / {terms.KIND_EN.get(kind, kind)}" if kind is not None else ""
        ax.errorbar(x, rate, yerr=errors, fmt="o", capsize=4, label=label or None)
    ax.set_xticks(range(len(levels)), [f"{terms.LEVEL_ZH.get(v, v)}\n{terms.LEVEL_EN.get(v, v)}" if v else ""
                                       for v in levels])
    ax.set_xlabel(terms.LEVEL_AXIS)
    ax.set_ylabel(terms.PREDICTED_AXIS)
    ax.set_ylim(0, 1)
    ax.set_title(title or (f"{terms.PREDICTED_TITLE}{terms.OUTCOME_ZH.get(outcome, outcome)}\n"
                           f"{terms.OUTCOME_EN.get(outcome, outcome)}"), loc="left")
    if any(k is not None for k in kinds):
        ax.legend()
    fig.tight_layout()
    reports = int(predictions["reports"].sum()) if "reports" in predictions else 0
    _note(fig, source or figures.source_note(version, reports,
                                             "cells with reports only; valid or repaired agency-year reports"))
    return fig
