"""Real HTML reports scored against their hand-read keys: every keyed cell right."""

import json
import math
from pathlib import Path

import pytest

from govreports import parse

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
