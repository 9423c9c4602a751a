"""The study's vocabulary, defined once: statuses, outcome groups, regions, constants.

Every later stage (build, study, synth) derives its lists from here, so that a status or an
outcome group is spelled, grouped and ordered the same way everywhere.
"""

from __future__ import annotations

from enum import Enum


class _Word(str, Enum):
    """A vocabulary word: compares, hashes, prints and serialises as its plain string value."""

    def __str__(self) -> str:
        return self.value

    def __format__(self, spec: str) -> str:
        return format(self.value, spec)


class ReportStatus(_Word):
    """A parse verdict: every identity holds, holds after repairs, fails (or cannot be checked), no tables."""

    VALID = "valid"
    REPAIRED = "repaired"
    INVALID = "invalid"
    FAILED = "failed"
    UNCHECKED = "unchecked"  # figures read (a pre-2019 report's sentences) that no identity can check


class ManifestStatus(_Word):
    """What a build did with one input file: a parse verdict, or why it was not parsed."""

    VALID = "valid"
    REPAIRED = "repaired"
    INVALID = "invalid"
    FAILED = "failed"
    UNCHECKED = "unchecked"
    DUPLICATE = "duplicate"
    SKIPPED = "skipped"


class CellStatus(_Word):
    """How a cell's value was settled; only ``number``, ``repaired`` and ``corrected`` hold a value."""

    NUMBER = "number"
    BLANK = "blank"
    LOST = "lost"
    STATED = "stated"  # read from a sentence of the narrative, not from a table
    NOT_PRINTED = "not_printed"  # the report prints the row merged with its siblings: null
    REPAIRED = "repaired"
    CORRECTED = "corrected"


class RepairKind(_Word):
    """Why a cell's value had to be inferred from the identities."""

    LOST_CELL = "lost_cell"
    RUN_TOGETHER = "run_together"
    SPLIT_APART = "split_apart"
    MERGED_ROW = "merged_row"  # a sub-row of a row printed merged, whose sum is 0
    VALUE_ORDER = "value_order"  # table 3 printed in another order (column by column), placed by the identities


class Scope(_Word):
    """What a report covers: the agency's own work, or a jurisdiction-wide summary of many agencies."""

    AGENCY = "agency"
    JURISDICTION = "jurisdiction"  # a 汇总 report: adds up its members' figures, never to be added to them
    UNKNOWN = "unknown"  # nothing in the title or the text says: never guessed


def values(words: type[Enum]) -> list:
    """Return an enum's values as plain strings, in definition order (for schemas and constraints)."""
    return [word.value for word in words]


# Reports whose tables are complete and whose identities hold: what the study counts.
USABLE_STATUSES = (ReportStatus.VALID.value, ReportStatus.REPAIRED.value)

# Outcome groups of 表三 (the rows (一) to (六)), by the prefixes of their row codes.
OUTCOME_GROUPS = {
    "granted": ("granted",),
    "partially_granted": ("partially_granted",),
    "denied": ("denied_",),
    "unavailable": ("unavailable_",),
    "not_processed": ("not_processed_",),
    "other": ("other_",),
}

# Groups of 表四: reconsideration and the two kinds of litigation.
TABLE4_GROUPS = ("reconsideration", "litigation_direct", "litigation_after_reconsideration")

# Administrative levels and kinds of agency, in the order tables and figures list them.
LEVELS = ("province", "prefecture", "county", "township")
KINDS = ("government", "department")

# NBS's four macro-regions, keyed by the province's two-digit adcode prefix.
MACRO_REGIONS = ("east", "central", "west", "northeast")
MACRO_REGION_OF_PROVINCE = {
    **dict.fromkeys(("11", "12", "13", "31", "32", "33", "35", "37", "44", "46"), "east"),
    **dict.fromkeys(("14", "34", "36", "41", "42", "43"), "central"),
    **dict.fromkeys(("15", "45", "50", "51", "52", "53", "54", "61", "62", "63", "64", "65"), "west"),
    **dict.fromkeys(("21", "22", "23"), "northeast"),
}

# The 97.5% quantile of the standard normal: two-sided 95% intervals.
Z95 = 1.959963984540054


def outcome_group(row_code: str) -> str | None:
    """Return the outcome group of a 表三 row code (``denied_state_secret`` -> ``denied``), or None."""
    for group, prefixes in OUTCOME_GROUPS.items():
        if row_code.startswith(prefixes):
            return group
    return None


def macro_region(adcode: str | None) -> str | None:
    """Return the macro-region of a division from its adcode, or None when unknown."""
    return MACRO_REGION_OF_PROVINCE.get(str(adcode)[:2]) if adcode else None
