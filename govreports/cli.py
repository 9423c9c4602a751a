"""The ``govreports`` command line: a thin layer over the library.

Library errors become ``Error: ...`` with exit code 1 here and only here.
"""

from __future__ import annotations

import csv
import json
import logging
import math
import os
import sys
from dataclasses import replace
from functools import partial
from pathlib import Path

import click

from govreports import __version__
from govreports.errors import GovReportsError, Problem
from govreports.limits import FileTimeout, run_within
from govreports.parse import fewer_collections, parse
from govreports.parse.summary import summarise
from govreports.records import Report
from govreports.template import SCHEMA, TEMPLATES

REPORT_SUFFIXES = {".txt", ".md", ".markdown", ".text", ".html", ".htm", ".pdf", ".docx", ".doc",
                   ".png", ".jpg", ".jpeg", ".tif", ".tiff"}


def expand_paths(paths: tuple) -> list:
    """Return the files named, with directories expanded to the report files under them.

    Raises:
        click.ClickException: a path names nothing (a typo must not pass as an empty batch).
    """
    files = []
    for raw in paths:
        path = Path(raw)
        if not raw or not (path.exists() or path.is_symlink()):
            raise click.ClickException(f"{raw!r}: no such file or folder")
        if path.is_dir():
            files.extend(sorted(p for p in path.rglob("*") if p.is_file() and p.suffix.lower() in REPORT_SUFFIXES))
        else:
            files.append(path)
    return files


class Seconds(click.ParamType):
    """A time limit in seconds: 0 for none, else a finite number of at least :data:`MIN_SECONDS`."""

    name = "seconds"

    def convert(self, value, param, ctx):
        """Return the limit as a float, or fail with a message saying what is accepted."""
        try:
            seconds = float(value)
        except (TypeError, ValueError):
            self.fail(f"{value!r} is not a number of seconds", param, ctx)
        if not math.isfinite(seconds) or seconds < 0 or 0 < seconds < MIN_SECONDS:
            self.fail(f"{value!r}: give 0 for no limit, or a number of seconds of at least {MIN_SECONDS:g}",
                      param, ctx)
        return seconds


MIN_SECONDS = 0.1  # below this every file would fail: surely a typo


def not_empty(ctx, param, value):
    """Refuse an empty folder name (``''`` would mean the current folder)."""
    if value is not None and not str(value).strip():
        raise click.BadParameter("must not be empty", ctx, param)
    return value


def worker_count(ctx, param, value):
    """Return the number of workers, at least 1 and at most the cores (more only slow a build down)."""
    if value is None:
        return None
    cores = os.cpu_count() or 1
    if value < 1:
        raise click.BadParameter(f"{value}: give at least 1 (default: all {cores} cores)", ctx, param)
    if value > cores:
        click.echo(f"--workers {value} is more than the {cores} cores: using {cores}", err=True)
    return min(value, cores)


def parse_all(paths: tuple, seconds: float, **options):
    """Parse the files named (folders expanded) in turn, each within ``seconds`` (0: no limit)."""
    if hasattr(sys.stdout, "reconfigure"):  # messages quoting an undecodable file name print with escapes
        sys.stdout.reconfigure(errors="backslashreplace")
    with fewer_collections():
        for path in expand_paths(paths):
            try:
                report = run_within(seconds, partial(parse, path, **options))
            except FileTimeout:
                message = f"{path.name}: took longer than {seconds:g} s to parse; skipped (raise --timeout)"
                report = Report(path.name, "failed", errors=(Problem("source.timeout", message),))
            # A file name that is not valid UTF-8 is printed with escapes, not a crash.
            yield replace(report, source=os.fsencode(report.source).decode("utf-8", "backslashreplace"))
def ocr_option(func):
    """The ``--ocr/--no-ocr`` switch of commands that read reports."""
    return click.option("--ocr/--no-ocr", default=True, show_default=True,
                        help="Read scans (PDFs without a text layer, PNG, JPEG, TIFF) through OCR "
                             "(the ocr extra); --no-ocr records them as failed.")(func)


def use_ocr(ocr: bool) -> None:
    """Turn OCR on or off for this run and its worker processes, with a progress line per OCR'd page."""
    from govreports.read.document import OCR_SETTING

    os.environ[OCR_SETTING] = "1" if ocr else "0"
    progress = logging.getLogger("govreports.read.ocr")
    if ocr and not progress.handlers:
        handler = logging.StreamHandler(sys.stderr)
        handler.setFormatter(logging.Formatter("%(message)s"))
        progress.addHandler(handler)
        progress.setLevel(logging.INFO)


def input_options(func):
    """Options shared by commands that read reports."""
    func = click.option("--timeout", "seconds", type=Seconds(), default=120.0, show_default=True,
                        help="Seconds one file may take to parse before it is recorded as failed (0: no limit).")(func)
    func = ocr_option(func)
    func = click.option("--encoding", default=None, help="Force a text encoding (default: detect).")(func)
    func = click.option("--template", type=click.Choice(("auto",) + TEMPLATES), default="auto",
                        show_default=True, help="Template to read the tables with.")(func)
    return click.argument("paths", nargs=-1, required=True)(func)


def print_version(ctx: click.Context, _param, value: bool) -> None:
    """Print the version and which PDF loops run (compiled or Python), then exit."""
    if not value or ctx.resilient_parsing:
        return
    from govreports.read.pdf_pdfium import loops_in_use

    click.echo(f"govreports, version {__version__} (PDF character and path loops: {loops_in_use()})")
    ctx.exit()


@click.group()
@click.option("--version", is_flag=True, expose_value=False, is_eager=True, callback=print_version,
              help="Show the version (and which PDF loops run) and exit.")
def cli():
    """Parse, validate and study China's government information disclosure annual reports."""


@cli.command(name="parse")
@input_options
@click.option("--format", "fmt", type=click.Choice(["summary", "json", "csv"]), default="summary",
              show_default=True, help="summary: readable text; json: one object per report per line; "
                                      "csv: one row per cell.")
def parse_command(paths, template, encoding, seconds, ocr, fmt):
    """Parse reports (files or folders) and print their cells, metadata and checks."""
    use_ocr(ocr)
    writer = csv.writer(sys.stdout, lineterminator="\n") if fmt == "csv" else None
    if writer:
        writer.writerow(["source", "status", "template", "code", "value", "value_status"])
    for report in parse_all(paths, seconds, template=template, encoding=encoding):
        if fmt == "json":
            click.echo(json.dumps(report.to_dict(), ensure_ascii=False))
        elif writer:
            for cell in report.cells:
                writer.writerow([report.source, report.status, report.template, cell.code, cell.value, cell.status])
            if not report.cells:
                writer.writerow([report.source, report.status, report.template, "", "", ""])
        else:
            click.echo(summarise(report) + "\n")


@cli.command(name="check")
@input_options
def check_command(paths, template, encoding, seconds, ocr):
    """Check reports against the template's identities; exit 1 if any is invalid or failed."""
    use_ocr(ocr)
    bad = 0
    for report in parse_all(paths, seconds, template=template, encoding=encoding):
        failed = [c for c in report.checks if c.passed is False]
        reasons = "; ".join(p.message for p in report.errors if p.severity == "error")
        click.echo(f"{report.source}\t{report.status}\t{len(failed)} failed identities" + (f"\t{reasons}" if reasons else ""))
        bad += report.status in ("invalid", "failed")
    if bad:
        raise SystemExit(1)


@cli.command(name="schema")
@click.option("--template", type=click.Choice(TEMPLATES), default=None, help="Only this template.")
@click.option("--format", "fmt", type=click.Choice(["csv", "json"]), default="csv", show_default=True)
def schema_command(template, fmt):
    """Print the codebook: every cell code with its labels, unit and type."""
    rows = [r for r in SCHEMA.to_codebook() if template is None or r["template"] == template]
    if fmt == "json":
        click.echo(json.dumps(rows, ensure_ascii=False, indent=1))
        return
    writer = csv.DictWriter(sys.stdout, fieldnames=list(rows[0]), lineterminator="\n")
    writer.writeheader()
    writer.writerows(rows)


@cli.command(name="fetch")
@click.argument("url_list", type=click.Path(dir_okay=False))
@click.option("--raw", "raw_dir", default="data/raw", show_default=True, type=click.Path(file_okay=False),
              help="Folder to download into; SOURCES.csv there records every attempt.")
@click.option("--delay", type=float, default=1.0, show_default=True, help="Seconds between requests.")
@click.option("--timeout", type=float, default=30.0, show_default=True, help="Seconds before a request times out.")
@click.option("--retries", type=int, default=3, show_default=True, help="Retries with exponential back-off.")
@click.option("--max-bytes", type=int, default=50 * 1024 * 1024, show_default=True, help="Size cap per file.")
def fetch_command(url_list, raw_dir, delay, timeout, retries, max_bytes):
    """Download the reports listed in URL_LIST (a CSV with a url column) into the raw folder."""
    from govreports.read.fetch import FetchPolicy, fetch_all, read_fetch_list

    policy = FetchPolicy(delay=delay, timeout=timeout, retries=retries, max_bytes=max_bytes)
    results = fetch_all(read_fetch_list(url_list), raw_dir, policy)
    for result in results:
        click.echo(f"{result.fetch_status}\t{result.url}\t{result.file or result.reason}")
    if any(r.fetch_status == "failed" for r in results):
        raise SystemExit(1)


@cli.command(name="build")
@click.argument("raw_dir", default="data/raw", type=click.Path(file_okay=False), callback=not_empty)
@click.option("--out", "out_dir", default="data/processed", show_default=True, type=click.Path(file_okay=False),
              callback=not_empty, help="Folder to write (replaced atomically; never one holding an input).")
@click.option("--workers", type=int, default=None, callback=worker_count,
              help="Parallel processes, at most the cores (default: all cores).")
@click.option("--engine", type=click.Choice(["local", "dask"]), default="local", show_default=True,
              help="local: processes on this machine; dask: a Dask cluster.")
@click.option("--scheduler", default=None, help="Dask scheduler address (default: a local cluster).")
@click.option("--cache", "cache_dir", default="data/cache", show_default=True, type=click.Path(file_okay=False),
              help="Parse cache keyed by file hash and parser version ('' to disable).")
@click.option("--corrections", "corrections_path", default="data/corrections.csv", show_default=True,
              type=click.Path(dir_okay=False), help="Manual corrections applied in the build.")
@click.option("--file-timeout", type=Seconds(), default=120.0, show_default=True,
              help="Seconds one file may take to parse before it is recorded as failed (0: no limit).")
@click.option("--csv", "csv", type=click.Choice(["all", "reports", "none"]), default="reports", show_default=True,
              help="CSV copies beside the Parquet files: all tables; reports, repairs and manifest only "
                   "(cells and checks, the long ones, Parquet only); or none.")
@ocr_option
def build_command(raw_dir, out_dir, workers, engine, scheduler, cache_dir, corrections_path, file_timeout, csv, ocr):
    """Build the processed dataset (reports, cells, checks, repairs, manifest) from RAW_DIR."""
    from govreports.build import build_dataset

    use_ocr(ocr)
    result = build_dataset(raw_dir, out_dir, workers=workers, engine=engine, scheduler=scheduler,
                           cache_dir=cache_dir or None, corrections_path=corrections_path,
                           progress=_progress_printer() if sys.stderr.isatty() else None, file_timeout=file_timeout,
                           csv=csv)
    counts = ", ".join(f"{n} {status}" for status, n in sorted(result.counts.items()))
    click.echo(f"{result.out_dir}: {result.reports} reports ({counts})")


@cli.command(name="report")
@click.option("--study", is_flag=True, help="Run the study notebook (the paper: questions, coverage, findings).")
@click.option("--year", "years", type=int, multiple=True, help="Run the year notebook for this year (repeatable).")
@click.option("--region", "regions", multiple=True,
              help="Run the region notebook for a province, prefecture or county name, or an adcode (repeatable).")
@click.option("--quality", is_flag=True, help="Run the data quality notebook.")
@click.option("--models", is_flag=True, help="Run the models notebook (its tables go to OUT/tables).")
@click.option("--params", "params_files", multiple=True, type=click.Path(exists=True, dir_okay=False),
              help="Runs listed in a YAML parameter file, as in notebooks/params/ (repeatable).")
@click.option("--all", "run_all", is_flag=True, help="The study, every year and province in the processed data, "
              "quality, models.ipynb if present, and notebooks/params/*.yml.")
@click.option("--out", "out_dir", default=None, type=click.Path(file_okay=False),
              help="Folder for every output: reports, index.html, tables/, figures/, report_manifest.json "
              "(default: reports/). What an earlier report wrote there is removed first.")
@click.option("--processed", default=None, type=click.Path(file_okay=False),
              help="Processed dataset to read (default: data/processed/ in this folder or the nearest above).")
@click.option("--notebooks", "notebooks_dir", default=None, type=click.Path(exists=True, file_okay=False),
              help="Folder of notebooks to run instead of those shipped with govreports (e.g. edited copies).")
@click.option("--with-code", is_flag=True, help="Keep the code cells in the HTML.")
@click.option("--continue-on-error", is_flag=True, help="Go on after a failed notebook (exit code 1 at the end).")
def report_command(study, years, regions, quality, models, params_files, run_all, out_dir, processed, notebooks_dir,
                   with_code, continue_on_error):
    """Run the study notebooks with Papermill and write HTML reports and their index."""
    from govreports.study.notebooks import report_main

    try:
        code = report_main(years=years, regions=regions, quality=quality, models=models, params=params_files,
                           run_all=run_all, processed=processed, out_dir=out_dir, with_code=with_code,
                           continue_on_error=continue_on_error, echo=click.echo,
                           err=lambda line: click.echo(line, err=True), notebooks_dir=notebooks_dir, study=study)
    except GovReportsError as exc:  # a wrong year, region or parameter: exit 1 before anything ran
        raise click.ClickException(str(exc)) from exc
    if code:
        raise SystemExit(code)


@cli.command(name="synth")
@click.option("--n", "count", type=click.IntRange(min=1), required=True, help="Number of reports to generate.")
@click.option("--seed", default="0", show_default=True, help="Corpus seed: the same seed gives the same corpus.")
@click.option("--out", "out_dir", required=True, type=click.Path(file_okay=False),
              help="Folder to write (never under data/raw).")
@click.option("--years", default="2019-2024", show_default=True, help="Statistics years FIRST-LAST, e.g. 2020-2024.")
@click.option("--layouts", default=None, help="Comma-separated layouts (default: all but the plain tabs and spaces).")
@click.option("--anomaly-rate", type=click.FloatRange(0, 1), default=0.02, show_default=True,
              help="Share of reports with one total published off (a source anomaly).")
def synth_command(count, seed, out_dir, years, layouts, anomaly_rate):
    """Generate a SYNTHETIC corpus of reports with answer keys (for testing the parser, never for study)."""
    from govreports.synth import generate_corpus, parse_layouts, parse_years

    try:
        result = generate_corpus(count, seed, out_dir, years=parse_years(years), layouts=parse_layouts(layouts),
                                 anomaly_rate=anomaly_rate)
    except GovReportsError as exc:  # also a clean message when the entry point is cli(), not main()
        raise click.ClickException(str(exc)) from exc
    per_layout = ", ".join(f"{n} {layout}" for layout, n in result.layouts.items())
    click.echo(f"{result.out_dir}: {result.reports} synthetic reports ({per_layout}), {result.anomalies} with an anomaly")


def _progress_printer():
    def show(done: int, total: int) -> None:
        width = 30
        filled = width * done // max(total, 1)
        click.echo(f"\r[{'#' * filled}{'.' * (width - filled)}] {done}/{total} files", err=True, nl=done == total)

    return show


def main():
    """Run the CLI, turning library errors into a one-line message and exit code 1."""
    try:
        cli(standalone_mode=True)
    except GovReportsError as exc:
        click.echo(f"Error: {exc}", err=True)
        raise SystemExit(1) from exc
