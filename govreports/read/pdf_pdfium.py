"""The PDF engine on pdfium (``pypdfium2``): characters with their boxes and ruling edges, compiled.

pdfium decodes the content streams (in C++, about twenty times faster than pdfminer) and gives
each character with its box and each path with its points; :mod:`govreports.read.pdf_geometry`
then rebuilds the tables and text lines exactly as pdfplumber would from the same objects.
Character boxes follow pdfminer's rule (font size high, from the baseline plus the font's
descent), so that cells and text lines come out as with :mod:`govreports.read.pdf_plumber`.

The loops over each character and each path segment run in C when the optional extension
:mod:`govreports.read._pdfium_loops` is built (``_pdfium_loops.c``, a port of the Python loops
here, which stay as the reference and the fallback: :data:`NATIVE` says which runs). Both give
the very same characters and edges (``tests/read/test_pdf_native.py``).

What pdfium does not give is handled by the caller: a page with rotated or mirrored characters
raises :class:`RotatedText`, and :func:`govreports.read.pdf.read_pdf` reads that file with the
pdfplumber engine instead (pdfplumber's text directions for non-upright text are not ported).
"""

from __future__ import annotations

import ctypes
import logging
import os
import re
import struct

from govreports.read import pdf_geometry as geometry

log = logging.getLogger(__name__)

try:
    from govreports.read import _pdfium_loops as _native
except ImportError:  # not built (no C compiler at install time): the Python loops below run
    _native = None


def _compiled_geometry():
    """Return :mod:`~govreports.read.pdf_geometry` as Cython compiled it, or None (not built, or stale).

    The compiled module is built from the same source; one whose functions start on other lines
    than the source's was built from an older version of it (rebuild: ``pip install -e .``).
    """
    try:
        from govreports.read import _pdf_geometry_compiled as compiled
    except ImportError:
        return None
    if not _fresh(compiled, geometry):
        log.warning("govreports.read._pdf_geometry_compiled was built from an older pdf_geometry.py: "
                    "the Python geometry runs (rebuild with pip install -e .)")
        return None
    return compiled


def _fresh(compiled, source) -> bool:
    """Return True when the compiled module's functions start on the lines of the source module's."""
    return _first_lines(compiled) == _first_lines(source)


def _first_lines(module) -> dict:
    """Return ``{function name: its first line}`` for the module's functions."""
    return {name: value.__code__.co_firstlineno for name, value in vars(module).items()
            if callable(value) and hasattr(value, "__code__")}


_GEOMETRY = _compiled_geometry()
if _GEOMETRY is not None and _native is not None:
    _GEOMETRY.ASSIGN_CHARS = _native.assign_chars

# The compiled code runs unless it is not built or GOVREPORTS_PURE_PYTHON is set (to 1).
NATIVE = _native is not None and os.environ.get("GOVREPORTS_PURE_PYTHON", "") in ("", "0")


def loops_in_use() -> str:
    """Say which character and path loops and which table geometry run: compiled, or Python and why."""
    if _native is None:
        loops = "Python (the optional C extension is not built)"
    else:
        loops = "compiled (govreports.read._pdfium_loops)" if NATIVE else "Python (GOVREPORTS_PURE_PYTHON is set)"
    if _GEOMETRY is None:
        return f"{loops}; geometry: Python (not compiled)"
    return f"{loops}; geometry: " + ("compiled (Cython)" if NATIVE else "Python")


def _geometry():
    """Return the geometry module in use: the compiled one along with the compiled loops, if built."""
    return _GEOMETRY if NATIVE and _GEOMETRY is not None else geometry

_SPACE_LIKE = frozenset(" \t\r\n\x00\u00a0\u3000")


class RotatedText(Exception):
    """A page prints characters that are not upright: the pdfplumber engine reads such files."""


def open_pages(data: bytes):
    """Yield a :class:`PdfiumPage` per page of the PDF in ``data``.

    Raises:
        pypdfium2.PdfiumError: the file is encrypted, broken or truncated.
        RotatedText: a page prints rotated characters.
    """
    import pypdfium2 as pdfium

    if not _API:
        _bind()
    descents = declared_descents(data)
    document = pdfium.PdfDocument(data)
    try:
        for index in range(len(document)):
            page = document[index]
            try:
                yield PdfiumPage(page, descents)
            finally:
                page.close()
    finally:
        document.close()


class PdfiumPage:
    """One page's characters and edges, read from pdfium, and the geometry the shared reader asks for."""

    def __init__(self, page, descents: dict | None = None) -> None:
        """Read the page's characters and ruling edges (the pdfium page may be closed afterwards).

        ``descents`` maps font names to the descent their descriptors declare
        (:func:`declared_descents`).
        """
        left, bottom, right, top = page.get_mediabox()
        self.height = top - bottom
        self._top = top
        self.chars, self.unmapped = _chars(page, top, descents or {})
        self.vertical, self.horizontal = _edges(page, top)
        self._words = None

    def ruled_tables(self) -> list:
        """Return ``(bbox, rows)`` for the tables the page's ruling lines draw."""
        return self._tables(self.vertical, self.horizontal)

    def text_tables(self, min_numeric_rows: int = 0) -> list:
        """Return ``(bbox, rows)`` for the tables pdfplumber's text strategy finds (aligned words).

        Tables that cannot hold ``min_numeric_rows`` rows of two numbers are left out unread
        (the caller would drop them): most pages without ruling are running text.
        """
        geometry = _geometry()
        words = geometry.extract_words(self.chars)
        tables = geometry.find_tables(geometry.words_to_edges_v(words), geometry.words_to_edges_h(words))
        return [(geometry.table_bbox(cells), geometry.extract_table(cells, self.chars)) for cells in tables
                if not min_numeric_rows or geometry.numeric_rows(cells, self.chars) >= min_numeric_rows]

    def _tables(self, vertical: list, horizontal: list) -> list:
        geometry = _geometry()
        tables = geometry.find_tables(vertical, horizontal)
        return [(geometry.table_bbox(cells), geometry.extract_table(cells, self.chars)) for cells in tables]

    def text_lines(self, boxes: list) -> list:
        """Return ``(top, bottom, text)`` for the lines of text whose characters lie outside ``boxes``."""
        geometry = _geometry()
        return geometry.text_lines(geometry.outside(self.chars, boxes))


def _chars(page, page_top: float, declared: dict, checking: bool = False) -> tuple:
    """Return the page's characters ``(text, x0, x1, top, bottom)`` and how many lack a Unicode map.

    Unless ``checking``, the map is tested on every :data:`_MAP_SAMPLE` th character and the
    page read again with ``checking`` on the first failure. What is the same for every
    character of a text object (its matrix, font, size and descent) is read once per object:
    a character then costs three calls into pdfium (its object, box and origin).
    """
    api = _API[0]
    textpage = page.get_textpage()
    handle = ctypes.c_void_p(ctypes.cast(textpage.raw, ctypes.c_void_p).value)
    try:
        if NATIVE:
            return _native_chars(handle, _texts(textpage, api, handle), page_top, declared, checking)
        return _page_chars(api, handle, _texts(textpage, api, handle), page_top, declared, checking)
    except _Unmapped:
        return _chars(page, page_top, declared, checking=True)
    finally:
        textpage.close()


class _Unmapped(Exception):
    """A sampled character lacks a Unicode map: the page is read again checking every character."""


def _texts(textpage, api, handle) -> str | list:
    """Return the page's characters as pdfium numbers them (a string, or a list when some lie outside the BMP)."""
    count = api.count_chars(handle)
    texts = textpage.get_text_range(0, count) if count else ""
    if len(texts) != count:  # characters outside the BMP come as two UTF-16 units: one by one then
        texts = [chr(min(api.unicode(handle, i), 0x10FFFF)) for i in range(count)]
    return texts


def _native_chars(handle, texts, page_top: float, declared: dict, checking: bool) -> tuple:
    """Return ``(characters, unmapped)`` of one text page from the compiled loop (as :func:`_page_chars`).

    Raises:
        RotatedText: a text object's characters are rotated or mirrored.
    """
    descents: dict = {}  # font -> its descent per unit of font size

    def descent_of(font) -> float:
        return descents[font] if font in descents else descents.setdefault(font, _descent(font, declared))

    text = texts if isinstance(texts, str) else "".join(texts)
    status, chars, unmapped = _native.chars(handle.value, text, page_top, descent_of, checking)
    if status == _NATIVE_UNMAPPED:
        raise _Unmapped
    if status == _NATIVE_ROTATED:
        raise RotatedText
    return chars, unmapped


_NATIVE_UNMAPPED, _NATIVE_ROTATED = 1, 2  # the compiled loop's statuses besides 0 (read)


def _page_chars(api, handle, texts, page_top: float, declared: dict, checking: bool) -> tuple:  # noqa: C901
    """Return ``(characters, unmapped)`` of one text page (see :func:`_chars`)."""
    is_generated, map_error, text_object = api.is_generated, api.map_error, api.text_object
    loose_box, origin, unpack = api.loose_box, api.origin, _BOX_AND_ORIGIN.unpack_from
    buffer = ctypes.create_string_buffer(_BOX_AND_ORIGIN.size)
    at = ctypes.addressof(buffer)
    box_at, x_at, y_at = ctypes.c_void_p(at), ctypes.c_void_p(at + 16), ctypes.c_void_p(at + 24)
    descents: dict = {}  # font -> its descent per unit of font size
    chars, unmapped, generated_space = [], 0, False
    last = a = d = size = descent = None
    for i, text in enumerate(texts):
        if text in _SPACE_LIKE and is_generated(handle, i) == 1:
            # pdfium's own spaces and line breaks: pdfminer has no such characters (but see below)
            generated_space = generated_space or text == " "
            continue
        if checking or not i % _MAP_SAMPLE:
            # pdfium's map test costs as much as a box: sampled, and on every character of a
            # page once one sampled character lacks a Unicode map (where the count matters)
            if map_error(handle, i) == 1:
                if not checking:
                    raise _Unmapped
                unmapped += 1
        obj = text_object(handle, i)
        if obj != last or obj is None:
            a, d, size, descent = _object_metrics(api, handle, i, obj, declared, descents)
            last = obj
        loose_box(handle, i, box_at)
        origin(handle, i, x_at, y_at)
        left, top, right, bottom, _x, y = unpack(buffer)
        if a != 1 and abs(right - left - size) < 0.01 and abs(top - bottom - size) < 0.01:
            # pdfium boxes a vertical-writing character at the unscaled font size; pdfminer
            # boxes it one (scaled) em square, sitting on pdfium's origin
            right, low = left + a * size, y
        else:
            low = y + d * descent * size
        high = low + d * size
        char = (text, left, right, page_top - max(low, high), page_top - min(low, high))
        if generated_space and chars:
            _restore_space(chars, char)
        generated_space = False
        chars.append(char)
    return chars, unmapped


def _object_metrics(api, handle, index: int, obj, declared: dict, descents: dict) -> tuple:
    """Return ``(a, d, font size, descent)`` of the text object that prints character ``index``.

    Raises:
        RotatedText: the object's characters are rotated or mirrored.
    """
    matrix = api.matrix
    api.get_matrix(handle, index, api.matrix_at)
    a, b, c, d = matrix[0], matrix[1], matrix[2], matrix[3]
    if not (a * d > 0 and b * c <= 0):
        raise RotatedText
    font = _FONT[0](obj)
    descent = descents[font] if font in descents else descents.setdefault(font, _descent(font, declared))
    return a, d, api.font_size(handle, index), descent


_BOX_AND_ORIGIN = struct.Struct("4f2d")  # FS_RECTF (left, top, right, bottom) then the origin's x and y


class _Api:
    """pdfium's functions the character loop calls, declared without argument types.

    ctypes then passes ``c_void_p`` handles and ints as they are, about half the cost of a call
    through pypdfium2's typed bindings (the loop makes three calls per character).
    """

    def __init__(self) -> None:
        """Bind the functions (pdfium is loaded by ``pypdfium2.raw``)."""
        import pypdfium2.raw as pdfium_c

        def bind(name: str, restype):
            return ctypes.CFUNCTYPE(restype)(ctypes.cast(getattr(pdfium_c, name), ctypes.c_void_p).value)

        self.count_chars = bind("FPDFText_CountChars", ctypes.c_int)
        self.unicode = bind("FPDFText_GetUnicode", ctypes.c_uint)
        self.is_generated = bind("FPDFText_IsGenerated", ctypes.c_int)
        self.map_error = bind("FPDFText_HasUnicodeMapError", ctypes.c_int)
        self.text_object = bind("FPDFText_GetTextObject", ctypes.c_void_p)
        self.loose_box = bind("FPDFText_GetLooseCharBox", ctypes.c_int)
        self.origin = bind("FPDFText_GetCharOrigin", ctypes.c_int)
        self.font_size = bind("FPDFText_GetFontSize", ctypes.c_double)
        self.get_matrix = bind("FPDFText_GetMatrix", ctypes.c_int)
        self.matrix = (ctypes.c_float * 6)()  # FS_MATRIX: a, b, c, d, e, f
        self.matrix_at = ctypes.c_void_p(ctypes.addressof(self.matrix))
        self._bind_paths(bind)

    def _bind_paths(self, bind) -> None:
        """Bind the functions the path loop calls."""
        self.page_count = bind("FPDFPage_CountObjects", ctypes.c_int)
        self.page_object = bind("FPDFPage_GetObject", ctypes.c_void_p)
        self.form_count = bind("FPDFFormObj_CountObjects", ctypes.c_int)
        self.form_object = bind("FPDFFormObj_GetObject", ctypes.c_void_p)
        self.object_type = bind("FPDFPageObj_GetType", ctypes.c_int)
        self.get_object_matrix = bind("FPDFPageObj_GetMatrix", ctypes.c_int)
        self.object_matrix = (ctypes.c_float * 6)()
        self.object_matrix_at = ctypes.c_void_p(ctypes.addressof(self.object_matrix))
        self.draw_mode = bind("FPDFPath_GetDrawMode", ctypes.c_int)
        self.count_segments = bind("FPDFPath_CountSegments", ctypes.c_int)
        self.segment = bind("FPDFPath_GetPathSegment", ctypes.c_void_p)
        self.segment_type = bind("FPDFPathSegment_GetType", ctypes.c_int)
        self.segment_point = bind("FPDFPathSegment_GetPoint", ctypes.c_int)
        self.segment_close = bind("FPDFPathSegment_GetClose", ctypes.c_int)


_API: list = []


_MAP_SAMPLE = 8


def _restore_space(chars: list, char: tuple) -> None:
    """Put back a space pdfium dropped, when its gap is one pdfplumber would not split at by itself.

    pdfium drops a real space glyph that overlaps the next character and marks a generated
    space there instead; pdfminer keeps the glyph, so the words split. A gap wider than the
    word tolerance splits either way; a narrower one, on the same line, gets the space back.
    """
    prev = chars[-1]
    gap = char[1] - prev[2]
    if _DROPPED_SPACE_GAP <= gap <= geometry.TOLERANCE and abs(char[3] - prev[3]) < 1:
        chars.append((" ", prev[2], char[1], prev[3], prev[4]))


_DROPPED_SPACE_GAP = 2.95  # found at 3.0 (a space glyph overlapping the next character); real gaps of 2.5 without one occur


def _address_function(name: str, *argtypes):
    """Return pdfium's function ``name`` declared to take and return pointers as plain ints.

    Plain ints are cheap to pass, compare and hash; ctypes pointer objects are not.
    """
    import pypdfium2.raw as pdfium_c

    function = getattr(pdfium_c, name)
    return ctypes.CFUNCTYPE(ctypes.c_void_p, *argtypes)(ctypes.cast(function, ctypes.c_void_p).value)


def _descent(font: int, declared: dict) -> float:
    """Return the font's descent per unit of font size, negative, as pdfminer takes it.

    pdfminer reads the font descriptor's /Descent as written (LibreOffice writes 0); pdfium
    replaces a 0 by the font file's metrics. The declared value wins where it is known.
    """
    if font:
        name = ctypes.create_string_buffer(256)
        _FONT_NAME_OF[0](font, name, 256)
        value = declared.get(name.value.split(b"+")[-1])
        if value is not None:
            return min(value, -value) / 1000
    value = ctypes.c_float()
    ok = bool(font) and _GET_DESCENT[0](font, 1000.0, ctypes.byref(value))
    return min(value.value, -value.value) / 1000 if ok else 0.0  # pdfminer forces it negative


_DESCRIPTOR = re.compile(rb"<<(?:(?!<<|>>).){0,2000}?/FontDescriptor(?:(?!<<|>>).){0,2000}?>>", re.DOTALL)
_FONT_NAME = re.compile(rb"/FontName\s*/([^\s/<>\[\]()]+)")
_DESCENT = re.compile(rb"/Descent\s+(-?[\d.]+)")


def declared_descents(data: bytes) -> dict:
    """Return ``{font name: /Descent}`` from the font descriptors written in the file's bytes.

    Names lose their subset tag (``BAAAAA+``) as pdfium gives them; a name declared with two
    different descents is left out (pdfium's value is used for it). Descriptors inside
    compressed object streams are not seen either: pdfium's value is used then too.
    """
    found: dict = {}
    for match in _DESCRIPTOR.finditer(data):
        name, descent = _FONT_NAME.search(match.group()), _DESCENT.search(match.group())
        if name and descent:
            try:
                value = float(descent.group(1))
            except ValueError:
                continue
            key = name.group(1).split(b"+")[-1]
            found[key] = value if found.get(key, value) == value else None
    return {k: v for k, v in found.items() if v is not None}


def _bind() -> None:
    """Declare the pointer-returning pdfium functions the character loop calls (once, on first use)."""
    _FONT.append(_address_function("FPDFTextObj_GetFont", ctypes.c_void_p))
    import pypdfium2.raw as pdfium_c

    function = pdfium_c.FPDFFont_GetDescent
    prototype = ctypes.CFUNCTYPE(ctypes.c_int, ctypes.c_void_p, ctypes.c_float, ctypes.c_void_p)
    _GET_DESCENT.append(prototype(ctypes.cast(function, ctypes.c_void_p).value))
    prototype = ctypes.CFUNCTYPE(ctypes.c_size_t, ctypes.c_void_p, ctypes.c_char_p, ctypes.c_size_t)
    _FONT_NAME_OF.append(prototype(ctypes.cast(pdfium_c.FPDFFont_GetBaseFontName, ctypes.c_void_p).value))
    _API.append(_Api())
    if _native is not None:
        _native.bind(tuple(ctypes.cast(getattr(pdfium_c, name), ctypes.c_void_p).value for name in NATIVE_FUNCTIONS))


# pdfium's functions the compiled loops call, in the order _pdfium_loops.c's bind() takes them
NATIVE_FUNCTIONS = (
    "FPDFText_IsGenerated", "FPDFText_HasUnicodeMapError", "FPDFText_GetTextObject", "FPDFText_GetLooseCharBox",
    "FPDFText_GetCharOrigin", "FPDFText_GetFontSize", "FPDFText_GetMatrix", "FPDFTextObj_GetFont",
    "FPDFPage_CountObjects", "FPDFPage_GetObject", "FPDFFormObj_CountObjects", "FPDFFormObj_GetObject",
    "FPDFPageObj_GetType", "FPDFPageObj_GetMatrix", "FPDFPath_GetDrawMode", "FPDFPath_CountSegments",
    "FPDFPath_GetPathSegment", "FPDFPathSegment_GetType", "FPDFPathSegment_GetPoint", "FPDFPathSegment_GetClose",
)


_FONT: list = []
_GET_DESCENT: list = []
_FONT_NAME_OF: list = []


def _edges(page, page_top: float) -> tuple:
    """Return the page's vertical and horizontal edges, from every stroked or filled path.

    Each subpath becomes what pdfminer makes of it: a line (one edge), an axis-aligned rectangle
    (four edges) or a curve (an edge between each pair of consecutive points that is level or plumb).
    """
    if NATIVE:
        return _native.edges(ctypes.cast(page.raw, ctypes.c_void_p).value, page_top)
    vertical: list = []
    horizontal: list = []
    for points, shape in _subpaths(page, page_top):
        for x0, top, x1, bottom, orientation in _shape_edges(points, shape):
            if orientation == "v" and bottom - top >= geometry.EDGE_MIN_LENGTH_PREFILTER:
                vertical.append([x0, top, x1, bottom, bottom - top])
            elif orientation == "h" and x1 - x0 >= geometry.EDGE_MIN_LENGTH_PREFILTER:
                horizontal.append([x0, top, x1, bottom, x1 - x0])
    return vertical, horizontal


def _shape_edges(points: list, shape: str) -> list:
    """Return ``(x0, top, x1, bottom, orientation)`` for the edges of one subpath."""
    if len(shape) > 3 and shape.endswith("lh") and points[-2] == points[0]:
        shape = shape[:-2] + "h"
        points = points[:-2] + points[-1:]
    if shape in ("ml", "mlh"):
        (ax, ay), (bx, by) = points[0], points[1]
        top, bottom = min(ay, by), max(ay, by)
        return [(min(ax, bx), top, max(ax, bx), bottom, "h" if top == bottom else "v")]
    if shape in ("mlllh", "mllll") and points[0] == points[4] and _square(points):
        x0, x1 = sorted((points[0][0], points[2][0]))
        top, bottom = sorted((points[0][1], points[2][1]))
        return [(x0, top, x1, top, "h"), (x0, bottom, x1, bottom, "h"), (x0, top, x0, bottom, "v"),
                (x1, top, x1, bottom, "v")]
    edges = []
    for (ax, ay), (bx, by) in zip(points, points[1:]):
        orientation = "v" if ax == bx else ("h" if ay == by else None)
        edges.append((min(ax, bx), min(ay, by), max(ax, bx), max(ay, by), orientation))
    return edges


def _square(points: list) -> bool:
    """Return True when four corners make an axis-aligned rectangle (pdfminer's test)."""
    (x0, y0), (x1, y1), (x2, y2), (x3, y3) = points[:4]
    return (x0 == x1 and y1 == y2 and x2 == x3 and y3 == y0) or (y0 == y1 and x1 == x2 and y2 == y3 and x3 == x0)


def _subpaths(page, page_top: float):
    """Yield ``(points, shape)`` for every subpath of the page's painted paths, in page coordinates.

    ``shape`` spells the subpath's operators as pdfminer does (``m`` move, ``l`` line, ``c``
    curve, ``h`` close); a curve contributes only its end point.
    """
    api = _API[0]
    fill, stroke = ctypes.c_int(), ctypes.c_int()
    fill_at, stroke_at = ctypes.byref(fill), ctypes.byref(stroke)
    point = (ctypes.c_float * 2)()
    x_at, y_at = ctypes.byref(point, 0), ctypes.byref(point, 4)
    moveto, bezierto = _SEGMENT_MOVETO, _SEGMENT_BEZIERTO
    for obj, matrix in _path_objects(api, ctypes.c_void_p(ctypes.cast(page.raw, ctypes.c_void_p).value), None):
        if not api.draw_mode(obj, fill_at, stroke_at) or not (fill.value or stroke.value):
            continue
        a, b, c, d, e, f = matrix
        points: list = []
        shape = ""
        bezier = 0
        for s in range(api.count_segments(obj)):
            segment = ctypes.c_void_p(api.segment(obj, s))
            kind = api.segment_type(segment)
            api.segment_point(segment, x_at, y_at)
            px, py = point[0], point[1]
            xy = (a * px + c * py + e, page_top - (b * px + d * py + f))
            if kind == moveto:
                if shape:
                    yield points, shape
                points, shape, bezier = [xy], "m", 0
                continue
            if kind == bezierto:
                bezier += 1
                if bezier % 3:
                    continue  # control points: pdfminer keeps a curve's end point only
                shape += "c"
            else:
                shape += "l"
            points.append(xy)
            if api.segment_close(segment) and points:
                shape += "h"
                points.append(points[0])
        if shape:
            yield points, shape


def _path_objects(api, parent, outer, in_form: bool = False):
    """Yield ``(path object, matrix to page space)`` for the paths on a page or inside its forms."""
    count, get = (api.form_count, api.form_object) if in_form else (api.page_count, api.page_object)
    matrix = api.object_matrix
    for index in range(count(parent)):
        obj = ctypes.c_void_p(get(parent, index))
        kind = api.object_type(obj)
        if kind != _PAGEOBJ_PATH and kind != _PAGEOBJ_FORM:
            continue
        api.get_object_matrix(obj, api.object_matrix_at)
        own = tuple(matrix)
        combined = own if outer is None else _multiply(own, outer)
        if kind == _PAGEOBJ_PATH:
            yield obj, combined
        else:
            yield from _path_objects(api, obj, combined, in_form=True)


_PAGEOBJ_PATH, _PAGEOBJ_FORM = 2, 5  # FPDF_PAGEOBJ_PATH, FPDF_PAGEOBJ_FORM
_SEGMENT_MOVETO, _SEGMENT_BEZIERTO = 2, 1  # FPDF_SEGMENT_MOVETO, FPDF_SEGMENT_BEZIERTO


def _multiply(m: tuple, n: tuple) -> tuple:
    """Return the matrix product ``m`` then ``n`` (PDF row-vector convention)."""
    a, b, c, d, e, f = m
    a2, b2, c2, d2, e2, f2 = n
    return (a * a2 + b * c2, a * b2 + b * d2, c * a2 + d * c2, c * b2 + d * d2,
            e * a2 + f * c2 + e2, e * b2 + f * d2 + f2)
