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
