"""PDF reports as agencies print them from Word: A4, a text layer in the CJK font STSong-Light
(reportlab's built-in CID font, which pdfplumber maps back to Unicode), paragraphs wrapped to the
page width, tables drawn with ruling lines (so pdfplumber's ``find_tables()`` finds them) and merged
cells, long row labels wrapped over two or three lines, the vertical label 三、本年度办理结果 one
character per line, tables running over page breaks without repeating their header, and "- N -"
centred at the bottom of every page.

`write_pdf_image_only` lays the page out the same way and paints it into a bitmap (glyphs from a
bundled CJK font, real ruling lines, JPEG-compressed; optionally photo-like): a PDF with no text
layer, read by OCR.

A small layout engine rather than platypus: it must split merged cells across pages the way Word does
(the cell is closed at the page bottom and reopened at the top, its text continues there), and it is
fast (~20 ms a report).
"""

from __future__ import annotations

import io
import os
import re
from dataclasses import dataclass, field
from pathlib import Path

from .model import Document, Table, build_document, transform
from .spec import ReportSpec

FONT = "STSong-Light"
PAGE_W, PAGE_H = 595.2756, 841.8898  # A4 in points
_registered = False


def _register() -> None:
    global _registered
    if not _registered:
        from reportlab.pdfbase import pdfmetrics
        from reportlab.pdfbase.cidfonts import UnicodeCIDFont

        pdfmetrics.registerFont(UnicodeCIDFont(FONT))
        _registered = True


_WIDTHS: dict[str, float] = {}


def _cw(ch: str) -> float:
    """Advance width of a character at 1 pt."""
    w = _WIDTHS.get(ch)
    if w is None:
        if ord(ch) >= 0x2E80:
            w = 1.0
        else:
            from reportlab.pdfbase import pdfmetrics

            _register()
            w = pdfmetrics.stringWidth(ch, FONT, 1)
        _WIDTHS[ch] = w
    return w


def text_width(s: str, size: float) -> float:
    return sum(_cw(c) for c in s) * size


_NO_START = set("，。、；：？！）》”’〉〕】」』,.;:?!)%")
_NO_END = set("（《“‘〈〔【「『(")
_TOKEN = re.compile(r"[A-Za-z0-9.,:/%@_\-]+|.", re.S)


def wrap(text: str, width: float, size: float, indent: float = 0.0) -> list[str]:
    """Break text into lines no wider than `width` (ASCII runs kept whole, simple kinsoku)."""
    lines: list[str] = []
    for para in text.split("\n"):
        cur = ""
        cur_w = indent if not lines else 0.0
        avail = width
        for tok in _TOKEN.findall(para):
            tw = text_width(tok, size)
            if cur and cur_w + tw > avail + 0.01:
                if tok[0] in _NO_START and len(tok) == 1:
                    cur += tok  # hang the punctuation at the line end, as Word does
                    lines.append(cur)
                    cur, cur_w = "", 0.0
                    continue
                if cur[-1] in _NO_END and len(cur) > 1:
                    tail = cur[-1]
                    lines.append(cur[:-1])
                    cur, cur_w = tail, text_width(tail, size)
                else:
                    lines.append(cur)
                    cur, cur_w = "", 0.0
                if tw > avail and len(tok) > 1:  # an ASCII run longer than the line: break it
                    for ch in tok:
                        cw = _cw(ch) * size
                        if cur and cur_w + cw > avail:
                            lines.append(cur)
                            cur, cur_w = "", 0.0
                        cur += ch
                        cur_w += cw
                    continue
            cur += tok
            cur_w += tw
        lines.append(cur)
    return lines


# ------------------------------------------------------------------------------------------------
# Page ops


@dataclass
class Page:
    texts: list[tuple[float, float, float, str]] = field(default_factory=list)  # x, baseline, size, s
    lines: set[tuple[float, float, float, float]] = field(default_factory=set)


@dataclass
class Style:
    margin_l: float = 79.0
    margin_r: float = 79.0
    margin_t: float = 72.0
    margin_b: float = 72.0
    title_size: float = 20.0
    body_size: float = 14.0
    body_leading: float = 25.0
    heading_size: float = 14.5
    table_size: float = 9.0
    table_leading: float = 12.0
    cell_pad_h: float = 2.5
    cell_pad_v: float = 4.0
    row_min_h: float = 24.0
    footer_size: float = 12.0


class Layout:
    def __init__(self, style: Style):
        self.s = style
        self.pages: list[Page] = [Page()]
        self.y = PAGE_H - style.margin_t
        self.left = style.margin_l
        self.width = PAGE_W - style.margin_l - style.margin_r

    @property
    def bottom(self) -> float:
        return self.s.margin_b

    def new_page(self) -> None:
        self.pages.append(Page())
        self.y = PAGE_H - self.s.margin_t

    def page(self) -> Page:
        return self.pages[-1]

    # -- paragraphs ------------------------------------------------------------------------------
    def paragraph(
        self,
        text: str,
        size: float,
        leading: float,
        *,
        indent_chars: float = 2.0,
        align: str = "left",
        space_after: float = 0.0,
    ) -> None:
        indent = indent_chars * size if align == "left" else 0.0
        lines = wrap(text, self.width, size, indent)
        for i, ln in enumerate(lines):
            if self.y - leading < self.bottom:
                self.new_page()
            base = self.y - leading + (leading - size) / 2 + size * 0.18
            w = text_width(ln, size)
            if align == "center":
                x = self.left + (self.width - w) / 2
            elif align == "right":
                x = self.left + self.width - w
            else:
                x = self.left + (indent if i == 0 else 0.0)
            if ln:
                self.page().texts.append((x, base, size, ln))
            self.y -= leading
        self.y -= space_after

    def space(self, h: float) -> None:
        self.y -= h
        if self.y < self.bottom:
            self.new_page()

    # -- tables ----------------------------------------------------------------------------------
    def table(self, table: Table, *, force_split: bool = False, split_row: int | None = None) -> None:
        s = self.s
        size, lead = s.table_size, s.table_leading
        weights = table.col_weights or (1.0,) * table.width
        unit = self.width / sum(weights)
        xs = [self.left]
        for w in weights:
            xs.append(xs[-1] + w * unit)
        rows = table.rows
        n = len(rows)
        cell_lines: dict[tuple[int, int], list[str]] = {}
        cell_size: dict[tuple[int, int], float] = {}
        heights = [s.row_min_h] * n
        for ri, row in enumerate(rows):
            for cell in row.cells:
                inner = xs[cell.col + cell.cs] - xs[cell.col] - 2 * s.cell_pad_h
                fs = size
                if cell.cid is not None and cell.text and "\n" not in cell.text:
                    # values stay on one line: shrink the font rather than break a number
                    while text_width(cell.text, fs) > inner and fs > 5:
                        fs -= 0.5
                    lines = [cell.text]
                elif cell.rs > 1 and cell.cs == 1 and inner < 2.6 * size:
                    lines = _vertical(cell.text)
                else:
                    lines = wrap(cell.text, inner, fs) if cell.text else []
                cell_lines[(ri, cell.col)] = lines
                cell_size[(ri, cell.col)] = fs
                if cell.rs == 1:
                    heights[ri] = max(heights[ri], len(lines) * lead + 2 * s.cell_pad_v)
        for ri, row in enumerate(rows):
            for cell in row.cells:
                if cell.rs > 1:
                    need = len(cell_lines[(ri, cell.col)]) * lead + 2 * s.cell_pad_v
                    have = sum(heights[ri : ri + cell.rs])
                    if need > have:
                        heights[ri + cell.rs - 1] += need - have
        # paginate rows (never split a row; headers are not repeated)
        top_y = PAGE_H - s.margin_t

        def paginate(split_at: int | None):
            y, p = self.y, len(self.pages) - 1
            pages, tops = [0] * n, [0.0] * n
            for ri in range(n):
                first_on_page = y >= top_y - 0.01
                if (y - heights[ri] < self.bottom and not first_on_page) or ri == split_at:
                    p += 1
                    y = top_y
                pages[ri], tops[ri] = p, y
                y -= heights[ri]
            return pages, tops, y

        row_page, row_top, end_y = paginate(split_row)
        if force_split and split_row is None and n >= 10 and row_page[0] == row_page[-1]:
            row_page, row_top, end_y = paginate(max(1, n // 2))
        while len(self.pages) - 1 < row_page[-1]:
            self.pages.append(Page())
        self.y = end_y
        # draw cells, a segment per page
        for ri, row in enumerate(rows):
            for cell in row.cells:
                x0, x1 = xs[cell.col], xs[cell.col + cell.cs]
                segs: list[list] = []  # [page, top, bottom]
                for r in range(ri, min(n, ri + cell.rs)):
                    p, top, bot = row_page[r], row_top[r], row_top[r] - heights[r]
                    if segs and segs[-1][0] == p:
                        segs[-1][2] = bot
                    else:
                        segs.append([p, top, bot])
                lines = cell_lines[(ri, cell.col)]
                fs = cell_size[(ri, cell.col)]
                # distribute the text over the segments by capacity
                assigned: list[list[str]] = []
                rest = list(lines)
                for k, (p, top, bot) in enumerate(segs):
                    if k == len(segs) - 1:
                        take = len(rest)
                    else:
                        cap = int((top - bot - 2 * s.cell_pad_v) // lead)
                        take = min(len(rest), max(0, cap))
                    assigned.append(rest[:take])
                    rest = rest[take:]
                center = cell.cid is not None or row.header or cell.rs > 1 or table.key == "T4"
                for (p, top, bot), seg_lines in zip(segs, assigned):
                    page = self.pages[p]
                    page.lines.update({(x0, top, x1, top), (x0, bot, x1, bot), (x0, bot, x0, top), (x1, bot, x1, top)})
                    if not seg_lines:
                        continue
                    block_h = len(seg_lines) * lead
                    y = (top + bot) / 2 + block_h / 2
                    for ln in seg_lines:
                        base = y - lead + (lead - fs) / 2 + fs * 0.18
                        if center:
                            x = x0 + (x1 - x0 - text_width(ln, fs)) / 2
                        else:
                            x = x0 + s.cell_pad_h
                        if ln:
                            page.texts.append((round(x, 2), round(base, 2), fs, ln))
                        y -= lead


def _vertical(text: str) -> list[str]:
    """One character per line, an ordinal such as 三、 kept on the first line."""
    text = text.replace("\n", "")
    m = re.match(r"^([一二三四五六七八九十]+[、.．])", text)
    head = [m.group(1)] if m else []
    rest = text[len(m.group(1)) :] if m else text
    return head + list(rest)


# ------------------------------------------------------------------------------------------------


def layout_document(
    spec: ReportSpec,
    *,
    style: Style | None = None,
    signature: bool = True,
    t3_split: bool = True,
    t3_split_row: int | None = None,
    doc: Document | None = None,
    **doc_options,
) -> Layout:
    """Lay the report out into pages of positioned text and ruling lines."""
    st = style or Style()
    if doc is None:
        doc = build_document(spec, meta_lines=False, **doc_options)
    L = Layout(st)
    for b in doc.blocks:
        if b.kind == "title":
            L.paragraph(b.text, st.title_size, st.title_size * 1.6, align="center", space_after=st.body_leading * 0.5)
        elif b.kind == "heading":
            if L.y - 3 * st.body_leading < L.bottom:  # keep the heading with what follows
                L.new_page()
            L.paragraph(b.text, st.heading_size, st.body_leading, indent_chars=2)
        elif b.kind in ("para", "spam"):
            L.paragraph(b.text, st.body_size, st.body_leading, indent_chars=2)
        elif b.kind == "table":
            L.space(4)
            is_t3 = b.key == "T3" and b.table.key == "T3"
            L.table(b.table, force_split=t3_split and is_t3, split_row=t3_split_row if is_t3 else None)
            L.space(8)
    if signature:
        L.space(st.body_leading)
        L.paragraph(transform(spec.agency, False, spec.traditional), st.body_size, st.body_leading, align="right")
        if spec.published_on:
            y, m, d = spec.published_date().split("-")
            L.paragraph(f"{int(y)}年{int(m)}月{int(d)}日", st.body_size, st.body_leading, align="right")
    return L


def _draw_footer(c, i: int, size: float) -> None:
    num = str(i)
    wn = text_width(num, size)
    wd = text_width("-", size)
    gap = size * 0.5
    cx = PAGE_W / 2
    y = 40
    c.drawString(cx - wn / 2, y, num)
    c.drawString(cx - wn / 2 - gap - wd, y, "-")
    c.drawString(cx + wn / 2 + gap, y, "-")


def render_pdf(spec: ReportSpec, *, style: Style | None = None, **options) -> bytes:
    """The PDF as bytes (options: signature, t3_split, t3_split_row, headings, org_subtotal,
    subtotal_first, ascii_punct)."""
    from reportlab.pdfgen import canvas

    _register()
    L = layout_document(spec, style=style, **options)
    st = L.s
    buf = io.BytesIO()
    c = canvas.Canvas(buf, pagesize=(PAGE_W, PAGE_H), pageCompression=1, invariant=1)
    c.setTitle(transform(spec.title or f"{spec.agency}{spec.year}年政府信息公开工作年度报告", False, spec.traditional))
    c.setAuthor(transform(spec.agency, False, spec.traditional))
    c.setCreator("Microsoft Word")
    for i, page in enumerate(L.pages, 1):
        c.setLineWidth(0.6)
        for x0, y0, x1, y1 in sorted(page.lines):
            c.line(x0, y0, x1, y1)
        cur = None
        for x, y, size, s in page.texts:
            if size != cur:
                c.setFont(FONT, size)
                cur = size
            c.drawString(x, y, s)
        c.setFont(FONT, st.footer_size)
        _draw_footer(c, i, st.footer_size)
        c.showPage()
    c.save()
    return buf.getvalue()


def write_pdf(spec: ReportSpec, path: str | os.PathLike, **options) -> None:
    data = render_pdf(spec, **options)
    with open(path, "wb") as f:
        f.write(data)


# ------------------------------------------------------------------------------------------------
# Image-only PDF (no text layer): a scan, or photographs of the printed pages

FONT_FILE = Path(__file__).parent / "fonts" / "NotoSerifSC-Regular-subset.otf"


def _page_image(page: Page, page_no: int, dpi: int, footer_size: float):
    """The page as a grayscale bitmap: the same layout as the PDF (positions, advances, ruling
    lines), glyphs drawn with a bundled CJK font (Noto Serif CJK SC, subset to the characters the
    generator writes), so OCR can read it as it reads a scanned report."""
    from PIL import Image, ImageDraw, ImageFont

    k = dpi / 72.0
    W, H = int(PAGE_W * k), int(PAGE_H * k)
    img = Image.new("L", (W, H), 255)
    d = ImageDraw.Draw(img)
    for x0, y0, x1, y1 in sorted(page.lines):
        d.line([(x0 * k, H - y0 * k), (x1 * k, H - y1 * k)], fill=0, width=max(1, round(0.6 * k)))
    fonts: dict[int, object] = {}

    def font(px: int):
        f = fonts.get(px)
        if f is None:
            f = fonts[px] = ImageFont.truetype(str(FONT_FILE), px)
        return f

    items = list(page.texts)
    num = str(page_no)
    items.append((PAGE_W / 2 - text_width(f"- {num} -", footer_size) / 2, 40, footer_size, f"- {num} -"))
    for x, y, size, s in items:
        f = font(max(6, round(size * k)))
        cx = x * k
        base = H - y * k
        for ch in s:
            if not ch.isspace():
                d.text((cx, base), ch, fill=0, font=f, anchor="ls")
            cx += _cw(ch) * size * k
    return img


def _photo(img, seed: int):
    """A phone photo of the printed page: slightly turned, unevenly lit, a little soft and grainy."""
    import random

    import numpy as np
    from PIL import Image, ImageFilter

    rng = random.Random(seed)
    angle = rng.choice((-1, 1)) * rng.uniform(0.6, 1.8)
    img = img.rotate(angle, resample=Image.BICUBIC, expand=False, fillcolor=255)
    img = img.filter(ImageFilter.GaussianBlur(0.7))
    a = np.asarray(img, dtype=np.float32)
    h, w = a.shape
    yy, xx = np.mgrid[0:h, 0:w].astype(np.float32)
    light = 0.78 + 0.22 * (1 - ((xx / w - rng.uniform(0.3, 0.7)) ** 2 + (yy / h - rng.uniform(0.2, 0.5)) ** 2))
    noise = np.random.default_rng(seed).normal(0, 5, a.shape).astype(np.float32)
    a = np.clip(a * light + noise, 0, 255).astype(np.uint8)
    return Image.fromarray(a, "L")


def render_pdf_image_only(
    spec: ReportSpec, *, dpi: int = 200, photo: bool = False, quality: int = 70, style: Style | None = None, **options
) -> bytes:
    """A scanned-looking PDF: each page one JPEG bitmap, no text layer at all. With `photo`, the
    pages look photographed (turned by 0.6-1.8°, uneven light, grain). Deterministic: the same spec
    and options give the same bytes."""
    import hashlib

    from reportlab.lib.utils import ImageReader
    from reportlab.pdfgen import canvas

    L = layout_document(spec, style=style, **options)
    buf = io.BytesIO()
    c = canvas.Canvas(buf, pagesize=(PAGE_W, PAGE_H), pageCompression=1, invariant=1)
    c.setCreator("Scanner")
    seed = int(hashlib.sha1(f"{spec.agency}|{spec.year}".encode()).hexdigest()[:8], 16)
    for i, page in enumerate(L.pages, 1):
        img = _page_image(page, i, dpi, L.s.footer_size)
        if photo:
            img = _photo(img, seed + i)
        jpeg = io.BytesIO()
        img.save(jpeg, "JPEG", quality=quality - (10 if photo else 0))
        jpeg.seek(0)
        c.drawImage(ImageReader(jpeg), 0, 0, width=PAGE_W, height=PAGE_H)
        c.showPage()
    c.save()
    return buf.getvalue()


def render_page_images(
    spec: ReportSpec, *, dpi: int = 150, photo: bool = True, quality: int = 70, style: Style | None = None, **options
) -> list[tuple[str, bytes]]:
    """The pages as image files, as they reach an office by e-mail: (suffix, bytes) per page, the
    pages JPEG photos (with `photo`), the last page a PNG from a scanner (clean: a photo's grain
    would make a PNG ten times larger); no resolution stated in the files. Deterministic: the same
    spec and options give the same bytes."""
    import hashlib

    L = layout_document(spec, style=style, **options)
    seed = int(hashlib.sha1(f"{spec.agency}|{spec.year}".encode()).hexdigest()[:8], 16)
    out = []
    for i, page in enumerate(L.pages, 1):
        img = _page_image(page, i, dpi, L.s.footer_size)
        last = i == len(L.pages) and i > 1
        if photo and not last:
            img = _photo(img, seed + i)
        buf = io.BytesIO()
        if last:
            img.save(buf, "PNG", optimize=False)
            out.append((".png", buf.getvalue()))
        else:
            img.save(buf, "JPEG", quality=quality - (10 if photo else 0))
            out.append((".jpg", buf.getvalue()))
    return out


def write_pdf_image_only(spec: ReportSpec, path: str | os.PathLike, **options) -> None:
    data = render_pdf_image_only(spec, **options)
    with open(path, "wb") as f:
        f.write(data)
