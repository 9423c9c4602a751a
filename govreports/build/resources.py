"""The output tables' descriptions turned into what the build needs: Arrow schemas and ``datapackage.json``.

Both come from one description, :data:`govreports.template.fields.RESOURCES` (columns, keys,
descriptions) and :data:`~govreports.template.fields.FIELDS` (each column's type and
constraints): the writer's Parquet/CSV schema and the Frictionless Data Package cannot disagree.
"""

from __future__ import annotations

import hashlib
import json
import os
from datetime import datetime, timezone
from functools import cache
from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq

from govreports import __version__
from govreports.errors import GovReportsError
from govreports.template.fields import RESOURCES, field_spec
from govreports.template.terms import REPORT_TITLE_ZH

TABLES = tuple(RESOURCES)
ARROW_TYPES = {"string": pa.string(), "integer": pa.int64(), "number": pa.float64(), "boolean": pa.bool_()}

LICENSE = {"name": "CC-BY-4.0", "path": "https://creativecommons.org/licenses/by/4.0/",
           "title": "Creative Commons Attribution 4.0"}
DATAPACKAGE_NAME = "govreports-ogi-annual-reports"  # how a later build recognises a folder it may replace
SYNTHETIC_MARKER = "SYNTHETIC"  # the file `govreports synth` writes in a corpus's folders
DEFAULT_OUT_PARTS = ("data", "processed")  # the study's dataset: never built from a synthetic corpus
CSV_DIALECT = {"delimiter": ",", "quoteChar": '"', "header": True}
CODEBOOK_FIELDS = {
    "table": "Template table (stats: the statistics table before 2019).", "template": "Form: the 2019 or 2021 template, or 2014 (the statistics table before 2019).", "code": "Cell code table.row.column.",
    "row_code": "Row part of the code.", "column_code": "Column part of the code.",
    "row_label_zh": "The row's label as the template prints it.", "column_label_zh": "The column's label as the template prints it.",
    "name_en": "English name of the cell.", "unit": "Unit of the cell's value.", "dtype": "Type of the cell's value.",
}


@cache
def table_schema(name: str) -> pa.Schema:
    """Return the Arrow schema of one output table, from its resource description."""
    return pa.schema([pa.field(c, ARROW_TYPES[field_spec(name, c)["type"]]) for c in RESOURCES[name]["columns"]])


def _field(table: str, column: str) -> dict:
    spec = field_spec(table, column)
    field = {"name": column, "type": spec["type"], "description": spec["description"]}
    if "constraints" in spec:
        field["constraints"] = spec["constraints"]
    return field


def _resource(name: str, digests: dict, staging: Path) -> dict:
    """Describe one table: its CSV file (with the Parquet copy beside it) or, without CSV, its Parquet file."""
    path = f"{name}.csv"
    if path not in digests:
        return _parquet_resource(name, digests, staging)
    return {
        "name": name,
        "path": path,
        "format": "csv",
        "mediatype": "text/csv",
        "encoding": "utf-8",
        "dialect": CSV_DIALECT,
        "description": RESOURCES[name]["description"],
        "usage_warnings": RESOURCES[name]["usage_warnings"],
        "hash": f"sha256:{digests[path]}",
        "bytes": (staging / path).stat().st_size,
        "parquet": {"path": f"{name}.parquet", "hash": f"sha256:{digests[name + '.parquet']}"},
        "schema": _table_schema_descriptor(name),
    }


def _parquet_resource(name: str, digests: dict, staging: Path) -> dict:
    """Describe a table written as Parquet only (``govreports build --csv reports`` or ``none``)."""
    path = f"{name}.parquet"
    return {
        "name": name,
        "path": path,
        "format": "parquet",
        "mediatype": "application/vnd.apache.parquet",
        "description": RESOURCES[name]["description"] + " Parquet only (built without its CSV copy).",
        "usage_warnings": RESOURCES[name]["usage_warnings"],
        # frictionless checks hash and bytes of text files only: they sit where the CSV
        # resources keep their Parquet copy's
        "parquet": {"path": path, "hash": f"sha256:{digests[path]}", "bytes": (staging / path).stat().st_size},
        "schema": _table_schema_descriptor(name),
    }


def _table_schema_descriptor(name: str) -> dict:
    resource = RESOURCES[name]
    schema = {"fields": [_field(name, c) for c in resource["columns"]], "missingValues": [""],
              "primaryKey": list(resource["primary_key"])}
    if resource["foreign_keys"]:
        schema["foreignKeys"] = [dict(key) for key in resource["foreign_keys"]]
    return schema


def _codebook_resource(digests: dict, staging: Path) -> dict:
    return {
        "name": "codebook", "path": "codebook.csv", "format": "csv", "mediatype": "text/csv", "encoding": "utf-8",
        "dialect": CSV_DIALECT,
        "description": "Every cell of both templates: code, Chinese labels, English name, unit and type.",
        "hash": f"sha256:{digests['codebook.csv']}", "bytes": (staging / "codebook.csv").stat().st_size,
        "schema": {"fields": [{"name": n, "type": "string", "description": d} for n, d in CODEBOOK_FIELDS.items()],
                   "missingValues": [""], "primaryKey": ["template", "code"]},
    }


INDICATOR_FIELDS = {
    "indicator": "Indicator name (the indicators table's indicator column).", "name_en": "English name.",
    "name_zh": "Chinese name.", "form_2014": "Cells summed in the statistics table before 2019 (form 2014).",
    "template_2019": "Cells summed on the 2019 template (* stands for any row).",
    "template_2021": "Cells summed on the 2021 template (* stands for any row).",
    "note": "Where the indicator's definition changes across eras.",
}


def _indicator_definitions(digests: dict, staging: Path) -> dict:
    return {
        "name": "indicator_definitions", "path": "indicator_definitions.csv", "format": "csv", "mediatype": "text/csv",
        "encoding": "utf-8", "dialect": CSV_DIALECT,
        "description": "The crosswalk: each indicator's cells in every era, and the breaks in its definition.",
        "hash": f"sha256:{digests['indicator_definitions.csv']}",
        "bytes": (staging / "indicator_definitions.csv").stat().st_size,
        "schema": {"fields": [{"name": n, "type": "string", "description": d} for n, d in INDICATOR_FIELDS.items()],
                   "missingValues": [""], "primaryKey": ["indicator"]},
    }


def dataset_version(digests: dict) -> str:
    """Return the dataset version: the parser version plus a digest of every output file."""
    joined = "".join(f"{name}:{digest}\n" for name, digest in sorted(digests.items()))
    return f"{__version__}+data.{hashlib.sha256(joined.encode()).hexdigest()[:12]}"


def is_synthetic(raw_dir: Path) -> bool:
    """Return True if ``raw_dir`` holds a synthetic corpus (a :data:`SYNTHETIC_MARKER` file).

    The marker is looked for in the folder, in its parent (the corpus folder when its ``reports/``
    is built) and in its sub-folders (a synthetic corpus copied into a real one).
    """
    raw_dir = Path(raw_dir)
    candidates = [raw_dir / SYNTHETIC_MARKER, raw_dir.parent / SYNTHETIC_MARKER]
    candidates += [sub / SYNTHETIC_MARKER for sub in raw_dir.iterdir() if sub.is_dir()] if raw_dir.is_dir() else []
    return any(path.is_file() for path in candidates)


def refuse_synthetic_default(raw_dir: Path, out_dir: Path) -> bool:
    """Return whether ``raw_dir`` is synthetic; refuse to build it into a ``data/processed`` folder.

    Raises:
        GovReportsError: a synthetic corpus would become (or replace) the study's dataset.
    """
    synthetic = is_synthetic(raw_dir)
    if synthetic and Path(out_dir).absolute().parts[-2:] == DEFAULT_OUT_PARTS:
        raise GovReportsError(f"{raw_dir} is a SYNTHETIC corpus (it carries a {SYNTHETIC_MARKER} file): refusing to "
                              f"build it into {out_dir}, the study's dataset; give another --out "
                              "(e.g. data/synthetic-processed)")
    return synthetic


def _sources(synthetic: bool) -> list:
    if synthetic:
        return [{"title": "SYNTHETIC reports generated by govreports synth: no agency published them; agency "
                          "names combine real places with a model's numbers. Not data: never cite or study them."}]
    return [{"title": f"Annual government information disclosure reports ({REPORT_TITLE_ZH}) "
                      "published by Chinese government agencies; see manifest and data/raw/SOURCES.csv"}]


DESCRIPTION = (
    "The statistics tables (2: proactive disclosure, 3: applications received and how they were answered, "
    "4: administrative reconsideration and litigation) of China's government information disclosure annual "
    "reports, parsed from the published files and checked against the national template's arithmetic "
    "identities. One row per report in reports; every cell in cells (long format) with its status; every "
    "identity checked in checks; every repaired cell with its evidence in repairs; cross-era indicators in "
    "indicators; every input file once in manifest. Code: MIT; data: CC-BY-4.0."
)


def created_date(staging: Path) -> str:
    """Return the package's ``created`` timestamp, the same for every build of the same reports.

    ``SOURCE_DATE_EPOCH`` when set (reproducible-builds convention); otherwise 1 January after the
    newest statistics year in the reports table (reports are published early the next year), and
    the Unix epoch for a dataset with no dated report. Never the wall clock: builds stay byte-identical.
    """
    epoch = os.environ.get("SOURCE_DATE_EPOCH", "").strip()
    if epoch.isdigit():
        return datetime.fromtimestamp(int(epoch), tz=timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")
    path = staging / "reports.parquet"
    years = pq.read_table(path, columns=["year"]).column("year").to_pylist() if path.is_file() else []
    years = [y for y in years if y is not None]
    return f"{max(years) + 1}-01-01T00:00:00Z" if years else "1970-01-01T00:00:00Z"


def write_datapackage(staging: Path, tables: tuple, digests: dict, synthetic: bool = False) -> dict:
    """Write ``datapackage.json`` describing the tables in ``staging``; return the descriptor.

    A dataset built from a synthetic corpus says so: ``synthetic: true``, its title and its sources.
    """
    title = "China government information disclosure annual reports: tables 2-4, parsed and checked"
    descriptor = {
        "name": DATAPACKAGE_NAME,
        "title": f"SYNTHETIC (generated, not published reports): {title}" if synthetic else title,
        "version": dataset_version(digests),
        "description": DESCRIPTION,
        "created": created_date(staging),
        "synthetic": synthetic,
        "licenses": [LICENSE],
        "sources": _sources(synthetic),
        "contributors": [{"title": "govreports contributors", "role": "author"}],
        "resources": [_resource(name, digests, staging) for name in tables] + [_codebook_resource(digests, staging),
                                                                               _indicator_definitions(digests, staging)],
    }
    (staging / "datapackage.json").write_text(json.dumps(descriptor, ensure_ascii=False, indent=1) + "\n", encoding="utf-8")
    return descriptor
