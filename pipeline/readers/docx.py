"""Word .docx files, read from their XML: paragraphs and tables in body order, merged cells
(gridSpan across, vMerge down) marked as continuations so they never count as cells of their own."""

from __future__ import annotations

import zipfile
import zlib
from io import BytesIO

from lxml import etree

from ..document import Document, GridCell, Para, Table, UnreadableFile
from ..structure import is_spam
from ..textnorm import clean
from .zipsafe import check_zip_sizes, read_zip_member

W = "http://schemas.openxmlformats.org/wordprocessingml/2006/main"
_P, _TBL, _TR, _TC, _SDT = (f"{{{W}}}{t}" for t in ("p", "tbl", "tr", "tc", "sdt"))
_T, _TAB, _BR, _CR = (f"{{{W}}}{t}" for t in ("t", "tab", "br", "cr"))
_VAL = f"{{{W}}}val"


def read_docx(data: bytes, name: str) -> Document:
    try:
        with zipfile.ZipFile(BytesIO(data)) as z:
            check_zip_sizes(z)
            xml = read_zip_member(z, "word/document.xml")
    except (zipfile.BadZipFile, KeyError, EOFError, OSError, zlib.error) as e:
        raise UnreadableFile(f"the Word file is damaged or truncated ({e})")
    try:
        root = etree.fromstring(xml, parser=etree.XMLParser(resolve_entities=False, huge_tree=True))
    except etree.XMLSyntaxError as e:
        raise UnreadableFile(f"the Word file's text could not be parsed ({e})")
    body = root.find(f"{{{W}}}body")
    if body is None:
        raise UnreadableFile("the Word file has no body")
    blocks: list = []
    counters = {"p": 0, "t": 0}
    _walk(body, blocks, counters)
    return Document(kind="docx", blocks=blocks)


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
