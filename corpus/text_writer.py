"""Text as copied from government web pages (the seed's kind of file), in six table layouts.

Layouts (a table row is the list of its cells *as the page's <tr> has them*: cells covered by a rowspan
from above are not there, a colspan counts once, and "pad" is the number of grid columns the row does
not fill):

- ``"A"``  one row per line, cells joined by " | ", each row ending in " |", then (except on a table's
  last row) a space and one "|" per pad column; runs of spaces collapse, so an empty cell reads "| |".
  Exactly the seed: ``一、本年新收政府信息公开申请数量 | 0 | 0 | 0 | 0 | 0 | 0 | 0 | ||``,
  ``自然人 | 法人或其他组织 | 总计 | |||||||``, ``规章 | 0 | 1 | |`` (an empty last cell), and the seed
  file itself is reproduced byte for byte from its spec with ``ascii_punct=True``.
- ``"B1"`` one cell per line, each line ending in " |" (an empty cell is the line " |"), rows separated
  by spacer lines of pipes ("|||", longer where the row is short).
- ``"B2"`` one cell per line, each cell followed by a line "|" (an empty cell is a "|" line with no
  content line before it); no row separators.
- ``"C"``  one cell per line separated by blank lines, no pipes; an empty cell is an extra pair of blank
  lines ("a\\n\\n\\n\\nb" has one empty cell between a and b). Paragraphs are blank-line separated too.
- ``"mixed"`` header rows in A; data rows alternate A / B1 / A / B2 (``mixed_with`` picks one of B1/B2).
- ``"wrapped"`` layout A where every ``wrap_every``-th data row (whose last cell is not blank) has its
  closing "|" wrapped onto the next line: the line ends after the last cell's text, the next is "|".
"""

from __future__ import annotations

import os
import re

from .model import Block, Document, Table, build_document, cell_text_flat, transform
from .spec import ReportSpec

LAYOUTS = ("A", "B1", "B2", "C", "mixed", "wrapped")

_SPACES = re.compile(r" {2,}")


def _texts(row) -> list[str]:
    return [cell_text_flat(c.text) for c in row.cells]


def _pad(table: Table, row) -> int:
    return max(0, table.width - len(row.cells))


def _row_a(texts: list[str], pad: int, last: bool) -> str:
    s = " | ".join(texts) + " |"
    if not last and pad:
        s += " " + "|" * pad
    return _SPACES.sub(" ", s)


def _row_b1(texts: list[str], pad: int, last: bool) -> list[str]:
    out = [f"{t} |" if t else " |" for t in texts]
    if not last:
        out.append("|" * max(3, pad))
    return out


def _row_b2(texts: list[str]) -> list[str]:
    out = []
    for t in texts:
        if t:
            out.append(t)
        out.append("|")
    return out


def _row_wrapped(texts: list[str]) -> list[str]:
    return [_SPACES.sub(" ", " | ".join(texts)), "|"]


def table_lines(
    table: Table, layout: str = "A", *, mixed_with: str | None = None, wrap_every: int = 3, wrap_offset: int = 1
) -> list[str]:
    """The lines of one table in a layout (for C: the items, to be joined with blank lines)."""
    lines: list[str] = []
    rows = table.rows
    n = len(rows)
    di = 0
    for ri, row in enumerate(rows):
        texts = _texts(row)
        pad = _pad(table, row)
        last = ri == n - 1
        if layout == "A":
            lines.append(_row_a(texts, pad, last))
        elif layout == "B1":
            lines += _row_b1(texts, pad, last)
        elif layout == "B2":
            lines += _row_b2(texts)
        elif layout == "C":
            lines += texts
        elif layout == "wrapped":
            if (
                not row.header
                and di % wrap_every == wrap_offset % wrap_every
                and texts
                and texts[-1].strip()
                and len(row.cells) > 1
            ):
                lines += _row_wrapped(texts)
            else:
                lines.append(_row_a(texts, pad, last))
        elif layout == "mixed":
            if row.header or di % 2 == 0:
                lines.append(_row_a(texts, pad, last))
            else:
                other = mixed_with or ("B1" if di % 4 == 1 else "B2")
                if other == "B1":
                    lines += _row_b1(texts, pad, last)
                else:
                    lines += _row_b2(texts)
        else:
            raise ValueError(f"unknown text layout {layout!r}; one of {LAYOUTS}")
        if not row.header:
            di += 1
    return lines


def _block_lines(b: Block, layout: str, views_line: bool, traditional: bool, opts: dict) -> list[str]:
    if b.kind == "table":
        return table_lines(b.table, layout, **opts)
    if b.kind == "meta":
        out = [f"- {transform('发布日期', False, traditional)}:{b.text}"]
        if views_line:
            out.append(f"- {transform('浏览次数', False, traditional)}:")
        return out
    return [b.text]


def render_text(
    spec: ReportSpec,
    layout: str = "A",
    *,
    ascii_punct: bool = False,
    views_line: bool = True,
    headings: dict[str, str] | int | None = None,
    org_subtotal: bool | None = None,
    subtotal_first: bool = True,
    mixed_with: str | None = None,
    wrap_every: int = 3,
    wrap_offset: int = 1,
    newline: str = "\n",
    final_newline: bool = False,
    doc: Document | None = None,
) -> str:
    """The page's text in a layout (see the module docstring)."""
    if layout not in LAYOUTS:
        raise ValueError(f"unknown text layout {layout!r}; one of {LAYOUTS}")
    if doc is None:
        doc = build_document(
            spec, ascii_punct=ascii_punct, headings=headings, org_subtotal=org_subtotal, subtotal_first=subtotal_first
        )
    opts = {"mixed_with": mixed_with, "wrap_every": wrap_every, "wrap_offset": wrap_offset}
    lines: list[str] = []
    for b in doc.blocks:
        lines += _block_lines(b, layout, views_line, spec.traditional, opts)
    sep = "\n\n" if layout == "C" else "\n"
    text = sep.join(lines)
    if final_newline:
        text += "\n"
    if newline != "\n":
        text = text.replace("\n", newline)
    return text


def write_text(
    spec: ReportSpec,
    path: str | os.PathLike,
    layout: str = "A",
    *,
    bom: bool = False,
    encoding: str = "utf-8",
    **options,
) -> None:
    """Write the page's text (UTF-8, optionally with a BOM; ``encoding="gb18030"`` is accepted too).

    Options: ascii_punct (half-width （）,： as on the seed's site), views_line ("- 浏览次数:" after the
    date), headings (variant index or {key: title}), org_subtotal, subtotal_first, mixed_with ("B1" |
    "B2"), wrap_every, wrap_offset, newline ("\\n" | "\\r\\n").
    """
    text = render_text(spec, layout, **options)
    enc = "utf-8-sig" if bom and encoding.lower().replace("_", "-") in ("utf-8", "utf8") else encoding
    with open(path, "w", encoding=enc, newline="") as f:
        f.write(text)
