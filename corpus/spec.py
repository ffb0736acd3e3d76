"""One annual report, given as data: what the writers render and what the truth is computed from.

A `ReportSpec` says exactly what is *written*: the raw text of every cell (``"0"``, ``"12"``, ``""``,
``"/"``, ``"3件"``, ``"１２"``, ``"18.8710"``), which sections and tables are there, and the page-level
accidents of real publications (mirror-site spam lines, traditional characters, a missing title…).
The writers never invent a value and never drop one the spec asks for; `truth.expected_cells` derives
the answer key from the same spec.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field, replace

from pipeline.codebook import T3_OUTCOME_ROWS, cell_ids, t3_column_codes, t3_row_codes

SECTION_KEYS = ("overview", "proactive", "requests", "appeals", "problems", "other")
TABLE_KEYS = ("T2", "T3", "T4")
# The section that holds each table: a section set to None takes its table with it.
TABLE_SECTION = {"T2": "proactive", "T3": "requests", "T4": "appeals"}

FORMAT_VERSIONS = ("2021", "2019")

# Lines that mirror sites inject into copied pages.
SPAM_LINES = (
    "本文来源：XX网 www.xxx.com 转载请注明出处",
    "扫一扫在手机打开当前页",
    "【打印本页】【关闭窗口】",
    "【字体：大 中 小】",
    "分享到：微信 微博 QQ空间",
    "免责声明：本站部分内容来源于网络，如有侵权请联系删除。",
)


@dataclass
class ReportSpec:
    agency: str
    year: int
    title: str | None = "__default__"
    published_on: str | None = None
    period: tuple[str, str] | None = ("__default__", "__default__")
    format_version: str = "2021"
    cells: dict[str, str | None] = field(default_factory=dict)
    extra_cells: dict[str, str] = field(default_factory=dict)
    org_subtotal: bool = False
    sections: dict[str, str | None] = field(default_factory=dict)
    tables: dict[str, str] = field(default_factory=dict)
    spam_lines: list[tuple[int, str]] = field(default_factory=list)
    traditional: bool = False
    contact_line: bool = True
    # Optional details of the opening paragraph (derived deterministically from the agency if None).
    phone: str | None = None
    site_name: str | None = None
    site_url: str | None = None

    def __post_init__(self) -> None:
        if self.title == "__default__":
            self.title = f"{self.agency}{self.year}年政府信息公开工作年度报告"
        if self.period == ("__default__", "__default__"):
            self.period = (f"{self.year}-01-01", f"{self.year}-12-31")
        if self.format_version not in FORMAT_VERSIONS:
            raise ValueError(f"format_version must be one of {FORMAT_VERSIONS}, not {self.format_version!r}")
        for t, status in self.tables.items():
            if t not in TABLE_KEYS:
                raise ValueError(f"unknown table {t!r}")
            table_status(status)  # validates
        if (
            self.tables.get("T2", "ok") == "malformed_t4_like_seed"
            or self.tables.get("T3", "ok") == "malformed_t4_like_seed"
        ):
            raise ValueError("malformed_t4_like_seed applies to T4 only")
        for k in self.sections:
            if k not in SECTION_KEYS:
                raise ValueError(f"unknown section {k!r}")

    # -- convenience ---------------------------------------------------------------------------
    def table(self, key: str) -> str:
        """The status of a table, taking an absent section into account."""
        if key in TABLE_SECTION and self.sections.get(TABLE_SECTION[key], "") is None:
            return "absent"
        return self.tables.get(key, "ok")

    def section_text(self, key: str) -> str | None:
        """The narrative of a section: None when the section is absent, '' when it has none."""
        if key in self.sections:
            return self.sections[key]
        if key in ("proactive", "requests", "appeals"):
            return ""
        return default_section_text(key, self.agency, self.year)

    def published_date(self) -> str | None:
        return self.published_on[:10] if self.published_on else None

    def published_datetime(self) -> str | None:
        """'YYYY-MM-DD HH:MM' (a time derived from the agency when the spec gives a date only)."""
        if not self.published_on:
            return None
        if len(self.published_on) > 10:
            return self.published_on
        h = _h(self.agency, self.year, "time")
        return f"{self.published_on} {8 + h % 10:02d}:{(h // 10) % 60:02d}"

    def contact_phone(self) -> str:
        if self.phone:
            return self.phone
        h = _h(self.agency, "phone")
        return f"0483-{8000000 + h % 1000000}"

    def site(self) -> tuple[str, str]:
        name = self.site_name or "阿拉善盟行政公署"
        url = self.site_url or "http://www.als.gov.cn/"
        return name, url

    def copy(self, **changes) -> ReportSpec:
        """A changed copy; a default title or period follows a changed agency or year."""
        if "title" not in changes and self.title == f"{self.agency}{self.year}年政府信息公开工作年度报告":
            changes["title"] = "__default__"
        if "period" not in changes and self.period == (f"{self.year}-01-01", f"{self.year}-12-31"):
            changes["period"] = ("__default__", "__default__")
        return replace(self, **changes)


def table_status(status: str) -> tuple[str, int | None]:
    """'ok' -> ('ok', None); 'truncated:7' -> ('truncated', 7); validates the vocabulary."""
    if status in ("ok", "absent", "malformed_t4_like_seed"):
        return status, None
    if status.startswith("truncated:"):
        n = int(status.split(":", 1)[1])
        if n < 0:
            raise ValueError(status)
        return "truncated", n
    raise ValueError(f"unknown table status {status!r}")


def _h(*parts) -> int:
    return int.from_bytes(hashlib.blake2b("|".join(map(str, parts)).encode(), digest_size=8).digest(), "big")


# ------------------------------------------------------------------------------------------------
# Default narrative (deterministic; the corpus generator usually supplies its own).


def default_section_text(key: str, agency: str, year: int) -> str:
    if key == "overview":
        return (
            f"{year}年，{agency}认真贯彻落实《中华人民共和国政府信息公开条例》，坚持以公开为常态、"
            f"不公开为例外，不断深化政务公开内容，规范政府信息公开工作。\n"
            f"（一）主动公开情况。\n"
            f"依托政府门户网站和政务新媒体及时发布政策文件、工作动态等政府信息。\n"
            f"（二）依申请公开情况。\n"
            f"严格按照法定程序和时限办理政府信息公开申请。\n"
            f"（三）政府信息管理情况。\n"
            f"严格落实信息发布审核制度，做到先审后发。\n"
            f"（四）政府信息公开平台建设情况。\n"
            f"持续优化政府信息公开专栏，规范栏目设置。\n"
            f"（五）监督保障情况。\n"
            f"将政务公开工作纳入年度考核，加强业务培训。"
        )
    if key == "problems":
        return (
            f"{year}年，我单位政府信息公开工作取得了一定成效，但仍存在公开内容不够丰富、"
            f"信息更新不够及时等问题。\n"
            f"下一步，我们将进一步完善工作机制，加强队伍建设，提高政府信息公开工作质量。"
        )
    if key == "other":
        return f"{year}年，{agency}未收取信息处理费。"
    return ""


# ------------------------------------------------------------------------------------------------
# A ready-made spec with a mix of blank, "/", zero and non-zero cells (for tests and examples).


def example_cells(seed: int = 0, format_version: str = "2021") -> dict[str, str]:
    """Raw cell texts for all 200 ids: mostly numbers and zeros, some blanks, some '/'.

    The T3 identities hold for the numeric cells so the sample looks like a real report.
    """
    cells: dict[str, str] = {}
    ids = cell_ids()
    for cid in ids:
        if cid.startswith("T2/"):
            h = _h(seed, cid) % 10
            cells[cid] = "" if h == 0 else "/" if h == 1 else "0" if h < 5 else str(h * 3 - 10)
    cols = t3_column_codes()
    parts = [c for c in cols if c != "total"]
    rows = t3_row_codes()
    for r in rows:
        vals = {c: (_h(seed, r, c) % 7) if _h(seed, r, c, "z") % 3 == 0 else 0 for c in parts}
        if r in ("processed_total",):
            continue
        for c in parts:
            cells[f"T3/{r}/{c}"] = str(vals[c])
        cells[f"T3/{r}/total"] = str(sum(vals.values()))
    for c in cols:
        s = sum(int(cells[f"T3/{r}/{c}"]) for r in T3_OUTCOME_ROWS)
        cells[f"T3/processed_total/{c}"] = str(s)
    # T4: each group's total is the sum of its parts.
    for g in ("review", "suit_direct", "suit_after_review"):
        parts4 = [_h(seed, g, p) % 4 for p in ("upheld", "corrected", "other", "pending")]
        for p, v in zip(("upheld", "corrected", "other", "pending"), parts4):
            cells[f"T4/{g}.{p}"] = str(v)
        cells[f"T4/{g}.total"] = str(sum(parts4))
    # Sprinkle blanks and '/' in places a reader can get wrong (first, middle and last columns).
    cells["T3/carried_over/natural_person"] = ""
    cells["T3/withheld_inquiry/research"] = "/"
    cells["T3/declined_excessive/total"] = ""
    cells["T3/unavailable_unclear/legal_services"] = "无"
    cells["T4/suit_direct.pending"] = ""
    cells["T4/suit_after_review.upheld"] = "/"
    cells["T2/fees/amount"] = "18.8710"
    if format_version == "2019":
        for c in cols:
            cells.pop(f"T3/other_no_correction/{c}", None)
            cells.pop(f"T3/other_no_fee/{c}", None)
    return cells


def example_spec(seed: int = 0, **changes) -> ReportSpec:
    """A complete report (all 200 cells) with a mix of blanks, '/', zeros and numbers."""
    fv = changes.get("format_version", "2021")
    kwargs = dict(
        agency="阿拉善左旗巴彦木仁苏木人民政府",
        year=2024,
        published_on="2025-01-06",
        cells=example_cells(seed, fv),
        format_version=fv,
    )
    if fv == "2019":
        kwargs["extra_cells"] = example_t2v2019_cells(seed)
    kwargs.update(changes)
    return ReportSpec(**kwargs)


def example_t2v2019_cells(seed: int = 0) -> dict[str, str]:
    from pipeline.codebook import codebook

    out = {}
    for r in codebook().t2v2019_rows:
        for c in r.columns:
            h = _h(seed, "v2019", r.code, c) % 6
            out[f"T2v2019/{r.code}/{c}"] = "" if h == 0 else "0" if h < 3 else str(h * 7)
    return out
