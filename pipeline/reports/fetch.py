"""Reading the published warehouse for the pages and the workbook: a read-only connection with a
memory limit and a temporary directory of its own (`reading`), and rows fetched a batch at a time as
plain values (`fetch_rows`, `rows`, `tuples`)."""

from __future__ import annotations

import datetime as _dt
import shutil
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import duckdb

from ..duck import READ_MEMORY, sql_str

# A reader takes at most READ_MEMORY (DuckDB's buffer pool; operators beyond it spill to the
# temporary directory) and one thread: the render runs two of them side by side on two cores.
READ_THREADS = 1
FETCH = 20_000  # rows brought into Python at a time


def _plain(v):
    if isinstance(v, (_dt.date, _dt.datetime)):
        return v.isoformat()
    if isinstance(v, float) and v != v:  # NaN
        return None
    if isinstance(v, (list, tuple)):
        return [_plain(x) for x in v]
    return v


def fetch_rows(cur, size: int = 0) -> Iterator[tuple]:
    """The rows of an executed cursor as tuples of plain values: dates as ISO strings, NaN as None
    (strings and integers pass as they are)."""
    types = [str(d[1]).upper() for d in cur.description]
    floats = [i for i, t in enumerate(types) if t in ("DOUBLE", "FLOAT", "REAL")]
    other = [
        i
        for i, t in enumerate(types)
        if i not in floats and any(k in t for k in ("DATE", "TIME", "DOUBLE", "FLOAT", "[]", "LIST", "DECIMAL"))
    ]
    while True:
        batch = cur.fetchmany(size) if size else cur.fetchall()
        if not batch:
            return
        if not floats and not other:
            yield from batch
        else:
            for r in batch:
                if not other:
                    for i in floats:
                        if r[i] != r[i]:
                            break
                    else:
                        yield r  # no NaN: as it is
                        continue
                r = list(r)
                for i in other:
                    r[i] = _plain(r[i])
                for i in floats:
                    if r[i] != r[i]:
                        r[i] = None
                yield tuple(r)
        if not size:
            return


def rows(con: duckdb.DuckDBPyConnection, sql: str, params=None) -> list[dict]:
    cur = con.execute(sql, params or [])
    names = [d[0] for d in cur.description]
    return [dict(zip(names, r)) for r in fetch_rows(cur, FETCH)]


def tuples(con: duckdb.DuckDBPyConnection, sql: str, params=None) -> list[tuple]:
    return list(fetch_rows(con.execute(sql, params or []), FETCH))


@contextmanager
def reading(db_path: str | Path, threads: int = READ_THREADS, memory: str = READ_MEMORY):
    """A read-only connection to the warehouse at `db_path`, with a memory limit, `threads` threads and
    a temporary directory of its own (removed on close) for what does not fit.

    The file is attached to a DuckDB instance of the connection's own rather than opened with
    `duckdb.connect(path)`: DuckDB keeps one instance per path and process, so that would refuse these
    settings while someone else in the process holds the file open (an analyst's notebook, a test),
    or hand back that instance, which still reads the file the path named before the last publish."""
    tmp = tempfile.mkdtemp(prefix="nianbao-duckdb-")
    try:
        con = duckdb.connect(
            ":memory:", config={"memory_limit": memory, "threads": str(threads), "temp_directory": tmp}
        )
        try:
            con.execute("SET enable_progress_bar = false")
            con.execute(f"ATTACH {sql_str(db_path)} AS warehouse (READ_ONLY)")
            con.execute("USE warehouse")
            yield con
        finally:
            con.close()
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
