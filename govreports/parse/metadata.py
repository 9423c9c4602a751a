"""Read who published a report, for which year, and where the agency sits.

:func:`extract_metadata` reads the title (or, failing that, the body's signature, compiler or
contact sentences) for the agency and the statistics year, the head and the signature for the
publication date, and resolves the agency's jurisdiction with ``cpca``. Only the first
``HEAD_LINES`` and the last ``TAIL_LINES`` non-blank lines are scanned, so the cost does not
grow with the report. Every Chinese word matched lives in :mod:`govreports.template.metadata_terms`.

When a place name in the agency is not a real one (an OCR misreading), the closest real name of
the same length with one character different is taken from cpca's own division table, if it is
the only one (or the only one consistent with the places the text names); ``notes`` says so.
"""

from __future__ import annotations

import logging
import re
from dataclasses import dataclass, replace
from datetime import date
from itertools import islice

from govreports.parse.divisions import cpca_place
from govreports.parse.places import Resolution, jurisdiction, kind_of, level_of, resolve
from govreports.parse.scope import report_scope
from govreports.records import Metadata
from govreports.template import metadata_terms as terms

log = logging.getLogger(__name__)

# How much of a report is read: titles sit at the top, signatures at the bottom.
HEAD_LINES = 40
TAIL_LINES = 15
HEAD_CHARS = 6000
TAIL_CHARS = 2000
TITLE_MAX_CHARS = 80
TITLE_WRAP_LINES = 3  # a title is printed on one line, or wrapped onto two or three
MAX_NAME_CHARS = 48
MAX_DATE_LINE_CHARS = 200
# Disclosure reports exist from the 2008 regulations on.
MIN_YEAR, MAX_YEAR = 2007, 2100


_REPORT_RE = re.compile(terms.REPORT_PHRASE)
_YEAR_RE = re.compile(terms.YEAR_PHRASE)
_LEAD_JUNK_RE = re.compile(terms.TITLE_LEAD_JUNK)
_TRAIL_JUNK_RE = re.compile(terms.NAME_TRAIL_JUNK)
_REMARK_RE = re.compile(terms.TRAILING_REMARK)
_ABOUT_RE = re.compile(terms.ABOUT)
_SELF_REFERENCE_RE = re.compile(terms.SELF_REFERENCE)
_AGENCY_NAME_RE = re.compile(terms.AGENCY_NAME)
_SUB_UNIT_RE = re.compile(terms.SUB_UNIT_SUFFIX)
_GOVERNMENT_OFFICE_RE = re.compile(terms.GOVERNMENT_OFFICE_SUFFIX)
_COMPILED_BY_RE = re.compile(terms.COMPILED_BY)
_CONTACT_RE = re.compile(terms.CONTACT_LINE)
_ENQUIRY_RE = re.compile(terms.ENQUIRY)
_PUBLISHER_RE = re.compile(terms.PUBLISHER)
_PERIOD_RE = re.compile(terms.STATISTICS_PERIOD)
_STATISTICS_YEAR_RE = re.compile(terms.STATISTICS_YEAR)
_LABELLED_DATE_RES = tuple(re.compile(terms.PUBLISHED_LABEL + d) for d in (terms.NUMERIC_DATE, terms.CHINESE_DATE))
# A date opening a line, bracketed as under some titles: "(2026年1月23日)".
_LEADING_DATE_RE = re.compile(r"^\(?" + terms.NUMERIC_DATE + r"\)?" + terms.DATE_LINE_FOLLOWERS, re.MULTILINE)
_TRAILING_DATE_RES = tuple(re.compile(d + r"$") for d in (terms.NUMERIC_DATE, terms.CHINESE_DATE))
_SPACES_RE = re.compile(r"\s+")
_HAN_RE = re.compile(f"[{terms.HAN}]")


@dataclass(frozen=True)
class _Window:
    """The parts of a report metadata is read from: non-blank head and tail lines, joined.

    ``context`` keeps the line breaks; ``flowing`` joins the lines of the head and of the tail
    without them, as sentences wrapped by a PDF's or OCR's line breaks are read.
    """

    head: tuple
    tail: tuple
    context: str
    flowing: str


@dataclass(frozen=True)
class _Title:
    name: str | None
    year: int | None


def extract_metadata(text: str, source_name: str = "") -> Metadata:
    """Read a report's agency, statistics year, publication date and jurisdiction.

    Args:
        text: the whole report, already normalised (NFKC, simplified characters).
        source_name: the file the text came from, used in log messages only.

    Returns:
        A :class:`~govreports.records.Metadata`; fields the text does not establish are None,
        and ``notes`` records how uncertain ones were decided. Never raises on odd input.
    """
    if not isinstance(text, str) or not text.strip():
        return Metadata()
    try:
        return _extract(text)
    except Exception:  # noqa: BLE001 - a metadata failure must never fail the parse
        log.warning("%s: metadata extraction failed", source_name or "<text>", exc_info=True)
        return Metadata()


def _extract(text: str) -> Metadata:
    window = _window(text)
    title = _find_title(window.head)
    name, name_notes = _agency_name(title, window)
    resolution = resolve(name, window.flowing) if name else Resolution()
    year, year_notes = _year(title, window)
    adcode = resolution.adcode
    province, prefecture, county = jurisdiction(adcode) if adcode else (None, None, None)
    level, kind = level_of(resolution), kind_of(resolution)
    return Metadata(
        agency=resolution.agency,
        agency_printed=name,
        year=year,
        published=_published(window),
        province=province,
        prefecture=prefecture,
        county=county,
        adcode=adcode,
        level=level,
        kind=kind,
        notes=name_notes + resolution.notes + year_notes,
        scope=report_scope(text, name, resolution.agency, level, kind) if resolution.agency else None,
    )


# --- reading window -----------------------------------------------------------------------


def _window(text: str) -> _Window:
    head = tuple(islice(_non_blank(text[:HEAD_CHARS].split("\n")), HEAD_LINES))
    tail_lines = text[-TAIL_CHARS:].split("\n")
    if len(text) > TAIL_CHARS:
        tail_lines = tail_lines[1:]  # the first piece is a line cut in the middle
    tail = tuple(islice(_non_blank(reversed(tail_lines)), TAIL_LINES))[::-1]
    return _Window(head, tail, "\n".join(head + tail), "".join(head) + "\n" + "".join(tail))


def _non_blank(lines: list):
    return (s for s in (line.strip() for line in lines) if s)


def _compact(line: str) -> str:
    """The line without spaces and leading markdown or brackets, as titles are compared."""
    return _LEAD_JUNK_RE.sub("", _SPACES_RE.sub("", line))


# --- title --------------------------------------------------------------------------------


def _find_title(head: tuple) -> _Title | None:
    for index, line in enumerate(head):
        if not _has_title_key(line):
            continue
        title, first = _title_ending_at(head, index)
        if title is None:
            title = _leading_title(line)
        if title is None:
            continue
        if title.name is None:
            title = replace(title, name=_neighbour_name(head, first, index))
        return title
    return None


def _leading_title(line: str) -> _Title | None:
    """The title a crawler printed at the start of the body's one line, before a space.

    "平潭综合实验区2019年政府信息公开工作年度报告 根据《条例》…": the page's heading and its text
    run on one line; the words before the first space are read as a title line of their own.
    """
    lead = line.split(None, 1)[0] if len(line) > TITLE_MAX_CHARS else ""
    return _parse_title_line(_compact(lead)) if lead and _has_title_key(lead) else None


def _has_title_key(line: str) -> bool:
    """The line holds 报告 or 年报, also letter-spaced as PDFs print big titles ("年 度 报 告")."""
    if any(key in line for key in terms.TITLE_KEYS):
        return True
    return " " in line and any(key in _SPACES_RE.sub("", line) for key in terms.TITLE_KEYS)


def _title_ending_at(head: tuple, index: int) -> tuple:
    """The title on line ``index``, or wrapped onto it from the lines above, and its first line.

    "2024年上海市科委政府信息公开工作" + "年度报告": a title wrapped over two or three lines is
    read joined when the last line alone is no title, or names no place where the joined one
    does ("淮安市洪泽区人民" + "政府2024年...").
    """
    found, found_first = None, index
    for first in range(index, max(-1, index - TITLE_WRAP_LINES), -1):
        title = _parse_title_line("".join(_compact(line) for line in head[first:index + 1]))
        if title is None:
            continue
        if title.name is not None and cpca_place(title.name) is not None:
            return title, first
        if found is None:
            found, found_first = title, first
    return found, found_first


def _parse_title_line(line: str) -> _Title | None:
    if len(line) > TITLE_MAX_CHARS or any(mark in line for mark in terms.SENTENCE_MARKS):
        return None
    phrase = _REPORT_RE.search(line)
    if phrase is None:
        return None
    year_match = _YEAR_RE.search(line)
    year = _year_value(year_match.group("year")) if year_match else None
    name = _title_name(line, phrase, year_match)
    if name is None and year is None:
        return None
    return _Title(name, year)


def _title_name(line: str, phrase: re.Match, year_match: re.Match | None) -> str | None:
    """The agency part of a title: before the year (or report phrase), else between the two."""
    cut = phrase.start()
    if year_match is not None and year_match.start() < cut:
        cut = year_match.start()
        if not _clean_name(line[:cut]):
            return _accepted_title_name(line[year_match.end():phrase.start()])
    return _accepted_title_name(line[:cut])


def _accepted_title_name(raw: str) -> str | None:
    name = _with_government_tail(_clean_name(raw))
    return name if name and _looks_like_agency(name, minimum=2) else None


def _clean_name(raw: str) -> str:
    about = _ABOUT_RE.search(raw)
    if about is not None:
        # "A关于印发B..." is about B; "B关于..." is B.
        raw = raw[about.end():] or raw[:about.start()]
    name = _TRAIL_JUNK_RE.sub("", _LEAD_JUNK_RE.sub("", raw))
    return _REMARK_RE.sub("", name)


def _neighbour_name(head: tuple, first: int, last: int) -> str | None:
    """A title split over lines: the agency on the line just above or below it."""
    for neighbour in (first - 1, last + 1):
        if 0 <= neighbour < len(head):
            name = _clean_name(_compact(head[neighbour]))
            if name and _looks_like_agency(name, minimum=3) and cpca_place(name) is not None:
                return name
    return None


def _looks_like_agency(name: str, minimum: int) -> bool:
    return (
        len(name) >= minimum
        and _AGENCY_NAME_RE.match(name) is not None
        and name[-1] in terms.AGENCY_END_CHARS
        and not any(word in name for word in terms.NOT_AGENCY_WORDS)
    )


# --- agency -------------------------------------------------------------------------------


def _agency_name(title: _Title | None, window: _Window) -> tuple:
    """The agency as the report names it, and a note when it was not taken from the title."""
    if title is not None and title.name:
        return _with_government_tail(title.name), ()
    for source, finder in _BODY_FINDERS:
        name = finder(window)
        if name:
            log.debug("agency %s found in the body (%s)", name, source)
            return _with_government_tail(name), (f"agency read from the body ({source}), no title names it",)
    return None, ()


def _with_government_tail(name: str) -> str:
    """Titles sharing 政府 with 政府信息公开 leave "XX县人民": give the name its 政府 back."""
    return name + terms.GOVERNMENT_TAIL if name.endswith(terms.PEOPLES) else name


def _signature_name(window: _Window) -> str | None:
    for line in reversed(window.tail):
        compact = _SPACES_RE.sub("", line)
        if line[-1] in terms.DATE_END_CHARS:
            compact = _strip_trailing_date(compact)
        # A signature is short and ends like a name: skip sentences without running any regex.
        if len(compact) > MAX_NAME_CHARS or not compact or compact[-1] not in terms.AGENCY_END_CHARS:
            continue
        name = _body_candidate(compact)
        if name:
            return name
    return None


def _pattern_finder(pattern: re.Pattern, keys: tuple, flowing: bool = True, for_government: bool = False):
    """A finder running ``pattern`` over the window, only when one of ``keys`` occurs in it.

    Sentences are read across line breaks (``flowing``); a pattern that needs them (a contact
    line starting a line) reads the window as printed. ``for_government``: a government's
    general office that compiles the report, or answers for it, does so for its government
    (the regulations make it the government's disclosure office), so the report is the government's.
    """

    def find(window: _Window) -> str | None:
        text = window.flowing if flowing else window.context
        if not any(key in text for key in keys):
            return None
        for match in pattern.finditer(text):
            name = _body_candidate(match.group("name"))
            if name:
                return _GOVERNMENT_OFFICE_RE.sub("", name) if for_government else name
        return None

    return find


def _body_candidate(raw: str) -> str | None:
    """A body-text name, kept only if it looks like an agency and names a real place."""
    name = _SUB_UNIT_RE.sub("", _clean_name(raw))
    if not _looks_like_agency(name, minimum=4) or cpca_place(name) is None:
        return None
    return name


# In order of trust: the report naming itself, its signature, its publisher, compiler, contacts.
_BODY_FINDERS = (
    ("self-reference", _pattern_finder(_SELF_REFERENCE_RE, terms.SELF_REFERENCE_KEYS)),
    ("signature", _signature_name),
    ("publisher", _pattern_finder(_PUBLISHER_RE, terms.PUBLISHER_KEYS, flowing=False)),
    ("compiled by", _pattern_finder(_COMPILED_BY_RE, terms.COMPILED_BY_KEYS, for_government=True)),
    ("contact line", _pattern_finder(_CONTACT_RE, terms.CONTACT_KEYS, flowing=False, for_government=True)),
    ("enquiries", _pattern_finder(_ENQUIRY_RE, terms.ENQUIRY_KEYS, for_government=True)),
)


# --- year ---------------------------------------------------------------------------------


def _year(title: _Title | None, window: _Window) -> tuple:
    """The statistics year and a note when it was not read from the title."""
    if title is not None and title.year is not None:
        return title.year, ()
    for source, pattern in (("statistics period", _PERIOD_RE), ("statistics year", _STATISTICS_YEAR_RE),
                            ("self-reference", _SELF_REFERENCE_RE)):
        for match in pattern.finditer(window.flowing):
            year = _year_value(match.group("year"))
            if year is not None:
                return year, (f"year read from the body ({source})",)
    return None, ()


def _year_value(raw: str) -> int | None:
    digits = raw if raw.isdigit() else _chinese_digits(raw)
    year = int(digits) if digits and digits.isdigit() else None
    return year if year is not None and MIN_YEAR <= year <= MAX_YEAR else None


def _chinese_digits(raw: str) -> str:
    return "".join(str(terms.CN_DIGITS.index(c)) if c in terms.CN_DIGITS else "0" if c == terms.CN_ZERO_ALT else c
                   for c in raw)


def _chinese_number(raw: str) -> int | None:
    """A month or day written as characters: 一, 十, 十二, 二十, 三十一."""
    if terms.CN_TEN not in raw:
        return int(_chinese_digits(raw)) if _chinese_digits(raw).isdigit() else None
    tens, _, units = raw.partition(terms.CN_TEN)
    tens_value = int(_chinese_digits(tens)) if tens else 1
    units_value = int(_chinese_digits(units)) if units else 0
    return tens_value * 10 + units_value


# --- publication date -----------------------------------------------------------------------


def _published(window: _Window) -> str | None:
    """The stated publication date: a labelled or leading date in the head, else the signature's."""
    # Date lines are short: long paragraphs are not worth a scan.
    head = "\n".join(line for line in window.head if len(line) <= MAX_DATE_LINE_CHARS)
    found = _labelled_date(head) or _leading_date(head)
    if found:
        return found
    for line in reversed(window.tail):
        if line[-1] not in terms.DATE_END_CHARS:
            continue
        compact = _SPACES_RE.sub("", line)
        found = _trailing_date(compact)
        if found and _is_signature_prefix(_strip_trailing_date(compact)):
            return found
    return None


def _labelled_date(head: str) -> str | None:
    if not any(key in head for key in terms.PUBLISHED_KEYS):
        return None
    for pattern in _LABELLED_DATE_RES:
        for match in pattern.finditer(head):
            found = _date_text(match) if _is_publication_label(head, match.start()) else None
            if found:
                return found
    return None


def _is_publication_label(text: str, start: int) -> bool:
    """发布时间, 成文日期, a bare 日期: yes; 归档时间, 统计日期, a bare 时间: no."""
    before = text[max(0, start - 2):start]
    if before in terms.PUBLISHED_PREFIXES:
        return True
    bare_date = text.startswith(terms.BARE_DATE_LABEL, start)
    return bare_date and not (before and _HAN_RE.match(before[-1]))


def _leading_date(head: str) -> str | None:
    for match in _LEADING_DATE_RE.finditer(head):
        found = _date_text(match)
        if found:
            return found
    return None


def _trailing_date(compact: str) -> str | None:
    for pattern in _TRAILING_DATE_RES:
        match = pattern.search(compact)
        if match:
            return _date_text(match)
    return None


def _strip_trailing_date(compact: str) -> str:
    for pattern in _TRAILING_DATE_RES:
        match = pattern.search(compact)
        if match:
            return compact[:match.start()]
    return compact


def _is_signature_prefix(prefix: str) -> bool:
    """A date closes a signature when it stands alone or after a bare name, not in a sentence."""
    return not prefix or _looks_like_agency(prefix, minimum=2)


def _date_text(match: re.Match) -> str | None:
    year = _year_value(match.group("y"))
    month, day = (_chinese_number(match.group(g)) if not match.group(g).isdigit() else int(match.group(g))
                  for g in ("m", "d"))
    if year is None or month is None or day is None:
        return None
    try:
        return date(year, month, day).isoformat()
    except ValueError:
        return None
