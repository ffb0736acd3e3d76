"""Chunks for the reading workers: every item once, the costliest first, a costly item alone."""

from __future__ import annotations

import os
import sys
import time
from pathlib import Path

import pytest

from pipeline.parallel import costly_first
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


def _mark_and_wait(xs: list[str]) -> list[str]:
    for x in xs:
        Path(x).touch()
    time.sleep(0.3)
    return xs


class _Keeper:
    """A worker's state between chunks: the items it saw, returned by finish()."""

    def __init__(self):
        self.seen: list[int] = []

    def chunk(self, xs: list[int]) -> list[int]:
        if -1 in xs:
            raise ValueError("a bad item")
        if -9 in xs:
            os.kill(os.getpid(), 9)
        self.seen.extend(xs)
        return [x * x for x in xs]

    def finish(self) -> dict:
        return {"pid": os.getpid(), "seen": self.seen}


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="forked workers")
def test_map_kept_returns_every_chunk_once_and_each_workers_state_at_the_end():
    from pipeline.parallel import map_kept

    chunks = [[i, i + 100] for i in range(30)]
    k = _Keeper()
    out = list(map_kept(k.chunk, k.finish, chunks, workers=2))
    squares = sorted(x for r in out if isinstance(r, list) for x in r)
    assert squares == sorted(x * x for c in chunks for x in c)
    ends = [r for r in out if isinstance(r, dict)]
    assert len(ends) == 2 and len({e["pid"] for e in ends}) == 2 and os.getpid() not in {e["pid"] for e in ends}
    # every item was kept by exactly one worker; this process's copy of the state was never touched
    assert sorted(x for e in ends for x in e["seen"]) == sorted(x for c in chunks for x in c)
    assert k.seen == []


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="forked workers")
@pytest.mark.parametrize("bad, says", [(-1, "ValueError: a bad item"), (-9, "exit code -9")])
def test_map_kept_raises_a_workers_error_or_death(bad, says):
    from pipeline.parallel import WorkerFailed, map_kept

    k = _Keeper()
    with pytest.raises(WorkerFailed, match=says):
        list(map_kept(k.chunk, k.finish, [[1], [2], [bad], [3]], workers=2))


def _slow(xs: list[str]) -> list[str]:
    return _mark_and_wait(xs)


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="forked workers")
def test_map_kept_stopped_early_stops_its_workers(tmp_path):
    from pipeline.parallel import map_kept

    chunks = [[str(tmp_path / f"c{i}")] for i in range(40)]
    it = map_kept(_slow, list, chunks, workers=2)
    next(it)
    it.close()
    time.sleep(0.5)
    assert len(os.listdir(tmp_path)) < 6  # the chunks running when it stopped, not 40


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="forked workers")
def test_reading_workers_writing_their_own_batches_fill_the_cache_as_one_process_does(tmp_path, monkeypatch):
    """Two reading workers, each writing its files' results to the cache in batches of its own (here
    of 3 files), leave the same rows in every table of the cache as one process reading them all,
    with the same files to retry and the same counts; unreadable and odd files included."""
    import duckdb

    from corpus import example_spec, write
    from pipeline import readcache
    from pipeline.inbox import scan

    inbox = tmp_path / "inbox"
    inbox.mkdir()
    kinds = ["text", "html", "docx", "pdf"]
    for i in range(14):
        write(example_spec(i), inbox / f"r{i}.{ {'text': 'txt'}.get(kinds[i % 4], kinds[i % 4]) }", kinds[i % 4])
    (inbox / "broken.pdf").write_bytes(b"%PDF-1.4 not really")
    (inbox / "empty.txt").write_bytes(b"")
    (inbox / "latin.txt").write_bytes(b"Annual report, nothing Chinese")
    files = [f for f in scan(inbox) if not f.error]
    assert len(files) >= 16
    monkeypatch.setattr(readcache, "BATCH_FILES", 6)
    stats = {}
    for workers in (1, 2):
        cache = readcache.ReadCache(tmp_path / f"state{workers}")
        stats[workers] = readcache.read_files(files, cache, "2024", workers=workers)
        assert readcache.read_files(files, cache, "2024", workers=workers)["read"] == 0  # all cached now
    assert stats[2]["batches"] >= 4  # each worker wrote batches of its own
    for k in ("read", "unreadable"):
        assert stats[1][k] == stats[2][k]
    assert stats[1]["unreadable"] >= 2
    one, two = readcache.ReadCache(tmp_path / "state1"), readcache.ReadCache(tmp_path / "state2")
    assert one.retries() == two.retries()
    con = duckdb.connect()
    for table in ("reports", "cells", "cells_extra", "sections", "problems"):
        a, b = f"read_parquet({one.glob(table)!r})", f"read_parquet({two.glob(table)!r})"
        assert (
            con.execute(f"DESCRIBE SELECT * FROM {a}").fetchall()
            == con.execute(f"DESCRIBE SELECT * FROM {b}").fetchall()
        )
        n = con.execute(f"SELECT count(*) FROM {a}").fetchone()[0]
        diff = con.execute(
            f"SELECT (SELECT count(*) FROM (SELECT * FROM {a} EXCEPT ALL SELECT * FROM {b})), "
            f"(SELECT count(*) FROM (SELECT * FROM {b} EXCEPT ALL SELECT * FROM {a}))"
        ).fetchone()
        assert diff == (0, 0), table
        assert n > 0 or table == "cells_extra", table


def test_a_batch_with_a_column_without_values_is_read_with_the_others(tmp_path):
    """A batch in which no file had an error (or a date, ...) still writes those columns as text: they
    were written with type NULL, and the next run could not read that batch with one that had an
    error (DuckDB: "Unimplemented type for cast (VARCHAR -> NULL)")."""
    from corpus import example_spec
    from corpus.text_writer import render_text
    from pipeline.parse import parse_bytes
    from pipeline.readcache import ReadCache, flatten

    cache = ReadCache(tmp_path)
    good = flatten(dict(parse_bytes(render_text(example_spec(3)).encode("utf-8"), "a.txt"), sha256="a" * 64))
    assert good.report[3] is None  # no error in the first batch
    first = cache.write_batch([good], "2024")
    second = cache.write_batch([flatten({"sha256": "b" * 64, "kind": "pdf", "error": "unreadable"})], "2024")
    # the batch without errors read first (batches are read in their names' order)
    first.rename(first.with_name("20000101T000000-2024-first"))
    second.rename(second.with_name("20000101T000001-2024-second"))
    assert cache.known() == {"a" * 64, "b" * 64}
