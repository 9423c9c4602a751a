"""Exceptions raised by govreports, and the record of a problem found in one report.

Problems inside a single report are data (:class:`Problem`), never exceptions: a batch of
reports must go on when one of them is broken. Exceptions are for misuse of the library
(a missing file, an unknown template, a broken schema), and the CLI turns them into a
one-line ``Error: ...`` message.
"""

from __future__ import annotations

from dataclasses import dataclass


class GovReportsError(Exception):
    """Base class of every error raised by govreports."""


class SourceError(GovReportsError):
    """A file could not be read as a report (missing, unreadable, undecodable, empty)."""


class NoTextLayerError(SourceError):
    """A PDF has no usable text layer (a scan): it can be read only through OCR."""


class TemplateNotFoundError(GovReportsError):
    """No template tables could be found in a document."""


class SchemaError(GovReportsError):
    """The package's schema data is inconsistent (a bug in govreports, not in the input)."""


@dataclass(frozen=True)
class Problem:
    """Something wrong with one report, kept with the report instead of raised.

    Attributes:
        code: a stable machine-readable kind, e.g. ``"source.empty"`` or ``"table4.cells_lost"``.
        message: a sentence a researcher can act on.
        severity: ``"error"`` (the report or a table could not be read) or ``"warning"``.
    """

    code: str
    message: str
    severity: str = "error"

    def to_dict(self) -> dict:
        """Return the problem as a JSON-ready dict."""
        return {"code": self.code, "message": self.message, "severity": self.severity}
