"""Cut a character stream whose table cells run together into label and value segments.

Crawlers that strip a page's table tags leave a whole report on a few lines, every row's cells
run together after its label::

    规章000规范性文件898989…一、本年新收政府信息公开申请数量230 000023二、上年结转…
    …1.本机关不掌握相关政府信息70000072.没有现成信息需要另行制作0000000…

No line split finds the rows there: :mod:`govreports.parse.layout` sees one long label. This
module finds the template's own labels anywhere in such a line (an Aho-Corasick automaton over
the labels' keys, so spaces and punctuation inside a printed label do not matter), and takes the
run of figures printed right after a label as that row's values. The next label's item number
glued to a run (``…7000007`` + ``2.没有现成信息…``) belongs to the label. It never splits a run:
it keeps the run's space-separated pieces as tokens and marks the reading ``stream``;
:mod:`govreports.parse.solve` then reads each such row joined (a crawler's spaces fall inside
numbers too) and takes a split into the row's cells only where the identities make it unique.
"""

from __future__ import annotations

import re
from functools import cache
from typing import NamedTuple

from govreports.parse.labels import label_key
from govreports.parse.layout import Line
from govreports.parse.rows import (
    LABEL_PUNCTUATION,
    Segment,
    TableRead,
    Token,
    match_segments,
    parse_number,
    read_segments,
)
from govreports.template import SCHEMA
from govreports.template.terms import ITEM_NUMBER_START, NULL_MARKERS

MIN_STREAM_ROWS = 3  # label+run pairs a line needs before it is read as a stream
MIN_STRIPPED_KEY = 4  # a label's key without its item number must still be this long to match
_KEPT = re.compile(r"[0-9A-Za-z\u4e00-\u9fff]+")  # the characters label_key keeps
# A run of figures: numbers (signed, decimals) and blank markers, separated by spaces only,
# after the punctuation that closes a label (a quote, a bracket, a colon).
_NUMBER = r"[+-]?(?:\d{1,3}(?:,\d{3})+|\d+)(?:\.\d+)?"
_RUN = re.compile(r"[^\w+\-/.]*((?:(?:" + _NUMBER + r"|/)[ \t]*)+)")
_PIECE = re.compile(_NUMBER + "|/")
# A label, then a figure; or a line opening with figures then words (a stream broken after a label).
_WORDS_AND_FIGURES = re.compile(r"[\u4e00-\u9fff][^\u4e00-\u9fff\d]{0,3}\d|^[\d ./+-]+[^\d ]{0,3}[\u4e00-\u9fff]")
_LEADING_RUN = re.compile(r"\s*((?:(?:" + _NUMBER + r"|/)[ \t]*)+)")
_ITEM_START = re.compile(ITEM_NUMBER_START)
_FIGURES_ONLY = re.compile(r"(?:(?:" + _NUMBER + r")[ \t]*)+")
_TORN = re.compile(r"[,.]\d")  # a run that stops at "1234,567": its grouping is not a number's


class LabelHit(NamedTuple):
    """A template label found in a line: where it starts and ends in the line's text."""

    start: int
    end: int


@cache
def _automaton(template: str):
    """Return an Aho-Corasick automaton over every row label and table-4 header of ``template``.

    A label that starts with its item number (``2.没有现成信息…``) is also entered without it,
    for lines that print the number apart or not at all.
    """
    import ahocorasick

    keys = set()
    for row in SCHEMA.alignment_rows(template):
        for label in row.labels:
            key = label_key(label)
            keys.add(key)
            stripped = key.lstrip("0123456789")
            if stripped != key and len(stripped) >= MIN_STRIPPED_KEY:
                keys.add(stripped)
    automaton = ahocorasick.Automaton()
    for key in keys:
        if key:
            automaton.add_word(key, len(key))
    automaton.make_automaton()
    return automaton


def _key_and_positions(text: str) -> tuple:
    """Return the text's label key and, for each key character, its index in ``text``."""
    chunks = list(_KEPT.finditer(text))
    positions: list = []
    for match in chunks:
        positions.extend(range(match.start(), match.end()))
    return "".join(m.group() for m in chunks), positions


def find_labels(text: str, template: str) -> list:
    """Return the template's labels printed in ``text``, as non-overlapping :class:`LabelHit` s.

    Where matches overlap the longest wins (``行政规范性文件`` over ``规范性文件``). A label's
    leading item number is kept only where it is printed as one (followed by ``.``, ``、`` or
    ``)``, or not preceded by a digit): ``…0000002其他法律…`` could be a run ending in 2.
    """
    key, positions = _key_and_positions(text)
    found = [(end - length + 1, end + 1) for end, length in _automaton(template).iter(key)]
    found.sort(key=lambda hit: (hit[0] - hit[1], hit[0]))  # longest first
    taken = bytearray(len(key))
    chosen = []
    for start, end in found:
        if not any(taken[start:end]):
            taken[start:end] = b"\x01" * (end - start)
            chosen.append(_hit(text, positions, start, end))
    return sorted(hit for hit in chosen if hit is not None)


def _hit(text: str, positions: list, start: int, end: int):
    """Turn a key match into a :class:`LabelHit`, leaving an ambiguous item number to the run."""
    first = positions[start]
    glued = text[first].isdigit() and first > 0 and text[first - 1].isdigit()
    if glued and text[first + 1:first + 2] not in LABEL_PUNCTUATION:
        if start + 1 >= end or text[positions[start + 1]].isdigit():
            return None
        first = positions[start + 1]
    return LabelHit(first, positions[end - 1] + 1)


def _run_tokens(run: str, line: int, first_cell: int) -> list:
    """Return the tokens of a run of figures: one per space-separated piece, signs kept."""
    tokens = []
    for offset, piece in enumerate(_PIECE.findall(run)):
        if piece in NULL_MARKERS:
            tokens.append(Token("blank", piece, None, line, None, first_cell + offset))
        else:
            tokens.append(Token("number", piece, parse_number(piece), line, None, first_cell + offset))
    return tokens


def stream_segments(text: str, line: int, template: str, min_rows: int = MIN_STREAM_ROWS) -> list | None:
    """Cut one line into label+value segments, or return None if it holds fewer than ``min_rows``.

    A segment's label text is everything printed since the previous run (headers included, as
    :func:`govreports.parse.rows.read_segments` would keep them); its values are the run printed
    right after a label, up to the next label. Text after the last run ends the list as a
    segment without values.
    """
    hits = find_labels(text, template)
    segments, cut, cell = [], 0, line * 100_000
    lead = _leading_run(text, hits[0].start if hits else len(text))
    if lead is not None:
        segments.append(Segment([], _run_tokens(lead.group(1), line, cell)))
        cut, cell = lead.end(), cell + len(segments[0].tokens)
    for index, hit in enumerate(hits):
        stop = hits[index + 1].start if index + 1 < len(hits) else len(text)
        run = _RUN.match(text, hit.end, stop)
        if run is None:
            continue
        torn = _TORN.match(text, run.end(), stop) is not None
        tokens = [] if torn else _run_tokens(run.group(1), line, cell)
        cell += len(tokens)
        segments.append(Segment([text[cut:hit.end].strip()], tokens))
        cut = run.end()
    if len(segments) < max(min_rows, 1):
        return None
    if text[cut:].strip():
        segments.append(Segment([text[cut:].strip()], []))
    return segments


def _leading_run(text: str, first_label: int) -> re.Match | None:
    """Return the match of the figures a line prints before any label, else None.

    A stream broken over lines (at its spaces, or where a converter wrapped it) starts a line
    with the run of the label that ended the line before (``…申请数量`` / ``713000074二、上年结转…``).
    The run counts only where a label follows it at once: a template label, or an item number
    (``二、``, ``(三)``) opening a label or a heading; never a figure of a sentence (``2022年``).
    """
    run = _LEADING_RUN.match(text, 0, first_label)
    if run is None or text[run.end():first_label].strip() and not _ITEM_START.match(text, run.end()):
        return None
    return run


def _stream_candidate(cells: tuple) -> bool:
    """Return True for a line worth searching for labels with runs: one cell, words and figures."""
    return len(cells) == 1 and _WORDS_AND_FIGURES.search(cells[0]) is not None


def read_stream(lines: list, template: str) -> TableRead | None:
    """Read the table rows of lines whose cells run together, or return None if too few do.

    Each line printing a template label with a run of figures after it is cut by
    :func:`stream_segments` (a whole report on one line, or a row per line); the text after its
    last run is carried to the next line, whose values it may label. Other lines are grouped
    into segments as usual, so a report run together in places and printed properly in others
    is read whole.
    """
    segments, pending, rows, open_run = [], [], 0, None
    for line in lines:
        open_run, opened = _run_before(line, open_run, pending, segments if rows else None)
        rows += opened
        if open_run is not None and _continues_run(line, open_run):
            continue
        cut = stream_segments(line.cells[0], line.number, template, 1) if _stream_candidate(line.cells) else None
        if cut is None:
            pending.append(line)
            open_run = None
            continue
        if open_run is not None and not cut[0].labels:  # the figures that open the line end the last run
            open_run.tokens.extend(cut.pop(0).tokens)
        segments.extend(_flush(pending, cut))
        pending = []
        if cut and not cut[-1].tokens:  # a label printed last: its values may follow on the next line
            pending.append(Line(line.number, (cut.pop().labels[0],)))
        segments.extend(cut)
        rows += len(cut)
        open_run = None if pending or not segments else segments[-1]
    if rows < MIN_STREAM_ROWS:
        return None
    segments.extend(read_segments(pending))
    return match_segments(segments, template, stream=True)


def _run_before(line: Line, open_run, pending: list, segments: list | None) -> tuple:
    """Return ``(open run, rows opened)`` before ``line`` is read (``segments`` None outside a stream).

    Inside a stream, a label line followed by a line of figures alone opens that label's run
    (``…行政许可`` / ``46`` / ``3…``). A line opening with a decimal point or a comma (``998`` /
    ``.74…``) shows the run went on past the line break: its figures are not the run's, read none.
    """
    opened = 0
    if open_run is None and segments is not None and len(pending) == 1 and _figures_only(line) \
            and not _figures_only(pending[0]):
        open_run = Segment([pending.pop().cells[0]], [])
        segments.append(open_run)
        opened = 1
    if open_run is not None and _TORN.match(line.cells[0]):
        open_run.tokens.clear()
    return open_run, opened


def _flush(pending: list, cut: list) -> list:
    """Return the segments of the lines before a stream line, joined to the line's first segment.

    Figures on the lines before and a run opening the line are one run; labels on the lines
    before (a header) label the line's first run.
    """
    flushed = read_segments(pending)
    if flushed and flushed[-1].tokens and cut and not cut[0].labels:
        flushed[-1].tokens.extend(cut.pop(0).tokens)
    if flushed and not flushed[-1].tokens and cut:
        cut[0].labels[:0] = flushed.pop().labels
    return flushed


def _figures_only(line: Line) -> bool:
    return len(line.cells) == 1 and _FIGURES_ONLY.fullmatch(line.cells[0]) is not None


def _continues_run(line: Line, run: Segment) -> bool:
    """Add a line of figures alone to the run the line before ended with; return True if it was one.

    A stream broken over lines where its spaces were (``…其他处理0`` / ``0`` / ``0`` / ``00(七)总计…``)
    prints a run's pieces on lines of their own: they are the same run, as a space would be.
    """
    if not _figures_only(line):
        return False
    run.tokens.extend(_run_tokens(line.cells[0], line.number, line.number * 100_000))
    return True


def _table3_rows(read: TableRead) -> int:
    return sum(1 for r in read.rows.values() if r.row.table == "table3")


def prefer_stream(lines: list, template: str, read: TableRead) -> TableRead:
    """Return the stream reading of ``lines`` where it finds more of table 3 than ``read`` did.

    Only tried when ``read`` misses rows of table 3, so clean text pays nothing.
    """
    if _table3_rows(read) >= len(SCHEMA.rows(template, "table3")):
        return read
    streamed = read_stream(lines, template)
    if streamed is None or _table3_rows(streamed) <= _table3_rows(read):
        return read
    return streamed
