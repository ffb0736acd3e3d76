"""Unit resolution: 10,000 names (registry names, office names, foreign and traditional-script names,
report titles with years) resolved against the bundled registry, one core.

    python bench/bench_resolve.py [--n 10000] [--note TEXT]

Target (issue 4): 10,000 resolutions well under a second. Prints and appends to
bench/results/resolve.jsonl the wall and CPU seconds (CPU moves less with other load on a shared
machine). This replaced a timed test, which failed whenever the machine was busy.
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

from pipeline.registry import load_registry, resolve  # noqa: E402


def names(reg, n: int) -> list[str]:
    base = (
        [u.full_name for u in reg]
        + [u.name + "办公室" for u in reg]
        + [
            "北京市海淀区人民政府",
            "阿拉善左旗财政局",
            "东风",
            "关于阿拉善左旗巴彦木仁苏木人民政府的报告",
            "巴彦木仁苏木乡人民政府",
            "額濟納旗達來呼布鎮人民政府",
        ]
    )
    return [base[i % len(base)] + ("" if i % 3 else f"{2000 + i % 30}年政府信息公开工作年度报告") for i in range(n)]


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--n", type=int, default=10_000)
    ap.add_argument("--note", default="")
    args = ap.parse_args()
    try:
        os.sched_setaffinity(0, {sorted(os.sched_getaffinity(0))[0]})
    except (AttributeError, OSError):
        pass
    reg = load_registry()
    inputs = names(reg, args.n)
    resolve(inputs[0], None, 2020, reg)  # warm
    t, c = time.perf_counter(), time.process_time()
    resolved = sum(resolve(name, None, 2018 + i % 7, reg).ok for i, name in enumerate(inputs))
    wall, cpu = time.perf_counter() - t, time.process_time() - c
    row = {
        "bench": "resolve",
        "date": datetime.now(UTC).isoformat(timespec="seconds"),
        "n": args.n,
        "wall_s": round(wall, 3),
        "cpu_s": round(cpu, 3),
        "resolved": resolved,
        "load": round(os.getloadavg()[0], 1),
        "note": args.note,
    }
    print(f"{args.n} resolutions: {wall:.3f} s wall, {cpu:.3f} s CPU ({resolved} resolved)")
    (HERE / "results").mkdir(exist_ok=True)
    with (HERE / "results" / "resolve.jsonl").open("a", encoding="utf-8") as f:
        f.write(json.dumps(row, ensure_ascii=False) + "\n")


if __name__ == "__main__":
    main()
