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

from pipeline.codebook import (  # absolute: corpus/ is test tooling outside the package
    codebook,
    header_label,
    labels,
    section_titles,
    t2_blocks,
    t3_label_area,
    t3_note,
    t3_org_label,
    t4_supergroup_label,
)

from .spec import ReportSpec, table_status

# ------------------------------------------------------------------------------------------------
# Cells, rows, tables, blocks


@dataclass(frozen=True)
class Cell:
    text: str  # as written (labels may contain "\n" where the template breaks the line)
    col: int = 0  # grid column where the cell starts
    rs: int = 1
    cs: int = 1
    cid: str | None = None  # value cells: the cell id (T3/new/total, T2v2019/rules/produced, ...)

    @property
    def is_value(self) -> bool:
        return self.cid is not None


@dataclass(frozen=True)
class Row:
    cells: tuple[Cell, ...]
    header: bool = False
    code: str | None = None  # data rows: the row code
    block: int = 0  # T2: the index of the 第二十条 block


@dataclass(frozen=True)
class Table:
    key: str  # "T2", "T2v2019", "T3", "T4", "T4_like_T3"
    width: int
    rows: tuple[Row, ...]
    # Relative column widths (used by the PDF and docx writers).
    col_weights: tuple[float, ...] = ()


@dataclass(frozen=True)
class Block:
    kind: str  # "title" | "meta" | "para" | "heading" | "table" | "spam"
    text: str = ""
    key: str | None = None  # headings: section key; meta: "published" | "views"
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

# The official heading (the codebook's) first, then variants seen in real reports; "other" has the
# official one twice, so that a variant index picks it one time in two.
_OFFICIAL = section_titles(numbered=False)
HEADING_VARIANTS: dict[str, tuple[str, ...]] = {
    "overview": (_OFFICIAL["overview"], "总体概况"),
    "proactive": (_OFFICIAL["proactive"], "主动公开政府信息的情况"),
    "requests": (_OFFICIAL["requests"], "收到和处理政府信息公开的申请情况"),
    "appeals": (
        _OFFICIAL["appeals"],
        "因政府信息公开工作申请行政复议、提起行政诉讼情况",
        "政府信息公开行政复议、行政诉讼的情况",
    ),
    "problems": (_OFFICIAL["problems"], "存在的问题及改进情况", "存在的主要问题和改进情况"),
    "other": (_OFFICIAL["other"], _OFFICIAL["other"]),
}
ORDINALS = dict(codebook().section_ordinals)


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


def _t2_blocks(table: str) -> tuple:
    """(clause, header words, rows (code, label, column codes)) of Table 2 or T2v2019, from the codebook."""
    return tuple(
        (
            b.clause,
            (header_label("T2"),) + tuple(c.label for c in b.columns),
            tuple((r.code, r.label, r.columns) for r in b.rows),
        )
        for b in t2_blocks(table)
    )


def _break(label: str, at: int = 2) -> str:
    """A header as the Word template breaks it: "结果纠正" -> "结果\n纠正"."""
    return label[:at] + "\n" + label[at:]


T2_2021_BLOCKS = _t2_blocks("T2")
T2_2019_BLOCKS = _t2_blocks("T2v2019")

T3_NOTE = t3_note()
_T3_COL = labels("T3", "columns")
_T3_COL_SHORT = labels("T3", "columns", "short")
_T3_ROW = labels("T3", "rows")
T3_ORG_HEADERS = (
    ("business", _break(_T3_COL["business"])),
    ("research", _break(_T3_COL["research"])),
    ("nonprofit", _T3_COL["nonprofit"]),
    ("legal_services", _T3_COL["legal_services"]),
    ("other_org", _T3_COL["other_org"]),
)

# (row code, label cells as (text, rowspan, colspan)); the outcome group's rowspans are filled in.
_T3_ROWS_2021 = tuple((code, tuple((c.text, c.rowspan, c.colspan) for c in cells)) for code, cells in t3_label_area())


def _t3_rows(version: str):
    rows = list(_T3_ROWS_2021)
    if version == "2019":
        i = next(i for i, r in enumerate(rows) if r[0] == "other_no_correction")
        rows[i : i + 3] = [("other_other", ((labels("T3", "row_groups")["other_handling"], 1, 2),))]
    # The vertical 三、本年度办理结果 spans granted .. processed_total.
    first = next(i for i, r in enumerate(rows) if r[0] == "granted")
    last = next(i for i, r in enumerate(rows) if r[0] == "processed_total")
    r0 = rows[first]
    rows[first] = (r0[0], ((r0[1][0][0], last - first + 1, 1),) + r0[1][1:])
    return tuple(rows)


T4_GROUPS = ("review", "suit_direct", "suit_after_review")
T4_COLS = ("upheld", "corrected", "other", "pending", "total")
_T4_COL = labels("T4", "columns")
_T4_GROUP_SHORT = labels("T4", "groups", "short")
T4_HEAD_1 = (
    (_T4_COL["upheld"],) + tuple(_break(_T4_COL[c]) for c in ("corrected", "other", "pending")) + (_T4_COL["total"],)
)
T4_HEAD_2 = tuple(_break(_T4_COL[c]) for c in ("upheld", "corrected", "other", "pending")) + (_T4_COL["total"],)


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
def _template(
    key: str,
    version: str = "2021",
    org_subtotal: bool = False,
    subtotal_first: bool = True,
    ascii_punct: bool = False,
    traditional: bool = False,
) -> _Tmpl:
    tx = lambda s: transform(s, ascii_punct, traditional)  # noqa: E731
    raw: list[list[tuple]] = []  # (text, rs, cs, cid)
    meta: list[tuple[bool, str | None, int]] = []  # (header, code, block)
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
            orgs.insert(0 if subtotal_first else len(orgs), ("org_subtotal", tx(_T3_COL_SHORT["org_subtotal"])))
        value_cols = ["natural_person"] + [c for c, _ in orgs] + ["total"]
        nv = len(value_cols)
        label_w = 1 if seed_like else 3
        width = label_w + nv
        raw.append([(tx(T3_NOTE), 3, label_w, None), (tx(header_label("T3")), 1, nv, None)])
        raw.append(
            [
                (tx(_T3_COL["natural_person"]), 2, 1, None),
                (tx(t3_org_label()), 1, len(orgs), None),
                (tx(_T3_COL["total"]), 2, 1, None),
            ]
        )
        raw.append([(t, 1, 1, None) for _, t in orgs])
        meta += [(True, None, 0)] * 3
        rows_src = _t3_rows(version) if not seed_like else (("new", ((_T3_ROW["new"], 1, 1),)),)
        for code, labels in rows_src:
            cells = [(tx(t), rs, cs, None) for t, rs, cs in labels]
            cells += [("", 1, 1, f"T3/{code}/{c}") for c in value_cols]
            raw.append(cells)
            meta.append((False, code, 0))
        n_header = 3
        weights = ((2.4,) if seed_like else (0.6, 1.25, 3.0)) + (1.0,) * nv
    elif key == "T4":
        width = 15
        raw.append([(tx(_T4_GROUP_SHORT["review"]), 1, 5, None), (tx(t4_supergroup_label()), 1, 10, None)])
        raw.append(
            [(tx(t), 2, 1, None) for t in T4_HEAD_1]
            + [(tx(_T4_GROUP_SHORT["suit_direct"]), 1, 5, None), (tx(_T4_GROUP_SHORT["suit_after_review"]), 1, 5, None)]
        )
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


def build_table(
    key: str,
    spec: ReportSpec,
    *,
    truncate: int | None = None,
    org_subtotal: bool | None = None,
    subtotal_first: bool = True,
    ascii_punct: bool = False,
) -> Table:
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
                continue  # not written at all
            new_cells.append(Cell(raw, cell.col, cell.rs, cell.cs, None if malformed else cid))
        out.append(Row(tuple(new_cells), row.header, row.code, row.block) if changed else row)
    return Table(key, tm.width, tuple(out), tm.col_weights)


# ------------------------------------------------------------------------------------------------
# The opening paragraph and the whole document


def opening_paragraph(spec: ReportSpec) -> str:
    y = spec.year
    if spec.format_version == "2021":
        fmt = (
            "《国务院办公厅政府信息与政务公开办公室关于印发〈中华人民共和国政府信息公开工作年度报告格式〉的通知》"
            "（国办公开办函〔2021〕30号）"
        )
    else:
        fmt = (
            "《国务院办公厅政府信息与政务公开办公室关于政府信息公开工作年度报告有关事项的通知》"
            "（国办公开办函〔2019〕60号）"
        )
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


def build_document(
    spec: ReportSpec,
    *,
    ascii_punct: bool = False,
    headings: dict[str, str] | int | None = None,
    org_subtotal: bool | None = None,
    subtotal_first: bool = True,
    meta_lines: bool = True,
) -> Document:
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
            t = build_table(
                name,
                spec,
                truncate=n,
                org_subtotal=org_subtotal,
                subtotal_first=subtotal_first,
                ascii_punct=ascii_punct,
            )
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
