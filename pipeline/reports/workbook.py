"""The office workbook (`<out>/nianbao.xlsx`): summary, league table, findings (every FAIL, UNCERTAIN
and NOT_ASSESSABLE of the active reports; PASS results are counted per rule in 规则汇总), missing
units and every cell of every active report, with Chinese headers, frozen header rows and column
widths. Written with XlsxWriter in constant-memory mode (a thousand reports in about a second); any
reader (openpyxl, Excel, WPS) opens it.

Numbers are written as numbers. A cell that is not a number is written as a text marker (see the
sheet 说明): a blank, a "/" and a missing cell stay distinguishable, and none of them becomes 0.
"""

from __future__ import annotations

import datetime as _dt
import os
import time
from pathlib import Path

import duckdb
import xlsxwriter

from .data import rows
from .layout import all_cell_ids, short_label

MARKERS = {"EMPTY": "〔空白〕", "NA": "〔不适用〕", "MISSING": "〔缺〕", "TEXT": "〔文字〕"}
LEGEND = (
    ("数字", "报告中填写的数字（含 0），按数字写入，可直接计算。"),
    ("〔空白〕", "报告中有这一格，但没有填写。不是 0。"),
    ("〔不适用〕…", "报告中填写“/”“-”“无”“不适用”等；括号后是原文。不是 0。"),
    ("〔文字〕…", "报告中填写了其他文字；括号后是原文。"),
    ("〔缺〕", "报告中没有这一格（表格缺失、截断或无法对齐）。"),
    ("口径：法定隶属", "按国家统计局区划的法定上级汇总（巴彦木仁苏木计入阿拉善左旗）。"),
    ("口径：管理关系", "按托管、区镇合一的管理主体汇总（巴彦木仁苏木经乌兰布和示范区计入高新区）。"),
    ("合计", "旗（区）、盟的合计是所属单位（不含本级）报告中数字之和；“总计”列是各单位总计之和，不把总计加进分项。"),
    ("比率", "基数小于 30（或 settings 中的 min_base）时不计算，留空。"),
    ("及时性", "发布日期不晚于截止日期（默认次年 1 月 31 日）为按时；报告页面未写发布日期为日期不明。"),
)
HEADER = {"bold": True, "bg_color": "#DDE5EF", "align": "center", "valign": "vcenter", "text_wrap": True,
          "border": 1}
HEADER_IDS = {"font_color": "#666666", "font_size": 9, "bg_color": "#DDE5EF", "border": 1}
HIER_ZH = {"statutory": "法定隶属", "managing": "管理关系"}
LEVEL_ZH = {"league": "盟", "banner": "旗（区）", "township": "苏木镇街道", "zone": "园区", "department": "部门"}
TIMELINESS_ZH = {"on_time": "按时", "late": "逾期", "unknown": "日期不明"}
STATUS_ZH = {"FAIL": "不成立", "UNCERTAIN": "无法确定", "NOT_ASSESSABLE": "无法检查", "PASS": "成立"}
SEVERITY_ZH = {"error": "错误", "warning": "警告", "info": "提示"}

# (header, key, kind, width); kind: text | int | num | pct | date | bool | list
SUMMARY_COLS = (
    ("年度", "year", "int", 7), ("口径", "hierarchy", "hier", 9), ("层级", "group_level", "level", 8),
    ("单位代码", "group_id", "text", 10), ("单位", "group_name", "text", 26),
    ("应报单位", "units_expected", "int", 9), ("已收到", "units_received", "int", 8), ("已读取", "reports_read", "int", 8),
    ("检查全部通过", "reports_clean", "int", 12), ("缺报", "units_missing", "int", 7), ("到报率", "pct_read", "pct100", 8),
    ("按时", "on_time", "int", 7), ("逾期", "late", "int", 7), ("日期不明", "unknown_date", "int", 9),
    ("检查不成立", "findings_fail", "int", 10), ("无法确定", "findings_uncertain", "int", 9),
    ("疑似抄袭", "copy_fail", "int", 9), ("本级有报告", "own_report_read", "bool", 10),
    ("本年新收申请", "applications_new", "num", 12), ("办理结果总计", "applications_processed", "num", 12),
    ("予以公开＋部分公开", "disclosed", "num", 16), ("公开率", "share_disclosed", "pct", 9),
    ("行政复议", "reviews", "num", 9), ("行政诉讼", "suits", "num", 9),
    ("复议纠错率", "review_correction_rate", "pct", 10), ("诉讼纠错率", "suit_correction_rate", "pct", 10),
    ("缺报单位", "missing_names", "list", 60),
)
LEAGUE_COLS = (
    ("年度", "year", "int", 7), ("单位代码", "unit_id", "text", 12), ("单位", "unit_name", "text", 22),
    ("层级", "peer_level", "level", 11), ("所属旗（区）·法定", "statutory_banner", "text", 16),
    ("所属旗（区）·管理", "managing_banner", "text", 16), ("应报", "expected", "bool", 6),
    ("已收到", "received", "bool", 7), ("已读取", "read", "bool", 7), ("发布日期", "published_on", "date", 11),
    ("截止日期", "deadline", "date", 11), ("及时性", "timeliness", "timeliness", 8), ("逾期天数", "days_late", "int", 9),
    ("本年新收申请", "applications_new", "num", 12), ("办理结果总计", "applications_processed", "num", 12),
    ("予以公开", "granted", "num", 9), ("部分公开", "partly_granted", "num", 9), ("公开率", "share_disclosed", "pct", 8),
    ("行政复议", "reviews", "num", 9), ("行政诉讼", "suits", "num", 9),
    ("复议纠错率", "review_correction_rate", "pct", 10), ("诉讼纠错率", "suit_correction_rate", "pct", 10),
    ("检查不成立", "findings_fail", "int", 10), ("其中错误级", "findings_fail_error", "int", 10),
    ("无法确定", "findings_uncertain", "int", 9), ("无法检查", "findings_not_assessable", "int", 9),
    ("疑似抄袭", "copy_fail", "int", 9), ("全部通过", "clean", "bool", 9), ("报告编号", "report_id", "text", 18),
    ("来源文件", "path", "text", 40),
)
FINDING_COLS = (
    ("年度", "year", "int", 7), ("单位代码", "unit_id", "text", 12), ("单位", "unit_name", "text", 20),
    ("报告编号", "report_id", "text", 18), ("规则", "rule_id", "text", 22), ("实例", "instance", "text", 16),
    ("范围", "scope", "text", 10), ("结果", "status", "status", 9), ("级别", "severity", "severity", 7),
    ("等式左边", "lhs_cells", "list", 40), ("等式右边", "rhs_cells", "list", 40), ("左边值", "lhs_value", "num", 9),
    ("右边值", "rhs_value", "num", 9), ("差", "difference", "num", 8), ("可能原因", "likely_cause", "text", 16),
    ("说明", "message_zh", "text", 60), ("对照报告", "other_report_id", "text", 18),
)
RULE_COLS = (
    ("年度", "year", "int", 7), ("规则", "rule_id", "text", 26), ("级别", "severity", "severity", 7),
    ("不成立", "fail", "int", 8), ("涉及单位", "units_failing", "int", 9), ("无法确定", "uncertain", "int", 9),
    ("无法检查", "not_assessable", "int", 9), ("成立", "pass", "int", 8),
)
MISSING_COLS = (
    ("年度", "year", "int", 7), ("单位代码", "unit_id", "text", 12), ("单位", "unit_name", "text", 22),
    ("层级", "peer_level", "level", 11), ("所属旗（区）·法定", "statutory_banner", "text", 16),
    ("所属旗（区）·管理", "managing_banner", "text", 16), ("文件已收到", "received", "bool", 10),
    ("收到的文件数", "files_received", "int", 11), ("未能使用的原因", "reasons", "text", 80),
)


def _value(v, kind):
    if v is None:
        return None
    if kind == "hier":
        return HIER_ZH.get(v, v)
    if kind == "level":
        return LEVEL_ZH.get(v, v)
    if kind == "timeliness":
        return TIMELINESS_ZH.get(v, v)
    if kind == "status":
        return STATUS_ZH.get(v, v)
    if kind == "severity":
        return SEVERITY_ZH.get(v, v)
    if kind == "bool":
        return "是" if v else "否"
    if kind == "list":
        return "、".join(str(x) for x in v) if v else None
    if kind == "date":
        return _dt.date.fromisoformat(str(v)[:10])
    if kind == "pct100":
        return float(v) / 100.0
    if kind in ("num", "pct"):
        f = float(v)
        return int(f) if kind == "num" and f.is_integer() else f
    return v


_FORMATS = {"pct": "0.0%", "pct100": "0.0%", "date": "yyyy-mm-dd"}


class _Book:
    """The formats of one workbook, made once."""

    def __init__(self, path: Path):
        self.wb = xlsxwriter.Workbook(str(path), {"constant_memory": True, "strings_to_numbers": False,
                                                  "strings_to_formulas": False, "strings_to_urls": False})
        self.header = self.wb.add_format(HEADER)
        self.header_ids = self.wb.add_format(HEADER_IDS)
        self.num = {k: self.wb.add_format({"num_format": v}) for k, v in _FORMATS.items()}
        self.names: list[str] = []

    def sheet(self, title: str):
        self.names.append(title)
        return self.wb.add_worksheet(title)


def _sheet(book: _Book, title: str, cols, data: list[dict]):
    """A sheet: Chinese header row, frozen, filtered, columns sized and formatted."""
    ws = book.sheet(title)
    for i, (_h, _key, kind, width) in enumerate(cols):
        ws.set_column(i, i, width, book.num.get(kind))
    ws.freeze_panes(1, 0)
    if data:
        ws.autofilter(0, 0, len(data), len(cols) - 1)
    ws.write_row(0, 0, [c[0] for c in cols], book.header)
    for r_i, r in enumerate(data, start=1):
        for c_i, (_h, key, kind, _w) in enumerate(cols):
            v = _value(r.get(key), kind)
            if v is None:
                continue
            if kind == "date":
                ws.write_datetime(r_i, c_i, _dt.datetime.combine(v, _dt.time()), book.num["date"])
            elif kind in _FORMATS:
                ws.write_number(r_i, c_i, v, book.num[kind])
            else:
                ws.write(r_i, c_i, v)
    return ws


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
    con = duckdb.connect(str(db_path), read_only=True)
    try:
        names = {r["unit_id"]: r["name"] for r in rows(con, "SELECT unit_id, name FROM units")}
        summary = rows(con, """SELECT * FROM rollup_summary
                               ORDER BY year, hierarchy DESC, group_level DESC, group_id""")
        league = rows(con, """SELECT * FROM league_table ORDER BY year,
                              CASE peer_level WHEN 'league' THEN 0 WHEN 'banner' THEN 1 WHEN 'zone' THEN 2
                                   WHEN 'township' THEN 3 ELSE 4 END, statutory_banner_id NULLS FIRST, unit_id""")
        findings = rows(con, """SELECT f.*, u.name AS unit_name FROM findings f LEFT JOIN units u USING (unit_id)
                                JOIN reports r ON r.active AND r.unit_id = f.unit_id AND r.year = f.year
                                              AND (f.report_id IS NULL OR f.report_id = r.report_id)
                                WHERE f.status <> 'PASS'
                                ORDER BY f.year, f.unit_id,
                                    CASE f.status WHEN 'FAIL' THEN 0 WHEN 'UNCERTAIN' THEN 1
                                                  WHEN 'NOT_ASSESSABLE' THEN 2 ELSE 3 END, f.rule_id, f.instance""")
        by_rule = rows(con, """SELECT f.year, f.rule_id, any_value(f.severity) AS severity,
                                  count(*) FILTER (WHERE f.status = 'FAIL') AS fail,
                                  count(*) FILTER (WHERE f.status = 'UNCERTAIN') AS uncertain,
                                  count(*) FILTER (WHERE f.status = 'NOT_ASSESSABLE') AS not_assessable,
                                  count(*) FILTER (WHERE f.status = 'PASS') AS pass,
                                  count(DISTINCT f.unit_id) FILTER (WHERE f.status = 'FAIL') AS units_failing
                               FROM findings f
                               JOIN reports r ON r.active AND r.unit_id = f.unit_id AND r.year = f.year
                                             AND (f.report_id IS NULL OR f.report_id = r.report_id)
                               GROUP BY ALL ORDER BY f.year, f.rule_id""")
        missing = rows(con, """SELECT y.*, (SELECT string_agg(m.path || '：' || coalesce(m.reason, m.status), '；'
                                                      ORDER BY m.path)
                                           FROM manifest m WHERE m.unit_id = y.unit_id AND m.year = y.year) AS reasons
                               FROM unit_years y WHERE y.expected AND NOT y.read ORDER BY y.year, y.unit_id""")
        reps = rows(con, "SELECT report_id, unit_id, year FROM reports WHERE active ORDER BY year, unit_id")
        cur = con.execute("SELECT c.report_id, c.cell_id, c.semantic, c.value, c.raw FROM cells c "
                          "JOIN reports r ON r.report_id = c.report_id AND r.active")
        cells: dict[str, dict] = {}
        for rid, cid, sem, val, raw in cur.fetchall():
            cells.setdefault(rid, {})[cid] = (sem, val, raw)
    finally:
        con.close()
    for r in league + missing:
        r["statutory_banner"] = names.get(r.get("statutory_banner_id"))
        r["managing_banner"] = names.get(r.get("managing_banner_id"))

    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(f".{path.name}.tmp")
    book = _Book(tmp)
    _sheet(book, "汇总", SUMMARY_COLS, summary)
    _sheet(book, "单位排行", LEAGUE_COLS, league)
    _sheet(book, "检查发现", FINDING_COLS, findings)
    _sheet(book, "规则汇总", RULE_COLS, by_rule)
    _sheet(book, "缺报单位", MISSING_COLS, missing)

    ids = all_cell_ids()
    ws = book.sheet("全部单元格")
    ws.set_column(0, 0, 12)
    ws.set_column(1, 1, 20)
    ws.set_column(2, 2, 7)
    ws.set_column(3, len(ids) + 2, 11)
    ws.freeze_panes(2, 3)
    ws.set_row(0, 48)
    ws.write_row(0, 0, ["单位代码", "单位", "年度"] + [short_label(c) for c in ids], book.header)
    ws.write_row(1, 0, ["unit_id", "unit_name", "year"] + ids, book.header_ids)
    for r_i, r in enumerate(reps, start=2):
        cs = cells.get(r["report_id"], {})
        ws.write_row(r_i, 0, [r["unit_id"], names.get(r["unit_id"]), r["year"]] +
                     [cell_marker(*cs[c]) if c in cs else MARKERS["MISSING"] for c in ids])

    lg = book.sheet("说明")
    lg.set_column(0, 0, 18)
    lg.set_column(1, 1, 100)
    lg.freeze_panes(1, 0)
    lg.write_row(0, 0, ["标记或名称", "含义"], book.header)
    for i, (a, b) in enumerate(LEGEND, start=1):
        lg.write_row(i, 0, [a, b])
    book.wb.close()
    os.replace(tmp, path)
    return {"path": str(path), "sheets": list(book.names), "summary_rows": len(summary), "league_rows": len(league),
            "findings": len(findings), "rules": len(by_rule), "missing": len(missing), "reports": len(reps),
            "seconds": round(time.perf_counter() - t0, 3)}


def workbook_process(db: str, path: str, conn) -> None:
    """Entry point of the process that writes the workbook beside the pages (see report_assets)."""
    try:
        conn.send(("ok", write_workbook(db, path)))
    except Exception as e:  # reported by the parent, in words
        conn.send(("error", f"{type(e).__name__}: {e}"))
    finally:
        conn.close()
