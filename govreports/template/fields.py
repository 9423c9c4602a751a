"""The processed dataset described once: its tables (resources) and their columns (fields).

PUDL's RESOURCE_METADATA and FIELD_METADATA, as data: every column the build writes is described
here once (type, description, constraints), and every table once (its columns in order, primary
key, foreign keys, description, usage warnings). The Arrow schemas, the writer and
``datapackage.json`` are all derived from :data:`RESOURCES` (:mod:`govreports.build.resources`).
"""

from __future__ import annotations

from govreports.template.vocabulary import (
    KINDS,
    LEVELS,
    OUTCOME_GROUPS,
    TABLE4_GROUPS,
    CellStatus,
    ManifestStatus,
    RepairKind,
    ReportStatus,
    Scope,
    values,
)

STATUS_VALUES = values(ReportStatus)
MANIFEST_STATUS_VALUES = values(ManifestStatus)
VALUE_STATUS_VALUES = values(CellStatus)
REPAIR_KIND_VALUES = values(RepairKind)
SCOPE_VALUES = values(Scope)

FIELDS = {
    "report_id": {"type": "string", "description": "First 16 hex digits of the report file's SHA-256: a stable id."},
    "source": {"type": "string", "description": "The report file's path relative to the raw folder."},
    "sha256": {"type": "string", "description": "SHA-256 of the report file's bytes."},
    "size_bytes": {"type": "integer", "description": "Size of the report file in bytes."},
    "format": {"type": "string", "description": "File format as detected from its bytes.",
               "constraints": {"enum": ["text", "html", "pdf", "docx", "doc", "zip", "unknown"]}},
    "status": {"type": "string", "description": "Parse verdict: valid, repaired, invalid (an identity fails or cannot be evaluated) or failed.",
               "constraints": {"enum": STATUS_VALUES}},
    "manifest_status": {"type": "string", "description": "What the build did with the file.",
                        "constraints": {"enum": MANIFEST_STATUS_VALUES}},
    "reason": {"type": "string", "description": "Why a file failed or was skipped, or the report's first error."},
    "parser_version": {"type": "string", "description": "govreports version that parsed the file."},
    "template": {"type": "string", "description": "Form of the report's tables: the 2019 or 2021 national template, or 2014 (the statistics table of the reports before 2019).",
                 "constraints": {"enum": ["2014", "2019", "2021"]}},
    "year": {"type": "integer", "description": "Year the statistics cover (not the publication year)."},
    "agency": {"type": "string", "description": "Reporting agency's full official name with its place prefix (short forms "
                                                "expanded, OCR-misread place names corrected)."},
    "agency_printed": {"type": "string", "description": "The agency's name as the report prints it (a short form, an "
                                                        "OCR misreading; equal to agency when nothing was changed)."},
    "agency_id": {"type": "string", "description": "Stable agency id following one agency across years: the adcode "
                                                   "(000000 when unknown), a dash and the first 8 hex digits of the "
                                                   "SHA-1 of the normalised name (NFKC, no spaces; a development zone's "
                                                   "administrative committee, 管委会 or 管理委员会, is the zone named "
                                                   "alone); same-named agencies of different places stay apart.",
                  "constraints": {"pattern": "[0-9]{6}-[0-9a-f]{8}"}},
    "published": {"type": "string", "description": "Publication date (YYYY-MM-DD) where the report states it."},
    "province": {"type": "string", "description": "Province of the agency's jurisdiction."},
    "prefecture": {"type": "string", "description": "Prefecture of the agency's jurisdiction (null for province-level agencies)."},
    "county": {"type": "string", "description": "County-level unit of the agency's jurisdiction (null above county level)."},
    "adcode": {"type": "string", "description": "6-digit administrative division code of the jurisdiction.",
               "constraints": {"pattern": "[0-9]{6}"}},
    "level": {"type": "string", "description": "Administrative level of the agency.",
              "constraints": {"enum": list(LEVELS)}},
    "kind": {"type": "string", "description": "government (a people's government or its general office) or department.",
             "constraints": {"enum": list(KINDS)}},
    "n_repairs": {"type": "integer", "description": "Number of cells repaired from the template's identities."},
    "n_failed_checks": {"type": "integer", "description": "Number of identities that fail as published."},
    "n_lost_cells": {"type": "integer", "description": "Number of cells the layout lost and no identity fixes."},
    "code": {"type": "string", "description": "Cell code table.row.column (see the codebook resource)."},
    "table": {"type": "string", "description": "Template table.", "constraints": {"enum": ["table2", "table3", "table4", "stats"]}},
    "row_code": {"type": "string", "description": "Row part of the cell code."},
    "column_code": {"type": "string", "description": "Column part of the cell code."},
    "value": {"type": "number", "description": "The cell's value; null when printed blank, '/', a dash, or lost."},
    "value_status": {"type": "string", "description": "number (printed), blank (printed blank or '/'), lost, not_printed (the report prints the row merged with its siblings, e.g. (六)其他处理 as one row), repaired (fixed by identities), corrected (data/corrections.csv).",
                     "constraints": {"enum": VALUE_STATUS_VALUES}},
    "identity": {"type": "string", "description": "Name of the identity checked (table3.row_sum, table3.balance, table3.outcomes_sum, table4.group_sum, panel.*, narrative.*)."},
    "scope": {"type": "string", "description": "Row, column or group the identity was evaluated on."},
    "lhs": {"type": "string", "description": "Codes summed on the left-hand side, joined by ' + '."},
    "rhs": {"type": "string", "description": "Codes summed on the right-hand side, joined by ' + '."},
    "lhs_value": {"type": "number", "description": "Sum of the left-hand side (blank cells count as 0)."},
    "rhs_value": {"type": "number", "description": "Sum of the right-hand side."},
    "passed": {"type": "boolean", "description": "True if the identity holds, false if not, null if a lost cell made it unevaluable."},
    "kind_of_repair": {"type": "string", "description": "lost_cell, run_together, split_apart, merged_row (a sub-row of a merged row printing 0) or value_order (table 3 printed in another order, e.g. column by column).",
                       "constraints": {"enum": REPAIR_KIND_VALUES}},
    "indicator": {"type": "string", "description": "Indicator name (see indicator_definitions.csv)."},
    "era": {"type": "string", "description": "Form the report was printed in: 2014 (the statistics table before 2019), 2019 or 2021."},
    "evidence": {"type": "string", "description": "The printed text and identities that make the repaired value unique."},
}

# The main totals of table 3 and table 4 carried on each report row: column name -> row codes summed.
# The outcome groups' columns are named after the groups (``other`` keeps its column's older name).
_GROUP_COLUMN = {"other": "other_handling"}
REPORT_TOTALS = {
    "new_received_total": ("new_received",),
    "carried_over_total": ("carried_over",),
    **{f"{_GROUP_COLUMN.get(group, group)}_total": prefixes for group, prefixes in OUTCOME_GROUPS.items()},
    "total_handled_total": ("total_handled",),
    "carried_forward_total": ("carried_forward",),
}
TABLE4_TOTALS = TABLE4_GROUPS
TOTAL_COLUMNS = tuple(REPORT_TOTALS) + tuple(f"{g}_total" for g in TABLE4_TOTALS)
FIELDS.update({
    name: {"type": "number", "description": f"Report total: {name.replace('_', ' ')} (null if a cell it sums was lost)."}
    for name in TOTAL_COLUMNS
})

# Every table the build writes: columns in order, keys, what it holds and how to use it.
RESOURCES = {
    "reports": {
        "columns": ("report_id", "source", "sha256", "status", "template", "year", "agency", "agency_printed",
                    "agency_id", "published", "province",
                    "prefecture", "county", "adcode", "level", "kind", "scope", "n_repairs", "n_failed_checks",
                    "n_lost_cells") + TOTAL_COLUMNS,
        # ``scope`` here is the report's scope, not the checks table's scope of an identity.
        "fields": {"scope": {
            "type": "string", "description": "What the report covers: agency (the agency's own work), jurisdiction "
                                             "(a summary of many agencies' work, a 汇总 report, whose figures must not "
                                             "be added to its members') or unknown (nothing says; never guessed). "
                                             "The rule: README, codebook; govreports/parse/scope.py.",
            "constraints": {"enum": SCOPE_VALUES}}},
        "primary_key": ("report_id",),
        "foreign_keys": ({"fields": "source", "reference": {"resource": "manifest", "fields": "source"}},),
        "description": "One row per parsed report: metadata, status and the main totals of tables 3 and 4.",
        "usage_warnings": "Filter on status in ('valid', 'repaired') for complete, checked tables; "
                          "'invalid' reports keep their published figures.",
    },
    "cells": {
        "columns": ("report_id", "code", "table", "row_code", "column_code", "value", "value_status"),
        "primary_key": ("report_id", "code"),
        "foreign_keys": ({"fields": "report_id", "reference": {"resource": "reports", "fields": "report_id"}},),
        "description": "Every template cell of every parsed report, long format.",
        "usage_warnings": "A null value is not zero: see value_status (blank, lost).",
    },
    "checks": {
        "columns": ("report_id", "identity", "scope", "lhs", "rhs", "lhs_value", "rhs_value", "passed"),
        "primary_key": ("report_id", "identity", "scope"),
        "foreign_keys": ({"fields": "report_id", "reference": {"resource": "reports", "fields": "report_id"}},),
        "description": "Every identity checked on every report (template identities, cross-year panel checks).",
        "usage_warnings": "A failed template identity is a source anomaly: the report's own figures do not add up.",
    },
    "repairs": {
        "columns": ("report_id", "code", "value", "kind_of_repair", "evidence"),
        "primary_key": ("report_id", "code"),
        "foreign_keys": ({"fields": ["report_id", "code"], "reference": {"resource": "cells", "fields": ["report_id", "code"]}},),
        "description": "Every cell the parser inferred from the template's identities, with its evidence.",
        "usage_warnings": "Repaired values are unique solutions of the identities, not the printed text.",
    },
    "indicators": {
        "columns": ("report_id", "indicator", "era", "value"),
        "primary_key": ("report_id", "indicator"),
        "foreign_keys": ({"fields": "report_id", "reference": {"resource": "reports", "fields": "report_id"}},),
        "description": "Indicators comparable across every era (before 2019, the 2019 and 2021 templates), one row "
                       "per report and indicator; indicator_definitions.csv gives each one's cells and where its "
                       "definition changes.",
        "usage_warnings": "Definitions change across 2019 (see each indicator's note): compare levels across the break "
                          "only with the note in mind; a null value is not zero.",
    },
    "manifest": {
        "columns": ("source", "sha256", "size_bytes", "format", "manifest_status", "reason", "report_id", "parser_version"),
        "primary_key": ("source",),
        "foreign_keys": (),
        "description": "Every input file exactly once, with what the build did with it.",
        "usage_warnings": "Files with manifest_status failed, skipped or duplicate have no rows in the other tables (duplicate: the same bytes as an earlier file, or the same agency and year as the report kept, named in reason).",
    },
}

TABLE_COLUMNS = {name: list(resource["columns"]) for name, resource in RESOURCES.items()}


def field_spec(table: str, column: str) -> dict:
    """Return the description of a table's column: the table's own (``fields``) or the shared :data:`FIELDS`."""
    return RESOURCES[table].get("fields", {}).get(column) or FIELDS[column]
