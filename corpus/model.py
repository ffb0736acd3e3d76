"""The document model shared by every writer.

`build_document(spec, ...)` turns a `ReportSpec` into a list of blocks (title, meta lines, paragraphs,
headings, tables, spam lines). Tables are grids drawn like the national Word template
(国办公开办函〔2021〕30号): every cell knows its grid column, its rowspan and colspan, and whether it
holds a value (with its cell id). Cells the spec leaves out are dropped from their row; rows past a
truncation are dropped and the rowspans that ran into them are clipped. The static parts (labels,
spans, grid positions) are built once and cached, so building a document costs a few dozen
microseconds.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from functools import lru_cache

from .spec import ReportSpec, table_status

# ------------------------------------------------------------------------------------------------
# Cells, rows, tables, blocks


@dataclass(frozen=True)
class Cell:
    text: str            # as written (labels may contain "\n" where the template breaks the line)
    col: int = 0         # grid column where the cell starts
    rs: int = 1
    cs: int = 1
    cid: str | None = None   # value cells: the cell id (T3/new/total, T2v2019/rules/produced, ...)

    @property
    def is_value(self) -> bool:
        return self.cid is not None


@dataclass(frozen=True)
class Row:
    cells: tuple[Cell, ...]
    header: bool = False
    code: str | None = None   # data rows: the row code
    block: int = 0            # T2: the index of the 第二十条 block


@dataclass(frozen=True)
class Table:
    key: str                  # "T2", "T2v2019", "T3", "T4", "T4_like_T3"
    width: int
    rows: tuple[Row, ...]
    # Relative column widths (used by the PDF and docx writers).
    col_weights: tuple[float, ...] = ()


@dataclass(frozen=True)
class Block:
    kind: str                 # "title" | "meta" | "para" | "heading" | "table" | "spam"
    text: str = ""
    key: str | None = None    # headings: section key; meta: "published" | "views"
    table: Table | None = None


@dataclass
class Document:
    spec: ReportSpec
    blocks: list[Block] = field(default_factory=list)

    def tables(self) -> list[Table]:
        return [b.table for b in self.blocks if b.kind == "table" and b.table is not None]


# ------------------------------------------------------------------------------------------------
# Text transforms: half-width punctuation (as on the seed's site) and traditional characters.

_ASCII_PUNCT = str.maketrans({"（": "(", "）": ")", "，": ",", "：": ":", "；": ";", "！": "!", "？": "?"})


def _zhconv(text: str) -> str:
    import zhconv  # imported lazily: most renders do not need it

    return zhconv.convert(text, "zh-hant")


@lru_cache(maxsize=32768)
def transform(text: str, ascii_punct: bool = False, traditional: bool = False) -> str:
    """The text of a label, heading or paragraph as the page shows it (never used on cell values)."""
    if ascii_punct:
        text = text.translate(_ASCII_PUNCT)
    if traditional and text:
        text = _zhconv(text)
    return text


# ------------------------------------------------------------------------------------------------
# Headings

HEADING_VARIANTS: dict[str, tuple[str, ...]] = {
    "overview": ("总体情况", "总体概况"),
    "proactive": ("主动公开政府信息情况", "主动公开政府信息的情况"),
    "requests": ("收到和处理政府信息公开申请情况", "收到和处理政府信息公开的申请情况"),
    "appeals": (
        "政府信息公开行政复议、行政诉讼情况",
        "因政府信息公开工作申请行政复议、提起行政诉讼情况",
        "政府信息公开行政复议、行政诉讼的情况",
    ),
    "problems": ("存在的主要问题及改进情况", "存在的问题及改进情况", "存在的主要问题和改进情况"),
    "other": ("其他需要报告的事项", "其他需要报告的事项"),
}
ORDINALS = {"overview": "一", "proactive": "二", "requests": "三", "appeals": "四", "problems": "五", "other": "六"}


def heading_text(key: str, headings: dict[str, str] | int | None = None) -> str:
    """'一、总体情况'; `headings` is a variant index (0 = official) or an explicit {key: title}."""
    if isinstance(headings, dict) and key in headings:
        title = headings[key]
    elif isinstance(headings, int):
        v = HEADING_VARIANTS[key]
        title = v[headings % len(v)]
    else:
        title = HEADING_VARIANTS[key][0]
    if re.match(r"^[一二三四五六七八九十]+[、.．]", title):
        return title
    return f"{ORDINALS[key]}、{title}"


# ------------------------------------------------------------------------------------------------
# Table templates (labels verbatim from the national form; "\n" where the Word template breaks).

T2_2021_BLOCKS = (
    ("第二十条第（一）项", ("信息内容", "本年制发件数", "本年废止件数", "现行有效件数"),
     (("rules", "规章", ("issued", "repealed", "in_force")),
      ("normative_docs", "行政规范性文件", ("issued", "repealed", "in_force")))),
    ("第二十条第（五）项", ("信息内容", "本年处理决定数量"),
     (("licensing", "行政许可", ("decisions",)),)),
    ("第二十条第（六）项", ("信息内容", "本年处理决定数量"),
     (("penalties", "行政处罚", ("decisions",)), ("coercion", "行政强制", ("decisions",)))),
    ("第二十条第（八）项", ("信息内容", "本年收费金额（单位：万元）"),
     (("fees", "行政事业性收费", ("amount",)),)),
)

T2_2019_BLOCKS = (
    ("第二十条第（一）项", ("信息内容", "本年新制作数量", "本年新公开数量", "对外公开总数量"),
     (("rules", "规章", ("produced", "published", "total_public")),
      ("normative_docs", "规范性文件", ("produced", "published", "total_public")))),
    ("第二十条第（五）项", ("信息内容", "上一年项目数量", "本年增/减", "处理决定数量"),
     (("licensing", "行政许可", ("previous_items", "change", "decisions")),
      ("other_services", "其他对外管理服务事项", ("previous_items", "change", "decisions")))),
    ("第二十条第（六）项", ("信息内容", "上一年项目数量", "本年增/减", "处理决定数量"),
     (("penalties", "行政处罚", ("previous_items", "change", "decisions")),
      ("coercion", "行政强制", ("previous_items", "change", "decisions")))),
    ("第二十条第（八）项", ("信息内容", "上一年项目数量", "本年增/减"),
     (("fees", "行政事业性收费", ("previous_items", "change")),)),
    ("第二十条第（九）项", ("信息内容", "采购项目数量", "采购总金额"),
     (("procurement", "政府集中采购", ("procurement_items", "procurement_amount")),)),
)

T3_NOTE = "（本列数据的勾稽关系为：第一项加第二项之和，等于第三项加第四项之和）"
T3_ORG_HEADERS = (("business", "商业\n企业"), ("research", "科研\n机构"), ("nonprofit", "社会公益组织"),
                  ("legal_services", "法律服务机构"), ("other_org", "其他"))

# (row code, label cells as (text, rowspan, colspan)); the outcome group's rowspans are filled in.
_T3_ROWS_2021 = (
    ("new", (("一、本年新收政府信息公开申请数量", 1, 3),)),
    ("carried_over", (("二、上年结转政府信息公开申请数量", 1, 3),)),
    ("granted", (("三、本年度办理结果", -1, 1), ("（一）予以公开", 1, 2))),
    ("partly_granted", (("（二）部分公开（区分处理的，只计这一情形，不计其他情形）", 1, 2),)),
    ("withheld_state_secret", (("（三）不予公开", 8, 1), ("1.属于国家秘密", 1, 1))),
    ("withheld_prohibited", (("2.其他法律行政法规禁止公开", 1, 1),)),
    ("withheld_three_safety", (("3.危及“三安全一稳定”", 1, 1),)),
    ("withheld_third_party", (("4.保护第三方合法权益", 1, 1),)),
    ("withheld_internal", (("5.属于三类内部事务信息", 1, 1),)),
    ("withheld_process", (("6.属于四类过程性信息", 1, 1),)),
    ("withheld_enforcement_file", (("7.属于行政执法案卷", 1, 1),)),
    ("withheld_inquiry", (("8.属于行政查询事项", 1, 1),)),
    ("unavailable_not_held", (("（四）无法提供", 3, 1), ("1.本机关不掌握相关政府信息", 1, 1))),
    ("unavailable_needs_creation", (("2.没有现成信息需要另行制作", 1, 1),)),
    ("unavailable_unclear", (("3.补正后申请内容仍不明确", 1, 1),)),
    ("declined_petition", (("（五）不予处理", 5, 1), ("1.信访举报投诉类申请", 1, 1))),
    ("declined_duplicate", (("2.重复申请", 1, 1),)),
    ("declined_publication", (("3.要求提供公开出版物", 1, 1),)),
    ("declined_excessive", (("4.无正当理由大量反复申请", 1, 1),)),
    ("declined_confirmation", (("5.要求行政机关确认或重新出具已获取信息", 1, 1),)),
    ("other_no_correction", (("（六）其他处理", 3, 1),
                             ("1.申请人无正当理由逾期不补正、行政机关不再处理其政府信息公开申请", 1, 1))),
    ("other_no_fee", (("2.申请人逾期未按收费通知要求缴纳费用、行政机关不再处理其政府信息公开申请", 1, 1),)),
    ("other_other", (("3.其他", 1, 1),)),
    ("processed_total", (("（七）总计", 1, 2),)),
    ("carried_forward", (("四、结转下年度继续办理", 1, 3),)),
)


def _t3_rows(version: str):
    rows = list(_T3_ROWS_2021)
    if version == "2019":
        i = next(i for i, r in enumerate(rows) if r[0] == "other_no_correction")
        rows[i:i + 3] = [("other_other", (("（六）其他处理", 1, 2),))]
    # The vertical 三、本年度办理结果 spans granted .. processed_total.
    first = next(i for i, r in enumerate(rows) if r[0] == "granted")
    last = next(i for i, r in enumerate(rows) if r[0] == "processed_total")
    r0 = rows[first]
    rows[first] = (r0[0], ((r0[1][0][0], last - first + 1, 1),) + r0[1][1:])
    return tuple(rows)


T4_GROUPS = ("review", "suit_direct", "suit_after_review")
T4_COLS = ("upheld", "corrected", "other", "pending", "total")
T4_HEAD_1 = ("结果维持", "结果\n纠正", "其他\n结果", "尚未\n审结", "总计")
T4_HEAD_2 = ("结果\n维持", "结果\n纠正", "其他\n结果", "尚未\n审结", "总计")


def data_row_codes(table: str, version: str = "2021") -> tuple[str, ...]:
    """The data rows of a table in the order written (what 'truncated:<n>' counts)."""
    if table == "T2":
        blocks = T2_2021_BLOCKS if version == "2021" else T2_2019_BLOCKS
        return tuple(r[0] for b in blocks for r in b[2])
    if table == "T3":
        return tuple(r[0] for r in _t3_rows(version))
    if table == "T4":
        return ("appeals",)
    raise KeyError(table)


def _place(rows: list[list[tuple]]) -> list[list[tuple[int, tuple]]]:
    """HTML table algorithm: the grid column of every cell, given rowspans and colspans."""
    occupied: dict[int, set[int]] = {}
    out = []
    for r, cells in enumerate(rows):
        placed = []
        c = 0
        for cell in cells:
            rs, cs = cell[1], cell[2]
            while c in occupied.get(r, ()):
                c += 1
            placed.append((c, cell))
            for dr in range(rs):
                occupied.setdefault(r + dr, set()).update(range(c, c + cs))
            c += cs
        out.append(placed)
    return out


@dataclass(frozen=True)
class _Tmpl:
    key: str
    width: int
    rows: tuple[Row, ...]
    n_header: int
    col_weights: tuple[float, ...]


@lru_cache(maxsize=64)
def _template(key: str, version: str = "2021", org_subtotal: bool = False,
              subtotal_first: bool = True, ascii_punct: bool = False, traditional: bool = False) -> _Tmpl:
    tx = lambda s: transform(s, ascii_punct, traditional)  # noqa: E731
    raw: list[list[tuple]] = []      # (text, rs, cs, cid)
    meta: list[tuple[bool, str | None, int]] = []   # (header, code, block)
    if key in ("T2", "T2v2019"):
        blocks = T2_2021_BLOCKS if key == "T2" else T2_2019_BLOCKS
        prefix = "T2" if key == "T2" else "T2v2019"
        width = 4
        for bi, (clause, heads, drows) in enumerate(blocks):
            raw.append([(tx(clause), 1, width, None)])
            meta.append((True, None, bi))
            hr = [(tx(h), 1, 1, None) for h in heads]
            hr[-1] = (hr[-1][0], 1, width - len(heads) + 1, None)
            raw.append(hr)
            meta.append((True, None, bi))
            for code, label, cols in drows:
                dr = [(tx(label), 1, 1, None)] + [("", 1, 1, f"{prefix}/{code}/{c}") for c in cols]
                dr[-1] = (dr[-1][0], 1, width - len(cols), dr[-1][3])
                raw.append(dr)
                meta.append((False, code, bi))
        weights = (2.2, 1.3, 1.3, 1.3)
        n_header = 2
    elif key in ("T3", "T4_like_T3"):
        seed_like = key == "T4_like_T3"
        orgs = [(c, tx(t)) for c, t in T3_ORG_HEADERS]
        if org_subtotal and not seed_like:
            orgs.insert(0 if subtotal_first else len(orgs), ("org_subtotal", tx("小计")))
        value_cols = ["natural_person"] + [c for c, _ in orgs] + ["total"]
        nv = len(value_cols)
        label_w = 1 if seed_like else 3
        width = label_w + nv
        raw.append([(tx(T3_NOTE), 3, label_w, None), (tx("申请人情况"), 1, nv, None)])
        raw.append([(tx("自然人"), 2, 1, None), (tx("法人或其他组织"), 1, len(orgs), None), (tx("总计"), 2, 1, None)])
        raw.append([(t, 1, 1, None) for _, t in orgs])
        meta += [(True, None, 0)] * 3
        rows_src = _t3_rows(version) if not seed_like else (("new", (("一、本年新收政府信息公开申请数量", 1, 1),)),)
        for code, labels in rows_src:
            cells = [(tx(t), rs, cs, None) for t, rs, cs in labels]
            cells += [("", 1, 1, f"T3/{code}/{c}") for c in value_cols]
            raw.append(cells)
            meta.append((False, code, 0))
        n_header = 3
        weights = ((2.4,) if seed_like else (0.6, 1.25, 3.0)) + (1.0,) * nv
    elif key == "T4":
        width = 15
        raw.append([(tx("行政复议"), 1, 5, None), (tx("行政诉讼"), 1, 10, None)])
        raw.append([(tx(t), 2, 1, None) for t in T4_HEAD_1]
                   + [(tx("未经复议直接起诉"), 1, 5, None), (tx("复议后起诉"), 1, 5, None)])
        raw.append([(tx(t), 1, 1, None) for t in T4_HEAD_2 * 2])
        raw.append([("", 1, 1, f"T4/{g}.{c}") for g in T4_GROUPS for c in T4_COLS])
        meta += [(True, None, 0)] * 3 + [(False, "appeals", 0)]
        n_header = 3
        weights = (1.0,) * 15
    else:
        raise KeyError(key)
    placed = _place(raw)
    rows = []
    for (header, code, block), cells in zip(meta, placed):
        rows.append(Row(tuple(Cell(t, c, rs, cs, cid) for c, (t, rs, cs, cid) in cells), header, code, block))
    return _Tmpl(key, width, tuple(rows), n_header, weights)


def build_table(key: str, spec: ReportSpec, *, truncate: int | None = None, org_subtotal: bool | None = None,
                subtotal_first: bool = True, ascii_punct: bool = False) -> Table:
    """A table of the spec, values filled in, absent cells dropped, truncated if asked."""
    version = spec.format_version
    osub = spec.org_subtotal if org_subtotal is None else org_subtotal
    tm = _template(key, version, osub, subtotal_first, ascii_punct, spec.traditional)
    cells_src = spec.cells
    extra = spec.extra_cells
    rows = tm.rows
    if truncate is not None:
        keep, seen = [], 0
        for row in rows:
            if not row.header:
                if seen >= truncate:
                    break
                seen += 1
            elif seen >= truncate and key in ("T2", "T2v2019") and seen > 0:
                break  # T2: the next block's header goes with the rows cut off
            keep.append(row)
        rows = tuple(keep)
    n = len(rows)
    out = []
    malformed = key == "T4_like_T3"
    for ri, row in enumerate(rows):
        new_cells = []
        changed = False
        for cell in row.cells:
            if cell.cid is None:
                if cell.rs > 1 and ri + cell.rs > n:
                    new_cells.append(Cell(cell.text, cell.col, n - ri, cell.cs, None))
                    changed = True
                else:
                    new_cells.append(cell)
                continue
            cid = cell.cid
            if malformed:
                raw = cells_src.get(cid)
                raw = "0" if raw is None else raw
            elif cid.startswith("T2v2019/") or cid.endswith("/org_subtotal"):
                raw = extra.get(cid)
            else:
                raw = cells_src.get(cid)
            changed = True
            if raw is None:
                continue   # not written at all
            new_cells.append(Cell(raw, cell.col, cell.rs, cell.cs, None if malformed else cid))
        out.append(Row(tuple(new_cells), row.header, row.code, row.block) if changed else row)
    return Table(key, tm.width, tuple(out), tm.col_weights)


# ------------------------------------------------------------------------------------------------
# The opening paragraph and the whole document

def opening_paragraph(spec: ReportSpec) -> str:
    y = spec.year
    if spec.format_version == "2021":
        fmt = ("《国务院办公厅政府信息与政务公开办公室关于印发〈中华人民共和国政府信息公开工作年度报告格式〉的通知》"
               "（国办公开办函〔2021〕30号）")
    else:
        fmt = ("《国务院办公厅政府信息与政务公开办公室关于政府信息公开工作年度报告有关事项的通知》"
               "（国办公开办函〔2019〕60号）")
    parts = [
        f"本年度报告根据《中华人民共和国政府信息公开条例》（国令第711号）、{fmt}制作。"
        f"报告内容包括{y}年政府信息公开总体情况，主动公开政府信息情况，收到和处理政府信息公开申请情况，"
        f"政府信息公开行政复议、行政诉讼情况，存在的问题及改进情况以及其他需要报告的事项。"
    ]
    if spec.period:
        parts.append(f"所列数据统计期限为{_cn_date(spec.period[0])}至{_cn_date(spec.period[1])}。")
    name, url = spec.site()
    parts.append(f"本年度报告电子版可以从{name}网站（{url}）下载。")
    if spec.contact_line:
        parts.append(f"如对本年度报告有疑问，请与{spec.agency}办公室联系（电话：{spec.contact_phone()}）。")
    return "".join(parts)


def _cn_date(iso: str) -> str:
    y, m, d = iso.split("-")
    return f"{int(y)}年{int(m)}月{int(d)}日"


def build_document(spec: ReportSpec, *, ascii_punct: bool = False, headings: dict[str, str] | int | None = None,
                   org_subtotal: bool | None = None, subtotal_first: bool = True,
                   meta_lines: bool = True) -> Document:
    """All blocks of the report, in page order, with spam lines inserted between blocks."""
    tr = spec.traditional
    tx = lambda s: transform(s, ascii_punct, tr)  # noqa: E731
    blocks: list[Block] = []
    if spec.title:
        blocks.append(Block("title", tx(spec.title)))
    if meta_lines and spec.published_on:
        blocks.append(Block("meta", spec.published_datetime(), key="published"))
    blocks.append(Block("para", tx(opening_paragraph(spec))))
    for key in ("overview", "proactive", "requests", "appeals", "problems", "other"):
        text = spec.section_text(key)
        if text is None:
            continue
        blocks.append(Block("heading", tx(heading_text(key, headings)), key=key))
        for line in text.split("\n"):
            if line.strip():
                blocks.append(Block("para", tx(line.strip())))
        tkey = {"proactive": "T2", "requests": "T3", "appeals": "T4"}.get(key)
        if tkey is None:
            continue
        status, n = table_status(spec.table(tkey))
        if status == "absent":
            continue
        if status == "malformed_t4_like_seed":
            t = build_table("T4_like_T3", spec, ascii_punct=ascii_punct)
        else:
            name = "T2v2019" if (tkey == "T2" and spec.format_version == "2019") else tkey
            t = build_table(name, spec, truncate=n, org_subtotal=org_subtotal, subtotal_first=subtotal_first,
                            ascii_punct=ascii_punct)
        blocks.append(Block("table", key=tkey, table=t))
    if spec.spam_lines:
        # Positions index the blocks before any insertion (negative: from the end, -1 = last).
        n = len(blocks)
        resolved = []
        for order, (pos, line) in enumerate(spec.spam_lines):
            i = pos if pos >= 0 else n + pos + 1
            resolved.append((max(0, min(n, i)), order, line))
        for i, _, line in sorted(resolved, reverse=True):
            blocks.insert(i, Block("spam", tx(line)))
    return Document(spec, blocks)


def cell_text_flat(text: str) -> str:
    """A cell's text on one line (the template's line breaks become spaces, as copied pages show)."""
    if "\n" in text:
        return " ".join(p for p in text.split("\n"))
    return text
