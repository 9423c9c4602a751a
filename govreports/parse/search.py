"""Solving a table's identities over its rows' alignments: what every consistent placement agrees on.

:func:`propagate` solves what the identities fix (counts never negative); :func:`_solve_table`
searches the open rows' candidate readings depth-first, pruned by the identities, and keeps a
cell's value only when every outcome of the search gives the same one.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache

from govreports.parse.alignments import LOST, NUMBER

MAX_SEARCH_NODES = 1000  # bounds the worst case (about 0.3 s) of one pathological report


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


def _all_counts(values: dict) -> bool:
    """Return True when every value is a non-negative integer."""
    return all(type(v) is int and v >= 0 for v in values.values())


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
    row_codes = set(codes)
    own = tuple(i for i in identities if row_codes.issuperset(i.codes))
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
        if solved is None:
            return
        unknown = self._open_cells(0).difference(solved)
        forced = self._forced_rows(solved, unknown)
        if forced is None:
            self._descend(0, solved, unknown, ())
        else:
            depth, extended, chosen = forced
            self._descend(depth, extended[0], extended[1], chosen)

    def _forced_rows(self, solved: dict, unknown: set) -> tuple | None:
        """Assign the leading rows that have one candidate each in one step; None to go row by row.

        Such rows are in every outcome, and visiting them one at a time re-solves the identities
        along each table column once per row. Added together they reach the same fixpoint (so
        the same outcomes, and the same budget is spent) whenever that fixpoint holds and every
        value is a count (a non-negative integer): each value the row-by-row visits would
        solve is then the fixpoint's own, and none of their checks can fail. Otherwise
        (a contradiction, a negative or decimal figure) the rows are visited one at a time.
        """
        count = 0
        while count < len(self.rows) and len(self.rows[count][1]) == 1:
            count += 1
        if count < 2 or self.budget < count:
            return None
        new: dict = {}
        for codes, (candidate,) in self.rows[:count]:
            new.update(_known_and_unknown(codes, candidate.members[0].slots)[0])
        if not (_all_counts(solved) and _all_counts(new)):
            return None
        extended = _extend(solved, unknown, new, self.identities, self.touching)
        if extended is None:
            return None
        self.budget -= count  # one node per row, as the visits would have spent
        return count, extended, tuple(candidates[0] for _codes, candidates in self.rows[:count])

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


