"""Line-level structure shared by readers and the mapper: section headings, table vocabulary, spam.

Section headings are matched by ordinal plus keyword (FORMAT.md), never by exact title.
"""

from __future__ import annotations

import re
from functools import lru_cache

from .codebook import codebook, may_match
from .textnorm import is_value_like, norm_label, norm_text, ordinal_of, to_simplified

SECTION_ORDER = ("overview", "proactive", "requests", "appeals", "problems", "other")
SECTION_TABLE = {"proactive": "T2", "requests": "T3", "appeals": "T4"}

_ORDINAL_FIRST = "一二三四五六七八九十第"  # the first character of an ordinal (textnorm.ordinal_of)
_HEADING_TAIL = re.compile(r"^(.{2,40}?(?:情况|事项|概况|概述))[。.:：]?(.*)$")


@lru_cache(maxsize=32768)
def section_of_heading(line: str) -> tuple[str, str] | None:
    """If `line` is a section heading ("三、收到和处理政府信息公开申请情况"), return (key, rest).

    `rest` is any text that follows the heading on the same line. Table row labels that also start
    with an ordinal ("二、上年结转政府信息公开申请数量") are not headings: the keyword must match.
    """
    text = line.strip()
    if not text:
        return None
    c = text[0]
    if "\u4e00" <= c <= "\u9fff" and len(norm_text(c)) == 1 and norm_text(c) not in _ORDINAL_FIRST:
        # a line opening with an ideograph that is no numeral: its normalised text opens with it too
        # (such a character is left as it is by NFKC and joins no other), so it has no ordinal
        return None
    ordinal = ordinal_of(text)
    if ordinal is None:
        return None
    n = norm_text(text)
    if len(n) > 60:
        m = _HEADING_TAIL.match(text.strip())
        if not m:
            return None
        head, rest = m.group(1), m.group(2).strip()
    else:
        head, rest = text, ""
    label = norm_label(head)
    if len(label) > 40:
        return None
    cb = codebook()
    wanted = None
    for entry in cb.sections:
        if entry.matches(label):
            wanted = entry.code
            break
    if wanted is None:
        return None
    # Table 3's own row labels contain 申请; they are never section headings.
    if cb.t3_row(head, {"rows", "other_handling"}) is not None and wanted == "requests":
        return None
    return wanted, rest


# ----------------------------------------------------------------------------------------------
# Table vocabulary: does a piece of text belong to one of the three tables?


@lru_cache(maxsize=65536)
def table_vocab(text: str) -> str | None:
    """'T2', 'T3', 'T4' when `text` is a label or header of that table; 'ANY' for a shared word
    (总计, 其他); None otherwise."""
    label = norm_label(text)
    if not label:
        return None
    cb = codebook()
    if label in ("总计", "合计", "其他", "其它", "小计"):
        return "ANY"
    if not _vocab_may_match(label):
        return None  # none of the three tables' words: most lines of a report's text
    if (
        cb.is_t2_header(text)
        or cb.t2_row(text)
        or cb.t2_column(text)
        or cb.t2v2019_row(text)
        or cb.t2v2019_column(text)
    ):
        return "T2"
    if cb.t4_group(text) or cb.is_t4_supergroup(text) or (cb.t4_column(text) and label not in ("总计",)):
        return "T4"
    if (
        cb.t3_row(text, {"rows", "other_handling"})
        or cb.t3_row_group(text)
        or cb.t3_column(text)
        or cb.is_t3_org_group(text)
        or cb.is_t3_header_note(text)
    ):
        return "T3"
    return None


@lru_cache(maxsize=1)
def _vocab_words():
    cb = codebook()
    lists = (cb.t2_rows, cb.t2_columns, cb.t2v2019_rows, cb.t2v2019_columns, cb.t3_rows, cb.t3_columns)
    lists += (cb.t3_row_groups, cb.t4_groups, cb.t4_columns)
    patterns = [p for entries in lists for e in entries for p in e.patterns]
    patterns += [*cb.t2_headers, *cb.t3_org_group, *cb.t3_headers, *cb.t4_supergroup]
    return may_match(patterns)


def _vocab_may_match(label: str) -> bool:
    """False when no pattern of the lookups of `table_vocab` searches `label` (one pass)."""
    return bool(_vocab_words()(label))


# ----------------------------------------------------------------------------------------------
# Spam and page furniture injected by mirror sites and CMSs.

_SPAM = re.compile(
    r"(转载|本文来源|来源[:：]|文章来源|信息来源[:：]|扫一扫|打印本页|关闭窗口|【打印】|【关闭】|分享到|"
    r"责任编辑|浏览次数|访问次数|访问量|阅读次数|字号[:：]|上一篇|下一篇|相关阅读|相关链接|推荐阅读|免责声明|"
    r"版权所有|copyright|icp备|网站地图|网站标识码|当前位置|您当前的位置|您的位置|首页\s*[>＞»]|"
    r"点击(?:这里|此处|查看|下载)|加入收藏|设为首页|广告|二维码|手机版|公网安备|技术支持|"
    r"www\.[a-z0-9-]+\.(?!gov)|https?://(?![a-z0-9.-]*gov\.cn))",
    re.IGNORECASE,
)
_SPAM_STRONG = re.compile(
    r"(转载请|本文来源|扫一扫|打印本页|关闭窗口|【打印】|【关闭】|分享到|责任编辑|浏览次数|免责声明|版权所有|"
    r"copyright|icp备|网站地图|当前位置|您当前的位置|首页\s*[>＞»]|加入收藏|设为首页)",
    re.IGNORECASE,
)


def _top_level_alternatives(pattern: str) -> list[str]:
    """The alternatives of a pattern `(a|b|…)`, split at the bars outside any inner group."""
    assert pattern.startswith("(") and pattern.endswith(")")
    out, depth, start, i = [], 0, 1, 1
    while i < len(pattern) - 1:
        ch = pattern[i]
        if ch == "\\":
            i += 2
            continue
        if ch == "[":  # a class: no group or bar inside counts
            i = pattern.index("]", i + 2 if pattern[i + 1] == "^" else i + 1) + 1
            continue
        if ch == "(":
            depth += 1
        elif ch == ")":
            depth -= 1
        elif ch == "|" and depth == 0:
            out.append(pattern[start:i])
            start = i + 1
        i += 1
    out.append(pattern[start:-1])
    return out


def _split_by_case(pat: re.Pattern) -> tuple[re.Pattern, re.Pattern]:
    """`pat` (an IGNORECASE alternation, used only for whether it finds anything) as two patterns
    that find something exactly when it does: the alternatives without a cased character, compiled
    without IGNORECASE (re compiles an uncased character the same with or without it), and the rest
    with it. Under IGNORECASE no alternative opening with a cased letter lets re skip ahead, so the
    whole alternation was tried at every position of a line; the first of the two lets it skip to a
    character that can open one of its words."""
    alts = _top_level_alternatives(pat.pattern)
    # `\s`, `\d`, `\w`, `\.` are no cased characters (a category or a dot): only what is left counts
    cased = [a for a in alts if any(ch.lower() != ch or ch.upper() != ch for ch in re.sub(r"\\[sSdDwW.]", "", a))]
    plain = [a for a in alts if a not in cased]
    return re.compile("(?:" + "|".join(plain) + ")"), re.compile("(?:" + "|".join(cased) + ")", pat.flags)


def _openers(cased: re.Pattern) -> re.Pattern | None:
    """A class of the first letters of `cased`'s alternatives, under the same IGNORECASE: a line
    without one of them holds no match of `cased` (None, no pre-test, unless every alternative opens
    with an ASCII letter)."""
    alts = _top_level_alternatives("(" + cased.pattern[3:])
    if not all(a[:1].isascii() and a[:1].isalpha() for a in alts):
        return None
    return re.compile("[" + "".join(sorted({a[0] for a in alts})) + "]", cased.flags)


_SPAM_PLAIN, _SPAM_CASED = _split_by_case(_SPAM)
_SPAM_STRONG_PLAIN, _SPAM_STRONG_CASED = _split_by_case(_SPAM_STRONG)
_SPAM_OPENERS = _openers(_SPAM_CASED)
_SPAM_STRONG_OPENERS = _openers(_SPAM_STRONG_CASED)


def _search_split(plain: re.Pattern, cased: re.Pattern, openers: re.Pattern | None, t: str) -> bool:
    if plain.search(t) is not None:
        return True
    if openers is not None and openers.search(t) is None:
        return False  # no letter that can open a cased alternative
    return cased.search(t) is not None


@lru_cache(maxsize=65536)
def is_spam(line: str) -> bool:
    """Page furniture or injected advertising, not part of the report.

    Conservative: report text mentions websites and WeChat accounts legitimately, so a URL alone
    marks a line as spam only when the line is short and carries no report vocabulary.
    """
    t = to_simplified(line.strip())
    if not t:
        return False
    # _SPAM_STRONG.search(t), _SPAM.search(t), each as two searches (see _split_by_case)
    if _search_split(_SPAM_STRONG_PLAIN, _SPAM_STRONG_CASED, _SPAM_STRONG_OPENERS, t):
        return True
    if _search_split(_SPAM_PLAIN, _SPAM_CASED, _SPAM_OPENERS, t):
        n = norm_text(t)
        if len(n) <= 80 and "政府信息" not in n and "年度报告" not in n:
            return True
    return False


def looks_like_table_token(text: str) -> bool:
    """A line that can belong to a table drawn as text: vocabulary or a value."""
    t = text.strip().strip("|").strip()
    if not t:
        return True
    return table_vocab(t) is not None or is_value_like(t)
