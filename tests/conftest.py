import json
import shutil
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]

RAW = ROOT / "data" / "raw"
TRUTH = Path(__file__).resolve().parent / "truth"
# The five seed reports of data/raw (those with an answer key in tests/truth); data/raw also bundles
# the real reports of tests/real, which the tests of the build's mechanics leave out.
SEEDS = tuple(RAW / json.loads(p.read_text(encoding="utf-8"))["file"] for p in sorted(TRUTH.glob("*.json")))


def copy_seeds(folder: Path) -> Path:
    """Copy the five seed reports and data/raw/SOURCES.csv into ``folder`` (made); return it."""
    folder.mkdir(parents=True)
    for path in SEEDS + (RAW / "SOURCES.csv",):
        shutil.copy(path, folder / path.name)
    return folder


@pytest.fixture
def raw_dir():
    return RAW


@pytest.fixture
def truth_dir():
    return TRUTH
