"""Describe the processed dataset as a Frictionless Data Package (``datapackage.json``)."""

from __future__ import annotations

import hashlib
import json
from pathlib import Path

from govreports import __version__
from govreports.template.fields import FIELDS, TABLE_COLUMNS, TABLE_DESCRIPTIONS, USAGE_WARNINGS
from govreports.template.terms import REPORT_TITLE_ZH

LICENSE = {"name": "CC-BY-4.0", "path": "https://creativecommons.org/licenses/by/4.0/",
           "title": "Creative Commons Attribution 4.0"}
DATAPACKAGE_NAME = "govreports-ogi-annual-reports"  # how a later build recognises a folder it may replace
CSV_DIALECT = {"delimiter": ",", "quoteChar": '"', "header": True}
CODEBOOK_FIELDS = {
    "table": "Template table.", "template": "Template version (2019 or 2021).", "code": "Cell code table.row.column.",
    "row_code": "Row part of the code.", "column_code": "Column part of the code.",
    "row_label_zh": "The row's label as the template prints it.", "column_label_zh": "The column's label as the template prints it.",
    "name_en": "English name of the cell.", "unit": "Unit of the cell's value.", "dtype": "Type of the cell's value.",
}


def _field(table: str, column: str) -> dict:
    key = "manifest_status" if (table, column) == ("manifest", "manifest_status") else column
    spec = FIELDS[key]
    field = {"name": column, "type": spec["type"], "description": spec["description"]}
    if "constraints" in spec:
        field["constraints"] = spec["constraints"]
    return field


def _resource(name: str, digests: dict, staging: Path) -> dict:
    path = f"{name}.csv"
    return {
        "name": name,
        "path": path,
        "format": "csv",
        "mediatype": "text/csv",
        "encoding": "utf-8",
        "dialect": CSV_DIALECT,
        "description": TABLE_DESCRIPTIONS[name],
        "usage_warnings": USAGE_WARNINGS[name],
        "hash": f"sha256:{digests[path]}",
        "bytes": (staging / path).stat().st_size,
        "parquet": {"path": f"{name}.parquet", "hash": f"sha256:{digests[name + '.parquet']}"},
        "schema": {"fields": [_field(name, c) for c in TABLE_COLUMNS[name]], "missingValues": [""]},
    }


def _codebook_resource(digests: dict, staging: Path) -> dict:
    return {
        "name": "codebook", "path": "codebook.csv", "format": "csv", "mediatype": "text/csv", "encoding": "utf-8",
        "dialect": CSV_DIALECT,
        "description": "Every cell of both templates: code, Chinese labels, English name, unit and type.",
        "hash": f"sha256:{digests['codebook.csv']}", "bytes": (staging / "codebook.csv").stat().st_size,
        "schema": {"fields": [{"name": n, "type": "string", "description": d} for n, d in CODEBOOK_FIELDS.items()],
                   "missingValues": [""]},
    }


def dataset_version(digests: dict) -> str:
    """Return the dataset version: the parser version plus a digest of every output file."""
    joined = "".join(f"{name}:{digest}\n" for name, digest in sorted(digests.items()))
    return f"{__version__}+data.{hashlib.sha256(joined.encode()).hexdigest()[:12]}"


def write_datapackage(staging: Path, tables: tuple, digests: dict) -> dict:
    """Write ``datapackage.json`` describing the tables in ``staging``; return the descriptor."""
    descriptor = {
        "name": DATAPACKAGE_NAME,
        "title": "China government information disclosure annual reports: tables 2-4, parsed and checked",
        "version": dataset_version(digests),
        "licenses": [LICENSE],
        "sources": [{"title": f"Annual government information disclosure reports ({REPORT_TITLE_ZH}) "
                              "published by Chinese government agencies; see manifest and data/raw/SOURCES.csv"}],
        "contributors": [{"title": "govreports contributors", "role": "author"}],
        "resources": [_resource(name, digests, staging) for name in tables] + [_codebook_resource(digests, staging)],
    }
    (staging / "datapackage.json").write_text(json.dumps(descriptor, ensure_ascii=False, indent=1) + "\n", encoding="utf-8")
    return descriptor
