"""A synthetic national corpus of disclosure annual reports, each with its answer key.

The corpus exists to measure the parser at scale where no hand-checked truth exists: every
report is drawn from a documented generative model, rendered in one of the layouts real
reports come in, and written next to an answer key in the format of the hand-checked keys
(``file, year, template, agency, province, prefecture, county, adcode, level, kind, cells,
blank``) plus ``synthetic: true``, its ``layout`` and its ``anomaly``.

Generative model (all parameters in :class:`SynthParams`; one report = one draw):

* **Agency.** A level is drawn with ``level_shares`` (most reports are county level), then a
  real division from cpca's own table (``cpca.ad_2_addr_dict``) uniformly within the level
  (a township is a made-up town under a real county). The kind is ``government`` with
  ``government_shares[level]`` (townships are always governments), else a department drawn
  from the level's department names. The name carries its place prefix as real reports do
  (湘阴县教育局, 岳阳市人民政府, 湖南省人民政府, 东塘镇人民政府 under a real county). Counties
  placed under a province directly (省直辖县级行政区划) are left out: their "prefecture" is
  not defined.
* **Volume.** New applications ``N ~ NegBin(mean=mu, size=volume_size)`` with
  ``log mu = volume_intercept + volume_level[level] + volume_kind[kind] + volume_year*(year-2019)``;
  split over the six applicant columns by a multinomial with ``applicant_shares``.
* **Carry-over and backlog.** Per applicant column, ``carried_over ~ Poisson(carried_over_rate *
  (new + 1))`` and ``carried_forward ~ Binomial(new + carried_over, carried_forward_rate)``;
  ``total_handled = new + carried_over - carried_forward``, so the balance identity holds.
* **Outcomes.** A multinomial logit over the groups disclosed (reference), denied, not_held,
  not_processed and other: ``eta_g = outcome_intercept[g] + outcome_level[g][level] +
  outcome_kind[g][kind] + outcome_region[g][region] + outcome_year[g]*(year-2019)``, with
  ``region`` the province's group (east, central, west, northeast). Within a group, rows share
  its probability by ``outcome_rows``. Each handled application of each column is one draw, so
  the outcome rows sum to ``total_handled``; the total column is the sum of the six.
* **表四.** Cases per group ``~ Poisson(table4_rates[group] * (handled + 1))``, split over
  upheld / corrected / other / pending by ``table4_results``; the total is their sum.
* **表二.** Counts drawn from Poisson / negative binomial laws by level and kind (rules only for
  province and prefecture governments, the legislating bodies). A report prints its all-zero
  表二 rows blank ("/" or an empty cell) with probability ``blank_row_share``.
* **Template.** The 2019 template for years up to 2020, the 2021 template after.
* **Anomaly.** With probability ``anomaly_rate`` one published total is off by a small amount
  (``anomaly_offsets``): the key holds the published figure and records the true one and the
  identities it breaks. Layout damage (lost cells, run-together cells) is never added to such a
  report, so that what the identities fix stays unambiguous.

Layouts (:data:`LAYOUTS`): ``pipes`` and ``lines`` (one cell per line, `` |`` padding or blank
lines), ``tabs_ocr`` (tab-separated OCR rows, garbled labels, lost cells the identities fix),
``run_together`` (one cell per line, single-digit applicant cells printed as one run
``000000``), ``markdown``, ``pdftotext`` (space-aligned, wrapped labels, page markers, a table
broken across pages with its header repeated), ``vertical`` (labels one character per line),
``html`` (rowspan/colspan grid), ``word_html`` (Word's "save as web page", values split over
``<span>`` s), ``docx`` (a Word document with merged table cells, :mod:`govreports.synth.word`),
and the plain ``tabs`` and ``spaces`` rows. No PDF layout: rendering one needs a converter
(LibreOffice) this generator does not assume; the readers' PDF fixtures are made by
``tests/data/renderings/make_renderings.py``. Every Chinese word printed comes from
:mod:`govreports.template.synth_terms`.

The module also keeps the small renderer the unit tests use (:func:`consistent_values`,
:func:`table_rows`, :func:`render`, :func:`render_rows`, :func:`replace_row`).
"""

from __future__ import annotations

import csv
import hashlib
import html
import io
import json
import math
import random
import unicodedata
from collections import Counter
from dataclasses import dataclass, field
from datetime import date, timedelta
from functools import cache
from pathlib import Path
from typing import NamedTuple

from govreports.errors import GovReportsError
from govreports.synth.word import docx_bytes
from govreports.template import SCHEMA, TABLE3_APPLICANT_COLUMNS, TABLE4_RESULT_COLUMNS
from govreports.template import synth_terms as terms
from govreports.template.vocabulary import (
    LEVELS,
    MACRO_REGION_OF_PROVINCE,
    MACRO_REGIONS,
    TABLE4_GROUPS,
)
from govreports.template.vocabulary import outcome_group as template_outcome_group

TABLE3_HEADER = terms.TABLE3_HEADER
TABLE4_HEADER = terms.TABLE4_HEADER
TABLE2_HEADERS = terms.TABLE2_HEADERS

REGIONS = MACRO_REGIONS
# The generator's outcome groups: the template's groups with both disclosure rows as one
# (disclosed) and 无法提供 as not_held.
OUTCOME_GROUPS = ("disclosed", "denied", "not_held", "not_processed", "other")
_MODEL_GROUP = {"granted": "disclosed", "partially_granted": "disclosed", "unavailable": "not_held"}
BASE_YEAR = 2019
LAST_2019_TEMPLATE_YEAR = 2020

REGION_OF_PROVINCE = MACRO_REGION_OF_PROVINCE
MUNICIPALITIES = ("11", "12", "31", "50")


def _by_level(province: float, prefecture: float, county: float, township: float) -> dict:
    return dict(zip(LEVELS, (province, prefecture, county, township)))


def _by_region(east: float, central: float, west: float, northeast: float) -> dict:
    return dict(zip(REGIONS, (east, central, west, northeast)))


@dataclass(frozen=True)
class SynthParams:
    """Parameters of the generative model (see the module docstring; treat the dicts as read-only).

    Change one with :func:`dataclasses.replace`, e.g.
    ``replace(SynthParams(), volume_year=0.2)``. Outcome coefficients are log-odds against
    the reference group ``disclosed``.
    """

    level_shares: dict = field(default_factory=lambda: _by_level(0.01, 0.09, 0.62, 0.28))
    government_shares: dict = field(default_factory=lambda: _by_level(0.05, 0.05, 0.05, 1.0))
    office_share: float = 0.15
    tax_bureau_share: float = 0.03
    prefecture_prefix_share: float = 0.25
    bare_township_share: float = 0.3
    volume_intercept: float = 0.4
    volume_level: dict = field(default_factory=lambda: _by_level(2.8, 1.5, 0.0, -1.6))
    volume_kind: dict = field(default_factory=lambda: {"government": 1.4, "department": 0.0})
    volume_year: float = 0.08
    volume_size: float = 0.6
    applicant_shares: dict = field(default_factory=lambda: dict(zip(
        TABLE3_APPLICANT_COLUMNS, (0.86, 0.07, 0.005, 0.005, 0.02, 0.04))))
    carried_over_rate: float = 0.04
    carried_forward_rate: float = 0.05
    outcome_intercept: dict = field(default_factory=lambda: {
        "denied": -2.6, "not_held": -1.1, "not_processed": -2.0, "other": -1.7})
    outcome_level: dict = field(default_factory=lambda: {
        "denied": _by_level(0.5, 0.3, 0.0, -0.4), "not_held": _by_level(-0.6, -0.3, 0.0, 0.3),
        "not_processed": _by_level(0.4, 0.2, 0.0, -0.2), "other": _by_level(0.2, 0.1, 0.0, 0.0)})
    outcome_kind: dict = field(default_factory=lambda: {
        "denied": {"government": 0.3, "department": 0.0}, "not_held": {"government": -0.4, "department": 0.0},
        "not_processed": {"government": 0.2, "department": 0.0}, "other": {"government": 0.1, "department": 0.0}})
    outcome_region: dict = field(default_factory=lambda: {
        "denied": _by_region(0.0, 0.1, 0.2, 0.2), "not_held": _by_region(0.0, 0.2, 0.3, 0.1),
        "not_processed": _by_region(0.0, -0.1, -0.2, 0.0), "other": _by_region(0.0, 0.0, 0.1, 0.1)})
    outcome_year: dict = field(default_factory=lambda: {
        "denied": -0.05, "not_held": 0.04, "not_processed": 0.06, "other": 0.02})
    outcome_rows: dict = field(default_factory=lambda: {
        "granted": 0.8, "partially_granted": 0.2,
        "denied_state_secret": 0.08, "denied_prohibited_by_law": 0.1, "denied_security_stability": 0.06,
        "denied_third_party_rights": 0.2, "denied_internal_affairs": 0.16, "denied_process_information": 0.22,
        "denied_enforcement_files": 0.1, "denied_administrative_query": 0.08,
        "unavailable_not_held": 0.75, "unavailable_needs_creation": 0.15, "unavailable_unclear": 0.1,
        "not_processed_complaint": 0.45, "not_processed_duplicate": 0.3, "not_processed_publication": 0.05,
        "not_processed_excessive": 0.1, "not_processed_confirmation": 0.1,
        "other_no_correction": 0.5, "other_fee_unpaid": 0.05, "other_other": 0.45, "other_handling": 1.0})
    table4_rates: dict = field(default_factory=lambda: {
        "reconsideration": 0.04, "litigation_direct": 0.015, "litigation_after_reconsideration": 0.006})
    table4_results: dict = field(default_factory=lambda: dict(zip(TABLE4_RESULT_COLUMNS, (0.6, 0.1, 0.18, 0.12))))
    normative_mean: dict = field(default_factory=lambda: {"government": 6.0, "department": 1.2})
    rules_mean: dict = field(default_factory=lambda: {"province": 4.0, "prefecture": 1.5})
    decisions_mean: dict = field(default_factory=lambda: {"licensing": 300.0, "penalty": 120.0, "coercion": 8.0})
    decisions_level: dict = field(default_factory=lambda: _by_level(3.0, 1.5, 1.0, 0.05))
    decisions_size: float = 0.4
    fee_share: float = 0.3
    fee_mean: float = 60.0
    blank_row_share: float = 0.2
    anomaly_offsets: tuple = (-2, -1, 1, 2)


DEFAULT_PARAMS = SynthParams()


# ============================================================================ random laws


def _poisson(rng: random.Random, lam: float) -> int:
    """Draw from Poisson(lam): multiplication of uniforms for small means, PTRS (Hoermann 1993) above."""
    if lam <= 0:
        return 0
    if lam < 30:
        limit, k, p = math.exp(-lam), 0, rng.random()
        while p > limit:
            k += 1
            p *= rng.random()
        return k
    return _poisson_ptrs(rng, lam)


def _poisson_ptrs(rng: random.Random, lam: float) -> int:
    slam, loglam = math.sqrt(lam), math.log(lam)
    b = 0.931 + 2.53 * slam
    a = -0.059 + 0.02483 * b
    invalpha = 1.1239 + 1.1328 / (b - 3.4)
    vr = 0.9277 - 3.6224 / (b - 2)
    while True:
        u, v = rng.random() - 0.5, rng.random()
        us = 0.5 - abs(u)
        k = math.floor((2 * a / us + b) * u + lam + 0.43)
        if us >= 0.07 and v <= vr:
            return k
        if k < 0 or (us < 0.013 and v > us):
            continue
        if math.log(v) + math.log(invalpha) - math.log(a / (us * us) + b) <= -lam + k * loglam - math.lgamma(k + 1):
            return k


def _neg_binomial(rng: random.Random, mean: float, size: float) -> int:
    """Draw from a negative binomial with this mean (variance mean + mean**2/size), as a gamma-Poisson mixture."""
    if mean <= 0:
        return 0
    return _poisson(rng, rng.gammavariate(size, mean / size))


def _binomial(rng: random.Random, n: int, p: float) -> int:
    return sum(rng.random() < p for _ in range(n))


def _multinomial(rng: random.Random, n: int, weights: dict) -> dict:
    keys = list(weights)
    counts = Counter(rng.choices(keys, weights=[weights[k] for k in keys], k=n)) if n else Counter()
    return {k: counts.get(k, 0) for k in keys}


# ============================================================================ agencies


@dataclass(frozen=True)
class Agency:
    """A reporting body and the jurisdiction its answer key states."""

    name: str
    province: str
    prefecture: str | None
    county: str | None
    adcode: str
    level: str
    kind: str
    region: str
    town: str | None = None
    place: str = ""


@dataclass(frozen=True)
class _Atlas:
    """cpca's divisions, grouped as the sampler needs them."""

    names: dict
    provinces: tuple
    prefectures: tuple
    counties: tuple
    county_name_counts: Counter
    town_stems: tuple


@cache
def _atlas() -> _Atlas:
    """Index cpca's division table: real provinces, prefectures and counties (grouping rows left out)."""
    import cpca

    names = {info.adcode[:6]: info.name for info in cpca.ad_2_addr_dict.values()}
    real = {a: n for a, n in names.items() if a[:2] in REGION_OF_PROVINCE}
    provinces = tuple(sorted(a for a in real if a.endswith("0000")))
    prefectures = tuple(sorted(a for a in real if not a.endswith("0000") and a.endswith("00")
                               and a[:2] not in MUNICIPALITIES and a[2:4] != "90"))
    counties = tuple(sorted(a for a in real if not a.endswith("00") and a[2:4] != "90"
                            and real[a] != terms.GROUPING_COUNTY))
    counts = Counter(real[a] for a in counties)
    stems = tuple(s for s in terms.TOWN_STEMS if not any(n.startswith(s) for n in names.values()))
    return _Atlas(real, provinces, prefectures, counties, counts, stems)


def _parent_name(atlas: _Atlas, adcode: str) -> str:
    """The prefecture of a county, or its municipality (北京市) for a municipality's district."""
    if adcode[:2] in MUNICIPALITIES:
        return atlas.names[adcode[:2] + "0000"]
    return atlas.names[adcode[:4] + "00"]


def _government(place: str, level: str, office: bool) -> str:
    if level == "prefecture" and place.endswith(terms.COMMISSIONER_PLACES):
        return place + (terms.COMMISSIONER_OFFICE if office else terms.COMMISSIONER)
    if office:
        return place + (terms.PROVINCE_GOVERNMENT_OFFICE if level == "province" else terms.GOVERNMENT_OFFICE)
    return place + terms.PEOPLES_GOVERNMENT


def _department(rng: random.Random, place: str, level: str, adcode: str, params: SynthParams) -> str:
    if level == "county" and rng.random() < params.tax_bureau_share:
        return terms.TAX_PREFIX + place + terms.TAX_BUREAU
    if level == "province" and adcode[:2] not in MUNICIPALITIES:
        return place + rng.choice(terms.PROVINCE_DEPARTMENTS)
    pool = terms.COUNTY_DEPARTMENTS if level == "county" else terms.PREFECTURE_DEPARTMENTS
    return place + rng.choice(pool)


def _county_prefix(rng: random.Random, atlas: _Atlas, adcode: str, params: SynthParams) -> str:
    """A county's name as a report prints it: with its prefecture when the name alone is ambiguous."""
    name = atlas.names[adcode]
    if atlas.county_name_counts[name] > 1 or rng.random() < params.prefecture_prefix_share:
        return _parent_name(atlas, adcode) + name
    return name


def _jurisdiction(atlas: _Atlas, adcode: str, level: str) -> tuple:
    province = atlas.names[adcode[:2] + "0000"]
    if level == "province":
        return province, None, None
    if level == "prefecture":
        return province, atlas.names[adcode], None
    return province, _parent_name(atlas, adcode), atlas.names[adcode]


def draw_agency(rng: random.Random, params: SynthParams = DEFAULT_PARAMS) -> Agency:
    """Draw a reporting body: level, real division, kind, and its printed name."""
    atlas = _atlas()
    level = rng.choices(LEVELS, weights=[params.level_shares[lv] for lv in LEVELS])[0]
    pool = {"province": atlas.provinces, "prefecture": atlas.prefectures}.get(level, atlas.counties)
    adcode = rng.choice(pool)
    province, prefecture, county = _jurisdiction(atlas, adcode, level)
    place = "".join(dict.fromkeys(p for p in (province, prefecture, county) if p))
    region = REGION_OF_PROVINCE[adcode[:2]]
    if level == "township":
        return _township(rng, atlas, adcode, params, (province, prefecture, county, region, place))
    prefix = _county_prefix(rng, atlas, adcode, params) if level == "county" else atlas.names[adcode]
    if rng.random() < params.government_shares[level]:
        name, kind = _government(prefix, level, rng.random() < params.office_share), "government"
    else:
        name, kind = _department(rng, prefix, level, adcode, params), "department"
    return Agency(name, province, prefecture, county, adcode, level, kind, region, None, place)


def _township(rng: random.Random, atlas: _Atlas, adcode: str, params: SynthParams, where: tuple) -> Agency:
    """A town under a real county: "湘阴县东塘镇人民政府", or "东塘镇人民政府" with the county named in the body."""
    province, prefecture, county, region, place = where
    suffix = rng.choices(terms.TOWN_SUFFIXES, weights=(0.6, 0.2, 0.2))[0]
    town = rng.choice(atlas.town_stems) + suffix
    body = town + terms.TOWN_GOVERNMENTS[suffix]
    prefix = "" if rng.random() < params.bare_township_share else _county_prefix(rng, atlas, adcode, params)
    return Agency(prefix + body, province, prefecture, county, adcode, "township", "government", region, town, place)


# ============================================================================ tables


def template_for(year: int) -> str:
    """Return the template a report for ``year`` is printed in (2019 up to 2020, 2021 after)."""
    return "2019" if year <= LAST_2019_TEMPLATE_YEAR else "2021"


def expected_volume(params: SynthParams, level: str, kind: str, year: int) -> float:
    """Return the mean number of new applications for a body of this level and kind in ``year``."""
    return math.exp(params.volume_intercept + params.volume_level[level] + params.volume_kind[kind]
                    + params.volume_year * (year - BASE_YEAR))


def outcome_probabilities(params: SynthParams, level: str, kind: str, region: str, year: int) -> dict:
    """Return the multinomial-logit probabilities of the outcome groups (``disclosed`` is the reference)."""
    etas = {"disclosed": 0.0}
    for group in OUTCOME_GROUPS[1:]:
        etas[group] = (params.outcome_intercept[group] + params.outcome_level[group][level]
                       + params.outcome_kind[group][kind] + params.outcome_region[group][region]
                       + params.outcome_year[group] * (year - BASE_YEAR))
    top = max(etas.values())
    weights = {g: math.exp(e - top) for g, e in etas.items()}
    total = sum(weights.values())
    return {g: w / total for g, w in weights.items()}


def outcome_group(row_code: str) -> str:
    """Return the outcome group (disclosed, denied, not_held, not_processed, other) of a 表三 row."""
    group = template_outcome_group(row_code)
    if group is None:
        raise ValueError(f"{row_code} is not an outcome row")
    return _MODEL_GROUP.get(group, group)


def outcome_rows(template: str) -> tuple:
    """Return the row codes of 表三's outcome rows ((一) to (六)) in printed order."""
    codes = [r.row_code for r in SCHEMA.rows(template, "table3")]
    return tuple(codes[codes.index("carried_over") + 1:codes.index("total_handled")])


def row_probabilities(params: SynthParams, template: str, level: str, kind: str, region: str, year: int) -> dict:
    """Return the probability that a handled application ends in each outcome row."""
    groups = outcome_probabilities(params, level, kind, region, year)
    rows = outcome_rows(template)
    share_sums = Counter()
    for row in rows:
        share_sums[outcome_group(row)] += params.outcome_rows[row]
    return {row: groups[outcome_group(row)] * params.outcome_rows[row] / share_sums[outcome_group(row)]
            for row in rows}


def draw_table3(rng: random.Random, agency: Agency, year: int, template: str, params: SynthParams) -> dict:
    """Draw 表三: volume, applicant mix, carry-over, backlog and outcomes, every identity holding."""
    mean = expected_volume(params, agency.level, agency.kind, year)
    new = _multinomial(rng, _neg_binomial(rng, mean, params.volume_size), params.applicant_shares)
    probs = row_probabilities(params, template, agency.level, agency.kind, agency.region, year)
    values = {}
    for col in TABLE3_APPLICANT_COLUMNS:
        carried = _poisson(rng, params.carried_over_rate * (new[col] + 1))
        forward = _binomial(rng, new[col] + carried, params.carried_forward_rate)
        handled = new[col] + carried - forward
        column = {"new_received": new[col], "carried_over": carried, "total_handled": handled,
                  "carried_forward": forward, **_multinomial(rng, handled, probs)}
        values.update({f"table3.{row}.{col}": v for row, v in column.items()})
    set_row_totals(values, template)
    return values


def set_column_balance(values: dict, column: str, total_handled: int, forward: int, carried_over: int) -> None:
    """Fill one applicant column's (七)总计, 结转下年度, 上年结转 and 新收 so that 新收 + 上年结转 = 总计 + 结转."""
    values[f"table3.total_handled.{column}"] = total_handled
    values[f"table3.carried_forward.{column}"] = forward
    values[f"table3.carried_over.{column}"] = carried_over
    values[f"table3.new_received.{column}"] = total_handled + forward - carried_over


def set_row_totals(values: dict, template: str) -> None:
    """Fill each 表三 row's 总计 with the sum of its six applicant columns."""
    for row in SCHEMA.rows(template, "table3"):
        values[f"table3.{row.row_code}.total"] = sum(values[f"table3.{row.row_code}.{c}"] for c in TABLE3_APPLICANT_COLUMNS)


def draw_table4(rng: random.Random, handled: int, params: SynthParams) -> dict:
    """Draw 表四: cases per group in proportion to applications handled, split over results."""
    values = {}
    for group in TABLE4_GROUPS:
        results = _multinomial(rng, _poisson(rng, params.table4_rates[group] * (handled + 1)), params.table4_results)
        values.update({f"table4.{group}.{r}": v for r, v in results.items()})
        values[f"table4.{group}.total"] = sum(results.values())
    return values


def _decisions(rng: random.Random, agency: Agency, what: str, params: SynthParams) -> int:
    # Departments differ hugely (a market regulator fines thousands, a statistics bureau none).
    spread = math.exp(rng.gauss(0.0, 1.0))
    mean = params.decisions_mean[what] * params.decisions_level[agency.level] * spread
    return _neg_binomial(rng, mean, params.decisions_size)


def _fee_amount(rng: random.Random, params: SynthParams) -> float | int:
    if rng.random() >= params.fee_share:
        return 0
    return round(rng.lognormvariate(math.log(params.fee_mean), 1.2), rng.choice((2, 2, 4)))


def _documents(rng: random.Random, agency: Agency, params: SynthParams) -> tuple:
    """(rules, normative documents) issued, repealed and in force; only governments above counties make rules."""
    legislates = agency.kind == "government" and agency.level in params.rules_mean
    rules_mean = params.rules_mean[agency.level] if legislates else 0.0
    rules = [_poisson(rng, rules_mean), _poisson(rng, rules_mean / 2)]
    rules.append(rules[0] + _neg_binomial(rng, rules_mean * 12, 2.0))
    normative_mean = params.normative_mean[agency.kind] * (0.3 if agency.level == "township" else 1.0)
    normative = [_poisson(rng, normative_mean), _poisson(rng, normative_mean / 2)]
    normative.append(normative[0] + _neg_binomial(rng, normative_mean * 6, 1.0))
    return rules, normative


def draw_table2(rng: random.Random, agency: Agency, template: str, params: SynthParams) -> dict:
    """Draw 表二 (it has no identities): documents, decisions, fees and, in 2019, procurement."""
    rules, normative = _documents(rng, agency, params)
    if template == "2021":
        values = dict(zip(("rules.issued", "rules.repealed", "rules.in_force"), rules))
        values.update(zip(("normative_documents.issued", "normative_documents.repealed",
                           "normative_documents.in_force"), normative))
        values.update({f"{w}.decisions": _decisions(rng, agency, w, params) for w in ("licensing", "penalty", "coercion")})
        values["fees.amount_10k_yuan"] = _fee_amount(rng, params)
    else:
        values = _table2_2019(rng, agency, params, rules, normative)
    return {f"table2.{k}": v for k, v in values.items()}


def _table2_2019(rng: random.Random, agency: Agency, params: SynthParams, rules: list, normative: list) -> dict:
    values = {"rules.new_made": rules[0], "rules.new_published": rules[0], "rules.total_published": rules[2],
              "normative_documents.new_made": normative[0], "normative_documents.new_published": normative[0],
              "normative_documents.total_published": normative[2]}
    for item, what in (("licensing", "licensing"), ("other_services", "licensing"), ("penalty", "penalty"),
                       ("coercion", "coercion"), ("fees", None)):
        last_year = _poisson(rng, 12.0 if agency.kind == "department" else 4.0)
        values[f"{item}.items_last_year"] = last_year
        values[f"{item}.items_change"] = max(-last_year, round(rng.gauss(0.0, 1.5)))
        if what:
            values[f"{item}.decisions"] = _decisions(rng, agency, what, params)
    values["procurement.projects"] = _neg_binomial(rng, 4.0, 1.0)
    values["procurement.amount_10k_yuan"] = _fee_amount(rng, params) if values["procurement.projects"] else 0
    return values


def _blank_zero_rows(values: dict, template: str) -> dict:
    """Print 表二's all-zero rows blank (None), as many agencies do for what they never do."""
    out = dict(values)
    for row in SCHEMA.rows(template, "table2"):
        if all(values[c] == 0 for c in row.codes):
            out.update(dict.fromkeys(row.codes))
    return out


def draw_values(rng: random.Random, agency: Agency, year: int, template: str,
                params: SynthParams = DEFAULT_PARAMS) -> dict:
    """Draw every cell of the report's template: ``{code: number, or None for a cell printed blank}``."""
    values = draw_table3(rng, agency, year, template, params)
    values.update(draw_table4(rng, values["table3.total_handled.total"], params))
    table2 = draw_table2(rng, agency, template, params)
    if rng.random() < params.blank_row_share:
        table2 = _blank_zero_rows(table2, template)
    values.update(table2)
    return {code: values[code] for code in SCHEMA.codes(template)}


# ============================================================================ anomalies

ANOMALY_CODES = ("table3.new_received.total", "table3.granted.total", "table3.total_handled.total",
                 "table3.carried_forward.total", "table3.total_handled.natural_person", "table4.reconsideration.total")


def failed_identities(template: str, values: dict) -> list:
    """Return ``name[scope]`` of every identity the values break (blanks count as 0)."""
    failed = []
    for identity in SCHEMA.identities(template):
        lhs = sum(values.get(c) or 0 for c in identity.lhs)
        rhs = sum(values.get(c) or 0 for c in identity.rhs)
        if lhs != rhs:
            failed.append(f"{identity.name}[{identity.scope}]")
    return failed


def apply_anomaly(rng: random.Random, values: dict, template: str, params: SynthParams = DEFAULT_PARAMS) -> tuple:
    """Publish one total off by a small amount; return ``(values as published, anomaly record)``."""
    code = rng.choice(ANOMALY_CODES)
    true = values[code]
    published = true + rng.choice([d for d in params.anomaly_offsets if true + d >= 0])
    out = {**values, code: published}
    record = {"code": code, "true_value": true, "published": published,
              "failed_identities": failed_identities(template, out)}
    return out, record


# ============================================================================ the legacy renderer (tests)


def consistent_values(template: str = "2021", seed: int = 1) -> dict:
    """Return {code: value} for every cell, satisfying every identity of the template."""
    rng = random.Random(seed)
    values = {}
    rows3 = [r.row_code for r in SCHEMA.rows(template, "table3")]
    outcomes = rows3[2:-2]
    for col in TABLE3_APPLICANT_COLUMNS:
        handled = {row: rng.choice([0, 0, 0, 1, 2, 5, 13]) for row in outcomes}
        forward = rng.choice([0, 0, 1, 3])
        total_handled = sum(handled.values())
        carried_over = rng.randint(0, min(3, total_handled + forward))
        for row, v in handled.items():
            values[f"table3.{row}.{col}"] = v
        set_column_balance(values, col, total_handled, forward, carried_over)
    set_row_totals(values, template)
    for group in TABLE4_GROUPS:
        parts = [rng.choice([0, 0, 1, 2]) for _ in range(4)]
        for name, v in zip(TABLE4_RESULT_COLUMNS, parts):
            values[f"table4.{group}.{name}"] = v
        values[f"table4.{group}.total"] = sum(parts)
    for cell in SCHEMA.cells(template, "table2"):
        values[cell.code] = rng.choice([0, 1, 4, 12, 130, 2519])
    return values


def _fmt(value) -> str:
    if value is None:
        return "/"
    return f"{value:g}" if isinstance(value, float) else str(value)


class PrintedRow(NamedTuple):
    """One printed row of the tables: a section heading, a header row, or a data row.

    ``cells`` holds a heading's or header's texts, or a data row's printed values; ``group``
    is the group label of a 表三 row ("(三)不予公开"), ``first`` marks a group's first row and
    ``outcome`` the first outcome row (where "三、本年度办理结果" is printed).
    """

    kind: str
    cells: tuple
    label: str = ""
    group: str = ""
    first: bool = False
    outcome: bool = False
    table: str = ""
    codes: tuple = ()


def _table2_rows(texts: dict, template: str, full: bool) -> list:
    rows = [PrintedRow("heading", (terms.SECTIONS["table2"],))]
    headers = TABLE2_HEADERS[template]
    for row in SCHEMA.rows(template, "table2"):
        if row.row_code in headers:
            title, header = headers[row.row_code]
            rows += [PrintedRow("header", (title,), table="table2"), PrintedRow("header", tuple(header), table="table2")]
        label = SCHEMA.cell(template, row.codes[0]).row_label_zh.split(" ")[-1]
        if full and row.row_code == "normative_documents":
            label = terms.NORMATIVE_LABELS[template]
        rows.append(PrintedRow("row", tuple(texts[c] for c in row.codes), label, table="table2", codes=row.codes))
    return rows


def _table3_rows(texts: dict, template: str, full: bool) -> list:
    rows = [PrintedRow("heading", (terms.SECTIONS["table3"],)),
            PrintedRow("header", (terms.TABLE3_NOTE, *TABLE3_HEADER[:4]), table="table3"),
            PrintedRow("header", tuple(TABLE3_HEADER[4:]), table="table3")]
    previous = None
    for row in SCHEMA.rows(template, "table3"):
        parts = SCHEMA.cell(template, row.codes[0]).row_label_zh.split(" ")
        group, label = (parts[0], parts[1]) if len(parts) == 2 else ("", parts[0])
        if full:
            label = max((v for v in row.labels if label in v), key=len, default=label)
        rows.append(PrintedRow("row", tuple(texts[c] for c in row.codes), label, group, group != previous,
                               row.row_code == "granted", "table3", row.codes))
        previous = group
    return rows


def _table4_rows(texts: dict, template: str) -> list:
    codes = SCHEMA.rows(template, "table4")[0].codes
    return [PrintedRow("heading", (terms.SECTIONS["table4"],)),
            PrintedRow("header", tuple(TABLE4_HEADER[:2]), table="table4"),
            PrintedRow("header", tuple(TABLE4_HEADER[2:9]), table="table4"),
            PrintedRow("header", tuple(TABLE4_HEADER[9:]), table="table4"),
            PrintedRow("row", tuple(texts[c] for c in codes), table="table4", codes=codes)]


def printed_rows(texts: dict, template: str, *, full_labels: bool = True) -> list:
    """Return the tables as :class:`PrintedRow` s in printed order, from ``{code: printed text}``.

    ``full_labels`` prints the template's full row labels ("(二)部分公开(区分处理的,...)");
    otherwise the codebook's short ones.
    """
    return (_table2_rows(texts, template, full_labels) + _table3_rows(texts, template, full_labels)
            + _table4_rows(texts, template))


def flat_cells(row: PrintedRow, *, repeat_groups: bool = False) -> list:
    """Return a printed row as its list of cell texts (group labels on the group's first row only)."""
    if row.kind != "row":
        return list(row.cells)
    lead = [terms.OUTCOMES_LABEL] if row.outcome else []
    if row.group and (row.first or repeat_groups):
        lead.append(row.group)
    return lead + ([row.label] if row.label else []) + list(row.cells)


def table_rows(values: dict, template: str = "2021") -> list:
    """Return the report's printed rows (lists of cell texts), headings and tables in order."""
    texts = {code: _fmt(values.get(code)) for code in SCHEMA.codes(template)}
    return [flat_cells(row, repeat_groups=True) for row in printed_rows(texts, template, full_labels=False)]


def render(values: dict, layout: str = "lines", template: str = "2021", *, title: str | None = None,
           page_break_after: int | None = None) -> str:
    """Render a whole report in one layout (see :func:`render_rows`)."""
    return render_rows(table_rows(values, template), layout, title=title, page_break_after=page_break_after)


def render_rows(rows: list, layout: str = "lines", *, title: str | None = None,
                page_break_after: int | None = None) -> str:
    """Render a whole report in one layout.

    Layouts: ``lines`` (one cell per line, blank lines between), ``pipes`` (``cell |`` per line
    with ``||`` padding), ``tabs`` (a row per line, tab separated), ``markdown`` (pipe table rows),
    ``spaces`` (a row per line, cells apart by runs of spaces), ``vertical`` (labels broken one
    character per line).
    """
    out = [title or terms.LEGACY_TITLE, *terms.LEGACY_HEAD]
    for index, row in enumerate(rows):
        out.extend(_render_row(row, layout))
        if page_break_after is not None and index == page_break_after:
            out += ["— 3 —", "", terms.LEGACY_REPEATED_HEADER] if layout != "lines" else ["- 3 -"]
    out += terms.LEGACY_TAIL
    return "\n".join(out) + "\n"


def replace_row(rows: list, label_part: str, cells: list) -> list:
    """Return ``rows`` with the printed values of the first row whose label holds ``label_part`` replaced."""
    out, done = [], False
    for row in rows:
        if not done and any(label_part in c for c in row[:3]):
            labels = [c for c in row if not (c.replace(".", "").isdigit() or c == "/")]
            out.append(labels + cells)
            done = True
        else:
            out.append(row)
    if not done:
        raise AssertionError(label_part)
    return out


def _render_row(row: list, layout: str) -> list:
    if layout == "vertical":
        return _vertical_row(row, lambda cell: cell.replace(".", "").isdigit() or cell == "/")
    renderers = {
        "lines": lambda: [line for cell in row for line in (cell, "")],
        "pipes": lambda: [f"{cell} |" for cell in row] + ["||"],
        "tabs": lambda: ["\t".join(row)],
        "markdown": lambda: ["| " + " | ".join(row) + " |"],
        "spaces": lambda: ["   ".join(row)],
    }
    if layout not in renderers:
        raise ValueError(layout)
    return renderers[layout]()


def _vertical_row(row: list, is_value) -> list:
    lines = []
    for cell in row:
        lines.extend([cell] if is_value(cell) or len(cell) > 30 else list(cell.replace(" ", "")))
    return lines


# ============================================================================ a synthetic report


@dataclass(frozen=True)
class SyntheticReport:
    """One drawn report: who, when, what it publishes, and how it is printed.

    ``values`` are the cells as published (``None`` for a cell printed blank); ``damage`` lists
    what the layout does to the tables (``lost:<code>``: a cell the OCR lost, fixed by the
    identities; ``run:<row>``: a 表三 row whose applicant cells run together).
    """

    index: int
    seed: str
    agency: Agency
    year: int
    template: str
    values: dict
    layout: str
    published: str
    anomaly: dict | None = None
    damage: tuple = ()


def _published_date(rng: random.Random, year: int) -> str:
    # Reports are due by 31 January; some come later.
    late = rng.random() < 0.15
    return (date(year + 1, 1, 1) + timedelta(days=rng.randint(4, 80 if late else 30))).isoformat()


def generate_report(index: int, seed: int | str, *, years: tuple = (2019, 2024), layouts: tuple | None = None,
                    anomaly_rate: float = 0.02, params: SynthParams | None = None) -> SyntheticReport:
    """Draw report number ``index`` of the corpus ``seed`` (the same arguments always give the same report).

    The layout is assigned round-robin over ``layouts`` so that every layout gets its share.
    """
    params = params or DEFAULT_PARAMS
    layouts = check_layouts(layouts)
    rng = random.Random(f"govreports.synth:{seed}:{index}")
    agency = draw_agency(rng, params)
    year = rng.randint(years[0], years[-1])
    template = template_for(year)
    values = draw_values(rng, agency, year, template, params)
    anomaly = None
    if rng.random() < anomaly_rate:
        values, anomaly = apply_anomaly(rng, values, template, params)
    layout = layouts[index % len(layouts)]
    published = _published_date(rng, year)
    damage = () if anomaly else _plan_damage(rng, layout, template, values)
    return SyntheticReport(index, str(seed), agency, year, template, values, layout, published, anomaly, damage)


def _plan_damage(rng: random.Random, layout: str, template: str, values: dict) -> tuple:
    """Choose what the layout breaks: cells OCR loses, rows whose digits run together."""
    if layout == "run_together":
        # Zero rows run together ("000000"), and at most one row of other single digits: the
        # parser's search over readings of several such rows is capped (see the tests).
        rows = SCHEMA.rows(template, "table3")
        zeros = [r.row_code for r in rows if all(values[c] == 0 for c in r.codes[:-1])]
        digits = [r.row_code for r in rows if r.row_code not in zeros and all(values[c] <= 9 for c in r.codes[:-1])]
        extra = [rng.choice(digits)] if digits and rng.random() < 0.5 else []
        return tuple(f"run:{row}" for row in zeros + extra)
    if layout != "tabs_ocr":
        return ()
    rows = rng.sample(SCHEMA.rows(template, "table3"), rng.randint(1, 2))
    return tuple(f"lost:{rng.choice(row.codes)}" for row in rows)


def answer_key(report: SyntheticReport, file_name: str) -> dict:
    """Return the report's answer key, in the hand-checked keys' format plus the synthetic fields."""
    agency = report.agency
    cells, blank = {}, []
    for code in SCHEMA.codes(report.template):
        value = report.values[code]
        if value is None:
            blank.append(code)
        else:
            cells[code] = _number_value(_number_text(value))
    return {"file": file_name, "year": report.year, "template": report.template, "agency": agency.name,
            "province": agency.province, "prefecture": agency.prefecture, "county": agency.county,
            "adcode": agency.adcode, "level": agency.level, "kind": agency.kind, "cells": cells, "blank": blank,
            "synthetic": True, "layout": report.layout, "anomaly": report.anomaly,
            "published": report.published, "damage": list(report.damage)}


def _number_text(value) -> str:
    """Print a number as reports do: integers plain, amounts with their decimals (at most four)."""
    if isinstance(value, float):
        return f"{value:.4f}".rstrip("0").rstrip(".") or "0"
    return str(value)


def _number_value(text: str) -> int | float:
    return float(text) if "." in text else int(text)


# ============================================================================ printing


class _Style(NamedTuple):
    """Printing choices drawn once per report."""

    title: str
    date_in_head: bool
    full_width: bool
    blank: str
    thousands: bool


def _style(rng: random.Random, report: SyntheticReport, grid: bool) -> _Style:
    pattern = terms.TITLES[0] if rng.random() < 0.85 else terms.TITLES[1]
    title = pattern.format(agency=report.agency.name, year=report.year)
    blank = rng.choice(("", "/")) if grid else "/"
    return _Style(title, rng.random() < 0.5, rng.random() < 0.4, blank, rng.random() < 0.15)


def _texts(report: SyntheticReport, style: _Style) -> dict:
    """Every cell's printed text; some reports group the digits of large counts ("6,454")."""
    texts = {}
    for code, value in report.values.items():
        if value is None:
            texts[code] = style.blank
        elif style.thousands and isinstance(value, int) and value >= 1000:
            texts[code] = f"{value:,}"
        else:
            texts[code] = _number_text(value)
    return texts


def _body(report: SyntheticReport) -> list:
    agency = report.agency
    received = report.values["table3.new_received.total"]
    lines = [terms.INTRO.format(year=report.year), terms.SECTIONS["overview"],
             terms.BODY.format(year=report.year, agency=agency.name, received=received)]
    if agency.town and agency.name.startswith(agency.town):
        # A township named alone: the body says where it is, as real reports do.
        lines.append(terms.LOCATION.format(town=agency.town, place=agency.place))
    return lines


def _head(report: SyntheticReport, style: _Style) -> list:
    dated = []
    if style.date_in_head:
        minute = int(hashlib.sha256(report.published.encode()).hexdigest(), 16) % 60
        dated = [terms.PUBLISHED_HEAD.format(date=report.published, minute=minute, agency=report.agency.name)]
    lines = [style.title, *dated, *_body(report)]
    return [_full_width(line) for line in lines] if style.full_width else lines


def _tail(report: SyntheticReport, style: _Style) -> list:
    lines = [terms.SECTIONS["problems"], terms.PROBLEMS, terms.SECTIONS["other"], terms.OTHER]
    if not style.date_in_head:
        y, m, d = (int(p) for p in report.published.split("-"))
        lines += [report.agency.name, terms.SIGNATURE_DATE.format(y=y, m=m, d=d)]
    return [_full_width(line) for line in lines] if style.full_width else lines


def _full_width(text: str) -> str:
    return text.translate(str.maketrans(terms.FULL_WIDTH))


def _full_width_row(row: PrintedRow) -> PrintedRow:
    """A row with full-width punctuation in its labels (values stay ASCII digits)."""
    cells = row.cells if row.kind == "row" else tuple(map(_full_width, row.cells))
    return row._replace(cells=cells, label=_full_width(row.label), group=_full_width(row.group))


def _is_value_text(cell: str) -> bool:
    return cell in ("", "/") or cell.lstrip("-").replace(".", "", 1).replace(",", "").isdigit()


# ============================================================================ text layouts


def _rows_layout(cell_lines) -> callable:
    """A layout printing each row's cells through ``cell_lines(cells, rng)``, headings as plain lines."""

    def render(rows: list, rng: random.Random) -> list:
        out = []
        for row in rows:
            out.extend([row.cells[0]] if row.kind == "heading" else cell_lines(flat_cells(row), rng))
        return out

    return render


_pipes = _rows_layout(lambda cells, rng: [f"{c} |" for c in cells] + ["|" * rng.randint(1, 8)])
_lines = _rows_layout(lambda cells, rng: [line for c in cells for line in (c, "")])
_tabs = _rows_layout(lambda cells, rng: ["\t".join(cells)])
_spaces = _rows_layout(lambda cells, rng: ["   ".join(cells)])
_vertical = _rows_layout(lambda cells, rng: _vertical_row(cells, _is_value_text))


def _markdown(rows: list, rng: random.Random) -> list:
    """Markdown: headings as ``##``, each table a pipe table of even width with its rule after the first row."""
    out, block = [], []
    for row in [*rows, PrintedRow("heading", ("",))]:
        if row.kind != "heading":
            block.append(flat_cells(row))
            continue
        if block:
            width = max(map(len, block))
            lines = ["| " + " | ".join(cells + [""] * (width - len(cells))) + " |" for cells in block]
            out += [lines[0], "|" + "---|" * width, *lines[1:]]
            block = []
        if row.cells[0]:
            out += ["", f"## {row.cells[0]}", ""]
    return out


def _run_together(report: SyntheticReport):
    """One cell per line; the applicant cells of the rows in ``damage`` printed as one digit run."""
    runs = {d.split(":", 1)[1] for d in report.damage if d.startswith("run:")}

    def render(rows: list, rng: random.Random) -> list:
        out = []
        for row in rows:
            if row.kind != "row":
                out.extend(row.cells)
                continue
            values = [v for v in row.cells if v != "/"]
            if row.table == "table3" and row.codes[0].split(".")[1] in runs:
                values = ["".join(values[:-1]), values[-1]]
            out += [c for c in flat_cells(row._replace(cells=())) if c] + [rng.choice(("", " ")) + v for v in values]
        return out

    return render


def _ocr_label(label: str, rng: random.Random) -> str:
    """Garble a label as OCR does: a look-alike character, a space after the item number, spaced words."""
    chars = list(label)
    swappable = [i for i, c in enumerate(chars) if c in terms.LOOKALIKES]
    if len(label) >= 8 and swappable:
        i = rng.choice(swappable)
        chars[i] = terms.LOOKALIKES[chars[i]]
    text = "".join(chars)
    if len(text) > 2 and text[0].isdigit() and text[1] == "." and rng.random() < 0.6:
        text = text[:2] + " " + text[2:]
    if len(text) >= 6 and rng.random() < 0.3:
        cut = rng.randint(2, len(text) - 2)
        text = text[:cut] + " " + text[cut:]
    return text


def _tabs_ocr(report: SyntheticReport):
    """Tab-separated OCR rows: group labels in their own column, garbled labels, lost cells left empty."""
    lost = {d.split(":", 1)[1] for d in report.damage if d.startswith("lost:")}

    def row_line(row: PrintedRow, pieces: dict, rng: random.Random) -> str:
        values = ["" if code in lost else v for code, v in zip(row.codes, row.cells)]
        if row.table == "table4":
            return "\t" + "\t".join(values)
        label = _ocr_label(row.label, rng) if len(row.label) >= 8 else row.label
        if row.table == "table2":
            if len(values) == 1 and rng.random() < 0.3:
                return f"{label} {values[0]}" + "\t" * rng.randint(1, 6)
            return "\t".join([label, *values]) + "\t" * rng.randint(0, 6)
        junk = rng.choice(terms.OCR_JUNK) if rng.random() < 0.1 else ""
        group = _ocr_label(pieces.get("group", ""), rng)
        return "\t".join([pieces.get("outcome", junk), group, label, *values]) + "\t" * rng.randint(0, 3)

    def render(rows: list, rng: random.Random) -> list:
        out = []
        pieces = iter(_table3_pieces([r for r in rows if r.table == "table3" and r.kind == "row"]))
        for row in rows:
            if row.kind == "heading":
                out += ["", f"## {row.cells[0]}", ""]
            elif row.kind == "header":
                out.append("\t".join(_ocr_label(c, rng) if len(c) >= 8 else c for c in row.cells) + "\t" * 6)
            else:
                out.append(row_line(row, next(pieces) if row.table == "table3" else {}, rng))
        return out

    return render


# ============================================================================ pdftotext -layout


def _width(text: str) -> int:
    """Display width of a text in a monospaced rendering (CJK characters take two columns)."""
    return sum(2 if unicodedata.east_asian_width(c) in "WF" else 1 for c in text)


def _place(pieces: list) -> str:
    """Print ``(column, text)`` pieces on one line, at least two spaces apart."""
    line = ""
    for column, text in sorted(pieces, key=lambda p: p[0]):
        if not text:
            continue
        gap = column - _width(line)
        line += " " * (gap if gap >= 2 or not line else 2) + text
    return line


def _spread(label: str, count: int) -> dict:
    """Break a label spanning ``count`` rows in two, printed on the middle rows (as PDF cells print)."""
    middle = max(0, (count - 1) // 2)
    cut = max(1, round(len(label) * 0.6))
    pieces = {middle: label[:cut]}
    if label[cut:]:
        pieces[min(middle + 1, count - 1)] = pieces.get(min(middle + 1, count - 1), "") + label[cut:]
    return pieces


class _Columns(NamedTuple):
    outcome: int = 4
    group: int = 16
    label: int = 28
    values: int = 64
    wrap: int = 16


def _pdf_table3_row(row: PrintedRow, pieces: dict, cols: _Columns, width: int) -> list:
    """One 表三 row: outcome and group label pieces, the label (wrapped), the values right-aligned."""
    column = cols.label if row.group else (cols.group if pieces.get("in_outcomes") else cols.outcome + 1)
    placed = [(cols.outcome, pieces.get("outcome", "")), (cols.group, pieces.get("group", "")),
              (column, row.label[:cols.wrap])]
    placed += [(cols.values + width * (i + 1) - _width(v), v) for i, v in enumerate(row.cells)]
    lines = [_place(placed)]
    if row.label[cols.wrap:]:
        lines.append(_place([(column, row.label[cols.wrap:])]))
    return lines


def _table3_pieces(rows: list) -> list:
    """For each 表三 data row: the pieces of the outcome and group labels printed on it."""
    pieces = [{} for _ in rows]
    outcome_block = [i for i, r in enumerate(rows) if r.codes[0].split(".")[1] not in
                     ("new_received", "carried_over", "carried_forward")]
    for offset, text in _spread(terms.OUTCOMES_LABEL, len(outcome_block)).items():
        pieces[outcome_block[offset]]["outcome"] = text
    for i in outcome_block:
        pieces[i]["in_outcomes"] = True
    start = 0
    while start < len(rows):
        end = start + 1
        while end < len(rows) and rows[end].group and rows[end].group == rows[start].group:
            end += 1
        if rows[start].group:
            for offset, text in _spread(rows[start].group, end - start).items():
                pieces[start + offset]["group"] = text
        start = end
    return pieces


def _pdf_table3_header(cols: _Columns, width: int) -> list:
    note = terms.TABLE3_NOTE
    heads = [TABLE3_HEADER[1], *TABLE3_HEADER[4:], TABLE3_HEADER[3]]
    chunks = [[h] if len(h) <= 3 else [h[i:i + 2] for i in range(0, len(h), 2)] for h in heads]
    middle = cols.values + 2 * width
    lines = [_place([(middle, TABLE3_HEADER[0])]), _place([(5, note[:21]), (middle, TABLE3_HEADER[2])])]
    for depth in range(3):
        placed = [(cols.values + width * (i + 1) - _width(c[depth]), c[depth]) for i, c in enumerate(chunks)
                  if depth < len(c)]
        lines.append(_place(placed + ([(6, note[21:])] if depth == 1 else [])))
    return lines


def _pdf_table2(rows: list) -> list:
    out = []
    for row in rows:
        if row.kind == "header" and len(row.cells) == 1:
            out.append(_place([(10, row.cells[0])]))
        elif row.kind == "header":
            out.append(_place([(10, row.cells[0])] + [(30 + 18 * i, h) for i, h in enumerate(row.cells[1:])]))
        else:
            out.append(_place([(10, row.label)] + [(38 + 18 * i - _width(v), v) for i, v in enumerate(row.cells)]))
    return out


def _pdf_table4(row: PrintedRow) -> list:
    width = max(6, max(map(len, row.cells)) + 2)
    first = [h[:2] for h in TABLE4_HEADER[2:7]] * 3
    second = [h[2:] for h in TABLE4_HEADER[2:7]] * 3
    return [_place([(17, TABLE4_HEADER[0]), (5 + 5 * width + 12, TABLE4_HEADER[1])]),
            _place([(5 + 5 * width, TABLE4_HEADER[7]), (5 + 10 * width, TABLE4_HEADER[8])]),
            _place([(5 + width * i, h) for i, h in enumerate(first)]),
            _place([(5 + width * i, h) for i, h in enumerate(second)]),
            _place([(5 + width * (i + 1) - _width(v) - 2, v) for i, v in enumerate(row.cells)])]


def _page_marker(rng: random.Random, page: int) -> list:
    marker = rng.choice(terms.PAGE_MARKERS).format(n=page, total=page + rng.randint(1, 4))
    return ["", _place([(60, marker)]), ""]


def _pdftotext(rows: list, rng: random.Random) -> list:
    """``pdftotext -layout``: aligned columns, wrapped labels, page markers, 表三 broken across pages."""
    cols = _Columns()
    data3 = [r for r in rows if r.table == "table3" and r.kind == "row"]
    width = max(7, max(len(v) for r in data3 for v in r.cells) + 2)
    pieces = _table3_pieces(data3)
    page_break = rng.randint(6, len(data3) - 4)
    out = _pdf_table2([r for r in rows if r.table == "table2"])
    out += _page_marker(rng, 2) + [_place([(4, terms.SECTIONS["table3"])])] + _pdf_table3_header(cols, width)
    for index, row in enumerate(data3):
        out += _pdf_table3_row(row, pieces[index], cols, width)
        if index == page_break:
            out += _page_marker(rng, 3) + _pdf_table3_header(cols, width)
    out += [_place([(4, terms.SECTIONS["table4"])])] + _pdf_table4(rows[-1])
    return [_place([(4, terms.SECTIONS["table2"])])] + out


def _wrap(text: str, width: int = 38) -> list:
    return [text[i:i + width] for i in range(0, len(text), width)] or [""]


# ============================================================================ HTML


def _fill(cells: list, width: int) -> list:
    """Widen a row's last cell so the row covers ``width`` columns."""
    used = sum(cs for _t, _rs, cs in cells)
    text, rs, cs = cells[-1]
    return cells[:-1] + [(text, rs, cs + width - used)]


def _grid_table2(rows: list) -> list:
    out = []
    for row in rows:
        if row.kind == "header" and len(row.cells) == 1:
            out.append([(row.cells[0], 1, 4)])
        elif row.kind == "header":
            out.append(_fill([(h, 1, 1) for h in row.cells], 4))
        else:
            out.append(_fill([(row.label, 1, 1)] + [(v, 1, 1) for v in row.cells], 4))
    return out


def _grid_table3(rows: list) -> list:
    """表三 as the template draws it: three label columns (with spans), seven value columns."""
    data = [r for r in rows if r.kind == "row"]
    outcomes = [r for r in data if r.codes[0].split(".")[1] not in ("new_received", "carried_over", "carried_forward")]
    out = [[(terms.TABLE3_NOTE, 3, 3), (TABLE3_HEADER[0], 1, 7)],
           [(TABLE3_HEADER[1], 2, 1), (TABLE3_HEADER[2], 1, 5), (TABLE3_HEADER[3], 2, 1)],
           [(h, 1, 1) for h in TABLE3_HEADER[4:]]]
    for row in data:
        cells = [(terms.OUTCOMES_LABEL, len(outcomes), 1)] if row is outcomes[0] else []
        if row not in outcomes:
            cells.append((row.label, 1, 3))
        elif not row.group:
            cells.append((row.label, 1, 2))
        else:
            if row.first:
                cells.append((row.group, sum(1 for r in data if r.group == row.group), 1))
            cells.append((row.label, 1, 1))
        out.append(cells + [(v, 1, 1) for v in row.cells])
    return out


def _grid_table4(row: PrintedRow) -> list:
    return [[(TABLE4_HEADER[0], 1, 5), (TABLE4_HEADER[1], 1, 10)],
            [(h, 2, 1) for h in TABLE4_HEADER[2:7]] + [(h, 1, 5) for h in TABLE4_HEADER[7:9]],
            [(h, 1, 1) for h in TABLE4_HEADER[9:]],
            [(v, 1, 1) for v in row.cells]]


def _report_parts(report: SyntheticReport, rows: list, style: _Style) -> list:
    """The report as ``("title" | "p" | "table", content)`` parts in reading order."""
    head = _head(report, style)
    parts = [("title", head[0])] + [("p", line) for line in head[1:]]
    parts += [("p", terms.SECTIONS["table2"]), ("table", _grid_table2([r for r in rows if r.table == "table2"])),
              ("p", terms.SECTIONS["table3"]), ("table", _grid_table3([r for r in rows if r.table == "table3"])),
              ("p", terms.SECTIONS["table4"]), ("table", _grid_table4(rows[-1]))]
    return parts + [("p", line) for line in _tail(report, style)]


def _span_attrs(rs: int, cs: int, quote: str = '"') -> str:
    return (f" rowspan={quote}{rs}{quote}" if rs > 1 else "") + (f" colspan={quote}{cs}{quote}" if cs > 1 else "")


def _html_table(grid: list) -> str:
    body = "\n".join("<tr>" + "".join(f"<td{_span_attrs(rs, cs)}>{html.escape(t)}</td>" for t, rs, cs in row)
                     + "</tr>" for row in grid)
    return f'<table class="MsoTableGrid" border="1" cellspacing="0" cellpadding="0">\n<tbody>\n{body}\n</tbody>\n</table>'


def _html_page(parts: list, charset: str, agency: Agency) -> str:
    """A government web page: site chrome around the report's title, paragraphs and tables."""
    content = []
    for kind, item in parts:
        if kind == "title":
            content.append(f'<h1 class="article-title">{html.escape(item)}</h1>')
        elif kind == "p":
            content.append(f"<p>{html.escape(item)}</p>")
        else:
            content.append(_html_table(item))
    footer = terms.HTML_FOOTER.format(agency=html.escape(agency.name), code=agency.adcode + "0001")
    return (f'<!DOCTYPE html>\n<html>\n<head>\n<meta charset="{charset}">\n<title>{html.escape(parts[0][1])}</title>\n'
            "</head>\n<body>\n" + terms.HTML_NAV + '\n<div class="article-content">\n' + "\n".join(content)
            + f"\n</div>\n{footer}\n<script>var visits = [12, 34, 56];</script>\n</body>\n</html>\n")


_WORD_HEAD = """<html xmlns:v="urn:schemas-microsoft-com:vml"
xmlns:o="urn:schemas-microsoft-com:office:office"
xmlns:w="urn:schemas-microsoft-com:office:word"
xmlns="http://www.w3.org/TR/REC-html40">
<head>
<meta http-equiv=Content-Type content="text/html; charset=gb2312">
<meta name=ProgId content=Word.Document>
<meta name=Generator content="Microsoft Word 15">
<title>{title}</title>
<!--[if gte mso 9]><xml>
 <w:WordDocument><w:View>Print</w:View></w:WordDocument>
</xml><![endif]-->
<style>
<!--
 p.MsoNormal {{mso-style-parent:"";margin:0cm;text-align:justify;font-size:10.5pt;}}
-->
</style>
</head>
<body lang=ZH-CN style='tab-interval:21.0pt'>
<div class=WordSection1 style='layout-grid:15.6pt'>
"""


def _word_runs(text: str) -> str:
    """Split ``text`` over ``<span>`` s as Word does: a number digit by digit, a label in pieces."""
    if not text:
        return "<span lang=EN-US><o:p>&nbsp;</o:p></span>"
    step = 1 if _is_value_text(text) else max(1, len(text) // 3)
    spans = []
    for i, piece in enumerate(text[j:j + step] for j in range(0, len(text), step)):
        lang = " lang=EN-US" if piece.isascii() else ""
        font = terms.WORD_FONTS[i % 2]
        spans.append(f"<span{lang}\nstyle='font-size:10.5pt;font-family:{font}'>{html.escape(piece)}</span>")
    return "".join(spans) + "<span lang=EN-US><o:p></o:p></span>"


def _word_table(grid: list) -> str:
    out = ["<table class=MsoNormalTable border=0 cellspacing=0 cellpadding=0 style='border-collapse:collapse'>"]
    for r, row in enumerate(grid):
        out.append(f"<tr style='mso-yfti-irow:{r};height:22.5pt'>")
        out += [f"<td width={56 * cs}{_span_attrs(rs, cs, '')} valign=center style='border:solid windowtext 1.0pt'>\n"
                f"<p class=MsoNormal align=center style='text-align:center'>{_word_runs(t)}</p>\n</td>"
                for t, rs, cs in row]
        out.append("</tr>")
    width = sum(cs for _t, _rs, cs in grid[0])
    out.append("<![if !supportMisalignedColumns]>\n<tr height=0>" + "<td width=56 style='border:none'></td>" * width
               + "</tr>\n<![endif]>\n</table>")
    return "\n".join(out)


def _word_page(parts: list) -> str:
    """A report as Microsoft Word saves it as a web page (charset=gb2312, spans, ``<o:p>``)."""
    out = [_WORD_HEAD.format(title=html.escape(parts[0][1]))]
    for kind, item in parts:
        if kind == "table":
            out.append(_word_table(item))
        else:
            style = "text-align:center" if kind == "title" else "text-indent:21.0pt"
            out.append(f"<p class=MsoNormal style='{style}'>{_word_runs(item)}</p>")
    out.append("<p class=MsoNormal><span lang=EN-US><o:p>&nbsp;</o:p></span></p>\n</div>\n</body>\n</html>\n")
    return "\n".join(out)


# ============================================================================ rendering


def _text_document(report: SyntheticReport, rows: list, rng: random.Random, style: _Style) -> str:
    """A text layout: title, head and body, the tables, the closing sections (and signature)."""
    layout = report.layout
    table_lines = _TEXT_LAYOUTS[layout](report)(rows, rng)
    head, tail = _head(report, style), _tail(report, style)
    if layout == "markdown" or layout == "tabs_ocr":
        head = [f"# {head[0]}", ""] + [line for h in head[1:] for line in (h, "")]
        tail = [f"## {tail[0]}", "", *tail[1:2], "", f"## {tail[2]}", "", *tail[3:]]
    elif layout == "pdftotext":
        head = [_place([(17, head[0])])] + ["    " + w for h in head[1:] for w in _wrap(h)]
        tail = ["    " + line for line in tail[:4]] + [_place([(56, line)]) for line in tail[4:]]
    elif layout == "lines":
        head = [line for h in head for line in (h, "")]
    return "\n".join(head + table_lines + tail) + "\n"


_TEXT_LAYOUTS = {
    "pipes": lambda report: _pipes,
    "lines": lambda report: _lines,
    "tabs_ocr": _tabs_ocr,
    "run_together": _run_together,
    "markdown": lambda report: _markdown,
    "pdftotext": lambda report: _pdftotext,
    "vertical": lambda report: _vertical,
    "tabs": lambda report: _tabs,
    "spaces": lambda report: _spaces,
}
# Layout name -> file extension.
LAYOUTS = {**dict.fromkeys(_TEXT_LAYOUTS, ".txt"), "markdown": ".md", "html": ".html", "word_html": ".htm",
           "docx": ".docx"}
DEFAULT_LAYOUTS = ("pipes", "lines", "tabs_ocr", "run_together", "markdown", "pdftotext", "vertical", "html",
                   "word_html", "docx")


def check_layouts(layouts) -> tuple:
    """Return the layouts as a tuple (all of :data:`DEFAULT_LAYOUTS` for None); raise on an unknown one."""
    chosen = tuple(layouts) if layouts else DEFAULT_LAYOUTS
    unknown = [name for name in chosen if name not in LAYOUTS]
    if unknown:
        raise GovReportsError(f"unknown layout(s) {', '.join(unknown)}; choose from {', '.join(LAYOUTS)}")
    return chosen


def render_report(report: SyntheticReport) -> bytes:
    """Render a drawn report in its layout; return the file's bytes."""
    rng = random.Random(f"govreports.synth:{report.seed}:{report.index}:render")
    grid = report.layout in ("html", "word_html", "markdown", "docx")
    style = _style(rng, report, grid)
    rows = printed_rows(_texts(report, style), report.template)
    if style.full_width:
        rows = [_full_width_row(row) for row in rows]
    if report.layout == "html":
        charset = rng.choice(("utf-8", "utf-8", "gbk"))
        page = _html_page(_report_parts(report, rows, style), charset, report.agency)
        # GB18030 is GBK's superset: a rare character outside GBK still encodes (as browsers read it).
        return page.encode("utf-8" if charset == "utf-8" else "gb18030")
    if report.layout == "word_html":
        return _word_page(_report_parts(report, rows, style)).replace("\n", "\r\n").encode("gb18030")
    if report.layout == "docx":
        return docx_bytes(_report_parts(report, rows, style))
    return _text_document(report, rows, rng, style).encode("utf-8")


# ============================================================================ the corpus


@dataclass(frozen=True)
class CorpusResult:
    """What :func:`generate_corpus` wrote."""

    out_dir: Path
    reports: int
    layouts: dict
    anomalies: int


MANIFEST_FIELDS = ("file", "key", "layout", "template", "year", "agency", "level", "kind", "adcode",
                   "anomaly_code", "damage", "sha256")
README_MARK = "SYNTHETIC CORPUS"


def _is_raw_folder(path: Path) -> bool:
    parts = path.parts
    return any(parts[i] == "data" and parts[i + 1] == "raw" for i in range(len(parts) - 1))


def _prepare_out_dir(out_dir: str | Path) -> Path:
    """Check the output folder: never under data/raw, and empty unless it holds an earlier synthetic corpus.

    Raises:
        GovReportsError: the folder is (under) a ``data/raw`` folder, or holds other files.
    """
    out = Path(out_dir).resolve()
    if _is_raw_folder(out) or _is_raw_folder(Path(out_dir).absolute()):
        raise GovReportsError(f"refusing to write a synthetic corpus into {out_dir}: data/raw holds the study's real "
                              "reports and synthetic ones must never mix with them; choose another folder "
                              "(e.g. data/synthetic)")
    if out.exists() and any(out.iterdir()):
        readme = out / "README.txt"
        if not readme.is_file() or README_MARK not in readme.read_text(encoding="utf-8", errors="replace"):
            raise GovReportsError(f"{out_dir} is not empty and holds no synthetic corpus: choose an empty folder")
        _remove_previous(out)
    (out / "reports").mkdir(parents=True, exist_ok=True)
    (out / "truth").mkdir(exist_ok=True)
    return out


def _remove_previous(out: Path) -> None:
    """Delete the files an earlier synthetic corpus listed in its manifest (and nothing else)."""
    manifest = out / "MANIFEST.csv"
    if manifest.is_file():
        with manifest.open(encoding="utf-8", newline="") as handle:
            for row in csv.DictReader(handle):
                for name in (f"reports/{row.get('file', '')}", f"truth/{row.get('key', '')}"):
                    target = out / name
                    if target.is_file() and target.parent.parent == out:
                        target.unlink()
    for name in ("MANIFEST.csv", "README.txt"):
        (out / name).unlink(missing_ok=True)


def write_report(report: SyntheticReport, out: Path) -> dict:
    """Write one report and its answer key under ``out``; return its manifest row."""
    data = render_report(report)
    digest = hashlib.sha256(data).hexdigest()
    stem = f"{report.index:05d}_{digest[:16]}"
    name = stem + LAYOUTS[report.layout]
    (out / "reports" / name).write_bytes(data)
    key = answer_key(report, name)
    (out / "truth" / f"{stem}.json").write_text(json.dumps(key, ensure_ascii=False, indent=1) + "\n", encoding="utf-8")
    anomaly = report.anomaly["code"] if report.anomaly else ""
    return {"file": name, "key": f"{stem}.json", "layout": report.layout, "template": report.template,
            "year": report.year, "agency": report.agency.name, "level": report.agency.level,
            "kind": report.agency.kind, "adcode": report.agency.adcode, "anomaly_code": anomaly,
            "damage": " ".join(report.damage), "sha256": digest}


def _readme(n: int, seed, years: tuple, layouts: tuple, anomaly_rate: float, params: SynthParams) -> str:
    settings = {"n": n, "seed": seed, "years": list(years), "layouts": list(layouts), "anomaly_rate": anomaly_rate,
                "params": {k: v for k, v in params.__dict__.items()}}
    return (f"{README_MARK}: every report in reports/ is SYNTHETIC, generated by govreports.synth.\n"
            "None of them was published by any agency: agency names combine real places with a model's\n"
            "numbers. Never copy them into data/raw or cite them as data.\n\n"
            "reports/   the rendered reports (layout per file in MANIFEST.csv)\n"
            "truth/     one answer key per report, in the format of the hand-checked keys, plus\n"
            "           synthetic=true, layout, anomaly (a total published off on purpose), damage\n"
            "MANIFEST.csv  one row per report\n\n"
            "Score the parser with:\n"
            "  python score_truth.py --truth truth --inputs reports\n\n"
            "Settings (the same settings always give the same corpus):\n"
            + json.dumps(settings, ensure_ascii=False, indent=1) + "\n")


def generate_corpus(n: int, seed: int | str, out_dir: str | Path, *, years: tuple = (2019, 2024),
                    layouts: tuple | None = None, anomaly_rate: float = 0.02,
                    params: SynthParams | None = None) -> CorpusResult:
    """Generate ``n`` synthetic reports with answer keys, a ``MANIFEST.csv`` and a ``README.txt``.

    Args:
        n: number of reports.
        seed: the corpus seed; report ``i`` depends only on ``(seed, i)`` and the options.
        out_dir: the folder to write (``reports/``, ``truth/``, ``MANIFEST.csv``, ``README.txt``).
        years: first and last statistics year (inclusive).
        layouts: layouts to render in, round-robin (default: :data:`DEFAULT_LAYOUTS`).
        anomaly_rate: share of reports with one total published off (a source anomaly).
        params: the generative model's parameters (default: :data:`DEFAULT_PARAMS`).

    Raises:
        GovReportsError: ``out_dir`` is under ``data/raw`` or holds other files; a layout is unknown.
    """
    layouts = check_layouts(layouts)
    params = params or DEFAULT_PARAMS
    out = _prepare_out_dir(out_dir)
    rows = [write_report(generate_report(i, seed, years=years, layouts=layouts, anomaly_rate=anomaly_rate,
                                         params=params), out) for i in range(n)]
    buffer = io.StringIO()
    writer = csv.DictWriter(buffer, fieldnames=MANIFEST_FIELDS, lineterminator="\n")
    writer.writeheader()
    writer.writerows(rows)
    (out / "MANIFEST.csv").write_text(buffer.getvalue(), encoding="utf-8")
    (out / "README.txt").write_text(_readme(n, seed, years, layouts, anomaly_rate, params), encoding="utf-8")
    return CorpusResult(out, n, dict(Counter(r["layout"] for r in rows)), sum(1 for r in rows if r["anomaly_code"]))


def parse_years(text: str) -> tuple:
    """Read ``2020-2024`` (or ``2021``) as ``(first, last)``; raise :class:`GovReportsError` otherwise."""
    first, _, last = text.strip().partition("-")
    try:
        years = (int(first), int(last or first))
    except ValueError:
        raise GovReportsError(f"--years {text!r}: expected FIRST-LAST, e.g. 2020-2024") from None
    if not 2008 <= years[0] <= years[1] <= 2100:
        raise GovReportsError(f"--years {text!r}: expected FIRST-LAST with FIRST <= LAST, e.g. 2020-2024")
    return years


def parse_layouts(text: str | None) -> tuple | None:
    """Read a comma-separated list of layouts (None or empty: all)."""
    if not text:
        return None
    return check_layouts(tuple(p.strip() for p in text.split(",") if p.strip()))
