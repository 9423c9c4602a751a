"""Build govreports/template/stroke_orders.csv: the stroke order of common characters.

The metadata stage corrects an OCR-misread place name only to a real division name one stroke
away (沐阳县 -> 沭阳县). The stroke orders come from the ``char-similar`` package's
``char_order.dict`` (Apache-2.0; strokes coded 1 横, 2 竖, 3 撇, 4 点, 5 折). The package itself is
not a dependency (it pins old versions of tqdm and others): only its data is taken, for the
6,763 characters of GB 2312 and every character of cpca's division names.

Usage (from the repository root)::

    pip download --no-deps -d /tmp/cs char-similar==0.0.2
    .venv/bin/python tests/data/strokes/make_stroke_orders.py /tmp/cs/char_similar-0.0.2-py2.py3-none-any.whl
"""

import csv
import io
import json
import sys
import zipfile
from importlib import resources
from pathlib import Path

OUT = Path(__file__).resolve().parents[3] / "govreports" / "template" / "stroke_orders.csv"


def gb2312_chars() -> list:
    """Every character of GB 2312 (levels 1 and 2), in code order."""
    chars = []
    for high in range(0xB0, 0xF8):
        for low in range(0xA1, 0xFF):
            try:
                chars.append(bytes([high, low]).decode("gb2312"))
            except UnicodeDecodeError:
                pass
    return chars


def division_chars() -> set:
    """Every character of the division names cpca ships."""
    raw = resources.files("cpca.resources").joinpath("adcodes.csv").read_text(encoding="utf-8")
    return set("".join(row["name"] for row in csv.DictReader(io.StringIO(raw))))


def main(wheel: str) -> None:
    """Write the CSV from the char-similar wheel at ``wheel``."""
    with zipfile.ZipFile(wheel) as archive:
        orders = json.loads(archive.read("char_similar/data/char_order.dict").decode("utf-8"))
    chars = gb2312_chars()
    chars += sorted(division_chars() - set(chars))
    with OUT.open("w", encoding="utf-8", newline="") as out:
        writer = csv.writer(out, lineterminator="\n")
        writer.writerow(["char", "strokes"])
        for char in chars:
            if char in orders:
                writer.writerow([char, orders[char]])


if __name__ == "__main__":
    main(sys.argv[1])
