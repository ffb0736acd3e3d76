"""A parsed report drawn for a terminal: identity, the three tables as the official form, problems."""

from __future__ import annotations

import unicodedata

from .codebook import codebook, labels, t3_column_codes, t4_column_codes, t4_group_codes, table_title

_SHOW = {"EMPTY": "(空)", "MISSING": "缺"}


def width(s: str) -> int:
    return sum(2 if unicodedata.east_asian_width(ch) in "WF" else 1 for ch in s)


def pad(s: str, w: int, right: bool = False) -> str:
    gap = max(0, w - width(s))
    return (" " * gap + s) if right else (s + " " * gap)


def show(cell: dict) -> str:
    sem = cell["semantic"]
    if sem in _SHOW:
        return _SHOW[sem]
    if sem in ("NUMERIC", "ZERO"):
        v = cell["value"]
        return str(int(v)) if isinstance(v, float) and v.is_integer() and "." not in (cell.get("raw") or "") else str(v)
    raw = cell.get("raw") or ""
    return raw if width(raw) <= 10 else raw[:4] + "…"


def draw(result: dict) -> str:
    out: list[str] = []
    name = result["path"]
    if "error" in result:
        return f"✗ {name}\n  cannot be read: {result['error']}\n"
    fmt = result.get("format_version") or "?"
    out.append(f"■ {name}   [{result['kind']}, {fmt} format]")
    period = result.get("period")
    out.append(f"  单位 agency      {result.get('agency') or '(not found)'}")
    out.append(f"  年度 year        {result.get('year') or '(not found)'}")
    out.append("  统计期限 period  " + (f"{period['start']} – {period['end']}" if period else "(not stated)"))
    out.append(f"  发布日期 published {result.get('published_on') or '(not stated)'}")
    secs = result.get("sections") or {}
    marks = "  ".join(f"{o}{'✓' if secs.get(k) is not None else '✗'}" for k, o in codebook().section_ordinals.items())
    out.append(f"  sections        {marks}")
    cells = result["cells"]
    cb = codebook()

    out.append("")
    out.append(f"  表二 {table_title('T2')}")
    for row in cb.t2_rows:
        vals = "   ".join(f"{_t2col(c)} {show(cells[f'T2/{row.code}/{c}'])}" for c in row.columns)
        out.append(f"    {pad(row.label, 16)}{vals}")

    out.append("")
    out.append(f"  表三 {table_title('T3')}")
    cols = t3_column_codes()
    colw = 9
    t3_cols, t3_rows = labels("T3", "columns", "narrow"), labels("T3", "rows", "short")
    out.append("    " + pad("", 20) + "".join(pad(t3_cols[c], colw, right=True) for c in cols))
    for row in cb.t3_rows:
        vals = "".join(pad(show(cells[f"T3/{row.code}/{c}"]), colw, right=True) for c in cols)
        out.append(f"    {pad(t3_rows.get(row.code, row.code), 20)}{vals}")

    out.append("")
    out.append("  表四 行政复议、行政诉讼情况")
    t4_cols, t4_groups = labels("T4", "columns", "narrow"), labels("T4", "groups", "narrow")
    out.append("    " + pad("", 18) + "".join(pad(t4_cols[c], 8, right=True) for c in t4_column_codes()))
    for g in t4_group_codes():
        vals = "".join(pad(show(cells[f"T4/{g}.{c}"]), 8, right=True) for c in t4_column_codes())
        out.append(f"    {pad(t4_groups[g], 18)}{vals}")

    probs = result.get("problems") or []
    out.append("")
    if probs:
        out.append(f"  problems ({len(probs)})")
        for p in probs:
            mark = {"error": "✗", "warning": "!", "info": "·"}.get(p["severity"], "·")
            out.append(f"    {mark} [{p['code']}] {p['message']}")
    else:
        out.append("  no problems")
    out.append("  legend: (空) blank cell · 缺 not in the report · / and 无 as written")
    return "\n".join(out) + "\n"


def _t2col(code: str) -> str:
    return labels("T2", "columns", "narrow")[code]
