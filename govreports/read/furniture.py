"""Page furniture converters leave in a report's text: page numbers and page markers.

Used by the PDF reader (to drop running footers) and by the layout stage (to drop the markers
PDF-to-text converters print between pages).
"""

from __future__ import annotations

import re

from govreports.template.terms import PAGE_MARKER_PATTERNS

_PAGE_MARKER = re.compile("|".join(f"(?:{p})" for p in PAGE_MARKER_PATTERNS), re.IGNORECASE)


def is_page_marker(line: str) -> bool:
    """Return True for page furniture such as ``— 3 —``, ``- 4 -`` or ``第3页 共10页``."""
    stripped = line.strip()
    # Most short lines are single values ("0", "12"), never page markers: skip the regex for them.
    if not stripped or len(stripped) > 20 or stripped.isdigit():
        return False
    return _PAGE_MARKER.match(stripped) is not None
