"""The raw folder's files, each read once: its path under the folder, digest, size and format.

Also finds the files whose bytes were seen earlier in the list (duplicates get a manifest row of
their own) and makes each file's manifest row.
"""

from __future__ import annotations

import os
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass
from pathlib import Path

from govreports import __version__
from govreports.build.resources import SYNTHETIC_MARKER
from govreports.errors import SourceError
from govreports.read import sha256_of, sniff_format
from govreports.read.document import read_capped

IGNORED_NAMES = {"SOURCES.csv", "README.md", ".gitkeep", SYNTHETIC_MARKER}


@dataclass(frozen=True, slots=True)  # slots: a national build holds a million of them
class InputFile:
    """One entry of the raw folder: its path under the folder, digest, size and format.

    ``problem`` is ``(manifest status, reason)`` for an entry that is not parsed (a hidden or
    provenance file, a pipe, a link out of the folder, a file too large or unreadable); such an
    entry has no digest.
    """

    source: str  # the path under the raw folder
    sha256: str | None
    size_bytes: int | None
    format: str
    problem: tuple | None = None


def list_inputs(raw_dir: Path, pool: ProcessPoolExecutor | None = None) -> list:
    """Return every entry under ``raw_dir`` in a stable order, each once, files to parse or not.

    Each file to parse is read once to take its digest; with many files that is spread over
    ``pool``. Nothing is left out silently: what is not parsed has a status and a reason.
    """
    paths, problems = walk_raw_folder(Path(raw_dir))
    chunks = [(str(raw_dir), paths[i:i + DIGEST_CHUNK]) for i in range(0, len(paths), DIGEST_CHUNK)]
    if pool is None or len(chunks) < 2:
        files = [f for chunk in chunks for f in _describe(chunk)]
    else:
        files = [f for described in pool.map(_describe, chunks) for f in described]
    return sorted(files + problems, key=lambda f: tuple(f.source.split("/")))


DIGEST_CHUNK = 2000


def walk_raw_folder(raw_dir: Path) -> tuple:
    """Return ``(paths of the regular files to parse, InputFile s of the entries not parsed)``.

    Links are followed only to files inside the raw folder; hidden entries, provenance files,
    pipes and devices are listed with the reason they are skipped; a folder that cannot be read
    is recorded as failed and the walk goes on.
    """
    root = raw_dir.resolve()
    paths, problems = [], []
    stack = [raw_dir]
    while stack:
        folder = stack.pop()
        try:
            entries = list(os.scandir(folder))
        except OSError as exc:
            problems.append(_not_parsed(raw_dir, Path(folder), "failed",
                                        f"folder cannot be read: {exc.strerror or exc}"))
            continue
        for entry in entries:
            status, reason = _entry_problem(entry, root)
            if status:
                problems.append(_not_parsed(raw_dir, Path(entry.path), status, reason))
            elif reason == "folder":
                stack.append(Path(entry.path))
            else:
                paths.append(entry.path)
    return paths, problems


def _entry_problem(entry: os.DirEntry, root: Path) -> tuple:
    """Return ``(status, reason)`` for an entry not to parse, ``(None, "folder")`` or ``(None, "file")``."""
    try:
        os.fsencode(entry.name).decode("utf-8")
    except UnicodeDecodeError:
        return "failed", "the file name is not valid UTF-8; rename the file"
    if entry.name.startswith("."):
        return "skipped", "hidden (its name starts with a dot)"
    if entry.name in IGNORED_NAMES:
        return "skipped", "provenance or documentation file, not a report"
    try:
        if entry.is_symlink():
            return _link_problem(Path(entry.path), root)
        if entry.is_dir(follow_symlinks=False):
            return None, "folder"
        if entry.is_file(follow_symlinks=False):
            return None, "file"
    except OSError as exc:
        return "failed", f"cannot be read: {exc.strerror or exc}"
    return "skipped", "not a regular file (a pipe, socket or device)"


def _link_problem(path: Path, root: Path) -> tuple:
    """Judge a symbolic link: only a link to a regular file inside the raw folder is read."""
    target = path.resolve()
    if not target.exists():
        return "skipped", "broken symbolic link (its target does not exist)"
    if root not in target.parents:
        return "skipped", "symbolic link to a file outside the raw folder; not followed"
    if not target.is_file():
        return "skipped", "symbolic link to a folder or special file; not followed"
    return None, "file"


def _printable(path: Path, raw_dir: Path) -> str:
    """Return the path under the raw folder as valid UTF-8 (undecodable bytes shown as escapes)."""
    relative = os.path.relpath(path, raw_dir)
    return os.fsencode(relative).decode("utf-8", "backslashreplace").replace(os.sep, "/")


def _not_parsed(raw_dir: Path, path: Path, status: str, reason: str) -> InputFile:
    return InputFile(_printable(path, raw_dir), None, None, "unknown", (status, reason))


def _describe(chunk: tuple) -> list:
    """Return the :class:`InputFile` of each path of a chunk (size checked, read, hashed, format sniffed)."""
    raw_dir, paths = chunk
    files = []
    for name in paths:
        path = Path(name)
        try:
            data = read_capped(path)
        except SourceError as exc:
            files.append(_not_parsed(Path(raw_dir), path, "failed", str(exc)))
            continue
        files.append(InputFile(path.relative_to(raw_dir).as_posix(), sha256_of(data), len(data),
                               sniff_format(path, data)))
    return files


def first_seen(files: list) -> tuple:
    """Return ``(files whose bytes were not seen earlier, {index of a repeated file: source of its first copy})``."""
    first_source: dict = {}
    firsts, repeats = [], {}
    for index, file in enumerate(files):
        if file.problem:
            continue
        if file.sha256 in first_source:
            repeats[index] = first_source[file.sha256]
        else:
            first_source[file.sha256] = file.source
            firsts.append(file)
    return firsts, repeats


def manifest_row(file: InputFile, status: str, reason: str | None, report_id: str | None) -> tuple:
    """Return the file's row of the ``manifest`` table, in its column order."""
    return (file.source, file.sha256, file.size_bytes, file.format, status, reason, report_id, __version__)


