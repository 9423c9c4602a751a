"""Read PDFs with a text layer into blocks: ruled tables as grids, the rest as text lines.

This module holds what does not depend on the engine that decodes the PDF, and picks the engine:
:mod:`govreports.read.pdf_pdfium` (compiled, the default) or :mod:`govreports.read.pdf_plumber`
(pdfminer, pure Python: the reference, and the fallback for pages with rotated characters).
Both give, per page, the tables found by their ruling lines (pdfplumber's ``lines`` strategy;
the ``text`` strategy only on pages with no ruled table, and only where it finds rows of
numbers) and the text lines outside them. Merged cells come back as None and stay
:data:`~govreports.parse.layout.SPANNED`. Running headers, footers and page numbers are
dropped. A table broken over pages (the first thing on page N+1 is a table as wide as the last
thing on page N) is joined back into one, without its repeated header rows and with a row the
page break split in two put back together.
"""

from __future__ import annotations

import importlib
import logging
import re
import zlib
from dataclasses import dataclass

from govreports.errors import NoTextLayerError, SourceError
from govreports.read.furniture import is_page_marker
from govreports.read.grids import collapse, merge_text_blocks, pad_rows
from govreports.records import SPANNED, Block

ENGINES = {"pdfium": "govreports.read.pdf_pdfium", "plumber": "govreports.read.pdf_plumber"}
DEFAULT_ENGINE = "pdfium"
MAX_DECODED_BYTES = 256 * 1024 * 1024  # a report's streams inflate to a few MB; a zlib bomb to GBs
MAX_FLATE_RATIO = 1032  # deflate's most: 258 bytes from one 2-bit code (zlib's technical notes)
MARGIN_SHARE = 0.08  # running headers and footers sit in the top and bottom 8% of an A4 page
CONTINUED_SHARE = 0.75  # a table that goes on overleaf runs past three quarters of its page
MIN_TEXT_TABLE_ROWS = 3  # unruled "tables" need this many rows holding two numbers or more
_NUMBER = re.compile(r"^[+-]?[\d,]+(?:\.\d+)?$")
_WRAP = re.compile(r"(?<=[A-Za-z])\n(?=[A-Za-z])")
_STREAM = re.compile(rb"stream\r?\n")
log = logging.getLogger(__name__)


@dataclass
class Item:
    """A thing printed on a page, placed by its top edge: a text line or a table."""

    top: float
    bottom: float
    text: str = ""
    rows: tuple = ()


def read_pdf(data: bytes, source: str, encoding: str | None = None, engine: str | None = None,
             ocr: bool = False) -> tuple:
    """Read a PDF; return ``(blocks, None)`` (``encoding`` is ignored: PDFs carry their own).

    ``engine`` names the engine (:data:`ENGINES`; default :data:`DEFAULT_ENGINE`); the pdfium
    engine hands a file with rotated characters to the pdfplumber engine. ``ocr``: read the
    pages that print no characters (scanned pages of a PDF with text elsewhere) through OCR.

    Raises:
        SourceError: the PDF is encrypted, broken or truncated, its streams inflate past
            :data:`MAX_DECODED_BYTES`, or it has no usable text layer (scanned, or fonts
            without a Unicode map).
    """
    check_decoded_size(data, source)
    try:
        pages, chars, unmapped = read_pages(data, engine or DEFAULT_ENGINE)
    except Exception as exc:  # noqa: BLE001 - pdfminer and pdfium raise many kinds; each means "unreadable"
        raise SourceError(f"{source}: unreadable PDF: {_reason(exc)}") from exc
    check_text_layer(source, chars, unmapped)
    pages = with_scanned_pages(data, source, pages, ocr)
    return merge_text_blocks(join_pages(drop_furniture(pages))), None


def with_scanned_pages(data: bytes, source: str, pages: list, ocr: bool) -> list:
    """Return the ``(items, height)`` pages with each page that prints no characters read through OCR.

    A PDF assembled from typed pages and scanned ones (a signed page, a table pasted as a
    picture) has a text layer on some pages only; with ``ocr`` off those pages stay empty and a
    warning says so.
    """
    empty = [index for index, (items, _height) in enumerate(pages) if not items]
    if not empty:
        return pages
    if not ocr:
        log.warning("%s: page(s) %s have no text layer; OCR is off, so they are not read",
                    source, ", ".join(str(i + 1) for i in empty))
        return pages
    from govreports.read.ocr import ocr_pdf_pages

    found = ocr_pdf_pages(data, source, empty)
    return [([Item(top, bottom, block.text, block.rows) for top, bottom, block in found[index][0]], found[index][1])
            if index in found else page for index, page in enumerate(pages)]


def check_text_layer(source: str, chars: int, unmapped: int) -> None:
    """Refuse a PDF without a usable text layer: the one place such a PDF raises (OCR hooks in here).

    :mod:`govreports.read.document` catches :class:`~govreports.errors.NoTextLayerError` and
    hands such a PDF to the OCR reader when OCR is on.

    Raises:
        NoTextLayerError: no characters at all (a scan: images only), or more than half of them
            are glyph ids without a Unicode map.
    """
    if not chars:
        raise NoTextLayerError(f"{source}: no text layer: OCR it first (a scanned PDF has images, not characters)")
    if unmapped > chars / 2:
        raise NoTextLayerError(f"{source}: no usable text layer: {unmapped} of {chars} characters are glyph ids "
                          "(fonts without a Unicode map): OCR it first")


def read_pages(data: bytes, engine: str = DEFAULT_ENGINE) -> tuple:
    """Return ``([(items, page height)], characters, characters without Unicode)`` for every page."""
    module = importlib.import_module(ENGINES[engine])
    try:
        return _read_pages(module.open_pages(data))
    except getattr(module, "RotatedText", ()):  # pdfplumber's text directions are not ported
        return _read_pages(importlib.import_module(ENGINES["plumber"]).open_pages(data))


def _read_pages(pages) -> tuple:
    """Return the items of each page an engine yields, with the counts of characters."""
    items, chars, unmapped = [], 0, 0
    for page in pages:
        chars += len(page.chars)
        unmapped += page.unmapped
        items.append((page_items(page), page.height))
    return items, chars, unmapped


def check_decoded_size(data: bytes, source: str, limit: int | None = None) -> None:
    """Refuse a PDF whose Flate streams inflate past ``limit`` bytes (a zlib bomb) before decoding it.

    Every ``stream`` keyword is tried as the start of a zlib stream, inflated in bounded steps and
    the output thrown away, so the check holds little memory whatever the file claims. Deflate
    inflates at most :data:`MAX_FLATE_RATIO` times: once the bytes left after a keyword cannot
    reach the limit even so (a whole report of up to 250 KB, for the default limit), the rest
    is not inflated.

    Raises:
        SourceError: the streams add up to more than ``limit`` bytes (default :data:`MAX_DECODED_BYTES`).
    """
    limit = MAX_DECODED_BYTES if limit is None else limit
    total = 0
    for match in _STREAM.finditer(data):
        if total + MAX_FLATE_RATIO * (len(data) - match.end()) <= limit:
            return  # the rest of the file cannot inflate past the limit, whatever it holds
        total += _inflated_size(data, match.end(), limit - total)
        if total > limit:
            raise SourceError(f"{source}: unreadable PDF: its compressed streams inflate past {limit // 2**20} MB "
                              "(a decompression bomb, or not a report)")


def _inflated_size(data: bytes, start: int, budget: int) -> int:
    """Return how many bytes the zlib stream at ``start`` inflates to, stopping past ``budget``."""
    inflater = zlib.decompressobj()
    size, chunk = 0, data[start:start + 65536]
    position = start + len(chunk)
    try:
        while chunk and size <= budget and not inflater.eof:
            size += len(inflater.decompress(chunk, 1 << 20))
            while inflater.unconsumed_tail and size <= budget and not inflater.eof:
                size += len(inflater.decompress(inflater.unconsumed_tail, 1 << 20))
            chunk, position = data[position:position + 65536], position + 65536
    except zlib.error:
        pass  # not a Flate stream (an image, a stream in another filter) or damaged: pdfium decides
    return size


def _reason(exc: Exception) -> str:
    """Name what went wrong in words a researcher can act on.

    pdfplumber wraps pdfminer's errors, often with an empty message: the wrapped error's
    class name (``PDFPasswordIncorrect``, ``PDFSyntaxError``) is the reason; pdfium's say
    "Incorrect password error" or "Data format error".
    """
    inner = [a for a in exc.args if isinstance(a, Exception)] or [exc]
    text = "; ".join(f"{type(e).__name__}: {e}".rstrip(": ") for e in inner)
    if "password" in text.lower() or "encrypt" in text.lower():
        return f"encrypted PDF: it needs a password; save a copy without one first ({text})"
    return f"broken or truncated file ({text})"


def page_items(page) -> list:
    """Return the page's text lines and tables as :class:`Item` s sorted top to bottom.

    ``page`` is an engine's page: ``chars``, ``ruled_tables()``, ``text_tables()`` and
    ``text_lines(boxes)``.
    """
    if not page.chars:
        return []
    # A ruled box around a paragraph is one column wide: that is text, not a table.
    tables = [(box, rows) for box, rows in page.ruled_tables() if _width(rows) > 1] or text_tables(page)
    items = [Item(box[1], box[3], rows=grid_rows(rows)) for box, rows in tables]
    for top, bottom, text in page.text_lines([box for box, _rows in tables]):
        items.append(Item(top, bottom, text=text))
    return sorted(items, key=lambda item: item.top)


def text_tables(page) -> list:
    """Return ``(bbox, rows)`` for the unruled tables the text strategy finds that hold rows of numbers.

    Without ruling an empty position is not a printed blank cell, only a gap between words:
    it becomes None (no cell), and rows of nothing but gaps are dropped.
    """
    kept = []
    for box, found in page.text_tables(MIN_TEXT_TABLE_ROWS):
        rows = [[cell or None for cell in row] for row in found if any(row)]
        numeric = sum(1 for row in rows if sum(1 for c in row if c and _NUMBER.match(c.strip())) >= 2)
        if numeric >= MIN_TEXT_TABLE_ROWS:
            kept.append((box, rows))
    return kept


def grid_rows(rows: list) -> tuple:
    """Return pdfplumber's rows as a grid: merged positions (None) stay SPANNED, cell text cleaned."""
    return pad_rows([[SPANNED if cell is None else cell_text(cell) for cell in row] for row in rows])


def cell_text(text: str) -> str:
    """Join a cell's wrapped lines: no space inside Chinese text or a number, a space between Latin words."""
    return collapse(_WRAP.sub(" ", text).replace("\n", "") if "\n" in text else text)


def drop_furniture(pages: list) -> list:
    """Remove page numbers, running headers and footers from each page's ``(items, height)``.

    Furniture is a text line that is a page marker ("— 3 —", "第3页"), a lone number at the
    foot of the page, or a line printed in the top or bottom margin of two or more pages.
    """
    counts: dict = {}
    for items, height in pages:
        for key in {_furniture_key(item) for item in items if _in_margin(item, height)}:
            counts[key] = counts.get(key, 0) + 1
    return [([item for item in items if not _is_furniture(item, height, counts)], height) for items, height in pages]


def _is_furniture(item: Item, height: float, counts: dict) -> bool:
    """Return True for a page marker, a page number at the foot, or a line repeated in the margins."""
    if not item.text:
        return False
    if is_page_marker(item.text) or (item.text.strip().isdigit() and item.top > height * (1 - MARGIN_SHARE)):
        return True
    return _in_margin(item, height) and counts.get(_furniture_key(item), 0) > 1


def _in_margin(item: Item, height: float) -> bool:
    """Return True for a text line in the page's top or bottom margin."""
    return bool(item.text) and (item.bottom < height * MARGIN_SHARE or item.top > height * (1 - MARGIN_SHARE))


def _furniture_key(item: Item) -> str:
    """Return a line's text with digits and spaces removed ("第 3 页" and "第 4 页" repeat)."""
    return re.sub(r"[\d\s]+", "", item.text)


def join_pages(pages: list) -> list:
    """Return the blocks of all pages in order, a table continued on the next page joined to its start.

    A table continues one that ended the previous page (low on it) when it is the first thing
    on its page and has as many columns.
    """
    blocks: list = []
    runs_over = False  # the previous page ended with a table that reached its foot
    for items, height in pages:
        for index, item in enumerate(items):
            if not item.rows:
                blocks.append(Block("text", text=item.text))
            elif index == 0 and runs_over and _width(blocks[-1].rows) == _width(item.rows):
                blocks[-1] = Block("table", rows=continue_table(blocks[-1].rows, item.rows))
            else:
                blocks.append(Block("table", rows=item.rows))
        runs_over = bool(items) and bool(items[-1].rows) and items[-1].bottom > height * CONTINUED_SHARE
    return blocks


def _width(rows) -> int:
    """Return a grid's number of columns (0 for an empty grid)."""
    return len(rows[0]) if rows else 0


def continue_table(first: tuple, more: tuple) -> tuple:
    """Append a table's continuation: drop the header rows it repeats, rejoin a row the page break split."""
    repeated = 0
    while repeated < min(len(first), len(more)) - 1 and _same_row(first[repeated], more[repeated]):
        repeated += 1
    more = more[repeated:]
    if more and is_split_row(first[-1], more[0]):
        more = (rejoin(first[-1], more[0]),) + more[1:]
        first = first[:-1]
    return first + more


def _same_row(a: tuple, b: tuple) -> bool:
    """Return True when two rows print the same cells (spaces aside): a header repeated overleaf."""
    return [None if c is None else c.replace(" ", "") for c in a] == [None if c is None else c.replace(" ", "") for c in b]


def is_split_row(last: tuple, head: tuple) -> bool:
    """Return True when ``head`` is the rest of ``last``, a row the page break cut in two.

    Values print at the top of their cells, so the rest of a cut data row holds only label
    text (under label text) and empty cells, while the row above it printed numbers.
    """
    if not any(c and _NUMBER.match(c) for c in last) or any(c and _NUMBER.match(c) for c in head):
        return False
    texts = [i for i, c in enumerate(head) if c]
    return bool(texts) and all(isinstance(last[i], str) and last[i] and not _NUMBER.match(last[i]) for i in texts)


def rejoin(last: tuple, head: tuple) -> tuple:
    """Return the row ``last`` with the text its cut-off rest ``head`` printed appended cell by cell."""
    return tuple(c + (head[i] or "") if isinstance(c, str) else c for i, c in enumerate(last))
