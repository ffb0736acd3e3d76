#!/usr/bin/env bash
# Does an older DuckDB client open the published warehouse? (the pipeline writes storage version v1.1.0)
# Usage: bench/check_old_duckdb.sh WAREHOUSE.duckdb [VERSION ...]   (default versions: 1.1.3 1.2.2)
set -euo pipefail
db="$1"; shift
versions=("${@:-1.1.3 1.2.2}")
for v in ${versions[@]}; do
  venv="/tmp/nianbao-duckdb-$v"
  [ -x "$venv/bin/python" ] || { python3 -m venv "$venv" && "$venv/bin/pip" install -q "duckdb==$v"; }
  "$venv/bin/python" - "$db" <<'PY'
import sys, duckdb
con = duckdb.connect(sys.argv[1], read_only=True)
n = con.execute("SELECT count(*) FROM cells").fetchone()[0]
views = con.execute("SELECT count(*) FROM report_summary").fetchone()[0]
roll = con.execute("SELECT count(*) FROM rollup_summary").fetchone()[0]
print(f"duckdb {duckdb.__version__}: opened; {n} cells, {views} report_summary rows, {roll} rollup_summary rows")
PY
done
