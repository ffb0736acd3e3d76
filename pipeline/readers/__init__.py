"""Readers, one per input kind. Each turns bytes into a layout-independent `Document`.

The kind is told from the content, not the file name: inboxes hold files with any names.
"""

from __future__ import annotations

import re
import zipfile
from io import BytesIO

from ..model import Document, UnreadableFile

_IMAGE_MAGIC = (b"\x89PNG", b"\xff\xd8\xff", b"II*\x00", b"MM\x00*", b"GIF8", b"BM")
_HTML_HINT = re.compile(rb"<\s*(?:!doctype\s+html|html|head|body|table|meta|div|p)[\s>/]", re.IGNORECASE)


def detect_kind(data: bytes) -> str:
    """'pdf', 'docx', 'html', 'text', 'image'; raises UnreadableFile for what is none of these."""
    head = data[:2048]
    if not data.strip():
        raise UnreadableFile("the file is empty")
    if head.lstrip().startswith(b"%PDF"):
        return "pdf"
    if head.startswith(b"PK\x03\x04"):
        try:
            with zipfile.ZipFile(BytesIO(data)) as z:
                names = set(z.namelist())
        except zipfile.BadZipFile:
            raise UnreadableFile("the file looks like a Word or zip file but is damaged or truncated")
        if "word/document.xml" in names:
            return "docx"
        raise UnreadableFile("the file is a zip archive, not a Word (.docx) document")
    if head.startswith(b"\xd0\xcf\x11\xe0"):
        raise UnreadableFile("the file is an old binary Word (.doc) or Excel file; save it as .docx or PDF")
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
        return read_image(data, name)
    if kind == "docx":
        from .docx import read_docx
        return read_docx(data, name)
    if kind == "html":
        from .html import read_html
        return read_html(data, name, base)
    from .text import read_text
    return read_text(data, name)
