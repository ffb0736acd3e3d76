"""Great Expectations' Data Docs made to work on a machine without network.

GX's pages load Bootstrap, jQuery, bootstrap-table, Vega and Font Awesome from CDNs and its logo from
S3; the package ships none of them. Offline they render unstyled, the index's tables (filled in by
jQuery from data inside the page) stay empty, and every such load is a failed request. After each
build, `make_offline` rewrites every page of the site:

- every external stylesheet, script and image is removed, and so is every inline script (all of
  them need jQuery);
- the index's tables are written out as plain HTML tables, with their links, from the data GX put in
  the page's scripts;
- a small stylesheet shipped here (`offline.css`, copied into the site's static folder) lays the
  pages out and hides what only the removed scripts would open (dialogs, closed tabs).
"""

from __future__ import annotations

import ast
import html
import os
import re
from pathlib import Path

CSS = Path(__file__).with_name("offline.css")
_EXTERNAL_LINK = re.compile(r"<link\b[^>]*\bhref\s*=\s*[\"']?(?:https?:)?//[^>]*>", re.I)
_EXTERNAL_IMG = re.compile(r"<img\b[^>]*\bsrc\s*=\s*[\"']?(?:https?:)?//[^>]*>", re.I)
_SCRIPT = re.compile(r"<script\b[^>]*>.*?</script\s*>", re.I | re.S)
_TABLE_CALL = re.compile(r"\$\('#([^']+)'\)\.bootstrapTable\(")
_CSS_URL = re.compile(r"url\(\s*['\"]?(?:https?:)?//[^)]*\)", re.I)


def _bracket(text: str, start: int) -> str | None:
    """The bracketed Python/JS literal starting at text[start] == '[' (quotes respected)."""
    depth, i, quote = 0, start, None
    while i < len(text):
        ch = text[i]
        if quote:
            if ch == "\\":
                i += 2
                continue
            if ch == quote:
                quote = None
        elif ch in "'\"":
            quote = ch
        elif ch in "[{":
            depth += 1
        elif ch in "]}":
            depth -= 1
            if depth == 0:
                return text[start : i + 1]
        i += 1
    return None


def _literal(script: str, key: str):
    m = re.search(rf"\b{key}\s*:\s*\[", script)
    if not m:
        return None
    raw = _bracket(script, m.end() - 1)
    if raw is None:
        return None
    try:
        return ast.literal_eval(
            raw.replace(": true", ": True").replace(": false", ": False").replace(": null", ": None")
        )
    except (ValueError, SyntaxError):
        return None


def _static_tables(page: str) -> str:
    """Fill each bootstrap-table (empty without jQuery) from the data its script holds."""
    for script in _SCRIPT.findall(page):
        m = _TABLE_CALL.search(script)
        if not m:
            continue
        columns, data = _literal(script, "columns"), _literal(script, "data")
        if not columns or data is None:
            continue
        cols = [c for c in columns if isinstance(c, dict) and c.get("field")]
        head = "".join(f"<th>{html.escape(str(c.get('title', c['field'])))}</th>" for c in cols)
        rows = []
        fields = [c["field"] for c in cols]
        link_field = "run_time" if "run_time" in fields else fields[0]
        for row in data:
            link = row.get("_table_row_link_path")
            cells = []
            for c in cols:
                v = row.get(c["field"], "")
                if c["field"] == "validation_success" and row.get("_validation_success_text"):
                    v = html.escape(str(row["_validation_success_text"]))  # the icon needs Font Awesome
                text = str(v)  # else GX's own HTML for the cell (spans, links)
                if link and c["field"] == link_field and "<a " not in text:
                    text = f'<a href="{html.escape(link)}">{text.strip()}</a>'
                cells.append(f"<td>{text}</td>")
            rows.append("<tr>" + "".join(cells) + "</tr>")
        table_id = re.escape(m.group(1))
        static = (
            f'<table id="{m.group(1)}" class="table offline-table"><thead><tr>{head}</tr></thead>'
            f"<tbody>{''.join(rows)}</tbody></table>"
        )
        page, n = re.subn(
            rf"<table\b[^>]*\bid=\"{table_id}\"[^>]*>.*?</table\s*>", lambda _m: static, page, count=1, flags=re.S
        )
    return page


def offline_page(page: str, css_href: str) -> str:
    page = _static_tables(page)
    page = _SCRIPT.sub("", page)
    page = _EXTERNAL_LINK.sub("", page)
    page = _EXTERNAL_IMG.sub("", page)
    page = _CSS_URL.sub("none", page)
    tag = f'<link rel="stylesheet" href="{css_href}">'
    if "</head>" in page:
        page = page.replace("</head>", tag + "\n</head>", 1)
    else:
        page = tag + page
    return page


def make_offline(docs_dir: str | Path) -> int:
    """Rewrite every page and stylesheet of the Data Docs site in `docs_dir`; returns the pages done."""
    docs = Path(docs_dir)
    if not docs.is_dir():
        return 0
    static = docs / "static" / "styles"
    static.mkdir(parents=True, exist_ok=True)
    (static / "nianbao_offline.css").write_bytes(CSS.read_bytes())
    for css in static.glob("*.css"):
        text = css.read_text(encoding="utf-8", errors="replace")
        new = _CSS_URL.sub("none", text)
        if new != text:
            css.write_text(new, encoding="utf-8")
    n = 0
    for page in sorted(docs.rglob("*.html")):
        rel = os.path.relpath(static / "nianbao_offline.css", page.parent).replace(os.sep, "/")
        text = page.read_text(encoding="utf-8", errors="replace")
        new = offline_page(text, rel)
        tmp = page.with_name(f".{page.name}.tmp")
        tmp.write_text(new, encoding="utf-8")
        os.replace(tmp, page)
        n += 1
    return n
