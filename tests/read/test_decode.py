"""Bad input gets status failed with a specific reason, never a traceback."""

import pytest

from govreports import SourceError, parse
from govreports.read import decode_text, read_document


@pytest.mark.parametrize("content, reason", [
    pytest.param(b"", "empty file", id="empty"),
    pytest.param(b"   \n\n  ", "empty file", id="whitespace only"),
    pytest.param(bytes(range(256)) * 20, "binary content", id="binary junk"),
    pytest.param("今天天气很好,我们去公园散步。\n".encode() * 5, "not a government information disclosure report", id="not a report"),
    pytest.param("某县人民政府2023年政府信息公开工作年度报告\n一、总体情况\n本年度工作顺利。\n".encode(), "no template tables found", id="report without tables"),
    pytest.param(b"\x81\x30\xff\xfe\xfa" * 400, "undecodable", id="undecodable"),
])
def test_bad_input_fails_with_a_specific_reason(tmp_path, content, reason):
    path = tmp_path / "report.txt"
    path.write_bytes(content)
    report = parse(path)
    assert report.status == "failed"
    assert reason in report.errors[0].message
    assert report.cells == ()


def test_missing_file_fails_with_the_path(tmp_path):
    report = parse(tmp_path / "nope.txt")
    assert report.status == "failed"
    assert "cannot read" in report.errors[0].message


def test_gbk_text_is_decoded(tmp_path):
    path = tmp_path / "gbk.txt"
    text = "湘阴县人民政府2023年政府信息公开工作年度报告\n" * 3
    path.write_bytes(text.encode("gbk"))
    document = read_document(path)
    assert document.text == text
    assert document.encoding == "gb18030"


def test_forced_wrong_encoding_is_a_source_error():
    with pytest.raises(SourceError, match="cannot decode as ascii"):
        decode_text("政府".encode(), "x.txt", "ascii")
