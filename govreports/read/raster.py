"""Page images for OCR: load them, clean them, straighten them, and find their ruled tables.

Everything here is geometry on greyscale images (numpy arrays, OpenCV): no text is read.
:func:`page_images` renders a PDF's pages (pypdfium2) or opens an image file (PNG, JPEG, TIFF,
every frame of a multi-page TIFF); :func:`clean` removes a scanner's speckle noise;
:func:`skew_angle` and :func:`rotate` straighten a page from the angle of its text lines; and
:func:`find_tables` rebuilds each ruled table's cells from its ruling lines (rows and columns
from where the rules cross, a merged cell spanning the rows and columns its rules enclose).
"""

from __future__ import annotations

import io
import math
from dataclasses import dataclass

import numpy as np

RENDER_DPI = 150  # scans are printed pages: 150 dpi keeps 10.5pt digits ~20 px high, as the models like
MAX_SKEW = 5.0  # degrees: a page tilted more than this is not a slightly skewed scan
RULE_INCHES = 0.2  # a ruling line runs at least this far (longer than any stroke of a character)
MIN_TABLE_CELLS = 4
RULE_CONTRAST = 35  # grey levels a rule is darker than the paper
DIGIT_INCHES = 0.1  # a printed digit is about this tall (10.5pt)
EDGE_TOLERANCE = 0.06  # inches: cell edges this close are the same rule


@dataclass(frozen=True)
class Cell:
    """One cell of a ruled table: its box in page pixels and the grid rows and columns it covers."""

    box: tuple  # (x0, y0, x1, y1)
    row: int
    col: int
    rowspan: int
    colspan: int


@dataclass(frozen=True)
class Table:
    """A ruled table on a page: its box, its grid's shape, and its cells with a pixel -> cell map."""

    box: tuple
    shape: tuple  # (rows, columns)
    cells: tuple
    labels: np.ndarray  # the table box's pixels: index into cells + 1, or 0 on a rule or outside
    edges: tuple = ((), ())  # (row edges, column edges) in page pixels: where the grid's rules run

    def cell_at(self, x: float, y: float) -> int | None:
        """Return the index of the cell holding page pixel ``(x, y)``, or None."""
        x0, y0, x1, y1 = self.box
        if not (x0 <= x < x1 and y0 <= y < y1):
            return None
        label = int(self.labels[int(y - y0), int(x - x0)])
        return label - 1 if label else None


def _cv2():
    import cv2  # OpenCV comes with the OCR engine (the ``ocr`` extra)

    return cv2


def page_images(data: bytes, fmt: str, dpi: int = RENDER_DPI):
    """Yield each page of a PDF or an image file as a greyscale ``uint8`` array, one at a time."""
    if fmt == "pdf":
        import pypdfium2

        document = pypdfium2.PdfDocument(data)
        try:
            for index in range(len(document)):
                page = document[index]
                yield np.asarray(page.render(scale=dpi / 72, grayscale=True).to_pil().convert("L"))
                page.close()
        finally:
            document.close()
        return
    from PIL import Image, ImageSequence

    with Image.open(io.BytesIO(data)) as image:
        for frame in ImageSequence.Iterator(image):
            yield np.asarray(_at_dpi(frame, dpi).convert("L"))


def _at_dpi(frame, dpi: int):
    """Scale an image frame to ``dpi`` when it states a much higher resolution (a 300 dpi scan)."""
    stated = frame.info.get("dpi", (dpi, dpi))[0] or dpi
    if stated > dpi * 1.3:
        factor = dpi / float(stated)
        return frame.convert("L").resize((round(frame.width * factor), round(frame.height * factor)))
    return frame


SPECK_INCHES = 0.015  # a blot of ink narrower than this (2 px at 150 dpi) is dust, not a stroke


def clean(gray: np.ndarray, dpi: int = RENDER_DPI) -> np.ndarray:
    """Return the page with scanner dust removed: specks of ink too small to be part of a character.

    Unlike a median filter this keeps thin strokes and one-pixel ruling lines whole.
    """
    cv2 = _cv2()
    _, ink = cv2.threshold(gray, 0, 255, cv2.THRESH_BINARY_INV + cv2.THRESH_OTSU)
    count, labels, stats, _ = cv2.connectedComponentsWithStats(ink, connectivity=8)
    largest = max(1, round(SPECK_INCHES * dpi)) ** 2
    specks = np.zeros(count, bool)
    specks[1:] = stats[1:, cv2.CC_STAT_AREA] <= largest
    cleaned = gray.copy()
    cleaned[specks[labels]] = 255
    return cleaned


def skew_angle(quads: list) -> float:
    """Return the page's skew in degrees from the text boxes' top edges (wide boxes weigh more).

    ``quads`` are the detector's four-point boxes; a box less than four times as wide as it is
    high says little about the angle and is ignored. Returns 0 when nothing is measurable.
    """
    angles, weights = [], []
    for quad in quads:
        (x0, y0), (x1, y1) = quad[0], quad[1]
        width = math.hypot(x1 - x0, y1 - y0)
        height = math.hypot(quad[3][0] - x0, quad[3][1] - y0)
        if width > 4 * max(height, 1):
            angles.append(math.degrees(math.atan2(y1 - y0, x1 - x0)))
            weights.append(width)
    if not angles:
        return 0.0
    median = _weighted_median(angles, weights)
    return median if abs(median) <= MAX_SKEW else 0.0


def rule_skew(gray: np.ndarray, dpi: int = RENDER_DPI) -> float | None:
    """Return the page's skew in degrees from its long horizontal rules, or None if it has none.

    Rules are straighter than text lines: each long thin run of ink (a rule, found with a little
    vertical slack so a tilted one stays whole) is fitted with a line, and the median slope,
    weighted by length, is the skew.
    """
    cv2 = _cv2()
    ink = _ink(gray)
    run = round(RULE_INCHES * dpi * 3)
    tolerant = cv2.morphologyEx(cv2.dilate(ink, np.ones((3, 1), np.uint8)), cv2.MORPH_OPEN, np.ones((1, run), np.uint8))
    count, labels, stats, _ = cv2.connectedComponentsWithStats(tolerant, connectivity=8)
    angles, weights = [], []
    for index in range(1, count):
        x, y, w, h, _area = stats[index]
        if w < gray.shape[1] / 4 or h > dpi / 10 + w * math.tan(math.radians(MAX_SKEW)):
            continue
        ys, xs = np.nonzero(labels[y:y + h, x:x + w] == index)
        slope = np.polyfit(xs, ys, 1)[0]
        angles.append(math.degrees(math.atan(slope)))
        weights.append(w)
    if not angles:
        return None
    return _weighted_median(angles, weights)


def has_ink(gray: np.ndarray, box: tuple, dpi: int = RENDER_DPI) -> bool:
    """Return True when a cell's inside (its rules left out) holds a blot of ink the size of a digit's stroke."""
    cv2 = _cv2()
    x0, y0, x1, y1 = box
    inset = max(2, round(dpi * 0.02))
    inside = gray[y0 + inset:y1 - inset, x0 + inset:x1 - inset]
    if inside.size == 0:
        return False
    _, ink = cv2.threshold(inside, 0, 255, cv2.THRESH_BINARY_INV + cv2.THRESH_OTSU)
    if inside.max() - inside.min() < RULE_CONTRAST * 2:
        return False  # nothing but paper and noise: Otsu's split means nothing
    count, _labels, stats, _ = cv2.connectedComponentsWithStats(ink, connectivity=8)
    stroke = (dpi * DIGIT_INCHES) ** 2 / 4
    return bool(count > 1 and stats[1:, cv2.CC_STAT_AREA].max() >= stroke)


def _weighted_median(values: list, weights: list) -> float:
    order = np.argsort(values)
    cumulative = np.cumsum(np.asarray(weights, dtype=float)[order])
    return float(np.asarray(values)[order][np.searchsorted(cumulative, cumulative[-1] / 2)])


def _ink(gray: np.ndarray) -> np.ndarray:
    """Return a ``uint8`` mask (255) of ink: pixels clearly darker than the paper around them.

    Thin rules print light grey once scanned (a 1 px line blurred over its neighbours): ink is
    judged against the brightest pixel nearby, not against one level for the whole page, nor
    against a local mean that text darkens.
    """
    return (_darkness(gray) > RULE_CONTRAST).astype(np.uint8) * 255


def _darkness(gray: np.ndarray) -> np.ndarray:
    """Return how much darker each pixel is than the brightest one near it (the paper), as int16."""
    paper = _cv2().dilate(gray, np.ones((15, 15), np.uint8))
    return paper.astype(np.int16) - gray


def rotation(gray: np.ndarray, angle: float) -> np.ndarray:
    """Return the 2x3 affine matrix that turns the page by ``-angle`` degrees about its centre."""
    height, width = gray.shape
    return _cv2().getRotationMatrix2D((width / 2, height / 2), angle, 1.0)


def rotate(gray: np.ndarray, matrix: np.ndarray) -> np.ndarray:
    """Apply a rotation matrix to the page, filling the corners with white."""
    height, width = gray.shape
    return _cv2().warpAffine(gray, matrix, (width, height), flags=1, borderValue=255)  # 1: INTER_LINEAR


def rotate_points(points: np.ndarray, matrix: np.ndarray) -> np.ndarray:
    """Apply a rotation matrix to an ``(n, 2)`` array of points."""
    return points @ matrix[:, :2].T + matrix[:, 2]


def ruling(gray: np.ndarray, dpi: int = RENDER_DPI, text_boxes: tuple = ()) -> np.ndarray:
    """Return a boolean mask of the page's ruling lines (long horizontal and vertical runs of ink).

    ``text_boxes`` are the detector's text lines ``(x0, y0, x1, y1)``: no horizontal rule runs
    through the middle of one, whereas the aligned strokes of a line of characters can look
    like one once the page is blurred.
    """
    cv2 = _cv2()
    darkness = _darkness(gray)
    run = max(8, round(RULE_INCHES * dpi))
    # A thin rule straightened by a rotation spreads over two rows (or columns) of pixels: its
    # darkness is summed across three before it is compared with the paper. Then only long runs
    # are kept: longer than any stroke of a character, shorter than a cell's side.
    across = cv2.boxFilter(darkness, -1, (1, 3), normalize=False) > RULE_CONTRAST
    along = cv2.boxFilter(darkness, -1, (3, 1), normalize=False) > RULE_CONTRAST
    rect = cv2.getStructuringElement
    horizontal = cv2.morphologyEx(across.astype(np.uint8), cv2.MORPH_OPEN, rect(cv2.MORPH_RECT, (round(run * 1.5), 1)))
    vertical = cv2.morphologyEx(along.astype(np.uint8), cv2.MORPH_OPEN, rect(cv2.MORPH_RECT, (1, run)))
    for x0, y0, x1, y1 in text_boxes:
        band = (y1 - y0) // 4
        horizontal[y0 + band:y1 - band + 1, x0:x1 + 1] = 0
    # Close the gaps blur and noise leave in a rule, so every cell is sealed.
    horizontal = cv2.morphologyEx(horizontal, cv2.MORPH_CLOSE, rect(cv2.MORPH_RECT, (run // 2, 1)))
    vertical = cv2.morphologyEx(vertical, cv2.MORPH_CLOSE, rect(cv2.MORPH_RECT, (1, run // 2)))
    lines = cv2.dilate(horizontal | vertical, np.ones((3, 3), np.uint8))
    return lines > 0


def find_tables(gray: np.ndarray, dpi: int = RENDER_DPI, text_boxes: tuple = ()) -> list:
    """Return the page's ruled tables (:class:`Table`), top to bottom (``text_boxes`` as for :func:`ruling`)."""
    cv2 = _cv2()
    lines = ruling(gray, dpi, text_boxes)
    count, _labels, stats, _ = cv2.connectedComponentsWithStats(lines.astype(np.uint8), connectivity=8)
    tables = []
    for index in range(1, count):
        x, y, w, h, _area = stats[index]
        if w < dpi and h < dpi / 2:
            continue  # a short rule (an underline), not a table's frame
        table = _table(lines[y:y + h, x:x + w], (int(x), int(y)), dpi)
        if table is not None:
            tables.append(table)
    return sorted(tables, key=lambda t: t.box[1])


def _table(lines: np.ndarray, origin: tuple, dpi: int) -> Table | None:
    """Rebuild one table's cells from the rules inside its box; None if it has too few cells."""
    cv2 = _cv2()
    count, labels, stats, _ = cv2.connectedComponentsWithStats((~lines).astype(np.uint8), connectivity=4)
    height, width = lines.shape
    minimum = (dpi * 0.06) ** 2
    boxes = []
    for index in range(1, count):
        x, y, w, h, area = stats[index]
        if x == 0 or y == 0 or x + w >= width or y + h >= height or area < minimum:
            continue  # outside the table's frame, or a sliver between doubled rules
        boxes.append((index, (int(x), int(y), int(x + w), int(y + h))))
    if len(boxes) < MIN_TABLE_CELLS:
        return None
    tolerance = EDGE_TOLERANCE * dpi
    columns = _edges([b[0] for _i, b in boxes] + [b[2] for _i, b in boxes], tolerance)
    rows = _edges([b[1] for _i, b in boxes] + [b[3] for _i, b in boxes], tolerance)
    cells, keep = [], np.zeros(count + 1, np.int32)
    for index, (x0, y0, x1, y1) in boxes:
        r0, r1 = _nearest(rows, y0), _nearest(rows, y1)
        c0, c1 = _nearest(columns, x0), _nearest(columns, x1)
        if r1 <= r0 or c1 <= c0:
            continue  # a sliver thinner than the rules' tolerance (between doubled rules): no cell
        box = (x0 + origin[0], y0 + origin[1], x1 + origin[0], y1 + origin[1])
        cells.append(Cell(box, r0, c0, r1 - r0, c1 - c0))
        keep[index] = len(cells)
    ox, oy = origin
    edges = (tuple(oy + r for r in rows), tuple(ox + c for c in columns))
    return Table((ox, oy, ox + width, oy + height), (len(rows) - 1, len(columns) - 1), tuple(cells),
                 keep[labels], edges)


def _edges(values: list, tolerance: float) -> list:
    """Cluster cell edge positions into the grid's rule positions (the mean of each cluster)."""
    edges, group = [], []
    for value in sorted(values):
        if group and value - group[-1] > tolerance:
            edges.append(sum(group) / len(group))
            group = []
        group.append(value)
    if group:
        edges.append(sum(group) / len(group))
    return edges


def _nearest(edges: list, value: float) -> int:
    """Return the index of the rule position nearest ``value``."""
    return min(range(len(edges)), key=lambda i: abs(edges[i] - value))
