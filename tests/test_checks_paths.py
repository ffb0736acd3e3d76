"""The checks' faster paths against the general ones they replace (issue 15): same results on varied
and odd inputs."""

import random

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
