"""Which reports the warehouse holds, decided before it is built: the version history of inbox
paths (`state/history.parquet`), each file's read from the cache, its unit and year, duplicates,
superseded versions and the review's file assignments. `plan()` returns the manifest and the report
plan that `warehouse.build()` writes; it also updates the history file as a side effect.
"""

from __future__ import annotations

import os
from datetime import date
from pathlib import Path

import pandas as pd

from . import PARSER_VERSION
from .duck import scratch, sql_str
from .inbox import InboxFile
from .readcache import ReadCache
from .readers.oldword import MISSING_TOOL
from .registry import Registry

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


def _cache_reports(cache: ReadCache) -> list[dict]:
    """The cached reading of every file (one row a SHA-256: from the first batch, preferring one
    without a missing-converter error), as dicts whose missing values are None."""
    files = cache.glob("reports")
    if not files:
        return []
    con = scratch()
    try:
        cur = con.execute(
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
        )
        names = [d[0] for d in cur.description]
        return [dict(zip(names, row)) for row in cur.fetchall()]
    finally:
        con.close()


def _none(v):
    if v is None or type(v) is str or type(v) is int:  # most values: never missing (pd.isna is slow)
        return v
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
    by_sha = {r["sha256"]: r for r in cached}

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
