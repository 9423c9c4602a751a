"""Check what a report's text states against its tables (e.g. "共收到申请71件" vs 表三).

The narrative is free text, so these checks are evidence, not verdicts: they never change a
report's status. A stated number of applications received passes when it equals 表三's new
applications (一、本年新收), or new plus carried over (some reports count both).
"""

from __future__ import annotations

import re
from functools import lru_cache

from govreports.records import Check
from govreports.template.terms import NARRATIVE_PATTERNS

RECEIVED = ("table3.new_received.total",)
RECEIVED_WITH_CARRIED = ("table3.new_received.total", "table3.carried_over.total")


@lru_cache(maxsize=1)
def _patterns() -> dict:
    return {key: tuple(re.compile(p) for p in patterns) for key, patterns in NARRATIVE_PATTERNS.items()}


def stated_figures(text: str, key: str) -> list:
    """Return the numbers the text states for ``key`` (e.g. ``applications_received``), in order."""
    found = {}  # position of the number in the text -> number (patterns may find the same one)
    for pattern in _patterns()[key]:
        for match in pattern.finditer(text):
            found[match.start(1)] = int(match.group(1))
    return [found[position] for position in sorted(found)]


def narrative_checks(text: str, values: dict) -> tuple:
    """Return checks of the text's stated figures against ``values`` ({code: number or None})."""
    stated = stated_figures(text, "applications_received")
    if not stated or values.get(RECEIVED[0]) is None:
        return ()
    figure = stated[0]
    received = values[RECEIVED[0]]
    with_carried = received + (values.get(RECEIVED_WITH_CARRIED[1]) or 0)
    passed = figure in (received, with_carried)
    rhs = RECEIVED if figure == received or not passed else RECEIVED_WITH_CARRIED
    rhs_value = received if rhs == RECEIVED else with_carried
    return (Check("narrative.applications_received", "text", ("stated_in_text",), rhs, figure, rhs_value, passed),)
