"""The compiled pdfium loops and geometry give the Python code's very characters, edges and tables.

``read/_pdfium_loops.c`` (characters and paths) and ``read/pdf_geometry.py`` compiled by Cython
(``_pdf_geometry_compiled``) against the Python loops and geometry: every PDF under tests/ and
the real PDFs in ../shared/real are read twice, and the characters, unmapped counts, edges
(every float to the bit), each page's ruled tables, text-strategy tables and text lines, and the
blocks must be identical. Hand-made PDFs cover what the fixtures may not: rotated text,
fonts without a Unicode map, paths inside (nested, transformed) forms, curves and closed paths.
"""

import math
import random
import subprocess
import sys
import types
import zlib
from pathlib import Path

import pytest
from read.test_pdf_engines import ROWS, _pdf, _ruled_table

from govreports.read import pdf as pdf_reader
from govreports.read import pdf_pdfium

TESTS = Path(__file__).resolve().parents[1]
REAL = TESTS.parents[1] / "shared" / "real" / "raw"
PDFS = sorted(TESTS.rglob("*.pdf")) + (sorted(REAL.glob("*.pdf")) if REAL.is_dir() else [])

pytestmark = pytest.mark.skipif(pdf_pdfium._native is None, reason="the optional C extension is not built")


def _exact(value):
    """Return ``value`` with every float spelled to the bit (-0.0 and 0.0 differ)."""
    if isinstance(value, float):
        return value.hex() if value or math.copysign(1, value) > 0 else "-0"
    if isinstance(value, list | tuple):
        return [_exact(v) for v in value]
    return value


def _read(data: bytes, native: bool, monkeypatch) -> tuple:
    monkeypatch.setattr(pdf_pdfium, "NATIVE", native)
    try:
        pages = [(p.chars, p.unmapped, p.vertical, p.horizontal, p.height, p.ruled_tables(), p.text_tables(),
                  p.text_lines([box for box, _rows in p.ruled_tables()])) for p in pdf_pdfium.open_pages(data)]
    except Exception as exc:  # noqa: BLE001 - the outcome compared, whatever it is
        pages = f"{type(exc).__name__}: {exc}"
    try:
        blocks = pdf_reader.read_pdf(data, "t.pdf")[0]
    except Exception as exc:  # noqa: BLE001
        blocks = f"{type(exc).__name__}: {exc}"
    return _exact(pages), blocks


def _same_both_ways(data: bytes, monkeypatch) -> tuple:
    compiled = _read(data, True, monkeypatch)
    assert compiled == _read(data, False, monkeypatch)
    return compiled


def test_every_pdf_is_read_the_same_by_both_loops(monkeypatch):
    assert len(PDFS) >= 5
    characters = 0
    for path in PDFS:
        pages, _blocks = _same_both_ways(path.read_bytes(), monkeypatch)
        characters += sum(len(page[0]) for page in pages) if isinstance(pages, list) else 0
    assert characters > 5000


def test_rotated_text_and_fonts_without_a_unicode_map_come_out_the_same(monkeypatch):
    pages, _blocks = _same_both_ways(_pdf(_ruled_table(ROWS, rotated="sideways")), monkeypatch)
    assert pages == "RotatedText: "
    data = (TESTS / "data" / "renderings" / "synth_pagebreak_2021.pdf").read_bytes()
    pages, blocks = _same_both_ways(data.replace(b"/ToUnicode", b"/ToUnicodX"), monkeypatch)
    assert sum(page[1] for page in pages) > 1300 and "no usable text layer" in blocks  # every character checked


def _form(content: bytes, extra: bytes = b"") -> bytes:
    stream = zlib.compress(content)
    return (b"<< /Type /XObject /Subtype /Form /BBox [0 0 595 842] /Filter /FlateDecode /Length %d %s>>\nstream\n"
            % (len(stream), extra) + stream + b"\nendstream")


def test_paths_in_nested_scaled_forms_curves_and_closed_paths_come_out_the_same(monkeypatch):
    inner = _form(b"50 500 m 250 500 l S 50 480 200 40 re f 60 300 m 100 350 140 350 180 300 c h S "
                  b"300 300 m 400 300 l 400 380 l 300 380 l 300 300 l h S 10 10 m 20 30 l S")
    outer = _form(b"q 0.5 0 0 0.5 30 -100 cm /Fm2 Do Q 40 700 m 540 700 l 540 650 l 40 650 l h B",
                  b"/Resources << /XObject << /Fm2 7 0 R >> >> ")
    data = _pdf(_ruled_table(ROWS) + b"\nq 1 0 0 1 5 7 cm /Fm1 Do Q", (outer, inner))
    data = data.replace(b"/Resources << /Font << /F1 5 0 R >> >>",
                        b"/Resources << /Font << /F1 5 0 R >> /XObject << /Fm1 6 0 R >> >>")
    pages, blocks = _same_both_ways(data, monkeypatch)
    vertical, horizontal = pages[0][2], pages[0][3]
    assert len(vertical) > 16 and len(horizontal) > 20  # the table's and the forms' edges
    # the inner form's first line, through both forms' matrices: x 0.5 * 50 + 30 + 5, y 842 - (250 - 100 + 7)
    assert _exact([60.0, 685.0, 160.0, 685.0, 100.0]) in horizontal
    assert blocks[0].rows == tuple(tuple(row) for row in ROWS)


def test_the_compiled_geometry_runs_along_with_the_compiled_loops_unless_stale(monkeypatch):
    if pdf_pdfium._GEOMETRY is None:
        pytest.skip("pdf_geometry.py is not compiled (Cython was not found at install time)")
    assert pdf_pdfium._geometry() is pdf_pdfium._GEOMETRY
    monkeypatch.setattr(pdf_pdfium, "NATIVE", False)
    assert pdf_pdfium._geometry() is pdf_pdfium.geometry
    assert pdf_pdfium._fresh(pdf_pdfium._GEOMETRY, pdf_pdfium.geometry)
    source = Path(pdf_pdfium.geometry.__file__).read_text(encoding="utf-8")
    same, older = types.ModuleType("same"), types.ModuleType("older")
    exec(compile(source, "pdf_geometry.py", "exec"), same.__dict__)  # noqa: S102 - the source as it is
    exec(compile("\n" + source, "pdf_geometry.py", "exec"), older.__dict__)  # noqa: S102 - one line more
    assert pdf_pdfium._fresh(same, pdf_pdfium.geometry) and not pdf_pdfium._fresh(older, pdf_pdfium.geometry)


def test_characters_go_to_the_same_cells_in_the_compiled_geometry():
    compiled = pdf_pdfium._GEOMETRY
    if compiled is None:
        pytest.skip("pdf_geometry.py is not compiled (Cython was not found at install time)")
    assert compiled.ASSIGN_CHARS is not None and pdf_pdfium.geometry.ASSIGN_CHARS is None  # C only when compiled
    rng = random.Random(18)
    cells = [(0, 0, 100, 20), (0, 20, 50, 40), (50, 20, 100, 40), (100, 0, 130.5, 40), (0, 40, 130.5, 60.25)]
    for _case in range(200):  # centres on edges, off the table, ints and floats
        chars = [("x", *sorted(rng.choice((rng.randint(-10, 140), rng.uniform(-10, 140), 50, 100, 130.5))
                               for _k in range(2)),
                  *sorted(rng.choice((rng.randint(-5, 70), rng.uniform(-5, 70), 20, 40, 60.25)) for _k in range(2)))
                 for _n in range(30)]
        expected = pdf_pdfium.geometry.cell_chars(cells, chars)
        assert compiled.cell_chars(cells, chars) == expected
        assert compiled.cell_chars(cells, tuple(chars)) == expected  # not a list: the Python loop
    assert sum(len(v) for v in expected.values()) > 5


def test_the_version_says_which_loops_run():
    out = subprocess.run([sys.executable, "-c", "from govreports.cli import main; main()", "--version"],
                         capture_output=True, text=True, check=True).stdout
    assert "compiled (govreports.read._pdfium_loops)" in out
    out = subprocess.run([sys.executable, "-c", "from govreports.read import pdf_pdfium as p; print(p.loops_in_use())"],
                         capture_output=True, text=True, check=True, env={"GOVREPORTS_PURE_PYTHON": "1",
                                                                           "PYTHONPATH": ":".join(sys.path)}).stdout
    assert out.startswith("Python (GOVREPORTS_PURE_PYTHON is set)")
