"""What the narrative says: numbers it states, and how much of it is repeated from elsewhere."""

from __future__ import annotations

import re
from functools import lru_cache

from ..textnorm import norm_text, norm_text_long

_N = r"(\d+)\s*件"
# Each statement: patterns whose group 1 is the number; searched in the normalised narrative.
_PATTERNS: dict[str, list[re.Pattern]] = {
    "received": [
        re.compile(
            r"(?:共|累计|全年|本年度?|新)?(?:受理|收到|接收|新收|接到)(?:了)?(?:各类|各级)?(?:政府)?(?:信息)?公开申请(?:共|总计|合计)?"
            + _N
        ),
        re.compile(r"(?:政府)?信息公开申请(?:共|总计|合计)?(?:受理|收到|新收)(?:了)?" + _N),
        re.compile(r"(?:受理|收到|新收)(?:依申请公开|政府信息公开)(?:申请|事项)?" + _N),
    ],
    "answered": [
        re.compile(r"(?:答复|办结|已办结|办理完成|处理完毕|作出答复)(?:了)?(?:申请)?" + _N),
    ],
    "carried_over": [
        re.compile(r"上(?:一)?年度?结转(?:的)?(?:政府信息公开)?(?:申请)?" + _N),
        re.compile(r"" + _N + r"(?:为|系)?上(?:一)?年度?结转"),
    ],
    "carried_forward": [
        re.compile(r"另有" + _N + r"(?:申请)?(?:顺延|结转|转入)(?:到|至)?下(?:一)?年度"),
        re.compile(r"" + _N + r"(?:申请)?(?:顺延|结转|转入)(?:到|至)?下(?:一)?年度"),
        re.compile(r"结转(?:至|到)?下(?:一)?年度(?:继续)?(?:办理|答复)?(?:的)?(?:申请)?" + _N),
    ],
    "reviews": [
        re.compile(r"(?:政府信息公开)?(?:引发|提起|发生|涉及)?行政复议(?:案件|申请)?(?:共)?" + _N),
    ],
    "suits": [
        re.compile(r"(?:政府信息公开)?(?:引发|提起|发生|涉及)?行政诉讼(?:案件)?(?:共)?" + _N),
    ],
}
# Statements that a figure is zero.
_ZERO: dict[str, list[re.Pattern]] = {
    "received": [
        re.compile(r"(?:未|没有)(?:收到|受理|接到)(?:任何)?(?:政府)?(?:信息)?公开申请"),
        re.compile(r"(?:政府)?信息公开申请(?:数量)?为(?:0|零)"),
    ],
    "reviews": [
        re.compile(r"(?:未|没有)(?:发生|出现|收到)[^。,，;；]{0,20}行政复议"),
        re.compile(r"行政复议(?:案件)?(?:数量)?为(?:0|零)"),
    ],
    "suits": [
        re.compile(r"(?:未|没有)(?:发生|出现|收到)[^。,，;；]{0,20}行政诉讼"),
        re.compile(r"行政诉讼(?:案件)?(?:数量)?为(?:0|零)"),
    ],
}


# A narrative is normalised once per check, by section: norm_text's cache (meant for the labels and
# cells every report repeats) would keep every report's narrative, growing with the warehouse.
# a narrative is long and met once: normalised without the cache, by the path suited to long texts
_norm_once = norm_text_long


NARRATIVE = ("overview", "proactive", "requests", "appeals", "problems", "other")  # what statements read
COMPARED = ("overview", "problems", "other")  # what the copy rules compare


def normed_sections(sections: dict, memo: dict[str, str] | None = None) -> dict[str, str]:
    """The narrative's sections, normalised (norm_text). Normalisation keeps a section boundary (a
    newline, which it removes), so normed_sections(s)[a] + normed_sections(s)[b] is the
    normalisation of the two sections joined by a newline. `memo`: texts already normalised (a
    chunk's, normed_chunk), added to."""
    if memo is None:
        return {k: _norm_once(sections.get(k) or "") for k in NARRATIVE}
    out = {}
    for k in NARRATIVE:
        t = sections.get(k) or ""
        n = memo.get(t)
        if n is None:
            n = memo[t] = _norm_once(t)
        out[k] = n
    return out


def normed_chunk(sections: list[dict]) -> list[dict[str, str]]:
    """normed_sections of a chunk's reports, a text met again (a section a unit repeats from year to
    year, "无" and the like) normalised once; the memo lives as long as the call (bounded by a chunk)."""
    memo: dict[str, str] = {}
    return [normed_sections(s, memo) for s in sections]


def statements(narrative: str) -> dict[str, int]:
    """The numbers a narrative states, by statement key. A statement not found is absent."""
    return stated(_norm_once(narrative or ""))


def stated(t: str) -> dict[str, int]:
    """statements() of a narrative already normalised."""
    t = t.replace("，", ",")
    out: dict[str, int] = {}
    for key, pats in _PATTERNS.items():
        for p in pats:
            m = p.search(t)
            if m:
                out[key] = int(m.group(1))
                break
        if key not in out:
            for p in _ZERO.get(key, ()):
                if p.search(t):
                    out[key] = 0
                    break
    # "行政诉讼46件，其中…" is the total; "未经复议直接起诉X件" alone would not be
    return out


_FEE = re.compile(r"费")


def mentions_fees(text: str | None) -> bool:
    return bool(text) and bool(_FEE.search(text))


_EMPTY_WORDS = {"", "无", "无。", "暂无", "暂无。", "没有", "无问题", "无。无。"}


_EMPTY_STRIPPED = frozenset(w.strip(".。") for w in _EMPTY_WORDS)


def is_empty_problems_section(text: str | None) -> bool | None:
    if text is None:
        return None
    return is_empty_problems_normed(_norm_once(text))


def is_empty_problems_normed(normed: str) -> bool:
    """is_empty_problems_section() of a section present and already normalised (normed_sections)."""
    t = normed.strip(".。")
    return t in _EMPTY_STRIPPED or len(t) < 6


# ----------------------------------------------------------------------------------------------
# Copying: character shingles of the narrative, with digits folded so a copy that only updated
# the year and the figures is still a copy.

_DIGITS = re.compile(r"\d+")
_PUNCT = re.compile(r"[\s,.;:!?，。；：！？、“”\"'（）()《》〈〉【】\[\]—-]+")
SHINGLE = 8


def fold(text: str, names: tuple[str, ...] = ()) -> str:
    return fold_normed(_norm_once(text or ""), names)


def fold_normed(t: str, names: tuple[str, ...] = ()) -> str:
    """fold() of a text already normalised."""
    for n in names:
        if n:
            t = t.replace(norm_text(n), "")
    t = _DIGITS.sub("0", t)
    return _PUNCT.sub("", t)


# a report's shingles serve again as the previous year's of the next report in the same unit, which
# comes right after it: a small cache is enough (4,096 sets of a few thousand hashes held ~0.5 GB).
# The shingles are kept as strings (equal exactly when their hashes were equal, bar a collision).
@lru_cache(maxsize=64)
def shingles(folded: str) -> frozenset[str]:
    if len(folded) < SHINGLE:
        return frozenset({folded}) if folded else frozenset()
    n = len(folded) - SHINGLE + 1  # the shingles themselves (the set hashes them), sliced at C speed
    return frozenset(map(folded.__getitem__, map(slice, range(n), range(SHINGLE, n + SHINGLE))))


def repeated_share(current: str, previous: str) -> float | None:
    """Share of the current narrative's shingles found in the previous one (0..1)."""
    a, b = shingles(current), shingles(previous)
    if not a:
        return None
    return len(a & b) / len(a)
