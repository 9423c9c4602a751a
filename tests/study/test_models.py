"""Statistical models (govreports.study.models): each equals a direct statsmodels fit, and fails clearly."""

import ast
import inspect
import re
import warnings

import matplotlib
import numpy as np
import pandas as pd
import pytest
import statsmodels.api as sm
import statsmodels.formula.api as smf

from govreports.study import models

matplotlib.use("Agg")

PROVINCES = ["湖南省"] * 4 + ["湖北省", "广东省", "吉林省"]  # Hunan most common: the reference
LEVELS = ("county", "prefecture", "province")
RATE_FORMULA = "{s} + I(handled - {s}) ~ level + kind + province + year_fe + log_applications + natural_person_share"
COUNT_RHS = "level + kind + province + year_fe + natural_person_share"
CR1_AGENCY = {"clustering": "agency", "se": "CR1"}  # statsmodels' own clustered errors


def make_frame(seed=7, agencies=42, years=range(2019, 2024), agency_sd=0.8, kind_effect=0.4):
    """A fixed agency-year panel: disclosure logit by level and kind plus an agency effect."""
    rng = np.random.default_rng(seed)
    rows = []
    for a in range(agencies):
        level, kind = LEVELS[a % 3], ("government", "department")[(a // 3) % 2]
        province, effect = PROVINCES[a % len(PROVINCES)], rng.normal(0, agency_sd)
        size = rng.gamma(2.0, 15.0)
        for year in years:
            new = int(rng.poisson(size)) + 1
            handled = new
            eta = 0.3 - 0.5 * (level == "prefecture") + 0.4 * (level == "province") + kind_effect * (kind == "department") + effect
            disclosed = int(rng.binomial(handled, 1 / (1 + np.exp(-eta))))
            not_held = int(rng.binomial(handled - disclosed, 0.35))
            not_processed = int(rng.binomial(handled - disclosed - not_held, 0.3))
            rows.append({
                "report_id": f"r{a:02d}{year}", "agency": f"agency{a:02d}", "status": "valid",
                "template": "2019" if year < 2021 else "2021", "year": year, "province": province, "level": level,
                "kind": kind, "new": new, "handled": handled, "disclosed": disclosed, "not_held": not_held,
                "not_processed": not_processed, "natural_person": int(rng.binomial(new, 0.85)),
                "reconsideration": int(rng.negative_binomial(2, 2 / (2 + 0.06 * new))),
                "litigation": int(rng.poisson(0.03 * new)),
            })
    return pd.DataFrame(rows)


@pytest.fixture(scope="module")
def frame():
    return make_frame()


def direct_data(frame, denominator="handled"):
    """The model sample as a reader would build it by hand from the docstrings."""
    data = frame[frame[denominator] > 0].copy().reset_index(drop=True)
    data["years_since_2021"] = data["year"] - 2021
    data["log_applications"] = np.log1p(data["new"])
    data["natural_person_share"] = data["natural_person"] / data["new"]
    data["level"] = pd.Categorical(data["level"], categories=["county", "prefecture", "province"])
    data["kind"] = pd.Categorical(data["kind"], categories=["government", "department"])
    data["template"] = pd.Categorical(data["template"], categories=["2019", "2021"])
    data["year_fe"] = pd.Categorical(data["year"].astype(int).astype(str), categories=sorted(set(data["year"].astype(int).astype(str))))
    data["province"] = pd.Categorical(data["province"], categories=["湖南省", "吉林省", "广东省", "湖北省"])
    return data


def clusters(data):
    return {"cov_type": "cluster", "cov_kwds": {"groups": pd.factorize(data["agency"])[0]}, "use_t": True}


def assert_same(result, direct):
    """Estimates, standard errors, 95% intervals and p-values equal the direct fit's."""
    assert result.fitted, result.message
    table = result.table
    assert list(table["term"]) == list(direct.params.index)
    interval = direct.conf_int(alpha=0.05)
    for column, expected in (("estimate", direct.params), ("std_error", direct.bse), ("ci_low", interval[0]),
                             ("ci_high", interval[1]), ("p_value", direct.pvalues)):
        np.testing.assert_allclose(table[column], np.asarray(expected), rtol=0, atol=1e-8, err_msg=column)


# ----------------------------------------------------------------------------------------
# Each model equals a direct statsmodels fit of the same formula


@pytest.mark.parametrize("outcome, successes", [("disclosure", "disclosed"), ("not_held", "not_held"),
                                                ("not_processed", "not_processed")])
def test_binomial_models_equal_direct_fits(frame, outcome, successes):
    data = direct_data(frame)
    formula = RATE_FORMULA.format(s=successes)
    clustered = smf.glm(formula, data, family=sm.families.Binomial()).fit(**clusters(data))
    # statsmodels' scale="X2" ignores n_trials of a two-column response: the quasi model is fitted
    # as a proportion with var_weights (the same likelihood), whose Pearson scale is right.
    quasi_formula = f"I({successes} / handled) ~ " + formula.split(" ~ ")[1]
    quasi = smf.glm(quasi_formula, data, family=sm.families.Binomial(), var_weights=data["handled"]).fit(scale="X2")

    result = models.fit_rate(frame, outcome, **CR1_AGENCY)
    assert result.formula == formula and result.name == f"{outcome}_binomial"
    assert_same(result, clustered)
    assert result.n == len(data) and result.n_clusters == data["agency"].nunique()

    result = models.fit_rate(frame, outcome, dispersion="quasi")
    assert "IGNORES CLUSTERING" in result.description
    assert result.name == f"{outcome}_quasibinomial" and result.formula == quasi_formula
    assert_same(result, quasi)
    scale = clustered.pearson_chi2 / clustered.df_resid
    assert result.extra["scale"] == pytest.approx(scale, rel=1e-10)
    naive = smf.glm(formula, data, family=sm.families.Binomial()).fit()
    np.testing.assert_allclose(result.table["estimate"], naive.params, rtol=0, atol=1e-8)
    # Same likelihood in two parametrisations: IRLS stops at slightly different points.
    np.testing.assert_allclose(result.table["std_error"], naive.bse * np.sqrt(scale), rtol=1e-5)


def test_volume_negative_binomial_equals_direct_fit(frame):
    data = direct_data(frame, "new")
    formula = "new ~ level + kind + province + year_fe"
    alpha = smf.negativebinomial(formula, data, loglike_method="nb2").fit(disp=0, maxiter=500).params["alpha"]
    direct = smf.glm(formula, data, family=sm.families.NegativeBinomial(alpha=alpha)).fit(**clusters(data))
    result = models.fit_volume(frame, **CR1_AGENCY)
    assert result.formula == formula and result.offset is None
    assert result.extra["alpha"] == pytest.approx(alpha, abs=1e-10)
    assert_same(result, direct)


@pytest.mark.parametrize("outcome", ["reconsideration", "litigation"])
@pytest.mark.parametrize("family", ["poisson", "negbin"])
@pytest.mark.filterwarnings("ignore::statsmodels.tools.sm_exceptions.ConvergenceWarning")  # litigation: alpha -> 0
def test_count_models_with_offset_equal_direct_fits(frame, outcome, family):
    data = direct_data(frame, "new")
    formula = f"{outcome} ~ {COUNT_RHS}"
    offset = np.log(data["new"])
    if family == "negbin":
        alpha = smf.negativebinomial(formula, data, offset=offset, loglike_method="nb2").fit(disp=0, maxiter=500).params["alpha"]
        glm_family = sm.families.NegativeBinomial(alpha=max(alpha, 1e-8))
    else:
        glm_family = sm.families.Poisson()
    direct = smf.glm(formula, data, family=glm_family, offset=offset).fit(**clusters(data))
    result = models.fit_count(frame, outcome, family, **CR1_AGENCY)
    assert result.formula == formula and result.offset == "log_new"
    assert_same(result, direct)
    assert set(result.table["ratio_type"]) == {"rate ratio"}


def test_glmm_likelihood_equals_numerical_integration():
    from scipy import integrate

    from govreports.study.models import mixed

    rng = np.random.default_rng(1)
    n = rng.integers(1, 50, 30)
    X, groups = np.c_[np.ones(30), rng.normal(size=30)], np.repeat(np.arange(6), 5)
    y = rng.binomial(n, 0.4)
    beta, sigma = np.array([-0.3, 0.2]), 0.7
    total = mixed.prepare(y, n, X, groups)["constant"]
    for group in range(6):
        m = groups == group
        eta = X[m] @ beta

        def density(u, m=m, eta=eta):
            return np.exp(np.sum(y[m] * (eta + u) - n[m] * np.logaddexp(0, eta + u))) * np.exp(-0.5 * (u / sigma) ** 2) / (
                sigma * np.sqrt(2 * np.pi))

        total += np.log(integrate.quad(density, -10, 10, epsabs=0, epsrel=1e-12, limit=200)[0])
    assert mixed.marginal_loglik(beta, np.log(sigma), mixed.prepare(y, n, X, groups)) == pytest.approx(total, abs=1e-8)


def test_mixed_model_recovers_the_agency_sd_and_says_conditional(frame):
    result = models.fit_disclosure_mixed(frame, group="agency")  # the generator's agency SD is 0.8
    assert result.status == "fitted" and "CONDITIONAL" in result.description
    low, high = result.extra["sigma_ci"]
    assert low < 0.8 < high and result.extra["sigma"] == pytest.approx(0.8, abs=0.15)
    assert result.extra["lr_p"] < 1e-6  # sigma = 0 rejected against the GLM
    table = result.table.set_index("term")
    assert table.loc["sd(agency)", "ratio"] == pytest.approx(result.extra["sigma"])
    assert set(table["ratio_type"]) == {"odds ratio (conditional)", "standard deviation"}
    # Conditional coefficients are larger than the population-averaged GLM's.
    glm = models.fit_disclosure(frame).table.set_index("term")
    assert abs(table.loc["level[T.prefecture]", "estimate"]) > abs(glm.loc["level[T.prefecture]", "estimate"])


def test_mixed_model_without_group_variation_is_degenerate_not_fitted():
    frame = make_frame(seed=11, agencies=60, agency_sd=0.0)  # no agency or province effect at all
    result = models.fit_disclosure_mixed(frame, group="province", covariates=["level", "kind"])
    assert result.fitted and result.status == "degenerate"
    assert any(note.startswith("DEGENERATE: sigma") for note in result.notes), result.notes
    assert models.summary_table({"m": result}).loc[0, "status"] == "degenerate"
    assert models.plot_coefficients({"disclosure_mixed": result}) is None  # never drawn as a fit


def test_tidy_table_columns_and_ratios(frame):
    from scipy import stats

    table = models.fit_disclosure(frame).table  # 4 provinces: clustered by agency, CR3
    assert tuple(table.columns) == models.TABLE_COLUMNS
    np.testing.assert_allclose(table["ratio"], np.exp(table["estimate"]))
    np.testing.assert_allclose(table["ratio_ci_low"], np.exp(table["ci_low"]))
    # Clustered intervals: t with (agencies - 1) degrees of freedom.
    t = stats.t.ppf(0.975, frame["agency"].nunique() - 1)
    np.testing.assert_allclose(table["ci_high"], table["estimate"] + t * table["std_error"])
    assert (table["n"] == len(frame)).all() and set(table["ratio_type"]) == {"odds ratio"}
    quasi = models.fit_disclosure(frame, dispersion="quasi").table  # model-based: normal intervals
    np.testing.assert_allclose(quasi["ci_high"], quasi["estimate"] + 1.959963984540054 * quasi["std_error"])


# ----------------------------------------------------------------------------------------
# Clustering


def test_clustered_standard_errors_differ_where_agencies_repeat(frame):
    clustered = models.fit_disclosure(frame, covariates=["level", "kind"], **CR1_AGENCY).table.set_index("term")
    data = direct_data(frame)
    naive = smf.glm("disclosed + I(handled - disclosed) ~ level + kind", data, family=sm.families.Binomial()).fit()
    ratio = clustered["std_error"] / naive.bse
    # An agency effect makes reports of one agency alike: naive errors are far too small.
    assert (ratio > 2).all(), ratio


def test_clustered_close_to_naive_without_agency_effects():
    frame = make_frame(seed=3, agencies=300, years=[2022], agency_sd=0.0)  # one report per agency
    clustered = models.fit_disclosure(frame, covariates=["level", "kind"]).table.set_index("term")
    data = direct_data(frame)
    naive = smf.glm("disclosed + I(handled - disclosed) ~ level + kind", data, family=sm.families.Binomial()).fit()
    ratio = clustered["std_error"] / naive.bse
    assert ((ratio > 0.75) & (ratio < 1.33)).all(), ratio


# ----------------------------------------------------------------------------------------
# Data that cannot identify a model: a clear message, never an exception


def test_covariate_with_one_value_is_dropped_and_named(frame):
    one_kind = frame.assign(kind="department")
    result = models.fit_disclosure(one_kind)
    assert result.fitted
    assert result.dropped_covariates == {"kind": "kind has one value: department"}
    assert "kind" not in result.formula and "kind has one value: department" in result.message


def test_too_few_reports_skips_with_the_count(frame):
    result = models.fit_disclosure(frame.head(6))
    assert not result.fitted and result.table is None
    assert result.skipped == "too few reports: 6 usable, at least 10 needed"
    assert "disclosure_binomial skipped: too few reports" in result.message


def test_singular_design_drops_the_collinear_covariate():
    frame = make_frame(years=[2020, 2021])  # template 2019 exactly in 2020: a step in the year
    result = models.fit_disclosure(frame, covariates=["level", "kind", "year_fe", "template"])
    assert result.fitted
    assert result.dropped_covariates["template"] == "the design is singular: template is collinear with year_fe"
    assert "template" not in result.covariates


def test_outcome_without_variation_skips():
    frame = make_frame().assign(litigation=0)
    result = models.fit_count(frame, "litigation", "poisson")
    assert not result.fitted
    assert result.skipped == f"litigation is 0 in every report ({len(frame)} reports): the outcome does not vary"


def test_separation_drops_the_separating_covariate(frame):
    separated = frame.copy()
    separated.loc[separated["kind"] == "department", "not_processed"] = 0
    result = models.fit_not_processed(separated)
    assert result.fitted and "kind" not in result.covariates
    assert result.dropped_covariates["kind"] == (
        "separation, an estimate would be infinite: not_processed is 0 wherever kind = department")


def test_a_dropped_province_falls_back_to_macro_regions_which_are_checked_too(frame):
    assert "province" in models.fit_not_processed(frame).covariates  # every province has 10+ reports
    hubei = frame.copy()
    hubei.loc[hubei["province"] == "湖北省", "not_processed"] = 0
    result = models.fit_not_processed(hubei)
    assert result.dropped_covariates == {
        "province": "separation, an estimate would be infinite: not_processed is 0 wherever province = 湖北省"}
    assert "macro_region" in result.covariates and "macro_region[T.central]" in set(result.table["term"])  # east: reference
    jilin = frame.copy()
    jilin.loc[jilin["province"] == "吉林省", "not_processed"] = 0  # the only northeastern province
    result = models.fit_not_processed(jilin)
    assert result.fitted and result.dropped_covariates["macro_region"] == (
        "separation, an estimate would be infinite: not_processed is 0 wherever macro_region = northeast")
    hong_kong = frame.copy()
    hong_kong.loc[:9, "province"] = "香港特别行政区"  # a province with no macro-region
    hong_kong.loc[hong_kong["province"] == "湖北省", "not_processed"] = 0
    result = models.fit_not_processed(hong_kong)
    assert result.fitted and result.dropped_reports == {"missing macro_region": 10}


def test_few_provinces_use_macro_regions_and_mixed_model_needs_two(frame):
    hunan = frame.assign(province="湖南省")
    result = models.fit_disclosure(hunan)
    assert "macro_region" in result.dropped_covariates  # all central
    assert any(note.startswith("region: macro_region") for note in result.notes)
    mixed = models.fit_disclosure_mixed(hunan)
    assert not mixed.fitted
    assert mixed.skipped == "province has one value: 湖南省 (a random intercept needs at least 2 groups)"


def test_missing_covariate_rows_dropped_and_counted(frame):
    gaps = frame.copy()
    gaps.loc[:4, "level"] = None
    result = models.fit_disclosure(gaps)
    assert result.dropped_reports == {"missing level": 5}
    gaps["level"] = None
    result = models.fit_disclosure(gaps)
    assert result.dropped_covariates["level"] == "level is missing for every report"


def test_fit_all_never_raises(frame):
    for odd in (frame.iloc[0:0], frame.drop(columns="litigation"), frame.head(3)):
        results = models.fit_all(odd)
        assert list(results) == list(models.fit_all(frame, mixed=True))
        summary = models.summary_table(results)
        assert (summary.loc[summary["status"] == "skipped", "message"].str.len() > 0).all()
    broken = models.fit_all(frame.drop(columns="litigation"))
    assert broken["litigation_poisson"].skipped.startswith("too few reports: 0 usable")
    assert broken["litigation_poisson"].dropped_reports == {"missing litigation or new": len(frame)}
    assert broken["disclosure_binomial"].fitted


# ----------------------------------------------------------------------------------------
# Zero denominators


def test_zero_denominators_are_dropped_and_counted(frame):
    zeros = frame.copy()
    rows = zeros.index[:7]
    zeros.loc[rows, ["new", "handled", "disclosed", "not_held", "not_processed", "natural_person"]] = 0
    result = models.fit_disclosure(zeros, **CR1_AGENCY)
    assert result.dropped_reports == {"zero denominator (handled = 0)": 7}
    assert result.n == len(frame) - 7 and (result.table["n"] == len(frame) - 7).all()
    counts = models.fit_count(zeros, "reconsideration", "poisson")
    assert counts.dropped_reports == {"zero denominator (new = 0)": 7}
    volume = models.fit_volume(zeros)
    assert volume.dropped_reports == {} and volume.n == len(frame)  # no denominator
    summary = models.summary_table({"a": result, "b": counts, "c": volume}).set_index("model")
    assert summary["zero_denominator"].to_dict() == {"a": 7, "b": 7, "c": 0}
    direct = smf.glm(RATE_FORMULA.format(s="disclosed"), direct_data(zeros), family=sm.families.Binomial()).fit(
        **clusters(direct_data(zeros)))
    assert_same(result, direct)


def test_inconsistent_counts_are_dropped(frame):
    odd = frame.copy()
    odd.loc[0, "disclosed"] = odd.loc[0, "handled"] + 1
    assert models.fit_disclosure(odd).dropped_reports == {"disclosed > handled or negative (inconsistent counts)": 1}


# ----------------------------------------------------------------------------------------
# The frame from the processed tables


def processed_tables():
    def report(rid, status, agency, year, level="county", kind="government"):
        return {"report_id": rid, "source": f"{rid}.txt", "status": status, "template": "2021", "year": year,
                "agency": agency, "province": "湖南省", "prefecture": None, "county": None, "adcode": None,
                "level": level, "kind": kind}

    reports = pd.DataFrame([report("a", "valid", "x", 2022), report("b", "repaired", "y", 2022),
                            report("c", "invalid", "z", 2022), report("d", "failed", "w", 2022),
                            report("e", "valid", "x", 2021), report("f", "invalid", "x", 2022)])
    cells = []
    for rid, granted in zip("abcdef", (5, 6, 7, 8, 9, 10)):
        values = {"table3.granted.total": granted, "table3.partially_granted.total": 1,
                  "table3.unavailable_not_held.total": 2, "table3.total_handled.total": granted + 3,
                  "table3.new_received.total": granted + 3, "table3.new_received.natural_person": 4,
                  "table4.reconsideration.total": 1, "table4.litigation_direct.total": 0,
                  "table4.litigation_after_reconsideration.total": 2}
        cells += [{"report_id": rid, "code": code, "value": value} for code, value in values.items()]
    return reports, pd.DataFrame(cells)


def test_build_model_frame_filters_status_years_and_duplicates():
    reports, cells = processed_tables()
    frame = models.build_model_frame(reports, cells).set_index("report_id")
    assert sorted(frame.index) == ["a", "b", "e"]
    assert frame.loc["a", ["disclosed", "handled", "new", "not_held", "reconsideration", "litigation"]].tolist() == [
        6, 8, 8, 2, 1, 2]
    assert frame.loc["a", "natural_person_share"] == pytest.approx(0.5)
    assert frame.loc["a", "macro_region"] == "central" and frame.loc["a", "years_since_2021"] == 1
    sensitivity = models.build_model_frame(reports, cells, sensitivity=True)
    assert sorted(sensitivity["report_id"]) == ["a", "b", "c", "e"]  # f: agency x already has a valid 2022 report
    assert sensitivity.attrs["excluded"] == {"status not in valid/repaired/invalid": 1, "duplicate agency-year": 1}
    assert sorted(models.build_model_frame(reports, cells, years=(2022, None))["report_id"]) == ["a", "b"]
    assert list(models.build_model_frame(reports, cells, years=[2021])["report_id"]) == ["e"]


def test_load_model_frame_reads_a_processed_folder(tmp_path):
    reports, cells = processed_tables()
    reports.to_csv(tmp_path / "reports.csv", index=False)
    cells.to_csv(tmp_path / "cells.csv", index=False)
    assert sorted(models.load_model_frame(tmp_path)["report_id"]) == ["a", "b", "e"]
    with pytest.raises(FileNotFoundError, match="govreports build"):
        models.load_model_frame(tmp_path / "missing")


def test_macro_regions():
    assert [models.macro_region(p) for p in ("广东省", "内蒙古自治区", "黑龙江省", "河南省", None, "香港特别行政区")] == [
        "east", "west", "northeast", "central", None, None]


# ----------------------------------------------------------------------------------------
# Outputs


def test_predicted_rates_are_averaged_over_the_sample(frame):
    result = models.fit_disclosure(frame)
    rates = models.predicted_rates(result)
    assert len(rates) == 6 and list(rates.columns[:2]) == ["level", "kind"]
    assert ((rates["ci_low"] < rates["rate"]) & (rates["rate"] < rates["ci_high"])).all()
    assert rates["reports"].sum() == len(frame)
    data = result.data.copy()  # every report set to county government, others as observed, averaged
    data["level"] = pd.Categorical(["county"] * len(data), categories=data["level"].cat.categories)
    data["kind"] = pd.Categorical(["government"] * len(data), categories=data["kind"].cat.categories)
    county_government = rates[(rates["level"] == "county") & (rates["kind"] == "government")]["rate"].iloc[0]
    assert county_government == pytest.approx(result.fit.predict(data).mean(), abs=1e-10)
    assert models.predicted_rates(models.fit_disclosure(frame.head(3))).empty


def test_average_marginal_effects_with_delta_method_intervals(frame):
    result = models.fit_disclosure(frame, covariates=["level", "kind", "log_applications"])
    effects = models.average_marginal_effects(result).set_index(["covariate", "value"])
    predictions = models.average_predictions(result).set_index(["covariate", "value"])
    prefecture = effects.loc[("level", "prefecture")]
    assert prefecture["estimate"] == pytest.approx(
        predictions.loc[("level", "prefecture"), "estimate"] - predictions.loc[("level", "county"), "estimate"])
    # The delta-method SE equals one computed by hand: gradient of the averaged contrast.
    beta, covariance = result.fit.params.to_numpy(), result.extra["vcov"]

    def contrast(b):
        data = result.data
        out = []
        for level in ("prefecture", "county"):
            x = data.assign(level=pd.Categorical([level] * len(data), categories=data["level"].cat.categories))
            dummies = pd.get_dummies(x[["level", "kind"]], drop_first=True).astype(float)
            design = np.column_stack([np.ones(len(x)), dummies, x["log_applications"]])
            out.append(np.mean(1 / (1 + np.exp(-design @ b))))
        return out[0] - out[1]

    gradient = np.array([(contrast(beta + e) - contrast(beta - e)) / 2e-6 for e in np.eye(len(beta)) * 1e-6])
    assert prefecture["std_error"] == pytest.approx(float(np.sqrt(gradient @ covariance @ gradient)), rel=1e-4)
    slope = effects.loc[("log_applications", "dy/dx")]
    p = result.fit.predict(result.data)
    assert slope["estimate"] == pytest.approx(np.mean(p * (1 - p)) * result.fit.params["log_applications"], rel=1e-5)
    assert set(effects["scale"]) == {"probability (population-averaged)"}


def test_write_tables_csv_and_latex(frame, tmp_path):
    results = {"disclosure_binomial": models.fit_disclosure(frame),
               "disclosure_mixed": models.fit_disclosure_mixed(frame.head(3))}
    paths = models.write_tables(results, tmp_path / "tables")
    names = sorted(p.name for p in paths)
    assert names == ["coefficients.csv", "comparison.csv", "comparison.tex", "disclosure_binomial.csv",
                     "disclosure_binomial.tex", "effects.csv", "models_summary.csv", "models_summary.tex",
                     "wald_tests.csv"]
    table = pd.read_csv(tmp_path / "tables" / "disclosure_binomial.csv")
    np.testing.assert_allclose(table["estimate"], results["disclosure_binomial"].table["estimate"])
    tex = (tmp_path / "tables" / "disclosure_binomial.tex").read_text(encoding="utf-8")
    assert r"\begin{tabular}" in tex and "Applications ln(1+new)" in tex and r"\textasciitilde{}" in tex
    assert "Dataset unknown; govreports " in tex and set(table["dataset_version"]) == {"unknown"}
    from govreports import __version__

    assert set(table["govreports_version"]) == {__version__} and f"govreports {__version__}" in tex
    assert "~" not in tex.replace(r"\textasciitilde{}", "")
    summary = pd.read_csv(tmp_path / "tables" / "models_summary.csv").set_index("model")
    assert summary.loc["disclosure_mixed", "status"] == "skipped"
    assert summary.loc["disclosure_mixed", "message"].startswith("too few reports: 3 usable")


def test_plots_render_chinese_without_missing_glyphs(frame, tmp_path):
    from matplotlib import font_manager, rcParams

    results = models.fit_all(frame)
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        figures = [models.plot_coefficients(results, names=["disclosure_binomial", "disclosure_mixed_agency"]),
                   models.plot_coefficients(results, names=["volume_negbin", "reconsideration_negbin"]),
                   models.plot_predicted_rates(models.predicted_rates(results["disclosure_binomial"]))]
        for index, figure in enumerate(figures):
            figure.savefig(tmp_path / f"figure{index}.png", dpi=60)
    glyphs = [str(w.message) for w in caught if "missing from" in str(w.message) or "Glyph" in str(w.message)]
    assert glyphs == []
    labels = [t.get_text() for t in figures[0].axes[0].get_yticklabels()]
    assert "行政级别: 地市级 / Level: prefectural" in labels and "机关类型: 部门 / Agency type: department" in labels
    legend = [t.get_text() for t in figures[0].axes[0].get_legend().get_texts()]
    assert any("总体平均" in t for t in legend) and any("条件" in t for t in legend)  # GLM vs GLMM said
    font = font_manager.findfont(font_manager.FontProperties(family=rcParams["font.sans-serif"][0]),
                                 fallback_to_default=False)
    assert "CJK" in font


def test_term_labels():
    assert models.term_label("level[T.province]") == "行政级别: 省级"
    assert models.term_label("macro_region[T.west]") == "地区: 西部"
    assert models.term_label("province[T.湖北省]") == "省份: 湖北省"
    assert models.term_label("natural_person_share") == "自然人申请占比"
    assert models.term_label("year_fe[T.2022]", "en") == "Year: 2022"
    assert models.term_label("level[T.province]", "both") == "行政级别: 省级 / Level: provincial"


# ----------------------------------------------------------------------------------------
# Code conventions


def test_public_functions_document_model_unit_and_formula():
    fits = [models.fit_rate, models.fit_disclosure, models.fit_not_held, models.fit_not_processed, models.fit_volume,
            models.fit_count, models.fit_disclosure_mixed, models.fit_all]
    for function in fits:
        doc = inspect.getdoc(function)
        assert "Unit:" in doc and "~" in doc, function.__name__
    for name in models.__all__:
        assert inspect.getdoc(getattr(models, name)), name


def test_no_chinese_literal_in_models_code():
    from pathlib import Path

    han = re.compile(r"[\u4e00-\u9fff]")
    for path in sorted(Path(inspect.getsourcefile(models)).parent.glob("*.py")):
        tree = ast.parse(path.read_text(encoding="utf-8"))
        docstrings = {id(node.body[0].value) for node in ast.walk(tree)
                      if isinstance(node, (ast.Module, ast.FunctionDef, ast.ClassDef)) and node.body
                      and isinstance(node.body[0], ast.Expr) and isinstance(node.body[0].value, ast.Constant)}
        assert [n.lineno for n in ast.walk(tree) if isinstance(n, ast.Constant) and isinstance(n.value, str)
                and id(n) not in docstrings and han.search(n.value)] == [], path.name


def test_the_package_keeps_modules_small_and_matplotlib_in_plots():
    from pathlib import Path

    folder = Path(inspect.getsourcefile(models)).parent
    for path in folder.glob("*.py"):
        text = path.read_text(encoding="utf-8")
        assert len(text.splitlines()) <= 600, path.name
        assert ("matplotlib" in text.replace("matplotlib.pyplot as plt", "")) == (path.name == "plots.py") or \
            "import matplotlib" not in text, path.name


# ----------------------------------------------------------------------------------------
# The agency key (shared with metrics)


def test_same_named_townships_in_different_provinces_stay_apart():
    from govreports.study import metrics

    def report(rid, adcode, province, year, status="valid"):
        return {"report_id": rid, "source": f"{rid}.txt", "status": status, "template": "2021", "year": year,
                "agency": "东塘镇人民政府", "province": province, "prefecture": None, "county": None,
                "adcode": adcode, "level": "township", "kind": "government"}

    reports = pd.DataFrame([report("a", "430100", "湖南省", 2022), report("b", "360100", "江西省", 2022),
                            report("c", "430100", "湖南省", 2021), report("d", "360100", "江西省", 2021),
                            report("e", "430100", "湖南省", 2022, "repaired")])  # e: a true duplicate of a
    cells = pd.DataFrame([{"report_id": r, "code": "table3.new_received.total", "value": v}
                          for r, v in zip("abcde", (10, 20, 5, 8, 11))])
    frame = models.build_model_frame(reports, cells)
    assert sorted(frame["report_id"]) == ["a", "b", "c", "d"]
    assert frame.attrs["excluded"] == {"duplicate agency-year": 1}
    assert frame.groupby("cluster")["report_id"].apply(sorted).to_dict() == {
        "东塘镇人民政府|360100": ["b", "d"], "东塘镇人民政府|430100": ["a", "c"]}
    # metrics matches on the same key, defined once.
    assert list(metrics.agency_key(reports)) == list(frame.set_index("report_id").loc[list("abcd"), "cluster"]) + [
        "东塘镇人民政府|430100"]
    indicators = metrics.report_indicators(reports.iloc[:4], cells)
    change = metrics.matched_change(indicators, 2022)
    assert sorted(zip(change["adcode"], change["change"])) == [("360100", 12.0), ("430100", 5.0)]
    # Without an adcode the province separates them; an agency_id column wins when present.
    no_code = reports.assign(adcode=None)
    assert metrics.agency_key(no_code).nunique() == 2
    assert list(metrics.agency_key(reports.assign(agency_id=["x", "y", "x", "y", "x"]))) == ["x", "y", "x", "y", "x"]


# ----------------------------------------------------------------------------------------
# Inference: clustering, small-G correction, joint tests, multiplicity


def test_cr3_is_the_cluster_jackknife(frame):
    result = models.fit_disclosure(frame, covariates=["level", "kind"], clustering="agency", se="CR3")
    data = result.data
    deltas = []
    for agency in data["cluster"].unique():  # exact leave-one-agency-out refits
        rest = data[data["cluster"] != agency]
        deltas.append(smf.glm(result.formula, rest, family=sm.families.Binomial()).fit().params - result.fit.params)
    deltas = np.array(deltas)
    groups = len(deltas)
    exact = np.sqrt(np.diag((groups - 1) / groups * deltas.T @ deltas))
    np.testing.assert_allclose(result.table["std_error"], exact, rtol=0.03)  # one Newton step per cluster
    cr1 = models.fit_disclosure(frame, covariates=["level", "kind"], **CR1_AGENCY).table
    assert (result.table["std_error"] > cr1["std_error"]).all()


def test_province_and_twoway_clustering(frame):
    from scipy import stats

    by_province = models.fit_disclosure(frame, covariates=["level", "kind"], clustering="province", se="CR1")
    data = by_province.data
    direct = smf.glm(by_province.formula, data, family=sm.families.Binomial()).fit(
        cov_type="cluster", cov_kwds={"groups": pd.factorize(data["province"])[0]}, use_t=True)
    np.testing.assert_allclose(by_province.table["std_error"], direct.bse, rtol=1e-8)
    t = stats.t.ppf(0.975, 3)  # four provinces: t with 3 df
    np.testing.assert_allclose(by_province.table["ci_high"], by_province.table["estimate"] + t * by_province.table["std_error"])
    assert by_province.extra["clustering"] == "province" and by_province.extra["clusters"] == 4
    twoway = models.fit_disclosure(frame, covariates=["level", "kind"], clustering="twoway", se="CR1")
    v = {g: models.cluster_covariance(twoway.fit, data, g, "CR1")[0] for g in ("province",)}
    years = models.inference.cr1(twoway.fit, data["year"])
    both = models.inference.cr1(twoway.fit, data["province"].astype(str) + "|" + data["year"].astype(str))
    expected = models.inference._nearest_psd(v["province"] + years - both)
    np.testing.assert_allclose(twoway.extra["vcov"], expected)
    comparison = models.clustering_comparison(twoway.fit, data)
    assert list(comparison["clusters_agency"].unique()) == [42] and list(comparison["clusters_twoway"].unique()) == [4]


def test_joint_wald_tests_per_factor_and_adjusted_pvalues(frame):
    from statsmodels.stats.multitest import multipletests

    result = models.fit_disclosure(frame)
    wald = result.extra["wald"].set_index("factor")
    table = result.table.set_index("term")
    assert wald.loc["kind", "statistic"] == pytest.approx((table.loc["kind[T.department]", "estimate"]
                                                           / table.loc["kind[T.department]", "std_error"]) ** 2)
    assert wald.loc["kind", "p_value"] == pytest.approx(table.loc["kind[T.department]", "p_value"])
    assert wald.loc["province", "terms"] == 3 and wald.loc["year_fe", "terms"] == 4
    assert set(wald["df_denom"]) == {41}
    scanned = table.drop(index="Intercept")
    np.testing.assert_allclose(scanned["p_adjusted"], multipletests(scanned["p_value"], method="fdr_bh")[1])
    assert np.isnan(table.loc["Intercept", "p_adjusted"])
    assert set(models.wald_table({"d": result})["model"]) == {"d"}


def test_auto_clustering_uses_provinces_when_there_are_enough():
    frame = make_frame(agencies=60)
    frame["province"] = [f"p{i % 24:02d}" for i in range(len(frame) // 5) for _ in range(5)]
    result = models.fit_disclosure(frame, covariates=["level", "kind"])
    assert result.extra["clustering"] == "province" and result.extra["clusters"] == 24
    assert models.fit_disclosure(make_frame(), covariates=["level", "kind"]).extra["clustering"] == "agency"


# ----------------------------------------------------------------------------------------
# Covariates, counts


def test_natural_person_share_does_not_drop_reports_without_new_applications(frame):
    zeros = frame.copy()
    zeros.loc[zeros.index[:20], ["new", "natural_person"]] = 0  # handled stays: carried-over applications
    result = models.fit_disclosure(zeros)
    assert result.n == len(frame) and result.dropped_reports == {}
    assert "no_new" in result.covariates and "no_new" in set(result.table["term"])
    assert (result.data.loc[result.data["no_new"] == 1, "natural_person_share"] == 0).all()


def test_offset_is_tested_against_a_free_elasticity(frame):
    result = models.fit_count(frame, "reconsideration", "poisson", **CR1_AGENCY)
    test = result.extra["exposure_test"]
    data = result.data
    free = smf.glm(result.formula + " + log_new", data, family=sm.families.Poisson()).fit(
        cov_type="cluster", cov_kwds={"groups": pd.factorize(data["cluster"])[0]}, use_t=True)
    assert test["elasticity"] == pytest.approx(free.params["log_new"], rel=1e-8)
    assert test["std_error"] == pytest.approx(free.bse["log_new"], rel=1e-8)
    assert test["lr"] == pytest.approx(2 * (free.llf - result.fit.llf), rel=1e-8)
    assert any(note.startswith("offset log(new) tested") for note in result.notes)


@pytest.mark.filterwarnings("ignore::statsmodels.tools.sm_exceptions.ConvergenceWarning")
def test_negative_binomial_at_its_boundary_is_degenerate(frame):
    poisson_counts = models.fit_count(frame, "litigation", "negbin")  # litigation is drawn Poisson
    assert poisson_counts.status == "degenerate" and poisson_counts.fitted
    assert any(n.startswith("DEGENERATE: alpha") for n in poisson_counts.notes)
    assert poisson_counts.extra["alpha_lr_p"] > 0.05
    over = models.fit_count(frame, "reconsideration", "negbin")  # drawn negative binomial
    assert over.status == "fitted" and over.extra["alpha_lr_p"] < 0.01
    assert over.extra["alpha_lr"] == pytest.approx(2 * (over.fit.llf - over.extra["llf_poisson"]), rel=0.05)
    table = models.comparison_table({"a": poisson_counts, "b": over}).set_index("row")
    assert table.loc["status", "a"] == "degenerate" and table.loc["n", "b"] == len(frame)
    assert "year_fe[T.2022]" not in table.index and "province[T.湖北省]" not in table.index  # folded into FE rows
    assert table.loc["aic", "b"] == pytest.approx(2 * len(over.table) - 2 * over.fit.llf)


def test_robustness_runs_the_same_model_on_other_samples(frame):
    sample = frame.copy()
    sample.loc[sample.index[:15], "status"] = "repaired"
    invalid = pd.concat([sample, frame.head(5).assign(report_id=lambda d: d["report_id"] + "x", status="invalid",
                                                      year=2018)])
    table = models.robustness_table(sample, sensitivity_frame=invalid, covariates=["level", "kind", "year_fe"])
    runs = list(dict.fromkeys(table["run"]))
    assert runs == ["main", "valid only", "with invalid", "before 2021", "2021 on", "without 吉林省", "without 广东省",
                    "without 湖北省", "without 湖南省"]
    n = table.drop_duplicates("run").set_index("run")["n"]
    assert n["main"] == len(frame) and n["valid only"] == len(frame) - 15 and n["with invalid"] == len(frame) + 5
    assert n["before 2021"] == (frame["year"] < 2021).sum()
    main = table[table["run"] == "main"].set_index("term")
    direct = models.fit_disclosure(sample, covariates=["level", "kind", "year_fe"]).table.set_index("term")
    assert main.loc["kind[T.department]", "estimate"] == pytest.approx(direct.loc["kind[T.department]", "estimate"])
    assert set(table["term"].dropna()) == {"level[T.prefecture]", "level[T.province]", "kind[T.department]"}


def test_model_plots_are_bilingual_sourced_and_skip_empty_cells(frame):
    results = models.fit_all(frame, mixed=False)
    coefficients = models.plot_coefficients(results, names=["disclosure_binomial"])
    notes = [t.get_text() for t in coefficients.texts]
    version = results["disclosure_binomial"].extra["dataset_version"] or "unknown"
    assert any(n.startswith(f"来源 Source: govreports processed dataset {version}"
                            f"; {results['disclosure_binomial'].n} reports") for n in notes), notes
    legend = [t.get_text() for t in coefficients.axes[0].get_legend().get_texts()]
    assert legend == ["公开率: 二项 logit (按机关聚类标准误) / disclosure_binomial [总体平均 / population-averaged]"]
    rates = models.predicted_rates(results["disclosure_binomial"])
    full = models.plot_predicted_rates(rates)
    points = sum(len(line.get_xdata()) for line in full.axes[0].lines if line.get_marker() == "o")
    assert points == len(rates)
    emptied = rates.copy()
    emptied.loc[emptied.index[0], "reports"] = 0  # a level x kind cell without a report: not drawn
    fewer = models.plot_predicted_rates(emptied)
    assert sum(len(line.get_xdata()) for line in fewer.axes[0].lines if line.get_marker() == "o") == len(rates) - 1
    title = fewer.axes[0].get_title(loc="left")
    assert "公开率" in title and "disclosure rate" in title
    assert any(t.get_text().startswith("来源 Source:") for t in fewer.texts)
    assert models.plot_predicted_rates(rates.assign(reports=0)) is None
