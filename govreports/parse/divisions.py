"""cpca's division table and the lookups on it: the division a name starts with, the places a text names.

Also the table of characters one stroke apart (for OCR-misread place names). Every lookup is
cached: the same names recur across a corpus.
"""

from __future__ import annotations

import csv
import io
import re
import sys
import types
from dataclasses import dataclass
from functools import cache, lru_cache
from importlib import resources

from govreports.template import metadata_terms as terms

MAX_DIVISION_NAME = 12  # the longest division names (autonomous prefectures) have about ten characters
PROVINCE_ADMINISTERED = "90"  # the adcode's prefecture digits of 省直辖县级行政区划
RANK_PROVINCE, RANK_PREFECTURE, RANK_COUNTY = 0, 1, 2
_ADMIN_SUFFIX_RE = re.compile(terms.ADMIN_SUFFIX)


@dataclass(frozen=True)
class _Place:
    """A cpca match in a name: the division, the text after it, whether a parent was written."""

    adcode: str
    rest: str
    parent_named: bool


@dataclass(frozen=True)
class _Divisions:
    """cpca's division table: names by 6-digit adcode, adcodes by name, one-character-off keys.

    ``newer`` holds the divisions newer than cpca's table (``template/divisions_newer.csv``),
    by name; they are in ``names`` and ``by_name`` too.
    """

    names: dict
    by_name: dict
    near: dict
    newer: dict


@lru_cache(maxsize=4096)
def _short_name(name: str) -> str:
    special = getattr(getattr(_cpca(), "Matcher", None), "special_abbre", {})
    return special.get(name) or _ADMIN_SUFFIX_RE.sub("", name) or name


def _rank(adcode: str) -> int:
    if adcode.endswith("0000"):
        return RANK_PROVINCE
    return RANK_PREFECTURE if adcode.endswith("00") else RANK_COUNTY


def _is_municipality(adcode: str) -> bool:
    province = _divisions().names.get(adcode[:2] + "0000", "")
    return province.endswith(terms.MUNICIPALITY_END)


def _is_placeholder(adcode: str) -> bool:
    return _is_grouping_row(adcode, _divisions().names)


def _one_stroke_apart(token: str, name: str) -> bool:
    """True when two names of one length differ in one character, by adding, dropping or changing one stroke."""
    pairs = [(a, b) for a, b in zip(token, name) if a != b]
    if len(pairs) != 1:
        return False
    strokes = _stroke_orders()
    first, second = (strokes.get(c) for c in pairs[0])
    return first is not None and second is not None and _edit_distance_at_most_one(first, second)


def _edit_distance_at_most_one(a: str, b: str) -> bool:
    if abs(len(a) - len(b)) > 1:
        return False
    if len(a) == len(b):
        return sum(x != y for x, y in zip(a, b)) <= 1
    shorter, longer = (a, b) if len(a) < len(b) else (b, a)
    index = next((i for i, (x, y) in enumerate(zip(shorter, longer)) if x != y), len(shorter))
    return shorter[index:] == longer[index + 1:]


@cache
def _stroke_orders() -> dict:
    return {row["char"]: row["strokes"] for row in _template_csv(terms.STROKE_ORDERS_CSV)}


def _template_csv(name: str) -> list:
    raw = resources.files("govreports.template").joinpath(name).read_text(encoding="utf-8")
    return list(csv.DictReader(io.StringIO(raw)))


@cache
def _cpca():
    """The cpca module, imported on first use: loading its matcher takes ~25 ms of CPU.

    cpca reads its table of divisions through ``pkg_resources``, whose import alone costs about
    0.2 s of CPU (it scans every installed distribution): a tenth of a second or more on every
    ``govreports parse`` run. Unless something imported it already, cpca gets a stand-in that
    opens the table through :mod:`importlib.resources`, gone again once cpca has loaded.
    """
    if "pkg_resources" in sys.modules:
        import cpca

        return cpca
    stand_in = types.ModuleType("pkg_resources")
    stand_in.resource_stream = lambda package, name: resources.files(package).joinpath(name).open("rb")
    sys.modules["pkg_resources"] = stand_in
    try:
        import cpca
    finally:
        if sys.modules.get("pkg_resources") is stand_in:
            del sys.modules["pkg_resources"]
    return cpca


@lru_cache(maxsize=16384)
def cpca_place(name: str) -> _Place | None:
    """The division cpca reads in a name, or None when it finds no real one.

    A name that starts with a whole division name of its own is that division, even where cpca
    prefers a shorter name inside it (五大连池市 holds 大连, but it is not 大连市).
    """
    whole = _leading_division(name)
    if whole is not None:
        return whole
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


def _leading_division(name: str) -> _Place | None:
    """Return the division whose full name the name starts with, when cpca reads a place starting later."""
    record = _cpca_record(name)
    positions = [_position(record, key) for key in (terms.CPCA_PROVINCE_POS, terms.CPCA_PREFECTURE_POS,
                                                     terms.CPCA_COUNTY_POS)]
    found = [p for p in positions if p >= 0]
    if not found or min(found) == 0:
        return None
    by_name = _divisions().by_name
    for length in range(min(len(name), MAX_DIVISION_NAME), 1, -1):
        adcodes = [a for a in by_name.get(name[:length], ()) if not _is_placeholder(a)]
        if len(adcodes) == 1:
            return _Place(adcodes[0], name[length:], False)
    return None


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
    newer = {}
    for row in _template_csv(terms.NEWER_DIVISIONS_CSV):
        if row["adcode"] not in names:
            names[row["adcode"]] = row["name"]
            newer.setdefault(row["name"], []).append(row["adcode"])
    by_name, near = {}, {}
    for adcode, name in names.items():
        by_name.setdefault(name, []).append(adcode)
        if not _is_grouping_row(adcode, names):
            for index in range(len(name)):
                near.setdefault(name[:index] + "\0" + name[index + 1:], []).append(adcode)
    return _Divisions(names, {k: tuple(v) for k, v in by_name.items()}, {k: tuple(v) for k, v in near.items()},
                      {k: tuple(v) for k, v in newer.items()})


def _is_grouping_row(adcode: str, names: dict) -> bool:
    """True for cpca's grouping rows (a municipality's 市辖区/县, a province's 省直辖县级行政区划)."""
    if _rank(adcode) != RANK_PREFECTURE:
        return False
    return adcode[2:4] == "90" or names.get(adcode[:2] + "0000", "").endswith(terms.MUNICIPALITY_END)




RANK_NAMES = ("province", "prefecture", "county")  # the levels of :data:`govreports.template.vocabulary.LEVELS`
# Taiwan, Hong Kong and Macao: outside the mainland regulation (政府信息公开条例) the reports follow.
OUTSIDE_REGULATION = ("71", "81", "82")


def division_counts() -> dict:
    """Return how many divisions the shipped table lists at each level: ``{"province": n, ...}``.

    cpca's table with ``template/divisions_newer.csv``; grouping rows (a municipality's 市辖区, a
    province's 省直辖县级行政区划) are no divisions and are not counted, nor are divisions outside
    the mainland regulation (:data:`OUTSIDE_REGULATION`). Each division has a people's government
    that publishes an annual report: the study's count of who should report. cpca's table also keeps
    divisions merged or renamed since, so the counts are upper bounds.
    """
    names = _divisions().names
    counts = dict.fromkeys(RANK_NAMES, 0)
    for adcode in names:
        if not _is_grouping_row(adcode, names) and adcode[:2] not in OUTSIDE_REGULATION:
            counts[RANK_NAMES[_rank(adcode)]] += 1
    return counts
