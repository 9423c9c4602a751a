"""Crawler text: labels found anywhere in a character stream, runs of cells split by the identities."""

import random
import re

import pytest

from govreports import parse_text
from govreports.parse.alignments import row_alignments
from govreports.parse.layout import split_lines
from govreports.parse.rows import Token, match_rows
from govreports.parse.stream import find_labels, prefer_stream, read_stream, stream_segments
from govreports.synth import generate_report, render_report

HEAD = "平潭综合实验区2019年政府信息公开工作年度报告\n"
TABLE3_2019 = (
    "三、收到和处理政府信息公开申请情况（本列数据的勾稽关系为：第一项加第二项之和，等于第三项加第四项之和）"
    "申请人情况自然人法人或其他组织总计商业企业科研机构社会公益组织法律服务机构其他"
    "一、本年新收政府信息公开申请数量230 000023二、上年结转政府信息公开申请数量0000000"
    "三、本年度办理结果（一）予以公开7000007（二）部分公开（区分处理的，只计这一情形，不计其他情形）1000001"
    "（三）不予公开1.属于国家秘密00000002.其他法律行政法规禁止公开00000003.危及“三安全一稳定”0000000"
    "4.保护第三方合法权益00000005.属于三类内部事务信息00000006.属于四类过程性信息0000000"
    "7.属于行政执法案卷00000008.属于行政查询事项0000000三、本年度办理结果（四）无法提供"
    "1.本机关不掌握相关政府信息70000072.没有现成信息需要另行制作00000003.补正后申请内容仍不明确5000005"
    "（五）不予处理1.信访举报投诉类申请00000002.重复申请30000033.要求提供公开出版物0000000"
    "4.无正当理由大量反复申请00000005.要求行政机关确认或重新出具已获取信息0000000（六）其他处理0 0 0 0 0 00"
    "（七）总计23 0 00 0 023四、结转下年度继续办理 0 0 00 00 0 四、政府信息公开行政复议、行政诉讼情况"
    "行政复议行政诉讼结果维持结果纠正其他结果尚未审结总计未经复议直接起诉复议后起诉结果维持结果纠正其他结果尚未审结总计"
    "结果维持结果纠正其他结果尚未审结总计000000000000000 五、存在的主要问题及改进情况2019年，我区…"
)
TABLE2_2019 = (
    "二、主动公开政府信息情况 第二十条第（一）项信息内容本年新制作数量本年新公开数量对外公开总数量"
    "规章000规范性文件898989第二十条第（五）项信息内容上一年项目数量本年增/减处理决定数量行政许可3960181"
    "其他对外管理服务事项100153第二十条第（六）项信息内容上一年项目数量本年增/减处理决定数量行政处罚14-20"
    "行政强制126025第二十条第（八）项信息内容上一年项目数量本年增/减行政事业性收费350"
    "第二十条第（九）项信息内容采购项目数量采购总金额政府集中采购13575394432.52元"
)


def runs(text, template="2019"):
    return [[t.text for t in s.tokens] for s in stream_segments(text, 1, template) if s.tokens]


def test_labels_are_found_anywhere_in_the_stream_and_the_longest_wins():
    text = "行政规范性文件898989规章000"
    hits = find_labels(text, "2021")
    assert [text[h.start:h.end] for h in hits] == ["行政规范性文件", "规章"]


def test_the_next_labels_item_number_glued_to_a_run_belongs_to_the_label():
    text = "1.本机关不掌握相关政府信息70000072.没有现成信息需要另行制作00000003.补正后申请内容仍不明确5000005"
    assert runs(text) == [["7000007"], ["0000000"], ["5000005"]]


def test_an_item_number_printed_without_its_point_is_left_in_the_run():
    # 0000002其他… may be a run ending in 2 before a label printed without its number.
    text = "1.属于国家秘密00000002其他法律行政法规禁止公开0000000 3.危及“三安全一稳定”0000000"
    assert runs(text) == [["00000002"], ["0000000"], ["0000000"]]


def test_spaces_inside_labels_and_runs_are_kept_apart():
    text = "1.本机关不掌握 相关政府 信息 7 0 0 0 0 0 7 2.没有现成信息需要另行制作 00000003.补正后申请内容仍不明确 12 0000012"
    assert runs(text) == [["7", "0", "0", "0", "0", "0", "7"], ["0000000"], ["12", "0000012"]]


def test_negative_figures_and_closing_quotes_and_decimals():
    assert runs(TABLE2_2019)[:6] == [["000"], ["898989"], ["3960181"], ["100153"], ["14", "-20"], ["126025"]]
    assert runs(TABLE2_2019)[-1] == ["13575394432.52"]


def test_a_thousands_grouping_torn_by_the_stream_gives_no_values():
    segments = stream_segments("规章000行政规范性文件1234,567行政许可12", 1, "2021")
    assert [[t.text for t in s.tokens] for s in segments[:3]] == [["000"], [], ["12"]]


def test_a_line_with_few_labels_is_not_a_stream():
    assert stream_segments("全年行政许可12件，行政处罚3件。", 1, "2021") is None


def test_a_signed_run_splits_with_the_sign_on_its_first_cell():
    tokens = (Token("number", "14", 14, 1, None, 0), Token("number", "-20", -20, 1, None, 1))
    readings = {tuple(s.value for s in a.slots) for a in row_alignments(tokens, 3, whole=True)}
    assert readings == {(1, 4, -20), (14, -2, 0)}


def test_the_2019_crawler_stream_is_read_cell_by_cell():
    report = parse_text(HEAD + TABLE2_2019 + TABLE3_2019)
    values = report.values()
    assert report.status == "repaired"
    assert [values[f"table3.new_received.{c}"] for c in ("natural_person", "other_org", "total")] == [23, 0, 23]
    assert values["table3.partially_granted.natural_person"] == 1
    assert values["table3.unavailable_not_held.total"] == 7
    assert values["table3.not_processed_duplicate.total"] == 3
    assert values["table3.total_handled.total"] == 23
    assert all(values[c] == 0 for c in values if c.startswith("table4."))
    assert all(check.passed for check in report.checks)


def test_table2_runs_nothing_fixes_stay_lost_never_read_from_the_left():
    report = parse_text(HEAD + TABLE2_2019 + TABLE3_2019)
    cells = {c.code: c for c in report.cells}
    assert [cells[f"table2.rules.{c}"].value for c in ("new_made", "new_published", "total_published")] == [0, 0, 0]
    for code in ("table2.normative_documents.new_made", "table2.penalty.items_change", "table2.fees.items_last_year",
                 "table2.procurement.projects", "table2.procurement.amount_10k_yuan"):
        assert (cells[code].value, cells[code].status) == (None, "lost")
    assert sum(p.code == "table2.row_short" for p in report.errors) == 7  # each one warned of


def test_the_stream_reading_is_taken_only_where_it_finds_more_of_table3():
    lines = split_lines(HEAD + TABLE3_2019)
    plain = match_rows(lines, "2019")
    assert not plain.stream and len(plain.rows) < 5
    chosen = prefer_stream(lines, "2019", plain)
    assert chosen.stream and len([r for r in chosen.rows if r != "table4"]) == 23
    assert read_stream(split_lines("一、本年新收政府信息公开申请数量\n5\n"), "2019") is None


def stream_text(report, rng):
    """Render a synthetic report as a crawler does: title, then every cell run together on one line."""
    lines = [line.strip() for line in render_report(report).decode("utf-8").split("\n") if line.strip()]
    return lines[0] + "\n" + "".join(line + rng.choice(("", "", "", " ")) for line in lines[1:])


def spaces_anywhere(text, rng):
    """Put a space between two digits here and there: inside numbers as well as between cells."""
    return re.sub(r"(?<=\d)(?=\d)", lambda _m: " " if rng.random() < 0.15 else "", text)


@pytest.mark.parametrize("seed, spaced", [(3, False), (4, True)])
def test_synthetic_streams_are_never_wrong_and_mostly_read(seed, spaced):
    right = lost = 0
    for index in range(25):
        drawn = generate_report(index, seed, layouts=("lines",), anomaly_rate=0)
        rng = random.Random(index)
        text = stream_text(drawn, rng)
        report = parse_text(spaces_anywhere(text, rng) if spaced else text)
        values = report.values()
        for code, expected in drawn.values.items():
            got = values.get(code)
            if got is None:
                lost += 1
            else:
                assert got == expected, (index, code)
                right += 1
    assert right / (right + lost) > 0.95


def test_a_row_per_line_reads_as_the_whole_stream_does():
    hits = find_labels(TABLE3_2019, "2019")
    cuts = [0] + [h.start for h in hits] + [len(TABLE3_2019)]
    per_line = "\n".join(TABLE3_2019[a:b] for a, b in zip(cuts, cuts[1:]) if TABLE3_2019[a:b].strip())
    whole, rows = parse_text(HEAD + TABLE3_2019).values(), parse_text(HEAD + per_line)
    assert rows.status == "repaired"
    assert {c: v for c, v in rows.values().items() if c.startswith(("table3", "table4"))} == {
        c: v for c, v in whole.items() if c.startswith(("table3", "table4"))}
    assert all(c.startswith("table2") for c, v in rows.values().items() if v is None)


def test_a_label_printed_last_on_its_line_labels_the_run_on_the_next():
    text = HEAD + TABLE3_2019.replace("（七）总计23 0 00 0 023", "（七）总计\n23 0 00 0 023")
    assert parse_text(text).values()["table3.total_handled.total"] == 23


def test_spaces_in_a_run_are_not_taken_for_cell_boundaries():
    # 13, 0, 445 run together and spaced as 130 44 5: three figures for three cells, yet not certain.
    report = parse_text(HEAD + TABLE2_2019.replace("行政许可3960181", "行政许可130 44 5") + TABLE3_2019)
    cells = {c.code: c for c in report.cells}
    assert [cells[f"table2.licensing.{c}"].status for c in ("items_last_year", "items_change", "decisions")] == [
        "lost", "lost", "lost"]
    assert report.values()["table3.total_handled.total"] == 23


def test_a_decimal_amount_run_into_a_count_stays_lost():
    report = parse_text(HEAD + TABLE2_2019.replace("13575394432.52元", "82 4.14") + TABLE3_2019)
    assert [report.values()[f"table2.procurement.{c}"] for c in ("projects", "amount_10k_yuan")] == [None, None]


def _broken_stream(index: int) -> tuple:
    """A synthetic report run together as a crawler leaves it, spaces put after digits, every
    space then a line break: runs split anywhere, inside numbers too (``998`` / ``.74…``)."""
    drawn = generate_report(index, "stream-broken", layouts=("lines",), anomaly_rate=0)
    rng = random.Random(index)
    lines = [line.strip() for line in render_report(drawn).decode("utf-8").split("\n") if line.strip()]
    text = lines[0] + "\n" + "".join(line + rng.choice(("", "", "", " ")) for line in lines[1:])
    text = "".join(ch + (" " if ch.isdigit() and rng.random() < 0.15 else "") for ch in text)
    return text.replace(" ", "\n"), drawn.values


def test_a_stream_broken_over_lines_anywhere_is_never_read_wrong():
    right = wrong = 0
    for index in range(40):
        text, published = _broken_stream(index)
        values = parse_text(text).values()
        right += sum(values.get(code) == want for code, want in published.items() if values.get(code) is not None)
        wrong += sum(values.get(code) not in (None, want) for code, want in published.items())
    assert wrong == 0
    assert right > 500
