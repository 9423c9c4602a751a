"""Fixtures shared by the integration tests: the bundled corpus is built once per session."""

from pathlib import Path

import pytest

from govreports.build import build_dataset

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture(scope="session")
def bundled(tmp_path_factory):
    """The processed dataset built from the bundled data/raw (read by the notebook tests)."""
    out = tmp_path_factory.mktemp("bundled") / "processed"
    build_dataset(ROOT / "data" / "raw", out, workers=1)
    return out
