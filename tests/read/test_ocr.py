"""Scanned reports read through OCR (tests/data/scans, made by make_scans.py from answer keys).

The tests that OCR a whole fixture are marked slow (tens of seconds a page on a loaded machine):
``make test`` runs them, ``make test-fast`` does not.
"""

from __future__ import annotations

import io
import json
from pathlib import Path

import pytest

pytest.importorskip("rapidocr_onnxruntime", reason="the ocr extra is not installed")

from govreports.errors import SourceError  # noqa: E402
from govreports.parse import parse  # noqa: E402
from govreports.parse.rows import read_segments  # noqa: E402
from govreports.read import read_document, sniff_format  # noqa: E402
from govreports.read.ocr import Reading, cell_text  # noqa: E402
from govreports.records import DOUBT, doubtful  # noqa: E402

SCANS = Path(__file__).resolve().parents[1] / "data" / "scans"
MANIFEST = json.loads((SCANS / "MANIFEST.json").read_text(encoding="utf-8"))


def key_of(name: str) -> dict:
    return json.loads((SCANS / MANIFEST[name]["truth"]).read_text(encoding="utf-8"))


@pytest.fixture(scope="module")
def parsed() -> dict:
    """Parse each committed scan once (OCR takes seconds a page)."""
    return {name: parse(SCANS / name) for name in MANIFEST}


def wrong_cells(report, key: dict) -> list:
    return [(code, key["cells"][code], value) for code, value in report.values().items()
            if code in key["cells"] and value is not None and value != key["cells"][code]]


@pytest.mark.slow
@pytest.mark.parametrize("name", ["scan_shuyang_2021.pdf", "scan_pingtan_2019.tif"])
def test_scans_of_both_templates_parse_to_their_keys(parsed, name):
    report, key = parsed[name], key_of(name)
    assert report.template == key["template"]
    assert report.status in ("valid", "repaired")
    assert wrong_cells(report, key) == []  # never a wrong number
    right = sum(report.values()[code] == value for code, value in key["cells"].items())
    assert right / len(key["cells"]) >= 0.99
    assert report.metadata.year == key["year"]
    assert any(r.kind == "ocr_digit" and "OCR engine was unsure" in r.evidence for r in report.repairs)
    assert {r.kind for r in report.repairs} <= {"ocr_digit", "lost_cell"}


@pytest.mark.slow
def test_table3_of_the_scan_reads_its_numbers(parsed):
    values = parsed["scan_shuyang_2021.pdf"].values()
    assert values["table3.new_received.natural_person"] == 705
    assert values["table3.total_handled.total"] == 718
    assert values["table2.penalty.decisions"] == 693957
    assert values["table2.fees.amount_10k_yuan"] == 4068.208
    assert values["table4.reconsideration.total"] == 61


@pytest.mark.slow
def test_a_damaged_digit_is_repaired_with_evidence_or_invalid_never_valid_and_wrong(parsed):
    report = parsed["scan_shuyang_damaged.jpg"]
    key = key_of("scan_shuyang_damaged.jpg")
    assert report.status in ("repaired", "invalid")
    code = "table3.granted.natural_person"  # printed 290, its last digit half erased
    cell = {c.code: c for c in report.cells}[code]
    if report.status == "repaired":
        assert wrong_cells(report, key) == []
        assert cell.value == 290 and cell.status == "repaired"
        repair = next(r for r in report.repairs if r.code == code)
        assert repair.kind == "ocr_digit" and "confidence" in repair.evidence
    else:
        assert cell.value in (290, None)


def test_images_are_sniffed_by_their_bytes():
    from PIL import Image

    for fmt in ("PNG", "JPEG", "TIFF"):
        buffer = io.BytesIO()
        Image.new("L", (8, 8), 255).save(buffer, fmt)
        assert sniff_format(Path("page.bin"), buffer.getvalue()) == "image"


def test_an_image_with_ocr_turned_off_fails_with_a_clear_message(tmp_path):
    from PIL import Image

    path = tmp_path / "page.png"
    Image.new("L", (200, 100), 255).save(path)
    with pytest.raises(SourceError, match="only through OCR, which is turned off"):
        read_document(path, ocr=False)
    report = parse(path, ocr=False)
    assert report.status == "failed"


@pytest.mark.slow
def test_a_scanned_pdf_page_is_read_as_a_scan_document():
    document = read_document(SCANS / "scan_shuyang_2021.pdf")
    assert document.format == "scan"
    tables = [b for b in document.blocks if b.kind == "table"]
    assert len(tables) >= 3
    assert all(len(t.confidence) == len(t.rows) for t in tables)  # a confidence per cell
    assert any(isinstance(c, float) and c >= 0.9 for t in tables for row in t.confidence for c in row)


def reading(text, confidence=0.99, digits=None, certainty=0.99):
    return ((0, 0, 10, 10), Reading(text, confidence, text if digits is None else digits, certainty))


def test_a_cell_is_trusted_only_when_the_digit_reading_is_certain():
    assert cell_text([reading("705")]) == ("705", 0.99)
    assert cell_text([reading("o", digits="0")])[0] == "0"  # a lone 0 the model also takes for a letter
    assert cell_text([reading("。", digits="0")])[0] == ""  # a mark alone: the cell's ink decides (see _table_item)
    text, score = cell_text([reading("66", digits="66", certainty=0.7)])
    assert text == doubtful("66", 0.7) and score == 0.7
    assert DOUBT in cell_text([reading("M0", digits="0", certainty=0.95)])[0]  # a letter that is no digit
    assert cell_text([reading("规章", digits="")]) == ("规章", 0.99)
    assert cell_text([reading("·", digits="")])[0] == ""  # dust
    assert cell_text([reading("0.", digits="0.")])[0] == "0"  # a speck beside the number
    assert cell_text([reading("4068.208")])[0] == "4068.208"


def test_a_doubtful_cell_becomes_a_doubt_token_with_its_confidence():
    from govreports.parse.layout import Line

    segments = read_segments([Line(1, ("规章", "0", doubtful("6", 0.42), "32"), True, True)])
    tokens = segments[0].tokens
    assert [t.kind for t in tokens] == ["number", "doubt", "number"]
    assert tokens[1].text == "6" and tokens[1].value == pytest.approx(0.42)


CHARACTERS = ["blank", "0", "1", "5", ".", ",", "-", "2", "3", "4", "6", "7", "8", "9", "a"]


def steps(*rows: dict):
    """Return CTC probabilities over CHARACTERS, one step per ``{character: probability}``."""
    import numpy as np

    out = np.zeros((len(rows), len(CHARACTERS)), np.float32)
    for index, row in enumerate(rows):
        for character, probability in row.items():
            out[index, CHARACTERS.index(character)] = probability
    return out


def test_a_faint_decimal_point_that_loses_to_the_blank_makes_the_number_doubtful():
    from govreports.read.ocr import TRUSTED, _decode, _digit_classes

    digits = _digit_classes(tuple(CHARACTERS))
    faint = steps({"1": 0.99, "blank": 0.01}, {"blank": 0.55, ".": 0.45}, {"5": 0.99, "blank": 0.01})
    reading = _decode(faint, CHARACTERS, digits)
    assert reading.digits == "15"  # the greedy digit reading drops the point: 1.5 would read 15
    assert reading.certainty == pytest.approx(0.55, abs=0.01) and reading.certainty < TRUSTED
    assert DOUBT in cell_text([((0, 0, 30, 30), reading)], numeric=True)[0]
    clean = steps({"1": 0.99, "blank": 0.01}, {"blank": 0.99, ".": 0.01}, {"5": 0.99, "blank": 0.01})
    assert cell_text([((0, 0, 30, 30), _decode(clean, CHARACTERS, digits))], numeric=True)[0] == "15"
    # a point after the last digit is no gap (a trailing mark is stripped); a digit that nearly
    # repeats is no separator
    trailing = steps({"1": 0.99, "blank": 0.01}, {"blank": 0.6, "1": 0.4}, {"5": 0.99, "blank": 0.01},
                     {"blank": 0.6, ".": 0.4})
    assert _decode(trailing, CHARACTERS, digits).certainty > TRUSTED
    marks = steps({"0": 0.99, "blank": 0.01}, {".": 0.9, "blank": 0.1}, {"blank": 0.6, ".": 0.4}, {".": 0.9})
    assert _decode(marks, CHARACTERS, digits).certainty > TRUSTED  # "0..": marks after the number


@pytest.mark.slow
def test_a_crop_reads_the_same_whatever_is_read_with_it():
    import numpy as np

    from govreports.read.ocr import engine

    digit = np.full((30, 28), 255, np.uint8)
    digit[6:24, 9:19] = 0
    line = np.full((30, 300), 255, np.uint8)
    line[8:22, 10:290:12] = 0
    alone = engine().recognise([digit])[0]
    assert engine().recognise([line, digit, line])[1] == alone  # nothing padded to a wider neighbour
    assert engine().detect(np.full((300, 200), 255, np.uint8)) == []  # a blank page: no detector run


@pytest.mark.slow
def test_the_engine_keeps_its_memory_between_runs_and_reads_the_same():
    import numpy as np
    import onnxruntime

    from govreports.read.ocr import engine

    session = engine()._ocr.text_rec.session.session
    options = session.get_session_options()
    assert options.enable_cpu_mem_arena and not options.enable_mem_pattern
    options.enable_cpu_mem_arena, options.enable_mem_pattern = False, True  # as the engine made it
    plain = onnxruntime.InferenceSession(session._model_path, sess_options=options, providers=["CPUExecutionProvider"])
    image = np.random.default_rng(1).uniform(-1, 1, (1, 3, 48, 96)).astype(np.float32)
    name = session.get_inputs()[0].name
    assert np.array_equal(session.run(None, {name: image})[0], plain.run(None, {name: image})[0])
