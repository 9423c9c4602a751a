"""Tables and text lines from characters and ruling edges, the way pdfplumber finds them.

A port of pdfplumber's (0.11) table finder and text extraction (``lines`` and ``text``
strategies with their default tolerances; upright left-to-right text) to plain tuples, so that
the compiled pdfium engine (:mod:`govreports.read.pdf_pdfium`) rebuilds the very grids the
pdfplumber engine does without pdfminer's cost. Every step keeps pdfplumber's order of
operations (clusters, snapping, joining, the cell search), because the grids must come out
identical: ``tests/read/test_pdf_engines.py`` and ``benchmarks/bench_pdf.py`` compare the two.

A character is ``(text, x0, x1, top, bottom)`` and an edge ``[x0, top, x1, bottom, length]``
(top-down page coordinates, in points).
"""

from __future__ import annotations

import bisect
import itertools
from operator import itemgetter

TOLERANCE = 3  # pdfplumber's x/y text tolerance and its snap, join and intersection tolerances
EDGE_MIN_LENGTH = 3
EDGE_MIN_LENGTH_PREFILTER = 1
MIN_WORDS_VERTICAL = 3
MIN_WORDS_HORIZONTAL = 1
LIGATURES = {"ﬀ": "ff", "ﬃ": "ffi", "ﬄ": "ffl", "ﬁ": "fi", "ﬂ": "fl", "ﬆ": "st", "ﬅ": "st"}
X0, TOP, X1, BOTTOM, LENGTH = 0, 1, 2, 3, 4  # positions in an edge
_TOP = itemgetter(3)  # a character's or word's top
_NUMERIC = frozenset("0123456789,.+- \t\n\r\u00a0\u3000")  # what a cell read as a number may hold


# ---------------------------------------------------------------- clusters


def cluster_ids(values, tolerance: float) -> dict:
    """Return ``{value: cluster number}``: sorted distinct values chained while within ``tolerance``."""
    ids, number, last = {}, -1, None
    for value in sorted(set(values)):
        if last is None or value > last + tolerance:
            number += 1
        ids[value] = number
        last = value
    return ids


def cluster_objects(objs: list, key, tolerance: float, preserve_order: bool = False) -> list:
    """Return ``objs`` grouped into clusters of ``key`` values (pdfplumber's ``cluster_objects``)."""
    ids = cluster_ids([key(o) for o in objs], tolerance)
    tagged = [(o, ids[key(o)]) for o in objs]
    if not preserve_order:
        tagged.sort(key=itemgetter(1))
    return [[o for o, _n in group] for _n, group in itertools.groupby(tagged, key=itemgetter(1))]


# ---------------------------------------------------------------- words and text


def extract_words(chars: list) -> list:
    """Return the words ``(text, x0, x1, top, bottom)`` of upright characters in page order."""
    words = []
    for line in cluster_objects(chars, _TOP, TOLERANCE):
        line.sort(key=itemgetter(1))
        word: list = []
        for char in line:
            if char[0].isspace():
                if word:
                    words.append(_merge(word))
                word = []
            elif word and _begins_word(word[-1], char):
                words.append(_merge(word))
                word = [char]
            else:
                word.append(char)
        if word:
            words.append(_merge(word))
    return words


def _begins_word(prev: tuple, char: tuple) -> bool:
    """Return True when ``char`` starts a new word after ``prev`` (a gap, a step back, another line)."""
    return char[1] < prev[1] or char[1] > prev[2] + TOLERANCE or abs(char[3] - prev[3]) > TOLERANCE


def _merge(chars: list) -> tuple:
    """Return the word the characters spell, with their bounding box."""
    text = "".join(LIGATURES.get(c[0], c[0]) for c in chars)
    return (text, min(c[1] for c in chars), max(c[2] for c in chars),
            min(c[3] for c in chars), max(c[4] for c in chars))


def extract_text(chars: list) -> str:
    """Return the characters' text as pdfplumber's ``extract_text``: words by spaces, lines by newlines."""
    if not chars:
        return ""
    tops = [c[3] for c in chars]
    if max(tops) - min(tops) <= TOLERANCE:  # one line (most cells): no clusters to build
        return _line_text(sorted(chars, key=itemgetter(1)))
    lines = cluster_objects(extract_words(chars), _TOP, TOLERANCE)
    return "\n".join(" ".join(word[0] for word in line) for line in lines)


def _line_text(line: list) -> str:
    """Return the text of one line of characters sorted by x0: its words joined by spaces."""
    words, word, prev = [], [], None
    for char in line:
        if char[0].isspace():
            if word:
                words.append("".join(word))
            word, prev = [], None
        elif prev is not None and (char[1] < prev[1] or char[1] > prev[2] + TOLERANCE):
            words.append("".join(word))
            word, prev = [LIGATURES.get(char[0], char[0])], char
        else:
            word.append(LIGATURES.get(char[0], char[0]))
            prev = char
    if word:
        words.append("".join(word))
    return " ".join(words)


def text_lines(chars: list) -> list:
    """Return ``(top, bottom, text)`` per text line, as pdfplumber's ``extract_text_lines``."""
    words = extract_words(chars)
    lines = []
    for line in cluster_objects(words, _TOP, TOLERANCE, preserve_order=True):
        text = " ".join(word[0] for word in line).strip(" ")
        if text.strip():
            lines.append((min(w[3] for w in line), max(w[4] for w in line), text))
    return lines


# ---------------------------------------------------------------- edges


def merge_edges(vertical: list, horizontal: list) -> tuple:
    """Snap edges within the tolerance to their average position, join collinear ones; drop short ones.

    Returns:
        ``(vertical, horizontal)`` edges, each at least :data:`EDGE_MIN_LENGTH` long.
    """
    vertical = _snap(vertical, X0, X1)
    horizontal = _snap(horizontal, TOP, BOTTOM)
    joined_h = [e for _k, group in itertools.groupby(sorted(horizontal, key=itemgetter(TOP)), itemgetter(TOP))
                for e in _join(list(group), X0, X1)]
    joined_v = [e for _k, group in itertools.groupby(sorted(vertical, key=itemgetter(X0)), itemgetter(X0))
                for e in _join(list(group), TOP, BOTTOM)]
    return ([e for e in joined_v if e[LENGTH] >= EDGE_MIN_LENGTH],
            [e for e in joined_h if e[LENGTH] >= EDGE_MIN_LENGTH])


def _snap(edges: list, low: int, high: int) -> list:
    """Move each cluster of edges (by their ``low`` coordinate) to the cluster's average."""
    snapped = []
    for cluster in cluster_objects(edges, itemgetter(low), TOLERANCE):
        average = sum(e[low] for e in cluster) / len(cluster)
        for edge in cluster:
            shift = average - edge[low]
            moved = list(edge)
            moved[low] = edge[low] + shift
            moved[high] = edge[high] + shift
            snapped.append(moved)
    return snapped


def _join(edges: list, start: int, end: int) -> list:
    """Join edges along one line whose ends lie within the tolerance of each other."""
    edges = sorted(edges, key=itemgetter(start))
    joined = [edges[0]]
    for edge in edges[1:]:
        last = joined[-1]
        if edge[start] <= last[end] + TOLERANCE:
            if edge[end] > last[end]:
                longer = list(last)
                longer[end] = edge[end]
                # pdfplumber's resize_object: a width from the new ends, a height grown by the difference
                longer[LENGTH] = edge[end] - last[start] if end == X1 else last[LENGTH] + edge[end] - last[end]
                joined[-1] = longer
        else:
            joined.append(edge)
    return joined


def words_to_edges_h(words: list) -> list:
    """Return imaginary horizontal edges along the tops and bottoms of rows of words."""
    rects = [(min(w[1] for w in c), min(w[3] for w in c), max(w[2] for w in c), max(w[4] for w in c))
             for c in cluster_objects(words, _TOP, 1) if len(c) >= MIN_WORDS_HORIZONTAL]
    if not rects:
        return []
    left, right = min(r[0] for r in rects), max(r[2] for r in rects)
    edges = []
    for rect in rects:
        edges.append([left, rect[1], right, rect[1], right - left])
        edges.append([left, rect[3], right, rect[3], right - left])
    return edges


def words_to_edges_v(words: list) -> list:
    """Return imaginary vertical edges where three or more words share a left, right or centre."""
    clusters = (cluster_objects(words, itemgetter(1), 1) + cluster_objects(words, itemgetter(2), 1)
                + cluster_objects(words, lambda w: float(w[1] + w[2]) / 2, 1))
    clusters.sort(key=lambda c: -len(c))
    condensed: list = []
    for cluster in clusters:
        if len(cluster) < MIN_WORDS_VERTICAL:
            continue
        box = (min(w[1] for w in cluster), min(w[3] for w in cluster),
               max(w[2] for w in cluster), max(w[4] for w in cluster))
        if not any(_overlap(box, c) for c in condensed):
            condensed.append(box)
    if not condensed:
        return []
    condensed.sort(key=itemgetter(0))
    right = max(b[2] for b in condensed)
    top, bottom = min(b[1] for b in condensed), max(b[3] for b in condensed)
    return [[b[0], top, b[0], bottom, bottom - top] for b in condensed] + [[right, top, right, bottom, bottom - top]]


def _overlap(a: tuple, b: tuple) -> bool:
    """Return True when two boxes overlap or touch along a line (pdfplumber's ``get_bbox_overlap``)."""
    width = min(a[2], b[2]) - max(a[0], b[0])
    height = min(a[3], b[3]) - max(a[1], b[1])
    return height >= 0 and width >= 0 and height + width > 0


# ---------------------------------------------------------------- cells and tables


def find_tables(vertical: list, horizontal: list) -> list:
    """Return the tables (lists of cell boxes ``(x0, top, x1, bottom)``) the edges enclose."""
    vertical, horizontal = merge_edges(vertical, horizontal)
    return cells_to_tables(intersections_to_cells(edges_to_intersections(vertical, horizontal)))


def edges_to_intersections(vertical: list, horizontal: list) -> dict:
    """Return ``{(x, y): (vertical edge boxes, horizontal edge boxes)}`` where edges cross."""
    crossings: dict = {}
    horizontal = sorted(horizontal, key=itemgetter(TOP, X0))
    for v in sorted(vertical, key=itemgetter(X0, TOP)):
        for h in horizontal:
            if (v[TOP] <= h[TOP] + TOLERANCE and v[BOTTOM] >= h[TOP] - TOLERANCE
                    and v[X0] >= h[X0] - TOLERANCE and v[X0] <= h[X1] + TOLERANCE):
                vs, hs = crossings.setdefault((v[X0], h[TOP]), (set(), set()))
                vs.add(tuple(v[:4]))
                hs.add(tuple(h[:4]))
    return crossings


def intersections_to_cells(crossings: dict) -> list:
    """Return the smallest rectangles whose four corners are crossings joined by edges."""
    points = sorted(crossings)
    by_x: dict = {}
    by_y: dict = {}
    for point in points:
        by_x.setdefault(point[0], []).append(point)
        by_y.setdefault(point[1], []).append(point)
    cells = []
    for point in points:
        column, row = by_x[point[0]], by_y[point[1]]
        # the points below (same x, lower) and to the right (same y, further right), nearest first
        cell = _smallest_cell(point, column[column.index(point) + 1:], row[row.index(point) + 1:], crossings)
        if cell:
            cells.append(cell)
    return cells


def _smallest_cell(point: tuple, below: list, right: list, crossings: dict):
    """Return the smallest cell whose top-left corner is ``point``, or None (pdfplumber's search order)."""
    vs, hs = crossings[point]
    joined_right = None  # the points to the right joined to ``point``: found once, when first needed
    for below_pt in below:
        if not vs & crossings[below_pt][0]:
            continue
        if joined_right is None:
            joined_right = [p for p in right if hs & crossings[p][1]]
        below_hs = crossings[below_pt][1]
        for right_pt in joined_right:
            corner = (right_pt[0], below_pt[1])
            if corner in crossings:
                cvs, chs = crossings[corner]
                if cvs & crossings[right_pt][0] and chs & below_hs:
                    return (point[0], point[1], corner[0], corner[1])
    return None


def cells_to_tables(cells: list) -> list:
    """Group cells that share corners into tables, top to bottom; single cells are not tables."""
    remaining = list(cells)
    tables, current, corners = [], [], set()
    while remaining:
        before = len(current)
        for cell in list(remaining):
            cell_corners = ((cell[0], cell[1]), (cell[0], cell[3]), (cell[2], cell[1]), (cell[2], cell[3]))
            if not current or any(c in corners for c in cell_corners):
                corners.update(cell_corners)
                current.append(cell)
                remaining.remove(cell)
        if len(current) == before:
            tables.append(current)
            current, corners = [], set()
    if current:
        tables.append(current)
    tables.sort(key=lambda t: min((c[1], c[0]) for c in t))
    return [t for t in tables if len(t) > 1]


def table_bbox(cells: list) -> tuple:
    """Return the box around a table's cells."""
    return (min(c[0] for c in cells), min(c[1] for c in cells), max(c[2] for c in cells), max(c[3] for c in cells))


def extract_table(cells: list, chars: list) -> list:
    """Return a table's rows of cell text: None where no cell starts (merged), "" for an empty cell."""
    return [[None if cell is None else extract_text(found) for cell, found in zip(row, texts)]
            for row, texts in table_rows(cells, chars)]


def numeric_rows(cells: list, chars: list) -> int:
    """Return how many rows of a table could print two numbers or more (a bound: no text is built).

    A cell can read as a number only when every character it holds is a digit, sign, comma,
    point or space.
    """
    count = 0
    for _row, found in table_rows(cells, chars):
        numeric = sum(1 for cell_chars in found if cell_chars and all(c[0] in _NUMERIC for c in cell_chars)
                      and any(not c[0].isspace() for c in cell_chars))
        count += numeric >= 2
    return count


def table_rows(cells: list, chars: list):
    """Yield each row of a table as ``(cells, characters in each cell)``, None where no cell starts."""
    xs = sorted({c[0] for c in cells})
    by_centre = sorted(((c[3] + c[4]) / 2, i) for i, c in enumerate(chars))
    centres = [y for y, _i in by_centre]
    for _top, row_cells in itertools.groupby(sorted(cells, key=itemgetter(1, 0)), itemgetter(1)):
        by_x = {cell[0]: cell for cell in row_cells}
        row = [by_x.get(x) for x in xs]
        box = table_bbox([c for c in row if c])
        # the characters whose centre lies in the row, in page order (pdfplumber filters them all)
        band = sorted(i for _y, i in by_centre[bisect.bisect_left(centres, box[1]):bisect.bisect_left(centres, box[3])])
        yield row, _cell_chars(row, [chars[i] for i in band if _centre_in(chars[i], box)])


def _cell_chars(row: list, row_chars: list) -> list:
    """Return, for each cell of a row, the row's characters whose centre lies in it (in page order).

    Cells side by side (the usual case) take each character by a binary search on their left
    edges; cells that overlap are searched one by one.
    """
    present = sorted((cell[0], k) for k, cell in enumerate(row) if cell)
    found: list = [[] for _cell in row]
    if any(row[a][2] > row[b][0] for (_x, a), (_y, b) in zip(present, present[1:])):
        for k, cell in enumerate(row):
            if cell:
                found[k] = [c for c in row_chars if _centre_in(c, cell)]
        return found
    lefts = [x for x, _k in present]
    for char in row_chars:
        at = bisect.bisect_right(lefts, (char[1] + char[2]) / 2) - 1
        if at >= 0 and _centre_in(char, row[present[at][1]]):
            found[present[at][1]].append(char)
    return found


def _centre_in(char: tuple, box: tuple) -> bool:
    """Return True when the character's centre lies in the box (right and bottom edges excluded)."""
    x = (char[1] + char[2]) / 2
    y = (char[3] + char[4]) / 2
    return box[0] <= x < box[2] and box[1] <= y < box[3]
