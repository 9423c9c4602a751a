"""govreports: parse, validate and study China's government information disclosure annual reports.

>>> from govreports import parse
>>> report = parse("data/raw/003_7d12747508f9e08c.txt")   # doctest: +SKIP
>>> report.status, report.values()["table3.granted.total"]  # doctest: +SKIP
('valid', 64)
"""

__version__ = "0.1.0"

from govreports.errors import GovReportsError, SchemaError, SourceError, TemplateNotFoundError  # noqa: E402
from govreports.parse import parse, parse_text  # noqa: E402
from govreports.records import Report  # noqa: E402
from govreports.template import SCHEMA  # noqa: E402

__all__ = [
    "parse",
    "parse_text",
    "Report",
    "SCHEMA",
    "GovReportsError",
    "SourceError",
    "SchemaError",
    "TemplateNotFoundError",
    "__version__",
]
