"""Read who published a report, for which year, and where the agency sits.

:func:`extract_metadata` reads the title (or, failing that, the body's signature, compiler or
contact sentences) for the agency and the statistics year, the head and the signature for the
publication date, and resolves the agency's jurisdiction with ``cpca``. Only the first
``HEAD_LINES`` and the last ``TAIL_LINES`` non-blank lines are scanned, so the cost does not
grow with the report. Every Chinese word matched lives in :mod:`govreports.schema.metadata_terms`.

When a place name in the agency is not a real one (an OCR misreading), the closest real name of
the same length with one character different is taken from cpca's own division table, if it is
the only one (or the only one consistent with the places the text names); ``notes`` says so.
"""

from __future__ import annotations

import csv
import io
import logging
import re
from collections import Counter
from dataclasses import dataclass, replace
from datetime import date
from functools import cache, lru_cache
from importlib import resources
from itertools import islice

from govreports.records import Metadata
from govreports.schema import metadata_terms as terms

log = logging.getLogger(__name__)

# How much of a report is read: titles sit at the top, signatures at the bottom.
HEAD_LINES = 40
TAIL_LINES = 15
HEAD_CHARS = 6000
TAIL_CHARS = 2000
TITLE_MAX_CHARS = 80
MAX_NAME_CHARS = 48
MAX_DATE_LINE_CHARS = 200
# Disclosure reports exist from the 2008 regulations on.
MIN_YEAR, MAX_YEAR = 2007, 2100
# Shorter place tokens ("城区") are too often ordinary words to correct.
MIN_FUZZY_TOKEN = 3

RANK_PROVINCE, RANK_PREFECTURE, RANK_COUNTY = 0, 1, 2
LEVELS = ("province", "prefecture", "county")

_REPORT_RE = re.compile(terms.REPORT_PHRASE)
_YEAR_RE = re.compile(terms.YEAR_PHRASE)
_LEAD_JUNK_RE = re.compile(terms.TITLE_LEAD_JUNK)
_TRAIL_JUNK_RE = re.compile(terms.NAME_TRAIL_JUNK)
_REMARK_RE = re.compile(terms.TRAILING_REMARK)
_ABOUT_RE = re.compile(terms.ABOUT)
_SELF_REFERENCE_RE = re.compile(terms.SELF_REFERENCE)
_AGENCY_NAME_RE = re.compile(terms.AGENCY_NAME)
_GOVERNMENT_REST_RE = re.compile(terms.GOVERNMENT_REST)
_GOVERNMENT_END_RE = re.compile(terms.GOVERNMENT_NAME_END)
_TOWNSHIP_RE = re.compile(terms.TOWNSHIP_REST)
_SUB_UNIT_RE = re.compile(terms.SUB_UNIT_SUFFIX)
_COMPILED_BY_RE = re.compile(terms.COMPILED_BY)
_CONTACT_RE = re.compile(terms.CONTACT_LINE)
_ENQUIRY_RE = re.compile(terms.ENQUIRY)
_PUBLISHER_RE = re.compile(terms.PUBLISHER)
_PERIOD_RE = re.compile(terms.STATISTICS_PERIOD)
_STATISTICS_YEAR_RE = re.compile(terms.STATISTICS_YEAR)
_LABELLED_DATE_RES = tuple(re.compile(terms.PUBLISHED_LABEL + d) for d in (terms.NUMERIC_DATE, terms.CHINESE_DATE))
_LEADING_DATE_RE = re.compile("^" + terms.NUMERIC_DATE + terms.DATE_LINE_FOLLOWERS, re.MULTILINE)
_TRAILING_DATE_RES = tuple(re.compile(d + r"$") for d in (terms.NUMERIC_DATE, terms.CHINESE_DATE))
_ADMIN_SUFFIX_RE = re.compile(terms.ADMIN_SUFFIX)
_PLACE_TOKEN_RE = re.compile(terms.PLACE_TOKEN)
_SPACES_RE = re.compile(r"\s+")
_HAN_RE = re.compile(f"[{terms.HAN}]")
_RANK_BY_LEAD = dict(terms.RANK_BY_LEAD)


@dataclass(frozen=True)
class _Window:
    """The parts of a report metadata is read from: non-blank head and tail lines, joined."""

    head: tuple
    tail: tuple
    context: str


@dataclass(frozen=True)
class _Title:
    name: str | None
    year: int | None


@dataclass(frozen=True)
class _Place:
    """A cpca match in a name: the division, the text after it, whether a parent was written."""

    adcode: str
    rest: str
    parent_named: bool


@dataclass(frozen=True)
class _Resolution:
    """An agency with its jurisdiction; ``rest`` is None when the place came from the body text."""

    agency: str | None = None
    adcode: str | None = None
    rest: str | None = None
    notes: tuple = ()


@dataclass(frozen=True)
class _Divisions:
    """cpca's division table: names by 6-digit adcode, adcodes by name, one-character-off keys."""

    names: dict
    by_name: dict
    near: dict


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
    resolution = _resolve(name, window.context) if name else _Resolution()
    year, year_notes = _year(title, window)
    adcode = resolution.adcode
    province, prefecture, county = _jurisdiction(adcode) if adcode else (None, None, None)
    return Metadata(
        agency=resolution.agency,
        year=year,
        published=_published(window),
        province=province,
        prefecture=prefecture,
        county=county,
        adcode=adcode,
        level=_level(resolution),
        kind=_kind(resolution),
        notes=name_notes + resolution.notes + year_notes,
    )


# --- reading window -----------------------------------------------------------------------


def _window(text: str) -> _Window:
    head = tuple(islice(_non_blank(text[:HEAD_CHARS].split("\n")), HEAD_LINES))
    tail_lines = text[-TAIL_CHARS:].split("\n")
    if len(text) > TAIL_CHARS:
        tail_lines = tail_lines[1:]  # the first piece is a line cut in the middle
    tail = tuple(_non_blank(tail_lines))[-TAIL_LINES:]
    return _Window(head, tail, "\n".join(head + tail))


def _non_blank(lines: list):
    return (s for s in (line.strip() for line in lines) if s)


def _compact(line: str) -> str:
    """The line without spaces and leading markdown or brackets, as titles are compared."""
    return _LEAD_JUNK_RE.sub("", _SPACES_RE.sub("", line))


# --- title --------------------------------------------------------------------------------


def _find_title(head: tuple) -> _Title | None:
    for index, line in enumerate(head):
        if not any(key in line for key in terms.TITLE_KEYS):
            continue
        title = _parse_title_line(_compact(line))
        if title is None:
            continue
        if title.name is None:
            title = replace(title, name=_neighbour_name(head, index))
        return title
    return None


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


def _neighbour_name(head: tuple, index: int) -> str | None:
    """A title split over lines: the agency on the line just above or below it."""
    for neighbour in (index - 1, index + 1):
        if 0 <= neighbour < len(head):
            name = _clean_name(_compact(head[neighbour]))
            if name and _looks_like_agency(name, minimum=3) and _cpca_place(name) is not None:
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


def _pattern_finder(pattern: re.Pattern, keys: tuple):
    """A finder running ``pattern`` over the window, only when one of ``keys`` occurs in it."""

    def find(window: _Window) -> str | None:
        if not any(key in window.context for key in keys):
            return None
        for match in pattern.finditer(window.context):
            name = _body_candidate(match.group("name"))
            if name:
                return name
        return None

    return find


def _body_candidate(raw: str) -> str | None:
    """A body-text name, kept only if it looks like an agency and names a real place."""
    name = _SUB_UNIT_RE.sub("", _clean_name(raw))
    if not _looks_like_agency(name, minimum=4) or _cpca_place(name) is None:
        return None
    return name


# In order of trust: the report naming itself, its signature, its publisher, compiler, contacts.
_BODY_FINDERS = (
    ("self-reference", _pattern_finder(_SELF_REFERENCE_RE, terms.SELF_REFERENCE_KEYS)),
    ("signature", _signature_name),
    ("publisher", _pattern_finder(_PUBLISHER_RE, terms.PUBLISHER_KEYS)),
    ("compiled by", _pattern_finder(_COMPILED_BY_RE, terms.COMPILED_BY_KEYS)),
    ("contact line", _pattern_finder(_CONTACT_RE, terms.CONTACT_KEYS)),
    ("enquiries", _pattern_finder(_ENQUIRY_RE, terms.ENQUIRY_KEYS)),
)


# --- year ---------------------------------------------------------------------------------


def _year(title: _Title | None, window: _Window) -> tuple:
    """The statistics year and a note when it was not read from the title."""
    if title is not None and title.year is not None:
        return title.year, ()
    for source, pattern in (("statistics period", _PERIOD_RE), ("statistics year", _STATISTICS_YEAR_RE),
                            ("self-reference", _SELF_REFERENCE_RE)):
        for match in pattern.finditer(window.context):
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


# --- jurisdiction ---------------------------------------------------------------------------


def _resolve(name: str, context: str) -> _Resolution:
    """The agency's division from its name (OCR-corrected, disambiguated), else from the text."""
    place = _cpca_place(name)
    if place is None or _rank(place.adcode) < RANK_COUNTY:
        corrected = _ocr_corrected(name, place, context)
        if corrected is not None:
            return _completed(corrected)
    if place is None:
        return _completed(_place_from_text(name, context))
    if _rank(place.adcode) == RANK_COUNTY and not place.parent_named:
        return _completed(_disambiguated(name, place, context))
    return _completed(_Resolution(name, place.adcode, place.rest))


def _completed(resolution: _Resolution) -> _Resolution:
    """A place named alone becomes its government: "葫芦岛市连山区" -> "葫芦岛市连山区人民政府"."""
    agency, rest = resolution.agency, resolution.rest
    if agency is None:
        return resolution
    place_only = _is_town_only(agency) if rest is None else (rest == "" or _is_town_only(rest))
    if not place_only:
        return resolution
    suffix = terms.SUBDISTRICT_OFFICE if agency.endswith(terms.SUBDISTRICT) else terms.GOVERNMENT
    return replace(resolution, agency=agency + suffix, rest=None if rest is None else rest + suffix)


def _is_town_only(rest: str) -> bool:
    match = _TOWNSHIP_RE.match(rest)
    return match is not None and match.group("town") == rest and _is_town(match.group("town"))


def _is_town(town: str) -> bool:
    return not any(c in terms.NOT_TOWN_CHARS for c in town)


def _disambiguated(name: str, place: _Place, context: str) -> _Resolution:
    """A county name shared by several divisions, written without its parent: ask the text."""
    divisions = _divisions()
    county = divisions.names.get(place.adcode)
    same = divisions.by_name.get(county, ())
    if len(same) < 2:
        return _Resolution(name, place.adcode, place.rest)
    chosen = _choose_by_context(same, context)
    if chosen is None:
        note = f"{county} names {len(same)} divisions and the text does not tell which: kept cpca's {place.adcode}"
        return _Resolution(name, place.adcode, place.rest, (note,))
    note = f"{county} names {len(same)} divisions: chose {chosen} from the places the text names"
    return _Resolution(name, chosen, place.rest, (note,))


def _ocr_corrected(name: str, place: _Place | None, context: str) -> _Resolution | None:
    """Replace a place token that is no real place by the best real name one character off."""
    start = _token_start(name, place)
    match = _PLACE_TOKEN_RE.match(name[start:])
    if match is None:
        return None
    token = match.group("token")
    if len(token) < MIN_FUZZY_TOKEN or token.endswith(terms.NOT_PLACE_ENDS):
        return None
    scope = "" if place is None else place.adcode[:2 * (_rank(place.adcode) + 1)]
    candidates = tuple(c for c in _near_names(token) if c.startswith(scope) and _rank(c) > _rank_or_none(place))
    chosen = _choose_by_context(candidates, context, token)
    if chosen is None:
        log.debug("place token %s: %d candidates, none preferred", token, len(candidates))
        return None
    return _corrected_resolution(name, start, token, chosen)


def _corrected_resolution(name: str, start: int, token: str, chosen: str) -> _Resolution | None:
    fixed = _divisions().names[chosen]
    corrected = _cpca_place(name[:start] + fixed + name[start + len(token):])
    if corrected is None or corrected.adcode != chosen:
        return None
    if _same_stem(fixed, token):
        # "宁乡市" for cpca's "宁乡县": a division renamed since cpca's table; the name is right.
        note = f"place name {token} is not in cpca's table: taken as {fixed} ({chosen}), renamed since"
        return _Resolution(name, chosen, corrected.rest, (note,))
    note = f"place name {token} is no real division: read as {fixed} ({chosen}), one character differs (OCR)"
    return _Resolution(name[:start] + fixed + name[start + len(token):], chosen, corrected.rest, (note,))


def _same_stem(name: str, token: str) -> bool:
    """Names that differ only in their division suffix (县/市/区...)."""
    return len(name) == len(token) > 1 and name[:-1] == token[:-1] and name != token


def _token_start(name: str, place: _Place | None) -> int:
    if place is not None:
        return len(name) - len(place.rest)
    for prefix in terms.ORG_PREFIXES:
        if name.startswith(prefix):
            return len(prefix)
    return 0


def _rank_or_none(place: _Place | None) -> int:
    return -1 if place is None else _rank(place.adcode)


def _near_names(token: str) -> tuple:
    """Adcodes of real division names of the token's length that differ from it in one character."""
    near = _divisions().near
    found = []
    for index in range(len(token)):
        for adcode in near.get(token[:index] + "\0" + token[index + 1:], ()):
            if adcode not in found:
                found.append(adcode)
    return tuple(found)


def _choose_by_context(candidates: tuple, context: str, token: str = "") -> str | None:
    """The only candidate, or the unique best: named (with its parents) in the text, then same stem."""
    if len(candidates) == 1:
        return candidates[0]
    names = _divisions().names
    # Evidence in the text outweighs the suffix-only tie-break.
    scored = [(2 * _context_score(c, context) + _same_stem(names.get(c, ""), token), c) for c in candidates]
    best = max((score for score, _ in scored), default=0)
    winners = [c for score, c in scored if score == best]
    return winners[0] if best > 0 and len(winners) == 1 else None


def _context_score(adcode: str, context: str) -> int:
    names = _divisions().names
    own = names.get(adcode, "")
    prefecture = names.get(adcode[:4] + "00", "") if _rank(adcode) == RANK_COUNTY else ""
    province = names.get(adcode[:2] + "0000", "")
    score = 4 if own and own in context else 0
    if prefecture and not _is_placeholder(adcode[:4] + "00") and _mentions(prefecture, context):
        score += 2
    if province and _rank(adcode) > RANK_PROVINCE and _mentions(province, context):
        score += 1
    return score


def _mentions(name: str, context: str) -> bool:
    return name in context or _short_name(name) in context


@lru_cache(maxsize=4096)
def _short_name(name: str) -> str:
    special = getattr(getattr(_cpca(), "Matcher", None), "special_abbre", {})
    return special.get(name) or _ADMIN_SUFFIX_RE.sub("", name) or name


def _place_from_text(name: str, context: str) -> _Resolution:
    """A name without a place ("东塘镇人民政府", "市...局"): the division the text names most."""
    rank = _implied_rank(name)
    if rank is None:
        return _Resolution(name)
    counts = Counter(_truncated(adcode, rank) for adcode in _places_named(context) if _rank(adcode) >= rank)
    if not counts:
        return _Resolution(name)
    adcode = counts.most_common(1)[0][0]
    return _Resolution(name, adcode, None, (f"the agency's name names no place: jurisdiction {adcode} is the one the text names most",))


def _implied_rank(name: str) -> int | None:
    match = _TOWNSHIP_RE.match(name)
    if match is not None and _is_town(match.group("town")):
        return RANK_COUNTY
    return _RANK_BY_LEAD.get(name[:1])


def _truncated(adcode: str, rank: int) -> str:
    keep = 2 * (rank + 1)
    return adcode[:keep] + "0" * (6 - keep)


def _jurisdiction(adcode: str) -> tuple:
    """(province, prefecture, county) names of a division, None above its level."""
    names = _divisions().names
    rank = _rank(adcode)
    province = names.get(adcode[:2] + "0000")
    if rank == RANK_PROVINCE:
        return province, None, None
    prefecture = names.get(adcode[:4] + "00")
    if _is_municipality(adcode):
        prefecture = province  # cpca's placeholder (市辖区, 县): the municipality is the prefecture
    if rank == RANK_PREFECTURE:
        return province, prefecture, None
    return province, prefecture, names.get(adcode)


def _rank(adcode: str) -> int:
    if adcode.endswith("0000"):
        return RANK_PROVINCE
    return RANK_PREFECTURE if adcode.endswith("00") else RANK_COUNTY


def _is_municipality(adcode: str) -> bool:
    province = _divisions().names.get(adcode[:2] + "0000", "")
    return province.endswith(terms.MUNICIPALITY_END)


def _is_placeholder(adcode: str) -> bool:
    return _is_grouping_row(adcode, _divisions().names)


# --- level and kind -----------------------------------------------------------------------


def _level(resolution: _Resolution) -> str | None:
    if resolution.agency is None:
        return None
    if _is_township(resolution):
        return "township"
    return LEVELS[_rank(resolution.adcode)] if resolution.adcode else None


def _is_township(resolution: _Resolution) -> bool:
    rest = resolution.rest if resolution.rest is not None else resolution.agency
    match = _TOWNSHIP_RE.match(rest or "")
    return match is not None and _is_town(match.group("town"))


def _kind(resolution: _Resolution) -> str | None:
    agency = resolution.agency
    if agency is None:
        return None
    rest = resolution.rest
    if _is_township(resolution) or _GOVERNMENT_END_RE.search(agency):
        return "government"
    if rest is not None and _GOVERNMENT_REST_RE.match(rest):
        return "government"
    return "department"


# --- cpca -----------------------------------------------------------------------------------


@cache
def _cpca():
    """The cpca module, imported on first use: loading its matcher takes ~100 ms."""
    import cpca

    return cpca


@lru_cache(maxsize=16384)
def _cpca_place(name: str) -> _Place | None:
    """The division cpca reads in a name, or None when it finds no real one."""
    record = _cpca_record(name)
    adcode = record.get("adcode")
    if not isinstance(adcode, str) or len(adcode) != 6:
        return None
    province_named = _position(record, terms.CPCA_PROVINCE_POS) >= 0
    parent_named = province_named or _position(record, terms.CPCA_PREFECTURE_POS) >= 0
    if _is_placeholder(adcode):
        # cpca matched a grouping row's name ("县") inside the text, not a place.
        if not province_named:
            return None
        adcode = adcode[:2] + "0000"
    rest = record.get(terms.CPCA_REST)
    return _Place(adcode, rest if isinstance(rest, str) else "", parent_named)


def _cpca_record(name: str) -> dict:
    cpca = _cpca()
    one = getattr(cpca, "_get_one_addr", None)
    if one is not None:
        # The per-string function behind cpca.transform, without building a DataFrame (~400x faster).
        return one(name, True, {})
    return cpca.transform([name], pos_sensitive=True).iloc[0].to_dict()


def _position(record: dict, key: str) -> int:
    value = record.get(key, -1)
    return int(value) if isinstance(value, (int, float)) and value == value else -1


def _places_named(context: str) -> list:
    """Adcodes of the divisions cpca finds in a text, in order, grouping rows left out."""
    cpca = _cpca()
    extract = getattr(cpca, "_extract_addrs", None)
    if extract is not None:
        records = extract(context, False, {}, truncate_pos=False, new_entry_when_not_belong=True)
        adcodes = [r.get("adcode") for r in records]
    else:
        adcodes = list(cpca.transform_text_with_addrs(context)["adcode"])
    return [a for a in adcodes if isinstance(a, str) and len(a) == 6 and not _is_placeholder(a)]


@cache
def _divisions() -> _Divisions:
    """The division table cpca ships (adcodes.csv), indexed for look-ups and one-character-off matches."""
    _cpca()
    raw = resources.files("cpca.resources").joinpath("adcodes.csv").read_text(encoding="utf-8")
    names = {row["adcode"][:6]: row["name"] for row in csv.DictReader(io.StringIO(raw))}
    by_name, near = {}, {}
    for adcode, name in names.items():
        by_name.setdefault(name, []).append(adcode)
        if not _is_grouping_row(adcode, names):
            for index in range(len(name)):
                near.setdefault(name[:index] + "\0" + name[index + 1:], []).append(adcode)
    return _Divisions(names, {k: tuple(v) for k, v in by_name.items()}, {k: tuple(v) for k, v in near.items()})


def _is_grouping_row(adcode: str, names: dict) -> bool:
    """True for cpca's grouping rows (a municipality's 市辖区/县, a province's 省直辖县级行政区划)."""
    if _rank(adcode) != RANK_PREFECTURE:
        return False
    return adcode[2:4] == "90" or names.get(adcode[:2] + "0000", "").endswith(terms.MUNICIPALITY_END)
