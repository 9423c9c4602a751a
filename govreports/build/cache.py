"""The parse cache: a report's parse stored under its file's digest and the parser's fingerprint."""

from __future__ import annotations

import hashlib
import json
import logging
import os
import tempfile
from functools import lru_cache
from pathlib import Path
from typing import NamedTuple

from govreports import __version__
from govreports.errors import Problem, SourceError
from govreports.limits import TIMEOUT
from govreports.parse import checks as validate
from govreports.read import sha256_of
from govreports.read.document import read_capped
from govreports.records import Report
from govreports.template import TEMPLATES
from govreports.template.vocabulary import ReportStatus

log = logging.getLogger(__name__)

PARSER_PARTS = ("read", "parse", "template", "records.py", "errors.py")  # what a parse depends on


@lru_cache(maxsize=1)
def parser_fingerprint() -> str:
    """Return a digest of the parser's code and template data: the parse cache's key.

    The version number alone would keep serving stale parses after a change of code that did
    not bump it; code of later stages (build, study) does not change a parse and is left out.
    """
    package = Path(__file__).resolve().parents[1]
    digest = hashlib.sha256(__version__.encode())
    for part in PARSER_PARTS:
        paths = [package / part] if part.endswith(".py") else sorted((package / part).rglob("*"))
        for path in paths:
            if path.suffix in (".py", ".csv") and "__pycache__" not in path.parts:
                digest.update(path.relative_to(package).as_posix().encode())
                digest.update(path.read_bytes())
    return digest.hexdigest()[:16]


def _cache_path(cache_dir: Path, sha256: str) -> Path:
    return cache_dir / f"{sha256}-{parser_fingerprint()}.json"


def cached_parse(file, raw_dir: str, cache_dir: Path | None, seconds: float, parse_file) -> Report:
    """Return a file's parse from the cache, or ``parse_file(path, seconds, data)`` it and store it.

    The bytes parsed are the bytes hashed: a file that changed since it was listed is recorded
    as failed, so an entry always holds the parse of the bytes its name says. A parse that ran
    out of time is never stored (a rerun with a higher limit must parse the file again).
    """
    entry = _cache_path(cache_dir, file.sha256) if cache_dir is not None else None
    cached = load_cached(entry, file.sha256) if entry is not None else None
    if cached is not None:
        return cached
    path = os.path.join(raw_dir, file.source)
    try:
        data = read_capped(Path(path))
    except SourceError as exc:
        return Report(Path(path).name, "failed", errors=(Problem("source.unreadable", str(exc)),))
    if sha256_of(data) != file.sha256:
        message = f"{file.source}: changed while the build was reading it; build again once it is complete"
        return Report(Path(path).name, "failed", errors=(Problem("source.changed", message),))
    report = parse_file(path, seconds, data)
    if entry is not None and all(p.code != TIMEOUT for p in report.errors):
        store_cached(entry, file.sha256, report)
    return report


def load_cached(entry: Path, sha256: str) -> Report | None:
    """Return the cached parse in ``entry``, or None (a bad entry is discarded with a warning).

    An entry is served only when it is whole, names these bytes and this parser, and its
    identities, checked again on its cells, give the verdict it records.
    """
    try:
        raw = entry.read_bytes()
    except FileNotFoundError:
        return None
    except OSError as exc:
        log.warning("cache entry %s cannot be read (%s); parsing again", entry.name, exc)
        return None
    try:
        record = json.loads(raw)
        if record.get("sha256") != sha256 or record.get("parser") != parser_fingerprint():
            raise ValueError("it belongs to other bytes or another parser version")
        report = Report.from_dict(record["report"])
        _recheck(report)
    except (ValueError, KeyError, TypeError, AttributeError) as exc:
        log.warning("discarding cache entry %s: %s", entry.name, exc or type(exc).__name__)
        entry.unlink(missing_ok=True)
        return None
    return report


class _Recorded(NamedTuple):
    """A recorded check's identity, in the shape :func:`~govreports.parse.checks.check_identities` reads."""

    name: str
    scope: str
    lhs: tuple
    rhs: tuple


def _recheck(report: Report) -> None:
    """Raise ValueError unless the report's identities, checked again on its cells, give its checks and status.

    A report on a national template with no merged rows is checked against the template's own
    identities (so a check missing from the entry is caught too); one printing merged rows, or
    one of the form before 2019, against the identities its entry records, on its cells and
    merged cells.
    """
    if report.template is None:
        return
    cells = {c.code: c for c in report.cells + report.merged_cells}
    if report.template in TEMPLATES and not report.merged_cells:
        checks = validate.check_identities(report.template, cells)
    else:
        recorded = tuple(_Recorded(c.identity, c.scope, c.lhs, c.rhs) for c in report.checks)
        checks = validate.check_identities(report.template, cells, recorded) if recorded else ()
    if checks != report.checks or not _status_agrees(report, checks):
        raise ValueError("its cells do not give the checks and status it records")


def _status_agrees(report: Report, checks: tuple) -> bool:
    """Return whether the recorded verdict follows from the checks (before 2019: is not contradicted)."""
    if report.template in TEMPLATES:
        return validate.report_status(checks, report.repairs) == report.status
    if validate.failed_checks(checks):
        return report.status == ReportStatus.INVALID.value
    return report.status in (ReportStatus.INVALID.value, ReportStatus.UNCHECKED.value) if not checks else \
        report.status != ReportStatus.UNCHECKED.value


def store_cached(entry: Path, sha256: str, report: Report) -> None:
    """Write a cache entry; a failure (a full disk) is logged and the build goes on without it."""
    record = {"sha256": sha256, "parser": parser_fingerprint(), "report": report.to_dict()}
    try:
        write_atomic(entry, json.dumps(record, ensure_ascii=False).encode("utf-8"))
    except OSError as exc:
        log.warning("cannot write cache entry %s (%s); going on without caching it", entry.name, exc)


def write_atomic(path: Path, data: bytes) -> None:
    """Write ``data`` to ``path`` through a temporary file and a rename: a reader never sees half a file."""
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.")
    try:
        with os.fdopen(fd, "wb") as handle:
            handle.write(data)
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)  # a full disk must not leave half-written entries behind
        raise
