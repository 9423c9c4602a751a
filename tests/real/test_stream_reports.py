"""Real crawler text whose cells run together (pingtan-zone): every keyed cell right, the rest lost.

The keys (``tests/real/truth``) were read by hand and leave out the cells no identity fixes; those
must come out null with status ``lost``, never guessed. Metadata is scored elsewhere.
"""

import json
from pathlib import Path

import pytest

from govreports import parse

HERE = Path(__file__).resolve().parent
FILES = ["pingtan-zone_2019.txt", "pingtan-zone_2022.txt"]


def key_of(name):
    return json.loads((HERE / "truth" / (Path(name).stem + ".json")).read_text(encoding="utf-8"))


@pytest.mark.parametrize("name", FILES)
def test_every_keyed_cell_is_right(name):
    key = key_of(name)
    report = parse(HERE / "raw" / name)
    assert report.template == key["template"]
    values = report.values()
    wrong = {code: (values.get(code), want) for code, want in key["cells"].items() if values.get(code) != want}
    assert wrong == {}
    assert report.status == "repaired"
    assert all(check.passed for check in report.checks)


@pytest.mark.parametrize("name", FILES)
def test_cells_left_out_of_the_key_are_lost_never_guessed(name):
    key = key_of(name)
    report = parse(HERE / "raw" / name)
    unkeyed = {c.code: (c.value, c.status) for c in report.cells if c.code not in key["cells"]}
    assert unkeyed and set(unkeyed.values()) == {(None, "lost")}
    assert all(code.startswith("table2.") for code in unkeyed)


@pytest.mark.parametrize("name", FILES)
def test_a_stream_broken_over_lines_where_its_spaces_were_reads_the_same(name, tmp_path):
    # A crawler that keeps the page's line breaks where this one left spaces: a row's run opens
    # the next line (``713000074二、上年结转…``) or stands alone (``0`` / ``00(七)总计23``).
    key = key_of(name)
    text = (HERE / "raw" / name).read_text(encoding="utf-8").replace(" ", "\n")
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    report = parse(path)
    assert report.template == key["template"]
    values = report.values()
    assert {code: values.get(code) for code in key["cells"]} == key["cells"]
    unkeyed = {c.code: c.value for c in report.cells if c.code not in key["cells"]}
    assert set(unkeyed.values()) == {None}


def test_a_run_printed_on_lines_of_its_own_after_its_label_line_is_one_run(tmp_path):
    # 行政许可 ends a line, its figures follow on lines of their own and the last piece opens the
    # next line before 表二's next heading (第二十条第(六)项): the run is 10690, never 106.
    name = "pingtan-zone_2022.txt"
    key = key_of(name)
    text = (HERE / "raw" / name).read_text(encoding="utf-8")
    text = text.replace("行政许可10690第二十条", "行政许可\n10\n6\n90第二十条")
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    values = parse(path).values()
    assert values["table2.licensing.decisions"] == 10690
    assert {code: values.get(code) for code in key["cells"]} == key["cells"]
