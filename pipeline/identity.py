"""Who published a report, for which year and period, when; and the text of its six sections."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import date

from .model import Document, Para, Table
from .structure import SECTION_ORDER, is_spam, section_of_heading
from .textnorm import cn_small_to_int, cn_year_to_int, norm_text, to_simplified

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


def _fix_agency(name: str | None) -> str | None:
    if name and name.endswith("人民"):
        return name + "政府"
    return name


def _valid_agency(name: str) -> bool:
    n = norm_text(name)
    if not (2 <= len(n) <= 40):
        return False
    if is_spam(name) or re.search(r"\d{3,}|www|http|[|<>]", n):
        return False
    if re.search(r"(报告|根据|条例|情况|年度|关于|本年|我[单市县旗区镇]|严格|紧紧|认真)", n):
        return False
    return bool(_AGENCY_END.search(n))


def _strip_agency(name: str) -> str:
    n = norm_text(name)
    n = n.strip("-—:：,，.。 ·•*#")
    n = re.sub(r"^(?:标题|题目|名称)[:：]", "", n)
    # a site's tag before the title: 【年度报告】, [公告] (brackets normalised to round ones)
    n = re.sub(r"^[(（【\[][^()（）【】\[\]]{0,12}(?:报告|公告|公示|通知|年报|信息|公开|文件)[)）】\]]", "", n)
    n = re.sub(r"[(（][^()（）]*[)）]$", "", n)  # trailing "(以下简称…)"
    return n


def _from_title(lines: list[str]) -> tuple[str | None, int | None, str | None]:
    """(agency, year, title) from the title line(s) near the top."""
    for i, line in enumerate(lines[:25]):
        n = norm_text(line)
        if not _TITLE_WORDS.search(n) and i + 1 < len(lines):
            # a title wrapped over two lines (centred PDF titles)
            joined = n + norm_text(lines[i + 1])
            nxt = norm_text(lines[i + 1])
            if _TITLE_WORDS.search(joined) and len(joined) <= 80 and ":" not in n and (
                    re.search(r"(\d{4}年|政府|信息$|政府信息公开$|\d$)", n) or nxt.startswith(("年", "度"))):
                line, n = line.strip() + lines[i + 1].strip(), joined
        if not _TITLE_WORDS.search(n) or len(n) > 80:
            continue
        if n.startswith(("本年度报告", "本报告", "根据")):
            continue
        year = None
        m = re.search(r"(\d{4})年", n) or re.search(r"(" + _YEAR_CN + r")年", n)
        if m:
            year = int(m.group(1)) if m.group(1).isdigit() else cn_year_to_int(m.group(1))
        # the first of these readings that gives a valid name:
        # "<agency>(关于)<year>年(度)政府信息公开工作年度报告", "<year>年<agency>政府信息公开…",
        # "<agency>政府信息公开工作年度报告(<year>年)"
        agency = None
        for pat in (r"^(.*?)(?:关于)?(?:\d{4}|" + _YEAR_CN + r")年度?",
                    r"^(?:\d{4}|" + _YEAR_CN + r")年度?(.*?)(?:政府信息公开|政务公开|信息公开)",
                    r"^(.*?)(?:关于)?(?:政府信息公开|政务公开|信息公开)"):
            m2 = re.match(pat, n)
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
    for pat in (r"本(?:年度)?报告(?:是)?由(.{2,40}?)(?:根据|依据|按照|依照|编制|制作)",
                r"^(.{2,40}?)(?:根据|依据|按照)中华人民共和国政府信息公开条例"):
        m = re.search(pat, text, re.MULTILINE)
        if m:
            cand = _CONTACT_SUFFIX.sub("", _strip_agency(m.group(1)))
            if _valid_agency(cand):
                return cand
    return None


def _from_contact(text: str) -> str | None:
    m = re.search(r"请(?:与|联系|向)(.{2,50}?)(?:联系|咨询|反映)", text)
    if m:
        cand = _strip_agency(m.group(1))
        cand = _CONTACT_SUFFIX.sub("", cand)
        if _valid_agency(cand):
            return cand
    return None


_PERIOD = re.compile(
    r"(\d{4})年(\d{1,2})月(\d{1,2})日(?:起)?(?:至|到|-|—|－|~|～)(?:(\d{4})年)?(\d{1,2})月(\d{1,2})日"
)
_PERIOD_DOT = re.compile(r"(\d{4})[.．/-](\d{1,2})[.．/-](\d{1,2})(?:至|到|-|—|－|~|～)(\d{4})[.．/-](\d{1,2})[.．/-](\d{1,2})")
_PERIOD_YEAR = re.compile(r"统计(?:期限|时限|时间|期间|区间|范围)[为是:自从]*(\d{4})年(?:度)?(?:全年)?[.,;)]")


def _iso(y: int, m: int, d: int) -> str | None:
    try:
        return date(y, m, d).isoformat()
    except ValueError:
        return None


def _period(text: str) -> dict | None:
    found = []
    for m in _PERIOD.finditer(text):
        y1, m1, d1, y2, m2, d2 = m.groups()
        start = _iso(int(y1), int(m1), int(d1))
        end = _iso(int(y2 or y1), int(m2), int(d2))
        if start and end:
            near = "统计" in text[max(0, m.start() - 30):m.start()]
            found.append((near, m.start(), {"start": start, "end": end}))
    for m in _PERIOD_DOT.finditer(text):
        y1, m1, d1, y2, m2, d2 = (int(x) for x in m.groups())
        start, end = _iso(y1, m1, d1), _iso(y2, m2, d2)
        if start and end:
            near = "统计" in text[max(0, m.start() - 30):m.start()]
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


def _published(lines: list[str]) -> str | None:
    for line in lines[:40]:
        s = to_simplified(line.strip())
        m = _PUBLISHED.search(s)
        if not m:
            # "来源：… 发布时间：2025-01-06" on one line
            m = re.search(r"(?:发布日期|发布时间)\s*[:：]\s*(\d{4})\s*[-/.年]\s*(\d{1,2})\s*[-/.月]\s*(\d{1,2})", s)
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
    if agency:
        ident.agency, ident.agency_source = agency, "title"
    if year:
        ident.year, ident.year_source = year, "title"
    if ident.agency is None:
        a = _from_opening(text)
        if a:
            ident.agency, ident.agency_source = a, "opening"
    if ident.agency is None:
        a = _from_contact(text)
        if a:
            ident.agency, ident.agency_source = a, "contact"
    if ident.agency:
        ident.agency = to_simplified(ident.agency)

    ident.period = _period(text)
    if ident.year is None and ident.period:
        ident.year, ident.year_source = int(ident.period["end"][:4]), "period"
    if ident.year is None:
        m = re.search(r"(?:本|这)?(\d{4})年度?(?:政府信息公开|，|,)", text)
        if m:
            ident.year, ident.year_source = int(m.group(1)), "text"
    furniture = list(doc.meta.get("furniture") or [])
    ident.published_on = _published([b.text for b in paras]) or _published(furniture)
    ident.signed_on = _signed(lines)
    ident.sections = sections(doc)
    return ident


_DATE_LINE = re.compile(r"^(\d{4})\s*[年.\-/]\s*(\d{1,2})\s*[月.\-/]\s*(\d{1,2})\s*日?$")
_DATE_LINE_CN = re.compile(r"^([〇零○Ｏ一二三四五六七八九]{4})年([一二三四五六七八九十]{1,3})月([一二三四五六七八九十]{1,3})日$")


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
