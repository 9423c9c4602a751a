"""Real HTML reports scored against their hand-read keys: every keyed cell right."""

import json
import math
from pathlib import Path

import pytest

from govreports import parse
from govreports.synth.printed import browser_copy

HERE = Path(__file__).resolve().parent
KEYS = sorted((HERE / "truth").glob("*.json"))
HTML_KEYS = [k for k in KEYS if json.loads(k.read_text(encoding="utf-8"))["file"].endswith(".html")]


def same(got, want) -> bool:
    if got is None or want is None:
        return got is want
    return math.isclose(float(got), float(want), rel_tol=1e-9, abs_tol=1e-6)


@pytest.mark.parametrize("key_path", HTML_KEYS, ids=[k.stem for k in HTML_KEYS])
def test_every_keyed_cell_of_a_real_html_report_is_right(key_path):
    key = json.loads(key_path.read_text(encoding="utf-8"))
    report = parse(HERE / "raw" / key["file"])
    got = report.values()
    wrong = {code: (got.get(code), want) for code, want in key["cells"].items() if not same(got.get(code), want)}
    assert wrong == {}
    assert report.template == key["template"]


def test_the_2019_procurement_amount_printed_in_yuan_is_converted_and_recorded():
    report = parse(HERE / "raw" / "shanghai-gov-office_2019.html")
    assert report.values()["table2.procurement.amount_10k_yuan"] == pytest.approx(25.1)
    converted = [p for p in report.errors if p.code == "unit.converted"]
    assert len(converted) == 1 and "251000元" in converted[0].message


def test_the_2019_html_report_copied_from_a_browser_reads_its_blanks_as_blanks(tmp_path):
    # Tab-separated rows: a group label (三、本年度办理结果) printed only on its first row, so that
    # row's values start a column later; 表三 prints no 0, its empty cells are blanks, never
    # filled by the identities; rows printed blank throughout keep their tabs.
    key = json.loads((HERE / "truth" / "shanghai-gov-office_2019.json").read_text(encoding="utf-8"))
    path = tmp_path / "shanghai-gov-office_2019.txt"
    path.write_text(browser_copy(HERE / "raw" / key["file"]), encoding="utf-8")
    assert "三、本年度办理结果\t(一)予以公开\t258\t12\t\t\t1\t1" in path.read_text(encoding="utf-8").replace("（", "(").replace("）", ")")
    report = parse(path)
    got = report.values()
    assert {code: got.get(code) for code in key["cells"]} == key["cells"]
    assert {code: got.get(code) for code in key["blank"]} == dict.fromkeys(key["blank"])
    assert got["table3.granted.natural_person"] == 258 and got["table3.granted.legal_service_org"] == 1
    assert not [r for r in report.repairs if r.code.startswith("table3.")]
