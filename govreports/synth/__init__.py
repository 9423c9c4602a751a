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

The package's rooms: :mod:`.model` (the generative model), :mod:`.printed` (the tables' printed
rows and the small renderer the unit tests use: :func:`consistent_values`, :func:`table_rows`,
:func:`render`, :func:`render_rows`, :func:`replace_row`), :mod:`.report` (a report's text parts
and answer key), :mod:`.layouts` and :mod:`.pages` (text, HTML and Word layouts),
:mod:`.word` (``.docx``), :mod:`.corpus` (writing a corpus), :mod:`.mutations` (damaged copies
of a report's rows for the mutation tests).
"""


from govreports.synth.corpus import (
    CorpusResult,
    generate_corpus,
    parse_layouts,
    parse_years,
    write_report,
)
from govreports.synth.layouts import (
    DEFAULT_LAYOUTS,
    LAYOUTS,
    check_layouts,
    generate_report,
    render_report,
)
from govreports.synth.model import (
    BASE_YEAR,
    DEFAULT_PARAMS,
    TABLE2_HEADERS,
    TABLE3_HEADER,
    TABLE4_HEADER,
    Agency,
    SynthParams,
    _atlas,
    _jurisdiction,
    apply_anomaly,
    consistent_values,
    draw_agency,
    draw_values,
    failed_identities,
    outcome_group,
    outcome_rows,
    set_column_balance,
    set_row_totals,
    template_for,
    terms,
)
from govreports.synth.printed import _fmt, _render_row, render, render_rows, replace_row, table_rows
from govreports.synth.report import SyntheticReport, answer_key

__all__ = [
    "BASE_YEAR", "DEFAULT_LAYOUTS", "DEFAULT_PARAMS", "LAYOUTS", "TABLE2_HEADERS", "TABLE3_HEADER", "TABLE4_HEADER",
    "Agency", "CorpusResult", "SynthParams", "SyntheticReport", "_atlas", "_fmt", "_jurisdiction", "_render_row",
    "answer_key", "apply_anomaly", "check_layouts", "consistent_values", "draw_agency", "draw_values",
    "failed_identities", "generate_corpus", "generate_report", "outcome_group", "outcome_rows", "parse_layouts",
    "parse_years", "render", "render_report", "render_rows", "replace_row", "set_column_balance", "set_row_totals",
    "table_rows", "template_for", "terms", "write_report",
]
