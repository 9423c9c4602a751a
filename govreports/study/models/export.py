"""Tables of the models: per-model tidy tables, the side-by-side comparison, effects; CSV and LaTeX.

Every file is stamped with the dataset version and the package's (``dataset_version`` and
``govreports_version`` columns in CSVs, the caption in LaTeX: :func:`stamp`, :func:`stamp_caption`).
Term labels are bilingual (Chinese / English) from
:mod:`govreports.template.model_terms`; the comparison table folds province and year dummies
into "fixed effects: yes" rows instead of printing thirty province rows.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd

from govreports.study.models.effects import response_effects
from govreports.study.models.spec import TABLE_COLUMNS
from govreports.template import model_terms as terms

LATEX_COLUMNS = ("label", "estimate", "std_error", "ci_low", "ci_high", "p_value", "p_adjusted", "ratio")
LATEX_SPECIALS = {"\\": r"\textbackslash{}", "&": r"\&", "%": r"\%", "$": r"\$", "#": r"\#", "_": r"\_",
                  "{": r"\{", "}": r"\}", "~": r"\textasciitilde{}", "^": r"\textasciicircum{}"}
FOLDED = ("province[", "year_fe[")
VALUE_LABELS = {"level": (terms.LEVEL_ZH, terms.LEVEL_EN), "kind": (terms.KIND_ZH, terms.KIND_EN),
                "template": (terms.TEMPLATE_ZH, terms.TEMPLATE_EN),
                "macro_region": (terms.MACRO_REGION_ZH, terms.MACRO_REGION_EN)}


def term_label(term: str, language: str = "zh") -> str:
    """Return a model term readable, e.g. ``level[T.prefecture]`` -> ``行政级别: 地市级``.

    ``language``: ``zh``, ``en`` or ``both`` (``行政级别: 地市级 / Level: prefectural``).
    """
    if language == "both":
        return f"{term_label(term, 'zh')} / {term_label(term, 'en')}"
    names = terms.COVARIATE_ZH if language == "zh" else terms.COVARIATE_EN
    if "[T." in term:
        name, value = term[:-1].split("[T.", 1)
        values = VALUE_LABELS.get(name, ({}, {}))[0 if language == "zh" else 1]
        return f"{names.get(name, name)}: {values.get(value, value)}"
    if term == "log_sd(province)":
        term = "sd(province)"
    return names.get(term, term)


def latex_escape(text: str) -> str:
    """Return ``text`` with LaTeX's special characters escaped (for captions)."""
    return "".join(LATEX_SPECIALS.get(char, char) for char in str(text))


def _write_latex(table: pd.DataFrame, path: Path, caption: str, label: str) -> None:
    text = table.to_latex(index=False, escape=True, float_format="%.4g", na_rep="",
                          caption=latex_escape(caption), label=label)
    path.write_text(text, encoding="utf-8")


def stamp(table: pd.DataFrame, version: str | None) -> pd.DataFrame:
    """Return ``table`` with ``dataset_version`` and ``govreports_version`` columns (what every exported CSV carries)."""
    from govreports import __version__

    return table.assign(dataset_version=version or "unknown", govreports_version=__version__)


def stamp_caption(caption: str, version: str | None) -> str:
    """Return a LaTeX caption ending with the dataset version and the package's."""
    from govreports import __version__

    return f"{caption}. Dataset {version or 'unknown'}; govreports {__version__}"



def summary_table(results: dict) -> pd.DataFrame:
    """Return one row per model: status (fitted / degenerate / skipped), reports, what was dropped.

    Columns: ``model``, ``description``, ``status``, ``n`` (reports), ``n_clusters`` (agencies),
    ``zero_denominator`` (reports dropped for a zero denominator), ``dropped_reports``,
    ``dropped_covariates``, ``formula``, ``offset``, ``message``.
    """
    rows = []
    for name, result in results.items():
        zero = sum(v for k, v in result.dropped_reports.items() if k.startswith("zero denominator"))
        rows.append({
            "model": name, "description": result.description, "status": result.status,
            "n": result.n, "n_clusters": result.n_clusters, "zero_denominator": zero,
            "dropped_reports": "; ".join(f"{k}: {v}" for k, v in result.dropped_reports.items()),
            "dropped_covariates": "; ".join(f"{k} ({v})" for k, v in result.dropped_covariates.items()),
            "formula": result.formula, "offset": result.offset,
            "message": result.skipped if not result.fitted else "; ".join(result.notes),
        })
    return pd.DataFrame(rows)


def coefficient_table(results: dict) -> pd.DataFrame:
    """Return the tidy tables of every model with estimates, stacked, with its ``status``."""
    tables = [r.table.assign(status=r.status) for r in results.values() if r.fitted and r.table is not None]
    columns = [*TABLE_COLUMNS, "status"]
    return pd.concat(tables, ignore_index=True) if tables else pd.DataFrame(columns=columns)


def wald_table(results: dict) -> pd.DataFrame:
    """Return the joint Wald tests per factor of every fitted model (F, q and G - 1 df), stacked."""
    parts = [r.extra["wald"].assign(model=name) for name, r in results.items()
             if r.status == "fitted" and "wald" in r.extra]
    if not parts:
        return pd.DataFrame(columns=["model", "factor", "terms", "rank", "statistic", "df_denom", "p_value"])
    table = pd.concat(parts, ignore_index=True)
    return table[["model", *[c for c in table.columns if c != "model"]]]


def _model_stats(result) -> dict:
    fit, extra = result.fit, result.extra
    loglik = extra.get("loglik", getattr(fit, "llf", np.nan) if fit is not None else np.nan)
    k = len(result.table)
    region = next((c for c in result.covariates if c in ("province", "macro_region")), None)
    scale = terms.CONDITIONAL if extra.get("scale_type") == "conditional" else terms.POPULATION_AVERAGED
    return {"n": result.n, "clusters": extra.get("clusters", extra.get("groups", result.n_clusters)),
            "clustering": extra.get("clustering", "model-based" if "wald" not in extra else ""),
            "year_fe": terms.YES_NO["year_fe" in result.covariates], "region_fe": region or "",
            "scale_type": scale, "loglik": float(loglik), "aic": float(2 * k - 2 * loglik), "status": result.status}


def comparison_table(results: dict, names=None, language: str = "both") -> pd.DataFrame:
    """Return the models side by side: a term's estimate and SE per model, then model rows.

    Columns: ``row`` (a term, or a statistic), ``label`` (bilingual), then ``<model>`` and
    ``<model>_se`` per model. Province and year dummies are folded into the fixed-effect rows.
    Model rows: reports, clusters, clustering, year / region fixed effects, population-averaged
    or conditional, log-likelihood, AIC (2k - 2 log L), status. Skipped models are left out.
    """
    chosen = [n for n in (names or results) if n in results and results[n].fitted and results[n].table is not None]
    terms_order = list(dict.fromkeys(t for n in chosen for t in results[n].table["term"] if not t.startswith(FOLDED)))
    out = pd.DataFrame({"row": terms_order, "label": [term_label(t, language) for t in terms_order]})
    for name in chosen:
        table = results[name].table.set_index("term")
        sd = table["ratio_type"] == "standard deviation"  # random-effect SDs: sigma itself, not its log
        out[name] = out["row"].map(table["estimate"].where(~sd, table["ratio"]))
        out[f"{name}_se"] = out["row"].map(table["std_error"].where(~sd))
    stats_rows = []
    for key, zh, en in terms.COMPARISON_ROWS:
        row = {"row": key, "label": {"zh": zh, "en": en}.get(language, f"{zh} / {en}")}
        for name in chosen:
            row[name] = _model_stats(results[name])[key]
        stats_rows.append(row)
    return pd.concat([out, pd.DataFrame(stats_rows)], ignore_index=True)


def _dataset_version(results: dict, given: str | None) -> str | None:
    return given or next((r.extra.get("dataset_version") for r in results.values()
                          if r.extra.get("dataset_version")), None)


def write_tables(results: dict, out_dir: str | Path = "reports/tables", dataset_version: str | None = None) -> list:
    """Write each model's tidy table, the comparison, Wald tests, effects and summary; CSV and LaTeX.

    Files: ``<model>.csv`` and ``<model>.tex`` per model with estimates (fitted or degenerate,
    the status in the file), ``coefficients.csv``, ``comparison.csv`` / ``comparison.tex``
    (models side by side), ``wald_tests.csv``, ``effects.csv`` (average predictions and marginal
    effects), ``models_summary.csv`` / ``models_summary.tex`` (every model, with its reason).
    Each is stamped with the dataset version and the package's. LaTeX with Chinese labels: compile with xeCJK.

    Args:
        results: ``{name: ModelResult}`` (:func:`fit_all`).
        out_dir: the folder (created if missing).
        dataset_version: the stamp (default: the version recorded on the results, else unknown).

    Returns:
        The paths written.
    """
    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    version = _dataset_version(results, dataset_version) or "unknown"
    written = []
    for name, result in results.items():
        if not (result.fitted and result.table is not None):
            continue
        table = result.table.assign(label=[term_label(t, "both") for t in result.table["term"]], status=result.status)
        stamp(table, version).to_csv(out / f"{name}.csv", index=False)
        caption = stamp_caption(f"{result.description}. Status: {result.status}. n = {result.n} reports; "
                                f"formula: {result.formula}", version)
        _write_latex(table[list(LATEX_COLUMNS)], out / f"{name}.tex", caption, f"tab:{name}")
        written += [out / f"{name}.csv", out / f"{name}.tex"]
    written += _write_stacked(results, out, version)
    return written


def _write_stacked(results: dict, out: Path, version: str) -> list:
    stamp(coefficient_table(results), version).to_csv(out / "coefficients.csv", index=False)
    comparison = comparison_table(results)
    stamp(comparison, version).to_csv(out / "comparison.csv", index=False)
    _write_latex(comparison.drop(columns="row"), out / "comparison.tex",
                 stamp_caption("Models side by side (estimates on the link scale, cluster-robust SEs)", version),
                 "tab:comparison")
    stamp(wald_table(results), version).to_csv(out / "wald_tests.csv", index=False)
    stamp(response_effects(results), version).to_csv(out / "effects.csv", index=False)
    summary = summary_table(results)
    stamp(summary, version).to_csv(out / "models_summary.csv", index=False)
    _write_latex(summary[["model", "status", "n", "n_clusters", "zero_denominator", "message"]],
                 out / "models_summary.tex", stamp_caption("Models fitted, degenerate and skipped", version),
                 "tab:models_summary")
    names = ["coefficients.csv", "comparison.csv", "comparison.tex", "wald_tests.csv", "effects.csv",
             "models_summary.csv", "models_summary.tex"]
    return [out / n for n in names]
