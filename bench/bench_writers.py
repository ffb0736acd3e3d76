"""The corpus writers' rendering rates (test tooling: the generator's speed bounds how large a
benchmark corpus can be made): text (layout B1) and HTML on 150 reports, PDF on 8, one core.

    python bench/bench_writers.py [--n 150] [--pdf-n 8] [--note TEXT]

Targets (issue 6): text and HTML ≥ 500 reports/s, PDF ≥ 5/s. Prints and appends to
bench/results/writers.jsonl reports per wall second and per CPU second. This replaced a timed test,
which failed whenever the machine was busy.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import time
from datetime import UTC, datetime
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent))

from corpus import render_html, render_pdf, render_text  # noqa: E402
from corpus.spec import example_spec  # noqa: E402


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--n", type=int, default=150)
    ap.add_argument("--pdf-n", type=int, default=8)
    ap.add_argument("--note", default="")
    args = ap.parse_args()
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


if __name__ == "__main__":
    main()
