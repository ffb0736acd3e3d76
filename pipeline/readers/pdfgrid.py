"""PDF pages as characters and ruling lines (pypdfium2), and tables rebuilt from the lines.

pdfminer (behind pdfplumber) parses content streams in Python and takes a tenth of a second per
page; PDFium does it in C in a few milliseconds. This module gets each character with its box and
every path segment of the page, then finds tables the way pdfplumber does: horizontal and vertical
edges, their intersections, the smallest rectangles whose four sides exist (so a merged cell is one
rectangle), tables as groups of touching cells, and a grid whose positions covered by a merged cell
are marked as continuations.
"""

from __future__ import annotations

import bisect
import ctypes
import math
import operator
import unicodedata
from dataclasses import dataclass

import pypdfium2 as pdfium
import pypdfium2.raw as pdfraw
import pypdfium2_raw.bindings as pdfraw_bindings

from . import pdffonts

pdffonts.install()  # PDFium must never borrow the machine's fonts: see pdffonts

SNAP = 2.0  # points: edges closer than this are the same line
MIN_EDGE = 3.0


class Char:
    __slots__ = ("text", "x0", "top", "x1", "bottom", "cx", "cy")

    def __init__(self, text: str, x0: float, top: float, x1: float, bottom: float):
        self.text, self.x0, self.top, self.x1, self.bottom = text, x0, top, x1, bottom
        self.cx, self.cy = (x0 + x1) / 2, (top + bottom) / 2


@dataclass(slots=True)
class Cell:
    x0: float
    top: float
    x1: float
    bottom: float


@dataclass
class PageGrid:
    chars: list[Char]
    tables: list[tuple[tuple[float, float, float, float], list[list[str | None]]]]  # (bbox, grid)
    width: float
    height: float


def read_pages(data: bytes):
    """Yield PageGrid for every page of the PDF."""
    pdf = pdfium.PdfDocument(data)
    try:
        for i in range(len(pdf)):
            page = pdf[i]
            try:
                yield _page(page)
            finally:
                page.close()
    finally:
        pdf.close()


def _page(page) -> PageGrid:
    w, h = page.get_size()
    tp = page.get_textpage()
    try:
        chars = _chars(tp, h)
    finally:
        tp.close()
    hs, vs = _edges(page, h)
    tables = _tables(hs, vs, chars)
    return PageGrid(chars, tables, w, h)


# the address a PDFium handle points to (a key for its text object or font): read from the pointer's
# own bytes, four times cheaper than ctypes.cast
_address = ctypes.c_void_p.from_buffer


def _own(name: str, restype):
    """A PDFium function of our own, not pypdfium2's shared one: no argument types to check (the
    page handle is passed as a c_void_p, the outputs by reference) and `restype` for its result, so
    that a text object comes back as its address, a plain int, with no pointer object made for it."""
    f = _pdfium_lib[name]  # a new function object: pypdfium2's own keeps its types
    f.restype = restype
    return f


_pdfium_lib = pdfraw_bindings._libs["pdfium"]
_get_unicode = _own("FPDFText_GetUnicode", ctypes.c_uint)
_get_text_object = _own("FPDFText_GetTextObject", ctypes.c_void_p)
_get_char_origin = _own("FPDFText_GetCharOrigin", ctypes.c_int)
_NOT_CHARS = (0, 10, 13, 0xFFFE, 0xFEFF)


def _own_typed(name: str, restype, *argtypes):
    """As `_own`, for functions given object handles as plain addresses (ints): typed c_void_p."""
    f = _own(name, restype)
    f.argtypes = argtypes
    return f


_VP = ctypes.c_void_p
_page_count_objects = _own_typed("FPDFPage_CountObjects", ctypes.c_int, _VP)
_page_get_object = _own_typed("FPDFPage_GetObject", _VP, _VP, ctypes.c_int)
_form_count_objects = _own_typed("FPDFFormObj_CountObjects", ctypes.c_int, _VP)
_form_get_object = _own_typed("FPDFFormObj_GetObject", _VP, _VP, ctypes.c_ulong)
_object_type = _own_typed("FPDFPageObj_GetType", ctypes.c_int, _VP)
_object_bounds = _own_typed("FPDFPageObj_GetBounds", ctypes.c_int, _VP, _VP, _VP, _VP, _VP)
_path_count_segments = _own_typed("FPDFPath_CountSegments", ctypes.c_int, _VP)

_ASCENT, _DESCENT = 0.8, 0.2  # of the font size: a line's characters share one box height and centre


def _chars(tp, h: float) -> list[Char]:
    """Every visible character with a box made from the PDF's own data, not from a glyph's shape.

    A character's box starts at its origin on the baseline (its place by the text matrix) and is as
    wide as the font's width for it in the PDF (/W or /Widths), as high as the font size: whichever
    font the machine would substitute for one the PDF does not embed, the boxes are the same.
    """
    raw = tp.raw
    handle = ctypes.c_void_p(ctypes.cast(raw, ctypes.c_void_p).value)  # the text page, for _own functions
    chars: list[Char] = []
    ox, oy = ctypes.c_double(), ctypes.c_double()
    ox_ref, oy_ref = ctypes.byref(ox), ctypes.byref(oy)
    size = ctypes.c_float()
    width = ctypes.c_float()
    m = pdfraw.FS_MATRIX()
    objs: dict[int, tuple] = {}  # text object's address -> (font, font size, x scale, y scale, font's address)
    widths: dict[tuple[int, int], float] = {}  # (font, code) -> width at 1 pt, None if unknown
    # the functions as locals: the loop runs for every character of the page
    get_unicode, get_object, get_origin, not_chars = _get_unicode, _get_text_object, _get_char_origin, _NOT_CHARS
    for i in range(tp.count_chars()):
        code = get_unicode(handle, i)
        if code in not_chars:
            continue
        ch = chr(code)
        if ch.isspace():
            continue
        key = get_object(handle, i) or 0
        info = objs.get(key)
        if info is None:
            obj = ctypes.cast(key, pdfraw.FPDF_PAGEOBJECT) if key else None
            font = pdfraw.FPDFTextObj_GetFont(obj) if key else None
            if not font or not pdfraw.FPDFTextObj_GetFontSize(obj, size) or not pdfraw.FPDFText_GetMatrix(raw, i, m):
                info = objs[key] = (None, 0.0, 0.0, 0.0, None)
            else:
                info = objs[key] = (font, size.value, math.hypot(m.a, m.b), math.hypot(m.c, m.d), _address(font).value)
        font, fsize, sx, sy, font_key = info
        if font is None or fsize <= 0 or sy <= 0 or not get_origin(handle, i, ox_ref, oy_ref):
            continue
        fkey = (font_key, code)
        wd = widths.get(fkey, -1.0)
        if wd == -1.0:
            wd = widths[fkey] = width.value if pdfraw.FPDFFont_GetGlyphWidth(font, code, 1.0, width) else None
        if wd is None:  # no code for this character in the font: a full or half em
            wd = 1.0 if unicodedata.east_asian_width(ch) in "WF" else 0.5
        x0, y = ox.value, h - oy.value
        em = fsize * sy
        chars.append(Char(ch, x0, y - _ASCENT * em, x0 + wd * fsize * sx, y + _DESCENT * em))
    return chars


# ----------------------------------------------------------------------------------------------
# Edges from path objects


def _edges(page, h: float) -> tuple[list[tuple[float, float, float]], list[tuple[float, float, float]]]:
    """Horizontal edges (y, x0, x1) and vertical edges (x, top, bottom), page coordinates, top-down."""
    hs: list[tuple[float, float, float]] = []
    vs: list[tuple[float, float, float]] = []
    fl, fb, fr, ft = ctypes.c_float(), ctypes.c_float(), ctypes.c_float(), ctypes.c_float()
    refs = ctypes.byref(fl), ctypes.byref(fb), ctypes.byref(fr), ctypes.byref(ft)
    bounds = _object_bounds
    for obj in _path_objects(ctypes.cast(page.raw, ctypes.c_void_p).value):
        if not bounds(obj, *refs):
            continue
        x0, y0, x1, y1 = fl.value, fb.value, fr.value, ft.value
        top, bottom = h - y1, h - y0
        wdt, hgt = x1 - x0, bottom - top
        if hgt <= SNAP and wdt >= MIN_EDGE:
            hs.append(((top + bottom) / 2, x0, x1))
            continue
        if wdt <= SNAP and hgt >= MIN_EDGE:
            vs.append(((x0 + x1) / 2, top, bottom))
            continue
        if wdt < MIN_EDGE or hgt < MIN_EDGE:
            continue
        nseg = _path_count_segments(obj)
        if nseg <= 6:
            # a rectangle (re, or 4-5 line segments): its four sides
            hs += [(top, x0, x1), (bottom, x0, x1)]
            vs += [(x0, top, bottom), (x1, top, bottom)]
        else:
            _segments(pdfium.PdfObject(ctypes.cast(obj, pdfraw.FPDF_PAGEOBJECT), page=page), h, hs, vs)
    return hs, vs


def _path_objects(parent, level: int = 0, max_depth: int = 4):
    """The path objects of a page, in the order and to the depth of Form XObjects of
    `PdfPage.get_objects(filter=[FPDF_PAGEOBJ_PATH], max_depth=4)`, as raw handles: no Python object
    is made for each of a page's thousands of objects (characters are objects too). Handles are
    addresses (ints), `parent` too."""
    if level:
        count, get = _form_count_objects, _form_get_object
    else:
        count, get = _page_count_objects, _page_get_object
    n = count(parent)
    if n < 0:
        raise pdfium.PdfiumError("Failed to get number of pageobjects.")
    object_type = _object_type
    for i in range(n):
        obj = get(parent, i)
        if not obj:
            raise pdfium.PdfiumError("Failed to get pageobject.")
        kind = object_type(obj)
        if kind == pdfraw.FPDF_PAGEOBJ_UNKNOWN:
            raise pdfium.PdfiumError(
                "Failed to determine pageobject type, did you pass in a valid FPDF_PAGEOBJECT handle?"
            )
        if kind == pdfraw.FPDF_PAGEOBJ_PATH:
            yield obj
        elif kind == pdfraw.FPDF_PAGEOBJ_FORM and level < max_depth - 1:
            yield from _path_objects(obj, level + 1, max_depth)


def _segments(obj, h: float, hs: list, vs: list) -> None:
    """Axis-aligned straight segments of a complex path, in page coordinates."""
    m = obj.get_matrix()
    a, b, c, d, e, f = m.a, m.b, m.c, m.d, m.e, m.f
    x, y = ctypes.c_float(), ctypes.c_float()
    pts: list[tuple[float, float, int]] = []
    for i in range(pdfraw.FPDFPath_CountSegments(obj.raw)):
        seg = pdfraw.FPDFPath_GetPathSegment(obj.raw, i)
        if not pdfraw.FPDFPathSegment_GetPoint(seg, x, y):
            continue
        kind = pdfraw.FPDFPathSegment_GetType(seg)
        px, py = a * x.value + c * y.value + e, b * x.value + d * y.value + f
        pts.append((px, h - py, kind))
    for (xa, ya, _), (xb, yb, kb) in zip(pts, pts[1:]):
        if kb != pdfraw.FPDF_SEGMENT_LINETO:
            continue
        if abs(ya - yb) <= SNAP and abs(xa - xb) >= MIN_EDGE:
            hs.append(((ya + yb) / 2, min(xa, xb), max(xa, xb)))
        elif abs(xa - xb) <= SNAP and abs(ya - yb) >= MIN_EDGE:
            vs.append(((xa + xb) / 2, min(ya, yb), max(ya, yb)))


def _merge(edges: list[tuple[float, float, float]]) -> list[tuple[float, float, float]]:
    """Snap edges at nearly the same position to one line and join overlapping pieces."""
    out: list[tuple[float, float, float]] = []
    edges = sorted(edges)
    groups: list[list[tuple[float, float, float]]] = []
    for e in edges:
        if groups and abs(e[0] - groups[-1][0][0]) <= SNAP:
            groups[-1].append(e)
        else:
            groups.append([e])
    for g in groups:
        pos = sum(e[0] for e in g) / len(g)
        spans = sorted((e[1], e[2]) for e in g)
        s0, s1 = spans[0]
        for a, b in spans[1:]:
            if a <= s1 + SNAP:
                s1 = max(s1, b)
            else:
                out.append((pos, s0, s1))
                s0, s1 = a, b
        out.append((pos, s0, s1))
    return out


# ----------------------------------------------------------------------------------------------
# Cells and tables


def _tables(hs_raw, vs_raw, chars: list[Char]):
    return [(_bbox(group), _grid(group, chars)) for group in table_cells(hs_raw, vs_raw)]


def table_cells(hs_raw, vs_raw) -> list[list[Cell]]:
    """The tables (groups of cells, merged cells as one) that horizontal edges (y, x0, x1) and
    vertical edges (x, top, bottom) draw. Used for vector lines here and for the ruling lines
    found in a scanned image (readers/image.py)."""
    if len(hs_raw) < 2 or len(vs_raw) < 2:
        return []
    hs, vs = _merge(hs_raw), _merge(vs_raw)
    tol = SNAP
    # intersections: (x, y) where a vertical and a horizontal edge cross
    points: set[tuple[float, float]] = set()
    for vx, vt, vb in vs:
        for hy, hx0, hx1 in hs:
            if hx0 - tol <= vx <= hx1 + tol and vt - tol <= hy <= vb + tol:
                points.add((round(vx, 1), round(hy, 1)))
    if not points:
        return []

    # the edges through each row and column of intersections, so a check looks at one or two spans
    row_spans: dict[float, list[tuple[float, float]]] = {}
    col_spans: dict[float, list[tuple[float, float]]] = {}
    for x, y in points:
        if y not in row_spans:
            row_spans[y] = [(a, b) for hy, a, b in hs if abs(hy - y) <= tol]
        if x not in col_spans:
            col_spans[x] = [(a, b) for vx, a, b in vs if abs(vx - x) <= tol]

    def h_connected(p, q) -> bool:  # same y, a horizontal edge covers x from p to q
        lo, hi = min(p[0], q[0]), max(p[0], q[0])
        for a, b in row_spans.get(p[1], ()):
            if a - tol <= lo and hi <= b + tol:
                return True
        return False

    def v_connected(p, q) -> bool:
        lo, hi = min(p[1], q[1]), max(p[1], q[1])
        for a, b in col_spans.get(p[0], ()):
            if a - tol <= lo and hi <= b + tol:
                return True
        return False

    by_row: dict[float, list[float]] = {}
    by_col: dict[float, list[float]] = {}
    for x, y in points:
        by_row.setdefault(y, []).append(x)
        by_col.setdefault(x, []).append(y)
    for v in by_row.values():
        v.sort()
    for v in by_col.values():
        v.sort()

    cells: list[Cell] = []
    for x, y in sorted(points, key=lambda p: (p[1], p[0])):
        row, col = by_row[y], by_col[x]
        rights = row[bisect.bisect_right(row, x) :]  # sorted: the points right of this one
        if not rights:  # no cell can start here (the loops below would find none)
            continue
        downs = col[bisect.bisect_right(col, y) :]
        found = None
        for dy in downs:
            if not v_connected((x, y), (x, dy)):
                break
            for rx in rights:
                if not h_connected((x, y), (rx, y)):
                    break
                if (rx, dy) in points and h_connected((x, dy), (rx, dy)) and v_connected((rx, y), (rx, dy)):
                    found = Cell(x, y, rx, dy)
                    break
            if found:
                break
        if found:
            cells.append(found)
    if not cells:
        return []
    return _group(cells)


def _upright(chars: list[Char]) -> list[Char]:
    """Characters of rotated (vertical) text can come back with a box hundreds of points wide and
    high that does not say where the glyph is printed (a vertical "三、本年度办理结果" label then
    lands in the label column of other rows and glues their wrapped lines together). They are
    group captions, never a label or a value the mapper needs: leave them out of the cells."""
    if not chars:
        return chars
    sizes = sorted(max(ch.bottom - ch.top, ch.x1 - ch.x0) for ch in chars)
    limit = 2.5 * sizes[len(sizes) // 2]
    if sizes[-1] <= limit:
        return chars
    return [ch for ch in chars if not (ch.bottom - ch.top > limit and ch.x1 - ch.x0 > limit)]


def _bbox(cells: list[Cell]) -> tuple[float, float, float, float]:
    return (min(c.x0 for c in cells), min(c.top for c in cells), max(c.x1 for c in cells), max(c.bottom for c in cells))


def _group(cells: list[Cell]) -> list[list[Cell]]:
    """Cells that share corners belong to one table."""
    corners: dict[tuple[float, float], list[int]] = {}
    for i, c in enumerate(cells):
        for p in ((c.x0, c.top), (c.x1, c.top), (c.x0, c.bottom), (c.x1, c.bottom)):
            corners.setdefault(p, []).append(i)
    parent = list(range(len(cells)))
    # union-find with the root searches written out (a call per step cost more than the step);
    # the groups and their order do not depend on which cell ends up a root
    for idx in corners.values():
        if len(idx) < 2:
            continue
        first = idx[0]
        for j in idx[1:]:
            a = first
            while parent[a] != a:
                parent[a] = parent[parent[a]]
                a = parent[a]
            b = j
            while parent[b] != b:
                parent[b] = parent[parent[b]]
                b = parent[b]
            if a != b:
                parent[a] = b
    groups: dict[int, list[Cell]] = {}
    for i, c in enumerate(cells):
        r = i
        while parent[r] != r:
            r = parent[r]
        groups.setdefault(r, []).append(c)
    return sorted(groups.values(), key=lambda g: (min(c.top for c in g), min(c.x0 for c in g)))


def _grid(cells: list[Cell], chars: list[Char]) -> list[list[str | None]]:
    xs = sorted({c.x0 for c in cells} | {c.x1 for c in cells})
    ys = sorted({c.top for c in cells} | {c.bottom for c in cells})
    xi = {x: i for i, x in enumerate(xs)}
    yi = {y: i for i, y in enumerate(ys)}
    grid: list[list[str | None]] = [[None] * (len(xs) - 1) for _ in range(len(ys) - 1)]
    owner: dict[tuple[int, int], tuple[int, int]] = {}
    for c in cells:
        r0, r1, k0, k1 = yi[c.top], yi[c.bottom], xi[c.x0], xi[c.x1]
        for r in range(r0, r1):
            for k in range(k0, k1):
                owner[(r, k)] = (r0, k0)
        grid[r0][k0] = ""
    mine: dict[tuple[int, int], list[Char]] = {}
    x_lo, x_hi, y_lo, y_hi = xs[0], xs[-1], ys[0], ys[-1]
    k_max, r_max = len(xs) - 2, len(ys) - 2
    right = bisect.bisect_right
    for ch in chars:
        cx, cy = ch.cx, ch.cy
        if not (x_lo <= cx <= x_hi and y_lo <= cy <= y_hi):
            continue
        k = right(xs, cx) - 1
        if k > k_max:
            k = k_max
        r = right(ys, cy) - 1
        if r > r_max:
            r = r_max
        o = owner.get((r, k))
        if o is not None:
            mine.setdefault(o, []).append(ch)
    for (r, k), chs in mine.items():
        grid[r][k] = cell_text(chs)
    return grid


def cell_text(chars: list[Char]) -> str:
    """Characters of a cell in reading order: lines top to bottom, left to right within a line."""
    if not chars:
        return ""
    lines = group_lines(chars)
    return "\n".join(line_text(ln) for ln in lines)


_BY_CY_X0 = operator.attrgetter("cy", "x0")
_BY_X0 = operator.attrgetter("x0")


def group_lines(chars: list[Char]) -> list[list[Char]]:
    chars = sorted(chars, key=_BY_CY_X0)
    lines: list[list[Char]] = []
    for ch in chars:
        if lines:
            last = lines[-1]
            ref = last[0]
            height = max(ref.bottom - ref.top, 1.0)
            if abs(ch.cy - ref.cy) <= height * 0.5:
                last.append(ch)
                continue
        lines.append([ch])
    for ln in lines:
        ln.sort(key=_BY_X0)
    return lines


def line_text(line: list[Char]) -> str:
    out = []
    prev = None
    for ch in line:
        if prev is not None and ch.x0 - prev.x1 > 3.0:
            out.append(" ")
        out.append(ch.text)
        prev = ch
    return "".join(out)
