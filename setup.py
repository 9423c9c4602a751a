"""Packaging hook (everything else is in pyproject.toml): the notebooks as package data, the optional C loops.

``notebooks/`` stays the single source of the notebooks and their parameter files; the wheel
carries them as ``govreports/notebooks/`` (package data), so ``govreports report`` finds them in
a plain ``pip install`` without a clone (:data:`govreports.paths.NOTEBOOKS_DIR`).

Two optional extensions speed up the PDF engine: ``govreports/read/_pdfium_loops.c`` (the
per-character and per-path loops) and ``govreports/read/pdf_geometry.py`` compiled as it is by
Cython into ``govreports.read._pdf_geometry_compiled`` (Cython is a build requirement in
pyproject.toml). Both need a C compiler and Python's headers; without them (or without Cython)
the install goes on and the same code runs in Python (``govreports --version`` says which).
"""

import sys

from setuptools import Extension, find_packages, setup

NOTEBOOK_PACKAGES = {"govreports.notebooks": "notebooks", "govreports.notebooks.params": "notebooks/params"}
# No fused multiply-add: the C loops must give the Python loops' very floats.
C_FLAGS = [] if sys.platform == "win32" else ["-O2", "-ffp-contract=off"]


def compiled_geometry() -> list:
    """Return the geometry module compiled by Cython, or nothing when Cython is not installed."""
    try:
        from Cython.Build import cythonize
    except ImportError:
        print("Cython not found: the PDF geometry stays pure Python", file=sys.stderr)
        return []
    extension = Extension("govreports.read._pdf_geometry_compiled", ["govreports/read/pdf_geometry.py"],
                          extra_compile_args=C_FLAGS, optional=True)
    try:
        # annotation_typing off: an annotation "list" would refuse a tuple, where Python takes any sequence
        return cythonize([extension], language_level=3, quiet=True, build_dir="build/cython",  # C code in build/
                         compiler_directives={"annotation_typing": False})
    except Exception as exc:  # noqa: BLE001 - optional: any failure leaves the Python module in use
        print(f"Cython failed ({exc}): the PDF geometry stays pure Python", file=sys.stderr)
        return []


setup(
    packages=[*find_packages(include=["govreports*"]), *NOTEBOOK_PACKAGES],
    package_dir=NOTEBOOK_PACKAGES,
    ext_modules=[Extension("govreports.read._pdfium_loops", ["govreports/read/_pdfium_loops.c"],
                           extra_compile_args=C_FLAGS, optional=True), *compiled_geometry()],
)
