"""The grids the stream's tables make (`html._stream_grid`: span attributes written only where a cell
has one, each table's placing worked out once per shape and number and its texts put into it) against
the Python walk's `_grid`, on random tables of spans, odd span values and widths, read once (the
placing worked out) and again with other texts in the same shape (the placing reused)."""

from __future__ import annotations

import random

from lxml import etree

from pipeline.readers import html

_SPAN_VALUES = ["", "1", "2", "3", " 2 ", "0", "-1", "x", "99", "2.5", "４", "60", "61"]


_TEXTS = ["", "0", "1", "甲", " 乙 ", "&nbsp;", "a<br>b", "<p>段</p>", "<span>1</span>2", "x" * 30, "x" * 300]


def _cell(rng: random.Random) -> str:
    tag = rng.choice(["td", "td", "td", "th", "TD"])
    attrs = ""
    for _ in range(rng.choice([0, 0, 0, 1, 2, 3])):
        name = rng.choice(["rowspan", "colspan", "ROWSPAN", "ColSpan", "style", "width"])
        attrs += f' {name}="{rng.choice(_SPAN_VALUES) if rng.random() < 0.5 else rng.choice(["2", "3"])}"'
    return f"<{tag}{attrs}>{{}}</{tag}>"  # the text left to fill


def _table(rng: random.Random) -> str:
    rows = []
    for _ in range(rng.choice([1, 2, 5, 12, 30])):
        width = rng.choice([0, 1, 3, 8, 15, 20])
        rows.append("<tr>" + "".join(_cell(rng) for _ in range(width)) + "</tr>")
    return "<table>" + "".join(rows) + "</table>"


def _read_both_ways(text: str) -> list:
    root = etree.fromstring(text, html._PARSER)
    body = root.find("body")
    fast, slow = html._Walker(), html._Walker()
    assert html._read_stream(fast, root, body, text)
    slow.walk(body)
    slow.flush()
    assert fast.blocks == slow.blocks, text
    return fast.blocks


def test_random_tables_read_as_the_python_walk():
    rng = random.Random(15)
    spanned = under = 0
    for _ in range(600):
        html._PLANS.clear()
        shape = "<html><body><p>前</p>" + "".join(_table(rng) for _ in range(rng.choice([1, 2, 4]))) + "</body></html>"
        n = shape.count("{}")
        first = _read_both_ways(shape.format(*rng.choices(_TEXTS, k=n)))
        plans = len(html._PLANS)
        # the same shapes again, other texts: the placings are reused
        again = _read_both_ways(shape.format(*rng.choices(_TEXTS, k=n)))
        assert len(html._PLANS) == plans
        assert [len(t.rows) for t in first if isinstance(t, html.Table)] == [
            len(t.rows) for t in again if isinstance(t, html.Table)
        ]
        cells = [c for t in first if isinstance(t, html.Table) for row in t.rows for c in row]
        spanned += any(c.cont for c in cells)
        under += any(row and row[0].cont for t in first if isinstance(t, html.Table) for row in t.rows)
    assert spanned > 300 and under > 200, (spanned, under)


def test_span_attributes_read_from_the_stream():
    assert html._spans(html._RS + "2") == (2, 1)
    assert html._spans(html._CS + " 3 ") == (1, 3)
    assert html._spans(html._CS + "3" + html._RS + "x") == (1, 3)
    assert html._spans(html._RS + html._CS) == (1, 1)
    assert html._spans(html._RS + "99" + html._CS + "0") == (60, 1)
    assert html._spans(html._RS + "2" + html._RS + "3" + html._CS + "4" + html._CS + "5") == (2, 4)


def test_a_table_of_many_cells_is_placed_without_keeping_its_plan():
    html._PLANS.clear()
    rows = "".join(
        "<tr>" + "".join(f'<td rowspan="{1 + (r + c) % 3}">{r}.{c}</td>' for c in range(50)) + "</tr>"
        for r in range(60)
    )
    text = f"<html><body><table>{rows}</table></body></html>"
    blocks = _read_both_ways(text)
    assert sum(len(row) for row in blocks[0].rows) > 3000
    assert not html._PLANS


def test_rows_of_plain_cells_under_cells_from_above_and_beside_spanning_ones():
    """The placing's shortcuts: a row of cells without spans under cells reaching into it (each takes
    the next free column), a row of plain cells with nothing from above (its columns in order), and
    plain cells beside spanning ones in a row."""
    html._PLANS.clear()
    text = (
        "<html><body><table>"
        '<tr><td rowspan="3">甲</td><td>1</td><td colspan="2">2</td><td rowspan="2">3</td></tr>'
        "<tr><td>4</td><td>5</td><td>6</td></tr>"
        "<tr><td>7</td><td>8</td></tr>"
        "<tr><td>9</td><td>10</td><td>11</td><td>12</td><td>13</td></tr>"
        '<tr><td>14</td><td rowspan="2" colspan="2">15</td><td>16</td></tr>'
        "<tr><td>17</td><td>18</td></tr>"
        "</table></body></html>"
    )
    blocks = _read_both_ways(text)
    rows = [[(c.text, c.cont) for c in row] for row in blocks[-1].rows]
    assert rows[1] == [("甲", True), ("4", False), ("5", False), ("6", False), ("3", True)]
    assert rows[2] == [("甲", True), ("7", False), ("8", False)]
    # (a continuation is told where its cell is)
    assert [c.at for c in blocks[-1].rows[5]] == [
        f"table 1, row {r}, col {c}" for r, c in ((6, 1), (5, 2), (5, 2), (6, 4))
    ]
