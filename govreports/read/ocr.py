"""Read scanned reports through OCR: image-only PDFs, pages without text, PNG, JPEG and TIFF files.

Offline and on the CPU: the engine is RapidOCR (``rapidocr-onnxruntime``, whose wheel ships the
PP-OCR Chinese detection and recognition models; nothing is downloaded at run time), installed
with the ``ocr`` extra (``pip install 'govreports[ocr]'``). For each page the reader

1. cleans and straightens the image (:mod:`govreports.read.raster`): the text boxes' angle
   gives the skew;
2. finds the ruled tables from their ruling lines and rebuilds each one's cells and spans;
3. detects text boxes, cuts a box that runs over a rule into one piece per cell, and
   recognises every piece with its confidence;
4. returns the same :class:`~govreports.records.Block` s as every other reader: text lines,
   and each table as a grid, so row matching, solving and checks are those of every format.

A number the engine is unsure of (low confidence, or letters it confuses with digits) is not
trusted: its cell holds the reading marked with :data:`~govreports.records.DOUBT` and its
confidence (:func:`~govreports.records.doubtful`). The solver treats such a cell as lost and
lets the identities decide: a value they fix is a repair (``ocr_digit``) with evidence, one
they cannot fix stays null (``lost``). The engine's confidence in every cell is kept in the
block (``Block.confidence``).
"""

from __future__ import annotations

import logging
import os
import re
import signal
import threading
import time
from functools import lru_cache
from typing import NamedTuple

import numpy as np

from govreports.errors import SourceError
from govreports.read import raster
from govreports.read.furniture import is_page_marker
from govreports.read.grids import merge_text_blocks
from govreports.records import SPANNED, Block, doubtful
from govreports.template.terms import NULL_MARKERS

log = logging.getLogger(__name__)

MISSING = ("the OCR engine is not installed: install the ocr extra (pip install 'govreports[ocr]', "
           "or make install) or run with --no-ocr to skip scanned files")
TRUSTED = 0.9  # a number read with less confidence is left to the identities
MIN_PIECE = 4  # pixels: a piece of a text box narrower than this, cut at a rule, is a sliver
MARGIN_SHARE = 0.06  # page numbers sit in the bottom 6% of a page
CROP_PAD = 3
REC_BATCH = 8
MAX_PAGES = 60  # a government report runs to a dozen pages; a scan of hundreds is something else
PAGE_SECONDS = 60.0  # time a per-file limit (``--timeout``) grants each page read through OCR
# The recogniser pads every crop to at least this width/height (the engine pads to 320/48, six
# times what a lone digit needs: most of a table's crops).
MIN_RATIO = 2.0
THREADS_SETTING = "GOVREPORTS_OCR_THREADS"
BOX_THRESHOLD = 0.35
# What the recogniser reads for a lone "0" when it doubts it is a digit at all.
ZERO_LIKES = frozenset("0oO。°.·")
EDGE_MARKS = ".,"  # a number printed in a cell never starts or ends with one
_NUMBER = re.compile(r"^[+-]?(?:\d{1,3}(?:,\d{3})+|\d+)(?:\.\d+)?$")
_CJK = re.compile(r"[\u4e00-\u9fff]")


class OcrEngine:
    """RapidOCR's detector and recogniser, used separately so table cells are read one by one."""

    def __init__(self):
        try:
            from rapidocr_onnxruntime import RapidOCR
        except ImportError as exc:
            raise SourceError(MISSING) from exc
        # GOVREPORTS_OCR_THREADS=1 keeps the engine on one core (a build's workers are processes).
        threads = int(os.environ.get(THREADS_SETTING, "0") or 0)
        self._ocr = RapidOCR(intra_op_num_threads=threads) if threads > 0 else RapidOCR()
        # Keep fainter text boxes than the engine's default (0.5): a faint lone digit in a table
        # cell must be read, not taken for an empty cell.
        self._ocr.text_det.postprocess_op.box_thresh = BOX_THRESHOLD

    def detect(self, gray: np.ndarray) -> list:
        """Return the page's text boxes as ``(4, 2)`` point arrays (top-left, top-right, ...)."""
        boxes, _elapsed = self._ocr.text_det(_bgr(gray))
        return [] if boxes is None else [np.asarray(box, dtype=np.float64) for box in boxes]

    def recognise(self, crops: list) -> list:
        """Return a :class:`Reading` for each image crop (batched by width, as the engine does)."""
        rec = self._ocr.text_rec
        characters = rec.postprocess_op.character
        digits = _digit_classes(tuple(characters))
        readings = [Reading("", 0.0, "", 0.0)] * len(crops)
        order = np.argsort([crop.shape[1] / max(crop.shape[0], 1) for crop in crops])
        height, width = rec.rec_image_shape[1:]
        for start in range(0, len(crops), REC_BATCH):
            batch = order[start:start + REC_BATCH]
            ratio = max([MIN_RATIO] + [crops[i].shape[1] / max(crops[i].shape[0], 1) for i in batch])
            images = np.stack([rec.resize_norm_img(_bgr(crops[i]), ratio) for i in batch]).astype(np.float32)
            for index, probabilities in zip(batch, rec.session(images)[0]):
                readings[index] = _decode(probabilities, characters, digits)
        return readings


class Reading(NamedTuple):
    """What the recogniser read in one crop.

    Attributes:
        text / confidence: its best reading over every character it knows, and the mean
            probability of the characters read.
        digits / certainty: its best reading in digits (and ``.,-``) only, as a number cell is
            read, and how sure it is of each digit against every other digit (the least of them):
            a ``0`` the model also takes for ``。`` or ``o`` is certain, one it also takes for a
            ``6`` is not.
    """

    text: str
    confidence: float
    digits: str
    certainty: float


NUMBER_CHARACTERS = "0123456789.,-"


@lru_cache(maxsize=4)
def _digit_classes(characters: tuple) -> np.ndarray:
    """Return the recogniser's class indexes for the CTC blank (0) and :data:`NUMBER_CHARACTERS`."""
    index = {c: i for i, c in enumerate(characters)}
    return np.array([0] + [index[c] for c in NUMBER_CHARACTERS if c in index])


def _decode(probabilities: np.ndarray, characters: list, digits: np.ndarray) -> Reading:
    """Decode one crop's CTC output twice: over every character, and over digits only."""
    best = probabilities.argmax(axis=1)
    keep = (best != 0) & np.r_[True, best[1:] != best[:-1]]
    text = "".join(characters[i] for i in best[keep])
    confidence = float(probabilities.max(axis=1)[keep].mean()) if keep.any() else 0.0
    restricted = probabilities[:, digits]
    choice = restricted.argmax(axis=1)
    emitted = (choice != 0) & np.r_[True, choice[1:] != choice[:-1]]
    certainties = []
    for step in np.flatnonzero(emitted):
        row = restricted[step, 1:]
        ranked = np.sort(row)
        certainties.append(ranked[-1] / max(ranked[-1] + ranked[-2], 1e-9))
    number = "".join(characters[digits[c]] for c in choice[emitted])
    return Reading(text, confidence, number, float(min(certainties)) if certainties else 0.0)


@lru_cache(maxsize=1)
def engine() -> OcrEngine:
    """Return the process's OCR engine (its models load once, in about a second)."""
    return OcrEngine()


def _bgr(gray: np.ndarray) -> np.ndarray:
    return np.ascontiguousarray(np.repeat(gray[:, :, None], 3, axis=2))


def available() -> bool:
    """Return True when the OCR engine can be imported."""
    try:
        import rapidocr_onnxruntime  # noqa: F401
    except ImportError:
        return False
    return True


# ---------------------------------------------------------------------------- files


def read_scan(data: bytes, source: str, encoding: str | None = None, fmt: str = "pdf") -> tuple:
    """OCR every page of a scanned PDF or an image file; return ``(blocks, None)`` like the other readers.

    Raises:
        SourceError: the OCR engine is not installed, or the file's pages cannot be decoded.
    """
    ocr = engine()
    blocks, started, number = [], time.perf_counter(), 0
    try:
        for number, gray in enumerate(raster.page_images(data, fmt), start=1):
            if number > MAX_PAGES:
                raise SourceError(f"{source}: over {MAX_PAGES} pages to OCR: not one report")
            _grant_time(PAGE_SECONDS)
            blocks.extend(page_blocks(gray, ocr))
            log.info("%s: OCR page %d done (%.1f s so far)", source, number, time.perf_counter() - started)
    except SourceError:
        raise
    except Exception as exc:  # noqa: BLE001 - PIL, pdfium and OpenCV raise many kinds; each means "undecodable"
        raise SourceError(f"{source}: OCR failed at page {number or 1}: "
                          f"{type(exc).__name__}: {exc}") from exc
    return merge_text_blocks(blocks), None


def _grant_time(seconds: float) -> None:
    """Extend a running per-file time limit (a SIGALRM timer) by ``seconds`` for one more OCR page.

    The limit is there to stop a parse that is stuck; OCR is slow but moves on page by page, and
    a loaded machine must not turn every scan into a timeout. Pages are capped by :data:`MAX_PAGES`.
    """
    if threading.current_thread() is not threading.main_thread():
        return
    remaining = signal.getitimer(signal.ITIMER_REAL)[0]
    if remaining > 0:
        signal.setitimer(signal.ITIMER_REAL, remaining + seconds)


def read_image(data: bytes, source: str, encoding: str | None = None) -> tuple:
    """OCR a PNG, JPEG or TIFF file (every frame of a multi-page TIFF) into ``(blocks, None)``."""
    return read_scan(data, source, encoding, fmt="image")


def ocr_page(page, dpi: int = raster.RENDER_DPI) -> tuple:
    """OCR one pypdfium2 page (a page without text in a PDF that has text elsewhere) into blocks."""
    gray = np.asarray(page.render(scale=dpi / 72, grayscale=True).to_pil().convert("L"))
    return tuple(page_blocks(gray, engine(), dpi))


# ---------------------------------------------------------------------------- one page


def page_blocks(gray: np.ndarray, ocr: OcrEngine, dpi: int = raster.RENDER_DPI) -> list:
    """Return one page's blocks in reading order: text lines, and each ruled table as a grid."""
    gray = raster.clean(gray)
    quads = ocr.detect(gray)
    angle = raster.rule_skew(gray, dpi)
    if angle is None or abs(angle) > raster.MAX_SKEW:
        angle = raster.skew_angle(quads)
    if abs(angle) > 0.05:
        matrix = raster.rotation(gray, angle)
        gray = raster.rotate(gray, matrix)
        quads = [raster.rotate_points(quad, matrix) for quad in quads]
    boxes = [_box(quad, gray.shape) for quad in quads]
    tables = raster.find_tables(gray, dpi, boxes)
    pieces = [piece for box in boxes for piece in _pieces(box, tables)]
    readings = ocr.recognise([_crop(gray, piece, tables) for piece in pieces])
    items = [_table_item(t, index, pieces, readings, gray) for index, t in enumerate(tables)]
    items += _text_items([(p, r) for p, r in zip(pieces, readings) if p[0] is None], gray.shape[0])
    return [block for _top, block in sorted(items, key=lambda item: item[0])]


def _box(quad: np.ndarray, shape: tuple) -> tuple:
    """Return a detector box's axis-aligned bounds, clipped to the page."""
    height, width = shape
    x0, y0 = np.clip(quad.min(axis=0), 0, None)
    x1, y1 = quad.max(axis=0)
    return int(x0), int(y0), int(min(x1, width - 1)), int(min(y1, height - 1))


def _pieces(box: tuple, tables: list) -> list:
    """Cut a text box into ``(table index, cell index, box)`` pieces, one per cell it runs over.

    A box outside every table is one piece with no table. Inside a table, the cell under each
    pixel of the box's middle row says where the rules cut it (the detector often joins the
    texts of neighbouring cells, ``0  0``, into one box).
    """
    x0, y0, x1, y1 = box
    middle = (y0 + y1) / 2
    for index, table in enumerate(tables):
        tx0, ty0, tx1, ty1 = table.box
        if not (tx0 <= (x0 + x1) / 2 < tx1 and ty0 <= middle < ty1):
            continue
        runs: list = []
        for x in range(max(x0, tx0), min(x1, tx1 - 1) + 1):
            cell = table.cell_at(x, middle)
            if cell is None:
                continue
            if runs and runs[-1][0] == cell:  # a gap inside one cell is a stroke taken for a rule
                runs[-1][2] = x
            else:
                runs.append([cell, x, x])
        return [(index, cell, (a, y0, b + 1, y1)) for cell, a, b in runs if b - a >= MIN_PIECE]
    return [(None, None, box)]


def _crop(gray: np.ndarray, piece: tuple, tables: list) -> np.ndarray:
    """Return a piece's image with a little margin, kept inside its cell so no rule shows."""
    table, cell, (x0, y0, x1, y1) = piece
    x0, y0, x1, y1 = x0 - CROP_PAD, y0 - CROP_PAD, x1 + CROP_PAD, y1 + CROP_PAD
    if table is not None:
        cx0, cy0, cx1, cy1 = tables[table].cells[cell].box
        x0, y0, x1, y1 = max(x0, cx0 + 1), max(y0, cy0 + 1), min(x1, cx1 - 1), min(y1, cy1 - 1)
    x0, y0 = max(0, x0), max(0, y0)
    crop = gray[y0:max(y1, y0 + 2), x0:max(x1, x0 + 2)]
    return crop if crop.size else np.full((8, 8), 255, np.uint8)


# ---------------------------------------------------------------------------- tables


def _table_item(table, index: int, pieces: list, readings: list, gray: np.ndarray) -> tuple:
    """Return ``(top, Block)`` for one table: its grid of cell texts, confidence per cell.

    A cell where nothing was read but which holds ink (a digit too faint for the detector) is
    not a printed blank: it is doubtful, with no reading.
    """
    found: dict = {}
    for piece, reading in zip(pieces, readings):
        if piece[0] == index:
            found.setdefault(piece[1], []).append((piece[2], reading))
    rows, columns = table.shape
    grid = [[SPANNED] * columns for _ in range(rows)]
    confidence = [[None] * columns for _ in range(rows)]
    for cell_index, cell in enumerate(table.cells):
        text, score = cell_text(found.get(cell_index, []))
        if not text and raster.has_ink(gray, cell.box):
            text, score = doubtful("", 0.0), 0.0
        grid[cell.row][cell.col] = text
        confidence[cell.row][cell.col] = score
    block = Block("table", rows=tuple(map(tuple, grid)), confidence=tuple(map(tuple, confidence)))
    return table.box[1], block


def cell_text(readings: list) -> tuple:
    """Return ``(text, confidence)`` for a cell from its pieces' ``(box, Reading)`` pairs.

    Pieces are read in lines (top to bottom, then left to right). A cell of label text is kept
    as read. A number cell is read in digits only; it is trusted when every piece's digit
    reading is certain (:data:`TRUSTED`) and agrees with the unrestricted reading (but for
    the round marks a lone ``0`` is taken for), and marked doubtful
    (:func:`~govreports.records.doubtful`) otherwise. A piece with nothing but a mark is a speck.
    """
    if not readings:
        return "", None
    ordered = sorted(readings, key=lambda r: (round(((r[0][1] + r[0][3]) / 2) / 12), r[0][0]))
    pieces = [reading for _box, reading in ordered if reading.text.strip()]
    if not pieces:
        return "", None
    if any(_CJK.search(p.text) for p in pieces) or all(_is_label(p.text) for p in pieces):
        text = _join([p.text.strip() for p in pieces])
        return text, round(min(p.confidence for p in pieces), 3)
    numbers = [p for p in pieces if not _is_speck(p.text)]
    if not numbers:
        return "", round(min(p.confidence for p in pieces), 3)
    text = _join([_number_part(p.digits) or p.text.strip() for p in numbers])
    certainty = min(p.certainty if _agrees(p) else min(p.certainty, p.confidence) / 2 for p in numbers)
    trusted = certainty >= TRUSTED and all(_NUMBER.match(part) for part in text.split())
    return (text if trusted else doubtful(text.replace(" ", ""), certainty)), round(certainty, 3)


def _is_label(text: str) -> bool:
    """Return True for text that is not a number: a blank marker, or words (Latin letters)."""
    compact = text.replace(" ", "")
    return compact in NULL_MARKERS or sum(ch.isalpha() and ch not in "oOlIDSBZ" for ch in compact) > 1


def _is_speck(text: str) -> bool:
    """Return True for a reading with no digit and no letter: dust read as a mark."""
    return not any(ch.isalnum() for ch in text)


def _number_part(digits: str) -> str:
    """Return a digit reading without marks at its ends: a speck beside a number reads as ``.`` or ``,``."""
    return digits.strip(EDGE_MARKS)


def _agrees(piece) -> bool:
    """Return True when the unrestricted reading is the digit reading (a lone 0 may read as o or 。)."""
    general = piece.text.replace(" ", "").strip(EDGE_MARKS + "。·'`")
    digits = _number_part(piece.digits)
    if general == digits:
        return True
    return digits == "0" and len(general) <= 2 and set(general) <= ZERO_LIKES


def _join(parts: list) -> str:
    """Join a cell's pieces: no space inside Chinese text, a space between two numbers."""
    text = ""
    for part in parts:
        if text and text[-1].isascii() and text[-1].isalnum() and part[0].isascii() and part[0].isalnum():
            text += " "
        text += part
    return text


# ---------------------------------------------------------------------------- running text


def _text_items(readings: list, page_height: int) -> list:
    """Return ``(top, Block)`` text lines from the pieces outside tables, page numbers dropped."""
    boxes = sorted(((p[2], r.text.strip()) for p, r in readings if r.text.strip()), key=lambda b: (b[0][1] + b[0][3]) / 2)
    lines: list = []
    for box, text in boxes:
        middle, height = (box[1] + box[3]) / 2, box[3] - box[1]
        if lines and abs(middle - lines[-1]["middle"]) < height / 2:
            lines[-1]["parts"].append((box[0], text))
        else:
            lines.append({"middle": middle, "top": box[1], "parts": [(box[0], text)]})
    items = []
    for line in lines:
        text = " ".join(t for _x, t in sorted(line["parts"]))
        foot = line["top"] > page_height * (1 - MARGIN_SHARE)
        if is_page_marker(text) or (foot and text.strip().isdigit()):
            continue
        items.append((line["top"], Block("text", text=text)))
    return items
