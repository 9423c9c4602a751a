"""Make the scanned reports that tests/read/test_ocr.py reads: answer keys printed, then scanned.

Each report is an answer key (tests/truth/*.json for the seeds, /work/shared/real/truth/*.json
for real reports) laid out as the template prints it (title, paragraphs, 表二/表三/表四 as ruled
tables with merged header cells: tests/data/renderings/make_renderings.py's layout, which takes
its labels from govreports' template), converted HTML -> PDF by LibreOffice, rasterised with
``pdftoppm -r 150`` and degraded as a scanner does (a slight rotation, blur, speckle noise, JPEG
compression), then bound back into an image-only PDF, a multi-page TIFF, or one tall JPEG (a report pasted into a
web page as a picture).

Usage (needs LibreOffice's ``soffice``, poppler's ``pdftoppm`` and a CJK font; CI only reads
the committed output)::

    .venv/bin/python tests/data/scans/make_scans.py                 # the committed fixtures
    .venv/bin/python tests/data/scans/make_scans.py --all /tmp/scans  # every key, for measuring
"""

from __future__ import annotations

import argparse
import html
import io
import json
import random
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

import numpy as np
from PIL import Image, ImageFilter

HERE = Path(__file__).resolve().parent
TESTS = HERE.parents[1]
sys.path.insert(0, str(TESTS / "data" / "renderings"))

from make_renderings import fmt, html_table, report_parts  # noqa: E402

from govreports.template import SCHEMA  # noqa: E402

REAL_TRUTH = Path("/work/shared/real/truth")
DPI = 150
STYLE = ("body { font-family: 'Noto Sans CJK SC'; font-size: 10.5pt; } table { border-collapse: collapse; } "
         "td { border: 1px solid #000; padding: 2px 4px; text-align: center; }")


def key_values(path: Path) -> tuple:
    """Return ``(key, {code: printed text})`` for an answer key; blank and unknown cells print ''."""
    key = json.loads(path.read_text(encoding="utf-8"))
    printed = {code: fmt(key["cells"].get(code)) for code in SCHEMA.codes(key["template"])}
    return key, printed


def scan_html(parts: list) -> str:
    """Render the report as a plain printable page (no site chrome: a scan is of the printout)."""
    body = []
    for kind, item in parts:
        if kind == "title":
            body.append(f'<p align="center"><font size="5"><b>{html.escape(item)}</b></font></p>')
        elif kind == "p":
            body.append(f"<p>{html.escape(item)}</p>")
        else:
            body.append(html_table(item))
    return (f'<!DOCTYPE html>\n<html><head><meta charset="utf-8"><style>{STYLE}</style></head>\n'
            "<body>\n" + "\n".join(body) + "\n</body></html>\n")


def to_pdf(source: Path, pdf_path: Path) -> None:
    """Convert the HTML page to PDF with LibreOffice Writer (its HTML import as a text document)."""
    soffice = shutil.which("soffice") or shutil.which("libreoffice")
    if soffice is None:
        raise SystemExit("soffice not found: apt-get install libreoffice-writer-nogui fonts-noto-cjk")
    with tempfile.TemporaryDirectory() as tmp:
        # "HTML (StarWriter)" lays the page out as a printed document; the default Writer/Web
        # import starts it with an empty page.
        subprocess.run([soffice, f"-env:UserInstallation=file://{tmp}/profile", "--headless",
                        "--infilter=HTML (StarWriter)", "--convert-to", "pdf:writer_pdf_Export",
                        "--outdir", tmp, str(source)], check=True, capture_output=True, timeout=300)
        shutil.copyfile(Path(tmp) / (source.stem + ".pdf"), pdf_path)


def rasterise(pdf: Path, out: Path) -> list:
    """Return the PDF's pages as greyscale images at :data:`DPI` (``pdftoppm -r 150 -gray``)."""
    subprocess.run(["pdftoppm", "-r", str(DPI), "-gray", "-png", str(pdf), str(out / "page")], check=True)
    return [Image.open(p).convert("L") for p in sorted(out.glob("page*.png"))]


def damage_digit(pages: list, pdf: Path, value: str) -> None:
    """Erase the right half of the last digit of the first cell printing ``value`` (a scratch, a fold).

    The cell is found on the clean PDF's text layer (pdfplumber), before the scan degrades it.
    """
    import pdfplumber

    scale = DPI / 72
    with pdfplumber.open(pdf) as document:
        for index, page in enumerate(document.pages):
            chars = [c for w in page.extract_words() if w["text"] == value
                     for c in page.chars if w["x0"] <= c["x0"] < w["x1"] and abs(c["top"] - w["top"]) < 1]
            if chars:
                last = chars[len(value) - 1]
                box = ((last["x0"] + last["x1"]) / 2 * scale, last["top"] * scale - 2,
                       last["x1"] * scale + 1, last["bottom"] * scale + 2)
                pages[index].paste(255, tuple(round(v) for v in box))
                return
    raise SystemExit(f"{value!r} is not printed in {pdf}")


def degrade(page: Image.Image, rng: random.Random, strength: float = 1.0) -> Image.Image:
    """Degrade a clean page as a scanner does: rotation, blur, speckle noise, JPEG compression."""
    angle = rng.uniform(-1.0, 1.0) * strength
    page = page.rotate(angle, resample=Image.BICUBIC, fillcolor=255)
    page = page.filter(ImageFilter.GaussianBlur(0.5 + 0.3 * strength))
    pixels = np.asarray(page, dtype=np.int16)
    noise = np.random.default_rng(rng.randrange(2**32))
    pixels = pixels + noise.normal(0, 2 * strength, pixels.shape).astype(np.int16)
    specks = noise.random(pixels.shape) < 0.0015 * strength
    pixels[specks] = 40  # dust: dark specks
    pixels = np.clip(pixels, 0, 255).astype(np.uint8)
    buffer = io.BytesIO()
    Image.fromarray(pixels).save(buffer, "JPEG", quality=int(60 - 15 * strength))
    return Image.open(io.BytesIO(buffer.getvalue())).convert("L")


def scanned_pages(key_path: Path, seed: int, damaged: str | None = None, strength: float = 1.0,
                  stacked: bool = False) -> tuple:
    """Return ``(key, degraded page images)`` for one answer key (``stacked``: one tall image)."""
    key, values = key_values(key_path)
    parts = report_parts(key["agency"], key["year"], values, key["template"])
    rng = random.Random(seed)
    with tempfile.TemporaryDirectory() as tmp:
        tmp = Path(tmp)
        (tmp / "report.html").write_text(scan_html(parts), encoding="utf-8")
        to_pdf(tmp / "report.html", tmp / "report.pdf")
        pages = rasterise(tmp / "report.pdf", tmp)
        if damaged:
            damage_digit(pages, tmp / "report.pdf", damaged)
    if stacked:  # one picture, tilted and degraded as a whole
        pages = [stack(pages)]
    return key, [degrade(page, rng, strength) for page in pages]


def save_pdf(pages: list, path: Path, quality: int = 20) -> None:
    """Bind page images into an image-only PDF (JPEG-compressed pages, no text layer)."""
    pages[0].save(path, "PDF", save_all=True, append_images=pages[1:], resolution=DPI, quality=quality)


def save_tiff(pages: list, path: Path, quality: int = 20) -> None:
    """Bind page images into a multi-page greyscale TIFF with JPEG compression, as office scanners save."""
    pages[0].save(path, save_all=True, append_images=pages[1:], compression="jpeg", quality=quality, dpi=(DPI, DPI))


def stack(pages: list) -> Image.Image:
    """Return the pages stacked into one tall image: a report pasted into a web page as one picture."""
    tall = Image.new("L", (max(p.width for p in pages), sum(p.height for p in pages)), 255)
    top = 0
    for page in pages:
        tall.paste(page, (0, top))
        top += page.height
    return tall


def save_long_jpeg(pages: list, path: Path, quality: int = 20) -> None:
    """Save a stacked report (one tall image) as a JPEG."""
    pages[0].save(path, "JPEG", quality=quality, dpi=(DPI, DPI))


SAVERS = {"pdf": save_pdf, "tiff": save_tiff, "jpeg": save_long_jpeg}


FIXTURES = (
    # (file, key, seed, damaged value, how it is saved)
    ("scan_shuyang_2021.pdf", REAL_TRUTH / "shuyang-county_2025.json", 1, None, "pdf"),
    ("scan_pingtan_2019.tif", REAL_TRUTH / "pingtan-zone_2019.json", 2, None, "tiff"),
    ("scan_shuyang_damaged.jpg", REAL_TRUTH / "shuyang-county_2025.json", 3, "290", "jpeg"),
)


def make_fixtures() -> None:
    """Write the committed fixtures and MANIFEST.json (file -> key)."""
    manifest = {}
    (HERE / "keys").mkdir(exist_ok=True)
    for name, key_path, seed, damaged, how in FIXTURES:
        key, pages = scanned_pages(key_path, seed, damaged, stacked=how == "jpeg")
        SAVERS[how](pages, HERE / name)
        shutil.copyfile(key_path, HERE / "keys" / key_path.name)
        manifest[name] = {"truth": f"keys/{key_path.name}", "pages": len(pages), "damaged": damaged}
        print(f"{name}: {len(pages)} pages, {(HERE / name).stat().st_size:,} bytes")
    (HERE / "MANIFEST.json").write_text(json.dumps(manifest, indent=1) + "\n", encoding="utf-8")


def make_all(out: Path, strength: float, seed: int = 100) -> None:
    """Scan every key there is (seeds and real reports) into ``out``: PDFs plus their keys in ``out/truth``.

    Key number ``i`` (in name order) is degraded with the random seed ``seed + i``.
    """
    (out / "truth").mkdir(parents=True, exist_ok=True)
    keys = sorted((TESTS / "truth").glob("*.json")) + sorted(REAL_TRUTH.glob("*.json"))
    for index, key_path in enumerate(keys):
        key, pages = scanned_pages(key_path, seed + index, strength=strength)
        name = key_path.stem.replace(".", "_") + ".pdf"
        save_pdf(pages, out / name)
        key["file"] = name  # score_truth.py finds the input by the key's file name
        (out / "truth" / (Path(name).stem + ".json")).write_text(json.dumps(key, ensure_ascii=False), encoding="utf-8")
        print(f"{name}: {len(pages)} pages")


def main() -> None:
    """Make the committed fixtures, or (``--all DIR``) scans of every key for measuring."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--all", type=Path, help="scan every answer key into this folder")
    parser.add_argument("--seed", type=int, default=100, help="with --all: the first key's degradation seed")
    parser.add_argument("--strength", type=float, default=1.0, help="how hard to degrade (1 = the fixtures)")
    args = parser.parse_args()
    if args.all:
        make_all(args.all, args.strength, args.seed)
    else:
        make_fixtures()


if __name__ == "__main__":
    main()
