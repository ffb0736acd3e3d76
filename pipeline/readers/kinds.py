"""The kind of a file, told from its content, not its name: inboxes hold files with any names."""

from __future__ import annotations

import re
import zipfile
from io import BytesIO

from ..document import UnreadableFile
from .zipsafe import check_zip_sizes

_IMAGE_MAGIC = (b"\x89PNG", b"\xff\xd8\xff", b"II*\x00", b"MM\x00*", b"GIF8", b"BM")
_HTML_HINT = re.compile(rb"<\s*(?:!doctype\s+html|html|head|body|table|meta|div|p)[\s>/]", re.IGNORECASE)


def detect_kind(data: bytes) -> str:
    """'pdf', 'docx', 'doc', 'html', 'text', 'image'; raises UnreadableFile for what is none of these."""
    head = data[:2048]
    if not data or data.isspace():  # `not data.strip()` without copying the file
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
        raise UnreadableFile(
            "the file looks like an old Office file (.doc, .wps, .xls) but holds no Word, WPS "
            "or Excel document: it is damaged or truncated"
        )
    if head.startswith(_IMAGE_MAGIC):
        return "image"  # a scan or photo of the printed pages: read by OCR
    if head.startswith(b"{\\rtf"):
        raise UnreadableFile("the file is RTF; save it as .docx or PDF")
    if _HTML_HINT.search(data, 0, 65536):  # the first 64 KB, searched in place
        return "html"
    return "text"
