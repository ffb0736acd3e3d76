"""The mapper's plans (pipeline/mapper/plans.py): a document of a shape mapped before is mapped by
the plan kept then, and that reads it exactly as the general path does. Documents of every kind and
layout the corpus writers and the test layouts make, and random grids, are mapped (a plan kept),
then copies of them with their plain values changed at random (other numbers, decimals, NA words,
whitespace, full-width digits), their cells' places and confidences too, are mapped by the plan
and by the general path (fast paths off): the same, as JSON, order included."""

from __future__ import annotations

import copy
import dataclasses
import json
import random

import layouts
import pytest
import realistic
from randomdoc import random_document

from corpus import example_spec, render_text, write
from pipeline.codebook import codebook
from pipeline.document import Document, GridCell, Para, Table
from pipeline.mapper import common, map_document, plans, walk
from pipeline.readers import read_document
from pipeline.structure import section_of_heading

POOL = ["0", "1", "7", "12", "305", "99999", "1000000", "3.5", "0.00", "18.8710", "/", "无", "—", "-", "１２", "０"]
POOL += ["1,234", " 7 ", "3 ", "O", "l2", "／", "不适用", "12345678901234567"]


@pytest.fixture(autouse=True)
def _plans_unchecked(monkeypatch):
    """These tests compare the plans with the general path themselves: the suite's check
    (NIANBAO_CHECK_PLANS, which would map by rows too and return that) is off here."""
    monkeypatch.setattr(plans, "CHECK", None)
    monkeypatch.setattr(plans, "PLAN_AT_FIRST", True)  # (the second sighting's rule: its own test)


def _json(result) -> str:
    return json.dumps(dataclasses.asdict(result), ensure_ascii=False)


def _general(doc) -> str:
    saved = common.FAST
    common.FAST = False
    try:
        return _json(map_document(doc))
    finally:
        common.FAST = saved


def _vary(doc: Document, rng: random.Random) -> Document:
    """A copy of `doc` with plain values changed to other plain values, places and confidences
    changed, paragraphs that are no headings added or dropped: the same shape."""
    pool = [t for t in POOL if plans.plain(t)]
    out = copy.deepcopy(doc)
    for _ in range(rng.randint(0, 3)):
        plain_paras = [i for i, b in enumerate(out.blocks) if isinstance(b, Para) and not section_of_heading(b.text)]
        if plain_paras and rng.random() < 0.5:
            del out.blocks[rng.choice(plain_paras)]
        else:
            text = rng.choice(["本机关严格按照条例办理。", "", "2024年1月1日至2024年12月31日", "注：单位为件"])
            out.blocks.insert(rng.randrange(len(out.blocks) + 1), Para(text, "new"))
    for b in out.blocks:
        if isinstance(b, Para):
            continue
        for row in b.rows:
            for c in row:
                if plans.plain(c.text) and rng.random() < 0.7:
                    c.text = rng.choice(pool)
                if rng.random() < 0.2:
                    c.at = c.at + " (moved)"
                if rng.random() < 0.1:
                    c.confidence = 0.5
    return out


class _Taken:
    """Counts the copies mapped by a plan (without `walk._map`, the mapping by the rows)."""

    def __init__(self, monkeypatch) -> None:
        self.n = 0
        self.rows = 0
        by_rows = walk._map

        def counted(*a):
            self.rows += 1
            return by_rows(*a)

        monkeypatch.setattr(walk, "_map", counted)


def _check(doc: Document, rng: random.Random, taken: _Taken, copies: int = 3) -> None:
    """`doc` mapped by the fast paths (its plan kept if it has no problems), then copies of it of
    its shape: the fast paths' mapping (by the plan, if any) equals the general path's."""
    assert _json(map_document(doc)) == _general(doc)
    for _ in range(copies):
        other = _vary(doc, rng)
        assert plans.shape(other)[0] == plans.shape(doc)[0]
        before = taken.rows
        fast = _json(map_document(other))
        taken.n += taken.rows == before
        assert fast == _general(other)


def _read(data: bytes, name: str) -> Document:
    return read_document(data, name, None)


def test_plain_values():
    """The values of a report's tables are plain; no word of the form, header, marker or blank is."""
    for t in ["0", "12", "3.5", "18.8710", "/", "无", "—", "1,234", " 7 ", "１２"]:
        assert plans.plain(t), t
    cb = codebook()
    words = [e.label for e in cb.t2_rows + cb.t3_rows + cb.t3_row_groups + cb.t4_groups + cb.t4_columns]
    words += [e.label for e in cb.t2_columns + cb.t3_columns + cb.t2v2019_rows + cb.t2v2019_columns]
    words += ["", "总计", "其他", "小计", "数据1", "列 2", "自然人", "法人或其他组织", "本机关", "abc"]
    words += list(cb.markers_2019) + list(cb.markers_2021)
    for w in words:
        assert not plans.plain(w), w


def test_corpus_documents_by_plan(monkeypatch, tmp_path):
    taken = _Taken(monkeypatch)
    monkeypatch.setattr(plans, "PLANS", {})
    rng = random.Random(15)
    for i in range(6):
        for fv in ("2021", "2019"):
            spec = example_spec(i, format_version=fv)
            for layout in ("A", "B1", "B2", "C", "mixed", "wrapped"):
                _check(_read(render_text(spec, layout=layout).encode("utf-8"), "r.txt"), rng, taken)
            for k, opts in enumerate(
                [{}, {"encoding": "gbk", "t2_split": True}, {"encoding": "gb18030", "cell_wrap": "mixed"}]
            ):
                p = tmp_path / f"r{i}{fv}{k}.html"
                write(spec, p, "html", **opts)
                _check(_read(p.read_bytes(), p.name), rng, taken)
            p = tmp_path / f"r{i}{fv}.docx"
            write(spec, p, "docx")
            _check(_read(p.read_bytes(), p.name), rng, taken)
    assert taken.n >= 100  # most copies were mapped by a plan


@pytest.mark.parametrize("layout", ["A", "B1", "B2", "C", "mixed", "wrapped", "tabs"])
def test_test_layouts_by_plan(monkeypatch, layout):
    taken = _Taken(monkeypatch)
    monkeypatch.setattr(plans, "PLANS", {})
    rng = random.Random(layout)
    for eighth in (False, True):
        _check(_read(layouts.render(layout, eighth).encode("utf-8"), "r.txt"), rng, taken, copies=5)
    _check(_read(realistic.report().encode("utf-8"), "r.txt"), rng, taken, copies=5)
    assert taken.n >= 10


def _random_doc(rng: random.Random) -> Document:
    """A grid of rows made at random from the form's words, values (plain and not), typos and stray
    text, in shapes the readers take and others (as tests/test_mapper_fast.py's random grids)."""
    cb = codebook()
    words = [e.label for e in cb.t2_rows + cb.t3_rows + cb.t3_row_groups + cb.t4_groups + cb.t4_columns]
    words += [e.label for e in cb.t2_columns + cb.t3_columns + cb.t2v2019_rows + cb.t2v2019_columns]
    words += ["信息内容", "申请人情况", "自然人", "法人或其他组织", "商业企业", "总计", "其他", "小计", "数据1"]
    values = ["", "", "", "0", "0", "1", "12", "3.5", "/", "无", "—", "1,234", "O", "l2", "-"]
    stray = ["本机关", "注：", "abc"]
    headings = [
        "二、主动公开政府信息情况",
        "三、收到和处理政府信息公开申请情况",
        "四、政府信息公开行政复议、行政诉讼情况",
    ]

    def cell(text: str) -> GridCell:
        ocr = rng.random() < 0.05
        cont = rng.random() < 0.03
        return GridCell(text, f"line {rng.randrange(1, 300)}", cont=cont, read_by="ocr" if ocr else None)

    def row() -> list[GridCell]:
        r = rng.random()
        vals = [cell(rng.choice(values)) for _ in range(rng.choice([0, 1, 3, 7, 8, 9]))]
        if r < 0.4:
            return [cell(rng.choice(words))] + vals
        if r < 0.5:
            return [cell(rng.choice(words)), cell(rng.choice(words))] + vals
        if r < 0.7:
            return vals or [cell("")]
        return [cell(rng.choice(words + values + stray)) for _ in range(rng.randint(1, 9))]

    return random_document(rng, row, headings, 40)


def test_random_grids_by_plan(monkeypatch):
    """Random grids (most with problems: no plan kept, mapped again by the rows) and their copies."""
    taken = _Taken(monkeypatch)
    monkeypatch.setattr(plans, "PLANS", {})
    rng = random.Random(1515)
    for _ in range(300):
        _check(_random_doc(rng), rng, taken, copies=2)


def _bent(doc: Document, rng: random.Random) -> Document:
    """A copy of a report with one to four random bends: a row dropped, doubled or inserted (blank,
    values, a word of the form), a cell's text changed, a cell made a continuation or read by OCR,
    a table's flags turned, a table cut in two, a heading dropped or added."""
    cb = codebook()
    words = [e.label for e in cb.t2_rows + cb.t3_rows + cb.t3_row_groups + cb.t4_columns] + ["总计", "其他"]
    values = ["", "0", "5", "/", "O"]
    headings = [
        "二、主动公开政府信息情况",
        "三、收到和处理政府信息公开申请情况",
        "四、政府信息公开行政复议、行政诉讼情况",
    ]
    out = copy.deepcopy(doc)
    for _ in range(rng.randint(1, 4)):
        tables = [b for b in out.blocks if isinstance(b, Table) and b.rows]
        t = rng.choice(tables)
        i = rng.randrange(len(t.rows))
        k = rng.randrange(9)
        if k == 0 and len(t.rows) > 1:
            del t.rows[i]
        elif k == 1:
            t.rows.insert(i, copy.deepcopy(t.rows[i]))
        elif k == 2:
            n = rng.choice([1, 2, len(t.rows[i])])
            t.rows.insert(i, [GridCell(rng.choice(values + words), "new") for _ in range(n)])
        elif k == 3:
            c = rng.choice(t.rows[i])
            c.text = rng.choice(values + words + [c.text[:-1], c.text + "。"])
        elif k == 4:
            rng.choice(t.rows[i]).cont = True
        elif k == 5:
            rng.choice(t.rows[i]).read_by = "ocr"
        elif k == 6:
            t.delimited, t.explicit = rng.random() < 0.5, rng.random() < 0.5
        elif k == 7 and i > 0:
            at = out.blocks.index(t)
            rest = Table(rows=t.rows[i:], at=t.at, delimited=t.delimited, explicit=t.explicit)
            del t.rows[i:]
            out.blocks.insert(at + 1, rest)
        else:
            paras = [j for j, b in enumerate(out.blocks) if isinstance(b, Para)]
            if paras and rng.random() < 0.5:
                del out.blocks[rng.choice(paras)]
            else:
                out.blocks.insert(rng.randrange(len(out.blocks)), Para(rng.choice(headings), "new"))
    return out


def test_bent_reports_by_plan(monkeypatch, tmp_path):
    """Reports bent at random (tables as read, then rows, cells and headings changed): many map
    without problems in shapes of their own, and their copies by a plan."""
    taken = _Taken(monkeypatch)
    monkeypatch.setattr(plans, "PLANS", {})
    rng = random.Random(151)
    docs = []
    for i in range(4):
        spec = example_spec(i)
        for layout in ("A", "B2", "C", "wrapped"):
            docs.append(_read(render_text(spec, layout=layout).encode("utf-8"), "r.txt"))
        p = tmp_path / f"r{i}.html"
        write(spec, p, "html", cell_wrap="mixed")
        docs.append(_read(p.read_bytes(), p.name))
    planned = 0
    for _ in range(400):
        doc = _bent(rng.choice(docs), rng)
        before = len(plans.PLANS)
        _check(doc, rng, taken, copies=2)
        planned += len(plans.PLANS) > before
    assert planned >= 40 and taken.n >= 80


def test_no_plan_for_a_mapping_with_problems(monkeypatch):
    monkeypatch.setattr(plans, "PLANS", {})
    doc = _read(realistic.report(t4="").encode("utf-8"), "r.txt")
    assert map_document(doc).problems
    assert plans.shape(doc)[0] not in plans.PLANS
    doc = _read(realistic.report().encode("utf-8"), "r.txt")
    assert not map_document(doc).problems
    assert plans.shape(doc)[0] in plans.PLANS


def test_plans_are_bounded(monkeypatch):
    monkeypatch.setattr(plans, "PLANS", {})
    monkeypatch.setattr(plans, "_MAX_PLANS", 3)
    for i in range(7):
        map_document(_read(render_text(example_spec(i), layout="A").encode("utf-8"), "r.txt"))
        assert len(plans.PLANS) <= 3
    # and by the cells of the shapes they hold: a document larger than the bound gets none
    monkeypatch.setattr(plans, "PLANS", {})
    monkeypatch.setattr(plans, "_held", [0])
    doc = _read(render_text(example_spec(1), layout="A").encode("utf-8"), "r.txt")
    cells = len(plans.shape(doc)[1])
    monkeypatch.setattr(plans, "_MAX_CELLS", 2 * cells)
    for i in range(5):
        map_document(_read(render_text(example_spec(i), layout="A").encode("utf-8"), "r.txt"))
        assert 1 <= len(plans.PLANS) <= 2 and plans._held[0] <= 2 * cells
    monkeypatch.setattr(plans, "_MAX_CELLS", cells - 1)
    map_document(_read(render_text(example_spec(9), layout="A").encode("utf-8"), "r.txt"))
    assert not plans.PLANS


def test_a_text_that_is_no_str_is_mapped_by_its_rows(monkeypatch):
    """A cell whose text is None (no reader makes one) has no shape: the document is mapped as the
    general path maps it, whatever that is, and no plan is kept."""
    monkeypatch.setattr(plans, "PLANS", {})
    doc = _read(realistic.report().encode("utf-8"), "r.txt")
    table = next(b for b in doc.blocks if isinstance(b, Table))
    table.rows.append([GridCell(None, "odd")])  # type: ignore[arg-type]

    def outcome(fast: bool) -> str:
        saved = common.FAST
        common.FAST = fast
        try:
            return _json(map_document(doc))
        except Exception as e:  # the general path's own failure, if it fails: the same both ways
            return f"{type(e).__name__}"
        finally:
            common.FAST = saved

    assert outcome(True) == outcome(False)
    assert not plans.PLANS


def test_the_suite_checks_every_plan_it_uses():
    """tests/conftest.py turns the check on for the whole suite (and the processes it starts)."""
    import os

    assert os.environ.get("NIANBAO_CHECK_PLANS")


def test_a_plan_that_differs_from_the_rows_is_reported_and_not_used(monkeypatch, tmp_path):
    monkeypatch.setattr(plans, "PLANS", {})
    doc = _read(render_text(example_spec(3), layout="A").encode("utf-8"), "r.txt")
    rows = _general(doc)
    map_document(doc)
    (key,) = plans.PLANS
    plan = plans.PLANS[key]
    flat = plans.shape(doc)[1]
    read = [k for k, place in enumerate(plan.form) if place >= 0]
    i = read[0]
    j = next(k for k in read if flat[plan.form[k]].text != flat[plan.form[i]].text)
    plan.form[i], plan.form[j] = plan.form[j], plan.form[i]  # a broken plan: two cells swapped
    assert _json(map_document(doc)) != rows  # unchecked, the broken plan is used
    log = tmp_path / "differences.txt"
    monkeypatch.setattr(plans, "CHECK", str(log))
    assert _json(map_document(doc)) == rows  # checked, the rows' mapping is kept
    (line,) = log.read_text(encoding="utf-8").splitlines()
    assert "cells T2/" in line and "plan" in line and "rows" in line


def test_a_plan_is_made_at_the_second_mapping_of_a_shape(monkeypatch):
    monkeypatch.setattr(plans, "PLAN_AT_FIRST", False)
    monkeypatch.setattr(plans, "PLANS", {})
    monkeypatch.setattr(plans, "_SEEN", set())
    rng = random.Random(21)
    doc = _read(render_text(example_spec(4), layout="B1").encode("utf-8"), "r.txt")
    copies = [_vary(doc, rng) for _ in range(3)]
    key = plans.shape(doc)[0]
    assert _json(map_document(doc)) == _general(doc)
    assert key not in plans.PLANS and hash(key) in plans._SEEN  # the first: mapped by its rows, remembered
    assert _json(map_document(copies[0])) == _general(copies[0])
    assert key in plans.PLANS  # the second: mapped by its rows, its plan kept
    for other in copies[1:]:
        assert _json(map_document(other)) == _general(other)
    monkeypatch.setattr(plans, "_MAX_SEEN", 2)
    for i in range(5):  # the shapes remembered are bounded
        map_document(_read(render_text(example_spec(10 + i), layout="A").encode("utf-8"), "r.txt"))
        assert len(plans._SEEN) <= 2
