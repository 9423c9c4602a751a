"""Compare the parser's cost at two commits in instructions (valgrind's callgrind), not seconds.

Instruction counts are repeatable whatever else the machine is doing, so commits can be compared
on a loaded or noisy machine. For each commit, the workload (``callgrind_workload.py``: the seed
reports and twelve synthetic renderings, parsed with ``parse_document``) runs twice under
callgrind, with 0 and with N passes after a warm-up; the difference is the cost of N passes.

    python benchmarks/bench_callgrind.py BASE_COMMIT OTHER_COMMIT [--passes 10]

Needs valgrind (Debian's package) and git; each commit is checked out in a temporary worktree,
its package (and tests) compiled to bytecode first (else the first run's count holds the compilation of every
module and the difference is not the passes' cost) and every run has the same hash seed. The
four runs go in parallel (their counts do not depend on it).
"""

from __future__ import annotations

import argparse
import re
import subprocess
import sys
import tempfile
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
WORKLOAD = Path(__file__).resolve().parent / "callgrind_workload.py"


def instructions(tree: Path, passes: int) -> int:
    """Return the instructions callgrind counts for the workload with ``passes`` passes in ``tree``."""
    with tempfile.TemporaryDirectory() as out:
        result = subprocess.run(
            ["valgrind", "--tool=callgrind", f"--callgrind-out-file={out}/cg.out", sys.executable, str(WORKLOAD),
             str(passes)], cwd=tree, env={"PYTHONPATH": str(tree), "PATH": "/usr/bin:/bin", "PYTHONHASHSEED": "0"},
            capture_output=True, text=True, check=True)
    return int(re.search(r"Collected : (\d+)", result.stderr).group(1))


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("commits", nargs=2)
    ap.add_argument("--passes", type=int, default=10)
    args = ap.parse_args()
    costs = {}
    with tempfile.TemporaryDirectory() as tmp:
        trees = {commit: Path(tmp) / f"tree{index}" for index, commit in enumerate(args.commits)}
        for commit, tree in trees.items():
            subprocess.run(["git", "worktree", "add", "-q", "--detach", str(tree), commit], cwd=ROOT, check=True)
            subprocess.run([sys.executable, "-m", "compileall", "-q", "govreports", "tests"], cwd=tree, check=True,
                           capture_output=True)
        try:
            with ThreadPoolExecutor(4) as pool:
                runs = {(c, n): pool.submit(instructions, tree, n) for c, tree in trees.items() for n in (args.passes, 0)}
                for commit in args.commits:
                    costs[commit] = runs[commit, args.passes].result() - runs[commit, 0].result()
        finally:
            for tree in trees.values():
                subprocess.run(["git", "worktree", "remove", "--force", str(tree)], cwd=ROOT, check=True)
    for commit in args.commits:
        print(f"{commit}: {costs[commit]:,} instructions for {args.passes} passes")
    base, other = args.commits
    print(f"{other} / {base}: {costs[other] / costs[base]:.3f}")


if __name__ == "__main__":
    main()
