"""HTML pages from government sites.

Charset from BOM or <meta> (UTF-8, GBK, GB18030), tables with rowspan/colspan expanded into a grid
whose covered positions are marked as continuations, nested markup and &nbsp; flattened, layout
tables (a table that contains tables) treated as page structure, not data.
"""

from __future__ import annotations

import re

from lxml import etree

from ..document import Document, GridCell, Para, Table, UnreadableFile, problem
from ..structure import is_spam
from ..textnorm import Memo, clean
from .encoding import decode

_BLOCK = {
    "p",
    "div",
    "h1",
    "h2",
    "h3",
    "h4",
    "h5",
    "h6",
    "li",
    "ul",
    "ol",
    "section",
    "article",
    "header",
    "footer",
    "blockquote",
    "pre",
    "tr",
    "dl",
    "dt",
    "dd",
    "center",
    "form",
    "nav",
    "aside",
    "main",
    "title",
    "hr",
    "caption",
    "figure",
    "address",
}
_SKIP = {"script", "style", "noscript", "template", "iframe", "object", "svg", "select", "button", "head"}
_MAX_SPAN = 60


_PARSER = etree.HTMLParser()  # as lxml.html.document_fromstring's


def _title(root) -> str | None:
    """`root.findtext(".//title")`: the text of the first title element below the root, in document
    order ("" for an empty one, None for none), found by lxml's element iterator, which stops at the
    first (in the head, a few elements in), where ElementPath's `.//` walks the whole tree.

    First, by the children alone (the iterator's set-up costs more than a few steps): where the
    root's first element is the head, and a child of the head is a title with only childless nodes
    before it, nothing before that title in document order can be one (the root itself, comments
    and processing instructions before the head, childless elements of the head)."""
    for child in root:
        if child.tag == "head":
            for el in child:
                if el.tag == "title":
                    return el.text or ""
                if len(el):
                    break
            break
        if isinstance(child.tag, str):  # an element before the head (a comment has a function)
            break
    for el in root.iter("title"):
        if el is not root:
            return el.text or ""
    return None


_IMAGE_SUFFIXES = (".png", ".jpg", ".jpeg", ".tif", ".tiff", ".gif", ".bmp")


# A run of the attributes a cell or row tag carries for its looks, taken out of the page before it is
# parsed: everything the reader reads of a td, th or tr is its rowspan and colspan (the stylesheet
# and _grid), and on many pages (the corpus writer's, Word's) these runs are two thirds of the bytes,
# which libxml2 would turn into attribute nodes only to be thrown away (the parse takes 40 % less time
# without them, the stylesheet's walk 20 %).
_WS = "[ \t\n\f]"  # HTML's whitespace (str patterns' \s is wider)
_UNREAD = "style|valign|align|width|height|class|bgcolor|border|lang"
_DELIMITER = "(?=[ \t\n\f\r/>])"
_TAG_ATTRS = re.compile(
    # one HTML whitespace character before each attribute (a pattern of one character, not of a run,
    # takes a tenth less time; a tag written with more keeps its attributes). Each attribute taken
    # is followed by a delimiter, so that the runs never need to give back what they took for the
    # final one to hold: they are possessive (the same matches, less bookkeeping), and the pattern
    # still matches at every "<td" etc. followed by a delimiter.
    rf'(<[tT][dDhHrR](?:{_WS}(?:rowspan|colspan)="[^"<>]*"{_DELIMITER})*+)'
    rf'(?:{_WS}(?:{_UNREAD})="[^"]*"{_DELIMITER})*+{_DELIMITER}'
)


def _strip_unread(text: str) -> tuple[str | None, int]:
    """(lean, n): the page without the runs of unread attributes `_TAG_ATTRS` finds right after a
    cell or row tag's name and its rowspan/colspan attributes, and the number of places the pattern
    matched, which is every "<td", "<th", "<tr" (either case) followed by HTML whitespace, CR, "/"
    or ">" (the pattern matches there with no attribute taken; the decoded page holds no CR, but
    libxml2 would read one as whitespace); (None, 0) where nothing is taken out.

    The lean page reads as the page wherever every one of the n places opens a start tag in it, which
    read_html checks on its tree:
    1. The lean page holds exactly those n "<" + t + d/h/r + delimiter: a match's kept part holds no
       "<" after its first, a removed run's text is gone, and what follows a match's kept part (a
       delimiter) cannot complete a new one with it.
    2. Every td, th and tr element of a tree libxml2 builds comes from a start tag of its own, written
       "<" + t + d/h/r + delimiter in either case: libxml2 (2.14, its HTML5 tokenizer) ends a tag name
       only at whitespace (CR too), "/" or ">", lowercases only ASCII, turns NUL into U+FFFD, and never
       implies a td, th or tr (tests/test_html_strip.py tries every character after the name). So if
       the tree holds n such elements (the stream's rows and cells are some of them), each of the n
       places opens a start tag.
    3. The tokenizer reads left to right: its state at a place depends only on the text before it
       (its look-aheads, after "<!" and "&", read no "<"). Up to the first place the two pages are
       the same text; at a place both are in the data state (2), and the page reads "<", the name,
       the kept spans and the removed run (each attribute HTML whitespace, a name, "=" and a value in
       double quotes), where the lean page reads the name and the spans; at the delimiter, the page is
       after a quoted value, the lean page after a quoted value or in the tag's name, and from there
       whitespace, "/" and ">" lead both to the same state; the same text follows, to the next place.
       So both pages give the same tokens, but for the removed attributes of those tags, and the same
       tree (libxml2 places elements by their names, never by a td's, th's or tr's attributes), but
       for those attributes: the others are the same, in the same order, and the removed ones hold no
       rowspan or colspan, the only ones read (by the stylesheet and _grid; _local_images reads img's
       src)."""
    if len(text) > _LEAN_MAX:
        return None, 0
    parts = _TAG_ATTRS.split(text)
    lean = "".join(parts)
    if len(lean) == len(text):
        return None, 0
    return lean, len(parts) // 2


# no attribute value of a page this long comes near libxml2's limit on one (10,000,000 bytes without
# the huge-tree option), past which the page and the lean page could be cut differently
_LEAN_MAX = 2_000_000


def _read_lean(text: str):
    """(root, walker) of the page read without the attributes `_strip_unread` takes out, the walker
    filled by the stream as read_html fills it; None where the tree does not show every place the
    pattern took for a start tag to open one (then the page is read whole)."""
    lean, n_tags = _strip_unread(text)
    if lean is None:
        return None
    try:
        root = _parse(lean)
        walker = _Walker()
        if not _read_stream(walker, root, _body(root), lean):
            return None
        # the stream's rows and cells are td, th and tr elements of the tree; where they are not all
        # of them (a layout table, a cell outside a table), all of them are counted
        if walker.rows_and_cells != n_tags and root.xpath("count(//td|//th|//tr)") != n_tags:
            return None
    except Exception:  # noqa: BLE001  (the page is then read whole, failing, if it fails, as it did)
        return None
    return root, walker


def _parse(text: str):
    # lxml.html's parser, without its HTML element classes: the same tree, but every element the
    # walk touches no longer goes through a Python class lookup
    try:
        root = etree.fromstring(text, _PARSER)
        if root is None:
            raise etree.ParserError("Document is empty")
    except (etree.ParserError, ValueError) as e:
        raise UnreadableFile(f"the HTML page could not be parsed ({e})")
    return root


def _body(root):
    body = root.find("body")
    return root if body is None else body


def read_html(data: bytes, name: str, base: str | None = None) -> Document:
    text, notes = decode(data, name, html=True)
    lean = _read_lean(text)
    if lean is not None:
        root, walker = lean
    else:
        root = _parse(text)
        walker = _Walker()
        if not _read_stream(walker, root, _body(root), text):
            walker.walk(_body(root))
            walker.flush()
    body = _body(root)
    title = _title(root)
    blocks = walker.blocks
    if walker.furniture:
        notes.append(
            problem(
                "spam_ignored", "info", f"{len(walker.furniture)} line(s) of page furniture or mirror-site spam ignored"
            )
        )
    if base is not None and not any(isinstance(b, Table) for b in blocks):
        images = _local_images(body, base)
        if images:
            # the report is a set of images (scanned or photographed pages) shown by the page
            from .image import read_images

            doc = read_images(images, name, kind="html")
            doc.notes = notes + [
                problem("read_from_images", "info", f"the page shows its report as {len(images)} image(s), read by OCR")
            ]
            doc.meta["title"] = clean(title) if title else None
            return doc
    return Document(
        kind="html",
        blocks=blocks,
        notes=notes,
        meta={"title": clean(title) if title else None, "furniture": walker.furniture[:80]},
    )


def _local_images(body, base: str) -> list[bytes]:
    """The bytes of the images a page shows, in page order, that are local files next to it (a page
    saved with its images: "报告_files/1.jpg"); remote images are not fetched."""
    import re
    from pathlib import Path
    from urllib.parse import unquote

    out = []
    root = Path(base)
    for img in body.iter("img"):
        src = (img.get("src") or "").strip()
        if not src or re.match(r"^[a-zA-Z][a-zA-Z0-9+.-]*:", src) or src.startswith("//"):
            continue
        p = root / unquote(src.split("?")[0].split("#")[0])
        if p.suffix.lower() not in _IMAGE_SUFFIXES:
            continue
        try:
            if p.is_file() and p.stat().st_size < 50 * 1024 * 1024:
                out.append(p.read_bytes())
        except OSError:
            continue
    return out


class _Walker:
    def __init__(self) -> None:
        self.blocks: list = []
        self.buf: list[str] = []
        self.n_tables = 0
        self.n_paras = 0
        self.furniture: list[str] = []  # page furniture kept aside (a 发布时间 line may hide among it)
        self.rows_and_cells = 0  # see _read_stream

    def flush(self) -> None:
        if not self.buf:
            return
        raw = "".join(self.buf)
        self.buf = []
        for line in raw.split("\n"):
            t = clean(line)
            if not t:
                continue
            if is_spam(t):
                self.furniture.append(t)
                continue
            self.n_paras += 1
            self.blocks.append(Para(t, f"paragraph {self.n_paras}"))

    def walk(self, el) -> None:
        tag = el.tag if isinstance(el.tag, str) else ""
        tag = tag.lower()
        if tag in _SKIP or not isinstance(el.tag, str):
            if el.tail:
                self.buf.append(el.tail)
            return
        if tag == "table" and not el.xpath(".//table"):
            self.flush()
            self.n_tables += 1
            self.blocks.append(_grid(el, self.n_tables))
            if el.tail:
                self.buf.append(el.tail)
            return
        if tag == "br":
            self.buf.append("\n")
            if el.tail:
                self.buf.append(el.tail)
            return
        block = tag in _BLOCK or tag in ("td", "th", "table", "tbody")
        if block:
            self.buf.append("\n")
        if el.text:
            self.buf.append(el.text)
        for child in el:
            self.walk(child)
        if block:
            self.buf.append("\n")
            if tag in ("p", "div", "h1", "h2", "h3", "h4", "h5", "h6", "li", "tr", "table"):
                self.flush()
        if el.tail:
            self.buf.append(el.tail)


# ----------------------------------------------------------------------------------------------
# The same walk done by libxslt in C: one pass over the tree writes the page as a stream of text
# and marked-up tables, instead of a Python call for every element (four fifths of a page's reading
# time went to that). Python only splits the stream and builds the grids. `_Walker.walk` and
# `_grid` below remain the definition, and are used as they were when the stream cannot be
# trusted: a page holding the marker characters, or a tree libxslt refuses (nesting too deep).

_TBL, _ROW, _CELL, _FIELD, _END = "\ue000", "\ue001", "\ue002", "\ue003", "\ue004"
_RS, _CS = "\ue005", "\ue006"  # a cell's rowspan and colspan attributes, each written where it has one
_PLAIN = _CELL + _FIELD  # a cell with neither attribute
_SKIP_X = "|".join(sorted(_SKIP))
_BLOCK_X = "|".join(sorted(_BLOCK | {"td", "th", "table", "tbody"}))
_WALK_XSL = f"""<xsl:stylesheet version="1.0" xmlns:xsl="http://www.w3.org/1999/XSL/Transform">
<xsl:output method="text" encoding="UTF-8"/>
<xsl:template match="/">
 <xsl:choose>
  <xsl:when test="*/body"><xsl:apply-templates select="*/body[1]" mode="w"/></xsl:when>
  <xsl:otherwise><xsl:apply-templates select="*" mode="w"/></xsl:otherwise>
 </xsl:choose>
</xsl:template>
<!-- _Walker.walk: text and tails; comments and skipped elements leave only their tails -->
<!-- a text node copied: the text output writes it as value-of would, without evaluating "." -->
<xsl:template match="text()" mode="w"><xsl:copy/></xsl:template>
<xsl:template match="comment()|processing-instruction()" mode="w"/>
<xsl:template match="{_SKIP_X}" mode="w"/>
<xsl:template match="br" mode="w"><xsl:text>&#10;</xsl:text></xsl:template>
<xsl:template match="{_BLOCK_X}" mode="w"
 ><xsl:text>&#10;</xsl:text><xsl:apply-templates mode="w"/><xsl:text>&#10;</xsl:text></xsl:template>
<xsl:template match="*" mode="w"><xsl:apply-templates mode="w"/></xsl:template>
<!-- a table holding no table: its rows (every tr inside, in order), their td/th with the spans -->
<xsl:template match="table[not(.//table)]" mode="w" priority="5">
 <xsl:text>{_TBL}</xsl:text>
 <xsl:for-each select=".//tr"><xsl:text>{_ROW}</xsl:text>
  <xsl:for-each select="td|th"
   ><xsl:text>{_CELL}</xsl:text><xsl:apply-templates select="@*" mode="a"
   /><xsl:text>{_FIELD}</xsl:text><xsl:apply-templates mode="c"
  /></xsl:for-each>
 </xsl:for-each>
 <xsl:text>{_END}</xsl:text>
</xsl:template>
<!-- _cell_text: comments' own text is kept there, as lxml's .text of a comment child gives it -->
<xsl:template match="text()" mode="c"><xsl:copy/></xsl:template>
<xsl:template match="comment()|processing-instruction()" mode="c"><xsl:value-of select="."/></xsl:template>
<xsl:template match="{_SKIP_X}" mode="c"/>
<xsl:template match="br" mode="c"><xsl:text>&#10;</xsl:text><xsl:apply-templates mode="c"/></xsl:template>
<xsl:template match="p|div|li" mode="c"
 ><xsl:text>&#10;</xsl:text><xsl:apply-templates mode="c"/><xsl:text>&#10;</xsl:text></xsl:template>
<xsl:template match="*" mode="c"><xsl:apply-templates mode="c"/></xsl:template>
<!-- a span attribute, only where the cell has it: most cells have neither (and, read lean, no other
     attribute), and one selection that finds nothing costs less than two values written empty -->
<xsl:template match="@rowspan" mode="a"><xsl:text>{_RS}</xsl:text><xsl:value-of select="."/></xsl:template>
<xsl:template match="@colspan" mode="a"><xsl:text>{_CS}</xsl:text><xsl:value-of select="."/></xsl:template>
<xsl:template match="@*" mode="a"/>
</xsl:stylesheet>"""
_WALK = etree.XSLT(etree.XML(_WALK_XSL))
# a marker character in the page, literal or as a character reference, would be read as structure
_MARKERS = (_TBL, _ROW, _CELL, _FIELD, _END, _RS, _CS)
_MARKER_REF = re.compile(r"&#(?:[xX]0*[eE]00[0-6]|0*(?:5734[4-9]|57350))(?![0-9])")


def _read_stream(walker: _Walker, root, body, text: str) -> bool:
    """Fill `walker` as `walker.walk(body); walker.flush()` would; False where it cannot be done.
    `walker.rows_and_cells` is then the number of tr elements in tables holding no table and of their
    td and th children (each one a row or cell of the stream)."""
    if any(m in text for m in _MARKERS) or _MARKER_REF.search(text):
        return False
    try:
        out = str(_WALK(root))
    except etree.XSLTError:
        return False
    walker.rows_and_cells = out.count(_ROW) + out.count(_CELL)
    if body.tail:
        out += body.tail
    # a no-break space is blank to clean() and stripped from cells: replaced once here, not per cell
    pieces = out.replace("\xa0", " ").split(_TBL)
    walker.buf.append(pieces[0])
    for piece in pieces[1:]:
        table, _, after = piece.partition(_END)
        walker.flush()
        walker.n_tables += 1
        walker.blocks.append(_stream_grid(table, walker.n_tables))
        walker.buf.append(after)
    walker.flush()
    return True


# clean(raw.strip()) of a cell's raw text, memoised: the same cell texts recur in every report (short
# texts only, at most 65,536 of them: a few megabytes at worst)
_CELL_TEXTS = Memo(lambda raw: clean(raw.strip()), 65536, 200)


def _spans(spans: str) -> tuple[int, int]:
    """(rowspan, colspan) of a cell from what the stream writes of its span attributes: each the
    value after its marker, up to the next marker (an attribute written empty counts as 1)."""
    rs = cs = 1
    if _RS in spans:
        rs = _span_value(spans.split(_RS, 2)[1].split(_CS, 1)[0])
    if _CS in spans:
        cs = _span_value(spans.split(_CS, 2)[1].split(_RS, 1)[0])
    return rs, cs


_SPANS = Memo(_spans, 4096, 40)  # the same few spans in every page
# a cell's text in the stream: what follows its _FIELD, up to the next marker
_CELL_TEXT = re.compile("\ue003([^\ue000-\ue006]*)")


def _stream_grid(table: str, index: int) -> Table:
    """`_grid` of a table as the stream writes it. Which cell lands where, under which `at` and as a
    continuation or not, depends only on the table's shape (its rows and its cells' span attributes,
    the stream without the cells' texts) and its number; the same shapes recur page after page (the
    official form's tables), so the placing is worked out once per shape (`_plan`) and each table
    only puts its texts into it."""
    parts = _CELL_TEXT.split(table)  # shape, text, shape, text, ..., shape
    cell_numbers, ats, conts, rows = _PLANS[f"{index}{_TBL}" + "".join(parts[0::2])]
    texts = list(map(_CELL_TEXTS.__getitem__, parts[1::2]))
    cells = list(map(GridCell, map(texts.__getitem__, cell_numbers), ats, conts))
    return Table(rows=[cells[start:end] for start, end in rows], at=f"table {index}")


# the plans by table number and shape ("<index>" _TBL shape; _TBL is in no table's stream): at most
# 256 of them, of shapes of at most ~2,048 characters (a cell is one character or a few)
def _plan_of(key: str) -> tuple:
    index, _, shape = key.partition(_TBL)
    return _plan(shape, int(index))


_PLANS = Memo(_plan_of, 256, 2048)


def _plan(shape: str, index: int) -> tuple[tuple, tuple, tuple, list[tuple[int, int]]]:
    """The grid positions of a table of this shape, row after row, each row in column order: the
    number of the cell (in stream order) at each, its `at` and whether it is a continuation, placed as
    `_grid` places them; and where each row's positions begin and end. (A table is placed by its plan
    even when its shape is new and never seen again: so the commonest row, no cell spanning and no
    cell reaching into it from above, is placed at once, its cells its columns in order.)"""
    rows = shape.split(_ROW)
    del rows[0]
    nrows = len(rows)
    grid: list = [{} for _ in rows]  # per row: column -> (cell, at, cont); a row placed at once: a list
    k = 0
    for r, row in enumerate(rows):
        taken = grid[r]
        spans_of_cells = row.split(_CELL)
        del spans_of_cells[0]
        prefix = f"table {index}, row {r + 1}, col "
        if not taken and not any(spans_of_cells):  # its cells are its columns in order
            grid[r] = [(k + c, prefix + str(c + 1), False) for c in range(len(spans_of_cells))]
            k += len(spans_of_cells)
            continue
        c = 0
        for spans in spans_of_cells:
            while c in taken:
                c += 1
            at = prefix + str(c + 1)
            if not spans:  # (no span attribute: this position only)
                taken[c] = (k, at, False)
                c += 1
                k += 1
                continue
            rs, cs = _SPANS[spans]
            for dr in range(min(rs, nrows - r)):
                below = grid[r + dr]
                for dc in range(cs):
                    below[c + dc] = (k, at, bool(dr or dc))
            c += cs
            k += 1
    placed: list[tuple] = []
    bounds = []
    for row in grid:
        bounds.append((len(placed), len(placed) + len(row)))
        placed += row if type(row) is list else [row[c] for c in sorted(row)]
    if not placed:
        return (), (), (), bounds
    cells, ats, conts = zip(*placed)
    return cells, ats, conts, bounds


def _span_value(v: str) -> int:
    """`_span` of an attribute's value."""
    try:
        n = int(v.strip() or 1)
    except ValueError:
        return 1
    return max(1, min(n, _MAX_SPAN))


def _cell_text(td) -> str:
    if len(td) == 0:  # the common case: plain text
        return (td.text or "").replace("\xa0", " ").strip()
    parts: list[str] = []

    def rec(e) -> None:
        tag = e.tag.lower() if isinstance(e.tag, str) else ""
        if tag in _SKIP:
            if e.tail:
                parts.append(e.tail)
            return
        if tag == "br":
            parts.append("\n")
        elif tag in ("p", "div", "li"):
            parts.append("\n")
        if e.text and tag not in _SKIP:
            parts.append(e.text)
        for c in e:
            rec(c)
        if tag in ("p", "div", "li"):
            parts.append("\n")
        if e.tail:
            parts.append(e.tail)

    if td.text:
        parts.append(td.text)
    for c in td:
        rec(c)
    return "".join(parts).replace("\xa0", " ").strip()


def _span(td, attr: str) -> int:
    v = td.get(attr)
    return 1 if v is None else _span_value(v)


def _grid(table, index: int) -> Table:
    rows = [tr for tr in table.iter("tr") if tr.getparent() is not None]
    nrows = len(rows)
    grid: list[dict[int, GridCell]] = [{} for _ in rows]  # per row: column -> cell
    for r, tr in enumerate(rows):
        c = 0
        taken = grid[r]
        for td in tr:
            tag = td.tag
            if not isinstance(tag, str) or tag.lower() not in ("td", "th"):
                continue
            while c in taken:
                c += 1
            get = td.get
            rs = 1 if get("rowspan") is None else _span(td, "rowspan")
            cs = 1 if get("colspan") is None else _span(td, "colspan")
            text = clean(_cell_text(td))
            at = f"table {index}, row {r + 1}, col {c + 1}"
            if rs == 1 and cs == 1:
                taken[c] = GridCell(text, at, cont=False)
            else:
                for dr in range(rs):
                    if r + dr >= nrows:
                        continue
                    below = grid[r + dr]
                    for dc in range(cs):
                        below[c + dc] = GridCell(text, at, cont=bool(dr or dc))
            c += cs
    out = [[row[c] for c in sorted(row)] for row in grid]
    return Table(rows=out, at=f"table {index}")
