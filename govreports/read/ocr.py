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
from govreports.records import DOUBT, SPANNED, Block, doubtful
from govreports.template.terms import NULL_MARKERS

log = logging.getLogger(__name__)

MISSING = ("the OCR engine is not installed: install the ocr extra (pip install 'govreports[ocr]', "
           "or make install) or run with --no-ocr to skip scanned files")
TRUSTED = 0.9  # a number read with less confidence is left to the identities
MIN_PIECE = 4  # pixels: a piece of a text box narrower than this, cut at a rule, is a sliver
MARGIN_SHARE = 0.06  # page numbers sit in the bottom 6% of a page
CROP_PAD = 3
MAX_PAGES = 60  # a government report runs to a dozen pages; a scan of hundreds is something else
PAGE_SECONDS = 60.0  # time a per-file limit (``--timeout``) grants each page read through OCR
# The recogniser pads every crop to at least this width/height (the engine pads to 320/48, six
# times what a lone digit needs: most of a table's crops). 1.5 reads as well as 2.0 on the scans
# of every key (benchmarks/README.md) in 10% less time; 1.0 reads worse (a digit at the edge).
MIN_RATIO = 1.5
THREADS_SETTING = "GOVREPORTS_OCR_THREADS"
DETECT_SCALE = 1.0  # the page's scale for text detection (recognition always reads the full page)
DETECT_SCALE_SETTING = "GOVREPORTS_OCR_DETECT_SCALE"  # overrides DETECT_SCALE (for benchmarks)
BOX_THRESHOLD = 0.35
# What the recogniser reads for a lone "0" when it doubts it is a digit at all.
ZERO_LIKES = frozenset("0oO。°.·")
EDGE_MARKS = ".,"  # a number printed in a cell never starts or ends with one
STRAY_MARKS = "。·'`:;\""  # what a speck beside a number reads as, in the unrestricted reading
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
        self._limit = self._ocr.text_det.limit_side_len  # the least side the detector reads
        for model in (self._ocr.text_det.infer, self._ocr.text_rec.session):
            model.session = _with_memory_arena(model.session)

    def detect(self, gray: np.ndarray) -> list:
        """Return the page's text boxes as ``(4, 2)`` point arrays (top-left, top-right, ...).

        The page is stretched to the multiple of 32 pixels the network needs, exactly as the
        engine does, but normalised from one grey channel in ``float32`` (the engine makes three
        channels of ``float64`` first). :data:`DETECT_SCALE` scales the page first (a benchmark
        setting: below 1 it costs accuracy); the boxes come back in the page's pixels.
        """
        import cv2

        scale = float(os.environ.get(DETECT_SCALE_SETTING, "") or DETECT_SCALE)
        height, width = gray.shape
        if min(height, width) * scale < self._limit:  # the engine enlarges a small image, as here
            scale = self._limit / min(height, width)
        size = (max(32, round(int(width * scale) / 32) * 32), max(32, round(int(height * scale) / 32) * 32))
        shrink = cv2.INTER_AREA if scale < 1 else cv2.INTER_LINEAR  # INTER_LINEAR: as the engine resizes
        image = cv2.resize(gray, size, interpolation=shrink).astype(np.float32) / np.float32(127.5) - np.float32(1)
        detector = self._ocr.text_det
        boxes, _scores = detector.postprocess_op(detector.infer(np.repeat(image[None, None], 3, axis=1))[0],
                                                 (height, width))
        if not len(boxes):
            return []
        return [np.asarray(box, dtype=np.float64) for box in detector.filter_tag_det_res(boxes, (height, width))]

    def recognise(self, crops: list) -> list:
        """Return a :class:`Reading` for each image crop, each read on its own.

        One crop per model run, at its own width (at least :data:`MIN_RATIO` times its height):
        nothing is padded to a wider neighbour, so a crop's reading does not depend on the crops
        read with it, and one core reads 1.4 times faster than in batches of 8 sorted by width
        (padding is wasted work, and a batch's activations outgrow the processor's caches).
        """
        rec = self._ocr.text_rec
        characters = rec.postprocess_op.character
        digits = _digit_classes(tuple(characters))
        readings = []
        for crop in crops:
            ratio = max(MIN_RATIO, crop.shape[1] / max(crop.shape[0], 1))
            image = rec.resize_norm_img(_bgr(crop), ratio)[np.newaxis].astype(np.float32)
            readings.append(_decode(rec.session(image)[0][0], characters, digits))
        return readings


def _with_memory_arena(session):
    """Return the engine's ONNX Runtime session again, keeping the memory it allocates.

    The engine turns ONNX Runtime's memory arena off: each run then allocates its activations
    afresh and the system pages them in anew (hundreds of MB for a page's detection), which
    doubled the first page's detection and the detection of a page twice as tall. With the
    arena, and without the memory pattern (one block planned for all of a run's activations,
    which the arena would keep beside the activations it holds), the results are the same,
    detection takes a fifth to a half less CPU, and an A4 page's peak is lower. A session whose
    model path is unknown is kept as it is.
    """
    import onnxruntime

    path = getattr(session, "_model_path", None)
    if not path:
        return session
    options = session.get_session_options()
    options.enable_cpu_mem_arena = True
    options.enable_mem_pattern = False
    # Grow the arena by what is asked, not to the next power of two (as the engine asks).
    cpu = ("CPUExecutionProvider", {"arena_extend_strategy": "kSameAsRequested"})
    return onnxruntime.InferenceSession(path, sess_options=options, providers=[cpu])


class Reading(NamedTuple):
    """What the recogniser read in one crop.

    Attributes:
        text / confidence: its best reading over every character it knows, and the mean
            probability of the characters read.
        digits / certainty: its best reading in digits (and ``.,-``) only, as a number cell is
            read, and how sure it is of each digit against every other digit (the least of them):
            a ``0`` the model also takes for ``。`` or ``o`` is certain, one it also takes for a
            ``6`` is not; nor is a gap between two digits where a faint ``.`` nearly won.
        words: its reading of running text, where a character is read wherever the characters
            together outweigh the CTC blank, even if no one of them does (a bold title's rare
            character split between look-alikes, ``沐`` and ``沭``, is not dropped).
    """

    text: str
    confidence: float
    digits: str
    certainty: float
    words: str = ""


NUMBER_CHARACTERS = "0123456789.,-"
SEPARATOR_CLASSES = [1 + NUMBER_CHARACTERS.index(mark) for mark in ".,"]  # among the digit classes (0: blank)


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
    certainties += _gap_certainties(restricted, choice)
    number = "".join(characters[digits[c]] for c in choice[emitted])
    return Reading(text, confidence, number, float(min(certainties)) if certainties else 0.0,
                   _words(probabilities, characters))


def _gap_certainties(restricted: np.ndarray, choice: np.ndarray) -> list:
    """Return how sure the digit reading is of each blank between its first and last digit.

    A faint decimal point between two digits can lose narrowly to the CTC blank (``10300.8203``
    read as ``103008203``: a wrong number read with certainty): each such step's certainty is
    the blank's share against the likelier of ``.`` and ``,`` there. (A digit inserted between
    two others is left to the digit's own certainty, as before.)
    """
    emitted = np.flatnonzero((choice >= 1) & (choice <= 10))  # digit classes: NUMBER_CHARACTERS[:10]
    if len(emitted) < 2:
        return []  # marks before the first digit or after the last are stripped (EDGE_MARKS)
    gaps = np.arange(emitted[0] + 1, emitted[-1])
    gaps = gaps[choice[gaps] == 0]
    blank = restricted[gaps, 0]
    separator = restricted[gaps][:, SEPARATOR_CLASSES].max(axis=1) if len(gaps) else blank
    return list(blank / np.maximum(blank + separator, 1e-9))


def _words(probabilities: np.ndarray, characters: list) -> str:
    """Decode running text: a step emits its likeliest character when all characters outweigh the blank."""
    blank = probabilities[:, 0]
    likeliest = probabilities[:, 1:].argmax(axis=1) + 1
    chosen = np.where(1.0 - blank > blank, likeliest, 0)
    keep = (chosen != 0) & np.r_[True, chosen[1:] != chosen[:-1]]
    return "".join(characters[i] for i in chosen[keep])


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


def ocr_pdf_pages(data: bytes, source: str, indexes: list, dpi: int = raster.RENDER_DPI) -> dict:
    """OCR some pages of a PDF (pages without a text layer in a PDF that has one elsewhere).

    Returns ``{page index: ([(top, bottom, Block)], page height)}`` in PDF points, as the PDF
    readers place their items, for the pages in ``indexes`` that hold an image (a page with
    neither characters nor images is blank, not a scan).

    Raises:
        SourceError: the OCR engine is not installed, or a page cannot be rendered or read.
    """
    import pypdfium2

    found = {}  # the engine loads only for a page that holds a picture: a blank page costs nothing
    document = pypdfium2.PdfDocument(data)
    try:
        for index in indexes:
            page = document[index]
            try:
                if not any(True for _ in page.get_objects(filter=(pypdfium2.raw.FPDF_PAGEOBJ_IMAGE,), max_depth=2)):
                    continue
                _grant_time(PAGE_SECONDS)
                gray = np.asarray(page.render(scale=dpi / 72, grayscale=True).to_pil().convert("L"))
                scale = 72 / dpi
                items = [(top * scale, bottom * scale, block) for top, bottom, block in page_layout(gray, engine(), dpi)]
                found[index] = (items, gray.shape[0] * scale)
                log.info("%s: OCR page %d (no text layer) done", source, index + 1)
            except SourceError:
                raise
            except Exception as exc:  # noqa: BLE001 - as in read_scan: each kind means "unreadable page"
                raise SourceError(f"{source}: OCR failed at page {index + 1}: {type(exc).__name__}: {exc}") from exc
            finally:
                page.close()
    finally:
        document.close()
    return found


# ---------------------------------------------------------------------------- one page


def page_blocks(gray: np.ndarray, ocr: OcrEngine, dpi: int = raster.RENDER_DPI) -> list:
    """Return one page's blocks in reading order: text lines, and each ruled table as a grid."""
    return [block for _top, _bottom, block in page_layout(gray, ocr, dpi)]


def page_layout(gray: np.ndarray, ocr: OcrEngine, dpi: int = raster.RENDER_DPI) -> list:
    """Return one page's ``(top, bottom, Block)`` items in reading order (pixels of the straightened page)."""
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
    return sorted(items, key=lambda item: item[0])


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
    """Return a piece's image with a little margin, kept inside its cell so no rule shows.

    Inside a table, every pixel outside the piece's cell (a rule, a tilted rule's end, the
    next cell's text) is painted white: a rule beside a digit reads as a ``1`` or an ``l``.
    """
    table, cell, (x0, y0, x1, y1) = piece
    x0, y0, x1, y1 = x0 - CROP_PAD, y0 - CROP_PAD, x1 + CROP_PAD, y1 + CROP_PAD
    if table is not None:
        cx0, cy0, cx1, cy1 = tables[table].cells[cell].box
        x0, y0, x1, y1 = max(x0, cx0 + 1), max(y0, cy0 + 1), min(x1, cx1 - 1), min(y1, cy1 - 1)
    x0, y0 = max(0, x0), max(0, y0)
    x1, y1 = max(x1, x0 + 2), max(y1, y0 + 2)
    crop = gray[y0:y1, x0:x1]
    if not crop.size:
        return np.full((8, 8), 255, np.uint8)
    if table is not None:
        found = tables[table]
        tx0, ty0 = found.box[0], found.box[1]
        inside = found.labels[y0 - ty0:y1 - ty0, x0 - tx0:x1 - tx0] == cell + 1
        if inside.shape == crop.shape:
            crop = np.where(inside, crop, 255).astype(np.uint8)
    return crop


# ---------------------------------------------------------------------------- tables


def _table_item(table, index: int, pieces: list, readings: list, gray: np.ndarray) -> tuple:
    """Return ``(top, bottom, Block)`` for one table: its grid of cell texts, confidence per cell.

    A cell where nothing was read but which holds ink (a digit too faint for the detector) is
    not a printed blank: it is doubtful, with no reading. A cell spanning rows that the other
    columns keep apart, holding one number per row (the rule between them lost), gives each
    row its own number. In a column of numbers, a short reading with a letter or character
    beside digit-like marks (``球0``) is a number misread, not a label.
    """
    found: dict = {}
    for piece, reading in zip(pieces, readings):
        if piece[0] == index:
            found.setdefault(piece[1], []).append((piece[2], reading))
    rows, columns = table.shape
    grid = [[SPANNED] * columns for _ in range(rows)]
    confidence = [[None] * columns for _ in range(rows)]
    numeric = _number_columns(table, found)
    bands = _row_bands(table)
    covered = np.zeros((rows, columns), bool)
    for cell_index, cell in enumerate(table.cells):
        covered[cell.row:cell.row + cell.rowspan, cell.col:cell.col + cell.colspan] = True
        cell_pieces = found.get(cell_index, [])
        for row, text, score in _cell_texts(cell, cell_pieces, cell.col in numeric, bands, gray):
            grid[row][cell.col] = text
            confidence[row][cell.col] = score
    _fill_holes(grid, covered, table.edges, numeric, gray)
    _quiet_headers(grid)
    block = Block("table", rows=tuple(map(tuple, grid)), confidence=tuple(map(tuple, confidence)))
    return table.box[1], table.box[3], block


def _fill_holes(grid: list, covered: np.ndarray, edges: tuple, numeric: set, gray: np.ndarray) -> None:
    """Give each position of a number column that no cell covers a text of its own.

    Such a position's rules were broken, so its pixels leaked out of the table: it is a printed
    blank where it holds no ink, else a doubtful number with no reading.
    """
    row_edges, column_edges = edges
    if len(row_edges) != covered.shape[0] + 1 or len(column_edges) != covered.shape[1] + 1:
        return
    for row, col in zip(*np.nonzero(~covered)):
        if col not in numeric:
            continue
        box = (round(column_edges[col]), round(row_edges[row]), round(column_edges[col + 1]), round(row_edges[row + 1]))
        grid[row][col] = doubtful("", 0.0) if raster.has_ink(gray, box) else ""


def _quiet_headers(grid: list) -> None:
    """Make the empty cells of header rows (two label cells or more, no number) print nothing.

    A header cell cut off by a stroke taken for a rule, or holding ink the engine could not
    read, is part of a label, not a blank value (which would count as one of the row's values).
    """
    unread = doubtful("", 0.0)
    for row in grid:
        texts = [text for text in row if text and text != unread]
        labels = [text for text in texts if DOUBT not in text and _CJK.search(text)]
        if len(labels) >= 2 and len(labels) == len(texts):
            row[:] = [SPANNED if not text or text == unread else text for text in row]


def _cell_texts(cell, pieces: list, numeric: bool, bands: dict, gray: np.ndarray) -> list:
    """Return ``[(grid row, text, confidence)]`` for one cell (one entry per row it gives a text)."""
    lines = _lines(pieces)
    spread = len(lines) > 1 or (numeric and len(lines) == 1)
    if cell.rowspan > 1 and spread and all(_is_number_line(line) for line in lines):
        by_row: dict = {}
        for line in lines:
            row = _row_of(line, cell, bands)
            by_row.setdefault(row, []).extend(line)
        texts = []
        for row in range(cell.row, cell.row + cell.rowspan):
            text, score = cell_text(by_row.get(row, []), numeric)
            if not text and row not in by_row and _band_has_ink(gray, cell.box, bands.get(row)):
                text, score = doubtful("", 0.0), 0.0
            texts.append((row, text, score))
        return texts
    text, score = cell_text(pieces, numeric)
    if not text and raster.has_ink(gray, cell.box):
        text, score = doubtful("", 0.0), 0.0
    return [(cell.row, text, score)]


def _band_has_ink(gray: np.ndarray, box: tuple, band: tuple | None) -> bool:
    """Return True when the part of a cell in one row's band (all of it if the band is unknown) holds ink."""
    if band is None:
        return True
    return raster.has_ink(gray, (box[0], max(box[1], round(band[0])), box[2], min(box[3], round(band[1]))))


def _lines(pieces: list) -> list:
    """Group a cell's ``(box, Reading)`` pieces into lines of text, top to bottom, each left to right."""
    lines: list = []
    for piece in sorted(pieces, key=lambda p: (p[0][1] + p[0][3]) / 2):
        box = piece[0]
        middle, height = (box[1] + box[3]) / 2, box[3] - box[1]
        if lines and abs(middle - lines[-1][0]) < max(height, 1) / 2:
            lines[-1][1].append(piece)
        else:
            lines.append((middle, [piece]))
    return [sorted(line, key=lambda p: p[0][0]) for _middle, line in lines]


def _is_number_line(line: list) -> bool:
    texts = [reading.text for _box, reading in line if reading.text.strip() and not _is_speck(reading.text)]
    return bool(texts) and not any(_CJK.search(t) or _is_label(t) for t in texts)


def _row_bands(table) -> dict:
    """Return ``{grid row: (top, bottom)}`` from the table's cells one row high."""
    bands: dict = {}
    for cell in table.cells:
        if cell.rowspan == 1:
            bands.setdefault(cell.row, []).append((cell.box[1], cell.box[3]))
    return {row: (float(np.median([b[0] for b in found])), float(np.median([b[1] for b in found])))
            for row, found in bands.items()}


def _row_of(line: list, cell, bands: dict) -> int:
    """Return the grid row (of those ``cell`` spans) whose band holds the middle of a line of text."""
    middle = float(np.mean([(box[1] + box[3]) / 2 for box, _reading in line]))
    spanned = range(cell.row, cell.row + cell.rowspan)
    inside = [row for row in spanned if row in bands and bands[row][0] <= middle < bands[row][1]]
    if inside:
        return inside[0]
    near = [row for row in spanned if row in bands]
    return min(near, key=lambda row: abs(sum(bands[row]) / 2 - middle)) if near else cell.row


MIN_NUMBER_CELLS = 3  # a column with this many number cells, twice as many as text cells, holds numbers
DIGIT_LIKES = frozenset("0123456789oOlIDSBZ")
UNEVEN_LINES = 1.5  # lines of one cell this many times taller than others are not both numbers
MISREAD_LENGTH = 4  # a misread number in a number column: this many characters at most


def _number_columns(table, found: dict) -> set:
    """Return the grid columns that hold numbers: most of their cells read as numbers."""
    counts: dict = {}
    for cell_index, cell in enumerate(table.cells):
        if cell.colspan != 1:
            continue
        text, _score = cell_text(found.get(cell_index, []))
        if text:
            kind = "number" if DOUBT in text or all(_NUMBER.match(part) for part in text.split()) else "text"
            counts.setdefault(cell.col, {"number": 0, "text": 0})[kind] += 1
    return {col for col, c in counts.items() if c["number"] >= MIN_NUMBER_CELLS and c["number"] >= 2 * c["text"]}


def _misread_number(text: str) -> bool:
    """Return True for a short reading that holds a digit-like mark: ``球0``, ``o固``, not ``其他``."""
    compact = text.replace(" ", "")
    return 0 < len(compact) <= MISREAD_LENGTH and any(ch in DIGIT_LIKES for ch in compact)


def cell_text(readings: list, numeric: bool = False) -> tuple:
    """Return ``(text, confidence)`` for a cell from its pieces' ``(box, Reading)`` pairs.

    Pieces are read in lines (top to bottom, then left to right). A cell of label text is kept
    as read. A number cell is read in digits only; it is trusted when every piece's digit
    reading is certain (:data:`TRUSTED`) and agrees with the unrestricted reading (but for
    the round marks a lone ``0`` is taken for), and when it is one number (two pieces side by
    side in one cell are a number cut apart or a speck read as digits; a line of text half as
    tall as another is a blot read as a digit); it is marked doubtful
    (:func:`~govreports.records.doubtful`) otherwise. A piece with nothing but a mark is a speck,
    and so is a small piece read with little confidence beside a taller one. ``numeric``: the cell is in a column of numbers, where a short reading with a digit-like
    mark is a misread number (doubtful), never label text.
    """
    readings = _without_specks(readings)
    if not readings:
        return "", None
    lines = _lines(readings)
    pieces = [reading for line in lines for _box, reading in line if reading.text.strip()]
    if not pieces:
        return "", None
    texts = [p.text for p in pieces]
    label = any(_CJK.search(t) for t in texts) or all(_is_label(t) for t in texts)
    if label and not (numeric and _misread_number("".join(texts))):
        text = _join([t.strip() for t in texts])
        return text, round(min(p.confidence for p in pieces), 3)
    numbers = [p for p in pieces if not _is_speck(p.text)]
    if not numbers:
        return "", round(min(p.confidence for p in pieces), 3)
    text = _join([_number_part(p.digits) or p.text.strip() for p in numbers])
    certainty = min(p.certainty if _agrees(p) else min(p.certainty, p.confidence) / 2 for p in numbers)
    side_by_side = any(len(" ".join(r.text for _b, r in line if not _is_speck(r.text)).split()) > 1
                       for line in lines)
    heights = [max(box[3] - box[1] for box, r in line) for line in lines
               if any(not _is_speck(r.text) for _b, r in line)]
    uneven = len(heights) > 1 and max(heights) > UNEVEN_LINES * min(heights)  # a blot beside a number
    trusted = (certainty >= TRUSTED and not label and not side_by_side and not uneven
               and all(_NUMBER.match(part) for part in text.split()))
    return (text if trusted else doubtful(text.replace(" ", ""), certainty)), round(certainty, 3)


SPECK_SHARE = 0.6  # a piece less tall than this share of its cell's tallest piece is small
SPECK_CONFIDENCE = 0.7  # ... and read with less confidence than this, it is dust, not a character


def _without_specks(readings: list) -> list:
    """Return a cell's ``(box, Reading)`` pieces without the small ones read with little confidence.

    Scanner dust that survives cleaning is detected as a tiny box and read as something (``B``,
    ``21``, a rare character) with a low confidence; the cell's printed text is taller.
    """
    if len(readings) < 2:
        return readings
    tallest = max(box[3] - box[1] for box, _reading in readings)
    return [(box, reading) for box, reading in readings
            if box[3] - box[1] >= SPECK_SHARE * tallest or reading.confidence >= SPECK_CONFIDENCE]


def _is_label(text: str) -> bool:
    """Return True for text that is not a number: a blank marker, or words (Latin letters)."""
    compact = text.replace(" ", "")
    return compact in NULL_MARKERS or sum(ch.isalpha() and ch not in "oOlIDSBZ" for ch in compact) > 1


def _is_speck(text: str) -> bool:
    """Return True for a reading with no digit and no letter: dust read as a mark."""
    return not any(ch.isalnum() for ch in text)


def _number_part(digits: str) -> str:
    """Return a digit reading without the marks a speck beside a number reads as at its ends.

    Those are ``.`` and ``,``, and ``-`` after the number (a minus only ever comes first).
    """
    return digits.strip(EDGE_MARKS).rstrip("-").strip(EDGE_MARKS)


def _agrees(piece) -> bool:
    """Return True when the unrestricted reading is the digit reading (a lone 0 may read as o or 。)."""
    general = piece.text.replace(" ", "").strip(EDGE_MARKS + STRAY_MARKS).rstrip("-")
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
    """Return ``(top, bottom, Block)`` text lines from the pieces outside tables, page numbers dropped."""
    boxes = sorted(((p[2], (r.words or r.text).strip()) for p, r in readings if (r.words or r.text).strip()),
                   key=lambda b: (b[0][1] + b[0][3]) / 2)
    lines: list = []
    for box, text in boxes:
        middle, height = (box[1] + box[3]) / 2, box[3] - box[1]
        if lines and abs(middle - lines[-1]["middle"]) < height / 2:
            lines[-1]["parts"].append((box[0], text))
            lines[-1]["bottom"] = max(lines[-1]["bottom"], box[3])
        else:
            lines.append({"middle": middle, "top": box[1], "bottom": box[3], "parts": [(box[0], text)]})
    items = []
    for line in lines:
        text = " ".join(t for _x, t in sorted(line["parts"]))
        foot = line["top"] > page_height * (1 - MARGIN_SHARE)
        if is_page_marker(text) or (foot and text.strip().isdigit()):
            continue
        items.append((line["top"], line["bottom"], Block("text", text=text)))
    return items
