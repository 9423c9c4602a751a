"""The third form: the statistics table of the reports before 2019, as data (``pre2019_rows.csv``).

The national 《政府信息公开情况统计表》 (国办发〔2014〕32号) and the local tables that preceded and
varied it print rows of *label, unit, this year* and often *cumulative since 2008* (历年累计).
Provinces print subsets and variants of the rows, so the form lists every row seen with its
label variants, its parent (a row whose printed children sum to it: channels to applications
received, answers by type to applications answered, results to reconsiderations) and the
indicator it maps to in the crosswalk comparable across eras.
"""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass
from functools import cache
from importlib import resources

from govreports.template.pre2019_terms import FORM

TABLE = "stats"
COLUMNS = ("year", "cumulative")  # 本年度 and 历年累计


@dataclass(frozen=True)
class StatRow:
    """One row of the statistics table: its code, label variants, parent and crosswalk indicator."""

    row_code: str
    parent: str
    relation: str  # "sum": the parent's printed children sum to it; "part": each is at most the parent
    name_en: str
    unit: str
    indicator: str
    labels: tuple

    def code(self, column: str) -> str:
        """Return the cell code of this row in ``column`` (``year`` or ``cumulative``)."""
        return f"{TABLE}.{self.row_code}.{column}"


@cache
def stat_rows() -> tuple:
    """Return the form's rows in the order the national table prints them."""
    text = resources.files(__package__).joinpath("pre2019_rows.csv").read_text(encoding="utf-8")
    return tuple(StatRow(r["row_code"], r["parent"], r["relation"], r["name_en"], r["unit"], r["indicator"],
                         tuple(r["labels"].split("|")))
                 for r in csv.DictReader(io.StringIO(text)))


@cache
def stat_row(row_code: str) -> StatRow:
    """Return one row by its code."""
    return next(r for r in stat_rows() if r.row_code == row_code)


@cache
def children(parent: str, relation: str = "sum") -> tuple:
    """Return the codes of the rows whose printed values sum to ``parent``'s (or, ``part``, are each at most it)."""
    return tuple(r.row_code for r in stat_rows() if r.parent == parent and r.relation == relation)


@cache
def codes() -> tuple:
    """Return every cell code of the form, row by row, this year before cumulative."""
    return tuple(row.code(column) for row in stat_rows() for column in COLUMNS)


def codebook_rows() -> list:
    """Return the form's cells in the shape of the codebook (one dict per cell)."""
    labels = {"year": "本年度", "cumulative": "历年累计"}
    return [{"table": TABLE, "template": FORM, "code": row.code(column), "row_code": row.row_code,
             "column_code": column, "row_label_zh": row.labels[0], "column_label_zh": labels[column],
             "name_en": f"{row.name_en}: {'this year' if column == 'year' else 'cumulative since 2008'}",
             "unit": row.unit, "dtype": "number" if row.unit == "10k_yuan" else "integer"}
            for row in stat_rows() for column in COLUMNS]


@dataclass(frozen=True)
class Indicator:
    """An indicator comparable across eras, with the cells that make it in each form and its break note."""

    name: str
    name_en: str
    name_zh: str
    codes: dict  # form -> tuple of cell codes or patterns (``table3.denied_*.total``), empty when not printed
    note: str


@cache
def indicators() -> tuple:
    """Return the crosswalk (``indicators.csv``): each indicator's cells in the 2014 form and both templates."""
    text = resources.files(__package__).joinpath("indicators.csv").read_text(encoding="utf-8")
    out = []
    for r in csv.DictReader(io.StringIO(text)):
        forms = {FORM: r["form_2014"], "2019": r["template_2019"], "2021": r["template_2021"]}
        out.append(Indicator(r["indicator"], r["name_en"], r["name_zh"],
                             {form: tuple(spec.split()) for form, spec in forms.items()}, r["note"]))
    return tuple(out)
