"""Checking reports with the rule catalogue and Great Expectations (issue: 1,000 reports ≤ 20 s).

Usage: python bench/bench_checks.py --db WAREHOUSE.duckdb
Times, in a fresh process: importing GX, loading the active reports from the warehouse, evaluating
every rule and validating with GX (data docs off), and records bench/results/checks.jsonl.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import time
from datetime import datetime, timezone
from pathlib import Path


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--db", required=True)
    ap.add_argument("--docs", action="store_true", help="also build GX Data Docs")
    args = ap.parse_args()
    t0 = time.perf_counter()
    import great_expectations  # noqa: F401  (the import is part of the cost)

    t_import = time.perf_counter() - t0
    from pipeline.checks.batch import from_warehouse
    from pipeline.checks.findings import run_checks
    from pipeline.warehouse import connect

    t1 = time.perf_counter()
    con = connect(args.db, read_only=True)
    batch = from_warehouse(con)
    con.close()
    t_load = time.perf_counter() - t1
    t2 = time.perf_counter()
    docs = Path("/tmp/nianbao-bench-docs") if args.docs else None
    table, val = run_checks(batch, data_docs=docs)
    t_check = time.perf_counter() - t2
    total = time.perf_counter() - t0
    counts = table["status"].value_counts().to_dict()
    print(f"{batch.n} reports, {len(table)} findings: GX import {t_import:.1f} s, load {t_load:.1f} s, "
          f"evaluate+validate {t_check:.1f} s, total {total:.1f} s")
    rec = {"bench": "checks", "date": datetime.now(timezone.utc).isoformat(timespec="seconds"),
           "machine": f"{platform.machine()}, {os.cpu_count()} cores, Python {platform.python_version()}",
           "command": f"python bench/bench_checks.py --db {args.db}", "reports": batch.n, "findings": len(table),
           "statuses": counts, "gx_import_seconds": round(t_import, 2), "load_seconds": round(t_load, 2),
           "check_seconds": round(t_check, 2), "total_seconds": round(total, 2)}
    out = Path(__file__).parent / "results" / "checks.jsonl"
    with out.open("a", encoding="utf-8") as f:
        f.write(json.dumps(rec, ensure_ascii=False) + "\n")


if __name__ == "__main__":
    main()
