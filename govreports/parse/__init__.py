"""Parse one report: the per-report facade over every stage of the pipeline.

``parse(path)`` reads the file (:mod:`sources`), normalises its layout (:mod:`layout`),
finds the template's rows (:mod:`tables`), places and repairs values (:mod:`repair`),
checks the identities (:mod:`validate`) and reads the metadata (:mod:`metadata`). It never
raises on a bad report: the :class:`~govreports.records.Report` it returns says what went wrong.
"""

from __future__ import annotations

import gc
import logging
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from pathlib import Path

from govreports.errors import Problem, SourceError
from govreports.parse import checks as validate
from govreports.parse import labels, layout, narrative, pre2019, stream
from govreports.parse import rows as tables
from govreports.parse import solve as repair
from govreports.parse.metadata import extract_metadata
from govreports.read import read_document, sha256_of
from govreports.records import Document, Report
from govreports.template import TEMPLATES
from govreports.template.pre2019_terms import FORM as PRE2019_FORM
from govreports.template.terms import REPORT_WORDS, TABLE_HEADINGS

log = logging.getLogger(__name__)

MIN_TABLE3_ROWS = 3


def parse(path: str | Path, *, template: str = "auto", encoding: str | None = None,
          data: bytes | None = None, ocr: bool | None = None) -> Report:
    """Parse the report at ``path`` and return its :class:`Report` (status ``failed`` if unreadable).

    Args:
        path: a report file (text, HTML, Word, PDF, or a scan: image-only PDF, PNG, JPEG, TIFF).
        template: ``"auto"`` (recognise it), ``"2019"`` or ``"2021"``.
        encoding: force a text encoding instead of detecting it.
        data: the file's bytes, already read (a build parses the bytes it hashed).
        ocr: read scans through OCR (default: on, unless ``GOVREPORTS_OCR=0``).
    """
    source = Path(path).name
    try:
        document = read_document(path, encoding, data=data, ocr=ocr)
    except SourceError as exc:
        log.warning("%s", exc)
        return Report(source, "failed", errors=(Problem("source.unreadable", str(exc)),))
    return parse_document(document, template=template)


GC_THRESHOLD = 100_000


@contextmanager
def fewer_collections():
    """Run the garbage collector's youngest generation less often while many reports are parsed.

    Parsing allocates millions of small objects that hold no reference cycles; collecting them
    every 700 allocations (Python's default) costs about 7% of the time. The setting is restored
    on exit.
    """
    previous = gc.get_threshold()
    gc.set_threshold(GC_THRESHOLD, *previous[1:])
    try:
        yield
    finally:
        gc.set_threshold(*previous)


def parse_many(paths: Iterable, **options) -> Iterator[Report]:
    """Parse each path in turn (a batch: see :func:`fewer_collections`); ``options`` as for :func:`parse`."""
    with fewer_collections():
        for path in paths:
            yield parse(path, **options)


def parse_text(text: str, source: str = "<text>", *, template: str = "auto") -> Report:
    """Parse a report given as a string (for notebooks and tests)."""
    document = Document(source, sha256_of(text.encode("utf-8")), "text", "utf-8", text)
    return parse_document(document, template=template)


def parse_document(document: Document, *, template: str = "auto") -> Report:
    """Parse a :class:`Document` already read from disk."""
    source = Path(document.path).name
    text = layout.normalise_text(document.text)
    metadata = extract_metadata(text, source)
    if not text.strip():
        return Report(source, "failed", document.sha256, metadata=metadata,
                      errors=(Problem("source.empty", f"{source}: empty file: nothing to parse"),))
    if template == PRE2019_FORM:
        return _parse_pre2019(source, document, metadata, text)
    chosen = _choose_template(template, text, metadata.year)
    if chosen is None:
        return _failed(source, document, metadata, text)
    lines = layout.document_lines(document) if document.blocks else layout.split_lines(text)
    read = stream.prefer_stream(lines, chosen, tables.match_rows(lines, chosen))
    if sum(1 for r in read.rows.values() if r.row.table == "table3") < MIN_TABLE3_ROWS:
        return _failed(source, document, metadata, text)
    if read.table3_copies > 1:  # never one report's metadata with another's tables
        return Report(source, "failed", document.sha256, metadata=metadata, errors=(Problem(
            "tables.several_reports", f"{source}: the file prints table 3 {read.table3_copies} times: it holds "
            f"{read.table3_copies} reports; split it into one file per report"),))
    settled = repair.settle_cells(chosen, read)
    checks = validate.check_identities(chosen, {**settled.cells, **(settled.merged or {})}, settled.identities)
    problems = list(settled.problems) + _check_problems(checks) + _unmatched_problems(read)
    status = validate.report_status(checks, settled.repairs)
    values = {code: cell.value for code, cell in settled.cells.items()}
    return Report(source, status, document.sha256, chosen, metadata, tuple(settled.cells.values()),
                  checks, settled.repairs, tuple(problems), narrative.narrative_checks(text, values),
                  tuple((settled.merged or {}).values()))


def _choose_template(template: str, text: str, year) -> str | None:
    if template in TEMPLATES:
        return template
    return labels.detect_template(text, year)


def _parse_pre2019(source: str, document: Document, metadata, text: str) -> Report:
    """Parse a report of 2008-2018 (its statistics table, or its sentences): see :mod:`.pre2019`."""
    read = pre2019.read_pre2019(text)
    if read.status == "failed":
        return Report(source, "failed", document.sha256, metadata=metadata, errors=read.problems)
    table_checks = tuple(c for c in read.checks if not c.identity.startswith("narrative."))
    narrative_checks = tuple(c for c in read.checks if c.identity.startswith("narrative."))
    return Report(source, read.status, document.sha256, PRE2019_FORM, metadata, read.cells, table_checks,
                  read.repairs, read.problems, narrative_checks)


def _failed(source: str, document: Document, metadata, text: str) -> Report:
    if any(word in text for word in REPORT_WORDS) and pre2019.is_pre2019(text, metadata.year):
        return _parse_pre2019(source, document, metadata, text)
    if not any(word in text for word in REPORT_WORDS):
        problem = Problem("report.not_a_report", f"{source}: not a government information disclosure report "
                          f"(no mention of {REPORT_WORDS[0]} and no template tables)")
    else:
        problem = Problem("tables.not_found", f"{source}: no template tables found: the rows of table 3 "
                          f"({TABLE_HEADINGS['table3']}) could not be located")
    return Report(source, "failed", document.sha256, metadata=metadata, errors=(problem,))


def _check_problems(checks: tuple) -> list:
    problems = []
    for check in validate.failed_checks(checks):
        problems.append(Problem(
            "identity.failed",
            f"source anomaly: {check.identity} [{check.scope}] fails as published: "
            f"{check.lhs_value} != {check.rhs_value} ({' + '.join(check.lhs)} vs {' + '.join(check.rhs)})",
        ))
    unevaluable = validate.unevaluable_checks(checks)
    if unevaluable:
        names = ", ".join(f"{c.identity}[{c.scope}]" for c in unevaluable[:6])
        problems.append(Problem("identity.unevaluable", f"{len(unevaluable)} identities cannot be checked "
                                f"because cells were lost: {names}" + (" ..." if len(unevaluable) > 6 else "")))
    return problems


def _unmatched_problems(read) -> list:
    return [Problem("row.unrecognised", f"values printed after an unrecognised label {label!r} were ignored", "warning")
            for label in read.unmatched]

