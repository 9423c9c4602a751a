"""Where the study's folders are: found from the working directory, each overridable by an env var.

=========================  ==========================  ==============================
name                       environment variable        default
=========================  ==========================  ==============================
``ROOT``                   ``GOVREPORTS_ROOT``         the project folder (see :func:`find_root`)
``RAW_DIR``                ``GOVREPORTS_RAW``          ``ROOT/data/raw``
``PROCESSED_DIR``          ``GOVREPORTS_PROCESSED``    ``ROOT/data/processed``
``REPORTS_DIR``            ``GOVREPORTS_REPORTS``      ``ROOT/reports``
``NOTEBOOKS_DIR``          ``GOVREPORTS_NOTEBOOKS``    ``ROOT/notebooks``
=========================  ==========================  ==============================

The project folder is never the package's install location (site-packages in a normal install):
it is the working directory or the nearest folder above it that holds a ``data/`` folder or a
``pyproject.toml``. Relative values of the variables are taken relative to the current directory.
"""

from __future__ import annotations

import os
from pathlib import Path

PROJECT_MARKERS = ("data", "pyproject.toml")


def find_root(start: Path | None = None) -> Path:
    """Return the project folder: ``start`` (the working directory) or the nearest parent holding a marker.

    A marker is a ``data/`` folder or a ``pyproject.toml``; with none up to the file system's
    root, the working directory itself is the project folder.
    """
    here = (start or Path.cwd()).resolve()
    for folder in (here, *here.parents):
        if any((folder / marker).exists() for marker in PROJECT_MARKERS):
            return folder
    return here


def _path(variable: str, default: Path) -> Path:
    """Return the folder named by ``variable`` if it is set (and not empty), else ``default``."""
    value = os.environ.get(variable)
    return Path(value).expanduser().resolve() if value else default


ROOT = _path("GOVREPORTS_ROOT", find_root())
RAW_DIR = _path("GOVREPORTS_RAW", ROOT / "data" / "raw")
PROCESSED_DIR = _path("GOVREPORTS_PROCESSED", ROOT / "data" / "processed")
REPORTS_DIR = _path("GOVREPORTS_REPORTS", ROOT / "reports")
NOTEBOOKS_DIR = _path("GOVREPORTS_NOTEBOOKS", ROOT / "notebooks")

__all__ = ["ROOT", "RAW_DIR", "PROCESSED_DIR", "REPORTS_DIR", "NOTEBOOKS_DIR", "find_root"]
