"""Charts as inline SVG, generated in Python: no script, no external font, Chinese labels.

Every function returns an SVG string (escaped text) sized by a viewBox so that it scales with the page.
"""

from __future__ import annotations

from html import escape

FONT = "'Noto Sans CJK SC','Noto Sans SC','Source Han Sans SC','WenQuanYi Micro Hei','Microsoft YaHei','PingFang SC',sans-serif"
COLORS = {
    "granted": "#2f7d32",
    "partly_granted": "#8bc34a",
    "withheld": "#e65100",
    "unavailable": "#f9a825",
    "declined": "#8d6e63",
    "other": "#90a4ae",
    "on_time": "#2f7d32",
    "late": "#c62828",
    "unknown": "#9e9e9e",
    "missing": "#cfd5dc",
    "bar": "#3f6fb5",
    "bar2": "#9bb7e0",
}


_LIGHT = {"missing", "unavailable", "partly_granted", "unknown"}


def _fmt(v: float | None) -> str:
    if v is None:
        return "—"
    if float(v).is_integer():
        return f"{int(v):,}"
    return f"{v:,.2f}".rstrip("0").rstrip(".")


def _svg(width: int, height: int, body: list[str], title: str) -> str:
    return (
        f'<svg xmlns="http://www.w3.org/2000/svg" class="chart" viewBox="0 0 {width} {height}" '
        f'width="{width}" height="{height}" role="img" aria-label="{escape(title)}" '
        f'font-family="{FONT}" font-size="12">'
        f"<title>{escape(title)}</title>{''.join(body)}</svg>"
    )


def hbar(
    items: list[tuple[str, float | None]],
    title: str,
    unit: str = "件",
    width: int = 640,
    label_width: int = 190,
    note: str | None = None,
) -> str:
    """Horizontal bars, one per (label, value); a value of None is drawn as 'not a number'."""
    bar_h, gap, top = 16, 6, 26
    n = max(len(items), 1)
    height = top + n * (bar_h + gap) + (22 if note else 8)
    vals = [v for _, v in items if v is not None]
    vmax = max(vals) if vals and max(vals) > 0 else 1.0
    plot_w = width - label_width - 60
    body = [f'<text x="0" y="15" font-size="13" font-weight="bold">{escape(title)}</text>']
    for i, (label, v) in enumerate(items):
        y = top + i * (bar_h + gap)
        body.append(f'<text x="{label_width - 6}" y="{y + bar_h - 4}" text-anchor="end">{escape(label)}</text>')
        if v is None:
            body.append(f'<text x="{label_width + 2}" y="{y + bar_h - 4}" fill="#888">（不是数字）</text>')
            continue
        w = max(0.0, plot_w * v / vmax)
        body.append(f'<rect x="{label_width}" y="{y}" width="{w:.1f}" height="{bar_h}" fill="{COLORS["bar"]}"/>')
        body.append(f'<text x="{label_width + w + 4:.1f}" y="{y + bar_h - 4}">{_fmt(v)}{escape(unit)}</text>')
    if not items:
        body.append(f'<text x="0" y="{top + 12}" fill="#888">（没有数据）</text>')
    if note:
        body.append(f'<text x="0" y="{height - 6}" fill="#666" font-size="11">{escape(note)}</text>')
    return _svg(width, height, body, title)


def stacked(parts: list[tuple[str, float | None, str]], title: str, width: int = 640, unit: str = "件") -> str:
    """One 100 % bar of (label, value, colour key) with a legend; None values are left out and named."""
    top, bar_h = 26, 26
    known = [(lbl, v, c) for lbl, v, c in parts if v is not None and v > 0]
    total = sum(v for _, v, _ in known)
    body = [f'<text x="0" y="15" font-size="13" font-weight="bold">{escape(title)}</text>']
    x = 0.0
    if total > 0:
        for lbl, v, c in known:
            w = width * v / total
            body.append(
                f'<rect x="{x:.1f}" y="{top}" width="{w:.1f}" height="{bar_h}" '
                f'fill="{COLORS.get(c, c)}"><title>{escape(lbl)} {_fmt(v)}{escape(unit)}</title></rect>'
            )
            if w > 44:
                fg = "#333" if c in _LIGHT else "#fff"
                body.append(
                    f'<text x="{x + w / 2:.1f}" y="{top + 17}" text-anchor="middle" fill="{fg}">'
                    f"{100 * v / total:.0f}%</text>"
                )
            x += w
    else:
        body.append(f'<rect x="0" y="{top}" width="{width}" height="{bar_h}" fill="#f3f3f3"/>')
        body.append(
            f'<text x="{width / 2}" y="{top + 17}" text-anchor="middle" fill="#888">（没有可加总的数字）</text>'
        )
    # legend, wrapping
    lx, ly = 0, top + bar_h + 20
    for lbl, v, c in parts:
        text = f"{lbl} {_fmt(v)}" if v is not None else f"{lbl}（不是数字）"
        w = 20 + 13 * len(text)
        if lx + w > width:
            lx, ly = 0, ly + 18
        body.append(f'<rect x="{lx}" y="{ly - 10}" width="12" height="12" fill="{COLORS.get(c, c)}"/>')
        body.append(f'<text x="{lx + 16}" y="{ly}">{escape(text)}</text>')
        lx += w
    return _svg(width, ly + 8, body, title)


def columns(
    series: list[tuple[str, list[float | None]]],
    categories: list[str],
    title: str,
    width: int = 640,
    height: int = 220,
    unit: str = "件",
) -> str:
    """Grouped columns: categories along x (years), one column per series."""
    left, top, bottom = 40, 44, 40
    plot_h = height - top - bottom
    vals = [v for _, vs in series for v in vs if v is not None]
    vmax = max(vals) if vals and max(vals) > 0 else 1.0
    n_cat = max(len(categories), 1)
    slot = (width - left - 10) / n_cat
    col_w = min(36.0, slot * 0.8 / max(len(series), 1))
    body = [
        f'<text x="0" y="15" font-size="13" font-weight="bold">{escape(title)}</text>',
        f'<line x1="{left}" y1="{top + plot_h}" x2="{width - 10}" y2="{top + plot_h}" stroke="#999"/>',
    ]
    keys = ["bar", "bar2", "late", "granted"]
    for ci, cat in enumerate(categories):
        x0 = left + ci * slot + (slot - col_w * len(series)) / 2
        for si, (_name, vs) in enumerate(series):
            v = vs[ci] if ci < len(vs) else None
            x = x0 + si * col_w
            if v is None:
                body.append(
                    f'<text x="{x + col_w / 2:.1f}" y="{top + plot_h - 4}" text-anchor="middle" '
                    f'fill="#888" font-size="10">—</text>'
                )
                continue
            h = plot_h * v / vmax
            body.append(
                f'<rect x="{x:.1f}" y="{top + plot_h - h:.1f}" width="{col_w - 2:.1f}" height="{h:.1f}" '
                f'fill="{COLORS[keys[si % len(keys)]]}"/>'
            )
            body.append(
                f'<text x="{x + col_w / 2 - 1:.1f}" y="{top + plot_h - h - 3:.1f}" text-anchor="middle" '
                f'font-size="10">{_fmt(v)}</text>'
            )
        body.append(
            f'<text x="{left + ci * slot + slot / 2:.1f}" y="{top + plot_h + 16}" '
            f'text-anchor="middle">{escape(cat)}</text>'
        )
    lx = left
    for si, (name, _vs) in enumerate(series):
        body.append(f'<rect x="{lx}" y="{height - 14}" width="12" height="12" fill="{COLORS[keys[si % len(keys)]]}"/>')
        body.append(f'<text x="{lx + 16}" y="{height - 4}">{escape(name)}（{escape(unit)}）</text>')
        lx += 30 + 14 * (len(name) + len(unit) + 2)
    return _svg(width, height, body, title)
