"""The cluster bootstrap of pooled rates: known answers on constructed frames."""

import math

import numpy as np
import pandas as pd
import pytest

from govreports.study import metrics, uncertainty


def agencies(rates: list, size: int = 100, reports_per_agency: int = 1) -> pd.DataFrame:
    """Return one row per report: ``size`` applications each, ``rate`` of them disclosed, by agency."""
    rows = []
    for index, rate in enumerate(rates):
        for report in range(reports_per_agency):
            rows.append({"report_id": f"r{index}-{report}", "agency_key": f"a{index}",
                         "disclosed": round(rate * size), "handled": size})
    return pd.DataFrame(rows)


def test_identical_clusters_give_a_point_interval():
    result = uncertainty.cluster_bootstrap(agencies([0.3] * 8), "disclosed", "handled")
    assert result["rate"] == pytest.approx(0.3)
    assert result["ci_low"] == pytest.approx(0.3) and result["ci_high"] == pytest.approx(0.3)
    assert (result["reports"], result["clusters"], result["trials"]) == (8, 8, 800.0)


def test_two_opposite_agencies_span_the_whole_range():
    # Resamples: {A, A} rate 1, {B, B} rate 0 (a quarter of the draws each), {A, B} 0.5: the 95%
    # percentile interval is [0, 1], whatever the 200 applications would suggest.
    result = uncertainty.cluster_bootstrap(agencies([1.0, 0.0]), "disclosed", "handled")
    assert result["rate"] == 0.5
    assert (result["ci_low"], result["ci_high"]) == (0.0, 1.0)
    wilson = metrics.wilson_interval(100, 200)
    assert wilson[1] - wilson[0] < 0.15


def test_width_matches_the_between_agency_spread():
    # Equal sizes: the pooled rate of a resample is the mean of G agency rates drawn with
    # replacement, whose SD is sd(rates) / sqrt(G) (population SD), so the 95% interval is about
    # 2 x 1.96 of that.
    rates = list(np.linspace(0.1, 0.9, 40))
    result = uncertainty.cluster_bootstrap(agencies(rates), "disclosed", "handled", draws=4000)
    observed = np.array([round(r * 100) / 100 for r in rates])
    expected = 2 * 1.959964 * observed.std() / math.sqrt(len(rates))
    assert result["ci_high"] - result["ci_low"] == pytest.approx(expected, rel=0.08)
    assert result["ci_low"] < result["rate"] < result["ci_high"]


def test_wider_than_wilson_when_applications_cluster():
    table = metrics.rate_table(_indicators(agencies([0.95, 0.05] * 10)), "disclosure_rate")
    row = table.iloc[0]
    assert (row["reports"], row["clusters"], row["trials"]) == (20, 20, 2000.0)
    assert row["rate"] == pytest.approx(0.5)
    bootstrap, wilson = row["ci_high"] - row["ci_low"], row["wilson_high"] - row["wilson_low"]
    assert wilson < 0.05 and bootstrap > 0.3 and bootstrap > 6 * wilson


def test_an_agencys_reports_are_resampled_together():
    # One agency with three reports: a single cluster, so no interval, while per report there is one.
    frame = agencies([0.2], reports_per_agency=3)
    frame.loc[1, "disclosed"] = 80
    by_agency = uncertainty.cluster_bootstrap(frame, "disclosed", "handled")
    assert by_agency["clusters"] == 1 and math.isnan(by_agency["ci_low"]) and math.isnan(by_agency["ci_high"])
    by_report = uncertainty.cluster_bootstrap(frame, "disclosed", "handled", cluster="report_id")
    assert by_report["clusters"] == 3 and by_report["ci_low"] < by_report["rate"] < by_report["ci_high"]


def test_seeded_and_without_a_denominator():
    frame = agencies([0.1, 0.4, 0.7, 0.2])
    assert uncertainty.cluster_bootstrap(frame, "disclosed", "handled") == \
        uncertainty.cluster_bootstrap(frame, "disclosed", "handled")
    empty = uncertainty.cluster_bootstrap(frame.assign(handled=0, disclosed=0), "disclosed", "handled")
    assert math.isnan(empty["rate"]) and math.isnan(empty["ci_low"]) and empty["trials"] == 0


def test_a_missing_agency_is_its_own_cluster():
    frame = agencies([0.1, 0.9]).assign(agency_key=None)
    result = uncertainty.cluster_bootstrap(frame, "disclosed", "handled")
    assert result["clusters"] == 2 and (result["ci_low"], result["ci_high"]) == pytest.approx((0.1, 0.9))


def _indicators(frame: pd.DataFrame) -> pd.DataFrame:
    """Return the columns :func:`metrics.rate_table` reads for the disclosure rate."""
    return frame.assign(new=frame["handled"], carried_over=0, forward=0)


def test_clusters_without_an_agency_are_named_after_their_report():
    frame = agencies([0.1, 0.9, 0.5]).assign(agency_key=[None, "a1", None])
    sums = uncertainty.cluster_sums(frame, "disclosed", "handled", "agency_key")
    assert list(sums.index) == ["#r0-0", "#r2-0", "a1"]
