"""Chunks for the reading workers: every item once, the costliest first, a costly item alone."""

from __future__ import annotations

import os
import sys
import time
from pathlib import Path

import pytest

from pipeline.parallel import costly_first, map_chunks
from pipeline.readcache import read_cost


def test_costly_first_keeps_every_item_once_and_starts_with_the_costliest():
    # 2 scans (seconds of OCR), 30 PDFs, 500 text files
    costs = [3.0] * 500 + [50.0] * 30 + [10_000.0, 12_000.0]
    chunks = costly_first(costs, workers=2, most=64)
    flat = [i for c in chunks for i in c]
    assert sorted(flat) == list(range(len(costs)))
    assert chunks[0] == [531] and chunks[1] == [530]  # each scan alone, the longer first
    assert all(len(c) <= 64 for c in chunks)
    started = [max(costs[i] for i in c) for c in chunks]
    assert started == sorted(started, reverse=True)
    # the last chunks are short: no chunk costs more than 1/16 of a worker's share, unless one item does
    share = sum(costs) / 32
    assert all(sum(costs[i] for i in c) <= share for c in chunks if len(c) > 1)


def test_costly_first_on_nothing_and_on_one_item():
    assert costly_first([], workers=2, most=64) == []
    assert costly_first([5.0], workers=2, most=64) == [[0]]


def test_read_cost_puts_scans_and_old_word_before_text():
    text, page = read_cost("text", 8_000), read_cost("pdf", 20_000)
    assert read_cost("image", 300_000) > read_cost("pdf", 1_000_000) > page > text
    assert read_cost("doc", 30_000) > page
    assert read_cost(None, 1_000) > 0  # a kind not known still has a cost


def _square_all(xs: list[int]) -> list[int]:
    return [x * x for x in xs]


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="forked workers")
def test_map_chunks_returns_every_chunk_once():
    chunks = [[1, 2], [3], [4, 5, 6], [7]]
    got = sorted(tuple(r) for r in map_chunks(_square_all, chunks, workers=2))
    assert got == sorted(tuple(x * x for x in c) for c in chunks)


def _mark_and_wait(xs: list[str]) -> list[str]:
    for x in xs:
        Path(x).touch()
    time.sleep(0.3)
    return xs


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="forked workers")
def test_map_chunks_stopped_early_does_not_run_the_chunks_left(tmp_path):
    # a run interrupted while reading (SIGTERM raises in the step) must not wait for every file
    chunks = [[str(tmp_path / f"c{i}")] for i in range(40)]
    it = map_chunks(_mark_and_wait, chunks, workers=2)
    next(it)
    it.close()  # what an exception in the caller does to the generator
    assert len(os.listdir(tmp_path)) < 12  # the running ones and the few already queued, not 40
