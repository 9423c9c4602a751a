"""The synthetic national corpus: deterministic, consistent, and read back exactly by the parser.

Every layout the generator renders is parsed back and compared with its answer key cell by cell
(blanks must come out null) and field by field (year, template, agency and jurisdiction). What
the parser cannot read yet is marked ``xfail(strict=True)`` with the reason: when the parser
learns it, the test turns red and the mark must go.
"""

import csv
import json
import math
import random
import subprocess
import sys
from dataclasses import replace
from pathlib import Path

import pytest
from click.testing import CliRunner
from conftest import RAW, ROOT

import govreports.synth as tests_synth
from govreports import parse, synth
from govreports.cli import cli
from govreports.errors import GovReportsError
from govreports.synth import (
    LAYOUTS,
    SynthParams,
    answer_key,
    failed_identities,
    generate_corpus,
    generate_report,
    render_report,
)
from govreports.template import SCHEMA

META = ("year", "template", "agency", "province", "prefecture", "county", "adcode", "level", "kind")
KEY_FIELDS = ["file", "year", "template", "agency", "province", "prefecture", "county", "adcode", "level", "kind",
              "cells", "blank"]
# The project's scorer sits in ../shared beside a checkout (CI); a researcher's clone may not have it.
SCORER = Path(__file__).resolve().parents[3] / "shared" / "tools" / "score_truth.py"
PER_LAYOUT = 10


def _parsed(report, tmp_path: Path):
    path = tmp_path / f"{report.index:05d}{LAYOUTS[report.layout]}"
    path.write_bytes(render_report(report))
    return parse(path)


def _differences(report, parsed) -> list:
    """Every way the parse differs from the answer key: cells, blanks, metadata."""
    key, got = answer_key(report, "x"), parsed.to_dict()
    wrong = [f"{code}={got['cells'].get(code)!r} (key {want!r})" for code, want in key["cells"].items()
             if got["cells"].get(code) is None or not math.isclose(got["cells"][code], want)]
    wrong += [f"{code}={got['cells'][code]!r} (printed blank)" for code in key["blank"] if got["cells"].get(code) is not None]
    wrong += [f"{field}={got[field]!r} (key {key[field]!r})" for field in META + ("published",) if got[field] != key[field]]
    return wrong


# ---------------------------------------------------------------- the model


def test_generation_is_deterministic_for_a_seed(tmp_path):
    first = generate_corpus(12, 5, tmp_path / "a", anomaly_rate=0.3)
    second = generate_corpus(12, 5, tmp_path / "b", anomaly_rate=0.3)
    files = sorted(p.relative_to(first.out_dir) for p in first.out_dir.rglob("*") if p.is_file())
    assert files == sorted(p.relative_to(second.out_dir) for p in second.out_dir.rglob("*") if p.is_file())
    assert all((first.out_dir / f).read_bytes() == (second.out_dir / f).read_bytes() for f in files)
    assert generate_report(3, 5) == generate_report(3, 5)
    assert generate_report(3, 5).values != generate_report(3, 6).values
    # Report i depends on (seed, i) only: a longer corpus starts with the shorter one.
    shorter = generate_corpus(5, 5, tmp_path / "c", anomaly_rate=0.3)
    manifest = [(p / "MANIFEST.csv").read_text(encoding="utf-8").splitlines() for p in (shorter.out_dir, first.out_dir)]
    assert manifest[0] == manifest[1][:6]


def test_every_report_satisfies_the_identities_except_its_declared_anomaly():
    anomalies = 0
    for index in range(400):
        report = generate_report(index, 11, anomaly_rate=0.1)
        failed = failed_identities(report.template, report.values)
        if report.anomaly is None:
            assert failed == [], (index, failed)
        else:
            anomalies += 1
            assert failed and failed == report.anomaly["failed_identities"]
            assert abs(report.anomaly["published"] - report.anomaly["true_value"]) <= 2
            assert report.values[report.anomaly["code"]] == report.anomaly["published"]
            assert report.damage == ()
        counts = [v for c, v in report.values.items() if c.startswith(("table3", "table4"))]
        assert all(isinstance(v, int) and v >= 0 for v in counts)
        assert set(report.values) == set(SCHEMA.codes(report.template))
        assert report.template == ("2019" if report.year <= 2020 else "2021")
    assert 20 <= anomalies <= 65


def test_agencies_are_real_places_in_realistic_proportions():
    import cpca

    adcodes = {info.adcode[:6] for info in cpca.ad_2_addr_dict.values()}
    reports = [generate_report(i, 3, anomaly_rate=0) for i in range(1500)]
    kinds = {}
    for report in reports:
        agency = report.agency
        assert agency.adcode in adcodes
        assert agency.province and agency.name.startswith(tuple(p for p in (agency.province, agency.prefecture,
                                                                               agency.county, agency.town,
                                                                               synth.terms.TAX_PREFIX) if p))
        kinds[(agency.level, agency.kind)] = kinds.get((agency.level, agency.kind), 0) + 1
    assert max(kinds, key=kinds.get) == ("county", "department")
    assert kinds[("county", "department")] > 0.45 * len(reports)
    assert kinds.get(("township", "department"), 0) == 0
    assert {level for level, _kind in kinds} == {"province", "prefecture", "county", "township"}


def test_outcome_coefficients_are_recovered_by_a_logit_fit():
    """Conditional on disclosed-or-denied, the log-odds of denial are linear in the model's covariates."""
    sm = pytest.importorskip("statsmodels.api")
    import numpy as np

    params = replace(SynthParams(), level_shares={"province": 0.25, "prefecture": 0.25, "county": 0.25, "township": 0.25},
                     government_shares={"province": 0.5, "prefecture": 0.5, "county": 0.5, "township": 1.0},
                     volume_intercept=2.5, volume_level={"province": 0.0, "prefecture": 0.0, "county": 0.0, "township": 0.0},
                     volume_kind={"government": 0.0, "department": 0.0})
    rows, counts = [], []
    for index in range(2500):
        report = generate_report(index, 17, params=params, anomaly_rate=0)
        agency, values = report.agency, report.values
        disclosed = values["table3.granted.total"] + values["table3.partially_granted.total"]
        denied = sum(values[f"table3.{r}.total"] for r in synth.outcome_rows(report.template) if r.startswith("denied"))
        rows.append([1.0, agency.level == "province", agency.level == "prefecture", agency.level == "township",
                     agency.kind == "government", agency.region == "central", agency.region == "west",
                     agency.region == "northeast", report.year - synth.BASE_YEAR])
        counts.append([denied, disclosed])
    keep = [i for i, (denied, disclosed) in enumerate(counts) if denied + disclosed]
    rows, counts = [rows[i] for i in keep], [counts[i] for i in keep]
    fit = sm.GLM(np.array(counts, float), np.array(rows, float), family=sm.families.Binomial()).fit()
    g = "denied"
    truth = [params.outcome_intercept[g], params.outcome_level[g]["province"], params.outcome_level[g]["prefecture"],
             params.outcome_level[g]["township"], params.outcome_kind[g]["government"],
             params.outcome_region[g]["central"], params.outcome_region[g]["west"],
             params.outcome_region[g]["northeast"], params.outcome_year[g]]
    z = (fit.params - np.array(truth)) / fit.bse
    assert np.all(np.abs(z) < 4), list(zip(truth, fit.params.round(3), z.round(2)))


# ---------------------------------------------------------------- every layout reads back


@pytest.mark.parametrize("layout", list(LAYOUTS))
def test_every_layout_parses_back_to_its_answer_key(layout, tmp_path):
    for index in range(PER_LAYOUT):
        report = generate_report(index, 2024, layouts=(layout,), anomaly_rate=0.2)
        parsed = _parsed(report, tmp_path)
        assert _differences(report, parsed) == [], (index, report.agency.name, report.damage)
        failed = sorted(f"{c.identity}[{c.scope}]" for c in parsed.checks if c.passed is False)
        if report.anomaly:
            assert parsed.status == "invalid" and failed == sorted(report.anomaly["failed_identities"])
        elif report.layout == "browser_tabs":
            # Rows printed blank throughout (all of 表四 when it is all none) leave identities that
            # cannot be checked: never one that fails.
            assert failed == [] and parsed.status in ("valid", "invalid"), (index, parsed.errors)
        else:
            assert parsed.status == ("repaired" if report.damage else "valid"), (index, parsed.errors)


@pytest.mark.parametrize("template_year", [2020, 2023])
@pytest.mark.parametrize("layout", ["tabs_ocr", "run_together"])
def test_layout_damage_is_repaired_by_the_identities(layout, template_year, tmp_path):
    repaired = 0
    for index in range(PER_LAYOUT):
        report = generate_report(index, 8, years=(template_year, template_year), layouts=(layout,), anomaly_rate=0)
        parsed = _parsed(report, tmp_path)
        assert _differences(report, parsed) == []
        repaired += bool(parsed.repairs)
    assert repaired >= PER_LAYOUT // 2


def _digit_run_rows(report) -> list:
    rows = SCHEMA.rows(report.template, "table3")
    return [r.row_code for r in rows if all(report.values[c] <= 9 for c in r.codes[:-1])
            and any(report.values[c] for c in r.codes[:-1])]


def test_several_nonzero_digit_runs_are_read(tmp_path):
    report = next(r for r in (generate_report(i, 7, layouts=("run_together",), anomaly_rate=0) for i in range(200))
                  if len(_digit_run_rows(r)) >= 2)
    zeros = [d for d in report.damage if d.split(":")[1] not in _digit_run_rows(report)]
    report = replace(report, damage=tuple(zeros + [f"run:{row}" for row in _digit_run_rows(report)]))
    assert _differences(report, _parsed(report, tmp_path)) == []


def test_table4_cell_lost_in_ocr_tabs_is_fixed(tmp_path):
    report = next(r for r in (generate_report(i, 5, layouts=("tabs_ocr",), anomaly_rate=0) for i in range(200))
                  if r.values["table4.reconsideration.upheld"] and r.values["table4.reconsideration.total"] > 1)
    report = replace(report, damage=("lost:table4.reconsideration.upheld",))
    assert _differences(report, _parsed(report, tmp_path)) == []


@pytest.mark.parametrize("layout", ["pipes", "html"])
def test_amounts_below_one_are_read(layout, tmp_path):
    base = generate_report(1, 4, years=(2019, 2019), layouts=(layout,), anomaly_rate=0)
    values = {**base.values, "table2.procurement.projects": 13, "table2.procurement.amount_10k_yuan": 0.48}
    report = replace(base, values=values)
    assert _differences(report, _parsed(report, tmp_path)) == []


# ---------------------------------------------------------------- metadata on every kind of place


def _agency_report(name: str, adcode: str, level: str, kind: str, **fields):
    base = generate_report(0, 1, layouts=("pipes",), anomaly_rate=0)
    province, prefecture, county = synth._jurisdiction(synth._atlas(), adcode, "county" if level == "township" else level)
    agency = synth.Agency(name, province, prefecture, county, adcode, level, kind, "east", **fields)
    return replace(base, agency=agency)


@pytest.mark.parametrize("name,adcode,level,kind", [
    pytest.param("湖南省人民政府办公厅", "430000", "province", "government", id="province-office"),
    pytest.param("北京市朝阳区教育委员会", "110105", "county", "department", id="municipal-district"),
    pytest.param("阿里地区行政公署", "542500", "prefecture", "government", id="commissioner"),
    pytest.param("国家税务总局湘阴县税务局", "430624", "county", "department", id="tax-bureau"),
    pytest.param("黑河市五大连池市人民政府", "231182", "county", "government", id="prefixed-wudalianchi"),
    pytest.param("梅州市梅县区教育局", "441403", "county", "department", id="prefixed-meixian"),
    pytest.param("湘阴县洋沙街道办事处", "430624", "township", "government", id="subdistrict"),
])
def test_agency_forms_resolve_to_their_jurisdiction(name, adcode, level, kind, tmp_path):
    report = _agency_report(name, adcode, level, kind)
    assert _differences(report, _parsed(report, tmp_path)) == []


def test_wudalianchi_without_its_prefecture(tmp_path):
    report = _agency_report("五大连池市人民政府", "231182", "county", "government")
    assert _differences(report, _parsed(report, tmp_path)) == []


def test_meixian_without_its_prefecture(tmp_path):
    report = _agency_report("梅县区教育局", "441403", "county", "department")
    assert _differences(report, _parsed(report, tmp_path)) == []


@pytest.mark.parametrize("name,adcode", [("乾安县教育局", "220723"), ("乾县人民政府", "610424")])
def test_qian_place_names_survive_normalisation(name, adcode, tmp_path):
    report = _agency_report(name, adcode, "county", "government" if name.endswith("政府") else "department")
    assert _differences(report, _parsed(report, tmp_path)) == []


def test_province_administered_city_has_no_prefecture(tmp_path):
    base = _agency_report("仙桃市人民政府", "429004", "county", "government")
    agency = replace(base.agency, prefecture=None)
    assert _differences(replace(base, agency=agency), _parsed(base, tmp_path)) == []


# ---------------------------------------------------------------- the corpus on disk


def test_corpus_files_keys_manifest_and_readme(tmp_path):
    result = generate_corpus(15, 9, tmp_path / "corpus", years=(2020, 2021), layouts=("html", "pipes", "word_html"),
                             anomaly_rate=0.2)
    out = result.out_dir
    rows = list(csv.DictReader((out / "MANIFEST.csv").open(encoding="utf-8")))
    assert len(rows) == 15 and result.layouts == {"html": 5, "pipes": 5, "word_html": 5}
    assert "SYNTHETIC" in (out / "README.txt").read_text(encoding="utf-8")
    for row in rows:
        key = json.loads((out / "truth" / row["key"]).read_text(encoding="utf-8"))
        assert list(key)[:12] == KEY_FIELDS and key["synthetic"] is True and key["layout"] == row["layout"]
        assert key["file"] == row["file"] and (out / "reports" / row["file"]).is_file()
        assert set(key["cells"]) | set(key["blank"]) == set(SCHEMA.codes(key["template"]))
        assert key["year"] in (2020, 2021) and (key["anomaly"] is None) == (row["anomaly_code"] == "")
    # Writing again into the same corpus replaces it, file for file.
    again = generate_corpus(4, 9, out, layouts=("pipes",))
    reports = sorted(p.name for p in (again.out_dir / "reports").iterdir())
    assert len(reports) == 5 and "SYNTHETIC" in reports and len(list((again.out_dir / "truth").iterdir())) == 4


def test_refuses_to_write_into_data_raw(tmp_path, monkeypatch):
    before = sorted(p.name for p in RAW.iterdir())
    for target in (RAW, RAW / "synthetic", tmp_path / "data" / "raw"):
        with pytest.raises(GovReportsError, match="refusing to write a synthetic corpus into .*data/raw"):
            generate_corpus(2, 0, target)
    link = tmp_path / "innocent"
    link.symlink_to(RAW)
    with pytest.raises(GovReportsError, match="data/raw"):
        generate_corpus(2, 0, link)
    monkeypatch.chdir(ROOT)
    with pytest.raises(GovReportsError, match="data/raw"):
        generate_corpus(2, 0, "data/raw")
    assert sorted(p.name for p in RAW.iterdir()) == before
    assert not (tmp_path / "data").exists()


def test_refuses_a_folder_holding_other_files(tmp_path):
    (tmp_path / "notes.txt").write_text("mine", encoding="utf-8")
    with pytest.raises(GovReportsError, match="not empty"):
        generate_corpus(1, 0, tmp_path)
    assert [p.name for p in tmp_path.iterdir()] == ["notes.txt"]


def test_cli_synth(tmp_path):
    runner = CliRunner()
    out = tmp_path / "corpus"
    result = runner.invoke(cli, ["synth", "--n", "4", "--seed", "3", "--out", str(out), "--years", "2020-2022",
                                 "--layouts", "html,markdown", "--anomaly-rate", "0"])
    assert result.exit_code == 0, result.output
    assert result.output == f"{out.resolve()}: 4 synthetic reports (2 html, 2 markdown), 0 with an anomaly\n"
    keys = [json.loads(p.read_text(encoding="utf-8")) for p in sorted((out / "truth").iterdir())]
    assert {k["year"] for k in keys} <= {2020, 2021, 2022} and {k["layout"] for k in keys} == {"html", "markdown"}
    # The same seed through the API gives the same files.
    api = generate_corpus(4, 3, tmp_path / "api", years=(2020, 2022), layouts=("html", "markdown"), anomaly_rate=0)
    assert sorted(p.name for p in (api.out_dir / "reports").iterdir()) == sorted(p.name for p in (out / "reports").iterdir())
    refused = runner.invoke(cli, ["synth", "--n", "1", "--out", str(RAW)])
    assert refused.exit_code == 1 and "Error: refusing to write a synthetic corpus into" in refused.output
    bad = runner.invoke(cli, ["synth", "--n", "1", "--out", str(tmp_path / "x"), "--layouts", "pipes,fax"])
    assert bad.exit_code == 1 and "unknown layout(s) fax" in bad.output


@pytest.mark.slow
@pytest.mark.skipif(not SCORER.is_file(), reason="the shared scorer is not available")
def test_shared_scorer_finds_nothing_wrong_in_a_corpus(tmp_path):
    corpus = generate_corpus(60, 2025, tmp_path / "corpus", anomaly_rate=0.05).out_dir
    govreports = Path(sys.executable).with_name("govreports")
    cmd = f"{govreports} parse --format json" if govreports.exists() else f"{sys.executable} -m govreports parse --format json"
    run = subprocess.run([sys.executable, str(SCORER), "--truth", str(corpus / "truth"), "--inputs",
                          str(corpus / "reports"), "--cmd", cmd, "--quiet"], capture_output=True, text=True, timeout=600)
    summary = run.stdout.strip().splitlines()[-1]
    assert summary.startswith("reports 60 (no output 0)"), run.stdout[-2000:] + run.stderr[-2000:]
    assert "wrong 0 (silent 0), missed 0; metadata right 540/540" in summary, summary


# ---------------------------------------------------------------- the tests' own renderer


def test_tests_synth_re_exports_the_package_renderer():
    for name in ("consistent_values", "render", "render_rows", "replace_row", "table_rows", "TABLE2_HEADERS",
                 "TABLE3_HEADER", "TABLE4_HEADER"):
        assert getattr(tests_synth, name) is getattr(synth, name)
    values = tests_synth.consistent_values("2019", seed=4)
    assert failed_identities("2019", values) == []
    assert tests_synth.render(values).startswith(synth.terms.LEGACY_TITLE + "\n")


def test_randomness_is_independent_of_the_global_generator():
    random.seed(1)
    first = generate_report(0, 1)
    random.seed(2)
    assert generate_report(0, 1) == first


def test_browser_tabs_prints_none_as_empty_cells_and_they_come_out_blank(tmp_path):
    """A browser's copy of a page that prints "none" as an empty cell: blanks stay null, never 0."""
    report = generate_report(2, 2024, layouts=("browser_tabs",), anomaly_rate=0)
    text = render_report(report).decode("utf-8")
    assert "\t\t" in text and report.values["table3.granted.research_institution"] is None
    parsed = _parsed(report, tmp_path)
    assert _differences(report, parsed) == []
    blanks = [c for c in parsed.cells if report.values[c.code] is None]
    assert blanks and all(c.value is None for c in blanks)
    assert not [r for r in parsed.repairs if r.value == 0]
