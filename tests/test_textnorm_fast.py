"""textnorm's fast paths (issue 15) give what its general paths give: `to_simplified` with its test
for "nothing to map" against the translation alone, NFKC by `_nfkc` against
`unicodedata.normalize`, `norm_text` by str.replace against its general path; each on every code
point, on random texts of many scripts and shapes, and on the lines of the sample inbox."""

from __future__ import annotations

import random
import unicodedata
from pathlib import Path

import pytest

import pipeline.textnorm as T

ROOT = Path(__file__).resolve().parents[1]
SAMPLE = ROOT / "assets" / "sample" / "inbox"


def _general(fn, *args):
    saved = T.FAST
    T.FAST = False
    try:
        return fn(*args)
    finally:
        T.FAST = saved


def test_no_traditional_is_exact_on_every_code_point():
    """For each code point alone, `_no_traditional` is true exactly when it is no key of the
    table; the GB2312 encoder is stateless, so a text passes only when each of its characters
    would (the random texts below check that too)."""
    keys = T._T2S_KEYS
    wrong = [cp for cp in range(0x110000) if T._no_traditional(chr(cp)) != (chr(cp) not in keys)]
    assert wrong == []
    assert len(T._t2s_in_gb2312().pattern) > 10  # the keys GB2312 holds too (乾, 著's kin) are there


def _alphabet() -> str:
    keys = sorted(T._T2S_KEYS)
    rng = random.Random(15)
    parts = [
        "abcXYZ019 .,:;()/-—",
        "政府信息公开年度报告本机关处理申请人情况予以公开不予公开件数",
        "".join(rng.sample(keys, 60)),
        "乾著於後徵夥",  # keys GB2312 also holds
        "，：；（）！？％\u3000０１２３４５６７８９“”《》【】。、〔〕「」『』",
        "①②⑩ﬁ㎡㈱\u2002\u00a0\u200b\ufeff\t\n \x1c\x1f\x85\u2028\u180e\u3000\r\v",  # compatibility, spaces
        "\u0301\u0338\u0300e",  # combining marks (NFKC composes them)
        "한글カタカナｶﾀｶﾅ",  # Hangul, half-width katakana
        "\U00020000\U0002a6d6😀",  # outside the BMP
        "•·–€",  # outside GB2312, none a key
    ]
    return "".join(parts)


def _random_texts(n: int, seed: int) -> list[str]:
    rng = random.Random(seed)
    alphabet = _alphabet()
    out = ["", " ", "0", "12", "１２", "—", "无", "無", "N/A", "乾", "開與報", "（一）", "１,２３４件"]
    for _ in range(n):
        k = rng.choice([1, 2, 3, 5, 10, 40, 120])
        out.append("".join(rng.choice(alphabet) for _ in range(k)))
    return out


def _sample_lines() -> list[str]:
    lines: set[str] = set()
    for p in sorted(SAMPLE.rglob("*.txt"))[:60]:
        data = p.read_bytes()
        for enc in ("utf-8", "gb18030"):
            try:
                text = data.decode(enc)
                break
            except UnicodeDecodeError:
                continue
        else:
            continue
        lines.update(text.splitlines())
    return sorted(lines)


@pytest.mark.parametrize("source", ["random", "sample"])
def test_fast_paths_equal_general_paths(source):
    texts = _random_texts(6000, 15) if source == "random" else _sample_lines()
    assert len(texts) > 500
    for t in texts:
        assert T.to_simplified(t) == _general(T.to_simplified, t) == t.translate(T._t2s_table()), t
        assert T._nfkc_of(t) == unicodedata.normalize("NFKC", t), t
        assert T.norm_text.__wrapped__(t) == _general(T.norm_text.__wrapped__, t) == T._norm_text_general(t), t
        assert T.norm_text_long(t) == T._norm_text_general(t), t
        assert T._classify_uncached(t) == _general(T._classify_uncached, t), t
        assert T.is_huge_number(t) == _general(T.is_huge_number, t), t
        assert T.ocr_number(t) == _general(T.ocr_number, t), t
        assert T._ws_collapse(t) == T._WS.sub(" ", t).strip() == _general(T._ws_collapse, t), t
        assert T._ws_remove(t) == T._WS.sub("", t), t
        assert T.clean(t) == T._WS.sub(" ", t).strip(), t


def test_whitespace_by_split_is_exact_on_every_code_point():
    """What str.split() splits at is what `\\s` in `_WS` matches, for every code point alone and
    between two letters."""
    for cp in range(0x110000):
        c = chr(cp)
        for t in (c, "a" + c + "b", c + c + "x" + c):
            assert T._ws_collapse(t) == T._WS.sub(" ", t).strip(), cp
            assert T._ws_remove(t) == T._WS.sub("", t), cp
