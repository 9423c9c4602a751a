"""A report's scope (govreports.parse.scope): agency, jurisdiction or unknown, on every bundled report."""

from conftest import RAW

from govreports import parse
from govreports.parse.scope import names_a_place_alone, report_scope

# Each bundled report's scope, read by hand from its title and narrative, and the reason.
BUNDLED = {
    "000_9ead0039b57e9f32.txt": "agency",  # a department (松原市政务服务和数字化建设管理局)
    "001_9b0f64044e721509.txt": "jurisdiction",  # the title names the district alone: 葫芦岛市连山区
    "002_b24b1ab6d4164d4e.txt": "agency",  # a department
    "003_7d12747508f9e08c.txt": "unknown",  # 湘阴县人民政府: nothing says whether it sums the county
    "004_c493ddf6db4f273e.txt": "agency",  # a department
    "hongze-district_2024.pdf": "unknown",  # 淮安市洪泽区人民政府: nothing says
    "hongze-district_2024.txt": "unknown",
    "pingtan-county_2012.txt": "jurisdiction",  # 根据…各相关部门、…各乡镇人民政府的…年度报告编制
    "pingtan-county_2013.txt": "jurisdiction",
    "pingtan-localtax_2013.txt": "agency",  # a department (the tax bureau)
    "pingtan-zone_2014.txt": "jurisdiction",  # 全区收到有关政府信息公开的信函申请1件
    "pingtan-zone_2017.txt": "jurisdiction",  # the title names the zone alone
    "pingtan-zone_2019.txt": "jurisdiction",
    "pingtan-zone_2022.txt": "jurisdiction",  # 汇总平潭综合实验区各有关单位政府信息公开工作情况编制而成
    "shanghai-gov-office_2019.html": "unknown",  # 上海市人民政府办公厅: nothing says
    "shanghai-kewei_2024.md": "agency",  # a department (上海市科学技术委员会)
    "shuyang-county_2025.txt": "jurisdiction",  # 全县全年共受理政府信息公开申请 749 件
}


def test_every_bundled_report_has_its_scope():
    assert {name: parse(RAW / name).metadata.scope for name in BUNDLED} == BUNDLED


def test_the_json_output_carries_the_scope():
    assert parse(RAW / "pingtan-zone_2022.txt").to_dict()["scope"] == "jurisdiction"


def scope(text, printed="某某县人民政府", agency="某某县人民政府", level="county", kind="government"):
    return report_scope(text, printed, agency, level, kind)


def test_compiled_from_members_is_a_jurisdiction():
    assert scope("本报告由县政府办公室汇总全县各乡镇、各部门政府信息公开工作情况编制而成。") == "jurisdiction"
    assert scope("本报告根据本县各部门政府信息公开工作年度报告汇总编制。") == "jurisdiction"


def test_a_notice_about_compiling_reports_says_nothing():
    text = "根据《关于做好各单位2023年度政府信息公开工作年度报告编制发布工作的通知》要求,现予公布。"
    assert scope(text) == "unknown"
    assert scope(text, kind="department") == "agency"


def test_whole_place_figures_and_own_figures():
    assert scope("2023年,全市共收到政府信息公开申请1203件。") == "jurisdiction"
    assert scope("2023年,本机关共收到政府信息公开申请12件。") == "agency"
    # both at once contradict each other: unknown, never a guess
    assert scope("全市共收到政府信息公开申请1203件。本机关共收到政府信息公开申请12件。") == "unknown"
    # a whole-place figure of something else is no summary
    assert scope("全市政务公开考评覆盖各部门。全区主动公开政府信息14571条。") == "unknown"


def test_a_place_named_alone_is_a_summary_but_a_township_is_its_own():
    assert names_a_place_alone("葫芦岛市连山区", "葫芦岛市连山区人民政府", "county")
    assert names_a_place_alone("平潭综合实验区", "平潭综合实验区", "county")
    assert not names_a_place_alone("平潭综合实验区管委会", "平潭综合实验区管理委员会", "county")
    assert not names_a_place_alone("湘阴县人民政府", "湘阴县人民政府", "county")
    assert not names_a_place_alone("湘阴县政府", "湘阴县人民政府", "county")  # a short form of the organ
    assert not names_a_place_alone("东塘镇", "东塘镇人民政府", "township")
    assert not names_a_place_alone(None, None, None)
