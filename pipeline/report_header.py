"""Who published a report, for which year and period, when; and the text of its six sections."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import date
from functools import lru_cache

from .document import Document, Para, Table
from .structure import SECTION_ORDER, is_spam, section_of_heading
from .textnorm import _t2s_table, cn_small_to_int, cn_year_to_int, norm_text, to_simplified

_YEAR_CN = "[〇零○Ｏ一二三四五六七八九]{4}"
_AGENCY_END = re.compile(
    r"(人民政府|政府|办事处|行政公署|管理委员会|管委会|委员会|办公室|办公厅|局|厅|委|办|院|署|中心|苏木|镇|乡|街道|"
    r"旗|县|区|市|盟|所|站|队|会|处|馆|社|部|司|公司)$"
)
_CONTACT_SUFFIX = re.compile(
    r"(?:的)?(?:党政综合办公室|综合办公室|党政办公室|政务公开办公室|政务公开办|办公室|党政办|综合办|"
    r"政务服务中心|行政审批政务服务与数据管理局|政务服务局|信息公开办|政务公开领导小组办公室)$"
)
_TITLE_WORDS = re.compile(r"政府信息公开(?:工作)?(?:年度)?(?:工作)?报告|信息公开年报|政务公开工作年度报告|年度报告")


@dataclass
class Identity:
    agency: str | None = None
    agency_source: str | None = None
    year: int | None = None
    year_source: str | None = None
    period: dict | None = None
    published_on: str | None = None
    signed_on: str | None = None
    title: str | None = None
    sections: dict[str, str | None] = field(default_factory=dict)
    problems: list[dict] = field(default_factory=list)


# the patterns of _valid_agency, _strip_agency and _from_title, compiled once (re's own cache costs a
# Python call and a lookup for every use, a few dozen a report)
_NOT_NAME = re.compile(r"\d{3,}|www|http|[|<>]")
_NOT_NAME_WORDS = re.compile(r"(报告|根据|条例|情况|年度|关于|本年|我[单市县旗区镇]|严格|紧紧|认真)")
_LABEL_PREFIX = re.compile(r"^(?:标题|题目|名称)[:：]")
_SITE_TAG = re.compile(r"^[(（【\[][^()（）【】\[\]]{0,12}(?:报告|公告|公示|通知|年报|信息|公开|文件)[)）】\]]")
_TRAILING_NOTE = re.compile(r"[(（][^()（）]*[)）]$")
_TITLE_CUT = re.compile(r"(\d{4}年|政府|信息$|政府信息公开$|\d$)")
_TITLE_YEAR = re.compile(r"(\d{4})年")
_TITLE_YEAR_CN = re.compile(r"(" + _YEAR_CN + r")年")
_TITLE_AGENCY = tuple(
    re.compile(p)
    for p in (
        r"^(.*?)(?:关于)?(?:\d{4}|" + _YEAR_CN + r")年度?",
        r"^(?:\d{4}|" + _YEAR_CN + r")年度?(.*?)(?:政府信息公开|政务公开|信息公开)",
        r"^(.*?)(?:关于)?(?:政府信息公开|政务公开|信息公开)",
    )
)


def _fix_agency(name: str | None) -> str | None:
    if name and name.endswith("人民"):
        return name + "政府"
    return name


def _valid_agency(name: str) -> bool:
    n = norm_text(name)
    if not (2 <= len(n) <= 40):
        return False
    if is_spam(name) or _NOT_NAME.search(n):
        return False
    if _NOT_NAME_WORDS.search(n):
        return False
    return bool(_AGENCY_END.search(n))


def _strip_agency(name: str) -> str:
    n = norm_text(name)
    n = n.strip("-—:：,，.。 ·•*#")
    n = _LABEL_PREFIX.sub("", n)
    # a site's tag before the title: 【年度报告】, [公告] (brackets normalised to round ones)
    n = _SITE_TAG.sub("", n)
    n = _TRAILING_NOTE.sub("", n)  # trailing "(以下简称…)"
    return n


def _from_title(lines: list[str]) -> tuple[str | None, int | None, str | None]:
    """(agency, year, title) from the title line(s) near the top."""
    for i, line in enumerate(lines[:25]):
        n = norm_text(line)
        if not _TITLE_WORDS.search(n) and i + 1 < len(lines):
            # a title wrapped over two lines (centred PDF titles)
            joined = n + norm_text(lines[i + 1])
            nxt = norm_text(lines[i + 1])
            if (
                _TITLE_WORDS.search(joined)
                and len(joined) <= 80
                and ":" not in n
                and (_TITLE_CUT.search(n) or nxt.startswith(("年", "度")))
            ):
                line, n = line.strip() + lines[i + 1].strip(), joined
        if not _TITLE_WORDS.search(n) or len(n) > 80:
            continue
        if n.startswith(("本年度报告", "本报告", "根据")):
            continue
        year = None
        m = _TITLE_YEAR.search(n) or _TITLE_YEAR_CN.search(n)
        if m:
            year = int(m.group(1)) if m.group(1).isdigit() else cn_year_to_int(m.group(1))
        # the first of these readings that gives a valid name:
        # "<agency>(关于)<year>年(度)政府信息公开工作年度报告", "<year>年<agency>政府信息公开…",
        # "<agency>政府信息公开工作年度报告(<year>年)"
        agency = None
        for pat in _TITLE_AGENCY:
            m2 = pat.match(n)
            if m2 and m2.group(1):
                cand = _fix_agency(_strip_agency(m2.group(1)))
                if _valid_agency(cand):
                    agency = cand
                    break
                if agency is None:
                    agency = cand
        if (agency is None or not _valid_agency(agency)) and i > 0:
            # title split over two lines: agency on the line above
            prev = _strip_agency(lines[i - 1])
            if _valid_agency(prev):
                agency = prev
        if agency is not None and not _valid_agency(agency):
            agency = None
        return agency, year, line.strip()
    return None, None, None


def _from_opening(text: str) -> str | None:
    for pat in (
        r"本(?:年度)?报告(?:是)?由(.{2,40}?)(?:根据|依据|按照|依照|编制|制作)",
        r"^(.{2,40}?)(?:根据|依据|按照)中华人民共和国政府信息公开条例",
    ):
        m = re.search(pat, text, re.MULTILINE)
        if m:
            cand = _CONTACT_SUFFIX.sub("", _strip_agency(m.group(1)))
            if _valid_agency(cand):
                return cand
    return None


def _from_contact(text: str) -> str | None:
    m = re.search(r"请(?:与|联系|向)(.{2,50}?)(?:联系|咨询|反映)", text) or re.search(
        r"(?:联系单位|联系部门|联系机关|受理机构)[:]?([^,;。\n]{2,40}?)(?:[,;。\n]|联系|地址|电话|$)", text
    )
    if m:
        cand = _strip_agency(m.group(1))
        cand = _CONTACT_SUFFIX.sub("", cand)
        if _valid_agency(cand):
            return cand
    return None


_NAME_END = (
    r"(?:人民政府|政府|办事处|行政公署|管理委员会|管委会|委员会|办公室|办公厅|局|厅|委|办|院|署|中心|苏木|"
    r"镇|乡|街道|旗|县|区|市|盟|所|站|队|会|处|馆|社|部|司|公司)"
)
# words that follow the body's name in the opening sentence of 一、总体情况
_OPENING_VERB = (
    r"(?:认真|坚持|深入|全面|严格|紧紧|始终|持续|高度|以|按照|根据|围绕|积极|不断|进一步|扎实|聚焦|切实|"
    r"紧扣|牢固|信息公开|政府信息公开|政务公开|主动|依法|着力|立足|把|将|结合|大力|全力|贯彻|落实|共|"
    r"高效|精心|强化|加强|不折不扣|狠抓|继续|进一步|紧密|严格落实|在)"
)
_OVERVIEW_NAME = re.compile(r"^(.{2,30}?" + _NAME_END + r")(?=" + _OPENING_VERB + r")")
_PREAMBLE = re.compile(
    r"(?:公布|发布|现将|特将|印发|编制|形成)(?:了)?(.{2,30}?)(?:\d{4}|"
    + _YEAR_CN
    + r")年度?(?:政府信息公开|政务公开|信息公开)"
)


_OPENING_PREFIXES = (
    re.compile(r"^(?:\d{4}|" + _YEAR_CN + r")年(?:度|以来|全年|中)?[,:]?"),
    re.compile(r"^(?:本年度|今年以来|今年|全年|一年来)[,:]?"),
    re.compile(r"^在[^,。]{1,40}?(?:领导|指导|关心|支持|部署|帮助)下[,]?"),
)


def _from_overview(overview: str | None) -> str | None:
    """ "2023年,XX镇人民政府认真贯彻…", "2024年,在县委、县政府的领导下,XX县卫生健康委员会深入贯彻…"."""
    if not overview:
        return None
    t = norm_text(overview.split("\n", 1)[0])[:120]
    for pat in _OPENING_PREFIXES:
        t = pat.sub("", t)
    if re.match(r"^(?:我|本)", t):
        return None
    m = _OVERVIEW_NAME.match(t)
    if m:
        # "XX镇党委、政府高度重视…": the government of the place
        cand = re.sub(r"(?:党委)?[、,]?(?:人民)?政府$", "人民政府", _strip_agency(m.group(1)))
        if "、" in cand or "," in cand:
            return None
        if _valid_agency(cand):
            return cand
    return None


def _from_preamble(text: str) -> str | None:
    """ "现特向社会公布XX乡2025年度政府信息公开工作年度报告"."""
    for m in _PREAMBLE.finditer(text[:3000]):
        cand = re.sub(r"^(?:向社会|向公众)", "", _strip_agency(m.group(1)))
        cand = _fix_agency(cand)
        if _valid_agency(cand):
            return cand
    return None


def _from_signature(lines: list[str]) -> str | None:
    """The body's name on a line of its own just above the date at the end of the report."""
    tail = [norm_text(x) for x in lines[-6:] if norm_text(x)]
    for i in range(len(tail) - 1, -1, -1):
        t = tail[i]
        if _DATE_LINE.match(t) or _DATE_LINE_CN.match(t):
            if i > 0 and len(tail[i - 1]) <= 30:
                cand = _strip_agency(tail[i - 1])
                if _valid_agency(cand):
                    return cand
            return None
    return None


_META_KEYS = ("日期", "机", "機", "单位", "單位", "主体", "主體")
_META_KEY = re.compile("|".join(_META_KEYS))  # any(k in c for k in _META_KEYS), in one search


def _from_meta_table(doc: Document) -> tuple[str | None, str | None]:
    """(publishing body, publication date) from a page's metadata table:
    名称 / 索引号 / 发布机构 / 公开日期 (发布日期, 成文日期) rows, label and value side by side."""
    agency = published = kind = None
    for t in doc.blocks:
        # a metadata table is small: a few rows of label and value pairs
        if not isinstance(t, Table) or len(t.rows) > 10 or any(len(r) > 8 for r in t.rows):
            continue
        for row in t.rows:
            cells = [c.text for c in row if not c.cont]
            for i, c in enumerate(cells):
                if len(c) > 40 or not _META_KEY.search(c):
                    continue
                n = norm_text(c)
                m = re.match(
                    r"^(发布机构|发文机关|发布单位|公开主体|信息来源机构|公开日期|发布日期|成文日期)[:：]?(.*)$", n
                )
                if not m:
                    continue
                value = m.group(2) or (norm_text(cells[i + 1]) if i + 1 < len(cells) else "")
                if m.group(1).endswith("日期"):
                    d = re.match(r"^(\d{4})[-/.年](\d{1,2})[-/.月](\d{1,2})", value)
                    iso = _iso(int(d.group(1)), int(d.group(2)), int(d.group(3))) if d else None
                    # the day it was made public before the day it was signed
                    if iso and (published is None or kind == "成文日期" and m.group(1) != "成文日期"):
                        published, kind = iso, m.group(1)
                elif agency is None and value and _valid_agency(_strip_agency(value)):
                    agency = _strip_agency(value)
    return agency, published


def _subsequence(short: str, long: str) -> bool:
    it = iter(long)
    return all(ch in it for ch in short)


def _fuller(name: str, other: str) -> bool:
    """`other` is a fuller form of `name`: it contains it, or abbreviates to it (旗民委 for
    阿拉善左旗民族事务委员会), and names the same kind of body."""
    if len(other) <= len(name) or other == name:
        return False
    if name in other:
        # "XX镇" and "XX镇人民政府", "XX街道" and "XX街道办事处": the same body, named in full
        return (
            other.endswith(name)
            or name[-1] == other[-1]
            or other.startswith(name)
            and other[len(name) :] in ("人民政府", "政府", "办事处", "街道办事处")
        )
    return (
        len(name) <= 6
        and name[0] in other
        and _subsequence(name, other)
        and _AGENCY_END.search(name) is not None
        and name[-1] in other[-4:]
    )


_FULL_NAME = re.compile(r"[\u4e00-\u9fff]{3,24}?(?:委员会|人民政府|管理委员会|办事处|办公室|局|中心|政府)")


def _expand_abbreviation(name: str, text: str) -> str | None:
    """The full name an abbreviation stands for, where the text spells it out."""
    if len(name) > 6:
        return None
    best = None
    for m in _FULL_NAME.finditer(text):
        cand = re.sub(r"^(?:由|在|经|对|是|为|和|与|及|的|同|向|按照|根据|全|本)", "", m.group(0))
        if name in cand or not _fuller(name, cand) or not _valid_agency(cand):
            continue
        if best is None or len(cand) > len(best):
            best = cand
    return best


# The year written `\d\d\d\d`, not `\d{4}`: the same language and the same groups (a fixed count of
# one character class is that class repeated), but a pattern whose first item is a character class
# lets `re` skip to the next digit instead of trying the whole pattern at every position of the
# text, a third of `_period`'s time (tests/test_header_shortcuts.py compares them with the `{4}` forms).
_PERIOD = re.compile(
    r"(\d\d\d\d)年(\d{1,2})月(\d{1,2})日(?:起)?(?:至|到|-|—|－|~|～)(?:(\d{4})年)?(\d{1,2})月(\d{1,2})日"
)
_PERIOD_DOT = re.compile(
    r"(\d\d\d\d)[.．/-](\d{1,2})[.．/-](\d{1,2})(?:至|到|-|—|－|~|～)(\d{4})[.．/-](\d{1,2})[.．/-](\d{1,2})"
)
_PERIOD_YEAR = re.compile(r"统计(?:期限|时限|时间|期间|区间|范围)[为是:自从]*(\d{4})年(?:度)?(?:全年)?[.,;)]")


def _iso(y: int, m: int, d: int) -> str | None:
    try:
        return date(y, m, d).isoformat()
    except ValueError:
        return None


def _period_matches(text: str):
    """`_PERIOD.finditer(text)`, tried only where a match can start: its year's four digits are
    followed by 年, so it starts 4 characters before a 年 (found by `str.find`, at C speed, where the
    search would test every character against \\d): the same matches, leftmost first, none overlapping."""
    end = 0
    i = text.find("年", 4)
    while i >= 0:
        start = i - 4
        if start >= end:
            m = _PERIOD.match(text, start)
            if m:
                yield m
                end = m.end()
        i = text.find("年", i + 1)


def _period(text: str) -> dict | None:
    found = []
    for m in _period_matches(text):
        y1, m1, d1, y2, m2, d2 = m.groups()
        start = _iso(int(y1), int(m1), int(d1))
        end = _iso(int(y2 or y1), int(m2), int(d2))
        if start and end:
            near = "统计" in text[max(0, m.start() - 30) : m.start()]
            found.append((near, m.start(), {"start": start, "end": end}))
    for m in _PERIOD_DOT.finditer(text):
        y1, m1, d1, y2, m2, d2 = (int(x) for x in m.groups())
        start, end = _iso(y1, m1, d1), _iso(y2, m2, d2)
        if start and end:
            near = "统计" in text[max(0, m.start() - 30) : m.start()]
            found.append((near, m.start(), {"start": start, "end": end}))
    if found:
        near = [f for f in found if f[0]]
        if near:
            return min(near, key=lambda f: f[1])[2]
        full = [f for f in found if f[2]["start"][5:] == "01-01"]
        if full:
            return min(full, key=lambda f: f[1])[2]
    m = _PERIOD_YEAR.search(text)
    if m:
        y = int(m.group(1))
        return {"start": f"{y}-01-01", "end": f"{y}-12-31"}
    return None


_PUBLISHED = re.compile(
    r"^(?:[-*•·]\s*)?(?:发布日期|发布时间|发布于|公开日期|日期|时间|发布)\s*[:：]?\s*"
    r"(\d{4})\s*[-/.年]\s*(\d{1,2})\s*[-/.月]\s*(\d{1,2})"
)


@lru_cache(maxsize=1)
def _published_hint() -> re.Pattern | None:
    """What a line must hold for either pattern of `_published` to match its simplified form: the
    last character of a date keyword (期, 间, 于, 布, or a traditional character the table simplifies
    to one of them), then the separator and a year's four digits. Exact where the traditional-to-
    simplified table maps one character to one and maps no whitespace, colon or digit (None otherwise:
    every line is then simplified and tried)."""
    table = _t2s_table()
    if not all(len(v) == 1 for v in table.values()):
        return None
    for k, v in table.items():
        for ch in (chr(k), v):
            if ch.isdecimal() or ch.isspace() or ch in ":：" or re.match(r"\s", ch):
                return None
    ends = "期间于布"
    chars = set(ends) | {chr(k) for k, v in table.items() if v in ends}
    return re.compile("[" + "".join(map(re.escape, sorted(chars))) + r"]\s*[:：]?\s*\d{4}")


def _published(lines: list[str]) -> str | None:
    hint = _published_hint()
    for line in lines[:40]:
        if hint is not None and not hint.search(line):
            continue  # neither pattern below can match: not simplified, not tried
        s = to_simplified(line.strip())
        m = _PUBLISHED.search(s)
        if not m:
            # "来源：… 发布时间：2025-01-06" on one line
            m = re.search(
                r"(?:发布日期|发布时间|公开日期)\s*[:：]\s*(\d{4})\s*[-/.年]\s*(\d{1,2})\s*[-/.月]\s*(\d{1,2})", s
            )
        if m:
            iso = _iso(int(m.group(1)), int(m.group(2)), int(m.group(3)))
            if iso:
                return iso
    return None


def identify(doc: Document) -> Identity:
    ident = Identity()
    paras = [b for b in doc.blocks if isinstance(b, Para)]
    lines = [p.text for p in paras if not is_spam(p.text)]
    text = "\n".join(norm_text(ln) for ln in lines)

    agency, year, title = _from_title(lines)
    ident.title = title
    if year:
        ident.year, ident.year_source = year, "title"
    ident.sections = sections(doc)
    meta_agency, meta_published = _from_meta_table(doc)
    page_title = doc.meta.get("title")
    t_agency = t_year = None
    if page_title:
        t_agency, t_year, _ = _from_title([page_title])
    if ident.year is None and t_year:
        ident.year, ident.year_source = t_year, "page title"
    # every place a person would look, in order of trust; the fullest form of the first wins
    found: list[tuple[str, str | None]] = [("title", agency), ("page title", t_agency)]
    found += [("publisher", meta_agency)]
    lazy = [
        ("opening", lambda: _from_opening(text)),
        ("preamble", lambda: _from_preamble(text)),
        ("overview", lambda: _from_overview(ident.sections.get("overview"))),
        ("signature", lambda: _from_signature(lines)),
        ("contact", lambda: _from_contact(text)),
    ]
    names = [(src, to_simplified(a)) for src, a in found if a]
    for src, fn in lazy:
        a = fn()
        if a:
            names.append((src, to_simplified(a)))
    if names:
        src, best = names[0]
        others = [a for _, a in names[1:]]
        for a in others:
            if _fuller(best, a):
                best = a
        if len(best) <= 6 and not any(best in a for a in others):
            full = _expand_abbreviation(best, text)
            if full:
                best = full
        ident.agency, ident.agency_source = best, src

    ident.period = _period(text)
    if ident.year is None and ident.period:
        ident.year, ident.year_source = int(ident.period["end"][:4]), "period"
    if ident.year is None:
        m = re.search(r"(?:本|这)?(\d{4})年度?(?:政府信息公开|，|,)", text)
        if m:
            ident.year, ident.year_source = int(m.group(1)), "text"
    furniture = list(doc.meta.get("furniture") or [])
    ident.published_on = meta_published or _published([b.text for b in paras]) or _published(furniture)
    ident.signed_on = _signed(lines)
    return ident


_DATE_LINE = re.compile(r"^(\d{4})\s*[年.\-/]\s*(\d{1,2})\s*[月.\-/]\s*(\d{1,2})\s*日?$")
_DATE_LINE_CN = re.compile(
    r"^([〇零○Ｏ一二三四五六七八九]{4})年([一二三四五六七八九十]{1,3})月([一二三四五六七八九十]{1,3})日$"
)


def _signed(lines: list[str]) -> str | None:
    """The date under the signature at the end of the report ("2025年1月6日")."""
    for line in reversed(lines[-6:]):
        t = norm_text(line)
        m = _DATE_LINE.match(t)
        if m:
            return _iso(int(m.group(1)), int(m.group(2)), int(m.group(3)))
        m = _DATE_LINE_CN.match(t)
        if m:
            y, mo, d = cn_year_to_int(m.group(1)), cn_small_to_int(m.group(2)), cn_small_to_int(m.group(3))
            if y and mo and d:
                return _iso(y, mo, d)
    return None


def sections(doc: Document) -> dict[str, str | None]:
    """The narrative of the six sections, by ordinal and keyword. None when the heading is absent."""
    out: dict[str, list[str] | None] = {k: None for k in SECTION_ORDER}
    current: str | None = None
    for b in doc.blocks:
        if isinstance(b, Table):
            continue
        h = section_of_heading(b.text)
        if h:
            key, rest = h
            if out[key] is None:
                out[key] = []
                current = key
                if rest:
                    out[key].append(rest)
                continue
            current = key
            if rest:
                out[key].append(rest)
            continue
        if current is not None and not is_spam(b.text):
            out[current].append(b.text)
    return {k: ("\n".join(v).strip() if v is not None else None) for k, v in out.items()}
