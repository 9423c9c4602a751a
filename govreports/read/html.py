"""Read HTML pages saved from government websites (and Word's "save as web page") into blocks.

Pages come in GB2312/GBK/GB18030 or UTF-8, declared in ``<meta charset>``, in
``<meta http-equiv="Content-Type">``, in an XML declaration, or not at all. The page is parsed
with lxml's HTML parser with the network off and no external entities; scripts, styles and
navigation are dropped; every data table is rebuilt as a grid with its spans expanded, and the
rest becomes text, one line per block-level element.
"""

from __future__ import annotations

import codecs
import re

from lxml import etree
from lxml import html as lxml_html

from govreports.errors import SourceError
from govreports.read.decode import decode_text
from govreports.read.grids import (
    GridTooLarge,
    collapse,
    expand_spans,
    merge_text_blocks,
    parse_span,
)
from govreports.records import Block

_DECLARED = re.compile(rb"""<meta[^>]+charset\s*=\s*["']?\s*([A-Za-z0-9_:.-]+)""", re.IGNORECASE)
_XML_DECLARED = re.compile(rb"""^\s*<\?xml[^>]+encoding\s*=\s*["']([A-Za-z0-9_:.-]+)""", re.IGNORECASE)
_XML_DECLARATION = re.compile(r"^\s*<\?xml[^>]*\?>", re.IGNORECASE)
# A DOCTYPE's internal subset is where entities are declared: it is never content, so it goes.
_DOCTYPE_SUBSET = re.compile(r"<!DOCTYPE[^\[>]*\[.*?\]\s*>", re.IGNORECASE | re.DOTALL)
_GB_ALIASES = {"gb2312", "gbk", "x-gbk", "gb_2312-80", "csgb2312", "cp936", "ms936", "euc-cn"}
_SINGLE_BYTE = ("latin", "iso8859", "cp125", "ascii", "us-ascii", "mac-roman", "cp437")

JUNK_TAGS = frozenset({"script", "style", "noscript", "template", "nav", "footer", "aside", "form", "button",
                       "select", "iframe", "object", "embed", "svg", "canvas", "audio", "video", "map", "head"})
# Whole class or id words that mark navigation bars and page chrome on government sites ("dqwz" is
# 当前位置, "you are here"). Whole words only: "position-relative" wraps content on Bootstrap pages.
JUNK_NAMES = frozenset({"nav", "navbar", "menu", "breadcrumb", "crumb", "crumbs", "footer", "foot", "sidebar",
                        "share", "topbar", "toolbar", "position", "location", "dqwz", "bread"})
BLOCK_TAGS = frozenset({"p", "div", "h1", "h2", "h3", "h4", "h5", "h6", "li", "ul", "ol", "dl", "dt", "dd",
                        "section", "article", "main", "header", "blockquote", "pre", "address", "center",
                        "figure", "figcaption", "caption", "table", "thead", "tbody", "tfoot", "tr", "td", "th",
                        "hr", "br", "title", "body", "html", "fieldset", "legend", "details", "summary"})


def detect_encoding(data: bytes, source: str, encoding: str | None = None) -> tuple:
    """Decode an HTML page's bytes; return ``(text, encoding)``.

    The order: a forced ``encoding``; a byte-order mark; the page's declared charset if it
    decodes the bytes and is plausible (see :func:`_trust_declared`); UTF-8; charset-normalizer.
    GB2312 and GBK are read as GB18030, their superset, because pages declaring them often
    carry characters only GB18030 has.

    Raises:
        SourceError: no encoding decodes the page.
    """
    if encoding or data.startswith((b"\xef\xbb\xbf", b"\xff\xfe", b"\xfe\xff")):
        return decode_text(data, source, encoding)
    declared = _declared_charset(data)
    if declared and _trust_declared(data, declared):
        try:
            return data.decode(declared), declared
        except UnicodeDecodeError:
            pass
    return decode_text(data, source)


def _declared_charset(data: bytes) -> str | None:
    """Return the charset the page declares (normalised to a Python codec name), or None."""
    head = data[:16384]
    match = _XML_DECLARED.search(head) or _DECLARED.search(head)
    if not match:
        return None
    name = match.group(1).decode("ascii", "ignore").lower()
    if name in _GB_ALIASES:
        return "gb18030"
    try:
        name = codecs.lookup(name).name
    except LookupError:
        return None
    # A page read as text cannot be UTF-16/32 without a byte-order mark: browsers read it as UTF-8.
    return "utf-8" if name.startswith(("utf-16", "utf-32")) else name


def _trust_declared(data: bytes, declared: str) -> bool:
    """Return False when the bytes contradict the declared charset.

    Pages re-saved as UTF-8 keep their old ``charset=gb2312``, and GB18030 decodes almost any
    bytes, so valid non-ASCII UTF-8 wins over a declaration (GBK text is almost never valid
    UTF-8). A Western single-byte charset also decodes anything: with non-ASCII bytes in a
    Chinese report it is a wrong declaration, so the bytes are detected instead.
    """
    if declared == "utf-8" or data.isascii():
        return True
    try:
        data.decode("utf-8")
    except UnicodeDecodeError:
        return not declared.startswith(_SINGLE_BYTE)
    return False


def parse_html(text: str, source: str):
    """Parse page text with lxml safely (no network, no comments, no entity declarations); return the root.

    Raises:
        SourceError: lxml cannot build a tree from the page.
    """
    text = _DOCTYPE_SUBSET.sub("", _XML_DECLARATION.sub("", text, count=1), count=1)
    parser = lxml_html.HTMLParser(no_network=True, remove_comments=True, remove_pis=True)
    try:
        root = lxml_html.document_fromstring(text, parser=parser)
    except (etree.ParserError, ValueError) as exc:
        raise SourceError(f"{source}: unreadable HTML: {exc}") from exc
    too_deep = [e for e in parser.error_log if e.type_name == "ERR_RESOURCE_LIMIT"]
    if too_deep:  # libxml2 stops reading at its nesting limit: what follows would be lost silently
        raise SourceError(f"{source}: refused: elements nested deeper than the HTML parser's limit "
                          f"({too_deep[0].message.split(',')[0]}); not a page a browser saved")
    return root


def read_html(data: bytes, source: str, encoding: str | None = None) -> tuple:
    """Read an HTML page; return ``(blocks, encoding)``.

    Raises:
        SourceError: the page cannot be decoded or parsed.
    """
    text, used = detect_encoding(data, source, encoding)
    root = parse_html(text, source)
    builder = _BlockBuilder()
    title = root.find(".//title")
    if title is not None:
        builder.add_line(title.text_content())
    body = root.find("body")
    try:
        builder.walk(body if body is not None else root)
    except GridTooLarge as exc:
        raise SourceError(f"{source}: refused: {exc}") from exc
    return builder.finish(), used


def _tag(element) -> str:
    """Return an element's lower-case local tag name ('' for comments and processing instructions)."""
    return element.tag.lower() if isinstance(element.tag, str) else ""


def is_junk(element) -> bool:
    """Return True for script, style and page chrome (navigation, footers) that holds no table."""
    tag = _tag(element)
    if tag in JUNK_TAGS:
        return True
    names = f"{element.get('class', '')} {element.get('id', '')}".lower()
    if not JUNK_NAMES.intersection(names.split()):
        return False
    return next(element.iter("table"), None) is None  # chrome never wraps the report's tables


def is_layout_table(table) -> bool:
    """Return True for a table whose cells hold other tables: page layout, not data."""
    return next(table.iterdescendants("table"), None) is not None


def table_rows(table) -> tuple:
    """Rebuild a data table as a grid with rowspans and colspans expanded (see :func:`expand_spans`)."""
    trs = table.xpath("./tr | ./thead/tr | ./tbody/tr | ./tfoot/tr")
    rows = []
    for index, tr in enumerate(trs):
        cells = []
        for cell in tr.xpath("./td | ./th"):
            rowspan = parse_span(cell.get("rowspan"), len(trs) - index)
            colspan = parse_span(cell.get("colspan"), 1000)
            cells.append((cell_text(cell), rowspan, colspan))
        rows.append(cells)
    return expand_spans(rows)


def cell_text(cell) -> str:
    """Return a cell's text: all its text nodes joined as printed, whitespace collapsed.

    Word splits one number or label over several ``<span>`` s, so inline elements add no
    space; ``<br>`` and block elements (paragraphs) inside the cell become a space.
    """
    parts = []
    walker = etree.iterwalk(cell, events=("start", "end"))
    for event, element in walker:
        tag = _tag(element)
        if event == "start":
            if tag in JUNK_TAGS and element is not cell:
                walker.skip_subtree()
                continue
            if tag in BLOCK_TAGS:
                parts.append(" ")
            if tag and tag not in JUNK_TAGS:
                parts.append(element.text or "")
        elif element is not cell:
            if tag in BLOCK_TAGS:
                parts.append(" ")
            parts.append(element.tail or "")
    return collapse("".join(parts))


class _BlockBuilder:
    """Collect text lines and tables in reading order while walking the page."""

    def __init__(self) -> None:
        self.blocks: list = []
        self.lines: list = []
        self.current: list = []

    def add_line(self, text: str) -> None:
        """Add one finished line of text."""
        self.end_line()
        self.current.append(text)
        self.end_line()

    def end_line(self) -> None:
        """Close the line being built (a block-level element started or ended)."""
        line = collapse("".join(self.current))
        self.current = []
        if line:
            self.lines.append(line)

    def add_table(self, rows: tuple) -> None:
        """Close the running text and add a table block."""
        self.end_line()
        if self.lines:
            self.blocks.append(Block("text", text="\n".join(self.lines)))
            self.lines = []
        if rows:
            self.blocks.append(Block("table", rows=rows))

    def walk(self, top) -> None:
        """Walk the tree under ``top``: text into lines, data tables into table blocks."""
        walker = etree.iterwalk(top, events=("start", "end"))
        for event, element in walker:
            tag = _tag(element)
            if event == "start":
                self._start(walker, element, tag)
            else:
                if tag in BLOCK_TAGS:
                    self.end_line()
                if element is not top:
                    self.current.append(element.tail or "")

    def _start(self, walker, element, tag: str) -> None:
        """Handle an element's start: skip junk, take a data table or a <pre> whole, else open a line."""
        if not tag or is_junk(element):
            walker.skip_subtree()
        elif tag == "table" and not is_layout_table(element):
            self._take_table(element)
            walker.skip_subtree()
        elif tag == "pre":
            self._take_pre(element)
            walker.skip_subtree()
        else:
            if tag in BLOCK_TAGS:
                self.end_line()
            self.current.append(element.text or "")

    def _take_table(self, table) -> None:
        """Add a data table (after its caption, if it has one)."""
        caption = table.find("caption")
        if caption is not None:
            self.add_line(caption.text_content())
        self.add_table(table_rows(table))

    def _take_pre(self, pre) -> None:
        """Add preformatted text line by line, tabs and aligned columns kept (a text report pasted in a page)."""
        self.end_line()
        self.lines.extend(line.rstrip() for line in pre.text_content().splitlines() if line.strip())

    def finish(self) -> tuple:
        """Return the blocks collected so far, text merged."""
        self.add_table(())
        return merge_text_blocks(self.blocks)
