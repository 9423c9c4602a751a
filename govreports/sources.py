"""Read report files from disk into :class:`~govreports.records.Document` records.

This is one of the two stages that touch the file system (the other is :mod:`govreports.dataset`).
It detects the format from the file's bytes, decodes text in whatever encoding it came in
(UTF-8 first, then the encoding charset-normalizer detects), hands HTML pages, Word files and
PDFs to :mod:`govreports.readers` (which rebuild their tables as grids), and refuses, with a
:class:`~govreports.errors.SourceError` a researcher can act on, anything that is not a report:
an empty file, binary junk, an undecodable file, a scanned PDF without a text layer.
"""

from __future__ import annotations

import hashlib
import importlib
import logging
import re
from pathlib import Path

from govreports.errors import SourceError
from govreports.readers import blocks_text
from govreports.records import Document

log = logging.getLogger(__name__)

TEXT_SUFFIXES = {".txt", ".md", ".markdown", ".text", ".csv", ".tsv", ""}
MAX_BYTES = 50 * 1024 * 1024
MAX_CONTROL_SHARE = 0.01
# How saved pages begin (browsers' "saved from url" comment, Word's <html xmlns:o=...>, fragments).
RICH_READERS = {
    "html": ("govreports.readers.html", "read_html"),
    "docx": ("govreports.readers.docx", "read_docx"),
    "pdf": ("govreports.readers.pdf", "read_pdf"),
}
HTML_STARTS = (b"<!doctype html", b"<html", b"<?xml", b"<!--", b"<head", b"<meta", b"<body", b"<table")


def sha256_of(data: bytes) -> str:
    """Return the hex SHA-256 digest of ``data``."""
    return hashlib.sha256(data).hexdigest()


def sniff_format(path: Path, data: bytes) -> str:
    """Return ``pdf``, ``docx``, ``doc``, ``html`` or ``text`` from the file's bytes and name."""
    head = data[:2048].removeprefix(b"\xef\xbb\xbf").lstrip().lower()
    if data.startswith(b"%PDF"):
        return "pdf"
    if data.startswith(b"PK\x03\x04"):
        return "docx" if path.suffix.lower() in (".docx", ".docm", "") or b"word/" in data[:4096] else "zip"
    if data.startswith(b"\xd0\xcf\x11\xe0"):
        return "doc"
    if head.startswith(HTML_STARTS) or path.suffix.lower() in (".html", ".htm", ".xhtml", ".shtml"):
        return "html"
    return "text"


def decode_text(data: bytes, source: str, encoding: str | None = None) -> tuple:
    """Decode bytes of text; return ``(text, encoding)``.

    Raises:
        SourceError: the bytes are binary, or no encoding decodes them.
    """
    if encoding:
        try:
            return data.decode(encoding), encoding
        except (UnicodeDecodeError, LookupError) as exc:
            raise SourceError(f"{source}: cannot decode as {encoding}: {exc}") from exc
    if data.startswith(b"\xef\xbb\xbf"):
        return data[3:].decode("utf-8", errors="strict"), "utf-8-sig"
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        return data.decode("utf-16"), "utf-16"
    if b"\x00" in data[:4096]:
        raise SourceError(f"{source}: binary content (NUL bytes); not a text report")
    try:
        return data.decode("utf-8"), "utf-8"
    except UnicodeDecodeError:
        pass
    return _decode_detected(data, source)


def _decode_detected(data: bytes, source: str) -> tuple:
    from charset_normalizer import from_bytes

    match = from_bytes(data).best()
    if match is None:
        raise SourceError(f"{source}: undecodable: no text encoding fits its bytes")
    encoding = match.encoding
    if encoding in ("gb2312", "gbk", "hz"):
        encoding = "gb18030"  # a superset: GB2312/GBK pages often carry GB18030-only characters
    text = data.decode(encoding, errors="replace")
    if text.count("\ufffd") > max(3, len(text) // 200):
        raise SourceError(f"{source}: undecodable: too many invalid bytes for {encoding}")
    return text, encoding


_CONTROL_CHARACTER = re.compile("[\x00-\x08\x0e-\x1f]")  # C0 controls but the line and tab ones


def check_is_text(text: str, source: str) -> None:
    """Raise :class:`SourceError` for empty text or text that is mostly control characters."""
    if not text.strip():
        raise SourceError(f"{source}: empty file: nothing to parse")
    controls = len(_CONTROL_CHARACTER.findall(text, 0, 20000))
    if controls > MAX_CONTROL_SHARE * min(len(text), 20000):
        raise SourceError(f"{source}: binary content: {controls} control characters; not a text report")


def read_document(path: str | Path, encoding: str | None = None) -> Document:
    """Read one report file into a :class:`Document`.

    Raises:
        SourceError: the file is missing, too large, empty, binary, undecodable, or in a
            format govreports cannot read.
    """
    path = Path(path)
    source = path.name
    try:
        data = path.read_bytes()
    except OSError as exc:
        raise SourceError(f"{path}: cannot read: {exc.strerror or exc}") from exc
    if not data:
        raise SourceError(f"{source}: empty file: nothing to parse")
    if len(data) > MAX_BYTES:
        raise SourceError(f"{source}: {len(data)} bytes is over the {MAX_BYTES}-byte limit for one report")
    fmt = sniff_format(path, data)
    if fmt == "text":
        text, used = decode_text(data, source, encoding)
        check_is_text(text, source)
        return Document(str(path), sha256_of(data), "text", used, text)
    return _read_rich(path, data, fmt, encoding)


def _read_rich(path: Path, data: bytes, fmt: str, encoding: str | None) -> Document:
    """Read an HTML page, a Word file or a PDF with its reader into a :class:`Document` with blocks."""
    source = path.name
    if fmt == "doc":
        from govreports.readers.docx import read_doc

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
