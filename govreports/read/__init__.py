"""Stage 1, read: a report file's bytes into a :class:`~govreports.records.Document`.

:func:`read_document` sniffs the format, decodes text in whatever encoding it came in, and
hands HTML pages, Word files and PDFs to their readers (:mod:`.html`, :mod:`.docx`,
:mod:`.pdf`), which rebuild their tables as grids (:mod:`.grids`). :mod:`.fetch` downloads
reports into the raw folder. Nothing here interprets a number.
"""

from govreports.read.decode import decode_text, sha256_of, sniff_format
from govreports.read.document import read_document

__all__ = ["read_document", "decode_text", "sha256_of", "sniff_format"]
