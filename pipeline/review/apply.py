"""Applying the decisions file in every run.

`Review` takes the decisions in file order and decides which stand: a malformed line is rejected
(with its line number), a later decision on the same target supersedes an earlier one (both are
kept in the log). In the warehouse build, assignments enter the plan (`assignments`), corrections
set the effective `semantic`/`value` of `cells` (the value as read stays in `semantic_read`,
`value_read`, and `raw` is never changed) and every decision is written to the `decisions` table.
After the checks (`apply_dispositions`), findings get their fingerprint and review status, a
disposition whose finding no longer fails is marked stale, and `remediation` (整改情况) is built.
"""

from __future__ import annotations

import pandas as pd

from .decisions import COLUMNS, Decision

# the decisions table: a line of decisions.csv (its columns, with the line number after the id) and
# what applying it came to
DECISION_COLUMNS = [COLUMNS[0], "line", *COLUMNS[1:], "state", "state_reason", "superseded_by", "report_id"]
REVIEWABLE = ("FAIL", "UNCERTAIN")  # the findings a person reviews; the others have no review status


def target(d: Decision) -> tuple:
    if d.kind == "disposition":
        return ("disposition", d.finding)
    if d.kind == "correction":
        return ("correction", d.report_sha256, d.cell_id)
    return ("assignment", d.report_sha256)


class Review:
    def __init__(self, decisions: list[Decision], registry=None):
        self.rows: list[dict] = []
        standing: dict[tuple, dict] = {}
        for d in decisions:
            row = {
                **{k: v for k, v in d.as_dict().items() if k != "error"},
                "state": "pending",
                "state_reason": None,
                "superseded_by": None,
                "report_id": None,
            }
            if d.error:
                row.update(state="rejected", state_reason=f"line {d.line}: {d.error}")
            elif d.kind == "assignment" and registry is not None and d.unit_id not in registry:
                row.update(state="rejected", state_reason=f"line {d.line}: unit {d.unit_id} is not in the registry")
            else:
                key = target(d)
                prev = standing.get(key)
                if prev is not None:
                    prev.update(
                        state="superseded",
                        superseded_by=d.decision_id,
                        state_reason=f"a later decision on the same target stands ({d.decision_id}, line {d.line})",
                    )
                standing[key] = row
            self.rows.append(row)

    def standing(self, kind: str) -> list[dict]:
        return [r for r in self.rows if r["kind"] == kind and r["state"] == "pending"]

    def assignments(self) -> dict[str, tuple]:
        return {r["report_sha256"]: (r["unit_id"], r["year"] or None) for r in self.standing("assignment")}

    def apply_in_build(self, con) -> None:
        from ..codebook import cell_ids

        known = set(cell_ids())
        reports = {
            sha: (rid, active, status, path)
            for sha, rid, active, status, path in con.execute(
                "SELECT sha256, report_id, active, status, path FROM reports"
            ).fetchall()
        }
        updates = []
        for r in self.standing("correction"):
            rep = reports.get(r["report_sha256"])
            if r["cell_id"] not in known:
                r.update(
                    state="rejected",
                    state_reason=f"line {r['line']}: {r['cell_id']} is not a cell id of the 2021 format",
                )
            elif rep is None:
                r.update(
                    state="stale",
                    state_reason="the report version it corrects is no longer in the inbox "
                    "(the file was replaced or removed)",
                )
            elif not rep[1]:
                r.update(
                    state="stale",
                    report_id=rep[0],
                    state_reason=f"the report version it corrects is no longer the active one ({rep[2]}: the "
                    "file was replaced by a newer version)",
                )
            else:
                value = float(r["value"]) if r["semantic"] in ("NUMERIC", "ZERO") else None
                updates.append((r["semantic"], value, r["decision_id"], rep[0], r["cell_id"]))
                r.update(state="applied", report_id=rep[0])
        if updates:
            con.executemany(
                "UPDATE cells SET semantic = ?, value = ?, value_source = 'review', decision_id = ? "
                "WHERE report_id = ? AND cell_id = ?",
                updates,
            )
        for r in self.standing("assignment"):
            rep = reports.get(r["report_sha256"])
            if rep is None:
                r.update(state="stale", state_reason="the file is no longer in the inbox (or could not be read)")
            else:
                r.update(state="applied", report_id=rep[0], state_reason=None if rep[1] else f"the report is {rep[2]}")
        write_log(con, self.rows)


def write_log(con, rows: list[dict]) -> None:
    con.execute("DELETE FROM decisions")
    if not rows:
        return

    def text(v):
        return None if v is None or v == "" or (isinstance(v, float) and v != v) else str(v)

    df = pd.DataFrame(
        [{c: (int(r.get(c) or 0) if c == "line" else text(r.get(c))) for c in DECISION_COLUMNS} for r in rows],
        columns=DECISION_COLUMNS,
    ).astype(object)
    con.register("dec", df)
    con.execute(
        "INSERT INTO decisions SELECT decision_id, line::INTEGER, decided_at, decided_by, kind, finding, "
        "unit_id, try_cast(year AS INTEGER), rule_id, instance, report_sha256, path, cell_id, status, "
        "semantic, try_cast(value AS DOUBLE), reason, comment, state, state_reason, superseded_by, report_id "
        "FROM dec ORDER BY line"
    )
    con.unregister("dec")


FINGERPRINT_SQL = "substr(md5({u} || '|' || CAST({y} AS VARCHAR) || '|' || {r} || '|' || {i}), 1, 16)"


# a finding's fingerprint and review status before any decision (SQL over the findings' columns)
FRESH_FINGERPRINT_SQL = (
    "CASE WHEN unit_id IS NOT NULL AND year IS NOT NULL THEN "
    + FINGERPRINT_SQL.format(u="unit_id", y="year", r="rule_id", i="instance")
    + " END"
)
FRESH_REVIEW_STATUS_SQL = "CASE WHEN status IN ('FAIL', 'UNCERTAIN') THEN 'open' END"


def apply_dispositions(con, fresh: bool = False) -> dict:
    """After the checks: fingerprints and review status of the findings, dispositions applied or stale,
    the 整改情况 table. Returns counts of decision states. `fresh`: the findings were just written
    with FRESH_FINGERPRINT_SQL and FRESH_REVIEW_STATUS_SQL and no review columns (findings.py), so
    they are not rewritten (an update of every finding cost more than the rest of the step)."""
    if not fresh:
        con.execute(f"""UPDATE findings SET fingerprint = {FRESH_FINGERPRINT_SQL},
                        review_status = {FRESH_REVIEW_STATUS_SQL},
                        decision_id = NULL, review_note = NULL, reviewed_by = NULL, reviewed_at = NULL""")
    has_log = con.execute("SELECT count(*) FROM decisions").fetchone()[0] > 0
    if has_log:
        con.execute("""
            UPDATE findings SET review_status = d.status, decision_id = d.decision_id,
                   review_note = coalesce(d.reason, d.comment), reviewed_by = d.decided_by, reviewed_at = d.decided_at
            FROM decisions d
            WHERE d.kind = 'disposition' AND d.state = 'pending' AND d.finding = findings.fingerprint
              AND findings.status IN ('FAIL', 'UNCERTAIN')""")
        con.execute("""
            UPDATE decisions SET state = 'applied', report_id = f.report_id
            FROM findings f
            WHERE decisions.kind = 'disposition' AND decisions.state = 'pending' AND f.decision_id = decisions.decision_id""")
        con.execute("""
            UPDATE decisions SET state = 'stale', report_id = f.report_id,
                   state_reason = CASE WHEN f.status IS NULL THEN
                       'the finding no longer exists (no active report of the unit for the year, or the rule is not evaluated)'
                       WHEN f.status = 'PASS' THEN 'the finding no longer fires: the rule passes now'
                       ELSE 'the finding no longer fires: it cannot be checked now (' || f.status || ')' END
            FROM (SELECT d.decision_id, any_value(f.status) AS status, any_value(f.report_id) AS report_id
                  FROM decisions d LEFT JOIN findings f ON f.fingerprint = d.finding
                  WHERE d.kind = 'disposition' AND d.state = 'pending' GROUP BY d.decision_id) f
            WHERE decisions.decision_id = f.decision_id AND decisions.state = 'pending'""")
    build_remediation(con)
    return dict(con.execute("SELECT state, count(*) FROM decisions GROUP BY ALL").fetchall())


def build_remediation(con) -> None:
    con.execute("DELETE FROM remediation")
    nfp = FINGERPRINT_SQL.format(u="d.unit_id", y="(d.year + 1)", r="d.rule_id", i="d.instance")
    con.execute(f"""
        INSERT INTO remediation
        WITH c AS (
            SELECT d.decision_id, d.finding AS fingerprint, d.unit_id, d.year, d.rule_id, d.instance,
                   substr(d.report_sha256, 1, 16) AS decided_report_id, {nfp} AS next_fp
            FROM decisions d
            WHERE d.kind = 'disposition' AND d.status = 'confirmed' AND d.state IN ('applied', 'stale')
              AND d.unit_id IS NOT NULL AND d.year IS NOT NULL
        ), x AS (
            SELECT c.*, cur.report_id AS current_report_id, nxt.report_id AS next_report_id,
                   EXISTS (SELECT 1 FROM findings f WHERE f.fingerprint = c.fingerprint
                           AND f.status IN ('FAIL', 'UNCERTAIN')) AS fires_now,
                   CASE WHEN nxt.report_id IS NULL THEN NULL ELSE EXISTS (
                       SELECT 1 FROM findings f WHERE f.fingerprint = c.next_fp AND f.status IN ('FAIL', 'UNCERTAIN'))
                   END AS fires_next_year
            FROM c
            LEFT JOIN reports cur ON cur.active AND cur.unit_id = c.unit_id AND cur.year = c.year
            LEFT JOIN reports nxt ON nxt.active AND nxt.unit_id = c.unit_id AND nxt.year = c.year + 1
        )
        SELECT decision_id, fingerprint, unit_id, year, rule_id, instance, decided_report_id, current_report_id,
               coalesce(current_report_id <> decided_report_id, false) AS republished, fires_now,
               next_report_id, fires_next_year,
               CASE WHEN NOT fires_now AND coalesce(current_report_id <> decided_report_id, false) THEN 'fixed'
                    WHEN NOT fires_now THEN 'resolved'
                    ELSE 'not_fixed' END AS outcome,
               CASE WHEN NOT fires_now AND coalesce(current_report_id <> decided_report_id, false)
                        THEN '已整改（更正后重新发布的报告中已无此问题）'
                    WHEN NOT fires_now THEN '问题已不再出现'
                    WHEN coalesce(current_report_id <> decided_report_id, false)
                        THEN '未整改（重新发布的报告中仍有此问题）'
                    ELSE '未整改（报告未更正重新发布）' END
               || CASE WHEN next_report_id IS NULL THEN '；次年报告尚未收到'
                       WHEN fires_next_year THEN '；次年报告中仍有同一问题'
                       ELSE '；次年报告中已无同一问题' END AS outcome_zh
        FROM x ORDER BY unit_id, year, rule_id, instance""")
