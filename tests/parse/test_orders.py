"""Table 3 printed in another order (column by column, in blocks): read only when one order fits."""

from govreports import parse_text
from govreports.parse.orders import block_readings
from govreports.parse.rows import Token
from govreports.synth import consistent_values, render_rows, table_rows

BLOCK = ("1.属于国家秘密", "2.其他法律行政法规禁止公开", "3.危及“三安全一稳定”", "4.保护第三方合法权益",
         "5.属于三类内部事务信息", "6.属于四类过程性信息", "7.属于行政执法案卷", "8.属于行政查询事项",
         "1.本机关不掌握相关政府信息")


def is_value(cell: str) -> bool:
    return cell.replace(".", "").isdigit() or cell == "/"


def column_major_block(rows: list, labels: tuple) -> list:
    """Print the rows holding ``labels`` as one block: every value down each column, then the labels."""
    index = [i for i, row in enumerate(rows) if any(c in labels for c in row)]
    block = [rows[i] for i in index]
    values = [[c for c in row if is_value(c)] for row in block]
    down = [values[r][c] for c in range(7) for r in range(len(block))]
    label_rows = [[c for c in row if not is_value(c)] for row in block]
    return rows[:index[0]] + [down] + label_rows + rows[index[-1] + 1:]


def test_block_printed_column_by_column_is_read_when_only_one_order_fits():
    values = consistent_values("2021", seed=7)
    report = parse_text(render_rows(column_major_block(table_rows(values), BLOCK), "lines"))
    assert report.status == "repaired"
    table3 = {c: v for c, v in values.items() if c.startswith("table3.")}
    assert {c: report.values()[c] for c in table3} == table3
    assert {r.kind for r in report.repairs} == {"value_order"}
    assert any(e.code == "table3.value_order" and "column by column" in e.message for e in report.errors)
    assert all(c.passed for c in report.checks)


def test_block_with_a_value_too_many_is_not_read_in_any_order():
    values = consistent_values("2021", seed=7)
    rows = column_major_block(table_rows(values), BLOCK)
    rows = [row + ["1"] if row and all(is_value(c) for c in row) else row for row in rows]  # a stray value
    report = parse_text(render_rows(rows, "lines"))
    assert report.status == "invalid"
    assert not any(r.kind == "value_order" for r in report.repairs)
    wrong = [c for c, v in report.values().items() if c.startswith("table3.") and v is not None and v != values[c]]
    assert wrong == []


def tok(text, line):
    return Token("number", text, int(text), line, None, line)


def test_block_readings_lists_row_and_column_orders_the_row_sums_allow():
    # two rows printed down their columns: 1 1 / 0 0 / ... / 1 1 reads as [1,0,0,0,0,0,1] twice
    flat = ["1", "1", "0", "0", "0", "0", "0", "0", "0", "0", "0", "0", "1", "1"]
    lines = tuple((tok(t, n),) for n, t in enumerate(flat))

    def row_sum(_index, row):
        return sum(t.value for t in row[:6]) == row[6].value

    readings = block_readings(lines, 2, 7, row_sum)
    assert [[t.text for t in row] for row in readings[0].rows] == [["1", "0", "0", "0", "0", "0", "1"]] * 2
    assert readings[0].blocks == ((0, 2, "columns"),)
    assert len(readings) == 1  # row by row, 1 1 0 0 0 0 0 breaks its row sum


def test_lone_number_between_full_lines_may_be_left_out():
    lines = (tuple(tok(t, 1) for t in "1000001"), (tok("7", 2),), tuple(tok(t, 3) for t in "0000000"))
    readings = block_readings(lines, 2, 7, lambda _i, row: sum(t.value for t in row[:6]) == row[6].value)
    assert len(readings) == 1 and [t.text for t in readings[0].skipped] == ["7"]
