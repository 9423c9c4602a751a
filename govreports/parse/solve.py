"""Place each row's printed values in the row's cells, repairing only what the identities fix.

A row that prints exactly as many values as it has cells is read as printed, whatever its
arithmetic: a report whose published figures break an identity keeps its figures (a source
anomaly, reported by :mod:`govreports.parse.checks`). A row that prints too few or too many values
has several possible *alignments*:

* ``lost_cell``: the layout dropped cells; the printed values keep their order and the lost
  cells can sit anywhere (or, in a positional layout, where the columns say);
* ``run_together``: cells printed without a separator (``000000`` for six zeros); a digit run
  with a leading zero cannot be one number;
* ``split_apart``: one number printed in pieces (``1 2`` for 12);
* ``ocr_digit``: a number the OCR engine was unsure of (a ``doubt`` token) is not taken as
  read: its cell is open, like a lost one, and only the identities can give it a value.

Every alignment is solved against the template's identities (with counts never negative). A
cell gets a value only when every alignment consistent with the identities gives it the same
value; each such cell is listed as a :class:`~govreports.records.Repair` with its evidence.
Otherwise it stays null with status ``lost``.
"""

from __future__ import annotations

import itertools
import math
from dataclasses import dataclass
from functools import lru_cache
from typing import NamedTuple

from govreports.errors import Problem
from govreports.parse import headers, orders, table2
from govreports.parse.rows import split_printed_value
from govreports.records import CellValue, Repair
from govreports.template import SCHEMA

MAX_ALIGNMENTS_PER_ROW = 1000
MAX_RUN_SPLITS = 20000  # splits of one stream run into a row's cells (20 digits in 7 cells: 27,132)
MAX_SEARCH_NODES = 1000  # bounds the worst case (about 0.3 s) of one pathological report
NUMBER, BLANK, LOST, NOT_PRINTED, UNSURE = "number", "blank", "lost", "not_printed", "doubt"
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


@dataclass(frozen=True)
class Settlement:
    """The cells of a report after alignment and repair, with the repairs and problems.

    ``merged`` holds the cells of merged rows printed in place of their sub-rows (codes outside
    the template's codebook) and ``identities`` the identities to check, which use them.
    """

    cells: dict
    repairs: tuple
    problems: tuple
    merged: dict = None
    identities: tuple = None


# ----------------------------------------------------------------------------------------
# Alignments of one row


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


def _positional_alignment(tokens: tuple, width: int, start: int | None) -> Alignment | None:
    """Place tokens by their columns when the layout keeps columns and the table's start is known."""
    if start is None or any(t.column is None for t in tokens):
        return None
    if len({t.cell for t in tokens}) != len(tokens):
        return None
    indexes = [t.column - start for t in tokens]
    if indexes != sorted(set(indexes)) or indexes[0] < 0 or indexes[-1] >= width:
        return None
    by_index = dict(zip(indexes, tokens))
    slots = tuple(_slot(by_index[i]) if i in by_index else Slot(LOST) for i in range(width))
    return Alignment(slots, frozenset({"lost_cell"}))


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


def row_alignments(tokens: tuple, width: int, start: int | None = None, *, whole: bool = False) -> list:
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
    positional = _positional_alignment(tokens, width, start) if len(tokens) < width else None
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


# ----------------------------------------------------------------------------------------
# Solving identities


def propagate(known: dict, unknown: set, identities: tuple) -> dict | None:
    """Solve what the identities fix (counts are never negative); None if they cannot all hold.

    ``known`` maps codes to numbers (blank cells as 0), ``unknown`` holds the codes still open.
    Returns a new dict of every code solved, or None on a contradiction.
    """
    known, unknown = dict(known), set(unknown)
    changed = True
    while changed:
        changed = False
        for identity in identities:
            outcome = _solve_one(identity, known, unknown)
            if outcome is None:
                return None
            if outcome:
                known.update(outcome)
                unknown.difference_update(outcome)
                changed = True
    return known


def _extend(solved: dict, unknown: set, new: dict, identities: tuple, touching: dict) -> tuple | None:
    """Add ``new`` values to a fixpoint of :func:`propagate`; return the new ``(solved, unknown)``.

    Only the identities touching a newly known cell can change or fail, so only they are solved
    again (and those touching what they solve): the same fixpoint as propagating from scratch,
    at a fraction of the cost. None on a contradiction (a value the identities already fixed
    otherwise, or an identity that cannot hold). ``touching`` is
    :func:`_identities_touching` of ``identities``.
    """
    if any(code in solved and abs(solved[code] - value) > 1e-9 for code, value in new.items()):
        return None
    known, unknown = {**solved, **new}, unknown.difference(new)
    pending = list(dict.fromkeys(index for code in new for index in touching.get(code, ())))
    queued = set(pending)
    while pending:
        index = pending.pop()
        queued.discard(index)
        outcome = _solve_one(identities[index], known, unknown)
        if outcome is None:
            return None
        if outcome:
            known.update(outcome)
            unknown.difference_update(outcome)
            for code in outcome:
                for other in touching.get(code, ()):
                    if other not in queued:
                        queued.add(other)
                        pending.append(other)
    return known, unknown


@lru_cache(maxsize=256)
def _identities_touching(identities: tuple) -> dict:
    """Return ``{code: indexes of the identities it appears in}``."""
    touching: dict = {}
    for index, identity in enumerate(identities):
        for code in identity.codes:
            touching.setdefault(code, []).append(index)
    return touching


def _solve_one(identity, known: dict, unknown: set) -> dict | None:
    if unknown.isdisjoint(identity.codes):  # the usual case: only a check
        gap = sum(map(known.__getitem__, identity.lhs)) - sum(map(known.__getitem__, identity.rhs))
        return {} if abs(gap) < 1e-9 else None
    lhs_open = [c for c in identity.lhs if c in unknown]
    rhs_open = [c for c in identity.rhs if c in unknown]
    lhs_known = sum(known[c] for c in identity.lhs if c not in unknown)
    rhs_known = sum(known[c] for c in identity.rhs if c not in unknown)
    if not lhs_open and not rhs_open:
        return {} if abs(lhs_known - rhs_known) < 1e-9 else None
    if lhs_open and rhs_open:
        return {}
    open_codes, gap = (lhs_open, rhs_known - lhs_known) if lhs_open else (rhs_open, lhs_known - rhs_known)
    if gap < -1e-9:
        return None
    if len(open_codes) == 1:
        return {open_codes[0]: int(gap) if float(gap).is_integer() else gap}
    if abs(gap) < 1e-9:
        return {code: 0 for code in open_codes}
    return {}


# ----------------------------------------------------------------------------------------
# Settling a report's cells


def _known_and_unknown(codes: tuple, slots: tuple) -> tuple:
    known, unknown = {}, set()
    for code, slot in zip(codes, slots):
        if slot.kind == LOST:
            unknown.add(code)
        else:
            known[code] = slot.value or 0
    return known, unknown


def _fixed_cells(reads: dict) -> tuple:
    """Return the known values of rows read as printed (one direct alignment).

    A row whose only reading joins or splits printed values is not fixed: its reading is a
    repair, kept only if the identities then hold (the search checks it like any other).
    """
    known = {}
    for codes, alignments in reads.values():
        if len(alignments) == 1 and alignments[0].is_direct:
            known.update(_known_and_unknown(codes, alignments[0].slots)[0])
    return known


@dataclass(frozen=True)
class Candidate:
    """A distinct way to read one open row.

    Holds the row's values (None where still open) and the alignments that give them.
    """

    signature: tuple
    members: tuple


def _prune(codes: tuple, alignments: list, identities: tuple) -> list:
    """Group the alignments the row's own identities allow by the row values they solve to.

    Returns one :class:`Candidate` per distinct solution: the search over rows needs one
    reading per solution, the repair record needs every alignment behind it.
    """
    own = tuple(i for i in identities if set(i.codes) <= set(codes))
    groups: dict = {}
    for alignment in alignments:
        known, unknown = _known_and_unknown(codes, alignment.slots)
        solved = propagate(known, unknown, own)
        if solved is None:
            continue
        groups.setdefault(tuple(solved.get(c) for c in codes), []).append(alignment)
    return [Candidate(signature, tuple(members)) for signature, members in groups.items()]


@dataclass
class _Search:
    """A depth-first search over the open rows' candidates, pruned by the identities.

    Rows are assigned one at a time; after each assignment the identities are propagated with
    the unassigned rows' cells open, so an impossible partial reading is dropped early. For the
    last row, the identities usually solve every cell, and the candidate with those values is
    looked up instead of trying each one.
    """

    rows: list  # [(codes, candidates)], fewest candidates first
    fixed: dict
    identities: tuple
    budget: int = MAX_SEARCH_NODES
    outcomes: list = None
    used: list = None
    agreed: dict = None
    touching: dict = None

    def run(self) -> None:
        """Fill ``outcomes`` (solved tables) and ``used`` (candidate per row, per outcome)."""
        self.outcomes, self.used = [], []
        self.touching = _identities_touching(self.identities)
        if self.budget <= 0:
            return
        self.budget -= 1
        solved = propagate(dict(self.fixed), self._open_cells(0), self.identities)
        if solved is not None:
            self._descend(0, solved, self._open_cells(0).difference(solved), ())

    def _open_cells(self, depth: int) -> set:
        return {c for codes, _ in self.rows[depth:] for c in codes}

    def _descend(self, depth: int, solved: dict, unknown: set, chosen: tuple) -> None:
        """Record a complete reading, or try each candidate of the row at ``depth``."""
        if depth == len(self.rows):
            self.outcomes.append(solved)
            self.used.append(chosen)
            self._stop_when_nothing_agrees()
            return
        codes, candidates = self.rows[depth]
        for candidate in self._matching(codes, candidates, solved, depth):
            self._visit(depth + 1, solved, unknown, candidate, chosen)

    def _visit(self, depth: int, solved: dict, unknown: set, candidate, chosen: tuple) -> None:
        """Assign ``candidate`` to the row above ``depth`` and propagate what it changes."""
        if self.budget <= 0:
            return
        self.budget -= 1
        codes = self.rows[depth - 1][0]
        row_known = _known_and_unknown(codes, candidate.members[0].slots)[0]
        extended = _extend(solved, unknown, row_known, self.identities, self.touching)
        if extended is not None:
            self._descend(depth, extended[0], extended[1], chosen + (candidate,))

    def _stop_when_nothing_agrees(self) -> None:
        """Stop as soon as the outcomes disagree on every open cell: no cell can be fixed then."""
        latest = self.outcomes[-1]
        if self.agreed is None:
            self.agreed = {c: latest.get(c) for c in self._open_cells(0) if latest.get(c) is not None}
        else:
            self.agreed = {c: v for c, v in self.agreed.items() if latest.get(c) == v}
        if not self.agreed:
            self.budget = 0

    def _matching(self, codes: tuple, candidates: list, solved: dict, depth: int) -> list:
        """Return the candidates consistent with what the identities already solve for this row."""
        values = tuple(solved.get(c) for c in codes)
        if depth < len(self.rows) - 1 or None in values:
            return candidates
        return [c for c in candidates if all(s is None or s == v for s, v in zip(c.signature, values))]


def _solve_table(reads: dict, identities: tuple) -> tuple:
    """Return ({code: value} determined uniquely, {code: set of repair kinds}, anomalies found)."""
    fixed = _fixed_cells(reads)
    fixed_codes = set(fixed)
    anomalies = tuple(
        i for i in identities
        if set(i.codes) <= fixed_codes and abs(sum(fixed[c] for c in i.lhs) - sum(fixed[c] for c in i.rhs)) > 1e-9
    )
    active = tuple(i for i in identities if i not in anomalies)
    open_rows = {r: v for r, v in reads.items() if not set(v[0]) <= fixed_codes}
    pruned = {row: _prune(codes, alignments, active) for row, (codes, alignments) in open_rows.items()}
    outcomes, used = [], {row: [] for row in open_rows}
    if all(pruned.values()):
        order = sorted(open_rows, key=lambda r: len(pruned[r]))
        search = _Search([(open_rows[r][0], pruned[r]) for r in order], fixed, active)
        search.run()
        if search.budget > 0:  # an unfinished search proves nothing
            outcomes = search.outcomes
            for chosen in search.used:
                for row, candidate in zip(order, chosen):
                    used[row].extend(candidate.members)
    determined = {**fixed, **_agreed_values(outcomes, [c for codes, _ in open_rows.values() for c in codes])}
    candidates = {r: used.get(r) or alignments for r, (_, alignments) in reads.items()}
    return determined, _repair_kinds(reads, candidates), anomalies


def _agreed_values(outcomes: list, codes: list) -> dict:
    if not outcomes:
        return {}
    agreed = {}
    for code in codes:
        values = {o.get(code, None) for o in outcomes}
        if len(values) == 1 and None not in values:
            agreed[code] = values.pop()
    return agreed


def _repair_kinds(reads: dict, candidates: dict) -> dict:
    """Return {code: repair kinds} for cells that some candidate alignment did not read as printed."""
    kinds: dict = {}
    for row, (codes, _alignments) in reads.items():
        for alignment in candidates[row]:
            for code, slot in zip(codes, alignment.slots):
                if slot.kind == LOST:
                    kinds.setdefault(code, set()).add("lost_cell" if slot.raw is None else "ocr_digit")
                elif slot.raw is not None and slot.kind == NUMBER and slot.raw != str(slot.value):
                    kinds.setdefault(code, set()).update(alignment.kinds - {"lost_cell"})
    return kinds


def _direct_cell(code: str, slot: Slot) -> CellValue:
    return CellValue(code, slot.value if slot.kind == NUMBER else None, slot.kind, slot.raw)


def settle_cells(template: str, table_read) -> Settlement:
    """Turn the rows found in a report into its cells, repairing what the identities fix."""
    problems = []
    order = headers.table3_order(template, table_read.rows, problems)
    direct = None if order else _direct_cells(template, table_read)
    if direct is not None:
        table2.finish_table2(template, table_read, direct, problems)
        return Settlement(direct, (), tuple(problems))
    cells, repairs = {}, []
    merged = tuple(sorted(table_read.merged))
    all_identities = SCHEMA.merged_identities(template, merged)
    by_table: dict = {}
    for row in SCHEMA.printed_rows(template, merged):
        read = table_read.rows.get(row.row_code)
        tokens = read.tokens if read else ()
        start = table_read.positional_starts.get(row.table)
        alignments = row_alignments(tokens, row.width, start, whole=table_read.stream)
        codes = headers.row_codes(row, order)  # bound to columns in the printed header's order
        by_table.setdefault(row.table, {})[row.row_code] = (codes, alignments, read)
    cells.update(table2.settle_table2(by_table.get("table2", {}), problems))
    table2.finish_table2(template, table_read, cells, problems)
    for table in ("table3", "table4"):
        rows = by_table.get(table, {})
        identities = tuple(i for i in all_identities if i.table == table)
        table_problems: list = []
        table_cells, table_repairs = _settle_identity_table(rows, identities, table_problems)
        if table == "table3" and not order and not table_read.stream and any(
                c.status == LOST for c in table_cells.values()):
            # Columns in the template's order, rows cut from lines: try the other value orders.
            ordered = orders.settle_by_order(template, table_read, merged, table_cells)
            if ordered is not None:
                merged, table_cells, table_repairs, table_problems = ordered
                all_identities = SCHEMA.merged_identities(template, merged)
        problems.extend(table_problems)
        cells.update(table_cells)
        repairs.extend(table_repairs)
    merged_cells = {}
    for group in SCHEMA.merged_rows(template):
        if group.row_code in merged:
            merged_cells.update({code: cells.pop(code) for code in group.codes})
            repairs.extend(_not_printed_cells(group, merged_cells, cells, problems))
    ordered = {code: cells[code] for code in SCHEMA.codes(template)}
    return Settlement(ordered, tuple(repairs), tuple(problems), merged_cells or None,
                      all_identities if merged else None)


def _not_printed_cells(group, merged_cells: dict, cells: dict, problems: list) -> list:
    """Fill the sub-rows of a merged row: null (``not_printed``), or 0 where the merged cell prints 0.

    Counts are never negative, so sub-cells that sum to a printed 0 are each 0: that is fixed
    by the identities and recorded as a repair. Any other sum leaves the sub-cells unknown.
    """
    repairs = []
    for code in group.codes:
        column = code.rsplit(".", 1)[1]
        merged = merged_cells[code]
        for sub in group.sub_rows:
            sub_code = f"table3.{sub}.{column}"
            if merged.status in (NUMBER, "repaired") and merged.value == 0:
                cells[sub_code] = CellValue(sub_code, 0, "repaired", None)
                repairs.append(Repair(sub_code, 0, "merged_row", (
                    f"{group.label} is printed as one row, without its sub-rows; its {column} cell is 0 and "
                    f"counts are never negative, so each sub-row's {column} cell is 0")))
            else:
                cells[sub_code] = CellValue(sub_code, None, NOT_PRINTED, None)
    problems.append(Problem(
        "template.merged_row",
        f"table 3 prints {group.label} as one row without its sub-rows ({', '.join(group.sub_rows)}): "
        f"its cells are kept as {group.row_code}, the sub-rows' cells are not printed", "warning"))
    return repairs


def _direct_cells(template: str, table_read) -> dict | None:
    """Return the cells of a report whose every row prints exactly its cells, else None.

    The usual report: nothing to place or repair, so each token becomes its cell as printed.
    """
    cells, new_cell = {}, CellValue.fast
    for row in SCHEMA.rows(template):
        read = table_read.rows.get(row.row_code)
        if read is None:
            return None
        tokens = read.tokens
        if len(tokens) != row.width:
            # Empty grid cells past the row's last column are padding (a markdown table wider
            # than the row); anything else needs placing.
            if len(tokens) < row.width or any(t.kind != BLANK or t.text for t in tokens[row.width:]):
                return None
            tokens = tokens[:row.width]
        for code, token in zip(row.codes, tokens):
            kind, text = token.kind, token.text
            if kind == UNSURE:
                return None  # an OCR reading left to the identities
            if kind == NUMBER:
                if text[0] in "0+-" and not _valid_number_text(text.lstrip("+-")):
                    return None  # "05" is two cells run together, not a number
                cells[code] = new_cell((code, token.value, NUMBER, text))
            else:
                cells[code] = new_cell((code, None, kind, text))
    return cells


def _row_problems(rows: dict) -> list:
    """Return a problem for each row not found, and each row whose values cannot be placed."""
    problems = []
    for row_code, (codes, alignments, read) in rows.items():
        table = codes[0].split(".")[0]
        if read is None:
            problems.append(Problem(f"{table}.row_missing", f"row {row_code!r} was not found in the report"))
        elif not alignments:
            problems.append(Problem(
                "cells.unplaceable",
                f"row {read.label[-30:]!r} prints {len(read.tokens)} values for {len(codes)} cells "
                "in too many possible arrangements to place them",
            ))
    return problems


def _settled_cell(code: str, index: int, alignments: list, determined: dict, kinds: dict) -> CellValue:
    """Return one cell of a row: as printed, as a printed blank, as repaired, or lost."""
    if len(alignments) == 1 and alignments[0].is_direct:
        return _direct_cell(code, alignments[0].slots[index])
    if alignments and all(a.slots[index].kind == BLANK for a in alignments):
        return _direct_cell(code, alignments[0].slots[index])
    if code not in determined:
        return CellValue(code, None, LOST, None)
    if code not in kinds:  # every arrangement put the same printed value here
        return CellValue(code, determined[code], NUMBER, _printed_raw(alignments, index))
    return CellValue(code, determined[code], "repaired", None)


def _settle_identity_table(rows: dict, identities: tuple, problems: list) -> tuple:
    """Settle table 3 or table 4: place rows, solve the identities, list repairs and losses."""
    if all(read is not None and len(a) == 1 and a[0].is_direct for _codes, a, read in rows.values()):
        # Every row printed exactly its cells: nothing to place or repair (the usual report).
        return {code: _direct_cell(code, slot) for codes, a, _r in rows.values() for code, slot in zip(codes, a[0].slots)}, []
    problems.extend(_row_problems(rows))
    reads = {r: (codes, alignments) for r, (codes, alignments, _read) in rows.items()}
    determined, kinds, _anomalies = _solve_table(reads, identities)
    cells, repairs, names = {}, [], _identity_names(identities)
    for codes, alignments, read in rows.values():
        printed = None  # the row's evidence, written once for all its repaired cells
        for index, code in enumerate(codes):
            cell = _settled_cell(code, index, alignments, determined, kinds)
            cells[code] = cell
            if cell.status == "repaired":
                printed = printed or _row_printed(code, read, len(codes))
                repairs.append(_repair_record(code, cell.value, kinds[code], printed, names))
    repairs = _keep_repairs_that_hold(cells, repairs, identities, problems)
    lost = [c for c, v in cells.items() if v.status == LOST]
    if lost:
        problems.append(Problem(
            "cells.lost",
            f"{len(lost)} cell(s) could not be read and no identity fixes them: {', '.join(lost[:8])}"
            + (" ..." if len(lost) > 8 else ""),
        ))
    return cells, repairs


def _keep_repairs_that_hold(cells: dict, repairs: list, identities: tuple, problems: list) -> list:
    """Drop every repair an identity it appears in then fails: its cell goes back to lost.

    A repair's evidence names the identities that fix it; a repaired value under which one of
    them fails was no repair (a wrong join or split), so it is never kept.
    """
    numbers = {code: None if cell.status == LOST else cell.value or 0 for code, cell in cells.items()}
    failing = set()
    for identity in identities:
        lhs = [numbers.get(c) for c in identity.lhs]
        rhs = [numbers.get(c) for c in identity.rhs]
        if None not in lhs and None not in rhs and abs(sum(lhs) - sum(rhs)) > 1e-9:
            failing.update(identity.codes)
    kept = []
    for repair in repairs:
        if repair.code in failing:
            cells[repair.code] = CellValue(repair.code, None, LOST, None)
            problems.append(Problem("repair.rejected", f"{repair.code}: the reading {repair.value} "
                                    f"({repair.kind}) breaks an identity it appears in; the cell is left null"))
        else:
            kept.append(repair)
    return kept


@lru_cache(maxsize=16)
def _identity_names(identities: tuple) -> dict:
    """Return ``{code: the names of the identities it appears in, sorted and joined}``."""
    names: dict = {}
    for identity in identities:
        for code in identity.codes:
            names.setdefault(code, set()).add(identity.name)
    return {code: ", ".join(sorted(found)) for code, found in names.items()}


def _printed_raw(alignments: list, index: int):
    raws = {a.slots[index].raw for a in alignments}
    return raws.pop() if len(raws) == 1 else None


def _row_printed(code: str, read, width: int) -> str:
    """Return what a row printed, for the evidence of its repairs."""
    printed = " ".join(t.text for t in read.tokens) if read else ""
    label = read.label[-30:] if read else code.rsplit(".", 1)[0]
    unsure = [f"{t.text!r} (confidence {t.value:.2f})" for t in (read.tokens if read else ()) if t.kind == UNSURE]
    note = f"; the OCR engine was unsure of its reading(s) {', '.join(unsure)}" if unsure else ""
    return f"row {label!r} prints {len(read.tokens) if read else 0} value(s) [{printed}] for {width} cells{note}"


def _repair_record(code: str, value, kinds: set, printed: str, identity_names: dict) -> Repair:
    kind = "ocr_digit" if "ocr_digit" in kinds else (min(kinds) if kinds else "lost_cell")
    names = identity_names.get(code) or "the identities"
    evidence = f"{printed}; every placement consistent with {names} gives {code} = {value}"
    return Repair(code, value, kind, evidence)
