"""Reports per second per input kind on one core (issue: ≥ 200/s for text and HTML, ≥ 1/s for PDF).

Usage: python bench/bench_parse.py [--n 300] [--pdf-n 20]
Renders varied reports with the corpus writers into a temp folder, pins the process to one core,
parses every file with `pipeline.parse.parse_file` and records the rates in bench/results/parse.jsonl.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import tempfile
import time
from datetime import datetime, timezone
from pathlib import Path

from pipeline.corpus import example_spec, write
from pipeline.parse import parse_file

CASES = {
    "text": [("text", {"layout": lay}) for lay in ("A", "B1", "B2", "C", "mixed", "wrapped")],
    "html": [("html", {"encoding": "utf-8"}), ("html", {"encoding": "gbk", "t2_split": True}),
             ("html", {"encoding": "gb18030", "cell_wrap": "mixed"})],
    "docx": [("docx", {})],
    "pdf": [("pdf", {})],
}


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--n", type=int, default=300, help="files per kind for text, HTML and Word")
    ap.add_argument("--pdf-n", type=int, default=20)
    args = ap.parse_args()
    try:
        os.sched_setaffinity(0, {sorted(os.sched_getaffinity(0))[0]})
        core = "one core (sched_setaffinity)"
    except (AttributeError, OSError):
        core = "unpinned"
    results = {}
    with tempfile.TemporaryDirectory() as tmp:
        for kind, variants in CASES.items():
            n = args.pdf_n if kind == "pdf" else args.n
            files = []
            for i in range(n):
                k, opts = variants[i % len(variants)]
                p = Path(tmp) / f"{kind}_{i}.{ {'text': 'txt'}.get(k, k) }"
                write(example_spec(i), p, k, **opts)
                files.append(p)
            parse_file(files[0])  # warm caches and imports
            t = time.perf_counter()
            c = time.process_time()
            bad = 0
            for f in files:
                r = parse_file(f)
                bad += "error" in r
            dt = time.perf_counter() - t
            # CPU time of this process: on a machine shared with other work the wall time also counts
            # the time the core spent on others
            cpu = time.process_time() - c
            results[kind] = {"files": n, "seconds": round(dt, 3), "per_second": round(n / dt, 1), "errors": bad,
                             "cpu_seconds": round(cpu, 3), "per_cpu_second": round(n / cpu, 1)}
            print(f"{kind:5s} {n:5d} files  {dt:7.2f} s  {n / dt:8.1f} reports/s   cpu {cpu:7.2f} s  "
                  f"{n / cpu:8.1f} reports/cpu-s")
    record = {"bench": "parse", "date": datetime.now(timezone.utc).isoformat(timespec="seconds"),
              "machine": f"{platform.machine()} {os.cpu_count()} cores, Python {platform.python_version()}",
              "cores_used": core, "command": "python bench/bench_parse.py", "results": results}
    out = Path(__file__).parent / "results" / "parse.jsonl"
    out.parent.mkdir(exist_ok=True)
    with out.open("a", encoding="utf-8") as f:
        f.write(json.dumps(record, ensure_ascii=False) + "\n")


if __name__ == "__main__":
    main()
