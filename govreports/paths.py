"""Where the study's folders are: found from the working directory, each overridable by an env var.

=========================  ==========================  ==============================
name                       environment variable        default
=========================  ==========================  ==============================
``ROOT``                   ``GOVREPORTS_ROOT``         the project folder (see :func:`find_root`)
``RAW_DIR``                ``GOVREPORTS_RAW``          ``ROOT/data/raw``
``PROCESSED_DIR``          ``GOVREPORTS_PROCESSED``    ``ROOT/data/processed``
``REPORTS_DIR``            ``GOVREPORTS_REPORTS``      ``ROOT/reports``
``NOTEBOOKS_DIR``          ``GOVREPORTS_NOTEBOOKS``    the package's notebooks (see :func:`packaged_notebooks`)
=========================  ==========================  ==============================

The project folder is never the package's install location (site-packages in a normal install):
it is the working directory or the nearest folder above it that holds a ``data/`` folder or a
``pyproject.toml``. Relative values of the variables are taken relative to the current directory.
The notebooks, unlike the data, come with the package: an installed wheel carries them as
``govreports/notebooks/``, a source checkout has them in ``notebooks/`` beside the package.
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


def packaged_notebooks(package: Path | None = None) -> Path:
    """Return the study notebooks' folder of this installation of govreports (or of ``package``).

    A wheel (``pip install govreports``) ships them inside the package, ``govreports/notebooks/``;
    a source checkout (editable install, or ``PYTHONPATH``) has them in ``notebooks/`` beside the
    ``govreports/`` folder, their single source (setup.py maps one onto the other).
    """
    package = Path(package or Path(__file__).parent).resolve()
    installed = package / "notebooks"
    return installed if installed.is_dir() else package.parent / "notebooks"


def _path(variable: str, default: Path) -> Path:
    """Return the folder named by ``variable`` if it is set (and not empty), else ``default``."""
    value = os.environ.get(variable)
    return Path(value).expanduser().resolve() if value else default


ROOT = _path("GOVREPORTS_ROOT", find_root())
RAW_DIR = _path("GOVREPORTS_RAW", ROOT / "data" / "raw")
PROCESSED_DIR = _path("GOVREPORTS_PROCESSED", ROOT / "data" / "processed")
REPORTS_DIR = _path("GOVREPORTS_REPORTS", ROOT / "reports")
NOTEBOOKS_DIR = _path("GOVREPORTS_NOTEBOOKS", packaged_notebooks())

__all__ = ["ROOT", "RAW_DIR", "PROCESSED_DIR", "REPORTS_DIR", "NOTEBOOKS_DIR", "find_root", "packaged_notebooks"]
