"""Never silently wrong: the faults an attack found (issue 14), each reproduced, then guarded.

表二 has no identities, so it is read conservatively: a value is kept only when it is printed
in its own cell (its unit read and converted to the codebook's), never joined, split or shifted.
"""

import pytest

from govreports import parse_text
from govreports.synth import consistent_values, render_rows, replace_row, table_rows

FEES = "table2.fees.amount_10k_yuan"
AMOUNT_2019 = "table2.procurement.amount_10k_yuan"
RULES = ("table2.rules.issued", "table2.rules.repealed", "table2.rules.in_force")


def report_with(label: str, cells: list, template: str = "2021", layout: str = "lines"):
    values = consistent_values(template, seed=3)
    rows = replace_row(table_rows(values, template), label, cells)
    return parse_text(render_rows(rows, layout))


def codes(report) -> dict:
    return {p.code: p for p in report.errors}


@pytest.mark.parametrize("layout", ["lines", "pipes", "tabs", "markdown", "spaces"])
def test_an_amount_printed_in_yuan_is_converted_to_the_codebooks_10k_yuan(layout):
    report = report_with("行政事业性收费", ["103008203元"], layout=layout)
    assert report.values()[FEES] == pytest.approx(10300.8203)
    assert "元" in codes(report)["unit.converted"].message
    assert report.status == "valid"


@pytest.mark.parametrize(("printed", "value"), [("2.5亿元", 25000), ("12.5万元", 12.5), ("12.5", 12.5)])
def test_amounts_in_other_units_and_in_the_headers_unit(printed, value):
    report = report_with("行政事业性收费", [printed])
    assert report.values()[FEES] == pytest.approx(value)
    assert "unit.unstated" not in codes(report)  # the header prints (单位:万元)


def test_an_amount_whose_unit_is_printed_nowhere_is_kept_and_flagged():
    report = report_with("政府集中采购", ["6", "251000"], template="2019")
    assert report.values()[AMOUNT_2019] == 251000
    assert "unit.unstated" in codes(report)


def test_the_2019_procurement_amount_printed_in_yuan():
    report = report_with("政府集中采购", ["6", "251000元"], template="2019")
    assert report.values()[AMOUNT_2019] == pytest.approx(25.1)
    assert report.values()["table2.procurement.projects"] == 6


@pytest.mark.parametrize("layout", ["lines", "spaces", "tabs"])
def test_an_extra_value_is_never_joined_to_a_table2_value(layout):
    report = report_with("行政事业性收费", ["6454  12"] if layout == "lines" else ["6454", "12"], layout=layout)
    assert report.values()[FEES] is None
    assert "table2.extra_values" in codes(report)


@pytest.mark.parametrize("mark", ["①", "⑵", "¹", "*"])
def test_a_footnote_mark_is_not_read_as_a_digit(mark):
    report = report_with("行政事业性收费", [f"6454{mark}"])
    assert report.values()[FEES] in (6454, None)
    assert report.values()[FEES] != 64541
    assert "table2.footnote" in codes(report)


def test_circled_numbers_elsewhere_still_fold_to_digits():
    from govreports.parse.layout import normalise_text

    assert normalise_text("①属于国家秘密 6454① ６４５４②") == "1属于国家秘密 6454① 6454②"


@pytest.mark.parametrize("layout", ["lines", "spaces"])
def test_a_short_table2_row_is_not_filled_from_the_left(layout):
    report = report_with("规章", ["5", "7"], layout=layout)
    assert [report.values()[c] for c in RULES] == [None, None, None]
    assert "table2.row_short" in codes(report)
    assert codes(report)["table2.row_short"].severity == "warning"


def test_a_short_row_in_a_positional_layout_keeps_the_columns_it_shows():
    report = report_with("规章", ["5", "", "7"], layout="tabs")
    assert [report.values()[c] for c in RULES] == [5, None, 7]


# ----------------------------------------------------------------------------------------
# 表三's column headers

def swap_columns(rows: list, first: str, second: str) -> list:
    """Swap two applicant columns of 表三, headers and all (the printed rows of ``table_rows``)."""
    from govreports.template.synth_terms import TABLE3_HEADER

    names = ["自然人", "商业企业", "科研机构", "社会公益组织", "法律服务机构", "其他", "总计"]
    i, j = names.index(first), names.index(second)
    out, in_table3 = [], False
    for row in rows:
        row = list(row)
        if row[-len(TABLE3_HEADER[4:]):] == TABLE3_HEADER[4:] or TABLE3_HEADER[0] in row:
            in_table3 = True
            row = [second if c == first else first if c == second else c for c in row]
        elif in_table3 and not row[0].isdigit() and all(c.isdigit() for c in row[-7:]):
            values = row[-7:]
            values[i], values[j] = values[j], values[i]
            row = row[:-7] + values
        out.append(row)
    return out


@pytest.mark.parametrize(("first", "second"), [("商业企业", "科研机构"), ("自然人", "其他"), ("自然人", "总计")])
@pytest.mark.parametrize("layout", ["lines", "tabs", "spaces"])
def test_table3_columns_printed_in_another_order_are_read_by_their_headers(first, second, layout):
    values = consistent_values("2021", seed=5)
    rows = swap_columns(table_rows(values, "2021"), first, second)
    report = parse_text(render_rows(rows, layout))
    got = report.values()
    assert {c: got[c] for c in values if c.startswith("table3.")} == {c: v for c, v in values.items() if c.startswith("table3.")}
    assert "table3.columns_as_printed" in codes(report)
    assert report.status == "valid"


def test_the_templates_header_order_changes_nothing():
    values = consistent_values("2021", seed=5)
    report = parse_text(render_rows(table_rows(values, "2021"), "lines"))
    assert "table3.columns_as_printed" not in codes(report)
    assert report.status == "valid"


def test_header_orders_in_one_row_and_two():
    from govreports.parse.headers import printed_column_order

    one = "申请人情况 自然人 科研机构 商业企业 社会公益组织 法律服务机构 其他 总计"
    assert printed_column_order("2021", one)[:3] == ("natural_person", "research_institution", "commercial_enterprise")
    two = "申请人情况 总计 法人或其他组织 自然人 商业企业 科研机构 社会公益组织 法律服务机构 其他"
    assert printed_column_order("2021", two)[0] == "total" and printed_column_order("2021", two)[-1] == "natural_person"
    assert printed_column_order("2021", "数据1 数据2 数据3 数据4 数据5 数据6") is None
    assert printed_column_order("2021", "申请人情况 自然人 自然人 科研机构") is None


# ----------------------------------------------------------------------------------------
# Two reports in one file; a long concatenation

def two_reports(layout: str = "lines") -> str:
    first = render_rows(table_rows(consistent_values("2021", seed=11), "2021"), layout, title="甲县人民政府2022年政府信息公开工作年度报告")
    second = render_rows(table_rows(consistent_values("2021", seed=12), "2021"), layout, title="乙县人民政府2022年政府信息公开工作年度报告")
    return first + "\n" + second


@pytest.mark.parametrize("layout", ["lines", "pipes", "tabs", "markdown", "spaces"])
def test_a_file_holding_two_reports_is_reported_as_such_never_parsed_as_one(layout):
    report = parse_text(two_reports(layout))
    assert report.status == "failed"
    assert "tables.several_reports" in codes(report)
    assert "2" in codes(report)["tables.several_reports"].message


def test_one_report_with_a_repeated_header_row_is_still_one_report():
    values = consistent_values("2021", seed=11)
    rows = table_rows(values, "2021")
    at = next(i for i, r in enumerate(rows) if r and r[0].startswith("(三)"))
    rows = rows[:at] + [rows[at - 8], rows[at - 7]] + rows[at:]  # a table-3 header printed again mid-table
    report = parse_text(render_rows(rows, "lines"))
    assert report.status == "valid"


def test_row_alignment_grows_about_linearly_with_the_segments(monkeypatch):
    """Row alignment's work, counted as calls of the row stage's own functions (exact, the same on
    any machine), grows about as the text: 8 times the segments cost under 10 times the calls,
    where comparing every earlier segment or pair would cost about 64 times. The calls are counted
    by wrapping the module's functions, not by a profiler: a profiler left this test hanging inside
    the full suite. Seconds are for benchmarks/.
    """
    import functools
    import inspect

    from govreports.parse import rows as row_stage
    from govreports.parse.layout import normalise_text, split_lines

    counted = {"calls": 0}

    def counting(function):
        @functools.wraps(function)
        def wrapper(*args, **kwargs):
            counted["calls"] += 1
            return function(*args, **kwargs)
        return wrapper

    for name, function in inspect.getmembers(row_stage, inspect.isfunction):
        if function.__module__ == row_stage.__name__:
            monkeypatch.setattr(row_stage, name, counting(function))
    for name in ("update", "best_before"):
        monkeypatch.setattr(row_stage._PrefixMax, name, counting(getattr(row_stage._PrefixMax, name)))

    one = render_rows(table_rows(consistent_values("2021", seed=11), "2021"), "lines")

    def calls(copies: int) -> int:
        lines = split_lines(normalise_text(one * copies))
        counted["calls"] = 0
        row_stage.match_rows(lines, "2021")
        return counted["calls"]

    small, large = calls(25), calls(200)
    assert small > 5_000  # the alignment did run over every segment (9,318 calls here)
    assert 7 * small < large < 10 * small


# ----------------------------------------------------------------------------------------
# Repairs inside invalid reports

def test_a_join_that_breaks_the_identities_is_no_repair():
    from govreports.synth import replace_row as replace

    values = consistent_values("2021", seed=7)
    granted = [values[f"table3.granted.{c}"] for c in ("natural_person", "commercial_enterprise", "research_institution",
                                                        "social_welfare_org", "legal_service_org", "other_org", "total")]
    cells = [str(v) for v in granted]
    cells[-1] += " 5"  # an extra value printed after the total: joining it gives 185
    report = parse_text(render_rows(replace(table_rows(values), "予以公开", cells), "lines"))
    assert report.values()["table3.granted.total"] is None
    assert report.repairs == () or all(r.code != "table3.granted.total" for r in report.repairs)
    assert report.status == "invalid"


def test_every_repair_of_an_invalid_report_satisfies_the_identities_it_appears_in():
    import random

    from govreports.synth.mutations import mutate

    rng = random.Random(4)
    for _ in range(60):
        template = rng.choice(["2019", "2021"])
        values = consistent_values(template, seed=rng.randrange(10**6))
        rows, _printed = mutate(values, template, rng.choice(["change", "drop", "run_together"]), rng)
        rows, _printed = mutate_rows_again(rows, rng)
        report = parse_text(render_rows(rows, rng.choice(["lines", "spaces", "tabs"])))
        got = report.values()
        for repair in report.repairs:
            for check in report.checks:
                if repair.code in check.lhs + check.rhs:
                    assert check.passed is not False, (repair, check)
        assert all(got[r.code] == r.value for r in report.repairs)


def mutate_rows_again(rows: list, rng) -> tuple:
    """Join one more printed value to its neighbour's cell (an extra value) somewhere in 表三."""
    candidates = [i for i, r in enumerate(rows) if len(r) >= 8 and all(c.isdigit() for c in r[-7:])]
    index = rng.choice(candidates)
    row = list(rows[index])
    row[-1] = row[-1] + " " + str(rng.randint(1, 9))
    return rows[:index] + [row] + rows[index + 1:], None


# ----------------------------------------------------------------------------------------
# The corruption classes of bench_mutations.py: never a silent error

@pytest.mark.parametrize("kind", ["column_swap_headed", "outcome_rows_swapped_labelled", "table2_unit",
                                  "table2_footnote", "table2_extra_value", "column_swap_values",
                                  "outcome_rows_swapped_values", "merged_files"])
@pytest.mark.parametrize("layout", ["lines", "tabs", "spaces", "markdown"])
def test_no_corruption_is_read_silently_wrong(kind, layout):
    import random

    from govreports.synth.mutations import FILE_CORRUPTIONS, LAYOUT_CORRUPTIONS, corrupt

    rng = random.Random(f"{kind}/{layout}")
    for _ in range(4):
        template = rng.choice(["2019", "2021"])
        values = consistent_values(template, seed=rng.randrange(10**6))
        text, printed = corrupt(values, template, kind, rng, layout)
        report = parse_text(text)
        if kind in FILE_CORRUPTIONS:
            assert report.status == "failed" and "tables.several_reports" in codes(report)
            continue
        got = report.values()
        wrong = {c: (got[c], v) for c, v in printed.items() if got[c] is not None and got[c] != pytest.approx(v)}
        assert wrong == {}
        if kind in LAYOUT_CORRUPTIONS and not kind.startswith("table2"):
            # read exactly: headers and labels bind the values (a row the labels miss is fixed by the identities)
            assert report.status in ("valid", "repaired") and all(got[c] == v for c, v in printed.items())
