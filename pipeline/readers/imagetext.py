"""Text recognition of a page image (readers/image.py): each table cell recognised on its own
(crop -> recognition model), labels snapped to the codebook's, and the text outside the tables
from detection + recognition in reading order."""

from __future__ import annotations

from ..document import GridCell
from ..textnorm import clean

PT = 72.0
# text detection runs on the page scaled to this longest side (~95 dpi for A4: body text is found
# as well as at 1400, for half the cost; recognition still reads the full-resolution crops)
DET_SIDE = 1100.0
SKIP_ZERO_SHAPES = True


def engine():
    from .ocrengine import engine as _engine

    return _engine()


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
        boxes[(r0, k0)] = (int(round(c.x0 / s)), int(round(c.top / s)), int(round(c.x1 / s)), int(round(c.bottom / s)))
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
            row.append(
                GridCell(
                    text,
                    f"page {pno}, box {x0},{y0},{x1},{y1} px at {dpi:.0f} dpi",
                    read_by="ocr",
                    confidence=round(conf, 3),
                )
            )
        rows.append(row)
    return (xs[0], ys[0], xs[-1], ys[-1]), rows


_LABEL_LISTS = (
    "t2_rows",
    "t2_columns",
    "t3_rows",
    "t3_columns",
    "t3_row_groups",
    "t4_groups",
    "t4_columns",
    "t2v2019_rows",
    "t2v2019_columns",
)


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
        patterns = (
            [p for e in entries for p in e.patterns]
            + list(cb.t3_org_group)
            + list(cb.t3_headers)
            + list(cb.t2_headers)
            + list(cb.t4_supergroup)
        )
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
    prefix = text[: len(text) - len(text.lstrip("0123456789.、一二三四五六七八九十（）()．")) or 0]
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
    shaped: set[int] = set()
    for i, bands in enumerate(bands_of):
        bx0, by0, bx1, by1 = boxes[i]
        inner = (bx0 + inset, by0 + inset, bx1 - inset, by1 - inset)
        merged = _merge_bands(bands, char_h)
        if SKIP_ZERO_SHAPES and len(merged) == 1 and _zero_shape(ink_of.get(i)):
            # a lone glyph shaped like a zero (one ring, its hole centred and at least half its
            # height) is read as "0" without the model, at the confidence a confirmed zero gets
            shaped.add(i)
            continue
        for x0, y0, x1, y1 in merged:
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
        if i in shaped:
            out.append(("0", ZERO_CONFIRMED))
            continue
        kept = [(t.strip(), sc) for t, sc in got if t.strip()]
        if (
            len(kept) == 1
            and kept[0][0] in _ZERO_READINGS
            and kept[0][1] < ZERO_CONFIRMED
            and _zero_shape(ink_of.get(i))
        ):
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
    return (
        h >= 1.15 * w
        and hh >= 0.5 * h
        and hw >= 0.3 * w
        and abs((hy + hh / 2) - (y + h / 2)) <= 0.12 * h
        and abs((hx + hw / 2) - (x + w / 2)) <= 0.15 * w
    )


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
    c = cv2.copyMakeBorder(
        c,
        max(0, pad_y - (y0 - b0)),
        max(0, pad_y - (b1 - y1)),
        max(0, pad_x - (x0 - a0)),
        max(0, pad_x - (a1 - x1)),
        cv2.BORDER_CONSTANT,
        value=255,
    )
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
    f = min(1.0, DET_SIDE / max(h, w))
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
