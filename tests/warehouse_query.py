"""Reading a built warehouse in tests: a read-only connection per query, closed at once, so a test
never holds the file that the next run publishes."""

from __future__ import annotations

import duckdb


def query(db, sql: str, params=None) -> list[tuple]:
    con = duckdb.connect(str(db), read_only=True)
    try:
        return con.execute(sql, params or []).fetchall()
    finally:
        con.close()
