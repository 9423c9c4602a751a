"""Reports before the national template (2008-2018): the statistics table, run-together cells, sentences.

The five real reports in tests/real/pre2019/ (a crawl of the Pingtan government site); every
figure below was read by hand from the text, and the splits of run-together cells checked
against the previous year's cumulative figures (the 2012 and 2013 county reports chain).
"""

from pathlib import Path

import pandas as pd
import pytest

from govreports import parse, parse_text
from govreports.build import build_dataset
from govreports.parse.pre2019 import _pairs, read_pre2019, stated_figures

PRE2019 = Path(__file__).resolve().parents[1] / "real" / "pre2019"


def stats(report) -> dict:
    """Return ``{row.column: value}`` of the cells the report prints (not_printed ones left out)."""
    return {c.code.removeprefix("stats."): c.value for c in report.cells if c.status != "not_printed"}


def test_county_2013_run_together_cells_split_by_the_checks():
    report = parse(PRE2019 / "pingtan-county_2013.txt")
    assert (report.status, report.template, report.metadata.year) == ("repaired", "2014", 2013)
    values = stats(report)
    expected = {
        "requests_received": (7, 28), "requests_in_person": (0, 18), "requests_fax": (0, 0), "requests_email": (3, 6),
        "requests_online": (4, 4), "requests_letter": (0, 0), "requests_other_channel": (0, 0),
        "answers_total": (3, 24), "answers_granted": (2, 19), "answers_partly": (1, 3), "answers_refused": (0, 2),
        "proactive_total": (1853, 5395), "proactive_website": (1713, 5017), "proactive_gazette": (0, 7),
        "reconsideration_total": (0, 0), "litigation_total": (0, 0), "appeals": (0, 0),
    }
    assert {row: (values[f"{row}.year"], values[f"{row}.cumulative"]) for row in expected} == expected
    assert all(c.passed for c in report.checks)  # channels sum to received, answers to answered
    repaired = {r.code for r in report.repairs}
    assert "stats.requests_received.year" in repaired and "stats.answers_total.cumulative" in repaired


def test_county_2013_sentences_that_contradict_the_table_are_reported_with_both_figures():
    report = parse(PRE2019 / "pingtan-county_2013.txt")
    narrative = {c.identity.removeprefix("narrative."): (c.lhs_value, c.rhs_value, c.passed)
                 for c in report.narrative_checks}
    assert narrative["requests_received"] == (7, 7, True)
    assert narrative["answers_total"] == (3, 3, True)
    assert narrative["requests_online"] == (3, 4, False)  # the text says 3 online, the table 4
    assert narrative["requests_letter"] == (4, 0, False)
    assert narrative["answers_other"] == (1, None, False)  # 其它公开 1, a row the table does not print
    messages = [p.message for p in report.errors if p.code == "narrative.disagrees"]
    assert any("requests_online = 3" in m and "prints 4" in m for m in messages)


def test_county_2012_table_and_its_contradicting_sentences():
    report = parse(PRE2019 / "pingtan-county_2012.txt")
    values = stats(report)
    assert report.status == "repaired"
    assert (values["requests_received.year"], values["requests_received.cumulative"]) == (21, 21)
    assert (values["requests_in_person.year"], values["requests_email.year"]) == (18, 3)
    assert (values["answers_granted.year"], values["answers_partly.year"], values["answers_refused.year"]) == (17, 2, 2)
    assert (values["proactive_total.year"], values["proactive_total.cumulative"]) == (2026, 3542)
    assert (values["proactive_website.year"], values["proactive_website.cumulative"]) == (1795, 3304)
    narrative = {c.identity.removeprefix("narrative."): (c.lhs_value, c.rhs_value, c.passed)
                 for c in report.narrative_checks}
    # The sentences' 其它公开 2 / 免于公开 2 against the table's 部分公开 2 / 否决 2.
    assert narrative["answers_other"] == (2, None, False)
    assert narrative["answers_refused"] == (2, 2, True)


def test_zone_2014_national_rows_with_spaces_between_cells():
    report = parse(PRE2019 / "pingtan-zone_2014.txt")
    values = stats(report)
    assert report.status == "valid" and not report.repairs
    assert (values["proactive_total.year"], values["proactive_total.cumulative"]) == (2543, 78967)
    assert (values["requests_received.year"], values["requests_letter_fax.year"]) == (1, 1)
    assert (values["answers_total.year"], values["answers_granted.year"], values["answers_other.year"]) == (1, 1, 0)
    assert values["fees.year"] == 0 and values["complaints.year"] == 0
    # The sentence's 共受理申请121510件 (administrative approvals) is not an application for information.
    assert {c.identity for c in report.narrative_checks} >= {"narrative.requests_received"}
    received = next(c for c in report.narrative_checks if c.identity == "narrative.requests_received")
    assert (received.lhs_value, received.passed) == (1, True)


def test_zone_2017_glued_item_numbers_and_a_split_the_text_settles():
    report = parse(PRE2019 / "pingtan-zone_2017.txt")
    values = stats(report)
    assert report.status == "repaired"
    assert (values["proactive_total.year"], values["proactive_total.cumulative"]) == (2122, 10037)
    assert (values["proactive_website.year"], values["proactive_website.cumulative"]) == (2122, 10037)
    assert values["requests_received.year"] == 0 and values["answers_refused.cumulative"] == 0
    evidence = next(r.evidence for r in report.repairs if r.code == "stats.proactive_total.year")
    assert "narrative" in evidence


def test_a_department_with_sentences_only_is_unchecked():
    report = parse(PRE2019 / "pingtan-localtax_2013.txt")
    assert (report.status, report.template) == ("unchecked", "2014")
    stated = {c.code: (c.value, c.status) for c in report.cells if c.status == "stated"}
    assert stated == {"stats.requests_received.year": (0, "stated"), "stats.reconsideration_total.year": (0, "stated"),
                      "stats.proactive_total.year": (45, "stated")}


def test_a_split_no_check_settles_stays_lost():
    text = ("某县人民政府2013年政府信息公开工作年度报告\n政府信息公开情况统计表 指标名称计量单位2013年度历年累计"
            "主动公开信息数条123456行政复议数条00\n")
    report = parse_text(text)
    cells = {c.code: c for c in report.cells}
    assert cells["stats.proactive_total.year"].status == "lost" and cells["stats.proactive_total.year"].value is None
    assert cells["stats.reconsideration_total.year"].value == 0
    assert report.status == "invalid"


def test_digit_runs_split_without_leading_zeros_and_this_year_at_most_cumulative():
    assert _pairs("728") == [(7, 28)]
    assert _pairs("018") == [(0, 18)]
    assert _pairs("00") == [(0, 0)]
    assert _pairs("324") == [(3, 24)]
    assert (2026, 3542) in _pairs("20263542") and len(_pairs("20263542")) > 1


def test_stated_figures_need_an_application_for_information():
    assert stated_figures("共受理申请121510件。") == {}
    assert stated_figures("2014年全区收到有关政府信息公开的信函申请1条")["requests_received"] == 1
    assert stated_figures("我局办公室未收到政府信息公开申请。")["requests_received"] == 0
    assert "requests_received" not in stated_figures("未收到有关政府信息公开行政复议申请。")


def test_read_pre2019_without_a_table_or_figures_fails():
    assert read_pre2019("政府信息公开工作年度报告。工作有序开展。").status == "failed"


@pytest.mark.slow
def test_the_build_crosswalks_indicators_and_checks_cumulative_figures_across_years(tmp_path):
    raw = tmp_path / "raw"
    raw.mkdir()
    for path in PRE2019.glob("*.txt"):
        (raw / path.name).write_bytes(path.read_bytes())
    build_dataset(raw, tmp_path / "out", workers=1, csv="all")
    reports = pd.read_csv(tmp_path / "out" / "reports.csv").set_index("source")
    indicators = pd.read_csv(tmp_path / "out" / "indicators.csv")
    county_2013 = reports.loc["pingtan-county_2013.txt", "report_id"]
    mine = indicators[indicators["report_id"] == county_2013].set_index("indicator")["value"]
    assert mine[["applications_received", "applications_answered", "granted", "granted_in_part", "refused"]].tolist() \
        == [7, 3, 2, 1, 0]
    assert pd.isna(mine["not_held"])  # the Fujian table of 2013 prints no 信息不存在 row
    checks = pd.read_csv(tmp_path / "out" / "checks.csv")
    cumulative = checks[(checks["identity"] == "panel.cumulative") & (checks["report_id"] == county_2013)]
    assert len(cumulative) == 8 and cumulative["passed"].all()  # 2012's cumulative + 2013's = 2013's cumulative
    definitions = pd.read_csv(tmp_path / "out" / "indicator_definitions.csv").set_index("indicator")
    assert "2019" in definitions.loc["refused", "note"]


def test_a_2008_style_report_with_figures_in_sentences():
    text = ("某市交通局2009年政府信息公开工作年度报告\n三、依申请公开政府信息情况\n"
            "全年共受理政府信息公开申请21件,其中当面申请18件,网上申请3件;同意公开17件,同意部分公开2件,"
            "不予公开2件。全年未发生行政复议和行政诉讼。\n")
    report = parse_text(text)
    stated = {c.code.removeprefix("stats."): c.value for c in report.cells if c.status == "stated"}
    assert report.status == "unchecked"
    assert stated == {"requests_received.year": 21, "requests_in_person.year": 18, "requests_online.year": 3,
                      "answers_granted.year": 17, "answers_partly.year": 2, "answers_refused.year": 2,
                      "reconsideration_total.year": 0, "litigation_total.year": 0}
