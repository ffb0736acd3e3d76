"""`nianbao run`: the Dagster job, in process, with progress a person can follow."""

from __future__ import annotations

import logging
import os
import sys
import time
import warnings
from pathlib import Path

from .settings import FIRST_YEAR, Settings, from_env, prepare_dagster_home


def run_pipeline(settings: Settings, year: int | None = None, progress: bool = False):
    """Run the whole job in process for the given settings; returns (success, result)."""
    prepare_dagster_home(settings)
    os.environ["DAGSTER_HOME"] = str(settings.dagster_home)
    warnings.filterwarnings("ignore", module="dagster")
    warnings.filterwarnings("ignore", category=DeprecationWarning)
    import dagster as dg

    from .definitions import defs
    from .orchestration.assets import YEARS
    from .orchestration.resources import NianbaoResource

    logging.getLogger("dagster").setLevel(logging.WARNING)
    keys = YEARS.get_partition_keys()
    if year is not None:
        if str(year) not in keys:
            raise ValueError(f"year {year} is outside the report years {keys[0]}–{keys[-1]}")
        start = end = str(year)
    else:
        start, end = keys[0], keys[-1]
    job = defs.resolve_job_def("nianbao_job")
    resource = NianbaoResource(inbox=str(settings.inbox), out=str(settings.out), db=str(settings.db),
                               registry=str(settings.registry or ""), deadline=settings.deadline,
                               workers=settings.workers or 0, progress=progress)
    settings.out.mkdir(parents=True, exist_ok=True)
    from .checks import gxworker

    gxworker.start()  # imports Great Expectations on the other core while the inbox is read
    try:
        return _execute(dg, job, resource, start, end)
    finally:
        gxworker.stop()


def _execute(dg, job, resource, start: str, end: str):
    with dg.DagsterInstance.get() as instance:
        result = job.execute_in_process(
            instance=instance,
            resources={"nianbao": resource},
            tags={"dagster/asset_partition_range_start": start, "dagster/asset_partition_range_end": end},
            run_config={"loggers": {"console": {"config": {"log_level": "CRITICAL"}}}},
            raise_on_error=False,
        )
    return result.success, result


def run_cli(inbox: str | None, db: str | None, out: str | None, year: int | None, quiet: bool) -> int:
    settings = from_env(inbox=inbox, out=out, db=db)
    if not settings.inbox.is_dir():
        print(f"nianbao run: the inbox {settings.inbox} is not a folder", file=sys.stderr)
        return 2
    if year is not None and year < FIRST_YEAR:
        print(f"nianbao run: report years start in {FIRST_YEAR}", file=sys.stderr)
        return 2
    t0 = time.perf_counter()
    if not quiet:
        print(f"nianbao run: inbox {settings.inbox}\n             run folder {settings.out}", file=sys.stderr)
    try:
        ok, result = run_pipeline(settings, year=year, progress=not quiet)
    except ValueError as e:
        print(f"nianbao run: {e}", file=sys.stderr)
        return 2
    took = time.perf_counter() - t0
    if not ok:
        print("\nnianbao run: the run did not complete.", file=sys.stderr)
        for ev in result.all_events:
            if ev.is_step_failure:
                err = ev.step_failure_data.error
                while err is not None and err.cause is not None:
                    err = err.cause
                lines = [ln for ln in (err.message or "").strip().splitlines() if ln.strip()] if err else []
                # the first line names the error; later ones are often advice ("See also ...")
                msg = lines[0] if lines else "unknown error"
                print(f"  step {ev.step_key} failed: {msg}", file=sys.stderr)
        for ev in result.all_events:
            if ev.event_type_value != "ASSET_CHECK_EVALUATION":
                continue
            data = ev.event_specific_data
            data = getattr(data, "evaluation", data)
            if getattr(data, "passed", True) or getattr(data, "severity", None) is not None and \
                    str(getattr(data, "severity", "")).endswith("WARN"):
                continue
            detail = (data.metadata or {}).get("detail")
            print(f"  blocked by invariant {data.check_name}: {detail.value if detail else ''}", file=sys.stderr)
        published = any(ev.event_type_value == "ASSET_MATERIALIZATION" and ev.asset_key is not None
                        and ev.asset_key.to_user_string() == "warehouse" for ev in result.all_events)
        if published:
            print(f"  The warehouse was published ({settings.db}); what failed came after it.", file=sys.stderr)
        else:
            print("  The published warehouse was left as it was.", file=sys.stderr)
        return 2
    _summary(settings, took)
    return 0


def _summary(settings: Settings, took: float) -> None:
    from .warehouse import connect

    lines = [f"\nDone in {took:.1f} s."]
    if settings.db.exists():
        con = connect(settings.db, read_only=True)
        try:
            st = dict(con.execute("SELECT status, count(*) FROM manifest GROUP BY ALL").fetchall())
            nrep = con.execute("SELECT count(*) FROM reports WHERE active").fetchone()[0]
            nfind = con.execute("SELECT count(*) FROM findings WHERE status = 'FAIL'").fetchone()[0]
        finally:
            con.close()
        lines.append(f"  files: {sum(st.values())} ({', '.join(f'{v} {k}' for k, v in sorted(st.items()))})")
        lines.append(f"  active reports: {nrep}; failing findings: {nfind}")
        lines.append(f"  warehouse (DuckDB): {settings.db}")
    index = settings.pages / "index.html"
    if index.exists():
        lines.append(f"  pages: {index}")
    if settings.workbook.exists():
        lines.append(f"  workbook: {settings.workbook}")
    docs = settings.data_docs / "index.html"
    if docs.exists():
        lines.append(f"  data docs (Great Expectations): {docs}")
    print("\n".join(lines))
