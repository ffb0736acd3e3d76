"""A bigger warehouse from a small one, for the checks benchmark (bench_checks.py --stage).

Usage: python bench/replicate_warehouse.py SMALL.duckdb OUT.duckdb K
K copies of every unit and its reports (ids suffixed ~k), cells, problems and sections included;
every sentence of a copy's narrative is marked with a character of its own, so the copies are not
copies of each other for the rule across units. A 10,000-report warehouse in seconds, where
generating and reading a corpus takes many minutes on a shared machine.
"""

import os
import shutil
import sys

import duckdb


def main() -> None:
    base, out, k = sys.argv[1], sys.argv[2], int(sys.argv[3])
    shutil.copy(base, out)
    os.chmod(out, 0o644)
    con = duckdb.connect(out)
    suffix = "'~' || CAST(k AS VARCHAR)"

    def copy(table: str, replace: dict[str, str]) -> None:
        cols = [
            r[0]
            for r in con.execute(
                "SELECT column_name FROM duckdb_columns() WHERE table_name = ? ORDER BY column_index", [table]
            ).fetchall()
        ]
        select = ", ".join(f"{replace[c]} AS {c}" if c in replace else c for c in cols)
        con.execute(f"CREATE TEMP TABLE base_{table} AS SELECT * FROM {table}")
        con.execute(f"INSERT INTO {table} SELECT {select} FROM base_{table}, range(1, {k}) AS r(k)")

    copy("units", {"unit_id": f"unit_id || {suffix}"})
    copy(
        "reports",
        {
            "report_id": f"report_id || {suffix}",
            "unit_id": f"unit_id || {suffix}",
            "path": f"path || {suffix}",
            "sha256": f"sha256 || {suffix}",
        },
    )
    for table in ("cells", "cells_extra", "problems"):
        copy(table, {"report_id": f"report_id || {suffix}"})
    copy(
        "sections",
        {"report_id": f"report_id || {suffix}", "text": "replace(text, '。', chr(19968 + CAST(k AS INTEGER)) || '。')"},
    )
    con.execute("DELETE FROM findings")
    con.execute("CHECKPOINT")
    print(con.execute("SELECT count(*) FROM reports WHERE active").fetchone()[0], "active reports")


if __name__ == "__main__":
    main()
