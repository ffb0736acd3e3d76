"""Readers, one per input kind. Each turns bytes into a layout-independent `Document`.

The kind is told from the content, not the file name: inboxes hold files with any names.
"""

from __future__ import annotations

from ..document import Document
from .kinds import detect_kind  # noqa: F401  (the kind of a file, told from its content)

# Word files are opened through zipsafe (declared sizes checked first); re-exported here for callers.
from .zipsafe import MAX_DOCX_TOTAL, MAX_DOCX_XML, check_zip_sizes, read_zip_member  # noqa: F401


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
