"""PDFs with a text layer: PDFium (readers/pdfgrid.py) is the main path, pdfplumber the fallback
for the damaged files PDFium cannot open.

Tables are found from their ruling lines; merged regions come back as empty positions, marked as
continuations. Text between tables is read band by band so paragraphs and tables keep their order.
A table running over a page break arrives as two grids, joined by the mapper (rows are found by
label, so the second part needs no header). Page markers such as "- 4 -" are dropped. A PDF with no
text layer (a scan) is read by OCR (readers/image.py).
"""

from __future__ import annotations

import logging
from io import BytesIO

from ..document import Document, GridCell, Table, UnreadableFile, problem
from ..structure import is_spam
from ..textnorm import clean
from .pdftext import _PAGE_MARK, _flush, _is_data_table, _join_cjk_spaces


def read_pdf(data: bytes, name: str) -> Document:
    """Characters and ruling lines from PDFium (fast); pdfplumber only if PDFium cannot open it."""
    from . import pdfgrid

    try:
        pages = list(pdfgrid.read_pages(data))
    except Exception as e:  # PDFium refuses some damaged files pdfminer can still read, and vice versa
        msg = str(e) or type(e).__name__
        if "password" in msg.lower():
            raise UnreadableFile("the PDF is password-protected")
        return read_pdf_pdfplumber(data, name)
    if sum(len(p.chars) for p in pages) < 20:
        # no text layer: a scan or a PDF of photographed pages, read by OCR
        from .image import read_scanned_pdf

        return read_scanned_pdf(data, name)
    blocks: list = []
    pending: list[tuple[float, float, str, int]] = []
    margins: list[tuple[float, float]] = []
    n_tables = 0
    for pno, page in enumerate(pages, start=1):
        tables = [(bbox, grid) for bbox, grid in page.tables if _is_data_table(grid)]
        tables.sort(key=lambda t: t[0][1])
        boxes = [(b[0] - 1, b[2] + 1, b[1] - 1, b[3] + 1) for b, _ in tables]
        free = _outside(page.chars, boxes)
        lines = pdfgrid.group_lines(free)
        top = -1.0
        for bbox, grid in tables:
            pending += _band(lines, top, bbox[1], pno)
            blocks += _flush(pending, margins)
            n_tables += 1
            blocks.append(_to_table(grid, pno, n_tables))
            top = bbox[3]
        pending += _band(lines, top, page.height + 1, pno)
    blocks += _flush(pending, margins)
    if n_tables == 0:
        doc = _from_lines(pages, name)
        if doc is not None:
            return doc
    return Document(kind="pdf", blocks=blocks, meta={"pages": len(pages)})


def _outside(chars: list, boxes: list[tuple[float, float, float, float]]) -> list:
    """The characters whose centre is in none of the boxes (x0, x1, y0, y1)."""
    if not boxes:
        return list(chars)
    if len(boxes) == 1:
        ((x0, x1, y0, y1),) = boxes
        return [ch for ch in chars if not (x0 <= ch.cx <= x1 and y0 <= ch.cy <= y1)]
    return [ch for ch in chars if not any(x0 <= ch.cx <= x1 and y0 <= ch.cy <= y1 for x0, x1, y0, y1 in boxes)]


def _from_lines(pages, name: str) -> Document | None:
    """Tables drawn without ruling lines (cells placed by position only): the page's text lines,
    cells kept apart by the gaps between them, read as text copied from the PDF would be."""
    from . import pdfgrid
    from .text import read_text

    out: list[str] = []
    for page in pages:
        for ln in pdfgrid.group_lines(page.chars):
            t = clean(pdfgrid.line_text(ln))
            if t and not _PAGE_MARK.match(t):
                out.append(t)
    doc = read_text("\n".join(out).encode("utf-8"), name)
    if not doc.tables():
        return None
    doc.kind = "pdf"
    doc.meta["pages"] = len(pages)
    doc.notes.append(
        problem(
            "pdf_tables_unruled", "info", "the PDF's tables have no ruling lines: they were read from its text lines"
        )
    )
    return doc


def _band(lines, top: float, bottom: float, pno: int) -> list[tuple[float, float, str, int]]:
    from .pdfgrid import line_text

    out = []
    for ln in lines:
        cy = sum(ch.cy for ch in ln) / len(ln)
        if not (top <= cy < bottom):
            continue
        t = clean(line_text(ln))
        if not t or _PAGE_MARK.match(t) or is_spam(t):
            continue
        out.append((ln[0].x0, ln[-1].x1, _join_cjk_spaces(t), pno))
    return out


def read_pdf_pdfplumber(data: bytes, name: str) -> Document:
    logging.getLogger("pdfminer").setLevel(logging.ERROR)
    import pdfplumber
    from pdfminer.pdfparser import PDFSyntaxError

    try:
        pdf = pdfplumber.open(BytesIO(data))
    except PDFSyntaxError as e:
        raise UnreadableFile(f"the PDF is damaged or truncated ({e})")
    except Exception as e:  # pdfminer raises many kinds: encrypted, malformed xref, ...
        msg = str(e) or type(e).__name__
        if "password" in msg.lower() or "encrypt" in msg.lower():
            raise UnreadableFile("the PDF is password-protected")
        raise UnreadableFile(f"the PDF could not be opened ({msg}); it may be damaged")
    blocks: list = []
    total_chars = 0
    n_tables = 0
    pending: list[tuple[float, float, str, int]] = []
    margins: list[tuple[float, float]] = []
    try:
        pages = pdf.pages
        for pno, page in enumerate(pages, start=1):
            chars = page.chars
            total_chars += len(chars)
            if not chars:
                continue
            tables = []
            for t in page.find_tables():
                grid = t.extract()
                if _is_data_table(grid):
                    tables.append((t.bbox, grid))
            tables.sort(key=lambda x: x[0][1])
            top = 0.0
            for bbox, grid in tables:
                pending += _text_band(page, top, bbox[1], pno)
                blocks += _flush(pending, margins)
                n_tables += 1
                blocks.append(_to_table(grid, pno, n_tables))
                top = bbox[3]
            pending += _text_band(page, top, float(page.height), pno)
        blocks += _flush(pending, margins)
    except UnreadableFile:
        raise
    except Exception as e:
        raise UnreadableFile(f"the PDF could not be read ({type(e).__name__}: {e}); it may be damaged")
    finally:
        pdf.close()
    if total_chars < 20:
        from .image import read_scanned_pdf

        return read_scanned_pdf(data, name)
    return Document(kind="pdf", blocks=blocks, meta={"pages": len(pages)})


def _text_band(page, top: float, bottom: float, pno: int) -> list[tuple[float, float, str, int]]:
    """The text lines of a horizontal band of a page: (x0, x1, text, page)."""
    if bottom - top < 1:
        return []
    x0, _, x1, _ = page.bbox
    try:
        band = page.crop((x0, max(top, page.bbox[1]), x1, min(bottom, page.bbox[3])), strict=False)
        lines = band.extract_text_lines()
    except ValueError:
        return []
    out = []
    for ln in lines:
        t = clean(ln["text"])
        if not t or _PAGE_MARK.match(t) or is_spam(t):
            continue
        out.append((float(ln["x0"]), float(ln["x1"]), _join_cjk_spaces(t), pno))
    return out


def _to_table(grid: list[list[str | None]], pno: int, index: int) -> Table:
    rows = []
    for r, row in enumerate(grid):
        cells = []
        for c, v in enumerate(row):
            at = f"page {pno}, table {index}, row {r + 1}, col {c + 1}"
            if v is None:
                cells.append(GridCell("", at, cont=True))
            else:
                cells.append(GridCell(clean(v), at))
        rows.append(cells)
    return Table(rows=rows, at=f"page {pno}, table {index}")
