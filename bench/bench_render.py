"""Rendering the report pages and writing the office workbook: wall time and peak memory.

Usage:
    python bench/bench_render.py --db PATH [--as-is]  # an existing warehouse
    python bench/bench_render.py [--departments 40] [--years 2020-2024] [--findings 30]
                                                      # a synthetic warehouse built first

An existing warehouse is never written: it is copied into a temporary folder and the rollup views of
this checkout (sql/rollups, as the next build writes them into the warehouse) are applied to the
copy, unless --as-is measures the file with the views it was built with. The "one report changed"
run edits a second copy.

Each phase runs in a process of its own, watched from here: its wall time and the peak of the sum of
PSS (proportional set size, /proc/<pid>/smaps_rollup) over the process and all its descendants, so
forked workers that share pages are not counted twice. Phases: a cold render into an empty folder,
a re-render with nothing changed, a re-render after one report's figure changed (on a copy of the
warehouse), and the workbook. Results are appended to bench/results/render.jsonl.

Targets (2-core machine; pages: whole process tree): 10,000 reports: cold pages <= 50 s and <= 1.0 GB,
unchanged re-render <= 15 s, workbook <= 40 s and <= 500 MB; 1,000 reports: unchanged re-render <= 2 s.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import os
import platform
import resource
import shutil
import subprocess
import sys
import tempfile
import time
from datetime import UTC, datetime
from pathlib import Path

RULES = (  # rule, instance, status, lhs, rhs
    (
        "t3_balance",
        "total",
        "FAIL",
        ["T3/new/total", "T3/carried_over/total"],
        ["T3/processed_total/total", "T3/carried_forward/total"],
    ),
    (
        "t4_group_total",
        "review",
        "FAIL",
        ["T4/review.total"],
        ["T4/review.upheld", "T4/review.corrected", "T4/review.other", "T4/review.pending"],
    ),
    (
        "t3_row_total",
        "new",
        "UNCERTAIN",
        ["T3/new/total"],
        [
            "T3/new/natural_person",
            "T3/new/business",
            "T3/new/research",
            "T3/new/nonprofit",
            "T3/new/legal_services",
            "T3/new/other_org",
        ],
    ),
    ("carryover", "total", "FAIL", ["T3/carried_over/total"], ["prev:T3/carried_forward/total"]),
    ("copy_across_units", "-", "FAIL", [], []),
    (
        "t2_in_force_continuity",
        "rules",
        "NOT_ASSESSABLE",
        ["T2/rules/in_force"],
        ["prev:T2/rules/in_force", "T2/rules/issued", "-T2/rules/repealed"],
    ),
)

LIMITS = {  # active reports at least (the "10,000" warehouse has 9,990) -> phase -> (seconds, MB)
    5_000: {"pages_cold": (50, 1000), "pages_unchanged": (15, None), "workbook": (40, 500)},
    500: {"pages_unchanged": (2, None)},
}


def add_findings(db: Path, per_report: int) -> int:
    from pipeline.warehouse import connect

    con = connect(db)
    try:
        reps = con.execute("SELECT report_id, unit_id, year FROM reports WHERE active ORDER BY report_id").fetchall()
        rows = []
        for rid, uid, year in reps:
            h = int(hashlib.sha256(rid.encode()).hexdigest()[:8], 16)
            for i in range(per_report):
                rule, inst, status, lhs, rhs = RULES[(h + i) % len(RULES)]
                if (h >> (i % 16)) & 3 == 0:
                    status = "PASS"
                rows.append(
                    (
                        f"{rid}-{i}",
                        rid,
                        uid,
                        year,
                        rule,
                        f"{inst}#{i}",
                        "report",
                        status,
                        "error",
                        lhs,
                        rhs,
                        None,
                        None,
                        None,
                        None,
                        f"{rule} 的合成检查结果（第 {i} 条）",
                        None,
                        None,
                    )
                )
        con.executemany(
            "INSERT INTO findings (finding_id, report_id, unit_id, year, rule_id, instance, scope, status, "
            "severity, lhs_cells, rhs_cells, lhs_value, rhs_value, difference, likely_cause, message_zh, "
            "message_en, other_report_id) "
            "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
            rows,
        )
        con.execute("CHECKPOINT")
        return len(rows)
    finally:
        con.close()


# ----------------------------------------------------------------------------------------------
# Watching a process tree


def _children_map() -> dict[int, list[int]]:
    out: dict[int, list[int]] = {}
    for name in os.listdir("/proc"):
        if not name.isdigit():
            continue
        try:
            with open(f"/proc/{name}/stat", "rb") as f:
                stat = f.read()
        except OSError:
            continue
        # pid (comm) state ppid ...: comm may hold spaces, so split after the last ')'
        ppid = int(stat[stat.rindex(b")") + 2 :].split()[1])
        out.setdefault(ppid, []).append(int(name))
    return out


def _pss_kb(pid: int) -> int:
    try:
        with open(f"/proc/{pid}/smaps_rollup", "rb") as f:
            for line in f:
                if line.startswith(b"Pss:"):
                    return int(line.split()[1])
    except OSError:
        pass
    return 0


def tree_pss_mb(pid: int) -> tuple[float, int]:
    """Sum of PSS over a process and its descendants (MB), and the number of processes."""
    kids = _children_map()
    todo, seen = [pid], []
    while todo:
        p = todo.pop()
        seen.append(p)
        todo.extend(kids.get(p, []))
    return sum(_pss_kb(p) for p in seen) / 1024, len(seen)


def tree_pss_by_pid(pid: int) -> dict[int, float]:
    """PSS (MB) of a process and of each of its descendants."""
    kids = _children_map()
    todo, out = [pid], {}
    while todo:
        p = todo.pop()
        out[p] = _pss_kb(p) / 1024
        todo.extend(kids.get(p, []))
    return out


def measure(argv: list[str], interval: float = 0.1) -> dict:
    """Run argv (a Python process that prints one JSON line last), sampling its tree's PSS: the peak of
    the sum, and the peak of the process itself and of each descendant (`peak_pss_by_process`)."""
    t0 = time.perf_counter()
    ru0 = resource.getrusage(resource.RUSAGE_CHILDREN)
    proc = subprocess.Popen(argv, stdout=subprocess.PIPE, text=True)
    peak, procs = 0.0, 1
    peaks: dict[int, float] = {}
    while proc.poll() is None:
        by_pid = tree_pss_by_pid(proc.pid)
        mb, n = sum(by_pid.values()), len(by_pid)
        for p, v in by_pid.items():
            peaks[p] = max(peaks.get(p, 0.0), v)
        if mb > peak:
            peak = mb
        procs = max(procs, n)
        time.sleep(interval)
    out = proc.stdout.read()
    wall = time.perf_counter() - t0
    ru1 = resource.getrusage(resource.RUSAGE_CHILDREN)  # the process and its descendants, all waited for
    if proc.returncode != 0:
        raise SystemExit(f"{' '.join(argv)} failed with {proc.returncode}")
    res = json.loads(out.strip().splitlines()[-1])
    res.update(
        {
            "wall_seconds": round(wall, 2),
            "peak_pss_mb": round(peak, 1),
            "max_processes": procs,
            "peak_pss_self_mb": round(peaks.get(proc.pid, 0.0), 1),
            "peak_pss_descendants_mb": sorted((round(v, 1) for p, v in peaks.items() if p != proc.pid), reverse=True)[
                :4
            ],
            "cpu_seconds": round(ru1.ru_utime + ru1.ru_stime - ru0.ru_utime - ru0.ru_stime, 2),
        }
    )
    return res


def _child(phase: str, db: str, out: str) -> None:
    """The measured process: one render or one workbook."""
    if phase == "pages":
        from pipeline.reports import render_all

        r = render_all(db, out)
        r.pop("written_paths", None)
        me, kids = resource.getrusage(resource.RUSAGE_SELF), resource.getrusage(resource.RUSAGE_CHILDREN)
        r["cpu_self_seconds"] = round(me.ru_utime + me.ru_stime, 2)  # this process (the render's parent)
        r["cpu_workers_seconds"] = round(kids.ru_utime + kids.ru_stime, 2)
    else:
        from pipeline.reports import write_workbook

        r = write_workbook(db, out)
    print(json.dumps(r, ensure_ascii=False))


def _change_one_report(db: Path) -> str:
    from pipeline.warehouse import connect

    con = connect(db)
    try:
        rid, uid, year = con.execute(
            "SELECT report_id, unit_id, year FROM reports WHERE active ORDER BY year DESC, "
            "(unit_id = '152921102') DESC, unit_id LIMIT 1"
        ).fetchone()
        con.execute(
            "UPDATE cells SET value = coalesce(value, 0) + 987, semantic = 'NUMERIC', "
            "raw = CAST(coalesce(value, 0) + 987 AS VARCHAR) WHERE report_id = ? "
            "AND cell_id = 'T2/licensing/decisions'",
            [rid],
        )
        con.execute("CHECKPOINT")
    finally:
        con.close()
    return f"{uid} {year}"


def _refresh_views(db: Path) -> None:
    """Apply this checkout's sql/rollups to a copy of a warehouse, as a build does."""
    from pipeline.warehouse import connect, run_sql

    con = connect(db)
    try:
        run_sql(con, "rollups")
        con.execute("CHECKPOINT")
    finally:
        con.close()


def run_phases(db: Path, tmp: Path, one_changed: bool = True, pages_only: bool = False, keep: str = "") -> dict:
    me = [sys.executable, str(Path(__file__).resolve()), "--phase"]
    pages = Path(keep) if keep else tmp / "pages"
    res = {
        "pages_cold": measure(me + ["pages", "--db", str(db), "--out", str(pages)], interval=0.2 if pages_only else 0.1)
    }
    if pages_only:
        return res
    res["pages_unchanged"] = measure(me + ["pages", "--db", str(db), "--out", str(pages)])
    if one_changed:
        copy = tmp / "changed.duckdb"
        shutil.copyfile(db, copy)
        res["changed_report"] = _change_one_report(copy)
        res["pages_one_changed"] = measure(me + ["pages", "--db", str(copy), "--out", str(pages)])
        copy.unlink()
    res["workbook"] = measure(me + ["workbook", "--db", str(db), "--out", str(tmp / "nianbao.xlsx")])
    return res


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--db", help="an existing warehouse (DuckDB file) to render; never written")
    ap.add_argument(
        "--as-is",
        action="store_true",
        help="with --db: measure the file as it is, with the rollup views it was built with",
    )
    ap.add_argument("--departments", type=int, default=40, help="synthetic departments per banner and league")
    ap.add_argument("--years", default="2020-2024")
    ap.add_argument("--findings", type=int, default=30, help="findings per report")
    ap.add_argument("--no-change", action="store_true", help="skip the run after one changed report")
    ap.add_argument("--pages-only", action="store_true", help="the cold render only (no re-render, no workbook)")
    ap.add_argument("--keep-pages", default="", help="render the cold pages into this folder (kept; must be empty)")
    ap.add_argument("--note", default="", help="a note kept with the record (e.g. 'before')")
    ap.add_argument("--phase", choices=("pages", "workbook"), help=argparse.SUPPRESS)
    ap.add_argument("--out", help=argparse.SUPPRESS)
    args = ap.parse_args()
    if args.phase:
        _child(args.phase, args.db, args.out)
        return

    t_build = None
    with tempfile.TemporaryDirectory(prefix="nianbao-bench-render-") as tmp_s:
        tmp = Path(tmp_s)
        views = "built by this checkout"
        if args.db and args.as_is:
            db = Path(args.db)
            n_findings = None
            views = "as stored in the warehouse"
        elif args.db:
            db = tmp / "w.duckdb"
            shutil.copyfile(args.db, db)
            _refresh_views(db)
            n_findings = None
            views = "sql/rollups of this checkout, applied to a copy"
        else:
            sys.path.insert(0, str(Path(__file__).resolve().parents[1]))  # corpus/ lives at the repo root
            from corpus.synthetic import Synthetic, build

            y0, y1 = (int(x) for x in args.years.split("-"))
            db = tmp / "w.duckdb"
            t = time.perf_counter()
            build(db, Synthetic(years=tuple(range(y0, y1 + 1)), departments=args.departments))
            n_findings = add_findings(db, args.findings)
            t_build = round(time.perf_counter() - t, 2)
        import duckdb

        con = duckdb.connect(str(db), read_only=True)
        n_reports = con.execute("SELECT count(*) FROM reports WHERE active").fetchone()[0]
        con.close()
        res = run_phases(db, tmp, one_changed=not args.no_change, pages_only=args.pages_only, keep=args.keep_pages)

    limits = next((v for k, v in sorted(LIMITS.items(), reverse=True) if n_reports >= k), {})
    verdicts = {}
    for phase, (sec, mb) in limits.items():
        r = res.get(phase)
        if r is None:
            continue
        verdicts[phase] = r["wall_seconds"] <= sec and (mb is None or r["peak_pss_mb"] <= mb)
    try:
        commit = subprocess.run(
            ["git", "rev-parse", "--short", "HEAD"], capture_output=True, text=True, cwd=Path(__file__).parent
        ).stdout.strip()
        if subprocess.run(
            ["git", "diff", "--quiet", "HEAD", "--", "pipeline/reports", "reports", "sql"],
            cwd=Path(__file__).parents[1],
        ).returncode:
            commit += "+uncommitted"
    except OSError:
        commit = ""
    print(f"{n_reports} active reports; rollup views: {views}")
    for phase in ("pages_cold", "pages_unchanged", "pages_one_changed", "workbook"):
        r = res.get(phase)
        if not r:
            continue
        extra = (
            f"{r.get('written')} written, {r.get('unchanged')} unchanged"
            if phase.startswith("pages")
            else f"{r.get('findings')} finding rows"
        )
        lim = limits.get(phase)
        verdict = (
            ""
            if lim is None
            else (" OK" if verdicts[phase] else " OVER")
            + f" (limit {lim[0]} s"
            + (f", {lim[1]} MB)" if lim[1] else ")")
        )
        print(
            f"{phase:18} {r['wall_seconds']:7.2f} s  CPU {r.get('cpu_seconds', 0):7.2f} s  "
            f"peak PSS {r['peak_pss_mb']:7.1f} MB  "
            f"({r['max_processes']} processes; {extra}){verdict}"
        )
        if phase.startswith("pages") and "cpu_self_seconds" in r:
            print(
                f"{'':18} CPU parent {r['cpu_self_seconds']:.2f} s, workers {r['cpu_workers_seconds']:.2f} s; "
                f"peak PSS parent {r['peak_pss_self_mb']:.1f} MB, workers {r['peak_pss_descendants_mb']} MB"
            )
    record = {
        "bench": "render",
        "date": datetime.now(UTC).isoformat(timespec="seconds"),
        "commit": commit,
        "machine": f"{platform.machine()} {os.cpu_count()} cores, Python {platform.python_version()}",
        "command": "python bench/bench_render.py " + " ".join(sys.argv[1:]),
        "db": str(args.db) if args.db else "synthetic",
        "views": views,
        "reports": n_reports,
        "findings": n_findings,
        "build_seconds": t_build,
        "limits": limits,
        "ok": all(verdicts.values()) if verdicts else None,
        "verdicts": verdicts,
        "note": args.note,
        "results": res,
    }
    out = Path(__file__).parent / "results" / "render.jsonl"
    out.parent.mkdir(exist_ok=True)
    with out.open("a", encoding="utf-8") as f:
        f.write(json.dumps(record, ensure_ascii=False) + "\n")


if __name__ == "__main__":
    main()
