"""Mutations of a valid report's table 3/4 rows, for correctness tests and the mutation benchmark.

Each mutation takes a report's values, renders its printed rows (``synth.table_rows``), alters
them, and returns the altered rows with the values *as now printed*: what a correct parser must
report when the mutation changed the published figures (change, swap, shift: a source anomaly,
kept as published, never ``valid`` unless nothing changed). When only the layout was damaged (a
value dropped, two run together) the printed figures are the original ones: the parser must
repair them exactly or leave the cells it cannot place null.
"""

from __future__ import annotations

import random

from govreports.synth import table_rows
from govreports.template import SCHEMA, synth_terms

NUMERIC = set("0123456789")
PUBLISHED_CHANGES = ("change", "swap", "shift")
LAYOUT_DAMAGE = ("drop", "run_together")


def value_rows(rows: list, template: str) -> list:
    """Return ``(row index, first value column, codes)`` for the printed rows of tables 3 and 4."""
    specs = list(SCHEMA.rows(template, "table3")) + list(SCHEMA.rows(template, "table4"))
    found, in_tables = [], False
    for index, row in enumerate(rows):
        in_tables = in_tables or (bool(row) and row[0].startswith(synth_terms.TABLE3_START))
        columns = [i for i, c in enumerate(row) if c and set(c) <= NUMERIC]
        if in_tables and len(columns) in (7, 15):
            found.append((index, columns[0], specs[len(found)].codes))
    assert len(found) == len(specs)
    return found


def mutate(values: dict, template: str, kind: str, rng: random.Random) -> tuple:
    """Return ``(mutated printed rows, values as printed)`` after one mutation of ``kind``."""
    rows = [list(r) for r in table_rows(values, template)]
    printed = dict(values)
    index, start, codes = rng.choice(value_rows(rows, template))
    row, width = rows[index], len(codes)
    offset = rng.randrange(width)
    if kind == "change":
        printed[codes[offset]] += rng.randint(1, 9)
        row[start + offset] = str(printed[codes[offset]])
    elif kind == "swap":
        other = rng.randrange(width)
        printed[codes[offset]], printed[codes[other]] = values[codes[other]], values[codes[offset]]
        row[start + offset], row[start + other] = row[start + other], row[start + offset]
    elif kind == "shift":
        for i, code in enumerate(codes):
            printed[code] = values[codes[i - 1]]
        row[start:start + width] = row[start + width - 1:start + width] + row[start:start + width - 1]
    elif kind == "drop":
        del row[start + offset]
    elif kind == "run_together":
        offset = min(offset, width - 2)
        row[start + offset:start + offset + 2] = [row[start + offset] + row[start + offset + 1]]
    return rows, printed


def satisfies_identities(values: dict, template: str) -> bool:
    """Return True if the values satisfy every identity of the template (the mutation is invisible)."""
    return all(sum(values[c] for c in i.lhs) == sum(values[c] for c in i.rhs) for i in SCHEMA.identities(template))


# ----------------------------------------------------------------------------------------
# Corruptions of a whole report (issue 14): each returns the text and what a correct parser reports

#: Corruptions that only change how the report is printed: the parser must read the original
#: values or leave cells null, never another number.
LAYOUT_CORRUPTIONS = ("column_swap_headed", "outcome_rows_swapped_labelled", "table2_unit", "table2_footnote",
                      "table2_extra_value")
#: Corruptions of the published figures the identities cannot see (read as printed: invisible).
PUBLISHED_CORRUPTIONS = ("column_swap_values", "outcome_rows_swapped_values")
#: Two reports in one file: the parser must fail the file, never read it as one report.
FILE_CORRUPTIONS = ("merged_files",)
CORRUPTIONS = LAYOUT_CORRUPTIONS + PUBLISHED_CORRUPTIONS + FILE_CORRUPTIONS
FOOTNOTE_MARKS = ("①", "②", "*", "¹")


def applicant_columns(template: str) -> list:
    """Return 表三's applicant column labels in the template's order (the codebook's)."""
    row = SCHEMA.rows(template, "table3")[0]
    return [SCHEMA.cell(template, code).column_label_zh for code in row.codes]


def swap_columns(rows: list, template: str, first: int, second: int, *, headers: bool) -> list:
    """Swap two of 表三's applicant columns (indexes into :func:`applicant_columns`).

    With ``headers`` the header cells are swapped too (the table is printed in another order);
    without, only the values (the figures are published in the wrong columns).
    """
    names = applicant_columns(template)
    a, b = names[first], names[second]
    width = len(names)
    out, in_table3 = [], False
    for row in rows:
        row = list(row)
        if synth_terms.TABLE3_HEADER[0] in row or row[-5:] == synth_terms.TABLE3_HEADER[4:]:
            in_table3 = True
            if headers:
                row = [b if c == a else a if c == b else c for c in row]
        elif in_table3 and row and not set(row[0]) <= NUMERIC and all(c and set(c) <= NUMERIC for c in row[-width:]):
            values = row[-width:]
            values[first], values[second] = values[second], values[first]
            row = row[:-width] + values
        out.append(row)
    return out


def _outcome_rows(rows: list, template: str) -> list:
    """Return the indexes of 表三's outcome rows (予以公开 .. 其他处理) among the printed rows."""
    found = value_rows(rows, template)
    table3 = [index for index, _start, codes in found if codes[0].startswith("table3.")]
    return table3[2:-2]  # after 新收 and 结转; before 总计 and 结转下年度


def _swap_outcome_rows(rows: list, values: dict, template: str, rng: random.Random, labelled: bool) -> tuple:
    indexes = _outcome_rows(rows, template)
    i, j = sorted(rng.sample(indexes, 2))
    printed = dict(values)
    specs = {index: codes for index, _start, codes in value_rows(rows, template)}
    if labelled:
        rows[i], rows[j] = rows[j], rows[i]
        return rows, printed
    width = len(specs[i])
    rows[i][-width:], rows[j][-width:] = rows[j][-width:], rows[i][-width:]
    for a, b in zip(specs[i], specs[j]):
        printed[a], printed[b] = values[b], values[a]
    return rows, printed


def _table2_row(rows: list, template: str, rng: random.Random) -> tuple:
    """Return ``(row index, codes)`` of a random printed 表二 row."""
    specs = SCHEMA.rows(template, "table2")
    labels = {SCHEMA.cell(template, r.codes[0]).row_label_zh.split(" ")[-1]: r.codes for r in specs}
    found = [(i, labels[r[0]]) for i, r in enumerate(rows) if r and r[0] in labels and len(r) == len(labels[r[0]]) + 1]
    return rng.choice(found)


def _money_row(rows: list, template: str) -> tuple:
    codes = [c.code for c in SCHEMA.cells(template, "table2") if c.unit == "10k_yuan"]
    for index, row in enumerate(rows):
        spec = next(r for r in SCHEMA.rows(template, "table2") if codes[0] in r.codes)
        if row and row[0] == SCHEMA.cell(template, spec.codes[0]).row_label_zh.split(" ")[-1]:
            return index, 1 + spec.codes.index(codes[0])
    raise AssertionError("no money row")


def corrupt(values: dict, template: str, kind: str, rng: random.Random, layout: str) -> tuple:
    """Return ``(text, values a correct parser reports)`` after one corruption of ``kind``.

    For :data:`LAYOUT_CORRUPTIONS` those values are the original ones (or null); for
    :data:`PUBLISHED_CORRUPTIONS` the figures as now printed; for :data:`FILE_CORRUPTIONS` None
    (the file must fail).
    """
    from govreports.synth import consistent_values, render_rows

    rows = [list(r) for r in table_rows(values, template)]
    printed = dict(values)
    width = len(applicant_columns(template))
    if kind in ("column_swap_headed", "column_swap_values"):
        first, second = sorted(rng.sample(range(width - 1), 2))  # the total column moves with a sum: seen
        rows = swap_columns(rows, template, first, second, headers=kind == "column_swap_headed")
        if kind == "column_swap_values":
            for _index, _start, codes in value_rows(table_rows(values, template), template):
                if codes[0].startswith("table3."):
                    printed[codes[first]], printed[codes[second]] = values[codes[second]], values[codes[first]]
    elif kind in ("outcome_rows_swapped_labelled", "outcome_rows_swapped_values"):
        rows, printed = _swap_outcome_rows(rows, values, template, rng, kind.endswith("labelled"))
    elif kind == "table2_unit":
        index, column = _money_row(rows, template)
        rows[index][column] = f"{values[_money_code(template)] * 10000}{synth_terms.YUAN}"
    elif kind == "table2_footnote":
        index, codes = _table2_row(rows, template, rng)
        rows[index][1 + rng.randrange(len(codes))] += rng.choice(FOOTNOTE_MARKS)
    elif kind == "table2_extra_value":
        index, codes = _table2_row(rows, template, rng)
        rows[index][1 + rng.randrange(len(codes))] += f" {rng.randint(1, 99)}"
    elif kind == "merged_files":
        other = consistent_values(template, seed=rng.randrange(10**9))
        return render_rows(rows, layout) + "\n" + render_rows(table_rows(other, template), layout), None
    else:
        raise ValueError(kind)
    return render_rows(rows, layout), printed


def _money_code(template: str) -> str:
    return next(c.code for c in SCHEMA.cells(template, "table2") if c.unit == "10k_yuan")
