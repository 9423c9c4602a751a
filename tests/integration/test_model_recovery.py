"""Simulation recovery: known logit coefficients survive rendering, parsing, building and fitting.

Agency-year disclosure counts are drawn from a logit model of level and kind with KNOWN
coefficients; each agency-year is rendered as a real report file (tests/synth.py, real place
names in the title so metadata finds level and kind), table 3 built consistent with every
identity and with the drawn disclosed / handled counts. The reports go through the real pipeline
(``build_dataset`` on a folder, then ``load_model_frame``) and the binomial model's 95% intervals
must hold the true coefficients. ``benchmarks/bench_model_recovery.py`` repeats this many times
and reports the empirical coverage.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd

from govreports.build import build_dataset
from govreports.study import models
from govreports.synth import consistent_values, render, set_column_balance, set_row_totals
from govreports.template import SCHEMA, TABLE3_APPLICANT_COLUMNS

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

    result = models.fit_disclosure(frame, covariates=["level", "kind"])
    assert result.fitted and result.formula == "disclosed + I(handled - disclosed) ~ level + kind"
    assert result.n == 48 and result.n_clusters == 24
    table = result.table.set_index("term")
    assert list(table.index) == list(TRUE)
    for term, value in TRUE.items():
        assert table.loc[term, "ci_low"] <= value <= table.loc[term, "ci_high"], (term, value, table.loc[term])
