"""Packaging hook (everything else is in pyproject.toml): the notebooks as package data, the optional C loops.

``notebooks/`` stays the single source of the notebooks and their parameter files; the wheel
carries them as ``govreports/notebooks/`` (package data), so ``govreports report`` finds them in
a plain ``pip install`` without a clone (:data:`govreports.paths.NOTEBOOKS_DIR`).

``govreports/read/_pdfium_loops.c`` (the PDF engine's per-character and per-path loops) is
built when a C compiler and Python's headers are present; it is optional: without them the
install goes on and the same loops run in Python (``govreports --version`` says which).
"""

import sys

from setuptools import Extension, find_packages, setup

NOTEBOOK_PACKAGES = {"govreports.notebooks": "notebooks", "govreports.notebooks.params": "notebooks/params"}
# No fused multiply-add: the C loops must give the Python loops' very floats.
C_FLAGS = [] if sys.platform == "win32" else ["-O2", "-ffp-contract=off"]

setup(
    packages=[*find_packages(include=["govreports*"]), *NOTEBOOK_PACKAGES],
    package_dir=NOTEBOOK_PACKAGES,
    ext_modules=[Extension("govreports.read._pdfium_loops", ["govreports/read/_pdfium_loops.c"],
                           extra_compile_args=C_FLAGS, optional=True)],
)
