"""Matching printed label text to the template's rows: exact labels by Aho-Corasick, garbled ones by score.

A label's *key* keeps only the characters that matter (CJK, digits, letters). A segment's label
text matches a row when one of the row's label variants is printed whole near its end, or, for
OCR-garbled and wrapped labels, by the share of the label's characters found there.
"""

from __future__ import annotations

import re
from functools import cache, lru_cache

from govreports.template import SCHEMA

_KEY_DROP = re.compile(r"[^0-9A-Za-z\u4e00-\u9fff]+")
MIN_LABEL_SCORE = 0.6
MIN_CUT_LABEL = 7  # characters of a wrapped label's first line that identify its row
CUT_LABEL_SCORE = 0.8
ITEM_CUT_SCORE = 0.99  # a wrapped label's item number and first characters ending the label text
EXACT_ONLY_LENGTH = 3  # labels this short must match exactly: fuzzy matches would be noise
TABLE4_MIN_HEADER_SHARE = 0.4  # 4 of 9: the spanning headers alone, where narrow columns print the rest vertically


def label_key(text: str) -> str:
    """Return the characters of a label that matter for matching (CJK, digits, letters)."""
    return _KEY_DROP.sub("", text)


def detect_template(text: str, year: int | None = None) -> str | None:
    """Return the template whose own labels the text prints most; break ties by the year."""
    scores = {t: sum(1 for key in _marker_keys(t) if prints_key(text, key)) for t in ("2019", "2021")}
    if scores["2019"] != scores["2021"]:
        return max(scores, key=scores.get)
    if year is not None:
        return "2019" if year <= 2020 else "2021"
    return "2021" if scores["2021"] else None


@cache
def _marker_keys(template: str) -> tuple:
    """Return the keys of the marker labels of ``template`` (the labels only it prints)."""
    return tuple(label_key(marker) for marker in SCHEMA.markers(template))


def prints_key(text: str, key: str) -> bool:
    """Return ``key in label_key(text)`` without building the key of the whole text.

    Most of the cost of detecting the template was that key. A key printed as it is is in the
    text's key; one with a character the text never prints is not; only the rest (a marker
    printed with spaces or line breaks inside it, or absent with all its characters printed
    elsewhere) needs the pattern that skips dropped characters, compiled when first needed
    (compiling all of them cost 0.1 s per process: each gap is a class over the CJK block).
    """
    if key in text:
        return True
    if not all(char in text for char in key):
        return False
    return _key_pattern(key).search(text) is not None


@cache
def _key_pattern(key: str) -> re.Pattern:
    """Return a pattern finding ``key`` where ``label_key(text)`` holds it.

    The key's characters in order with any dropped characters between them (a search starts
    only at the key's first character).
    """
    return re.compile((_KEY_DROP.pattern[:-1] + "*").join(map(re.escape, key)))


@cache
def _label_keys(labels: tuple) -> tuple:
    """Return ``(key, window length, set of key characters)`` for each label variant."""
    keys = (label_key(label) for label in labels)
    return tuple((k, len(k) + max(4, len(k) // 2), frozenset(k)) for k in keys if k)


def exact_label_match(tail: str, labels: tuple) -> bool:
    """Return True if one of the labels is printed whole near the end of the label text's key."""
    return any(key in tail[-window:] for key, window, _chars in _label_keys(labels))


def _cut_label_score(tail: str, key: str) -> float:
    """Score a label printed only up to a line wrap: the text ends with the label's first part.

    A narrow label column wraps a label every few characters (``3.危`` on the values' line, ``及“三``
    ``安全`` ``一稳`` ``定”`` below it, with the row above's wrapped tail before it): a cut as short as
    the item number and one character names its row, where the item number is printed as one
    (no digit before it). It outscores the row above, whose label the text mostly holds.
    """
    for length in range(len(key) - 1, MIN_CUT_LABEL - 1, -1):
        if tail.endswith(key[:length]):
            return max(CUT_LABEL_SCORE, length / len(key))
    if key[:1].isdigit() and not key[1:2].isdigit():
        for length in range(min(MIN_CUT_LABEL, len(key)) - 1, 1, -1):
            if tail.endswith(key[:length]) and not tail[-length - 1:-length].isdigit():
                return ITEM_CUT_SCORE
    return 0.0


def label_score(tail: str, labels: tuple) -> float:
    """Score how well the end of a segment's label text (its key) matches a row's labels (0..1).

    A label printed whole scores 1; a label cut by a line wrap (the rest printed after the
    values) scores by the share printed; otherwise the share of the label's characters found near
    the end of the text (OCR garbles characters but rarely all of them).
    """
    if exact_label_match(tail, labels):
        return 1.0
    best = 0.0
    for key, window, chars in _label_keys(labels):
        if len(key) > EXACT_ONLY_LENGTH:
            best = max(best, len(chars.intersection(tail[-window:])) / len(chars), _cut_label_score(tail, key))
    return best


def table4_score(tail: str) -> float:
    """Score how much of table 4's header the end of a label text holds (0..1)."""
    window = tail[-160:]
    headers = _label_keys(SCHEMA.table4_headers())
    return sum(key in window for key, _w, _c in headers) / len(headers)


@cache
def _automaton(template: str):
    """Return an Aho-Corasick automaton over the label keys of the template's rows (not table 4)."""
    import ahocorasick

    automaton = ahocorasick.Automaton()
    entries: dict = {}
    for index, row in enumerate(SCHEMA.alignment_rows(template)):
        for key, window, _chars in _label_keys(row.labels) if row.table != "table4" else ():
            entries.setdefault(key, []).append((index, len(key), window))
    for key, value in entries.items():
        automaton.add_word(key, value)
    automaton.make_automaton()
    return automaton


@lru_cache(maxsize=16384)
def _exact_rows(tail: str, template: str) -> frozenset:
    """Return the indexes of rows one of whose labels is printed whole near the end of ``tail``.

    Cached: the alignment and the count of table 3's copies both ask, for the same label texts.
    """
    return frozenset(index for end, entries in _automaton(template).iter(tail)
                     for index, length, window in entries if end - length + 1 >= len(tail) - window)


@lru_cache(maxsize=16384)
def _tail_key(label_text: str) -> str:
    """Return the key of the end of a segment's label text, the part that names its row."""
    return label_key(label_text)[-200:]


@lru_cache(maxsize=16384)
def _label_candidates(tail: str, template: str) -> tuple:
    """Return ``((row index, label score), ...)`` for a segment's label key (its last 200 characters).

    Cached: across a corpus the same labels are printed again and again.
    """
    exact = _exact_rows(tail, template)
    candidates = []
    for index, row in enumerate(SCHEMA.alignment_rows(template)):
        if row.table == "table4":
            share = table4_score(tail)
            score = share + 0.2 if share >= TABLE4_MIN_HEADER_SHARE else 0.0
        elif exact:
            score = 1.0 if index in exact else 0.0
        else:
            score = label_score(tail, row.labels)
            score = score if score >= MIN_LABEL_SCORE else 0.0
        if score > 0:
            candidates.append((index, score))
    return tuple(candidates)


MAX_LABEL_GAP = 2  # characters between two labels run together (a row number, a speck read as a letter)


@lru_cache(maxsize=16384)
def two_row_labels(tail: str, template: str) -> tuple | None:
    """Return ``(first, second)`` row indexes when a label text ends with two rows' labels run together.

    An OCR'd table whose rule between two label cells was lost prints one cell holding both
    rows' labels (``2.重复申请3.要求提供公开出版物``) with both rows' values after it: binding
    them all to the last label would put one row's values in the other's cells. Only labels of
    consecutive template rows count, the second ending the text and the first ending just before
    it; a group's heading followed by its first sub-row (``(四)无法提供 1.本机关...``) is how
    every report prints them, not two rows. Cached: the same label texts recur report after report.
    """
    rows = SCHEMA.alignment_rows(template)
    groups = _group_rows(template)
    found = [(end - length + 1, end, index) for end, entries in _automaton(template).iter(tail)
             for index, length, _window in entries]
    for start, end, second in found:
        if end < len(tail) - 1 - MAX_LABEL_GAP or second == 0 or rows[second - 1].row_code in groups:
            continue
        if any(index == second - 1 and start - 1 - MAX_LABEL_GAP <= other_end < start
               for _start, other_end, index in found):
            return second - 1, second
    return None


MIN_NAMING_KEY = 6  # a label key this long printed whole names its row (shorter ones recur inside others)


@lru_cache(maxsize=16384)
def table3_rows_named(tail: str, template: str) -> frozenset:
    """Return the 表三 rows (not group headings) whose label a label text prints whole, anywhere in it."""
    rows = SCHEMA.alignment_rows(template)
    groups = _group_rows(template)
    return frozenset(index for _end, entries in _automaton(template).iter(tail) for index, length, _w in entries
                     if length >= MIN_NAMING_KEY and rows[index].table == "table3"
                     and rows[index].row_code not in groups)


@cache
def _group_rows(template: str) -> frozenset:
    """Return the row codes of the template's merged groups (``(四)无法提供``): headings of sub-rows."""
    return frozenset(group.row_code for group in SCHEMA.merged_rows(template))
