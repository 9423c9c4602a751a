"""The generative model of the synthetic corpus: agencies, volumes, outcomes, 表二 and anomalies.

See :mod:`govreports.synth` for the model in words; every parameter is in :class:`SynthParams`.
"""

from __future__ import annotations

import math
import random
from collections import Counter
from dataclasses import dataclass, field
from functools import cache

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


