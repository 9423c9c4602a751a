"""Simulation recovery: the pipeline keeps known coefficients, and the models' intervals cover.

Two kinds of simulation:

* THROUGH THE PIPELINE (``test_true_coefficients_lie_in_the_95_percent_intervals``): agency-year
  reports rendered as files, built and loaded (slow: one draw);
* ON MODEL FRAMES (the coverage tests): hundreds of draws of an agency-year panel with agency
  effects, province shocks and report-level over-dispersion (:func:`draw_frame`), fitted
  directly: rendering and parsing 300 draws of 1,240 reports is beyond a test's time, and the
  pipeline test above shows the frame it builds equals the drawn one.

Agency-year disclosure counts are drawn from a logit model of level and kind with KNOWN
coefficients; each agency-year is rendered as a real report file (tests/synth.py, real place
names in the title so metadata finds level and kind), table 3 built consistent with every
identity and with the drawn disclosed / handled counts. The reports go through the real pipeline
(``build_dataset`` on a folder, then ``load_model_frame``) and the binomial model's 95% intervals
must hold the true coefficients. ``benchmarks/bench_model_recovery.py`` repeats this many times
and reports the empirical coverage.
"""

from __future__ import annotations

import warnings
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from scipy import special

from govreports.build import build_dataset
from govreports.study import models
from govreports.synth import consistent_values, render, set_column_balance, set_row_totals
from govreports.template import SCHEMA, TABLE3_APPLICANT_COLUMNS
from govreports.template import model_terms as terms

TRUE = {"Intercept": 0.3, "level[T.prefecture]": -0.5, "level[T.province]": 0.4, "kind[T.department]": 0.6}

# Real agencies, six per level x kind; metadata extraction reads level and kind from the title.
AGENCIES = {
    ("county", "government"): ("湘阴县人民政府", "平江县人民政府", "华容县人民政府", "岳阳县人民政府", "浏阳市人民政府",
                               "宁乡市人民政府"),
    ("county", "department"): ("湘阴县教育局", "平江县卫生健康局", "华容县自然资源局", "岳阳县住房和城乡建设局",
                               "浏阳市市场监督管理局", "宁乡市公安局"),
    ("prefecture", "government"): ("岳阳市人民政府", "长沙市人民政府", "常德市人民政府", "株洲市人民政府", "湘潭市人民政府",
                                   "衡阳市人民政府"),
    ("prefecture", "department"): ("岳阳市教育局", "长沙市卫生健康委员会", "常德市自然资源和规划局", "株洲市生态环境局",
                                   "湘潭市财政局", "衡阳市交通运输局"),
    ("province", "government"): ("湖南省人民政府", "湖北省人民政府", "江西省人民政府", "广东省人民政府", "湖南省人民政府办公厅",
                                 "四川省人民政府"),
    ("province", "department"): ("湖南省教育厅", "湖北省卫生健康委员会", "江西省自然资源厅", "广东省生态环境厅", "四川省财政厅",
                                 "湖北省交通运输厅"),
}
YEARS = (2020, 2022)  # one report on each template (2019 template for 2020, 2021 template for 2022)
LAYOUTS = ("lines", "pipes", "tabs", "markdown", "spaces")
APPLICANT_SHARES = (0.82, 0.1, 0.02, 0.02, 0.02, 0.02)


def draw_reports(seed: int, agencies_per_cell: int = 4, years=YEARS, mean_handled: float = 25.0) -> list:
    """Draw agency-years: handled ~ 1 + Poisson(mean), disclosed ~ Binomial(handled, expit(x'b))."""
    rng = np.random.default_rng(seed)
    reports = []
    for (level, kind), names in AGENCIES.items():
        eta = TRUE["Intercept"] + TRUE.get(f"level[T.{level}]", 0.0) + TRUE.get(f"kind[T.{kind}]", 0.0)
        for name in names[:agencies_per_cell]:
            for year in years:
                handled = 1 + int(rng.poisson(mean_handled))
                disclosed = int(rng.binomial(handled, 1 / (1 + np.exp(-eta))))
                reports.append({"agency": name, "level": level, "kind": kind, "year": year, "handled": handled,
                                "disclosed": disclosed})
    return reports


def table3_values(disclosed: int, handled: int, template: str, rng) -> dict:
    """Table 3 with (七)总计 = handled and 予以公开 + 部分公开 = disclosed, every identity holding."""
    rows = [r.row_code for r in SCHEMA.rows(template, "table3")]
    outcomes = rows[rows.index("carried_over") + 1: rows.index("total_handled")]
    others = [r for r in outcomes if r not in ("granted", "partially_granted")]
    granted = int(rng.binomial(disclosed, 0.8))
    totals = dict(zip(others, rng.multinomial(handled - disclosed, np.full(len(others), 1 / len(others)))))
    totals.update(granted=granted, partially_granted=disclosed - granted)
    values = {}
    for row in outcomes:  # split each outcome row across the applicant columns
        for column, count in zip(TABLE3_APPLICANT_COLUMNS, rng.multinomial(totals[row], APPLICANT_SHARES)):
            values[f"table3.{row}.{column}"] = int(count)
    for column in TABLE3_APPLICANT_COLUMNS:
        total_handled = sum(values[f"table3.{row}.{column}"] for row in outcomes)
        forward = int(rng.integers(0, 3))
        carried_over = int(rng.integers(0, min(3, total_handled + forward) + 1))
        set_column_balance(values, column, total_handled, forward, carried_over)
    set_row_totals(values, template)
    return values


def write_corpus(reports: list, folder: Path, seed: int) -> None:
    """Render every drawn agency-year as a report file in ``folder`` (layouts in turn)."""
    rng = np.random.default_rng(seed + 10_000)
    folder.mkdir(parents=True, exist_ok=True)
    for index, report in enumerate(reports):
        template = "2019" if report["year"] < 2021 else "2021"
        values = consistent_values(template, seed=seed * 1000 + index)  # tables 2 and 4
        values.update(table3_values(report["disclosed"], report["handled"], template, rng))
        title = f"{report['agency']}{report['year']}年政府信息公开工作年度报告"
        text = render(values, LAYOUTS[index % len(LAYOUTS)], template, title=title)
        (folder / f"{index:04d}.txt").write_text(text, encoding="utf-8")


def recover(seed: int, workdir: Path, agencies_per_cell: int = 4, workers: int = 1):
    """Draw, render, build and load: return ``(drawn, frame)`` for one simulated corpus."""
    drawn = pd.DataFrame(draw_reports(seed, agencies_per_cell))
    write_corpus(drawn.to_dict("records"), workdir / "raw", seed)
    build_dataset(workdir / "raw", workdir / "processed", workers=workers)
    return drawn, models.load_model_frame(workdir / "processed")


def test_true_coefficients_lie_in_the_95_percent_intervals(tmp_path):
    drawn, frame = recover(seed=0, workdir=tmp_path)

    # The pipeline kept every report, as valid, with the drawn counts and the right metadata.
    assert len(frame) == len(drawn) == 48
    merged = frame.merge(drawn, on=["agency", "year"], suffixes=("", "_drawn"), validate="one_to_one")
    assert len(merged) == len(drawn)
    assert set(merged["status"]) == {"valid"}
    for column in ("level", "kind", "disclosed", "handled"):
        assert (merged[column] == merged[f"{column}_drawn"]).all(), column
    assert set(frame["template"]) == {"2019", "2021"}

    result = models.fit_disclosure(frame, covariates=["level", "kind"], clustering="agency", se="CR1")
    assert result.fitted and result.formula == "disclosed + I(handled - disclosed) ~ level + kind"
    assert result.n == 48 and result.n_clusters == 24
    table = result.table.set_index("term")
    assert list(table.index) == list(TRUE)
    for term, value in TRUE.items():
        assert table.loc[term, "ci_low"] <= value <= table.loc[term, "ci_high"], (term, value, table.loc[term])


# ----------------------------------------------------------------------------------------
# Coverage on model frames: agency effects, province shocks, over-dispersion

PROVINCES = [p for prefixes in terms.MACRO_REGION_PROVINCES.values() for p in prefixes]  # 31, by region
REGION_OF = {p: r for r, prefixes in terms.MACRO_REGION_PROVINCES.items() for p in prefixes}
PANEL_TRUE = {"Intercept": 0.2, "level[T.prefecture]": -0.5, "kind[T.department]": 0.4,
              "macro_region[T.central]": 0.3, "macro_region[T.west]": -0.3, "macro_region[T.northeast]": 0.2}
PANEL_YEARS = tuple(range(2019, 2024))
SCENARIOS = {  # logit-scale SDs of the random parts
    "agency heterogeneity": {"agency_sd": 0.5, "report_sd": 0.2},
    "province shocks": {"agency_sd": 0.3, "province_sd": 0.3, "province_year_sd": 0.1, "report_sd": 0.2},
}
RECOMMENDED = {"covariates": ["level", "kind", "macro_region", "year_fe"], "region": None}
COVERED_TERMS = [t for t in PANEL_TRUE if t != "Intercept"]


def _eta(level: str, kind: str, province: str) -> float:
    return (PANEL_TRUE["Intercept"] + PANEL_TRUE["level[T.prefecture]"] * (level == "prefecture")
            + PANEL_TRUE["kind[T.department]"] * (kind == "department")
            + PANEL_TRUE.get(f"macro_region[T.{REGION_OF[province]}]", 0.0))


def draw_frame(seed: int, agency_sd=0.0, province_sd=0.0, province_year_sd=0.0, report_sd=0.0,
               agencies: int = 8, mean_handled: float = 40.0) -> pd.DataFrame:
    """Draw a model frame: 31 provinces x ``agencies`` x 5 years, logit with random parts.

    ``logit p = x'b + a_agency + v_province + s_province,year + e_report``, each part normal with
    the given SD; handled = 1 + Poisson(size), size ~ Gamma(2, mean / 2) per agency.
    """
    rng = np.random.default_rng(seed)
    rows = []
    total_sd = float(np.sqrt(agency_sd**2 + province_sd**2 + province_year_sd**2 + report_sd**2))
    for province in PROVINCES:
        shock = rng.normal(0, province_sd)
        yearly = {year: rng.normal(0, province_year_sd) for year in PANEL_YEARS}
        for index in range(agencies):
            level, kind = ("county", "prefecture")[index % 2], ("government", "department")[(index // 2) % 2]
            effect, size = rng.normal(0, agency_sd), rng.gamma(2.0, mean_handled / 2)
            for year in PANEL_YEARS:
                eta = _eta(level, kind, province)
                handled = 1 + int(rng.poisson(size))
                p = special.expit(eta + effect + shock + yearly[year] + rng.normal(0, report_sd))
                rows.append({"report_id": f"{province}-{index}-{year}", "agency": f"{province}{index}",
                             "status": "valid", "template": "2019" if year < 2021 else "2021", "year": year,
                             "province": province, "level": level, "kind": kind, "new": handled,
                             "handled": handled, "disclosed": int(rng.binomial(handled, p)), "natural_person": handled,
                             "eta": eta, "total_sd": total_sd})
    return pd.DataFrame(rows)


def population_averaged_truth(result, frame: pd.DataFrame) -> pd.Series:
    """Return the GLM's estimand on this draw: the population-averaged (pseudo-true) coefficients.

    A logit GLM fitted to data with random effects estimates attenuated, population-averaged
    coefficients, not the generator's conditional ones: solve the GLM's score equations with each
    report's expected share E[expit(eta + N(0, total_sd^2))] (Gauss-Hermite) as the outcome.
    """
    import statsmodels.api as sm

    nodes, weights = np.polynomial.hermite.hermgauss(40)
    sd = frame["total_sd"].iloc[0]
    expected = special.expit(frame["eta"].to_numpy()[:, None] + np.sqrt(2) * sd * nodes) @ weights / np.sqrt(np.pi)
    expected = pd.Series(expected, index=frame["report_id"]).loc[result.data["report_id"]].to_numpy()
    fit = sm.GLM(expected, result.fit.model.exog, family=sm.families.Binomial(),
                 var_weights=result.data["handled"].to_numpy()).fit()
    return pd.Series(fit.params, index=result.fit.params.index)


def coverage_rows(seed: int, scenario: str, methods: dict) -> list:
    """Fit each method on one draw; return whether each 95% interval holds the PA truth."""
    frame = draw_frame(seed, **SCENARIOS[scenario])
    rows, truth = [], None
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        for method, options in methods.items():
            result = models.fit_disclosure(frame, **{**RECOMMENDED, **options})
            truth = population_averaged_truth(result, frame) if truth is None else truth
            table = result.table.set_index("term")
            for term in COVERED_TERMS:
                rows.append({"seed": seed, "scenario": scenario, "method": method, "term": term,
                             "covered": bool(table.loc[term, "ci_low"] <= truth[term] <= table.loc[term, "ci_high"]),
                             "width": table.loc[term, "ci_high"] - table.loc[term, "ci_low"]})
    return rows


def coverage(draws: int, scenario: str, methods: dict, first_seed: int = 0) -> pd.DataFrame:
    """Return the per-draw coverage rows of ``draws`` seeded draws of a scenario."""
    return pd.DataFrame([row for seed in range(first_seed, first_seed + draws)
                         for row in coverage_rows(seed, scenario, methods)])


METHODS = {"recommended": {}, "quasibinomial": {"dispersion": "quasi"},
           "agency_cr1": {"clustering": "agency", "se": "CR1"}}


def test_the_generator_has_agency_and_province_effects():
    frame = draw_frame(0, **SCENARIOS["province shocks"])
    assert len(frame) == 31 * 8 * 5 and frame["province"].nunique() == 31
    share = frame["disclosed"] / frame["handled"]
    by_agency = share.groupby(frame["agency"]).mean()
    by_province = share.groupby(frame["province"]).mean()
    assert by_agency.std() > 0.05 and by_province.std() > 0.03  # heterogeneity the methods must handle
    result = models.fit_disclosure(frame, **RECOMMENDED)
    assert result.extra["clustering"] == "province" and result.extra["clusters"] == 31 and result.extra["se_type"] == "CR3"


def test_recommended_model_covers_and_quasibinomial_does_not_quick():
    rows = coverage(12, "province shocks", METHODS, first_seed=500)
    by_method = rows.groupby("method")["covered"].mean()
    assert by_method["recommended"] >= 0.88, by_method
    assert by_method["quasibinomial"] <= 0.75, by_method
    regional = rows[rows["term"].str.startswith("macro_region")].groupby("method")["covered"].mean()
    assert regional["agency_cr1"] < regional["recommended"], regional  # province shocks need province clusters


@pytest.mark.slow
@pytest.mark.parametrize("scenario", list(SCENARIOS))
def test_recommended_model_intervals_cover_95_percent(scenario):
    rows = coverage(150, scenario, {"recommended": {}})
    pooled = rows["covered"].mean()
    assert 0.93 <= pooled <= 0.97, (scenario, pooled, rows.groupby("term")["covered"].mean())
    assert (rows.groupby("term")["covered"].mean() >= 0.88).all(), rows.groupby("term")["covered"].mean()


# ----------------------------------------------------------------------------------------
# The GLMM: province SD recovered; a collapsed fit is degenerate

GLMM_COVARIATES = ["level", "kind", "macro_region"]


def glmm_draws(province_sd: float, draws: int, first_seed: int = 100) -> list:
    """Fit the province random-intercept GLMM on ``draws`` draws with only a province effect."""
    out = []
    for seed in range(first_seed, first_seed + draws):
        result = models.fit_disclosure_mixed(draw_frame(seed, province_sd=province_sd), covariates=GLMM_COVARIATES)
        out.append(result)
    return out


@pytest.mark.parametrize("province_sd", [0.1, 0.5])
def test_glmm_recovers_the_province_sd_quick(province_sd):
    results = glmm_draws(province_sd, 4)
    assert all(r.status == "fitted" for r in results)
    inside = [r.extra["sigma_ci"][0] <= province_sd <= r.extra["sigma_ci"][1] for r in results]
    assert sum(inside) >= 3, [(r.extra["sigma"], r.extra["sigma_ci"]) for r in results]


@pytest.mark.slow
@pytest.mark.parametrize("province_sd", [0.1, 0.5])
def test_glmm_recovers_the_province_sd_in_most_draws(province_sd):
    results = glmm_draws(province_sd, 20)
    inside = [r.status == "fitted" and r.extra["sigma_ci"][0] <= province_sd <= r.extra["sigma_ci"][1] for r in results]
    assert sum(inside) >= 16, [(r.status, r.extra["sigma"], r.extra["sigma_ci"]) for r in results]
    estimates = np.array([r.extra["sigma"] for r in results])
    assert abs(np.median(estimates) - province_sd) < 0.3 * province_sd


def test_a_collapsed_glmm_is_reported_as_degenerate():
    results = glmm_draws(0.0, 6)  # no province effect at all: sigma runs to its boundary in some draws
    collapsed = [r for r in results if r.extra["sigma"] < 1e-3]
    assert collapsed, [r.extra["sigma"] for r in results]
    assert all(r.status == "degenerate" and any(n.startswith("DEGENERATE: sigma") for n in r.notes) for r in collapsed)
    assert all(r.extra["lr_p"] > 0.05 for r in results)  # and the LR test finds no province variance
