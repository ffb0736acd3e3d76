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
