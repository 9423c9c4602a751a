"""Where an agency sits: its jurisdiction, administrative level and kind, resolved with ``cpca``.

:func:`resolve` finds the agency's place in cpca's division table (tolerating an OCR-misread
place name when exactly one real name fits), :func:`jurisdiction` names its province, prefecture
and county, and :func:`level` and :func:`kind` classify it. Every Chinese word matched lives in
:mod:`govreports.template.metadata_terms`.
"""

from __future__ import annotations

import logging
import re
from collections import Counter
from dataclasses import dataclass, replace
from functools import cache

from govreports.parse.divisions import (
    MAX_DIVISION_NAME,
    PROVINCE_ADMINISTERED,
    RANK_COUNTY,
    RANK_PREFECTURE,
    RANK_PROVINCE,
    _cpca_record,
    _divisions,
    _is_grouping_row,
    _is_municipality,
    _is_placeholder,
    _one_stroke_apart,
    _Place,
    _places_named,
    _position,
    _rank,
    _short_name,
    _template_csv,
    cpca_place,
)
from govreports.template import metadata_terms as terms

log = logging.getLogger(__name__)

MIN_FUZZY_TOKEN = 3  # shorter place tokens ("城区") are too often ordinary words to correct
LEVELS = ("province", "prefecture", "county")
_GOVERNMENT_REST_RE = re.compile(terms.GOVERNMENT_REST)
_GOVERNMENT_END_RE = re.compile(terms.GOVERNMENT_NAME_END)
_TOWNSHIP_RE = re.compile(terms.TOWNSHIP_REST)
_PLACE_TOKEN_RE = re.compile(terms.PLACE_TOKEN)
_HAN_ONLY_RE = re.compile(f"^[{terms.HAN}]+$")
_RANK_BY_LEAD = dict(terms.RANK_BY_LEAD)
_ZONE_RE = re.compile(terms.ZONE)
_ZONE_GOVERNMENT_RE = re.compile(terms.ZONE_GOVERNMENT_REST)
MAX_FULL_NAME = 20  # characters after the place that a spelled-out department name may take
MAX_OCCURRENCES = 20  # occurrences of a name looked at in the text, for its place


@dataclass(frozen=True)
class Resolution:
    """An agency with its jurisdiction; ``rest`` is None when the place came from the body text."""

    agency: str | None = None
    adcode: str | None = None
    rest: str | None = None
    notes: tuple = ()


# --- jurisdiction ---------------------------------------------------------------------------


def resolve(name: str, context: str) -> Resolution:
    """The agency's division from its name (OCR-corrected, disambiguated), else from the text.

    The agency comes back under its full official name: a printed short form (上海市科委) is
    spelled out as the text spells it, else from the vocabulary of short forms; ``notes`` say so.
    """
    return expanded(_resolved(name, context), context)


def _resolved(name: str, context: str) -> Resolution:
    place = cpca_place(name)
    if place is not None and _rank(place.adcode) == RANK_COUNTY and place.rest and \
            place.rest[0] in terms.DIVISION_SUFFIXES:
        renamed = _renamed_county(name, place, context)
        if renamed is not None:
            return _completed(renamed)
    if place is None or _rank(place.adcode) < RANK_COUNTY:
        newer = _newer_division(name, place, context)
        if newer is not None:
            return _completed(newer)
        corrected = _ocr_corrected(name, place, context)
        if corrected is not None:
            return _completed(corrected)
        zone = _zone_resolution(name, place, context)
        if zone is not None:
            return zone
    if place is None:
        return _completed(_place_from_text(name, context))
    if _rank(place.adcode) == RANK_COUNTY and not place.parent_named:
        return _completed(_disambiguated(name, place, context))
    return _completed(Resolution(name, place.adcode, place.rest))


def _completed(resolution: Resolution) -> Resolution:
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


def _disambiguated(name: str, place: _Place, context: str) -> Resolution:
    """A county name shared by several divisions, written without its parent: ask the text."""
    divisions = _divisions()
    county = divisions.names.get(place.adcode)
    same = divisions.by_name.get(county, ())
    if len(same) < 2:
        return Resolution(name, place.adcode, place.rest)
    chosen = _choose_by_context(same, context)
    if chosen is None:
        note = f"{county} names {len(same)} divisions and the text does not tell which: kept cpca's {place.adcode}"
        return Resolution(name, place.adcode, place.rest, (note,))
    note = f"{county} names {len(same)} divisions: chose {chosen} from the places the text names"
    return Resolution(name, chosen, place.rest, (note,))


def _ocr_corrected(name: str, place: _Place | None, context: str) -> Resolution | None:
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
    names = _divisions().names
    # OCR misreads a character as one of a similar shape: the names one stroke away, or renamed
    # since cpca's table (宁乡市 for 宁乡县). Any other name one character off (坪山区, newer than
    # the table, is not 南山区) only where the text writes that name itself.
    near = tuple(c for c in candidates if _one_stroke_apart(token, names[c]) or _same_stem(names[c], token))
    written = tuple(c for c in candidates if c not in near and names[c] in context)
    chosen = _choose_by_context(near or written, context, token)
    if chosen is None:
        log.debug("place token %s: %d candidates, none preferred", token, len(candidates))
        return None
    return _corrected_resolution(name, start, token, chosen, _one_stroke_apart(token, names[chosen]))


def _corrected_resolution(name: str, start: int, token: str, chosen: str, by_stroke: bool) -> Resolution | None:
    fixed = _divisions().names[chosen]
    corrected = cpca_place(name[:start] + fixed + name[start + len(token):])
    if corrected is None or corrected.adcode != chosen:
        return None
    if _same_stem(fixed, token):
        # "宁乡市" for cpca's "宁乡县": a division renamed since cpca's table; the name is right.
        note = f"place name {token} is not in cpca's table: taken as {fixed} ({chosen}), renamed since"
        return Resolution(name, chosen, corrected.rest, (note,))
    differs = "one character differs by one stroke" if by_stroke else "one character differs"
    note = f"place name {token} is no real division: read as {fixed} ({chosen}), {differs} (OCR)"
    return Resolution(name[:start] + fixed + name[start + len(token):], chosen, corrected.rest, (note,))


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


def _place_from_text(name: str, context: str) -> Resolution:
    """A name without a place: as the text writes it with its place, else the division it names most.

    "教育局" that the text writes as "湘阴县教育局" is 湘阴县's; "东塘镇人民政府" or "市...局"
    the text never writes with a place take the division the text names most.
    """
    written = _written_with_place(name, context)
    if written is not None:
        return written
    rank = _implied_rank(name)
    if rank is None:
        return Resolution(name)
    counts = Counter(_truncated(adcode, _rank_within(adcode, rank)) for adcode in _places_named(context)
                     if _rank(adcode) >= _rank_within(adcode, rank))
    if not counts:
        return Resolution(name)
    adcode = counts.most_common(1)[0][0]
    note = f"the agency's name names no place: jurisdiction {adcode} is the one the text names most"
    return _with_place_prefix(Resolution(name, adcode, None, (note,)))


def _written_with_place(name: str, context: str) -> Resolution | None:
    """The agency as the text writes it after a division's name ("上海市科委" for "市科委")."""
    lead = name[:1] if name[:1] in _RANK_BY_LEAD else ""
    core = name[len(lead):]
    if len(core) < 2:
        return None
    position, seen = context.find(core), 0
    while position >= 0 and seen < MAX_OCCURRENCES:
        prefix = _division_before(context, position, lead)
        full = prefix + core if prefix else None
        if full is not None and cpca_place(full) is not None:
            resolution = _resolved(full, context)
            note = f"the agency's name names no place: the text writes it {full}"
            return replace(resolution, notes=resolution.notes + (note,))
        position, seen = context.find(core, position + len(core)), seen + 1
    return None


def _division_before(context: str, end: int, lead: str) -> str:
    """The division's name (with its parent's, if written) ending at ``end``, or ""."""
    own = _division_ending_at(context, end)
    if not own or (lead and not own.endswith(lead)):
        return ""
    return _division_ending_at(context, end - len(own)) + own


def _division_ending_at(context: str, end: int) -> str:
    by_name = _divisions().by_name
    for length in range(min(end, MAX_DIVISION_NAME), 1, -1):
        candidate = context[end - length:end]
        adcodes = by_name.get(candidate, ())
        if adcodes and candidate not in terms.NOT_PLACE_ENDS and not all(map(_is_placeholder, adcodes)):
            return candidate
    return ""


def _rank_within(adcode: str, rank: int) -> int:
    """A name led by 市 is a prefecture's, or a municipality's (上海市 is a province)."""
    return RANK_PROVINCE if rank == RANK_PREFECTURE and _is_municipality(adcode) else rank


def _with_place_prefix(resolution: Resolution) -> Resolution:
    """"市科委" whose place is 上海市: "上海市科委", the place written as its own name ends."""
    name, adcode = resolution.agency, resolution.adcode
    division = _divisions().names.get(adcode, "")
    lead = name[:1]
    if lead not in _RANK_BY_LEAD or not division.endswith(lead):
        return resolution
    return replace(resolution, agency=division + name[1:], rest=name[1:])


def _implied_rank(name: str) -> int | None:
    match = _TOWNSHIP_RE.match(name)
    if match is not None and _is_town(match.group("town")):
        return RANK_COUNTY
    return _RANK_BY_LEAD.get(name[:1])


def _truncated(adcode: str, rank: int) -> str:
    keep = 2 * (rank + 1)
    return adcode[:keep] + "0" * (6 - keep)


def jurisdiction(adcode: str) -> tuple:
    """(province, prefecture, county) names of a division, None above its level."""
    names = _divisions().names
    rank = _rank(adcode)
    province = names.get(adcode[:2] + "0000")
    if rank == RANK_PROVINCE:
        return province, None, None
    prefecture = names.get(adcode[:4] + "00")
    if _is_municipality(adcode):
        prefecture = province  # cpca's placeholder (市辖区, 县): the municipality is the prefecture
    elif adcode[2:4] == PROVINCE_ADMINISTERED:
        prefecture = None  # a county-level city the province administers itself (仙桃市) has no prefecture
    if rank == RANK_PREFECTURE:
        return province, prefecture, None
    return province, prefecture, names.get(adcode)


# --- level and kind -----------------------------------------------------------------------


def level_of(resolution: Resolution) -> str | None:
    """Return ``province``, ``prefecture``, ``county`` or ``township`` for a resolved agency."""
    if resolution.agency is None:
        return None
    if _is_township(resolution):
        return "township"
    return LEVELS[_rank(resolution.adcode)] if resolution.adcode else None


def _is_township(resolution: Resolution) -> bool:
    rest = resolution.rest if resolution.rest is not None else resolution.agency
    match = _TOWNSHIP_RE.match(rest or "")
    return match is not None and _is_town(match.group("town"))


def kind_of(resolution: Resolution) -> str | None:
    """Return ``government`` (a people's government, its general office, a township) or ``department``."""
    agency = resolution.agency
    if agency is None:
        return None
    rest = resolution.rest
    if _is_township(resolution) or _GOVERNMENT_END_RE.search(agency):
        return "government"
    if rest is not None and (_GOVERNMENT_REST_RE.match(rest) or _ZONE_GOVERNMENT_RE.match(rest)):
        return "government"
    return "department"


# --- divisions newer than cpca's table -------------------------------------------------------


def _newer_division(name: str, place: _Place | None, context: str) -> Resolution | None:
    """A division cpca's table lacks, named where cpca's place ends (深圳市坪山区 -> 440310)."""
    start = _token_start(name, place)
    newer = _divisions().newer
    scope = "" if place is None else place.adcode[:2 * (_rank(place.adcode) + 1)]
    for length in range(min(len(name) - start, MAX_DIVISION_NAME), 1, -1):
        token = name[start:start + length]
        adcodes = tuple(a for a in newer.get(token, ()) if a.startswith(scope) and _rank(a) > _rank_or_none(place))
        if not adcodes:
            continue
        chosen = _choose_by_context(adcodes, context)
        if chosen is None:
            return None
        note = f"{token} is newer than cpca's table: {chosen} from the current list of divisions"
        found = Resolution(name, chosen, name[start + length:], (note,))
        if _rank(chosen) < RANK_COUNTY:
            # 那曲市色尼区: a newer prefecture, and a newer county in it.
            inner = _newer_division(name, _Place(chosen, found.rest, True), context)
            found = found if inner is None else replace(inner, notes=found.notes + inner.notes)
        return found
    return None


def _renamed_county(name: str, place: _Place, context: str) -> Resolution | None:
    """Where cpca read "海门区" as its 海门市 (a short name), leaving "区..." behind: the county renamed.

    The current division of the printed name where the newer list has it (海门区 320614, 赣县区
    360704), else cpca's with the suffix given back to the name; None where cpca read the whole
    name and the next character starts the rest ("湘阴县市场监督管理局").
    """
    divisions = _divisions()
    county_start = _position(_cpca_record(name), terms.CPCA_COUNTY_POS)
    if county_start < 0:
        return None
    end = len(name) - len(place.rest)
    printed = name[county_start:end] + place.rest[0]
    newer = tuple(a for a in divisions.newer.get(printed, ()) if a[:4] == place.adcode[:4])
    cpca_name = divisions.names.get(place.adcode, "")
    if not newer and name[:end].endswith(cpca_name):
        return None
    chosen = _choose_by_context(newer, context) if newer else None
    if chosen is not None:
        note = f"{printed} is newer than cpca's table: {chosen} from the current list of divisions"
        return Resolution(name, chosen, place.rest[1:], (note,))
    note = f"place name {printed} is not in cpca's table: taken as {cpca_name} ({place.adcode}), renamed since"
    return Resolution(name, place.adcode, place.rest[1:], (note,))


# --- development zones ----------------------------------------------------------------------


def _zone_resolution(name: str, place: _Place | None, context: str) -> Resolution | None:
    """A development zone named after its host division (平潭综合实验区 -> 平潭县), else None.

    The host is taken only where the zone's name starts with the division's own name (without
    its suffix) and one division fits, or the text tells which: never from the zone alone.
    """
    start = _token_start(name, place)
    match = _ZONE_RE.match(name[start:])
    if match is None:
        return None
    scope = "" if place is None else place.adcode[:2 * (_rank(place.adcode) + 1)]
    hosts = tuple(a for a in _zone_stems().get(match.group("stem"), ())
                  if a.startswith(scope) and _rank(a) > _rank_or_none(place))
    chosen = _choose_by_context(hosts, context)
    if chosen is not None and _contradicted(chosen, context):
        chosen = None
    rest = name[start + len(match.group("stem")):]
    if chosen is None:
        # A zone with no division of its name (两江新区): its kind is known, its place is not.
        return Resolution(name, None, rest) if place is None else None
    zone = match.group("stem") + match.group("zone")
    host = _divisions().names[chosen]
    note = f"{zone} is a development zone, no division: hosted by {host} ({chosen}), whose name it bears"
    return Resolution(name, chosen, rest, (note,))


def _contradicted(host: str, context: str) -> bool:
    """The text writes out a division of another province in full and none of the host's own.

    东湖高新区 bears the name of 南昌's 东湖区 but a report from 武汉 names 湖北省 or 武汉市.
    """
    names = _divisions().names
    province = host[:2]
    if _context_score(host, context) > 0:
        return False
    written = [a for a in _places_named(context) if names.get(a, "") in context]
    return any(a[:2] != province for a in written)


@cache
def _zone_stems() -> dict:
    """Division names without their suffix ("平潭县" -> "平潭"), the adcodes bearing each."""
    names = _divisions().names
    stems = {}
    for adcode, name in names.items():
        if len(name) > 2 and name[-1] in terms.DIVISION_SUFFIXES and not _is_grouping_row(adcode, names):
            stems.setdefault(name[:-1], []).append(adcode)
    return {stem: tuple(adcodes) for stem, adcodes in stems.items()}


# --- short forms ----------------------------------------------------------------------------


def expanded(resolution: Resolution, context: str) -> Resolution:
    """The agency under its full name where it is printed in a short form (上海市科委).

    The full name the text itself spells out after the same place wins (上海市科学技术委员会);
    else the vocabulary's (``template/agency_short_forms.csv``: the place's own form where it
    has one, as 上海市住建委, else the usual one). Other names are returned as they are.
    """
    agency, rest = resolution.agency, resolution.rest
    short = _short_form(rest) if agency and rest else None
    if short is None:
        return resolution
    prefix = agency[:len(agency) - len(rest)]
    head = rest[:len(rest) - len(short)]
    spelled = _spelled_out(prefix + head, short, context)
    full = spelled or _local_full_form(prefix, short) or _short_forms().get(short)
    if full is None:
        return resolution  # a form only some places use, and this is not one of them
    name = prefix + head + full
    source = "as the text spells it" if spelled else "from the vocabulary of short forms"
    note = f"agency printed as {agency}: {name}, {source}"
    return replace(resolution, agency=name, rest=head + full, notes=resolution.notes + (note,))


def _short_form(rest: str) -> str | None:
    """The vocabulary's short form that ``rest`` is, or ends with after a place or zone."""
    known = _known_short_forms()
    if rest in known:
        return rest
    for length in range(min(len(rest) - 1, _longest_short_form()), 1, -1):
        short = rest[-length:]
        # "XX镇政府", "XX实验区管委会": a short form after a place or zone, never inside a word
        # (and "人民政府" is no short form of itself).
        if short in known and rest[-length - 1] in terms.SHORT_FORM_AFTER and not rest.endswith(known[short]):
            return short
    return None


@cache
def _known_short_forms() -> dict:
    """Every short form of the vocabulary, with its usual (or a place's) full form."""
    forms = {short: full for (_, short), full in _local_short_forms().items()}
    forms.update(_short_forms())
    return forms


def _spelled_out(prefix: str, short: str, context: str) -> str | None:
    """The full name the text writes after ``prefix`` that ``short`` abbreviates, if any."""
    if not prefix:
        return None
    position = context.find(prefix)
    while position >= 0:
        start = position + len(prefix)
        found = _abbreviated_by(context[start:start + MAX_FULL_NAME], short)
        if found is not None:
            return found
        position = context.find(prefix, start)
    return None


def _abbreviated_by(text: str, short: str) -> str | None:
    """The shortest head of ``text`` that ends in a unit and holds ``short``'s characters in order."""
    if not text.startswith(short[0]):
        return None
    for end in range(len(short) + 1, len(text) + 1):
        candidate = text[:end]
        if not _HAN_ONLY_RE.match(candidate):
            return None
        unit = next((u for u in terms.FULL_NAME_ENDS if candidate.endswith(u)), None)
        if unit is not None and unit[0] == short[-1] and _is_subsequence(short, candidate):
            return candidate
    return None


def _is_subsequence(short: str, full: str) -> bool:
    remaining = iter(full)
    return all(char in remaining for char in short)


@cache
def _short_forms() -> dict:
    """Short form -> full form, for every place."""
    return {row["short"]: row["full"] for row in _template_csv(terms.SHORT_FORMS_CSV) if not row["place"]}


@cache
def _local_short_forms() -> dict:
    """(place, short form) -> full form where a place names a department its own way (上海市住建委)."""
    return {(row["place"], row["short"]): row["full"] for row in _template_csv(terms.SHORT_FORMS_CSV) if row["place"]}


def _local_full_form(prefix: str, short: str) -> str | None:
    """The full form of ``short`` used by the place ``prefix`` starts with, if it has its own."""
    local = _local_short_forms()
    return next((full for (place, form), full in local.items() if form == short and prefix.startswith(place)), None)


@cache
def _longest_short_form() -> int:
    return max(len(short) for short in _known_short_forms())


# --- OCR: characters of similar shape ---------------------------------------------------------


# --- cpca -----------------------------------------------------------------------------------


