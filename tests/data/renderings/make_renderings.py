"""Build the HTML, Word and PDF renderings of reports that tests/unit/test_readers.py reads.

Each rendering prints a report's three tables the way the national template lays them out
(merged header cells, "三、本年度办理结果" spanning the outcome rows, "(三)不予公开" spanning
its eight rows) with the report's title and section headings around them. The values come
from the seeds' answer keys (tests/truth/*.json) and from govreports.synth; MANIFEST.json says,
for each file, which values it prints and the status parsing it must give.

Usage (needs LibreOffice's ``soffice`` and a CJK font for the PDFs; CI only reads the output):

    .venv/bin/python tests/data/renderings/make_renderings.py
"""

from __future__ import annotations

import html
import json
import os
import shutil
import subprocess
import tempfile
from pathlib import Path

HERE = Path(__file__).resolve().parent
TESTS = HERE.parents[1]

from govreports.synth import TABLE2_HEADERS, TABLE3_HEADER, TABLE4_HEADER, consistent_values  # noqa: E402
from govreports.template import SCHEMA  # noqa: E402

TRUTH = TESTS / "truth"
NOTE = "(本列数据的勾稽关系为:第一项加第二项之和,等于第三项加第四项之和)"
OUTCOMES = "三、本年度办理结果"
CJK_FONT = "Noto Sans CJK SC"
INTRO = ("本报告依据《中华人民共和国政府信息公开条例》编制,包括总体情况、主动公开政府信息情况、收到和处理政府信息公开"
         "申请情况、政府信息公开行政复议和行政诉讼情况、存在的主要问题及改进情况、其他需要报告的事项。"
         "本报告所列数据的统计期限自{year}年1月1日起至{year}年12月31日止。")
BODY = ("{year}年,本机关坚持以公开为常态、不公开为例外,认真落实政务公开各项工作任务,"
        "不断完善主动公开、依申请公开和政策解读回应工作机制,政府信息公开工作取得新成效。")


# ---------------------------------------------------------------- values


def key_values(name: str) -> tuple:
    """Return ``(key, {code: printed text})`` for a seed's answer key; blank and unknown cells print ''."""
    key = json.loads((TRUTH / name).read_text(encoding="utf-8"))
    printed = {code: fmt(key["cells"].get(code)) for code in SCHEMA.codes(key["template"])}
    return key, printed


def fmt(value) -> str:
    """Print a value as a report would: integers plain, decimals in full, null as an empty cell."""
    if value is None:
        return ""
    return repr(value) if isinstance(value, float) else str(value)


# ---------------------------------------------------------------- the template's tables as spanned rows


def _fill(cells: list, width: int) -> list:
    """Widen a row's last cell so the row covers ``width`` columns."""
    used = sum(cs for _t, _rs, cs in cells)
    text, rs, cs = cells[-1]
    return cells[:-1] + [(text, rs, cs + width - used)]


def _label(row) -> list:
    return SCHEMA.cell(row.template, row.codes[0]).row_label_zh.split(" ")


def table2(values: dict, template: str) -> list:
    """Return table 2 as rows of ``(text, rowspan, colspan)``, four columns wide."""
    rows, headers = [], TABLE2_HEADERS[template]
    for row in SCHEMA.rows(template, "table2"):
        if row.row_code in headers:
            title, header = headers[row.row_code]
            rows += [[(title, 1, 4)], _fill([(h, 1, 1) for h in header], 4)]
        rows.append(_fill([(_label(row)[-1], 1, 1)] + [(values[c], 1, 1) for c in row.codes], 4))
    return rows


def table3(values: dict, template: str) -> list:
    """Return table 3 as rows of ``(text, rowspan, colspan)``: three label columns, seven value columns."""
    rows3 = SCHEMA.rows(template, "table3")
    outcome_rows = rows3[2:-1]
    rows = [[(NOTE, 3, 3), (TABLE3_HEADER[0], 1, 7)],
            [(TABLE3_HEADER[1], 2, 1), (TABLE3_HEADER[2], 1, 5), (TABLE3_HEADER[3], 2, 1)],
            [(h, 1, 1) for h in TABLE3_HEADER[4:]]]
    groups = [_label(r)[0] for r in rows3]
    for index, row in enumerate(rows3):
        parts = _label(row)
        cells = [(OUTCOMES, len(outcome_rows), 1)] if row is outcome_rows[0] else []
        if row not in outcome_rows:
            cells.append((parts[0], 1, 3))
        elif len(parts) == 1:
            cells.append((parts[0], 1, 2))
        else:
            if index == 0 or groups[index - 1] != parts[0]:
                cells.append((parts[0], groups.count(parts[0]), 1))
            cells.append((parts[1], 1, 1))
        rows.append(cells + [(values[c], 1, 1) for c in row.codes])
    return rows


def table4(values: dict, template: str) -> list:
    """Return table 4 as rows of ``(text, rowspan, colspan)``, fifteen columns wide."""
    codes = SCHEMA.rows(template, "table4")[0].codes
    return [[(TABLE4_HEADER[0], 1, 5), (TABLE4_HEADER[1], 1, 10)],
            [(h, 2, 1) for h in TABLE4_HEADER[2:7]] + [(h, 1, 5) for h in TABLE4_HEADER[7:9]],
            [(h, 1, 1) for h in TABLE4_HEADER[9:]],
            [(values[c], 1, 1) for c in codes]]


def report_parts(agency: str, year: int, values: dict, template: str) -> list:
    """Return the report as ``("title" | "p" | "table", content)`` parts in reading order."""
    return [("title", f"{agency}{year}年政府信息公开工作年度报告"),
            ("p", INTRO.format(year=year)),
            ("p", "一、总体情况"), ("p", BODY.format(year=year)),
            ("p", "二、主动公开政府信息情况"), ("table", table2(values, template)),
            ("p", "三、收到和处理政府信息公开申请情况"), ("table", table3(values, template)),
            ("p", "四、政府信息公开行政复议、行政诉讼情况"), ("table", table4(values, template)),
            ("p", "五、存在的主要问题及改进情况"), ("p", "政务公开工作人员业务能力有待进一步提高。"),
            ("p", "六、其他需要报告的事项"), ("p", "本年度未收取信息处理费。")]


# ---------------------------------------------------------------- plain HTML pages


def _span_attrs(rs: int, cs: int) -> str:
    return (f' rowspan="{rs}"' if rs > 1 else "") + (f' colspan="{cs}"' if cs > 1 else "")


def html_table(rows: list) -> str:
    body = "\n".join("<tr>" + "".join(f"<td{_span_attrs(rs, cs)}>{html.escape(t)}</td>" for t, rs, cs in row)
                     + "</tr>" for row in rows)
    return f'<table class="MsoTableGrid" border="1" cellspacing="0" cellpadding="0">\n<tbody>\n{body}\n</tbody>\n</table>'


def html_page(parts: list, head: str, layout_table: bool = False) -> str:
    """Render a government web page: site chrome around the report, optionally in a page-layout table."""
    content = []
    for kind, item in parts:
        if kind == "title":
            content.append(f'<h1 class="article-title">{html.escape(item)}</h1>')
        elif kind == "p":
            content.append(f"<p>{html.escape(item)}</p>")
        else:
            content.append(html_table(item))
    article = '<div class="article-content">\n' + "\n".join(content) + "\n</div>"
    chrome_top = ('<div class="nav"><a href="/">首页</a> | <a href="/zwgk/">政务公开</a> | '
                  '<a href="/xxgk/">政府信息公开年报</a></div>\n'
                  '<div class="breadcrumb">当前位置:首页 &gt; 政府信息公开 &gt; 年度报告</div>')
    chrome_bottom = ('<div id="footer">主办单位:人民政府办公室 联系电话:0730-1234567 网站标识码 4306240001</div>\n'
                     '<script>var visits = [12, 34, 56]; document.write("访问量 " + visits.join(" "));</script>')
    if layout_table:
        article = (f'<table width="1000" align="center"><tr><td>{chrome_top}</td></tr>'
                   f'<tr><td class="content">{article}</td></tr></table>')
        chrome_top = ""
    title = html.escape(parts[0][1])
    return (f"<!DOCTYPE html>\n<html>\n<head>\n{head}\n<title>{title}</title>\n"
            "<style>td { border: 1px solid #000; }</style>\n</head>\n<body>\n"
            f"{chrome_top}\n{article}\n{chrome_bottom}\n</body>\n</html>\n")


# ---------------------------------------------------------------- Word's "save as web page"

WORD_HEAD = """<html xmlns:v="urn:schemas-microsoft-com:vml"
xmlns:o="urn:schemas-microsoft-com:office:office"
xmlns:w="urn:schemas-microsoft-com:office:word"
xmlns="http://www.w3.org/TR/REC-html40">
<head>
<meta http-equiv=Content-Type content="text/html; charset=gb2312">
<meta name=ProgId content=Word.Document>
<meta name=Generator content="Microsoft Word 15">
<title>{title}</title>
<!--[if gte mso 9]><xml>
 <w:WordDocument>
  <w:View>Print</w:View>
  <w:SpellingState>Clean</w:SpellingState>
 </w:WordDocument>
</xml><![endif]-->
<style>
<!--
 p.MsoNormal, li.MsoNormal, div.MsoNormal
	{{mso-style-parent:"";margin:0cm;text-align:justify;font-size:10.5pt;font-family:"Times New Roman";}}
@page WordSection1 {{size:595.3pt 841.9pt;margin:72.0pt 90.0pt 72.0pt 90.0pt;}}
-->
</style>
</head>
<body lang=ZH-CN style='tab-interval:21.0pt;text-justify-trim:punctuation'>
<div class=WordSection1 style='layout-grid:15.6pt'>
"""
SPAN_STYLES = ("font-size:10.5pt;font-family:\u4eff\u5b8b_GB2312;mso-hansi-font-family:\"Times New Roman\"",
               "font-size:10.5pt;mso-bidi-font-size:12.0pt;font-family:\u5b8b\u4f53;mso-ascii-font-family:\"Times New Roman\"")


def word_runs(text: str) -> str:
    """Split ``text`` over several ``<span>`` s the way Word does (a number digit by digit, labels in pieces)."""
    if not text:
        return "<span lang=EN-US><o:p>&nbsp;</o:p></span>"
    if text.replace(".", "").isdigit():
        pieces = list(text)
    else:
        step = max(1, len(text) // 3)
        pieces = [text[i:i + step] for i in range(0, len(text), step)]
    spans = []
    for i, piece in enumerate(pieces):
        lang = " lang=EN-US" if piece.isascii() else ""
        spans.append(f"<span{lang}\nstyle='{SPAN_STYLES[i % 2]}'>{html.escape(piece)}</span>")
    return "".join(spans) + "<span lang=EN-US><o:p></o:p></span>"


def word_table(rows: list, width: int) -> str:
    out = ["<table class=MsoNormalTable border=0 cellspacing=0 cellpadding=0\n"
           " style='border-collapse:collapse;mso-table-layout-alt:fixed;mso-padding-alt:0cm 5.4pt 0cm 5.4pt'>"]
    for r, row in enumerate(rows):
        out.append(f"<tr style='mso-yfti-irow:{r};height:22.5pt'>")
        for text, rs, cs in row:
            spans = _span_attrs(rs, cs).replace('"', "")
            out.append(f"<td width={56 * cs}{spans} valign=center style='border:solid windowtext 1.0pt;\n"
                       "mso-border-alt:solid windowtext .5pt;padding:0cm 5.4pt 0cm 5.4pt;height:22.5pt'>\n"
                       f"<p class=MsoNormal align=center style='text-align:center'>{word_runs(text)}</p>\n</td>")
        out.append("</tr>")
    # Word closes a table with an invisible row of empty cells that fixes the column widths.
    out.append("<![if !supportMisalignedColumns]>\n<tr height=0>"
               + "".join("<td width=56 style='border:none'></td>" for _ in range(width))
               + "</tr>\n<![endif]>\n</table>")
    return "\n".join(out)


def word_html_page(parts: list) -> str:
    """Render a report as Microsoft Word saves it as a web page (GB2312, spans, ``<o:p>``, mso styles)."""
    out = [WORD_HEAD.format(title=html.escape(parts[0][1]))]
    for kind, item in parts:
        if kind == "table":
            width = sum(cs for _t, _rs, cs in item[0])
            out.append(word_table(item, width))
        else:
            style = "text-align:center" if kind == "title" else "text-indent:21.0pt"
            out.append(f"<p class=MsoNormal style='{style}'>{word_runs(item)}</p>")
    out.append("<p class=MsoNormal><span lang=EN-US><o:p>&nbsp;</o:p></span></p>\n</div>\n</body>\n</html>\n")
    return "\n".join(out)


# ---------------------------------------------------------------- Word .docx (and PDF through LibreOffice)


def docx_file(parts: list, path: Path, *, header: str, repeat_header_rows: int = 3, ruled: bool = True) -> None:
    """Write the report as a .docx with merged cells; table 3's header rows repeat on each page.

    ``ruled=False`` prints the tables without borders (PDF readers must then find them by text).
    """
    import docx
    from docx.oxml import OxmlElement
    from docx.oxml.ns import qn
    from docx.shared import Cm, Pt

    document = docx.Document()
    normal = document.styles["Normal"]
    normal.font.name, normal.font.size = CJK_FONT, Pt(10.5)
    normal.element.get_or_add_rPr().get_or_add_rFonts().set(qn("w:eastAsia"), CJK_FONT)
    section = document.sections[0]
    section.page_width, section.page_height = Cm(21), Cm(29.7)  # A4, as Chinese agencies print
    section.left_margin = section.right_margin = Cm(1.8)
    section.header.paragraphs[0].text = header
    _page_number_footer(section.footer.paragraphs[0], OxmlElement, qn)
    for kind, item in parts:
        if kind == "table":
            table = _docx_table(document, item, repeat_header_rows if len(item) > 20 else 0, OxmlElement, qn)
            table.style = document.styles["Table Grid" if ruled else "Normal Table"]
        else:
            paragraph = document.add_paragraph(item)
            paragraph.paragraph_format.space_after = Pt(4)
    document.core_properties.author = "govreports tests"
    document.save(path)


def _page_number_footer(paragraph, OxmlElement, qn) -> None:
    """Print "— n —" at the foot of each page (a PAGE field), as government PDFs do."""
    paragraph.add_run("— ")
    field = OxmlElement("w:fldSimple")
    field.set(qn("w:instr"), "PAGE")
    run = OxmlElement("w:r")
    text = OxmlElement("w:t")
    text.text = "1"
    run.append(text)
    field.append(run)
    paragraph._p.append(field)
    paragraph.add_run(" —")


COLUMN_CM = {4: [6.0, 3.8, 3.8, 3.8], 10: [1.6, 2.4, 4.6] + [1.25] * 7, 15: [1.16] * 15}


def _docx_table(document, rows: list, header_rows: int, OxmlElement, qn):
    from docx.shared import Cm

    width = sum(cs for _t, _rs, cs in rows[0])
    table = document.add_table(rows=len(rows), cols=width)
    table.style = "Table Grid"
    table.autofit = False
    for column, cm in zip(table.columns, COLUMN_CM[width]):
        column.width = Cm(cm)
        for cell in column.cells:
            cell.width = Cm(cm)
    taken = set()
    for r, row in enumerate(rows):
        c = 0
        for text, rs, cs in row:
            while (r, c) in taken:
                c += 1
            cell = table.cell(r, c)
            if rs > 1 or cs > 1:
                cell = cell.merge(table.cell(r + rs - 1, c + cs - 1))
            cell.text = text
            taken.update((r + dr, c + dc) for dr in range(rs) for dc in range(cs))
            c += cs
    for tr in table._tbl.tr_lst[:header_rows]:
        tr.get_or_add_trPr().append(OxmlElement("w:tblHeader"))
    return table


# LibreOffice's PDF export options that encrypt the file with an open password.
ENCRYPTED = ('pdf:writer_pdf_Export:{"EncryptFile":{"type":"boolean","value":"true"},'
             '"DocumentOpenPassword":{"type":"string","value":"secret"}}')


def to_pdf(source: Path, pdf_path: Path, convert_to: str = "pdf") -> None:
    """Convert a document to PDF with LibreOffice (a real converter: real text layer, real ruling)."""
    soffice = shutil.which("soffice") or shutil.which("libreoffice")
    if soffice is None:
        raise SystemExit("soffice not found: install LibreOffice (apt-get install libreoffice-writer fonts-noto-cjk)")
    with tempfile.TemporaryDirectory() as tmp:
        profile = Path(tmp) / "profile"
        subprocess.run([soffice, f"-env:UserInstallation=file://{profile}", "--headless", "--convert-to", convert_to,
                        "--outdir", tmp, str(source)], check=True, capture_output=True, timeout=300)
        shutil.copyfile(Path(tmp) / (source.stem + ".pdf"), pdf_path)


# ---------------------------------------------------------------- the renderings


def main() -> None:
    import opencc

    manifest = {}

    def record(name: str, source: dict, note: str, status: str = "valid") -> None:
        manifest[name] = {**source, "status": status, "note": note}
        print(f"{name}: {(HERE / name).stat().st_size:,} bytes")

    key, values = key_values("003_7d12747508f9e08c.json")
    parts = report_parts(key["agency"], key["year"], values, key["template"])
    page = html_page(parts, '<meta charset="gbk">', layout_table=True)
    (HERE / "003_gbk_declared.html").write_bytes(page.encode("gbk"))
    record("003_gbk_declared.html", {"truth": "003_7d12747508f9e08c.json"},
           "GBK page declaring <meta charset=gbk>, report inside a page-layout table, nav/script chrome")

    key, values = key_values("002_b24b1ab6d4164d4e.json")
    page = html_page(report_parts(key["agency"], key["year"], values, key["template"]), "")
    (HERE / "002_gbk_undeclared.html").write_bytes(page.encode("gbk"))
    record("002_gbk_undeclared.html", {"truth": "002_b24b1ab6d4164d4e.json"}, "GBK page with no declared charset")

    key, values = key_values("000_9ead0039b57e9f32.json")
    page = html_page(report_parts(key["agency"], key["year"], values, key["template"]), '<meta charset="utf-8">')
    (HERE / "000_traditional_utf8.html").write_text(opencc.OpenCC("s2t").convert(page), encoding="utf-8")
    record("000_traditional_utf8.html", {"truth": "000_9ead0039b57e9f32.json"},
           "UTF-8 page converted to traditional characters with OpenCC s2t")

    key, values = key_values("001_9b0f64044e721509.json")
    page = word_html_page(report_parts(key["agency"], key["year"], values, key["template"]))
    (HERE / "001_word_export.htm").write_bytes(page.replace("\n", "\r\n").encode("gb18030"))
    record("001_word_export.htm", {"truth": "001_9b0f64044e721509.json"},
           "Word 'save as web page': charset=gb2312 in http-equiv, values and labels split over <span>s, <o:p>")

    key, values = key_values("004_c493ddf6db4f273e.json")
    parts = report_parts(key["agency"], key["year"], values, key["template"])
    docx_file(parts, HERE / "004_merged_2019.docx", header=key["agency"])
    record("004_merged_2019.docx", {"truth": "004_c493ddf6db4f273e.json"},
           "python-docx file, 2019 template, merged cells, blank cells printed empty")
    to_pdf(HERE / "004_merged_2019.docx", HERE / "004_libreoffice_2019.pdf")
    record("004_libreoffice_2019.pdf", {"truth": "004_c493ddf6db4f273e.json"},
           "LibreOffice PDF of 004_merged_2019.docx")

    synth = consistent_values("2021", seed=23)
    printed = {code: fmt(v) for code, v in synth.items()}
    parts = report_parts("湘阴县人民政府", 2023, printed, "2021")
    docx_file(parts, HERE / "synth_merged_2021.docx", header="湘阴县人民政府信息公开")
    synth_key = {"cells": synth, "agency": "湘阴县人民政府", "year": 2023}
    record("synth_merged_2021.docx", synth_key, "python-docx file of govreports.synth values (seed 23)")
    to_pdf(HERE / "synth_merged_2021.docx", HERE / "synth_pagebreak_2021.pdf")
    record("synth_pagebreak_2021.pdf", synth_key,
           "LibreOffice PDF of synth_merged_2021.docx: table 3 breaks across pages 1-2, header repeated, "
           "running header and '— n —' page numbers")

    with tempfile.TemporaryDirectory() as tmp:
        docx_file(parts, Path(tmp) / "synth_unruled_2021.docx", header="湘阴县人民政府信息公开", ruled=False)
        to_pdf(Path(tmp) / "synth_unruled_2021.docx", HERE / "synth_unruled_2021.pdf")
    record("synth_unruled_2021.pdf", synth_key,
           "LibreOffice PDF of the synth report with borderless tables (read by pdfplumber's text strategy). "
           "Status 'repaired': row '5.要求行政机关确认或重新出具已获取信息' wraps after its values, so its label "
           "is printed in two pieces and the row is not recognised; its seven cells are fixed by the identities",
           status="repaired")

    with tempfile.TemporaryDirectory() as tmp:
        text = Path(tmp) / "encrypted.txt"
        text.write_text(parts[0][1] + "\n", encoding="utf-8")
        to_pdf(text, HERE / "encrypted_password.pdf", ENCRYPTED)
    print(f"encrypted_password.pdf: {(HERE / 'encrypted_password.pdf').stat().st_size:,} bytes (not a rendering)")

    (HERE / "MANIFEST.json").write_text(json.dumps(manifest, ensure_ascii=False, indent=1) + "\n", encoding="utf-8")


if __name__ == "__main__":
    os.chdir(HERE)
    main()
