"""The national templates as data: the single source of truth for cells, labels and identities.

Everything the parser knows about the 2019 and 2021 templates is loaded here from the package's
CSV files (``cells.csv``: one row per template cell under the codebook's ``table.row.column``
codes; ``labels.csv``: printed label variants and template markers). The identities are derived
from the cell structure, so a change of the template is a change of data, not of code.
"""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass
from functools import cache, cached_property
from importlib import resources

from govreports.errors import SchemaError

TEMPLATES = ("2019", "2021")
TABLES = ("table2", "table3", "table4")

# Roles of table 3's rows in its identities (row codes, not labels).
TABLE3_APPLICANT_COLUMNS = (
    "natural_person",
    "commercial_enterprise",
    "research_institution",
    "social_welfare_org",
    "legal_service_org",
    "other_org",
)
TABLE3_TOTAL_COLUMN = "total"
TABLE3_INFLOW_ROWS = ("new_received", "carried_over")
TABLE3_HANDLED_ROW = "total_handled"
TABLE3_FORWARD_ROW = "carried_forward"
TABLE4_RESULT_COLUMNS = ("upheld", "corrected", "other", "pending")
TABLE4_TOTAL_COLUMN = "total"


@dataclass(frozen=True)
class CellSpec:
    """One cell of a template, as listed in ``cells.csv``."""

    table: str
    template: str
    code: str
    row_code: str
    column_code: str
    row_label_zh: str
    column_label_zh: str
    name_en: str
    unit: str
    dtype: str
    order: int


@dataclass(frozen=True)
class RowSpec:
    """One printed row of a template table: its cells in column order and its label variants.

    Table 4 is a single printed row of fifteen cells (three groups of five), so its
    ``row_code`` is ``"table4"`` and ``columns`` holds ``group.result`` pairs.
    """

    table: str
    template: str
    row_code: str
    codes: tuple
    labels: tuple

    @cached_property
    def width(self) -> int:
        """Return the number of cells the row prints (read for every segment and row matched: kept)."""
        return len(self.codes)


@dataclass(frozen=True)
class MergedRow:
    """A parent row printed as one row where the template prints its sub-rows.

    The 2021 template's （六）其他处理 has three sub-rows; some agencies print only the
    parent, with the sum of the three. Derived from ``cells.csv``: rows labelled
    ``PARENT SUB`` share the parent. The merged row's cells have their own codes (the code of
    the row printed with the parent's label in another template, e.g. 2019's
    ``other_handling``), outside the template's codebook.
    """

    table: str
    template: str
    row_code: str
    label: str
    sub_rows: tuple
    codes: tuple

    def as_row(self) -> RowSpec:
        """Return the merged row as a :class:`RowSpec` (its label is the parent's)."""
        return RowSpec(self.table, self.template, self.row_code, self.codes, (self.label,))


@dataclass(frozen=True)
class Identity:
    """A linear identity of the template: ``sum(lhs) == sum(rhs)`` over cell codes."""

    name: str
    template: str
    table: str
    scope: str
    lhs: tuple
    rhs: tuple
    description: str

    @cached_property
    def codes(self) -> tuple:
        """Return every code the identity involves."""
        return self.lhs + self.rhs


def _read_package_csv(name: str) -> list:
    text = resources.files(__package__).joinpath(name).read_text(encoding="utf-8")
    return list(csv.DictReader(io.StringIO(text)))


class Schema:
    """Accessors over the templates' cells, rows, labels and identities."""

    def __init__(self) -> None:
        self._cells = tuple(
            CellSpec(**{**row, "order": int(row["order"])}) for row in _read_package_csv("cells.csv")
        )
        self._labels = tuple(_read_package_csv("labels.csv"))
        self._check()

    def _check(self) -> None:
        problems = []
        for template in TEMPLATES:
            codes = [cell.code for cell in self.cells(template)]
            if len(codes) != len(set(codes)):
                problems.append(f"template {template}: duplicate cell codes in cells.csv")
        known_rows = {(c.table, c.template, c.row_code) for c in self._cells}
        for label in self._labels:
            if label["kind"] != "row":
                continue
            templates = [label["template"]] if label["template"] else list(TEMPLATES)
            if not any((label["table"], t, label["code"]) in known_rows for t in templates):
                problems.append(f"labels.csv: row {label['table']}.{label['code']} is not in cells.csv")
        if problems:
            raise SchemaError("schema data is inconsistent:\n- " + "\n- ".join(problems))

    @cache  # noqa: B019 (one Schema per process; its data never changes)
    def cells(self, template: str, table: str | None = None) -> tuple:
        """Return the template's cells in codebook order, optionally for one table."""
        self._require_template(template)
        return tuple(
            c for c in self._cells if c.template == template and (table is None or c.table == table)
        )

    @cache  # noqa: B019 (one Schema per process; its data never changes)
    def codes(self, template: str) -> tuple:
        """Return the template's cell codes in codebook order."""
        return tuple(cell.code for cell in self.cells(template))

    def cell(self, template: str, code: str) -> CellSpec:
        """Return one cell's spec; raise :class:`SchemaError` for an unknown code."""
        for cell in self.cells(template):
            if cell.code == code:
                return cell
        raise SchemaError(f"no cell {code!r} in template {template}")

    def rows(self, template: str, table: str | None = None) -> tuple:
        """Return the template's printed rows, in the order the report prints them."""
        return self._rows_cache[(template, table)]

    @cached_property
    def _rows_cache(self) -> dict:
        return {
            (template, table): tuple(r for r in self._rows_by_template[template] if table is None or r.table == table)
            for template in TEMPLATES
            for table in (None,) + TABLES
        }

    def identities(self, template: str) -> tuple:
        """Return the template's identities (table 3 and table 4)."""
        self._require_template(template)
        return self._identities_by_template[template]

    @cache  # noqa: B019 (one Schema per process; its data never changes)
    def markers(self, template: str) -> tuple:
        """Return label texts printed only on this template (used to recognise it)."""
        return tuple(lab["label"] for lab in self._labels if lab["kind"] == "marker" and lab["template"] == template)

    @cache  # noqa: B019 (one Schema per process; its data never changes)
    def table4_headers(self) -> tuple:
        """Return the header words of table 4 (used to find it)."""
        return tuple(lab["label"] for lab in self._labels if lab["kind"] == "header" and lab["table"] == "table4")

    def _require_template(self, template: str) -> None:
        if template not in TEMPLATES:
            raise SchemaError(f"unknown template {template!r}; expected one of {', '.join(TEMPLATES)}")

    @cached_property
    def _rows_by_template(self) -> dict:
        return {template: self._build_rows(template) for template in TEMPLATES}

    def _build_rows(self, template: str) -> tuple:
        rows = []
        for table in ("table2", "table3"):
            row_codes = list(dict.fromkeys(c.row_code for c in self.cells(template, table)))
            for row_code in row_codes:
                codes = tuple(c.code for c in self.cells(template, table) if c.row_code == row_code)
                rows.append(RowSpec(table, template, row_code, codes, self._row_labels(table, template, row_code)))
        table4_codes = tuple(c.code for c in self.cells(template, "table4"))
        rows.append(RowSpec("table4", template, "table4", table4_codes, self.table4_headers()))
        return tuple(rows)

    def _row_labels(self, table: str, template: str, row_code: str) -> tuple:
        return tuple(
            lab["label"]
            for lab in self._labels
            if lab["kind"] == "row"
            and lab["table"] == table
            and lab["code"] == row_code
            and lab["template"] in ("", template)
        )

    @cache  # noqa: B019 (one Schema per process; its data never changes)
    def merged_rows(self, template: str) -> tuple:
        """Return the :class:`MergedRow` s of the template's table 3 (parents of two or more sub-rows)."""
        groups: dict = {}
        for cell in self.cells(template, "table3"):
            parent, _, sub = cell.row_label_zh.partition(" ")
            if sub:
                groups.setdefault(parent, []).append(cell.row_code)
        merged = []
        for parent, row_codes in groups.items():
            sub_rows = tuple(dict.fromkeys(row_codes))
            if len(sub_rows) < 2:
                continue
            code = self._merged_code(parent, sub_rows)
            columns = tuple(c.column_code for c in self.cells(template, "table3") if c.row_code == sub_rows[0])
            merged.append(MergedRow("table3", template, code, parent, sub_rows,
                                    tuple(f"table3.{code}.{col}" for col in columns)))
        return tuple(merged)

    def _merged_code(self, parent: str, sub_rows: tuple) -> str:
        """Return the code of a merged row: the row printed with its label elsewhere, or the sub-rows' prefix."""
        for cell in self._cells:
            if cell.table == "table3" and cell.row_label_zh == parent:
                return cell.row_code
        prefix = sub_rows[0]
        for row in sub_rows[1:]:
            while not row.startswith(prefix):
                prefix = prefix[:-1]
        return prefix.rstrip("_")

    @cache  # noqa: B019 (one Schema per process; its data never changes)
    def alignment_rows(self, template: str) -> tuple:
        """Return the printed rows with each merged row placed before its first sub-row.

        The table stage matches labels against these; a merged row is kept only when none of
        its sub-rows is printed.
        """
        before = {m.sub_rows[0]: m.as_row() for m in self.merged_rows(template)}
        rows = []
        for row in self.rows(template):
            if row.table == "table3" and row.row_code in before:
                rows.append(before[row.row_code])
            rows.append(row)
        return tuple(rows)

    @cache  # noqa: B019 (one Schema per process; its data never changes)
    def printed_rows(self, template: str, merged: tuple = ()) -> tuple:
        """Return the rows as a report prints them: each merged row (``merged``: row codes) in place of its sub-rows."""
        if not merged:
            return self.rows(template)
        groups = {g.row_code: g for g in self.merged_rows(template)}
        dropped = {sub for code in merged for sub in groups[code].sub_rows}
        return tuple(row for row in self.alignment_rows(template)
                     if row.row_code not in dropped and (row.row_code in merged or row.row_code not in groups))

    @cache  # noqa: B019 (one Schema per process; its data never changes)
    def merged_identities(self, template: str, merged: tuple) -> tuple:
        """Return the identities for a report that prints the merged rows ``merged`` (row codes).

        The sub-rows' own row sums drop out, the merged row gets one, and each column's outcome
        sum takes the merged cell in place of its sub-rows' cells.
        """
        if not merged:
            return self.identities(template)
        groups = [m for m in self.merged_rows(template) if m.row_code in merged]
        replaced = {}
        for group in groups:
            for code in group.codes:
                for sub in group.sub_rows:
                    replaced[f"table3.{sub}.{code.rsplit('.', 1)[1]}"] = code
        dropped = {sub for group in groups for sub in group.sub_rows}
        identities = []
        for identity in self.identities(template):
            if identity.name == "table3.row_sum" and identity.scope in dropped:
                continue
            lhs = tuple(dict.fromkeys(replaced.get(c, c) for c in identity.lhs))
            identities.append(Identity(identity.name, template, identity.table, identity.scope,
                                       lhs, identity.rhs, identity.description))
        for group in groups:
            identities.append(Identity(
                "table3.row_sum", template, "table3", group.row_code, group.codes[:-1], group.codes[-1:],
                "the six applicant columns sum to the total column (a merged row)",
            ))
        return tuple(identities)

    @cached_property
    def _identities_by_template(self) -> dict:
        return {template: tuple(self._build_identities(template)) for template in TEMPLATES}

    def _build_identities(self, template: str) -> list:
        table3_rows = [r.row_code for r in self.rows(template, "table3")]
        outcome_rows = table3_rows[table3_rows.index(TABLE3_INFLOW_ROWS[-1]) + 1 : table3_rows.index(TABLE3_HANDLED_ROW)]
        identities = []
        for row in table3_rows:
            identities.append(Identity(
                "table3.row_sum", template, "table3", row,
                tuple(f"table3.{row}.{col}" for col in TABLE3_APPLICANT_COLUMNS),
                (f"table3.{row}.{TABLE3_TOTAL_COLUMN}",),
                "the six applicant columns sum to the total column",
            ))
        for col in TABLE3_APPLICANT_COLUMNS + (TABLE3_TOTAL_COLUMN,):
            identities.append(Identity(
                "table3.balance", template, "table3", col,
                tuple(f"table3.{row}.{col}" for row in TABLE3_INFLOW_ROWS),
                (f"table3.{TABLE3_HANDLED_ROW}.{col}", f"table3.{TABLE3_FORWARD_ROW}.{col}"),
                "new + carried over = total handled + carried forward",
            ))
            identities.append(Identity(
                "table3.outcomes_sum", template, "table3", col,
                tuple(f"table3.{row}.{col}" for row in outcome_rows),
                (f"table3.{TABLE3_HANDLED_ROW}.{col}",),
                "the outcome rows (一) to (六) sum to (七) total handled",
            ))
        groups = dict.fromkeys(c.row_code for c in self.cells(template, "table4"))
        for group in groups:
            identities.append(Identity(
                "table4.group_sum", template, "table4", group,
                tuple(f"table4.{group}.{col}" for col in TABLE4_RESULT_COLUMNS),
                (f"table4.{group}.{TABLE4_TOTAL_COLUMN}",),
                "upheld + corrected + other + pending = total",
            ))
        return identities

    def to_codebook(self) -> list:
        """Return the codebook as a list of dicts (one per template cell)."""
        from govreports.template.pre2019 import codebook_rows

        fields = ("table", "template", "code", "row_code", "column_code", "row_label_zh",
                  "column_label_zh", "name_en", "unit", "dtype")
        return [{f: getattr(cell, f) for f in fields} for cell in self._cells] + codebook_rows()


SCHEMA = Schema()

__all__ = ["SCHEMA", "Schema", "CellSpec", "RowSpec", "MergedRow", "Identity", "TEMPLATES", "TABLES"]
