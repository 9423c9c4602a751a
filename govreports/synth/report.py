"""A synthetic report: its draw, its text parts (head, body, tail) and its answer key."""


from __future__ import annotations

import hashlib
import random
from dataclasses import dataclass
from datetime import date, timedelta
from typing import NamedTuple

from govreports.synth.model import Agency
from govreports.synth.printed import PrintedRow
from govreports.template import SCHEMA
from govreports.template import synth_terms as terms


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


