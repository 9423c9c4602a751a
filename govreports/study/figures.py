"""Figures of the study notebooks: bilingual, titled, axes labelled with units, a source note.

Every chart helper takes data already computed with :mod:`govreports.study.metrics` and displays
the figure. When there is nothing to draw (no data, or every value 0) it prints a plain
statement instead of showing an empty figure. Chinese is rendered with the Noto Sans CJK SC
font bundled with ``mplfonts``; Chinese labels live in :mod:`govreports.template.figure_terms`.

Set the environment variable ``GOVREPORTS_STRICT_GLYPHS=1`` to make a glyph missing from the
font an error instead of a warning (the tests do). After :func:`save_to`, every figure shown is
also written to that folder as its own PNG and SVG, named after its English title.
"""

from __future__ import annotations

import html
import io
import math
import os
import re
import warnings
from pathlib import Path

import pandas as pd
from matplotlib import cycler, font_manager, rcParams
from matplotlib.figure import Figure

from govreports.template import figure_terms as terms

STRICT_ENV = "GOVREPORTS_STRICT_GLYPHS"
FONT_FILE = "NotoSansCJKsc-Regular.otf"
MISSING_GLYPH = r"(?s).*Glyph .* missing from font"
DPI = 144
YEAR_COLUMNS = frozenset({"year", "first", "last"})
CATEGORIES = {"level": terms.LEVELS, "kind": terms.KINDS, "status": terms.STATUSES, "outcome": terms.OUTCOMES,
              "repair": terms.REPAIR_KINDS, "check": terms.CHECK_RESULTS, "template": terms.TEMPLATES}
COLOURS = ("#1b6ca8", "#e07b39", "#3a9d5d", "#c44e52", "#8172b3", "#937860", "#5f9ea0", "#b8860b")

# Colours that carry meaning: green for disclosed / valid, red for denied / invalid.
MEANINGFUL_COLOURS = {
    "granted": "#2e8b57", "partially_granted": "#8fc79a", "denied": "#c44e52", "unavailable": "#e07b39",
    "not_processed": "#8172b3", "other": "#9e9e9e",
    "valid": "#2e8b57", "repaired": "#1b6ca8", "invalid": "#c44e52", "failed": "#7f7f7f", "duplicate": "#bdbdbd",
}

_font_name: str | None = None
_saved = {"folder": None, "count": 0}  # where :func:`show` also writes each figure, and how many it wrote


def font_path() -> Path:
    """Return the path of the CJK font bundled with ``mplfonts``."""
    from mplfonts.conf import FONT_DIR

    return Path(FONT_DIR) / FONT_FILE


def setup() -> str:
    """Register mplfonts' CJK font with matplotlib, make it the default and set the house style.

    Returns the font's family name. Safe to call more than once.
    """
    global _font_name
    if _font_name is None:
        from mplfonts import use_font

        path = str(font_path())
        manager = font_manager.fontManager
        manager.addfont(path)  # also clears matplotlib's font lookup cache
        # A system copy of the same family may be installed; put mplfonts' first so that the
        # figures look the same on every machine (the sort is stable, ties keep their order).
        manager.ttflist.sort(key=lambda entry: entry.fname != path)
        _font_name = font_manager.FontProperties(fname=path).get_name()
        use_font(_font_name)
    rcParams.update({"font.size": 10, "axes.titlesize": 12, "axes.titlelocation": "left",
                     "axes.spines.top": False, "axes.spines.right": False, "axes.grid": True,
                     "grid.alpha": 0.3, "axes.axisbelow": True, "figure.facecolor": "white",
                     "axes.prop_cycle": cycler(color=list(COLOURS))})
    return _font_name


# ----------------------------------------------------------------------------------------
# Labels


def bilingual(pair: tuple, sep: str = " ") -> str:
    """Return a ``(Chinese, English)`` pair as one label, e.g. ``"县级 county"``."""
    chinese, english = pair
    return f"{chinese}{sep}{english}"


def term(key: str, sep: str = " ") -> str:
    """Return the bilingual label of a key of ``figure_terms.TERMS``."""
    return bilingual(terms.TERMS[key], sep)


def category(group: str, value) -> str:
    """Return the bilingual label of a stored category value (``category("level", "county")``).

    Values without a translation are returned as they are; a missing value is "unknown".
    """
    if value is None or (isinstance(value, float) and math.isnan(value)) or value is pd.NA:
        return term("unknown")
    pair = CATEGORIES[group].get(str(value))
    return bilingual(pair) if pair else str(value)


def source_note(version: str, reports: int, detail: str = "") -> str:
    """Return the note printed under every figure: the dataset, its version and what was counted."""
    note = f"{term('source')}: govreports processed dataset {version}; {reports} reports"
    return f"{note}; {detail}" if detail else note


def heading(text: str, level: int = 1) -> None:
    """Display a heading built from parameters or data (escaped: a region name is text, not markup)."""
    from IPython.display import HTML, display

    display(HTML(f"<h{level}>{html.escape(str(text))}</h{level}>"))


def paragraph(text: str) -> None:
    """Display a paragraph of text built from parameters or data (escaped, like :func:`heading`)."""
    from IPython.display import HTML, display

    display(HTML(f"<p>{html.escape(str(text))}</p>"))


def nothing_to_plot(what: str) -> None:
    """Print a clear statement in place of a figure with no data."""
    print(f"No figure: {what}.")


# ----------------------------------------------------------------------------------------
# Figure scaffolding


def new_figure(width: float = 8.0, height: float = 4.5) -> tuple:
    """Return ``(figure, axes)``, a figure not managed by pyplot (nothing is shown twice or leaked)."""
    fig = Figure(figsize=(width, height), layout="constrained")
    # Keep room at the bottom for the source note (about a third of an inch whatever the height).
    fig.get_layout_engine().set(rect=(0, 0.32 / height, 1, 1 - 0.32 / height))
    return fig, fig.add_subplot()


def finish(fig: Figure, ax, *, title: str, xlabel: str, ylabel: str, source: str) -> Figure:
    """Give a figure its title, axis labels (with units) and source note."""
    ax.set_title(title)
    ax.set_xlabel(xlabel)
    ax.set_ylabel(ylabel)
    fig.text(0.005, 0.01, source, fontsize=7.5, color="0.35", ha="left", va="bottom", wrap=True)
    return fig


def strict() -> bool:
    """Return True when a missing glyph must be an error (``GOVREPORTS_STRICT_GLYPHS``)."""
    return os.environ.get(STRICT_ENV, "") not in ("", "0", "false", "no")


def to_png(fig: Figure, dpi: int = DPI) -> bytes:
    """Render a figure to PNG bytes; a glyph missing from the font raises in strict mode."""
    buffer = io.BytesIO()
    with warnings.catch_warnings():
        if strict():
            warnings.filterwarnings("error", message=MISSING_GLYPH)
        fig.savefig(buffer, format="png", dpi=dpi, facecolor="white")
    return buffer.getvalue()


def save_to(folder: str | Path | None) -> None:
    """Make :func:`show` also write every figure to ``folder`` as ``NN-<english-title>.png`` and ``.svg``.

    ``None`` or ``""`` stops saving. The folder is created, and figures an earlier run left in it
    are removed (a rerun with fewer figures must not leave stale ones); numbering restarts at 01.
    Returns nothing (a notebook cell ending with it prints no path).
    """
    _saved["folder"] = Path(folder) if folder else None
    _saved["count"] = 0
    if _saved["folder"] is not None:
        _saved["folder"].mkdir(parents=True, exist_ok=True)
        for old in _saved["folder"].iterdir():
            if re.fullmatch(r"\d{2,}-[a-z0-9-]+\.(png|svg)", old.name):
                old.unlink()


def figure_name(fig: Figure, number: int) -> str:
    """Return a figure's file stem: its number and the English line of its title, e.g. ``03-reports-by-province``."""
    title = next((ax.get_title(loc="left") or ax.get_title() for ax in fig.axes if ax.get_title(loc="left")
                  or ax.get_title()), "")
    english = title.splitlines()[-1] if "\n" in title else title.split(" / ")[-1]
    slug = re.sub(r"[^a-z0-9]+", "-", english.lower()).strip("-")[:60].rstrip("-") or "figure"
    return f"{number:02d}-{slug}"


def save(fig: Figure, folder: str | Path) -> list:
    """Write ``fig`` to ``folder`` as PNG and SVG (the next number in the folder's series); return the paths."""
    _saved["count"] += 1
    stem = Path(folder) / figure_name(fig, _saved["count"])
    paths = [stem.with_suffix(".png"), stem.with_suffix(".svg")]
    with warnings.catch_warnings():
        if strict():
            warnings.filterwarnings("error", message=MISSING_GLYPH)
        fig.savefig(paths[0], format="png", dpi=DPI, facecolor="white")
        fig.savefig(paths[1], format="svg", facecolor="white")
    return paths


def show(fig: Figure) -> None:
    """Display a figure in the notebook as a PNG (rendered here, so glyph problems surface in the cell).

    After :func:`save_to`, the figure is also written as its own PNG and SVG.
    """
    from IPython.display import Image, display

    display(Image(data=to_png(fig), width=int(fig.get_figwidth() * 96)))
    if _saved["folder"] is not None:
        save(fig, _saved["folder"])


def colours_for(keys) -> list:
    """Return the colours of stored category values (outcomes, statuses), for :func:`stacked_shares`."""
    return [MEANINGFUL_COLOURS.get(str(k), COLOURS[i % len(COLOURS)]) for i, k in enumerate(keys)]


def _all_zero(values) -> bool:
    """Return True if every value (of a Series or DataFrame) is 0 or missing: a figure would be empty."""
    frame = pd.DataFrame(values)
    return bool(((frame.fillna(0) == 0).all()).all())


def _english(title: str) -> str:
    """Return the English line of a bilingual title (its last line)."""
    return title.splitlines()[-1]


def _integer_axis(ax, axis: str = "x") -> None:
    """Put ticks of a count axis on whole numbers."""
    from matplotlib.ticker import MaxNLocator

    (ax.xaxis if axis == "x" else ax.yaxis).set_major_locator(MaxNLocator(integer=True))


def _percent_axis(ax, axis: str = "x") -> None:
    """Format an axis holding proportions as percentages."""
    from matplotlib.ticker import PercentFormatter

    (ax.xaxis if axis == "x" else ax.yaxis).set_major_formatter(PercentFormatter(1.0, decimals=0))


def _height_for(bars: int, base: float = 1.6, per_bar: float = 0.38) -> float:
    """Return a figure height that keeps horizontal bars and their labels readable."""
    return min(max(base + per_bar * bars, 3.0), 14.0)


# ----------------------------------------------------------------------------------------
# Charts


def bar(values: pd.Series, *, title: str, xlabel: str, ylabel: str, source: str, percent: bool = False,
        what: str = "no values") -> None:
    """Draw horizontal bars, one per index label, largest on top, each annotated with its value.

    Args:
        values: numbers indexed by (bilingual) labels; NaNs are dropped.
        title: the figure's title (Chinese, then English on a second line).
        xlabel: the x axis label, with its unit.
        ylabel: the y axis label, with its unit.
        source: the source note (:func:`source_note`).
        percent: values are proportions, shown as percentages.
        what: what is missing, for the statement printed when there is nothing to draw.
    """
    values = values.dropna()
    if values.empty:
        nothing_to_plot(what)
        return
    if _all_zero(values):
        nothing_to_plot(f"every value is 0 ({_english(title)})")
        return
    values = values.iloc[::-1]  # barh draws the first bar at the bottom
    fig, ax = new_figure(height=_height_for(len(values)))
    positions = range(len(values))
    ax.barh(positions, values.to_numpy(dtype=float), color=COLOURS[0])
    ax.set_yticks(list(positions), [str(v) for v in values.index])
    for y, value in zip(positions, values):
        ax.annotate(f"{value:.0%}" if percent else f"{value:,.0f}", (value, y), xytext=(3, 0),
                    textcoords="offset points", va="center", fontsize=8)
    if percent:
        _percent_axis(ax)
    else:
        _integer_axis(ax)
    ax.grid(axis="y", visible=False)
    ax.margins(x=0.12)
    show(finish(fig, ax, title=title, xlabel=xlabel, ylabel=ylabel, source=source))


def sample_size(reports, applications) -> str:
    """Return what a rate rests on, bilingual: ``2份报告 reports · 117件申请 applications``."""
    return (f"{int(reports):,}{term('n_reports')} · {int(applications):,}{term('n_applications')}")


def rate_bars(table: pd.DataFrame, label: str, *, title: str, xlabel: str, ylabel: str, source: str,
              rate: str = "rate", low: str = "ci_low", high: str = "ci_high", count: str = "trials",
              reports: str = "reports", what: str = "no rate can be computed (no denominator)") -> None:
    """Draw rates as points with their 95% intervals, one row per group, with their reports and applications.

    A group whose interval is missing (a single agency: nothing to say how agencies vary) is drawn
    as a hollow point without a bar.

    Args:
        table: one row per group, e.g. :func:`govreports.study.metrics.rate_table`'s output.
        label: column holding the (bilingual) group label.
        title: the figure's title (Chinese, then English on a second line).
        xlabel: the x axis label, with its unit.
        ylabel: the y axis label, with its unit.
        source: the source note (:func:`source_note`).
        rate: column of the rate.
        low: column of the interval's lower bound.
        high: column of the interval's upper bound.
        count: column of the denominator (applications).
        reports: column of the number of reports.
        what: what is missing, for the statement printed when there is nothing to draw.
    """
    table = table.dropna(subset=[rate])
    if table.empty:
        nothing_to_plot(what)
        return
    table = table.iloc[::-1]
    fig, ax = new_figure(height=_height_for(len(table)))
    positions = list(range(len(table)))
    values = table[rate].to_numpy(dtype=float)
    lows, highs = table[low].to_numpy(dtype=float), table[high].to_numpy(dtype=float)
    known = ~(pd.isna(lows) | pd.isna(highs))
    if known.any():
        ax.errorbar(values[known], [p for p, k in zip(positions, known) if k],
                    xerr=[values[known] - lows[known], highs[known] - values[known]], fmt="o", color=COLOURS[0],
                    ecolor="0.4", capsize=3)
    if (~known).any():
        ax.plot(values[~known], [p for p, k in zip(positions, known) if not k], "o", mfc="white", color=COLOURS[0])
    ax.set_yticks(positions, [str(v) for v in table[label]])
    for y, value, n, applications in zip(positions, values, table[reports], table[count]):
        ax.annotate(f"{value:.0%} ({sample_size(n, applications)})", (value, y), xytext=(0, 6),
                    textcoords="offset points", ha="center", fontsize=7.5)
    ax.set_xlim(-0.02, 1.05)
    ax.set_ylim(-0.6, len(table) - 0.3)
    _percent_axis(ax)
    note = f"{source}; {term('ci_note')}" + (f"; {term('no_interval_note')}" if (~known).any() else "")
    show(finish(fig, ax, title=title, xlabel=xlabel, ylabel=ylabel, source=note))


def stacked_shares(counts: pd.DataFrame, *, title: str, xlabel: str, ylabel: str, source: str,
                   legend: str, colours: list | None = None, what: str = "nothing was handled") -> None:
    """Draw each row's composition as one horizontal bar of shares (rows: groups, columns: parts).

    Rows whose parts sum to zero are dropped (no composition to show).

    Args:
        counts: one row per group, one column per part (counts, not shares).
        title: the figure's title (Chinese, then English on a second line).
        xlabel: the x axis label, with its unit.
        ylabel: the y axis label, with its unit.
        source: the source note (:func:`source_note`).
        legend: the legend's title.
        colours: one colour per column (default: the house palette), e.g. :func:`colours_for`.
        what: what is missing, for the statement printed when there is nothing to draw.
    """
    totals = counts.sum(axis=1)
    counts = counts[totals > 0]
    if counts.empty:
        nothing_to_plot(what)
        return
    shares = counts.div(counts.sum(axis=1), axis=0).iloc[::-1]
    fig, ax = new_figure(height=_height_for(len(shares), base=2.6))
    left = [0.0] * len(shares)
    positions = list(range(len(shares)))
    for index, column in enumerate(shares.columns):
        widths = shares[column].to_numpy(dtype=float)
        colour = colours[index] if colours else COLOURS[index % len(COLOURS)]
        ax.barh(positions, widths, left=left, color=colour, label=str(column))
        for y, x, w in zip(positions, left, widths):
            if w >= 0.06:
                ax.text(x + w / 2, y, f"{w:.0%}", ha="center", va="center", fontsize=7.5, color="white")
        left = [a + b for a, b in zip(left, widths)]
    ax.set_yticks(positions, [str(v) for v in shares.index])
    ax.set_xlim(0, 1)
    _percent_axis(ax)
    ax.grid(False)
    ax.legend(title=legend, loc="upper left", bbox_to_anchor=(1.01, 1), fontsize=8, title_fontsize=8, frameon=False)
    show(finish(fig, ax, title=title, xlabel=xlabel, ylabel=ylabel, source=source))


def lines(frame: pd.DataFrame, *, title: str, xlabel: str, ylabel: str, source: str, percent: bool = False,
          low: pd.DataFrame | None = None, high: pd.DataFrame | None = None, legend: str | None = None,
          what: str = "no values") -> None:
    """Draw one line per column over the index (years), with optional 95% intervals as error bars.

    Args:
        frame: index = x values (years), one column per series; NaNs leave gaps.
        title: the figure's title (Chinese, then English on a second line).
        xlabel: the x axis label, with its unit.
        ylabel: the y axis label, with its unit.
        source: the source note (:func:`source_note`).
        percent: values are proportions, shown as percentages (the axis then spans 0-100%).
        low: a frame shaped like ``frame`` holding each point's lower bound (None: no intervals).
        high: the same for the upper bound.
        legend: the legend's title.
        what: what is missing, for the statement printed when there is nothing to draw.
    """
    frame = frame.dropna(how="all", axis=1)
    if frame.empty or frame.notna().sum().sum() == 0:
        nothing_to_plot(what)
        return
    fig, ax = new_figure()
    x = [int(v) for v in frame.index]
    shift = 0.04 * (len(frame.columns) > 1)  # side by side, so that overlapping intervals stay readable
    for index, column in enumerate(frame.columns):
        colour = COLOURS[index % len(COLOURS)]
        values = frame[column].to_numpy(dtype=float)
        xs = [v + shift * (index - (len(frame.columns) - 1) / 2) for v in x]
        errors = None
        if low is not None and high is not None and column in low:
            errors = [values - low[column].reindex(frame.index).to_numpy(dtype=float),
                      high[column].reindex(frame.index).to_numpy(dtype=float) - values]
        ax.errorbar(xs, values, yerr=errors, marker="o", color=colour, ecolor=colour, capsize=3,
                    label=str(column))
    # Many years on one axis: slanted labels, so that consecutive years do not run together.
    ax.set_xticks(x, [str(v) for v in x], rotation=45 if len(x) > 8 else 0, ha="right" if len(x) > 8 else "center")
    ax.set_xlim(min(x) - 0.5, max(x) + 0.5)
    ax.grid(axis="x", visible=False)
    if percent:
        ax.set_ylim(0, 1.05)
        _percent_axis(ax, "y")
    else:
        # An all-zero series is a finding (nothing happened), drawn on a whole-number axis from 0
        # to 1 rather than matplotlib's automatic +-0.05.
        if _all_zero(frame) and low is None:
            ax.set_ylim(0, 1)
        else:
            ax.set_ylim(bottom=0)
        _integer_axis(ax, "y")
    if len(frame.columns) > 1 or legend:
        ax.legend(title=legend, fontsize=8, title_fontsize=8, frameon=False, loc="upper left",
                  bbox_to_anchor=(1.01, 1))
    note = f"{source}; {term('ci_note')}" if low is not None else source
    show(finish(fig, ax, title=title, xlabel=xlabel, ylabel=ylabel, source=note))


def grouped_bars(frame: pd.DataFrame, *, title: str, xlabel: str, ylabel: str, source: str,
                 legend: str | None = None, what: str = "no values") -> None:
    """Draw vertical bars grouped by index (e.g. years), one colour per column (e.g. agencies)."""
    frame = frame.dropna(how="all", axis=1).dropna(how="all", axis=0)
    if frame.empty:
        nothing_to_plot(what)
        return
    if _all_zero(frame):
        nothing_to_plot(f"every value is 0 ({_english(title)})")
        return
    fig, ax = new_figure(width=9.0, height=4.8)
    width = min(0.8 / len(frame.columns), 0.3)
    for index, column in enumerate(frame.columns):
        positions = [i + width * (index - (len(frame.columns) - 1) / 2) for i in range(len(frame))]
        ax.bar(positions, frame[column].fillna(0).to_numpy(dtype=float), width=width,
               color=COLOURS[index % len(COLOURS)], label=str(column))
    ax.set_xticks(list(range(len(frame))), [str(v) for v in frame.index])
    ax.set_xlim(-0.6, len(frame) - 0.4)
    ax.grid(axis="x", visible=False)
    ax.legend(title=legend, fontsize=8, title_fontsize=8, frameon=False, loc="upper left", bbox_to_anchor=(1.01, 1))
    show(finish(fig, ax, title=title, xlabel=xlabel, ylabel=ylabel, source=source))


def concentration_curve(curve: pd.DataFrame, *, title: str, xlabel: str, ylabel: str, source: str,
                        what: str = "no report states its new applications") -> None:
    """Draw the cumulative share of applications against the share of agencies, largest first.

    ``curve`` is :func:`govreports.study.metrics.concentration_curve`'s output. The diagonal is equal volumes.
    """
    curve = curve.dropna(subset=["cumulative_share"])
    if curve.empty:
        nothing_to_plot(what)
        return
    fig, ax = new_figure(width=6.5, height=5.0)
    x = [0.0, *curve["agency_share"].to_numpy(dtype=float)]
    y = [0.0, *curve["cumulative_share"].to_numpy(dtype=float)]
    ax.plot(x, y, marker="o" if len(curve) <= 40 else None, color=COLOURS[0], drawstyle="default")
    ax.plot([0, 1], [0, 1], linestyle="--", color="0.6", linewidth=1)
    ax.set_xlim(0, 1)
    ax.set_ylim(0, 1.02)
    _percent_axis(ax, "x")
    _percent_axis(ax, "y")
    show(finish(fig, ax, title=title, xlabel=xlabel, ylabel=ylabel, source=source))


# ----------------------------------------------------------------------------------------
# Tables


def table(frame: pd.DataFrame, empty: str, columns: dict | None = None, percent: tuple = ()) -> None:
    """Display a table with bilingual headers, or print ``empty`` when it has no rows.

    Args:
        frame: the table.
        empty: the statement printed instead of an empty table.
        columns: ``{column: header}`` to rename (and keep only) columns; None keeps them all.
        percent: columns holding proportions, shown as percentages.
    """
    if frame is None or frame.empty:
        print(empty)
        return
    from IPython.display import display

    shown = frame.copy()
    for column in [c for c in shown.columns if str(c) in YEAR_COLUMNS]:
        # A year is a label, not a quantity: no thousands separator.
        shown[column] = [("" if pd.isna(v) else str(int(v))) for v in shown[column]]
    for column in shown.columns:
        values = shown[column]
        # Counts arrive as floats (sums over cells); print them as whole numbers.
        if pd.api.types.is_float_dtype(values) and column not in percent and values.notna().any() \
                and (values.dropna() % 1 == 0).all():
            shown[column] = values.astype("Int64")
    for column in percent:
        if column in shown:
            shown[column] = [("" if pd.isna(v) else f"{v:.1%}") for v in shown[column]]
    if columns:
        shown = shown[[c for c in columns if c in shown]].rename(columns=columns)
    display(shown.style.hide(axis="index").format(precision=1, thousands=",", na_rep=""))


__all__ = ["setup", "bilingual", "term", "category", "source_note", "heading", "paragraph", "nothing_to_plot", "new_figure", "finish",
           "to_png", "show", "save_to", "save", "figure_name", "sample_size", "colours_for", "bar", "rate_bars", "stacked_shares", "lines", "grouped_bars", "concentration_curve",
           "table"]
