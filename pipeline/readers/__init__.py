"""Readers, one per input kind. Each turns bytes into a layout-independent `Document`.

The kind is told from the content, not the file name: inboxes hold files with any names.
"""

from __future__ import annotations

import re
import zipfile
from io import BytesIO

from ..model import Document, UnreadableFile

# A Word file's parts are inflated only when their declared sizes are sane: a few megabytes of zip
# can declare (and inflate to) gigabytes of XML. Real reports' document.xml are a few MB.
MAX_DOCX_XML = 64 * 1024 * 1024
MAX_DOCX_TOTAL = 256 * 1024 * 1024


def check_zip_sizes(z: zipfile.ZipFile) -> None:
    """Refuse a zip whose declared uncompressed sizes are too large, before inflating anything."""
    infos = z.infolist()
    total = sum(i.file_size for i in infos)
    doc = next((i for i in infos if i.filename == "word/document.xml"), None)
    if doc is not None and doc.file_size > MAX_DOCX_XML or total > MAX_DOCX_TOTAL:
        size = doc.file_size if doc is not None and doc.file_size > MAX_DOCX_XML else total
        raise UnreadableFile(f"the Word file would unpack to {size // (1024 * 1024)} MB of text, far more than a "
                             "report holds (a damaged file or a zip bomb); not read")


def read_zip_member(z: zipfile.ZipFile, name: str, limit: int = MAX_DOCX_XML) -> bytes:
    """A member of a zip, inflated in bounded steps: a member that inflates beyond `limit` (whatever
    its header declared) is refused without holding more than `limit` bytes."""
    out = bytearray()
    with z.open(name) as f:
        while True:
            chunk = f.read(1024 * 1024)
            if not chunk:
                break
            out += chunk
            if len(out) > limit:
                raise UnreadableFile(f"the Word file's {name} unpacks to more than {limit // (1024 * 1024)} MB "
                                     "(a damaged file or a zip bomb); not read")
    return bytes(out)


_IMAGE_MAGIC = (b"\x89PNG", b"\xff\xd8\xff", b"II*\x00", b"MM\x00*", b"GIF8", b"BM")
_HTML_HINT = re.compile(rb"<\s*(?:!doctype\s+html|html|head|body|table|meta|div|p)[\s>/]", re.IGNORECASE)


def detect_kind(data: bytes) -> str:
    """'pdf', 'docx', 'doc', 'html', 'text', 'image'; raises UnreadableFile for what is none of these."""
    head = data[:2048]
    if not data.strip():
        raise UnreadableFile("the file is empty")
    if head.lstrip().startswith(b"%PDF"):
        return "pdf"
    if head.startswith(b"PK\x03\x04"):
        try:
            with zipfile.ZipFile(BytesIO(data)) as z:
                names = set(z.namelist())
                if "word/document.xml" in names:
                    check_zip_sizes(z)
        except (zipfile.BadZipFile, EOFError, ValueError):
            raise UnreadableFile("the file looks like a Word or zip file but is damaged or truncated")
        if "word/document.xml" in names:
            return "docx"
        raise UnreadableFile("the file is a zip archive, not a Word (.docx) document")
    if head.startswith(b"\xd0\xcf\x11\xe0"):
        from .oldword import ole2_kind

        what = ole2_kind(data)
        if what == "doc":
            return "doc"  # old Word or WPS: read by converting it with LibreOffice
        if what == "xls":
            raise UnreadableFile("the file is an old Excel workbook (.xls), not a report")
        if what == "ppt":
            raise UnreadableFile("the file is an old PowerPoint presentation (.ppt), not a report")
        raise UnreadableFile("the file looks like an old Office file (.doc, .wps, .xls) but holds no Word, WPS "
                             "or Excel document: it is damaged or truncated")
    if head.startswith(_IMAGE_MAGIC):
        return "image"  # a scan or photo of the printed pages: read by OCR
    if head.startswith(b"{\\rtf"):
        raise UnreadableFile("the file is RTF; save it as .docx or PDF")
    sniff = data[:65536]
    if _HTML_HINT.search(sniff):
        return "html"
    return "text"


def read_document(data: bytes, name: str, base: str | None = None) -> Document:
    """`base`: the folder the file is in, where an HTML page's own images are looked for."""
    kind = detect_kind(data)
    if kind == "pdf":
        from .pdf import read_pdf
        return read_pdf(data, name)
    if kind == "image":
        from .image import read_image
        return read_image(data, name, base)
    if kind == "docx":
        from .docx import read_docx
        return read_docx(data, name)
    if kind == "doc":
        from .oldword import read_old_word
        return read_old_word(data, name)
    if kind == "html":
        from .html import read_html
        return read_html(data, name, base)
    from .text import read_text
    return read_text(data, name)
