"""Arbitrary bytes and mangled real reports never raise: every input ends in a status with a reason."""

from pathlib import Path

from conftest import SEEDS
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from govreports import parse, parse_text

SEEDS = [p.read_text(encoding="utf-8") for p in SEEDS]
STATUSES = {"valid", "repaired", "invalid", "failed"}
FAST = settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])


def assert_well_formed(report):
    assert report.status in STATUSES
    if report.status == "failed":
        assert report.errors and report.errors[0].message
    if report.status == "valid":
        assert all(c.passed for c in report.checks)
    if report.status == "invalid":
        assert any(c.passed is not True for c in report.checks)


@FAST
@given(data=st.binary(max_size=4000))
def test_arbitrary_bytes(tmp_path_factory, data):
    path = Path(tmp_path_factory.mktemp("fuzz")) / "report.txt"
    path.write_bytes(data)
    assert_well_formed(parse(path))


@FAST
@given(seed=st.sampled_from(SEEDS), cuts=st.lists(st.tuples(st.integers(0, 10_000), st.integers(0, 40)), max_size=8),
       noise=st.text(max_size=40))
def test_mangled_reports(seed, cuts, noise):
    text = seed
    for start, length in cuts:
        start %= max(len(text), 1)
        text = text[:start] + noise + text[start + length:]
    assert_well_formed(parse_text(text))


@settings(max_examples=20, deadline=None)  # shuffled tables are the parser's slowest case (up to ~0.3 s each)
@given(seed=st.sampled_from(SEEDS), order=st.randoms(use_true_random=False))
def test_shuffled_lines(seed, order):
    lines = seed.splitlines()
    order.shuffle(lines)
    assert_well_formed(parse_text("\n".join(lines)))
