"""Work on many items in chunks, in forked worker processes (one helper for the scan and the read)."""

from __future__ import annotations

import multiprocessing as mp
import sys
from concurrent.futures import ProcessPoolExecutor
from typing import Callable, Iterator, TypeVar

T = TypeVar("T")
R = TypeVar("R")


def chunk_map(fn: Callable[[list[T]], list[R]], items: list[T], workers: int, size: int) -> Iterator[list[R]]:
    """fn over `items` in chunks of `size`, by `workers` processes (forked on Linux, so the workers
    inherit what is loaded); the chunks' results are yielded in order as they come."""
    chunks = [items[i:i + size] for i in range(0, len(items), size)]
    ctx = mp.get_context("fork") if sys.platform.startswith("linux") else mp.get_context("spawn")
    with ProcessPoolExecutor(max_workers=workers, mp_context=ctx) as pool:
        yield from pool.map(fn, chunks)
