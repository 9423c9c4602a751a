"""Metadata extraction: the five seed reports field by field, and small inline reports."""

import os
import subprocess
import sys
import unicodedata
from pathlib import Path

import pytest

from govreports.parse.metadata import extract_metadata
from govreports.records import Metadata

ROOT = Path(__file__).resolve().parents[2]
RAW = ROOT / "data" / "raw"

FIELDS = ("agency", "year", "published", "province", "prefecture", "county", "adcode", "level", "kind")


def nfkc(text: str) -> str:
    return unicodedata.normalize("NFKC", text)


def read_seed(name: str) -> str:
    return nfkc((RAW / name).read_text(encoding="utf-8"))


def fields(meta: Metadata) -> dict:
    return {f: getattr(meta, f) for f in FIELDS}


SEEDS = {
    "000_9ead0039b57e9f32.txt": dict(
        agency="松原市政务服务和数字化建设管理局", year=2023, published=None, province="吉林省",
        prefecture="松原市", county=None, adcode="220700", level="prefecture", kind="department"),
    "001_9b0f64044e721509.txt": dict(
        agency="葫芦岛市连山区人民政府", year=2021, published=None, province="辽宁省",
        prefecture="葫芦岛市", county="连山区", adcode="211402", level="county", kind="government"),
    "002_b24b1ab6d4164d4e.txt": dict(
        agency="绥滨县营商环境建设监督局", year=2023, published="2024-01-02", province="黑龙江省",
        prefecture="鹤岗市", county="绥滨县", adcode="230422", level="county", kind="department"),
    "003_7d12747508f9e08c.txt": dict(
        agency="湘阴县人民政府", year=2023, published="2024-01-01", province="湖南省",
        prefecture="岳阳市", county="湘阴县", adcode="430624", level="county", kind="government"),
    "004_c493ddf6db4f273e.txt": dict(
        agency="常德市行政审批服务局", year=2020, published="2021-01-29", province="湖南省",
        prefecture="常德市", county=None, adcode="430700", level="prefecture", kind="department"),
}


@pytest.mark.parametrize("name", sorted(SEEDS), ids=[n[:3] for n in sorted(SEEDS)])
def test_seed_metadata(name):
    meta = extract_metadata(read_seed(name), name)
    assert fields(meta) == SEEDS[name]


def test_seed_without_title_says_where_agency_and_year_came_from():
    meta = extract_metadata(read_seed("000_9ead0039b57e9f32.txt"))
    assert meta.notes == (
        "agency read from the body (contact line), no title names it",
        "year read from the body (statistics period)",
    )


def test_seed_archiving_date_is_not_the_publication_date():
    # 004 ends with "归档时间:2024-03-25"; it was published 2021-01-29.
    assert extract_metadata(read_seed("004_c493ddf6db4f273e.txt")).published == "2021-01-29"


INLINE = [
    pytest.param(
        "湖南省人民政府2022年政府信息公开工作年度报告\n一、总体情况\n",
        dict(agency="湖南省人民政府", year=2022, published=None, province="湖南省", prefecture=None,
             county=None, adcode="430000", level="province", kind="government"),
        id="province_government"),
    pytest.param(
        "湘阴县文星镇人民政府2022年政府信息公开工作年度报告\n一、总体情况\n",
        dict(agency="湘阴县文星镇人民政府", year=2022, published=None, province="湖南省", prefecture="岳阳市",
             county="湘阴县", adcode="430624", level="township", kind="government"),
        id="township_government"),
    pytest.param(
        "长沙市天心区坡子街街道2021年政府信息公开工作年度报告\n",
        dict(agency="长沙市天心区坡子街街道办事处", year=2021, published=None, province="湖南省",
             prefecture="长沙市", county="天心区", adcode="430103", level="township", kind="government"),
        id="subdistrict_named_alone"),
    pytest.param(
        "湘阴县人民政府办公室2021年政府信息公开工作年度报告\n",
        dict(agency="湘阴县人民政府办公室", year=2021, published=None, province="湖南省", prefecture="岳阳市",
             county="湘阴县", adcode="430624", level="county", kind="government"),
        id="general_office_of_a_government"),
    pytest.param(
        "湖南省人民政府外事办公室2021年政府信息公开工作年度报告\n",
        dict(agency="湖南省人民政府外事办公室", year=2021, published=None, province="湖南省", prefecture=None,
             county=None, adcode="430000", level="province", kind="department"),
        id="specialised_office_is_a_department"),
    pytest.param(
        # cpca gives the prefecture as its placeholder 市辖区: the municipality is reported instead.
        "上海市浦东新区人民政府2021年政府信息公开工作年度报告\n",
        dict(agency="上海市浦东新区人民政府", year=2021, published=None, province="上海市", prefecture="上海市",
             county="浦东新区", adcode="310115", level="county", kind="government"),
        id="district_of_a_municipality"),
    pytest.param(
        "内蒙古鄂尔多斯市准格尔旗2021年政府信息公开工作年度报告\n",
        dict(agency="内蒙古鄂尔多斯市准格尔旗人民政府", year=2021, published=None, province="内蒙古自治区",
             prefecture="鄂尔多斯市", county="准格尔旗", adcode="150622", level="county", kind="government"),
        id="banner_named_alone"),
    pytest.param(
        "湘阴县教育局2020年度政府信息公开工作年度报告\n",
        dict(agency="湘阴县教育局", year=2020, published=None, province="湖南省", prefecture="岳阳市",
             county="湘阴县", adcode="430624", level="county", kind="department"),
        id="title_year_nian_du"),
    pytest.param(
        "2022年度湘阴县政府信息公开工作年度报告\n",
        dict(agency="湘阴县人民政府", year=2022, published=None, province="湖南省", prefecture="岳阳市",
             county="湘阴县", adcode="430624", level="county", kind="government"),
        id="title_year_first"),
    pytest.param(
        "湘阴县人民政府2021年政府信息公开工作年度报告\n发布时间:2022-01-28 09:30 浏览次数:3\n正文\n",
        dict(agency="湘阴县人民政府", year=2021, published="2022-01-28", province="湖南省", prefecture="岳阳市",
             county="湘阴县", adcode="430624", level="county", kind="government"),
        id="published_the_year_after"),
    pytest.param(
        "湘阴县财政局2023年政府信息公开工作年度报告\n正文\n六、其他需要报告的事项\n无。\n湘阴县财政局\n二〇二四年一月十二日\n",
        dict(agency="湘阴县财政局", year=2023, published="2024-01-12", province="湖南省", prefecture="岳阳市",
             county="湘阴县", adcode="430624", level="county", kind="department"),
        id="signature_date_in_characters"),
]


@pytest.mark.parametrize("text, expected", INLINE)
def test_inline_report(text, expected):
    assert fields(extract_metadata(nfkc(text))) == expected


def test_ocr_misread_county_is_corrected_with_a_note():
    # 湘阳县 is no county; 湘阴县 (named correctly in the body) is one character away.
    text = nfkc("湘阳县人民政府2023年政府信息公开工作年度报告\n2023年,湘阴县人民政府坚持以公开为常态。\n")
    meta = extract_metadata(text)
    assert (meta.agency, meta.province, meta.prefecture, meta.county, meta.adcode, meta.level, meta.kind) == (
        "湘阴县人民政府", "湖南省", "岳阳市", "湘阴县", "430624", "county", "government")
    assert meta.notes == (
        "place name 湘阳县 is no real division: read as 湘阴县 (430624), one character differs by one stroke (OCR)",)


def test_ocr_misread_one_stroke_from_a_single_county_is_corrected_without_context():
    # Many counties are one character from 湘阳县 (湘潭县, 岳阳县...), only 湘阴县 one stroke (日/月).
    meta = extract_metadata(nfkc("湘阳县人民政府2023年政府信息公开工作年度报告\n正文\n"))
    assert (meta.agency, meta.agency_printed, meta.adcode, meta.level, meta.kind) == (
        "湘阴县人民政府", "湘阳县人民政府", "430624", "county", "government")


def test_ocr_misread_without_evidence_is_left_alone():
    # 风山县 is one stroke from both 凤山县 (广西) and 龙山县 (湖南), and the text names neither: nothing chosen.
    meta = extract_metadata(nfkc("风山县人民政府2023年政府信息公开工作年度报告\n正文\n"))
    assert (meta.agency, meta.adcode, meta.province, meta.level, meta.kind, meta.notes) == (
        "风山县人民政府", None, None, None, "government", ())


def test_ocr_misread_with_two_one_stroke_candidates_takes_the_one_the_text_places():
    meta = extract_metadata(nfkc("风山县人民政府2023年政府信息公开工作年度报告\n湖南省湘西土家族苗族自治州\n"))
    assert (meta.agency, meta.adcode, meta.prefecture) == ("龙山县人民政府", "433130", "湘西土家族苗族自治州")


def test_shared_county_name_is_resolved_from_the_text():
    meta = extract_metadata(nfkc("朝阳区人民政府2021年政府信息公开工作年度报告\n北京市朝阳区坚持依法公开。\n"))
    assert (meta.province, meta.prefecture, meta.county, meta.adcode) == ("北京市", "北京市", "朝阳区", "110105")
    assert meta.notes == ("朝阳区 names 2 divisions: chose 110105 from the places the text names",)


def test_town_without_county_takes_the_county_the_text_names():
    meta = extract_metadata(nfkc("文星镇人民政府2022年政府信息公开工作年度报告\n2022年,湘阴县文星镇深化政务公开。\n"))
    assert (meta.agency, meta.county, meta.adcode, meta.level, meta.kind) == (
        "文星镇人民政府", "湘阴县", "430624", "township", "government")
    assert meta.notes == ("the agency's name names no place: jurisdiction 430624 is the one the text names most",)


def test_no_title_year_from_statistics_period_not_publication():
    text = nfkc(
        "本报告所列数据统计期限自2022年1月1日起至2022年12月31日止。\n"
        "如对本报告有疑问,请与湘阴县财政局联系。\n发布日期:2023年1月30日\n"
    )
    meta = extract_metadata(text)
    assert (meta.year, meta.published, meta.agency, meta.adcode, meta.kind) == (
        2022, "2023-01-30", "湘阴县财政局", "430624", "department")
    assert meta.notes == (
        "agency read from the body (enquiries), no title names it",
        "year read from the body (statistics period)",
    )


def test_compiler_sub_unit_is_cut_to_its_body():
    meta = extract_metadata(nfkc("前言\n本报告由常德市行政审批服务局政务公开领导小组办公室编制。\n"))
    assert (meta.agency, meta.adcode, meta.level, meta.kind) == ("常德市行政审批服务局", "430700", "prefecture", "department")


def test_split_title_takes_the_agency_line_not_the_site_banner():
    text = nfkc("湘阴县人民政府门户网站\n2023年政府信息公开工作年度报告\n湘阴县人民政府\n")
    meta = extract_metadata(text)
    assert (meta.agency, meta.year, meta.adcode, meta.kind, meta.notes) == ("湘阴县人民政府", 2023, "430624", "government", ())


def test_web_page_header_gives_publisher_and_date():
    text = nfkc("索引号: 123 发布机构: 湘阴县财政局 成文日期: 2023-01-20 归档时间: 2024-03-25\n一、总体情况\n")
    meta = extract_metadata(text)
    assert (meta.agency, meta.published, meta.year, meta.level) == ("湘阴县财政局", "2023-01-20", None, "county")
    assert meta.notes == ("agency read from the body (publisher), no title names it",)


@pytest.mark.parametrize("text", ["", "   \n\n  ", "一、总体情况\n无。\n", "12345"], ids=["empty", "blank", "no_title", "digits"])
def test_odd_input_gives_empty_metadata(text):
    assert extract_metadata(text) == Metadata()


def test_non_string_input_gives_empty_metadata():
    assert extract_metadata(None) == Metadata()  # type: ignore[arg-type]


def test_importing_the_module_does_not_load_cpca():
    code = "import sys, govreports.parse.metadata; print('cpca' in sys.modules)"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, cwd=ROOT, check=True)
    assert out.stdout.strip() == "False"


# --- real title lines (the development reports of ../shared/real, heads copied inline) ---------

REAL_HEADS = [
    pytest.param(
        "正文\n2024 年上海市科委政府信息公开工作\n年度报告\n根据《中华人民共和国政府信息公开条例》和《上海市政府\n"
        "信息公开规定》的要求,市科委编制了 2024 年度政务公开工作\n",
        dict(agency="上海市科学技术委员会", agency_printed="上海市科委", year=2024, province="上海市",
             prefecture=None, county=None, adcode="310000", level="province", kind="department"),
        id="kewei_header_wrapped_short_form"),
    pytest.param(
        "# 沐阳县人民政府 2025 年 政府信息公开工作年度报告\n\n沐阳县人民政府\n(2026年1月23日)\n",
        dict(agency="沭阳县人民政府", agency_printed="沐阳县人民政府", year=2025, province="江苏省",
             prefecture="宿迁市", county="沭阳县", adcode="321322", level="county", kind="government"),
        id="shuyang_ocr_one_stroke"),
    pytest.param(
        "标题: 平潭综合实验区2019年度政府信息公开工作年度报告\n发布时间: 2020-01-20 15:22\n文号: \n发布机构: \n"
        "栏目: 政府信息公开年报\n",
        dict(agency="平潭综合实验区", agency_printed="平潭综合实验区", year=2019, province="福建省",
             prefecture="福州市", county="平潭县", adcode="350128", level="county", kind="government"),
        id="pingtan_crawler_header"),
    pytest.param(
        "淮安市洪泽区人民政府\n2024 年政府信息公开工作年度报告\n本报告由淮安市洪泽区人民政府办公室根据《中华人民共和\n",
        dict(agency="淮安市洪泽区人民政府", agency_printed="淮安市洪泽区人民政府", year=2024, province="江苏省",
             prefecture="淮安市", county="洪泽区", adcode="320813", level="county", kind="government"),
        id="hongze_agency_above_title"),
]

META_FIELDS = ("agency", "agency_printed", "year", "province", "prefecture", "county", "adcode", "level", "kind")


@pytest.mark.parametrize("text, expected", REAL_HEADS)
def test_real_title_heads(text, expected):
    meta = extract_metadata(nfkc(text))
    assert {f: getattr(meta, f) for f in META_FIELDS} == expected


def test_kewei_short_form_note_says_where_the_full_name_came_from():
    meta = extract_metadata(nfkc("2024 年上海市科委政府信息公开工作\n年度报告\n"))
    assert meta.notes == ("agency printed as 上海市科委: 上海市科学技术委员会, from the vocabulary of short forms",)


def test_full_name_spelled_out_in_the_text_wins_over_the_vocabulary():
    # The vocabulary says 农委 is 农业委员会; this text spells out 上海市农业农村委员会.
    meta = extract_metadata(nfkc("上海市农委2019年政府信息公开工作年度报告\n上海市农业农村委员会(以下简称市农委)\n"))
    assert (meta.agency, meta.agency_printed, meta.kind) == ("上海市农业农村委员会", "上海市农委", "department")
    assert meta.notes == ("agency printed as 上海市农委: 上海市农业农村委员会, as the text spells it",)


@pytest.mark.parametrize("title, agency, kind", [
    ("湘阴县发改局", "湘阴县发展和改革局", "department"),
    ("湘阴县政府办", "湘阴县人民政府办公室", "government"),
    ("湘阴县东塘镇政府", "湘阴县东塘镇人民政府", "government"),
    ("湘阴县人社局", "湘阴县人力资源和社会保障局", "department"),
])
def test_usual_short_forms_are_expanded(title, agency, kind):
    meta = extract_metadata(nfkc(f"{title}2023年政府信息公开工作年度报告\n"))
    assert (meta.agency, meta.agency_printed, meta.adcode, meta.kind) == (agency, title, "430624", kind)


def test_agency_without_place_takes_the_place_the_text_states():
    meta = extract_metadata(nfkc("市科委2024年政府信息公开工作年度报告\n上海市科委坚持依法公开。\n"))
    assert (meta.agency, meta.agency_printed, meta.adcode, meta.level) == (
        "上海市科学技术委员会", "市科委", "310000", "province")


def test_title_wrapped_inside_the_report_phrase():
    meta = extract_metadata(nfkc("湘阴县人民政府2023年政府信息\n公开工作年度报告\n"))
    assert (meta.agency, meta.year, meta.adcode) == ("湘阴县人民政府", 2023, "430624")


@pytest.mark.parametrize("title, agency, kind", [
    ("平潭综合实验区地方税务局", "平潭综合实验区地方税务局", "department"),
    ("平潭综合实验区管委会", "平潭综合实验区管理委员会", "government"),
    ("福建省平潭综合实验区", "福建省平潭综合实验区", "government"),
])
def test_development_zone_is_placed_in_the_division_whose_name_it_bears(title, agency, kind):
    meta = extract_metadata(nfkc(f"{title}2014年政府信息公开工作年度报告\n"))
    assert (meta.agency, meta.county, meta.adcode, meta.level, meta.kind) == (agency, "平潭县", "350128", "county", kind)


def test_development_zone_without_a_division_of_its_name_has_no_place():
    meta = extract_metadata(nfkc("两江新区管委会2023年政府信息公开工作年度报告\n正文\n"))
    assert (meta.agency, meta.adcode, meta.level, meta.kind) == ("两江新区管理委员会", None, None, "government")


def test_development_zone_whose_text_places_it_in_another_province_is_not_guessed():
    # 东湖 is also 南昌's 东湖区, but this report writes out 武汉市.
    meta = extract_metadata(nfkc("东湖高新区管委会2023年政府信息公开工作年度报告\n2023年,武汉市东湖高新区坚持公开。\n"))
    assert (meta.agency, meta.adcode, meta.province) == ("东湖高新区管理委员会", None, None)


def test_agency_without_place_takes_the_place_the_text_writes_it_with():
    meta = extract_metadata(nfkc("教育局2023年政府信息公开工作年度报告\n2023年,湘阴县教育局坚持公开。\n"))
    assert (meta.agency, meta.agency_printed, meta.adcode, meta.level, meta.kind) == (
        "湘阴县教育局", "教育局", "430624", "county", "department")
    assert meta.notes == ("the agency's name names no place: the text writes it 湘阴县教育局",)


def test_title_wrapped_inside_the_agency_name():
    # "政府2024年..." alone would name "政府": the joined lines name a real place.
    meta = extract_metadata(nfkc("淮安市洪泽区人民\n政府2024年政府信息公开工作年度报告\n"))
    assert (meta.agency, meta.year, meta.adcode) == ("淮安市洪泽区人民政府", 2024, "320813")


def test_title_wrapped_over_three_lines_with_the_year_alone():
    meta = extract_metadata(nfkc("淮安市洪泽区人民政府\n2024年度\n政府信息公开工作年度报告\n"))
    assert (meta.agency, meta.year, meta.adcode) == ("淮安市洪泽区人民政府", 2024, "320813")


# pdftotext without -layout: sentences wrapped mid-word (the hongze report's opening, title cut off).
HONGZE_BODY = (
    "本报告由淮安市洪泽区人民政府办公室根据《中华人民共和\n国政府信息公开条例》(国令第 711 号)(以下简称《条例》)\n"
    "要求编制此报告。报告中所列数据统计期限自 2024 年 1 月 1 日\n起至 2024 年 12 月 31 日止。如对本报告有疑问,请与淮安市洪\n"
    "泽区人民政府办公室联系(地址:淮安市洪泽区洪泽湖大道 90\n号,邮编:223100,电话:0517-87290606)。\n"
)


def test_title_without_year_takes_the_period_wrapped_over_lines():
    meta = extract_metadata(nfkc("淮安市洪泽区人民政府\n政府信息公开工作年度报告\n" + HONGZE_BODY))
    assert (meta.agency, meta.year, meta.adcode) == ("淮安市洪泽区人民政府", 2024, "320813")
    assert meta.notes == ("year read from the body (statistics period)",)


def test_no_title_a_government_office_compiling_the_report_does_so_for_its_government():
    meta = extract_metadata(nfkc(HONGZE_BODY))
    assert (meta.agency, meta.year, meta.adcode, meta.level, meta.kind) == (
        "淮安市洪泽区人民政府", 2024, "320813", "county", "government")
    assert meta.notes == ("agency read from the body (compiled by), no title names it",
                          "year read from the body (statistics period)")


def test_zone_committee_after_its_city_is_a_government():
    meta = extract_metadata(nfkc("东莞市松山湖高新区管委会2023年政府信息公开工作年度报告\n"))
    assert (meta.agency, meta.adcode, meta.level, meta.kind) == (
        "东莞市松山湖高新区管理委员会", "441900", "prefecture", "government")


def test_place_newer_than_the_table_is_not_read_as_a_name_one_character_off():
    # 坪山区 (2016) is not in cpca's table; 南山区 is one character off but not of a similar shape:
    # the current list of divisions has it.
    meta = extract_metadata(nfkc("深圳市坪山区人民政府2023年政府信息公开工作年度报告\n正文\n"))
    assert (meta.agency, meta.county, meta.adcode, meta.level, meta.notes) == (
        "深圳市坪山区人民政府", "坪山区", "440310", "county",
        ("坪山区 is newer than cpca's table: 440310 from the current list of divisions",))


@pytest.mark.parametrize("title, county, adcode, kind", [
    ("杭州市临平区人民政府", "临平区", "330113", "government"),   # new district (2021)
    ("济南市莱芜区教育局", "莱芜区", "370116", "department"),     # prefecture merged in (2019)
    ("海门区人民政府", "海门区", "320614", "government"),         # 海门市 -> 海门区: cpca read 海门 as 海门市
    ("赣县区人民政府", "赣县区", "360704", "government"),         # 赣县 -> 赣县区
    ("宁乡市人民政府", "宁乡市", "430182", "government"),         # 宁乡县 -> 宁乡市, a new code
    ("那曲市色尼区人民政府", "色尼区", "540602", "government"),   # new prefecture and district
])
def test_divisions_newer_than_cpca_take_their_current_code(title, county, adcode, kind):
    meta = extract_metadata(nfkc(f"{title}2023年政府信息公开工作年度报告\n"))
    assert (meta.agency, meta.county, meta.adcode, meta.level, meta.kind) == (title, county, adcode, "county", kind)


def test_county_read_whole_keeps_the_rest_starting_with_a_suffix():
    meta = extract_metadata(nfkc("湘阴县市场监督管理局2023年政府信息公开工作年度报告\n"))
    assert (meta.agency, meta.adcode, meta.kind, meta.notes) == ("湘阴县市场监督管理局", "430624", "department", ())


def test_letter_spaced_title_of_a_pdf():
    meta = extract_metadata(nfkc("岳 阳 市 教 育 局\n2 0 2 3 年 政 府 信 息 公 开 工 作 年 度 报 告\n"))
    assert (meta.agency, meta.year, meta.adcode, meta.notes) == ("岳阳市教育局", 2023, "430600", ())


@pytest.mark.parametrize("title, agency", [
    ("上海市住建委", "上海市住房和城乡建设管理委员会"),   # Shanghai's own name for it
    ("北京市住建委", "北京市住房和城乡建设委员会"),       # the usual one
    ("上海市房管局", "上海市房屋管理局"),
    ("长沙市房管局", "长沙市房管局"),                     # no usual full form: kept as printed
])
def test_short_forms_a_place_names_its_own_way(title, agency):
    meta = extract_metadata(nfkc(f"{title}2023年政府信息公开工作年度报告\n"))
    assert (meta.agency, meta.agency_printed) == (agency, title)


def test_bracketed_date_under_the_title_is_the_publication_date():
    meta = extract_metadata(nfkc("# 沐阳县人民政府 2025 年 政府信息公开工作年度报告\n\n沐阳县人民政府\n(2026年1月23日)\n"))
    assert (meta.year, meta.published) == (2025, "2026-01-23")


def test_province_department_without_place_takes_it_from_the_text():
    meta = extract_metadata(nfkc("省科技厅2023年政府信息公开工作年度报告\n2023年,湖南省科技厅坚持依法公开。\n"))
    assert (meta.agency, meta.agency_printed, meta.adcode, meta.level, meta.kind) == (
        "湖南省科学技术厅", "省科技厅", "430000", "province", "department")


def test_cpca_loads_its_divisions_without_importing_pkg_resources():
    # pkg_resources costs ~0.2 s of CPU to import; a one-file `govreports parse` must not pay it
    code = ("import sys; from govreports.parse.divisions import cpca_place; "
            "print(cpca_place('南京市玄武区').adcode, 'pkg_resources' in sys.modules)")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True,
                         env={**os.environ, "PYTHONPATH": str(ROOT)})
    assert out.stdout.split() == ["320102", "False"]
