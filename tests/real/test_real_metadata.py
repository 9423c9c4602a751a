"""Every metadata field of the real development reports (keys as in ../shared/real/truth).

The raw files are copied into tests/real/raw/ by the stages that read their tables; a file not
yet there is skipped by name. The keys' metadata is written out here so the test stands alone.
"""

from pathlib import Path

import pytest

from govreports.parse import parse

RAW = Path(__file__).resolve().parent / "raw"

HONGZE = dict(year=2024, template="2021", agency=("淮安市洪泽区人民政府", "洪泽区人民政府"), province="江苏省",
              prefecture="淮安市", county="洪泽区", adcode="320813", level="county", kind="government")
PINGTAN = dict(agency=("平潭综合实验区", "平潭综合实验区管委会", "平潭综合实验区管理委员会"), province="福建省",
               prefecture="福州市", county="平潭县", adcode="350128", level="county", kind="government")

KEYS = {
    "hongze-district_2024.txt": HONGZE,
    "hongze-district_2024.pdf": HONGZE,
    "pingtan-zone_2019.txt": dict(PINGTAN, year=2019, template="2019"),
    "pingtan-zone_2022.txt": dict(PINGTAN, year=2022, template="2021"),
    "shanghai-gov-office_2019.html": dict(
        year=2019, template="2019", agency=("上海市人民政府办公厅",), province="上海市", prefecture=None,
        county=None, adcode="310000", level="province", kind="government"),
    "shanghai-kewei_2024.md": dict(
        year=2024, template="2021", agency=("上海市科学技术委员会", "上海市科委"), province="上海市",
        prefecture=None, county=None, adcode="310000", level="province", kind="department"),
    "shuyang-county_2025.txt": dict(
        year=2025, template="2021", agency=("沭阳县人民政府",), province="江苏省", prefecture="宿迁市",
        county="沭阳县", adcode="321322", level="county", kind="government"),
}

PRINTED = {
    "shanghai-kewei_2024.md": "上海市科委",
    "shuyang-county_2025.txt": "沐阳县人民政府",
    "pingtan-zone_2019.txt": "平潭综合实验区",
    "hongze-district_2024.txt": "淮安市洪泽区人民政府",
}


def parsed(name: str):
    path = RAW / name
    if not path.exists():
        pytest.skip(f"{name} is not in tests/real/raw yet")
    return parse(path)


@pytest.mark.parametrize("name", sorted(KEYS))
def test_every_metadata_field_of_the_key(name):
    report = parsed(name)
    meta = report.metadata
    key = KEYS[name]
    got = dict(year=meta.year, template=report.template, province=meta.province, prefecture=meta.prefecture,
               county=meta.county, adcode=meta.adcode, level=meta.level, kind=meta.kind)
    assert got == {field: value for field, value in key.items() if field != "agency"}
    assert meta.agency in key["agency"]


@pytest.mark.parametrize("name", sorted(PRINTED))
def test_the_agency_as_printed_is_kept(name):
    assert parsed(name).metadata.agency_printed == PRINTED[name]


def test_a_crawler_body_without_its_header_keeps_the_title_it_opens_with(tmp_path):
    # The crawler's header (标题: ...) gone, the page's heading runs into the body on one line.
    text = (RAW / "pingtan-zone_2019.txt").read_text(encoding="utf-8")
    body = text.split("=" * 20 + "\n", 1)[1]
    assert body.startswith("平潭综合实验区2019年政府信息公开工作年度报告 根据")
    path = tmp_path / "page.txt"
    path.write_text(body, encoding="utf-8")
    meta = parse(path).metadata
    assert (meta.agency, meta.year, meta.county, meta.adcode, meta.level, meta.kind) == (
        "平潭综合实验区", 2019, "平潭县", "350128", "county", "government")
