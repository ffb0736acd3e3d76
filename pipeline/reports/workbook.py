"""The office workbook (`<out>/nianbao.xlsx`): summary, league table, findings (every FAIL and
UNCERTAIN of the active reports; NOT_ASSESSABLE and PASS results, the vast majority, are counted per
rule in 规则汇总), missing units and every cell of every active report, with Chinese headers, frozen
header rows and column widths. Any reader (openpyxl, Excel, WPS) opens it.

Streamed: each sheet's rows are read from the warehouse a few thousand at a time (`fetchmany`) and
written as they come by XlsxWriter in constant-memory mode (each row goes to disk when the next
begins); the cells are read ordered by report, and a report's row of 200 cells is written when its
last cell has come. Memory stays flat whatever the number of reports.

Numbers are written as numbers. A cell that is not a number is written as a text marker (see the
sheet 说明): a blank, a "/" and a missing cell stay distinguishable, and none of them becomes 0.
"""

from __future__ import annotations

import logging
import os
import pickle
import tempfile
import time
from contextlib import contextmanager
from pathlib import Path

from ..duck import READ_MEMORY, sql_str
from . import xlsxrows
from .data import fetch_rows, reading
from .labels import CELL_MARKERS as MARKERS
from .layout import all_cell_ids, short_label
from .workbook_columns import (  # noqa: F401 - _value: the tests hold _CONVERT to it
    _CONVERT,
    _FORMATS,
    DECISION_COLS,
    FINDING_COLS,
    HEADER,
    HEADER_IDS,
    LEAGUE_COLS,
    LEGEND,
    MISSING_COLS,
    REMEDIATION_COLS,
    RULE_COLS,
    SUMMARY_COLS,
    _keep,
    _value,
)
from .xlsxrows import write_row, write_row_tail

log = logging.getLogger(__name__)

FETCH = 5_000  # rows read from the warehouse at a time
CELL_CHUNK = 500  # reports whose cells are read together for 全部单元格 (the general path)
CELL_RANGE = 1_000  # reports whose cells' XML DuckDB makes at once, in the warehouse's order (SQL_CELLS)
# 全部单元格's cells written as XML made by DuckDB (see _cells_xml); False: the general path, kept
# (the tests compare the two)
SQL_CELLS = True
# Excel's rows per sheet: XlsxWriter drops the rows past it without a word, so a sheet that would
# have more goes on in continuation sheets (title (2), (3), …), named in 说明 and in the log
ROW_LIMIT = 1_048_576
# the zip's deflate level (XlsxWriter takes zlib's default, 6): at 100,000 reports the 890 MB of
# XML take 9 s of CPU at 6 and 3 s at 1, for a file of ~110 MB instead of ~88 MB
ZIP_LEVEL = 1
# DuckDB's memory while the workbook reads the findings and the cells (the rest, and the pages' readers,
# take READ_MEMORY, 512 MB): its buffer pool fills up to the limit with the blocks read and its sorts
# spill beyond it; the whole workbook of 100,000 reports was written with 128 MB (peak PSS 278 MB,
# 645 MB with 512 MB)
MEMORY = "192MB"

FINDINGS_SHEET = "检查发现"


class _Book:
    """The formats of one workbook, made once."""

    def __init__(self, path: Path):
        import xlsxwriter  # here: the pages, which import this package too, do without it

        # its temporary files beside the workbook (not in /tmp): a killed run's are removed with its staging folder
        self.wb = xlsxwriter.Workbook(
            str(path),
            {
                "constant_memory": True,
                "strings_to_numbers": False,
                "strings_to_formulas": False,
                "strings_to_urls": False,
                "tmpdir": str(path.parent),
            },
        )
        self.header = self.wb.add_format(HEADER)
        self.header_ids = self.wb.add_format(HEADER_IDS)
        self.num = {k: self.wb.add_format({"num_format": v}) for k, v in _FORMATS.items()}
        # a cell OCR read doubtfully (problem ocr_uncertain): to check against the page
        self.ocr = self.wb.add_format({"bg_color": "#F8D7E3", "font_color": "#9C1450", "italic": True})
        self.names: list[str] = []
        self.continued: list[tuple[str, list[tuple[str, int]]]] = []  # sheets past Excel's row limit

    def sheet(self, title: str):
        self.names.append(title)
        return self.wb.add_worksheet(title)


class _Continued:
    """A sheet's rows over as many sheets as Excel's row limit needs: `title`, then `title (2)`, … each
    set up alike by `setup(ws)`, which writes the headers and returns how many rows they take."""

    def __init__(self, book: _Book, title: str, setup):
        self.book, self.title, self.setup = book, title, setup
        self.sheets: list[list] = []  # [worksheet, header rows, data rows]
        self._open()

    def _open(self) -> None:
        k = len(self.sheets) + 1
        ws = self.book.sheet(self.title if k == 1 else f"{self.title} ({k})")
        self.sheets.append([ws, self.setup(ws), 0])

    def next_row(self):
        """The worksheet and row index of the next data row."""
        s = self.sheets[-1]
        if s[1] + s[2] >= ROW_LIMIT:
            self._open()
            s = self.sheets[-1]
        s[2] += 1
        return s[0], s[1] + s[2] - 1

    def done(self) -> None:
        """Say where the rows went when they did not fit one sheet (说明 and the log)."""
        if len(self.sheets) > 1:
            self.book.continued.append((self.title, [(ws.name, n) for ws, _h, n in self.sheets]))
            log.warning(
                "workbook: %s has %d rows, more than Excel's %d a sheet: written on %s",
                self.title,
                sum(n for _ws, _h, n in self.sheets),
                ROW_LIMIT,
                ", ".join(ws.name for ws, _h, _n in self.sheets),
            )


def _sheet(book: _Book, title: str, cols, data) -> int:
    """A sheet: Chinese header row, frozen, filtered, columns sized and formatted; `data` is an
    iterable of dicts, written row by row as it is read. Returns the number of rows."""

    def setup(ws) -> int:
        for i, (_h, _key, kind, width) in enumerate(cols):
            ws.set_column(i, i, width, book.num.get(kind))
        ws.freeze_panes(1, 0)
        ws.write_row(0, 0, [c[0] for c in cols], book.header)
        return 1

    sheets = _Continued(book, title, setup)
    n = 0
    # per column: its key, what `_value` does with a value that is not None (None: nothing), its format
    todo = [
        (key, _CONVERT.get(kind, _keep), book.num.get(kind) if kind in _FORMATS else None) for _h, key, kind, _w in cols
    ]
    for n, r in enumerate(data, start=1):
        values = []
        formats = []
        for key, conv, f in todo:
            v = r.get(key)
            if v is not None and conv is not None:
                v = conv(v)
            values.append(v)
            formats.append(None if v is None else f)
        ws, row = sheets.next_row()
        write_row(ws, row, values, formats)
    for ws, _h, rows in sheets.sheets:
        if rows:
            ws.autofilter(0, 0, rows, len(cols) - 1)
    sheets.done()
    return n


@contextmanager
def _memory(con, limit: str):
    """DuckDB's memory limit lowered to `limit` for the findings and the cells (tables), READ_MEMORY
    again after: a warehouse's rollups may be views (the tests' synthetic ones), which need it."""
    con.execute(f"SET memory_limit = {sql_str(limit)}")
    try:
        yield
    finally:
        con.execute(f"SET memory_limit = {sql_str(READ_MEMORY)}")


@contextmanager
def _zip_level(level: int):
    """XlsxWriter's zip written at deflate `level` (it has no option for it: its ZipFile, for the
    time of a close)."""
    import functools

    import xlsxwriter.workbook as xw

    zf = xw.ZipFile
    xw.ZipFile = functools.partial(zf, compresslevel=level)
    try:
        yield
    finally:
        xw.ZipFile = zf


def _stream(con, sql: str, params=None, extra=None):
    """The rows of a query as dicts, read FETCH at a time; `extra(row)` may add keys."""
    cur = con.execute(sql, params or [])
    names = [d[0] for d in cur.description]
    for t in fetch_rows(cur, FETCH):
        r = dict(zip(names, t))
        if extra:
            extra(r)
        yield r


def cell_marker(sem: str, value, raw):
    """What the workbook writes for a cell: the number, or a text marker (blank ≠ 0 ≠ "/" ≠ missing)."""
    if sem in ("NUMERIC", "ZERO"):
        f = float(value)
        return int(f) if f.is_integer() else f
    m = MARKERS.get(sem, "〔?〕")
    if sem in ("NA", "TEXT") and raw:
        return m + raw.strip()
    return m


def write_workbook(db_path: str | Path, path: str | Path) -> dict:
    """Write the workbook for the warehouse at `db_path` to `path` (atomically). Returns counts."""
    t0 = time.perf_counter()
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(f".{path.name}.tmp")
    book = _Book(tmp)
    counts: dict[str, int] = {}
    try:
        with reading(db_path) as con:
            names = dict(con.execute("SELECT unit_id, name FROM units").fetchall())
            bid = con.execute("SELECT max(value) FROM build_info WHERE key = 'build_id'").fetchone()[0] or ""
            if bid:
                book.wb.set_custom_property("nianbao_build", bid)

            # the unit's name from `names`, not joined in the query: with that join DuckDB's sort of the
            # findings does not spill (out of memory at 100,000 reports and 128 MB)
            def unit_name(r):
                r["unit_name"] = names.get(r.get("unit_id"))

            def banners(r):
                r["statutory_banner"] = names.get(r.get("statutory_banner_id"))
                r["managing_banner"] = names.get(r.get("managing_banner_id"))

            counts["summary_rows"] = _sheet(
                book,
                "汇总",
                SUMMARY_COLS,
                _stream(
                    con,
                    """
                SELECT * FROM rollup_summary ORDER BY year, hierarchy DESC, group_level DESC, group_id""",
                ),
            )
            counts["league_rows"] = _sheet(
                book,
                "单位排行",
                LEAGUE_COLS,
                _stream(
                    con,
                    """
                SELECT * FROM league_table ORDER BY year,
                    CASE peer_level WHEN 'league' THEN 0 WHEN 'banner' THEN 1 WHEN 'zone' THEN 2
                         WHEN 'township' THEN 3 ELSE 4 END, statutory_banner_id NULLS FIRST, unit_id""",
                    extra=banners,
                ),
            )
            with _memory(con, MEMORY):
                counts["findings"] = _sheet(
                    book,
                    FINDINGS_SHEET,
                    FINDING_COLS,
                    _stream(
                        con,
                        """
                    SELECT f.* FROM findings f
                    JOIN reports r ON r.active AND r.unit_id = f.unit_id AND r.year = f.year
                                  AND (f.report_id IS NULL OR f.report_id = r.report_id)
                    WHERE f.status IN ('FAIL', 'UNCERTAIN')  -- NOT_ASSESSABLE and PASS: counted in 规则汇总
                    ORDER BY f.year, f.unit_id, CASE f.status WHEN 'FAIL' THEN 0 ELSE 1 END, f.rule_id, f.instance,
                             f.finding_id""",
                        extra=unit_name,
                    ),
                )
                by_rule = list(
                    _stream(
                        con,
                        """
                    SELECT f.year, f.rule_id, any_value(f.severity) AS severity,
                           count(*) FILTER (WHERE f.status = 'FAIL') AS fail,
                           count(*) FILTER (WHERE f.status = 'UNCERTAIN') AS uncertain,
                           count(*) FILTER (WHERE f.status = 'NOT_ASSESSABLE') AS not_assessable,
                           count(*) FILTER (WHERE f.status = 'PASS') AS pass,
                           count(DISTINCT f.unit_id) FILTER (WHERE f.status = 'FAIL') AS units_failing
                    FROM findings f
                    JOIN reports r ON r.active AND r.unit_id = f.unit_id AND r.year = f.year
                                  AND (f.report_id IS NULL OR f.report_id = r.report_id)
                    GROUP BY ALL ORDER BY f.year, f.rule_id""",
                    )
                )
                counts["rules"] = _sheet(book, "规则汇总", RULE_COLS, by_rule)
                counts["not_assessable"] = sum(r["not_assessable"] for r in by_rule)
            counts["missing"] = _sheet(
                book,
                "缺报单位",
                MISSING_COLS,
                _stream(
                    con,
                    """
                SELECT y.*, (SELECT string_agg(m.path || '：' || coalesce(m.reason, m.status), '；' ORDER BY m.path)
                             FROM manifest m WHERE m.unit_id = y.unit_id AND m.year = y.year) AS reasons
                FROM unit_years y WHERE y.expected AND NOT y.read ORDER BY y.year, y.unit_id""",
                    extra=banners,
                ),
            )
            with _memory(con, MEMORY):
                counts["reports"] = _cells_sheet(book, con, names, tmp.parent)
            counts["decisions"] = _decisions_sheet(book, con)
            counts["remediation"] = _remediation_sheet(book, con, names)
        lg = book.sheet("说明")
        lg.set_column(0, 0, 18)
        lg.set_column(1, 1, 100)
        lg.freeze_panes(1, 0)
        lg.write_row(0, 0, ["标记或名称", "含义"], book.header)
        for i, (a, b) in enumerate(LEGEND, start=1):
            lg.write_row(i, 0, [a, b])
        if bid:
            lg.write_row(len(LEGEND) + 2, 0, ["构建编号", bid])  # the same as build_info.build_id and the pages' index
        i = len(LEGEND) + 3
        for title, parts in book.continued:
            for k, (name, n) in enumerate(parts):
                what = f"“{title}”" if k == 0 else f"“{title}”的接续（表头相同）"
                lg.write_row(
                    i,
                    0,
                    [name, f"{what}：{n:,} 行。Excel 一张工作表最多 {ROW_LIMIT:,} 行，写不下的行依次接在下一张表。"],
                )
                i += 1
        counts["continued"] = {title: [name for name, _n in parts] for title, parts in book.continued}
        with _zip_level(ZIP_LEVEL):
            book.wb.close()
    except BaseException:
        try:
            book.wb.close()
        except Exception:  # noqa: BLE001 - the first error is the one to report
            pass
        tmp.unlink(missing_ok=True)
        raise
    os.replace(tmp, path)
    return {"path": str(path), "sheets": list(book.names), **counts, "seconds": round(time.perf_counter() - t0, 3)}


def _cells_sheet(book: _Book, con, names: dict, tmpdir: Path) -> int:
    """全部单元格: one row per active report (by year and unit), its 200 cells in the form's order.

    The cells are stored by report id, not in the sheet's order. By default (SQL_CELLS) they are read
    in the warehouse's order, CELL_RANGE reports at a time (a range of report ids: DuckDB reads only
    those row groups), DuckDB making each report's row of cells as XML (`_cells_xml`); the rows go to
    a temporary file and are written into the sheet in its order. A report whose cells DuckDB cannot
    write the same way (an odd number or text, a cell read doubtfully by OCR, a cell missing) has its
    values made in Python and written by `write_row`. The general path (`_cells_by_chunk`) reads the
    cells of CELL_CHUNK reports of the sheet's order at a time: each read scans the whole table, so
    its cost grows with the square of the reports."""
    ids = all_cell_ids()
    col = {c: i for i, c in enumerate(ids)}

    def setup(ws) -> int:
        ws.set_column(0, 0, 12)
        ws.set_column(1, 1, 20)
        ws.set_column(2, 2, 7)
        ws.set_column(3, len(ids) + 2, 11)
        ws.freeze_panes(2, 3)
        ws.set_row(0, 48)
        ws.write_row(0, 0, ["单位代码", "单位", "年度"] + [short_label(c) for c in ids], book.header)
        ws.write_row(1, 0, ["unit_id", "unit_name", "year"] + ids, book.header_ids)
        return 2

    sheets = _Continued(book, "全部单元格", setup)
    con.execute(
        "CREATE OR REPLACE TEMP TABLE wb_reports AS SELECT report_id, unit_id, year, "
        "row_number() OVER (ORDER BY year, unit_id, report_id) - 1 AS i FROM reports WHERE active ORDER BY report_id"
    )
    reps = con.execute("SELECT report_id, unit_id, year FROM wb_reports ORDER BY i").fetchall()
    doubtful: dict[str, set[int]] = {}
    for rid, cid in con.execute(
        "SELECT DISTINCT report_id, unnest(cells) FROM problems WHERE code = 'ocr_uncertain' "
        "AND report_id IN (SELECT report_id FROM wb_reports)"
    ).fetchall():
        if cid in col:
            doubtful.setdefault(rid, set()).add(col[cid])
    with tempfile.TemporaryFile(dir=tmpdir) as spill:
        if SQL_CELLS and xlsxrows.FAST_ROWS:
            rows = _cells_xml(con, reps, names, ids, col, doubtful, spill)
        else:
            rows = _cells_by_chunk(con, reps, ids, col)
        for (rid, uid, year), cells in zip(reps, rows, strict=True):
            ws, row = sheets.next_row()
            head = [uid, names.get(uid), year]
            if isinstance(cells, tuple):  # (the row's number in its sheet, its cells' XML)
                if cells[0] != row:
                    raise RuntimeError(f"全部单元格: row {row} made as row {cells[0]}")
                write_row_tail(ws, row, head, cells[1], len(ids) + 2)
                continue
            formats = None
            if rid in doubtful:
                formats = [None] * (3 + len(cells))
                for i in doubtful[rid]:
                    formats[3 + i] = book.ocr
            write_row(ws, row, head + cells, formats)
    sheets.done()
    return len(reps)


def _cells_by_chunk(con, reps, ids, col):
    """The values of each report's cells (a list in the form's order), in the order of `reps`."""
    missing = MARKERS["MISSING"]
    for k in range(0, len(reps), CELL_CHUNK):
        chunk = reps[k : k + CELL_CHUNK]
        values = {rid: [missing] * len(ids) for rid, _u, _y in chunk}
        cur = con.execute(
            "SELECT report_id, cell_id, semantic, value, raw FROM cells "
            "WHERE report_id IN (SELECT unnest(?::VARCHAR[]))",
            [[r[0] for r in chunk]],
        )
        _fill(cur, values, col)
        for rid, _u, _y in chunk:
            yield values.pop(rid)


def _fill(cur, values: dict, col: dict) -> None:
    while True:
        batch = cur.fetchmany(FETCH * 4)
        if not batch:
            return
        for rid, cid, sem, val, raw in batch:
            i = col.get(cid)
            if i is not None:
                values[rid][i] = cell_marker(sem, val, raw)


# A text after a marker that DuckDB may write as it is: it is its own strip(), printable, has nothing
# XML escapes and nothing XlsxWriter treats apart (`_x`, `<r>`); ASCII but & < > _ and space, CJK,
# 、。〃 and the full-width forms.
_PLAIN_RAW = r"[!-%'-;=?-^`-~\x{4E00}-\x{9FFF}\x{3001}-\x{3003}\x{FF01}-\x{FF5E}]{1,200}"


def _cells_sql(markers: dict) -> str:
    """Each report's cells of a range of report ids as the XML `xlsxrows.write_row` writes for them
    (no format, no column format), with `ok` false when a cell is not one DuckDB writes the same way
    (see `cell_marker`): a number that is not finite, 10^15 or more, or a fraction under 10^-4 (its
    %.16G would take an exponent); a text that is not `_PLAIN_RAW`; a missing or repeated cell."""
    m = {k: sql_str(v) for k, v in markers.items()}

    def text(t: str) -> str:
        return f"' t=\"inlineStr\"><is><t>' || {t} || '</t></is></c>'"

    marker = "coalesce(CASE c.semantic " + " ".join(f"WHEN {sql_str(k)} THEN {v}" for k, v in m.items())
    marker += f" END, {sql_str('〔?〕')})"
    return f"""
SELECT o.i, bool_and(x.body IS NOT NULL) AND count(*) = ? AND count(DISTINCT x.col) = ? AS ok,
       string_agg('<c r="' || x.colname || (o.i % ? + 3) || '"' || x.body, '' ORDER BY x.col) AS xml
FROM (SELECT c.report_id, k.col, k.colname, CASE
        WHEN c.semantic IN ('NUMERIC', 'ZERO') THEN CASE
            WHEN c.value IS NULL OR NOT isfinite(c.value) OR abs(c.value) >= 1e15 THEN NULL
            WHEN c.value = trunc(c.value) THEN '><v>' || CAST(CAST(c.value AS BIGINT) AS VARCHAR) || '</v></c>'
            WHEN abs(c.value) >= 1e-4 THEN '><v>' || printf('%.16G', c.value) || '</v></c>' END
        WHEN c.semantic IN ('NA', 'TEXT') AND coalesce(c.raw, '') <> '' THEN CASE
            WHEN regexp_full_match(c.raw, {sql_str(_PLAIN_RAW)})
            THEN {text(marker + " || c.raw")} END
        ELSE {text(marker)}
      END AS body
      FROM cells c JOIN wb_cell_ids k USING (cell_id)
      WHERE c.report_id BETWEEN ? AND ?) x
JOIN (SELECT * FROM wb_reports WHERE report_id BETWEEN ? AND ?) o USING (report_id)
GROUP BY o.i"""


def _cells_xml(con, reps, names, ids, col, doubtful, spill):
    """The rows of `_cells_sheet`'s default path, in the order of `reps`: (row in its sheet, XML of
    the cells) or, for a report whose cells DuckDB does not write, its values (as `_cells_by_chunk`).
    Made in the warehouse's order a range at a time into `spill`, then read back in the sheet's."""
    from xlsxwriter.utility import xl_col_to_name

    cap = ROW_LIMIT - 2  # data rows a sheet (two header rows)
    con.execute(
        "CREATE OR REPLACE TEMP TABLE wb_cell_ids AS SELECT unnest(?::VARCHAR[]) AS cell_id, "
        "unnest(?::VARCHAR[]) AS colname, unnest(range(?)) AS col",
        [ids, [xl_col_to_name(3 + i) for i in range(len(ids))], len(ids)],
    )
    sql = _cells_sql(MARKERS)
    order = [i for (i,) in con.execute("SELECT i FROM wb_reports ORDER BY report_id").fetchall()]
    where: list = [None] * len(reps)  # (offset, length, XML or pickled values) in `spill`
    missing = MARKERS["MISSING"]
    for k in range(0, len(order), CELL_RANGE):
        chunk = order[k : k + CELL_RANGE]
        lo, hi = reps[chunk[0]][0], reps[chunk[-1]][0]
        made = {}
        for i, ok, xml in con.execute(sql, [len(ids), len(ids), cap, lo, hi, lo, hi]).fetchall():
            rid, uid, year = reps[i]
            if ok and rid not in doubtful and all(map(xlsxrows.plain, (uid, names.get(uid), year))):
                made[i] = xml
        other = {reps[i][0]: [missing] * len(ids) for i in chunk if i not in made}
        if other:
            cur = con.execute(
                "SELECT report_id, cell_id, semantic, value, raw FROM cells WHERE report_id BETWEEN ? AND ? "
                "AND report_id IN (SELECT unnest(?::VARCHAR[]))",
                [lo, hi, list(other)],
            )
            _fill(cur, other, col)
        for i in chunk:
            if i in made:
                b = made[i].encode()
                where[i] = (spill.tell(), len(b), True)
            else:
                b = pickle.dumps(other[reps[i][0]], protocol=pickle.HIGHEST_PROTOCOL)
                where[i] = (spill.tell(), len(b), False)
            spill.write(b)
    spill.flush()
    fd = spill.fileno()
    for i, (off, n, is_xml) in enumerate(where):
        b = os.pread(fd, n, off)
        yield (2 + i % cap, b.decode()) if is_xml else pickle.loads(b)


def _decisions_sheet(book: _Book, con) -> int:
    """复核记录: the whole decisions log with each decision's state (applied, stale, superseded, rejected)."""
    try:
        con.execute("SELECT 1 FROM decisions LIMIT 0")
    except Exception:  # noqa: BLE001 - a warehouse from before the review loop
        return 0

    def value_text(r):
        r["value_text"] = (r.get("semantic") or "") + (f" {r['value']:g}" if r.get("value") is not None else "")

    return _sheet(
        book, "复核记录", DECISION_COLS, _stream(con, "SELECT * FROM decisions ORDER BY line", extra=value_text)
    )


def _remediation_sheet(book: _Book, con, names: dict) -> int:
    """整改情况: every confirmed finding and whether the republished or the next year's report still has it."""
    try:
        con.execute("SELECT 1 FROM remediation LIMIT 0")
    except Exception:  # noqa: BLE001 - a warehouse from before the review loop
        return 0

    def unit_name(r):
        r["unit_name"] = names.get(r.get("unit_id"))

    return _sheet(
        book,
        "整改情况",
        REMEDIATION_COLS,
        _stream(con, "SELECT * FROM remediation ORDER BY year, unit_id, rule_id, instance", extra=unit_name),
    )


def workbook_process(db: str, path: str, conn) -> None:
    """Entry point of the process that writes the workbook beside the pages (see report_assets)."""
    from ..parallel import die_with_parent

    die_with_parent()
    try:
        conn.send(("ok", write_workbook(db, path)))
    except Exception as e:  # reported by the parent, in words
        conn.send(("error", f"{type(e).__name__}: {e}"))
    finally:
        conn.close()
