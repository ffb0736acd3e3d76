"""A government-site page: navigation junk, the title, the date line, <p> paragraphs and the three
tables drawn like the official form with rowspan/colspan.

Options of `render_html` / `write_html`:

- ``encoding``: "utf-8" (``<meta charset="utf-8">``), "utf-8-sig" (the same with a BOM), "gbk" or
  "gb18030" (``<meta http-equiv="Content-Type" content="text/html; charset=gbk">``).
- ``title_tag``: "h1" or "div" (``<div class="title">``).
- ``t2_split``: each 第二十条 block of Table 2 in its own <table>.
- ``org_subtotal``: override the spec's optional eighth Table 3 column.
- ``cell_wrap``: "none" | "p" | "span" | "p_span" (``<p><span>…</span></p>``) | "mixed" (a deterministic
  mixture of the four).
- ``empty_cell``: what a blank cell holds: "" or "&nbsp;" (both are blank cells).
- ``indent``: "nbsp" (paragraphs start with &nbsp;×4) or "css" (text-indent:2em).
- ``junk``: navigation, breadcrumb, share and footer junk around the article.
- ``th_headers``: header cells as <th> instead of <td>.
"""

from __future__ import annotations

import os
from html import escape

from .model import Block, Document, Table, build_document, transform
from .spec import ReportSpec

ENCODINGS = ("utf-8", "utf-8-sig", "gbk", "gb18030")
CELL_WRAPS = ("none", "p", "span", "p_span")


def _esc(s: str) -> str:
    return escape(s, quote=False)


def _cell_html(text: str, wrap: str, empty: str) -> str:
    if text == "":
        return empty
    t = "<br/>".join(_esc(p) for p in text.split("\n")) if "\n" in text else _esc(text)
    if wrap == "none":
        return t
    if wrap == "p":
        return f'<p style="text-align:center">{t}</p>'
    if wrap == "span":
        return f'<span style="font-size:14px;font-family:宋体">{t}</span>'
    return f'<p style="text-align:center"><span style="font-size:14px">{t}</span></p>'


def table_html(
    table: Table, *, cell_wrap: str = "none", empty_cell: str = "", th_headers: bool = False, split_blocks: bool = False
) -> list[str]:
    """<table> markup of a table (several tables when `split_blocks`, for Table 2)."""
    out: list[str] = []
    weights = table.col_weights or (1.0,) * table.width
    tot = sum(weights)
    open_tag = (
        '<table border="1" cellspacing="0" cellpadding="0" width="100%" '
        'style="border-collapse:collapse;border:none"><colgroup>'
        + "".join(f'<col width="{w / tot * 100:.1f}%">' for w in weights)
        + "</colgroup>"
    )
    out.append(open_tag)
    out.append("<tbody>")
    block = None
    k = 0
    for ri, row in enumerate(table.rows):
        if split_blocks and block is not None and row.block != block:
            out.append("</tbody></table>")
            out.append("<p>&nbsp;</p>")
            out.append(open_tag)
            out.append("<tbody>")
        block = row.block
        parts = ['<tr style="height:28px">']
        for cell in row.cells:
            tag = "th" if (th_headers and row.header) else "td"
            attrs = ""
            if cell.rs > 1:
                attrs += f' rowspan="{cell.rs}"'
            if cell.cs > 1:
                attrs += f' colspan="{cell.cs}"'
            if cell_wrap == "mixed":
                wrap = CELL_WRAPS[k % 4]
                k += 1
            else:
                wrap = cell_wrap
            align = "center" if cell.cid is not None or row.header else "left"
            parts.append(
                f'<{tag}{attrs} valign="middle" style="text-align:{align};border:1px solid #000">'
                f"{_cell_html(cell.text, wrap, empty_cell)}</{tag}>"
            )
        parts.append("</tr>")
        out.append("".join(parts))
    out.append("</tbody></table>")
    return out


def _para(text: str, indent: str) -> str:
    if indent == "nbsp":
        return f"<p>&nbsp;&nbsp;&nbsp;&nbsp;{_esc(text)}</p>"
    return f'<p style="text-indent:2em;line-height:1.75">{_esc(text)}</p>'


def render_html(
    spec: ReportSpec,
    *,
    encoding: str = "utf-8",
    title_tag: str = "h1",
    t2_split: bool = False,
    org_subtotal: bool | None = None,
    subtotal_first: bool = True,
    cell_wrap: str = "none",
    empty_cell: str = "",
    indent: str = "nbsp",
    junk: bool = True,
    th_headers: bool = False,
    headings: dict[str, str] | int | None = None,
    ascii_punct: bool = False,
    doc: Document | None = None,
) -> str:
    """The page as a str (its meta tag names `encoding`; `write_html` encodes it)."""
    enc = encoding.lower()
    if enc not in ENCODINGS:
        raise ValueError(f"encoding must be one of {ENCODINGS}")
    if cell_wrap not in CELL_WRAPS + ("mixed",):
        raise ValueError(f"cell_wrap must be one of {CELL_WRAPS + ('mixed',)}")
    if doc is None:
        doc = build_document(
            spec, ascii_punct=ascii_punct, headings=headings, org_subtotal=org_subtotal, subtotal_first=subtotal_first
        )
    tr = spec.traditional
    tx = lambda s: transform(s, False, tr)  # noqa: E731
    title = spec.title or f"{spec.agency}{spec.year}年度报告"
    if enc.startswith("utf-8"):
        meta = '<meta charset="utf-8">'
    else:
        meta = f'<meta http-equiv="Content-Type" content="text/html; charset={enc}">'
    site, url = spec.site()
    h: list[str] = [
        "<!DOCTYPE html>",
        '<html lang="zh-CN">',
        f"<head>{meta}",
        '<meta name="viewport" content="width=device-width, initial-scale=1">',
        f'<meta name="ArticleTitle" content="{escape(tx(title))}">',
        f"<title>{_esc(tx(title))}_{_esc(tx(site))}</title>",
        '<link rel="stylesheet" href="/css/style.css">',
        "<script>var _hmt = _hmt || [];</script>",
        "</head>",
        "<body>",
    ]
    if junk:
        h += [
            '<div class="top"><div class="w1200"><span>' + _esc(tx("欢迎访问" + site)) + "</span>"
            '<a href="/">' + _esc(tx("无障碍")) + '</a> <a href="/">' + _esc(tx("长者模式")) + "</a></div></div>",
            '<div class="nav"><ul><li><a href="/">'
            + _esc(tx("首页"))
            + '</a></li><li><a href="/zwgk/">'
            + _esc(tx("政务公开"))
            + '</a></li><li><a href="/zwfw/">'
            + _esc(tx("政务服务"))
            + "</a></li>"
            '<li><a href="/hdjl/">' + _esc(tx("互动交流")) + "</a></li></ul></div>",
            '<div class="crumb">' + _esc(tx("当前位置：")) + '<a href="/">' + _esc(tx("首页")) + "</a> &gt; "
            '<a href="/zwgk/">' + _esc(tx("政务公开")) + "</a> &gt; "
            '<a href="/zwgk/ndbg/">' + _esc(tx("政府信息公开年报")) + "</a></div>",
        ]
    h.append('<div class="article">')
    content_open = False
    for b in doc.blocks:
        if not content_open and b.kind in ("para", "heading", "table"):
            h.append('<div class="content" id="zoom">')
            content_open = True
        h += _block_html(b, title_tag, tr, spec, t2_split, cell_wrap, empty_cell, th_headers, indent)
    h.append("</div></div>" if content_open else "</div>")  # content, article
    if junk:
        h += [
            '<div class="share">' + _esc(tx("【打印本页】【关闭窗口】")) + "</div>",
            '<div class="footer"><p>'
            + _esc(tx(f"主办单位：{site}"))
            + "</p><p>"
            + _esc(tx("网站标识码：1529000001 蒙ICP备05000001号"))
            + "</p></div>",
        ]
    h += ["</body>", "</html>", ""]
    return "\n".join(h)


def _block_html(
    b: Block,
    title_tag: str,
    tr: bool,
    spec: ReportSpec,
    t2_split: bool,
    cell_wrap: str,
    empty_cell: str,
    th_headers: bool,
    indent: str,
) -> list[str]:
    tx = lambda s: transform(s, False, tr)  # noqa: E731
    k = b.kind
    if k == "title":
        if title_tag == "h1":
            return [f'<h1 class="article-title">{_esc(b.text)}</h1>']
        return [f'<div class="title">{_esc(b.text)}</div>']
    if k == "meta":
        return [
            '<div class="info">'
            f"<span>{_esc(tx('发布时间'))}：{_esc(b.text)}</span>"
            f"<span>{_esc(tx('来源'))}：{_esc(tx(spec.agency))}</span>"
            f"<span>{_esc(tx('浏览次数'))}：<script>document.write(_hits)</script></span>"
            "</div>"
        ]
    if k == "heading":
        return [f"<p><span><strong>{_esc(b.text)}</strong></span></p>"]
    if k == "para":
        return [_para(b.text, indent)]
    if k == "spam":
        return [f'<p class="from">{_esc(b.text)}</p>']
    if k == "table":
        return table_html(
            b.table,
            cell_wrap=cell_wrap,
            empty_cell=empty_cell,
            th_headers=th_headers,
            split_blocks=t2_split and b.key == "T2",
        )
    return []


def write_html(spec: ReportSpec, path: str | os.PathLike, **options) -> None:
    """Write the page in its encoding (see the module docstring for the options)."""
    enc = options.get("encoding", "utf-8").lower()
    text = render_html(spec, **options)
    data = text.encode("utf-8-sig" if enc == "utf-8-sig" else enc, errors="xmlcharrefreplace")
    with open(path, "wb") as f:
        f.write(data)
