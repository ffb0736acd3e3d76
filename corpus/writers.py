"""All writers in one place, and `write(spec, path, kind, **options)` to pick one by name.

Kinds: "text" (layouts A, B1, B2, C, mixed, wrapped), "html", "docx", "pdf", "pdf_image".
"""

from __future__ import annotations

import os

from .docx_writer import build_docx, write_docx
from .html_writer import render_html, write_html
from .pdf_writer import render_pdf, render_pdf_image_only, write_pdf, write_pdf_image_only
from .spec import ReportSpec
from .text_writer import LAYOUTS, render_text, write_text

KINDS = ("text", "html", "docx", "pdf", "pdf_image")
SUFFIX = {"text": ".txt", "html": ".html", "docx": ".docx", "pdf": ".pdf", "pdf_image": ".pdf"}


def write(spec: ReportSpec, path: str | os.PathLike, kind: str, **options) -> None:
    """Render `spec` into `path` as `kind` with the writer's options."""
    if kind == "text":
        write_text(spec, path, **options)
    elif kind == "html":
        write_html(spec, path, **options)
    elif kind == "docx":
        write_docx(spec, path, **options)
    elif kind == "pdf":
        write_pdf(spec, path, **options)
    elif kind == "pdf_image":
        write_pdf_image_only(spec, path, **options)
    else:
        raise ValueError(f"unknown kind {kind!r}; one of {KINDS}")


__all__ = [
    "KINDS",
    "LAYOUTS",
    "SUFFIX",
    "write",
    "write_text",
    "render_text",
    "write_html",
    "render_html",
    "write_docx",
    "build_docx",
    "write_pdf",
    "render_pdf",
    "write_pdf_image_only",
    "render_pdf_image_only",
]
