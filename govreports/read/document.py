"""Read report files from disk into :class:`~govreports.records.Document` records.

This is one of the two stages that touch the file system (the other is :mod:`govreports.build`).
It detects the format from the file's bytes, decodes text in whatever encoding it came in
(UTF-8 first, then the encoding charset-normalizer detects), hands HTML pages, Word files and
PDFs to :mod:`govreports.read.grids` (which rebuild their tables as grids), and refuses, with a
:class:`~govreports.errors.SourceError` a researcher can act on, anything that is not a report:
an empty file, binary junk, an undecodable file. Scans (a PDF without a text layer, a PNG, JPEG
or TIFF image) are read through OCR (:mod:`govreports.read.ocr`, the ``ocr`` extra) unless OCR
is turned off (``ocr=False``, ``--no-ocr``, or ``GOVREPORTS_OCR=0`` in the environment, which is
how the CLI's choice reaches a build's worker processes).
"""

from __future__ import annotations

import importlib
import logging
import os
import stat
from pathlib import Path

from govreports.errors import NoTextLayerError, SourceError
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
    "image": ("govreports.read.ocr", "read_image"),
}
OCR_SETTING = "GOVREPORTS_OCR"  # "0" turns OCR off (the CLI's --no-ocr, inherited by workers)


def ocr_enabled(ocr: bool | None = None) -> bool:
    """Return whether scans are read through OCR: ``ocr`` if given, else the environment's setting (on)."""
    return ocr if ocr is not None else os.environ.get(OCR_SETTING, "1") != "0"


def read_document(path: str | Path, encoding: str | None = None, data: bytes | None = None,
                  ocr: bool | None = None) -> Document:
    """Read one report file (or its bytes, already read, as ``data``) into a :class:`Document`.

    Args:
        path: the report file.
        encoding: force a text encoding instead of detecting it.
        data: the file's bytes, when the caller has read them already.
        ocr: read scans through OCR (None: as :func:`ocr_enabled` says).

    Raises:
        SourceError: the file is missing, too large, empty, binary, undecodable, in a format
            govreports cannot read, or a scan while OCR is off or not installed.
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
    return _read_rich(path, data, fmt, encoding, ocr_enabled(ocr))


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


def _read_rich(path: Path, data: bytes, fmt: str, encoding: str | None, ocr: bool = True) -> Document:
    """Read an HTML page, a Word file or a PDF with its reader into a :class:`Document` with blocks."""
    source = path.name
    if fmt == "doc":
        from govreports.read.docx import read_doc

        text = read_doc(path, source)
        check_is_text(text, source)
        return Document(str(path), sha256_of(data), "doc", None, text)
    if fmt not in RICH_READERS:
        raise SourceError(f"{source}: {fmt} files are not supported; convert it to text, HTML, .docx or PDF first")
    if fmt == "image" and not ocr:
        raise SourceError(f"{source}: an image: it can be read only through OCR, which is turned off (--no-ocr)")
    # Imported on use: a run over text files never loads lxml, python-docx, pdfplumber or the OCR engine.
    module_name, function_name = RICH_READERS[fmt]
    reader = getattr(importlib.import_module(module_name), function_name)
    try:
        # A PDF with a text layer on some pages only has the others read through OCR.
        blocks, used = reader(data, source, encoding, ocr=ocr) if fmt == "pdf" else reader(data, source, encoding)
    except NoTextLayerError:
        if not ocr:
            raise
        from govreports.read.ocr import read_scan

        log.info("%s: no text layer: reading it through OCR", source)
        blocks, used = read_scan(data, source, encoding)
        fmt = "scan"
    text = blocks_text(blocks)
    if not text.strip():
        raise SourceError(f"{source}: empty {fmt} document: no text in it")
    return Document(str(path), sha256_of(data), fmt, used, text, blocks)
