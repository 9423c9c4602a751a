"""Where the study's folders are: resolved from the repository root, each overridable by an env var.

=========================  ==========================  ==============================
name                       environment variable        default
=========================  ==========================  ==============================
``ROOT``                   ``GOVREPORTS_ROOT``         the repository (parent of the package)
``RAW_DIR``                ``GOVREPORTS_RAW``          ``ROOT/data/raw``
``PROCESSED_DIR``          ``GOVREPORTS_PROCESSED``    ``ROOT/data/processed``
``REPORTS_DIR``            ``GOVREPORTS_REPORTS``      ``ROOT/reports``
``NOTEBOOKS_DIR``          ``GOVREPORTS_NOTEBOOKS``    ``ROOT/notebooks``
=========================  ==========================  ==============================

Relative values of the variables are taken relative to the current directory.
"""

from __future__ import annotations

import os
from pathlib import Path


def _path(variable: str, default: Path) -> Path:
    """Return the folder named by ``variable`` if it is set (and not empty), else ``default``."""
    value = os.environ.get(variable)
    return Path(value).expanduser().resolve() if value else default


ROOT = _path("GOVREPORTS_ROOT", Path(__file__).resolve().parents[1])
RAW_DIR = _path("GOVREPORTS_RAW", ROOT / "data" / "raw")
PROCESSED_DIR = _path("GOVREPORTS_PROCESSED", ROOT / "data" / "processed")
REPORTS_DIR = _path("GOVREPORTS_REPORTS", ROOT / "reports")
NOTEBOOKS_DIR = _path("GOVREPORTS_NOTEBOOKS", ROOT / "notebooks")

__all__ = ["ROOT", "RAW_DIR", "PROCESSED_DIR", "REPORTS_DIR", "NOTEBOOKS_DIR"]
