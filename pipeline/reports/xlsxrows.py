"""Rows of the workbook written as XlsxWriter writes them in constant-memory mode, without its
per-cell work (see `write_row`); used by workbook.py."""

from __future__ import annotations

import datetime as _dt

# XlsxWriter's write() keeps each cell as an object, and writes the row's XML when the next row
# begins, cell by cell, with a type dispatch, bounds checks, an attribute list and a file write each:
# 85 % of the workbook's CPU at 10,000 reports (2,000,000 cells in 全部单元格). `write_row` makes the
# same XML for a whole row at once and writes it where XlsxWriter would; any row it does not handle
# the same way (a type or value it does not know, a row with attributes, a mixed row) goes through
# XlsxWriter's own write(), the general path. FAST_ROWS turns the fast path off (tests compare both).
FAST_ROWS = True
_NUMBER = (int, float)
# a text's XML after its cell reference, remembered (names, rules, levels repeat on every row);
# at most TEXTS_MAX texts: when full, forgotten all at once
TEXTS_MAX = 50_000
_TEXTS: dict[str, str] = {}


def write_row(ws, row: int, values, formats=None) -> None:
    """Write `values` into `row` from column 0, as `ws.write(row, c, v, formats[c])` would for each
    (a None value with no format is skipped, as XlsxWriter skips a blank without a format). A row is
    written once: rows are written in order, each whole."""
    if FAST_ROWS and _fast_row(ws, row, values, formats):
        return
    for c, v in enumerate(values):
        f = formats[c] if formats else None
        if f is None:
            ws.write(row, c, v)
        else:
            ws.write(row, c, v, f)


def _fast_row(ws, row: int, values, formats, tail: str = "", tail_last: int = -1) -> bool:
    """The row's XML written directly; False (nothing written) when it is not a case handled here.
    `tail`: the XML of further cells of the row (up to column `tail_last`), made elsewhere the same way."""
    done = ws.__dict__.get("_nianbao_row", -1)
    if row <= done:
        # XlsxWriter would overwrite the cells of a row it still holds; this one is written already
        raise ValueError(f"row {row} of sheet {ws.name} is written already")
    if (
        not ws.constant_memory
        or ws.strings_to_formulas
        or ws.strings_to_urls
        or ws.strings_to_numbers
        or row < ws.previous_row
        or (row == ws.previous_row and ws.table)
        or row in ws.row_info
        or row in ws.comments
        or ws.excel_version == 2010
        or len(values) > ws.xls_colmax
        or tail_last >= ws.xls_colmax
        or row >= ws.xls_rowmax
    ):
        return False
    if row > ws.previous_row:
        # the row before first, if XlsxWriter holds one: formats get their numbers as cells are written
        ws._write_single_row(row)
    cache = ws.__dict__.setdefault("_nianbao_fast", {})
    r1 = str(row + 1)
    out = []
    first = last = None
    for c, v in enumerate(values):
        f = formats[c] if formats else None
        t = v.__class__
        if v is None or (t is str and v == ""):
            if f is not None:
                return False  # a blank with a format
            continue
        head = cache.get((c, f))
        if head is None:
            if f is not None:
                s = f' s="{f._get_xf_index()}"'
            else:
                ci = ws.col_info.get(c)
                s = f' s="{ci.column_format._get_xf_index()}"' if ci and ci.column_format is not None else ""
            head = cache[(c, f)] = ('<c r="' + _col_name(c), '"' + s)
        if t is str:
            body = _TEXTS.get(v)
            if body is None:
                if not _plain_str(v, ws.xls_strmax // 2):
                    return False  # long, rich-looking, with escapes of its own or control characters: XlsxWriter's way
                pre = ' xml:space="preserve"' if _preserve_whitespace(v) else ""
                body = f' t="inlineStr"><is><t{pre}>{ws._escape_data(v)}</t></is></c>'
                if len(_TEXTS) >= TEXTS_MAX:
                    _TEXTS.clear()  # full of texts met once (ids, messages): start again
                _TEXTS[v] = body
            out.append(head[0] + r1 + head[1] + body)
        elif t in _NUMBER:
            if t is float and (v != v or v in (_INF, -_INF)):
                return False
            out.append(f"{head[0]}{r1}{head[1]}><v>{v:.16G}</v></c>")
        elif t is _dt.datetime and f is not None:  # without a format XlsxWriter adds its default date format
            out.append(f"{head[0]}{r1}{head[1]}><v>{ws._convert_date_time(v):.16G}</v></c>")
        else:
            return False  # bool, Decimal, …: XlsxWriter's dispatch
        if first is None:
            first = c
        last = c
    if tail:
        if first is None:
            first = len(values)
        last = tail_last
    if first is None:
        return False  # nothing to write: leave the row to XlsxWriter
    ws._check_dimensions(row, first)
    ws._check_dimensions(row, last)
    ws._write_row(row, None)
    ws.fh.write("".join(out))
    if tail:
        ws.fh.write(tail)
    ws.fh.write("</row>")
    ws._nianbao_row = row
    return True


def _plain_str(v: str, strmax: int) -> bool:
    return len(v) <= strmax and "<r>" not in v and "_x" not in v and v.isprintable()


def plain(v) -> bool:
    """Whether `v`, without a format, is written by the fast path (as `write_row_tail` needs)."""
    t = v.__class__
    if t is str:
        return _plain_str(v, 32767 // 2)
    if t is float:
        return v == v and v not in (_INF, -_INF)
    return v is None or t is int


def write_row_tail(ws, row: int, values, tail: str, tail_last: int) -> None:
    """Write `values` (each `plain`, no formats) from column 0 and then `tail`, the XML of the row's
    further cells up to column `tail_last`, made as `write_row` makes it (workbook.py's cells from
    DuckDB). There is no general path for `tail`: a row this cannot write is an error."""
    if not (FAST_ROWS and _fast_row(ws, row, values, None, tail, tail_last)):
        raise ValueError(f"row {row} of sheet {ws.name} cannot be written with its cells' XML")


_INF = float("inf")


def _col_name(c: int) -> str:
    from xlsxwriter.utility import xl_col_to_name

    return xl_col_to_name(c)


def _preserve_whitespace(s: str):
    global _preserve_whitespace
    from xlsxwriter.utility import _preserve_whitespace as p

    _preserve_whitespace = p  # imported on first use (the pages import this package without XlsxWriter)
    return p(s)
