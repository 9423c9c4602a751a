"""The parse cache: a report's parse stored under its file's digest and the parser's fingerprint."""

from __future__ import annotations

import hashlib
import json
import os
import tempfile
from functools import lru_cache
from pathlib import Path

from govreports import __version__
from govreports.records import Report

PARSER_PARTS = ("read", "parse", "template", "records.py", "errors.py")  # what a parse depends on


@lru_cache(maxsize=1)
def parser_fingerprint() -> str:
    """Return a digest of the parser's code and template data: the parse cache's key.

    The version number alone would keep serving stale parses after a change of code that did
    not bump it; code of later stages (build, study) does not change a parse and is left out.
    """
    package = Path(__file__).resolve().parents[1]
    digest = hashlib.sha256(__version__.encode())
    for part in PARSER_PARTS:
        paths = [package / part] if part.endswith(".py") else sorted((package / part).rglob("*"))
        for path in paths:
            if path.suffix in (".py", ".csv") and "__pycache__" not in path.parts:
                digest.update(path.relative_to(package).as_posix().encode())
                digest.update(path.read_bytes())
    return digest.hexdigest()[:16]


def _cache_path(cache_dir: Path, sha256: str) -> Path:
    return cache_dir / f"{sha256}-{parser_fingerprint()}.json"


def cached_parse(file, raw_dir: str, cache_dir: Path | None, seconds: float, parse_file) -> Report:
    """Return a file's parse from the cache, or ``parse_file(path, seconds)`` it and store it."""
    if cache_dir is None:
        return parse_file(os.path.join(raw_dir, file.source), seconds)
    path = _cache_path(cache_dir, file.sha256)
    if path.exists():
        return Report.from_dict(json.loads(path.read_text(encoding="utf-8")))
    report = parse_file(os.path.join(raw_dir, file.source), seconds)
    write_atomic(path, json.dumps(report.to_dict(), ensure_ascii=False).encode("utf-8"))
    return report


def write_atomic(path: Path, data: bytes) -> None:
    """Write ``data`` to ``path`` through a temporary file and a rename: a reader never sees half a file."""
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.")
    with os.fdopen(fd, "wb") as handle:
        handle.write(data)
    os.replace(tmp, path)


