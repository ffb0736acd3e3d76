"""The HTML reader's shortcuts, each held to the general way it stands for, on odd pages and on every
HTML page of the repository's fixtures and generated variants:
- the page parsed from its UTF-8 bytes (`html._tree_utf8`) against lxml's parse of the decoded text
  (`html._tree`): the same tree, or the same refusal;
- the page's title found by lxml's iterator against `root.findtext(".//title")`."""

from __future__ import annotations

from pathlib import Path

import pytest
from lxml import etree
from test_reader_stream import HTML_PAGES

from corpus import example_spec
from corpus.html_writer import render_html
from pipeline.readers import html
from pipeline.readers.encoding import decode
from pipeline.readers.kinds import detect_kind

ROOT = Path(__file__).resolve().parents[1]

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


def _same_tree(text: str) -> None:
    def parse(fn):
        try:
            root = fn(text)
        except Exception as e:  # noqa: BLE001  (the refusal itself is compared)
            return ("raised", type(e).__name__, str(e))
        if root is None:
            return ("none",)
        tree = root.getroottree()
        return (
            etree.tostring(tree, encoding="unicode"),
            tree.docinfo.doctype,
            str(html._WALK(root)) if len(text) < 100_000 else None,
        )

    assert parse(html._tree_utf8) == parse(html._tree)


@pytest.mark.parametrize("name", sorted(ODD_PAGES))
def test_utf8_parse_is_the_text_parse_on_odd_pages(name):
    _same_tree(ODD_PAGES[name])


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


def test_utf8_parse_is_the_text_parse_on_every_fixture_page():
    pages = _repository_pages()
    assert pages
    for p in pages:
        try:
            text, _ = decode(p.read_bytes(), p.name, html=True)
        except Exception:  # noqa: BLE001  (refused before the parse: nothing to compare)
            continue
        _same_tree(text)


@pytest.mark.parametrize(
    "options",
    [
        {"encoding": "utf-8"},
        {"encoding": "gbk", "t2_split": True},
        {"encoding": "gb18030", "cell_wrap": "mixed"},
        {"encoding": "utf-8-sig", "th_headers": True},
    ],
)
def test_utf8_parse_is_the_text_parse_on_generated_pages(options):
    for i in range(12):
        _same_tree(render_html(example_spec(i), **options))


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
}


@pytest.mark.parametrize("name", sorted(TITLE_PAGES))
def test_title_is_findtext_of_the_first_title(name):
    root = html._tree(TITLE_PAGES[name])
    assert html._title(root) == root.findtext(".//title")


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
            root = html._tree(text)
        except Exception:  # noqa: BLE001  (refused: no title to read)
            continue
        if root is not None:
            assert html._title(root) == root.findtext(".//title")

