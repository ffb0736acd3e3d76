"""Word .docx files, read from their XML: paragraphs and tables in body order, merged cells
(gridSpan across, vMerge down) marked as continuations so they never count as cells of their own."""

from __future__ import annotations

import re
import zipfile
import zlib
from io import BytesIO

from lxml import etree

from ..document import Document, GridCell, Para, Table, UnreadableFile
from ..structure import is_spam
from ..textnorm import Memo, clean
from .zipsafe import check_zip_sizes, read_zip_member

W = "http://schemas.openxmlformats.org/wordprocessingml/2006/main"
_P, _TBL, _TR, _TC, _SDT = (f"{{{W}}}{t}" for t in ("p", "tbl", "tr", "tc", "sdt"))
_T, _TAB, _BR, _CR = (f"{{{W}}}{t}" for t in ("t", "tab", "br", "cr"))
_VAL = f"{{{W}}}val"


_XML_PARSER = etree.XMLParser(resolve_entities=False, huge_tree=True)


def read_docx(data: bytes, name: str) -> Document:
    try:
        with zipfile.ZipFile(BytesIO(data)) as z:
            check_zip_sizes(z)
            xml = read_zip_member(z, "word/document.xml")
    except (zipfile.BadZipFile, KeyError, EOFError, OSError, zlib.error) as e:
        raise UnreadableFile(f"the Word file is damaged or truncated ({e})")
    try:
        root = etree.fromstring(xml, parser=_XML_PARSER)
    except etree.XMLSyntaxError as e:
        raise UnreadableFile(f"the Word file's text could not be parsed ({e})")
    body = root.find(f"{{{W}}}body")
    if body is None:
        raise UnreadableFile("the Word file has no body")
    blocks = _read_stream(root, xml)
    if blocks is None:
        blocks = []
        _walk(body, blocks, {"p": 0, "t": 0})
    return Document(kind="docx", blocks=blocks)


# ----------------------------------------------------------------------------------------------
# The same reading done by libxslt in C: one pass writes the body as a stream of paragraphs and
# marked-up tables, instead of a Python object and call for every element. `_walk` and `_grid`
# remain the definition, and are used as they were where the stream cannot be trusted (the XML
# holds a marker character, or libxslt refuses the tree).

_BLK, _ROW, _CELL, _FIELD, _PARA = "\ue000", "\ue001", "\ue002", "\ue003", "\ue004"
_XSL = f"""<xsl:stylesheet version="1.0" xmlns:xsl="http://www.w3.org/1999/XSL/Transform" xmlns:w="{W}">
<xsl:output method="text" encoding="UTF-8"/>
<xsl:template match="/"><xsl:for-each select="*/w:body[1]"><xsl:call-template name="blocks"/></xsl:for-each></xsl:template>
<xsl:template name="blocks">
 <xsl:for-each select="*">
  <xsl:choose>
   <xsl:when test="self::w:p"><xsl:text>{_BLK}p</xsl:text><xsl:call-template name="para"/></xsl:when>
   <xsl:when test="self::w:tbl"><xsl:text>{_BLK}t</xsl:text>
    <xsl:for-each select="w:tr"><xsl:text>{_ROW}</xsl:text
     ><xsl:value-of select="w:trPr[1]/w:gridBefore[1]/@w:val"/>
     <xsl:for-each select="w:tc"><xsl:text>{_CELL}</xsl:text
      ><xsl:value-of select="w:tcPr[1]/w:gridSpan[1]/@w:val"/><xsl:text>{_FIELD}</xsl:text>
      <xsl:for-each select="w:tcPr[1]/w:vMerge[1]"><xsl:choose>
       <xsl:when test="@w:val"><xsl:text>V</xsl:text><xsl:value-of select="@w:val"/></xsl:when>
       <xsl:otherwise><xsl:text>N</xsl:text></xsl:otherwise></xsl:choose></xsl:for-each>
      <xsl:text>{_FIELD}</xsl:text>
      <xsl:for-each select=".//w:p"><xsl:text>{_PARA}</xsl:text><xsl:call-template name="para"/></xsl:for-each>
     </xsl:for-each>
    </xsl:for-each>
   </xsl:when>
   <xsl:when test="self::w:sdt"><xsl:for-each select="w:sdtContent[1]"><xsl:call-template name="blocks"/></xsl:for-each></xsl:when>
  </xsl:choose>
 </xsl:for-each>
</xsl:template>
<!-- a paragraph's w:t, w:tab, w:br and w:cr, every one below it in document order (_para_text's
 p.iter): one union of name tests instead of a predicate tested on each of its descendants -->
<xsl:template name="para"
 ><xsl:apply-templates select="descendant::w:t|descendant::w:tab|descendant::w:br|descendant::w:cr" mode="p"/></xsl:template>
<xsl:template match="w:t" mode="p"><xsl:value-of select="node()[1][self::text()]"/></xsl:template>
<xsl:template match="w:tab" mode="p"><xsl:text>&#9;</xsl:text></xsl:template>
<xsl:template match="w:br|w:cr" mode="p"><xsl:text>&#10;</xsl:text></xsl:template>
</xsl:stylesheet>"""
_STREAM = etree.XSLT(etree.XML(_XSL))
# a marker character in the XML, as UTF-8 (any of U+E000-U+E03F) or as a character reference
_MARKER_REF = re.compile(rb"&#(?:[xX]0*[eE]00[0-4]|0*5734[4-8])(?![0-9])")


def _read_stream(root, xml: bytes) -> list | None:
    """The blocks `_walk` finds in the body, or None where the stream cannot be used."""
    if b"\xee\x80" in xml or _MARKER_REF.search(xml):
        return None
    try:
        out = str(_STREAM(root))
    except etree.XSLTError:
        return None
    blocks: list = []
    n_paras = n_tables = 0
    for piece in out.split(_BLK)[1:]:
        if piece[0] == "p":
            n_paras += 1
            for line in piece[1:].split("\n"):
                t = clean(line)
                if t and not is_spam(t):
                    blocks.append(Para(t, f"paragraph {n_paras}"))
        else:
            n_tables += 1
            blocks.append(_stream_grid(piece[1:], n_tables))
    return blocks


def _stream_cell_text(paras: str) -> str:
    """A cell's text from its paragraphs as the stream writes them (`_cell_text` of the Python walk)."""
    lines = paras.split(_PARA)[1:]
    if len(lines) == 1:  # the common case: one paragraph
        return clean(lines[0]) if lines[0].strip() else ""
    return clean("\n".join(x for x in lines if x.strip()))


# memoised: the same cells recur in every report (short texts only, at most 65,536 of them)
_CELL_TEXTS = Memo(_stream_cell_text, 65536, 200)
_COLS = [str(c + 1) for c in range(256)]


def _stream_grid(table: str, index: int) -> Table:
    """`_grid` of a table as the stream writes it."""
    rows: list[list[GridCell]] = []
    texts = _CELL_TEXTS
    for r, tr in enumerate(table.split(_ROW)[1:]):
        before, *cells = tr.split(_CELL)
        row: list[GridCell] = []
        if before:
            for _ in range(int(before or 0)):
                row.append(GridCell("", f"table {index}, row {r + 1}", cont=True))
        prefix = f"table {index}, row {r + 1}, col "
        for cell in cells:
            col = len(row)
            at = prefix + (_COLS[col] if col < 256 else str(col + 1))
            if cell[0] == _FIELD and cell[1] == _FIELD:  # no gridSpan, no vMerge: the common cell
                row.append(GridCell(texts[cell[2:]], at, False))
                continue
            span_v, merge, paras = cell.split(_FIELD, 2)
            span = 1
            if span_v:
                try:
                    span = max(1, min(int(span_v), 60))
                except ValueError:
                    span = 1
            vcont = merge == "N" or merge == "Vcontinue"
            text = "" if vcont else texts[paras]
            row.append(GridCell(text, at, vcont))
            for _ in range(span - 1):
                row.append(GridCell(text, at, cont=True))
        rows.append(row)
    return Table(rows=rows, at=f"table {index}")


def _walk(parent, blocks: list, counters: dict) -> None:
    for el in parent:
        if el.tag == _P:
            counters["p"] += 1
            for line in _para_text(el).split("\n"):
                t = clean(line)
                if t and not is_spam(t):
                    blocks.append(Para(t, f"paragraph {counters['p']}"))
        elif el.tag == _TBL:
            counters["t"] += 1
            blocks.append(_grid(el, counters["t"]))
        elif el.tag == _SDT:
            content = el.find(f"{{{W}}}sdtContent")
            if content is not None:
                _walk(content, blocks, counters)


def _para_text(p) -> str:
    out: list[str] = []
    for node in p.iter(_T, _TAB, _BR, _CR):
        if node.tag == _T:
            out.append(node.text or "")
        elif node.tag == _TAB:
            out.append("\t")
        else:
            out.append("\n")
    return "".join(out)


def _cell_text(tc) -> str:
    lines = [_para_text(p) for p in tc.iter(_P)]
    return clean("\n".join(x for x in lines if x.strip()))


def _grid(tbl, index: int) -> Table:
    rows: list[list[GridCell]] = []
    for r, tr in enumerate(tbl.iterchildren(_TR)):
        row: list[GridCell] = []
        trpr = tr.find(f"{{{W}}}trPr")
        if trpr is not None:
            gb = trpr.find(f"{{{W}}}gridBefore")
            if gb is not None:
                for _ in range(int(gb.get(_VAL, "0") or 0)):
                    row.append(GridCell("", f"table {index}, row {r + 1}", cont=True))
        for tc in tr.iterchildren(_TC):
            col = len(row)
            tcpr = tc.find(f"{{{W}}}tcPr")
            span, vcont = 1, False
            if tcpr is not None:
                gs = tcpr.find(f"{{{W}}}gridSpan")
                if gs is not None:
                    try:
                        span = max(1, min(int(gs.get(_VAL, "1")), 60))
                    except ValueError:
                        span = 1
                vm = tcpr.find(f"{{{W}}}vMerge")
                if vm is not None and vm.get(_VAL) in (None, "continue"):
                    vcont = True
            at = f"table {index}, row {r + 1}, col {col + 1}"
            text = "" if vcont else _cell_text(tc)
            row.append(GridCell(text, at, cont=vcont))
            for _ in range(span - 1):
                row.append(GridCell(text, at, cont=True))
        rows.append(row)
    return Table(rows=rows, at=f"table {index}")
