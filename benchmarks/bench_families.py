"""Print cells right / wrong / silent / missed per layout family, on variants of the real reports.

Usage: python benchmarks/bench_families.py [--out DIR] [--score-only DIR] [--soffice N] [--synth N]

The development set (``tests/real``: seven real files, hand-read keys) is what the parser was
tuned on; a real corpus holds the same families printed by other tools. This script writes, with
answer keys, what another agency or converter makes of the same kind of page, then scores them
(the rules of ``score_truth.py``: a cell keyed blank must come out null; *silent* = a wrong cell
in a report called ``valid``):

* **crawler** (pingtan-zone 2019, 2022): as stored; without the crawler's header; the title line
  alone; the body broken over lines where its spaces were; at every 。; CRLF line ends.
* **pdftotext** (hongze 2024): ``pdftotext`` plain, ``-layout`` and ``-raw`` of the real PDF;
  **pdf text libraries**: its text as pdfminer, pdfplumber and pdfium extract it.
* **html 2019** (shanghai-gov-office): the HTML; its text as a browser copies it (tab-separated
  rows, spanned cells printed once).
* **markdown / OCR markdown** (kewei, shuyang; hongze's text too): full-width digits, every 0 of a
  pipe table printed ``—`` or ``无`` (keys then hold only the non-zero cells), section numbers
  dropped; hongze's 表二 amount printed in 元 under a 元 header (the key stays in 万元).
* **synthetic**: ``--synth N`` reports per layout of the generator (``browser_tabs``, ``pdftotext``,
  ``run_together``, ``tabs_ocr``, ``markdown``, ``docx``), realistic figures, their own keys.
* **word pdf** (``--soffice N``, needs LibreOffice): N synthetic ``.docx`` reports converted to
  PDF by LibreOffice, read as PDF, through ``pdftotext`` plain and ``-layout``, and the libraries.

``--out DIR`` keeps the variants (``DIR/raw``, ``DIR/truth``); ``--score-only DIR`` scores a folder
written before, so that another checkout (``PYTHONPATH=...``) is scored on the same files.
"""

from __future__ import annotations

import argparse
import json
import math
import re
import shutil
import subprocess
import tempfile
from pathlib import Path

from govreports.synth.printed import browser_copy

ROOT = Path(__file__).resolve().parents[1]
REAL = ROOT / "tests" / "real"
FULL_WIDTH = str.maketrans("0123456789", "０１２３４５６７８９")
META = ("year", "template", "agency", "province", "prefecture", "county", "adcode", "level", "kind")
SYNTH_LAYOUTS = ("browser_tabs", "pdftotext", "run_together", "tabs_ocr", "markdown", "docx")


def _key(name: str) -> dict:
    return json.loads((REAL / "truth" / name).read_text(encoding="utf-8"))


def _emit(out: Path, family: str, name: str, data, key: dict, **changes) -> None:
    """Write one variant and its key (the real key with ``file``, ``family`` and ``changes``)."""
    path = out / "raw" / name
    if isinstance(data, bytes):
        path.write_bytes(data)
    else:
        path.write_text(data, encoding="utf-8")
    key = {**key, "file": name, "family": family, **changes}
    (out / "truth" / f"{name}.json").write_text(json.dumps(key, ensure_ascii=False), encoding="utf-8")


def crawler_variants(out: Path) -> None:
    """The crawler's text as stored, without its header, and broken over lines."""
    separator = "=" * 20
    for year in (2019, 2022):
        name = f"pingtan-zone_{year}.txt"
        key, text = _key(f"pingtan-zone_{year}.json"), (REAL / "raw" / name).read_text(encoding="utf-8")
        head, body = text.split("\n", 1)[0], text.split(separator + "\n", 1)[1] if separator in text else text
        title = head.split(":", 1)[-1].strip()
        stem = f"crawler_{year}"
        _emit(out, "crawler", f"{stem}.txt", text, key)
        _emit(out, "crawler", f"{stem}_no_header.txt", body, key)
        _emit(out, "crawler", f"{stem}_title_only.txt", title + "\n" + body, key)
        _emit(out, "crawler", f"{stem}_split_at_spaces.txt", text.replace(" ", "\n"), key)
        _emit(out, "crawler", f"{stem}_split_at_stops.txt", text.replace("\u3002", "\u3002\n"), key)
        _emit(out, "crawler", f"{stem}_crlf.txt", text.replace("\n", "\r\n"), key)


def pdftotext_variants(out: Path) -> None:
    """The real PDF through pdftotext in its three modes (skipped without poppler)."""
    pdf, key = REAL / "raw" / "hongze-district_2024.pdf", _key("hongze-district_2024.json")
    _emit(out, "pdftotext", "hongze.txt", (REAL / "raw" / "hongze-district_2024.txt").read_text(encoding="utf-8"), key)
    _emit(out, "pdftotext", "hongze.pdf", pdf.read_bytes(), key)
    if shutil.which("pdftotext") is None:
        return
    for mode in ("", "-layout", "-raw"):
        text = subprocess.run(["pdftotext", *([mode] if mode else []), str(pdf), "-"], capture_output=True,
                              check=True).stdout.decode("utf-8")
        _emit(out, "pdftotext", f"hongze_pdftotext{mode or '_plain'}.txt", text, key)
    text = (REAL / "raw" / "hongze-district_2024.txt").read_text(encoding="utf-8")
    unit = "\uff08\u5355\u4f4d\uff1a"  # (单位：
    yuan = text.replace(unit + "\u4e07\u5143", unit + "\u5143").replace("\n7545\n", "\n75450000\n")
    _emit(out, "pdftotext", "hongze_amount_in_yuan.txt", yuan, key)


def pdf_library_texts(pdf: Path) -> dict:
    """Return ``{tool: text}`` of a PDF as Python PDF libraries extract it (those installed)."""
    texts = {}
    try:
        from pdfminer.high_level import extract_text

        texts["pdfminer"] = extract_text(str(pdf))
    except ImportError:
        pass
    try:
        import pdfplumber

        with pdfplumber.open(str(pdf)) as document:
            texts["pdfplumber"] = "\n".join(page.extract_text() or "" for page in document.pages)
    except ImportError:
        pass
    import pypdfium2

    document = pypdfium2.PdfDocument(str(pdf))
    texts["pdfium"] = "\n".join(document[i].get_textpage().get_text_range() for i in range(len(document)))
    return texts


def pdf_library_variants(out: Path) -> None:
    """The real PDF's text as pdfminer, pdfplumber and pdfium extract it."""
    key = _key("hongze-district_2024.json")
    for tool, text in pdf_library_texts(REAL / "raw" / "hongze-district_2024.pdf").items():
        _emit(out, "pdf text libraries", f"hongze_{tool}.txt", text, key)


def html_variants(out: Path) -> None:
    """The 2019 HTML report, and its text copied from a browser."""
    name, key = "shanghai-gov-office_2019.html", _key("shanghai-gov-office_2019.json")
    _emit(out, "html 2019", "sgo.html", (REAL / "raw" / name).read_bytes(), key)
    _emit(out, "html 2019", "sgo_browser_copy.txt", browser_copy(REAL / "raw" / name), key)


def _zeros_as(text: str, mark: str) -> str:
    """Print every 0 of a pipe table as ``mark`` (a dash, 无)."""
    for _ in range(2):  # adjacent cells: each pass replaces every other one
        text = re.sub(r"\|(\s*)0(\s*)(?=\|)", lambda m: f"|{m.group(1)}{mark}{m.group(2)}", text)
    return text


def markdown_variants(out: Path) -> None:
    """Full-width digits, zeros printed as dashes, section numbers dropped."""
    files = (("markdown", "shanghai-kewei_2024.md"), ("ocr markdown", "shuyang-county_2025.txt"),
             ("pdftotext", "hongze-district_2024.txt"))
    for family, name in files:
        key, text = _key(Path(name).stem + ".json"), (REAL / "raw" / name).read_text(encoding="utf-8")
        stem, suffix = Path(name).stem.split("_")[0], Path(name).suffix
        _emit(out, family, f"{stem}{suffix}", text, key)
        _emit(out, family, f"{stem}_full_width{suffix}", text.translate(FULL_WIDTH), key)
        _emit(out, family, f"{stem}_unnumbered{suffix}",
              re.sub(r"^(#*\s*)[\u4e00\u4e8c\u4e09\u56db\u4e94\u516d]\u3001", r"\1", text, flags=re.M), key)
        cells = {code: value for code, value in key["cells"].items() if value}
        for mark, label in (("\u2014", "dash"), ("\u65e0", "none")):
            marked = _zeros_as(text, mark)
            if marked != text:
                _emit(out, family, f"{stem}_zero_as_{label}{suffix}", marked, key, cells=cells, blank=[])


def synthetic_variants(out: Path, n: int) -> None:
    """``n`` generated reports per layout, with the generator's own keys."""
    from govreports.synth import answer_key, generate_report, render_report
    from govreports.synth.layouts import LAYOUTS

    for layout in SYNTH_LAYOUTS:
        for index in range(n):
            report = generate_report(index, "bench-families", layouts=(layout,), anomaly_rate=0)
            name = f"synth_{layout}_{index:03d}{LAYOUTS[layout]}"
            _emit(out, f"synthetic {layout}", name, render_report(report), answer_key(report, name))


def word_pdf_variants(out: Path, n: int) -> None:
    """``n`` synthetic Word reports made PDF by LibreOffice: the PDF, pdftotext plain and -layout."""
    from govreports.synth import answer_key, generate_report, render_report

    with tempfile.TemporaryDirectory() as tmp:
        docs = []
        for index in range(n):
            report = generate_report(index, "bench-families-word", layouts=("docx",), anomaly_rate=0)
            path = Path(tmp) / f"word_{index:03d}.docx"
            path.write_bytes(render_report(report))
            docs.append((path, report))
        subprocess.run(["soffice", "--headless", "--convert-to", "pdf", "--outdir", tmp, *(str(p) for p, _ in docs)],
                       capture_output=True, timeout=600, check=True)
        for path, report in docs:
            pdf = path.with_suffix(".pdf")
            _emit(out, "word pdf", pdf.name, pdf.read_bytes(), answer_key(report, pdf.name))
            for tool, text in pdf_library_texts(pdf).items():
                name = f"{path.stem}_{tool}.txt"
                _emit(out, f"word pdf via {tool}", name, text, answer_key(report, name))
            for mode in ("", "-layout"):
                text = subprocess.run(["pdftotext", *([mode] if mode else []), str(pdf), "-"], capture_output=True,
                                      check=True).stdout.decode("utf-8")
                name = f"{path.stem}_pdftotext{mode or '_plain'}.txt"
                _emit(out, f"word pdf via pdftotext{mode or ' plain'}", name, text, answer_key(report, name))


def _same(a, b) -> bool:
    return math.isclose(float(a), float(b), rel_tol=1e-9, abs_tol=1e-6)


def score_file(key: dict, path: Path) -> dict:
    """Return right / wrong / silent / missed cells of one variant (the scorer's rules)."""
    from govreports import parse

    report = parse(path)
    values = report.values()
    tally = dict(right=0, wrong=0, silent=0, missed=0)
    for code, want in key["cells"].items():
        got = values.get(code)
        outcome = "missed" if got is None else "right" if _same(got, want) else "wrong"
        tally[outcome] += 1
    for code in key.get("blank", []):
        tally["right" if values.get(code) is None else "wrong"] += 1
    if report.status == "valid":
        tally["silent"] = tally["wrong"]
    tally["metadata"] = sum(_meta_right(report.to_dict(), key, field) for field in META)
    return tally


def _meta_right(report: dict, key: dict, field: str) -> bool:
    got = report.get(field, (report.get("region") or {}).get(field))
    accepted = [key.get(field), *key.get(field + "_accept", [])]
    return str(got) == str(key.get(field)) if field == "year" else got in accepted


def score(folder: Path) -> dict:
    """Score every variant of ``folder``; return ``{family: tally}`` (``reports`` counted too)."""
    families: dict = {}
    for key_path in sorted((folder / "truth").glob("*.json")):
        key = json.loads(key_path.read_text(encoding="utf-8"))
        tally = score_file(key, folder / "raw" / key["file"])
        total = families.setdefault(key["family"], dict(reports=0, right=0, wrong=0, silent=0, missed=0,
                                                                   metadata=0))
        total["reports"] += 1
        for field, count in tally.items():
            total[field] += count
        if tally["wrong"] or tally["missed"] or tally["metadata"] < len(META):
            print(f"  {key['file']}: right {tally['right']}, wrong {tally['wrong']} (silent {tally['silent']}), "
                  f"missed {tally['missed']}, metadata {tally['metadata']}/{len(META)}")
    return families


def print_table(families: dict) -> None:
    """Print one row per family and a total."""
    print("| family | reports | cells | right | wrong | silent | missed | metadata |")
    print("|---|---|---|---|---|---|---|---|")
    total = dict(reports=0, right=0, wrong=0, silent=0, missed=0, metadata=0)
    for family, t in sorted(families.items()):
        cells = t["right"] + t["wrong"] + t["missed"]
        print(f"| {family} | {t['reports']} | {cells:,} | {t['right']:,} | {t['wrong']} | {t['silent']} | "
              f"{t['missed']:,} | {t['metadata']}/{t['reports'] * len(META)} |")
        for field in total:
            total[field] += t[field]
    cells = total["right"] + total["wrong"] + total["missed"]
    print(f"| **all** | {total['reports']} | {cells:,} | {total['right']:,} | {total['wrong']} | {total['silent']} | "
          f"{total['missed']:,} | {total['metadata']}/{total['reports'] * len(META)} |")


def build(out: Path, synth: int, soffice: int) -> None:
    """Write every variant and its key under ``out``."""
    (out / "raw").mkdir(parents=True, exist_ok=True)
    (out / "truth").mkdir(parents=True, exist_ok=True)
    crawler_variants(out)
    pdftotext_variants(out)
    pdf_library_variants(out)
    html_variants(out)
    markdown_variants(out)
    if synth:
        synthetic_variants(out, synth)
    if soffice and shutil.which("soffice") and shutil.which("pdftotext"):
        word_pdf_variants(out, soffice)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--out", type=Path, help="keep the variants in this folder")
    ap.add_argument("--score-only", type=Path, help="score a folder written by --out before")
    ap.add_argument("--synth", type=int, default=10, help="synthetic reports per layout")
    ap.add_argument("--soffice", type=int, default=0, help="synthetic Word reports made PDF by LibreOffice")
    args = ap.parse_args()
    from common import commit_line

    import govreports

    print(commit_line())
    print(f"govreports imported from {Path(govreports.__file__).parent}")
    if args.score_only:
        print_table(score(args.score_only))
        return
    with tempfile.TemporaryDirectory() as tmp:
        out = args.out or Path(tmp)
        build(out, args.synth, args.soffice)
        print_table(score(out))


if __name__ == "__main__":
    main()
