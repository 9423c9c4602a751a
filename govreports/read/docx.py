"""Read Word files: ``.docx`` with python-docx, legacy ``.doc`` with antiword or catdoc.

A ``.docx`` body is walked in order (paragraphs and tables interleaved, as printed), and each
table is rebuilt from its XML with merged cells expanded: a horizontal merge (``gridSpan``)
or the first cell of a vertical one (``vMerge="restart"``) holds the text, the positions it
covers hold :data:`~govreports.parse.layout.SPANNED`. Page headers and footers are not in the body,
so they never reach the text.
"""

from __future__ import annotations

import io
import shutil
import subprocess
from pathlib import Path

from lxml import etree

from govreports.errors import SourceError
from govreports.read.grids import (
    GridTooLarge,
    check_grid_size,
    collapse,
    merge_text_blocks,
    pad_rows,
)
from govreports.records import SPANNED, Block

W = "http://schemas.openxmlformats.org/wordprocessingml/2006/main"
NS = {"w": W, "mc": "http://schemas.openxmlformats.org/markup-compatibility/2006"}
# Text of runs, tabs and breaks in document order; mc:Fallback repeats a text box's content.
_RUN_TEXT = etree.XPath("(.//w:r/w:t | .//w:r/w:tab | .//w:r/w:br | .//w:r/w:cr)[not(ancestor::mc:Fallback)]",
                        namespaces=NS)
_CELLS = etree.XPath("./w:tc | ./w:sdt/w:sdtContent/w:tc | ./w:customXml/w:tc", namespaces=NS)
_ROWS = etree.XPath("./w:tr | ./w:sdt/w:sdtContent/w:tr | ./w:customXml/w:tr", namespaces=NS)
_SPAN = etree.XPath("./w:tcPr/w:gridSpan/@w:val", namespaces=NS)
# vMerge: a vertical merge; hMerge: the horizontal merge of old Word and WPS files (not gridSpan).
_MERGES = etree.XPath("./w:tcPr/w:vMerge | ./w:tcPr/w:hMerge", namespaces=NS)
_GRID_BEFORE = etree.XPath("./w:trPr/w:gridBefore/@w:val", namespaces=NS)
_CONTAINERS = {f"{{{W}}}sdt", f"{{{W}}}sdtContent", f"{{{W}}}customXml", f"{{{W}}}smartTag"}
DOC_TOOL_TIMEOUT = 60
# A .docx is a zip archive: refuse one that would expand far beyond any real report.
MAX_UNZIPPED_BYTES = 200 * 1024 * 1024
MAX_COMPRESSION_RATIO = 200
# The XML parts are what python-docx loads as a tree (about ten times their size in memory, and
# minutes of work for tens of MB); a long report's document.xml is a few MB.
MAX_XML_BYTES = 16 * 1024 * 1024
MAX_MEMBERS = 5000


def check_archive(data: bytes, source: str) -> None:
    """Raise :class:`SourceError` for a zip that is a decompression bomb (too large, too compressed)."""
    import zipfile

    try:
        members = zipfile.ZipFile(io.BytesIO(data)).infolist()
    except zipfile.BadZipFile as exc:
        raise SourceError(f"{source}: unreadable Word .docx file: BadZipFile: {exc}") from exc
    total = sum(m.file_size for m in members)
    worst = max((m.file_size / max(m.compress_size, 1) for m in members), default=0)
    if len(members) > MAX_MEMBERS or total > MAX_UNZIPPED_BYTES or worst > MAX_COMPRESSION_RATIO:
        raise SourceError(f"{source}: refused: the archive would expand to {total} bytes in {len(members)} parts "
                          f"(compression ratio up to {worst:.0f}); a decompression bomb, not a report")
    xml = sum(m.file_size for m in members if m.filename.endswith((".xml", ".rels")))
    if xml > MAX_XML_BYTES:
        raise SourceError(f"{source}: refused: {xml:,} bytes of XML (the limit is {MAX_XML_BYTES:,}); far more "
                          "than any report's text and tables, and too slow to read")


def read_docx(data: bytes, source: str, encoding: str | None = None) -> tuple:
    """Read a ``.docx`` file; return ``(blocks, None)`` (``encoding`` is ignored: Word files are XML).

    Raises:
        SourceError: the file is not a Word document python-docx can open.
    """
    import docx  # imported lazily: text-only runs never need it

    check_archive(data, source)
    try:
        document = docx.Document(io.BytesIO(data))
    except Exception as exc:  # noqa: BLE001 - python-docx raises many kinds (PackageNotFoundError,
        # BadZipFile, KeyError for a missing part, lxml errors): each means "not a readable .docx"
        raise SourceError(f"{source}: unreadable Word .docx file: {type(exc).__name__}: {exc}") from exc
    try:
        return merge_text_blocks(list(body_blocks(document.element.body))), None
    except GridTooLarge as exc:
        raise SourceError(f"{source}: refused: {exc}") from exc


def body_blocks(container):
    """Yield the blocks of a body or a cell, in order: a text block per paragraph, a table block per table."""
    for child in container.iterchildren():
        if child.tag == f"{{{W}}}p":
            yield Block("text", text=paragraph_text(child))
        elif child.tag == f"{{{W}}}tbl":
            yield from table_blocks(child)
        elif child.tag in _CONTAINERS:
            yield from body_blocks(child)


def paragraph_text(paragraph) -> str:
    """Return a paragraph's text with tabs kept and line breaks as new lines."""
    parts = []
    for node in _RUN_TEXT(paragraph):
        name = etree.QName(node).localname
        parts.append((node.text or "") if name == "t" else ("\t" if name == "tab" else "\n"))
    return "".join(parts)


def table_blocks(table):
    """Yield a table's block; a layout table (its cells hold tables) yields its cells' blocks instead."""
    if table.find(f".//{{{W}}}tc//{{{W}}}tbl") is not None:
        for row in _ROWS(table):
            for cell in _CELLS(row):
                yield from body_blocks(cell)
        return
    rows = table_rows(table)
    if rows:
        yield Block("table", rows=rows)


def table_rows(table) -> tuple:
    """Rebuild a Word table as a grid with its merged cells expanded."""
    rows = []
    filled = 0
    for tr in _ROWS(table):
        before = _int(_GRID_BEFORE(tr), 0)
        row: list = [SPANNED] * before
        for tc in _CELLS(tr):
            span = _int(_SPAN(tc), 1)
            filled += span
            check_grid_size(filled)  # before the row grows: a gridSpan bomb is refused early
            text = SPANNED if continues_merge(tc) else cell_text(tc)
            row.extend([text] + [SPANNED] * (span - 1))
        rows.append(row)
    return pad_rows(rows)


def continues_merge(tc) -> bool:
    """Return True for a cell that continues a merge (``vMerge``/``hMerge`` without ``restart``)."""
    return any(merge.get(f"{{{W}}}val", "continue") == "continue" for merge in _MERGES(tc))


def cell_text(tc) -> str:
    """Return a cell's text: its paragraphs joined by a space, whitespace collapsed."""
    return collapse(" ".join(paragraph_text(p) for p in tc.iter(f"{{{W}}}p")))


def _int(values: list, default: int) -> int:
    """Return the first attribute value as a positive int (at most 1000), else ``default``."""
    try:
        return max(0, min(int(values[0]), 1000)) if values else default
    except ValueError:
        return default


def read_doc(path: Path, source: str) -> str:
    """Return the text of a legacy Word ``.doc`` file, extracted with antiword or catdoc.

    Raises:
        SourceError: neither tool is installed, or the one that is fails on the file.
    """
    commands = {"antiword": ["-m", "UTF-8.txt", "-w", "0"], "catdoc": ["-d", "utf-8", "-w"]}
    for tool, options in commands.items():
        executable = shutil.which(tool)
        if executable is None:
            continue
        try:
            done = subprocess.run([executable, *options, str(path)], capture_output=True,
                                  timeout=DOC_TOOL_TIMEOUT, check=False)
        except (OSError, subprocess.TimeoutExpired) as exc:
            raise SourceError(f"{source}: legacy Word .doc: {tool} failed: {exc}") from exc
        if done.returncode != 0:
            reason = done.stderr.decode("utf-8", "replace").strip()[:200] or f"exit status {done.returncode}"
            raise SourceError(f"{source}: legacy Word .doc: {tool} cannot read it: {reason}")
        return done.stdout.decode("utf-8", "replace")
    raise SourceError(f"{source}: legacy Word .doc: convert it to .docx or text first (for example with LibreOffice)")
