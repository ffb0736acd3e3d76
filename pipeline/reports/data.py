"""What the pages show, read from the published warehouse one year at a time.

The warehouse is opened read-only, with a memory limit and a temporary directory so that heavy
views spill to disk rather than grow (`reading`); all figures come from its tables and views
(`sql/views`, `sql/rollups`), so the pages, the workbook and an analyst's SQL agree.

Layers, so that no more than the year being rendered and the year before is ever held in Python:

* `load_common`: what pages of any year may need, a row or a few per unit or group (and year for the
  groups), kept for the whole render: the registry and groups, the years, coverage, summary,
  timeliness and copying of every group and year and the groups' derived figures (for the trend
  charts);
* `load_year`: what the pages of one year show besides the bulk of the reports: the unit-years,
  active reports' header fields and units' derived figures of that year and the year before, the
  units' ranks and the groups' finding counts by rule of that year, the year's 200 sums
  of every group, its groups' own reports next to those sums, the few cells of the year before that a
  unit page compares with, and digests of each report's cells, extra cells, narrative, problems and
  findings (computed by DuckDB: a page's fingerprint uses them instead of the rows);
* `load_reports`: the bulk (cells, extra cells, sections, problems, findings) of the reports whose
  pages are actually rendered, a batch at a time;
* `load_index`: what the index's units × years matrix shows, a few values per unit and year.

Each query asks for the columns the pages show, and for a year's rows where the pages need one year.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

import duckdb

from .fetch import (  # noqa: F401  (callers import them here)
    FETCH,
    READ_MEMORY,
    READ_THREADS,
    fetch_rows,
    reading,
    rows,
    tuples,
)

HIERARCHIES = ("statutory", "managing")

# Cells of the year before that a unit page compares with (its "与上年相比" table and the carry-over line).
PREV_CELLS = (
    "T3/new/total",
    "T3/carried_over/total",
    "T3/processed_total/total",
    "T3/granted/total",
    "T3/partly_granted/total",
    "T3/carried_forward/total",
    "T4/review.total",
    "T4/suit_direct.total",
    "T4/suit_after_review.total",
    "T2/normative_docs/issued",
    "T2/normative_docs/in_force",
    "T2/licensing/decisions",
    "T2/penalties/decisions",
    "T2/coercion/decisions",
    "T2/fees/amount",
)
# Cells of a group's own report shown next to the sum of its units.
OWN_CELLS = PREV_CELLS

UNIT_YEAR_COLS = (
    "unit_id",
    "year",
    "unit_name",
    "peer_level",
    "statutory_banner_id",
    "managing_banner_id",
    "expected",
    "received",
    "read",
    "report_id",
    "published_on",
    "signed_on",
    "deadline",
    "timeliness",
    "days_late",
    "findings_fail",
    "findings_fail_error",
    "findings_uncertain",
    "findings_not_assessable",
    "findings_pass",
    "copy_fail",
    "clean",
)
REPORT_COLS = (
    "report_id",
    "unit_id",
    "year",
    "path",
    "agency",
    "title",
    "kind",
    "format_version",
    "published_on",
    "signed_on",
    "match_method",
    "match_confidence",
    "n_problems",
)
UNIT_DERIVED_COLS = (
    "applications_new",
    "applications_processed",
    "disclosed",
    "share_disclosed",
    "reviews",
    "suits",
    "review_concluded",
    "suit_concluded",
)
RANK_COLS = (
    "value",
    "banner_id",
    "rank_in_banner",
    "n_in_banner",
    "rank_in_level",
    "n_in_level",
    "percentile_in_banner",
    "percentile_in_level",
)
FINDINGS_BY_RULE_COLS = ("rule_id", "severity", "fail", "uncertain", "not_assessable", "pass", "units_failing")
# rollup_cells columns a group page draws, in the order of the tuples kept per cell (see group.group_cell)
ROLLUP_CELL_COLS = (
    "units_reporting",
    "units_numeric",
    "units_not_number",
    "units_empty",
    "units_na",
    "units_text",
    "units_missing",
    "value_sum",
    "parts_kind",
    "parts_sum",
)


@dataclass
class Data:
    # -- the whole warehouse (load_common): a few rows per unit or group and year
    build_info: dict = field(default_factory=dict)
    settings: dict = field(default_factory=dict)
    years: list[int] = field(default_factory=list)
    units: dict[str, dict] = field(default_factory=dict)
    groups: dict[tuple, dict] = field(default_factory=dict)  # (hierarchy, group_id)
    members: dict[tuple, list[str]] = field(default_factory=dict)  # (hierarchy, group_id) -> unit ids
    sub_groups: dict[tuple, list[str]] = field(default_factory=dict)  # (hierarchy, league id) -> its banner groups
    coverage: dict[tuple, dict] = field(default_factory=dict)  # (hier, gid, year), every year
    summary: dict[tuple, dict] = field(default_factory=dict)  # (hier, gid, year), every year
    # ('group', hier, gid, year) -> every derived figure, every year; ('unit', uid, year) -> those
    # UNIT_DERIVED_COLS, the year and the year before (load_year)
    derived: dict[tuple, dict] = field(default_factory=dict)
    timeliness: dict[tuple, dict] = field(default_factory=dict)  # (hier, gid, year)
    copying: dict[tuple, dict] = field(default_factory=dict)  # (hier, gid, year)
    all_years: list[int] = field(default_factory=list)  # years of unit_years or of an active report
    # -- one year (load_year); unit-years and reports of the year and the year before: at 100,000
    # reports, every year's unit-years, headers and derived figures are over a gigabyte of Python objects
    year: int | None = None
    unit_years: dict[tuple, dict] = field(default_factory=dict)  # (unit_id, year)
    reports: dict[str, dict] = field(default_factory=dict)  # report_id -> active report (header fields)
    report_by_unit_year: dict[tuple, str] = field(default_factory=dict)
    report_years: dict[str, list] = field(
        default_factory=dict
    )  # unit with a report this year -> years of d.years it has one
    manifest_reasons: dict[tuple, list] = field(default_factory=dict)  # (unit_id, year) -> reasons of unread files
    # ranks and findings by rule of the year only: at 100,000 reports, every year's ranks alone are
    # half a gigabyte of Python objects, which each forked page worker would share and partly copy
    ranks: dict[tuple, dict] = field(default_factory=dict)  # (hier, uid, year) -> metric -> RANK_COLS
    findings_by_rule: dict[tuple, list] = field(default_factory=dict)  # (hier, gid, year) -> FINDINGS_BY_RULE_COLS
    # (hier, gid, year) -> cell id -> (own semantic, own value, own raw, units_sum, units_numeric,
    # units_not_number, difference): the group's own report next to its units' sum, for OWN_CELLS
    own_vs_units: dict[tuple, dict] = field(default_factory=dict)
    rollup_cells: dict[tuple, dict] = field(default_factory=dict)  # (hier, gid, year) -> cell_id -> tuple
    prev_cells: dict[str, dict] = field(default_factory=dict)  # report of the year before -> PREV_CELLS
    digests: dict[str, tuple] = field(default_factory=dict)  # report_id -> digests of its bulk
    findings_digest: dict[tuple, str] = field(default_factory=dict)  # (unit_id, year) -> digest of its findings
    other_reports: dict[tuple, list] = field(default_factory=dict)  # (unit_id, year) -> reports its findings cite
    other_headers: dict[str, tuple] = field(default_factory=dict)  # those of them active -> (unit_id, year)
    # the office's review (pipeline/review): 整改情况 of confirmed findings of the year and the year before,
    # and dispositions gone stale, per (unit_id, year) of the page
    remediation: dict[tuple, list] = field(default_factory=dict)
    stale_decisions: dict[tuple, list] = field(default_factory=dict)
    # -- the bulk of some reports of the year (load_reports)
    cells: dict[str, dict] = field(default_factory=dict)  # report_id -> cell_id -> (sem, value, raw)
    extra_cells: dict[str, list] = field(default_factory=dict)
    sections: dict[str, dict] = field(default_factory=dict)
    problems: dict[str, list] = field(default_factory=dict)
    findings: dict[tuple, list] = field(default_factory=dict)  # (unit_id, year) -> findings rows
    # -- the index (load_index)
    index_unit_years: dict[tuple, tuple] = field(default_factory=dict)  # (unit_id, year) -> INDEX_COLS
    reports_per_year: dict[int, int] = field(default_factory=dict)

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

    def for_year(self, year: int) -> Data:
        """A copy sharing the common part, with the per-year part empty."""
        d = Data(
            build_info=self.build_info,
            settings=self.settings,
            years=self.years,
            units=self.units,
            groups=self.groups,
            members=self.members,
            sub_groups=self.sub_groups,
            coverage=self.coverage,
            summary=self.summary,
            derived={k: v for k, v in self.derived.items() if k[0] == "group"},
            timeliness=self.timeliness,
            copying=self.copying,
            all_years=self.all_years,
        )
        d.year = year
        return d


def load(db_path: str | Path, year: int | None = None) -> Data:
    """Common data and, for `year`, the year's data and the bulk of all its reports (for tests and tools;
    the renderer loads in steps)."""
    with reading(db_path) as con:
        d = load_common(con)
        if year is not None:
            d = load_year(con, d, year)
            load_reports(con, d, sorted(r for (_u, y), r in d.report_by_unit_year.items() if y == year))
        return d


def index_sub_groups(d: Data) -> None:
    """d.sub_groups: the banner groups of each league group, those whose own unit is one of the league's
    members. A country holds many leagues; a league page lists its own banners only."""
    d.sub_groups.clear()
    member_sets = {k: set(v) for k, v in d.members.items() if d.groups.get(k, {}).get("group_level") == "league"}
    for (h, gid), g in d.groups.items():
        if g["group_level"] != "banner":
            continue
        for p in d.chain(gid, h):
            if gid in member_sets.get((h, p), ()):
                d.sub_groups.setdefault((h, p), []).append(gid)
                break


class _Shared:
    """One object for each distinct short string and integer of a year's rows. DuckDB hands every row
    its own objects: at 100,000 reports a year's unit ids, codes, names, cell ids and counts repeat
    hundreds of thousands of times across unit-years, headers, figures, ranks and the cells of the
    year before (a string of a unit id ~60 bytes each time). The values are equal, so what the pages
    show and the inputs' digests (pickled without memo) are the same."""

    MAX_LEN = 64  # longer strings (paths, texts) rarely repeat

    def __init__(self):
        self._str: dict[str, str] = {}
        self._int: dict[int, int] = {}

    def one(self, v):
        t = type(v)
        if t is str:
            return self._str.setdefault(v, v) if len(v) <= self.MAX_LEN else v
        if t is int:  # not bool, not float: 1, True and 1.0 are equal keys of a dict
            return self._int.setdefault(v, v)
        return v

    def row(self, r: dict) -> dict:
        one = self.one
        for k, v in r.items():
            r[k] = one(v)
        return r

    def tuple(self, t: tuple) -> tuple:
        one = self.one
        return tuple([one(v) for v in t])


def load_common(con) -> Data:
    d = Data()
    shared = _Shared()  # a unit's id once for its registry row, its groups' members and rows
    d.build_info = {r["key"]: r["value"] for r in rows(con, "SELECT key, value FROM build_info ORDER BY key")}
    d.settings = {r["key"]: r["value"] for r in rows(con, "SELECT key, value FROM report_settings ORDER BY key")}
    d.units = {r["unit_id"]: shared.row(r) for r in rows(con, "SELECT * FROM units ORDER BY unit_id")}
    for r in rows(con, "SELECT * FROM rollup_groups ORDER BY hierarchy, group_level DESC, group_id"):
        d.groups[(r["hierarchy"], r["group_id"])] = shared.row(r)
    for h, g, u in tuples(
        con, "SELECT hierarchy, group_id, unit_id FROM rollup_members ORDER BY hierarchy, group_id, unit_id"
    ):
        d.members.setdefault((shared.one(h), shared.one(g)), []).append(shared.one(u))
    index_sub_groups(d)
    d.years = [y for (y,) in tuples(con, "SELECT DISTINCT year FROM unit_years ORDER BY year")]
    d.all_years = sorted(
        set(d.years)
        | {y for (y,) in tuples(con, "SELECT DISTINCT year FROM reports WHERE active AND year IS NOT NULL")}
    )
    for r in rows(con, "SELECT * FROM rollup_coverage ORDER BY hierarchy, group_id, year"):
        d.coverage[(r["hierarchy"], r["group_id"], r["year"])] = shared.row(r)
    for r in rows(con, "SELECT * FROM rollup_summary ORDER BY hierarchy, group_id, year"):
        d.summary[(r["hierarchy"], r["group_id"], r["year"])] = shared.row(r)
    for r in rows(con, "SELECT * FROM derived_figures WHERE scope = 'group' ORDER BY hierarchy, entity_id, year"):
        d.derived[("group", r["hierarchy"], r["entity_id"], r["year"])] = shared.row(r)
    for r in rows(con, "SELECT * FROM rollup_timeliness ORDER BY hierarchy, group_id, year"):
        d.timeliness[(r["hierarchy"], r["group_id"], r["year"])] = shared.row(r)
    for r in rows(con, "SELECT * FROM rollup_copying ORDER BY hierarchy, group_id, year"):
        d.copying[(r["hierarchy"], r["group_id"], r["year"])] = shared.row(r)
    return d


# The digest of a table's rows of each report (or unit and year): MD5 of the rows as text (every
# column of the table, NULL marked), in a fixed order. DuckDB computes it, so an unchanged re-render
# never brings the rows into Python.
def _row_text(con, table: str, alias: str) -> str:
    cols = [
        c
        for (c,) in con.execute(
            "SELECT column_name FROM duckdb_columns() WHERE database_name = "
            "current_database() AND table_name = ? ORDER BY column_index",
            [table],
        ).fetchall()
    ]
    return "concat_ws(chr(31), " + ", ".join(f"coalesce(CAST({alias}.{c} AS VARCHAR), chr(29))" for c in cols) + ")"


def _agg_digest(row_sql: str) -> str:
    """An order-independent digest of a group's rows that streams (no string of all rows in memory,
    which at a country's scale does not fit): the count and the XOR of DuckDB's row hashes (rows are
    unique within a group, so no pair cancels out)."""
    return f"count(*)::VARCHAR || ':' || printf('%016x', bit_xor(hash({row_sql})))"


def _digest_sql(con, table: str, alias: str, key: str, order: str) -> str:
    return (
        f"SELECT {key}, {_agg_digest(_row_text(con, table, alias))} "
        f"FROM {table} {alias} JOIN reports r ON r.report_id = {alias}.report_id AND r.active AND r.year = ? "
        f"GROUP BY {key}"
    )


_FINDINGS_JOIN = (
    "findings f JOIN reports r ON r.active AND r.unit_id = f.unit_id AND r.year = f.year "
    "AND (f.report_id IS NULL OR f.report_id = r.report_id)"
)


def load_year(con, common: Data, year: int, rollup_cells: bool = True) -> Data:
    """The year's share of what the pages show, without the bulk of the reports (see load_reports).
    With `rollup_cells=False`, without the groups' 200 sums either (see load_rollup_cells): the
    largest of the year's parts, 290 MB of tuples at 100,000 reports, which the renderer reads a
    slice of groups at a time."""
    d = common.for_year(year)
    shared = _Shared()
    for uid in d.units:  # the registry's own strings
        shared.one(uid)
    two = [year - 1, year]
    for r in rows(
        con, f"SELECT {', '.join(UNIT_YEAR_COLS)} FROM unit_years WHERE year IN (?, ?) ORDER BY year, unit_id", two
    ):
        d.unit_years[(r["unit_id"], r["year"])] = shared.row(r)
    for r in rows(
        con, f"SELECT {', '.join(REPORT_COLS)} FROM reports WHERE active AND year IN (?, ?) ORDER BY report_id", two
    ):
        d.reports[r["report_id"]] = shared.row(r)
        d.report_by_unit_year[(r["unit_id"], r["year"])] = r["report_id"]
    for uid, y in tuples(
        con,
        """
            SELECT DISTINCT unit_id, year FROM reports WHERE active AND year IN (SELECT unnest(?::INTEGER[]))
              AND unit_id IN (SELECT unit_id FROM reports WHERE active AND year = ?) ORDER BY unit_id, year""",
        [list(d.years), year],
    ):
        d.report_years.setdefault(shared.one(uid), []).append(y)
    cols = ", ".join(UNIT_DERIVED_COLS)
    for r in rows(
        con,
        f"SELECT entity_id, year, {cols} FROM derived_figures WHERE scope = 'unit' "
        "AND year IN (?, ?) ORDER BY year, entity_id",
        two,
    ):
        d.derived[("unit", shared.one(r.pop("entity_id")), r.pop("year"))] = shared.row(r)
    for r in rows(
        con,
        "SELECT unit_id, year, path, status, reason FROM manifest "
        "WHERE unit_id IS NOT NULL AND status <> 'read' AND year = ? ORDER BY path",
        [year],
    ):
        d.manifest_reasons.setdefault((r["unit_id"], r["year"]), []).append(r)
    for t in tuples(
        con,
        f"SELECT hierarchy, unit_id, year, metric, {', '.join(RANK_COLS)} FROM unit_ranks "
        "WHERE year = ? ORDER BY hierarchy, unit_id, metric",
        [year],
    ):
        t = shared.tuple(t)
        d.ranks.setdefault((t[0], t[1], t[2]), {})[t[3]] = t[4:]
    for t in tuples(
        con,
        f"SELECT hierarchy, group_id, year, {', '.join(FINDINGS_BY_RULE_COLS)} FROM rollup_findings "
        "WHERE year = ? ORDER BY hierarchy, group_id, rule_id",
        [year],
    ):
        d.findings_by_rule.setdefault((t[0], t[1], t[2]), []).append(t[3:])
    for t in tuples(
        con,
        """
            SELECT o.hierarchy, o.group_id, o.cell_id, o.own_semantic, o.own_value, c.raw, o.units_sum,
                   o.units_numeric, o.units_not_number, o.difference
            FROM rollup_own_vs_units o JOIN cells c ON c.report_id = o.own_report_id AND c.cell_id = o.cell_id
            WHERE o.year = ? AND o.cell_id IN (SELECT unnest(?::VARCHAR[]))
            ORDER BY o.hierarchy, o.group_id, o.cell_id""",
        [year, list(OWN_CELLS)],
    ):
        d.own_vs_units.setdefault((t[0], t[1], year), {})[t[2]] = t[3:]
    if rollup_cells:
        load_rollup_cells(con, d, year)
    for rid, cid, sem, val, raw in tuples(
        con,
        """
            SELECT c.report_id, c.cell_id, c.semantic, c.value, c.raw FROM cells c
            JOIN reports r ON r.report_id = c.report_id AND r.active AND r.year = ?
            WHERE c.cell_id IN (SELECT unnest(?::VARCHAR[])) ORDER BY c.report_id, c.cell_id""",
        [year - 1, list(PREV_CELLS)],
    ):
        d.prev_cells.setdefault(rid, {})[shared.one(cid)] = (shared.one(sem), val, shared.one(raw))
    # digests of the bulk: what a unit page's fingerprint uses instead of the rows
    parts = {}
    # the 200 cells: each row hashed by DuckDB, the hashes combined (rows are unique per cell id; the
    # hash is DuckDB's own, unsalted, the same in every process and run: a DuckDB release that changed
    # it would only render every page once more); the rest, far fewer rows: MD5 of the rows as text
    # in a fixed order
    for rid, n, h in tuples(
        con,
        """
            SELECT c.report_id, count(*), bit_xor(hash(c.cell_id, c.semantic, c.value, c.raw))
            FROM cells c JOIN reports r ON r.report_id = c.report_id AND r.active AND r.year = ?
            GROUP BY c.report_id""",
        [year],
    ):
        parts.setdefault(rid, [None] * 4)[0] = f"{n}:{h:016x}"
    for i, (table, alias, order) in enumerate(
        (("cells_extra", "x", "x.table_code, x.cell_id"), ("sections", "s", "s.section"), ("problems", "p", "p.seq")),
        start=1,
    ):
        for rid, dg in tuples(con, _digest_sql(con, table, alias, f"{alias}.report_id", order), [year]):
            parts.setdefault(rid, [None] * 4)[i] = dg
    d.digests = {rid: tuple(v) for rid, v in sorted(parts.items())}
    row = _row_text(con, "findings", "f")
    for uid, dg in tuples(
        con,
        f"""
            SELECT f.unit_id, {_agg_digest(row)}
            FROM {_FINDINGS_JOIN} WHERE f.status <> 'PASS' AND r.year = ? GROUP BY f.unit_id ORDER BY 1""",
        [year],
    ):
        d.findings_digest[(uid, year)] = dg
    for uid, other, o_unit, o_year in tuples(
        con,
        f"""
            SELECT DISTINCT f.unit_id, f.other_report_id, o.unit_id, o.year FROM {_FINDINGS_JOIN}
            LEFT JOIN reports o ON o.report_id = f.other_report_id AND o.active
            WHERE f.status <> 'PASS' AND r.year = ? AND f.other_report_id IS NOT NULL ORDER BY 1, 2""",
        [year],
    ):
        d.other_reports.setdefault((uid, year), []).append(other)
        if o_unit is not None:
            d.other_headers[other] = (o_unit, o_year)
    load_review(con, d, year)
    return d


def load_rollup_cells(con, d: Data, year: int, groups: list[tuple] | None = None) -> None:
    """d.rollup_cells: the year's 200 sums of these (hierarchy, group id), or of every group, in place
    of what it held."""
    sql = f"SELECT hierarchy, group_id, cell_id, {', '.join(ROLLUP_CELL_COLS)} FROM rollup_cells WHERE year = ? "
    args: list = [year]
    if groups is not None:
        sql += "AND hierarchy || chr(0) || group_id IN (SELECT unnest(?::VARCHAR[])) "
        args.append([f"{h}\x00{g}" for h, g in groups])
    cur = con.execute(sql + "ORDER BY hierarchy, group_id, cell_id", args)
    d.rollup_cells = {}
    for t in fetch_rows(cur, 20_000):
        d.rollup_cells.setdefault((t[0], t[1], year), {})[t[2]] = t[3:]


INDEX_COLS = ("read", "clean", "expected", "findings_fail")


def load_index(con, d: Data) -> None:
    """What the index shows of every unit and year (INDEX_COLS), and the active reports per year."""
    d.index_unit_years = {
        (t[0], t[1]): t[2:]
        for t in tuples(con, f"SELECT unit_id, year, {', '.join(INDEX_COLS)} FROM unit_years ORDER BY year, unit_id")
    }
    d.reports_per_year = dict(
        tuples(
            con,
            "SELECT year, count(DISTINCT coalesce(unit_id, chr(0))) FROM reports "
            "WHERE active GROUP BY year ORDER BY year",
        )
    )


def load_review(con, d: Data, year: int) -> None:
    """整改情况 and stale dispositions shown on the unit pages of `year` (small tables; absent in a
    warehouse from before the review loop)."""
    try:
        rem = tuples(
            con,
            """SELECT m.unit_id, m.year, m.rule_id, m.instance, m.outcome, m.outcome_zh,
                                    coalesce(ru.title_zh, m.rule_id), d.decided_by, d.reason
                             FROM remediation m LEFT JOIN rules ru USING (rule_id)
                             LEFT JOIN decisions d USING (decision_id)
                             WHERE m.year IN (?, ?) ORDER BY m.unit_id, m.year, m.rule_id, m.instance""",
            [year - 1, year],
        )
        stale = tuples(
            con,
            """SELECT unit_id, kind, coalesce(status, semantic), coalesce(rule_id || '·' || instance,
                                      cell_id, path), state_reason, decided_by, decision_id
                               FROM decisions WHERE state = 'stale' AND year = ?
                               ORDER BY unit_id, line""",
            [year],
        )
    except duckdb.Error:
        return
    for t in rem:
        d.remediation.setdefault((t[0], year), []).append(t[1:])
    for t in stale:
        d.stale_decisions.setdefault((t[0], year), []).append(t[1:])


def load_reports(con, d: Data, report_ids: list[str]) -> None:
    """The bulk of these reports (active reports of d.year) into d: cells, extra cells, narrative,
    structural problems and findings (replacing what a previous batch left)."""
    ids = sorted(report_ids)
    d.cells, d.extra_cells, d.sections, d.problems, d.findings = {}, {}, {}, {}, {}
    if not ids:
        return
    sel = "SELECT unnest(?::VARCHAR[])"
    cells: dict[str, dict] = {}
    cur = con.execute(f"SELECT report_id, cell_id, semantic, value, raw FROM cells WHERE report_id IN ({sel})", [ids])
    for rid, cid, sem, val, raw in fetch_rows(cur, 50_000):
        c = cells.get(rid)
        if c is None:
            c = cells[rid] = {}
        c[cid] = (sem, val, raw)
    d.cells = cells
    for r in rows(
        con, f"SELECT * FROM cells_extra WHERE report_id IN ({sel}) ORDER BY report_id, table_code, cell_id", [ids]
    ):
        d.extra_cells.setdefault(r["report_id"], []).append(r)
    for rid, sec, text in tuples(
        con,
        f"SELECT report_id, section, text FROM sections WHERE report_id IN ({sel}) ORDER BY report_id, section",
        [ids],
    ):
        d.sections.setdefault(rid, {})[sec] = text
    for r in rows(con, f"SELECT * FROM problems WHERE report_id IN ({sel}) ORDER BY report_id, seq", [ids]):
        d.problems.setdefault(r["report_id"], []).append(r)
    for r in rows(
        con,
        f"""
            SELECT f.* FROM {_FINDINGS_JOIN}
            WHERE f.status <> 'PASS'  -- PASS results are counted in unit_years.findings_pass
              AND r.report_id IN ({sel})
            ORDER BY f.unit_id, f.year, f.rule_id, f.instance, f.finding_id""",
        [ids],
    ):
        d.findings.setdefault((r["unit_id"], r["year"]), []).append(r)
