"""Checking reports with the rule catalogue and Great Expectations (issue: 1,000 reports ≤ 20 s).

Usage: python bench/bench_checks.py --db WAREHOUSE.duckdb
Times, in a fresh process: importing GX, loading the active reports from the warehouse, evaluating
every rule and validating with GX (data docs off), and records bench/results/checks.jsonl.

  python bench/bench_checks.py --db WAREHOUSE.duckdb --stage [--families identity,jump]
The pipeline's checks stage as `nianbao run` runs it (the warm GX worker started, then
check_warehouse on a copy of the warehouse: findings, review decisions, rollups), with the peak
memory of the process tree (PSS, sampled every 50 ms) and its time; `--families` keeps only the
rules of these families (to break the peak down by family); the peak is also given by phase (the
chunk loop, the rule across units, the review decisions, the rollups). Records
bench/results/checks_stage.jsonl.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import time
from datetime import UTC, datetime
from pathlib import Path


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--db", required=True)
    ap.add_argument("--docs", action="store_true", help="also build GX Data Docs")
    ap.add_argument("--stage", action="store_true", help="the pipeline's checks stage, with peak memory")
    ap.add_argument("--families", default="", help="with --stage: only the rules of these families")
    ap.add_argument("--label", default="", help="with --stage: a note recorded with the result")
    args = ap.parse_args()
    if args.stage:
        return stage(args)
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
    print(
        f"{batch.n} reports, {len(table)} findings: GX import {t_import:.1f} s, load {t_load:.1f} s, "
        f"evaluate+validate {t_check:.1f} s, total {total:.1f} s"
    )
    rec = {
        "bench": "checks",
        "date": datetime.now(UTC).isoformat(timespec="seconds"),
        "machine": f"{platform.machine()}, {os.cpu_count()} cores, Python {platform.python_version()}",
        "command": f"python bench/bench_checks.py --db {args.db}",
        "reports": batch.n,
        "findings": len(table),
        "statuses": counts,
        "gx_import_seconds": round(t_import, 2),
        "load_seconds": round(t_load, 2),
        "check_seconds": round(t_check, 2),
        "total_seconds": round(total, 2),
    }
    out = Path(__file__).parent / "results" / "checks.jsonl"
    with out.open("a", encoding="utf-8") as f:
        f.write(json.dumps(rec, ensure_ascii=False) + "\n")


def stage(args) -> None:
    import shutil
    import sys
    import tempfile
    import threading

    sys.path.insert(0, str(Path(__file__).parent))
    from bench_pipeline import tree_rss_mb

    work = Path(tempfile.mkdtemp(prefix="nianbao-bench-checks-"))
    db = work / "candidate.duckdb"
    shutil.copy(args.db, db)
    db.chmod(0o644)
    families = {f for f in args.families.split(",") if f}
    from pipeline.checks import catalogue

    if families:  # a catalogue of these families' rules only
        import tomllib

        text = catalogue.CATALOGUE.read_text(encoding="utf-8")
        blocks = text.split("[[rule]]")
        keep = [b for b in blocks[1:] if tomllib.loads(b.split("\n[instances]")[0])["family"] in families]
        tail = "\n[instances]" + text.split("\n[instances]", 1)[1] if "\n[instances]" in text else ""
        keep = [b.split("\n[instances]")[0] for b in keep]
        sub = work / "rules.toml"
        sub.write_text(blocks[0] + "".join("[[rule]]" + b for b in keep) + tail, encoding="utf-8")
        catalogue.CATALOGUE = sub
        catalogue.load.cache_clear()
    from pipeline.checks import findings, gxworker

    if families:  # main before #10 evaluated the rule across units even when the catalogue had none
        import pandas as pd

        evaluate = findings.evaluate
        columns = [
            "ri",
            "rule_id",
            "instance",
            "pre",
            "metric",
            "lhs_value",
            "rhs_value",
            "lhs_cells",
            "rhs_cells",
            "other",
            "artefact",
            "detail",
            "doubtful",
        ]
        findings.evaluate = lambda *a, **k: (lambda ev: ev if len(ev.columns) else pd.DataFrame(columns=columns))(
            evaluate(*a, **k)
        )
    base = tree_rss_mb(os.getpid())
    peak = [base]
    done = threading.Event()
    phase = ["chunk loop"]  # the phase the sampler attributes the memory to
    phase_peak: dict[str, float] = {}
    _mark_phases(findings, phase)

    def sample() -> None:
        while not done.wait(0.05):
            v = tree_rss_mb(os.getpid())
            peak[0] = max(peak[0], v)
            phase_peak[phase[0]] = max(phase_peak.get(phase[0], 0.0), v)

    threading.Thread(target=sample, daemon=True).start()
    t0 = time.perf_counter()
    cpu0 = sum(os.times()[:4])
    gxworker.start()
    res = gxworker.check(db, "01-31", None, None) if hasattr(gxworker, "check") else None  # main before #10
    if res is None:
        res = findings.check_warehouse(db, "01-31", None, None)
    gxworker.stop()
    seconds = time.perf_counter() - t0
    cpu = sum(os.times()[:4]) - cpu0  # this process and its reaped children (the worker): robust to load
    done.set()
    peak[0] = max(peak[0], tree_rss_mb(os.getpid()))
    shutil.rmtree(work, ignore_errors=True)
    print(
        f"{res['reports']} reports, {sum(res['counts'].values())} findings, families {args.families or 'all'}: "
        f"{seconds:.1f} s ({cpu:.1f} s of CPU), peak PSS {peak[0]:.0f} MB (before the stage {base:.0f} MB); "
        "peak by phase: " + ", ".join(f"{k} {v:.0f} MB" for k, v in phase_peak.items())
    )
    rec = {
        "bench": "checks_stage",
        "date": datetime.now(UTC).isoformat(timespec="seconds"),
        "machine": f"{platform.machine()}, {os.cpu_count()} cores, Python {platform.python_version()}",
        "command": f"python bench/bench_checks.py --db {args.db} --stage"
        + (f" --families {args.families}" if args.families else ""),
        "label": args.label,
        "reports": res["reports"],
        "findings": sum(res["counts"].values()),
        "families": args.families or "all",
        "seconds": round(seconds, 2),
        "cpu_seconds": round(cpu, 2),
        "peak_pss_mb": round(peak[0]),
        "pss_before_mb": round(base),
        "peak_pss_mb_by_phase": {k: round(v) for k, v in phase_peak.items()},
    }
    out = Path(__file__).parent / "results" / "checks_stage.jsonl"
    with out.open("a", encoding="utf-8") as f:
        f.write(json.dumps(rec, ensure_ascii=False) + "\n")


def _mark_phases(findings, phase: list) -> None:
    """Name the phase of check_warehouse the process is in (phase[0]): the chunk loop, the rule across
    units (after the chunks), the review decisions, the rollups."""
    import pipeline.review.apply as review_apply
    import pipeline.warehouse as warehouse

    across = findings._across_units

    def across_units(*a, **k):
        phase[0] = "across units"
        yield from across(*a, **k)

    findings._across_units = across_units

    def marking(f, label: str):
        def marked(*a, **k):
            phase[0] = label
            return f(*a, **k)

        return marked

    review_apply.apply_dispositions = marking(review_apply.apply_dispositions, "review decisions")
    warehouse.materialize_rollups = marking(warehouse.materialize_rollups, "rollups")


if __name__ == "__main__":
    main()
