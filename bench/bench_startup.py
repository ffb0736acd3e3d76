"""Start-up of the command line, whole process: `nianbao parse <one text file>`, `nianbao check --help`,
`nianbao --help`, `nianbao check <one text file>`.

    python bench/bench_startup.py [--n 15] [--root TREE] [--label NAME]

Each command runs N times as a fresh process (`python -m pipeline.cli …` from --root, default this
tree, so another checkout can be measured with the same interpreter); the median wall time and the
median CPU time (user + system of the process: less sensitive to a busy machine) are printed and
appended to bench/results/startup.jsonl. Bytecode is written and reused, as in an installed
package (PYTHONDONTWRITEBYTECODE is dropped for the measured processes). Target (issue 15): parse of one text file ≤ 0.3 s wall.
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import statistics
import subprocess
import sys
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
# as installed: compiled bytecode is written and reused (a sandbox may switch that off)
ENV = {k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"}
TEXT = "assets/sample/inbox/2023/阿拉善左旗王府街道办事处2023年政府信息公开工作年度报告.txt"


def once(args: list[str], root: Path) -> tuple[float, float]:
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    t = time.perf_counter()
    subprocess.run(
        [sys.executable, "-m", "pipeline.cli", *args],
        cwd=root,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        env=ENV | {"PYTHONPATH": str(root)},
    )
    wall = time.perf_counter() - t
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    return wall, (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--n", type=int, default=15)
    ap.add_argument("--root", default=str(HERE.parent), help="the source tree to measure")
    ap.add_argument("--label", default="")
    args = ap.parse_args()
    root = Path(args.root).resolve()
    text = str(HERE.parent / TEXT)
    commands = {
        "parse one text file": ["parse", text],
        "check --help": ["check", "--help"],
        "--help": ["--help"],
        "check one text file": ["check", text],
    }
    load = os.getloadavg()[0]
    for name, cmd in commands.items():
        once(cmd, root)  # compiled bytecode and file-system cache warm
        runs = [once(cmd, root) for _ in range(args.n)]
        wall = statistics.median(w for w, _ in runs)
        cpu = statistics.median(c for _, c in runs)
        row = {
            "command": f"nianbao {' '.join(cmd[:1] + (['FILE'] if len(cmd) > 1 and cmd[1] == text else cmd[1:]))}",
            "what": name,
            "n": args.n,
            "median_wall_s": round(wall, 3),
            "median_cpu_s": round(cpu, 3),
            "min_wall_s": round(min(w for w, _ in runs), 3),
            "load": round(load, 1),
            "label": args.label,
            "root": str(root),
            "python": sys.version.split()[0],
        }
        print(f"{name:24s} wall median {wall:.3f} s (min {row['min_wall_s']:.3f}), cpu median {cpu:.3f} s")
        (HERE / "results").mkdir(exist_ok=True)
        with (HERE / "results" / "startup.jsonl").open("a", encoding="utf-8") as f:
            f.write(json.dumps(row, ensure_ascii=False) + "\n")


if __name__ == "__main__":
    main()
