"""The PDF engine on pdfplumber (pdfminer.six, pure Python): the reference the pdfium engine matches.

Kept for the files the pdfium engine hands back (pages with rotated or mirrored characters, see
:mod:`govreports.read.pdf_pdfium`), and as the reference of ``tests/read/test_pdf_engines.py``
and ``benchmarks/bench_pdf.py``. About twenty times slower: pdfminer parses the content
streams in Python.
"""

from __future__ import annotations

import io
import logging

LINES = {"vertical_strategy": "lines", "horizontal_strategy": "lines"}
TEXT = {"vertical_strategy": "text", "horizontal_strategy": "text"}

# pdfminer logs a warning for every operator it cannot parse in a damaged file (thousands per
# report in a batch); what matters reaches the user as the report's status and errors.
logging.getLogger("pdfminer").setLevel(logging.ERROR)


def open_pages(data: bytes):
    """Yield a :class:`PlumberPage` per page of the PDF in ``data``.

    Raises:
        Exception: pdfminer's errors for an encrypted, broken or truncated file.
    """
    import pdfplumber

    with pdfplumber.open(io.BytesIO(data)) as pdf:
        for page in pdf.pages:
            yield PlumberPage(page)
            page.close()  # drop the page's parsed objects: a long PDF would otherwise stay in memory whole


class PlumberPage:
    """One pdfplumber page, with the geometry the shared reader asks for."""

    def __init__(self, page) -> None:
        """Wrap a pdfplumber page (its objects are parsed on first use)."""
        self.page = page
        self.height = page.height
        self.chars = page.chars
        self.unmapped = sum(1 for char in self.chars if char["text"].startswith("(cid:"))

    def ruled_tables(self) -> list:
        """Return ``(bbox, rows)`` for the tables the page's ruling lines draw."""
        return [(t.bbox, t.extract()) for t in self.page.find_tables(LINES)]

    def text_tables(self, min_numeric_rows: int = 0) -> list:
        """Return ``(bbox, rows)`` for the tables the text strategy finds (aligned words; all of them)."""
        return [(t.bbox, t.extract()) for t in self.page.find_tables(TEXT)]

    def text_lines(self, boxes: list) -> list:
        """Return ``(top, bottom, text)`` for the lines of text whose characters lie outside ``boxes``."""
        outside = self.page.filter(lambda obj: not any(_inside(obj, box) for box in boxes))
        return [(line["top"], line["bottom"], line["text"]) for line in outside.extract_text_lines(return_chars=False)]


def _inside(obj: dict, box: tuple) -> bool:
    """Return True when the object's centre lies within the box."""
    x = (obj["x0"] + obj["x1"]) / 2
    y = (obj["top"] + obj["bottom"]) / 2
    return box[0] <= x <= box[2] and box[1] <= y <= box[3]
