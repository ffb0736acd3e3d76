"""report_header's shortcuts skip work that cannot change a result; each is checked against the
path without it, on lines of every shape that could tell them apart."""

from __future__ import annotations

import random

from pipeline import report_header as rh

LINES = [
    "发布时间：2025-01-06 10:19",
    "发布日期:2024年3月5日",
    "- 发布于 2023.12.31",
    "• 日期 2022/1/2",
    "时间：2021-02-30",  # no such day: not a date, the search goes on
    "发布 2020-05-06",
    "來源：某某局 發佈時間：2025-01-06",
    "發布日期：2024-02-03",
    "公開日期 2023年4月5日",
    "發佈於2022-06-07",
    "來源：旗政府 公开日期：２０２４－０１－０２",  # full-width digits are \d too
    "统计期限为2024年1月1日至2024年12月31日",
    "发布时间：",
    "发布时间：２０２４年1月2日",
    "本报告由某某局发布。2024年",
    "日期\u3000：\u30002024-07-08",
    "发布\t2024-07-08",
    "時間:1999.9.9",
    "朞：2020-01-01",
    "",
    "  发布日期：2024-10-11  ",
]


def test_published_hint_changes_no_date(monkeypatch):
    rng = random.Random(15)
    cases = [[x] for x in LINES] + [rng.sample(LINES, k=rng.randint(1, 8)) for _ in range(300)]
    fast = [rh._published(c) for c in cases]
    monkeypatch.setattr(rh, "_published_hint", lambda: None)
    slow = [rh._published(c) for c in cases]
    assert fast == slow
    assert sum(x is not None for x in fast) > 100  # the cases do find dates


def test_published_hint_is_built_from_the_table():
    hint = rh._published_hint()
    assert hint is not None
    for ch in "期间于布佈於間":
        assert hint.search(ch + "：2024")


def test_meta_key_search_is_any_key_in_the_cell():
    cells = ["发布机构", "發文機關", "公开日期", "成文日期：", "单位名称", "主體", "索引号", "名称", "", "机", "日"]
    for c in cells:
        assert bool(rh._META_KEY.search(c)) == any(k in c for k in rh._META_KEYS)


# the pieces a report period is written with, digits of three scripts (all `\d`), connectors, dots
_PERIOD_PIECES = [
    *"0123456789",
    *"０１２３４５６７８９",
    *"٠١٢٣",
    *"年月日起至到-—－~～.．/统计期限为自",
    "2024",
    "２０２４",
    "2023年1月1日",
    "12月31日",
    "2024.1.1",
    "2024-12-31",
    "20240",
    "\n",
    " ",
    "本",
]
_PERIOD_TEXTS = [
    "统计期限为2024年1月1日至2024年12月31日。",
    "本报告统计期限自2023年1月1日起至12月31日止",
    "数据统计时间为2024.1.1-2024.12.31",
    "12024年1月1日至2024年12月31日",  # a run of five digits: the match starts at the second
    "2024年13月1日至2024年12月31日，2022年1月1日—2022年12月31日",
    "２０２４年１月１日至２０２４年１２月３１日",
    "2024/01/01~2024/12/31 2025-1-1到2025-6-30",
    "统计期限为2024年度全年.",
    "",
]


def _period_texts():
    rng = random.Random(1515)
    out = list(_PERIOD_TEXTS)
    for _ in range(3000):
        out.append("".join(rng.choice(_PERIOD_PIECES) for _ in range(rng.randint(1, 40))))
    for _ in range(300):  # whole periods, bent, among prose
        a, b = rng.sample(_PERIOD_TEXTS, 2)
        cut = rng.randint(0, len(a))
        out.append(a[:cut] + rng.choice(_PERIOD_PIECES) + a[cut:] + "。" + b)
    return out


def test_period_patterns_match_as_their_counted_forms(monkeypatch):
    """`\\d\\d\\d\\d` for `\\d{4}` (a prefix `re` can skip to) finds the same matches, groups and spans."""
    import re

    pairs = []
    for name in ("_PERIOD", "_PERIOD_DOT"):
        fast = getattr(rh, name)
        assert r"(\d\d\d\d)" in fast.pattern
        slow = re.compile(fast.pattern.replace(r"\d\d\d\d", r"\d{4}"))
        assert slow.pattern != fast.pattern
        pairs.append((name, fast, slow))
    texts = _period_texts()
    for _, fast, slow in pairs:
        for t in texts:
            assert [(m.span(), m.groups()) for m in fast.finditer(t)] == [
                (m.span(), m.groups()) for m in slow.finditer(t)
            ], t
    # and the period read from each text, with the counted forms in place
    got = [rh._period(t) for t in texts]
    for name, _, slow in pairs:
        monkeypatch.setattr(rh, name, slow)
    assert got == [rh._period(t) for t in texts]
    assert sum(1 for g in got if g) > 100  # the texts do hold periods


def test_period_found_at_its_year_as_by_the_search(monkeypatch):
    """`_period_matches` (the pattern tried only 4 characters before each 年) finds what
    `_PERIOD.finditer` finds: the same matches, spans and groups, on texts of period pieces (digits
    of three scripts, overlapping years, runs of five digits, 年 at the start); and `_period` reads
    the same period with the search in its place."""
    texts = _period_texts() + ["年2024年1月1日至12月31日", "2024年年1月1日", "20242024年1月1日至2024年1月2日"]
    for t in texts:
        assert [(m.span(), m.groups()) for m in rh._period_matches(t)] == [
            (m.span(), m.groups()) for m in rh._PERIOD.finditer(t)
        ], t
    got = [rh._period(t) for t in texts]
    monkeypatch.setattr(rh, "_period_matches", lambda t: rh._PERIOD.finditer(t))
    assert got == [rh._period(t) for t in texts]
    assert sum(1 for g in got if g) > 100
