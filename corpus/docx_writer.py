"""A Word document like the ones agencies publish: title, headings, paragraphs and the three tables
with real merged cells (``w:gridSpan`` / ``w:vMerge``, made by python-docx's ``cell.merge``) laid out
as in the national template ``national_template_2021.docx``.

Options of `write_docx`: ``heading_style`` (None: bold 黑体 paragraphs as most agencies do;
"Heading 1": Word's built-in heading style), ``signature`` (the agency and the date at the end),
``org_subtotal``, ``subtotal_first``, ``headings``, ``ascii_punct``.

A cell the spec leaves out is not in the document: its ``w:tc`` is removed, so the row is shorter
(Word draws it ragged), exactly as a table whose last cells were never typed.
"""

from __future__ import annotations

import os

from .model import Document as Doc
from .model import Table, build_document, transform
from .spec import ReportSpec

_EAST_ASIA_BODY = "仿宋_GB2312"
_EAST_ASIA_HEAD = "黑体"


def _set_font(run, east_asia: str, size_pt: float | None = None, bold: bool | None = None) -> None:
    from docx.oxml.ns import qn
    from docx.shared import Pt

    if size_pt:
        run.font.size = Pt(size_pt)
    if bold is not None:
        run.font.bold = bold
    rpr = run._element.get_or_add_rPr()
    fonts = rpr.find(qn("w:rFonts"))
    if fonts is None:
        fonts = rpr.makeelement(qn("w:rFonts"), {})
        rpr.insert(0, fonts)
    fonts.set(qn("w:eastAsia"), east_asia)


def _fill(cell, text: str, size: float, center: bool) -> None:
    from docx.enum.text import WD_ALIGN_PARAGRAPH

    parts = text.split("\n") if text else [""]
    p = cell.paragraphs[0]
    for i, part in enumerate(parts):
        if i:
            p = cell.add_paragraph()
        if center:
            p.alignment = WD_ALIGN_PARAGRAPH.CENTER
        if part:
            _set_font(p.add_run(part), "宋体", size)


def add_table(document, table: Table, *, font_size: float = 9) -> object:
    """Add one table to a python-docx Document, merging cells as the model says."""
    from docx.enum.table import WD_TABLE_ALIGNMENT
    from docx.oxml.ns import qn
    from docx.shared import Cm

    n_rows = len(table.rows)
    t = document.add_table(rows=n_rows, cols=table.width)
    t.style = "Table Grid"
    t.alignment = WD_TABLE_ALIGNMENT.CENTER
    total_w = 15.5
    weights = table.col_weights or (1.0,) * table.width
    widths = [Cm(total_w * w / sum(weights)) for w in weights]
    for ci, col in enumerate(t.columns):
        col.width = widths[ci]
    from docx.table import _Cell

    grid = [[_Cell(tc, t) for tc in tr.tc_lst] for tr in t._tbl.tr_lst]  # before merging: one tc a column
    present: list[set[int]] = [set() for _ in range(n_rows)]
    covered: list[set[int]] = [set() for _ in range(n_rows)]
    for ri, row in enumerate(table.rows):
        for cell in row.cells:
            present[ri].add(cell.col)
            for dr in range(cell.rs):
                for dc in range(cell.cs):
                    if dr or dc:
                        covered[ri + dr].add(cell.col + dc)
    # Text first, merge after (merging moves paragraphs of the merged cells into the first one).
    for ri, row in enumerate(table.rows):
        for cell in row.cells:
            _fill(
                grid[ri][cell.col],
                cell.text,
                font_size,
                center=cell.cid is not None or row.header or cell.cs > 1 or cell.rs > 1,
            )
    for ri, row in enumerate(table.rows):
        for cell in row.cells:
            if cell.rs > 1 or cell.cs > 1:
                grid[ri][cell.col].merge(grid[ri + cell.rs - 1][cell.col + cell.cs - 1])
    # Cells the spec leaves out: remove their w:tc, so the row is short.
    for ri in range(n_rows):
        missing = [c for c in range(table.width) if c not in present[ri] and c not in covered[ri]]
        if not missing:
            continue
        tr = t.rows[ri]._tr
        tcs = tr.tc_lst
        # map grid column -> tc (after merging, a tc may span several columns)
        col = 0
        by_col = {}
        for tc in tcs:
            by_col[col] = tc
            col += tc.grid_span
        for c in missing:
            tc = by_col.get(c)
            if tc is not None:
                tr.remove(tc)
        trailing = 0
        c = table.width - 1
        while c >= 0 and c in missing:
            trailing += 1
            c -= 1
        if trailing:
            trpr = tr.get_or_add_trPr()
            ga = trpr.makeelement(qn("w:gridAfter"), {qn("w:val"): str(trailing)})
            trpr.insert(0, ga)
    return t


def build_docx(
    spec: ReportSpec,
    *,
    heading_style: str | None = None,
    signature: bool = True,
    org_subtotal: bool | None = None,
    subtotal_first: bool = True,
    headings: dict[str, str] | int | None = None,
    ascii_punct: bool = False,
    doc: Doc | None = None,
):
    """A python-docx Document of the report."""
    import docx
    from docx.enum.text import WD_ALIGN_PARAGRAPH
    from docx.shared import Pt

    if doc is None:
        doc = build_document(
            spec,
            ascii_punct=ascii_punct,
            headings=headings,
            org_subtotal=org_subtotal,
            subtotal_first=subtotal_first,
            meta_lines=False,
        )
    d = docx.Document()
    normal = d.styles["Normal"]
    normal.font.size = Pt(12)
    for b in doc.blocks:
        if b.kind == "title":
            p = d.add_paragraph()
            p.alignment = WD_ALIGN_PARAGRAPH.CENTER
            _set_font(p.add_run(b.text), "方正小标宋简体", 18, bold=True)
        elif b.kind == "heading":
            if heading_style:
                p = d.add_paragraph(style=heading_style)
                _set_font(p.add_run(b.text), _EAST_ASIA_HEAD)
            else:
                p = d.add_paragraph()
                p.paragraph_format.first_line_indent = Pt(24)
                _set_font(p.add_run(b.text), _EAST_ASIA_HEAD, 14, bold=True)
        elif b.kind in ("para", "spam", "meta"):
            p = d.add_paragraph()
            p.paragraph_format.first_line_indent = Pt(24)
            _set_font(p.add_run(b.text), _EAST_ASIA_BODY, 12)
        elif b.kind == "table":
            add_table(d, b.table)
            d.add_paragraph()
    if signature:
        for line in (spec.agency, _cn_date(spec.published_date()) if spec.published_on else None):
            if line:
                p = d.add_paragraph()
                p.alignment = WD_ALIGN_PARAGRAPH.RIGHT
                _set_font(p.add_run(transform(line, False, spec.traditional)), _EAST_ASIA_BODY, 12)
    return d


def _cn_date(iso: str) -> str:
    y, m, dd = iso.split("-")
    return f"{int(y)}年{int(m)}月{int(dd)}日"


def write_docx(spec: ReportSpec, path: str | os.PathLike, **options) -> None:
    build_docx(spec, **options).save(path)
