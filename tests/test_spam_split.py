"""structure.is_spam searches each spam pattern as two (the alternatives without a cased character
compiled without IGNORECASE, the rest with it, behind a pre-test for their first letters); these
tests compare that with the one IGNORECASE search it replaces, on lines of every shape."""

from __future__ import annotations

import random
import re
from pathlib import Path

from pipeline import structure as S

ROOT = Path(__file__).resolve().parents[1]

PIECES = [
    "copyright",
    "COPYRIGHT",
    "CopyRight",
    "ICP备",
    "icp备",
    "\u0131cp备",  # dotless i: IGNORECASE matches it as i
    "\u0130CP备",
    "www.",
    "WWW.",
    "www.example.com",
    "WWW.EXAMPLE.GOV.CN",
    "www.nmg.gov.cn",
    "www..",
    "http://",
    "HTTPS://",
    "https://www.gov.cn",
    "Https://a.b.gov.cn/x",
    "https://example.com",
    "\u017f",  # long s
    "\u212a",  # Kelvin sign
    "首页",
    "首页 >",
    "首页\u3000»",
    "首页＞",
    "来源：",
    "来源",
    "本文来源",
    "转载请",
    "点击查看",
    "点击",
    "扫一扫",
    "【打印】",
    "字号:",
    "政府信息",
    "年度报告",
    "2024年",
    " ",
    "\t",
    "|",
    "一、总体情况",
    "c",
    "h",
    "i",
    "w",
    "gov",
    ".cn",
]


def _lines():
    out = list(PIECES)
    for p in (ROOT / "assets" / "sample" / "inbox", ROOT.parent / "shared" / "fixtures" / "real"):
        for f in sorted(p.rglob("*")) if p.exists() else []:
            if f.suffix in (".txt", ".html", ".htm", ".md"):
                out += f.read_bytes().decode("utf-8", "replace").splitlines()
    rng = random.Random(1517)
    for _ in range(5000):
        out.append("".join(rng.choice(PIECES) for _ in range(rng.randint(1, 6))))
    return out


def test_alternatives_split_back_to_the_pattern():
    for pat, plain, cased in (
        (S._SPAM, S._SPAM_PLAIN, S._SPAM_CASED),
        (S._SPAM_STRONG, S._SPAM_STRONG_PLAIN, S._SPAM_STRONG_CASED),
    ):
        alts = S._top_level_alternatives(pat.pattern)
        assert "(" + "|".join(alts) + ")" == pat.pattern
        a = S._top_level_alternatives("(" + plain.pattern[3:])
        b = S._top_level_alternatives("(" + cased.pattern[3:])
        assert sorted(a + b) == sorted(alts) and a and b
        assert not plain.flags & re.IGNORECASE and cased.flags & re.IGNORECASE


def test_split_searches_find_what_the_pattern_finds():
    lines = _lines()
    hits = 0
    for t in lines:
        for pat, plain, cased, openers in (
            (S._SPAM, S._SPAM_PLAIN, S._SPAM_CASED, S._SPAM_OPENERS),
            (S._SPAM_STRONG, S._SPAM_STRONG_PLAIN, S._SPAM_STRONG_CASED, S._SPAM_STRONG_OPENERS),
        ):
            want = pat.search(t) is not None
            assert S._search_split(plain, cased, openers, t) == want, t
            assert S._search_split(plain, cased, None, t) == want, t
            hits += want
    assert hits > 1000  # the lines do hold spam, of both kinds


def test_openers_are_every_character_a_cased_alternative_can_open_with():
    for cased, openers in ((S._SPAM_CASED, S._SPAM_OPENERS), (S._SPAM_STRONG_CASED, S._SPAM_STRONG_OPENERS)):
        assert openers is not None
        firsts = "|".join(a[0] for a in S._top_level_alternatives("(" + cased.pattern[3:]))
        first = re.compile(firsts, re.IGNORECASE)
        for cp in range(0x110000):
            ch = chr(cp)
            assert (openers.match(ch) is None) == (first.match(ch) is None), hex(cp)


def test_is_spam_is_the_one_pattern_reading():
    def slow(line: str) -> bool:
        t = S.to_simplified(line.strip())
        if not t:
            return False
        if S._SPAM_STRONG.search(t):
            return True
        if S._SPAM.search(t):
            n = S.norm_text(t)
            return len(n) <= 80 and "政府信息" not in n and "年度报告" not in n
        return False

    for t in _lines():
        assert S.is_spam(t) == slow(t), t
