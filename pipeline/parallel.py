"""Work on many items in chunks, in forked worker processes (one helper for the scan and the read)."""

from __future__ import annotations

import multiprocessing as mp
import sys
from collections.abc import Callable, Iterator
from concurrent.futures import FIRST_COMPLETED, ProcessPoolExecutor, wait
from typing import TypeVar

T = TypeVar("T")
R = TypeVar("R")


def die_with_parent() -> None:
    """Have the kernel kill this (child) process when its parent dies (Linux PR_SET_PDEATHSIG), so a
    worker never outlives a run that was killed; elsewhere nothing."""
    if not sys.platform.startswith("linux"):
        return
    import ctypes
    import os
    import signal

    try:
        libc = ctypes.CDLL(None, use_errno=True)
        libc.prctl(1, int(signal.SIGKILL), 0, 0, 0)  # PR_SET_PDEATHSIG = 1
    except (OSError, AttributeError):
        return
    if os.getppid() == 1:  # the parent died before the call: go now
        os._exit(1)


def _pool(workers: int) -> ProcessPoolExecutor:
    """`workers` processes, forked on Linux (so they inherit what is loaded), each dying with its parent."""
    ctx = mp.get_context("fork") if sys.platform.startswith("linux") else mp.get_context("spawn")
    return ProcessPoolExecutor(max_workers=workers, mp_context=ctx, initializer=die_with_parent)


def chunk_map(fn: Callable[[list[T]], list[R]], items: list[T], workers: int, size: int) -> Iterator[list[R]]:
    """fn over `items` in chunks of `size`, by `workers` processes (`_pool`); the chunks' results
    are yielded in order as they come."""
    chunks = [items[i : i + size] for i in range(0, len(items), size)]
    with _pool(workers) as pool:
        yield from pool.map(fn, chunks)


def costly_first(costs: list[float], workers: int, most: int) -> list[list[int]]:
    """Indices of the items in chunks for `workers` processes: the costliest items first (a long job
    started last would finish alone while the other workers wait), each chunk's estimated cost at
    most 1/16 of a worker's share, so a costly item is a chunk of its own and the last chunks are
    short, and at most `most` items a chunk (a chunk's results come back at once)."""
    order = sorted(range(len(costs)), key=lambda i: -costs[i])
    share = sum(costs) / (max(1, workers) * 16)
    chunks: list[list[int]] = []
    chunk: list[int] = []
    cost = 0.0
    for i in order:
        if chunk and (cost + costs[i] > share or len(chunk) >= most):
            chunks.append(chunk)
            chunk, cost = [], 0.0
        chunk.append(i)
        cost += costs[i]
    if chunk:
        chunks.append(chunk)
    return chunks


def map_chunks(fn: Callable[[list[T]], list[R]], chunks: list[list[T]], workers: int) -> Iterator[list[R]]:
    """fn over each chunk, by `workers` forked processes, started in the chunks' order; the results
    are yielded as they are done (not in order), so one long chunk holds back neither the others'
    results nor the memory they would take while waiting. When the caller stops (an error, or the run
    is interrupted: SIGTERM raises in the step), the chunks not started are cancelled, not waited for."""
    with _pool(workers) as pool:
        pending = {pool.submit(fn, c) for c in chunks}
        try:
            while pending:
                done, pending = wait(pending, return_when=FIRST_COMPLETED)
                for f in done:
                    yield f.result()
        finally:
            for f in pending:
                f.cancel()


class WorkerFailed(RuntimeError):
    """A worker of `map_kept` raised (the message carries its error) or died."""


def _kept_worker(fn, finish, chunks, next_chunk, results) -> None:
    die_with_parent()
    try:
        while True:
            with next_chunk.get_lock():
                i = next_chunk.value
                next_chunk.value += 1
            if i >= len(chunks):
                break
            results.put(("chunk", fn(chunks[i])))
        results.put(("end", finish()))
    except BaseException as e:  # noqa: BLE001 - said to the parent, which raises it
        import traceback

        results.put(("error", f"{type(e).__name__}: {e}\n{traceback.format_exc()}"))
    results.close()
    results.join_thread()  # the results are in the pipe before the process ends


def map_kept(fn: Callable[[list[T]], R], finish: Callable[[], R], chunks: list[list[T]], workers: int) -> Iterator[R]:
    """fn over each chunk by `workers` forked processes that live for the whole map (so they can keep
    state between chunks: a reading worker keeps its files' results and writes them in batches of
    its own). Each takes the next chunk in the chunks' order; when none is left it returns finish().
    Only fn's and finish()'s results travel back (pickled), and are yielded as they come, not in
    order (finish()'s too, one per worker). An error in a worker is raised here as WorkerFailed,
    with its traceback; so is a worker's death (a kill, no memory left). When the caller stops (an
    error, or SIGTERM raising in the step), the workers are stopped at once."""
    import queue

    ctx = mp.get_context("fork")
    next_chunk = ctx.Value("q", 0)
    results = ctx.Queue()
    procs = [
        ctx.Process(target=_kept_worker, args=(fn, finish, chunks, next_chunk, results), daemon=True)
        for _ in range(max(1, workers))
    ]
    import gc

    # what this process holds is left out of the workers' garbage collection: they would walk it
    # (and so copy its pages) at every full collection
    gc.freeze()
    try:
        for p in procs:
            p.start()
    finally:
        gc.unfreeze()
    ended = 0
    try:
        while ended < len(procs):
            try:
                kind, payload = results.get(timeout=0.5)
            except queue.Empty:
                dead = [p.exitcode for p in procs if p.exitcode not in (None, 0)]
                if dead:
                    raise WorkerFailed(f"a worker ended without finishing (exit code {dead[0]})") from None
                if all(p.exitcode == 0 for p in procs):  # all ended, and nothing is left to come
                    try:
                        kind, payload = results.get(timeout=2)
                    except queue.Empty:
                        raise WorkerFailed("a worker ended without its results") from None
                else:
                    continue
            if kind == "error":
                raise WorkerFailed(payload)
            if kind == "end":
                ended += 1
            yield payload
    finally:
        for p in procs:
            if p.is_alive():
                p.kill()
        for p in procs:
            p.join()
        results.close()
        results.cancel_join_thread()
