"""Walking a document: its paragraphs give the section, its grids are split into runs of rows of one
table each and fed to the table readers; then the cells, the format version and the problems of
structure (absent, truncated, malformed tables)."""

from __future__ import annotations

from functools import cache

from ..codebook import cell_ids, codebook, t3_column_codes
from ..document import Document, GridCell, Para, Table, problem
from ..structure import SECTION_TABLE, section_of_heading, table_vocab
from ..textnorm import MISSING, Memo, classify_value, ocr_number
from . import common, plans
from .common import CLASSIFIED, MapResult, _is_value
from .table2 import T2Reader
from .table3 import T3Reader
from .table4 import T4Reader


def _row_type(row: list[GridCell]) -> str | None:
    """The table whose vocabulary most cells of the row carry (None: none, or a tie)."""
    if len(row) == 1:  # one cell per line (text copied from a page): its own table
        c = row[0]
        if c.cont or not c.text:
            return None
        v = table_vocab(c.text)
        return v if v in _TABLES else None
    votes = {"T2": 0, "T3": 0, "T4": 0}
    for c in row:
        if c.cont or not c.text:
            continue
        v = table_vocab(c.text)
        if v in votes:
            votes[v] += 1
    best = max(votes.values())
    if best == 0:
        return None
    winners = [k for k, v in votes.items() if v == best]
    return winners[0] if len(winners) == 1 else None


_TABLES = ("T2", "T3", "T4")
_TABLE_OF = {t: t for t in _TABLES}
# the table of a text's vocabulary, "T2", "T3", "T4" or None ("ANY", a shared word, counts for none)
_TABLE_OF_TEXT = Memo(lambda text: _TABLE_OF.get(table_vocab(text)), 65536, 80)


def _vote(hits: list[str]) -> str | None:
    """The table most of `hits` name (None: a tie), as `_row_type` votes."""
    votes = {"T2": hits.count("T2"), "T3": hits.count("T3"), "T4": hits.count("T4")}
    best = max(votes.values())
    winners = [k for k, v in votes.items() if v == best]
    return winners[0] if len(winners) == 1 else None


def _segments(table: Table) -> list[tuple[str, Table]]:
    """Split one grid into runs of rows belonging to one table each."""
    out: list[tuple[str | None, list]] = []
    current: str | None = None
    rows: list = []
    fast = common.FAST
    vocab, table_of, of_text = table_vocab, _TABLE_OF.get, _TABLE_OF_TEXT
    for row in table.rows:
        if len(row) == 1:  # _row_type of one cell, inline: most rows of text copied from a page
            c = row[0]
            if c.cont or not c.text:
                t = None
            else:
                t = of_text[c.text] if fast else table_of(vocab(c.text))
        elif fast:
            # _row_type of two cells or more, with one dict lookup a cell: the tables of the cells
            # that carry one; when they are all the same table (the commonest row: a label and its
            # values), that table, else the vote of _row_type
            hits = [h for h in [of_text[c.text] for c in row if c.text and not c.cont] if h is not None]
            if not hits:
                t = None
            else:
                t = hits[0]
                if hits.count(t) != len(hits):
                    t = _vote(hits)
        else:
            t = _row_type(row)
        if t is not None and current is not None and t != current:
            out.append((current, rows))
            rows = []
        if t is not None:
            current = t
        rows.append(row)
    out.append((current, rows))
    result = []
    for t, rs in out:
        if t is None or not rs:
            continue
        result.append((t, Table(rows=rs, at=table.at, delimited=table.delimited, explicit=table.explicit)))
    return result


def _has_rows(ttype: str, seg: Table) -> bool:
    """The segment holds rows of its table (a label of one of its rows), not only headers."""
    cb = codebook()
    for row in seg.rows:
        for c in row:
            if c.cont or not c.text or _is_value(c):
                continue
            if ttype == "T2" and (cb.t2_row(c.text) or cb.t2v2019_row(c.text)):
                return True
            if ttype == "T3" and cb.t3_row(c.text, {"rows", "other_handling"}):
                return True
        if ttype == "T4" and any(c.text and _is_value(c) for c in row if not c.cont):
            return True
    return False


def _has_value_rows(seg: Table) -> bool:
    """A row of the segment carries three values or more (a table's row, not a boxed paragraph)."""
    return any(sum(1 for c in row if not c.cont and c.text and _is_value(c)) >= 3 for row in seg.rows)


def _has_t3_header(seg: Table) -> bool:
    cb = codebook()
    return any(
        c.text and not c.cont and (cb.t3_column(c.text) or cb.is_t3_org_group(c.text) or cb.is_t3_header_note(c.text))
        for row in seg.rows
        for c in row
    )


def map_document(doc: Document) -> MapResult:
    """The codebook cells of a document, its format, the tables found and the problems of its
    structure. A document of a shape mapped before without problems is mapped by the plan kept
    then (plans.py): its output cells built from its own grid cells, as after a mapping."""
    if not common.FAST:
        return _map(doc, None)
    try:
        key, flat = plans.shape(doc)
    except TypeError:  # a cell's text that is no str (no reader makes one): read by its rows, no plan
        return _map(doc, None)
    plan = plans.PLANS.get(key)
    if plan is None:
        return _map(doc, (key, flat) if plans.worth_a_plan(key) else None)
    cells = _build_cells(list(map(flat.__getitem__, plan.form)), doc.kind)  # (flat[-1] is None: no cell)
    extra: dict[str, dict] = {}
    if plan.extra:
        _extra_cells(extra, [(cid, flat[i]) for cid, i in plan.extra], None, _putter(doc.kind))
    out = MapResult(
        cells=cells,
        extra_cells=extra,
        problems=[],
        format_version=plan.format_version,
        tables_found=dict(plan.tables_found),
    )
    if plans.CHECK:
        rows = _map(doc, None)
        what = plans.differs(out, rows)
        if what:
            plans.report(doc, what)
            return rows
    return out


def _map(doc: Document, shape: tuple[tuple, list[GridCell | None]] | None) -> MapResult:
    """`map_document` by reading the tables' rows; the plan of the mapping kept under the
    document's `shape` (plans.shape) when it has no problems."""
    readers = {"T2": T2Reader(), "T3": T3Reader(), "T4": T4Reader()}
    problems: list[dict] = []
    section: str | None = None
    filled_in: dict[str, str | None] = {}
    malformed: dict[str, str] = {}
    for block in doc.blocks:
        if isinstance(block, Para):
            h = section_of_heading(block.text)
            if h:
                section = h[0]
            continue
        for ttype, seg in _segments(block):
            expected = SECTION_TABLE.get(section) if section else None
            if (
                ttype == "T3"
                and section is not None
                and expected != "T3"
                and not _has_t3_header(seg)
                and (not readers["T3"].started() or not _has_value_rows(seg))
            ):
                # a Table 3 word in text outside Table 3's region ("…运用第三方检测平台…" in a boxed
                # narrative): Table 3's rows are taken only inside its region
                continue
            if expected is None or expected == ttype:
                readers[ttype].feed(seg)
                filled_in.setdefault(ttype, section)
                continue
            # content of one table under another table's heading
            if not _has_rows(ttype, seg):
                # only a header row of another table (a converter's wrong header over Table 3's rows)
                problems.append(
                    problem(
                        "stray_header",
                        "info",
                        f"a header row of {_NAMES[ttype]} inside {_NAMES[expected]} is ignored ({seg.at})",
                    )
                )
                rest = Table(
                    rows=[r for r in seg.rows if _row_type(r) != ttype],
                    at=seg.at,
                    delimited=seg.delimited,
                    explicit=seg.explicit,
                )
                if rest.rows:
                    readers[expected].feed(rest)
                continue
            if ttype in filled_in and filled_in[ttype] != section:
                if expected not in malformed:
                    malformed[expected] = (
                        f"under its heading the report repeats {_NAMES[ttype]} ({seg.at}) instead of {_NAMES[expected]}"
                    )
                continue
            readers[ttype].feed(seg)
            filled_in.setdefault(ttype, section)
            problems.append(
                problem(
                    "table_under_other_heading",
                    "info",
                    f"{_NAMES[ttype]} was found under the heading of section {section} ({seg.at})",
                )
            )
    for r in readers.values():
        r.finish()
        problems += r.problems

    cells: dict[str, dict] = {}
    extra: dict[str, dict] = {}
    t2, t3, t4 = readers["T2"], readers["T3"], readers["T4"]

    kind = doc.kind
    put = _putter(kind)

    form: list[GridCell | None] = []
    extra_list: list[tuple[str, GridCell | None]] = []
    if common.FAST:
        form = _form_cells(t2, t3, t4, "T4" not in malformed)
        cells = _cells_of_form(form, t3, kind)
        extra_list = _extra_list(t2, t3)
        _extra_cells(extra, extra_list, t3, put)
    else:
        cells = _cells_general(extra, t2, t3, t4, "T4" not in malformed, put)

    # format version
    # format version: decided by Table 2's headers (FORMAT.md); a 2021 Table 2 with the 2019 single
    # （六）其他处理 row is a hybrid, format 2021 with a warning of its own
    fmt: str | None = None
    t2_2021 = t2.v2021 > t2.v2019 or bool(t2.rows) and not t2.rows2019 and t2.v2019 == 0
    if t2.v2019 > t2.v2021 or t2.rows2019 and not t2.rows or t3.saw_2019_other and not t2_2021:
        fmt = "2019"
    elif t2.rows or t3.rows or t4.read is not None:
        fmt = "2021"
    if fmt == "2021" and t3.saw_2019_other:
        problems.append(
            problem(
                "format_hybrid",
                "warning",
                "a 2021-format report with the 2019 trial format's single （六）其他处理 row in Table 3: it is "
                "read as 其他 (3.其他); its sub-rows 1 and 2 are not in the report",
                [f"T3/{r}/{c}" for r in ("other_no_correction", "other_no_fee") for c in t3_column_codes()],
            )
        )

    found = {"T2": bool(t2.rows or t2.rows2019), "T3": bool(t3.rows), "T4": t4.read is not None}
    problems += _structure_problems(cells, t3, found, malformed, fmt, doc)
    if fmt == "2019":
        found["T2"] = bool(t2.rows2019 or t2.rows)
    if shape is not None and not problems:
        plans.make(shape[0], shape[1], form, extra_list, fmt, found)
    return MapResult(cells=cells, extra_cells=extra, problems=problems, format_version=fmt, tables_found=found)


# The form's rows in its order: (the reader's rows' attribute, row code, its columns, its cell ids),
# and Table 4's (column, cell id) pairs; built once from the codebook's cell ids
_FORM_ROWS: list[tuple[str, str, list[str], list[str]]] = []
_FORM_T4: list[tuple[str, str]] = []


def _form_rows() -> list[tuple[str, str, list[str], list[str]]]:
    if not _FORM_ROWS:
        for cid in cell_ids():
            table, rest = cid.split("/", 1)
            if table == "T4":
                _FORM_T4.append((rest, cid))
                continue
            code, col = rest.split("/")
            if not _FORM_ROWS or _FORM_ROWS[-1][:2] != (table, code):
                _FORM_ROWS.append((table, code, [], []))
            _FORM_ROWS[-1][2].append(col)
            _FORM_ROWS[-1][3].append(cid)
    return _FORM_ROWS


_DECISIONS_2019 = ("licensing", "penalties", "coercion")


def _template(text: str, kind: str) -> dict:
    """The output cell of a text read by the document's own reader (`put`'s dict), but for its
    place and confidence: copied for each cell, which then gets its own."""
    sem, val = CLASSIFIED[text]
    return {
        "semantic": sem,
        "value": val,
        "raw": text,
        "at": None,
        "read_by": kind,
        "confidence": None,
        "inferred": False,
    }


_TEMPLATES: dict[str, Memo] = {}  # by the document's kind: a cell's text -> its `_template`


def _templates(kind: str) -> Memo:
    memo = _TEMPLATES[kind] = Memo(lambda text: _template(text, kind), 65536, 80)
    return memo


def _form_cells(t2: T2Reader, t3: T3Reader, t4: T4Reader, t4_ok: bool) -> list[GridCell | None]:
    """The grid cell of each of the report's 200 cells in the form's order (None: not read), as
    the general path in `map_document` chooses them (`put` of every cell read, a cell at a time,
    then reordered, the cells not read MISSING), chosen a row at a time: a row read in the form's
    column order (the commonest shape) is its values in the order of the row's cell ids; a row read
    in another order by its columns; Table 2's 本年处理决定数量 of licensing, penalties and coercion,
    when its 2021 row gives none, from the 2019 row (the general path's first 2019 put)."""
    out: list[GridCell | None] = []
    rows = {"T2": t2.rows, "T3": t3.rows}
    rows2019 = t2.rows2019
    for table, code, cols, cids in _FORM_ROWS or _form_rows():
        rr = rows[table].get(code)
        if rr is not None and rr.columns == cols:
            out += rr.values
        else:
            got = dict(zip(rr.columns, rr.values)) if rr is not None else {}
            if table == "T2" and code in _DECISIONS_2019 and code in rows2019:
                r19 = rows2019[code]
                for col, gc in zip(r19.columns, r19.values):
                    if col == "decisions" and col not in got:
                        got[col] = gc
            out += [got.get(col) for col in cols]
    read = t4.read if t4_ok else None
    if read is None:
        out += [None] * len(_FORM_T4)
    else:
        out += [read.get(code) for code, _ in _FORM_T4]
    return out


def _build_cells(form: list[GridCell | None], kind: str) -> dict[str, dict]:
    """The output cells of the form's grid cells (`_form_cells`'s list): a cell of the document's
    own reader built inline (its text's semantic and value a dict lookup), any other through `put`."""
    cells: dict[str, dict] = {}
    template = _TEMPLATES.get(kind) or _templates(kind)
    put = _putter(kind)
    missing = missing_cell
    for cid, gc in zip(_FORM_CIDS or _form_cids(), form):
        if gc is None:
            cells[cid] = missing()
        elif gc.read_by is not None:
            put(cells, cid, gc)
        else:
            cell = template[gc.text].copy()
            cell["at"] = gc.at
            cell["confidence"] = gc.confidence
            cells[cid] = cell
    return cells


def _cells_by_row(t2: T2Reader, t3: T3Reader, t4: T4Reader, t4_ok: bool, put, kind: str) -> dict[str, dict]:
    """The report's 200 cells in the form's order, as the general path in `map_document` makes
    them: `_build_cells` of `_form_cells`, the cells of rows read as inferred (Table 3's orphans)
    marked so."""
    return _cells_of_form(_form_cells(t2, t3, t4, t4_ok), t3, kind)


def _cells_of_form(form: list[GridCell | None], t3: T3Reader, kind: str) -> dict[str, dict]:
    """`_build_cells` of `_form_cells`'s list, the cells of rows read as inferred (Table 3's
    orphans) marked so."""
    cells = _build_cells(form, kind)
    for code in t3.inferred:
        for col in t3.rows[code].columns:
            cell = cells.get(f"T3/{code}/{col}") if col != "org_subtotal" else None
            if cell is not None:  # (a column outside the form's would be left out of them)
                cell["inferred"] = True
    return cells


_FORM_CIDS: list[str] = []  # the cell ids of `_form_cells`'s list


def _form_cids() -> list[str]:
    if not _FORM_CIDS:
        _FORM_CIDS.extend([cid for *_, cids in _form_rows() for cid in cids] + [cid for _, cid in _FORM_T4])
    return _FORM_CIDS


def _extra_list(t2: T2Reader, t3: T3Reader) -> list[tuple[str, GridCell | None]]:
    """The cells outside the form's 200 (the 2019 format's Table 2, Table 3's 法人或其他组织 小计)
    and their grid cells, in the general path's order."""
    out = []
    for code, rr in t2.rows2019.items():
        out += [(f"T2v2019/{code}/{col}", gc) for col, gc in zip(rr.columns, rr.values)]
    for code, rr in t3.rows.items():
        for col, gc in zip(rr.columns, rr.values):
            if col == "org_subtotal":
                out.append((f"T3/{code}/{col}", gc))
    return out


def _extra_cells(extra: dict, pairs: list[tuple[str, GridCell | None]], t3: T3Reader | None, put) -> None:
    """The cells outside the form's 200 (`_extra_list`), in the general path's order, marked
    inferred as it marks them."""
    for cid, gc in pairs:
        put(extra, cid, gc)
    if t3 is not None:
        for code in t3.inferred:
            if "org_subtotal" in t3.rows[code].columns:
                extra[f"T3/{code}/org_subtotal"]["inferred"] = True


@cache
def _putter(kind: str):
    """`put(target, cid, gc)`: the output cell of a grid cell (None: a MISSING one) of a document of
    this kind, at `target[cid]` (one per kind, kept: it holds nothing of a document)."""

    def put(target: dict, cid: str, gc: GridCell | None) -> None:
        if gc is None:
            target[cid] = missing_cell()
            return
        text = gc.text
        read_by = gc.read_by
        if read_by == "ocr":
            # a value cell read by OCR: digit look-alikes ("O", "l", "４") read as digits
            fixed = ocr_number(text)
            sem, val = classify_value(fixed if fixed is not None else text)
        else:
            sem, val = classify_value(text)
        target[cid] = {
            "semantic": sem,
            "value": val,
            "raw": text,
            "at": gc.at,
            "read_by": read_by or kind,
            "confidence": gc.confidence,
            "inferred": False,
        }

    return put


def _cells_general(extra: dict, t2: T2Reader, t3: T3Reader, t4: T4Reader, t4_ok: bool, put) -> dict[str, dict]:
    """The general path: `put` of every cell read, a cell at a time (the cells outside the form's
    into `extra`), then the form's 200 in its order, those not read MISSING."""
    cells: dict[str, dict] = {}
    for code, rr in t2.rows.items():
        for col, gc in zip(rr.columns, rr.values):
            put(cells, f"T2/{code}/{col}", gc)
    for code, rr in t2.rows2019.items():
        for col, gc in zip(rr.columns, rr.values):
            put(extra, f"T2v2019/{code}/{col}", gc)
            # the 2019 处理决定数量 is the 2021 本年处理决定数量 (FORMAT.md): comparable across years
            cid = f"T2/{code}/{col}"
            if col == "decisions" and code in ("licensing", "penalties", "coercion") and cid not in cells:
                put(cells, cid, gc)
    for code, rr in t3.rows.items():
        for col, gc in zip(rr.columns, rr.values):
            put(extra if col == "org_subtotal" else cells, f"T3/{code}/{col}", gc)
    for code in t3.inferred:
        for col in t3.rows[code].columns:
            target = extra if col == "org_subtotal" else cells
            target[f"T3/{code}/{col}"]["inferred"] = True
    if t4.read is not None and t4_ok:
        for code, gc in t4.read.items():
            put(cells, f"T4/{code}", gc)
    for cid in cell_ids():
        if cid not in cells:
            cells[cid] = missing_cell()
    return {cid: cells[cid] for cid in cell_ids()}


def missing_cell() -> dict:
    """A cell not in the report: no text, so no reader and no confidence."""
    return {
        "semantic": MISSING,
        "value": None,
        "raw": None,
        "at": None,
        "read_by": None,
        "confidence": None,
        "inferred": False,
    }


_NAMES = {
    "T2": "Table 2 (主动公开)",
    "T3": "Table 3 (收到和处理政府信息公开申请情况)",
    "T4": "Table 4 (行政复议、行政诉讼)",
}


def _structure_problems(
    cells: dict, t3: T3Reader, found: dict, malformed: dict, fmt: str | None, doc: Document
) -> list[dict]:
    out: list[dict] = []
    by_table: dict[str, list[str]] = {"T2": [], "T3": [], "T4": []}
    for cid, c in cells.items():
        if c["semantic"] == MISSING:
            by_table[cid[:2]].append(cid)
    for t in ("T2", "T3", "T4"):
        missing = by_table[t]
        if t in malformed:
            ids = [cid for cid in cells if cid.startswith(t + "/")]
            out.append(
                problem(
                    "table_malformed",
                    "error",
                    f"{_NAMES[t]} is malformed: {malformed[t]}; none of its {len(ids)} cells can be "
                    "read (MISSING, not 0)",
                    ids,
                )
            )
            continue
        if not missing:
            continue
        if t == "T2" and fmt == "2019":
            continue  # the trial format's Table 2 has its own columns (extra cells)
        if not found[t]:
            out.append(problem("table_absent", "error", f"{_NAMES[t]} is not in the report", missing))
            continue
        if t == "T3":
            rows_read = t3.order
            all_rows = [e.code for e in codebook().t3_rows]
            missing_rows = [r for r in all_rows if r not in t3.rows]
            if fmt == "2019" or t3.saw_2019_other:
                missing_rows = [r for r in missing_rows if r not in ("other_no_correction", "other_no_fee")]
            if not missing_rows:
                continue
            last_read = max(all_rows.index(r) for r in rows_read)
            tail = all_rows[last_read + 1 :]
            ids = [cid for cid in missing if cid.split("/")[1] in missing_rows]
            if tail and set(tail) <= set(missing_rows) and set(missing_rows) == set(tail):
                out.append(
                    problem(
                        "table_truncated",
                        "error",
                        f"{_NAMES[t]} stops after row '{all_rows[last_read]}': {len(tail)} row(s) are missing",
                        ids,
                    )
                )
            else:
                out.append(
                    problem("rows_missing", "error", f"{_NAMES[t]} lacks row(s): " + ", ".join(missing_rows), ids)
                )
        elif t == "T2":
            rows_missing = sorted({cid.split("/")[1] for cid in missing})
            ids_unread = [cid for cid in missing]
            # cells already reported as short/ambiguous rows are not repeated here
            out.append(
                problem(
                    "rows_missing" if len(rows_missing) < 6 else "table_truncated",
                    "error",
                    f"{_NAMES[t]}: cells not in the report for row(s) " + ", ".join(rows_missing),
                    ids_unread,
                )
            )
    return out
