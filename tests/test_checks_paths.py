"""The checks' faster paths against the general ones they replace (issue 15): same results on varied
and odd inputs."""

import random
import unicodedata

import numpy as np

from pipeline.checks import catalogue, gxworker
from pipeline.checks.evaluate import _const
from pipeline.checks.text import SHINGLE, repeated_share, shingles


def _share_by_hashes(current: str, previous: str) -> float | None:
    """The general path: a set of every shingle's hash (as the checks had it before)."""

    def hashed(t: str) -> frozenset:
        if len(t) < SHINGLE:
            return frozenset({hash(t)}) if t else frozenset()
        return frozenset(hash(t[i : i + SHINGLE]) for i in range(len(t) - SHINGLE + 1))

    a, b = hashed(current), hashed(previous)
    if not a:
        return None
    return len(a & b) / len(a)


def test_repeated_share_equals_the_hashed_shingles_on_odd_texts():
    rng = random.Random(15)
    alphabet = "政府信息公开年度报告0，。；\n\U00020000ab"
    texts = ["", "a", "公开", "x" * (SHINGLE - 1), "x" * SHINGLE, "x" * (SHINGLE + 1), "\U00020000" * 20]
    texts += ["".join(rng.choice(alphabet) for _ in range(rng.randint(0, 300))) for _ in range(60)]
    for cur in texts:
        for prev in [cur, cur[::-1], cur[: len(cur) // 2], "", "x" * SHINGLE, texts[rng.randrange(len(texts))]]:
            shingles.cache_clear()
            assert repeated_share(cur, prev) == _share_by_hashes(cur, prev), (cur, prev)


def test_rule_lookup_equals_the_catalogue_scan():
    for r in catalogue.rules():
        assert catalogue.rule(r.id) is next(x for x in catalogue.rules() if x.id == r.id)
    try:
        catalogue.rule("no_such_rule")
    except KeyError as e:
        assert "no_such_rule" in str(e)
    else:
        raise AssertionError("an unknown rule id must raise KeyError")


def test_const_shares_one_object_per_column():
    cells = ("T1/a", "T1/b")
    a = _const(5, cells)
    assert list(a) == [cells] * 5 and all(x is cells for x in a)
    assert len(_const(0, "x")) == 0 and _const(3, None).tolist() == [None, None, None]


def test_release_memory_keeps_the_process_usable():
    big = [np.ones(100_000) for _ in range(20)]
    del big
    gxworker.release_memory()
    gxworker.release_memory()
    assert np.ones(10).sum() == 10


def test_problems_section_on_normed_text_equals_the_raw_path():
    """fam_problems_section reads the section normalised once (normed_sections) instead of normalising
    it again: the same verdict as is_empty_problems_section on the raw text, odd texts included."""
    from pipeline.checks.text import is_empty_problems_normed, is_empty_problems_section, normed_sections

    rng = random.Random(15)
    texts = [None, "", " ", "无", "无。", " 无 。", "暂无。", "無", "没有", "无问题", "无。无。", "。。", "……", "．"]
    texts += ["本年度无", "本年度未发现问题。", "问题：无", "（无）", "ＮＯ", "no", "１２３４５６", "a\nb\nc\nd\ne\nf"]
    alphabet = "无暂没有问题。.．，,\n 　本年度存在的主要問題及改进情况"
    texts += ["".join(rng.choice(alphabet) for _ in range(rng.randint(0, 12))) for _ in range(300)]
    for t in texts:
        normed = normed_sections({"problems": t})["problems"]
        fast = None if t is None else is_empty_problems_normed(normed)
        assert fast == is_empty_problems_section(t), t


def test_ocr_doubtful_looks_only_at_flagged_reports_with_the_same_result():
    """_ocr_doubtful loops over the rows of the reports with a doubtful cell only: the same flags as
    the loop over every row."""
    import pandas as pd

    from pipeline.checks.catalogue import rules
    from pipeline.checks.evaluate import _ocr_doubtful

    fams = {r.id: r.family for r in rules()}
    ids = sorted(fams)
    rng = random.Random(15)
    cells = ["T3/total/total", "T3/granted/total", "T2/fees/amount", "T1/rules/new", "-T3/total/natural_person"]
    n = 40
    problems = [
        [{"code": "ocr_uncertain", "cells": rng.sample(cells, 2)}]
        if rng.random() < 0.2
        else ([{"code": "ocr_uncertain", "cells": []}] if rng.random() < 0.1 else [{"code": "row_short"}])
        for _ in range(n)
    ]

    class B:
        pass

    b = B()
    b.n, b.problems = n, problems
    rows = 2000
    ev = pd.DataFrame(
        {
            "ri": np.array([rng.randrange(n) for _ in range(rows)]),
            "rule_id": [rng.choice(ids) for _ in range(rows)],
            "lhs_cells": [tuple(rng.sample(cells, rng.randint(0, 2))) or None for _ in range(rows)],
            "rhs_cells": [tuple(rng.sample(cells, rng.randint(0, 2))) for _ in range(rows)],
        }
    )
    flagged = {
        i: {c for p in problems[i] if p.get("code") == "ocr_uncertain" for c in p.get("cells") or []} for i in range(n)
    }
    expected = np.zeros(rows, dtype=bool)
    for k in range(rows):  # the general loop over every row, as it was
        f = flagged.get(int(ev["ri"][k]))
        if f and fams.get(ev["rule_id"][k]) == "identity":
            ops = {c.lstrip("-") for c in tuple(ev["lhs_cells"][k] or ()) + tuple(ev["rhs_cells"][k] or ())}
            expected[k] = bool(ops & f)
    got = _ocr_doubtful(b, ev)
    assert expected.any() and not expected.all()
    assert (got == expected).all()


def test_narrative_normalisation_equals_norm_text_on_odd_texts():
    """The checks' uncached normalisation (punctuation by str.replace) against norm_text itself:
    every bracket and quote it unifies, traditional and full-width characters, whitespace of every
    kind, combining marks, astral characters."""
    from pipeline import textnorm
    from pipeline.checks import text
    from pipeline.textnorm import _PUNCT, _t2s_table, norm_text

    assert textnorm._BY_REPLACE  # the fast path is the one exercised
    rng = random.Random(15)
    alphabet = "".join(chr(k) for k in _PUNCT) + "".join(chr(k) for k in list(_t2s_table())[:200])
    alphabet += "政府信息公开年度报告0123４５６ＡＢｃ（）［］｛｝：；，。！？、 \t\n\u3000\u00a0\u200b\ufeff"
    alphabet += "e\u0301\u0301\U00020000①⑩㈱ﬁ\u2028"
    alphabet += "，：；（）！？％０１２３４５６７８９\u0338\u0345"  # full-width, and marks that compose with them
    texts = [
        "",
        " ",
        "（一）",
        "“引号”‘单’「直角」《书名》",
        "資訊公開",
        "ｅ\u0301",
        "\u3000\u3000",
        "，\u0338",
        "０\u0301",
    ]
    texts += ["".join(rng.choice(alphabet) for _ in range(rng.randint(0, 400))) for _ in range(500)]
    clean = "政府信息公开年度报告本機關處理，：；（）！？％０１２３４５６７８９\u3000 \n“”《》【】。、"
    texts += ["".join(rng.choice(clean) for _ in range(rng.randint(0, 400))) for _ in range(300)]  # NFKC by replace
    fast = 0
    for t in texts:
        assert text._norm_once(t) == norm_text.__wrapped__(t), t
        fast += unicodedata.is_normalized("NFKC", textnorm._nfkc(t)) and textnorm._nfkc(t) != t
    assert fast >= 250  # the replacements, not normalize(), made most of the clean texts NFKC


def test_normed_chunk_equals_normed_sections_per_report():
    from pipeline.checks.text import NARRATIVE, normed_chunk, normed_sections

    rng = random.Random(15)
    pool = ["无", "无。", "本年度無問題", "", None, "（一）主动公开情况：…", "第一行\n第二行"]
    chunk = [{k: rng.choice(pool) for k in NARRATIVE if rng.random() < 0.8} for _ in range(200)]
    assert normed_chunk(chunk) == [normed_sections(s) for s in chunk]


def test_storage_order_equals_duckdbs_order_by_on_odd_keys():
    """The findings sorted in numpy (findings.storage_order) are in the order DuckDB's
    ORDER BY report_id, rule_id, instance gives them (the order write_findings stored them in)."""
    import duckdb
    import pandas as pd

    from pipeline.checks.findings import _ranks, storage_order

    rng = random.Random(15)
    pieces = ["", "a", "ab", "B", "b", "0", "9", "_", "-", "公开", "公", "\U00020000", "é", "e\u0301", "Z", "~"]

    def word() -> str:
        return "".join(rng.choice(pieces) for _ in range(rng.randint(1, 4)))

    for n in (1, 2, 17, 500):
        reps, rules_, insts = [word() for _ in range(8)], [word() for _ in range(5)], [word() for _ in range(5)]
        df = pd.DataFrame(
            {
                "r": [rng.choice(reps) for _ in range(n)],
                "u": [rng.choice(rules_) for _ in range(n)],
                "i": [rng.choice(insts) for _ in range(n)],
                "k": np.arange(n),
            }
        )
        con = duckdb.connect()
        con.register("t", df)
        want = [k for (k,) in con.execute("SELECT k FROM t ORDER BY r, u, i, k").fetchall()]  # ties: as given
        r, u, i = (df[c].to_numpy().astype(object) for c in "rui")
        assert storage_order(r, u, i).tolist() == want
        assert storage_order(_ranks(r), u, i).tolist() == want  # the reports given as ranks
    assert storage_order(np.array([], dtype=object), np.array([], dtype=object), np.array([], dtype=object)).size == 0


def test_the_writer_keeps_the_order_of_its_jobs_and_raises_their_errors():
    """findings.Writer runs the loop's writes in a thread: the table gets its rows in the order
    the jobs were given (as if written in turn), and an error reaches the caller."""
    import duckdb
    import pandas as pd
    import pytest

    from pipeline.checks.findings import Writer

    con = duckdb.connect()
    con.execute("CREATE TABLE t (k INTEGER, what VARCHAR)")

    def insert(cur, frame):
        cur.register("x", frame)
        cur.execute("INSERT INTO t SELECT * FROM x")
        cur.unregister("x")

    w = Writer(con)
    k = 0
    for j in range(30):
        for what in ("fingerprints", "reused", "findings"):
            rows = pd.DataFrame({"k": np.arange(k, k + j * 50 + 1, dtype=np.int32), "what": what})
            k += len(rows)
            w.run(insert, rows)
    w.close()
    got = [r[0] for r in con.execute("SELECT k FROM t ORDER BY rowid").fetchall()]
    assert got == list(range(k))

    def broken(cur, _):
        cur.execute("INSERT INTO no_such_table VALUES (1)")

    w = Writer(con)
    w.run(broken, None)
    with pytest.raises(duckdb.Error):
        w.close()
    w = Writer(con)
    w.run(broken, None)
    w.jobs[0].exception()  # ended
    with pytest.raises(duckdb.Error):
        w.run(insert, pd.DataFrame({"k": [1], "what": ["x"]}))  # the next job raises the error before
    w.close(wait=False)


def test_data_docs_built_once_show_the_last_validated_chunk(tmp_path, monkeypatch):
    """Validating chunk by chunk, the Data Docs are built once, at the end, from the last chunk's
    frame (every build rebuilt the site with its own result only: the site was the last chunk's)."""
    import pandas as pd

    from pipeline.checks import suites
    from pipeline.checks.findings import run_checks
    from tests.test_checks import _all_cases

    monkeypatch.setenv("NIANBAO_NO_GX_WORKER", "1")
    frames, docs_calls = [], []
    validate = suites.validate_here

    def recording(frame, data_docs=None, keep=None):
        if data_docs is None:
            frames.append(frame.copy())
        else:
            docs_calls.append(frame.copy())
        return validate(frame, data_docs, keep)

    monkeypatch.setattr(suites, "validate_here", recording)
    table, val = run_checks(_all_cases(), data_docs=tmp_path / "docs", chunk_size=4)
    with_rows = [f for f in frames if len(f)]
    assert len(with_rows) > 1 and len(docs_calls) == 1  # one build, not one per chunk
    pd.testing.assert_frame_equal(docs_calls[0], with_rows[-1])
    assert val.docs_index == str(tmp_path / "docs" / "index.html")
    assert (tmp_path / "docs" / "index.html").exists()
    assert len(list((tmp_path / "docs" / "validations").rglob("*.html"))) == 1
    # without docs: nothing kept, nothing built
    frames.clear()
    docs_calls.clear()
    table2, val2 = run_checks(_all_cases(), chunk_size=4)
    assert val2.docs_index is None and not docs_calls and not suites._KEPT
    pd.testing.assert_frame_equal(table, table2)
