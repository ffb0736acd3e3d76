"""`nianbao run`: the Dagster job, in process, with progress a person can follow."""

from __future__ import annotations

import logging
import os
import sys
import warnings
from pathlib import Path

from .settings import FIRST_YEAR, Settings, from_env, prepare_dagster_home


def run_pipeline(settings: Settings, year: int | None = None, progress: bool = False):
    """Run the whole job in process for the given settings; returns (success, result).

    The run holds the run folder's lock throughout (a second run is refused: RunFolderBusy) and
    first removes what a killed run left behind; whatever this run leaves unpublished goes at its end."""
    from .runlock import RunLock, clean_leftovers

    with RunLock(settings.out):
        clean_leftovers(settings.out, settings.db)
        try:
            return _run_locked(settings, year, progress)
        finally:
            clean_leftovers(settings.out, settings.db)


def _run_locked(settings: Settings, year: int | None, progress: bool):
    from .checks import gxworker

    # Great Expectations is imported in its worker on the other core from the start, while this
    # process imports Dagster and opens its storage (one core's work), rather than later beside the
    # reading workers, which keep both cores busy
    gxworker.start()
    try:
        return _run_dagster(settings, year, progress)
    finally:
        gxworker.stop()


def _run_dagster(settings: Settings, year: int | None, progress: bool):
    prepare_dagster_home(settings)
    os.environ["DAGSTER_HOME"] = str(settings.dagster_home)
    warnings.filterwarnings("ignore", module="dagster")
    warnings.filterwarnings("ignore", category=DeprecationWarning)
    import dagster as dg

    from .definitions import defs
    from .orchestration.assets import YEARS
    from .orchestration.resources import resource_of

    # the framework's own messages (instance, storage) at INFO are not for the person running
    logging.getLogger("dagster").setLevel(logging.WARNING)
    keys = YEARS.get_partition_keys()
    if year is not None:
        if str(year) not in keys:
            raise ValueError(f"year {year} is outside the report years {keys[0]}–{keys[-1]}")
        start = end = str(year)
    else:
        start, end = keys[0], keys[-1]
    job = defs.resolve_job_def("nianbao_job")
    settings.out.mkdir(parents=True, exist_ok=True)
    # what the run reports goes through Dagster's logging: the `nianbao` logger prints the progress
    # lines and appends the stage timings of the step events (orchestration/progress.py)
    loggers = {"nianbao": {"config": {"progress": progress, "timings": str(settings.state / "timings.jsonl")}}}
    return _execute(dg, job, resource_of(settings), loggers, start, end)


def _execute(dg, job, resource, loggers: dict, start: str, end: str):
    from .runlock import free_dead_runs

    with dg.DagsterInstance.get() as instance:
        keep = getattr(instance.event_log_storage, "keep_connections_open", None)
        if keep is not None:  # one connection a database for this run (orchestration/storage.py)
            keep()
        free_dead_runs(instance)  # slots a killed run still holds would make this run wait forever
        result = job.execute_in_process(
            instance=instance,
            resources={"nianbao": resource},
            tags={
                "dagster/asset_partition_range_start": start,
                "dagster/asset_partition_range_end": end,
                "nianbao/launcher": "cli",
                "nianbao/pid": str(os.getpid()),
            },
            run_config={"loggers": loggers},
            raise_on_error=False,
        )
        stats = instance.get_run_stats(result.run_id)
    result.seconds = (stats.end_time or 0) - (stats.start_time or 0)  # the run's, from its event log
    return result.success, result


def run_cli(inbox: str | None, db: str | None, out: str | None, year: int | None, quiet: bool) -> int:
    from .settings import SettingsError

    try:
        settings = from_env(inbox=inbox, out=out, db=db)
    except SettingsError as e:
        print(f"nianbao run: {e}", file=sys.stderr)
        return 2
    if not settings.inbox.is_dir():
        print(f"nianbao run: the inbox {settings.inbox} is not a folder", file=sys.stderr)
        return 2
    if year is not None and year < FIRST_YEAR:
        print(f"nianbao run: report years start in {FIRST_YEAR}", file=sys.stderr)
        return 2
    if not quiet:
        print(f"nianbao run: inbox {settings.inbox}\n             run folder {settings.out}", file=sys.stderr)
    from .runlock import RunFolderBusy

    previous = _stop_on_signals()
    try:
        ok, result = run_pipeline(settings, year=year, progress=not quiet)
    except RunFolderBusy as e:
        print(f"nianbao run: {e}", file=sys.stderr)
        return 2
    except ValueError as e:
        print(f"nianbao run: {e}", file=sys.stderr)
        return 2
    except Exception as e:  # noqa: BLE001 - a full disk outside a step (lock file, state); else re-raised
        if not _disk_full(str(e), getattr(e, "errno", None)):
            raise
        print(_disk_full_message(settings), file=sys.stderr)
        return 2
    finally:
        _restore_signals(previous)
    if not ok:
        if any(_disk_full(m) for m in _failure_texts(result)):
            print("\n" + _disk_full_message(settings), file=sys.stderr)
            return 2
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
            if (
                getattr(data, "passed", True)
                or getattr(data, "severity", None) is not None
                and str(getattr(data, "severity", "")).endswith("WARN")
            ):
                continue
            detail = (data.metadata or {}).get("detail")
            print(f"  blocked by invariant {data.check_name}: {detail.value if detail else ''}", file=sys.stderr)
        print("  The published warehouse, pages and workbook were left as they were.", file=sys.stderr)
        return 2
    _summary(settings, result.seconds)
    return 0


def _stop_on_signals() -> dict:
    """SIGTERM or Ctrl-C stop the run at once. Stopping is as safe as a crash: nothing is published
    before the last step's single switch, and the next run removes what this one leaves."""
    import signal
    import threading

    if threading.current_thread() is not threading.main_thread():
        return {}

    def stop(signum, _frame):
        name = "interrupted" if signum == signal.SIGINT else "stopped"
        try:
            os.write(
                2,
                f"\nnianbao run: {name}; the published warehouse, pages and workbook are as they were "
                "(the next run removes what this one left)\n".encode(),
            )
        finally:
            os._exit(130 if signum == signal.SIGINT else 143)

    return {sig: signal.signal(sig, stop) for sig in (signal.SIGTERM, signal.SIGINT)}


def _restore_signals(previous: dict) -> None:
    import signal

    for sig, handler in previous.items():
        signal.signal(sig, handler)


def _failure_texts(result) -> list[str]:
    out = []
    for ev in result.all_events:
        if ev.is_step_failure:
            err = ev.step_failure_data.error
            while err is not None:
                out.append(err.message or "")
                err = err.cause
    return out


def _disk_full(text: str, errno_: int | None = None) -> bool:
    import errno

    # OSError / DuckDB IO Error: "No space left on device"; SQLite (Dagster's storage): "database or
    # disk is full", or "disk I/O error" when the journal cannot be written
    return (
        errno_ == errno.ENOSPC
        or "No space left on device" in text
        or "ENOSPC" in text
        or "disk is full" in text.lower()
        or "Errno 28" in text
        or "disk I/O error" in text
    )


def _disk_full_message(settings: Settings) -> str:
    """One sentence naming the full disk: the folder of the run (or of the warehouse, or of the
    temporary files) with the least space left."""
    import shutil
    import tempfile

    candidates = []
    for folder in (settings.out, settings.db.parent, Path(tempfile.gettempdir())):
        p = Path(folder)
        while not p.exists() and p != p.parent:
            p = p.parent
        try:
            candidates.append((shutil.disk_usage(p).free, str(folder)))
        except OSError:
            continue
    free, folder = min(candidates) if candidates else (0, str(settings.out))
    return (
        f"nianbao run: the disk holding {folder} is full ({free // (1024 * 1024)} MB free); free some space "
        "there and run again — the published warehouse, pages and workbook were left as they were."
    )


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
