"""The HTML and Word readers read a page in one libxslt pass (a stream of text and marked tables)
instead of walking the tree in Python; the Python walk remains the definition. These pages hold the
odd shapes the two could disagree on, and each is read both ways and compared block for block."""

from __future__ import annotations

import io
import zipfile

import pytest
from lxml import etree

from pipeline.readers import docx, html

HTML_PAGES = {
    "cells with markup": """<html><head><title> 年度报告 </title><script>var a='<p>';</script></head><body>
<p>一、总体情况</p><div>正文<br>第二行<span>内联</span>尾</div>
<table><tr><th rowspan="2">项目</th><th colspan=" 3 ">本年新收</th></tr>
<tr><td><p>自然人</p><p>法人</p></td><td>a<!-- 注释 -->b</td><td><br>x<b>粗</b>y<script>z</script>尾</td></tr>
<tr><td rowspan="x">1</td><td colspan="0">&nbsp;2&nbsp;</td><td rowspan="99">3</td><td colspan="">4</td></tr>
<tr><td><li>列</li><div>块</div>字</td><td><?php echo 1 ?>p</td></tr></table>尾巴
</body></html>""",
    "nested and layout tables": """<html><body><table><tr><td>外层<table><tr><td>甲</td><td>乙</td></tr>
<tr><td>丙</td></tr></table>之后</td><td>右</td></tr></table>
<table><thead><tr><td>表头</td></tr></thead><tbody><tr><td>数据<tr><td>嵌行</td></tr></td></tr></tbody></table>
<noscript>不显示</noscript><select><option>选项</option></select><p>结束</p></body></html>""",
    "no body": "<html><head><title>只有头</title></head></html>",
    "plain rows among spanned ones": """<html><body><table><tr><td>甲</td><td> 乙 </td><td></td></tr>
<tr><td rowspan="3">左</td><td>1</td><td colspan="2">2</td></tr><tr><td>3</td><td>4</td></tr>
<tr><td rowspan="">5</td><td colspan="1">6</td></tr><tr><td>7</td><td>8</td><td>9</td><td>10</td></tr>
<tr></tr><tr><th>头</th><td>&nbsp;</td></tr><tr><td rowspan="">空</td><td colspan="">值</td></tr></table>
<table><tr>"""
    + "".join(f"<td>{i}</td>" for i in range(300))
    + "</tr><tr>"
    + "".join(f"<td>{i}</td>" for i in range(258))
    + '<td rowspan="2">宽</td></tr><tr><td>下</td></tr></table></body></html>',
    "a marker character's reference": "<html><body><table><tr><td>a&#57348;</td></tr></table></body></html>",
    "text after body": "<html><body><p>正文</p></body></html>后记文字<!-- c -->",
    "furniture": """<html><body><div>首页 | 政务公开 | 网站地图</div><p>发布时间：2024-01-05</p>
<table><tr><td>项目</td><td>本年制发件数</td></tr><tr><td>规章</td><td>3</td></tr></table></body></html>""",
}


@pytest.mark.parametrize("name", sorted(HTML_PAGES))
def test_html_stream_reads_as_the_python_walk(name):
    text = HTML_PAGES[name]
    root = etree.fromstring(text, html._PARSER)
    body = root.find("body")
    if body is None:
        body = root
    fast, slow = html._Walker(), html._Walker()
    if "&#57348;" in text:  # U+E004, a marker: the stream is refused and the page walked in Python
        assert not html._read_stream(fast, root, body, text)
        return
    assert html._read_stream(fast, root, body, text)
    slow.walk(body)
    slow.flush()
    assert fast.blocks == slow.blocks
    assert fast.furniture == slow.furniture
    assert fast.blocks or name == "no body"


def test_html_page_holding_a_marker_character_is_walked_in_python():
    page = "<html><body><table><tr><td>项目&#xE002;</td><td>本年制发件数</td></tr></table></body></html>"
    root = etree.fromstring(page, html._PARSER)
    assert not html._read_stream(html._Walker(), root, root.find("body"), page)
    doc = html.read_html(page.encode("utf-8"), "x.html")
    assert doc.tables()[0].rows[0][0].text == "项目\ue002"


W = docx.W


def _docx_bytes(body: str) -> bytes:
    xml = f'<?xml version="1.0" encoding="UTF-8"?><w:document xmlns:w="{W}"><w:body>{body}</w:body></w:document>'
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as z:
        z.writestr("word/document.xml", xml.encode("utf-8"))
    return buf.getvalue()


def _p(text: str) -> str:
    return f"<w:p><w:r><w:t>{text}</w:t></w:r></w:p>"


DOCX_BODIES = {
    "merged cells": (
        _p("一、总体情况")
        + "<w:p><w:r><w:t>甲</w:t><w:tab/><w:t>乙</w:t><w:br/><w:t>丙</w:t><w:cr/></w:r></w:p>"
        + "<w:tbl><w:tr><w:trPr><w:gridBefore w:val='2'/></w:trPr><w:tc><w:tcPr><w:gridSpan w:val='3'/>"
        + "<w:vMerge w:val='restart'/></w:tcPr>"
        + _p("项目")
        + _p(" ")
        + _p("第二段")
        + "</w:tc><w:tc><w:tcPr><w:gridSpan w:val='x'/></w:tcPr>"
        + _p("1")
        + "</w:tc></w:tr><w:tr><w:tc><w:tcPr><w:vMerge/></w:tcPr>"
        + _p("被合并")
        + "</w:tc><w:tc><w:tcPr><w:vMerge w:val='continue'/></w:tcPr>"
        + _p("也合并")
        + "</w:tc><w:tc><w:tcPr><w:gridSpan/></w:tcPr><w:tbl><w:tr><w:tc>"
        + _p("嵌套")
        + "</w:tc></w:tr></w:tbl></w:tc></w:tr></w:tbl>"
    ),
    "content controls and odd runs": (
        "<w:sdt><w:sdtPr/><w:sdtContent>"
        + _p("控件内段落")
        + "<w:tbl><w:tr><w:tc>"
        + _p("控件内表格")
        + "</w:tc></w:tr></w:tbl></w:sdtContent></w:sdt>"
        + "<w:p><w:r><w:t>前<!-- c -->后</w:t></w:r><w:r><w:t/></w:r></w:p>"
        + "<w:bookmarkStart/>"
        + _p("首页 | 网站地图")
    ),
    # the paragraph's text is every w:t, w:tab, w:br and w:cr below it in document order, however
    # deep, even inside one another or inside a text box's own paragraphs
    "runs nested in odd places": (
        "<w:p><w:pPr><w:rPr><w:t>属性里</w:t></w:rPr></w:pPr><w:hyperlink><w:r><w:t>链</w:t></w:r></w:hyperlink>"
        + "<w:r><w:t>外<w:t>内</w:t><w:tab/></w:t><w:tab><w:t>表内</w:t></w:tab><w:br><w:cr/></w:br></w:r>"
        + "<w:r><w:pict><w:txbxContent><w:p><w:r><w:t>文本框</w:t><w:br/></w:r></w:p></w:txbxContent></w:pict></w:r>"
        + "<w:ins><w:r><w:t xml:space='preserve'> 插入 </w:t></w:r></w:ins><w:del><w:r><w:delText>删</w:delText></w:r></w:del></w:p>"
        + "<w:tbl><w:tr><w:tc><w:p><w:r><w:t>格</w:t><w:pict><w:txbxContent><w:p><w:r><w:t>框中</w:t></w:r></w:p>"
        + "</w:txbxContent></w:pict></w:r></w:p></w:tc><w:tc>"
        + "<w:p><w:r><w:t><![CDATA[数据]]></w:t><w:t>a<w:x/>b</w:t></w:r></w:p></w:tc></w:tr></w:tbl>"
    ),
}


@pytest.mark.parametrize("name", sorted(DOCX_BODIES))
def test_docx_stream_reads_as_the_python_walk(name, monkeypatch):
    data = _docx_bytes(DOCX_BODIES[name])
    fast = docx.read_docx(data, "x.docx")
    monkeypatch.setattr(docx, "_read_stream", lambda root, xml: None)
    slow = docx.read_docx(data, "x.docx")
    assert fast.blocks == slow.blocks
    assert fast.blocks


def test_docx_bad_grid_before_is_the_same_error_both_ways(monkeypatch):
    data = _docx_bytes(
        "<w:tbl><w:tr><w:trPr><w:gridBefore w:val='zwei'/></w:trPr><w:tc>" + _p("x") + "</w:tc></w:tr></w:tbl>"
    )
    with pytest.raises(ValueError) as fast:
        docx.read_docx(data, "x.docx")
    monkeypatch.setattr(docx, "_read_stream", lambda root, xml: None)
    with pytest.raises(ValueError) as slow:
        docx.read_docx(data, "x.docx")
    assert str(fast.value) == str(slow.value)


def test_cjk_count_on_utf16_high_bytes_is_the_patterns_count():
    """encoding.count_cjk counts U+4E00-U+9FFF from the high bytes of the UTF-16 code units; the
    pattern is the definition (astral characters, lone surrogates and the range's edges included)."""
    import random

    from pipeline.readers import encoding

    rng = random.Random(15)
    edges = [0x4DFF, 0x4E00, 0x4FFF, 0x5000, 0x9FFF, 0xA000, 0x3400, 0xD800, 0xDFFF, 0x10FFFF, 0x14E00, 0x24E4E]
    for _ in range(2000):
        s = "".join(
            chr(rng.choice([rng.randrange(0x3000, 0xA100), rng.randrange(0x110000), rng.choice(edges)]))
            for _ in range(rng.randrange(40))
        )
        assert encoding.count_cjk(s) == len(encoding._NON_CJK.sub("", s)), repr(s)
    assert encoding.count_cjk("年报 2024 abc ䷀丁") == 3


def test_cjk_bound_decides_as_the_share():
    """encoding._too_little_cjk decides from a bound where it can; `_cjk_share(...) < 0.02` is the
    definition, on texts around the threshold and HTML whose Chinese is hidden in tags and scripts."""
    import random

    from pipeline.readers import encoding

    rng = random.Random(15)
    pieces = ["中", "文", "一", "丁", "\u4e00", "\u4fff", "\u5000", "\u9fff", "a", "1", " ", "\n", "，", "。", "\u3400"]
    pieces += ["<p>", "<script>中文中文</script>", "<!-- 中文 -->", '<meta content="中文中文">', "<b>", "ſ"]
    texts = []
    for _ in range(3000):
        n = rng.choice([1, 10, 50, 51, 100, 200, 1000])
        weights = [rng.random() ** 3 for _ in pieces]
        texts.append("".join(rng.choices(pieces, weights, k=n)))
    texts += [
        "a" * 49 + "文",
        "a" * 50 + "文",
        "a" * 48 + "文",
        "",
        " ",
        "a" * 49 + "中",
        "a" * 50 + "中",
        "a" * 48 + "中",
        "<p>" + "a" * 49 + "丁</p>",
        "a" * 30000 + "中" * 500,
    ]
    below = 0
    for t in texts:
        for is_html in (False, True):
            got = encoding._too_little_cjk(t, is_html)
            assert got == (encoding._cjk_share(t, is_html) < 0.02), (t[:80], is_html)
            below += got
    assert 0 < below < 2 * len(texts)


def test_cell_text_memos_give_the_cleaned_text_and_keep_only_short_ones():
    from pipeline.textnorm import clean

    long_cell = " 长" * 150 + "\n"
    for raw in (" 项目 ", "a\u3000 b", "", long_cell):
        assert html._CELL_TEXTS[raw] == clean(raw.strip())
        assert (raw in html._CELL_TEXTS) == (len(raw) <= 200)
    paras = docx._PARA + " 长" * 150 + docx._PARA + "  " + docx._PARA + "第二段"
    assert docx._CELL_TEXTS[paras] == clean("\n".join(x for x in paras.split(docx._PARA)[1:] if x.strip()))
    assert paras not in docx._CELL_TEXTS


def test_empty_file_check_is_strip_without_the_copy():
    """decode's `not data or data.isspace()` against `not data.strip()`: every byte alone and in pairs,
    and whitespace runs with one other byte anywhere."""
    import random

    from pipeline.document import UnreadableFile
    from pipeline.readers.encoding import decode

    cases = (
        [b""] + [bytes([a]) for a in range(256)] + [bytes([a, b]) for a in range(256) for b in (9, 32, 65, 133, 160)]
    )
    rng = random.Random(3)
    for _ in range(500):
        run = bytearray(rng.choices(b" \t\n\r\x0b\x0c", k=rng.randrange(1, 20)))
        run.insert(rng.randrange(len(run) + 1), rng.randrange(256))
        cases.append(bytes(run))
    for data in cases:
        assert (not data or data.isspace()) == (not data.strip()), data
        if not data.strip():
            with pytest.raises(UnreadableFile, match="empty"):
                decode(data, "x.txt")
