"""Typed records that move between the pipeline's stages.

Each stage returns one of these frozen dataclasses (or named tuples, for the many small ones) to the next: sources -> :class:`Document`;
layout -> :class:`Cell` lines; tables -> :class:`Grid`; validate -> :class:`Check`;
repair -> :class:`Repair`; metadata -> :class:`Metadata`; parse -> :class:`Report`.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from functools import partial
from typing import NamedTuple

from govreports.errors import Problem

Number = int | float


def fast_constructor(record: type) -> Callable:
    """Return the one fast constructor of a named-tuple record: it takes a tuple of every field, in order.

    The parser makes millions of cells, tokens, lines and checks; calling ``tuple.__new__``
    directly costs half of a named tuple's own ``__new__`` (a Python function). Fields are still
    read by name everywhere: only construction takes them by position.
    """
    return partial(tuple.__new__, record)


SPANNED = None  # a grid position covered by another cell's rowspan/colspan: it holds a place, prints nothing
DOUBT = "\ue000"  # in a grid cell, between an OCR reading the engine is unsure of and its confidence


def doubtful(reading: str, confidence: float) -> str:
    """Return a grid cell's text for a number the OCR engine is unsure of (the solver treats it as lost)."""
    return f"{reading}{DOUBT}{confidence:.2f}"


@dataclass(frozen=True)
class Block:
    """A piece of a document in reading order: running text, or one table rebuilt as a grid.

    Attributes:
        kind: ``"text"`` or ``"table"``.
        text: the running text (for ``kind == "text"``).
        rows: the table's rows, each a tuple of cell texts with row/column spans expanded: a
            cell covered by a span is None (it holds a place but prints nothing), a cell printed
            empty is ``""`` (a printed blank); a number read by OCR with too little confidence
            is :func:`doubtful`.
        confidence: for a table read by OCR, the engine's confidence in each cell (rows like
            ``rows``; None where nothing was read); empty for every other reader.
    """

    kind: str
    text: str = ""
    rows: tuple = ()
    confidence: tuple = ()


@dataclass(frozen=True)
class Document:
    """A report as read from disk, before any layout work.

    Attributes:
        path: the file it came from.
        sha256: hex digest of the file's bytes.
        format: ``"text"``, ``"html"``, ``"pdf"``, ``"docx"``, ``"doc"``, ``"scan"`` (a PDF
            without a text layer, read through OCR) or ``"image"`` (PNG, JPEG, TIFF, through OCR).
        encoding: the encoding the bytes were decoded with (None for binary formats).
        text: the whole document as plain text (tables flattened), for metadata and searches.
        blocks: for formats with real tables (HTML, Word, PDF), the text and tables in reading
            order; empty for plain text, whose tables the layout stage rebuilds from ``text``.
    """

    path: str
    sha256: str
    format: str
    encoding: str | None
    text: str
    blocks: tuple = ()


@dataclass(frozen=True)
class Metadata:
    """Who published a report, for which year, and where the agency sits.

    Attributes:
        agency: the reporting body's full official name with its place prefix, e.g. ``湘阴县人民政府``
            (a short form or OCR-misread place expanded or corrected: the name researchers group by).
        agency_printed: the name as the report prints it (``上海市科委``, ``沐阳县人民政府``); the same
            as ``agency`` when nothing was expanded or corrected, None when no agency was found.
        year: the year the statistics cover (not the publication year).
        published: the publication date as ``YYYY-MM-DD`` where the report states it.
        province / prefecture / county: the agency's jurisdiction, None above that level.
        adcode: 6-digit administrative division code of that jurisdiction.
        level: ``province``, ``prefecture``, ``county`` or ``township``.
        kind: ``government`` or ``department``.
        notes: how uncertain fields were decided (e.g. an OCR place name corrected).
        scope: ``agency`` (the agency's own work), ``jurisdiction`` (a summary of many agencies,
            a 汇总 report) or ``unknown`` (see :mod:`govreports.parse.scope`).
    """

    agency: str | None = None
    year: int | None = None
    published: str | None = None
    province: str | None = None
    prefecture: str | None = None
    county: str | None = None
    adcode: str | None = None
    level: str | None = None
    kind: str | None = None
    notes: tuple = ()
    agency_printed: str | None = None
    scope: str | None = None


class CellValue(NamedTuple):
    """One template cell as the parser settled it (a named tuple: a corpus has hundreds of millions).

    Attributes:
        code: the codebook code, ``table.row.column``.
        value: the number, or None.
        status: ``number`` (printed), ``blank`` (printed blank, "/" or a dash: null, never 0),
            ``lost`` (the layout lost it and no identity fixes it: null), ``not_printed`` (the
            report prints its row merged with its siblings, e.g. "other handling" as one row: null; the
            merged row is in the report's ``merged_cells``) or ``repaired`` (fixed uniquely by
            the template's identities; see the report's repairs).
        raw: the text the value was read from, where there was one.
    """

    code: str
    value: Number | None
    status: str
    raw: str | None = None


CellValue.fast = fast_constructor(CellValue)


class Check(NamedTuple):
    """One identity of the template evaluated on one report (a named tuple: ~80 per report).

    Attributes:
        identity: the identity's name, e.g. ``table3.row_sum``.
        scope: what it was evaluated on, e.g. ``granted`` (a row) or ``natural_person``.
        lhs / rhs: the codes summed on each side.
        lhs_value / rhs_value: the sums (blank cells count as 0; None if a cell was lost).
        passed: True, False, or None when a lost cell made it impossible to evaluate.
    """

    identity: str
    scope: str
    lhs: tuple
    rhs: tuple
    lhs_value: Number | None
    rhs_value: Number | None
    passed: bool | None

    def to_dict(self) -> dict:
        """Return the check as a JSON-ready dict."""
        return {
            "identity": self.identity,
            "scope": self.scope,
            "lhs": list(self.lhs),
            "rhs": list(self.rhs),
            "lhs_value": self.lhs_value,
            "rhs_value": self.rhs_value,
            "passed": self.passed,
        }


Check.fast = fast_constructor(Check)


@dataclass(frozen=True)
class Repair:
    """A cell value the parser inferred, with the evidence that makes it unique.

    Attributes:
        code: the repaired cell.
        value: the value it was given.
        kind: ``lost_cell``, ``run_together``, ``split_apart``, ``merged_row`` (a sub-row of a
            row printed merged whose sum is 0), ``value_order`` (table 3's values printed in
            another order, e.g. column by column, placed by the only order the identities allow)
            or ``ocr_digit`` (an OCR reading the engine was unsure of, replaced by the value the
            identities fix).
        evidence: a sentence naming the printed text and the identities that fix the value.
    """

    code: str
    value: Number
    kind: str
    evidence: str

    def to_dict(self) -> dict:
        """Return the repair as a JSON-ready dict."""
        return {"code": self.code, "value": self.value, "kind": self.kind, "evidence": self.evidence}


@dataclass(frozen=True)
class Report:
    """Everything parsed from one report: the JSON line of ``govreports parse``.

    ``status`` is ``valid`` (every identity holds), ``repaired`` (it holds after repairs
    listed in ``repairs``), ``invalid`` (an identity fails, or a lost cell leaves one
    unevaluable) or ``failed`` (no template tables could be read; see ``errors``).
    """

    source: str
    status: str
    sha256: str | None = None
    template: str | None = None
    metadata: Metadata = field(default_factory=Metadata)
    cells: tuple = ()
    checks: tuple = ()
    repairs: tuple = ()
    errors: tuple = ()
    narrative_checks: tuple = ()
    merged_cells: tuple = ()

    def values(self) -> dict:
        """Return ``{code: number or None}`` for every cell of the report's template."""
        return {cell.code: cell.value for cell in self.cells}

    def to_dict(self) -> dict:
        """Return the report in the shape of ``govreports parse --format json``."""
        meta = self.metadata
        return {
            "source": self.source,
            "status": self.status,
            "template": self.template,
            "year": meta.year,
            "agency": meta.agency,
            "agency_printed": meta.agency_printed,
            "published": meta.published,
            "province": meta.province,
            "prefecture": meta.prefecture,
            "county": meta.county,
            "adcode": meta.adcode,
            "level": meta.level,
            "kind": meta.kind,
            "scope": meta.scope,
            "sha256": self.sha256,
            "cells": self.values(),
            "cell_status": {cell.code: cell.status for cell in self.cells},
            "checks": [check.to_dict() for check in self.checks],
            "repairs": [repair.to_dict() for repair in self.repairs],
            "errors": [problem.to_dict() for problem in self.errors],
            "narrative_checks": [check.to_dict() for check in self.narrative_checks],
            "notes": list(meta.notes),
            "merged_cells": {cell.code: cell.value for cell in self.merged_cells},
        }

    @classmethod
    def from_dict(cls, data: dict) -> Report:
        """Rebuild a :class:`Report` from :meth:`to_dict`'s output (e.g. a cached parse)."""
        meta_fields = ("agency", "agency_printed", "year", "published", "province", "prefecture", "county", "adcode",
                       "level", "kind", "scope")
        metadata = Metadata(**{f: data.get(f) for f in meta_fields}, notes=tuple(data.get("notes", ())))
        statuses = data.get("cell_status", {})
        cells = tuple(CellValue(code, value, statuses.get(code, "number")) for code, value in data.get("cells", {}).items())
        checks = tuple(_check_from_dict(c) for c in data.get("checks", ()))
        narrative = tuple(_check_from_dict(c) for c in data.get("narrative_checks", ()))
        repairs = tuple(Repair(r["code"], r["value"], r["kind"], r["evidence"]) for r in data.get("repairs", ()))
        errors = tuple(Problem(e["code"], e["message"], e.get("severity", "error")) for e in data.get("errors", ()))
        merged = tuple(CellValue(code, value, "number") for code, value in data.get("merged_cells", {}).items())
        return cls(data["source"], data["status"], data.get("sha256"), data.get("template"), metadata,
                   cells, checks, repairs, errors, narrative, merged)


def _check_from_dict(c: dict) -> Check:
    return Check(c["identity"], c["scope"], tuple(c["lhs"]), tuple(c["rhs"]), c["lhs_value"], c["rhs_value"], c["passed"])


__all__ = ["Document", "Metadata", "CellValue", "Check", "Repair", "Report", "Problem", "Number"]
