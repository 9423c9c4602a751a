"""The pdfium engine gives the very blocks, cells and metadata the pdfplumber engine gives.

Every PDF fixture and the real PDF in ../shared/real are read by both engines; the shared grid
logic (furniture, tables continued overleaf) runs on both. Hand-made PDFs cover what the
fixtures do not: rotated text (handed to pdfplumber), fonts without a Unicode map, a zlib bomb.
"""

import zlib
from pathlib import Path

import pytest

from govreports import parse
from govreports.errors import SourceError
from govreports.read import pdf as pdf_reader
from govreports.read import pdf_geometry as geometry
from govreports.read import pdf_pdfium
from govreports.read.document import read_document

RENDERINGS = Path(__file__).resolve().parents[1] / "data" / "renderings"
REAL = Path(__file__).resolve().parents[3] / "shared" / "real" / "raw"
PDFS = sorted(p for p in RENDERINGS.glob("*.pdf") if p.name != "encrypted_password.pdf")
PDFS += sorted(REAL.glob("*.pdf")) if REAL.is_dir() else []


def _blocks(path: Path, engine: str) -> tuple:
    return pdf_reader.read_pdf(path.read_bytes(), path.name, engine=engine)[0]


@pytest.mark.parametrize("path", PDFS, ids=[p.name for p in PDFS])
def test_both_engines_give_the_same_blocks(path):
    pdfium_blocks = _blocks(path, "pdfium")
    assert pdfium_blocks == _blocks(path, "plumber")
    assert [b.kind for b in pdfium_blocks].count("table") >= 2  # tables, as grids


@pytest.mark.parametrize("path", PDFS, ids=[p.name for p in PDFS])
def test_both_engines_give_the_same_cells_and_metadata(path, monkeypatch):
    reports = {}
    for engine in ("pdfium", "plumber"):
        monkeypatch.setattr(pdf_reader, "DEFAULT_ENGINE", engine)
        reports[engine] = parse(path)
    a, b = reports["pdfium"], reports["plumber"]
    assert a.values() == b.values() and len(a.values()) > 50
    assert (a.status, a.metadata) == (b.status, b.metadata)


def test_the_real_pdf_keeps_its_merged_vertical_label_and_cells():
    path = REAL / "hongze-district_2024.pdf"
    if not path.exists():
        pytest.skip("../shared/real is not beside this checkout")
    table3 = [b for b in read_document(path).blocks if b.kind == "table"][2]
    # the label printed one character per line in a merged cell stays in its cell, once
    assert sum(1 for row in table3.rows for cell in row if cell and "本年度办理结果" in cell) == 1
    assert ("", "（一）予以公开", None, "50", "0", "0", "0", "0", "0", "50") not in table3.rows


# ---------------------------------------------------------------- hand-made PDFs


def _pdf(content: bytes, extra_objects: tuple = ()) -> bytes:
    """Return a one-page PDF (A4, Helvetica as F1) whose page draws ``content``."""
    objects = [b"<< /Type /Catalog /Pages 2 0 R >>",
               b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
               b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Contents 4 0 R "
               b"/Resources << /Font << /F1 5 0 R >> >> >>",
               b"<< /Length %d >>\nstream\n" % len(content) + content + b"\nendstream",
               b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>", *extra_objects]
    out, offsets = bytearray(b"%PDF-1.4\n"), []
    for number, body in enumerate(objects, 1):
        offsets.append(len(out))
        out += b"%d 0 obj\n" % number + body + b"\nendobj\n"
    xref = len(out)
    out += b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1)
    out += b"".join(b"%010d 00000 n \n" % o for o in offsets)
    out += b"trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (len(objects) + 1, xref)
    return bytes(out)


def _ruled_table(rows: list, rotated: str = "") -> bytes:
    """Return a content stream drawing ``rows`` as a ruled table, and ``rotated`` text turned 90 degrees."""
    ops, top, height, widths = [], 700, 20, (120, 80, 80)
    for r, row in enumerate(rows):
        x = 50
        for c, text in enumerate(row):
            y = top - r * height
            ops.append(b"%d %d %d %d re S" % (x, y - height, widths[c], height))
            ops.append(b"BT /F1 10 Tf %d %d Td (%s) Tj ET" % (x + 4, y - 14, text.encode()))
            x += widths[c]
    if rotated:
        ops.append(b"BT /F1 10 Tf 0 1 -1 0 400 300 Tm (%s) Tj ET" % rotated.encode())
    return b"\n".join(ops)


ROWS = [["item", "2021", "2022"], ["granted", "12", "1,300"], ["denied", "3", "0"], ["total", "15", "1,300"]]


def test_a_hand_drawn_ruled_table_is_the_same_grid_in_both_engines():
    data = _pdf(_ruled_table(ROWS))
    blocks = pdf_reader.read_pdf(data, "t.pdf")[0]
    assert blocks == pdf_reader.read_pdf(data, "t.pdf", engine="plumber")[0]
    assert blocks[0].rows == tuple(tuple(row) for row in ROWS)


def test_rotated_text_is_read_by_the_pdfplumber_engine():
    data = _pdf(_ruled_table(ROWS, rotated="sideways"))
    with pytest.raises(pdf_pdfium.RotatedText):
        list(pdf_pdfium.open_pages(data))
    blocks = pdf_reader.read_pdf(data, "t.pdf")[0]  # the pdfium engine hands the file over
    assert blocks == pdf_reader.read_pdf(data, "t.pdf", engine="plumber")[0]
    assert blocks[0].rows[1] == ("granted", "12", "1,300")


def test_fonts_without_a_unicode_map_fail_in_both_engines():
    data = (RENDERINGS / "synth_pagebreak_2021.pdf").read_bytes().replace(b"/ToUnicode", b"/ToUnicodX")
    for engine in ("pdfium", "plumber"):
        with pytest.raises(SourceError, match="no usable text layer: 13[01][0-9] of 1316 characters are glyph ids"):
            pdf_reader.read_pdf(data, "t.pdf", engine=engine)


def _bomb(inflated: int) -> bytes:
    stream = zlib.compress(b"\0" * inflated, 9)
    return _pdf(b"BT /F1 10 Tf 50 700 Td (x) Tj ET", (b"<< /Length %d /Filter /FlateDecode >>\nstream\n" % len(stream)
                                                      + stream + b"\nendstream",))


def test_a_zlib_bomb_is_refused_before_any_engine_decodes_it(monkeypatch):
    monkeypatch.setattr(pdf_reader, "MAX_DECODED_BYTES", 4 * 2**20)
    data = _bomb(5 * 2**20)
    assert len(data) < 20_000
    with pytest.raises(SourceError, match="inflate past 4 MB"):
        pdf_reader.read_pdf(data, "bomb.pdf")
    assert pdf_reader.read_pdf(_bomb(3 * 2**20), "small.pdf")[0]  # under the cap: read as usual


def test_the_decoded_size_check_measures_what_streams_inflate_to():
    data = _bomb(2 * 2**20)
    pdf_reader.check_decoded_size(data, "t.pdf", limit=2 * 2**20)  # exactly at the cap: fine
    with pytest.raises(SourceError):
        pdf_reader.check_decoded_size(data, "t.pdf", limit=2 * 2**20 - 1)
    for path in PDFS:  # real reports inflate to a few MB at most
        pdf_reader.check_decoded_size(path.read_bytes(), path.name, limit=16 * 2**20)


def test_streams_too_short_to_reach_the_limit_are_not_inflated(monkeypatch):
    data = _bomb(8 * 2**20)
    assert len(zlib.compress(b"\0" * 8 * 2**20, 9)) * pdf_reader.MAX_FLATE_RATIO >= 8 * 2**20  # deflate's bound
    with pytest.raises(SourceError):
        pdf_reader.check_decoded_size(data, "t.pdf", limit=8 * 2**20 - 1)
    monkeypatch.setattr(pdf_reader, "_inflated_size", lambda *args: pytest.fail("inflated a stream"))
    pdf_reader.check_decoded_size(data, "t.pdf", limit=pdf_reader.MAX_FLATE_RATIO * len(data))


def test_no_text_layer_is_refused_in_one_place():
    with pytest.raises(SourceError, match="no text layer: OCR it first"):
        pdf_reader.check_text_layer("scan.pdf", 0, 0)
    with pytest.raises(SourceError, match="no usable text layer: 6 of 10"):
        pdf_reader.check_text_layer("cid.pdf", 10, 6)
    pdf_reader.check_text_layer("ok.pdf", 10, 5)


# ---------------------------------------------------------------- geometry, as pdfplumber does it


def test_words_split_at_gaps_wider_than_the_tolerance_and_at_spaces():
    chars = [("1", 0, 5, 10, 20), ("2", 5, 10, 10, 20), ("3", 12.9, 18, 10, 20), (" ", 18, 21, 10, 20),
             ("4", 21, 26, 10, 20), ("5", 30, 35, 11, 21)]
    assert geometry.extract_text(chars) == "123 4 5"
    assert geometry.extract_text(chars[:2] + [("x", 0, 5, 40, 50)]) == "12\nx"
    assert [w[0] for w in geometry.extract_words(chars)] == ["123", "4", "5"]


def test_cells_are_the_smallest_boxes_the_edges_close_and_merged_positions_are_none():
    # a 2x2 grid whose top row is one merged cell
    vertical = [[0, 0, 0, 40, 40], [50, 20, 50, 40, 20], [100, 0, 100, 40, 40]]
    horizontal = [[0, 0, 100, 0, 100], [0, 20, 100, 20, 100], [0, 40, 100, 40, 100]]
    tables = geometry.find_tables(vertical, horizontal)
    assert tables == [[(0, 0, 100, 20), (0, 20, 50, 40), (50, 20, 100, 40)]]
    chars = [("A", 40, 50, 5, 15), ("b", 10, 20, 25, 35), ("c", 60, 70, 25, 35)]
    assert geometry.extract_table(tables[0], chars) == [["A", None], ["b", "c"]]


def test_characters_go_to_the_cell_holding_their_centre_right_and_bottom_edges_excluded():
    cells = [(0, 0, 100, 20), (0, 20, 50, 40), (50, 20, 100, 40)]  # a merged top row over two cells
    chars = [("A", 40, 60, 5, 15), ("b", 45, 55, 25, 35), ("c", 49, 53, 25, 35), ("z", 100, 110, 5, 15),
             ("y", 10, 20, 35, 45)]
    # "b" is centred on x=50, the left edge of the right cell; "z" right of the table; "y" on its foot
    assert geometry.cell_chars(cells, chars) == {(0, 0, 100, 20): [chars[0]], (50, 20, 100, 40): [chars[1], chars[2]]}


def test_overlapping_cells_each_get_every_character_inside_them():
    cells = [(0, 0, 60, 20), (40, 0, 100, 20)]
    chars = [("x", 45, 55, 5, 15), ("l", 0, 10, 5, 15)]
    assert geometry.cell_chars(cells, chars) == {cells[0]: [chars[0], chars[1]], cells[1]: [chars[0]]}


def test_tables_are_the_groups_of_cells_joined_by_corners_top_to_bottom():
    lower = [(0, 100, 50, 120), (50, 100, 90, 120), (50, 120, 90, 140)]  # joined through (50, 120)
    upper = [(10, 0, 20, 10), (20, 10, 30, 20)]  # joined only at the corner (20, 10)
    alone = [(200, 0, 210, 10)]
    tables = geometry.cells_to_tables(lower + alone + upper)
    assert [sorted(t) for t in tables] == [sorted(upper), sorted(lower)]


def test_edges_within_the_tolerance_snap_and_join():
    vertical, horizontal = geometry.merge_edges([[10, 0, 10, 50, 50], [12, 52, 12, 90, 38]], [[0, 5, 1.5, 5, 1.5]])
    assert vertical == [[11.0, 0, 11.0, 90, 90]] and horizontal == []


def test_descents_come_from_the_font_descriptors_as_written():
    # LibreOffice writes /Descent 0 (pdfminer takes it as is; pdfium would use the font file's)
    descents = pdf_pdfium.declared_descents((RENDERINGS / "synth_pagebreak_2021.pdf").read_bytes())
    assert descents and set(descents.values()) == {0.0}
    assert pdf_pdfium.declared_descents(b"<< /Type /FontDescriptor /FontName /AB+Song /Descent -140 >>") == {b"Song": -140.0}


def test_a_space_pdfium_drops_before_an_overlapping_character_is_put_back():
    chars = [("码", 291.3, 303.3, 124.4, 136.4)]
    pdf_pdfium._restore_space(chars, ("2", 306.3, 312.3, 124.4, 136.4))  # a 3.0 pt gap: the glyph was there
    assert [c[0] for c in chars] == ["码", " "]
    chars = [("总", 100, 110, 50, 60)]
    pdf_pdfium._restore_space(chars, ("计", 112.6, 122.6, 50, 60))  # 2.6 pt: no space was printed
    assert [c[0] for c in chars] == ["总"]
