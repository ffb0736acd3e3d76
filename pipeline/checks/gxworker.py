"""Great Expectations imported ahead of time, in a process of its own.

Importing GX costs seconds. `nianbao run` starts this worker before the run, so the import happens
on the other core while the inbox is scanned, read and built into the warehouse; the findings step
then hands its evaluation table to the warm worker. Without a worker (under the Dagster UI, or
where fork is unavailable) validation simply runs in the calling process.
"""

from __future__ import annotations

import multiprocessing as mp
import os
import sys

_worker: tuple | None = None


def start() -> None:
    global _worker
    if _worker is not None or not sys.platform.startswith("linux") or os.environ.get("NIANBAO_NO_GX_WORKER"):
        return
    ctx = mp.get_context("fork")
    parent, child = ctx.Pipe()
    proc = ctx.Process(target=_serve, args=(child,), daemon=True, name="nianbao-gx")
    proc.start()
    child.close()
    _worker = (proc, parent)


def _serve(conn) -> None:
    from ..parallel import die_with_parent
    from . import suites

    die_with_parent()  # a killed run must not leave an orphan holding GX's memory
    suites._quiet()
    import great_expectations  # noqa: F401  (the point: import it now)

    while True:
        try:
            msg = conn.recv()
        except EOFError:
            break
        if msg is None:
            break
        kind, args = msg
        try:
            if kind == "validate":
                conn.send(("ok", suites.validate_here(*args)))
            elif kind == "check":
                conn.send(("ok", _check(*args)))
            else:
                conn.send(("error", f"unknown request {kind}"))
        except Exception as e:  # reported by the caller, which then works itself
            conn.send(("error", f"{type(e).__name__}: {e}"))


def _check(db: str, deadline: str, data_docs: str | None, previous_db: str | None) -> dict:
    from .findings import check_warehouse

    return check_warehouse(db, deadline, data_docs, previous_db)


def _ask(kind: str, *args):
    global _worker
    if _worker is None:
        return None
    proc, conn = _worker
    if not proc.is_alive():
        _worker = None
        return None
    try:
        conn.send((kind, args))
        status, result = conn.recv()
    except (EOFError, OSError, BrokenPipeError):
        _worker = None
        return None
    return result if status == "ok" else None


def validate(frame, data_docs):
    """Validation by the warm worker, or None when there is none (the caller validates itself)."""
    return _ask("validate", frame, str(data_docs) if data_docs else None)


def check(db, deadline: str, data_docs, previous_db):
    """The whole findings step in the worker (its memory goes when the worker stops), or None."""
    return _ask("check", str(db), deadline, str(data_docs) if data_docs else None,
                str(previous_db) if previous_db else None)


def stop() -> None:
    global _worker
    if _worker is None:
        return
    proc, conn = _worker
    try:
        conn.send(None)
    except (OSError, BrokenPipeError):
        pass
    proc.join(timeout=5)
    if proc.is_alive():
        proc.terminate()
    _worker = None
