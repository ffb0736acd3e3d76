"""Building the DuckDB warehouse from the inbox manifest, the read cache and the registry.

The build always writes a new file (a candidate); publishing is an atomic rename done only after
the pipeline's own invariants pass, so an analyst who holds the old file open keeps reading it.
Every table and view is defined in `sql/` (one model per file, applied in order).
"""

from __future__ import annotations

import json
import os
from dataclasses import dataclass
from datetime import date
from pathlib import Path

import duckdb
import pandas as pd

from . import PARSER_VERSION, __version__
from .duck import READ_MEMORY, WRITE_MEMORY, scratch, sql_str
from .inbox import InboxFile
from .readcache import ReadCache
from .readers.oldword import MISSING_TOOL
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
    for table, column in rows:
        text = docs.get(table, {}).get(column) if isinstance(docs.get(table), dict) else None
        text = text or common.get(column)
        if text:
            con.execute(f'COMMENT ON COLUMN "{table}"."{column}" IS ' + sql_str(text))


# ----------------------------------------------------------------------------------------------
# Version history of inbox paths (kept in the state folder, so older versions stay known)


def load_history(state_dir: Path) -> pd.DataFrame:
    p = state_dir / "history.parquet"
    if p.exists():
        con = scratch()
        try:
            return con.execute("SELECT * FROM read_parquet(?) ORDER BY path, version", [str(p)]).df()
        finally:
            con.close()
    return pd.DataFrame(
        {
            "path": pd.Series(dtype=object),
            "sha256": pd.Series(dtype=object),
            "version": pd.Series(dtype="int64"),
            "first_seen": pd.Series(dtype="int64"),
        }
    )


def update_history(state_dir: Path, files: list[InboxFile]) -> pd.DataFrame:
    hist = load_history(state_dir)
    seen = set(zip(hist["path"], hist["sha256"]))
    seq = int(hist["first_seen"].max()) + 1 if len(hist) else 1
    max_version = hist.groupby("path")["version"].max().to_dict() if len(hist) else {}
    new = []
    for f in files:
        if f.error or (f.path, f.sha256) in seen:
            continue
        v = int(max_version.get(f.path, 0)) + 1
        max_version[f.path] = v
        new.append({"path": f.path, "sha256": f.sha256, "version": v, "first_seen": seq})
    if new:
        hist = pd.concat([hist, pd.DataFrame(new)], ignore_index=True)
        tmp = state_dir / ".history.parquet.tmp"
        con = scratch()
        try:
            con.register("h", hist)
            con.execute(
                f"COPY (SELECT path, sha256, version::BIGINT AS version, first_seen::BIGINT AS first_seen "
                f"FROM h ORDER BY path, version) TO {sql_str(tmp)} (FORMAT parquet)"
            )
        finally:
            con.close()
        os.replace(tmp, state_dir / "history.parquet")
    return hist


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


def _cache_reports(cache: ReadCache) -> pd.DataFrame:
    files = cache.glob("reports")
    if not files:
        return pd.DataFrame(columns=["sha256", "batch"])
    con = scratch()
    try:
        return con.execute(
            """
            SELECT * EXCLUDE (filename, rn) FROM (
                SELECT *, parse_dirpath(filename) AS batch,
                       row_number() OVER (PARTITION BY sha256
                                          ORDER BY coalesce(error, '') LIKE ?, filename) AS rn
                FROM read_parquet(?, filename = true, union_by_name = true)
                WHERE parser_version = ?)
            WHERE rn = 1
            """,
            [f"%{MISSING_TOOL}%", files, PARSER_VERSION],
        ).df()
    finally:
        con.close()


def _none(v):
    if v is None:
        return None
    try:
        if pd.isna(v):
            return None
    except (TypeError, ValueError):
        pass
    return v


# The regulations on government information disclosure took effect in 2008: no annual report is older.
FIRST_REPORT_YEAR = 2008


def plausible_year(year: int) -> bool:
    return FIRST_REPORT_YEAR <= year <= date.today().year + 1


def plan(
    files: list[InboxFile], cache: ReadCache, registry: Registry, state_dir: Path, assignments: dict | None = None
) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Decide every file's status and every report version's place: (manifest, reports).

    `assignments` (file SHA-256 -> (unit_id, year or None)) are the office's review decisions that
    give a file to a unit; they win over the registry's resolution."""
    hist = update_history(state_dir, files)
    cached = _cache_reports(cache)
    retries = cache.retries()
    by_sha = {r["sha256"]: r for r in cached.to_dict("records")}

    current: dict[str, list[str]] = {}
    for f in files:
        if not f.error:
            current.setdefault(f.sha256, []).append(f.path)
    for paths in current.values():
        paths.sort()

    first_seen = {}
    version_of = {}
    last_path = {}
    for row in hist.itertuples(index=False):
        first_seen[row.sha256] = min(first_seen.get(row.sha256, row.first_seen), row.first_seen)
        version_of[(row.path, row.sha256)] = int(row.version)
        last_path[row.sha256] = row.path

    reports: list[dict] = []
    setaside_reason: dict[str, str] = {}
    for sha in sorted(set(hist["sha256"]) | set(current)):
        rep = by_sha.get(sha)
        if rep is None:
            continue
        if _none(rep.get("error")):
            setaside_reason[sha] = rep["error"]
            continue
        in_inbox = sha in current
        path = current[sha][0] if in_inbox else last_path.get(sha)
        if path is None:
            continue
        year = _none(rep.get("year"))
        year = int(year) if year is not None else None
        res = registry.resolve(_none(rep.get("agency")), path, year)
        if assignments and sha in assignments:  # the office assigned this file to a unit (pipeline/review)
            res, year = assigned(assignments[sha], year)
        status, reason = "candidate", None
        n_cells_read = _none(rep.get("format_version"))
        if n_cells_read is None:
            status, reason = (
                "set_aside",
                "no table of the annual report format was found (not a report, or its tables are images)",
            )
        elif year is None:
            status, reason = (
                "set_aside",
                "the report year could not be found in the title, the statistical period or the text",
            )
        elif not plausible_year(year):
            status, reason = (
                "set_aside",
                (
                    f"the report year {year} is implausible: annual reports exist for "
                    f"{FIRST_REPORT_YEAR} to {date.today().year + 1}"
                ),
            )
            year = None  # no rollup, expected unit or page for a year that cannot be
        elif res.unit_id is None:
            status = "set_aside"
            reason = res.reason or "the publishing body matches no unit of the registry"
        reports.append(
            {
                "report_id": sha[:16],
                "sha256": sha,
                "path": path,
                "version": version_of.get((path, sha), 1),
                "in_inbox": in_inbox,
                "active": False,
                "status": status,
                "reason": reason,
                "unit_id": res.unit_id if status == "candidate" else (res.unit_id if res.unit_id else None),
                "year": year,
                "agency": _none(rep.get("agency")),
                "kind": _none(rep.get("kind")),
                "format_version": _none(rep.get("format_version")),
                "title": _none(rep.get("title")),
                "published_on": _none(rep.get("published_on")),
                "signed_on": _none(rep.get("signed_on")),
                "period_start": _none(rep.get("period_start")),
                "period_end": _none(rep.get("period_end")),
                "match_method": res.method,
                "match_confidence": float(res.confidence),
                "match_reason": res.reason or None,
                "parser_version": PARSER_VERSION,
                "n_problems": int(_none(rep.get("n_problems")) or 0),
                "n_errors": int(_none(rep.get("n_errors")) or 0),
                "first_seen": first_seen.get(sha, 0),
                "batch": rep["batch"],
            }
        )

    # one active report per unit and year: the newest publication, then the latest seen, then path
    groups: dict[tuple, list[dict]] = {}
    paths_now = current_paths(current)
    for r in reports:
        if r["status"] != "candidate":
            continue
        if not r["in_inbox"]:
            newer = r["path"] in paths_now
            r["status"] = "older_version" if newer else "withdrawn"
            r["reason"] = "a newer version of this file replaced it" if newer else "the file is no longer in the inbox"
            continue
        groups.setdefault((r["unit_id"], r["year"]), []).append(r)
    for (unit, year), rs in groups.items():
        rs.sort(key=lambda r: r["path"])  # stable sorts: on a tie the alphabetically first path wins
        rs.sort(key=lambda r: (r["published_on"] or "", r["first_seen"]), reverse=True)
        winner = rs[0]
        winner["status"], winner["active"] = "active", True
        for other in rs[1:]:
            other["status"] = "superseded"
            other["superseded_by"] = winner["report_id"]
            other["reason"] = (
                f"superseded by {winner['path']}, a newer version of the report of the same unit for {year}"
            )

    by_rid = {r["sha256"]: r for r in reports}
    manifest = []
    for f in files:
        row = {
            "path": f.path,
            "sha256": f.sha256 or None,
            "size_bytes": f.size,
            "kind": f.kind,
            "status": None,
            "reason": None,
            "report_id": None,
            "unit_id": None,
            "year": None,
            "duplicate_of": None,
            "superseded_by": None,
            "year_hint": f.year_hint,
        }
        if f.error:
            row.update(status="set_aside", reason=f.error)
        elif f.sha256 in setaside_reason:
            row.update(status="set_aside", reason=setaside_reason[f.sha256])
        elif f.sha256 not in by_rid and f.sha256 in retries:
            row.update(status="set_aside", reason=retries[f.sha256])
        elif f.sha256 not in by_rid:
            row.update(status="set_aside", reason="not read yet: the reading step for its year has not run")
        else:
            r = by_rid[f.sha256]
            row.update(report_id=r["report_id"], unit_id=r["unit_id"], year=r["year"])
            primary = current[f.sha256][0]
            if f.path != primary:
                row.update(status="duplicate", duplicate_of=primary, reason=f"same content as {primary}")
            elif r["status"] == "active":
                row.update(status="read")
            elif r["status"] == "superseded":
                row.update(status="superseded", superseded_by=r.get("superseded_by"), reason=r["reason"])
            else:
                row.update(status="set_aside", reason=r["reason"])
        manifest.append(row)
    return (
        pd.DataFrame(manifest, columns=MANIFEST_COLUMNS),
        pd.DataFrame(reports, columns=REPORT_PLAN_COLUMNS) if reports else pd.DataFrame(columns=REPORT_PLAN_COLUMNS),
    )


MANIFEST_COLUMNS = [
    "path",
    "sha256",
    "size_bytes",
    "kind",
    "status",
    "reason",
    "report_id",
    "unit_id",
    "year",
    "duplicate_of",
    "superseded_by",
    "year_hint",
]
REPORT_PLAN_COLUMNS = [
    "report_id",
    "sha256",
    "path",
    "version",
    "in_inbox",
    "active",
    "status",
    "reason",
    "unit_id",
    "year",
    "agency",
    "kind",
    "format_version",
    "title",
    "published_on",
    "signed_on",
    "period_start",
    "period_end",
    "match_method",
    "match_confidence",
    "match_reason",
    "parser_version",
    "n_problems",
    "n_errors",
    "first_seen",
    "batch",
    "superseded_by",
]


def assigned(target: tuple, year: int | None):
    from .registry import Resolution

    unit_id, year_given = target
    return (
        Resolution(unit_id=unit_id, method="review_assignment", confidence=1.0),
        int(year_given) if year_given else year,
    )


def current_paths(current: dict[str, list[str]]) -> set[str]:
    out: set[str] = set()
    for ps in current.values():
        out.update(ps)
    return out


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
    con = connect(db_path)
    try:
        run_sql(con, "schema")
        units = registry.units_frame()
        con.register("u", units)
        con.execute("""INSERT INTO units SELECT unit_id, name, full_name, level, kind,
                       nullif(statutory_parent, ''), nullif(managing_body, ''), files_own_report, can_make_rules,
                       deadline_kind, valid_from, valid_to, nullif(note, '') FROM u ORDER BY unit_id""")
        aliases = registry.aliases_frame()
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
            pick = reports[["sha256", "report_id", "batch"]]
            con.register("pick", pick)
            for table in ("cells", "cells_extra"):
                files_ = cache.glob(table)
                # cells keep the value as read beside the effective one (review corrections: pipeline/review)
                as_read = (
                    ", c.semantic AS semantic_read, c.value AS value_read, 'read' AS value_source"
                    if table == "cells"
                    else ""
                )
                con.execute(
                    f"""
                    INSERT INTO {table} BY NAME
                    SELECT p.report_id, c.cell_id, c.table_code, c.row_code, c.col_code, c.semantic, c.value,
                           c.raw, c.at AS location, c.read_by, c.confidence,
                           coalesce(c.inferred, false) AS inferred{as_read}
                    FROM read_parquet(?, filename = true, union_by_name = true) c
                    JOIN pick p ON p.sha256 = c.sha256 AND p.batch = parse_dirpath(c.filename)
                    ORDER BY p.report_id, c.cell_id""",
                    [files_],
                )
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
        years = sorted({int(y) for y in reports["year"].dropna()}) if len(reports) else []
        info = {
            "nianbao_version": __version__,
            "parser_version": PARSER_VERSION,
            "deadline": deadline,
            "storage_version": STORAGE_VERSION,
            "inbox": inbox_label,
            "report_years": json.dumps(years),
            "build_id": build_id(manifest, reports, units, aliases, deadline, decisions),
        }
        con.register("bi", pd.DataFrame(sorted(info.items()), columns=["key", "value"]))
        con.execute("INSERT INTO build_info SELECT key, value FROM bi")
        con.unregister("bi")
        review.apply_in_build(con)
        run_sql(con, "views")
        run_sql(con, "rollups")
        document_columns(con)
        con.execute("CHECKPOINT")
    finally:
        con.close()
    st = manifest["status"].value_counts().to_dict() if len(manifest) else {}
    return BuildResult(
        path=str(db_path),
        files=len(manifest),
        reports=len(reports),
        active=int(reports["active"].sum()) if len(reports) else 0,
        set_aside=int(st.get("set_aside", 0)),
        duplicates=int(st.get("duplicate", 0)),
        superseded=int(st.get("superseded", 0)),
    )


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
