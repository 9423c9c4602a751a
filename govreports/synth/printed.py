"""The printed rows of a report's three tables, and the small renderer the unit tests use.

:func:`table_rows` lays values out as the template prints them (labels, headers, values);
:func:`render` and :func:`render_rows` turn rows into text in one of the simple layouts.
"""

from __future__ import annotations

from typing import NamedTuple

from govreports.synth.model import TABLE2_HEADERS, TABLE3_HEADER, TABLE4_HEADER
from govreports.template import SCHEMA
from govreports.template import synth_terms as terms


def _fmt(value) -> str:
    if value is None:
        return "/"
    return f"{value:g}" if isinstance(value, float) else str(value)


class PrintedRow(NamedTuple):
    """One printed row of the tables: a section heading, a header row, or a data row.

    ``cells`` holds a heading's or header's texts, or a data row's printed values; ``group``
    is the group label of a 表三 row ("(三)不予公开"), ``first`` marks a group's first row and
    ``outcome`` the first outcome row (where "三、本年度办理结果" is printed).
    """

    kind: str
    cells: tuple
    label: str = ""
    group: str = ""
    first: bool = False
    outcome: bool = False
    table: str = ""
    codes: tuple = ()


def _table2_rows(texts: dict, template: str, full: bool) -> list:
    rows = [PrintedRow("heading", (terms.SECTIONS["table2"],))]
    headers = TABLE2_HEADERS[template]
    for row in SCHEMA.rows(template, "table2"):
        if row.row_code in headers:
            title, header = headers[row.row_code]
            rows += [PrintedRow("header", (title,), table="table2"), PrintedRow("header", tuple(header), table="table2")]
        label = SCHEMA.cell(template, row.codes[0]).row_label_zh.split(" ")[-1]
        if full and row.row_code == "normative_documents":
            label = terms.NORMATIVE_LABELS[template]
        rows.append(PrintedRow("row", tuple(texts[c] for c in row.codes), label, table="table2", codes=row.codes))
    return rows


def _table3_rows(texts: dict, template: str, full: bool) -> list:
    rows = [PrintedRow("heading", (terms.SECTIONS["table3"],)),
            PrintedRow("header", (terms.TABLE3_NOTE, *TABLE3_HEADER[:4]), table="table3"),
            PrintedRow("header", tuple(TABLE3_HEADER[4:]), table="table3")]
    previous = None
    for row in SCHEMA.rows(template, "table3"):
        parts = SCHEMA.cell(template, row.codes[0]).row_label_zh.split(" ")
        group, label = (parts[0], parts[1]) if len(parts) == 2 else ("", parts[0])
        if full:
            label = max((v for v in row.labels if label in v), key=len, default=label)
        rows.append(PrintedRow("row", tuple(texts[c] for c in row.codes), label, group, group != previous,
                               row.row_code == "granted", "table3", row.codes))
        previous = group
    return rows


def _table4_rows(texts: dict, template: str) -> list:
    codes = SCHEMA.rows(template, "table4")[0].codes
    return [PrintedRow("heading", (terms.SECTIONS["table4"],)),
            PrintedRow("header", tuple(TABLE4_HEADER[:2]), table="table4"),
            PrintedRow("header", tuple(TABLE4_HEADER[2:9]), table="table4"),
            PrintedRow("header", tuple(TABLE4_HEADER[9:]), table="table4"),
            PrintedRow("row", tuple(texts[c] for c in codes), table="table4", codes=codes)]


def printed_rows(texts: dict, template: str, *, full_labels: bool = True) -> list:
    """Return the tables as :class:`PrintedRow` s in printed order, from ``{code: printed text}``.

    ``full_labels`` prints the template's full row labels ("(二)部分公开(区分处理的,...)");
    otherwise the codebook's short ones.
    """
    return (_table2_rows(texts, template, full_labels) + _table3_rows(texts, template, full_labels)
            + _table4_rows(texts, template))


def flat_cells(row: PrintedRow, *, repeat_groups: bool = False) -> list:
    """Return a printed row as its list of cell texts (group labels on the group's first row only)."""
    if row.kind != "row":
        return list(row.cells)
    lead = [terms.OUTCOMES_LABEL] if row.outcome else []
    if row.group and (row.first or repeat_groups):
        lead.append(row.group)
    return lead + ([row.label] if row.label else []) + list(row.cells)


def table_rows(values: dict, template: str = "2021") -> list:
    """Return the report's printed rows (lists of cell texts), headings and tables in order."""
    texts = {code: _fmt(values.get(code)) for code in SCHEMA.codes(template)}
    return [flat_cells(row, repeat_groups=True) for row in printed_rows(texts, template, full_labels=False)]


def render(values: dict, layout: str = "lines", template: str = "2021", *, title: str | None = None,
           page_break_after: int | None = None) -> str:
    """Render a whole report in one layout (see :func:`render_rows`)."""
    return render_rows(table_rows(values, template), layout, title=title, page_break_after=page_break_after)


def render_rows(rows: list, layout: str = "lines", *, title: str | None = None,
                page_break_after: int | None = None) -> str:
    """Render a whole report in one layout.

    Layouts: ``lines`` (one cell per line, blank lines between), ``pipes`` (``cell |`` per line
    with ``||`` padding), ``tabs`` (a row per line, tab separated), ``markdown`` (pipe table rows),
    ``spaces`` (a row per line, cells apart by runs of spaces), ``vertical`` (labels broken one
    character per line).
    """
    out = [title or terms.LEGACY_TITLE, *terms.LEGACY_HEAD]
    for index, row in enumerate(rows):
        out.extend(_render_row(row, layout))
        if page_break_after is not None and index == page_break_after:
            out += ["— 3 —", "", terms.LEGACY_REPEATED_HEADER] if layout != "lines" else ["- 3 -"]
    out += terms.LEGACY_TAIL
    return "\n".join(out) + "\n"


def replace_row(rows: list, label_part: str, cells: list) -> list:
    """Return ``rows`` with the printed values of the first row whose label holds ``label_part`` replaced."""
    out, done = [], False
    for row in rows:
        if not done and any(label_part in c for c in row[:3]):
            labels = [c for c in row if not (c.replace(".", "").isdigit() or c == "/")]
            out.append(labels + cells)
            done = True
        else:
            out.append(row)
    if not done:
        raise AssertionError(label_part)
    return out


def _render_row(row: list, layout: str) -> list:
    if layout == "vertical":
        return _vertical_row(row, lambda cell: cell.replace(".", "").isdigit() or cell == "/")
    renderers = {
        "lines": lambda: [line for cell in row for line in (cell, "")],
        "pipes": lambda: [f"{cell} |" for cell in row] + ["||"],
        "tabs": lambda: ["\t".join(row)],
        "markdown": lambda: ["| " + " | ".join(row) + " |"],
        "spaces": lambda: ["   ".join(row)],
    }
    if layout not in renderers:
        raise ValueError(layout)
    return renderers[layout]()


def _vertical_row(row: list, is_value) -> list:
    lines = []
    for cell in row:
        lines.extend([cell] if is_value(cell) or len(cell) > 30 else list(cell.replace(" ", "")))
    return lines


# ============================================================================ a synthetic report




def browser_copy(path) -> str:
    """Return a page's text as a browser copies it: a table row per line, its cells tab-separated.

    Spanned cells are left out, the other blocks read as they are. Real corpora hold such copies of saved pages; the tests and ``benchmarks/bench_families.py``
    make them from a real page to check that the parser reads them as it reads the page.
    """
    from govreports.read import read_document  # the read stage only when a copy is made

    parts = []
    for block in read_document(path).blocks:
        if block.kind == "table":
            parts += ["\t".join(c.strip() for c in row if c is not None) for row in block.rows]
        else:
            parts.append(block.text)
    return "\n".join(parts)
