"""The corpus writers' rendering rates (test tooling: the generator's speed bounds how large a
benchmark corpus can be made): text (layout B1) and HTML on 150 reports, PDF on 8, one core; and,
with --workbook, the office workbook's writer on a warehouse.

    python bench/bench_writers.py [--n 150] [--pdf-n 8] [--note TEXT]
    python bench/bench_writers.py --workbook WAREHOUSE [--label L] [--note TEXT]

Targets (issue 6): text and HTML ≥ 500 reports/s, PDF ≥ 5/s. Prints and appends to
bench/results/writers.jsonl reports per wall second and per CPU second. This replaced a timed test,
which failed whenever the machine was busy.

--workbook: `write_workbook` of a copy of WAREHOUSE in a process of its own, with whichever `pipeline`
that interpreter imports (PYTHONPATH=<another tree> measures that tree; `--label` says which): its
CPU seconds (user + system, DuckDB's threads included), the CPU of each sheet (from one sheet's start
to the next; the last phase, "close", is XlsxWriter assembling and zipping the file) and the peak
PSS of the process (/proc/PID/smaps_rollup every 0.1 s). Appended to bench/results/workbook.jsonl.
"""

from __future__ import annotations

import argparse
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

HERE = Path(__file__).resolve().parent
sys.path.append(str(HERE.parent))  # after PYTHONPATH: another tree's pipeline may be measured

from bench_render import _pss_kb  # noqa: E402  (the same PSS sampler as the pages' benchmark)


def _writers(args) -> None:
    from corpus import render_html, render_pdf, render_text
    from corpus.spec import example_spec

    try:
        os.sched_setaffinity(0, {sorted(os.sched_getaffinity(0))[0]})
    except (AttributeError, OSError):
        pass
    specs = [example_spec(seed=i) for i in range(max(args.n, args.pdf_n))]
    render_text(specs[0], "A"), render_html(specs[0]), render_pdf(specs[0])  # warm
    row = {"bench": "writers", "date": datetime.now(UTC).isoformat(timespec="seconds"), "note": args.note}
    for name, fn, n in [
        ("text", lambda s: render_text(s, "B1"), args.n),
        ("html", render_html, args.n),
        ("pdf", render_pdf, args.pdf_n),
    ]:
        t, c = time.perf_counter(), time.process_time()
        for s in specs[:n]:
            fn(s)
        wall, cpu = time.perf_counter() - t, time.process_time() - c
        row[name] = {"n": n, "per_second": round(n / wall, 1), "per_cpu_second": round(n / cpu, 1)}
        print(f"{name:5s} {n / wall:8.1f}/s wall, {n / cpu:8.1f}/s CPU")
    row["load"] = round(os.getloadavg()[0], 1)
    (HERE / "results").mkdir(exist_ok=True)
    with (HERE / "results" / "writers.jsonl").open("a", encoding="utf-8") as f:
        f.write(json.dumps(row, ensure_ascii=False) + "\n")


def _workbook_child(db: str, out: str) -> None:
    """The measured process: the workbook, with the CPU time at each sheet's start."""
    import pipeline.reports.workbook as W

    marks: list[tuple[str, float]] = []
    sheet = W._Book.sheet

    def timed_sheet(self, title):
        marks.append((title, time.process_time()))
        return sheet(self, title)

    W._Book.sheet = timed_sheet
    c0 = time.process_time()
    res = W.write_workbook(db, out)
    end = time.process_time()
    marks.append(("close", marks[-1][1]))  # 说明 is small: its time goes with the close
    phases = {"open": round(marks[0][1] - c0, 2)}
    for (name, t), (_n, t2) in zip(marks, marks[1:]):
        phases[name] = round(t2 - t, 2)
    phases["close"] = round(end - marks[-1][1], 2)
    res["phases_cpu"] = phases
    print(json.dumps(res, ensure_ascii=False))


def _workbook(args) -> None:
    with tempfile.TemporaryDirectory(prefix="nianbao-bench-workbook-") as d:
        db = Path(d) / "w.duckdb"
        shutil.copyfile(args.workbook, db)
        ru0 = resource.getrusage(resource.RUSAGE_CHILDREN)
        t0 = time.perf_counter()
        proc = subprocess.Popen(
            [sys.executable, __file__, "--workbook-child", str(db), str(Path(d) / "w.xlsx")],
            stdout=subprocess.PIPE,
            text=True,
        )
        peak = 0
        while proc.poll() is None:
            peak = max(peak, _pss_kb(proc.pid))
            time.sleep(0.1)
        out = proc.stdout.read()
        wall = time.perf_counter() - t0
        ru1 = resource.getrusage(resource.RUSAGE_CHILDREN)
        if proc.returncode != 0:
            raise SystemExit(f"the workbook failed ({proc.returncode})")
        res = json.loads(out.strip().splitlines()[-1])
        size = (Path(d) / "w.xlsx").stat().st_size
    import pipeline

    rec = {
        "bench": "workbook",
        "date": datetime.now(UTC).isoformat(timespec="seconds"),
        "machine": f"{platform.machine()} {os.cpu_count()} cores, Python {platform.python_version()}",
        "label": args.label,
        "code": str(Path(pipeline.__file__).parents[1]),
        "input": args.workbook,
        "note": args.note,
        "load_average": round(os.getloadavg()[0], 1),
        "reports": res.get("reports"),
        "cpu_seconds": round(ru1.ru_utime + ru1.ru_stime - ru0.ru_utime - ru0.ru_stime, 2),
        "wall_seconds": round(wall, 2),
        "peak_pss_mb": round(peak / 1024, 1),
        "file_mb": round(size / 2**20, 1),
        "phases_cpu": res["phases_cpu"],
        "continued": res.get("continued", {}),
    }
    (HERE / "results").mkdir(exist_ok=True)
    with (HERE / "results" / "workbook.jsonl").open("a", encoding="utf-8") as f:
        f.write(json.dumps(rec, ensure_ascii=False) + "\n")
    print(json.dumps(rec, ensure_ascii=False))


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--n", type=int, default=150)
    ap.add_argument("--pdf-n", type=int, default=8)
    ap.add_argument("--note", default="")
    ap.add_argument("--workbook", metavar="WAREHOUSE", help="time the office workbook of (a copy of) this warehouse")
    ap.add_argument("--label", default="", help="with --workbook: which tree this is")
    ap.add_argument("--workbook-child", nargs=2, help=argparse.SUPPRESS)
    args = ap.parse_args()
    if args.workbook_child:
        _workbook_child(*args.workbook_child)
    elif args.workbook:
        _workbook(args)
    else:
        _writers(args)


if __name__ == "__main__":
    main()
