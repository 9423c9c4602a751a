"""Run the study notebooks with Papermill and export the report a researcher reads.

Each run executes one notebook of ``notebooks/`` (``year``, ``region``, ``quality``, and
``models`` where it exists) with its parameters, keeps the executed ``.ipynb`` and exports it to
HTML with nbconvert, both in the reports folder::

    reports/year__year-2023.html         reports/region__region-湖南省.html
    reports/quality.html                 reports/index.html (links every report in the folder)
    reports/tables/                      the models' tables (CSV, LaTeX)
    reports/figures/<run>/               figures a notebook saves as files (its figures_dir)
    reports/report_manifest.json         what this run wrote: every file, its sha256, the versions

Every run starts by removing what the previous one wrote (the files its manifest lists, and pages,
tables and figures named as this module names them), so a folder never mixes two runs' outputs.

Parameters are handed to Papermill as data (it writes them into the notebook as escaped
literals); no code or shell string is ever built from a region name. A notebook that fails is
recorded with its error, and with ``continue_on_error`` the other runs go on.
"""

from __future__ import annotations

import difflib
import hashlib
import json
import re
import sys
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path

from govreports import paths as config
from govreports.errors import GovReportsError
from govreports.study.index import (
    HEADLINE_TAG,
    NOTEBOOK_KINDS,
    PROCESSED_PARAMETER,
    add_banner,
    dataset_version,
    display_headline,
    is_synthetic,
    read_headline,
    write_index,
)

NOTEBOOKS = NOTEBOOK_KINDS
OUT_PARAMETER = "out_dir"  # a notebook parameter naming where the notebook writes its own files
FIGURES_PARAMETER = "figures_dir"  # a notebook parameter naming where it saves its figures as files
TABLES_FOLDER = "tables"
FIGURES_FOLDER = "figures"
MANIFEST_NAME = "report_manifest.json"
GENERATED_FOLDERS = (TABLES_FOLDER, FIGURES_FOLDER)
GENERATED_SUFFIXES = (".csv", ".tex", ".png", ".svg", ".pdf", ".json", ".html", ".ipynb", ".parquet")
TABLE_SUFFIXES = (".csv", ".tex")
SLUG_MAX = 80


# ----------------------------------------------------------------------------------------
# What to run


@dataclass(frozen=True)
class Run:
    """One execution of a notebook: its name in ``notebooks/`` (no suffix) and its parameters."""

    notebook: str
    parameters: tuple = ()

    @property
    def params(self) -> dict:
        """Return the parameters as a dict."""
        return dict(self.parameters)

    @property
    def name(self) -> str:
        """Return the outputs' file stem, e.g. ``year__year-2023`` or ``region__region-湖南省``."""
        return "__".join([self.notebook] + [f"{key}-{slugify(value)}" for key, value in self.parameters])


def make_run(notebook: str, **parameters) -> Run:
    """Return a :class:`Run` of ``notebook`` with ``parameters`` (kept in the order given)."""
    return Run(notebook, tuple(parameters.items()))


def slugify(value) -> str:
    """Return ``value`` as a file-name part: letters (Chinese included) and digits kept, the rest ``-``.

    When characters had to be replaced, a short digest of the original is appended, so that two
    different values never share a file name.
    """
    text = str(value)
    slug = re.sub(r"[^\w]+", "-", text).strip("-_")[:SLUG_MAX]
    if slug and slug == text:
        return slug
    digest = hashlib.sha256(text.encode("utf-8")).hexdigest()[:8]
    return f"{slug}-{digest}" if slug else digest


def corpus_runs(processed: Path, notebooks_dir: Path) -> list:
    """Return the runs of ``--all``: the study (first), every year and province in the processed data, quality, models.

    Raises:
        GovReportsError: the processed folder has no ``reports`` table.
    """
    import pandas as pd

    reports = pd.read_parquet(reports_table(processed), columns=["year", "province"])
    runs = [make_run("study")] if (notebooks_dir / "study.ipynb").exists() else []
    runs += [make_run("year", year=int(y)) for y in sorted(reports["year"].dropna().unique())]
    runs += [make_run("region", region=str(p)) for p in sorted(reports["province"].dropna().unique())]
    runs.append(make_run("quality"))
    if (notebooks_dir / "models.ipynb").exists():
        runs.append(make_run("models"))
    return runs


def reports_table(processed: Path) -> Path:
    """Return the path of the ``reports`` table in ``processed``.

    Raises:
        GovReportsError: it does not exist (the dataset was not built).
    """
    path = Path(processed) / "reports.parquet"
    if not path.is_file():
        raise GovReportsError(f"{processed} has no reports.parquet: run 'govreports build' first")
    return path


def params_runs(path: Path, notebooks_dir: Path) -> list:
    """Return the runs a parameter file describes.

    A file holds one run or a list of them under ``runs``::

        notebook: region
        parameters:
          region: "430600"

    Raises:
        GovReportsError: the file is not valid YAML, names no known notebook, or its
            parameters are not a mapping of plain values.
    """
    import yaml

    try:
        data = yaml.safe_load(Path(path).read_text(encoding="utf-8"))
    except (OSError, yaml.YAMLError) as exc:
        raise GovReportsError(f"{path}: cannot read parameters ({exc})") from exc
    entries = data.get("runs", [data]) if isinstance(data, dict) else None
    if not isinstance(entries, list):
        raise GovReportsError(f"{path}: expected a mapping with 'notebook' and 'parameters', or 'runs'")
    return [_params_entry(path, entry, notebooks_dir) for entry in entries]


def _params_entry(path: Path, entry, notebooks_dir: Path) -> Run:
    """Return the run of one entry of a parameter file (see :func:`params_runs`)."""
    if not isinstance(entry, dict) or not isinstance(entry.get("notebook"), str):
        raise GovReportsError(f"{path}: every run needs a 'notebook' name")
    notebook = entry["notebook"].removesuffix(".ipynb")
    if "/" in notebook or "\\" in notebook or not (notebooks_dir / f"{notebook}.ipynb").is_file():
        raise GovReportsError(f"{path}: no notebook {notebook!r} in {notebooks_dir}")
    parameters = entry.get("parameters") or {}
    plain = (str, int, float, bool)
    if not isinstance(parameters, dict) or not all(isinstance(k, str) and isinstance(v, plain)
                                                   for k, v in parameters.items()):
        raise GovReportsError(f"{path}: 'parameters' must map names to plain values")
    return Run(notebook, tuple(parameters.items()))


def unique(runs: Iterable) -> list:
    """Return ``runs`` without repeats (same output name), in order."""
    seen, out = set(), []
    for run in runs:
        if run.name not in seen:
            seen.add(run.name)
            out.append(run)
    return out


# ----------------------------------------------------------------------------------------
# Checking what was asked for before anything runs

SUGGESTIONS = 3
PLACE_COLUMNS = ("province", "prefecture", "county", "adcode")


def _suggest(value: str, choices: Iterable) -> str:
    """Return `` (did you mean A, B?)`` with the closest of ``choices`` to ``value`` (empty if none is close)."""
    close = difflib.get_close_matches(str(value), sorted({str(c) for c in choices}), n=SUGGESTIONS, cutoff=0.5)
    return f" (did you mean {', '.join(close)}?)" if close else ""


def check_selection(runs: list, processed: Path) -> None:
    """Refuse a year or region run that selects no report of the processed dataset, with the closest matches.

    Raises:
        GovReportsError: a year or region is not in the ``reports`` table.
    """
    import pandas as pd

    from govreports.study.metrics import region_mask

    wanted = [r for r in runs if r.notebook in ("year", "region")]
    if not wanted:
        return
    reports = pd.read_parquet(reports_table(processed))
    for column in PLACE_COLUMNS:  # a reports table of an older build may lack a column: nothing matches it
        if column not in reports:
            reports[column] = None
    years = sorted({int(y) for y in reports["year"].dropna()})
    places = {v for c in PLACE_COLUMNS for v in reports[c].dropna().astype(str)}
    for run in wanted:
        if "year" in run.params and _as_int(run.params["year"]) not in years:
            nearest = sorted(years, key=lambda y: abs(y - (_as_int(run.params["year"]) or 0)))[:SUGGESTIONS]
            hint = f" (did you mean {', '.join(map(str, sorted(nearest)))}?)" if nearest else ""
            raise GovReportsError(f"no report of year {run.params['year']!r} in {processed}{hint}; "
                                  f"years present: {_span(years)}")
        if "region" in run.params and not region_mask(reports, str(run.params["region"])).any():
            raise GovReportsError(f"no report of region {run.params['region']!r} in {processed}"
                                  f"{_suggest(run.params['region'], places)}; give a province, prefecture or "
                                  "county name as the reports table prints it, or a 6-digit adcode")


def _as_int(value):
    try:
        return int(value)
    except (TypeError, ValueError):
        return None


def _span(years: list) -> str:
    return f"{years[0]}-{years[-1]}" if years else "none"


def check_parameters(run: Run, notebooks_dir: Path) -> Run:
    """Return ``run`` with its parameters checked against the notebook's parameters cell and coerced.

    A name the cell does not define is refused (with the closest names); a value is converted to
    the type of the cell's default (``"2022"`` for an integer becomes 2022) or refused.

    Raises:
        GovReportsError: an unknown parameter, or a value that cannot take the default's type.
    """
    import papermill

    source = notebooks_dir / f"{run.notebook}.ipynb"
    if not source.is_file():
        raise GovReportsError(f"no notebook {source}")
    declared = papermill.inspect_notebook(str(source))
    if not declared:  # no parameters cell: Papermill adds the values as they are
        return run
    checked = []
    for name, value in run.parameters:
        if name not in declared:
            raise GovReportsError(f"notebook {run.notebook!r} has no parameter {name!r}{_suggest(name, declared)}; "
                                  f"its parameters: {', '.join(declared)}")
        checked.append((name, coerce(run.notebook, name, value, default_type(declared[name]))))
    return Run(run.notebook, tuple(checked))


COERCIONS = {"int": int, "float": float, "str": str}


def default_type(spec: dict) -> str | None:
    """Return the type name of a parameter's default as the cell writes it (``None`` when it is None or unreadable)."""
    import ast

    try:
        default = ast.literal_eval(spec.get("default", "None"))
    except (ValueError, SyntaxError):
        return None
    return None if default is None else type(default).__name__


def coerce(notebook: str, name: str, value, type_name: str | None):
    """Return ``value`` as the type of the notebook's default (a ``None`` default takes integers from digits).

    Raises:
        GovReportsError: the value cannot be read as that type.
    """
    if type_name is None:
        return int(value) if isinstance(value, str) and value.strip().lstrip("-").isdigit() else value
    if type_name == "bool":
        text = str(value).strip().lower()
        if isinstance(value, bool) or text in ("true", "false"):
            return value if isinstance(value, bool) else text == "true"
    elif type_name in COERCIONS and not isinstance(value, bool):
        try:
            converted = COERCIONS[type_name](value)
        except (TypeError, ValueError):
            converted = None
        if converted is not None and not (type_name == "int" and isinstance(value, float) and value != converted):
            return converted
    else:
        return value
    raise GovReportsError(f"notebook {notebook!r}: parameter {name!r} = {value!r} is not a {type_name}")


# ----------------------------------------------------------------------------------------
# Executing


@dataclass
class Outcome:
    """What one run produced: its outputs, or the error that stopped it."""

    run: Run
    ipynb: Path | None = None
    html: Path | None = None
    error: str | None = None
    seconds: float = 0.0
    headline: dict = field(default_factory=dict)

    @property
    def ok(self) -> bool:
        """Return True if the notebook ran to its end."""
        return self.error is None


def _kernel_manager_class():
    """Return a kernel manager class that always starts this interpreter's kernel.

    A ``python3`` kernelspec found first on the Jupyter path (say a user-level one made for
    another Python) would run the notebooks without govreports; this one never looks it up.
    """
    import zmq
    from jupyter_client.kernelspec import KernelSpec, KernelSpecManager
    from jupyter_client.manager import AsyncKernelManager
    from traitlets import default

    class ThisInterpreterSpecs(KernelSpecManager):
        def get_kernel_spec(self, kernel_name: str) -> KernelSpec:
            """Return the spec of an ipykernel on ``sys.executable``, whatever the name asked."""
            return KernelSpec(argv=[sys.executable, "-m", "ipykernel_launcher", "-f", "{connection_file}"],
                              display_name="Python 3 (govreports)", language="python", resource_dir="",
                              metadata={"supported_encryption": ["curve"]})

    class ThisInterpreterKernel(AsyncKernelManager):
        @default("kernel_spec_manager")
        def _specs(self) -> KernelSpecManager:
            return ThisInterpreterSpecs(parent=self)

        @default("transport_encryption")
        def _encryption(self) -> str:
            # Encrypt the kernel's local TCP traffic when libzmq can (else ipykernel warns).
            return "auto" if zmq.has("curve") else "disabled"

        async def _async_interrupt_kernel(self) -> None:
            # jupyter_client interrupts before every shutdown; the notebook has finished by then,
            # and the interrupt only makes ipykernel log a spurious "KeyboardInterrupt caught".
            if not self.shutting_down:
                await super()._async_interrupt_kernel()

    return ThisInterpreterKernel


def execute(run: Run, processed: Path, out_dir: Path, notebooks_dir: Path) -> Path:
    """Execute one run with Papermill and return the executed notebook's path.

    The notebook gets ``processed`` as a parameter if it declares one, ``out_dir`` (the
    ``tables`` folder under ``out_dir``) and ``figures_dir`` (``figures/<run name>`` under
    ``out_dir``) unless the run sets them. The kernel's working folder is the notebook's folder,
    as when a researcher opens it in Jupyter.

    Raises:
        papermill.exceptions.PapermillExecutionError: a cell raised (the output notebook is kept).
        GovReportsError: the notebook does not exist.
    """
    import papermill

    source = notebooks_dir / f"{run.notebook}.ipynb"
    if not source.is_file():
        raise GovReportsError(f"no notebook {source}")
    parameters = run.params
    declared = papermill.inspect_notebook(str(source))
    if PROCESSED_PARAMETER in declared:
        parameters[PROCESSED_PARAMETER] = str(Path(processed).resolve())
    if OUT_PARAMETER in declared and OUT_PARAMETER not in parameters:
        # A notebook that writes files of its own (the models' tables) writes them under --out too.
        parameters[OUT_PARAMETER] = str((Path(out_dir) / TABLES_FOLDER).resolve())
    if FIGURES_PARAMETER in declared and FIGURES_PARAMETER not in parameters:
        # One folder per run: two years' figures, numbered from 01 each, never overwrite each other.
        parameters[FIGURES_PARAMETER] = str((Path(out_dir) / FIGURES_FOLDER / run.name).resolve())
    target = out_dir / f"{run.name}.ipynb"
    papermill.execute_notebook(str(source), str(target), parameters=parameters, progress_bar=False,
                               cwd=str(notebooks_dir), kernel_manager_class=_kernel_manager_class(),
                               start_timeout=120)
    return target


def export_html(ipynb: Path, with_code: bool = False, synthetic: bool = False) -> Path:
    """Export an executed notebook to HTML next to it (code cells hidden unless ``with_code``).

    A page of a synthetic dataset opens with a banner saying so (:func:`~govreports.study.index.add_banner`).
    """
    import nbformat
    from nbconvert import HTMLExporter
    from nbconvert.preprocessors import TagRemovePreprocessor

    notebook = nbformat.read(ipynb, as_version=4)
    # lang "zh": browsers then draw Han characters with a Simplified Chinese font (with "en",
    # Chromium on Linux falls back to a Japanese one: 复 comes out in its Japanese form).
    exporter = HTMLExporter(template_name="lab", exclude_input=not with_code, exclude_input_prompt=not with_code,
                            exclude_output_prompt=True, language_code="zh")
    # The headline cell is machine-readable glue for the index and the tests, not reading matter.
    exporter.register_preprocessor(TagRemovePreprocessor(remove_cell_tags={HEADLINE_TAG}, enabled=True), enabled=True)
    body, _ = exporter.from_notebook_node(notebook, resources={"metadata": {"name": _page_title(ipynb.stem)}})
    target = ipynb.with_suffix(".html")
    target.write_text(add_banner(body) if synthetic else body, encoding="utf-8")
    return target


def _page_title(stem: str) -> str:
    """Return a report's browser title from its file stem."""
    return f"{stem.replace('__', ' ')} · govreports"


def run_one(run: Run, processed: Path, out_dir: Path, notebooks_dir: Path, with_code: bool) -> Outcome:
    """Execute and export one run; any failure is caught and recorded in the outcome."""
    from papermill.exceptions import PapermillExecutionError

    outcome = Outcome(run)
    started = time.monotonic()
    target = out_dir / f"{run.name}.ipynb"
    try:
        outcome.ipynb = execute(run, processed, out_dir, notebooks_dir)
    except PapermillExecutionError as exc:
        outcome.ipynb = target
        outcome.error = f"{exc.ename}: {exc.evalue} (cell {exc.exec_count})"
    except Exception as exc:  # a kernel or file problem must not stop the other runs
        outcome.error = f"{type(exc).__name__}: {exc}"
    if outcome.ipynb is not None and outcome.ipynb.is_file():
        try:
            outcome.html = export_html(outcome.ipynb, with_code, synthetic=is_synthetic(processed))
            outcome.headline = read_headline(outcome.ipynb)
            write_numbers(outcome)
        except Exception as exc:  # as above: reported, and the others go on
            outcome.error = outcome.error or f"HTML export failed: {type(exc).__name__}: {exc}"
    outcome.seconds = time.monotonic() - started
    return outcome


NUMBERS_SUFFIX = ".numbers.json"


def write_numbers(outcome: Outcome) -> Path | None:
    """Write a run's headline figures (every number its text states) as JSON beside its HTML; return the path."""
    import json

    if not outcome.headline or outcome.html is None:
        return None
    target = outcome.html.with_name(outcome.html.stem + NUMBERS_SUFFIX)
    target.write_text(json.dumps(outcome.headline, ensure_ascii=False, indent=1, sort_keys=True) + "\n",
                      encoding="utf-8")
    return target


def run_report(runs: list, *, processed: Path | None = None, out_dir: Path | None = None,
               notebooks_dir: Path | None = None, with_code: bool = False, continue_on_error: bool = False,
               log: Callable | None = None) -> list:
    """Execute ``runs`` in order, export each to HTML and write ``index.html``; return the outcomes.

    Args:
        runs: what to execute (see :func:`corpus_runs`, :func:`params_runs`, :func:`make_run`).
        processed: the processed dataset (default :data:`govreports.paths.PROCESSED_DIR`).
        out_dir: where reports go (default :data:`govreports.paths.REPORTS_DIR`).
        notebooks_dir: where the notebooks are (default :data:`govreports.paths.NOTEBOOKS_DIR`).
        with_code: keep code cells in the HTML.
        continue_on_error: go on after a failed notebook (otherwise stop at the first failure).
        log: called with one line of progress per run (None: silent).
    """
    processed = Path(processed or config.PROCESSED_DIR)
    out_dir = Path(out_dir or config.REPORTS_DIR)
    notebooks_dir = Path(notebooks_dir or config.NOTEBOOKS_DIR)
    reports_table(processed)
    out_dir.mkdir(parents=True, exist_ok=True)
    clear_previous(out_dir, notebooks_dir)
    before = _snapshot(out_dir)
    log = log or (lambda line: None)
    outcomes = []
    for index, run in enumerate(runs, start=1):
        outcome = run_one(run, processed, out_dir, notebooks_dir, with_code)
        outcomes.append(outcome)
        status = "ok" if outcome.ok else f"FAILED: {outcome.error}"
        log(f"[{index}/{len(runs)}] {run.name}: {status} ({outcome.seconds:.1f} s)")
        if not outcome.ok and not continue_on_error:
            break
    write_index(out_dir, processed, outcomes)
    write_manifest(out_dir, processed, runs, outcomes, before)
    return outcomes


# ----------------------------------------------------------------------------------------
# The output folder: one run's files only, listed in its manifest


def _known_kinds(notebooks_dir: Path) -> set:
    """Return the notebook names whose pages this module writes (the known kinds and every notebook found)."""
    return {*NOTEBOOK_KINDS, "study", *(p.stem for p in Path(notebooks_dir).glob("*.ipynb"))}


def _inside(out_dir: Path, relative: str) -> Path | None:
    """Return ``out_dir / relative`` if it stays inside ``out_dir`` (a manifest is data: never trusted further)."""
    path = (out_dir / relative).resolve()
    return path if path.is_relative_to(out_dir.resolve()) and path != out_dir.resolve() else None


def _run_kind(file_name: str) -> str:
    """Return the notebook a run's output file is named after: ``year__year-2023.numbers.json`` -> ``year``."""
    return file_name.split("__")[0].split(".")[0]


def previous_outputs(out_dir: Path, notebooks_dir: Path) -> list:
    """Return the files an earlier ``report`` wrote in ``out_dir``.

    They are the files its manifest lists, and (for a folder written before manifests, or
    files a crashed run left) the files named after a notebook's run (``year__year-2023.html``,
    ``quality.ipynb``, ``study.numbers.json``, ``index.html``) and generated files in
    ``tables/`` and ``figures/``. A file of any other name is the user's and is left alone.
    """
    out_dir = Path(out_dir)
    found = set()
    manifest = out_dir / MANIFEST_NAME
    if manifest.is_file():
        found.add(manifest)
        try:
            listed = [entry["path"] for entry in json.loads(manifest.read_text(encoding="utf-8"))["files"]]
        except (OSError, ValueError, KeyError, TypeError):  # a damaged manifest: the name rules below still apply
            listed = []
        found.update(p for p in (_inside(out_dir, str(name)) for name in listed) if p is not None and p.is_file())
    kinds = _known_kinds(notebooks_dir)
    found.update(p for p in out_dir.glob("*") if p.is_file() and p.suffix in GENERATED_SUFFIXES
                 and (_run_kind(p.name) in kinds or p.name == "index.html"))
    for folder in GENERATED_FOLDERS:
        found.update(p for p in (out_dir / folder).rglob("*") if p.is_file() and p.suffix in GENERATED_SUFFIXES)
    return sorted(found)


def clear_previous(out_dir: Path, notebooks_dir: Path) -> list:
    """Remove :func:`previous_outputs` (and the generated folders left empty); return what was removed."""
    removed = previous_outputs(out_dir, notebooks_dir)
    for path in removed:
        path.unlink(missing_ok=True)
    for folder in GENERATED_FOLDERS:
        root = Path(out_dir) / folder
        for directory in sorted((d for d in root.rglob("*") if d.is_dir()), key=lambda d: len(d.parts), reverse=True):
            if not any(directory.iterdir()):
                directory.rmdir()
        if root.is_dir() and not any(root.iterdir()):
            root.rmdir()
    return removed


def _snapshot(out_dir: Path) -> dict:
    """Return ``{path: (size, mtime_ns)}`` of every file under ``out_dir``."""
    return {p: (p.stat().st_size, p.stat().st_mtime_ns) for p in Path(out_dir).rglob("*") if p.is_file()}


def _sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def is_stamped(path: Path, dataset: str, package: str) -> bool:
    """Return True if an exported table carries both versions.

    A CSV needs ``dataset_version`` and ``govreports_version`` columns holding them on every row;
    a LaTeX table needs the dataset version and ``govreports <version>`` in its text (the caption).
    """
    import csv
    import io

    text = Path(path).read_text(encoding="utf-8", errors="replace")
    if Path(path).suffix != ".csv":
        return dataset in text and f"govreports {package}" in text
    reader = csv.DictReader(io.StringIO(text))
    if not {"dataset_version", "govreports_version"} <= set(reader.fieldnames or ()):
        return False
    return all(r["dataset_version"] == dataset and r["govreports_version"] == package for r in reader)


def _file_entry(out_dir: Path, path: Path, dataset: str) -> dict:
    """Return one file's manifest entry (tables say whether they carry the versions)."""
    from govreports import __version__

    entry = {"path": path.relative_to(out_dir).as_posix(), "size_bytes": path.stat().st_size, "sha256": _sha256(path)}
    if path.suffix in TABLE_SUFFIXES:
        entry["stamped"] = is_stamped(path, dataset, __version__)
    return entry


def write_manifest(out_dir: Path, processed: Path, runs: list, outcomes: list, before: dict) -> Path:
    """Write ``report_manifest.json``: the versions, every run's status and every file this run wrote.

    ``before`` is :func:`_snapshot` of the folder before the run: a file listed is new or changed
    since (the user's own files in the folder are not listed, and not removed by the next run).
    """
    from govreports import __version__

    out_dir = Path(out_dir)
    dataset = dataset_version(processed)
    done = {o.run.name: o for o in outcomes}
    written = sorted(p for p, stat in _snapshot(out_dir).items() if before.get(p) != stat and p.name != MANIFEST_NAME)
    manifest = {
        "govreports_version": __version__, "dataset_version": dataset, "synthetic": is_synthetic(processed),
        "runs": [{"name": run.name, "notebook": run.notebook, "parameters": run.params,
                  "status": "not run" if run.name not in done else "ok" if done[run.name].ok else "failed",
                  "error": done[run.name].error if run.name in done else None} for run in runs],
        "files": [_file_entry(out_dir, path, dataset) for path in written],
    }
    target = out_dir / MANIFEST_NAME
    target.write_text(json.dumps(manifest, ensure_ascii=False, indent=1, default=str) + "\n", encoding="utf-8")
    return target


# ----------------------------------------------------------------------------------------
# The command line's entry point


def plan(*, years: Iterable = (), regions: Iterable = (), quality: bool = False, params: Iterable = (),
         run_all: bool = False, processed: Path | None = None, notebooks_dir: Path | None = None,
         models: bool = False, study: bool = False) -> list:
    """Return the runs the ``report`` command asked for, without repeats.

    ``study`` runs the study notebook (the paper); ``run_all`` adds it, every year and province of
    the processed data, quality, models (if the notebook exists) and every parameter file in
    ``notebooks/params/``.

    Every run's parameters are checked against its notebook, and every year and region asked for
    (``years``, ``regions``, ``params``) against the processed data, before anything runs.

    Raises:
        GovReportsError: nothing was asked for, a parameter file is invalid, a parameter is unknown
            or of the wrong type, or a year or region selects no report.
    """
    processed = Path(processed or config.PROCESSED_DIR)
    notebooks_dir = Path(notebooks_dir or config.NOTEBOOKS_DIR)
    runs = [make_run("study")] if study else []
    runs += [make_run("year", year=int(y)) for y in years] + [make_run("region", region=str(r)) for r in regions]
    if quality:
        runs.append(make_run("quality"))
    if models:
        runs.append(make_run("models"))
    for path in params:
        runs += params_runs(Path(path), notebooks_dir)
    asked = [check_parameters(run, notebooks_dir) for run in runs]
    # What was asked for by name must select reports; what --all adds (the corpus's own years and
    # provinces, the repository's parameter files) runs as it is, its page saying when it has none.
    check_selection(asked, processed)
    if run_all:
        runs = asked + corpus_runs(processed, notebooks_dir)
        for path in sorted((notebooks_dir / "params").glob("*.yml")):
            runs += [check_parameters(run, notebooks_dir) for run in params_runs(path, notebooks_dir)]
    if not runs:
        raise GovReportsError("nothing to run: give --study, --year, --region, --quality, --models, --params or --all")
    return unique(asked if not run_all else runs)


def report_main(*, years: Iterable = (), regions: Iterable = (), quality: bool = False, params: Iterable = (),
                run_all: bool = False, processed: Path | None = None, out_dir: Path | None = None, models: bool = False,
                with_code: bool = False, continue_on_error: bool = False, echo: Callable = print,
                err: Callable | None = None, notebooks_dir: Path | None = None, study: bool = False) -> int:
    """Plan, run and index the notebooks the ``report`` command asked for; return its exit code.

    Progress goes to ``echo``, and every failed notebook, with its name and error, to ``err``
    (default ``echo``). The exit code is 1 if any failed (or was not run because an earlier one
    failed), else 0. ``notebooks_dir`` defaults to the notebooks shipped with the package
    (:data:`govreports.paths.NOTEBOOKS_DIR`).

    Raises:
        GovReportsError: nothing was asked for, a parameter file is invalid, or there is no dataset.
    """
    processed = Path(processed or config.PROCESSED_DIR)
    out_dir = Path(out_dir or config.REPORTS_DIR)
    notebooks_dir = Path(notebooks_dir or config.NOTEBOOKS_DIR)
    runs = plan(years=years, regions=regions, quality=quality, params=params, run_all=run_all, processed=processed,
                models=models, notebooks_dir=notebooks_dir, study=study)
    outcomes = run_report(runs, processed=processed, out_dir=out_dir, notebooks_dir=notebooks_dir, with_code=with_code,
                          continue_on_error=continue_on_error, log=echo)
    failed = [o for o in outcomes if not o.ok]
    for outcome in failed:
        (err or echo)(f"Error: notebook {outcome.run.name} failed: {outcome.error}")
    skipped = len(runs) - len(outcomes)
    echo(f"{len(outcomes) - len(failed)} of {len(runs)} notebooks ran"
         + (f", {skipped} not run after the first failure" if skipped else "") + f"; index: {out_dir / 'index.html'}")
    return 1 if failed or skipped else 0


__all__ = ["Run", "Outcome", "make_run", "slugify", "corpus_runs", "params_runs", "plan", "execute",
           "export_html", "check_parameters", "check_selection", "display_headline", "read_headline", "run_one", "run_report", "write_index", "dataset_version", "report_main",
           "previous_outputs", "clear_previous", "write_manifest", "is_stamped"]
