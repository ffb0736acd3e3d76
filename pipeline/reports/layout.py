"""The official layout of the three tables (国办公开办函〔2021〕30号) as data the templates draw.

Table 2 comes in four blocks (第二十条第（一）（五）（六）（八）项), each with its own header row;
Table 3 has a label area of three columns with merged group labels (三、本年度办理结果 over 22 rows,
（三）不予公开 over 8 …) and a header of three rows (申请人情况 › 法人或其他组织 › 商业企业 …);
Table 4 has a header of three rows (行政复议 | 行政诉讼 › 未经复议直接起诉 | 复议后起诉 › results).
"""

from __future__ import annotations

from ..codebook import (
    header_label,
    labels,
    section_titles,
    t2_blocks,
    t3_label_area,
    t3_note,
    t3_org_label,
    t4_supergroup_label,
    table_title,
)

# Every word below comes from the codebook (pipeline/codebook.toml); this module only arranges them.
T3_COLUMNS = ("natural_person", "business", "research", "nonprofit", "legal_services", "other_org", "total")
T3_PARTS = T3_COLUMNS[:-1]
T4_GROUPS = ("review", "suit_direct", "suit_after_review")
T4_COLUMNS = ("upheld", "corrected", "other", "pending", "total")
T4_COLUMN_LABELS = labels("T4", "columns")
T4_GROUP_LABELS = labels("T4", "groups", "name")
T4_LAWSUITS = t4_supergroup_label()  # the two lawsuit groups together (行政诉讼)
T3_COLUMN_LABELS = labels("T3", "columns")


def _blocks(table: str) -> tuple:
    """Table 2: (block heading, column headers [(label, colspan)], rows: (row code, label, [(col code, colspan)])),
    three value columns wide: the last column of a row or header takes what its left neighbours leave."""

    def spans(items):
        return tuple((x, 1 if i < len(items) - 1 else 3 - len(items) + 1) for i, x in enumerate(items))

    return tuple(
        (b.clause, spans([c.label for c in b.columns]), tuple((r.code, r.label, spans(r.columns)) for r in b.rows))
        for b in t2_blocks(table)
    )


T2_BLOCKS = _blocks("T2")
# Table 2 of the 2019 trial format (国办公开办函〔2019〕60号), cell ids T2v2019/<row>/<column>.
T2V2019_BLOCKS = _blocks("T2v2019")

T3_HEADER_NOTE = t3_note()

# Table 3 body: (row code, label cells) in official order; each a codebook.LabelCell (text, rowspan, colspan).
# The label area is three columns wide; a merged group label appears only on the first row of its group.
T3_ROWS = t3_label_area()

# Short row names for messages, league tables and the workbook.
T3_SHORT = labels("T3", "rows", "name")
T2_ROW_LABELS = labels("T2", "rows")
T2_COLUMN_LABELS = labels("T2", "columns", "name")

SECTION_TITLES = tuple(section_titles().items())


T2V2019_LABELS = labels("T2v2019", "columns")
T2V2019_ROWS = labels("T2v2019", "rows")
T3_COLUMNS_WITH_SUBTOTAL = T3_PARTS + ("org_subtotal", "total")

# The words the templates draw around the cells (reports/_tables.html): titles and headers.
FORM_WORDS = {
    "T2": table_title("T2"),
    "T3": table_title("T3"),
    "T4": table_title("T4"),
    "t2_header": header_label("T2"),
    "t3_applicants": header_label("T3"),
    "t3_org": t3_org_label(),
    "t3_columns": T3_COLUMN_LABELS,
    "t3_subtotal": labels("T3", "columns", "short")["org_subtotal"],
    "t4_groups": labels("T4", "groups", "short"),
    "t4_lawsuits": T4_LAWSUITS,
    "t4_columns": T4_COLUMN_LABELS,
}


def short_label(cell_id: str) -> str:
    """A short Chinese name of a cell: 表三 予以公开·自然人, 表四 行政复议·总计, 表二 规章·现行有效件数."""
    table, _, rest = cell_id.partition("/")
    if table == "T2":
        row, _, col = rest.partition("/")
        return f"表二 {T2_ROW_LABELS.get(row, row)}·{T2_COLUMN_LABELS.get(col, col)}"
    if table == "T3":
        row, _, col = rest.partition("/")
        return f"表三 {T3_SHORT.get(row, row)}·{T3_COLUMN_LABELS.get(col, col)}"
    if table == "T4":
        row, _, col = rest.partition(".")
        return f"表四 {T4_GROUP_LABELS.get(row, row)}·{T4_COLUMN_LABELS.get(col, col)}"
    if table == "T2v2019":
        row, _, col = rest.partition("/")
        return f"表二（2019 格式） {T2V2019_ROWS.get(row, row)}·{T2V2019_LABELS.get(col, col)}"
    return cell_id


def all_cell_ids() -> list[str]:
    """The 200 cells in the order of the official form."""
    out = []
    for _h, _cols, rows in T2_BLOCKS:
        for code, _label, cols in rows:
            out += [f"T2/{code}/{c}" for c, _ in cols]
    for code, _labels in T3_ROWS:
        out += [f"T3/{code}/{c}" for c in T3_COLUMNS]
    for g in T4_GROUPS:
        out += [f"T4/{g}.{c}" for c in T4_COLUMNS]
    return out
