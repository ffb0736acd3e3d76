"""The mapper's and the text reader's fast paths (issue 15) read every document exactly as their
general paths do: each input below is read and mapped with the fast paths off
(`pipeline.mapper.common.FAST`, `pipeline.readers.text.FAST`) and on, and the two outputs must be
the same, down to the order of the cells and of the problems."""

from __future__ import annotations

import dataclasses
import json
from pathlib import Path

import pytest
from randomdoc import random_document

import pipeline.parse as parse_mod
from corpus import example_spec, render_text, write
from pipeline.codebook import Entry, codebook, may_match
from pipeline.document import UnreadableFile
from pipeline.mapper import T3Reader, common, map_document, plans
from pipeline.readers import read_document
from pipeline.readers import text as text_reader
from pipeline.structure import _ORDINAL_FIRST, section_of_heading
from pipeline.textnorm import norm_label, norm_text, ordinal_of

ROOT = Path(__file__).resolve().parents[1]
HERE = Path(__file__).parent
SAMPLE = ROOT / "assets" / "sample" / "inbox"
REAL = ROOT.parent / "shared" / "fixtures" / "real"
LAYOUTS = ("A", "B1", "B2", "C", "mixed", "wrapped")


def _read(data: bytes, name: str, fast: bool):
    saved = text_reader.FAST
    text_reader.FAST = fast
    try:
        return read_document(data, name, None)
    except UnreadableFile as e:  # a bad file of the sample inbox: the same message both ways
        return f"unreadable: {e}"
    finally:
        text_reader.FAST = saved


def _map(doc, fast: bool) -> str:
    saved = common.FAST
    common.FAST = fast
    try:
        return json.dumps(dataclasses.asdict(map_document(doc)), ensure_ascii=False)
    finally:
        common.FAST = saved


def _ocr(data: bytes, name: str) -> bool:
    """Images and PDFs made of page images are read by OCR: seconds each, and the fast paths leave
    OCR-read cells to the general path; they are not read here."""
    suffix = Path(name).suffix.lower()
    return suffix in (".jpg", ".jpeg", ".png") or suffix == ".pdf" and data.count(b"/Image") >= data.count(b"/Font")


def assert_same(data: bytes, name: str) -> None:
    """The document read by the text reader's general and fast paths (other readers have one
    path: read once), then mapped by the mapper's general and fast paths: the same, as JSON."""
    general = _read(data, name, False)
    fast = _read(data, name, True) if not isinstance(general, str) and general.kind == "text" else general
    if isinstance(general, str):
        assert fast == general, name
        return
    assert json.dumps(dataclasses.asdict(fast), ensure_ascii=False) == json.dumps(
        dataclasses.asdict(general), ensure_ascii=False
    ), name
    assert _map(fast, True) == _map(general, False), name


@pytest.mark.parametrize("layout", LAYOUTS)
def test_text_layouts_read_alike(layout):
    for i in range(18):
        spec = example_spec(i)
        assert_same(render_text(spec, layout=layout).encode("utf-8"), f"r{i}.txt")


def test_odd_text_shapes_read_alike():
    """Lines cut, pipes doubled or missing, blank and spam lines, markup, tabs, full-width bars: the
    same text of each layout bent in the ways a copy from a page bends it."""
    bends = [
        lambda t: t.replace(" |\n", "\n"),  # the closing pipes lost
        lambda t: t.replace(" | ", "|"),  # cells without spaces
        lambda t: t.replace(" |", " | |"),  # a blank cell after each
        lambda t: t.replace("\n", "\n\n"),  # every line doubled by a blank one
        lambda t: t.replace(" | ", "\t"),  # a browser's tabs
        lambda t: t.replace("|", "｜"),  # full-width bars
        lambda t: t.replace(" | 0 |", " | &nbsp; |").replace("\n0\n", "\n<o:p></o:p>\n"),  # markup
        lambda t: t.replace("\n", "\n责任编辑：张三\n", 3),  # page furniture
        lambda t: t.replace("（一）予以公开", "（一）予以公"),  # a label with a typo
        lambda t: t.replace(" | ", " |\n", 40),  # rows broken over lines
        lambda t: t.replace(" |\n", " |\n- 3 -\n", 5),  # page marks
        lambda t: "\n".join(ln.strip("|") for ln in t.split("\n")),  # no outer pipes
        lambda t: "\n".join("| " + ln + " |" if "|" in ln else ln for ln in t.split("\n")),  # markdown
        lambda t: t.replace("1.属于国家秘密", ""),  # a label lost: values without a row label
        lambda t: t[: len(t) * 2 // 3],  # cut short
    ]
    for i in range(6):
        for layout in LAYOUTS:
            text = render_text(example_spec(i), layout=layout)
            for k, bend in enumerate(bends):
                assert_same(bend(text).encode("utf-8"), f"r{i}-{layout}-{k}.txt")


def test_other_kinds_read_alike(tmp_path):
    cases = [
        ("html", {"encoding": "utf-8"}),
        ("html", {"encoding": "gbk", "t2_split": True}),
        ("html", {"encoding": "gb18030", "cell_wrap": "mixed"}),
        ("docx", {}),
    ]
    for i in range(8):
        for k, (kind, opts) in enumerate(cases):
            p = tmp_path / f"r{i}_{k}.{kind}"
            write(example_spec(i), p, kind, **opts)
            assert_same(p.read_bytes(), p.name)


def test_sample_inbox_and_real_fixtures_read_alike():
    # (.doc files are converted by LibreOffice, seconds each, and read as .docx: left out)
    files = [p for p in sorted(SAMPLE.rglob("*")) if p.is_file() and p.suffix.lower() != ".doc"]
    if REAL.is_dir():
        files += [p for p in sorted(REAL.iterdir()) if p.is_file() and not p.name.endswith(".json")]
    assert len(files) > 80
    for p in files:
        data = p.read_bytes()
        if not _ocr(data, p.name):
            assert_same(data, str(p))


def test_failure_classes_read_alike(monkeypatch):
    """Every document the failure-class and text-reader tests parse, read and mapped both ways."""
    seen: list[tuple[bytes, str]] = []
    real = parse_mod.parse_bytes

    def record(data: bytes, path: str, base: str | None = None) -> dict:
        seen.append((data, path))
        return real(data, path, base)

    monkeypatch.setattr(parse_mod, "parse_bytes", record)
    modules = ["test_parse_failure_classes.py", "test_parse_text.py"]
    for m in modules:
        mod = __import__(m[:-3])
        monkeypatch.setattr(mod, "parse_bytes", record, raising=False)
    rc = pytest.main(["-q", "-p", "no:cacheprovider", "-p", "no:randomly", *(str(HERE / m) for m in modules)])
    assert rc == 0
    assert len(seen) > 50
    for data, path in seen:
        if not _ocr(data, path):
            assert_same(data, path)


def _texts() -> list[str]:
    """Lines and cells of rendered reports, the codebook's labels and pieces of them."""
    cb = codebook()
    out: set[str] = set()
    for i in range(6):
        for layout in LAYOUTS:
            for line in render_text(example_spec(i), layout=layout).split("\n"):
                out.add(line)
                out.update(line.split("|"))
                out.update(line.split())
    for p in sorted(SAMPLE.rglob("*.txt")):
        for line in p.read_text(encoding="utf-8", errors="replace").split("\n"):
            out.add(line)
            out.update(line.split("|"))
    for name in ("t2_rows", "t2_columns", "t2v2019_rows", "t2v2019_columns", "t3_rows", "t3_columns"):
        for e in getattr(cb, name) + cb.t3_row_groups + cb.t4_groups + cb.t4_columns:
            out.update((e.label, e.short, e.label[2:], e.label[:-2], e.label + "（续）", "（一）" + e.label))
    return sorted({norm_label(t) for t in out} - {""})


def test_quick_no_of_the_codebook_never_says_no_to_a_match():
    """`may_match` (one pass for a list of patterns) is false only when no pattern matches."""
    cb = codebook()
    lists = [[p for e in entries for p in e.patterns] for entries in cb.__dict__.values() if _entries(entries)]
    lists += [cb.t2_headers, cb.t3_org_group, cb.t3_headers, cb.t4_supergroup]
    lists.append([p for ps in lists for p in ps])
    texts = _texts()
    assert len(texts) > 1000
    for patterns in lists:
        quick = may_match(patterns)
        missed = [t for t in texts if any(p.search(t) for p in patterns) and not quick(t)]
        assert missed == []
    # and it does say no: most lines of a report carry none of the tables' words
    assert sum(1 for t in texts if not may_match(lists[-1])(t)) > len(texts) // 3


def _entries(value) -> bool:
    return isinstance(value, tuple) and bool(value) and all(isinstance(e, Entry) for e in value)


def test_a_line_opening_with_an_ideograph_other_than_a_numeral_has_no_ordinal():
    """section_of_heading's shortcut: the normalised text of such a line opens with that character's
    own normalised form, whatever follows it, so ordinal_of finds no ordinal there."""
    rests = ["、", "二、", "\u0301、", " 一、", "\u200b三、", "第一章"]
    for code in range(0x4E00, 0xA000):
        c = chr(code)
        if len(norm_text(c)) == 1 and norm_text(c) not in _ORDINAL_FIRST:
            for rest in rests:
                assert norm_text(c + rest)[0] == norm_text(c), c
                assert ordinal_of(c + rest) is None, c
    assert section_of_heading("三、收到和处理政府信息公开申请情况") is not None
    assert section_of_heading("本机关严格按照条例") is None


def test_the_fast_paths_are_taken(monkeypatch):
    """The comparisons above compare something: on the layouts of text copied from a page, the fast
    paths read most rows."""
    taken = {"pipe_rows": 0, "t3": 0, "t3_rows": 0}
    pipe_rows, label_and_values = text_reader._pipe_rows, T3Reader._label_and_values
    feed_row = T3Reader._feed_row

    def count_pipe_rows(*a):
        got = pipe_rows(*a)
        taken["pipe_rows"] += got is not None
        return got

    def count_t3(self, *a):
        got = label_and_values(self, *a)
        taken["t3"] += got
        return got

    def count_rows(self, *a):
        taken["t3_rows"] += 1
        return feed_row(self, *a)

    monkeypatch.setattr(text_reader, "_pipe_rows", count_pipe_rows)
    monkeypatch.setattr(T3Reader, "_label_and_values", count_t3)
    monkeypatch.setattr(T3Reader, "_feed_row", count_rows)
    monkeypatch.setattr(plans, "PLANS", {})  # mapped by reading the rows, not by a plan kept before
    for layout in ("A", "B1"):
        doc = read_document(render_text(example_spec(1), layout=layout).encode("utf-8"), "r.txt", None)
        map_document(doc)
    assert taken["pipe_rows"] >= 4
    assert taken["t3"] >= 0.4 * taken["t3_rows"] > 0  # every row label; headers and groups take the general path


def test_one_cell_per_line_shapes_read_alike():
    """Layouts B2 (a cell's line, then a line "|") and C (cells between blank lines), bent where the
    fast paths of `_cell_line_rows` and `_blank_rows` draw their lines: blank runs of every length
    (empty cells in C), furniture between a cell and its "|", a "|" with spaces or alone, markup,
    a tab, a cell line with pipes, the text cut at a cell or at its "|"."""
    bends = [
        lambda t: t,
        lambda t: t.replace("\n\n", "\n\n\n", 7),  # three blank-separated: one empty cell in C
        lambda t: t.replace("\n\n", "\n\n\n\n\n", 9),  # five: two empty cells
        lambda t: t.replace("\n\n", "\n\n\n\n", 11),  # four
        lambda t: t + "\n\n\n\n\n",  # trailing blank run
        lambda t: t.replace("\n|\n", "\n\n|\n", 5),  # a blank line between a cell and its "|"
        lambda t: t.replace("\n|\n", "\n|\n\n\n\n", 5),  # blank runs after a "|"
        lambda t: t.replace("\n|\n", "\n责任编辑：张三\n|\n", 3),  # furniture between cell and "|"
        lambda t: t.replace("\n|\n", "\n|\n- 3 -\n", 4).replace("\n\n0\n", "\n\n- 4 -\n\n0\n", 4),
        lambda t: t.replace("\n|\n", "\n | \n", 6),  # a "|" with spaces
        lambda t: t.replace("\n|\n", "\n||\n", 6),  # doubled
        lambda t: t.replace("\n|\n", "\n", 4),  # a "|" lost
        lambda t: t.replace("\n0\n", "\n&nbsp;0\n", 3).replace("\n/\n", "\n<b>/</b>\n", 3),  # markup
        lambda t: t.replace("\n规章\n", "\n规章\t0\n"),  # a tab
        lambda t: t.replace("\n0\n", "\n0 | 1\n", 2),  # a cell line with a pipe
        lambda t: t.replace("\n0\n", "\n 0  1 \n", 5),  # space-split pieces, spaces around
        lambda t: t[: t.rfind("\n|\n") + 1] if "\n|\n" in t else t[: len(t) // 2],  # cut before "|"
        lambda t: t[: len(t) * 3 // 5],  # cut short
    ]
    for i in range(8):
        for layout in ("B2", "C", "mixed"):
            text = render_text(example_spec(i), layout=layout)
            for k, bend in enumerate(bends):
                assert_same(bend(text).encode("utf-8"), f"o{i}-{layout}-{k}.txt")


def test_the_one_cell_per_line_fast_paths_are_taken(monkeypatch):
    """The comparisons above compare something: B2's and C's tables are read by their fast paths."""
    taken = {"b2": 0, "c": 0}
    cell_line_rows, blank_rows = text_reader._cell_line_rows, text_reader._blank_rows

    def count_b2(*a):
        got = cell_line_rows(*a)
        taken["b2"] += got is not None
        return got

    def count_c(*a):
        got = blank_rows(*a)
        taken["c"] += got is not None
        return got

    monkeypatch.setattr(text_reader, "_cell_line_rows", count_b2)
    monkeypatch.setattr(text_reader, "_blank_rows", count_c)
    for layout in ("B2", "C"):
        read_document(render_text(example_spec(1), layout=layout).encode("utf-8"), "r.txt", None)
    assert taken["b2"] >= 3 and taken["c"] >= 3


def _random_readers(rng):
    """Readers in states the table readers can end in, and some they only might: rows read in the
    form's column order or another, short of columns or with one outside the form's, Table 3's
    法人或其他组织 小计, rows inferred, the 2019 Table 2 beside the 2021 one or alone, Table 4
    read in another column order or in part, cells missing, read by OCR or another reader, with
    another confidence."""
    from pipeline.codebook import t3_column_codes
    from pipeline.document import GridCell
    from pipeline.mapper.common import RowRead
    from pipeline.mapper.table2 import T2Reader
    from pipeline.mapper.table4 import T4Reader

    texts = ["", "0", "12", "3.5", "/", "无", "—", "１２", "O", "l2", "abc", "1,234", " 7 ", "12345678901234567"]

    def cell():
        r = rng.random()
        if r < 0.1:
            return None
        return GridCell(
            rng.choice(texts),
            f"line {rng.randrange(1, 90)}",
            read_by=rng.choice([None, None, None, "ocr", "pdf"]),
            confidence=rng.choice([1.0, 1.0, 0.75]),
        )

    def row(cols):
        cols = list(cols)
        if rng.random() < 0.2:
            rng.shuffle(cols)
        if rng.random() < 0.1:
            cols = cols[:-1]
        if rng.random() < 0.05:
            cols.append("unknown_column")
        return RowRead([cell() for _ in cols], cols, "line 1")

    cb = codebook()
    t2, t3, t4 = T2Reader(), T3Reader(), T4Reader()
    for e in cb.t2_rows:
        if rng.random() < 0.8:
            t2.rows[e.code] = row(e.columns)
    for code in ("licensing", "penalties", "coercion", "rules", "fees"):
        if rng.random() < 0.3:
            t2.rows2019[code] = row(rng.choice([["decisions"], ["made", "decisions"], ["decisions", "decisions"]]))
    t3cols = t3_column_codes()
    for e in cb.t3_rows:
        if rng.random() < 0.85:
            cols = list(t3cols)
            if rng.random() < 0.2:
                cols.insert(1, "org_subtotal")
            t3.rows[e.code] = row(cols)
            if rng.random() < 0.1:
                t3.inferred.add(e.code)
    if rng.random() < 0.8:
        from pipeline.codebook import t4_column_codes, t4_group_codes

        keys = [f"{g}.{c}" for g in t4_group_codes() for c in t4_column_codes()]
        if rng.random() < 0.3:
            rng.shuffle(keys)
        if rng.random() < 0.2:
            keys = keys[:10]
        t4.read = {k: cell() for k in keys}
    return t2, t3, t4


def test_output_cells_by_row_same_as_a_cell_at_a_time():
    """`walk._cells_by_row` and `_extra_cells` of `_extra_list` (the fast path) make the same cells, in the same
    order, as `_cells_general`, for 600 random reader states; each cell its own dict."""
    import random

    from pipeline.mapper import walk

    rng = random.Random(15)
    for i in range(600):
        t2, t3, t4 = _random_readers(rng)
        kind = rng.choice(["text", "html", "pdf"])
        t4_ok = rng.random() < 0.9
        put = walk._putter(kind)
        extra_g: dict = {}
        general = walk._cells_general(extra_g, t2, t3, t4, t4_ok, put)
        extra_f: dict = {}
        fast = walk._cells_by_row(t2, t3, t4, t4_ok, put, kind)
        walk._extra_cells(extra_f, walk._extra_list(t2, t3), t3, put)
        assert json.dumps([fast, extra_f], ensure_ascii=False) == json.dumps([general, extra_g], ensure_ascii=False), i
        assert len({id(c) for c in fast.values()}) == len(fast) == 200


def test_random_grids_map_alike():
    """Grids of rows made at random from the form's own words (section headings, Table 2, 3 and 4
    labels, group headings, column headers, header notes), values (numbers, zeros, blanks, NA words,
    OCR look-alikes), typos and stray text, in the shapes the fast paths take (a label and values, a
    group then a label and values, lone values, rows of blanks or values, grids padded with blank
    cells) and others, explicit or not, delimited or not: mapped with the fast paths off and on, the
    same (JSON, order included)."""
    import random

    from pipeline.document import GridCell

    cb = codebook()
    words = [e.label for e in cb.t2_rows + cb.t3_rows + cb.t3_row_groups + cb.t4_groups + cb.t4_columns]
    words += [e.label for e in cb.t2_columns + cb.t3_columns + cb.t2v2019_rows + cb.t2v2019_columns]
    words += ["信息内容", "申请人情况", "自然人", "法人或其他组织", "商业企业", "总计", "其他", "小计"]
    words += ["（本列数据的勾稽关系为：第一项加第二项之和，等于第三项加第四项之和）", "数据1", "总计"]
    typos = [w[:-1] for w in words if len(w) > 5][:20] + [w[1:] for w in words if len(w) > 6][:10]
    values = ["", "", "", "0", "0", "1", "12", "3.5", "/", "无", "—", "1,234", "O", "l2", "-"]
    stray = ["本机关", "注：", "abc", "政府信息公开工作年度报告"]
    headings = [
        "二、主动公开政府信息情况",
        "三、收到和处理政府信息公开申请情况",
        "四、政府信息公开行政复议、行政诉讼情况",
    ]
    rng = random.Random(15)

    def cell(text: str) -> GridCell:
        ocr = rng.random() < 0.05
        return GridCell(
            text, f"line {rng.randrange(1, 300)}", read_by="ocr" if ocr else None, confidence=0.8 if ocr else 1.0
        )

    def row() -> list[GridCell]:
        shape = rng.random()
        vals = lambda k: [cell(rng.choice(values)) for _ in range(k)]  # noqa: E731
        if shape < 0.25:
            return [cell(rng.choice(words))] + vals(rng.choice([0, 1, 3, 7, 8, 9]))
        if shape < 0.33:
            return [cell(rng.choice(words)), cell(rng.choice(words))] + vals(rng.choice([0, 1, 7, 8]))
        if shape < 0.4:  # a group, then a label known only in its context ("其他" under （六）其他处理)
            group = rng.choice(["（六）其他处理", "（三）不予公开", "三、本年度办理结果"])
            return [cell(group), cell(rng.choice(["其他", "3.其他", "总计", "（七）总计"]))] + vals(
                rng.choice([1, 7, 8])
            )
        if shape < 0.65:
            return vals(1)
        if shape < 0.75:
            return vals(rng.choice([2, 3, 7, 15]))
        if shape < 0.85:
            return [cell(rng.choice(words + typos + stray))]
        return [cell(rng.choice(words + typos + values + stray)) for _ in range(rng.randint(2, 9))]

    for i in range(300):
        doc = random_document(rng, row, headings, 60)
        assert _map(doc, True) == _map(doc, False), i


def test_wrapped_rows_read_alike_and_are_taken(monkeypatch):
    """Regions of the mixed and wrapped layouts (a row's closing pipe on the next line, B1 and B2
    cells among A rows) are read by `_wrapped_rows`, and bent ways they can be (a blank space, a
    blank line or furniture before the closing "|", a row continued by a line opening with a pipe,
    a row left open at the region's end, CRLF line ends, a cell line before a pipe row, spaced
    pieces, tabs, markup, markdown) read alike with the fast paths off and on."""
    taken = []
    wrapped_rows = text_reader._wrapped_rows

    def count(*a):
        got = wrapped_rows(*a)
        taken.append(got is not None)
        return got

    monkeypatch.setattr(text_reader, "_wrapped_rows", count)
    for i in range(4):
        for layout in ("mixed", "wrapped"):
            read_document(render_text(example_spec(i), layout=layout).encode("utf-8"), "r.txt", None)
    assert sum(taken) >= 8
    bends = [
        lambda t: t.replace(" | 3\n|", " | 3 \n|"),
        lambda t: t.replace("\n|\n", "\n \n|\n", 3),
        lambda t: t.replace("\n|\n", "\n\n|\n", 3),
        lambda t: t.replace("\n|\n", "\n第 2 页\n|\n", 2),
        lambda t: t.replace("\n|\n", "\n| 7 |\n", 2),
        lambda t: t.replace("\n|\n", "\n|7\n", 2),
        lambda t: t.replace("\n|\n", "\n |\n", 2),
        lambda t: t.replace("\n|\n", "\n||\n", 2),
        lambda t: t.replace("\n", "\r\n"),
        lambda t: t.replace(" | ", " | \n", 5),
        lambda t: t.replace(" | ", "\t", 3),
        lambda t: t.replace(" | 0 |", " | &nbsp; |", 2),
        lambda t: t.replace("行政处罚\n|", "行政处罚\n| 0 | 1 |"),
        lambda t: t.replace(" | 0 | 0 |", " | 0 0 |"),
        lambda t: t.rstrip("|\n"),
        lambda t: "\n".join("| " + ln for ln in t.split("\n")),
    ]
    for i in range(4):
        for layout in ("mixed", "wrapped", "A", "B1", "B2"):
            text = render_text(example_spec(i), layout=layout)
            for k, bend in enumerate(bends):
                assert_same(bend(text).encode("utf-8"), f"w{i}-{layout}-{k}.txt")
