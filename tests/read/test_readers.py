"""HTML, Word and PDF reports give the answer key's cells; unreadable ones fail with a specific reason.

The renderings in tests/data/renderings were made by make_renderings.py there (the PDFs with
LibreOffice); these tests only read them.
"""

import json
import shutil
from pathlib import Path

import pytest
from conftest import TRUTH

from govreports import parse
from govreports.parse.layout import SPANNED
from govreports.read import read_document
from govreports.read.grids import expand_spans
from govreports.read.html import cell_text, parse_html, read_html
from govreports.read.pdf import continue_table, is_split_row

RENDERINGS = Path(__file__).resolve().parents[1] / "data" / "renderings"
MANIFEST = json.loads((RENDERINGS / "MANIFEST.json").read_text(encoding="utf-8"))


def _key(spec: dict) -> dict:
    if "truth" in spec:
        return json.loads((TRUTH / spec["truth"]).read_text(encoding="utf-8"))
    return spec


# ---------------------------------------------------------------- every rendering, every cell


@pytest.mark.parametrize("name", sorted(MANIFEST))
def test_rendering_gives_the_answer_keys_cells(name):
    spec = MANIFEST[name]
    key = _key(spec)
    report = parse(RENDERINGS / name)
    values = report.values()
    wrong = {code: (values.get(code), value) for code, value in key["cells"].items() if values.get(code) != value}
    assert wrong == {}
    assert [code for code in key.get("blank", []) if values.get(code) is not None] == []
    assert report.status == spec["status"], report.errors
    for field in ("agency", "year"):
        assert getattr(report.metadata, field) in [key[field]] + key.get(field + "_accept", []), field


@pytest.mark.parametrize("name, fmt, encoding", [
    ("003_gbk_declared.html", "html", "gb18030"),
    ("002_gbk_undeclared.html", "html", "gb18030"),
    ("000_traditional_utf8.html", "html", "utf-8"),
    ("001_word_export.htm", "html", "gb18030"),
    ("004_merged_2019.docx", "docx", None),
    ("synth_pagebreak_2021.pdf", "pdf", None),
])
def test_renderings_are_read_as_their_format_and_encoding(name, fmt, encoding):
    document = read_document(RENDERINGS / name)
    assert (document.format, document.encoding) == (fmt, encoding)
    assert [b.kind for b in document.blocks].count("table") == 3


def test_page_chrome_and_scripts_are_dropped():
    text = read_document(RENDERINGS / "003_gbk_declared.html").text
    for junk in ("visits", "document.write", "当前位置", "首页", "主办单位"):
        assert junk not in text
    assert "湘阴县人民政府2023年政府信息公开工作年度报告" in text


def test_traditional_page_keeps_its_characters_until_layout_normalises_them():
    document = read_document(RENDERINGS / "000_traditional_utf8.html")
    assert "申請人情況" in document.text and "規章" in document.text
    assert any(row[0] == "規章" for b in document.blocks if b.kind == "table" for row in b.rows)


def test_pdf_table_broken_over_pages_is_one_table_without_repeated_header_or_page_furniture():
    document = read_document(RENDERINGS / "synth_pagebreak_2021.pdf")
    table3 = [b for b in document.blocks if b.kind == "table"][1]
    assert len(table3.rows) == 3 + 25  # three header rows once, the 25 rows of the 2021 template
    assert sum(1 for row in table3.rows if row[3] == "申请人情况") == 1
    assert "— 1 —" not in document.text and "— 2 —" not in document.text
    assert "湘阴县人民政府信息公开\n" not in document.text  # the running page header


# ---------------------------------------------------------------- HTML


def test_rowspan_and_colspan_are_expanded_with_spanned_positions_none():
    page = b"""<html><body><table>
    <tr><td rowspan="2">A</td><td colspan="2">B</td></tr>
    <tr><td>C</td><td>  </td></tr>
    <tr><td>D</td><td colspan="2">E</td></tr>
    <tr><td rowspan="9">F</td></tr>
    </table></body></html>"""
    blocks, _encoding = read_html(page, "t.html")
    assert blocks[0].rows == (
        ("A", "B", SPANNED),
        (SPANNED, "C", ""),
        ("D", "E", SPANNED),
        ("F", SPANNED, SPANNED),
    )


def test_expand_spans_fills_short_rows_and_clips_spans():
    grid = expand_spans([[("a", 1, 3)], [("b", 5, 1), ("c", 1, 1)]])
    assert grid == (("a", None, None), ("b", "c", None))


def test_word_spans_join_without_spaces_and_breaks_become_spaces():
    root = parse_html("<table><tr><td><p class=MsoNormal><span lang=EN-US>1</span><span\nstyle='x'>2</span>"
                      "<o:p></o:p></p></td><td>行政<br>许可</td><td><p>a</p><p>b</p></td>"
                      "<td><span>&nbsp;</span><o:p>&nbsp;</o:p></td></tr></table>", "t.html")
    cells = [cell_text(td) for td in root.iter("td")]
    assert cells == ["12", "行政 许可", "a b", ""]


def test_page_layout_table_is_not_the_report_table():
    page = """<html><body><table><tr><td><div class="nav">首页</div></td></tr><tr><td>
    <p>标题</p><table><tr><td>规章</td><td>3</td></tr></table><p>结尾</p></td></tr></table></body></html>"""
    blocks, _encoding = read_html(page.encode(), "t.html")
    assert [(b.kind, b.text or b.rows) for b in blocks] == [
        ("text", "标题"), ("table", (("规章", "3"),)), ("text", "结尾")]


def test_gbk_page_without_a_declared_charset_is_detected(tmp_path):
    text = "湘阴县人民政府2023年政府信息公开工作年度报告。本机关依法推进政府信息公开工作,全年收到申请71件。"
    path = tmp_path / "page.html"
    path.write_bytes(f"<html><body><p>{text}</p><table><tr><td>行政许可</td><td>12</td></tr></table></body></html>"
                     .encode("gbk"))
    document = read_document(path)
    assert document.encoding == "gb18030"
    assert document.text.splitlines()[0] == text
    assert document.blocks[1].rows == (("行政许可", "12"),)


@pytest.mark.parametrize("declared, codec, expected", [
    pytest.param("gb2312", "utf-8", "utf-8", id="declared gb2312, re-saved as utf-8"),
    pytest.param("iso-8859-1", "gbk", "gb18030", id="declared latin-1, really gbk"),
    pytest.param("utf-16", "utf-8", "utf-8", id="declared utf-16 without byte-order mark"),
    pytest.param("utf-8", "gbk", "gb18030", id="declared utf-8, really gbk"),
    pytest.param("GBK", "gbk", "gb18030", id="declared gbk"),
])
def test_a_declared_charset_the_bytes_contradict_is_not_trusted(tmp_path, declared, codec, expected):
    text = "湘阴县人民政府2023年政府信息公开工作年度报告,全年收到政府信息公开申请71件,均已按时答复。"
    path = tmp_path / "page.html"
    path.write_bytes(f'<html><head><meta http-equiv="Content-Type" content="text/html; charset={declared}"></head>'
                     f"<body><p>{text}</p></body></html>".encode(codec))
    document = read_document(path)
    assert (document.encoding, document.text.strip()) == (expected, text)


def test_external_entities_are_never_resolved(tmp_path):
    secret = tmp_path / "secret.txt"
    secret.write_text("TOP-SECRET-CONTENT", encoding="utf-8")
    path = tmp_path / "hostile.html"
    path.write_text(f"""<?xml version="1.0"?>
<!DOCTYPE html [
  <!ENTITY xxe SYSTEM "file:///etc/passwd">
  <!ENTITY leak SYSTEM "file://{secret}">
]>
<html><body><p>政府信息公开 &xxe; &leak;</p><table><tr><td>&xxe;</td><td>&leak;</td></tr></table></body></html>
""", encoding="utf-8")
    document = read_document(path)
    assert "root:" not in document.text and "TOP-SECRET" not in document.text
    assert "ENTITY" not in document.text
    assert parse(path).status == "failed"


def test_preformatted_text_keeps_its_lines_and_columns():
    page = "<html><body><p>报告</p><pre>规章\t1\t2\n\n行政许可   3   4\n</pre>完</body></html>"
    blocks, _encoding = read_html(page.encode(), "t.html")
    assert blocks[0].text == "报告\n规章\t1\t2\n行政许可   3   4\n完"


def test_page_with_nothing_but_scripts_fails_as_empty(tmp_path):
    path = tmp_path / "empty.html"
    path.write_text("<html><head><script>var a = 1;</script></head><body><nav>menu</nav></body></html>")
    report = parse(path)
    assert report.status == "failed"
    assert "empty html document" in report.errors[0].message


# ---------------------------------------------------------------- Word


def test_docx_merged_cells_are_expanded_in_body_order(tmp_path):
    import docx

    document = docx.Document()
    document.add_paragraph("before")
    table = document.add_table(rows=3, cols=3)
    table.cell(0, 0).merge(table.cell(1, 0)).text = "A"
    table.cell(0, 1).merge(table.cell(0, 2)).text = "B"
    table.cell(1, 1).text = "C"
    table.cell(2, 0).text = "D"
    table.cell(2, 2).text = "7"
    document.add_paragraph("after")
    path = tmp_path / "merged.docx"
    document.save(path)
    blocks = read_document(path).blocks
    assert [b.kind for b in blocks] == ["text", "table", "text"]
    assert blocks[1].rows == (("A", "B", SPANNED), (SPANNED, "C", ""), ("D", "", "7"))


def test_legacy_doc_without_a_converter_fails_with_the_fix(tmp_path, monkeypatch):
    monkeypatch.setenv("PATH", str(tmp_path))  # no antiword, no catdoc
    path = tmp_path / "report.doc"
    path.write_bytes(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 1024)
    report = parse(path)
    assert report.status == "failed"
    assert "legacy Word .doc: convert it to .docx or text first" in report.errors[0].message


def test_docx_legacy_horizontal_merge_is_expanded(tmp_path):
    import docx
    from docx.oxml import OxmlElement
    from docx.oxml.ns import qn

    document = docx.Document()
    table = document.add_table(rows=2, cols=3)
    for (r, c), text in {(0, 0): "A", (0, 1): "B", (1, 0): "C", (1, 1): "1", (1, 2): "2"}.items():
        table.cell(r, c).text = text
    for c, value in ((1, "restart"), (2, None)):  # B hMerge-spans columns 1-2, as WPS writes it
        merge = OxmlElement("w:hMerge")
        if value:
            merge.set(qn("w:val"), value)
        table.cell(0, c)._tc.get_or_add_tcPr().append(merge)
    path = tmp_path / "hmerge.docx"
    document.save(path)
    assert read_document(path).blocks[0].rows == (("A", "B", SPANNED), ("C", "1", "2"))


def _fake_tool(directory: Path, name: str, script: str) -> None:
    tool = directory / name
    tool.write_text("#!/bin/sh\n" + script + "\n", encoding="utf-8")
    tool.chmod(0o755)


def test_legacy_doc_is_read_with_antiword_when_it_is_installed(tmp_path, monkeypatch, raw_dir):
    seed = raw_dir / "003_7d12747508f9e08c.txt"
    _fake_tool(tmp_path, "antiword", f'{shutil.which("cat")} "{seed}"')  # stands in for antiword: prints the text
    monkeypatch.setenv("PATH", str(tmp_path))
    path = tmp_path / "report.doc"
    path.write_bytes(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 1024)
    document = read_document(path)
    assert (document.format, document.text) == ("doc", seed.read_text(encoding="utf-8"))
    key = json.loads((TRUTH / "003_7d12747508f9e08c.json").read_text(encoding="utf-8"))
    assert parse(path).values() == key["cells"]


def test_legacy_doc_the_converter_rejects_fails_with_its_message(tmp_path, monkeypatch):
    _fake_tool(tmp_path, "catdoc", 'echo "this file is password protected" >&2; exit 1')
    monkeypatch.setenv("PATH", str(tmp_path))
    path = tmp_path / "report.doc"
    path.write_bytes(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 1024)
    report = parse(path)
    assert report.status == "failed"
    assert "catdoc cannot read it: this file is password protected" in report.errors[0].message


def test_broken_docx_fails_with_the_reason(tmp_path):
    path = tmp_path / "broken.docx"
    path.write_bytes((RENDERINGS / "004_merged_2019.docx").read_bytes()[:3000])
    report = parse(path)
    assert report.status == "failed"
    assert "unreadable Word .docx file" in report.errors[0].message


# ---------------------------------------------------------------- PDF


def test_scanned_pdf_without_text_layer_fails(tmp_path):
    from PIL import Image, ImageDraw

    image = Image.new("RGB", (600, 800), "white")
    ImageDraw.Draw(image).rectangle((50, 50, 550, 300), outline="black", width=3)
    path = tmp_path / "scan.pdf"
    image.save(path, "PDF", resolution=72)
    report = parse(path, ocr=False)
    assert report.status == "failed"
    assert "no text layer: OCR it first" in report.errors[0].message


def test_pdf_whose_fonts_have_no_unicode_map_fails_without_ocr(monkeypatch):
    import govreports.read.pdf as pdf_reader

    monkeypatch.setattr(pdf_reader, "read_pages", lambda data, engine: ([([], 842.0)], 900, 850))  # glyph ids
    report = parse(RENDERINGS / "synth_pagebreak_2021.pdf", ocr=False)  # with OCR it is read as a scan
    assert report.status == "failed"
    assert "no usable text layer: 850 of 900 characters are glyph ids" in report.errors[0].message


def test_truncated_pdf_fails_with_the_reason(tmp_path):
    path = tmp_path / "truncated.pdf"
    path.write_bytes((RENDERINGS / "synth_pagebreak_2021.pdf").read_bytes()[:20000])
    report = parse(path)
    assert report.status == "failed"
    assert "unreadable PDF: broken or truncated file" in report.errors[0].message


def test_encrypted_pdf_fails_asking_for_a_copy_without_password():
    report = parse(RENDERINGS / "encrypted_password.pdf")
    assert report.status == "failed"
    assert "unreadable PDF: encrypted PDF: it needs a password" in report.errors[0].message


def test_continued_table_drops_the_repeated_header_and_rejoins_a_split_row():
    first = (("head", None, "x"), ("(三)不予公开", "2.其他", "13"))
    more = (("head", None, "x"), ("", "法律禁止公开", ""), (None, "3.危及", "5"))
    assert continue_table(first, more) == (
        ("head", None, "x"), ("(三)不予公开", "2.其他法律禁止公开", "13"), (None, "3.危及", "5"))


def test_a_row_with_numbers_at_the_top_of_a_page_is_not_a_split_row():
    assert not is_split_row(("a", "1"), ("b", "2"))
    assert not is_split_row(("a", "b"), ("c", ""))  # the row above printed no numbers
    assert not is_split_row(("a", "1"), ("", "x"))  # text under a number: a new row


def test_docx_decompression_bomb_is_refused(tmp_path):
    import zipfile

    from govreports import parse

    path = tmp_path / "bomb.docx"
    with zipfile.ZipFile(path, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("[Content_Types].xml", "<Types/>")
        archive.writestr("word/document.xml", b"\0" * (300 * 1024 * 1024))
    assert path.stat().st_size < 2 * 1024 * 1024
    report = parse(path)
    assert report.status == "failed"
    assert "a decompression bomb, not a report" in report.errors[0].message
