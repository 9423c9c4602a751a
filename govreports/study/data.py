"""The processed dataset as the study notebooks read it: one opening, shared by every notebook.

:func:`open_study` reads ``datapackage.json`` (for the dataset version), the ``reports`` table and
the codebook, and reads cells on demand, only the rows asked for. Nothing here parses a report.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path

import pandas as pd

from govreports import paths
from govreports.study.figures import category
from govreports.template.vocabulary import KINDS, LEVELS, OUTCOME_GROUPS

CELL_TABLES = ("table2", "table3", "table4")


@dataclass(frozen=True)
class Study:
    """An opened processed dataset: its folder, version, reports and codebook."""

    folder: Path
    version: str
    reports: pd.DataFrame
    codebook: pd.DataFrame

    def read_cells(self, report_ids, tables=CELL_TABLES) -> pd.DataFrame:
        """Return the cells (report_id, code, value) of these reports, reading only their rows."""
        if len(report_ids) == 0:
            return pd.DataFrame({"report_id": pd.Series(dtype="str"), "code": pd.Series(dtype="str"),
                                 "value": pd.Series(dtype="float64")})
        return pd.read_parquet(self.folder / "cells.parquet", columns=["report_id", "code", "value"],
                               filters=[("report_id", "in", list(report_ids)), ("table", "in", list(tables))])

    def cell_label(self, code: str, sep: str = "\n") -> str:
        """Return a template cell's bilingual label from the codebook (Chinese row and column, English name)."""
        row = self.codebook.loc[self.codebook["code"] == code]
        if row.empty:
            return code
        row = row.iloc[0]
        chinese = row["row_label_zh"].split(" ")[-1]
        if not code.startswith("table3.") or not code.endswith(".total"):
            chinese = f"{chinese} {row['column_label_zh'].split(' / ')[0]}"
        english = row["name_en"].removesuffix(": total")
        return f"{chinese}{sep}{english}"


def open_study(processed: str | Path | None = None) -> Study:
    """Open the processed dataset in ``processed`` (default :data:`govreports.paths.PROCESSED_DIR`)."""
    folder = Path(processed) if processed else paths.PROCESSED_DIR
    version = json.loads((folder / "datapackage.json").read_text(encoding="utf-8"))["version"]
    reports = pd.read_parquet(folder / "reports.parquet")
    codebook = pd.read_csv(folder / "codebook.csv").drop_duplicates("code", keep="last")
    return Study(folder, version, reports, codebook)


def in_order(frame: pd.DataFrame, column: str) -> pd.DataFrame:
    """Sort rows by level (province first) or kind (government first); other columns as they are."""
    order = {"level": list(LEVELS), "kind": list(KINDS)}.get(column)
    if not order or frame.empty:
        return frame
    rank = {value: i for i, value in enumerate(order)}
    return frame.sort_values(column, key=lambda values: values.map(lambda v: rank.get(v, len(rank))), kind="stable")


def outcome_counts(composition: pd.DataFrame, by: str, outcomes=tuple(OUTCOME_GROUPS)) -> pd.DataFrame:
    """Pivot :func:`metrics.outcome_composition`'s counts: one row per group, one column per outcome (bilingual)."""
    if composition.empty:
        return pd.DataFrame()
    table = composition.pivot_table(index=by, columns="outcome", values="count", aggfunc="sum")
    table = table.reindex(columns=list(outcomes))
    table = in_order(table.reset_index(), by).set_index(by)
    table.columns = [category("outcome", c) for c in table.columns]
    table.index = [category(by, v) if by in ("level", "kind") else str(v) for v in table.index]
    return table
