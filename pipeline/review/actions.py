"""Review actions shared by the command line and `nianbao serve`: list findings, decide, correct,
assign, import a filled workbook. Each validates against the published warehouse and appends to the
decisions file; a refused decision raises `Refused` with the reason."""

from __future__ import annotations

from pathlib import Path

from ..reports.data import reading, rows
from .apply import REVIEWABLE
from .decisions import DISPOSITIONS, SEMANTICS, Decision, Refused, append, read, semantic_of

STATUSES = ("open", "confirmed", "dismissed", "explained", "stale")


def _db(db: Path):
    if not Path(db).exists():
        raise Refused(f"no warehouse at {db}: run `nianbao run` first")
    return reading(db)


def unapplied(inbox, con) -> dict[tuple, Decision]:
    """Decisions appended since the warehouse was built (not yet in its decisions table), latest per target."""
    from .apply import target

    try:
        known = {r[0] for r in con.execute("SELECT decision_id FROM decisions").fetchall()}
    except Exception:  # noqa: BLE001 - a warehouse without the review tables
        known = set()
    out: dict[tuple, Decision] = {}
    for d in read(inbox):
        if d.error or d.decision_id in known:
            continue
        out[target(d)] = d
    return out


def list_findings(
    inbox, db, year: int | None = None, status: str | None = None, banner: str | None = None, rule: str | None = None
) -> list[dict]:
    """Reviewable findings (FAIL, UNCERTAIN) of the active reports, with their review status (decisions
    made since the last run shown as they will apply), and stale dispositions."""
    if status is not None and status not in STATUSES:
        raise Refused(f"status {status!r} is not one of {', '.join(STATUSES)}")
    with _db(db) as con:
        where, args = ["f.status IN ('FAIL', 'UNCERTAIN')"], []
        if year is not None:
            where.append("f.year = ?")
            args.append(year)
        if rule:
            where.append("f.rule_id = ?")
            args.append(rule)
        if banner:
            where.append("(f.unit_id = ? OR f.unit_id IN (SELECT unit_id FROM rollup_members WHERE group_id = ?))")
            args += [banner, banner]
        fs = rows(
            con,
            f"""SELECT f.fingerprint AS id, f.finding_id, f.unit_id, u.name AS unit_name, f.year,
                                  f.rule_id, f.instance, f.status AS verdict, f.severity,
                                  coalesce(f.review_status, 'open') AS status, f.review_note, f.reviewed_by,
                                  f.decision_id, f.lhs_cells, f.rhs_cells, f.lhs_value, f.rhs_value, f.message_zh,
                                  f.report_id, r.sha256, r.path
                           FROM findings f JOIN reports r ON r.report_id = f.report_id AND r.active
                           LEFT JOIN units u ON u.unit_id = f.unit_id
                           WHERE {" AND ".join(where)}
                           ORDER BY f.year, f.unit_id, f.rule_id, f.instance""",
            args,
        )
        pending = unapplied(inbox, con)
        stale = rows(
            con,
            """SELECT d.finding AS id, d.unit_id, u.name AS unit_name, d.year, d.rule_id, d.instance,
                                    NULL AS verdict, 'stale' AS status, d.status AS decided, d.state_reason,
                                    d.decision_id, d.reason AS review_note, d.decided_by AS reviewed_by
                             FROM decisions d LEFT JOIN units u ON u.unit_id = d.unit_id
                             WHERE d.kind = 'disposition' AND d.state = 'stale'
                             ORDER BY d.year, d.unit_id, d.rule_id""",
        )
    for f in fs:
        f["cells"] = [c for c in (f.pop("lhs_cells") or []) + (f.pop("rhs_cells") or [])]
        d = pending.get(("disposition", f["id"]))
        if d is not None:
            f.update(
                status=d.status,
                review_note=d.reason or d.comment,
                reviewed_by=d.decided_by,
                decision_id=d.decision_id,
                pending=True,
            )
        else:
            f["pending"] = False
    out = fs
    if status == "stale":
        out = [s for s in stale if (year is None or s["year"] == year) and (not rule or s["rule_id"] == rule)]
    elif status is not None:
        out = [f for f in fs if f["status"] == status]
    return out


def finding(con, fid: str) -> dict:
    fs = rows(
        con,
        """SELECT f.*, r.sha256, r.path FROM findings f
                      JOIN reports r ON r.report_id = f.report_id AND r.active
                      WHERE f.fingerprint = ? OR f.finding_id = ?""",
        [fid, fid],
    )
    if not fs:
        raise Refused(f"no finding {fid} in the warehouse (use the id shown by `nianbao review list`)")
    f = fs[0]
    if f["status"] not in REVIEWABLE:
        raise Refused(f"finding {fid} is {f['status']}: only FAIL and UNCERTAIN findings are reviewed")
    return f


def _disposition(f: dict, status: str, reason: str, by: str, comment: str = "") -> Decision:
    """A decision on the finding row `f` (from `finding`)."""
    return Decision(
        decided_by=by or "",
        kind="disposition",
        finding=f["fingerprint"],
        unit_id=f["unit_id"] or "",
        year=str(f["year"]),
        rule_id=f["rule_id"],
        instance=f["instance"],
        report_sha256=f["sha256"],
        path=f["path"],
        status=status,
        reason=(reason or "").strip(),
        comment=(comment or "").strip(),
    )


def decide(inbox, db, fid: str, status: str, reason: str, by: str, comment: str = "") -> Decision:
    return decide_many(inbox, db, [fid], status, reason, by, comment)[0]


def decide_many(inbox, db, fids: list[str], status: str, reason: str, by: str, comment: str = "") -> list[Decision]:
    """Several dispositions at once (bulk confirm): all are validated before any is written."""
    if status not in DISPOSITIONS:
        raise Refused(f"status {status!r} is not one of {', '.join(DISPOSITIONS)}")
    with _db(db) as con:
        out = [_disposition(finding(con, fid), status, reason, by, comment) for fid in fids]
    return append(inbox, out) if out else []


def correct(
    inbox, db, unit: str, year: int, cell: str, value: float | None, semantic: str | None, reason: str, by: str
) -> Decision:
    from ..codebook import cell_ids

    if cell not in set(cell_ids()):
        raise Refused(f"{cell} is not a cell id of the 2021 format (e.g. T3/new/natural_person)")
    if value is None and not semantic:
        raise Refused("give the corrected --value or --semantic")
    if semantic:
        semantic = semantic.upper()
        if semantic not in SEMANTICS:
            raise Refused(f"semantic {semantic!r} is not one of {', '.join(SEMANTICS)}")
    if value is not None:
        sem = semantic_of(float(value))
        if semantic and semantic != sem:
            raise Refused(f"value {value} does not match semantic {semantic}")
        semantic, text = sem, (str(int(value)) if float(value).is_integer() else str(value))
    else:
        if semantic in ("NUMERIC", "ZERO"):
            raise Refused(f"a {semantic} cell needs its --value")
        text = ""
    with _db(db) as con:
        rep = con.execute(
            "SELECT sha256, path FROM reports WHERE active AND unit_id = ? AND year = ?", [unit, int(year)]
        ).fetchone()
    if rep is None:
        raise Refused(f"unit {unit} has no active report for {year}")
    d = Decision(
        decided_by=by or "",
        kind="correction",
        unit_id=unit,
        year=str(year),
        report_sha256=rep[0],
        path=rep[1],
        cell_id=cell,
        semantic=semantic,
        value=text,
        reason=(reason or "").strip(),
    )
    return append(inbox, [d])[0]


def assign(inbox, db, file: str, unit: str, year: int | None, reason: str, by: str) -> Decision:
    with _db(db) as con:
        m = con.execute(
            "SELECT path, sha256, status FROM manifest WHERE path = ? OR sha256 = ?", [file, file]
        ).fetchone()
        known = con.execute("SELECT count(*) FROM units WHERE unit_id = ?", [unit]).fetchone()[0]
    if m is None:
        raise Refused(f"no file {file} in the inbox manifest")
    if not m[1]:
        raise Refused(f"{m[0]} could not be read at all ({m[2]}): nothing to assign")
    if not known:
        raise Refused(f"unit {unit} is not in the registry")
    d = Decision(
        decided_by=by or "",
        kind="assignment",
        unit_id=unit,
        year=str(year) if year else "",
        report_sha256=m[1],
        path=m[0],
        reason=(reason or "").strip(),
    )
    return append(inbox, [d])[0]


# ----------------------------------------------------------------------------------------------
# The workbook round trip

REVIEW_HEADERS = ("复核结论", "说明", "复核人")
STATUS_WORDS = {
    "确认": "confirmed",
    "confirmed": "confirmed",
    "排除": "dismissed",
    "dismissed": "dismissed",
    "已说明": "explained",
    "说明": "explained",
    "explained": "explained",
}


def _sheet_decisions(ws, title: str, xlsx, first: bool) -> list[tuple[str, str, str, str, str]]:
    """(where, finding id, status, reason, by) of each row of one findings sheet whose 复核结论 is
    filled; `where` names the row ("row 12", or "检查发现 (2) row 12" on a continuation sheet)."""
    it = ws.iter_rows(values_only=True)
    header = None
    header_row = 0
    for n, row in enumerate(it, start=1):
        if (
            row
            and "编号" in [str(c or "").strip() for c in row]
            and REVIEW_HEADERS[0] in [str(c or "").strip() for c in row]
        ):
            header = [str(c or "").strip() for c in row]
            header_row = n
            break
    if header is None:
        raise Refused(f"{xlsx}: the sheet {title} has no header with 编号 and {REVIEW_HEADERS[0]}")
    col = {h: i for i, h in enumerate(header)}
    out: list[tuple[str, str, str, str, str]] = []
    for n, row in enumerate(it, start=header_row + 1):

        def get(h):
            i = col.get(h)
            v = row[i] if i is not None and i < len(row) else None
            return "" if v is None else str(v).strip()

        verdict = get(REVIEW_HEADERS[0])
        if not verdict:
            continue
        where = f"row {n}" if first else f"{title} row {n}"
        status = STATUS_WORDS.get(verdict)
        if status is None:
            raise Refused(f"{where}: 复核结论 {verdict!r} is not 确认, 排除 or 已说明")
        out.append((where, get("编号"), status, get(REVIEW_HEADERS[1]), get(REVIEW_HEADERS[2])))
    return out


def import_workbook(inbox, db, xlsx: str | Path) -> list[Decision]:
    """The findings sheet of a filled workbook: rows whose 复核结论 is filled become dispositions. All rows
    are validated first; an unknown finding or an empty reason for a dismissal refuses the import, naming
    the row."""
    from openpyxl import load_workbook

    try:
        wb = load_workbook(str(xlsx), read_only=True, data_only=True)
    except Exception as e:  # noqa: BLE001 - any unreadable file is bad input
        raise Refused(f"{xlsx} is not a readable .xlsx workbook ({type(e).__name__})") from None
    from ..reports.workbook import FINDINGS_SHEET

    if FINDINGS_SHEET not in wb.sheetnames:
        raise Refused(f"{xlsx} has no sheet {FINDINGS_SHEET}")
    # past Excel's row limit the findings go on in 检查发现 (2), (3), … (the workbook's continuation
    # sheets, each with the same header): a decision typed on any of them counts
    sheets = [FINDINGS_SHEET]
    while f"{FINDINGS_SHEET} ({len(sheets) + 1})" in wb.sheetnames:
        sheets.append(f"{FINDINGS_SHEET} ({len(sheets) + 1})")
    todo: list[tuple[str, str, str, str, str]] = []
    for title in sheets:
        todo += _sheet_decisions(wb[title], title, xlsx, first=title == FINDINGS_SHEET)
    out = []
    with _db(db) as con:
        for where, fid, status, reason, by in todo:
            try:
                f = finding(con, fid)
            except Refused as e:
                raise Refused(f"{where}: {e}") from None
            d = _disposition(f, status, reason, by, comment=f"imported from {Path(xlsx).name}")
            from .decisions import validate

            err = validate(d)
            if err:
                raise Refused(f"{where}: {err}")
            out.append(d)
    return append(inbox, out) if out else []
