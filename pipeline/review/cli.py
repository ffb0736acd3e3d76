"""`nianbao review …`, `nianbao notices`, `nianbao serve`: the review loop on the command line.

Every command takes the `--inbox`, `--out`, `--db` of `nianbao run`. A refused decision exits 2
with the reason."""

from __future__ import annotations

import argparse
import json
import sys

from .decisions import Refused

EXIT_OK, EXIT_BAD = 0, 2


def _settings(args):
    from ..settings import from_env

    return from_env(inbox=args.inbox, out=args.out, db=args.db)


def _print(obj: dict, as_json: bool, text: str) -> None:
    sys.stdout.write((json.dumps(obj, ensure_ascii=False, default=str) if as_json else text) + "\n")


def _refused(cmd: str, e: Exception) -> int:
    print(f"nianbao {cmd}: refused: {e}", file=sys.stderr)
    return EXIT_BAD


def cmd_list(args) -> int:
    from .actions import list_findings

    s = _settings(args)
    try:
        fs = list_findings(s.inbox, s.db, year=args.year, status=args.status, banner=args.banner, rule=args.rule)
    except Refused as e:
        return _refused("review list", e)
    for f in fs:
        obj = {
            k: f.get(k)
            for k in (
                "id",
                "unit_id",
                "unit_name",
                "year",
                "rule_id",
                "instance",
                "verdict",
                "status",
                "cells",
                "review_note",
                "reviewed_by",
                "decision_id",
                "message_zh",
                "state_reason",
                "pending",
            )
            if k in f
        }
        text = (
            f"{f['id']}  {f['unit_id']} {f.get('unit_name') or ''}  {f['year']}  {f['rule_id']}·{f['instance']}  "
            f"{f.get('verdict') or '-'}  {f['status']}"
            + ("*" if f.get("pending") else "")
            + (f"  {'、'.join(f['cells'][:4])}" if f.get("cells") else "")
            + (f"  ({f['state_reason']})" if f.get("state_reason") else "")
        )
        _print(obj, args.json, text)
    if not args.json:
        print(
            f"{len(fs)} findings"
            + (
                "  (* decided since the last run: applied by the next `nianbao run`)"
                if any(f.get("pending") for f in fs)
                else ""
            ),
            file=sys.stderr,
        )
    return EXIT_OK


def _done(d, as_json: bool) -> None:
    obj = {k: v for k, v in d.as_dict().items() if k not in ("line", "error") and v not in ("", None)}
    _print(
        obj,
        as_json,
        f"recorded {d.decision_id}: {d.kind} {d.status or d.semantic} "
        f"{d.finding or d.cell_id or d.path} (applied by the next `nianbao run`)",
    )


def _record(args, cmd: str, action) -> int:
    """One decision: `action(settings)` appends it; a refusal exits 2 with the reason."""
    try:
        d = action(_settings(args))
    except Refused as e:
        return _refused(cmd, e)
    _done(d, args.json)
    return EXIT_OK


def cmd_decide(args) -> int:
    from .actions import decide

    return _record(
        args,
        "review decide",
        lambda s: decide(
            s.inbox, s.db, args.finding, args.status, args.reason or "", args.by or "", args.comment or ""
        ),
    )


def cmd_correct(args) -> int:
    from .actions import correct

    return _record(
        args,
        "review correct",
        lambda s: correct(
            s.inbox, s.db, args.unit, args.year, args.cell, args.value, args.semantic, args.reason or "", args.by or ""
        ),
    )


def cmd_assign(args) -> int:
    from .actions import assign

    return _record(
        args,
        "review assign",
        lambda s: assign(s.inbox, s.db, args.file, args.unit, args.year, args.reason or "", args.by or ""),
    )


def cmd_import(args) -> int:
    from .actions import import_workbook

    s = _settings(args)
    try:
        ds = import_workbook(s.inbox, s.db, args.workbook)
    except Refused as e:
        return _refused("review import", e)
    for d in ds:
        _done(d, args.json)
    if not args.json:
        print(f"{len(ds)} decisions imported from {args.workbook}", file=sys.stderr)
    return EXIT_OK


def cmd_notices(args) -> int:
    from datetime import date

    from .notices import write_notices

    s = _settings(args)
    if not s.db.exists():
        return _refused("notices", f"no warehouse at {s.db}: run `nianbao run` first")
    out = args.dir or (s.out / "notices")
    try:
        issued = date.fromisoformat(args.date) if args.date else None
        res = write_notices(s.db, out, args.year, banner=args.banner, office=args.office, issued=issued)
    except ValueError as e:
        return _refused("notices", e)
    for p in res["notices"]:
        _print({"kind": "整改通知", "path": p}, args.json, f"整改通知 {p}")
    if res["summary"]:
        f = res["figures"]
        _print(
            {"kind": "通报", "path": res["summary"], "problems": f["problems"], "confirmed": f["confirmed"]},
            args.json,
            f"通报 {res['summary']} ({f['problems']} problems, {f['confirmed']} confirmed)",
        )
    return EXIT_OK


def cmd_serve(args) -> int:
    from .serve import serve

    return serve(_settings(args), host=args.host, port=args.port)


def _common(p) -> None:
    p.add_argument("--inbox", metavar="DIR", help="folder of reports (decisions in <inbox>/_review/decisions.csv)")
    p.add_argument("--out", metavar="DIR", help="run folder (default: ./runs/latest)")
    p.add_argument("--db", metavar="FILE", help="the published DuckDB file (default: <out>/nianbao.duckdb)")
    p.add_argument("--json", action="store_true", help="one JSON object per line")


def add_commands(sub) -> None:
    rv = sub.add_parser("review", help="the office's review: list findings, decide, correct cells, import a workbook")
    rsub = rv.add_subparsers(dest="review_command", metavar="ACTION")
    rv.set_defaults(func=lambda a: (rv.print_help(), EXIT_BAD)[1])

    p = rsub.add_parser("list", help="the findings to review (FAIL and UNCERTAIN) with their status")
    _common(p)
    p.add_argument("--year", type=int, metavar="Y")
    p.add_argument("--status", choices=["open", "confirmed", "dismissed", "explained", "stale"])
    p.add_argument("--banner", metavar="CODE", help="only the units of this banner")
    p.add_argument("--rule", metavar="RULE_ID")
    p.set_defaults(func=cmd_list)

    p = rsub.add_parser("decide", help="confirm, dismiss or mark explained a finding")
    _common(p)
    p.add_argument("finding", metavar="FINDING_ID", help="the id shown by `nianbao review list`")
    p.add_argument("--status", required=True, choices=["confirmed", "dismissed", "explained"])
    p.add_argument("--reason", metavar="TEXT", help="required to dismiss; the unit's explanation for explained")
    p.add_argument("--comment", metavar="TEXT")
    p.add_argument("--by", metavar="NAME", required=True, help="who decides")
    p.set_defaults(func=cmd_decide)

    p = rsub.add_parser("correct", help="correct a cell that was read wrongly")
    _common(p)
    p.add_argument("--unit", required=True, metavar="CODE")
    p.add_argument("--year", required=True, type=int, metavar="Y")
    p.add_argument("--cell", required=True, metavar="CELL_ID", help="e.g. T3/new/natural_person")
    g = p.add_mutually_exclusive_group(required=True)
    g.add_argument("--value", type=float, metavar="N")
    g.add_argument("--semantic", metavar="S", help="EMPTY, NA, TEXT or MISSING")
    p.add_argument("--reason", required=True, metavar="TEXT", help="reading_error, publisher_confirmed, …")
    p.add_argument("--by", metavar="NAME", required=True)
    p.set_defaults(func=cmd_correct)

    p = rsub.add_parser("assign", help="assign a set-aside file to a unit")
    _common(p)
    p.add_argument("file", metavar="PATH_OR_SHA256", help="inbox path or SHA-256 of the file")
    p.add_argument("--unit", required=True, metavar="CODE")
    p.add_argument("--year", type=int, metavar="Y", help="the report year, when it could not be read")
    p.add_argument("--reason", required=True, metavar="TEXT")
    p.add_argument("--by", metavar="NAME", required=True)
    p.set_defaults(func=cmd_assign)

    p = rsub.add_parser("import", help="append the decisions filled in the workbook's findings sheet")
    _common(p)
    p.add_argument("workbook", metavar="FILLED.xlsx")
    p.set_defaults(func=cmd_import)

    n = sub.add_parser("notices", help="Word notices: 整改通知 per unit with confirmed findings, and a 通报")
    _common(n)
    n.add_argument("--year", type=int, required=True, metavar="Y")
    n.add_argument("--banner", metavar="CODE", help="only this banner's units; the 通报 for the banner")
    n.add_argument("--dir", metavar="DIR", help="where to write (default: <out>/notices)")
    n.add_argument("--office", metavar="NAME", help="the issuing office (default: the league's 办公室)")
    n.add_argument("--date", metavar="YYYY-MM-DD", help="date of issue (default: today)")
    n.set_defaults(func=cmd_notices)

    v = sub.add_parser("serve", help="the review web app on this machine (127.0.0.1)")
    v.add_argument("--inbox", metavar="DIR")
    v.add_argument("--out", metavar="DIR")
    v.add_argument("--db", metavar="FILE")
    v.add_argument(
        "--host", default="127.0.0.1", help="address to bind (other than loopback: needs NIANBAO_SERVE_PASSWORD)"
    )
    v.add_argument("--port", type=int, default=8765)
    v.set_defaults(func=cmd_serve)


__all__ = ["add_commands", "argparse"]
