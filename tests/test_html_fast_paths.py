"""The HTML reader's shortcuts, each held to the general way it stands for, on odd pages and on every
HTML page of the repository's fixtures and generated variants:
- the page's title found by lxml's iterator against `root.findtext(".//title")`;
- the Chinese-share check decided from the visible text of the page's first kilobytes
  (`encoding.visible_prefix`) against the visible sample of the whole page."""

from __future__ import annotations

from pathlib import Path

import pytest
from lxml import etree
from test_reader_stream import HTML_PAGES

from corpus import example_spec
from corpus.html_writer import render_html
from pipeline.readers import encoding, html
from pipeline.readers.encoding import decode
from pipeline.readers.kinds import detect_kind

ROOT = Path(__file__).resolve().parents[1]


def _parse(text: str):
    return etree.fromstring(text, html._PARSER)


ODD_PAGES = {
    **HTML_PAGES,
    "xml declaration with encoding": '<?xml version="1.0" encoding="utf-8"?><html><body><p>中文</p></body></html>',
    "xml declaration without encoding": '<?xml version="1.0"?><html><body><p>中文</p></body></html>',
    "xml declaration after a space": ' <?xml version="1.0" encoding="gbk"?><html><body><p>中文</p></body></html>',
    "byte order mark character": "\ufeff<html><body><p>中文</p></body></html>",
    "two byte order marks": "\ufeff\ufeff<p>中文</p>",
    "declared gbk, read as text": '<html><head><meta charset="gbk"></head><body><p>中文：ÿ</p></body></html>',
    "declared utf-16": '<meta http-equiv="Content-Type" content="text/html; charset=utf-16"><p>中文</p>',
    "nul and control characters": "<p>甲\x00乙\x01丙\x0b丁\x0c戊\x7f己\x85庚</p><td>\x00</td>",
    "noncharacters and astral": "<p>\ufffe\uffff\U0001f600\U00020000字</p><table><tr><td>\U0002a6a5</td></tr></table>",
    "references to odd characters": "<p>&#0;&#x0;&#xD800;&#xFFFE;&#x110000;&#128512;&nbsp;&amp;&lt;</p>",
    "latin-1 only": "<html><body><p>caf\xe9 na\xefve</p></body></html>",
    "ascii only": "<html><body><p>plain</p></body></html>",
    "comment only": "<!-- 只有注释 -->",
    "doctype only": "<!DOCTYPE html>",
    "lone surrogate": "<p>甲\ud800乙</p>",
    "unclosed everything": "<html><body><table><tr><td>甲<td>乙<tr><td>丙<p>丁<div>戊",
    "deep nesting": "<html><body>" + "<div>" * 3000 + "深" + "</div>" * 3000 + "</body></html>",
    "carriage returns kept by a caller": "<p>甲\r\n乙\r丙</p>",
    "attributes everywhere": '<td rowspan="2" colspan=\'3\' style="a:b" 中="文" x=<y>值</td>',
}


def _repository_pages() -> list[Path]:
    roots = [ROOT / "assets" / "sample" / "inbox", ROOT / "tests" / "fixtures", ROOT.parent / "shared" / "fixtures"]
    out = []
    for r in roots:
        for p in sorted(r.rglob("*")) if r.is_dir() else []:
            if p.is_file() and p.stat().st_size < 5_000_000 and not p.name.endswith(".json"):
                data = p.read_bytes()
                try:
                    if detect_kind(data) == "html":
                        out.append(p)
                except Exception:  # noqa: BLE001  (not a page: not ours to compare)
                    continue
    return out


TITLE_PAGES = {
    "none": "<html><body><p>正文</p></body></html>",
    "in the head": "<html><head><meta charset='utf-8'><title> 年报 </title></head><body></body></html>",
    "empty": "<html><head><title></title></head><body><title>后</title></body></html>",
    "in the body only": "<html><body><div><title>体内</title></div><title>二</title></body></html>",
    "two, markup inside": "<title>前<b>粗</b>后</title><title>二</title>",
    "comment first": "<html><head><title><!-- c -->文</title></head></html>",
    "nested in head elements": "<html><head><noscript><title>里</title></noscript><title>外</title></head></html>",
    "after a comment at the top": "<!-- a --><html><head><title>题</title></head></html>",
    "prefixed name": "<html><head><x:title>前缀</x:title><TITLE>大写</TITLE></head></html>",
    "comment before the head": "<html><!-- c --><?pi x?><head><meta charset='utf-8'><title>题</title></head></html>",
    "two in the head": "<html><head><meta><link><title>一</title><title>二</title></head></html>",
    "after a style and a script": "<html><head><style>t{}</style><script>s</script><title>后</title></head></html>",
    "after an element holding one": "<html><head><object><title>里</title></object><title>外</title></head></html>",
    "in a child of the head only": "<html><head><noscript><p>x</p><title>深</title></noscript></head></html>",
    "after a comment in the head": "<html><head><!-- <title>不</title> --><title>是</title></head></html>",
    "empty after childless": "<html><head><meta><base href='x'><title></title></head><body><title>b</title></body></html>",
}


@pytest.mark.parametrize("name", sorted(TITLE_PAGES))
def test_title_is_findtext_of_the_first_title(name):
    root = _parse(TITLE_PAGES[name])
    assert html._title(root) == root.findtext(".//title")


def test_title_is_findtext_on_trees_the_parser_does_not_make():
    # an element before the head, holding a title; a head that is not the first element
    root = etree.Element("html")
    etree.SubElement(etree.SubElement(root, "div"), "title").text = "前"
    etree.SubElement(etree.SubElement(root, "head"), "title").text = "后"
    assert html._title(root) == root.findtext(".//title") == "前"
    root = etree.Element("html")
    root.append(etree.Comment("c"))
    head = etree.SubElement(root, "head")
    etree.SubElement(head, "meta")
    etree.SubElement(head, "title")
    assert html._title(root) == root.findtext(".//title") == ""
    assert html._title(etree.Element("title")) is None


def test_title_is_findtext_on_every_fixture_and_generated_page():
    texts = []
    for p in _repository_pages():
        try:
            texts.append(decode(p.read_bytes(), p.name, html=True)[0])
        except Exception:  # noqa: BLE001  (refused before the parse)
            continue
    texts += [render_html(example_spec(i), title_tag=("h1", "div")[i % 2]) for i in range(6)]
    texts += list(ODD_PAGES.values())
    for text in texts:
        try:
            root = _parse(text)
        except Exception:  # noqa: BLE001  (refused: no title to read)
            continue
        if root is not None:
            assert html._title(root) == root.findtext(".//title")


_PIECES = [
    "中文", "年度报告", "a", " ", "\n", ">", "<", "<p>", "</p>", "<b class='x>y'>", "<td>", "<", "<!", "<!-", "<!--",
    "-->", "--", "<!-- 注释中文 -->", "<script>", "</script>", "</script >", "<script src=x>", "<SCRIPT>",
    "</Script>", "<ſcript>", "</ſcript>", "<scripts>", "<style>", "</style>", "<noscript>", "</noscript>",
    "<template>", "</template>", "<scr", "ipt>", "<style type='a>b'>", '<meta content="中文中文">',
    "<script>var s='<!--';</script>", "<!-- <script> -->", "&#20013;",
]  # fmt: skip


def _random_page(rng, n: int) -> str:
    weights = [rng.random() ** 2 for _ in _PIECES]
    return "".join(rng.choices(_PIECES, weights, k=n))


def test_visible_prefix_is_a_prefix_of_the_whole_pages_visible_text():
    import random

    rng = random.Random(15)
    shown = 0
    for i in range(4000):
        text = _random_page(rng, rng.choice([5, 20, 80, 300, 1500]))
        cut = rng.choice([0, 1, 3, 10, 40, 200, len(text) // 2, len(text)])
        head = encoding.visible_prefix(text, cut)
        if head is None:
            continue
        shown += 1
        whole = encoding._TAGS.sub(" ", encoding._INVISIBLE.sub(" ", text[:1_000_000]))
        assert whole.startswith(head), (text, cut)
        assert encoding.visible_sample(text, len(whole) + 1).startswith(head)
    assert 500 < shown < 4000


def test_share_check_from_the_prefix_decides_as_the_share():
    import random

    rng = random.Random(16)
    texts = [_random_page(rng, rng.choice([3000, 6000, 12000])) for _ in range(150)]
    # Chinese shown late, hidden early, or only in tags and scripts
    texts += [
        "<p>" + "a" * 9000 + "中" * 500 + "</p>",
        "<script>" + "中" * 9000 + "</script><p>abc</p>" + "x" * 9000,
        "<!--" + "中" * 9000 + "<p>" + "文" * 500,
        "<p " + "中" * 9000 + "<p>abc",
        "<script>" + "中" * 5000 + "<p>" + "文" * 3000 + "</script>" + "b" * 30000,
        '<meta content="' + "中" * 9000 + '"><p>ab</p>' + "c" * 20000,
        "<p>" + "中" * 399 + "</p>" + "a" * 9000,
        "<p>" + "中" * 400 + "</p>" + "a" * 20000,
        "<p>" + "中" * 400 + "</p>" + "a" * 20000 + "<p>" + "b" * 30000,
        # 400 shown only past the first head (1,536 characters), within the second (4,096)
        "<p>" + "a" * 1400 + "中" * 450 + "</p>" + "b" * 9000,
        "<script>" + "中" * 1000 + "</script><p>" + "文" * 450 + "</p>" + "c" * 9000,
        # U+4E00-U+4FFF only
        "<p>" + "丁" * 400 + "</p>" + "a" * 9000,
        "<p>" + "丁" * 399 + "</p>" + "a" * 9000,
        "<p>" + "丁" * 200 + "中" * 200 + "</p>" + "a" * 19000,
    ]
    for p in _repository_pages():
        try:
            texts.append(p.read_bytes().decode("utf-8"))
        except UnicodeDecodeError:
            texts.append(p.read_bytes().decode("gb18030", "replace"))
    texts += [render_html(example_spec(i)) for i in range(6)]
    decided = 0
    for t in texts:
        assert encoding._too_little_cjk(t, True) == (encoding._cjk_share(t, True) < 0.02), t[:80]
        head = encoding.visible_prefix(t)
        decided += head is not None and encoding.count_cjk(head[:20000]) >= 400
    assert decided > 10


GRID_PAGES = {
    "rows under cells from above": """<table><tr><td rowspan="3">左</td><td>1</td><td rowspan="2">右</td></tr>
<tr><td>2</td><td>多</td><td>余</td></tr><tr><td>3</td><td>4</td></tr><tr><td>5</td></tr></table>""",
    "wide row under a cell from above": '<table><tr><td rowspan="2">左</td>'
    + "".join(f"<td>{i}</td>" for i in range(299))
    + "</tr><tr>"
    + "".join(f"<td>下{i}</td>" for i in range(300))
    + "</tr></table>",
    "taken columns between": """<table><tr><td>a</td><td rowspan="4">b</td><td>c</td><td rowspan="2" colspan="2">d</td></tr>
<tr><td>e</td><td>f</td><th>g</th><td>h</td></tr><tr><td>i</td><td>j</td><td>k</td><td>l</td></tr>
<tr><td colspan="2">m</td><td>n</td></tr><tr><td rowspan="0">o</td><td>p</td></tr></table>""",
}


@pytest.mark.parametrize("name", sorted(GRID_PAGES))
def test_stream_grid_reads_rows_under_spans_as_the_python_walk(name):
    text = f"<html><body><p>前</p>{GRID_PAGES[name]}<p>后</p></body></html>"
    root = _parse(text)
    body = root.find("body")
    fast, slow = html._Walker(), html._Walker()
    assert html._read_stream(fast, root, body, text)
    slow.walk(body)
    slow.flush()
    assert fast.blocks == slow.blocks
    assert any(c.cont for t in fast.blocks if isinstance(t, html.Table) for row in t.rows for c in row)
