"""The study's index page and the headline figures each notebook leaves for it.

Each executed notebook displays its headline figures as a machine-readable output
(:func:`display_headline`, in a cell the HTML export drops); :func:`write_index` reads them back
(:func:`read_headline`) and writes ``index.html``, a table per kind of report with links to the
HTML and the executed notebook, marking reports made from another dataset version as stale.
"""

from __future__ import annotations

import html
import json
import math
import os
from pathlib import Path
from urllib.parse import quote

from govreports.template.figure_terms import INDEX

NOTEBOOK_KINDS = ("study", "year", "region", "quality", "models")  # the index lists them in this order
PROCESSED_PARAMETER = "processed"
# Parameters the runner sets (folders of this machine): not what a report is about, never shown.
RUNNER_PARAMETERS = frozenset({PROCESSED_PARAMETER, "out_dir", "figures_dir"})
HEADLINE_MIME = "application/vnd.govreports.headline+json"

HEADLINE_TAG = "headline"

INDEX_STYLE = """
body { font-family: "Noto Sans CJK SC", "Source Han Sans SC", "PingFang SC", "Microsoft YaHei", system-ui, sans-serif;
       max-width: 1100px; margin: 2em auto; padding: 0 1em; color: #222; line-height: 1.5; }
table { border-collapse: collapse; width: 100%; margin-bottom: 1.5em; table-layout: fixed; }
th:first-child { width: 24%; }
th, td { border-bottom: 1px solid #ddd; padding: 0.35em 0.6em; text-align: left; }
td:nth-child(n+2):nth-child(-n+5) { text-align: right; font-variant-numeric: tabular-nums; }
th { background: #f3f5f8; font-weight: 600; }
.meta, .stale { color: #666; font-size: 0.9em; }
h2.failed { color: #b00020; }
.synthetic-banner { background: #b00020; color: #fff; font-weight: 700; padding: 0.8em 1em; margin: 0 0 1em;
                    border-radius: 4px; }
"""
SYNTHETIC_CLASS = "synthetic-banner"



def display_headline(values: dict) -> None:
    """Display a notebook's headline figures as machine-readable output (the last cell of each notebook).

    NaN becomes null. The index and the tests read it back with :func:`read_headline`; the HTML
    export drops the cell (it is tagged ``headline``).
    """
    from IPython.display import display

    clean = {k: (None if isinstance(v, float) and math.isnan(v) else v) for k, v in values.items()}
    text = json.dumps(clean, ensure_ascii=False, sort_keys=True, default=str)
    display({HEADLINE_MIME: json.loads(text), "text/plain": text}, raw=True)


def read_headline(ipynb: Path) -> dict:
    """Return the headline figures an executed notebook displayed (``{}`` if none)."""
    import nbformat

    notebook = nbformat.read(ipynb, as_version=4)
    for cell in notebook.cells:
        for output in cell.get("outputs", []):
            data = output.get("data", {})
            if HEADLINE_MIME in data:
                value = data[HEADLINE_MIME]
                return json.loads(value) if isinstance(value, str) else dict(value)
    return {}


def dataset_version(processed: Path) -> str:
    """Return the processed dataset's version from its ``datapackage.json`` (``unknown`` if none)."""
    try:
        return json.loads((Path(processed) / "datapackage.json").read_text(encoding="utf-8"))["version"]
    except (OSError, ValueError, KeyError):
        return "unknown"


def is_synthetic(processed: Path) -> bool:
    """Return True if the processed dataset was built from a synthetic corpus (its ``datapackage.json`` says so)."""
    try:
        return json.loads((Path(processed) / "datapackage.json").read_text(encoding="utf-8")).get("synthetic") is True
    except (OSError, ValueError, AttributeError):
        return False


def synthetic_banner() -> str:
    """Return the HTML banner every page of a synthetic dataset's study opens with."""
    return (f'<div class="{SYNTHETIC_CLASS}" style="background:#b00020;color:#fff;font-weight:700;'
            f'padding:0.8em 1em;margin:0 0 1em;border-radius:4px">{_label("synthetic")}</div>')


def add_banner(page: str) -> str:
    """Return an HTML page with :func:`synthetic_banner` right after its ``<body>`` tag (once)."""
    if SYNTHETIC_CLASS in page:
        return page
    head, tag, rest = page.partition("<body")
    if not tag:
        return synthetic_banner() + page
    opening, _, body = rest.partition(">")
    return f"{head}{tag}{opening}>\n{synthetic_banner()}{body}"


def _label(key: str) -> str:
    """Return an index label ``中文 English`` (escaped for HTML)."""
    chinese, english = INDEX[key]
    return html.escape(f"{chinese} {english}")


def _number(value, percent: bool = False) -> str:
    """Return a headline figure for the index (blank when missing)."""
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return ""
    return f"{value:.1%}" if percent else f"{value:,.0f}"


def _entries(out_dir: Path) -> list:
    """Return ``(stem, notebook kind, parameters, headline)`` for each executed notebook in ``out_dir``."""
    import nbformat

    entries = []
    for ipynb in sorted(out_dir.glob("*.ipynb")):
        if not ipynb.with_suffix(".html").is_file():
            continue
        try:
            notebook = nbformat.read(ipynb, as_version=4)
        except Exception:  # an unreadable leftover is skipped, not fatal
            continue
        meta = notebook.metadata.get("papermill", {})
        parameters = {k: v for k, v in meta.get("parameters", {}).items() if k not in RUNNER_PARAMETERS}
        kind = ipynb.stem.split("__")[0]
        entries.append((ipynb.stem, kind if kind in NOTEBOOK_KINDS else "other", parameters, read_headline(ipynb)))
    return entries


def _row(stem: str, parameters: dict, headline: dict, version: str) -> str:
    """Return one table row of the index."""
    href = quote(f"{stem}.html")
    title = ", ".join(str(v) for v in parameters.values()) or stem
    stale = headline.get("dataset_version") not in (None, version)
    note = f' <span class="stale">({_label("stale")}: {html.escape(str(headline.get("dataset_version")))})</span>' if stale else ""
    cells = [f'<a href="{href}">{html.escape(title)}</a>{note}',
             _number(headline.get("reports")), _number(headline.get("usable_reports")),
             _number(headline.get("new_applications")), _number(headline.get("disclosure_rate"), percent=True),
             f'<a href="{quote(stem + ".ipynb")}">.ipynb</a>']
    return "<tr>" + "".join(f"<td>{c}</td>" for c in cells) + "</tr>"


def _section(kind: str, rows: list) -> str:
    """Return one section of the index: a heading and the table of its reports."""
    headers = [_label(k) for k in ("report", "reports", "usable", "new_applications", "disclosure_rate", "notebook")]
    head = "".join(f"<th>{h}</th>" for h in headers)
    return f"<h2>{_label(kind)}</h2>\n<table><thead><tr>{head}</tr></thead><tbody>\n" + "\n".join(rows) + "\n</tbody></table>"


def _failures(outcomes: list) -> str:
    """Return the index's list of this run's failed notebooks (empty if none failed)."""
    failed = [o for o in outcomes if not o.ok]
    if not failed:
        return ""
    items = []
    for outcome in failed:
        link = f' (<a href="{quote(outcome.html.name)}">{_label("report")}</a>)' if outcome.html else ""
        items.append(f"<li><b>{html.escape(outcome.run.name)}</b>: {html.escape(outcome.error or '')}{link}</li>")
    return f'<h2 class="failed">{_label("failed")}</h2>\n<ul>' + "\n".join(items) + "</ul>"


def dataset_location(processed: Path, out_dir: Path) -> str:
    """Return where the dataset lies as seen from the index's folder, with forward slashes.

    A relative path keeps the page free of the local user's folders and still true when the
    whole project is moved or archived together.
    """
    return Path(os.path.relpath(Path(processed).resolve(), Path(out_dir).resolve())).as_posix()


def write_index(out_dir: Path, processed: Path, outcomes: list = ()) -> Path:
    """Write ``index.html`` linking every report in ``out_dir``, with headline figures and failures."""
    version = dataset_version(processed)
    by_kind: dict = {}
    for stem, kind, parameters, headline in _entries(out_dir):
        by_kind.setdefault(kind, []).append(_row(stem, parameters, headline, version))
    sections = [_section(kind, by_kind[kind]) for kind in (*NOTEBOOK_KINDS, "other") if kind in by_kind]
    title = _label("title")
    page = (f'<!DOCTYPE html>\n<html lang="zh-CN">\n<head>\n<meta charset="utf-8">\n<title>{title}</title>\n'
            f"<style>{INDEX_STYLE}</style>\n</head>\n<body>\n"
            + (synthetic_banner() + "\n" if is_synthetic(processed) else "") + f"<h1>{title}</h1>\n"
            f'<p class="meta">{_label("dataset")}: {html.escape(dataset_location(processed, out_dir))}, '
            f"version {html.escape(version)}</p>\n" + _failures(list(outcomes)) + "\n" + "\n".join(sections)
            + "\n</body>\n</html>\n")
    target = out_dir / "index.html"
    target.write_text(page, encoding="utf-8")
    return target


