"""`parse.read_capped` returns what `f.read(limit + 1)` returns, whatever the file's size against the
limit and even when the size taken first is out of date (the file grew or shrank meanwhile)."""

from __future__ import annotations

import os

import pytest

from pipeline import parse


@pytest.mark.parametrize("size", [0, 1, 9, 10, 11, 25])
@pytest.mark.parametrize("told", [None, 0, 3, 10, 11, 40])  # the size fstat reports (None: the true one)
def test_read_capped_reads_what_read_of_limit_plus_one_reads(tmp_path, monkeypatch, size, told):
    p = tmp_path / "f.bin"
    p.write_bytes(bytes(range(size)))
    with open(p, "rb") as f:
        want = f.read(10 + 1)
    if told is not None:
        real = os.fstat

        class St:
            def __init__(self, st):
                self.st_size = told  # as if the file had changed since

        monkeypatch.setattr(os, "fstat", lambda fd: St(real(fd)))
    with open(p, "rb") as f:
        got = parse.read_capped(f, limit=10)
    assert got == want


def test_parse_file_reads_the_whole_file(tmp_path):
    """A text report read through read_capped parses as from its bytes."""
    from pathlib import Path

    seed = next(iter(sorted(Path(parse.__file__).parents[1].glob("assets/sample/inbox/**/*.txt"))), None)
    if seed is None:
        pytest.skip("no text report in the sample inbox")
    got = parse.parse_file(seed)
    want = parse.parse_bytes(seed.read_bytes(), str(seed), str(seed.parent))
    assert got == want and "error" not in got
