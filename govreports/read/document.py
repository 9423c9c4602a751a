"""Read report files from disk into :class:`~govreports.records.Document` records.

This is one of the two stages that touch the file system (the other is :mod:`govreports.build`).
It detects the format from the file's bytes, decodes text in whatever encoding it came in
(UTF-8 first, then the encoding charset-normalizer detects), hands HTML pages, Word files and
PDFs to :mod:`govreports.read.grids` (which rebuild their tables as grids), and refuses, with a
:class:`~govreports.errors.SourceError` a researcher can act on, anything that is not a report:
an empty file, binary junk, an undecodable file, a scanned PDF without a text layer.
"""

from __future__ import annotations

import importlib
import logging
import os
import stat
from pathlib import Path

from govreports.errors import SourceError
from govreports.read.decode import check_is_text, decode_text, sha256_of, sniff_format
from govreports.read.grids import blocks_text
from govreports.records import Document

log = logging.getLogger(__name__)

TEXT_SUFFIXES = {".txt", ".md", ".markdown", ".text", ".csv", ".tsv", ""}
MAX_BYTES = 50 * 1024 * 1024
RICH_READERS = {
    "html": ("govreports.read.html", "read_html"),
    "docx": ("govreports.read.docx", "read_docx"),
    "pdf": ("govreports.read.pdf", "read_pdf"),
}


def read_document(path: str | Path, encoding: str | None = None, data: bytes | None = None) -> Document:
    """Read one report file (or its bytes, already read, as ``data``) into a :class:`Document`.

    Raises:
        SourceError: the file is missing, too large, empty, binary, undecodable, or in a
            format govreports cannot read.
    """
    path = Path(path)
    source = path.name
    if data is None:
        data = read_capped(path)
    if not data:
        raise SourceError(f"{source}: empty file: nothing to parse")
    if len(data) > MAX_BYTES:
        raise SourceError(over_cap_message(source, len(data)))
    fmt = sniff_format(path, data)
    if fmt == "text":
        text, used = decode_text(data, source, encoding)
        check_is_text(text, source)
        return Document(str(path), sha256_of(data), "text", used, text)
    return _read_rich(path, data, fmt, encoding)


def over_cap_message(source: str, size: int) -> str:
    """Return the reason given for a file over :data:`MAX_BYTES`."""
    return f"{source}: {size} bytes is over the {MAX_BYTES}-byte limit for one report"


def read_capped(path: Path) -> bytes:
    """Return a file's bytes, checking its size before reading (an 8 GB file is refused, not loaded).

    Raises:
        SourceError: the file cannot be read, is not a regular file, or is over :data:`MAX_BYTES`.
    """
    try:
        status = os.stat(path)  # before opening: opening a pipe would wait for a writer forever
        if not stat.S_ISREG(status.st_mode):
            raise SourceError(f"{path.name}: not a regular file (a folder, pipe or device); not a report")
        if status.st_size > MAX_BYTES:
            raise SourceError(over_cap_message(path.name, status.st_size))
        with open(path, "rb") as handle:
            data = handle.read(MAX_BYTES + 1)  # a file growing while it is read is still capped
    except OSError as exc:
        raise SourceError(f"{path}: cannot read: {exc.strerror or exc}") from exc
    if len(data) > MAX_BYTES:
        raise SourceError(over_cap_message(path.name, len(data)))
    return data


def _read_rich(path: Path, data: bytes, fmt: str, encoding: str | None) -> Document:
    """Read an HTML page, a Word file or a PDF with its reader into a :class:`Document` with blocks."""
    source = path.name
    if fmt == "doc":
        from govreports.read.docx import read_doc

        text = read_doc(path, source)
        check_is_text(text, source)
        return Document(str(path), sha256_of(data), "doc", None, text)
    if fmt not in RICH_READERS:
        raise SourceError(f"{source}: {fmt} files are not supported; convert it to text, HTML, .docx or PDF first")
    # Imported on use: a run over text files never loads lxml, python-docx or pdfplumber.
    module_name, function_name = RICH_READERS[fmt]
    reader = getattr(importlib.import_module(module_name), function_name)
    blocks, used = reader(data, source, encoding)
    text = blocks_text(blocks)
    if not text.strip():
        raise SourceError(f"{source}: empty {fmt} document: no text in it")
    return Document(str(path), sha256_of(data), fmt, used, text, blocks)
