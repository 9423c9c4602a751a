"""Packaging hook (everything else is in pyproject.toml): the study's notebooks ship inside the package.

``notebooks/`` stays the single source of the notebooks and their parameter files; the wheel
carries them as ``govreports/notebooks/`` (package data), so ``govreports report`` finds them in
a plain ``pip install`` without a clone (:data:`govreports.paths.NOTEBOOKS_DIR`).
"""

from setuptools import find_packages, setup

NOTEBOOK_PACKAGES = {"govreports.notebooks": "notebooks", "govreports.notebooks.params": "notebooks/params"}

setup(
    packages=[*find_packages(include=["govreports*"]), *NOTEBOOK_PACKAGES],
    package_dir=NOTEBOOK_PACKAGES,
)
