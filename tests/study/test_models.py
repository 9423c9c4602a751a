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
RATE_FORMULA = ("{s} + I(handled - {s}) ~ level + kind + province + years_since_2021 + template + log_applications"
                " + natural_person_share")
COUNT_RHS = "level + kind + province + years_since_2021 + template + natural_person_share"


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

    result = models.fit_rate(frame, outcome)
    assert result.formula == formula and result.name == f"{outcome}_binomial"
    assert_same(result, clustered)
    assert result.n == len(data) and result.n_clusters == data["agency"].nunique()

    result = models.fit_rate(frame, outcome, dispersion="quasi")
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
    formula = "new ~ level + kind + province + years_since_2021 + template"
    alpha = smf.negativebinomial(formula, data, loglike_method="nb2").fit(disp=0, maxiter=500).params["alpha"]
    direct = smf.glm(formula, data, family=sm.families.NegativeBinomial(alpha=alpha)).fit(**clusters(data))
    result = models.fit_volume(frame)
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
    result = models.fit_count(frame, outcome, family)
    assert result.formula == formula and result.offset == "log_new"
    assert_same(result, direct)
    assert set(result.table["ratio_type"]) == {"rate ratio"}


def test_mixed_model_equals_direct_bayes_mixed_glm(frame):
    from statsmodels.genmod.bayes_mixed_glm import BinomialBayesMixedGLM

    data = direct_data(frame)
    data["province"] = data["province"].astype(str)  # C(province): provinces in sorted order
    index = np.arange(len(data))
    long = pd.concat([data.iloc[np.repeat(index, data["disclosed"])].assign(application_disclosed=1.0),
                      data.iloc[np.repeat(index, data["handled"] - data["disclosed"])].assign(application_disclosed=0.0)],
                     ignore_index=True)
    formula = "application_disclosed ~ level + kind + years_since_2021 + template + log_applications + natural_person_share"
    direct = BinomialBayesMixedGLM.from_formula(formula, {"province": "0 + C(province)"}, long).fit_map(rng=0)

    result = models.fit_disclosure_mixed(frame)
    assert result.fitted and result.formula == formula and "MULTILEVEL" in result.description
    table = result.table.set_index("term")
    np.testing.assert_allclose(table["estimate"].iloc[:-1], direct.fe_mean, rtol=0, atol=1e-8)
    np.testing.assert_allclose(table["std_error"].iloc[:-1], direct.fe_sd, rtol=0, atol=1e-8)
    assert table.loc["log_sd(province)", "estimate"] == pytest.approx(direct.vcp_mean[0], abs=1e-8)
    assert table["p_value"].isna().all()
    assert result.extra["applications"] == data["handled"].sum()


def test_tidy_table_columns_and_ratios(frame):
    from scipy import stats

    table = models.fit_disclosure(frame).table
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
    clustered = models.fit_disclosure(frame, covariates=["level", "kind"]).table.set_index("term")
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
    frame = make_frame(years=[2020, 2021])  # template 2019 exactly when years_since_2021 = -1
    result = models.fit_disclosure(frame)
    assert result.fitted
    assert result.dropped_covariates["template"] == (
        "the design is singular: template is collinear with years_since_2021")
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
    assert mixed.skipped == "province has one value: 湖南省 (a random intercept needs at least 2 provinces)"


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
    result = models.fit_disclosure(zeros)
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


def test_predicted_rates_by_level_and_kind(frame):
    result = models.fit_disclosure(frame)
    rates = models.predicted_rates(result)
    assert len(rates) == 6 and list(rates.columns[:2]) == ["level", "kind"]
    assert ((rates["ci_low"] < rates["rate"]) & (rates["rate"] < rates["ci_high"])).all()
    assert rates["reports"].sum() == len(frame)
    data = result.data
    profile = {"years_since_2021": data["years_since_2021"].mean(), "log_applications": data["log_applications"].mean(),
               "natural_person_share": data["natural_person_share"].mean()}
    params = result.fit.params
    eta = params["Intercept"] + params["template[T.2021]"] + sum(params[k] * v for k, v in profile.items())
    county_government = rates[(rates["level"] == "county") & (rates["kind"] == "government")]["rate"].iloc[0]
    assert county_government == pytest.approx(1 / (1 + np.exp(-eta)), abs=1e-10)  # Hunan, template 2021: the modes
    assert models.predicted_rates(models.fit_disclosure(frame.head(3))).empty


def test_write_tables_csv_and_latex(frame, tmp_path):
    results = {"disclosure_binomial": models.fit_disclosure(frame),
               "disclosure_mixed": models.fit_disclosure_mixed(frame.head(3))}
    paths = models.write_tables(results, tmp_path / "tables")
    names = sorted(p.name for p in paths)
    assert names == ["coefficients.csv", "disclosure_binomial.csv", "disclosure_binomial.tex", "models_summary.csv",
                     "models_summary.tex"]
    table = pd.read_csv(tmp_path / "tables" / "disclosure_binomial.csv")
    np.testing.assert_allclose(table["estimate"], results["disclosure_binomial"].table["estimate"])
    tex = (tmp_path / "tables" / "disclosure_binomial.tex").read_text(encoding="utf-8")
    assert r"\begin{tabular}" in tex and r"years\_since\_2021" in tex and r"\textasciitilde{}" in tex
    assert "~" not in tex.replace(r"\textasciitilde{}", "")
    summary = pd.read_csv(tmp_path / "tables" / "models_summary.csv").set_index("model")
    assert summary.loc["disclosure_mixed", "status"] == "skipped"
    assert summary.loc["disclosure_mixed", "message"].startswith("too few reports: 3 usable")


def test_plots_render_chinese_without_missing_glyphs(frame, tmp_path):
    from matplotlib import font_manager, rcParams

    results = models.fit_all(frame)
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        figures = [models.plot_coefficients(results),
                   models.plot_coefficients(results, names=["volume_negbin", "reconsideration_negbin"]),
                   models.plot_predicted_rates(models.predicted_rates(results["disclosure_binomial"]))]
        for index, figure in enumerate(figures):
            figure.savefig(tmp_path / f"figure{index}.png", dpi=60)
    glyphs = [str(w.message) for w in caught if "missing from" in str(w.message) or "Glyph" in str(w.message)]
    assert glyphs == []
    labels = [t.get_text() for t in figures[0].axes[0].get_yticklabels()]
    assert "行政级别: 地市级" in labels and "机关类型: 部门" in labels
    font = font_manager.findfont(font_manager.FontProperties(family=rcParams["font.sans-serif"][0]),
                                 fallback_to_default=False)
    assert "CJK" in font


def test_term_labels():
    assert models.term_label("level[T.province]") == "行政级别: 省级"
    assert models.term_label("macro_region[T.west]") == "地区: 西部"
    assert models.term_label("province[T.湖北省]") == "省份: 湖北省"
    assert models.term_label("natural_person_share") == "自然人申请占比"


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
    path = inspect.getsourcefile(models)
    tree = ast.parse(open(path, encoding="utf-8").read())
    docstrings = {id(node.body[0].value) for node in ast.walk(tree)
                  if isinstance(node, (ast.Module, ast.FunctionDef, ast.ClassDef)) and node.body
                  and isinstance(node.body[0], ast.Expr) and isinstance(node.body[0].value, ast.Constant)}
    han = re.compile(r"[\u4e00-\u9fff]")
    assert [n.lineno for n in ast.walk(tree) if isinstance(n, ast.Constant) and isinstance(n.value, str)
            and id(n) not in docstrings and han.search(n.value)] == []
