"""Rendering the report pages of about 1,000 reports on one core (issue: at most 30 s), and again
after nothing changed and after one report changed (incremental: only the affected pages).

Usage: python bench/bench_render.py [--departments 40] [--years 2020-2024] [--findings 30]
Builds a synthetic warehouse (pipeline.reports.synthetic: the registry's 43 expected units plus
synthetic departments, over several years), inserts synthetic findings (FAIL/UNCERTAIN/PASS on real
cells, as the rule catalogue writes them), pins the process to one core, and records the times in
bench/results/render.jsonl.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import os
import platform
import subprocess
import tempfile
import time
from datetime import datetime, timezone
from pathlib import Path

from pipeline.reports import render_all, write_workbook
from pipeline.reports.synthetic import Synthetic, build
from pipeline.warehouse import connect

RULES = (  # rule, instance, status, lhs, rhs
    ("t3_balance", "total", "FAIL", ["T3/new/total", "T3/carried_over/total"],
     ["T3/processed_total/total", "T3/carried_forward/total"]),
    ("t4_group_total", "review", "FAIL", ["T4/review.total"],
     ["T4/review.upheld", "T4/review.corrected", "T4/review.other", "T4/review.pending"]),
    ("t3_row_total", "new", "UNCERTAIN", ["T3/new/total"],
     ["T3/new/natural_person", "T3/new/business", "T3/new/research", "T3/new/nonprofit",
      "T3/new/legal_services", "T3/new/other_org"]),
    ("carryover", "total", "FAIL", ["T3/carried_over/total"], ["prev:T3/carried_forward/total"]),
    ("copy_across_units", "-", "FAIL", [], []),
    ("t2_in_force_continuity", "rules", "NOT_ASSESSABLE", ["T2/rules/in_force"],
     ["prev:T2/rules/in_force", "T2/rules/issued", "-T2/rules/repealed"]),
)


def add_findings(db: Path, per_report: int) -> int:
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
                rows.append((f"{rid}-{i}", rid, uid, year, rule, f"{inst}#{i}", "report", status, "error", lhs, rhs,
                             None, None, None, None, f"{rule} 的合成检查结果（第 {i} 条）", None, None))
        con.executemany("INSERT INTO findings VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)", rows)
        con.execute("CHECKPOINT")
        return len(rows)
    finally:
        con.close()


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--departments", type=int, default=40, help="synthetic departments per banner and league")
    ap.add_argument("--years", default="2020-2024")
    ap.add_argument("--findings", type=int, default=30, help="findings per report")
    args = ap.parse_args()
    y0, y1 = (int(x) for x in args.years.split("-"))
    try:
        os.sched_setaffinity(0, {sorted(os.sched_getaffinity(0))[0]})
        core = "one core (sched_setaffinity)"
    except (AttributeError, OSError):
        core = "unpinned"
    with tempfile.TemporaryDirectory() as tmp:
        db = Path(tmp) / "w.duckdb"
        t = time.perf_counter()
        info = build(db, Synthetic(years=tuple(range(y0, y1 + 1)), departments=args.departments))
        n_findings = add_findings(db, args.findings)
        t_build = time.perf_counter() - t
        pages = Path(tmp) / "pages"
        cold = render_all(db, pages)
        again = render_all(db, pages)
        con = connect(db)
        rid = con.execute("SELECT report_id FROM reports WHERE active AND unit_id = '152921102' "
                          f"AND year = {y1}").fetchone()[0]
        con.execute("UPDATE cells SET value = 987, semantic = 'NUMERIC', raw = '987' WHERE report_id = ? "
                    "AND cell_id = 'T2/licensing/decisions'", [rid])
        con.close()
        one = render_all(db, pages)
        wb = write_workbook(db, Path(tmp) / "nianbao.xlsx")
    try:
        commit = subprocess.run(["git", "rev-parse", "--short", "HEAD"], capture_output=True, text=True,
                                cwd=Path(__file__).parent).stdout.strip()
    except OSError:
        commit = ""
    results = {
        "reports": info["reports"], "findings": n_findings, "pages": cold["pages"],
        "cold_seconds": cold["seconds"], "cold_load_seconds": cold["load_seconds"],
        "pages_per_second": round(cold["written"] / cold["seconds"], 1),
        "unchanged_seconds": again["seconds"], "unchanged_written": again["written"],
        "one_changed_seconds": one["seconds"], "one_changed_written": one["written"],
        "workbook_seconds": wb["seconds"], "build_seconds": round(t_build, 2),
    }
    ok = cold["seconds"] <= 30
    print(f"render: {info['reports']} reports, {cold['pages']} pages in {cold['seconds']:.2f} s "
          f"({results['pages_per_second']} pages/s, load {cold['load_seconds']:.2f} s) "
          f"{'OK' if ok else 'TOO SLOW'} (limit 30 s, {core}); unchanged re-run {again['seconds']:.2f} s "
          f"({again['written']} written); one report changed {one['seconds']:.2f} s ({one['written']} written); "
          f"workbook {wb['seconds']:.2f} s")
    record = {"bench": "render", "date": datetime.now(timezone.utc).isoformat(timespec="seconds"),
              "commit": commit,
              "machine": f"{platform.machine()} {os.cpu_count()} cores, Python {platform.python_version()}",
              "cores_used": core, "command": "python bench/bench_render.py " + " ".join(
                  f"--{k} {v}" for k, v in vars(args).items()), "limit_seconds": 30, "ok": ok,
              "results": results}
    out = Path(__file__).parent / "results" / "render.jsonl"
    out.parent.mkdir(exist_ok=True)
    with out.open("a", encoding="utf-8") as f:
        f.write(json.dumps(record, ensure_ascii=False) + "\n")


if __name__ == "__main__":
    main()
