"""Print parse speed on text reports: reports per second on one core.

Usage: python benchmarks/bench_parse.py [--seconds N] [FILES...]
Defaults to the five seed reports in data/raw (not the real reports bundled beside them) plus synthetic renderings in six layouts, and
measures ``parse_document`` (everything after reading the file: layout, tables, repairs,
checks, metadata) plus, separately, ``parse`` from disk. The same reports are parsed again and
again, so the parser's caches of printed lines and labels are warm: for reports parsed once each,
as in a real corpus, see ``bench_corpus.py``.
"""

from __future__ import annotations

import argparse
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]

from common import header, per_floor, rate, seed_reports  # noqa: E402

from govreports.parse import parse, parse_document  # noqa: E402
from govreports.read import read_document  # noqa: E402


def synthetic_documents(tmp: Path) -> list:
    from govreports.synth import consistent_values, render

    paths = []
    for i, layout in enumerate(["lines", "pipes", "tabs", "markdown", "spaces", "vertical"]):
        for template in ("2021", "2019"):
            path = tmp / f"synth_{layout}_{template}.txt"
            path.write_text(render(consistent_values(template, seed=i), layout, template), encoding="utf-8")
            paths.append(path)
    return paths


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("files", nargs="*")
    ap.add_argument("--seconds", type=float, default=3.0)
    args = ap.parse_args()
    import tempfile

    with tempfile.TemporaryDirectory() as tmp:
        paths = [Path(f) for f in args.files] or seed_reports() + synthetic_documents(Path(tmp))
        documents = [read_document(p) for p in paths]
        floor = header()
        print(f"reports: {len(paths)} ({sum(len(d.text) for d in documents) // len(documents)} characters on average)")
        per_second = rate(parse_document, documents, args.seconds)
        print(f"parse_document (in memory, caches warm): {per_second:,.0f} reports/s on one core "
              f"({1000 / per_second:.2f} ms/report; {per_floor(per_second, floor)})")
        per_second = rate(parse, paths, args.seconds)
        print(f"parse (from disk, caches warm):          {per_second:,.0f} reports/s on one core "
              f"({1000 / per_second:.2f} ms/report; {per_floor(per_second, floor)})")


if __name__ == "__main__":
    main()
