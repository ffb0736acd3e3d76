"""Great Expectations in a warm worker: a standard process pool of one, started ahead of time.

Importing GX costs seconds. `nianbao run` starts the pool before the run: its initializer imports
GX and builds the suites while the inbox is scanned, read and built into the warehouse, on the
other core. The checking loop (findings.py) then hands each chunk's evaluation to the worker and
evaluates the next chunk meanwhile. Without a pool (under the Dagster UI, in tests, where fork is
unavailable, or with NIANBAO_NO_GX_WORKER set) validation runs in the calling process.

Errors surface: an exception in the worker is raised again by `Future.result()`, and a worker that
dies breaks the pool (`BrokenProcessPool`), never a hang; the loop names the chunk in both cases.
"""

from __future__ import annotations

import gc
import multiprocessing as mp
import os
import signal
import sys
from concurrent.futures import Future, ProcessPoolExecutor

from ..parallel import die_with_parent
from . import suites

_pool: ProcessPoolExecutor | None = None
_used = False  # has a chunk been handed to the worker since it started?
_pid = None  # the worker's process id, set by the worker itself first thing (shared memory)


def start() -> None:
    """Start the warm worker (once; on Linux, unless NIANBAO_NO_GX_WORKER is set)."""
    global _pool, _used, _pid
    if _pool is not None or not sys.platform.startswith("linux") or os.environ.get("NIANBAO_NO_GX_WORKER"):
        return
    _used, _pid = False, mp.get_context("fork").Value("i", 0, lock=False)
    _pool = ProcessPoolExecutor(max_workers=1, mp_context=mp.get_context("fork"), initializer=_warm)
    _pool.submit(os.getpid)  # forks the worker now, so GX is imported while the run goes on


def _warm() -> None:
    _pid.value = os.getpid()
    die_with_parent()  # a killed run must not leave an orphan holding GX's memory
    suites.warm()


def running() -> bool:
    return _pool is not None


def _validate(frame, data_docs, keep=None):
    # what the chunk before left: GX's results are cyclic (freed only by the collector, which ran at
    # random points, so the worker's memory swung by ~150 MB), then their pages back to the system
    gc.collect()
    release_memory()
    return suites.validate_here(frame, data_docs, keep) if keep else suites.validate_here(frame, data_docs)


def release_memory() -> None:
    """Hand the C heap's free pages back to the system (glibc's malloc_trim). A chunk's large arrays,
    once freed, stay in the process's heap otherwise: scattered among live blocks, they are not
    returned, and the heap's footprint grew from chunk to chunk with the warehouse (~60-90 MB in the
    calling process and ~100 MB in the worker from 10,000 to 30,000 reports)."""
    global _trim
    if _trim is None:
        try:
            import ctypes

            _trim = ctypes.CDLL("libc.so.6").malloc_trim
        except (OSError, AttributeError):  # not glibc: nothing to do
            _trim = False
    if _trim:
        _trim(0)


_trim = None


def validate(frame, data_docs: str | None, keep: str | None = None) -> Future:
    """The validation of `frame` (columns row_key, rule_id, metric): by the warm worker when there
    is one, otherwise here (an already finished future). `keep`: a token of the checking run, under
    which the frame is remembered where it is validated, for the Data Docs built at the end (`docs`)."""
    global _used
    if _pool is not None:
        _used = True
        return _pool.submit(_validate, frame, data_docs, keep)
    return _here(suites.validate_here, frame, data_docs, *([keep] if keep else []))


def docs(data_docs: str, keep: str) -> Future:
    """Data Docs of the last frame validated with this `keep` token (where it was validated); its
    index page."""
    if _pool is not None:
        return _pool.submit(suites.docs_of_kept, data_docs, keep)
    return _here(suites.docs_of_kept, data_docs, keep)


def _here(fn, *args) -> Future:
    done: Future = Future()
    try:
        done.set_result(fn(*args))
    except Exception as e:  # raised by result(), as from the worker
        done.set_exception(e)
    return done


def stop() -> None:
    """Stop the worker (its memory is better spent on the pages); it is started again by `start()`.
    A worker that was never handed a chunk (an empty or unchanged inbox: nothing to check) is killed
    at once instead of being waited for: its GX import, seconds of CPU, would only be thrown away."""
    global _pool
    if _pool is None:
        return
    pool, _pool = _pool, None
    if not _used and _pid is not None and _pid.value:
        try:
            os.kill(_pid.value, signal.SIGKILL)
        except ProcessLookupError:  # it had already ended
            pass
    pool.shutdown(wait=True, cancel_futures=True)
