"""The study notebook (the paper), executed on the bundled reports, the real test reports and a synthetic corpus.

Every number its text states is registered with the text it is printed as, and written beside the
HTML as JSON; here each is recomputed from the Parquet files with pandas alone, and the text is
checked to hold no number that is not one of them.
"""

import json
import math
import re
from pathlib import Path

import nbformat
import numpy as np
import pandas as pd
import pytest

from govreports.build import build_dataset
from govreports.parse.divisions import division_counts
from govreports.study import notebooks as report
from govreports.study import uncertainty
from govreports.synth import generate_corpus
from govreports.template import paper_terms

ROOT = Path(__file__).resolve().parents[2]
REAL = ROOT / "tests" / "real"
pytestmark = pytest.mark.slow

USABLE = ["valid", "repaired"]
TEMPLATES = ["2019", "2021"]
REASON_PREFIXES = ("denied_", "unavailable_", "not_processed_", "other_")
OUTCOMES = {"granted": ("granted",), "partially_granted": ("partially_granted",), "denied": ("denied_",),
            "unavailable": ("unavailable_",), "not_processed": ("not_processed_",), "other": ("other_",)}
LEVELS = ("province", "prefecture", "county")
DRAWS = 400  # fewer resamples than the default keep the test quick; the notebook takes the parameter


@pytest.fixture(autouse=True)
def strict_glyphs(monkeypatch):
    monkeypatch.setenv("GOVREPORTS_STRICT_GLYPHS", "1")


@pytest.fixture(scope="module")
def real(tmp_path_factory):
    """The real test reports, pre-2019 ones included, with the bundled ones."""
    raw = tmp_path_factory.mktemp("real_raw")
    for folder in (REAL / "raw", REAL / "pre2019", ROOT / "data" / "raw"):
        for path in folder.iterdir():
            if path.suffix in (".txt", ".html", ".md"):
                (raw / path.name).write_bytes(path.read_bytes())
    out = tmp_path_factory.mktemp("real") / "processed"
    build_dataset(raw, out, workers=1)
    return out


@pytest.fixture(scope="module")
def synthetic(tmp_path_factory):
    corpus = tmp_path_factory.mktemp("synthetic_corpus")
    generate_corpus(60, "study", corpus, years=(2019, 2023), layouts=("lines", "pipes", "tabs"))
    out = tmp_path_factory.mktemp("synthetic") / "processed"
    build_dataset(corpus / "reports", out, workers=1)
    return out


def run_study(processed: Path, tmp_path: Path) -> tuple:
    """Execute the study notebook; return its numbers (the JSON beside the HTML) and its Markdown text."""
    out, run = tmp_path / "reports", report.make_run("study", draws=DRAWS)
    outcome = report.run_one(run, processed, out_dir(out), ROOT / "notebooks", with_code=False)
    assert outcome.ok, outcome.error
    cells = nbformat.read(outcome.ipynb, as_version=4).cells
    outputs = [o for cell in cells for o in cell.get("outputs", [])]
    assert not [o for o in outputs if o.get("output_type") == "error"]
    text = "\n".join(o["data"]["text/markdown"] for o in outputs if "text/markdown" in o.get("data", {}))
    numbers = json.loads((out / f"{run.name}{report.NUMBERS_SUFFIX}").read_text(encoding="utf-8"))
    assert numbers["notebook"] == "study" and outcome.html.is_file()
    figures = sorted((out / "figures" / run.name).glob("*.png"))
    assert figures and all(f.with_suffix(".svg").is_file() for f in figures)
    return numbers["stated"], text


def out_dir(folder: Path) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    return folder


# ----------------------------------------------------------------------------------------
# Every stated number, recomputed from the Parquet files


def agency(frame: pd.DataFrame) -> pd.Series:
    """The agency of each report: its agency_id, else name and adcode (else the province), else the report alone."""
    place = frame["adcode"].fillna("").astype(str)
    place = place.where(place != "", "|" + frame["province"].fillna("").astype(str))
    fallback = (frame["agency"].astype(object) + "|" + place).where(frame["agency"].notna(), None)
    key = frame["agency_id"].astype(object).where(frame["agency_id"].notna(), fallback)
    return key.where(key.notna(), "#" + frame["report_id"].astype(str))


def named(keys: pd.Series) -> int:
    """The number of distinct agencies (a report without an agency name is no agency)."""
    return int(keys[~keys.str.startswith("#")].nunique())


def share(top, bottom):
    return float(top / bottom) if bottom > 0 else None


DIGITS = {"province": 2, "prefecture": 4, "county": 6}
RANK = {"province": 0, "prefecture": 1, "county": 2, "township": 3}


def summaries_with_members(reports: pd.DataFrame) -> list:
    """Index of the jurisdiction summaries with a member (same year, inside, same level or below) in the frame."""
    if "scope" not in reports:
        return []
    found = []
    for index, row in reports[(reports["scope"] == "jurisdiction") & reports["adcode"].notna()].iterrows():
        if row["level"] not in DIGITS:
            continue
        others = reports.drop(index)
        inside = others["adcode"].fillna("").astype(str).str.startswith(str(row["adcode"])[:DIGITS[row["level"]]])
        if ((others["year"] == row["year"]) & inside & (others["level"].map(RANK) >= RANK[row["level"]])).any():
            found.append(index)
    return found


def load(processed: Path) -> dict:
    reports = pd.read_parquet(processed / "reports.parquet")
    reports = reports[~reports.index.isin(summaries_with_members(reports))]
    reports = reports.assign(key=agency(reports))
    cells = pd.read_parquet(processed / "cells.parquet")
    templates = reports[reports["template"].isin(TEMPLATES)]
    usable = templates[templates["status"].isin(USABLE)]
    wide = cells[cells["report_id"].isin(usable["report_id"])].pivot(index="report_id", columns="code", values="value")  # noqa: PD010 (pairs are unique; NaN stays NaN)
    frame = usable.set_index("report_id")[["key", "year", "level", "kind"]].join(wide)
    return {"reports": reports, "templates": templates, "usable": usable, "frame": frame}


def column(frame: pd.DataFrame, code: str) -> pd.Series:
    return frame[code] if code in frame else pd.Series(np.nan, index=frame.index)


def row_sum(frame: pd.DataFrame, prefix: str) -> pd.Series:
    codes = [c for c in frame.columns if c.startswith(f"table3.{prefix}") and c.endswith(".total")]
    return frame[codes].sum(axis=1, min_count=1) if codes else pd.Series(np.nan, index=frame.index)


def pooled(frame: pd.DataFrame, top: pd.Series, bottom: pd.Series) -> dict:
    """A pooled rate with what it rests on and its cluster-bootstrap interval, from per-agency sums."""
    both = pd.DataFrame({"top": top, "bottom": bottom, "key": frame["key"]}).dropna(subset=["top", "bottom"])
    sums = both.groupby("key")[["top", "bottom"]].sum()
    low, high = uncertainty.percentile_interval(sums["top"].to_numpy(), sums["bottom"].to_numpy(), draws=DRAWS)
    return {"rate": share(both["top"].sum(), both["bottom"].sum()), "reports": len(both), "clusters": len(sums),
            "trials": float(both["bottom"].sum()), "low": None if math.isnan(low) else low,
            "high": None if math.isnan(high) else high}


def expected_numbers(processed: Path) -> dict:
    data = load(processed)
    reports, templates, usable, frame = data["reports"], data["templates"], data["usable"], data["frame"]
    handled = column(frame, "table3.total_handled.total")
    new = column(frame, "table3.new_received.total")
    out = {"constants.template_2019": 2019, "constants.template_2021": 2021, "constants.level": 0.95,
           "constants.draws": DRAWS}
    years = reports["year"].dropna()
    out.update({"corpus.reports": len(reports), "corpus.agencies": named(reports["key"]),
                "corpus.provinces": reports["province"].nunique(), "corpus.first_year": int(years.min()),
                "corpus.last_year": int(years.max()), "corpus.usable": len(usable),
                "data.reports": len(reports), "data.template_reports": len(templates),
                "data.pre2019_reports": int((reports["template"] == "2014").sum()),
                "data.invalid": int((templates["status"] == "invalid").sum())})
    out.update(coverage(reports))
    out.update(volume(new))
    out.update(answers(frame, handled))
    out.update(grounds(frame, handled))
    out.update(review(frame, new))
    out.update(change(processed, reports))
    out["limitations.usable_share"] = share(len(usable), len(templates))
    return out


def coverage(reports: pd.DataFrame) -> dict:
    counts, years = division_counts(), reports["year"].dropna().nunique()
    out = {}
    governments = reports[reports["kind"] == "government"]
    for level in LEVELS:
        mine = governments[governments["level"] == level]
        out[f"coverage.{level}.governments"] = counts[level]
        out[f"coverage.{level}.with_report"] = named(mine["key"])
        out[f"coverage.{level}.share"] = share(named(mine["key"]), counts[level])
    county = governments[governments["level"] == "county"]
    out["limitations.county_agency_years"] = share(len(county), counts["county"] * years)
    out["coverage.department_agencies"] = named(reports.loc[reports["kind"] == "department", "key"])
    return out


def volume(new: pd.Series) -> dict:
    volumes = new.dropna().sort_values(ascending=False)
    top = max(1, math.ceil(0.1 * len(volumes))) if len(volumes) else 0
    return {"volume.reports": len(volumes), "volume.new": float(volumes.sum()),
            "volume.median": float(volumes.median()) if len(volumes) else None,
            "volume.zero_reports": int((volumes == 0).sum()), "volume.top_reports": top,
            "volume.top_share": share(volumes.head(top).sum(), volumes.sum())}


def answers(frame: pd.DataFrame, handled: pd.Series) -> dict:
    known = frame[handled.notna()]
    total = float(handled.sum())
    out = {"answers.handled": total}
    for outcome, (prefix,) in OUTCOMES.items():
        values = column(known, f"table3.{prefix}.total") if not prefix.endswith("_") else row_sum(known, prefix)
        out[f"answers.{outcome}"] = share(values.sum(), total)
    disclosed = column(frame, "table3.granted.total") + column(frame, "table3.partially_granted.total")
    rate = pooled(frame, disclosed, handled)
    out.update({"answers.disclosure_rate": rate["rate"], "answers.disclosure_rate.low": rate["low"],
                "answers.disclosure_rate.high": rate["high"], "answers.reports": rate["reports"],
                "answers.clusters": rate["clusters"]})
    for by in ("level", "kind"):
        groups = []
        for _, part in frame.groupby(by):
            shown = pooled(part, disclosed[part.index], handled[part.index])
            if shown["rate"] is not None:
                groups.append(shown)
        if len(groups) >= 2:
            low, high = min(groups, key=lambda g: g["rate"]), max(groups, key=lambda g: g["rate"])
            out.update({f"answers.{by}.lowest": low["rate"], f"answers.{by}.lowest_reports": low["reports"],
                        f"answers.{by}.highest": high["rate"], f"answers.{by}.highest_reports": high["reports"]})
    return out


def grounds(frame: pd.DataFrame, handled: pd.Series) -> dict:
    not_held = column(frame, "table3.unavailable_not_held.total")
    rate = pooled(frame, not_held, handled)
    reasons = {c: frame[c] for c in frame.columns
               if c.startswith("table3.") and c.endswith(".total") and c.split(".")[1].startswith(REASON_PREFIXES)}
    used = {c: v for c, v in reasons.items() if v.sum() > 0}
    out = {"grounds.not_held_rate": rate["rate"], "grounds.not_held_rate.low": rate["low"],
           "grounds.not_held_rate.high": rate["high"],
           "grounds.not_held_of_unavailable": share(not_held.sum(), row_sum(frame, "unavailable_").sum()),
           "grounds.reasons_used": len(used)}
    if used:
        top = sorted(used, key=lambda c: (-used[c].sum(), c))[0]
        out["grounds.top_share"] = share(used[top].sum(), handled.sum())
        out["grounds.top_reports"] = int(used[top].notna().sum())
    return out


def review(frame: pd.DataFrame, new: pd.Series) -> dict:
    recon = column(frame, "table4.reconsideration.total")
    litigation = column(frame, "table4.litigation_direct.total") + column(frame, "table4.litigation_after_reconsideration.total")
    out = {}
    for name, counts in (("reconsideration", recon), ("litigation", litigation)):
        both = pd.DataFrame({"n": counts, "new": new}).dropna()
        out[f"review.{name}"] = float(both["n"].sum())
        per_100 = share(100 * both["n"].sum(), both["new"].sum())
        out[f"review.{name}_per_100"] = per_100
    decided = recon - column(frame, "table4.reconsideration.pending")
    rate = pooled(frame, column(frame, "table4.reconsideration.corrected"), decided)
    out["review.reconsideration_decided"] = rate["trials"]
    if rate["trials"] > 0:
        out.update({"review.reconsideration_corrected": rate["rate"], "review.reconsideration_corrected.low": rate["low"],
                    "review.reconsideration_corrected.high": rate["high"]})
    return out


def change(processed: Path, reports: pd.DataFrame) -> dict:
    keep = reports[(reports["template"].isin(TEMPLATES) & reports["status"].isin(USABLE))
                   | ((reports["template"] == "2014") & reports["status"].isin([*USABLE, "unchecked"]))]
    long = pd.read_parquet(processed / "indicators.parquet")
    wide = long[long["report_id"].isin(keep["report_id"])].pivot(index="report_id", columns="indicator", values="value")  # noqa: PD010
    eras = keep.set_index("report_id")[["template", "status"]].join(wide, how="inner")
    out = {"limitations.unchecked": int((eras["status"] == "unchecked").sum())}
    eras = eras.dropna(subset=["applications_answered"])
    for era, part in eras.groupby("template"):
        answered = part["applications_answered"].sum()
        granted = part[["granted", "granted_in_part"]].sum(axis=1, min_count=1).sum()
        out.update({f"change.{era}.reports": len(part), f"change.{era}.received": float(part["applications_received"].sum()),
                    f"change.{era}.granted": share(granted, answered),
                    f"change.{era}.not_held": share(part["not_held"].sum(), answered)})
    return out


# ----------------------------------------------------------------------------------------
# The checks


def assert_same_numbers(stated: dict, expected: dict) -> None:
    values = stated["values"]
    assert sorted(values) == sorted(expected), set(values) ^ set(expected)
    for key, value in expected.items():
        got = values[key]
        if value is None or (isinstance(value, float) and math.isnan(value)):
            assert got is None, key
        elif key.endswith((".low", ".high")):
            assert got == pytest.approx(value, abs=1e-12), key
        else:
            assert got == pytest.approx(value, rel=1e-9, abs=1e-12), key


def assert_no_other_number(stated: dict, text: str) -> None:
    """Strip every registered text (and the template's document number) from the Markdown: no digit may remain."""
    rest = text.replace(paper_terms.TEMPLATE_2021, "")
    for printed in sorted(set(stated["texts"].values()), key=len, reverse=True):
        rest = re.sub(rf"(?<![\d.,]){re.escape(printed)}(?![\d])", " ", rest)
    leftover = re.findall(r".{0,30}\d.{0,30}", rest)
    assert leftover == [], leftover


def check_intervals(stated: dict) -> None:
    values = stated["values"]
    for key in [k for k in values if k.endswith(".low") and values[k] is not None]:
        rate = key.removesuffix(".low")
        assert values[key] <= values[rate] <= values[f"{rate}.high"], rate


@pytest.mark.parametrize("corpus", ["bundled", "real", "synthetic"])
def test_every_stated_number_is_computed(corpus, request, tmp_path):
    processed = request.getfixturevalue(corpus)
    stated, text = run_study(processed, tmp_path)
    assert_same_numbers(stated, expected_numbers(processed))
    assert_no_other_number(stated, text)
    check_intervals(stated)


def test_the_real_corpus_reaches_before_the_template(real, tmp_path):
    stated, text = run_study(real, tmp_path)
    values = stated["values"]
    # Five reports before 2019; the county's 2013 summary is left out of the sums because a
    # department inside it (the zone's tax bureau, 2013) is in the corpus too.
    assert values["data.pre2019_reports"] == 4 and values["change.2014.reports"] >= 3
    assert len(summaries_with_members(pd.read_parquet(real / "reports.parquet"))) == 1
    assert "pre-2019 local forms" in text and values["corpus.first_year"] == 2012
    assert not re.search(r"(?<![\d,.])1 (reports|agencies)\b", text)  # one report, one agency


# ----------------------------------------------------------------------------------------
# The year and region notebooks reach before the template through the indicators table


def comparable(processed: Path, reports: pd.DataFrame) -> pd.DataFrame:
    """Reports with comparable indicators (answered known), one row each, computed with pandas."""
    keep = reports[(reports["template"].isin(TEMPLATES) & reports["status"].isin(USABLE))
                   | ((reports["template"] == "2014") & reports["status"].isin([*USABLE, "unchecked"]))]
    long = pd.read_parquet(processed / "indicators.parquet")
    wide = long[long["report_id"].isin(keep["report_id"])].pivot(index="report_id", columns="indicator", values="value")  # noqa: PD010
    frame = keep.set_index("report_id")[["year", "province"]].join(wide, how="inner")
    return frame.dropna(subset=["applications_answered"])


def run_page(notebook: str, processed: Path, tmp_path: Path, **parameters) -> dict:
    out = tmp_path / "pages"
    outcome = report.run_one(report.make_run(notebook, **parameters), processed, out_dir(out), ROOT / "notebooks",
                             with_code=False)
    assert outcome.ok, outcome.error
    return outcome.headline


def test_a_pre2019_year_reads_the_indicators(real, tmp_path):
    reports = pd.read_parquet(real / "reports.parquet")
    expected = comparable(real, reports[reports["year"] == 2013])
    headline = run_page("year", real, tmp_path, year=2013)
    assert headline["reports"] == 2 and expected["applications_received"].sum() > 0
    assert headline["indicator_reports"] == len(expected)
    assert headline["indicator_received"] == expected["applications_received"].sum()


def test_a_region_reads_every_year_through_the_indicators(real, tmp_path):
    reports = pd.read_parquet(real / "reports.parquet")
    expected = comparable(real, reports[reports["province"] == "福建省"])
    by_year = expected.groupby("year")["applications_received"].sum()
    headline = run_page("region", real, tmp_path, region="福建省")
    assert headline["indicator_years"] == [int(y) for y in by_year.index] and min(by_year.index) < 2019
    assert headline["indicator_received_by_year"] == {str(int(y)): float(v) for y, v in by_year.items()}
