"""The model frame: one row per agency-year report, built from the processed tables.

The unit is one agency-year report whose status is ``valid`` or ``repaired`` (``sensitivity=True``
adds ``invalid`` ones, with their figures as published). Counts come from
:func:`govreports.study.metrics.report_indicators`; agencies are identified by
:func:`govreports.study.metrics.agency_key` (name + adcode), the key every model and metric
shares. Nothing here reads raw reports.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd

from govreports.study.metrics import agency_key, report_indicators
from govreports.template import model_terms as terms

STATUSES = ("valid", "repaired")
SENSITIVITY_STATUSES = ("valid", "repaired", "invalid")
BASE_YEAR = 2021
FRAME_COLUMNS = ("report_id", "agency", "adcode", "agency_key", "status", "template", "year", "province",
                 "level", "kind", "new", "handled", "disclosed", "not_held", "not_processed", "natural_person",
                 "reconsideration", "litigation")

def build_model_frame(reports: pd.DataFrame, cells: pd.DataFrame, years=None,
                      sensitivity: bool = False) -> pd.DataFrame:
    """Return the model frame: one row per agency-year report with counts and covariates.

    Unit: a report with status ``valid`` or ``repaired`` (plus ``invalid`` if ``sensitivity``),
    in ``years``; agencies are :func:`govreports.study.metrics.agency_key` (name + adcode, so
    same-named townships of different places stay apart); when an agency has several reports
    for one year, the best-status one is kept
    (valid, then repaired, then invalid; then the smallest ``report_id``). Counts come from
    :func:`govreports.study.metrics.report_indicators`: ``new`` (一、本年新收), ``handled`` ((七)总计),
    ``disclosed`` (予以公开 + 部分公开), ``not_held`` (本机关不掌握), ``not_processed``
    (不予处理), ``natural_person`` (new applications from natural persons), ``reconsideration``
    and ``litigation`` (表四 totals). Covariates are added by :func:`prepare_covariates`.

    Args:
        reports: the processed ``reports`` table.
        cells: the processed ``cells`` table.
        years: None (all), a ``(first, last)`` pair (inclusive, either may be None) or a list of years.
        sensitivity: also keep ``invalid`` reports.

    Returns:
        The frame; ``frame.attrs["excluded"]`` counts the reports left out and why.
    """
    statuses = SENSITIVITY_STATUSES if sensitivity else STATUSES
    excluded = {}
    kept = reports[reports["status"].isin(statuses)]
    excluded["status not in " + "/".join(statuses)] = len(reports) - len(kept)
    in_years = _year_mask(kept["year"], years)
    excluded["outside the years"] = int((~in_years).sum())
    kept = kept[in_years]
    kept = kept.assign(agency_key=agency_key(kept))
    kept, duplicates = _one_per_agency_year(kept)
    excluded["duplicate agency-year"] = duplicates
    indicators = report_indicators(kept, cells[cells["report_id"].isin(kept["report_id"])])
    indicators = indicators.rename(columns={"reconsideration_total": "reconsideration"})
    for column in FRAME_COLUMNS:
        if column not in indicators:
            indicators[column] = np.nan
    frame = prepare_covariates(indicators[list(FRAME_COLUMNS)])
    frame.attrs["excluded"] = {k: int(v) for k, v in excluded.items() if v}
    return frame


def load_model_frame(processed_dir: str | Path = "data/processed", years=None,
                     sensitivity: bool = False) -> pd.DataFrame:
    """Read ``reports`` and ``cells`` from a processed folder and return :func:`build_model_frame`.

    Unit: one agency-year report (valid or repaired; ``sensitivity`` adds invalid ones).

    Args:
        processed_dir: the folder ``govreports build`` wrote (Parquet read if present, else CSV).
        years: None, a ``(first, last)`` pair or a list of years.
        sensitivity: also keep ``invalid`` reports.

    ``frame.attrs["dataset_version"]`` holds the version in the folder's datapackage.json.

    Raises:
        FileNotFoundError: the folder has no ``reports`` table (run ``govreports build`` first).
    """
    folder = Path(processed_dir)
    reports, cells = _read_table(folder, "reports"), _read_table(folder, "cells")
    frame = build_model_frame(reports, cells, years=years, sensitivity=sensitivity)
    frame.attrs["dataset_version"] = dataset_version(folder)
    return frame


def dataset_version(folder: str | Path) -> str | None:
    """Return the dataset version recorded in a processed folder's datapackage.json, or None."""
    import json

    path = Path(folder) / "datapackage.json"
    if not path.exists():
        return None
    return json.loads(path.read_text(encoding="utf-8")).get("version")


def prepare_covariates(frame: pd.DataFrame) -> pd.DataFrame:
    """Return a copy of a model frame with the derived covariates (recomputed from its columns).

    ``years_since_2021`` = year - 2021; ``year_fe`` = the year as a category (year fixed
    effects); ``log_applications`` = ln(1 + new); ``natural_person_share`` = natural_person /
    new, set to 0 when new is 0 where it is undefined, with ``no_new`` = 1 marking those reports
    (a missing-indicator: no report is dropped for the share); ``log_new`` = ln(new) (the
    offset; missing when new is 0); ``macro_region`` from the province (NBS's east / central /
    west / northeast); ``agency_key`` (:func:`govreports.study.metrics.agency_key`) and
    ``cluster`` = the agency key (the report id if unknown). Unit: one agency-year report.
    """
    out = frame.copy()
    for column in FRAME_COLUMNS:
        if column not in out:
            out[column] = None  # an absent column is missing everywhere: the models needing it say so
    for column in ("year", "new", "handled", "disclosed", "not_held", "not_processed", "natural_person",
                   "reconsideration", "litigation"):
        out[column] = pd.to_numeric(out[column], errors="coerce").astype(float)
    for column in ("level", "kind", "template", "province", "agency"):
        out[column] = out[column].astype(object).where(out[column].notna(), None)
    out["template"] = out["template"].map(lambda v: None if v is None else str(v))
    positive = out["new"] > 0
    out["years_since_2021"] = out["year"] - BASE_YEAR
    out["log_applications"] = np.log1p(out["new"].clip(lower=0))
    share = (out["natural_person"] / out["new"]).where(positive)
    out["no_new"] = (out["new"] == 0).astype(float).where(out["new"].notna())
    out["natural_person_share"] = share.where(~(out["new"] == 0), 0.0)
    out["log_new"] = np.log(out["new"].where(positive))
    out["year_fe"] = out["year"].map(lambda y: None if pd.isna(y) else str(int(y)))
    out["macro_region"] = out["province"].map(macro_region)
    out["agency_key"] = _agency_keys(out)
    out["cluster"] = out["agency_key"].where(out["agency_key"].notna(), "report:" + out["report_id"].astype(str))
    return out


def _agency_keys(frame: pd.DataFrame) -> pd.Series:
    """Keep a frame's agency keys; compute them (name + adcode) where they are missing."""
    computed = agency_key(frame)
    if "agency_key" not in frame:
        return computed
    given = frame["agency_key"].astype(object)
    return given.where(given.notna(), computed)


def macro_region(province) -> str | None:
    """Return the NBS macro-region (east, central, west, northeast) of a province name, or None."""
    if not isinstance(province, str):
        return None
    for region, prefixes in terms.MACRO_REGION_PROVINCES.items():
        if province.startswith(prefixes):
            return region
    return None


def _read_table(folder: Path, name: str) -> pd.DataFrame:
    if (folder / f"{name}.parquet").exists():
        return pd.read_parquet(folder / f"{name}.parquet")
    if (folder / f"{name}.csv").exists():
        return pd.read_csv(folder / f"{name}.csv", dtype={"template": str, "adcode": str})
    raise FileNotFoundError(f"{folder} has no {name} table: run `govreports build` first")


def _year_mask(year: pd.Series, years) -> pd.Series:
    if years is None:
        return pd.Series(True, index=year.index)
    numeric = pd.to_numeric(year, errors="coerce")
    if isinstance(years, tuple) and len(years) == 2:
        first, last = years
        mask = pd.Series(True, index=year.index)
        if first is not None:
            mask &= numeric >= first
        if last is not None:
            mask &= numeric <= last
        return mask
    return numeric.isin(list(years))


def _one_per_agency_year(reports: pd.DataFrame) -> tuple:
    rank = reports["status"].map({"valid": 0, "repaired": 1, "invalid": 2}).fillna(3)
    ordered = reports.assign(_rank=rank).sort_values(["_rank", "report_id"])
    known = ordered["agency_key"].notna() & ordered["year"].notna()
    duplicated = known & ordered.duplicated(["agency_key", "year"], keep="first")
    kept = ordered[~duplicated].drop(columns="_rank").sort_values("report_id")
    return kept, int(duplicated.sum())

