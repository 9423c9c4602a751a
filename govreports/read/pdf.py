"""Read PDFs with a text layer into blocks: ruled tables as grids, the rest as text lines.

Each page's tables are found by their ruling lines (pdfplumber's ``lines`` strategy; the
``text`` strategy only on pages with no ruled table, and only where it finds rows of numbers).
Merged cells come back from pdfplumber as None and stay :data:`~govreports.parse.layout.SPANNED`.
Text outside the tables is read from word positions, without the running headers, footers and
page numbers. A table broken over pages (the first thing on page N+1 is a table as wide as the
last thing on page N) is joined back into one, without its repeated header rows and with a row
the page break split in two put back together.
"""

from __future__ import annotations

import io
import logging
import re
from dataclasses import dataclass

from govreports.errors import NoTextLayerError, SourceError
from govreports.read.furniture import is_page_marker
from govreports.read.grids import collapse, merge_text_blocks, pad_rows
from govreports.records import SPANNED, Block

LINES = {"vertical_strategy": "lines", "horizontal_strategy": "lines"}
TEXT = {"vertical_strategy": "text", "horizontal_strategy": "text"}
MARGIN_SHARE = 0.08  # running headers and footers sit in the top and bottom 8% of an A4 page
CONTINUED_SHARE = 0.75  # a table that goes on overleaf runs past three quarters of its page
MIN_TEXT_TABLE_ROWS = 3  # unruled "tables" need this many rows holding two numbers or more
_NUMBER = re.compile(r"^[+-]?[\d,]+(?:\.\d+)?$")
_WRAP = re.compile(r"(?<=[A-Za-z])\n(?=[A-Za-z])")

# pdfminer logs a warning for every operator it cannot parse in a damaged file (thousands per
# report in a batch); what matters reaches the user as the report's status and errors.
logging.getLogger("pdfminer").setLevel(logging.ERROR)


@dataclass
class Item:
    """A thing printed on a page, placed by its top edge: a text line or a table."""

    top: float
    bottom: float
    text: str = ""
    rows: tuple = ()


def read_pdf(data: bytes, source: str, encoding: str | None = None) -> tuple:
    """Read a PDF; return ``(blocks, None)`` (``encoding`` is ignored: PDFs carry their own).

    Raises:
        SourceError: the PDF is encrypted, broken or truncated, or has no usable text layer
            (scanned, or fonts without a Unicode map).
    """
    import pdfplumber

    try:
        with pdfplumber.open(io.BytesIO(data)) as pdf:
            pages, chars, unmapped = read_pages(pdf)
    except Exception as exc:  # noqa: BLE001 - pdfminer raises many kinds; each means "unreadable"
        raise SourceError(f"{source}: unreadable PDF: {_reason(exc)}") from exc
    if not chars:
        raise NoTextLayerError(f"{source}: no text layer: OCR it first (a scanned PDF has images, not characters)")
    if unmapped > chars / 2:
        raise NoTextLayerError(f"{source}: no usable text layer: {unmapped} of {chars} characters are glyph ids "
                               "(fonts without a Unicode map): OCR it first")
    return merge_text_blocks(join_pages(drop_furniture(pages))), None


def read_pages(pdf) -> tuple:
    """Return ``([(items, page height)], characters, characters without Unicode)`` for every page."""
    pages, chars, unmapped = [], 0, 0
    for page in pdf.pages:
        chars += len(page.chars)
        unmapped += sum(1 for char in page.chars if char["text"].startswith("(cid:"))
        pages.append((page_items(page), page.height))
        page.close()  # drop the page's parsed objects: a long PDF would otherwise stay in memory whole
    return pages, chars, unmapped


def _reason(exc: Exception) -> str:
    """Name what went wrong in words a researcher can act on.

    pdfplumber wraps pdfminer's errors, often with an empty message: the wrapped error's
    class name (``PDFPasswordIncorrect``, ``PDFSyntaxError``) is the reason.
    """
    inner = [a for a in exc.args if isinstance(a, Exception)] or [exc]
    text = "; ".join(f"{type(e).__name__}: {e}".rstrip(": ") for e in inner)
    if "password" in text.lower() or "encrypt" in text.lower():
        return f"encrypted PDF: it needs a password; save a copy without one first ({text})"
    return f"broken or truncated file ({text})"


def page_items(page) -> list:
    """Return the page's text lines and tables as :class:`Item` s sorted top to bottom."""
    if not page.chars:
        return []
    # A ruled box around a paragraph is one column wide: that is text, not a table.
    tables = [(t, rows) for t in page.find_tables(LINES) if _width(rows := t.extract()) > 1] or text_tables(page)
    boxes = [t.bbox for t, _rows in tables]
    outside = page.filter(lambda obj: not any(_inside(obj, box) for box in boxes))
    items = [Item(t.bbox[1], t.bbox[3], rows=grid_rows(rows)) for t, rows in tables]
    for line in outside.extract_text_lines(return_chars=False):
        items.append(Item(line["top"], line["bottom"], text=line["text"]))
    return sorted(items, key=lambda item: item.top)


def text_tables(page) -> list:
    """Return ``(table, rows)`` for the unruled tables the text strategy finds that hold rows of numbers.

    Without ruling an empty position is not a printed blank cell, only a gap between words:
    it becomes None (no cell), and rows of nothing but gaps are dropped.
    """
    kept = []
    for table in page.find_tables(TEXT):
        rows = [[cell or None for cell in row] for row in table.extract() if any(row)]
        numeric = sum(1 for row in rows if sum(1 for c in row if c and _NUMBER.match(c.strip())) >= 2)
        if numeric >= MIN_TEXT_TABLE_ROWS:
            kept.append((table, rows))
    return kept


def _inside(obj: dict, box: tuple) -> bool:
    """Return True when the object's centre lies within the box."""
    x = (obj["x0"] + obj["x1"]) / 2
    y = (obj["top"] + obj["bottom"]) / 2
    return box[0] <= x <= box[2] and box[1] <= y <= box[3]


def grid_rows(rows: list) -> tuple:
    """Return pdfplumber's rows as a grid: merged positions (None) stay SPANNED, cell text cleaned."""
    return pad_rows([[SPANNED if cell is None else cell_text(cell) for cell in row] for row in rows])


def cell_text(text: str) -> str:
    """Join a cell's wrapped lines: no space inside Chinese text or a number, a space between Latin words."""
    return collapse(_WRAP.sub(" ", text).replace("\n", ""))


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
