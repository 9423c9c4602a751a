"""The ways to place one row's printed values in its cells (alignments), before any identity is used.

A row printing too few or too many values may have lost cells (``lost_cell``), cells run together
(``run_together``: ``000000``), one number printed in pieces (``split_apart``: ``1 2``), or a
number the OCR engine doubts (``ocr_digit``); :func:`row_alignments` lists every placement, and
:mod:`govreports.parse.search` keeps those the identities allow.
"""

from __future__ import annotations

import itertools
import math
from dataclasses import dataclass
from functools import lru_cache
from typing import NamedTuple

from govreports.parse.rows import split_printed_value

NUMBER, BLANK, LOST, NOT_PRINTED, UNSURE = "number", "blank", "lost", "not_printed", "doubt"
MAX_ALIGNMENTS_PER_ROW = 1000
MAX_RUN_SPLITS = 20000  # splits of one stream run into a row's cells (20 digits in 7 cells: 27,132)
OCR_DIGIT = frozenset({"ocr_digit"})


class Slot(NamedTuple):
    """What one cell of a row holds under one alignment."""

    kind: str  # number, blank or lost
    value: float | None = None
    raw: str | None = None


@dataclass(frozen=True)
class Alignment:
    """One way to place a row's printed tokens in its cells, and the repairs it takes."""

    slots: tuple
    kinds: frozenset = frozenset()

    @property
    def is_direct(self) -> bool:
        """Return True when the row is read as printed, with no repair."""
        return not self.kinds


def _slot(token) -> Slot:
    if token.kind == UNSURE:  # an OCR reading not trusted: the cell is open, the reading kept as evidence
        return Slot(LOST, None, token.text)
    return Slot(token.kind, token.value, token.text)


def _valid_number_text(text: str) -> bool:
    """Return False for a digit string that cannot be one printed number ("05"); "0" and "0.48" are fine.

    A unit or footnote mark after the number (``0件``, ``0①``) does not count.
    """
    return text == "0" or not text.startswith("0") or text.startswith("0.") or split_printed_value(text)[0] == "0"


@lru_cache(maxsize=4096)
def _digit_splits(text: str, parts: int) -> tuple:
    """Return every way to cut a digit run into ``parts`` numbers without leading zeros."""
    splits = []
    for cuts in itertools.combinations(range(1, len(text)), parts - 1):
        pieces = tuple(text[a:b] for a, b in zip((0,) + cuts, cuts + (len(text),)))
        if all(_valid_number_text(p) for p in pieces):
            splits.append(pieces)
    return tuple(splits)


def _token_options(token, room: int) -> tuple:
    """Return the ways to read one token: as printed, or as a digit run split in 2..room parts."""
    return _options(token.kind, token.text, token.value, room)


@lru_cache(maxsize=16384)
def _options(kind: str, text: str, value, room: int) -> tuple:
    """Return :func:`_token_options` for a token's fields (cached: runs of zeros repeat)."""
    options = []
    if kind == UNSURE:
        return (((Slot(LOST, None, text),), OCR_DIGIT),)
    if kind != NUMBER or _valid_number_text(text.lstrip("+-")):
        options.append(((Slot(kind, value, text),), frozenset()))
    sign, digits = _signed_run(kind, text)
    if digits:
        for parts in range(2, min(len(digits), room) + 1):
            for pieces in _digit_splits(digits, parts):
                values = (int(sign + pieces[0]),) + tuple(int(p) for p in pieces[1:])
                slots = tuple(Slot(NUMBER, v, text) for v in values)
                options.append((slots, frozenset({"run_together"})))
    return tuple(options)


def _signed_run(kind: str, text: str) -> tuple:
    """Return ``(sign, digits)`` of a token that may be cells run together, else ``("", "")``.

    A signed run (``-20`` after ``14`` in a stream: 本年增/减 is signed) splits with the sign on
    its first cell: -2 and 0, or -20.
    """
    if kind != NUMBER or len(text) < 2:
        return "", ""
    if text.isdigit():
        return "", text
    if len(text) > 2 and text[0] in "+-" and text[1:].isdigit():
        return text[0], text[1:]
    return "", ""


def _expansions(tokens: tuple, width: int) -> list:
    """Return every reading of the tokens as at most ``width`` slots (digit runs may split)."""
    readings = [((), frozenset())]
    for index, token in enumerate(tokens):
        remaining = len(tokens) - index - 1
        grown = []
        for slots, kinds in readings:
            room = width - len(slots) - remaining
            for option_slots, option_kinds in _token_options(token, max(room, 1)):
                if len(slots) + len(option_slots) + remaining <= width:
                    grown.append((slots + option_slots, kinds | option_kinds))
        readings = grown
        if len(readings) > MAX_ALIGNMENTS_PER_ROW:
            return []
    return readings


def _with_lost_cells(slots: tuple, kinds: frozenset, width: int) -> list:
    lost = width - len(slots)
    if lost == 0:
        return [Alignment(slots, kinds)]
    if math.comb(width, lost) > MAX_ALIGNMENTS_PER_ROW:
        return []
    alignments = []
    for positions in itertools.combinations(range(width), lost):
        it = iter(slots)
        placed = tuple(Slot(LOST) if i in positions else next(it) for i in range(width))
        alignments.append(Alignment(placed, kinds | {"lost_cell"}))
    return alignments


def _positional_alignment(tokens: tuple, width: int, start: int | None, gap: str = LOST) -> Alignment | None:
    """Place tokens by their columns when the layout keeps columns and the table's start is known.

    A column without a token holds ``gap``: lost (a converter dropped the cell), or blank where
    the table prints its empty cells as blanks.
    """
    if start is None or any(t.column is None for t in tokens):
        return None
    if len({t.cell for t in tokens}) != len(tokens):
        return None
    if any(t.kind == NUMBER and not _valid_number_text(t.text.lstrip("+-")) for t in tokens):
        return None  # "02" is two cells run together: the columns after it do not count cells
    indexes = [t.column - start for t in tokens]
    if indexes != sorted(set(indexes)) or indexes[0] < 0 or indexes[-1] >= width:
        return None
    by_index = dict(zip(indexes, tokens))
    slots = tuple(_slot(by_index[i]) if i in by_index else Slot(gap, None, "" if gap == BLANK else None)
                  for i in range(width))
    return Alignment(slots, frozenset({"lost_cell"}) if gap == LOST else frozenset())


def _merges(tokens: tuple, width: int) -> list:
    """Return alignments that join adjacent integers printed in pieces (``1 2`` -> 12)."""
    joints = [
        i for i in range(len(tokens) - 1)
        if tokens[i].kind == tokens[i + 1].kind == NUMBER
        and tokens[i].text.isdigit() and tokens[i + 1].text.isdigit() and (tokens[i].text + tokens[i + 1].text).isascii()
        and tokens[i].line == tokens[i + 1].line
    ]
    needed = len(tokens) - width
    alignments = []
    for chosen in itertools.combinations(joints, needed):
        groups, current = [], [tokens[0]]
        for i in range(1, len(tokens)):
            if i - 1 in chosen:
                current.append(tokens[i])
            else:
                groups.append(current)
                current = [tokens[i]]
        groups.append(current)
        texts = ["".join(t.text for t in g) for g in groups]
        if all(_valid_number_text(t) for t in texts):
            slots = tuple(
                _slot(g[0]) if len(g) == 1 else Slot(NUMBER, int(t), " ".join(x.text for x in g))
                for g, t in zip(groups, texts)
            )
            alignments.append(Alignment(slots, frozenset({"split_apart"})))
        if len(alignments) > MAX_ALIGNMENTS_PER_ROW:
            return []
    return alignments


def row_alignments(tokens: tuple, width: int, start: int | None = None, *, whole: bool = False,
                   gap: str = LOST) -> list:
    """Return every way to place a row's printed tokens in its ``width`` cells.

    A row printed with exactly ``width`` tokens (none a digit run with a leading zero) has
    one alignment, the direct reading. With ``whole`` (a row cut from a stream of run-together
    cells, :mod:`govreports.parse.stream`) every cell printed its digits in the run, so only
    splits into exactly ``width`` cells are readings: no cell is lost.
    """
    if not tokens:
        return [Alignment(tuple(Slot(LOST) for _ in range(width)), frozenset({"lost_cell"}))]
    if whole:
        return _run_alignments(tokens, width)
    while len(tokens) > width and tokens[-1].kind == BLANK and tokens[-1].text == "":
        tokens = tokens[:-1]  # empty grid cells past the row's last column are padding
    if len(tokens) > width and start is not None:
        # Empty grid cells left of the table's first value column are label columns, not cells.
        tokens = tuple(t for t in tokens if not (t.kind == BLANK and not t.text and t.column is not None
                                                  and t.column < start))
    if len(tokens) > width:
        return _merges(tokens, width)
    if len(tokens) == width and all(
        t.kind != NUMBER or _valid_number_text(t.text.lstrip("+-")) for t in tokens
    ):
        unsure = any(t.kind == UNSURE for t in tokens)
        return [Alignment(tuple(_slot(t) for t in tokens), OCR_DIGIT if unsure else frozenset())]
    positional = _positional_alignment(tokens, width, start, gap) if len(tokens) < width else None
    if positional is not None:
        return [positional]
    return _split_alignments(tokens, width)


def _run_alignments(tokens: tuple, width: int) -> list:
    """Return the readings of a row cut from a stream: its run split into exactly ``width`` cells.

    The spaces a crawler left in a run fall anywhere, inside a number as well as between cells
    (``130 44 5`` may print 13, 0, 445), so even a row printing as many figures as it has cells
    is read joined (a sign or a blank marker still starts a cell) and every split of it into
    ``width`` numbers is a reading. None when there are too many to weigh.
    """
    groups = _joined_runs(tokens)
    readings = _group_readings(tuple(groups), width)
    if readings is None:
        return []
    kinds = frozenset({"run_together"}) if len(tokens) != width or len(groups) != width else frozenset()
    return [Alignment(slots, kinds) for slots in readings]


def _group_readings(groups: tuple, width: int) -> list | None:
    """Return every way to read ``groups`` (joined figures, blanks) as ``width`` slots, or None."""
    if not groups:
        return [()] if width == 0 else []
    first, rest = groups[0], groups[1:]
    if first.kind != NUMBER:
        tails = _group_readings(rest, width - 1)
        return None if tails is None else [(_slot(first),) + tail for tail in tails]
    readings: list = []
    for parts in range(1, width - len(rest) + 1):
        heads = _number_splits(first.text, parts)
        tails = _group_readings(rest, width - parts) if heads else []
        if heads is None or tails is None or len(readings) + len(heads) * len(tails) > MAX_RUN_SPLITS:
            return None
        readings.extend(tuple(Slot(NUMBER, v, first.text) for v in head) + tail for head in heads for tail in tails)
    return readings


@lru_cache(maxsize=4096)
def _number_splits(text: str, parts: int) -> tuple | None:
    """Return every way to cut a printed figure (sign, digits, a decimal point) into ``parts`` numbers.

    No piece starts with a zero unless it is 0 or 0.x, none starts or ends at a decimal point, the
    sign goes with the first piece. None when there are more than :data:`MAX_RUN_SPLITS` ways.
    """
    if "," in text:  # a grouped figure (1,619) is one number: its commas say where it ends
        number = text.replace(",", "")
        return ((float(number) if "." in number else int(number),),) if parts == 1 else ()
    sign, body = (text[0], text[1:]) if text[:1] in "+-" else ("", text)
    cuts = [i for i in range(1, len(body)) if body[i - 1] != "." and body[i] != "."]
    if parts - 1 > len(cuts):
        return ()
    if math.comb(len(cuts), parts - 1) > MAX_RUN_SPLITS:
        return None
    splits = []
    for chosen in itertools.combinations(cuts, parts - 1):
        pieces = [body[a:b] for a, b in zip((0,) + chosen, chosen + (len(body),))]
        if all(p.count(".") <= 1 and _valid_number_text(p) for p in pieces):
            pieces[0] = sign + pieces[0]
            splits.append(tuple(float(p) if "." in p else int(p) for p in pieces))
    return tuple(splits)


def _joined_runs(tokens: tuple) -> list:
    """Join a stream row's figures across the spaces printed in them; a sign or a blank starts anew."""
    joined: list = []
    for token in tokens:
        previous = joined[-1] if joined else None
        if previous is not None and previous.kind == token.kind == NUMBER and token.text[:1] not in "+-" \
                and "," not in previous.text + token.text:
            joined[-1] = previous._replace(text=previous.text + token.text)
        else:
            joined.append(token)
    return joined


def _split_alignments(tokens: tuple, width: int) -> list:
    """Return the alignments of digit runs split into cells, the cells not printed lost."""
    alignments = []
    for slots, kinds in _expansions(tokens, width):
        placed = _with_lost_cells(slots, kinds, width)
        if not placed and len(slots) < width:
            return []  # too many ways to place the printed values: nothing can be fixed
        alignments.extend(placed)
        if len(alignments) > MAX_ALIGNMENTS_PER_ROW:
            return []
    return alignments


