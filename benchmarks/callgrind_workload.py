"""The parse workload bench_callgrind.py measures: N passes of parse_document over fixed reports.

Runs at any commit since the first release: it finds the reader and the synthetic renderer under
either the package layout by stage or the earlier flat one.

    python benchmarks/callgrind_workload.py N     (from the root of the checkout to measure)
"""

import sys
import tempfile
from pathlib import Path

ROOT = Path.cwd()
LAYOUTS = ("lines", "pipes", "tabs", "markdown", "spaces", "vertical")


def imports() -> tuple:
    """Return ``(parse_document, read_document, consistent_values, render)`` of the checkout."""
    from govreports.parse import parse_document

    try:
        from govreports.read import read_document
    except ImportError:
        from govreports.sources import read_document
    try:
        from govreports.synth import consistent_values, render
    except ImportError:
        sys.path.insert(0, str(ROOT / "tests"))
        from synth import consistent_values, render
    return parse_document, read_document, consistent_values, render


def main() -> None:
    passes = int(sys.argv[1])
    parse_document, read_document, consistent_values, render = imports()
    tmp = Path(tempfile.mkdtemp())
    paths = sorted((ROOT / "data" / "raw").glob("00*.txt"))
    for seed, layout in enumerate(LAYOUTS):
        for template in ("2021", "2019"):
            path = tmp / f"s_{layout}_{template}.txt"
            path.write_text(render(consistent_values(template, seed=seed), layout, template), encoding="utf-8")
            paths.append(path)
    documents = [read_document(p) for p in paths]
    for document in documents:  # warm-up: imports, caches
        parse_document(document)
    for _ in range(passes):
        for document in documents:
            parse_document(document)


if __name__ == "__main__":
    main()
