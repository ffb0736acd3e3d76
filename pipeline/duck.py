"""Small DuckDB helpers shared by the steps that open DuckDB (no heavy imports: the page and
workbook processes use them too)."""

from __future__ import annotations

import duckdb

# DuckDB takes up to 80% of the machine's memory by default; the pipeline shares it between steps
# and processes, so it asks for less and lets heavy operators spill to disk instead.
WRITE_MEMORY = "1GB"
# The build's inserts (tens of millions of cells joined and sorted) spill beyond this; the building
# process also holds the plan and the registry, so its DuckDB takes half of what other writers may.
BUILD_MEMORY = "512MB"
READ_MEMORY = "512MB"


def scratch() -> duckdb.DuckDBPyConnection:
    """An in-memory connection for work on files (Parquet), without progress bars: long queries
    would draw them on the terminal."""
    con = duckdb.connect()
    con.execute("SET enable_progress_bar = false")
    return con


def sql_str(text) -> str:
    """A SQL string literal."""
    return "'" + str(text).replace("'", "''") + "'"
