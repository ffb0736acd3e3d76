"""CPU time of one stage (warehouse build, pages, workbook) run in this process, for comparing two trees
in turns on a loaded machine, where wall times are not comparable but CPU times are.

Usage:
    python bench/bench_stage_cpu.py warehouse --state STATE --registry REG --label L
    python bench/bench_stage_cpu.py pages --db WAREHOUSE [--workers 2] --label L
    python bench/bench_stage_cpu.py workbook --db WAREHOUSE --label L

The stage's code is whichever `pipeline` this interpreter imports: run it with another tree's venv
(and PYTHONPATH=<that tree>) to measure that tree; the record goes to this checkout's
bench/results/stage_cpu.jsonl with `--label` saying which tree it was. Inputs are never written: the
warehouse build copies STATE (a run's state folder: inbox.json, reads/) into a temporary folder, the
pages and the workbook read a copy of WAREHOUSE. CPU is this process's user + system time plus that
of its waited-for children (the page workers) and includes DuckDB's threads.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import resource
import shutil
import tempfile
import time
from datetime import UTC, datetime
from pathlib import Path

RESULTS = Path(__file__).resolve().parent / "results" / "stage_cpu.jsonl"


def _cpu() -> float:
    s, c = resource.getrusage(resource.RUSAGE_SELF), resource.getrusage(resource.RUSAGE_CHILDREN)
    return s.ru_utime + s.ru_stime + c.ru_utime + c.ru_stime


def _warehouse(args, tmp: Path) -> dict:
    from pipeline import warehouse
    from pipeline.inbox import InboxFile
    from pipeline.registry import load_registry

    try:
        from pipeline.readcache import ReadCache
    except ImportError:  # the tree before the reorganisation
        from pipeline.reading import ReadCache

    state = tmp / "state"
    shutil.copytree(args.state, state)
    (state / "history.parquet").unlink(missing_ok=True)
    c0, t0 = _cpu(), time.perf_counter()
    files = [InboxFile(**row) for row in json.loads((state / "inbox.json").read_text(encoding="utf-8"))]
    res = warehouse.build(
        tmp / "candidate.duckdb", files, ReadCache(state), load_registry(args.registry), state, inbox_label="bench"
    )
    return {"cpu_seconds": _cpu() - c0, "wall_seconds": time.perf_counter() - t0, "active": res.active}


def _pages(args, tmp: Path) -> dict:
    from pipeline.reports import render_all

    db = tmp / "w.duckdb"
    shutil.copyfile(args.db, db)
    c0, t0 = _cpu(), time.perf_counter()
    r = render_all(db, tmp / "pages", workers=args.workers)
    return {"cpu_seconds": _cpu() - c0, "wall_seconds": time.perf_counter() - t0, "written": r["written"]}


def _workbook(args, tmp: Path) -> dict:
    from pipeline.reports import write_workbook

    db = tmp / "w.duckdb"
    shutil.copyfile(args.db, db)
    c0, t0 = _cpu(), time.perf_counter()
    r = write_workbook(db, tmp / "w.xlsx")
    return {"cpu_seconds": _cpu() - c0, "wall_seconds": time.perf_counter() - t0, "reports": r["reports"]}


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("stage", choices=("warehouse", "pages", "workbook"))
    ap.add_argument("--db", help="warehouse to render (pages, workbook)")
    ap.add_argument("--state", help="a run's state folder (warehouse)")
    ap.add_argument("--registry", help="registry folder (warehouse)")
    ap.add_argument("--workers", type=int, default=2, help="page workers (pages)")
    ap.add_argument("--label", required=True, help="which tree this is (e.g. base-b12f559, i10w)")
    args = ap.parse_args()
    import pipeline

    with tempfile.TemporaryDirectory(prefix="nianbao-stage-cpu-") as d:
        res = {"warehouse": _warehouse, "pages": _pages, "workbook": _workbook}[args.stage](args, Path(d))
    rec = {
        "bench": "stage_cpu",
        "date": datetime.now(UTC).isoformat(timespec="seconds"),
        "machine": f"{platform.machine()} {os.cpu_count()} cores, Python {platform.python_version()}",
        "label": args.label,
        "code": str(Path(pipeline.__file__).parents[1]),
        "stage": args.stage,
        "input": args.db or args.state,
        "workers": args.workers if args.stage == "pages" else None,
        "load_average": os.getloadavg()[0],
        **{k: round(v, 3) if isinstance(v, float) else v for k, v in res.items()},
    }
    RESULTS.parent.mkdir(parents=True, exist_ok=True)
    with RESULTS.open("a", encoding="utf-8") as f:
        f.write(json.dumps(rec, ensure_ascii=False) + "\n")
    print(json.dumps(rec, ensure_ascii=False))


if __name__ == "__main__":
    main()
