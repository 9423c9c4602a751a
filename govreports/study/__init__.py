"""Stage 4, study: what the notebooks use, reading ``data/processed`` only.

:mod:`.metrics` (indicators and rates), :mod:`.figures` (bilingual charts), :mod:`.models`
(statistical models), :mod:`.notebooks` (running the notebooks with Papermill and the index).
"""
