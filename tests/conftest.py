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


@pytest.fixture(scope="session")
def bundled(tmp_path_factory):
    """The processed dataset built from the bundled data/raw, once per session (read by the notebook tests).

    Here rather than in a tests/integration/conftest.py: a second module named conftest there
    shadowed this one for the test modules that import RAW, SEEDS and TRUTH from it.
    """
    from govreports.build import build_dataset

    out = tmp_path_factory.mktemp("bundled") / "processed"
    build_dataset(RAW, out, workers=1)
    return out
