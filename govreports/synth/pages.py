"""HTML and Word-HTML pages of a synthetic report (tables as grids with spans)."""

from __future__ import annotations

import html

from govreports.synth.model import TABLE3_HEADER, TABLE4_HEADER, Agency
from govreports.synth.printed import PrintedRow
from govreports.synth.report import SyntheticReport, _head, _is_value_text, _Style, _tail
from govreports.template import synth_terms as terms


def _wrap(text: str, width: int = 38) -> list:
    return [text[i:i + width] for i in range(0, len(text), width)] or [""]


def _fill(cells: list, width: int) -> list:
    """Widen a row's last cell so the row covers ``width`` columns."""
    used = sum(cs for _t, _rs, cs in cells)
    text, rs, cs = cells[-1]
    return cells[:-1] + [(text, rs, cs + width - used)]


def _grid_table2(rows: list) -> list:
    out = []
    for row in rows:
        if row.kind == "header" and len(row.cells) == 1:
            out.append([(row.cells[0], 1, 4)])
        elif row.kind == "header":
            out.append(_fill([(h, 1, 1) for h in row.cells], 4))
        else:
            out.append(_fill([(row.label, 1, 1)] + [(v, 1, 1) for v in row.cells], 4))
    return out


def _grid_table3(rows: list) -> list:
    """表三 as the template draws it: three label columns (with spans), seven value columns."""
    data = [r for r in rows if r.kind == "row"]
    outcomes = [r for r in data if r.codes[0].split(".")[1] not in ("new_received", "carried_over", "carried_forward")]
    out = [[(terms.TABLE3_NOTE, 3, 3), (TABLE3_HEADER[0], 1, 7)],
           [(TABLE3_HEADER[1], 2, 1), (TABLE3_HEADER[2], 1, 5), (TABLE3_HEADER[3], 2, 1)],
           [(h, 1, 1) for h in TABLE3_HEADER[4:]]]
    for row in data:
        cells = [(terms.OUTCOMES_LABEL, len(outcomes), 1)] if row is outcomes[0] else []
        if row not in outcomes:
            cells.append((row.label, 1, 3))
        elif not row.group:
            cells.append((row.label, 1, 2))
        else:
            if row.first:
                cells.append((row.group, sum(1 for r in data if r.group == row.group), 1))
            cells.append((row.label, 1, 1))
        out.append(cells + [(v, 1, 1) for v in row.cells])
    return out


def _grid_table4(row: PrintedRow) -> list:
    return [[(TABLE4_HEADER[0], 1, 5), (TABLE4_HEADER[1], 1, 10)],
            [(h, 2, 1) for h in TABLE4_HEADER[2:7]] + [(h, 1, 5) for h in TABLE4_HEADER[7:9]],
            [(h, 1, 1) for h in TABLE4_HEADER[9:]],
            [(v, 1, 1) for v in row.cells]]


def _report_parts(report: SyntheticReport, rows: list, style: _Style) -> list:
    """The report as ``("title" | "p" | "table", content)`` parts in reading order."""
    head = _head(report, style)
    parts = [("title", head[0])] + [("p", line) for line in head[1:]]
    parts += [("p", terms.SECTIONS["table2"]), ("table", _grid_table2([r for r in rows if r.table == "table2"])),
              ("p", terms.SECTIONS["table3"]), ("table", _grid_table3([r for r in rows if r.table == "table3"])),
              ("p", terms.SECTIONS["table4"]), ("table", _grid_table4(rows[-1]))]
    return parts + [("p", line) for line in _tail(report, style)]


def _span_attrs(rs: int, cs: int, quote: str = '"') -> str:
    return (f" rowspan={quote}{rs}{quote}" if rs > 1 else "") + (f" colspan={quote}{cs}{quote}" if cs > 1 else "")


def _html_table(grid: list) -> str:
    body = "\n".join("<tr>" + "".join(f"<td{_span_attrs(rs, cs)}>{html.escape(t)}</td>" for t, rs, cs in row)
                     + "</tr>" for row in grid)
    return f'<table class="MsoTableGrid" border="1" cellspacing="0" cellpadding="0">\n<tbody>\n{body}\n</tbody>\n</table>'


def _html_page(parts: list, charset: str, agency: Agency) -> str:
    """A government web page: site chrome around the report's title, paragraphs and tables."""
    content = []
    for kind, item in parts:
        if kind == "title":
            content.append(f'<h1 class="article-title">{html.escape(item)}</h1>')
        elif kind == "p":
            content.append(f"<p>{html.escape(item)}</p>")
        else:
            content.append(_html_table(item))
    footer = terms.HTML_FOOTER.format(agency=html.escape(agency.name), code=agency.adcode + "0001")
    return (f'<!DOCTYPE html>\n<html>\n<head>\n<meta charset="{charset}">\n<title>{html.escape(parts[0][1])}</title>\n'
            "</head>\n<body>\n" + terms.HTML_NAV + '\n<div class="article-content">\n' + "\n".join(content)
            + f"\n</div>\n{footer}\n<script>var visits = [12, 34, 56];</script>\n</body>\n</html>\n")


_WORD_HEAD = """<html xmlns:v="urn:schemas-microsoft-com:vml"
xmlns:o="urn:schemas-microsoft-com:office:office"
xmlns:w="urn:schemas-microsoft-com:office:word"
xmlns="http://www.w3.org/TR/REC-html40">
<head>
<meta http-equiv=Content-Type content="text/html; charset=gb2312">
<meta name=ProgId content=Word.Document>
<meta name=Generator content="Microsoft Word 15">
<title>{title}</title>
<!--[if gte mso 9]><xml>
 <w:WordDocument><w:View>Print</w:View></w:WordDocument>
</xml><![endif]-->
<style>
<!--
 p.MsoNormal {{mso-style-parent:"";margin:0cm;text-align:justify;font-size:10.5pt;}}
-->
</style>
</head>
<body lang=ZH-CN style='tab-interval:21.0pt'>
<div class=WordSection1 style='layout-grid:15.6pt'>
"""


def _word_runs(text: str) -> str:
    """Split ``text`` over ``<span>`` s as Word does: a number digit by digit, a label in pieces."""
    if not text:
        return "<span lang=EN-US><o:p>&nbsp;</o:p></span>"
    step = 1 if _is_value_text(text) else max(1, len(text) // 3)
    spans = []
    for i, piece in enumerate(text[j:j + step] for j in range(0, len(text), step)):
        lang = " lang=EN-US" if piece.isascii() else ""
        font = terms.WORD_FONTS[i % 2]
        spans.append(f"<span{lang}\nstyle='font-size:10.5pt;font-family:{font}'>{html.escape(piece)}</span>")
    return "".join(spans) + "<span lang=EN-US><o:p></o:p></span>"


def _word_table(grid: list) -> str:
    out = ["<table class=MsoNormalTable border=0 cellspacing=0 cellpadding=0 style='border-collapse:collapse'>"]
    for r, row in enumerate(grid):
        out.append(f"<tr style='mso-yfti-irow:{r};height:22.5pt'>")
        out += [f"<td width={56 * cs}{_span_attrs(rs, cs, '')} valign=center style='border:solid windowtext 1.0pt'>\n"
                f"<p class=MsoNormal align=center style='text-align:center'>{_word_runs(t)}</p>\n</td>"
                for t, rs, cs in row]
        out.append("</tr>")
    width = sum(cs for _t, _rs, cs in grid[0])
    out.append("<![if !supportMisalignedColumns]>\n<tr height=0>" + "<td width=56 style='border:none'></td>" * width
               + "</tr>\n<![endif]>\n</table>")
    return "\n".join(out)


def _word_page(parts: list) -> str:
    """A report as Microsoft Word saves it as a web page (charset=gb2312, spans, ``<o:p>``)."""
    out = [_WORD_HEAD.format(title=html.escape(parts[0][1]))]
    for kind, item in parts:
        if kind == "table":
            out.append(_word_table(item))
        else:
            style = "text-align:center" if kind == "title" else "text-indent:21.0pt"
            out.append(f"<p class=MsoNormal style='{style}'>{_word_runs(item)}</p>")
    out.append("<p class=MsoNormal><span lang=EN-US><o:p>&nbsp;</o:p></span></p>\n</div>\n</body>\n</html>\n")
    return "\n".join(out)


# ============================================================================ rendering


