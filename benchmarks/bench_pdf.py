"""Compare the two PDF engines side by side on the same PDFs: identical output, and the speed ratio.

Usage:
    python benchmarks/bench_pdf.py [--generated DIR] [--make N] [--limit N] [FILES...]

Reads every PDF with the pdfium engine (the default) and the pdfplumber engine in one run, and
checks that both give the same blocks, cells, metadata and status. Inputs: the PDF renderings
in tests/data/renderings, the real PDFs in ../shared/real/raw (when present beside the
checkout), and the PDFs in ``--generated DIR``. ``--make N`` first fills DIR (which must lie
outside the repository) with N synthetic reports rendered from govreports.synth's HTML, Word
HTML and .docx layouts and printed to PDF by LibreOffice (``soffice``); their answer keys go
to DIR/truth, and the run also counts cells that differ from the keys.

Speed is CPU time of this process (``time.process_time``), so that a loaded machine's waiting
is left out: reading (``read_pdf``) and the whole parse from disk, per page and per report,
each file parsed once per engine, with the garbage collector set as ``govreports parse`` and
``build`` set it (:func:`govreports.parse.fewer_collections`), and OCR off (the generated PDFs
from HTML have a blank first page, which OCR would skip after loading its models). The first
line after the header says whether the pdfium engine's compiled loops and geometry ran
(``GOVREPORTS_PURE_PYTHON=1`` runs the Python ones).
"""

from __future__ import annotations

import argparse
import json
import logging
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]

from common import header, per_floor  # noqa: E402

from govreports.parse import fewer_collections, parse  # noqa: E402
from govreports.read import pdf as pdf_reader  # noqa: E402
from govreports.read.pdf_pdfium import loops_in_use  # noqa: E402

RENDERINGS = ROOT / "tests" / "data" / "renderings"
REAL = ROOT.parent / "shared" / "real" / "raw"
ENGINES = ("pdfium", "plumber")
SOURCE_LAYOUTS = ("html", "word_html", "docx")


def make_pdfs(n: int, out: Path, seed: int = 18) -> None:
    """Write ``n`` synthetic reports as PDFs (via LibreOffice) and their answer keys under ``out``."""
    from govreports.synth import LAYOUTS, answer_key, generate_report, render_report

    if out.resolve().is_relative_to(ROOT):
        raise SystemExit(f"{out}: generate outside the repository")
    soffice = shutil.which("soffice") or shutil.which("libreoffice")
    if soffice is None:
        raise SystemExit("soffice not found: apt-get install libreoffice-writer-nogui fonts-noto-cjk")
    (out / "truth").mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory() as tmp:
        sources = []
        for index in range(n):
            report = generate_report(index, seed, layouts=SOURCE_LAYOUTS, anomaly_rate=0.0)
            stem = f"{index:05d}_{report.layout}"
            path = Path(tmp) / (stem + LAYOUTS[report.layout])
            path.write_bytes(render_report(report))
            key = answer_key(report, stem + ".pdf")
            (out / "truth" / f"{stem}.json").write_text(json.dumps(key, ensure_ascii=False) + "\n", encoding="utf-8")
            sources.append(str(path))
        for start in range(0, len(sources), 50):  # one LibreOffice start converts a batch
            subprocess.run([soffice, f"-env:UserInstallation=file://{tmp}/profile", "--headless", "--convert-to",
                            "pdf", "--outdir", str(out), *sources[start:start + 50]],
                           check=True, capture_output=True, timeout=1800)


def run_engine(engine: str, path: Path) -> tuple:
    """Return ``(blocks or error, report, read seconds, parse seconds)`` for one file, in CPU time."""
    pdf_reader.DEFAULT_ENGINE = engine
    data = path.read_bytes()
    start = time.process_time()
    try:
        blocks = pdf_reader.read_pdf(data, path.name)[0]
    except Exception as exc:  # noqa: BLE001 - the comparison records any failure as the outcome
        blocks = f"{type(exc).__name__}: {exc}"
    read = time.process_time() - start
    start = time.process_time()
    report = parse(path, ocr=False)
    return blocks, report, read, time.process_time() - start


def pages_of(path: Path) -> int:
    """Return the PDF's page count (0 when pdfium cannot open it)."""
    import pypdfium2 as pdfium

    try:
        return len(pdfium.PdfDocument(path.read_bytes()))
    except pdfium.PdfiumError:
        return 0


def key_errors(path: Path, report) -> int | None:
    """Return how many answer-key cells the report got wrong, or None without a key."""
    key_path = path.parent / "truth" / (path.stem + ".json")
    if not key_path.exists():
        return None
    key = json.loads(key_path.read_text(encoding="utf-8"))
    values = report.values()
    return sum(1 for code, value in key["cells"].items() if values.get(code) != value)


def compare(paths: list) -> dict:
    """Read and parse every file with both engines; return the totals and the differences."""
    totals = {e: {"read": 0.0, "parse": 0.0} for e in ENGINES}
    result = {"files": 0, "pages": 0, "same": 0, "different": [], "key_wrong": 0, "keyed": 0, "statuses": {}}
    for path in paths:
        outcome, reports = {}, {}
        for engine in ENGINES:
            blocks, reports[engine], read, parsed = run_engine(engine, path)
            totals[engine]["read"] += read
            totals[engine]["parse"] += parsed
            outcome[engine] = (blocks, reports[engine].values(), reports[engine].metadata, reports[engine].status)
        result["files"] += 1
        result["pages"] += pages_of(path)
        if outcome["pdfium"] == outcome["plumber"]:
            result["same"] += 1
        else:
            result["different"].append(path.name)
        status = outcome["pdfium"][3]
        result["statuses"][status] = result["statuses"].get(status, 0) + 1
        wrong = key_errors(path, reports["pdfium"])
        if wrong is not None:
            result["keyed"] += 1
            result["key_wrong"] += wrong
    pdf_reader.DEFAULT_ENGINE = "pdfium"
    result["totals"] = totals
    return result


def report_speed(result: dict, floor: float) -> None:
    """Print each engine's speed and the ratio."""
    files, pages = result["files"], result["pages"]
    totals = result["totals"]
    print(f"{'engine':<8} {'read ms/page':>12} {'read pages/s':>12} {'parse reports/s':>15} {'parse pages/s':>13}")
    for engine in ENGINES:
        read, parsed = totals[engine]["read"], totals[engine]["parse"]
        print(f"{engine:<8} {1000 * read / pages:>12.2f} {pages / read:>12.1f} {files / parsed:>15.1f} "
              f"{pages / parsed:>13.1f}   ({per_floor(pages / parsed, floor)} pages/s)")
    ratio_read = totals["plumber"]["read"] / totals["pdfium"]["read"]
    ratio_parse = totals["plumber"]["parse"] / totals["pdfium"]["parse"]
    print(f"pdfium / pdfplumber speed: reading {ratio_read:.1f}x, whole parse {ratio_parse:.1f}x")


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("files", nargs="*", type=Path)
    ap.add_argument("--generated", type=Path, help="a folder of generated PDFs (with truth/ answer keys)")
    ap.add_argument("--make", type=int, default=0, help="first generate this many PDFs into --generated")
    ap.add_argument("--limit", type=int, default=0, help="read at most this many generated PDFs")
    args = ap.parse_args()
    if args.make:
        if not args.generated:
            raise SystemExit("--make needs --generated DIR")
        make_pdfs(args.make, args.generated)
    floor = header()
    print(f"pdfium engine: character and path loops {loops_in_use()}")
    # the blank first page of LibreOffice's HTML PDFs warns once per read (OCR is off): not news here
    logging.getLogger("govreports.read.pdf").setLevel(logging.ERROR)
    groups = {"renderings": sorted(p for p in RENDERINGS.glob("*.pdf") if not p.name.startswith("encrypted")),
              "real": sorted(REAL.glob("*.pdf")) if REAL.is_dir() else [],
              "generated": sorted(args.generated.glob("*.pdf"))[:args.limit or None] if args.generated else [],
              "given": args.files}
    everything = {"files": 0, "pages": 0, "totals": {e: {"read": 0.0, "parse": 0.0} for e in ENGINES}}
    different = []
    for name, paths in groups.items():
        if not paths:
            continue
        with fewer_collections():  # as govreports parse and build run
            result = compare(paths)
        keys = f", {result['key_wrong']} cells off the answer keys in {result['keyed']} keyed files" if result["keyed"] else ""
        print(f"{name}: {result['files']} files, {result['pages']} pages; identical blocks, cells, metadata and "
              f"status in {result['same']}/{result['files']}; statuses {result['statuses']}{keys}")
        different += result["different"]
        everything["files"] += result["files"]
        everything["pages"] += result["pages"]
        for engine in ENGINES:
            for what in ("read", "parse"):
                everything["totals"][engine][what] += result["totals"][engine][what]
    print(f"all: {everything['files']} files, {everything['pages']} pages")
    report_speed(everything, floor)
    if different:
        print("DIFFERENT:", ", ".join(different))
        sys.exit(1)


if __name__ == "__main__":
    main()
