"""Building the DuckDB warehouse from the inbox manifest, the read cache and the registry.

The build always writes a new file (a candidate); publishing is an atomic rename done only after
the pipeline's own invariants pass, so an analyst who holds the old file open keeps reading it.
Every table and view is defined in `sql/` (one model per file, applied in order).
"""

from __future__ import annotations

import gc
import json
from dataclasses import dataclass
from pathlib import Path

import duckdb
import pandas as pd

from . import PARSER_VERSION, __version__
from .duck import BUILD_MEMORY, READ_MEMORY, WRITE_MEMORY, sql_str
from .inbox import InboxFile

# the plan is decided in plan.py; re-exported for callers
from .plan import (  # noqa: F401
    MANIFEST_COLUMNS,
    REPORT_PLAN_COLUMNS,
    load_history,
    plan,
    plausible_year,
    update_history,
)
from .readcache import ReadCache
from .registry import Registry

ROOT = Path(__file__).resolve().parents[1]
SQL_DIR = ROOT / "sql"
# Files written with this storage version open in DuckDB clients from 1.1 on (checked with 1.1.3 and
# 1.2.2; 1.0 cannot read the comments on view columns).
STORAGE_VERSION = "v1.1.0"


def connect(path: str | Path, read_only: bool = False) -> duckdb.DuckDBPyConnection:
    """A connection to the warehouse at `path`. Read-only, the file is attached to an instance of the
    connection's own: `duckdb.connect(path)` would hand out the instance DuckDB keeps per path and
    process, which still shows the file that was there before the last publish."""
    if read_only:
        con = duckdb.connect(":memory:", config={"memory_limit": READ_MEMORY})
        con.execute(f"ATTACH {sql_str(path)} AS nianbao (READ_ONLY)")
        con.execute("USE nianbao")
    else:
        con = duckdb.connect(
            str(path), config={"storage_compatibility_version": STORAGE_VERSION, "memory_limit": WRITE_MEMORY}
        )
    con.execute("SET enable_progress_bar = false")  # long queries would draw bars on the terminal
    return con


def sql_files(group: str) -> list[Path]:
    return sorted((SQL_DIR / group).glob("*.sql"))


def run_sql(con: duckdb.DuckDBPyConnection, group: str) -> None:
    for f in sql_files(group):
        con.execute(f.read_text(encoding="utf-8"))


# Rollup views computed once, after the findings are in, and stored as tables of the same name (in
# this order: each may read the ones before). They stay defined as views in sql/rollups/; a warehouse
# straight out of `build` (before checks) has them as views.
MATERIALIZED = (
    "rollup_members",
    "unit_years",
    "rollup_cells",
    "rollup_coverage",
    "rollup_timeliness",
    "rollup_findings",
    "rollup_copying",
    "rollup_own_vs_units",
    "derived_figures",
    "unit_ranks",
    "league_table",
    "rollup_summary",
)


def materialize_rollups(con: duckdb.DuckDBPyConnection) -> None:
    """Replace the heavy rollup views by tables with the same name, columns and comments.

    A view such as rollup_summary joins six others, each recomputing unit_years; at a country's
    scale that no longer fits in a reader's memory. Stored once, every reader (pages, workbook,
    an analyst) reads small tables.
    """
    for name in MATERIALIZED:
        kind = con.execute(
            "SELECT 'view' FROM duckdb_views() WHERE view_name = ? AND database_name = "
            "current_database() UNION ALL SELECT 'table' FROM duckdb_tables() WHERE table_name = ? "
            "AND database_name = current_database()",
            [name, name],
        ).fetchone()
        if not kind or kind[0] != "view":
            continue
        view_comment = con.execute(
            "SELECT comment FROM duckdb_views() WHERE view_name = ? AND database_name = current_database()", [name]
        ).fetchone()[0]
        col_comments = con.execute(
            "SELECT column_name, comment FROM duckdb_columns() WHERE table_name = ? AND "
            "database_name = current_database()",
            [name],
        ).fetchall()
        tmp = f"{name}__materialized"
        con.execute(f'CREATE TABLE "{tmp}" AS SELECT * FROM "{name}"')
        con.execute(f'DROP VIEW "{name}"')
        con.execute(f'ALTER TABLE "{tmp}" RENAME TO "{name}"')
        if view_comment:
            con.execute(f'COMMENT ON TABLE "{name}" IS ' + sql_str(view_comment + " (Stored after the checks.)"))
        for col, text in col_comments:
            if text:
                con.execute(f'COMMENT ON COLUMN "{name}"."{col}" IS ' + sql_str(text))


def _write_rules(con: duckdb.DuckDBPyConnection) -> None:
    from .checks.catalogue import rules

    con.register(
        "rr",
        pd.DataFrame(
            [
                (r.id, r.family, r.scope, r.severity, r.title_zh, r.explain_zh, r.explain_en, r.basis, r.min, r.max)
                for r in rules()
            ],
            columns=[
                "rule_id",
                "family",
                "scope",
                "severity",
                "title_zh",
                "explain_zh",
                "explain_en",
                "basis",
                "lo",
                "hi",
            ],
        ),
    )
    con.execute(
        "INSERT INTO rules SELECT rule_id, family, scope, severity, title_zh, explain_zh, explain_en, basis, "
        "lo::DOUBLE, hi::DOUBLE FROM rr"
    )
    con.register(
        "ri",
        pd.DataFrame(
            [(r.id, i.name, i.label_zh, list(i.lhs), list(i.rhs)) for r in rules() for i in r.instances],
            columns=["rule_id", "instance", "label_zh", "lhs", "rhs"],
        ),
    )
    con.execute("INSERT INTO rule_instances SELECT rule_id, instance, label_zh, lhs::VARCHAR[], rhs::VARCHAR[] FROM ri")
    con.unregister("rr")
    con.unregister("ri")


def document_columns(con: duckdb.DuckDBPyConnection) -> None:
    """Comment every column that its own .sql file left undocumented, from sql/columns.toml."""
    import tomllib

    docs = tomllib.loads((SQL_DIR / "columns.toml").read_text(encoding="utf-8"))
    common = docs.get("common", {})
    rows = con.execute(
        "SELECT table_name, column_name FROM duckdb_columns() "
        "WHERE database_name = current_database() AND comment IS NULL"
    ).fetchall()
    stmts = []
    for table, column in rows:
        text = docs.get(table, {}).get(column) if isinstance(docs.get(table), dict) else None
        text = text or common.get(column)
        if text:
            stmts.append(f'COMMENT ON COLUMN "{table}"."{column}" IS ' + sql_str(text))
    if stmts:
        con.execute("; ".join(stmts))


# ----------------------------------------------------------------------------------------------


@dataclass
class BuildResult:
    path: str
    files: int
    reports: int
    active: int
    set_aside: int
    duplicates: int
    superseded: int


# ----------------------------------------------------------------------------------------------


def build_id(
    manifest: pd.DataFrame,
    reports: pd.DataFrame,
    units: pd.DataFrame,
    aliases: pd.DataFrame,
    deadline: str,
    decisions: list | None = None,
) -> str:
    """The identity of a build: a digest of everything the warehouse is made from (the files and
    their fate, the report versions, the registry, the versions, the deadline, the SQL models and
    the rule catalogue). Two builds of the same inbox share it; pages and workbook carry it too."""
    import hashlib

    h = hashlib.sha256()
    for part in (__version__, PARSER_VERSION, STORAGE_VERSION, deadline):
        h.update(str(part).encode("utf-8") + b"\0")
    for d in decisions or []:  # the office's review decisions change the warehouse too
        h.update(repr(d).encode("utf-8", "surrogateescape") + b"\0")
    for df in (manifest, reports.drop(columns=["batch"], errors="ignore"), units, aliases):
        h.update(df.to_csv(index=False).encode("utf-8", "surrogateescape"))
    for f in sorted(SQL_DIR.rglob("*.sql")) + sorted((ROOT / "expectations").glob("*.toml")):
        h.update(f.read_bytes())
    return h.hexdigest()[:16]


# The cells of about this many reports are sorted at once (see _report_ranges).
CELL_PART_REPORTS = 10_000


def _report_ranges(con: duckdb.DuckDBPyConnection, n_reports: int) -> list[tuple[str | None, str | None]]:
    """Ranges [lo, hi) of report ids (None: unbounded) that split the `pick` table's reports into
    parts of about CELL_PART_REPORTS, in report_id order. The cells go in part by part, each part
    sorted by (report_id, cell_id): the same rows in the same order as one sort of them all, which
    at 100,000 reports (20 M cells) cost ~10 s of CPU more than the parts together (a part's sort
    stays in memory, and the join reads only the part's reports)."""
    parts = -(-n_reports // CELL_PART_REPORTS)
    if parts <= 1:
        return [(None, None)]
    ids = [r[0] for r in con.execute("SELECT report_id FROM pick ORDER BY report_id").fetchall()]
    bounds = sorted({ids[i * len(ids) // parts] for i in range(1, parts)})
    edges: list[str | None] = [None, *bounds, None]
    return list(zip(edges, edges[1:]))


def build(
    db_path: str | Path,
    files: list[InboxFile],
    cache: ReadCache,
    registry: Registry,
    state_dir: str | Path,
    inbox_label: str = "",
    deadline: str = "01-31",
    fault=None,
    decisions: list | None = None,
) -> BuildResult:
    """Write a complete warehouse to `db_path` (which must not be the published file).

    `decisions` (pipeline.review.decisions.Decision, in file order) are the office's review decisions:
    assignments enter the plan, corrections the cells; all are logged in the decisions table. `fault(stage)`
    is the crash tests' hook (see pipeline.faults)."""
    from .review.apply import Review

    db_path = Path(db_path)
    state_dir = Path(state_dir)
    for p in (db_path, Path(str(db_path) + ".wal")):
        if p.exists():
            p.unlink()
    review = Review(decisions or [], registry)
    manifest, reports = plan(files, cache, registry, state_dir, assignments=review.assignments())
    units = registry.units_frame()
    aliases = registry.aliases_frame()
    # Everything taken from the plan's frames is taken before the cells go in, and the frames are
    # dropped then: at 100,000 reports they hold hundreds of MB the inserts below need.
    bid = build_id(manifest, reports, units, aliases, deadline, decisions)
    years = sorted({int(y) for y in reports["year"].dropna()}) if len(reports) else []
    st = manifest["status"].value_counts().to_dict() if len(manifest) else {}
    result = BuildResult(
        path=str(db_path),
        files=len(manifest),
        reports=len(reports),
        active=int(reports["active"].sum()) if len(reports) else 0,
        set_aside=int(st.get("set_aside", 0)),
        duplicates=int(st.get("duplicate", 0)),
        superseded=int(st.get("superseded", 0)),
    )
    con = connect(db_path)
    try:
        con.execute(f"SET memory_limit = '{BUILD_MEMORY}'")
        con.execute("BEGIN TRANSACTION")
        run_sql(con, "schema")
        con.register("u", units)
        con.execute("""INSERT INTO units SELECT unit_id, name, full_name, level, kind,
                       nullif(statutory_parent, ''), nullif(managing_body, ''), files_own_report, can_make_rules,
                       deadline_kind, valid_from, valid_to, nullif(note, '') FROM u ORDER BY unit_id""")
        con.register("a", aliases)
        con.execute(
            "INSERT INTO unit_aliases SELECT unit_id, alias, valid_from, valid_to, source FROM a "
            "ORDER BY unit_id, alias, source"
        )
        if len(manifest):
            con.register("m", manifest)
            con.execute(
                "INSERT INTO manifest SELECT path, sha256, size_bytes, kind, status, reason, report_id, "
                "unit_id, year::INTEGER, duplicate_of, superseded_by, year_hint::INTEGER FROM m ORDER BY path"
            )
        if len(reports):
            con.register("r", reports)
            con.execute("""INSERT INTO reports SELECT report_id, sha256, path, version, in_inbox, active, status,
                           unit_id, year::INTEGER, agency, kind, format_version, title,
                           try_cast(published_on AS DATE), try_cast(signed_on AS DATE), try_cast(period_start AS DATE),
                           try_cast(period_end AS DATE), match_method, match_confidence, match_reason,
                           parser_version, n_problems, n_errors FROM r ORDER BY report_id""")
            con.execute("CREATE TEMP TABLE pick AS SELECT sha256, report_id, batch FROM r")
        for name in ("u", "a") + (("m",) if result.files else ()) + (("r",) if result.reports else ()):
            con.unregister(name)
        del manifest, reports, units, aliases
        gc.collect()
        if result.reports:
            ranges = _report_ranges(con, result.reports)
            for table in ("cells", "cells_extra"):
                files_ = cache.glob(table)
                # cells keep the value as read beside the effective one (review corrections: pipeline/review)
                as_read = (
                    ", c.semantic AS semantic_read, c.value AS value_read, 'read' AS value_source"
                    if table == "cells"
                    else ""
                )
                for lo, hi in ranges:
                    con.execute(
                        "CREATE OR REPLACE TEMP TABLE pick_part AS SELECT * FROM pick "
                        "WHERE (CAST(? AS VARCHAR) IS NULL OR report_id >= ?) "
                        "AND (CAST(? AS VARCHAR) IS NULL OR report_id < ?)",
                        [lo, lo, hi, hi],
                    )
                    con.execute(
                        f"""
                        INSERT INTO {table} BY NAME
                        SELECT p.report_id, c.cell_id, c.table_code, c.row_code, c.col_code, c.semantic, c.value,
                               c.raw, c.at AS location, c.read_by, c.confidence,
                               coalesce(c.inferred, false) AS inferred{as_read}
                        FROM read_parquet(?, filename = true, union_by_name = true) c
                        JOIN pick_part p ON p.sha256 = c.sha256 AND p.batch = parse_dirpath(c.filename)
                        ORDER BY p.report_id, c.cell_id""",
                        [files_],
                    )
            con.execute("DROP TABLE pick_part")
            con.execute(
                """
                INSERT INTO sections
                SELECT p.report_id, s.section, s.text, s.chars
                FROM read_parquet(?, filename = true, union_by_name = true) s
                JOIN pick p ON p.sha256 = s.sha256 AND p.batch = parse_dirpath(s.filename)
                ORDER BY p.report_id, s.section""",
                [cache.glob("sections")],
            )
            con.execute(
                """
                INSERT INTO problems
                SELECT p.report_id, s.seq, s.code, s.severity, s.message,
                       CAST(json_extract_string(s.cells, '$[*]') AS VARCHAR[])
                FROM read_parquet(?, filename = true, union_by_name = true) s
                JOIN pick p ON p.sha256 = s.sha256 AND p.batch = parse_dirpath(s.filename)
                ORDER BY p.report_id, s.seq""",
                [cache.glob("problems")],
            )
        if fault:
            fault("build")
        _write_rules(con)
        info = {
            "nianbao_version": __version__,
            "parser_version": PARSER_VERSION,
            "deadline": deadline,
            "storage_version": STORAGE_VERSION,
            "inbox": inbox_label,
            "report_years": json.dumps(years),
            "build_id": bid,
        }
        con.register("bi", pd.DataFrame(sorted(info.items()), columns=["key", "value"]))
        con.execute("INSERT INTO build_info SELECT key, value FROM bi")
        con.unregister("bi")
        review.apply_in_build(con)
        run_sql(con, "views")
        run_sql(con, "rollups")
        document_columns(con)
        con.execute("COMMIT")
        con.execute("CHECKPOINT")
    finally:
        con.close()
    return result


# ----------------------------------------------------------------------------------------------
# The pipeline's own invariants: they block publishing when they fail.


def invariants(db_path: str | Path, n_inbox_files: int) -> list[tuple[str, bool, str]]:
    con = connect(db_path, read_only=True)
    try:
        out = []
        n_manifest, n_unaccounted = con.execute(
            "SELECT count(*), count(*) FILTER (WHERE status IS NULL OR status NOT IN "
            "('read', 'set_aside', 'duplicate', 'superseded') OR (status <> 'read' AND reason IS NULL))"
            " FROM manifest"
        ).fetchone()
        ok = n_manifest == n_inbox_files and n_unaccounted == 0
        out.append(
            (
                "every_inbox_file_accounted_for",
                ok,
                f"{n_manifest} of {n_inbox_files} inbox files in the manifest; {n_unaccounted} without a "
                "status or reason",
            )
        )
        dup = con.execute(
            "SELECT count(*) FROM (SELECT unit_id, year FROM reports WHERE active GROUP BY ALL HAVING count(*) > 1)"
        ).fetchone()[0]
        out.append(("one_active_report_per_unit_year", dup == 0, f"{dup} unit-years with more than one active report"))
        bad = con.execute(
            "SELECT count(*) FROM (SELECT r.report_id, count(c.cell_id) AS n FROM reports r "
            "LEFT JOIN cells c USING (report_id) GROUP BY r.report_id HAVING n <> 200)"
        ).fetchone()[0]
        out.append(("two_hundred_cells_per_report", bad == 0, f"{bad} reports without exactly 200 cells"))
        return out
    finally:
        con.close()


def publish(candidate: str | Path, published: str | Path) -> None:
    """Atomically replace the published file (read-only, never with a stale `.wal` beside it, across
    file systems by a flushed copy). Readers holding the old file keep their view of it. A run
    publishes the warehouse with its pages and workbook: pipeline.publish.publish_set."""
    from .publish import place_file

    place_file(candidate, published)
