"""A small hostile corpus, made in a temporary folder by the tests that use it (never committed)."""

import io
import os
import shutil
import zipfile

from conftest import RAW

GOOD = "003_7d12747508f9e08c.txt"  # a valid seed report: it must stay valid next to the hostile files


def docx_with_body(body_xml: str) -> bytes:
    """Return a .docx whose document body is ``body_xml`` (python-docx's default package around it)."""
    import docx

    buffer = io.BytesIO()
    docx.Document().save(buffer)
    source = zipfile.ZipFile(io.BytesIO(buffer.getvalue()))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as target:
        for member in source.infolist():
            data = source.read(member.filename)
            if member.filename == "word/document.xml":
                ns = 'xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main"'
                data = f'<?xml version="1.0"?><w:document {ns}><w:body>{body_xml}</w:body></w:document>'.encode()
            target.writestr(member, data)
    return out.getvalue()


def span_bomb_html() -> bytes:
    """A 50 KB page whose table spans would expand to billions of grid cells."""
    cell = '<td rowspan="100000" colspan="100000">1</td>'
    rows = "".join(f"<tr>{cell * 4}</tr>" for _ in range(250))
    return f"<html><body><p>政府信息公开工作年度报告</p><table>{rows}</table></body></html>".encode()


def grid_span_bomb_docx() -> bytes:
    """A small .docx whose table cells each span a thousand grid columns, in thousands of rows."""
    cell = ('<w:tc><w:tcPr><w:gridSpan w:val="100000"/></w:tcPr><w:p><w:r><w:t>{}</w:t></w:r></w:p></w:tc>')
    rows = "".join("<w:tr>" + "".join(cell.format(os.urandom(6).hex()) for _ in range(20)) + "</w:tr>"
                   for _ in range(3000))  # random text: compressed only a few times, under the ratio check
    return docx_with_body(f"<w:tbl>{rows}</w:tbl>")


def xml_bomb_docx(megabytes: int = 20) -> bytes:
    """A .docx holding tens of MB of XML that compresses only a few times (under the ratio check)."""
    noise = os.urandom(megabytes * 1024 * 1024 // 2).hex()
    paragraphs = "".join(f"<w:p><w:r><w:t>{noise[i:i + 4000]}</w:t></w:r></w:p>" for i in range(0, len(noise), 4000))
    return docx_with_body(paragraphs)


def deep_html(depth: int = 100_000) -> bytes:
    """A page nested ``depth`` elements deep."""
    return ("<html><body>" + "<div>" * depth + "年度报告" + "</div>" * depth + "</body></html>").encode()


def make_hostile_corpus(folder):
    """Write the hostile corpus into ``folder``; return ``{name: what it is}`` of the files to parse one by one."""
    folder.mkdir(parents=True, exist_ok=True)
    shutil.copy(RAW / GOOD, folder / GOOD)
    files = {
        "span_bomb.html": span_bomb_html(),
        "grid_span_bomb.docx": grid_span_bomb_docx(),
        "xml_bomb.docx": xml_bomb_docx(),
        "deep.html": deep_html(),
        "utf16_no_bom.txt": (RAW / GOOD).read_text(encoding="utf-8").encode("utf-16-le"),
    }
    for name, data in files.items():
        (folder / name).write_bytes(data)
    with open(folder / "sparse_8gb.txt", "wb") as handle:
        handle.truncate(8 * 1024 ** 3)  # sparse: no disk space used, but 8 GB if read
    return sorted(files) + ["sparse_8gb.txt"]


def add_odd_entries(folder, outside):
    """Add the entries a walk must account for: bad names, pipes, links, hidden and provenance files."""
    (folder / os.fsdecode(b"bad-\xff\xfe-name.txt")).write_bytes((RAW / GOOD).read_bytes() + b"\n")
    os.mkfifo(folder / "pipe.txt")
    (outside / "secret.txt").write_text("not in the raw folder", encoding="utf-8")
    os.symlink(outside / "secret.txt", folder / "link_out.txt")
    os.symlink(folder / "missing.txt", folder / "dangling.txt")
    (folder / ".hidden.txt").write_text("x", encoding="utf-8")
    (folder / "README.md").write_text("# about these files", encoding="utf-8")
