"""The raw folder's files, each read once: its path under the folder, digest, size and format.

Also finds the files whose bytes were seen earlier in the list (duplicates get a manifest row of
their own) and makes each file's manifest row.
"""

from __future__ import annotations

from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass
from pathlib import Path

from govreports import __version__
from govreports.read import sha256_of, sniff_format

IGNORED_NAMES = {"SOURCES.csv", "README.md", ".gitkeep"}

@dataclass(frozen=True, slots=True)  # slots: a national build holds a million of them
class InputFile:
    """One file of the raw folder, read once: its path under the folder, its digest and size."""

    source: str  # the path under the raw folder
    sha256: str
    size_bytes: int
    format: str



def list_inputs(raw_dir: Path, pool: ProcessPoolExecutor | None = None) -> list:
    """Return every file under ``raw_dir`` in a stable order (provenance files excluded).

    Each file is read once to take its digest; with many files that is spread over ``pool``.
    """
    paths = [str(p) for p in sorted(raw_dir.rglob("*"))
             if p.is_file() and p.name not in IGNORED_NAMES and not p.name.startswith(".")]
    chunks = [(str(raw_dir), paths[i:i + DIGEST_CHUNK]) for i in range(0, len(paths), DIGEST_CHUNK)]
    if pool is None or len(chunks) < 2:
        return [f for chunk in chunks for f in _describe(chunk)]
    return [f for described in pool.map(_describe, chunks) for f in described]


DIGEST_CHUNK = 2000


def _describe(chunk: tuple) -> list:
    """Return the :class:`InputFile` of each path of a chunk (read, hashed, format sniffed)."""
    raw_dir, paths = chunk
    files = []
    for name in paths:
        path = Path(name)
        data = path.read_bytes()
        files.append(InputFile(path.relative_to(raw_dir).as_posix(), sha256_of(data), len(data),
                               sniff_format(path, data)))
    return files


def first_seen(files: list) -> tuple:
    """Return ``(files whose bytes were not seen earlier, {index of a repeated file: source of its first copy})``."""
    first_source: dict = {}
    firsts, repeats = [], {}
    for index, file in enumerate(files):
        if file.sha256 in first_source:
            repeats[index] = first_source[file.sha256]
        else:
            first_source[file.sha256] = file.source
            firsts.append(file)
    return firsts, repeats


def manifest_row(file: InputFile, status: str, reason: str | None, report_id: str | None) -> tuple:
    """Return the file's row of the ``manifest`` table, in its column order."""
    return (file.source, file.sha256, file.size_bytes, file.format, status, reason, report_id, __version__)


