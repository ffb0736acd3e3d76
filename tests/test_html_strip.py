"""The HTML reader parses a page without the attributes of its td, th and tr tags it never reads
(`html._strip_unread`), and keeps that reading only where the tree shows that every place it took
for a tag opened one (`html._read_lean`). Held here: the facts about libxml2 the argument rests on,
the count of places, and the lean reading against the whole page's on odd pages and on thousands of
random pages mixing such tags with comments, scripts, raw text, quotes and broken markup."""

from __future__ import annotations

import random
import re

import pytest
from lxml import etree
from test_html_fast_paths import ODD_PAGES, _repository_pages
from test_reader_stream import HTML_PAGES

from corpus import example_spec
from corpus.html_writer import render_html
from pipeline.document import UnreadableFile
from pipeline.readers import html
from pipeline.readers.encoding import decode

_DELIMITERS = " \t\n\f\r/>"
_OCCURRENCE = re.compile(r"<[tT][dDhHrR](?=[ \t\n\f\r/>])")


def _names_in(text: str) -> list[str]:
    root = etree.fromstring(text, html._PARSER)
    return [] if root is None else [e.tag for e in root.iter() if isinstance(e.tag, str)]


def _characters():
    yield from range(0x3100)
    yield from range(0x3100, 0x10000, 7)
    yield from range(0x10000, 0x110000, 1001)


def test_only_a_delimiter_ends_a_cell_or_row_tag_name():
    # the tokenizer makes a td, th or tr element of "<" + the name + c only for c a delimiter
    for name in ("td", "th", "tr"):
        spellings = {name, name.upper(), name[0].upper() + name[1], name[0] + name[1].upper()}
        for cp in _characters():
            c = chr(cp)
            if 0xD800 <= cp < 0xE000:
                continue
            for spelling in spellings if cp < 0x100 else (name, name.upper()):
                names = _names_in(f"<p>a<table><tr><td>b<{spelling}{c}x>y</table></p>")
                # beside the table's own tr and td
                made = names.count(name) - (name != "th")
                assert made == (c in _DELIMITERS), (spelling, hex(cp), names)


_NO_TAGS = [
    "<table>", "</table>", "<tbody>", "<thead>", "<tfoot>", "<caption>", "<colgroup>", "<col>", "文字", "x",
    "</td>", "</tr>", "</th>", "<p>", "</p>", "<div>", "<select>", "<option>", "<svg>", "<math>", "<frameset>",
    "<template>", "<tt>", "<track>", "<time>", "<title>", "</title>", "<textarea>", "<body>", "<html>", " ",
]  # fmt: skip


def test_no_td_th_or_tr_without_a_tag_of_its_own():
    rng = random.Random(1)
    for _ in range(1500):
        text = "".join(rng.choices(_NO_TAGS, k=rng.choice([3, 10, 40])))
        assert not {"td", "th", "tr"} & set(_names_in(text)), text


# pieces of random pages: cell and row tags with attributes to take out, in every context that
# could make them something else (comments, raw text, attribute values and names, bogus comments,
# foreign content), and broken ones
_PIECES = [
    '<td style="a:b">', '<td valign="top" style="x;y">', '<td colspan="2" style="c">', '<th class="h" align="l">',
    '<td rowspan="3" colspan="2" valign="m" width="5">', '<TD STYLE="x">', '<Td style="q" colspan="2">',
    '<tr style="height:1px">', '<TR class="r">', "<tr>", "<td>", "<th>", "</td>", "</tr>", "</th>", "<table>",
    "</table>", "<tbody>", "</tbody>", "<p>", "</p>", "<br>", "<div>", "</div>", "文字", "中", "a", " ", "\n", "1",
    "&nbsp;", "&", "<!--", "-->", "--!>", "<!-->", '<!-- <td style="x">甲</td> -->', "<script>", "</script>",
    "<style>", "</style>", "<title>", "</title>", "<textarea>", "</textarea>", "<xmp>", "</xmp>", "<noscript>",
    "</noscript>", "<iframe>", "</iframe>", "<noembed>", "</noembed>", "<noframes>", "</noframes>", "<plaintext>",
    '<a title="', "<a title='", '">', "'>", "<a title=", '"', "'", "<", ">", "=", "/", "<?", "?>", "<!", "</ ",
    "</", "<![CDATA[", "]]>", "<svg>", "</svg>", "<math>", "</math>", "<select>", "</select>", "<option>",
    '<td style="x"/>', '<td style="a"x>', '<td style="x" colspan="2" style="y">', '<tr style="a"/ >',
    '<td colspan="2" colspan="3" style="z">', "<td rowspan=\"<td style='x'>\">", '<td style="a>b">',
    '<td style="&quot;">', '<td style="a&#34;b">', '<td\tstyle="t"\nvalign="n">', '<td  style="two spaces">',
    '<td style="x"/ colspan="2">', "<td style=x>", "<td style='x'>", '<td style=" <td style="y">',
    '<td style="x"', '<td colspan="2" style="x"', '<td style="\ue002">', "<td>\ue003</td>", '<td style="<!--">',
    '<td style="-->">', '<td style="</script>">', '<td style="a">b<td style="c">d', "<p <td style=\"x\">",
    '<td width="1" rowspan="2">', '<td style="">', '<td lang="" class="" style="x" rowspan="0">', "<td/>",
    "<td\x00 style=\"x\">", '<td style="x"\x00>', "<table><tr><td>", "</td></tr></table>", "<!DOCTYPE html>",
    '<td\fstyle="f">', "<td\f>", "<tr\f>", "<th\r>", '<td\rstyle="r">', '<td style="x"\f>', "<td\x0b>",
    '<td style="x"\x0b>', "<td\u3000>", "<td\xa0>",
]  # fmt: skip


# without the pieces that make a tag's spelling no tag (comments, raw text, quotes, bogus comments)
_TAG_PIECES = [
    p for p in _PIECES if not any(x in p for x in ("<!", "<?", "</ ", "script", "style>", "title", "text", "xmp"))
    and not any(x in p for x in ("noscript", "iframe", "noembed", "noframes", "plaintext", "<a ", "<p <", "<svg"))
    and p not in ('"', "'", "<", "</", "=", '">', "'>", "<math>") and not re.search("[\ue000-\ue004]|<.*<", p)
]  # fmt: skip


def _random_page(rng: random.Random) -> str:
    pieces = _PIECES if rng.random() < 0.5 else _TAG_PIECES
    weights = [rng.random() ** 3 for _ in pieces]
    return "".join(rng.choices(pieces, weights, k=rng.choice([4, 15, 40, 120])))


def _whole(text: str):
    """What read_html reads of the page parsed whole: (title, blocks, furniture); None: unreadable."""
    try:
        root = html._parse(text)
    except UnreadableFile:
        return None
    body = html._body(root)
    walker = html._Walker()
    if not html._read_stream(walker, root, body, text):
        walker.walk(body)
        walker.flush()
    return html._title(root), walker.blocks, walker.furniture


def _lean(text: str):
    got = html._read_lean(text)
    if got is None:
        return None
    root, walker = got
    return html._title(root), walker.blocks, walker.furniture


def test_the_pattern_counts_every_cell_or_row_tag_start_of_the_lean_page():
    rng = random.Random(2)
    for _ in range(3000):
        text = _random_page(rng)
        lean, n = html._strip_unread(text)
        if lean is None:
            assert len(_OCCURRENCE.findall(text)) == len(html._TAG_ATTRS.split(text)) // 2
            continue
        assert len(_OCCURRENCE.findall(lean)) == n, text
        assert len(lean) < len(text)


def test_random_pages_read_lean_as_whole():
    rng = random.Random(3)
    kept = refused = 0
    for _ in range(4000):
        text = _random_page(rng)
        lean = _lean(text)
        if lean is None:
            refused += html._strip_unread(text)[0] is not None
            continue
        kept += 1
        assert lean == _whole(text), text
    # both ways taken, many times
    assert kept > 1000 and refused > 1000, (kept, refused)


REFUSED = {
    "in a comment": '<table><tr><td>甲<!-- <td style="x">乙 --></td></tr></table>',
    "in a script": "<table><tr><td>甲</td></tr></table><script>s = '<td style=\"x\">';</script>",
    "in a title": '<title><td style="x">题</title><table><tr><td>甲</td></tr></table>',
    "in a textarea": '<table><tr><td><textarea><td style="x">t</textarea></td></tr></table>',
    "in an attribute's value": "<table><tr><td><a title='<td style=\"x\">'>甲</a></td></tr></table>",
    "in an unquoted value": '<table><tr><td><a title=<td style="x">甲</a></td></tr></table>',
    "as an attribute's name": '<table><tr><td><p <td style="x">>甲</td></tr></table>',
    "in a bogus comment": '<table><tr><td><? <td style="x"> ?>甲</td></tr></table>',
    "in plaintext": '<table><tr><td>甲</td></tr></table><plaintext><td style="x">乙',
    "in a style element": '<style><td style="x"></style><table><tr><td>甲</td></tr></table>',
}
KEPT = {
    "plain table": '<table><tr style="h"><td style="x">甲</td><td valign="top" rowspan="2">乙</td></tr></table>',
    "spans first": '<table><tr><td colspan="2" style="x" valign="m">甲</td></tr><tr><td>乙<td>丙</tr></table>',
    "layout table": '<table><tr><td width="9"><table><tr><td style="x">甲</td></tr></table></td></tr></table>',
    "upper case": '<TABLE><TR style="x"><TD style="y" ROWSPAN="2">甲</TD></TR></TABLE>',
    "self-closing": '<table><tr><td style="x"/>甲<td style="y">乙</tr></table>',
    "a cell outside a table": '<p>前</p><td style="x">甲</td><p>后</p>',
}


@pytest.mark.parametrize("name", sorted(REFUSED))
def test_a_tag_spelt_where_it_opens_none_makes_the_page_read_whole(name):
    text = REFUSED[name]
    assert html._strip_unread(text)[0] is not None
    assert html._read_lean(text) is None


@pytest.mark.parametrize("name", sorted(KEPT))
def test_tags_that_are_tags_keep_the_lean_reading(name):
    text = KEPT[name]
    lean = _lean(text)
    assert lean is not None
    assert lean == _whole(text)


def test_odd_fixture_and_generated_pages_read_lean_as_whole(monkeypatch):
    texts = list(ODD_PAGES.values()) + list(HTML_PAGES.values()) + list(REFUSED.values()) + list(KEPT.values())
    for p in _repository_pages():
        try:
            texts.append(decode(p.read_bytes(), p.name, html=True)[0])
        except UnreadableFile:
            continue
    texts += [
        render_html(example_spec(i), cell_wrap=w, th_headers=bool(i % 2), empty_cell=("", "&nbsp;")[i % 2])
        for i, w in enumerate(["none", "p", "span", "p_span", "mixed", "none"])
    ]
    kept = 0
    for text in texts:
        lean = _lean(text)
        if lean is not None:
            kept += 1
            assert lean == _whole(text), text[:200]
    assert kept > 10
    # and read_html as a whole, from the bytes, the same with the lean reading turned off
    for text in texts[-6:]:
        data = text.encode("utf-8")
        doc = html.read_html(data, "x.html")
        monkeypatch.setattr(html, "_read_lean", lambda text: None)
        whole = html.read_html(data, "x.html")
        monkeypatch.undo()
        assert doc == whole


def test_a_failure_reading_lean_reads_the_page_whole(monkeypatch):
    page = KEPT["plain table"].encode("utf-8")
    whole = html.read_html(page, "x.html")
    stream = html._read_stream
    calls = []

    def fail_once(walker, root, body, text):
        calls.append(text)
        if len(calls) == 1:
            raise RuntimeError("lean")
        return stream(walker, root, body, text)

    monkeypatch.setattr(html, "_read_stream", fail_once)
    assert html.read_html(page, "x.html") == whole
    assert len(calls) == 2 and len(calls[0]) < len(calls[1])
