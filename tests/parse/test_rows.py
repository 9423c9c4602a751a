import pytest

from govreports.parse.labels import detect_template, label_score
from govreports.parse.layout import split_lines
from govreports.parse.rows import classify_cell, match_rows, parse_number


@pytest.mark.parametrize("text, expected", [
    ("行政事业性收费 0", ("行政事业性收费", ("0",))),
    ("0 0 3", ("", ("0", "0", "3"))),
    ("2. 重复申请", ("2. 重复申请", ())),
    ("· 1 2 没有现成信息需要另行制作", ("· 1 2 没有现成信息需要另行制作", ())),
    ("(七)总计 3 / 0", ("(七)总计", ("3", "/", "0"))),
])
def test_classify_cell(text, expected):
    assert classify_cell(text) == expected


@pytest.mark.parametrize("text, value", [("12", 12), ("1,234", 1234), ("10300.8203", 10300.8203), ("-3", -3), ("1.2.3", None), ("12a", None)])
def test_parse_number(text, value):
    assert parse_number(text) == value


@pytest.mark.parametrize("tail, labels, minimum", [
    pytest.param("二上年纪吉转政府信息公开申请数量", ("二、上年结转政府信息公开申请数量",), 0.9, id="OCR-garbled"),
    pytest.param("三本年度办理结果一予以公开", ("(一)予以公开",), 1.0, id="group label before"),
    pytest.param("二部分公开区分处理的只计这一情况不计其他情形", ("(二)部分公开(区分处理的,只计这一情形,不计其他情形)",), 0.9, id="variant wording"),
])
def test_label_score_tolerates_garbled_and_variant_labels(tail, labels, minimum):
    assert label_score(tail, labels) >= minimum


def test_label_score_rejects_other_rows():
    assert label_score("一本年新收政府信息公开申请数量", ("(一)予以公开",)) < 0.6
    assert label_score("规范性文件", ("规章",)) == 0.0


def test_detect_template_by_labels_then_year():
    assert detect_template("本年制发件数 本年废止件数") == "2021"
    assert detect_template("本年新制作数量 上一年项目数量 政府集中采购") == "2019"
    assert detect_template("没有模板标记", year=2020) == "2019"
    assert detect_template("没有模板标记") is None


def test_detect_template_finds_markers_broken_by_spaces_wraps_and_punctuation():
    # As in the text's label key: only CJK, digits and letters count, so a marker printed over
    # a line wrap or with spaces inside still counts; a marker with a character missing does not.
    assert detect_template("本年制\n发件数 | 本年 废止、件数") == "2021"
    assert detect_template("本年新制作 数量\n上一年项目\r\n数量") == "2019"
    assert detect_template("本年制发数 本年废件数") is None
    assert detect_template("本年制x发件数") is None  # a letter is part of the key: the marker is broken


def test_detect_template_agrees_with_the_label_key_of_the_whole_text():
    import random

    from govreports.parse.labels import label_key, prints_key
    from govreports.template import SCHEMA

    rng = random.Random(7)
    markers = [m for t in ("2019", "2021") for m in SCHEMA.markers(t)]
    for _ in range(300):
        text = "".join(rng.choice(markers + ["a", " ", "\n", "、", "1", "(", "|"]) for _ in range(6))
        text = "".join(ch + rng.choice(["", "", "", " ", "\n", "x"]) for ch in text)
        for template in ("2019", "2021"):
            expected = [label_key(m) in label_key(text) for m in SCHEMA.markers(template)]
            assert [prints_key(text, label_key(m)) for m in SCHEMA.markers(template)] == expected
            reversed_text = text[::-1]  # every character printed, the markers not
            expected = [label_key(m) in label_key(reversed_text) for m in SCHEMA.markers(template)]
            assert [prints_key(reversed_text, label_key(m)) for m in SCHEMA.markers(template)] == expected


def test_values_are_bound_to_labels_not_to_a_stream_of_numbers():
    text = "(一)予以公开\n1\n2\n3\n4\n5\n6\n21\n(二)部分公开\n0 0 0 0 0 0 0\n"
    read = match_rows(split_lines(text), "2021")
    assert [t.value for t in read.rows["granted"].tokens] == [1, 2, 3, 4, 5, 6, 21]
    assert [t.value for t in read.rows["partially_granted"].tokens] == [0] * 7
    assert "new_received" in read.missing


@pytest.mark.parametrize("text, expected", [
    ("行政事业性收费 12.5万元", ("行政事业性收费", ("12.5万元",))),
    ("12件", ("", ("12件",))),
    ("6454①", ("", ("6454①",))),
    ("共3件", ("共3件", ())),
])
def test_units_printed_in_value_cells_stay_in_the_value_text(text, expected):
    # The unit stays in the token's text (table 2 converts money units); the value is the number.
    assert classify_cell(text) == expected


def test_a_value_printed_with_a_unit_or_mark_has_the_number_as_its_value():
    read = match_rows(split_lines("(一)予以公开\n1件 2 3 4 5 6 21①\n"), "2021")
    assert [t.value for t in read.rows["granted"].tokens] == [1, 2, 3, 4, 5, 6, 21]


def test_label_cut_by_a_line_wrap_still_names_its_row():
    assert label_score("请5要求行政机关确认或重", ("5.要求行政机关确认或重新出具已获取信息",)) >= 0.6
    assert label_score("其他法律", ("2.其他法律行政法规禁止公开",)) < 0.6  # too short a first part to tell
