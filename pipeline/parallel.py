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
