"""Print parse speed per input format: reports per second (and pages per second for PDF).

Usage: python benchmarks/bench_formats.py [--seconds N]

Measures ``govreports.parse`` from disk (reading the file is where the formats differ) and,
separately, ``read_document`` alone, on one core, over the committed fixtures: the seed text
reports in data/raw and the renderings in tests/data/renderings (HTML, .docx, PDF).
"""

from __future__ import annotations

import argparse
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]

from common import machine_line, rate, seed_reports  # noqa: E402

from govreports.parse import parse  # noqa: E402
from govreports.read import read_document  # noqa: E402

RENDERINGS = ROOT / "tests" / "data" / "renderings"
FORMATS = {
    "text": seed_reports(),
    "html": sorted(RENDERINGS.glob("*.htm*")),
    "docx": sorted(RENDERINGS.glob("*.docx")),
    "pdf": sorted(p for p in RENDERINGS.glob("*.pdf") if not p.name.startswith("encrypted")),
}


def pdf_pages(paths: list) -> int:
    import pdfplumber

    total = 0
    for path in paths:
        with pdfplumber.open(path) as pdf:
            total += len(pdf.pages)
    return total


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--seconds", type=float, default=3.0)
    args = ap.parse_args()
    print(machine_line())
    print(f"{'format':<6} {'files':>5} {'KB/file':>8} {'parse reports/s':>16} {'ms/report':>10} {'read_document/s':>16}  extra")
    for fmt, paths in FORMATS.items():
        statuses = {p.name: parse(p).status for p in paths}
        size = sum(p.stat().st_size for p in paths) / len(paths) / 1024
        per_second = rate(parse, paths, args.seconds)
        reads = rate(read_document, paths, args.seconds)
        extra = ""
        if fmt == "pdf":
            pages = pdf_pages(paths)
            extra = f"{pages / len(paths):.1f} pages/report, {per_second * pages / len(paths):,.1f} pages/s"
        print(f"{fmt:<6} {len(paths):>5} {size:>8.1f} {per_second:>16,.1f} {1000 / per_second:>10.2f} {reads:>16,.1f}  {extra}")
        failed = [name for name, status in statuses.items() if status == "failed"]
        if failed:
            print(f"       (failed to parse: {', '.join(failed)})")


if __name__ == "__main__":
    main()
