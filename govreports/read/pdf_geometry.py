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
    """Return ``objs`` grouped into clusters of ``key`` values (pdfplumber's ``cluster_objects``).

    Clusters come in the order of their values, each holding its objects in their given order
    (or, with ``preserve_order``, runs of consecutive objects of one cluster in the given order).
    """
    keys = [key(o) for o in objs]
    ids = cluster_ids(keys, tolerance)
    if preserve_order:
        tagged = [(o, ids[k]) for o, k in zip(objs, keys)]
        return [[o for o, _n in group] for _n, group in itertools.groupby(tagged, key=itemgetter(1))]
    clusters: list = [[] for _n in range(len(set(ids.values())))]
    for o, k in zip(objs, keys):
        clusters[ids[k]].append(o)
    return clusters


# ---------------------------------------------------------------- words and text


def extract_words(chars: list) -> list:
    """Return the words ``(text, x0, x1, top, bottom)`` of upright characters in page order.

    A word ends at a space and before a character that starts left of the previous one, more
    than the tolerance right of its end, or on another line (pdfplumber's word rule).
    """
    words = []
    for line in cluster_objects(chars, _TOP, TOLERANCE):
        line.sort(key=itemgetter(1))
        word: list = []
        prev = None
        for char in line:
            if char[0].isspace():
                if word:
                    words.append(_merge(word))
                word, prev = [], None
                continue
            if prev is not None and (char[1] < prev[1] or char[1] > prev[2] + TOLERANCE
                                     or abs(char[3] - prev[3]) > TOLERANCE):
                words.append(_merge(word))
                word = [char]
            else:
                word.append(char)
            prev = char
        if word:
            words.append(_merge(word))
    return words


def _merge(chars: list) -> tuple:
    """Return the word the characters (sorted by x0) spell, with their bounding box."""
    if len(chars) == 1:
        char = chars[0]
        return (LIGATURES.get(char[0], char[0]), char[1], char[2], char[3], char[4])
    text = "".join([LIGATURES.get(c[0], c[0]) for c in chars])
    return (text, chars[0][1], max([c[2] for c in chars]), min([c[3] for c in chars]), max([c[4] for c in chars]))


def extract_text(chars: list) -> str:
    """Return the characters' text as pdfplumber's ``extract_text``: words by spaces, lines by newlines."""
    if len(chars) < 2:  # an empty cell, or one character (most cells of figures)
        text = chars[0][0] if chars else ""
        return "" if text.isspace() else LIGATURES.get(text, text)
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


def outside(chars: list, boxes: list) -> list:
    """Return the characters whose centre lies in none of the boxes ``(x0, top, x1, bottom)`` (edges are in)."""
    for x0, top, x1, bottom in boxes:
        chars = [c for c in chars if not (x0 <= (c[1] + c[2]) / 2 <= x1 and top <= (c[3] + c[4]) / 2 <= bottom)]
    return chars


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
    """Return ``{(x, y): (vertical edges, horizontal edges)}`` where edges cross, edges by number.

    Edges are numbered in their sorted order (merged edges never repeat a box, so a number names
    an edge as its box does in pdfplumber). The horizontal edges are sorted by their level, so
    each vertical edge looks only at those near its span (a binary search with a margin; the
    crossing test itself is pdfplumber's).
    """
    crossings: dict = {}
    horizontal = sorted(horizontal, key=itemgetter(TOP, X0))
    levels = [h[TOP] for h in horizontal]
    for number, v in enumerate(sorted(vertical, key=itemgetter(X0, TOP))):
        x, top, bottom = v[X0], v[TOP], v[BOTTOM]
        start = bisect.bisect_left(levels, top - TOLERANCE - 1)
        for k in range(start, bisect.bisect_right(levels, bottom + TOLERANCE + 1)):
            h = horizontal[k]
            if top <= h[TOP] + TOLERANCE and bottom >= h[TOP] - TOLERANCE and x >= h[X0] - TOLERANCE \
                    and x <= h[X1] + TOLERANCE:
                point = (x, h[TOP])
                if point in crossings:
                    crossings[point][0].add(number)
                    crossings[point][1].add(k)
                else:
                    crossings[point] = ({number}, {k})
    return crossings


def intersections_to_cells(crossings: dict) -> list:
    """Return the smallest rectangles whose four corners are crossings joined by edges."""
    points = sorted(crossings)
    by_x: dict = {}
    by_y: dict = {}
    for point in points:
        by_x.setdefault(point[0], []).append(point)
        by_y.setdefault(point[1], []).append(point)
    at_x = {p: k for column in by_x.values() for k, p in enumerate(column)}
    at_y = {p: k for row in by_y.values() for k, p in enumerate(row)}
    cells = []
    for point in points:
        # the points below (same x, lower) and to the right (same y, further right), nearest first
        below = by_x[point[0]][at_x[point] + 1:]
        right = by_y[point[1]][at_y[point] + 1:]
        cell = _smallest_cell(point, below, right, crossings) if below and right else None
        if cell:
            cells.append(cell)
    return cells


def _smallest_cell(point: tuple, below: list, right: list, crossings: dict):
    """Return the smallest cell whose top-left corner is ``point``, or None (pdfplumber's search order)."""
    vs, hs = crossings[point]
    joined_right = None  # the points to the right joined to ``point``: found once, when first needed
    for below_pt in below:
        if vs.isdisjoint(crossings[below_pt][0]):
            continue
        if joined_right is None:
            joined_right = [p for p in right if not hs.isdisjoint(crossings[p][1])]
        below_hs = crossings[below_pt][1]
        for right_pt in joined_right:
            corner = (right_pt[0], below_pt[1])
            if corner in crossings:
                cvs, chs = crossings[corner]
                if not cvs.isdisjoint(crossings[right_pt][0]) and not chs.isdisjoint(below_hs):
                    return (point[0], point[1], corner[0], corner[1])
    return None


def cells_to_tables(cells: list) -> list:
    """Group cells that share corners into tables, top to bottom; single cells are not tables.

    The tables are the connected groups of cells joined by a shared corner (pdfplumber grows
    each table by sweeping the remaining cells until none joins; the groups are the same).
    """
    parent = list(range(len(cells)))

    def root(i: int) -> int:
        while parent[i] != i:
            parent[i] = parent[parent[i]]
            i = parent[i]
        return i

    first_at: dict = {}  # corner -> the first cell seen with it
    for index, cell in enumerate(cells):
        for corner in ((cell[0], cell[1]), (cell[0], cell[3]), (cell[2], cell[1]), (cell[2], cell[3])):
            other = first_at.setdefault(corner, index)
            if other != index:
                parent[root(index)] = root(other)
    groups: dict = {}
    for index, cell in enumerate(cells):
        groups.setdefault(root(index), []).append(cell)
    tables = sorted(groups.values(), key=lambda t: min((c[1], c[0]) for c in t))
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
    """Yield each row of a table as ``(cells, characters in each cell)``, None where no cell starts.

    A cell holds the characters whose centre lies in it (right and bottom edges excluded), in
    page order, as pdfplumber's row and cell filters leave them.
    """
    xs = sorted({c[0] for c in cells})
    found = cell_chars(cells, chars)
    for _top, row_cells in itertools.groupby(sorted(cells, key=itemgetter(1, 0)), itemgetter(1)):
        by_x = {cell[0]: cell for cell in row_cells}
        row = [by_x.get(x) for x in xs]
        yield row, [found.get(cell, []) if cell else [] for cell in row]


def cell_chars(cells: list, chars: list) -> dict:
    """Return ``{cell: characters whose centre lies in it}`` (page order), in one pass over the characters.

    The cells' left and right edges cut the table into columns; each column keeps the cells
    over it sorted by their tops, so a character's cell is found by two binary searches (its
    column, then the last cell starting above it). Cells that overlap are searched one by one.
    """
    xs = sorted({x for c in cells for x in (c[0], c[2])})
    column = {x: i for i, x in enumerate(xs)}
    stacks: list = [[] for _x in xs[1:]]
    for cell in cells:
        for i in range(column[cell[0]], column[cell[2]]):
            stacks[i].append(cell)
    tops = []
    for stack in stacks:
        stack.sort(key=itemgetter(1))
        if any(lower[1] < upper[3] for upper, lower in zip(stack, stack[1:])):
            return {cell: [c for c in chars if _centre_in(c, cell)] for cell in cells}
        tops.append([cell[1] for cell in stack])
    assign = ASSIGN_CHARS if ASSIGN_CHARS is not None and type(chars) is list else _assign_chars
    return assign(chars, xs, tops, stacks)


def _assign_chars(chars: list, xs: list, tops: list, stacks: list) -> dict:
    """Return ``{cell: characters}``: each character to the cell of ``stacks`` its centre lies in.

    ``xs`` are the column edges, ``stacks[i]`` column i's cells sorted by top and ``tops[i]`` their
    tops (see :func:`cell_chars`).
    """
    found: dict = {}
    left, right = xs[0], xs[-1]
    bisect_right = bisect.bisect_right
    for char in chars:
        x = (char[1] + char[2]) / 2
        if left <= x < right:
            i = bisect_right(xs, x) - 1
            y = (char[3] + char[4]) / 2
            j = bisect_right(tops[i], y) - 1
            if j >= 0 and y < stacks[i][j][3]:
                found.setdefault(stacks[i][j], []).append(char)
    return found


# _assign_chars compiled (govreports.read._pdfium_loops.assign_chars): set by the pdfium engine in
# the compiled geometry only, so that this module as Python stays pure Python.
ASSIGN_CHARS = None


def _centre_in(char: tuple, box: tuple) -> bool:
    """Return True when the character's centre lies in the box (right and bottom edges excluded)."""
    x = (char[1] + char[2]) / 2
    y = (char[3] + char[4]) / 2
    return box[0] <= x < box[2] and box[1] <= y < box[3]
