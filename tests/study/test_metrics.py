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
