"""Bytes to text: the file's format from its bytes, its encoding, and a check that it is text at all.

UTF-8 first (with or without a byte-order mark), UTF-16 with a byte-order mark (or without one,
told by where its NUL bytes fall), then the encoding charset-normalizer detects (GB2312 and GBK read as their superset GB18030).
"""

from __future__ import annotations

import hashlib
import re
from pathlib import Path

from govreports.errors import SourceError

MAX_CONTROL_SHARE = 0.01
# How saved pages begin (browsers' "saved from url" comment, Word's <html xmlns:o=...>, fragments).
HTML_STARTS = (b"<!doctype html", b"<html", b"<?xml", b"<!--", b"<head", b"<meta", b"<body", b"<table")
# Image files (scans, photos, screenshots of a report) by their magic bytes: PNG, JPEG, TIFF.
IMAGE_STARTS = (b"\x89PNG\r\n\x1a\n", b"\xff\xd8\xff", b"II*\x00", b"MM\x00*")


def sha256_of(data: bytes) -> str:
    """Return the hex SHA-256 digest of ``data``."""
    return hashlib.sha256(data).hexdigest()


def sniff_format(path: Path, data: bytes) -> str:
    """Return ``pdf``, ``image``, ``docx``, ``doc``, ``html`` or ``text`` from the file's bytes and name."""
    head = data[:2048].removeprefix(b"\xef\xbb\xbf").lstrip().lower()
    if data.startswith(b"%PDF"):
        return "pdf"
    if data.startswith(IMAGE_STARTS):
        return "image"
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
        try:
            return data[3:].decode("utf-8", errors="strict"), "utf-8-sig"
        except UnicodeDecodeError as exc:
            raise SourceError(f"{source}: starts with a UTF-8 byte-order mark but byte {exc.start + 3} is not "
                              "UTF-8; re-save it as UTF-8") from exc
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        try:
            return data.decode("utf-16"), "utf-16"
        except UnicodeDecodeError as exc:
            raise SourceError(f"{source}: starts with a UTF-16 byte-order mark but is not UTF-16 text "
                              f"({exc.reason} at byte {exc.start}); not a text report") from exc
    if b"\x00" in data[:4096]:
        return _decode_utf16_without_bom(data, source)
    try:
        return data.decode("utf-8"), "utf-8"
    except UnicodeDecodeError:
        pass
    return _decode_detected(data, source)


def utf16_order(head: bytes) -> str | None:
    """Return ``utf-16-le`` or ``utf-16-be`` when NUL bytes fall mostly on one side of the byte pairs.

    That is how UTF-16 text without a byte-order mark looks (the high byte of digits, spaces and
    line ends is NUL; a few Chinese characters, like U+4E00, have a NUL low byte); binary data has
    NUL bytes on both sides alike.
    """
    even, odd = head[0::2].count(0), head[1::2].count(0)
    if max(even, odd) < max(8, len(head) // 40) or min(even, odd) * 3 > max(even, odd):
        return None
    return "utf-16-le" if odd > even else "utf-16-be"


def _decode_utf16_without_bom(data: bytes, source: str) -> tuple:
    """Decode UTF-16 text saved without a byte-order mark, or raise :class:`SourceError` naming what it is."""
    order = utf16_order(data[:4096])
    if order is None:
        raise SourceError(f"{source}: binary content (NUL bytes on both sides of byte pairs); not a text report")
    try:
        return data[: len(data) // 2 * 2].decode(order), order
    except UnicodeDecodeError as exc:
        raise SourceError(f"{source}: binary content (NUL bytes, and not {order.upper()} text either: byte "
                          f"{exc.start} does not decode); not a text report") from exc


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
