from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]

RAW = ROOT / "data" / "raw"
TRUTH = Path(__file__).resolve().parent / "truth"


@pytest.fixture
def raw_dir():
    return RAW


@pytest.fixture
def truth_dir():
    return TRUTH
