"""One run at a time per run folder, and nothing a dead run left behind in the way of the next.

`RunLock` holds an `fcntl.flock` on `<out>/.nianbao.lock` for the whole run. The kernel releases a
flock when its holder dies (kill -9, OOM, power loss), so a dead run can never hold it; the file
keeps the holder's pid, command and start time for the message a second run shows.

`clean_leftovers` runs right after the lock is taken: whatever a killed run left (candidate
warehouses, half-written temporary files, staging folders of pages and workbook, read batches
being written) is removed, and the Dagster concurrency slots still held by a dead `nianbao run`
are freed.
"""

from __future__ import annotations

import errno
import fcntl
import json
import os
import shutil
import sys
import time
from pathlib import Path

LOCK_NAME = ".nianbao.lock"


class RunFolderBusy(Exception):
    """Another run holds the run folder; the message names it."""


class RunLock:
    def __init__(self, out: str | Path):
        self.out = Path(out)
        self.path = self.out / LOCK_NAME
        self.fd: int | None = None

    def acquire(self) -> RunLock:
        self.out.mkdir(parents=True, exist_ok=True)
        fd = os.open(self.path, os.O_RDWR | os.O_CREAT, 0o644)
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except OSError as e:
            if e.errno not in (errno.EWOULDBLOCK, errno.EAGAIN, errno.EACCES):
                os.close(fd)
                raise
            holder = _holder(fd)
            os.close(fd)
            raise RunFolderBusy(
                f"another nianbao run is using the run folder {self.out}{holder}; "
                "wait for it to finish (or stop it) and start again"
            ) from None
        info = {
            "pid": os.getpid(),
            "command": " ".join(sys.argv) or sys.executable,
            "started": time.strftime("%Y-%m-%d %H:%M:%S %Z"),
        }
        os.ftruncate(fd, 0)
        os.pwrite(fd, json.dumps(info, ensure_ascii=False).encode("utf-8"), 0)
        self.fd = fd
        return self

    def release(self) -> None:
        if self.fd is None:
            return
        try:
            os.ftruncate(self.fd, 0)
        except OSError:
            pass
        fcntl.flock(self.fd, fcntl.LOCK_UN)
        os.close(self.fd)
        self.fd = None

    def __enter__(self) -> RunLock:
        return self.acquire()

    def __exit__(self, *exc) -> None:
        self.release()


def _holder(fd: int) -> str:
    try:
        info = json.loads(os.pread(fd, 4096, 0).decode("utf-8") or "{}")
    except (OSError, ValueError):
        info = {}
    if not info:
        return ""
    return f" (pid {info.get('pid')}, `{info.get('command')}`, started {info.get('started')})"


# ----------------------------------------------------------------------------------------------


def clean_leftovers(out: str | Path, db: str | Path | None = None) -> list[str]:
    """Remove what a killed run left in the run folder (call it holding the lock). Returns what went."""
    out = Path(out)
    gone: list[str] = []

    def rm(p: Path) -> None:
        try:
            if p.is_symlink() or p.is_file():
                p.unlink()
            elif p.is_dir():
                shutil.rmtree(p)
            else:
                return
            gone.append(str(p))
        except FileNotFoundError:
            pass

    state = out / "state"
    if state.is_dir():
        for p in state.glob("candidate-*"):
            rm(p)
        for p in state.glob("*.tmp"):
            rm(p)
        for p in state.glob(".*.tmp"):
            rm(p)
        reads = state / "reads"
        if reads.is_dir():
            for p in reads.glob(".*.tmp"):
                rm(p)
    from .publish import leftover_staging

    for p in leftover_staging(out):
        rm(p)
    for p in out.glob(".*.tmp"):
        rm(p)
    if db is not None:
        db = Path(db)
        for p in db.parent.glob(f".{db.name}.*.tmp"):
            rm(p)
    return gone


def free_dead_runs(instance) -> list[str]:
    """Free the concurrency slots that runs of `nianbao run` still hold in this DAGSTER_HOME and mark
    those runs failed. Called holding the run-folder lock: no other `nianbao run` on this folder is
    alive, so every such run that has not finished died."""
    from dagster import DagsterRunStatus, RunsFilter

    freed = []
    alive = {
        DagsterRunStatus.STARTED,
        DagsterRunStatus.STARTING,
        DagsterRunStatus.NOT_STARTED,
        DagsterRunStatus.QUEUED,
        DagsterRunStatus.CANCELING,
    }
    for run in instance.get_runs(filters=RunsFilter(statuses=list(alive), tags={"nianbao/launcher": "cli"})):
        try:
            instance.event_log_storage.free_concurrency_slots_for_run(run.run_id)
            instance.report_run_failed(run, "the process running it died (found by the next nianbao run)")
        except Exception:  # noqa: BLE001 - best effort: a slot that stays held is reported below
            pass
        freed.append(run.run_id)
    try:
        holders = set(instance.event_log_storage.get_concurrency_run_ids())
    except Exception:  # noqa: BLE001 - a storage without concurrency support holds nothing
        holders = set()
    for run_id in sorted(holders - set(freed)):
        # a slot held by a run that finished or is gone is a leak too; a live run of the UI keeps its own
        run = instance.get_run_by_id(run_id)
        if run is None or run.status not in alive:
            try:
                instance.event_log_storage.free_concurrency_slots_for_run(run_id)
                freed.append(run_id)
            except Exception:  # noqa: BLE001
                pass
    return freed
