"""Scanned and photographed reports: OCR on this machine (RapidOCR, PP-OCRv4 models inside the wheel).

Whole-page OCR misses lone digits and reads "1" as "I", so tables are not read as page text:
  1. each page image is de-skewed (the angle, up to ±5°, that makes the rows of ink sharpest);
  2. the table grid comes from the image's own ruling lines (binarised image, morphological opening
     with long horizontal and vertical kernels, line segments), rebuilt into cells by the same code
     that rebuilds PDF tables from vector lines (`pdfgrid.table_cells`), merged cells included;
  3. every cell is recognised on its own: a cell without ink is blank (EMPTY, no recognition run);
     otherwise its text lines (rows of ink) are cropped with the ruling lines wiped out and given
     to the recognition model; the cell keeps the lowest confidence of its lines;
  4. text outside the tables (title, agency, period, sections) comes from detection + recognition
     on the page with the tables blanked out, in reading order, as paragraphs.
The `Document` then goes through the one mapper like every other reader. Cells carry
`read_by="ocr"`, their confidence, and page and box (pixels at the stated dpi) in `at`.

Steps 1-2 are in `imagegrid.py`, 3-4 in `imagetext.py` (recognition, one crop per model call: on
one core a batch costs more per pixel than single crops); a report made of numbered image files
(`报告_1.jpg`, `报告_2.jpg`, …) is grouped by `imagepages.py` and read here from its page 1.

The model is loaded once per process, lazily (a worker of the read pool loads its own). Nothing is
fetched from the network. A report whose OCR takes more than `NIANBAO_OCR_SECONDS` (default 300)
seconds of CPU is stopped and set aside with that reason: CPU time, not the clock, so that whether a
scan is read does not depend on how busy the machine is.
"""

from __future__ import annotations

import time
from dataclasses import dataclass
from io import BytesIO

from ..document import Document, GridCell, Table, UnreadableFile
from ..structure import is_spam
from ..textnorm import clean
from .ocrengine import engine  # noqa: F401  (one OCR model per process; bench and callers reach it here)

PDF_DPI = 200  # scans are rasterised at this resolution: 10-pt text is ~28 px high
PT = 72.0


def time_budget() -> float:
    from ..settings import from_env

    return from_env().ocr_seconds


class Budget:
    def __init__(self, name: str, pages: int):
        self.start = time.process_time()  # this process's CPU: a busy machine does not set a scan aside
        self.limit = time_budget()
        self.pages = pages

    def check(self, pno: int) -> None:
        spent = time.process_time() - self.start
        if spent > self.limit:
            raise UnreadableFile(
                f"OCR was stopped after {spent:.0f} s of CPU at page {pno} of {self.pages}: reading this scan would "
                f"take longer than the {self.limit:.0f} s allowed (NIANBAO_OCR_SECONDS); it is set aside"
            )


# ----------------------------------------------------------------------------------------------
# Entry points


def read_scanned_pdf(data: bytes, name: str) -> Document:
    """A PDF without a text layer: every page rasterised at PDF_DPI and read as an image."""
    import pypdfium2 as pdfium

    pdf = pdfium.PdfDocument(data)
    try:
        n = len(pdf)
        budget = Budget(name, n)
        pages = []
        for i in range(n):
            page = pdf[i]
            try:
                bmp = page.render(scale=PDF_DPI / PT, grayscale=True)
                arr = bmp.to_numpy()
            finally:
                page.close()
            if arr.ndim == 3:
                arr = arr[:, :, 0]
            pages.append(read_page(arr.copy(), PDF_DPI, i + 1))
            del arr
            budget.check(i + 1)
    finally:
        pdf.close()
    return assemble("pdf", pages, {"pages": len(pages), "ocr": True, "dpi": PDF_DPI})


def read_image(data: bytes, name: str, base: str | None = None) -> Document:
    """A .png/.jpg/.tif file: one page, or several for a multi-page TIFF. Page 1 of a report made
    of numbered image files in `base` (`报告_1.jpg`, `报告_2.jpg`, …; readers/imagepages.py) is read
    with its other pages, in page-number order."""
    from pathlib import Path

    from .imagepages import page_group

    pages = page_group(base, Path(name).name) if base else []
    if len(pages) < 2 or pages[0].name != Path(name).name:
        return read_images([data], name)
    images = [data]
    for p in pages[1:]:
        try:
            images.append(p.read_bytes())
        except OSError as e:
            raise UnreadableFile(
                f"page {len(images) + 1} of the report, {p.name}, cannot be opened ({e.strerror or e})"
            )
    doc = read_images(images, name, names=[p.name for p in pages])
    doc.meta["files"] = [p.name for p in pages]
    return doc


def read_images(images: list[bytes], name: str, kind: str = "image", names: list[str] | None = None) -> Document:
    """The pages of a report given as images, in order (`names`: their files, for messages)."""
    budget = Budget(name, len(images))
    pages = []
    pno = 0
    for i, data in enumerate(images):
        decoded = _decode(data)
        while True:
            try:
                got = next(decoded, None)
            except UnreadableFile as e:
                if len(images) < 2:
                    raise
                which = f"image {i + 1} of {len(images)}" + (f" ({names[i]})" if names else "")
                raise UnreadableFile(f"{which}: {e}") from None
            if got is None:
                break
            pno += 1
            pages.append(read_page(got[0], got[1], pno))
            budget.check(pno)
    if not pages:
        raise UnreadableFile("the image is too small to be a page of a report")
    return assemble(kind, pages, {"pages": len(pages), "ocr": True})


def _decode(data: bytes):
    """Grayscale pages and their resolution. Images without a stated resolution are taken to be a
    whole A4 page (the usual scan or photo of a printed page)."""
    import numpy as np
    from PIL import Image, ImageOps, UnidentifiedImageError

    try:
        im = Image.open(BytesIO(data))
    except UnidentifiedImageError:  # its message holds only the buffer's repr
        raise UnreadableFile("the image could not be decoded: not a picture format the reader knows, or damaged")
    except OSError as e:
        raise UnreadableFile(f"the image could not be decoded ({e})")
    frame = 0
    while True:
        try:
            im.seek(frame)
        except EOFError:
            break
        try:
            page = ImageOps.exif_transpose(im.copy()).convert("L")
        except OSError as e:
            raise UnreadableFile(f"the image is damaged or truncated ({e})")
        w, h = page.size
        if min(w, h) < 300:  # an icon or a logo, not a page
            frame += 1
            continue
        dpi = None
        info = im.info.get("dpi")
        if info and info[0] and 72 < float(info[0]) <= 1200:
            dpi = float(info[0])
        if dpi is None or abs(w / dpi - 8.27) > 2.5 and abs(h / dpi - 11.69) > 2.5:
            dpi = min(w, h) / 8.27  # a portrait A4 page
        # recognition is tuned for ~200 dpi; very large photos are scaled down
        if dpi > 320:
            f = 240 / dpi
            page = page.resize((max(1, int(w * f)), max(1, int(h * f))), Image.LANCZOS)
            dpi = 240
        yield np.asarray(page, dtype=np.uint8).copy(), dpi
        frame += 1


# ----------------------------------------------------------------------------------------------
# One page


@dataclass
class PageRead:
    pno: int
    dpi: float
    angle: float
    height: float  # points
    tables: list[tuple[tuple[float, float, float, float], list[list[GridCell]]]]  # bbox in points
    lines: list[tuple[float, float, float, str]]  # (x0, x1, cy) in points, text


def read_page(gray, dpi: float, pno: int) -> PageRead:
    import cv2
    import numpy as np

    from .imagegrid import _boxes, _touches, binarise, deskew, ruling_lines
    from .imagetext import _page_text, _read_table
    from .pdfgrid import table_cells

    gray, angle = deskew(gray)
    h, w = gray.shape
    ink = binarise(gray, dpi)
    hmask, vmask = ruling_lines(ink, dpi)
    s = PT / dpi
    hboxes = _boxes(hmask)[0]
    vboxes, vlabels = _boxes(vmask)
    # a vertical ruling line runs from one horizontal line to another; a tall digit "1" or a long
    # stroke inside a cell does not, and is neither a line nor wiped out
    tol = max(4, int(dpi * 0.03))
    keep = [
        i
        for i, (x, y, bw, bh) in enumerate(vboxes)
        if _touches(hboxes, x + bw / 2, y, tol) and _touches(hboxes, x + bw / 2, y + bh, tol)
    ]
    vmask = (np.isin(vlabels, [i + 1 for i in keep]) * 255).astype(np.uint8) if keep else vmask * 0
    vboxes = [vboxes[i] for i in keep]
    hs = [((y + bh / 2) * s, x * s, (x + bw) * s) for x, y, bw, bh in hboxes]
    vs = [((x + bw / 2) * s, y * s, (y + bh) * s) for x, y, bw, bh in vboxes]
    groups = table_cells(hs, vs)
    tables = []
    blank = gray.copy()
    if groups:
        # inside the cells, the ruling lines are wiped out (a border in a crop reads as "1" or "|")
        lines = cv2.dilate(cv2.bitwise_or(hmask, vmask), np.ones((5, 5), np.uint8))
        cell_ink = cv2.bitwise_and(ink, cv2.bitwise_not(lines))
        cell_gray = gray.copy()
        cell_gray[lines > 0] = 255
    for group in groups:
        tables.append(_read_table(group, cell_gray, cell_ink, dpi, pno))
        x0, t0, x1, b0 = tables[-1][0]
        blank[max(0, int(t0 / s) - 3) : int(b0 / s) + 4, max(0, int(x0 / s) - 3) : int(x1 / s) + 4] = 255
    lines = _page_text(blank, dpi)
    return PageRead(pno, dpi, angle, h * s, tables, lines)


# ----------------------------------------------------------------------------------------------
# Pages into a document


def assemble(kind: str, pages: list[PageRead], meta: dict) -> Document:
    from .pdftext import _flush, _is_data_table

    blocks: list = []
    pending: list[tuple[float, float, str, int]] = []
    margins: list[tuple[float, float]] = []
    n_tables = 0
    for page in pages:
        tables = [
            (bbox, grid)
            for bbox, grid in page.tables
            if _is_data_table([[None if c.cont else c.text for c in row] for row in grid])
        ]
        tables.sort(key=lambda t: t[0][1])
        top = -1.0
        for bbox, grid in tables:
            pending += _band(page, top, bbox[1])
            blocks += _flush(pending, margins)
            n_tables += 1
            for row in grid:
                for c in row:
                    c.at = c.at.replace(f"page {page.pno}, ", f"page {page.pno}, table {n_tables}, ", 1)
            blocks.append(Table(rows=grid, at=f"page {page.pno}, table {n_tables}"))
            top = bbox[3]
        pending += _band(page, top, page.height + 1)
    blocks += _flush(pending, margins)
    meta = dict(meta, angles=[round(p.angle, 2) for p in pages])
    return Document(kind=kind, blocks=blocks, meta=meta)


def _band(page: PageRead, top: float, bottom: float) -> list[tuple[float, float, str, int]]:
    from .pdftext import _PAGE_MARK, _join_cjk_spaces

    out = []
    for x0, x1, cy, text in page.lines:
        if not (top <= cy < bottom):
            continue
        t = clean(text)
        if not t or _PAGE_MARK.match(t) or is_spam(t):
            continue
        out.append((x0, x1, _join_cjk_spaces(t), page.pno))
    return out
