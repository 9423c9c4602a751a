import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(Path(__file__).resolve().parent))

RAW = ROOT / "data" / "raw"
TRUTH = Path(__file__).resolve().parent / "truth"


@pytest.fixture
def raw_dir():
    return RAW


@pytest.fixture
def truth_dir():
    return TRUTH
