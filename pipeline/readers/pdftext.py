"""Page text of a PDF or a scanned page, shared by the PDF and OCR readers: page marks, lines
re-joined into paragraphs across page breaks, spaces dropped between Chinese characters, and the
test that tells a data table from a boxed paragraph."""

from __future__ import annotations

import re

from ..document import Para
from ..structure import section_of_heading, table_vocab

_PAGE_MARK = re.compile(
    r"^\s*(?:[-—–－]\s*\d{1,3}\s*[-—–－]|第\s*\d+\s*页(?:\s*[,，/]?\s*共\s*\d+\s*页)?|\d{1,3}|\d+\s*/\s*\d+)\s*$"
)


def _flush(pending: list, margins: list) -> list[Para]:
    if not pending:
        return []
    xs0 = sorted(x0 for x0, _, _, _ in pending)
    xs1 = sorted(x1 for _, x1, _, _ in pending)
    left = xs0[len(xs0) // 5] if len(xs0) >= 5 else xs0[0]
    right = xs1[-max(1, len(xs1) // 5)] if len(xs1) >= 5 else xs1[-1]
    if margins:
        left, right = min(left, margins[0][0]), max(right, margins[0][1])
    else:
        margins.append((left, right))
    paras = _paragraphs(pending, left, right)
    pending.clear()
    return paras


def _is_data_table(grid: list[list[str | None]]) -> bool:
    """A boxed paragraph is drawn like a table; a data table has several columns and table words."""
    if not grid:
        return False
    width = max(len(r) for r in grid)
    if width < 2:
        return False
    vocab = sum(1 for r in grid for c in r if c and table_vocab(c))
    return vocab >= 1


_NEW_PARA = re.compile(
    r"^(?:[一二三四五六七八九十]+、|[（(][一二三四五六七八九十\d]+[)）]|\d+[.、．]|第[一二三四五六七八九十]+)"
)
_ENDS = ("。", "！", "？", "：", "；", "。）", "。”")


def _paragraphs(lines: list[tuple[float, float, str, int]], left: float, right: float) -> list[Para]:
    """Re-join lines wrapped at the page width into paragraphs, across page breaks too.

    A line that is indented or centred starts a paragraph; a line that stops short of the right
    margin, or ends a sentence at it, ends one; headings stand alone.
    """
    out: list[Para] = []
    buf, at = "", ""
    for x0, x1, t, pno in lines:
        indented = x0 > left + 8
        if buf and (indented or _NEW_PARA.match(t)):
            out.append(Para(buf, at))
            buf = ""
        if not buf:
            at = f"page {pno}"
        buf += t
        short = x1 < right - 24
        if short or buf.endswith(_ENDS) and short or (section_of_heading(buf) and len(buf) <= 40):
            out.append(Para(buf, at))
            buf = ""
    if buf:
        out.append(Para(buf, at))
    return out


_CJK_SPACE = re.compile(
    r"(?<=[\u4e00-\u9fff\u3000-\u303f\uff00-\uffef])\s+|\s+(?=[\u4e00-\u9fff\u3000-\u303f\uff00-\uffef])"
)


def _join_cjk_spaces(text: str) -> str:
    """PDF text puts spaces around numbers inside Chinese ("2024 年"); Chinese has none."""
    return _CJK_SPACE.sub("", text)
