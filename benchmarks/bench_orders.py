"""Table 3 printed in other value orders: how often the identities place it, and never wrongly.

Usage: python benchmarks/bench_orders.py [--n 300] [--anomaly-rate 0.0] [--seed 1]

Each synthetic report (realistic values from the generator) is printed one cell per line with
table 3's rows cut into random blocks (1, 2, 3, 5 or 9 rows); a block of two or more rows is
printed column by column with probability 0.7, its labels after its figures or not at all
(as plain ``pdftotext`` does). Prints table 3's cells right / wrong / lost, the wrong cells in
reports called valid (silent), and the reports read by a value order.
"""

from __future__ import annotations

import argparse
import random
import time

from govreports import parse_text
from govreports.synth import generate_report, render_rows, table_rows

BLOCK_SIZES = (1, 1, 2, 3, 5, 9)
COLUMN_SHARE = 0.7
WIDTH = 7


def _is_value(cell: str) -> bool:
    return cell.replace(".", "").isdigit() or cell == "/"


def scramble(rows: list, rng: random.Random) -> list:
    """Return the printed rows with table 3's rows in random blocks, some printed down the columns."""
    table3 = [i for i, row in enumerate(rows) if sum(map(_is_value, row)) == WIDTH]
    out, index = rows[:table3[0]], 0
    while index < len(table3):
        block = table3[index:index + rng.choice(BLOCK_SIZES)]
        if len(block) > 1 and rng.random() < COLUMN_SHARE:
            values = [[c for c in rows[j] if _is_value(c)] for j in block]
            out.append([values[r][c] for c in range(WIDTH) for r in range(len(block))])
            if rng.random() < 0.5:
                out.extend([c for c in rows[j] if not _is_value(c)] for j in block)
        else:
            out.extend(rows[j] for j in block)
        index += len(block)
    return out + rows[table3[-1] + 1:]


def main() -> None:
    from common import header  # the machine, the commit and the reading floor of this run

    header()
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--n", type=int, default=300)
    ap.add_argument("--anomaly-rate", type=float, default=0.0)
    ap.add_argument("--seed", type=int, default=1)
    args = ap.parse_args()
    rng = random.Random(args.seed)
    stats = dict.fromkeys(("right", "wrong", "lost", "silent", "ordered"), 0)
    start = time.perf_counter()
    for index in range(args.n):
        report = generate_report(index, 2020 if index % 2 else 2023, anomaly_rate=args.anomaly_rate)
        printed = {c: v or 0 for c, v in report.values.items()}
        values = {c: v for c, v in printed.items() if c.startswith("table3.")}
        parsed = parse_text(render_rows(scramble(table_rows(printed, report.template), rng), "lines"))
        stats["ordered"] += any(r.kind == "value_order" for r in parsed.repairs)
        got = parsed.values()
        for code, want in values.items():
            if got.get(code) is None:
                stats["lost"] += 1
            elif got[code] == want:
                stats["right"] += 1
            else:
                stats["wrong"] += 1
                stats["silent"] += parsed.status == "valid"
    elapsed = time.perf_counter() - start
    print(f"reports {args.n} (anomaly rate {args.anomaly_rate}): table 3 cells right {stats['right']}, "
          f"wrong {stats['wrong']} (silent {stats['silent']}), lost {stats['lost']}; "
          f"read by a value order {stats['ordered']}; {args.n / elapsed:.0f} reports/s")


if __name__ == "__main__":
    main()
