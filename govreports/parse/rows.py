"""Find the template's rows in a report's lines and bind each row's printed values to it.

The stage works in three steps, none of which guesses a number:

1. :func:`read_segments` classifies every cell as label text or value tokens (numbers, and
   the blank markers "/" or "—") and groups them into segments: the label text printed since
   the last value, then the values that follow it.
2. :func:`detect_template` tells the 2019 template from the 2021 one by the labels only one
   of them prints.
3. :func:`match_rows` aligns segments to the template's rows, in the template's order, by how
   well each segment's label text matches the row's label variants (garbled OCR labels,
   labels split over lines and labels broken one character per line all still match).

The result is a :class:`TableRead`: for every template row, the tokens printed after its label.
Placing those tokens in the row's cells, when there are too few or too many, is
:mod:`govreports.parse.solve`'s job.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from functools import cache, cached_property, lru_cache
from typing import NamedTuple

from govreports.parse.labels import (
    _exact_rows,
    _label_candidates,
    _tail_key,
    label_key,
    table3_rows_named,
    two_row_labels,
)
from govreports.parse.layout import SPANNED_TEXT
from govreports.records import DOUBT, fast_constructor
from govreports.template import SCHEMA, RowSpec
from govreports.template.terms import (
    FOOTNOTE_MARKS,
    NULL_MARKERS,
    SECTION_END_PATTERN,
    TABLE_HEADINGS,
    VALUE_UNITS,
)

_NUMBER = re.compile(r"^[+-]?(?:\d{1,3}(?:,\d{3})+|\d+)(?:\.\d+)?$")
# A figure with a unit ("12件", "251000元") or a footnote mark ("6454①") printed after it: the
# token keeps the printed text (table 2 reads the unit and the mark), its value is the number.
_NUMBER_WITH_UNIT = re.compile(
    r"^([+-]?(?:\d{1,3}(?:,\d{3})+|\d+)(?:\.\d+)?)(?:(" + "|".join(map(re.escape, VALUE_UNITS)) + r")("
    + "[" + re.escape("".join(sorted(FOOTNOTE_MARKS))) + "]+)?|([" + re.escape("".join(sorted(FOOTNOTE_MARKS)))
    + "]+))$"
)
_SECTION_END = re.compile(SECTION_END_PATTERN)
_CJK = re.compile(r"[\u4e00-\u9fff]")

LABEL_PUNCTUATION = (".", "、", ")")
MAX_ROW_WIDTH = 7  # cells of 表三's widest row  # what follows a row number broken off its label


class Token(NamedTuple):
    """A printed value: a number or a blank marker (a named tuple: millions are made).

    Attributes:
        kind: ``number``, ``blank`` ("/", "—", an empty grid cell) or ``doubt`` (a number the
            OCR engine is unsure of: the solver treats its cell as lost).
        text: the printed text (for a doubt, the engine's reading).
        value: the number (int where it has no decimals), None for blanks; for a doubt, the
            engine's confidence in its reading.
        line: the line it was printed on.
        column: its column index in a positional line, else None.
        cell: an id shared by tokens printed in the same cell (``0 0 0`` in one cell).
    """

    kind: str
    text: str
    value: float | None
    line: int
    column: int | None
    cell: int

    @property
    def is_digit_run(self) -> bool:
        """Return True for an unsigned integer of two or more digits (it may be cells run together)."""
        return self.kind == "number" and len(self.text) > 1 and self.text.isdigit() and self.text.isascii()


Token.fast = fast_constructor(Token)


@dataclass
class Segment:
    """Label text followed by the values printed after it (built while scanning, then frozen)."""

    labels: list = field(default_factory=list)
    tokens: list = field(default_factory=list)
    refused: bool = False  # its label names two rows and its values cannot be told apart: bind none
    label_line: int = 0  # the positional line its label cell was printed on: values there count columns from 0

    @property
    def label_text(self) -> str:
        """Return the segment's label cells joined with spaces."""
        return " ".join(self.labels)


class RowRead(NamedTuple):
    """The tokens printed for one template row, and the label text that named it (a named tuple)."""

    row: RowSpec
    label: str
    tokens: tuple
    score: float
    labelled: bool = False  # the row's values are columns counted from its label (see Segment.label_line)


@dataclass(frozen=True)
class TableRead:
    """What the table stage found in one report.

    Attributes:
        template: ``"2019"`` or ``"2021"``, or None if no template could be recognised.
        rows: ``{row_code: RowRead}`` for every template row that was found.
        missing: row codes of the template that were not found.
        unmatched: label texts of segments with values that matched no row (for diagnostics).
        merged: row codes of merged rows printed in place of their sub-rows (see
            :meth:`~govreports.template.Schema.merged_rows`); their reads are in ``rows``.
        segments: every segment read, for :meth:`table3_stream` (computed only when needed).
        region: ``(first, stop)`` segment indexes of table 3's region.
        stream: True when the rows were cut out of a character stream whose cells run together
            (:mod:`govreports.parse.stream`): a short row there is a run to split, never cells
            to read from the left.
        table3_copies: how many times the text prints table 3 whole (2 or more: the file holds
            several reports).
    """

    template: str | None
    rows: dict
    missing: tuple
    unmatched: tuple
    merged: tuple = ()
    segments: tuple = ()
    region: tuple = (0, 0)
    stream: bool = False
    table3_copies: int = 1

    @cached_property
    def positional_starts(self) -> dict:
        """Return ``{table: column}`` where a positional layout shows the column the table's values start in.

        Computed when first asked for: a report whose rows all print exactly their cells never needs it.
        """
        return positional_starts(self.rows)

    def table3_stream(self) -> tuple:
        """Return table 3's value tokens in printed order, one tuple per printed line.

        For value orders other than one row per label (see :mod:`govreports.parse.orders`).
        """
        lines: dict = {}
        for segment in self.segments[self.region[0]:self.region[1]]:
            for token in segment.tokens:
                lines.setdefault(token.line, []).append(token)
        return tuple(tuple(tokens) for tokens in lines.values())


def parse_number(text: str) -> float | None:
    """Return the number printed in ``text`` (``1,234`` -> 1234, ``10.5`` -> 10.5), or None."""
    if not _NUMBER.match(text):
        return None
    number = float(text.replace(",", ""))
    return int(number) if "." not in text else number


def split_printed_value(text: str) -> tuple:
    """Return ``(number text, unit, footnote mark)`` of a printed value (``251000元`` -> 251000, 元).

    A bare number gives ``(text, "", "")``; a text that is no printed value gives ``("", "", "")``.
    """
    if _NUMBER.match(text):
        return text, "", ""
    match = _NUMBER_WITH_UNIT.match(text)
    if match is None:
        return "", "", ""
    return match.group(1), match.group(2) or "", match.group(3) or match.group(4) or ""


@lru_cache(maxsize=32768)
def classify_cell(text: str) -> tuple:
    """Split a cell into its label text and its trailing value tokens' texts.

    ``"行政事业性收费 0"`` gives ``("行政事业性收费", ("0",))``; ``"0 0 3"`` gives ``("", ("0", "0", "3"))``;
    a label with numbers inside it (``"2. 重复申请"``) stays whole. Cached: labels repeat across reports.
    """
    last = text.rsplit(None, 1)[-1]
    if _CJK.match(text[-1]) and last not in NULL_MARKERS and not _NUMBER_WITH_UNIT.match(last):
        return text, ()  # a label; but a cell ending in 无 (none) ends in a blank marker
    parts = text.split()
    cut = len(parts)
    while cut > 0 and _is_value_text(parts[cut - 1]):
        cut -= 1
    return " ".join(parts[:cut]), tuple(parts[cut:])


def _is_value_text(part: str) -> bool:
    return (part in NULL_MARKERS or _NUMBER.match(part) is not None or _NUMBER_WITH_UNIT.match(part) is not None
            or DOUBT in part)


def _make_token(text: str, line_number: int, column, cell_id: int) -> Token:
    """Make a value token; a unit or footnote mark stays in its text (``12件``), the value is the number."""
    if DOUBT in text:
        return _doubt_token(text, line_number, column, cell_id)
    if text in NULL_MARKERS:
        return Token("blank", text, None, line_number, column, cell_id)
    return Token("number", text, parse_number(split_printed_value(text)[0]), line_number, column, cell_id)


def _doubt_token(text: str, line_number: int, column, cell_id: int) -> Token:
    """Return the token of a number the OCR engine was unsure of (``reading DOUBT confidence``)."""
    reading, confidence = text.split(DOUBT, 1)
    return Token("doubt", reading, float(confidence), line_number, column, cell_id)


def _is_row_number(texts: list, index: int) -> bool:
    """Return True for a short digit cell that is a row number broken off its label (``3`` ``.其他``)."""
    after = texts[index + 1] if index + 1 < len(texts) else ""
    return after[:1] in LABEL_PUNCTUATION and not _is_value_text(after)


def _is_label_slash(texts: list, index: int) -> bool:
    """Return True for a ``/`` between two single characters (``增`` ``/`` ``减`` of ``本年增/减``)."""
    before = texts[index - 1] if index > 0 else ""
    after = texts[index + 1] if index + 1 < len(texts) else ""
    return len(before) == 1 == len(after) and not before.isdigit() and bool(_CJK.match(after))


def _label_and_values(texts: list, index: int) -> tuple:
    """Return a cell's label text and value texts, keeping row numbers and slashes inside labels."""
    text = texts[index]
    if (text.isdigit() and text.isascii()) or (len(text) <= 2 and text in NULL_MARKERS and not _CJK.match(text)
                                                and _is_label_slash(texts, index)):
        return text, ()
    return classify_cell(text)


def _printed_blank(cells: tuple, column: int, grid: bool, after_label: bool) -> bool:
    """Return True for an empty cell that is a printed blank.

    Empty grid cells are; so are those of a positional row printing its label and nothing but
    empty cells after it (see ``layout._tab_cells``).
    """
    return grid or (after_label and not any(cells[column:]))


def _with_label(segments: list, current: Segment, label: str) -> Segment:
    """Add a label cell: to the current segment, or to a new one once the current one has values."""
    if current.tokens:
        segments.append(current)
        current = Segment()
    current.labels.append(label)
    return current


def _values_start(segment: Segment, column: int, values: tuple, line: int) -> int:
    """Return the column a positional line's values count from, after its label cell at ``column``."""
    segment.label_line = line
    return column if values else column + 1


def read_segments(lines: list) -> list:
    """Group the lines' cells into segments: label text, then the values printed after it."""
    segments: list = []
    current = Segment()
    texts = [text for line in lines for text in line.cells]  # every cell in reading order
    texts.append("")  # so that every cell has a next one
    new_token, cell_id = Token.fast, -1
    for number, cells, positional, grid in lines:  # a Line's fields, unpacked once per printed line
        # In a positional line that is no grid (tabs, pipes), a value's column counts from the
        # cell after the line's own label cells: a browser's or OCR's row prints a group label
        # (三、本年度办理结果) only on the group's first row, so its values start a column later.
        base, valued = 0, False
        for column, text in enumerate(cells):
            cell_id += 1
            if not text or text == SPANNED_TEXT:
                if not text and current.labels and _printed_blank(cells, column, grid, base and not valued):
                    current.tokens.append(Token("blank", "", None, number, column - base, cell_id))
                continue
            if text.isdigit() and text.isascii() and (
                len(text) > 2 or valued or texts[cell_id + 1][:1] not in LABEL_PUNCTUATION
                or not _is_row_number(texts, cell_id)
            ):  # after a value on its line a digit is a value, not a row number (a wrapped "(三" / ")不")
                # The common case, a bare count: make its token here, skipping the general classifier.
                valued = True
                current.tokens.append(new_token(("number", text, int(text), number,
                                                 column - base if positional else None, cell_id)))
                continue
            label, values = _label_and_values(texts, cell_id)
            if label:
                current = _with_label(segments, current, label)
                if positional and not grid and not valued:
                    base = _values_start(current, column, values, number)
            if values:
                valued = True
                column_index = column - base if positional else None
                current.tokens.extend(_make_token(v, number, column_index, cell_id) for v in values)
    if current.tokens or current.labels:
        segments.append(current)
    return segments


def _count_adjustment(segment: Segment, row: RowSpec) -> float:
    count = len(segment.tokens)
    if count == row.width:
        return 0.2
    if count > row.width + 2 and not any(t.is_digit_run for t in segment.tokens):
        return -0.3
    return 0.0


def _segment_candidates(segment: Segment, rows: tuple, template: str) -> list:
    """Return ``[(row index, score)]`` for the rows a segment may be.

    Exact label matches when there are any, else fuzzy matches (garbled or partly printed labels);
    a segment printing as many values as the row has cells scores a little higher.
    """
    if not segment.tokens or segment.refused:
        return []
    tail = _tail_key(segment.label_text[-400:])
    return [(index, score if rows[index].table == "table4" else score + _count_adjustment(segment, rows[index]))
            for index, score in _label_candidates(tail, template)]


def _align(segments: list, rows: tuple, template: str) -> tuple:
    """Assign segments to rows, both in printed order, maximising the total score.

    A maximum-weight chain over the (segment, row) pairs that can match: sparse, because most
    segments match one row exactly. Returns ``({row index: (segment index, score)}, pairs)``.
    """
    pairs = [(i, j, score) for i, segment in enumerate(segments)
             for j, score in _segment_candidates(segment, rows, template)]
    best, back = _chain(pairs, len(rows))
    matches: dict = {}
    k = max(range(len(pairs)), key=best.__getitem__) if pairs else None
    while k is not None:
        i, j, score = pairs[k]
        matches[j] = (i, score)
        k = back[k]
    return matches, pairs


class _PrefixMax:
    """A Fenwick tree of ``(chain score, pair index)`` over row indexes: the best chain ending before a row."""

    def __init__(self, size: int):
        self.tree = [(0.0, -1)] * (size + 1)

    def update(self, row: int, entry: tuple) -> None:
        """Record a chain ending at ``row`` (0-based)."""
        position = row + 1
        while position < len(self.tree):
            if entry > self.tree[position]:
                self.tree[position] = entry
            position += position & -position

    def best_before(self, row: int) -> tuple:
        """Return the best ``(score, pair index)`` of the chains ending at a row before ``row``."""
        found, position = (0.0, -1), row
        while position > 0:
            if self.tree[position] > found:
                found = self.tree[position]
            position -= position & -position
        return found


def _chain(pairs: list, row_count: int) -> tuple:
    """Return ``(best, back)``: each pair's best chain score and its predecessor (None for none).

    A chain takes pairs with strictly increasing segment and row indexes. The pairs come in
    segment order; a segment's pairs are all looked up before any is recorded, so that no chain
    takes two rows from one segment. With the prefix-maximum tree over rows this is
    O(pairs log rows), where comparing every earlier pair was quadratic in the report's length.
    Ties go to the latest pair, as before.
    """
    tree, best, back = _PrefixMax(row_count), [], []
    start = 0
    while start < len(pairs):
        stop = start
        while stop < len(pairs) and pairs[stop][0] == pairs[start][0]:
            stop += 1
        for k in range(start, stop):
            chain, link = tree.best_before(pairs[k][1])
            score = pairs[k][2]
            best.append(chain + score if link >= 0 else score)
            back.append(link if link >= 0 else None)
        for k in range(start, stop):
            tree.update(pairs[k][1], (best[k], k))
        start = stop
    return best, back


def _bind_out_of_order(matches: dict, pairs: list, rows: tuple) -> None:
    """Bind 表三 rows printed out of the template's order to the segments that name them, in place.

    The chain keeps the template's order, so a row printed before one it follows (two outcome
    rows swapped, labels and all) is left out of it. Such a row is bound when exactly one
    segment inside table 3, matched to no row, prints its label whole, and that segment names no
    other missing row: binding by label is what a reader does.
    """
    table3 = [i for j, (i, _s) in matches.items() if rows[j].table == "table3"]
    if not table3 or all(j in matches for j, row in enumerate(rows) if row.table == "table3"):
        return
    first, last = min(table3), max(table3)
    used = {i for i, _s in matches.values()}
    by_row: dict = {}
    by_segment: dict = {}
    for i, j, score in pairs:
        if score >= 1.0 and j not in matches and i not in used and first < i < last and rows[j].table == "table3":
            by_row.setdefault(j, []).append((i, score))
            by_segment.setdefault(i, []).append(j)
    for j, found in by_row.items():
        if len(found) == 1 and len(by_segment[found[0][0]]) == 1:
            matches[j] = found[0]


def _repeated_table3_rows(pairs: list, rows: tuple, segments: list, template: str) -> int:
    """Return how many times the segments print table 3 whole: the count most of its rows reach.

    Each of table 3's rows counts the segments whose label names it exactly; a second report in
    the file prints nearly every row again, where one report's repeated header or stray
    sentence repeats a row or two.
    """
    counts: dict = {}
    for i, j, score in pairs:
        if score >= 1.0 and rows[j].table == "table3" and j in _exact_rows(
                _tail_key(segments[i].label_text[-400:]), template):
            counts[j] = counts.get(j, 0) + 1
    table3 = sum(1 for row in rows if row.table == "table3")
    if not counts or table3 == 0:
        return 1
    ranked = sorted(counts.values(), reverse=True)
    half = (table3 + 1) // 2
    return ranked[half - 1] if len(ranked) >= half else 1


def _table4_tokens(segments: list, start: int, width: int) -> list:
    """Collect table 4's values: its header segment and any rows printed after it, up to ``width``."""
    tokens = list(segments[start].tokens)
    for segment in segments[start + 1:]:
        if len(tokens) >= width or not segment.tokens:
            break
        if any(_SECTION_END.match(label) for label in segment.labels):
            break
        if len(label_key(segment.label_text)) > 40:
            break
        tokens.extend(segment.tokens)
    return tokens[:width] if len(tokens) > width and len(segments[start].tokens) <= width else tokens


def positional_starts(reads: dict) -> dict:
    """Return, per table, the column its values start in, learned from complete positional rows."""
    starts: dict = {}
    for read in reads.values():
        tokens = read.tokens
        if len(tokens) != read.row.width or any(t.column is None for t in tokens):
            continue
        columns = [t.column for t in tokens]
        if columns == list(range(columns[0], columns[0] + len(columns))):
            starts.setdefault(read.row.table, []).append(columns[0])
    learned = {table: max(set(c), key=c.count) for table, c in starts.items()}
    table4 = reads.get("table4")
    if table4 is not None and "table4" not in learned:
        start = _single_row_start(table4)
        if start is not None:
            learned["table4"] = start
    return learned


def _single_row_start(read: RowRead):
    """Return where a short single-row table's values start, reading its line from the right.

    Table 4 prints one row of values, so no complete row shows where they start. In a
    positional line (OCR tabs) an empty column marks a lost value and the row ends at its last
    value, so the row's first column is ``width - 1`` before the last one. If that is wrong the
    identities reject the placement and the cells stay null: never a wrong number.
    """
    tokens = read.tokens
    if not tokens or any(t.column is None for t in tokens) or len({t.line for t in tokens}) != 1:
        return None
    if len({t.cell for t in tokens}) != len(tokens):
        return None
    if tokens[0].column == 0 and len(tokens) < tokens[-1].column + 1 <= read.row.width:
        # A value in the line's first cell, empty cells kept between values: no label column
        # before it, the row starts there (a line of figures only, without gaps, may as well
        # have lost or run together a cell anywhere).
        return 0
    start = tokens[-1].column - read.row.width + 1
    return start if start >= 0 and tokens[0].column >= start else None


def match_rows(lines: list, template: str) -> TableRead:
    """Find every row of ``template`` among the lines and return the tokens printed for each."""
    return match_segments(read_segments(lines), template)


def match_segments(segments: list, template: str, *, stream: bool = False) -> TableRead:
    """Bind label+value segments (however they were cut) to the rows of ``template``."""
    rows = SCHEMA.alignment_rows(template)
    segments = split_two_row_labels(segments, rows, template)
    matches, pairs = _align(segments, rows, template)
    _bind_out_of_order(matches, pairs, rows)
    merged = _merged_rows(matches, rows, template)
    _table2_out_of_order(segments, matches, rows)
    reads = {}
    for row_index, (segment_index, score) in matches.items():
        row = rows[row_index]
        segment = segments[segment_index]
        tokens = _table4_tokens(segments, segment_index, row.width) if row.table == "table4" else segment.tokens
        labelled = bool(tokens) and all(t.line == segment.label_line for t in tokens)
        reads[row.row_code] = RowRead(row, segment.label_text[-120:], tuple(tokens), round(score, 3), labelled)
    matched = {i for i, _ in matches.values()}
    first, last = (min(matched), max(matched)) if matched else (0, -1)
    unmatched = tuple(
        s.label_text[-60:] for i, s in enumerate(segments[first + 1:last], start=first + 1)
        if i not in matched and s.tokens and _CJK.search(s.label_text)
    )
    missing = tuple(r.row_code for r in SCHEMA.rows(template) if r.row_code not in reads)
    return TableRead(template, reads, missing, unmatched, merged,
                     segments, _table3_region(segments, matches, rows), stream, _repeated_table3_rows(pairs, rows, segments, template))


def _names_rows_apart(segment: Segment, tail: str, template: str) -> bool:
    """Return True when a segment prints two 表三 rows' whole labels and no more than one row's values.

    Labels printed apart from their figures (PDF-to-markdown, ``5.属于三类内部事务信息`` then
    ``1.本机关不掌握相关政府信息`` then one row of figures) do not say whose figures they are: the
    last label is a guess, which only the identities can check, and a table printing "none" as
    ``—`` gives them little to check with.
    """
    return len(segment.tokens) <= MAX_ROW_WIDTH and len(table3_rows_named(tail, template)) >= 2


def _refused(segment: Segment) -> Segment:
    return Segment(segment.labels, segment.tokens, refused=True)


def split_two_row_labels(segments: list, rows: tuple, template: str) -> list:
    """Return the segments with each one whose label names two rows split in two, or refused.

    A label cell holding two consecutive rows' labels (OCR lost the rule between them, see
    :func:`~govreports.parse.labels.two_row_labels`) is followed by both rows' values: the
    first row's printed on lines above the second's, or each cell holding the two rows' values
    one above the other. Those are split between the rows. Values that cannot be told apart
    (fewer or more than the two rows' cells) are bound to neither row: the solver leaves the
    rows to the identities, never one row's values in the other's cells.
    """
    result = []
    for segment in segments:
        tail = _tail_key(segment.label_text[-400:]) if segment.tokens else ""
        pair = two_row_labels(tail, template) if tail else None
        if pair is None:
            result.append(_refused(segment) if tail and _names_rows_apart(segment, tail, template) else segment)
            continue
        first, second = rows[pair[0]], rows[pair[1]]
        parts = _split_tokens(segment.tokens, first.width, second.width)
        if parts is None:
            result.append(Segment(segment.labels, segment.tokens, refused=True))
        else:
            result.append(Segment(segment.labels[:-1] + [first.labels[0]], parts[0]))
            result.append(Segment([second.labels[0]], parts[1]))
    return result


def _split_tokens(tokens: list, first: int, second: int) -> tuple | None:
    """Return two rows' tokens, ``first`` and ``second`` of them, told apart by line or by cell; else None."""
    if len(tokens) != first + second:
        return None
    head, tail = tokens[:first], tokens[first:]
    if max(t.line for t in head) < min(t.line for t in tail):
        return list(head), list(tail)
    cells: dict = {}
    for token in tokens:
        cells.setdefault(token.cell, []).append(token)
    if first == second == len(cells) and all(len(pair) == 2 for pair in cells.values()):
        return [pair[0] for pair in cells.values()], [pair[1] for pair in cells.values()]
    return None


@cache
def _table2_header_keys(template: str) -> tuple:
    """Return the keys of table 2's column headers (``本年处理决定数量``), longest first."""
    labels = {part.strip() for c in SCHEMA.cells(template, "table2") for part in c.column_label_zh.split(" / ")}
    return tuple(sorted((label_key(label) for label in labels if label), key=len, reverse=True))


def _strip_headers(key: str, template: str) -> str:
    """Return a label key without the table-2 column headers printed at its end."""
    stripped = True
    while stripped:
        stripped = False
        for header in _table2_header_keys(template):
            if key.endswith(header) and len(key) > len(header):
                key, stripped = key[: -len(header)], True
    return key


def _names_row(key: str, row: RowSpec) -> bool:
    return any(key.endswith(label_key(label)) for label in row.labels)


def _table2_out_of_order(segments: list, matches: dict, rows: tuple) -> None:
    """Bind table-2 rows the ordered alignment missed: printed out of order, or labelled after their value.

    Table 2 has no identities, so only a sure binding is made: a missing row whose exact label
    ends one unmatched segment before table 3 (column headers printed after the label aside),
    or, for a segment whose own labels name no row, begins the next segment's labels (a
    converter that printed the value before its label). The segment must print exactly the
    row's cells, and be the only such segment for the row.
    """
    missing = [j for j, row in enumerate(rows) if row.table == "table2" and j not in matches]
    if not missing:
        return
    template = rows[0].template
    used = {i for i, _score in matches.values()}
    stop = min((i for j, (i, _s) in matches.items() if rows[j].table != "table2"), default=len(segments))
    table2 = [row for row in rows if row.table == "table2"]
    keys = [_strip_headers(label_key(s.label_text[-200:]), template) for s in segments[:stop]]
    for j in missing:
        row = rows[j]
        found = [i for i in range(stop) if i not in used and len(segments[i].tokens) == row.width
                 and (_names_row(keys[i], row) or _named_after(keys[i], segments, i, row, table2))]
        if len(found) == 1:
            matches[j] = (found[0], 1.0)
            used.add(found[0])


def _named_after(key: str, segments: list, index: int, row: RowSpec, table2: list) -> bool:
    """Return True when a segment names no row and the next one's labels start with ``row``'s label."""
    if index + 1 >= len(segments) or any(_names_row(key, other) for other in table2):
        return False
    following = label_key(segments[index + 1].label_text)
    return any(following.startswith(k) and len(following) > len(k) for k in map(label_key, row.labels))


def _merged_rows(matches: dict, rows: tuple, template: str) -> tuple:
    """Keep a merged row's match only when none of its sub-rows matched; return the merged rows kept.

    Drops the other merged matches from ``matches`` (their values stay unmatched).
    """
    matched = {rows[j].row_code: j for j in matches}
    kept = []
    for group in SCHEMA.merged_rows(template):
        if group.row_code not in matched:
            continue
        if any(sub in matched for sub in group.sub_rows):
            del matches[matched[group.row_code]]
        else:
            kept.append(group.row_code)
    return tuple(kept)


def _table3_region(segments: list, matches: dict, rows: tuple) -> tuple:
    """Return ``(first, stop)``: the segments of table 3, from its heading to table 4's header.

    The region starts at the segment printing table 3's heading (searched back from its first
    matched row, never past table 2's last) or else at its first matched row, and stops before
    table 4's header (or past table 3's last matched row).
    """
    by_table: dict = {}
    for j, (i, _score) in matches.items():
        by_table.setdefault(rows[j].table, []).append(i)
    table3 = sorted(by_table.get("table3", ()))
    if not table3:
        return (0, 0)
    first, stop = table3[0], table3[-1] + 1
    floor = max((i for i in by_table.get("table2", ()) if i < first), default=-1)
    heading = label_key(TABLE_HEADINGS["table3"])
    for index in range(first, floor, -1):
        if heading in label_key(segments[index].label_text):
            first = index
            break
    table4 = by_table.get("table4", ())
    if table4 and table4[0] > first:
        stop = table4[0]
    return (first, stop)
