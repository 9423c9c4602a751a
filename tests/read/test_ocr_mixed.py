"""A PDF with a text layer on some pages only: the pages without one are read through OCR.

The fixture is made here from a committed text PDF (table 3 broken over its two pages): its
second page is rendered to a picture and put back as an image-only page.
"""

from __future__ import annotations

import io
import json
import logging
from pathlib import Path

import pytest

from govreports.parse import parse
from govreports.read import read_document

RENDERINGS = Path(__file__).resolve().parents[1] / "data" / "renderings"
SOURCE = RENDERINGS / "synth_pagebreak_2021.pdf"
CELLS = json.loads((RENDERINGS / "MANIFEST.json").read_text(encoding="utf-8"))[SOURCE.name]["cells"]


def mixed_pdf(path: Path) -> Path:
    """Write the source PDF with its second page replaced by a 150 dpi picture of it."""
    import pypdfium2

    source = pypdfium2.PdfDocument(SOURCE)
    picture = source[1].render(scale=150 / 72, grayscale=True).to_pil()
    buffer = io.BytesIO()
    picture.save(buffer, "PDF", resolution=150)
    mixed = pypdfium2.PdfDocument.new()
    mixed.import_pages(source, [0])
    mixed.import_pages(pypdfium2.PdfDocument(buffer.getvalue()), [0])
    mixed.save(path)
    return path


def test_the_fixture_has_text_on_its_first_page_only(tmp_path):
    import pypdfium2

    document = pypdfium2.PdfDocument(mixed_pdf(tmp_path / "mixed.pdf"))
    assert [len(document[i].get_textpage().get_text_range().strip()) > 100 for i in range(2)] == [True, False]


def test_with_ocr_off_the_page_without_text_is_not_read_and_a_warning_says_so(tmp_path, caplog):
    path = mixed_pdf(tmp_path / "mixed.pdf")
    with caplog.at_level(logging.WARNING):
        report = parse(path, ocr=False)
    assert "page(s) 2 have no text layer" in caplog.text
    assert report.values().get("table4.reconsideration.upheld") is None  # printed on page 2


@pytest.mark.slow
def test_the_page_without_text_is_read_through_ocr(tmp_path):
    pytest.importorskip("rapidocr_onnxruntime", reason="the ocr extra is not installed")
    path = mixed_pdf(tmp_path / "mixed.pdf")
    assert read_document(path, ocr=True).format == "pdf"
    report = parse(path, ocr=True)
    values = report.values()
    wrong = [(code, want, values.get(code)) for code, want in CELLS.items()
             if values.get(code) is not None and values.get(code) != want]
    assert wrong == []
    assert report.status in ("valid", "repaired")
    assert values["table4.reconsideration.upheld"] == CELLS["table4.reconsideration.upheld"]  # page 2
    right = sum(values.get(code) == want for code, want in CELLS.items())
    assert right / len(CELLS) >= 0.99


def test_a_blank_page_without_text_loads_no_ocr_engine(tmp_path, monkeypatch):
    import pypdfium2

    from govreports.read import ocr

    def no_engine():
        raise AssertionError("the OCR engine was loaded for a blank page")

    monkeypatch.setattr(ocr, "engine", no_engine)
    document = pypdfium2.PdfDocument.new()
    document.import_pages(pypdfium2.PdfDocument(SOURCE), [0, 1])
    document.new_page(595, 842)  # blank: no characters, no picture
    document.save(tmp_path / "blank_page.pdf")
    report = parse(tmp_path / "blank_page.pdf", ocr=True)
    assert report.values()["table4.reconsideration.upheld"] == CELLS["table4.reconsideration.upheld"]
