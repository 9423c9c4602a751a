"""The study notebook as a short paper: every number it states is computed here, none typed in.

:func:`load` opens the processed dataset once (reports, the cells of tables 3 and 4, the
``indicators`` table that puts every era on comparable indicators). Each section of
``notebooks/study.ipynb`` is a function returning Markdown built from computed values, which it
registers in a :class:`Numbers` (the value and the text it is printed as). The notebook displays
the Markdown and, at its end, the registry: ``govreports report`` writes it beside the HTML, and
the tests recompute every entry from the Parquet files with pandas.

Counts: template reports (2019 and 2021 national templates) with status ``valid`` or ``repaired``
are the study's observations; a jurisdiction-wide summary (``scope`` = ``jurisdiction``) is left out
when one of its members is in the corpus too (:func:`govreports.study.metrics.double_counted`), as a
sum over both would count the member twice; a summary whose members are not in the corpus is the
only account of them and stays.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd

from govreports.parse.divisions import division_counts
from govreports.study import metrics, uncertainty
from govreports.study.data import Study, in_order
from govreports.study.figures import bilingual, category, term
from govreports.template import TEMPLATES
from govreports.template import paper_terms as words
from govreports.template.vocabulary import LEVELS, OUTCOME_GROUPS, USABLE_STATUSES

PRE2019 = "2014"  # the parser's template code of the pre-2019 forms (国办发〔2014〕32号 and local variants)
ERA_ORDER = (PRE2019, *TEMPLATES)
UNCHECKED = "unchecked"
TOP_SHARE = 0.1  # the busiest tenth of reports, for the concentration of volume
GOVERNMENT, DEPARTMENT = "government", "department"
COVERED_LEVELS = LEVELS[:3]  # the division table has no townships
MODELS_PAGE = "models.html"
DASH = "–"


# ----------------------------------------------------------------------------------------
# The registry of stated numbers


@dataclass
class Numbers:
    """Every number the paper states: ``data[key]`` (for the tests) and ``texts[key]`` (as printed)."""

    data: dict = field(default_factory=dict)
    texts: dict = field(default_factory=dict)

    def _put(self, key: str, value, text: str) -> str:
        clean = None if value is None or (isinstance(value, float) and math.isnan(value)) else value
        self.data[key], self.texts[key] = clean, (text if clean is not None else DASH)
        return self.texts[key]

    def count(self, key: str, value) -> str:
        """Register a count and return it printed whole, with thousands separators (``1,672``)."""
        known = value is not None and not pd.isna(value)
        return self._put(key, int(round(float(value))) if known else None, f"{int(round(float(value))):,}" if known else "")

    def share(self, key: str, value, digits: int = 1) -> str:
        """Register a proportion and return it as a percentage (``57.3%``)."""
        known = value is not None and not pd.isna(value)
        return self._put(key, float(value) if known else None, f"{100 * float(value):.{digits}f}%" if known else "")

    def decimal(self, key: str, value, digits: int = 2) -> str:
        """Register a number and return it with ``digits`` decimals (``0.42``)."""
        known = value is not None and not pd.isna(value)
        return self._put(key, float(value) if known else None, f"{float(value):,.{digits}f}" if known else "")

    def year(self, key: str, value) -> str:
        """Register a year (or a template's year) and return it without a separator (``2019``)."""
        known = value is not None and not pd.isna(value)
        return self._put(key, int(value) if known else None, str(int(value)) if known else "")

    def interval(self, key: str, low, high) -> str:
        """Register an interval's bounds (``key.low``, ``key.high``) and return ``43.1-61.0%``, or why there is none."""
        if low is None or high is None or pd.isna(low) or pd.isna(high):
            self.data[f"{key}.low"] = self.data[f"{key}.high"] = None
            return "no interval: fewer than two agencies"
        return f"{self.share(f'{key}.low', low)}{DASH}{self.share(f'{key}.high', high)}"

    def as_dict(self) -> dict:
        """Return the registry as plain data: ``{"values": {...}, "texts": {...}}``."""
        return {"values": dict(self.data), "texts": dict(self.texts)}


# ----------------------------------------------------------------------------------------
# The data


@dataclass(frozen=True)
class Paper:
    """The tables the paper reads: reports, usable template reports' indicators, their cells, the eras."""

    version: str
    reports: pd.DataFrame
    indicators: pd.DataFrame
    usable: pd.DataFrame
    cells: pd.DataFrame
    eras: pd.DataFrame
    draws: int = uncertainty.DRAWS


def own_reports(reports: pd.DataFrame) -> pd.DataFrame:
    """Return the reports a sum may add: a jurisdiction's summary is left out where its members are in."""
    return reports[~metrics.double_counted(reports)]


def template_reports(reports: pd.DataFrame) -> pd.DataFrame:
    """Return the reports on one of the national templates (the 2019 or the 2021 one)."""
    return reports[reports["template"].isin(TEMPLATES)]


def era_indicators(folder: Path, reports: pd.DataFrame) -> pd.DataFrame:
    """Return the ``indicators`` table wide (one row per report, one column per indicator) with year and era.

    Reports counted: template reports that are valid or repaired, and pre-2019 reports that are
    valid, repaired or unchecked (figures read from sentences, which nothing can check).
    An older build without the table gives an empty frame.
    """
    path = Path(folder) / "indicators.parquet"
    keep = reports[(reports["template"].isin(TEMPLATES) & reports["status"].isin(USABLE_STATUSES))
                   | ((reports["template"] == PRE2019) & reports["status"].isin((*USABLE_STATUSES, UNCHECKED)))]
    if not path.is_file() or keep.empty:
        return pd.DataFrame(columns=["report_id", "year", "era", "status"])
    long = pd.read_parquet(path)
    long = long[long["report_id"].isin(keep["report_id"])]
    # pivot, not pivot_table: a missing indicator must stay missing, not become a sum of nothing (0).
    wide = long.pivot(index="report_id", columns="indicator", values="value")  # noqa: PD010 (pairs are unique)
    meta = keep.set_index("report_id")[["year", "template", "status", "level", "kind", "province"]]
    return meta.rename(columns={"template": "era"}).join(wide, how="inner").reset_index()


def load(study: Study, draws: int = uncertainty.DRAWS) -> Paper:
    """Return the paper's tables from an opened dataset (:func:`govreports.study.data.open_study`)."""
    reports = own_reports(study.reports)
    templates = template_reports(reports)
    cells = study.read_cells(templates["report_id"], tables=("table3", "table4"))
    indicators = metrics.report_indicators(templates, cells)
    return Paper(study.version, reports, indicators, metrics.usable(indicators), cells,
                 era_indicators(study.folder, reports), draws)


# ----------------------------------------------------------------------------------------
# Sections


def heading(key: str, level: int = 2) -> str:
    """Return a section heading, bilingual (``## 研究问题 · Questions``)."""
    chinese, english = words.SECTIONS[key]
    return f"{'#' * level} {chinese} · {english}\n\n"


def title(paper: Paper, numbers: Numbers) -> str:
    """Return the title and the abstract: what was read and the headline findings."""
    reports, usable = paper.reports, paper.usable
    years = reports["year"].dropna()
    rate = metrics.rate_table(usable, "disclosure_rate", draws=paper.draws).iloc[0]
    not_held = metrics.rate_table(usable, "not_held_rate", draws=paper.draws).iloc[0]
    chinese, english = words.TITLE
    return (f"# {chinese} · {english}\n\n"
            f"**Abstract.** We read {numbers.count('corpus.reports', len(reports))} annual reports "
            f"({words.REPORT}) of {numbers.count('corpus.agencies', agency_count(reports))} agencies in "
            f"{numbers.count('corpus.provinces', reports['province'].nunique())} provinces, statistics years "
            f"{numbers.year('corpus.first_year', years.min() if len(years) else None)}{DASH}"
            f"{numbers.year('corpus.last_year', years.max() if len(years) else None)}. "
            f"{numbers.count('corpus.usable', len(usable))} reports on the national templates have tables whose "
            f"arithmetic holds; they record {numbers.count('volume.new', usable['new'].sum())} new applications. "
            f"Of the applications they handled, {numbers.share('answers.disclosure_rate', rate['rate'])} were "
            f"disclosed in full or in part ({numbers.share('constants.level', uncertainty.LEVEL, digits=0)} "
            f"interval {numbers.interval('answers.disclosure_rate', rate['ci_low'], rate['ci_high'])}) "
            f"and {numbers.share('grounds.not_held_rate', not_held['rate'])} were answered {words.NOT_HELD} "
            "(the agency does not hold the information).\n")


def plural(count_text: str, value, word: str) -> str:
    """Return ``"1 report"`` or ``"3 reports"`` from a registered count's text and value."""
    return f"{count_text} {word}" + ("" if value == 1 else "s")


def agency_count(reports: pd.DataFrame) -> int:
    """Return the number of distinct agencies (:func:`metrics.agency_key`) among ``reports``."""
    return int(metrics.agency_key(reports).dropna().nunique()) if len(reports) else 0


def questions(numbers: Numbers) -> str:
    """Return the research questions (the only numbers: the templates' years)."""
    first = numbers.year("constants.template_2019", int(TEMPLATES[0]))
    second = numbers.year("constants.template_2021", int(TEMPLATES[1]))
    return (heading("questions")
            + "* **Volume.** How many information-disclosure applications do agencies receive, and how concentrated "
              "are they on a few agencies?\n"
            + "* **Answers.** How are requests answered (disclosed in full or in part, refused, not held, not "
              "processed), and how does that differ by administrative level, kind of agency and region?\n"
            + f"* **Grounds.** How often do agencies answer {words.NOT_HELD} (not held), and which other grounds "
              "for not disclosing do they use?\n"
            + f"* **Review.** How many answers are challenged by administrative reconsideration ({words.RECONSIDERATION}) "
              f"or litigation ({words.LITIGATION}), and how often is the agency corrected ({words.CORRECTED})?\n"
            + f"* **Change.** How do these figures move across the years, across the {first} break (pre-{first} "
              f"local forms, {words.FORM_2014}, to the national template) and across the {second} template "
              f"({words.TEMPLATE_2021})?\n")


def coverage_table(reports: pd.DataFrame, counts: dict | None = None) -> pd.DataFrame:
    """Return, per level, the governments that should report against those with a report in the corpus.

    Columns: ``level``, ``governments`` (divisions at the level in the shipped table: each has a
    people's government that must publish a report every year), ``with_report`` (distinct
    government agencies of the level with at least one report), ``coverage`` (their share),
    ``government_reports``, ``agency_years`` (governments x the years the corpus covers) and
    ``agency_year_coverage``. Departments are not in the table: no list says how many there are.
    """
    counts = counts or division_counts()
    years = reports["year"].dropna().nunique()
    governments = reports[reports["kind"] == GOVERNMENT]
    rows = []
    for level in COVERED_LEVELS:
        mine = governments[governments["level"] == level]
        found, expected = agency_count(mine), counts.get(level, 0)
        agency_years = expected * years
        rows.append({"level": level, "governments": expected, "with_report": found,
                     "coverage": found / expected if expected else math.nan, "government_reports": len(mine),
                     "agency_years": agency_years,
                     "agency_year_coverage": len(mine) / agency_years if agency_years else math.nan})
    return pd.DataFrame(rows)


def data_section(paper: Paper, numbers: Numbers, counts: dict | None = None) -> str:
    """Return the data and coverage section: the corpus by era and status, and how much of who should report it holds."""
    reports = paper.reports
    templates = template_reports(reports)
    coverage = coverage_table(reports, counts).set_index("level")
    departments = reports[reports["kind"] == DEPARTMENT]
    parts = [f"{numbers.count(f'coverage.{lv}.with_report', coverage.loc[lv, 'with_report'])} of "
             f"{numbers.count(f'coverage.{lv}.governments', coverage.loc[lv, 'governments'])} {lv} governments "
             f"({numbers.share(f'coverage.{lv}.share', coverage.loc[lv, 'coverage'], digits=2)})"
             for lv in COVERED_LEVELS]
    return (heading("data")
            + f"The corpus holds {numbers.count('data.reports', len(reports))} parsed reports: "
              f"{numbers.count('data.template_reports', len(templates))} on the national templates "
              f"and {numbers.count('data.pre2019_reports', (reports['template'] == PRE2019).sum())} from before "
              f"{numbers.year('constants.template_2019', int(TEMPLATES[0]))}. Of the template reports, "
              f"{numbers.count('corpus.usable', len(paper.usable))} are valid or repaired (every identity of their "
              f"tables holds, as printed or after repairs the identities make unique) and are the observations "
              f"below; {numbers.count('data.invalid', (templates['status'] == 'invalid').sum())} are invalid and "
              "are left out of the rates.\n\n"
            + "**Coverage.** Every people's government publishes a report each year, so the administrative "
              "divisions shipped with the package (cpca's table) say who should have reported. The corpus has "
              f"reports from {', '.join(parts)}, and from "
              f"{numbers.count('coverage.department_agencies', agency_count(departments))} departments, whose "
              "number no list gives. The findings describe the reports found, not the country.\n")


def methods_section(paper: Paper, numbers: Numbers) -> str:
    """Return the methods: pooled rates, the cluster bootstrap, the eras, the models notebook."""
    level = numbers.share("constants.level", uncertainty.LEVEL, digits=0)
    return (heading("methods")
            + "Rates are pooled: the sum of a numerator over reports divided by the sum of its denominator "
              f"(the applications handled, {words.HANDLED}, for every share of answers). Their {level} intervals "
              f"come from a cluster bootstrap over agencies ({numbers.count('constants.draws', paper.draws)} "
              "resamples of whole agencies with replacement, percentile interval): an agency's applications are "
              "answered by one office under one practice, so they are not independent draws, and an interval "
              "that treats them so (Wilson's) is too narrow. A rate resting on a single agency has no interval. "
              "Every figure states how many reports and applications it rests on.\n\n"
              f"Across eras the `indicators` table maps the pre-{numbers.year('constants.template_2019', int(TEMPLATES[0]))} "
              f"forms ({words.FORM_2014}) and both national templates to the same indicators; where a definition "
              f"breaks (before the template, {words.NOT_EXIST} was often counted as a refusal) the table's "
              "definitions say so."
            + f" Models of the outcomes by level, kind, region and year, with cluster-robust errors, are in the "
              f"[models notebook]({MODELS_PAGE}).\n")


def volume_section(paper: Paper, numbers: Numbers) -> str:
    """Return the finding on volume and its concentration."""
    volumes = paper.usable["new"].dropna().sort_values(ascending=False)
    top = max(1, math.ceil(TOP_SHARE * len(volumes))) if len(volumes) else 0
    total = volumes.sum()
    share = volumes.head(top).sum() / total if total > 0 else math.nan
    return (heading("volume", 3)
            + f"The {numbers.count('volume.reports', len(volumes))} reports received "
              f"{numbers.count('volume.new', total)} new applications ({words.NEW}): a median of "
              f"{numbers.decimal('volume.median', volumes.median() if len(volumes) else None, 1)} per report, "
              f"{plural(numbers.count('volume.zero_reports', (volumes == 0).sum()), (volumes == 0).sum(), 'report')} "
              f"with none. The busiest {plural(numbers.count('volume.top_reports', top), top, 'report')} "
              "(the top tenth) received "
              f"{numbers.share('volume.top_share', share)} of them.\n")


def answers_section(paper: Paper, numbers: Numbers) -> str:
    """Return the finding on how requests are answered, overall and by level and kind."""
    usable = paper.usable
    composition = metrics.outcome_composition(usable).set_index("outcome")
    shares = {o: composition.loc[o, "share"] if o in composition.index else math.nan for o in OUTCOME_GROUPS}
    handled = composition["handled"].iloc[0] if len(composition) else 0
    rate = metrics.rate_table(usable, "disclosure_rate", draws=paper.draws).iloc[0]
    text = (heading("answers", 3)
            + f"The reports handled {numbers.count('answers.handled', handled)} applications: "
              f"{numbers.share('answers.granted', shares['granted'])} granted ({words.GRANTED}), "
              f"{numbers.share('answers.partially_granted', shares['partially_granted'])} granted in part "
              f"({words.PARTLY}), {numbers.share('answers.denied', shares['denied'])} refused ({words.DENIED}), "
              f"{numbers.share('answers.unavailable', shares['unavailable'])} unavailable ({words.UNAVAILABLE}), "
              f"{numbers.share('answers.not_processed', shares['not_processed'])} not processed "
              f"({words.NOT_PROCESSED}) and {numbers.share('answers.other', shares['other'])} otherwise handled. "
              f"The disclosure rate is {numbers.share('answers.disclosure_rate', rate['rate'])} "
              f"({numbers.interval('answers.disclosure_rate', rate['ci_low'], rate['ci_high'])}; "
              f"{plural(numbers.count('answers.reports', rate['reports']), rate['reports'], 'report')}, "
              f"{plural(numbers.count('answers.clusters', rate['clusters']), rate['clusters'], 'agency').replace('agencys', 'agencies')}).")
    return text + " " + spread(paper, numbers, "level") + " " + spread(paper, numbers, "kind") + "\n"


def spread(paper: Paper, numbers: Numbers, by: str) -> str:
    """Return one sentence on the lowest and highest disclosure rate across the groups of ``by``."""
    table = metrics.rate_table(paper.usable, "disclosure_rate", by=[by], draws=paper.draws).dropna(subset=["rate"])
    if len(table) < 2:
        return f"The reports cover fewer than two groups of agency {by}: no comparison by {by}."
    low, high = table.loc[table["rate"].idxmin()], table.loc[table["rate"].idxmax()]
    return (f"By agency {by}, it ranges from {numbers.share(f'answers.{by}.lowest', low['rate'])} "
            f"({low[by]}, {plural(numbers.count(f'answers.{by}.lowest_reports', low['reports']), low['reports'], 'report')}) "
            f"to {numbers.share(f'answers.{by}.highest', high['rate'])} ({high[by]}, "
            f"{plural(numbers.count(f'answers.{by}.highest_reports', high['reports']), high['reports'], 'report')}).")


def english_name(study: Study):
    """Return a function giving a cell code's English name in the codebook (``table3.x.total`` -> ``Unavailable: not held``)."""
    names = dict(zip(study.codebook["code"], study.codebook["name_en"]))

    def name(code: str) -> str:
        return f"*{str(names.get(code, code)).removesuffix(': total')}*"

    return name


def grounds_section(paper: Paper, numbers: Numbers, reasons: pd.DataFrame, label=None) -> str:
    """Return the finding on not held and the other grounds.

    Args:
        paper: the paper's tables.
        numbers: the registry of stated numbers.
        reasons: :func:`metrics.reason_ranking` of the usable reports.
        label: returns a cell code's name (e.g. the codebook's English name); None prints the row code.
    """
    usable = paper.usable
    rate = metrics.rate_table(usable, "not_held_rate", draws=paper.draws).iloc[0]
    unavailable = usable["unavailable"].sum()
    within = usable["not_held"].sum() / unavailable if unavailable > 0 else math.nan
    used = reasons[reasons["applications"] > 0]
    text = (heading("grounds", 3)
            + f"{words.NOT_HELD} answered {numbers.share('grounds.not_held_rate', rate['rate'])} of the applications "
              f"handled ({numbers.interval('grounds.not_held_rate', rate['ci_low'], rate['ci_high'])}), "
              f"{numbers.share('grounds.not_held_of_unavailable', within)} of all {words.UNAVAILABLE} answers. "
              f"{numbers.count('grounds.reasons_used', len(used))} grounds for not granting were used at least once")
    if used.empty:
        return text + ".\n"
    first = used.iloc[0]
    name = label(f"table3.{first['row_code']}.total") if label else f"`{first['row_code']}`"
    return (text + f"; the most used, {name}, accounts for "
            f"{numbers.share('grounds.top_share', first['share_of_handled'])} of the applications handled "
            f"({plural(numbers.count('grounds.top_reports', first['reports']), first['reports'], 'report')} print it).\n")


def review_section(paper: Paper, numbers: Numbers) -> str:
    """Return the finding on administrative reconsideration and litigation."""
    usable = paper.usable
    recon = metrics.per_100_applications(usable, "reconsideration_total").iloc[0]
    litigation = metrics.per_100_applications(usable, "litigation").iloc[0]
    corrected = metrics.rate_table(usable, "reconsideration_correction_rate", draws=paper.draws).iloc[0]
    return (heading("review", 3)
            + f"The reports record {numbers.count('review.reconsideration', recon['events'])} reconsideration cases "
              f"({numbers.decimal('review.reconsideration_per_100', recon['per_100'])} per hundred new applications) "
              f"and {numbers.count('review.litigation', litigation['events'])} lawsuits "
              f"({numbers.decimal('review.litigation_per_100', litigation['per_100'])} per hundred). "
            + corrections(numbers, corrected) + "\n")


def corrections(numbers: Numbers, corrected) -> str:
    """Return the sentence on reconsiderations decided and corrected (``corrected``: a :func:`metrics.rate_table` row)."""
    decided = numbers.count("review.reconsideration_decided", corrected["trials"])
    if not corrected["trials"] > 0:
        return "No reconsideration was decided in the year it was filed or later: no correction rate."
    return (f"Of the {decided} reconsiderations decided, "
            f"{numbers.share('review.reconsideration_corrected', corrected['rate'])} corrected the agency "
            f"({numbers.interval('review.reconsideration_corrected', corrected['ci_low'], corrected['ci_high'])}).")


def era_table(eras: pd.DataFrame, by: str = "era") -> pd.DataFrame:
    """Return pooled indicators per era (or year) from :func:`era_indicators`' rows.

    Columns: ``reports``, ``received`` (applications received), ``answered``, and the shares of
    the answered that were ``granted`` (in full or in part), ``refused`` and ``not_held``.
    """
    if eras.empty:
        return pd.DataFrame(columns=[by, "reports", "received", "answered", "granted", "refused", "not_held"])
    frame = eras.dropna(subset=["applications_answered"])
    rows = []
    for key, part in frame.groupby(by, sort=True):
        answered = part["applications_answered"].sum()

        def share(columns, part=part, answered=answered):
            return part[list(columns)].sum(axis=1, min_count=1).sum() / answered if answered > 0 else math.nan

        rows.append({by: key, "reports": len(part), "received": part["applications_received"].sum(),
                     "answered": answered, "granted": share(("granted", "granted_in_part")),
                     "refused": share(("refused",)), "not_held": share(("not_held",))})
    table = pd.DataFrame(rows)
    if by == "era":
        table = table.sort_values("era", key=lambda s: s.map({e: i for i, e in enumerate(ERA_ORDER)}))
    return table.reset_index(drop=True)


def change_section(paper: Paper, numbers: Numbers) -> str:
    """Return the finding on change across years and eras (the ``indicators`` table)."""
    table = era_table(paper.eras).set_index("era") if len(paper.eras) else pd.DataFrame()
    first = numbers.year("constants.template_2019", int(TEMPLATES[0]))
    if table.empty:
        return heading("change", 3) + "No report has comparable indicators: no change to describe.\n"
    sentences = []
    for era in [e for e in ERA_ORDER if e in table.index]:
        row = table.loc[era]
        reports = plural(numbers.count(f"change.{era}.reports", row["reports"]), row["reports"], "report")
        sentences.append(f"{words.ERAS[era][1]}: {reports}, "
                         f"{numbers.count(f'change.{era}.received', row['received'])} applications received, "
                         f"{numbers.share(f'change.{era}.granted', row['granted'])} of those answered granted in "
                         f"full or in part, {numbers.share(f'change.{era}.not_held', row['not_held'])} not held")
    return (heading("change", 3) + "; ".join(sentences) + ". "
            + f"Before {first} many agencies counted {words.NOT_EXIST} (information that does not exist) among "
              f"refusals, where the template counts it as {words.NOT_HELD} under {words.UNAVAILABLE}, and from "
              f"{first} on the tables count new applications apart from those carried over: a step at the break "
              "is partly one of definitions (see the `indicator_definitions` table).\n")


def limitations_section(paper: Paper, numbers: Numbers, counts: dict | None = None) -> str:
    """Return the limitations, with the figures that bound them."""
    templates = template_reports(paper.reports)
    usable_share = len(paper.usable) / len(templates) if len(templates) else math.nan
    coverage = coverage_table(paper.reports, counts)
    agency_years = coverage["agency_year_coverage"]
    return (heading("limitations")
            + f"* **Who reports.** The corpus is what was collected, not a sample: it holds "
              f"{numbers.share('limitations.county_agency_years', agency_years.iloc[-1] if len(agency_years) else None, digits=2)} "
              "of the county governments' agency-years it covers, and agencies that publish nothing, or whose "
              "reports could not be read, may differ from those that do.\n"
            + f"* **Which reports count.** {numbers.share('limitations.usable_share', usable_share)} of the template "
              "reports have tables whose arithmetic holds; the others keep their published figures in the dataset "
              "but are left out of every rate here.\n"
            + f"* **Pre-template figures.** {unchecked_sentence(paper, numbers)}\n"
            + "* **Few agencies, wide intervals.** With few agencies per group the bootstrap has little to resample; "
              "read the interval, not the point. Applications are counted per agency, not per applicant: one "
              "applicant filing many requests counts many times.\n"
            + "* **Associations.** Level, kind and region are not assigned: differences between them are descriptive, "
              "not effects.\n")


# ----------------------------------------------------------------------------------------
# Tables and series the notebook shows beside the text

CORPUS_COLUMNS = None  # the corpus table's headers are already bilingual
ERA_COLUMNS = {key: bilingual(words.COLUMNS[key]) for key in ("era", "reports", "received", "answered", "granted",
                                                               "refused", "not_held")}
COVERAGE_COLUMNS = {key: bilingual(words.COLUMNS[key]) for key in ("governments", "with_report", "coverage",
                                                                    "government_reports", "agency_years",
                                                                    "agency_year_coverage")}
COVERAGE_COLUMNS = {"level": term("level"), **COVERAGE_COLUMNS}


def era_label(template) -> str:
    """Return the bilingual name of a report's form: a national template or the pre-2019 forms."""
    pair = words.ERAS.get(str(template))
    return bilingual(pair) if pair else category("template", template)


def corpus_table(reports: pd.DataFrame) -> pd.DataFrame:
    """Return the reports by form (rows, in era order) and parse status (columns), with totals."""
    if reports.empty:
        return pd.DataFrame()
    ordered = reports.assign(rank=reports["template"].map({e: i for i, e in enumerate(ERA_ORDER)}))
    table = pd.crosstab(ordered["rank"], ordered["status"], margins=True, margins_name="total")
    statuses = [s for s in ("valid", "repaired", UNCHECKED, "invalid", "failed") if s in table.columns]
    table = table[[*statuses, *[c for c in table.columns if c not in statuses and c != "total"], "total"]]
    names = {i: era_label(e) for i, e in enumerate(ERA_ORDER)}
    table.index = [bilingual(words.COLUMNS["total"]) if i == "total" else names[i] for i in table.index]
    table.columns = [category("status", c) if c != "total" else bilingual(words.COLUMNS["total"]) for c in table.columns]
    return table.rename_axis(bilingual(words.COLUMNS["era"])).reset_index()


def rates_by(paper: Paper, rate: str, groups=("level", "kind")) -> pd.DataFrame:
    """Return :func:`metrics.rate_table` by each of ``groups`` in turn, stacked, with a bilingual ``group`` label."""
    parts = []
    for by in groups:
        table = metrics.rate_table(paper.usable, rate, by=[by], draws=paper.draws)
        if len(table):
            table = in_order(table, by)
            labels = [category(by, v) if by in ("level", "kind") else str(v) for v in table[by]]
            parts.append(table.assign(group=labels))
    return pd.concat(parts, ignore_index=True) if parts else pd.DataFrame(columns=["group", "rate"])


def year_shares(by_year: pd.DataFrame) -> pd.DataFrame:
    """Return, by year, the shares of applications answered that were granted and not held (for a line chart)."""
    if by_year.empty:
        return pd.DataFrame()
    frame = by_year.set_index("year")[["granted", "not_held"]].astype(float)
    frame.index = frame.index.astype(int)
    return frame.rename(columns={c: bilingual(words.COLUMNS[c]) for c in frame.columns})


def era_display(table: pd.DataFrame) -> pd.DataFrame:
    """Return :func:`era_table` by era with its forms named (bilingual)."""
    return table.assign(era=[era_label(e) for e in table["era"]]) if len(table) else table


def unchecked_sentence(paper: Paper, numbers: Numbers) -> str:
    """Return the sentence on pre-template reports whose figures come from sentences only (unchecked)."""
    count = int((paper.eras["status"] == UNCHECKED).sum()) if len(paper.eras) else 0
    text = numbers.count("limitations.unchecked", count)
    verb = "gives its" if count == 1 else "give their"
    return f"{text} pre-template report{'' if count == 1 else 's'} {verb} figures only in sentences, which nothing can check."


def stated(numbers: Numbers, paper: Paper, figures: dict | None = None) -> dict:
    """Return the headline the notebook displays last: the index's figures and every stated number."""
    rate = numbers.data.get("answers.disclosure_rate")
    return {"notebook": "study", "dataset_version": paper.version, "reports": int(len(paper.reports)),
            "usable_reports": int(len(paper.usable)), "new_applications": numbers.data.get("volume.new"),
            "disclosure_rate": rate, "stated": numbers.as_dict(), "figures": dict(figures or {})}


__all__ = ["Numbers", "Paper", "load", "own_reports", "template_reports", "era_indicators", "era_table",
           "coverage_table", "agency_count", "title", "questions", "data_section", "methods_section",
           "volume_section", "answers_section", "spread", "grounds_section", "review_section", "change_section",
           "limitations_section", "stated", "heading", "plural", "corrections", "english_name", "era_label", "corpus_table", "rates_by",
           "year_shares", "era_display", "unchecked_sentence", "CORPUS_COLUMNS", "COVERAGE_COLUMNS", "ERA_COLUMNS"]
