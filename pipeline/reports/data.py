"""Everything the pages and the workbook show, read from the published warehouse in a few queries.

The warehouse is opened read-only; all figures come from its tables and views (`sql/views`,
`sql/rollups`), so the pages, the workbook and an analyst's SQL agree.
"""

from __future__ import annotations

import datetime as _dt
from collections import defaultdict
from dataclasses import dataclass, field
from pathlib import Path

import duckdb

HIERARCHIES = ("statutory", "managing")


def _plain(v):
    if isinstance(v, (_dt.date, _dt.datetime)):
        return v.isoformat()
    if isinstance(v, float) and v != v:  # NaN
        return None
    if isinstance(v, (list, tuple)):
        return [_plain(x) for x in v]
    return v


def rows(con: duckdb.DuckDBPyConnection, sql: str, params=None) -> list[dict]:
    cur = con.execute(sql, params or [])
    names = [d[0] for d in cur.description]
    types = [str(d[1]).upper() for d in cur.description]
    # only dates, doubles (NaN) and lists need converting; strings and integers pass as they are
    convert = [i for i, t in enumerate(types) if any(k in t for k in ("DATE", "TIME", "DOUBLE", "FLOAT", "[]",
                                                                         "LIST", "DECIMAL"))]
    data = cur.fetchall()
    if not convert:
        return [dict(zip(names, r)) for r in data]
    out = []
    for r in data:
        r = list(r)
        for i in convert:
            r[i] = _plain(r[i])
        out.append(dict(zip(names, r)))
    return out



@dataclass
class Data:
    build_info: dict = field(default_factory=dict)
    settings: dict = field(default_factory=dict)
    years: list[int] = field(default_factory=list)
    units: dict[str, dict] = field(default_factory=dict)
    groups: dict[tuple, dict] = field(default_factory=dict)            # (hierarchy, group_id)
    members: dict[tuple, list[str]] = field(default_factory=dict)      # (hierarchy, group_id) -> unit ids
    unit_years: dict[tuple, dict] = field(default_factory=dict)        # (unit_id, year)
    reports: dict[str, dict] = field(default_factory=dict)             # report_id -> active report row
    cells: dict[str, dict] = field(default_factory=dict)               # report_id -> cell_id -> (sem, value, raw)
    extra_cells: dict[str, list] = field(default_factory=dict)
    sections: dict[str, dict] = field(default_factory=dict)
    problems: dict[str, list] = field(default_factory=dict)
    findings: dict[tuple, list] = field(default_factory=dict)          # (unit_id, year) -> findings rows
    derived: dict[tuple, dict] = field(default_factory=dict)           # ('unit', uid, year) / ('group', hier, gid, year)
    ranks: dict[tuple, dict] = field(default_factory=dict)             # (hier, uid, year) -> metric -> row
    rollup_cells: dict[tuple, dict] = field(default_factory=dict)      # (hier, gid, year) -> cell_id -> row
    coverage: dict[tuple, dict] = field(default_factory=dict)
    summary: dict[tuple, dict] = field(default_factory=dict)
    timeliness: dict[tuple, dict] = field(default_factory=dict)
    copying: dict[tuple, dict] = field(default_factory=dict)
    findings_by_rule: dict[tuple, list] = field(default_factory=dict)
    own_vs_units: dict[tuple, dict] = field(default_factory=dict)
    manifest_reasons: dict[tuple, list] = field(default_factory=dict)  # (unit_id, year) -> reasons of unread files
    report_by_unit_year: dict[tuple, str] = field(default_factory=dict)

    def unit_name(self, uid: str | None) -> str:
        u = self.units.get(uid or "")
        return u["name"] if u else (uid or "")

    def chain(self, uid: str, hierarchy: str) -> list[str]:
        """Parents from the immediate one up to the top, following the hierarchy."""
        out: list[str] = []
        u = self.units.get(uid)
        while u is not None:
            p = u["statutory_parent"] if hierarchy == "statutory" else (u["managing_body"] or u["statutory_parent"])
            if not p or p in out or p == uid:
                break
            out.append(p)
            u = self.units.get(p)
        return out


def load(db_path: str | Path) -> Data:
    con = duckdb.connect(str(db_path), read_only=True)
    try:
        return _load(con)
    finally:
        con.close()


def _load(con) -> Data:
    d = Data()
    d.build_info = {r["key"]: r["value"] for r in rows(con, "SELECT key, value FROM build_info")}
    d.settings = {r["key"]: r["value"] for r in rows(con, "SELECT key, value FROM report_settings")}
    d.units = {r["unit_id"]: r for r in rows(con, "SELECT * FROM units ORDER BY unit_id")}
    for r in rows(con, "SELECT * FROM rollup_groups ORDER BY hierarchy, group_level DESC, group_id"):
        d.groups[(r["hierarchy"], r["group_id"])] = r
    for r in rows(con, "SELECT hierarchy, group_id, unit_id FROM rollup_members ORDER BY hierarchy, group_id, unit_id"):
        d.members.setdefault((r["hierarchy"], r["group_id"]), []).append(r["unit_id"])
    for r in rows(con, "SELECT * FROM unit_years ORDER BY year, unit_id"):
        d.unit_years[(r["unit_id"], r["year"])] = r
    d.years = sorted({y for (_u, y) in d.unit_years})
    for r in rows(con, "SELECT * FROM reports WHERE active ORDER BY report_id"):
        d.reports[r["report_id"]] = r
        d.report_by_unit_year[(r["unit_id"], r["year"])] = r["report_id"]
    cur = con.execute("SELECT c.report_id, c.cell_id, c.semantic, c.value, c.raw FROM cells c "
                      "JOIN reports r ON r.report_id = c.report_id AND r.active")
    cells: dict[str, dict] = defaultdict(dict)
    for rid, cid, sem, val, raw in cur.fetchall():
        cells[rid][cid] = (sem, val, raw)
    d.cells = dict(cells)
    for r in rows(con, "SELECT c.* FROM cells_extra c JOIN reports r ON r.report_id = c.report_id AND r.active "
                       "ORDER BY c.report_id, c.table_code, c.cell_id"):
        d.extra_cells.setdefault(r["report_id"], []).append(r)
    for r in rows(con, "SELECT s.report_id, s.section, s.text FROM sections s "
                       "JOIN reports r ON r.report_id = s.report_id AND r.active"):
        d.sections.setdefault(r["report_id"], {})[r["section"]] = r["text"]
    for r in rows(con, "SELECT p.* FROM problems p JOIN reports r ON r.report_id = p.report_id AND r.active "
                       "ORDER BY p.report_id, p.seq"):
        d.problems.setdefault(r["report_id"], []).append(r)
    for r in rows(con, """
            SELECT f.* FROM findings f
            JOIN reports r ON r.active AND r.unit_id = f.unit_id AND r.year = f.year
                          AND (f.report_id IS NULL OR f.report_id = r.report_id)
            WHERE f.status <> 'PASS'  -- PASS results are counted in unit_years.findings_pass
            ORDER BY f.unit_id, f.year, f.rule_id, f.instance, f.finding_id"""):
        d.findings.setdefault((r["unit_id"], r["year"]), []).append(r)
    for r in rows(con, "SELECT * FROM derived_figures"):
        if r["scope"] == "unit":
            d.derived[("unit", r["entity_id"], r["year"])] = r
        else:
            d.derived[("group", r["hierarchy"], r["entity_id"], r["year"])] = r
    for r in rows(con, "SELECT * FROM unit_ranks"):
        d.ranks.setdefault((r["hierarchy"], r["unit_id"], r["year"]), {})[r["metric"]] = r
    cur = con.execute("""SELECT hierarchy, group_id, year, cell_id, units_reporting, units_numeric, units_not_number,
                                units_empty, units_na, units_text, units_missing, value_sum, parts_kind, parts_sum,
                                parts_numeric, parts_not_number FROM rollup_cells""")
    names = [x[0] for x in cur.description]
    rc: dict[tuple, dict] = defaultdict(dict)
    for t in cur.fetchall():
        r = dict(zip(names, t))
        rc[(r["hierarchy"], r["group_id"], r["year"])][r["cell_id"]] = r
    d.rollup_cells = dict(rc)
    for name, target in (("rollup_coverage", d.coverage), ("rollup_summary", d.summary),
                         ("rollup_timeliness", d.timeliness), ("rollup_copying", d.copying)):
        for r in rows(con, f"SELECT * FROM {name}"):
            target[(r["hierarchy"], r["group_id"], r["year"])] = r
    for r in rows(con, "SELECT * FROM rollup_findings ORDER BY rule_id"):
        d.findings_by_rule.setdefault((r["hierarchy"], r["group_id"], r["year"]), []).append(r)
    for r in rows(con, "SELECT hierarchy, group_id, year, cell_id, own_semantic, own_value, units_sum, "
                       "units_numeric, units_not_number, difference FROM rollup_own_vs_units"):
        d.own_vs_units.setdefault((r["hierarchy"], r["group_id"], r["year"]), {})[r["cell_id"]] = r
    for r in rows(con, "SELECT unit_id, year, path, status, reason FROM manifest "
                       "WHERE unit_id IS NOT NULL AND status <> 'read' ORDER BY path"):
        d.manifest_reasons.setdefault((r["unit_id"], r["year"]), []).append(r)
    return d

