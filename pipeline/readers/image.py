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

The model is loaded once per process, lazily (a worker of the read pool loads its own). Nothing is
fetched from the network. A report that takes longer than `NIANBAO_OCR_SECONDS` (default 300) is
stopped and set aside with that reason.
"""

from __future__ import annotations

import os
import time
from dataclasses import dataclass
from io import BytesIO

from ..model import Document, GridCell, Table, UnreadableFile
from ..structure import is_spam
from ..textnorm import clean

PDF_DPI = 200  # scans are rasterised at this resolution: 10-pt text is ~28 px high
MAX_ANGLE = 5.0
PT = 72.0

_ENGINE = None


def engine():
    """The OCR model of this process, loaded on first use (one per worker process)."""
    global _ENGINE
    if _ENGINE is None:
        try:
            from rapidocr_onnxruntime import RapidOCR
        except ImportError as e:  # pragma: no cover - the dependency is declared
            raise UnreadableFile(
                f"the report is an image and needs OCR, but the OCR package is not installed ({e})")
        threads = int(os.environ.get("NIANBAO_OCR_THREADS", "1"))
        eng = RapidOCR(intra_op_num_threads=threads, inter_op_num_threads=1, print_verbose=False)
        eng.text_det.limit_type = "max"
        eng.text_rec.rec_batch_num = 1
        _ENGINE = eng
    return _ENGINE


def time_budget() -> float:
    try:
        return float(os.environ.get("NIANBAO_OCR_SECONDS", "300"))
    except ValueError:
        return 300.0


class Budget:
    def __init__(self, name: str, pages: int):
        self.start = time.perf_counter()
        self.limit = time_budget()
        self.pages = pages

    def check(self, pno: int) -> None:
        spent = time.perf_counter() - self.start
        if spent > self.limit:
            raise UnreadableFile(
                f"OCR was stopped after {spent:.0f} s at page {pno} of {self.pages}: reading this scan would "
                f"take longer than the {self.limit:.0f} s allowed (NIANBAO_OCR_SECONDS); it is set aside")


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


def read_image(data: bytes, name: str) -> Document:
    """A .png/.jpg/.tif file: one page, or several for a multi-page TIFF."""
    return read_images([data], name)


def read_images(images: list[bytes], name: str, kind: str = "image") -> Document:
    budget = Budget(name, len(images))
    pages = []
    pno = 0
    for data in images:
        for gray, dpi in _decode(data):
            pno += 1
            pages.append(read_page(gray, dpi, pno))
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
    except (UnidentifiedImageError, OSError) as e:
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
    keep = [i for i, (x, y, bw, bh) in enumerate(vboxes)
            if _touches(hboxes, x + bw / 2, y, tol) and _touches(hboxes, x + bw / 2, y + bh, tol)]
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
        blank[max(0, int(t0 / s) - 3):int(b0 / s) + 4, max(0, int(x0 / s) - 3):int(x1 / s) + 4] = 255
    lines = _page_text(blank, dpi)
    return PageRead(pno, dpi, angle, h * s, tables, lines)


def deskew(gray):
    """Rotate the page so its text rows and ruling lines are level (angle found within ±5°)."""
    import cv2
    import numpy as np

    h, w = gray.shape
    f = min(1.0, 900.0 / max(h, w))
    small = cv2.resize(gray, (max(1, int(w * f)), max(1, int(h * f))), interpolation=cv2.INTER_AREA)
    _, b = cv2.threshold(small, 0, 255, cv2.THRESH_BINARY_INV + cv2.THRESH_OTSU)
    if b.mean() < 0.5:
        return gray, 0.0
    sh, sw = b.shape
    centre = (sw / 2, sh / 2)

    def score(a: float) -> float:
        m = cv2.getRotationMatrix2D(centre, a, 1.0)
        r = cv2.warpAffine(b, m, (sw, sh), flags=cv2.INTER_NEAREST, borderValue=0)
        prof = r.sum(axis=1, dtype=np.float64)
        return float(np.square(np.diff(prof)).sum())

    coarse = [a / 4 for a in range(-int(MAX_ANGLE * 4), int(MAX_ANGLE * 4) + 1)]
    best = max(coarse, key=score)
    fine = [best + d / 40 for d in range(-10, 11)]
    best = max(fine, key=score)
    if abs(best) < 0.1:
        return gray, 0.0
    m = cv2.getRotationMatrix2D((w / 2, h / 2), best, 1.0)
    out = cv2.warpAffine(gray, m, (w, h), flags=cv2.INTER_LINEAR, borderValue=255)
    return out, best


def binarise(gray, dpi: float):
    import cv2

    block = int(dpi * 0.2) | 1
    return cv2.adaptiveThreshold(gray, 255, cv2.ADAPTIVE_THRESH_MEAN_C, cv2.THRESH_BINARY_INV, block, 15)


def ruling_lines(ink, dpi: float):
    """Masks of the horizontal and vertical ruling lines: ink that survives an opening with a
    kernel longer than any character stroke."""
    import cv2
    import numpy as np

    bridge = max(2, int(dpi * 0.012))
    hk = max(20, int(dpi * 0.35))
    vk = max(12, int(dpi * 0.18))
    hclosed = cv2.morphologyEx(ink, cv2.MORPH_CLOSE, np.ones((1, bridge), np.uint8))
    vclosed = cv2.morphologyEx(ink, cv2.MORPH_CLOSE, np.ones((bridge, 1), np.uint8))
    hmask = cv2.morphologyEx(hclosed, cv2.MORPH_OPEN, cv2.getStructuringElement(cv2.MORPH_RECT, (hk, 1)))
    vmask = cv2.morphologyEx(vclosed, cv2.MORPH_OPEN, cv2.getStructuringElement(cv2.MORPH_RECT, (1, vk)))
    return hmask, vmask


def _boxes(mask):
    """Bounding boxes (x, y, w, h) of the connected components of a mask, and the label image."""
    import cv2

    n, labels, stats, _ = cv2.connectedComponentsWithStats(mask, connectivity=8)
    return [(int(stats[i, 0]), int(stats[i, 1]), int(stats[i, 2]), int(stats[i, 3])) for i in range(1, n)], labels


def _touches(hboxes, x: float, y: float, tol: int) -> bool:
    return any(hx - tol <= x <= hx + hw + tol and hy - tol <= y <= hy + hh + tol for hx, hy, hw, hh in hboxes)


# ----------------------------------------------------------------------------------------------
# Cells


def _read_table(group, gray, ink, dpi: float, pno: int):
    s = PT / dpi
    xs = sorted({c.x0 for c in group} | {c.x1 for c in group})
    ys = sorted({c.top for c in group} | {c.bottom for c in group})
    xi = {x: i for i, x in enumerate(xs)}
    yi = {y: i for i, y in enumerate(ys)}
    owner: dict[tuple[int, int], tuple[int, int]] = {}
    boxes: dict[tuple[int, int], tuple[int, int, int, int]] = {}
    for c in group:
        r0, r1, k0, k1 = yi[c.top], yi[c.bottom], xi[c.x0], xi[c.x1]
        for r in range(r0, r1):
            for k in range(k0, k1):
                owner[(r, k)] = (r0, k0)
        boxes[(r0, k0)] = (int(round(c.x0 / s)), int(round(c.top / s)), int(round(c.x1 / s)),
                           int(round(c.bottom / s)))
    texts = recognise_cells(list(boxes.values()), gray, ink, dpi)
    read = dict(zip(boxes.keys(), texts))
    rows: list[list[GridCell]] = []
    for r in range(len(ys) - 1):
        row = []
        for k in range(len(xs) - 1):
            o = owner.get((r, k))
            if o is None or o != (r, k):
                row.append(GridCell("", f"page {pno}, row {r + 1}, col {k + 1}", cont=True, read_by="ocr"))
                continue
            x0, y0, x1, y1 = boxes[o]
            text, conf = read[o]
            text = snap_label(clean(text))
            row.append(GridCell(text, f"page {pno}, box {x0},{y0},{x1},{y1} px at {dpi:.0f} dpi",
                                read_by="ocr", confidence=round(conf, 3)))
        rows.append(row)
    return (xs[0], ys[0], xs[-1], ys[-1]), rows


_LABEL_LISTS = ("t2_rows", "t2_columns", "t3_rows", "t3_columns", "t3_row_groups", "t4_groups", "t4_columns",
                "t2v2019_rows", "t2v2019_columns")


def _label_candidates():
    global _CANDIDATES
    if _CANDIDATES is None:
        import re as _re

        from ..codebook import codebook
        from ..textnorm import norm_label

        cb = codebook()
        entries = [e for name in _LABEL_LISTS for e in getattr(cb, name)]
        cands: set[str] = set()
        for e in entries:
            for part in [e.label] + _re.split(r"\s+", e.label):
                n = norm_label(part)
                if len(n) >= 4:
                    cands.add(n)
        patterns = [p for e in entries for p in e.patterns] + list(cb.t3_org_group) + list(cb.t3_headers) \
            + list(cb.t2_headers) + list(cb.t4_supergroup)
        _CANDIDATES = (patterns, sorted(cands))
    return _CANDIDATES


_CANDIDATES = None


def snap_label(text: str) -> str:
    """A label cell OCR misread by a character or two ("本机关不学握相关政府信息") is replaced by the
    codebook label it is closest to, keeping its ordinal ("1."). Only text that matches no codebook
    label as read, is long enough to be told apart, and is at least 80 % the same is changed; numbers
    and short cells never are."""
    import difflib
    import re

    from ..textnorm import norm_label

    m = re.match(r"^(\d{1,2})([\u4e00-\u9fff]{3,}.*)$", text)
    if m:  # the dot of an ordinal lost: "2重复申请" is "2.重复申请"
        text = f"{m.group(1)}.{m.group(2)}"
    if len(text) < 5 or len(text) > 60 or sum(1 for ch in text if "\u4e00" <= ch <= "\u9fff") < 4:
        return text
    n = norm_label(text)
    patterns, cands = _label_candidates()
    if len(n) < 4 or any(p.search(n) for p in patterns):
        return text
    best, score = None, 0.0
    for c in cands:
        if abs(len(c) - len(n)) > max(2, len(n) // 4) or c in n or n in c:
            continue  # a longer or shorter label is another label, not a misreading
        r = difflib.SequenceMatcher(None, n, c).ratio()
        if r > score:
            best, score = c, r
    if best is None or score < 0.8:
        return text
    prefix = text[:len(text) - len(text.lstrip("0123456789.、一二三四五六七八九十（）()．")) or 0]
    return prefix + best


def recognise_cells(boxes, gray, ink, dpi: float) -> list[tuple[str, float]]:
    """(text, confidence) for each cell box (x0, y0, x1, y1 in pixels). A cell without ink is ""
    with confidence 1 and no recognition is run."""
    import numpy as np

    inset = max(3, int(dpi * 0.02))
    min_ink = max(6, int((dpi / 100) ** 2 * 4))
    bands_of: list[list[tuple[int, int, int, int]]] = []
    heights: list[int] = []
    subs: list = []
    for x0, y0, x1, y1 in boxes:
        a0, b0, a1, b1 = x0 + inset, y0 + inset, x1 - inset, y1 - inset
        if a1 <= a0 or b1 <= b0:
            bands_of.append([])
            continue
        sub = ink[b0:b1, a0:a1]
        if int(np.count_nonzero(sub)) < min_ink:
            bands_of.append([])
            continue
        rows = np.count_nonzero(sub, axis=1) > 0
        bands = _runs(rows)
        out = []
        for t, b in bands:
            cols = np.flatnonzero(np.count_nonzero(sub[t:b], axis=0))
            if cols.size == 0:
                continue
            out.append((a0 + int(cols[0]), b0 + t, a0 + int(cols[-1]) + 1, b0 + b))
        bands_of.append(out)
        subs.append((len(bands_of) - 1, sub))
        heights += [bb - tt for _, tt, _, bb in out if bb - tt >= dpi * 0.05]
    char_h = float(np.median(heights)) if heights else dpi * 0.13
    crops = []
    owners = []
    lines = []
    ink_of = dict(subs)
    for i, bands in enumerate(bands_of):
        bx0, by0, bx1, by1 = boxes[i]
        inner = (bx0 + inset, by0 + inset, bx1 - inset, by1 - inset)
        for x0, y0, x1, y1 in _merge_bands(bands, char_h):
            if (y1 - y0) * (x1 - x0) < min_ink:
                continue
            crops.append(_crop(gray, (x0, y0, x1, y1), inner, char_h))
            owners.append(i)
            lines.append(((x0, y0, x1, y1), inner))
    results: list[list[tuple[str, float]]] = [[] for _ in boxes]
    if crops:
        rec = recognise(crops)
        # a line the model returned nothing for is tried once more with a wider white margin
        again = [k for k, (t, _) in enumerate(rec) if not t.strip()]
        if again:
            retry = recognise([_crop(gray, lines[k][0], lines[k][1], char_h, margin=2.5) for k in again])
            for k, r in zip(again, retry):
                if r[0].strip():
                    rec[k] = r
        for i, (text, score) in zip(owners, rec):
            results[i].append((text, float(score)))
    out = []
    for i, ((x0, y0, x1, y1), bands, got) in enumerate(zip(boxes, bands_of, results)):
        if not bands:
            out.append(("", 1.0))
            continue
        kept = [(t.strip(), sc) for t, sc in got if t.strip()]
        if len(kept) == 1 and kept[0][0] in _ZERO_READINGS and kept[0][1] < ZERO_CONFIRMED \
                and _zero_shape(ink_of.get(i)):
            # a lone "0" is the model's weak spot (confidence 0.5-0.9, or read as "o", "。"): the glyph's
            # shape confirms it (one ring, its hole centred and at least half its height)
            kept = [("0", ZERO_CONFIRMED)]
        if not kept:
            # ink but nothing recognised: a stain, a stamp, a stroke; never a number
            out.append(("", min((sc for _, sc in got), default=0.0)))
            continue
        out.append(("\n".join(t for t, _ in kept), min(sc for _, sc in kept)))
    return out


_ZERO_READINGS = {"0", "O", "o", "D", "Q", "〇", "○", "。", "()", "（）"}
ZERO_CONFIRMED = 0.95


def _zero_shape(sub) -> bool:
    """True when the ink of a cell is one glyph shaped like a zero: a single ring whose hole is
    centred, at least half the glyph's height, and taller than wide overall."""
    if sub is None:
        return False
    import cv2

    cnts, hier = cv2.findContours(sub.copy(), cv2.RETR_CCOMP, cv2.CHAIN_APPROX_SIMPLE)
    if hier is None or not cnts:
        return False
    areas = [cv2.contourArea(c) for c in cnts]
    big = max(areas)
    outer = [i for i in range(len(cnts)) if hier[0][i][3] == -1 and areas[i] >= big * 0.05]
    if len(outer) != 1:
        return False
    o = outer[0]
    holes = [i for i in range(len(cnts)) if hier[0][i][3] == o and areas[i] >= big * 0.02]
    if len(holes) != 1:
        return False
    x, y, w, h = cv2.boundingRect(cnts[o])
    hx, hy, hw, hh = cv2.boundingRect(cnts[holes[0]])
    # an oval hole (area near π/4 of its box), not the triangle of a "4" or the loop of a "6"/"9"
    if areas[holes[0]] < 0.55 * hw * hh:
        return False
    return (h >= 1.15 * w and hh >= 0.5 * h and hw >= 0.3 * w
            and abs((hy + hh / 2) - (y + h / 2)) <= 0.12 * h and abs((hx + hw / 2) - (x + w / 2)) <= 0.15 * w)


def recognise(crops) -> list[tuple[str, float]]:
    """Recognition of text-line crops (BGR). Crops are batched by width, each padded to its own
    width class, so a crop reads the same whatever else is on the page; a lone digit is padded to
    160 px (narrower, the model drops it)."""
    import math

    rec = engine().text_rec
    out: list[tuple[str, float]] = [("", 0.0)] * len(crops)
    classes: dict[int, list[int]] = {}
    for i, c in enumerate(crops):
        width = 48 * c.shape[1] / max(1, c.shape[0])
        classes.setdefault(max(160, int(math.ceil(width / 80.0)) * 80), []).append(i)
    for width, idx in sorted(classes.items()):
        rec.rec_image_shape = [3, 48, width]
        rec.rec_batch_num = 1
        res, _ = rec([crops[i] for i in idx])
        for i, r in zip(idx, res):
            out[i] = (r[0], float(r[1]))
    return out


def _runs(flags) -> list[tuple[int, int]]:
    out = []
    start = None
    for i, f in enumerate(flags):
        if f and start is None:
            start = i
        elif not f and start is not None:
            out.append((start, i))
            start = None
    if start is not None:
        out.append((start, len(flags)))
    return out


def _merge_bands(bands, char_h: float):
    """Rows of ink into text lines: the strokes of one line (二, 三, a dot) are joined while the
    joined band stays within a line's height."""
    bands = sorted(bands, key=lambda b: b[1])
    out: list[list[int]] = []
    for x0, y0, x1, y1 in bands:
        if out:
            px0, py0, px1, py1 = out[-1]
            if max(y1, py1) - py0 <= char_h * 1.35 and (y1 - y0 < char_h * 0.75 or py1 - py0 < char_h * 0.75):
                out[-1] = [min(x0, px0), py0, max(x1, px1), max(y1, py1)]
                continue
        out.append([x0, y0, x1, y1])
    # a lone speck far from any text is noise
    return [tuple(b) for b in out if (b[3] - b[1]) >= char_h * 0.2 or (b[2] - b[0]) >= char_h * 0.2]


def _crop(gray, line, inner, char_h: float, margin: float = 1.0):
    """A text line cut from the cell's inside (never its ruling lines), with a white margin."""
    import cv2

    x0, y0, x1, y1 = line
    pad_y = max(3, int(char_h * 0.3 * margin))
    pad_x = max(4, int(char_h * 0.5 * margin))
    a0, b0 = max(inner[0], x0 - pad_y), max(inner[1], y0 - pad_y)
    a1, b1 = min(inner[2], x1 + pad_y), min(inner[3], y1 + pad_y)
    c = gray[b0:b1, a0:a1]
    c = cv2.copyMakeBorder(c, max(0, pad_y - (y0 - b0)), max(0, pad_y - (b1 - y1)), max(0, pad_x - (x0 - a0)),
                           max(0, pad_x - (a1 - x1)), cv2.BORDER_CONSTANT, value=255)
    return cv2.cvtColor(c, cv2.COLOR_GRAY2BGR)


# ----------------------------------------------------------------------------------------------
# Page text outside the tables


def _page_text(gray, dpi: float) -> list[tuple[float, float, float, str]]:
    """Text lines of the page (tables blanked out): detection, recognition, lines in reading order."""
    import cv2
    import numpy as np

    h, w = gray.shape
    if (gray < 128).sum() < 50:
        return []
    f = min(1.0, 1400.0 / max(h, w))
    small = cv2.resize(gray, (int(w * f), int(h * f)), interpolation=cv2.INTER_AREA) if f < 1 else gray
    eng = engine()
    boxes, _ = eng.text_det(cv2.cvtColor(small, cv2.COLOR_GRAY2BGR))
    if boxes is None or len(boxes) == 0:
        return []
    boxes = [np.asarray(b, dtype=np.float32) / f for b in boxes]
    crops, geo = [], []
    for b in boxes:
        x0, y0 = float(b[:, 0].min()), float(b[:, 1].min())
        x1, y1 = float(b[:, 0].max()), float(b[:, 1].max())
        x0, y0, x1, y1 = max(0, int(x0)), max(0, int(y0)), min(w, int(x1) + 1), min(h, int(y1) + 1)
        if x1 - x0 < 4 or y1 - y0 < 4:
            continue
        crops.append(cv2.cvtColor(gray[y0:y1, x0:x1], cv2.COLOR_GRAY2BGR))
        geo.append((x0, y0, x1, y1))
    if not crops:
        return []
    rec = recognise(crops)
    items = [(g, t.strip()) for g, (t, sc) in zip(geo, rec) if t.strip() and sc >= 0.5]
    # boxes on the same line (vertical overlap) joined left to right
    items.sort(key=lambda it: (it[0][1] + it[0][3]) / 2)
    lines: list[list] = []
    for g, t in items:
        cy = (g[1] + g[3]) / 2
        if lines:
            last = lines[-1]
            lg = last[0][0]
            if abs(cy - (lg[1] + lg[3]) / 2) <= (lg[3] - lg[1]) * 0.5:
                last.append((g, t))
                continue
        lines.append([(g, t)])
    s = PT / dpi
    out = []
    for ln in lines:
        ln.sort(key=lambda it: it[0][0])
        text = "".join(t for _, t in ln)
        x0 = min(g[0] for g, _ in ln)
        x1 = max(g[2] for g, _ in ln)
        cy = sum((g[1] + g[3]) / 2 for g, _ in ln) / len(ln)
        out.append((x0 * s, x1 * s, cy * s, text))
    return out


# ----------------------------------------------------------------------------------------------
# Pages into a document


def assemble(kind: str, pages: list[PageRead], meta: dict) -> Document:
    from .pdf import _flush, _is_data_table

    blocks: list = []
    pending: list[tuple[float, float, str, int]] = []
    margins: list[tuple[float, float]] = []
    n_tables = 0
    for page in pages:
        tables = [(bbox, grid) for bbox, grid in page.tables
                  if _is_data_table([[None if c.cont else c.text for c in row] for row in grid])]
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
    from .pdf import _PAGE_MARK, _join_cjk_spaces

    out = []
    for x0, x1, cy, text in page.lines:
        if not (top <= cy < bottom):
            continue
        t = clean(text)
        if not t or _PAGE_MARK.match(t) or is_spam(t):
            continue
        out.append((x0, x1, _join_cjk_spaces(t), page.pno))
    return out


