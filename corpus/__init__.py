"""Deterministic rendering of annual reports from data (`ReportSpec`) into every form real reports
take (web-page text in six table layouts, HTML, docx, PDF with and without a text layer), and the
exact answer key of each (`truth.expected_cells`)."""

from .spec import ReportSpec, example_spec
from .truth import expected_cells, expected_extra_cells, expected_report
from .writers import (
    KINDS,
    LAYOUTS,
    render_html,
    render_pdf,
    render_text,
    write,
    write_docx,
    write_html,
    write_pdf,
    write_pdf_image_only,
    write_text,
)

__all__ = [
    "ReportSpec",
    "example_spec",
    "expected_cells",
    "expected_extra_cells",
    "expected_report",
    "KINDS",
    "LAYOUTS",
    "render_html",
    "render_pdf",
    "render_text",
    "write",
    "write_docx",
    "write_html",
    "write_pdf",
    "write_pdf_image_only",
    "write_text",
]
