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
    ap.add_argument(
        "--detail",
        action="store_true",
        help="with --stage: also print, after every chunk written and at every phase's end, the PSS of "
        "the calling process and of the worker apart, DuckDB's memory and the C heap's",
    )
    ap.add_argument(
        "--profile",
        action="store_true",
        help="the checks stage (warm worker, check_warehouse on a copy), with CPU by process (calling "
        "process by thread, GX worker), by phase and rule family, and how much of the wall time each "
        "process was busy (sampled every 0.1 s); records bench/results/checks_profile.jsonl",
    )
    ap.add_argument("--no-docs", action="store_true", help="with --profile: no Data Docs (the pipeline builds them)")
    ap.add_argument(
        "--cprofile", default="", help="with --profile: also cProfile the calling process (CPU clock) into this file"
    )
    args = ap.parse_args()
    if args.profile:
        return profile(args)
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
    own_peak: dict[str, float] = {}  # the calling process alone
    _mark_phases(findings, phase, _snapshot if args.detail else None)
    if args.detail:
        _detail_hooks(findings)

    def sample() -> None:
        while not done.wait(0.05):
            v = tree_rss_mb(os.getpid())
            peak[0] = max(peak[0], v)
            phase_peak[phase[0]] = max(phase_peak.get(phase[0], 0.0), v)
            if args.detail:
                own = pss_mb(os.getpid())
                own_peak[phase[0]] = max(own_peak.get(phase[0], 0.0), own)

    threading.Thread(target=sample, daemon=True).start()
    t0 = time.perf_counter()
    cpu0 = sum(os.times()[:4])
    gxworker.start()
    res = gxworker.check(db, "01-31", None, None) if hasattr(gxworker, "check") else None  # main before #10
    if res is None:
        res = findings.check_warehouse(db, "01-31", None, None)
    if args.detail:
        _snapshot("stage done, worker still up")
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
    if args.detail:
        print("calling process alone, peak by phase: " + ", ".join(f"{k} {v:.0f} MB" for k, v in own_peak.items()))
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
    if args.detail:
        rec["peak_pss_mb_by_phase_calling_process"] = {k: round(v) for k, v in own_peak.items()}
    out = Path(__file__).parent / "results" / "checks_stage.jsonl"
    with out.open("a", encoding="utf-8") as f:
        f.write(json.dumps(rec, ensure_ascii=False) + "\n")


def pss_mb(pid: int) -> float:
    try:
        with open(f"/proc/{pid}/smaps_rollup") as f:
            for line in f:
                if line.startswith("Pss:"):
                    return int(line.split()[1]) / 1024
    except OSError:
        pass
    return 0.0


def _heap_mb() -> tuple[float, float]:
    """The C heap (glibc malloc: Python's large objects, numpy, pandas): bytes obtained from the
    system and bytes in use, in MB."""
    import ctypes

    class Mallinfo2(ctypes.Structure):
        _fields_ = [
            (n, ctypes.c_size_t)
            for n in ("arena", "ordblks", "smblks", "hblks", "hblkhd", "usmblks", "fsmblks", "uordblks", "fordblks")
        ] + [("keepcost", ctypes.c_size_t)]

    libc = ctypes.CDLL("libc.so.6")
    libc.mallinfo2.restype = Mallinfo2
    m = libc.mallinfo2()
    return (m.arena + m.hblkhd) / 2**20, (m.uordblks + m.hblkhd) / 2**20


_CONS: list = []  # the DuckDB connections seen (the warehouse's), for their memory


def _snapshot(label: str) -> None:
    """One line: the PSS of the calling process and of its children, DuckDB's memory, the C heap."""
    me = os.getpid()
    own = pss_mb(me)
    from bench_pipeline import tree_rss_mb

    kids = tree_rss_mb(me) - own
    duck = ""
    for con in _CONS[-1:]:
        try:
            tags = con.execute(
                "SELECT tag, memory_usage_bytes, temporary_storage_bytes FROM duckdb_memory()"
            ).fetchall()
            used = sum(t[1] for t in tags) / 2**20
            spilled = sum(t[2] for t in tags) / 2**20
            top = ", ".join(f"{t[0].lower()} {t[1] / 2**20:.0f}" for t in sorted(tags, key=lambda t: -t[1])[:3] if t[1])
            duck = f", DuckDB {used:.0f} MB ({top}; {spilled:.0f} MB spilled)"
        except Exception:  # a closed connection
            pass
    got, used = _heap_mb()
    print(
        f"  [{label}] calling process {own:.0f} MB, worker {kids:.0f} MB{duck}, C heap {got:.0f} MB ({used:.0f} in use)",
        flush=True,
    )


def _detail_hooks(findings) -> None:
    write = findings.write_findings
    count = [0]

    def write_findings(con, df, replace=True):
        if not _CONS or _CONS[-1] is not con:
            _CONS.append(con)
        write(con, df, replace)
        count[0] += 1
        _snapshot(f"written {count[0]}: {len(df):,} findings")

    findings.write_findings = write_findings


def _mark_phases(findings, phase: list, snapshot=None) -> None:
    """Name the phase of check_warehouse the process is in (phase[0]): the chunk loop, the rule across
    units (after the chunks), the review decisions, the rollups; `snapshot(label)` at each phase's start."""
    import pipeline.review.apply as review_apply
    import pipeline.warehouse as warehouse

    across = findings._across_units

    def across_units(*a, **k):
        phase[0] = "across units"
        if snapshot:
            snapshot("across units")
        yield from across(*a, **k)

    findings._across_units = across_units

    def marking(f, label: str):
        def marked(*a, **k):
            phase[0] = label
            if snapshot:
                snapshot(label)
            out = f(*a, **k)
            if snapshot:
                snapshot(label + " done")
            return out

        return marked

    review_apply.apply_dispositions = marking(review_apply.apply_dispositions, "review decisions")
    warehouse.materialize_rollups = marking(warehouse.materialize_rollups, "rollups")


def _proc_cpu(pid: int, tid: int | None = None) -> float:
    """CPU seconds (user + system) of a process, or of one of its threads."""
    path = f"/proc/{pid}/stat" if tid is None else f"/proc/{pid}/task/{tid}/stat"
    try:
        with open(path) as f:
            fields = f.read().rsplit(")", 1)[1].split()
    except OSError:
        return float("nan")
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def _cores_idle() -> list[float]:
    with open("/proc/stat") as f:
        rows = [line.split() for line in f if line.startswith("cpu") and line[3].isdigit()]
    return [(int(r[4]) + int(r[5])) / os.sysconf("SC_CLK_TCK") for r in rows]


def profile(args) -> None:
    """The checks stage with CPU by process and thread, by phase (inclusive CPU of the calling thread,
    time.thread_time) and rule family, the wait on the worker, and the busy share of each process."""
    import shutil
    import tempfile
    import threading
    from collections import defaultdict

    work = Path(tempfile.mkdtemp(prefix="nianbao-bench-checks-"))
    db = work / "candidate.duckdb"
    shutil.copy(args.db, db)
    db.chmod(0o644)
    import pipeline.review.apply as review_apply
    import pipeline.warehouse as warehouse
    from pipeline.checks import batch as batch_mod
    from pipeline.checks import copying, evaluate, findings, gxworker, suites

    cpu = defaultdict(float)
    wall = defaultdict(float)
    calls = defaultdict(int)

    def timed(label, f):
        def run(*a, **k):
            c0, w0 = time.thread_time(), time.perf_counter()
            try:
                return f(*a, **k)
            finally:
                cpu[label] += time.thread_time() - c0
                wall[label] += time.perf_counter() - w0
                calls[label] += 1

        return run

    def timed_gen(label, g):
        def run(*a, **k):
            it = g(*a, **k)
            while True:
                c0, w0 = time.thread_time(), time.perf_counter()
                try:
                    x = next(it)
                except StopIteration:
                    return
                finally:
                    cpu[label] += time.thread_time() - c0
                    wall[label] += time.perf_counter() - w0
                calls[label] += 1
                yield x

        return run

    for name in (
        "normed_chunk",
        "folded_narratives",
        "_submit",
        "_prepare",
        "_finish",
        "_rows",
        "_messages",
        "write_findings",
        "unit_fingerprints",
    ):
        setattr(findings, name, timed(name, getattr(findings, name)))
    findings.evaluate = timed("evaluate", findings.evaluate)
    findings.warehouse_parts = timed_gen("reading chunks (warehouse_parts)", batch_mod.warehouse_parts)
    findings._across_units = timed_gen("across units (after the chunks)", findings._across_units)
    copying.CopyIndex.add = timed("CopyIndex.add", copying.CopyIndex.add)
    gxworker.release_memory = timed("release_memory (main)", gxworker.release_memory)
    for fam in [n for n in dir(evaluate) if n.startswith("fam_")] + ["_ocr_doubtful"]:
        setattr(evaluate, fam, timed(f"evaluate/{fam}", getattr(evaluate, fam)))
    review_apply.apply_dispositions = timed("review decisions", review_apply.apply_dispositions)
    warehouse.materialize_rollups = timed("rollups", warehouse.materialize_rollups)
    check_into = findings.check_into
    findings.check_into = timed("check_into", check_into)

    # the worker: its own CPU per validation, carried back on the Validation
    validate_here = suites.validate_here

    def validate_timed(frame, data_docs=None, *keep):
        c0, w0 = time.process_time(), time.perf_counter()
        v = validate_here(frame, data_docs, *keep)
        v._cpu, v._wall, v._rows = time.process_time() - c0, time.perf_counter() - w0, len(frame)
        return v

    suites.validate_here = validate_timed
    worker_runs: list[tuple] = []
    finish = findings._finish

    def finish_rec(label, reports, ev, future, prepared=None, **k):
        c0, w0 = time.thread_time(), time.perf_counter()
        v = future.result()
        cpu["wait on the worker (future.result)"] += time.thread_time() - c0
        wall["wait on the worker (future.result)"] += time.perf_counter() - w0
        worker_runs.append((getattr(v, "_cpu", None), getattr(v, "_wall", None), getattr(v, "_rows", None)))
        return finish(label, reports, ev, future, prepared, **k)

    findings._finish = finish_rec  # (the timed _finish above, inside)

    samples: list[tuple] = []
    done = threading.Event()
    me = os.getpid()
    main_tid = threading.get_native_id()

    def sample() -> None:
        while not done.wait(0.1):
            wpid = gxworker._pid.value if gxworker._pid is not None else 0
            # the process's CPU counts its ended threads too (the writer's); the sampler's own is left out
            others = _proc_cpu(me) - _proc_cpu(me, main_tid) - _proc_cpu(me, sampler_tid[0])
            samples.append(
                (time.perf_counter(), _proc_cpu(me, main_tid), others, _proc_cpu(wpid) if wpid else 0.0, _cores_idle())
            )

    sampler_tid = [0]

    def start_sampler():
        sampler_tid[0] = threading.get_native_id()
        sample()

    threading.Thread(target=start_sampler, daemon=True).start()
    gxworker.start()
    # the worker warm, as in `nianbao run` (GX imported while the read stage runs)
    gxworker._pool.submit(os.getpid).result()
    time.sleep(1.0)
    while gxworker._pid.value == 0:
        time.sleep(0.1)
    wcpu0 = _proc_cpu(gxworker._pid.value)
    t0, c_self0 = time.perf_counter(), time.process_time()
    prof = None
    if args.cprofile:
        import cProfile

        prof = cProfile.Profile(time.process_time)
        prof.enable()
    docs = None if args.no_docs else work / "data_docs"  # as the pipeline: Data Docs in the run folder
    res = findings.check_warehouse(db, "01-31", docs, None)
    if prof is not None:
        prof.disable()
        prof.dump_stats(args.cprofile)
    seconds = time.perf_counter() - t0
    c_self = time.process_time() - c_self0
    wcpu = _proc_cpu(gxworker._pid.value) - wcpu0
    done.set()
    time.sleep(0.2)
    gxworker.stop()
    shutil.rmtree(work, ignore_errors=True)
    # busy shares from the samples taken during the stage
    ss = [s for s in samples if s[0] >= t0 and s[0] <= t0 + seconds]
    busy = {"main thread": 0.0, "other threads": 0.0, "worker": 0.0}
    both = neither = 0.0
    idle = [0.0] * len(ss[0][4]) if ss else []
    for a, b_ in zip(ss, ss[1:]):
        dt = b_[0] - a[0]
        fm = min(1.0, (b_[1] - a[1]) / dt)
        fo = min(1.0, (b_[2] - a[2]) / dt)
        fw = min(1.0, (b_[3] - a[3]) / dt)
        busy["main thread"] += fm * dt
        busy["other threads"] += fo * dt
        busy["worker"] += fw * dt
        both += min(fm + fo, fw) * dt if fw > 0.5 and fm + fo > 0.5 else 0.0
        neither += dt if fw < 0.2 and fm + fo < 0.2 else 0.0
        for k in range(len(idle)):
            idle[k] += b_[4][k] - a[4][k]
    load = os.getloadavg()
    print(
        f"{res['reports']} reports, {sum(res['counts'].values())} findings: wall {seconds:.1f} s; CPU calling "
        f"process {c_self:.1f} s (main thread {ss[-1][1] - ss[0][1] if ss else 0:.1f}, other threads "
        f"{ss[-1][2] - ss[0][2] if ss else 0:.1f}), worker {wcpu:.1f} s; load {load[0]:.1f}"
    )
    print(
        f"busy during the stage (s of wall): {', '.join(f'{k} {v:.1f}' for k, v in busy.items())}; "
        f"both processes busy {both:.1f}, neither {neither:.1f}; cores idle " + ", ".join(f"{x:.1f}" for x in idle)
    )
    wcpus = [w[0] for w in worker_runs if w[0] is not None]
    print(
        f"worker validations: {len(worker_runs)}, CPU {sum(wcpus):.1f} s, wall {sum(w[1] or 0 for w in worker_runs):.1f} s, "
        f"rows {sum(w[2] or 0 for w in worker_runs):,}"
    )
    print(f"{'phase (calling thread, inclusive)':<45} {'CPU s':>8} {'wall s':>8} {'calls':>6}")
    for k in sorted(cpu, key=lambda k: -cpu[k]):
        print(f"{k:<45} {cpu[k]:8.2f} {wall[k]:8.2f} {calls[k]:6d}")
    rec = {
        "bench": "checks_profile",
        "date": datetime.now(UTC).isoformat(timespec="seconds"),
        "machine": f"{platform.machine()}, {os.cpu_count()} cores, Python {platform.python_version()}",
        "command": f"python bench/bench_checks.py --db {args.db} --profile" + (" --no-docs" if args.no_docs else ""),
        "label": args.label,
        "load_average": [round(x, 1) for x in load],
        "reports": res["reports"],
        "findings": sum(res["counts"].values()),
        "seconds": round(seconds, 2),
        "cpu_calling_process": round(c_self, 2),
        "cpu_worker": round(wcpu, 2),
        "cpu_seconds": round(c_self + wcpu, 2),
        "busy_seconds": {k: round(v, 1) for k, v in busy.items()},
        "both_busy_seconds": round(both, 1),
        "neither_busy_seconds": round(neither, 1),
        "cores_idle_seconds": [round(x, 1) for x in idle],
        "worker_validations_cpu": round(sum(wcpus), 2),
        "phases_cpu": {k: round(v, 2) for k, v in sorted(cpu.items(), key=lambda kv: -kv[1])},
        "phases_wall": {k: round(v, 2) for k, v in sorted(wall.items(), key=lambda kv: -kv[1])},
    }
    out = Path(__file__).parent / "results" / "checks_profile.jsonl"
    with out.open("a", encoding="utf-8") as f:
        f.write(json.dumps(rec, ensure_ascii=False) + "\n")


if __name__ == "__main__":
    main()
