"""Figures as a paper needs them: own PNG and SVG files, whole numbers, sensible axes, sample sizes."""

import math

import pandas as pd
import pytest

from govreports.study import figures


@pytest.fixture
def shown(monkeypatch):
    """Collect the figures the helpers display, still saving them when a folder is set."""
    collected = []
    monkeypatch.setenv(figures.STRICT_ENV, "1")
    real_save = figures.save

    def fake_show(fig):
        collected.append(fig)
        if figures._saved["folder"] is not None:
            real_save(fig, figures._saved["folder"])

    monkeypatch.setattr(figures, "show", fake_show)
    figures.setup()
    yield collected
    figures.save_to(None)


COMMON = {"xlabel": "年度 year", "ylabel": "报告数 reports", "source": "来源 Source: test"}


def test_every_figure_is_saved_as_png_and_svg(tmp_path):
    figures.setup()
    folder = tmp_path / "figures" / "study"
    figures.save_to(folder)
    try:
        figures.bar(pd.Series([3, 1], index=["湖南省", "吉林省"]), title="各省份报告数\nReports by province", **COMMON)
        figures.lines(pd.DataFrame({"x": [1.0, 2.0]}, index=[2022, 2023]), title="趋势\nA trend: 2022-2023", **COMMON)
    finally:
        figures.save_to(None)
    names = sorted(p.name for p in folder.iterdir())
    assert names == ["01-reports-by-province.png", "01-reports-by-province.svg",
                     "02-a-trend-2022-2023.png", "02-a-trend-2022-2023.svg"]
    assert (folder / names[0]).read_bytes().startswith(b"\x89PNG")
    svg = (folder / names[1]).read_text(encoding="utf-8")
    assert svg.lstrip().startswith("<?xml") and "<svg" in svg


def test_nothing_is_saved_without_a_folder(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    figures.setup()
    figures.save_to(None)
    figures.bar(pd.Series([3], index=["a"]), title="t\nT", **COMMON)
    assert list(tmp_path.iterdir()) == []


def test_counts_are_annotated_as_whole_numbers(shown):
    figures.bar(pd.Series([1672.0, 95.0], index=["a", "b"]), title="t\nT", **COMMON)
    labels = [t.get_text() for t in shown[0].axes[0].texts]
    assert sorted(labels) == ["1,672", "95"]
    ticks = shown[0].axes[0].get_xticks()
    assert all(float(t).is_integer() for t in ticks)


def test_an_all_zero_trend_is_drawn_on_a_whole_number_axis(shown):
    figures.lines(pd.DataFrame({"x": [0.0, 0.0, 0.0]}, index=[2021, 2022, 2023]), title="t\nT", **COMMON)
    ax = shown[0].axes[0]
    assert ax.get_ylim() == (0.0, 1.0)
    assert all(float(t).is_integer() for t in ax.get_yticks())


def test_rates_show_reports_and_applications(shown):
    table = pd.DataFrame({"g": ["县级 county", "省级 province"], "rate": [0.5, 0.25], "ci_low": [0.3, math.nan],
                          "ci_high": [0.7, math.nan], "trials": [1672.0, 40.0], "reports": [12, 1]})
    figures.rate_bars(table, "g", title="t\nT", **COMMON)
    fig = shown[0]
    labels = sorted(t.get_text() for t in fig.axes[0].texts)
    assert labels == ["25% (1份报告 reports · 40件申请 applications)",
                      "50% (12份报告 reports · 1,672件申请 applications)"]
    note = " ".join(t.get_text() for t in fig.texts)
    assert figures.term("ci_note") in note and figures.term("no_interval_note") in note


def test_figure_names_come_from_the_english_title():
    figures.setup()
    fig, ax = figures.new_figure()
    ax.set_title("2023年申请集中度\nConcentration of new applications, 2023")
    assert figures.figure_name(fig, 7) == "07-concentration-of-new-applications-2023"
    ax.set_title("系数 / Coefficients (odds ratios)")
    assert figures.figure_name(fig, 1) == "01-coefficients-odds-ratios"


def test_many_years_are_slanted(shown):
    years = list(range(2012, 2026))
    figures.lines(pd.DataFrame({"x": [1.0] * len(years)}, index=years), title="t\nT", **COMMON)
    labels = shown[0].axes[0].get_xticklabels()
    assert [t.get_text() for t in labels] == [str(y) for y in years]
    assert {t.get_rotation() for t in labels} == {45.0}
