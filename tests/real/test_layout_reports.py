"""Real reports of the hard layout families, scored cell by cell against their hand-read keys.

A keyed cell must come out as keyed; a cell keyed blank must come out null; and no report may be
``valid`` with a wrong cell (a silent error). Metadata is scored by the metadata tests.
"""

import json
import math
from pathlib import Path

import pytest

from govreports import parse

HERE = Path(__file__).parent
KEYS = sorted((HERE / "truth").glob("*.json"))
# Reports whose every keyed cell the parser gets right today (the others must at least not be
# silently wrong): grows as layouts are handled.
EXACT = {"hongze-district_2024.pdf", "hongze-district_2024.txt", "shanghai-kewei_2024.md",
         "shuyang-county_2025.txt", "shanghai-gov-office_2019.html"}
LAYOUT_FILES = {"hongze-district_2024.pdf", "hongze-district_2024.txt", "shanghai-kewei_2024.md",
                "shuyang-county_2025.txt"}


def score(key: dict, report) -> tuple:
    """Return ``(right, wrong, missed)`` cell codes of a report against its key."""
    values = report.values()
    right, wrong, missed = [], [], []
    for code, want in key["cells"].items():
        got = values.get(code)
        if got is None:
            missed.append(code)
        elif math.isclose(float(got), float(want), abs_tol=1e-6):
            right.append(code)
        else:
            wrong.append(f"{code}={got} (want {want})")
    for code in key.get("blank", []):
        (right if values.get(code) is None else wrong).append(code)
    return right, wrong, missed


@pytest.mark.parametrize("key_path", KEYS, ids=[k.stem for k in KEYS])
def test_real_report_is_never_silently_wrong(key_path):
    key = json.loads(key_path.read_text(encoding="utf-8"))
    report = parse(HERE / "raw" / key["file"])
    _right, wrong, missed = score(key, report)
    if report.status == "valid":
        assert not wrong and not missed
    if key["file"] in EXACT:
        assert wrong == [] and missed == []


@pytest.mark.parametrize("key_path", KEYS, ids=[k.stem for k in KEYS])
def test_real_report_tables_3_and_4_are_exact(key_path):
    # 表三 column by column (hongze .txt), rows torn from their table (kewei .md), OCR (shuyang)
    key = json.loads(key_path.read_text(encoding="utf-8"))
    if key["file"] not in LAYOUT_FILES:
        pytest.skip("not one of this file's layout families")
    report = parse(HERE / "raw" / key["file"])
    _right, wrong, missed = score(key, report)
    assert [c for c in wrong + missed if not c.startswith("table2.")] == []


def test_pdf_with_merged_other_row_reads_every_cell_and_marks_the_merged_row():
    report = parse(HERE / "raw" / "hongze-district_2024.pdf")
    assert report.status == "repaired"
    merged = {c.code: c.value for c in report.merged_cells}
    assert merged["table3.other_handling.total"] == 0
    status = {c.code: c.status for c in report.cells}
    assert status["table3.other_other.total"] == "repaired"  # 0: the merged row prints 0
    assert status["table3.total_handled.commercial_enterprise"] == "number"
    assert report.values()["table3.total_handled.total"] == 95
    assert {r.kind for r in report.repairs} == {"merged_row"}
    assert all(c.passed for c in report.checks)


def test_plain_pdftotext_reads_table3_column_blocks_and_the_merged_row():
    report = parse(HERE / "raw" / "hongze-district_2024.txt")
    assert report.status == "repaired"
    assert {r.kind for r in report.repairs} == {"value_order", "merged_row"}
    assert {c.code: c.value for c in report.merged_cells}["table3.other_handling.total"] == 0
    assert all(c.passed for c in report.checks)


def test_blank_total_stays_blank():
    key = json.loads((HERE / "truth" / "shanghai-kewei_2024.json").read_text(encoding="utf-8"))
    report = parse(HERE / "raw" / key["file"])
    assert all(report.values()[code] is None for code in key["blank"])


def test_markdown_labels_apart_from_figures_with_none_printed_as_a_dash_bind_no_guess(tmp_path):
    # The kewei report with every 0 of its pipe tables printed "—": no identity can tell which of
    # two labels printed above one row of figures (5.属于三类内部事务信息, 1.本机关不掌握相关政府信息,
    # then | 1 | — | … | 1 |) owns them. Before, the last label took them (unavailable_not_held = 1,
    # where the report prints 4): now neither row does.
    key = json.loads((HERE / "truth" / "shanghai-kewei_2024.json").read_text(encoding="utf-8"))
    text = (HERE / "raw" / key["file"]).read_text(encoding="utf-8")
    for _ in range(2):  # adjacent cells: each pass replaces every other one
        text = text.replace("| 0 |", "| — |")
    path = tmp_path / "shanghai-kewei_2024.md"
    path.write_text(text, encoding="utf-8")
    report = parse(path)
    values = report.values()
    numbers = {code: want for code, want in key["cells"].items() if want}
    wrong = {code: values.get(code) for code, want in numbers.items() if values.get(code) not in (None, want)}
    assert wrong == {}
    assert values["table3.unavailable_not_held.natural_person"] is None
    assert values["table3.new_received.natural_person"] == 32 and values["table3.other_other.total"] == 4


def test_none_printed_as_wu_in_every_cell_of_a_zero_is_a_blank_not_a_label(tmp_path):
    # The shuyang OCR markdown with every 0 printed 无 (| 36 | 无 | 无 | 无 | 无 | 无 | 36 |): each
    # 无 is a blank cell. Before, a 无 between two others was taken for the slash of 增/减 and
    # made a label, cutting the row: 28 of its 65 non-zero cells read, 37 lost.
    key = json.loads((HERE / "truth" / "shuyang-county_2025.json").read_text(encoding="utf-8"))
    text = (HERE / "raw" / key["file"]).read_text(encoding="utf-8")
    for _ in range(2):
        text = text.replace("| 0 |", "| 无 |")
    path = tmp_path / key["file"]
    path.write_text(text, encoding="utf-8")
    values = parse(path).values()
    numbers = {code: want for code, want in key["cells"].items() if want}
    assert {code: values.get(code) for code in numbers} == numbers
    assert values["table3.carried_over.total"] == 36 and values["table3.carried_over.commercial_enterprise"] is None


def test_the_real_pdf_as_pdfplumber_extracts_its_text_is_read_line_per_row(tmp_path):
    # pdfplumber's extract_text prints 表三 a row of figures per line, but some labels' second
    # lines below the next row's figures (9 0 0 0 0 0 9 above 计其他情形)), so the label reading
    # missed six rows; 23 lines of seven figures for the 23 rows printed are read as printed.
    import pdfplumber

    key = json.loads((HERE / "truth" / "hongze-district_2024.json").read_text(encoding="utf-8"))
    with pdfplumber.open(HERE / "raw" / "hongze-district_2024.pdf") as pdf:
        text = "\n".join(page.extract_text() or "" for page in pdf.pages)
    path = tmp_path / "hongze-district_2024.txt"
    path.write_text(text, encoding="utf-8")
    values = parse(path).values()
    assert {code: values.get(code) for code in key["cells"]} == key["cells"]
