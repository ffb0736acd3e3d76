"""End-to-end benchmark of `nianbao run`: wall time, time per stage, peak memory of the process tree.

Usage:
  python bench/bench_pipeline.py --n 1000 [--mix default|text-only] [--no-scans] [--incremental] [--work DIR]
  python bench/bench_pipeline.py --n 100000 --mix text-only --no-scans --work DIR --generate-only

A corpus of N reports is generated once (corpus.generate, seed 7) with a registry that
covers every generated unit, then `nianbao run` is timed on it from a cold read cache. With
--incremental, one report is then changed and the run repeated, and a run on an empty inbox gives
the start-up cost. Results are appended to bench/results/pipeline.jsonl.

Every mix holds one scanned PDF, one photographed PDF and one report of numbered page images per
1,000 reports, read by OCR (~10 s of CPU each); --no-scans generates the same corpus with those
reports in their mix's kinds instead (the folder's name ends in -noscans), so the cost of OCR can be
shown apart. Record both.
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
import threading
import time
from datetime import UTC, datetime
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
PY = sys.executable


def _label(pid: int, depth: int) -> str:
    """A process of the tree: its depth under the run, its pid and the end of its command line (a
    forked worker has its parent's command line; a spawned one names its entry point)."""
    try:
        with open(f"/proc/{pid}/cmdline", "rb") as f:
            cmd = f.read().replace(b"\0", b" ").decode(errors="replace").strip()
    except OSError:
        cmd = "?"
    return f"{'  ' * depth}{pid} {cmd[-60:]}"


def tree_rss_mb(pid: int, parts: list | None = None) -> float:
    """Memory of a process and all its descendants, in MB: the sum of their proportional set sizes
    (PSS: a page shared by n processes counts 1/n in each, so forked workers are not counted twice).
    With `parts`, (label, MB) of each process is appended to it."""
    children: dict[int, list[int]] = {}
    for d in os.listdir("/proc"):
        if not d.isdigit():
            continue
        try:
            with open(f"/proc/{d}/stat") as f:
                fields = f.read().rsplit(")", 1)[1].split()
            children.setdefault(int(fields[1]), []).append(int(d))
        except OSError:
            continue
    total, stack = 0, [(pid, 0)]
    while stack:
        p, depth = stack.pop()
        try:
            with open(f"/proc/{p}/smaps_rollup") as f:
                for line in f:
                    if line.startswith("Pss:"):
                        kb = int(line.split()[1])
                        total += kb
                        if parts is not None:
                            parts.append((_label(p, depth), round(kb / 1024)))
                        break
        except OSError:
            pass
        stack += [(c, depth + 1) for c in children.get(p, [])]
    return total / 1024


# The stage in progress, from the stages the run has finished (its timings.jsonl); pages and the
# workbook run side by side in "reports", into the staging folder that "publish" then switches to.
NEXT_STAGE = {
    None: "scan",
    "scan": "read",
    "review": "read",
    "read": "warehouse",
    "warehouse": "checks",
    "checks": "reports",
    "pages": "reports",
    "workbook": "reports",
    "reports": "publish",
    "publish": "after",
}


def _last_stage(timings: Path | None, skip: int) -> str | None:
    if timings is None:
        return None
    try:
        lines = [ln for ln in timings.read_text().splitlines()[skip:] if ln.strip()]
    except OSError:
        return None
    try:
        return json.loads(lines[-1])["stage"] if lines else None
    except (ValueError, KeyError):
        return None


def children_cpu() -> float:
    """CPU seconds (user + system) of the finished children of this process and of theirs."""
    r = resource.getrusage(resource.RUSAGE_CHILDREN)
    return r.ru_utime + r.ru_stime


def timed_run(
    args: list[str], env: dict, timings: Path | None = None, stage_peaks: dict | None = None
) -> tuple[float, float, int, str]:
    """Run `args`; wall time, peak memory of the process tree, exit code, output. With `timings` (the
    run's timings.jsonl), the peak of each stage goes into `stage_peaks`. The run's CPU time (every
    process of its tree that was waited for: the reading workers, the checks' worker, the renderer's
    and the workbook's) is `timed_run.cpu` afterwards: on a shared machine it is the figure that does
    not depend on what else runs; half of it is the wall time the run would take on 2 free cores
    if both were always busy."""
    cpu0 = children_cpu()
    timed_run.peak_parts = []
    skip = len(timings.read_text().splitlines()) if timings is not None and timings.exists() else 0
    t0 = time.perf_counter()
    proc = subprocess.Popen(args, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    peak = [0.0]
    done = threading.Event()

    def poll() -> None:
        k = 0
        stage = "scan"
        while not done.is_set():
            parts: list = []
            mb = tree_rss_mb(proc.pid, parts)
            if mb > peak[0]:
                peak[0] = mb
                timed_run.peak_parts = parts
            if stage_peaks is not None:
                if k % 10 == 0:
                    stage = NEXT_STAGE.get(_last_stage(timings, skip), "other")
                stage_peaks[stage] = round(max(stage_peaks.get(stage, 0), mb))
            k += 1
            time.sleep(0.1)

    th = threading.Thread(target=poll, daemon=True)
    th.start()
    out, _ = proc.communicate()
    done.set()
    th.join()
    timed_run.cpu = children_cpu() - cpu0
    return time.perf_counter() - t0, peak[0], proc.returncode, out


def stages(state: Path, field: str = "seconds") -> dict[str, float]:
    """The last run's seconds per stage (or another field of its timings, e.g. cpu_seconds)."""
    p = state / "timings.jsonl"
    if not p.exists():
        return {}
    rows = [json.loads(line) for line in p.read_text().splitlines() if line.strip()]
    last = rows[-1]["run_id"]
    out: dict[str, float] = {}
    for r in rows:
        if r["run_id"] == last and field in r:
            out[r["stage"]] = round(out.get(r["stage"], 0) + r[field], 3)
    return out


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--n", type=int, default=1000)
    ap.add_argument("--mix", default="default")
    ap.add_argument("--seed", type=int, default=7)
    ap.add_argument("--work", default="/tmp/nianbao-bench")
    ap.add_argument("--incremental", action="store_true")
    ap.add_argument("--no-scans", action="store_true", help="no report read by OCR (see the module doc)")
    ap.add_argument("--keep-corpus", action="store_true", help="reuse a generated corpus")
    ap.add_argument(
        "--generate-only",
        action="store_true",
        help="generate the corpus (or keep it, with --keep-corpus) and stop before the run",
    )
    args = ap.parse_args()

    work = Path(args.work) / f"n{args.n}-{args.mix}-s{args.seed}{'-noscans' if args.no_scans else ''}"
    corpus, run_dir = work / "corpus", work / "run"
    gen_seconds = None
    if not (corpus / "inbox").exists() or not args.keep_corpus:
        shutil.rmtree(corpus, ignore_errors=True)
        t = time.perf_counter()
        subprocess.run(
            [
                PY,
                "-m",
                "corpus.generate",
                "--out",
                str(corpus),
                "--seed",
                str(args.seed),
                "--scale",
                str(args.n),
                "--years",
                "2022",
                "2023",
                "2024",
                "--mix",
                args.mix,
                "--registry-out",
                str(corpus / "registry"),
                "--workers",
                "2",
                "--truth",
                str(corpus / "truth.jsonl.gz"),
            ]
            + (["--no-scans"] if args.no_scans else []),
            check=True,
            cwd=ROOT,
            stdout=subprocess.DEVNULL,
        )
        gen_seconds = round(time.perf_counter() - t, 1)
    if args.generate_only:
        print(f"corpus in {corpus}" + (f" (generated in {gen_seconds} s)" if gen_seconds is not None else ""))
        return
    shutil.rmtree(run_dir, ignore_errors=True)
    env = dict(os.environ, NIANBAO_REGISTRY=str(corpus / "registry"))
    nianbao = str(Path(PY).parent / "nianbao")
    files = sum(1 for p in (corpus / "inbox").rglob("*") if p.is_file())
    size_mb = sum(p.stat().st_size for p in (corpus / "inbox").rglob("*") if p.is_file()) / 1e6

    stage_peaks: dict[str, float] = {}
    wall, peak, rc, out = timed_run(
        [nianbao, "run", "--inbox", str(corpus / "inbox"), "--out", str(run_dir), "--quiet"],
        env,
        run_dir / "state" / "timings.jsonl",
        stage_peaks,
    )
    if rc != 0:
        print(out)
        raise SystemExit(f"nianbao run failed ({rc})")
    record = {
        "bench": "pipeline",
        "date": datetime.now(UTC).isoformat(timespec="seconds"),
        "machine": f"{platform.machine()}, {os.cpu_count()} cores, "
        f"{os.sysconf('SC_PAGE_SIZE') * os.sysconf('SC_PHYS_PAGES') / 2**30:.0f} GiB, "
        f"Python {platform.python_version()}",
        "command": f"python bench/bench_pipeline.py --n {args.n} --mix {args.mix}"
        + (" --no-scans" if args.no_scans else "")
        + (" --incremental" if args.incremental else ""),
        "reports": args.n,
        "files": files,
        "inbox_mb": round(size_mb, 1),
        "mix": args.mix,
        "scans": not args.no_scans,
        "generate_seconds": gen_seconds,
        "wall_seconds": round(wall, 1),
        "cpu_seconds": round(timed_run.cpu, 1),
        "load_average": [round(x, 1) for x in os.getloadavg()],
        "peak_pss_mb": round(peak),
        "stages": stages(run_dir / "state"),
        "stage_cpu_seconds": stages(run_dir / "state", "cpu_seconds"),
        "stage_peak_pss_mb": stage_peaks,
        # the process tree at its peak: which process held what
        "peak_processes_mb": [list(p) for p in timed_run.peak_parts],
    }
    print(
        f"{args.n} reports ({files} files, {size_mb:.0f} MB): {wall:.1f} s end to end "
        f"({timed_run.cpu:.1f} s of CPU), peak {peak:.0f} MB"
    )
    print("  stages: " + ", ".join(f"{k} {v:.1f} s" for k, v in record["stages"].items()))
    print("  peak memory by stage: " + ", ".join(f"{k} {v:.0f} MB" for k, v in stage_peaks.items()))
    print("  at the peak: " + "; ".join(f"{label.strip()} {mb} MB" for label, mb in timed_run.peak_parts))

    if args.incremental:
        # start-up: the fixed cost of a run (process, imports, Dagster) on an empty inbox; best of 2
        empty = work / "empty_inbox"
        empty.mkdir(exist_ok=True)
        startups = []
        for k in range(2):
            shutil.rmtree(work / "empty_run", ignore_errors=True)
            t, _, _, _ = timed_run(
                [nianbao, "run", "--inbox", str(empty), "--out", str(work / "empty_run"), "--quiet"], env
            )
            startups.append(t)
        startup = min(startups)
        # one changed file, twice with different files; the better of the two
        texts = []
        for p in sorted((corpus / "inbox").rglob("*.txt")):
            try:
                if p.stat().st_size > 2000 and "。" in p.read_text(encoding="utf-8"):
                    texts.append(p)
            except UnicodeDecodeError:
                continue
        incs = []
        for k, target in enumerate(texts[:2]):
            text = target.read_text(encoding="utf-8")
            target.write_text(text.replace("。", "。 ", 1), encoding="utf-8")
            wall2, peak2, rc2, out2 = timed_run(
                [nianbao, "run", "--inbox", str(corpus / "inbox"), "--out", str(run_dir), "--quiet"], env
            )
            if rc2 != 0:
                print(out2)
                raise SystemExit("incremental run failed")
            incs.append((wall2, peak2, stages(run_dir / "state")))
        wall2, peak2, st2 = min(incs, key=lambda x: x[0])
        record.update(
            {
                "startup_seconds": round(startup, 1),
                "startup_runs": [round(x, 1) for x in startups],
                "incremental_wall_seconds": round(wall2, 1),
                "incremental_runs": [round(x[0], 1) for x in incs],
                "incremental_beyond_startup_seconds": round(wall2 - startup, 1),
                "incremental_stages": st2,
                "incremental_peak_pss_mb": round(peak2),
            }
        )
        print(f"  one changed file: {wall2:.1f} s ({wall2 - startup:.1f} s beyond a {startup:.1f} s start-up)")
        print("  stages: " + ", ".join(f"{k} {v:.1f} s" for k, v in st2.items()))
    out_path = ROOT / "bench" / "results" / "pipeline.jsonl"
    out_path.parent.mkdir(exist_ok=True)
    with out_path.open("a", encoding="utf-8") as f:
        f.write(json.dumps(record, ensure_ascii=False) + "\n")


if __name__ == "__main__":
    main()
