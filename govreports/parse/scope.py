"""A report's scope: the agency's own work (``agency``) or a summary of a jurisdiction (``jurisdiction``).

A jurisdiction-wide report (a 汇总 report) adds up the work of many agencies, so its figures must
never be added to its members'. The rule is conservative; the first that applies decides:

1. ``jurisdiction`` when the report says so: the title names a place alone, not an agency
   (葫芦岛市连山区, 平潭综合实验区; not for a township, whose report is its own), or the narrative
   says the report was compiled from its members' work or reports (汇总…各有关单位…编制), or
   states the whole place's applications as one figure (全区收到政府信息公开申请75件);
   unless the narrative also states the agency's own applications (本机关共收到…申请), when the
   two contradict each other and the scope is ``unknown``;
2. ``agency`` when the narrative states the agency's own applications, or the report is a
   department's (the regulation, 条例 第四十九条, has each department report its own work);
3. else ``unknown``: a people's government's report may be either, and nothing is guessed.

Document titles (《…》) are cut from the text first: a notice about compiling reports says
nothing about this one.
"""

from __future__ import annotations

import re
from functools import lru_cache

from govreports.template import metadata_terms, scope_terms
from govreports.template.vocabulary import Scope


@lru_cache(maxsize=1)
def _patterns() -> dict:
    """Compile the vocabulary's patterns once."""
    return {
        # One pattern each: a pattern starting with a literal is searched fast (joined by "|"
        # the engine tries every position, ten times slower).
        "compiled": tuple(re.compile(source) for source in scope_terms.COMPILED_FROM_MEMBERS),
        "figure": re.compile(scope_terms.FIGURE_STATED),
        "whole": re.compile(scope_terms.WHOLE_PLACE_BEFORE),
        "own": re.compile(scope_terms.OWN_BEFORE),
        "document": re.compile(scope_terms.DOCUMENT_TITLE),
        "zone": re.compile(scope_terms.ZONE_ALONE),
    }


def report_scope(text: str, printed: str | None, agency: str | None, level: str | None,
                 kind: str | None) -> str:
    """Return the report's scope (:class:`~govreports.template.vocabulary.Scope` value) by the rule above.

    Args:
        text: the whole report, NFKC-normalised and simplified.
        printed: the agency's name as the title prints it (``agency_printed``).
        agency: the full name the metadata settled on (a place named alone becomes its government).
        level: the agency's level (a township's title naming its town alone is not a summary).
        kind: ``government`` or ``department``.
    """
    patterns = _patterns()
    body = patterns["document"].sub("", text) if "《" in text else text
    whole, own = _who_received(body)
    summary = names_a_place_alone(printed, agency, level) or whole or _compiled_from_members(body)
    if summary:
        return Scope.UNKNOWN.value if own else Scope.JURISDICTION.value
    if own or kind == "department":
        return Scope.AGENCY.value
    return Scope.UNKNOWN.value


def _who_received(body: str) -> tuple:
    """Return ``(whole place, own)``: whether a stated applications figure is the place's, the agency's."""
    patterns = _patterns()
    whole = own = False
    # str.find walks the text in C; the regex only runs where the word is (a few dozen places).
    at = body.find(scope_terms.APPLICATION)
    while at != -1:
        if patterns["figure"].match(body, at):
            before = body[max(0, at - scope_terms.STATED_WINDOW):at]
            whole = whole or patterns["whole"].search(before) is not None
            own = own or patterns["own"].search(before) is not None
        at = body.find(scope_terms.APPLICATION, at + 1)
    return whole, own


def _compiled_from_members(body: str) -> bool:
    """Return whether the narrative says the report was compiled from its members' work or reports."""
    if scope_terms.COMPILED not in body and scope_terms.COMPILING not in body:
        return False  # both patterns need one of the two words: skip the slower searches
    return any(pattern.search(body) for pattern in _patterns()["compiled"])


def names_a_place_alone(printed: str | None, agency: str | None, level: str | None) -> bool:
    """Return whether the title names a place alone (葫芦岛市连山区, 平潭综合实验区), not one of its agencies.

    The metadata completes a place named alone with its government (葫芦岛市连山区 ->
    葫芦岛市连山区人民政府); a development zone named alone is left as printed. A township's
    title naming its town is its government's own report.
    """
    if not printed or not agency or level == "township":
        return False
    completions = (printed + metadata_terms.GOVERNMENT, printed + metadata_terms.SUBDISTRICT_OFFICE)
    return agency in completions or (agency == printed and _patterns()["zone"].match(printed) is not None)
