"""Synthetic reports drawn and rendered in the layouts real reports come in, with their answer keys."""

from __future__ import annotations

import random
import unicodedata
from typing import NamedTuple

from govreports.errors import GovReportsError
from govreports.synth.model import (
    DEFAULT_PARAMS,
    TABLE3_HEADER,
    TABLE4_HEADER,
    SynthParams,
    apply_anomaly,
    draw_agency,
    draw_values,
    template_for,
)
from govreports.synth.pages import _html_page, _report_parts, _word_page, _wrap
from govreports.synth.printed import PrintedRow, _vertical_row, flat_cells, printed_rows
from govreports.synth.report import (
    SyntheticReport,
    _full_width_row,
    _head,
    _is_value_text,
    _published_date,
    _Style,
    _style,
    _tail,
    _texts,
)
from govreports.synth.word import docx_bytes
from govreports.template import SCHEMA
from govreports.template import synth_terms as terms


def _rows_layout(cell_lines) -> callable:
    """A layout printing each row's cells through ``cell_lines(cells, rng)``, headings as plain lines."""

    def render(rows: list, rng: random.Random) -> list:
        out = []
        for row in rows:
            out.extend([row.cells[0]] if row.kind == "heading" else cell_lines(flat_cells(row), rng))
        return out

    return render


_pipes = _rows_layout(lambda cells, rng: [f"{c} |" for c in cells] + ["|" * rng.randint(1, 8)])


_lines = _rows_layout(lambda cells, rng: [line for c in cells for line in (c, "")])


_tabs = _rows_layout(lambda cells, rng: ["\t".join(cells)])


_spaces = _rows_layout(lambda cells, rng: ["   ".join(cells)])


# A browser's copy of an HTML page (innerText): a table row per line, its cells tab-separated,
# a spanned cell printed once (a group label on its group's first row only).
_browser_tabs = _rows_layout(lambda cells, rng: ["\t".join(cells)])


def blank_zeros(values: dict) -> dict:
    """Return the values of a report that prints "none" as an empty cell in 表三 and 表四 (blank, not 0).

    Many 2019-form reports leave a cell empty for none (as the Shanghai government office's did);
    表二 still prints its zeros.
    """
    return {code: None if value == 0 and not code.startswith("table2.") else value for code, value in values.items()}


_vertical = _rows_layout(lambda cells, rng: _vertical_row(cells, _is_value_text))


def _markdown(rows: list, rng: random.Random) -> list:
    """Markdown: headings as ``##``, each table a pipe table of even width with its rule after the first row."""
    out, block = [], []
    for row in [*rows, PrintedRow("heading", ("",))]:
        if row.kind != "heading":
            block.append(flat_cells(row))
            continue
        if block:
            width = max(map(len, block))
            lines = ["| " + " | ".join(cells + [""] * (width - len(cells))) + " |" for cells in block]
            out += [lines[0], "|" + "---|" * width, *lines[1:]]
            block = []
        if row.cells[0]:
            out += ["", f"## {row.cells[0]}", ""]
    return out


def _run_together(report: SyntheticReport):
    """One cell per line; the applicant cells of the rows in ``damage`` printed as one digit run."""
    runs = {d.split(":", 1)[1] for d in report.damage if d.startswith("run:")}

    def render(rows: list, rng: random.Random) -> list:
        out = []
        for row in rows:
            if row.kind != "row":
                out.extend(row.cells)
                continue
            values = [v for v in row.cells if v != "/"]
            if row.table == "table3" and row.codes[0].split(".")[1] in runs:
                values = ["".join(values[:-1]), values[-1]]
            out += [c for c in flat_cells(row._replace(cells=())) if c] + [rng.choice(("", " ")) + v for v in values]
        return out

    return render


def _ocr_label(label: str, rng: random.Random) -> str:
    """Garble a label as OCR does: a look-alike character, a space after the item number, spaced words."""
    chars = list(label)
    swappable = [i for i, c in enumerate(chars) if c in terms.LOOKALIKES]
    if len(label) >= 8 and swappable:
        i = rng.choice(swappable)
        chars[i] = terms.LOOKALIKES[chars[i]]
    text = "".join(chars)
    if len(text) > 2 and text[0].isdigit() and text[1] == "." and rng.random() < 0.6:
        text = text[:2] + " " + text[2:]
    if len(text) >= 6 and rng.random() < 0.3:
        cut = rng.randint(2, len(text) - 2)
        text = text[:cut] + " " + text[cut:]
    return text


def _tabs_ocr(report: SyntheticReport):
    """Tab-separated OCR rows: group labels in their own column, garbled labels, lost cells left empty."""
    lost = {d.split(":", 1)[1] for d in report.damage if d.startswith("lost:")}

    def row_line(row: PrintedRow, pieces: dict, rng: random.Random) -> str:
        values = ["" if code in lost else v for code, v in zip(row.codes, row.cells)]
        if row.table == "table4":
            return "\t" + "\t".join(values)
        label = _ocr_label(row.label, rng) if len(row.label) >= 8 else row.label
        if row.table == "table2":
            if len(values) == 1 and rng.random() < 0.3:
                return f"{label} {values[0]}" + "\t" * rng.randint(1, 6)
            return "\t".join([label, *values]) + "\t" * rng.randint(0, 6)
        junk = rng.choice(terms.OCR_JUNK) if rng.random() < 0.1 else ""
        group = _ocr_label(pieces.get("group", ""), rng)
        return "\t".join([pieces.get("outcome", junk), group, label, *values]) + "\t" * rng.randint(0, 3)

    def render(rows: list, rng: random.Random) -> list:
        out = []
        pieces = iter(_table3_pieces([r for r in rows if r.table == "table3" and r.kind == "row"]))
        for row in rows:
            if row.kind == "heading":
                out += ["", f"## {row.cells[0]}", ""]
            elif row.kind == "header":
                out.append("\t".join(_ocr_label(c, rng) if len(c) >= 8 else c for c in row.cells) + "\t" * 6)
            else:
                out.append(row_line(row, next(pieces) if row.table == "table3" else {}, rng))
        return out

    return render


def _width(text: str) -> int:
    """Display width of a text in a monospaced rendering (CJK characters take two columns)."""
    return sum(2 if unicodedata.east_asian_width(c) in "WF" else 1 for c in text)


def _place(pieces: list) -> str:
    """Print ``(column, text)`` pieces on one line, at least two spaces apart."""
    line = ""
    for column, text in sorted(pieces, key=lambda p: p[0]):
        if not text:
            continue
        gap = column - _width(line)
        line += " " * (gap if gap >= 2 or not line else 2) + text
    return line


def _spread(label: str, count: int) -> dict:
    """Break a label spanning ``count`` rows in two, printed on the middle rows (as PDF cells print)."""
    middle = max(0, (count - 1) // 2)
    cut = max(1, round(len(label) * 0.6))
    pieces = {middle: label[:cut]}
    if label[cut:]:
        pieces[min(middle + 1, count - 1)] = pieces.get(min(middle + 1, count - 1), "") + label[cut:]
    return pieces


class _Columns(NamedTuple):
    outcome: int = 4
    group: int = 16
    label: int = 28
    values: int = 64
    wrap: int = 16


def _pdf_table3_row(row: PrintedRow, pieces: dict, cols: _Columns, width: int) -> list:
    """One 表三 row: outcome and group label pieces, the label (wrapped), the values right-aligned."""
    column = cols.label if row.group else (cols.group if pieces.get("in_outcomes") else cols.outcome + 1)
    placed = [(cols.outcome, pieces.get("outcome", "")), (cols.group, pieces.get("group", "")),
              (column, row.label[:cols.wrap])]
    placed += [(cols.values + width * (i + 1) - _width(v), v) for i, v in enumerate(row.cells)]
    lines = [_place(placed)]
    if row.label[cols.wrap:]:
        lines.append(_place([(column, row.label[cols.wrap:])]))
    return lines


def _table3_pieces(rows: list) -> list:
    """For each 表三 data row: the pieces of the outcome and group labels printed on it."""
    pieces = [{} for _ in rows]
    outcome_block = [i for i, r in enumerate(rows) if r.codes[0].split(".")[1] not in
                     ("new_received", "carried_over", "carried_forward")]
    for offset, text in _spread(terms.OUTCOMES_LABEL, len(outcome_block)).items():
        pieces[outcome_block[offset]]["outcome"] = text
    for i in outcome_block:
        pieces[i]["in_outcomes"] = True
    start = 0
    while start < len(rows):
        end = start + 1
        while end < len(rows) and rows[end].group and rows[end].group == rows[start].group:
            end += 1
        if rows[start].group:
            for offset, text in _spread(rows[start].group, end - start).items():
                pieces[start + offset]["group"] = text
        start = end
    return pieces


def _pdf_table3_header(cols: _Columns, width: int) -> list:
    note = terms.TABLE3_NOTE
    heads = [TABLE3_HEADER[1], *TABLE3_HEADER[4:], TABLE3_HEADER[3]]
    chunks = [[h] if len(h) <= 3 else [h[i:i + 2] for i in range(0, len(h), 2)] for h in heads]
    middle = cols.values + 2 * width
    lines = [_place([(middle, TABLE3_HEADER[0])]), _place([(5, note[:21]), (middle, TABLE3_HEADER[2])])]
    for depth in range(3):
        placed = [(cols.values + width * (i + 1) - _width(c[depth]), c[depth]) for i, c in enumerate(chunks)
                  if depth < len(c)]
        lines.append(_place(placed + ([(6, note[21:])] if depth == 1 else [])))
    return lines


def _pdf_table2(rows: list) -> list:
    out = []
    for row in rows:
        if row.kind == "header" and len(row.cells) == 1:
            out.append(_place([(10, row.cells[0])]))
        elif row.kind == "header":
            out.append(_place([(10, row.cells[0])] + [(30 + 18 * i, h) for i, h in enumerate(row.cells[1:])]))
        else:
            out.append(_place([(10, row.label)] + [(38 + 18 * i - _width(v), v) for i, v in enumerate(row.cells)]))
    return out


def _pdf_table4(row: PrintedRow) -> list:
    width = max(6, max(map(len, row.cells)) + 2)
    first = [h[:2] for h in TABLE4_HEADER[2:7]] * 3
    second = [h[2:] for h in TABLE4_HEADER[2:7]] * 3
    return [_place([(17, TABLE4_HEADER[0]), (5 + 5 * width + 12, TABLE4_HEADER[1])]),
            _place([(5 + 5 * width, TABLE4_HEADER[7]), (5 + 10 * width, TABLE4_HEADER[8])]),
            _place([(5 + width * i, h) for i, h in enumerate(first)]),
            _place([(5 + width * i, h) for i, h in enumerate(second)]),
            _place([(5 + width * (i + 1) - _width(v) - 2, v) for i, v in enumerate(row.cells)])]


def _page_marker(rng: random.Random, page: int) -> list:
    marker = rng.choice(terms.PAGE_MARKERS).format(n=page, total=page + rng.randint(1, 4))
    return ["", _place([(60, marker)]), ""]


def _pdftotext(rows: list, rng: random.Random) -> list:
    """``pdftotext -layout``: aligned columns, wrapped labels, page markers, 表三 broken across pages."""
    cols = _Columns()
    data3 = [r for r in rows if r.table == "table3" and r.kind == "row"]
    width = max(7, max(len(v) for r in data3 for v in r.cells) + 2)
    pieces = _table3_pieces(data3)
    page_break = rng.randint(6, len(data3) - 4)
    out = _pdf_table2([r for r in rows if r.table == "table2"])
    out += _page_marker(rng, 2) + [_place([(4, terms.SECTIONS["table3"])])] + _pdf_table3_header(cols, width)
    for index, row in enumerate(data3):
        out += _pdf_table3_row(row, pieces[index], cols, width)
        if index == page_break:
            out += _page_marker(rng, 3) + _pdf_table3_header(cols, width)
    out += [_place([(4, terms.SECTIONS["table4"])])] + _pdf_table4(rows[-1])
    return [_place([(4, terms.SECTIONS["table2"])])] + out


def _text_document(report: SyntheticReport, rows: list, rng: random.Random, style: _Style) -> str:
    """A text layout: title, head and body, the tables, the closing sections (and signature)."""
    layout = report.layout
    table_lines = _TEXT_LAYOUTS[layout](report)(rows, rng)
    head, tail = _head(report, style), _tail(report, style)
    if layout == "markdown" or layout == "tabs_ocr":
        head = [f"# {head[0]}", ""] + [line for h in head[1:] for line in (h, "")]
        tail = [f"## {tail[0]}", "", *tail[1:2], "", f"## {tail[2]}", "", *tail[3:]]
    elif layout == "pdftotext":
        head = [_place([(17, head[0])])] + ["    " + w for h in head[1:] for w in _wrap(h)]
        tail = ["    " + line for line in tail[:4]] + [_place([(56, line)]) for line in tail[4:]]
    elif layout == "lines":
        head = [line for h in head for line in (h, "")]
    return "\n".join(head + table_lines + tail) + "\n"


_TEXT_LAYOUTS = {
    "pipes": lambda report: _pipes,
    "lines": lambda report: _lines,
    "tabs_ocr": _tabs_ocr,
    "run_together": _run_together,
    "markdown": lambda report: _markdown,
    "pdftotext": lambda report: _pdftotext,
    "vertical": lambda report: _vertical,
    "tabs": lambda report: _tabs,
    "spaces": lambda report: _spaces,
    "browser_tabs": lambda report: _browser_tabs,
}


# Layout name -> file extension.
LAYOUTS = {**dict.fromkeys(_TEXT_LAYOUTS, ".txt"), "markdown": ".md", "html": ".html", "word_html": ".htm",
           "docx": ".docx"}


DEFAULT_LAYOUTS = ("pipes", "lines", "tabs_ocr", "run_together", "markdown", "pdftotext", "vertical", "html",
                   "word_html", "docx")


def check_layouts(layouts) -> tuple:
    """Return the layouts as a tuple (all of :data:`DEFAULT_LAYOUTS` for None); raise on an unknown one."""
    chosen = tuple(layouts) if layouts else DEFAULT_LAYOUTS
    unknown = [name for name in chosen if name not in LAYOUTS]
    if unknown:
        raise GovReportsError(f"unknown layout(s) {', '.join(unknown)}; choose from {', '.join(LAYOUTS)}")
    return chosen


def render_report(report: SyntheticReport) -> bytes:
    """Render a drawn report in its layout; return the file's bytes."""
    rng = random.Random(f"govreports.synth:{report.seed}:{report.index}:render")
    grid = report.layout in ("html", "word_html", "markdown", "docx", "browser_tabs")
    style = _style(rng, report, grid)
    rows = printed_rows(_texts(report, style), report.template)
    if style.full_width:
        rows = [_full_width_row(row) for row in rows]
    if report.layout == "html":
        charset = rng.choice(("utf-8", "utf-8", "gbk"))
        page = _html_page(_report_parts(report, rows, style), charset, report.agency)
        # GB18030 is GBK's superset: a rare character outside GBK still encodes (as browsers read it).
        return page.encode("utf-8" if charset == "utf-8" else "gb18030")
    if report.layout == "word_html":
        return _word_page(_report_parts(report, rows, style)).replace("\n", "\r\n").encode("gb18030")
    if report.layout == "docx":
        return docx_bytes(_report_parts(report, rows, style))
    return _text_document(report, rows, rng, style).encode("utf-8")


def generate_report(index: int, seed: int | str, *, years: tuple = (2019, 2024), layouts: tuple | None = None,
                    anomaly_rate: float = 0.02, params: SynthParams | None = None) -> SyntheticReport:
    """Draw report number ``index`` of the corpus ``seed`` (the same arguments always give the same report).

    The layout is assigned round-robin over ``layouts`` so that every layout gets its share.
    """
    params = params or DEFAULT_PARAMS
    layouts = check_layouts(layouts)
    rng = random.Random(f"govreports.synth:{seed}:{index}")
    agency = draw_agency(rng, params)
    year = rng.randint(years[0], years[-1])
    template = template_for(year)
    values = draw_values(rng, agency, year, template, params)
    anomaly = None
    if rng.random() < anomaly_rate:
        values, anomaly = apply_anomaly(rng, values, template, params)
    layout = layouts[index % len(layouts)]
    if layout == "browser_tabs":
        values = blank_zeros(values)
    published = _published_date(rng, year)
    damage = () if anomaly else _plan_damage(rng, layout, template, values)
    return SyntheticReport(index, str(seed), agency, year, template, values, layout, published, anomaly, damage)


def _plan_damage(rng: random.Random, layout: str, template: str, values: dict) -> tuple:
    """Choose what the layout breaks: cells OCR loses, rows whose digits run together."""
    if layout == "run_together":
        # Zero rows run together ("000000"), and at most one row of other single digits: the
        # parser's search over readings of several such rows is capped (see the tests).
        rows = SCHEMA.rows(template, "table3")
        zeros = [r.row_code for r in rows if all(values[c] == 0 for c in r.codes[:-1])]
        digits = [r.row_code for r in rows if r.row_code not in zeros and all(values[c] <= 9 for c in r.codes[:-1])]
        extra = [rng.choice(digits)] if digits and rng.random() < 0.5 else []
        return tuple(f"run:{row}" for row in zeros + extra)
    if layout != "tabs_ocr":
        return ()
    rows = rng.sample(SCHEMA.rows(template, "table3"), rng.randint(1, 2))
    return tuple(f"lost:{rng.choice(row.codes)}" for row in rows)
