import math

import pandas as pd
import pytest
from statsmodels.stats.proportion import proportion_confint

from govreports.study import metrics


@pytest.mark.parametrize("successes, trials", [(0, 10), (7, 10), (64, 71), (10, 10), (1, 1000)])
def test_wilson_interval_matches_statsmodels(successes, trials):
    low, high = metrics.wilson_interval(successes, trials)
    expected = proportion_confint(successes, trials, method="wilson")
    assert low == pytest.approx(expected[0], abs=1e-12)
    assert high == pytest.approx(expected[1], abs=1e-12)


@pytest.mark.parametrize("trials", range(1, 200))
def test_wilson_interval_holds_the_rate_at_the_extremes(trials):
    # 0 of 12 used to give a lower bound of 2.8e-17, above the rate: a negative error bar.
    assert metrics.wilson_interval(0, trials)[0] == 0.0
    assert metrics.wilson_interval(trials, trials)[1] == 1.0
    low, high = metrics.wilson_interval(trials // 3, trials)
    assert low <= (trials // 3) / trials <= high


def test_no_rate_over_a_zero_denominator():
    assert all(math.isnan(v) for v in metrics.wilson_interval(0, 0))


def frame(rows):
    reports = pd.DataFrame([{"report_id": r, "source": f"{r}.txt", "status": "valid", "template": "2021", "year": 2023,
                             "agency": "a", "province": p, "prefecture": None, "county": None, "adcode": None,
                             "level": "county", "kind": "government"} for r, p, _ in rows])
    cells = []
    for report_id, _, values in rows:
        for code, value in values.items():
            cells.append({"report_id": report_id, "code": code, "value": value})
    return reports, pd.DataFrame(cells)


def test_pooled_disclosure_rate_by_group_and_empty_group():
    reports, cells = frame([
        ("r1", "湖南省", {"table3.granted.total": 6, "table3.partially_granted.total": 2, "table3.denied_state_secret.total": 2,
                        "table3.total_handled.total": 10, "table3.new_received.total": 10, "table3.carried_over.total": 0}),
        ("r2", "湖南省", {"table3.granted.total": 1, "table3.partially_granted.total": 0, "table3.denied_state_secret.total": 0,
                        "table3.total_handled.total": 2, "table3.new_received.total": 2, "table3.carried_over.total": 0}),
        ("r3", "吉林省", {"table3.granted.total": 0, "table3.partially_granted.total": 0, "table3.denied_state_secret.total": 0,
                        "table3.total_handled.total": 0, "table3.new_received.total": 0, "table3.carried_over.total": 0}),
    ])
    indicators = metrics.report_indicators(reports, cells)
    table = metrics.rate_table(indicators, "disclosure_rate", by=["province"]).set_index("province")
    assert table.loc["湖南省", ["successes", "trials", "reports"]].tolist() == [9.0, 12.0, 2]
    assert table.loc["湖南省", "rate"] == pytest.approx(0.75)
    assert math.isnan(table.loc["吉林省", "rate"])
    assert metrics.concentration(indicators, top=1) == pytest.approx(10 / 12)


def scoped(rows):
    """Indicators of reports ``(report_id, year, adcode, level, scope, new, handled, granted)``."""
    reports = pd.DataFrame([{"report_id": r, "source": f"{r}.txt", "status": "valid", "template": "2021", "year": y,
                             "agency": r, "province": "湖南省", "prefecture": None, "county": None, "adcode": a,
                             "level": lv, "kind": "government", "scope": s} for r, y, a, lv, s, *_ in rows])
    cells = pd.DataFrame([{"report_id": r, "code": f"table3.{row}.total", "value": v}
                          for r, *_, new, handled, granted in rows
                          for row, v in (("new_received", new), ("total_handled", handled), ("granted", granted),
                                         ("partially_granted", 0), ("carried_over", 0))])
    return metrics.report_indicators(reports, cells)


def test_a_summary_is_not_added_to_its_members():
    indicators = scoped([
        ("county_summary", 2023, "430624", "county", "jurisdiction", 71, 70, 60),
        ("county_department", 2023, "430624", "county", "agency", 20, 20, 10),
        ("township", 2023, "430624", "township", "unknown", 1, 1, 1),
        ("other_county", 2023, "430621", "county", "jurisdiction", 9, 10, 5),  # no member of it here
        ("county_summary_2022", 2022, "430624", "county", "jurisdiction", 50, 50, 50),  # no member that year
    ])
    flags = dict(zip(indicators["report_id"], metrics.double_counted(indicators)))
    assert flags == {"county_summary": True, "county_department": False, "township": False, "other_county": False,
                     "county_summary_2022": False}
    this_year = indicators[indicators["year"] == 2023]
    table = metrics.rate_table(this_year, "disclosure_rate")
    assert table[["successes", "trials", "reports"]].iloc[0].tolist() == [16.0, 31.0, 3]  # 10 + 1 + 5 of 20 + 1 + 10
    assert metrics.headline(this_year)[["reports", "new"]].iloc[0].tolist() == [3, 30.0]
    assert metrics.volume_summary(this_year)["total"].iloc[0] == 30.0
    # a prefecture's summary has the county's reports as members; the county's summary then counts once
    prefecture = scoped([("prefecture_summary", 2023, "430600", "prefecture", "jurisdiction", 500, 500, 400),
                         ("county_summary", 2023, "430624", "county", "jurisdiction", 71, 70, 60)])
    assert metrics.double_counted(prefecture).tolist() == [True, False]
    # a county's summary has no member in a province-level department of the same code prefix
    province = scoped([("county_summary", 2023, "430624", "county", "jurisdiction", 71, 70, 60),
                       ("province_department", 2023, "430000", "province", "agency", 5, 5, 5)])
    assert not metrics.double_counted(province).any()


def test_summaries_count_when_the_data_has_no_scope_column():
    indicators = scoped([("a", 2023, "430624", "county", "jurisdiction", 1, 1, 1)]).drop(columns="scope")
    assert not metrics.double_counted(indicators).any()
    reports = pd.DataFrame([{"report_id": "r", "source": "r.txt", "status": "valid", "template": "2021", "year": 2023,
                             "agency": "a", "province": None, "prefecture": None, "county": None, "adcode": None,
                             "level": None, "kind": None}])
    assert metrics.report_indicators(reports, pd.DataFrame(columns=["report_id", "code", "value"]))["scope"].tolist() == [
        "unknown"]
