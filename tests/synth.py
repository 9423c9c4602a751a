"""Render synthetic reports in the layouts converters produce, for tests.

The renderer now lives in :mod:`govreports.synth` (which also generates whole synthetic
corpora with answer keys); this module re-exports the names the tests import, unchanged.
The values are consistent with every identity of the template unless a test breaks them on
purpose; the printed labels are the codebook's Chinese labels.
"""

from __future__ import annotations

from govreports.synth import (  # noqa: F401 (re-exported for the tests)
    TABLE2_HEADERS,
    TABLE3_HEADER,
    TABLE4_HEADER,
    _fmt,
    _render_row,
    consistent_values,
    render,
    render_rows,
    replace_row,
    table_rows,
)
