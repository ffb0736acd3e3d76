"""Work on many items in chunks, in forked worker processes (one helper for the scan and the read)."""

from __future__ import annotations

import multiprocessing as mp
import sys
from collections.abc import Callable, Iterator
from concurrent.futures import ProcessPoolExecutor
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


def chunk_map(fn: Callable[[list[T]], list[R]], items: list[T], workers: int, size: int) -> Iterator[list[R]]:
    """fn over `items` in chunks of `size`, by `workers` processes (forked on Linux, so the workers
    inherit what is loaded); the chunks' results are yielded in order as they come."""
    chunks = [items[i : i + size] for i in range(0, len(items), size)]
    ctx = mp.get_context("fork") if sys.platform.startswith("linux") else mp.get_context("spawn")
    with ProcessPoolExecutor(max_workers=workers, mp_context=ctx, initializer=die_with_parent) as pool:
        yield from pool.map(fn, chunks)
