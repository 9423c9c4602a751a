"""Render synthetic reports in the layouts converters produce, for tests.

The values are consistent with every identity of the template unless a test breaks them on
purpose; the printed labels are the codebook's Chinese labels.
"""

from __future__ import annotations

import random

from govreports.schema import SCHEMA

TABLE3_HEADER = ["申请人情况", "自然人", "法人或其他组织", "总计", "商业企业", "科研机构", "社会公益组织", "法律服务机构", "其他"]
TABLE4_HEADER = ["行政复议", "行政诉讼", "结果维持", "结果纠正", "其他结果", "尚未审结", "总计", "未经复议直接起诉", "复议后起诉"] + [
    "结果维持", "结果纠正", "其他结果", "尚未审结", "总计"] * 2
TABLE2_HEADERS = {
    "2021": {"rules": ("第二十条第(一)项", ["信息内容", "本年制发件数", "本年废止件数", "现行有效件数"]),
             "licensing": ("第二十条第(五)项", ["信息内容", "本年处理决定数量"]),
             "penalty": ("第二十条第(六)项", ["信息内容", "本年处理决定数量"]),
             "fees": ("第二十条第(八)项", ["信息内容", "本年收费金额(单位:万元)"])},
    "2019": {"rules": ("第二十条第(一)项", ["信息内容", "本年新制作数量", "本年新公开数量", "对外公开总数量"]),
             "licensing": ("第二十条第(五)项", ["信息内容", "上一年项目数量", "本年增/减", "处理决定数量"]),
             "penalty": ("第二十条第(六)项", ["信息内容", "上一年项目数量", "本年增/减", "处理决定数量"]),
             "fees": ("第二十条第(八)项", ["信息内容", "上一年项目数量", "本年增/减"]),
             "procurement": ("第二十条第(九)项", ["信息内容", "采购项目数量", "采购总金额"])},
}


def consistent_values(template: str = "2021", seed: int = 1) -> dict:
    """Return {code: value} for every cell, satisfying every identity of the template."""
    rng = random.Random(seed)
    values = {}
    rows3 = [r.row_code for r in SCHEMA.rows(template, "table3")]
    outcomes = rows3[2:-2]
    applicants = ("natural_person", "commercial_enterprise", "research_institution", "social_welfare_org",
                  "legal_service_org", "other_org")
    for col in applicants:
        handled = {row: rng.choice([0, 0, 0, 1, 2, 5, 13]) for row in outcomes}
        forward = rng.choice([0, 0, 1, 3])
        total_handled = sum(handled.values())
        carried_over = rng.randint(0, min(3, total_handled + forward))
        for row, v in handled.items():
            values[f"table3.{row}.{col}"] = v
        values[f"table3.total_handled.{col}"] = total_handled
        values[f"table3.carried_forward.{col}"] = forward
        values[f"table3.carried_over.{col}"] = carried_over
        values[f"table3.new_received.{col}"] = total_handled + forward - carried_over
    for row in rows3:
        values[f"table3.{row}.total"] = sum(values[f"table3.{row}.{c}"] for c in applicants)
    for group in ("reconsideration", "litigation_direct", "litigation_after_reconsideration"):
        parts = [rng.choice([0, 0, 1, 2]) for _ in range(4)]
        for name, v in zip(("upheld", "corrected", "other", "pending"), parts):
            values[f"table4.{group}.{name}"] = v
        values[f"table4.{group}.total"] = sum(parts)
    for cell in SCHEMA.cells(template, "table2"):
        values[cell.code] = rng.choice([0, 1, 4, 12, 130, 2519])
    return values


def _fmt(value) -> str:
    if value is None:
        return "/"
    return f"{value:g}" if isinstance(value, float) else str(value)


def _row_label(row) -> list:
    label = SCHEMA.cell(row.template, row.codes[0]).row_label_zh
    if row.table == "table2":
        return [label.split(" ")[-1]]
    return label.split(" ")


def table_rows(values: dict, template: str = "2021") -> list:
    """Return the report's printed rows (lists of cell texts), headings and tables in order."""
    rows = [["二、主动公开政府信息情况"]]
    headers = TABLE2_HEADERS[template]
    for row in SCHEMA.rows(template, "table2"):
        if row.row_code in headers:
            title, header = headers[row.row_code]
            rows += [[title], header]
        rows.append(_row_label(row) + [_fmt(values.get(c)) for c in row.codes])
    rows += [["三、收到和处理政府信息公开申请情况"], ["(本列数据的勾稽关系为:第一项加第二项之和,等于第三项加第四项之和)"] + TABLE3_HEADER[:4],
             TABLE3_HEADER[4:]]
    for row in SCHEMA.rows(template, "table3"):
        label = _row_label(row)
        if row.row_code == "granted":
            label = ["三、本年度办理结果"] + label
        rows.append(label + [_fmt(values.get(c)) for c in row.codes])
    table4 = SCHEMA.rows(template, "table4")[0]
    rows += [["四、政府信息公开行政复议、行政诉讼情况"], TABLE4_HEADER[:2], TABLE4_HEADER[2:9], TABLE4_HEADER[9:],
             [_fmt(values.get(c)) for c in table4.codes]]
    return rows


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
    title = title or "湘阴县人民政府2023年政府信息公开工作年度报告"
    out = [title, "一、总体情况", "2023年,本机关依法推进政府信息公开工作,全年收到申请71件。"]
    for index, row in enumerate(rows):
        out.extend(_render_row(row, layout))
        if page_break_after is not None and index == page_break_after:
            out += ["— 3 —", "", "申请人情况 自然人 商业企业 科研机构 社会公益组织 法律服务机构 其他 总计"] if layout != "lines" else ["- 3 -"]
    out += ["五、存在的主要问题及改进情况", "工作人员业务能力有待提高。", "六、其他需要报告的事项", "无"]
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
    assert done, label_part
    return out


def _render_row(row: list, layout: str) -> list:
    if layout == "lines":
        return [line for cell in row for line in (cell, "")]
    if layout == "pipes":
        return [f"{cell} |" for cell in row] + ["||"]
    if layout == "tabs":
        return ["\t".join(row)]
    if layout == "markdown":
        return ["| " + " | ".join(row) + " |"]
    if layout == "spaces":
        return ["   ".join(row)]
    if layout == "vertical":
        lines = []
        for cell in row:
            is_value = cell.replace(".", "").isdigit() or cell == "/"
            lines.extend([cell] if is_value or len(cell) > 30 else list(cell.replace(" ", "")))
        return lines
    raise ValueError(layout)
