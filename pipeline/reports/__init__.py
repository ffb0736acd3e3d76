"""Rollup pages and the office workbook, from the published warehouse (plain functions, no Dagster).

`render_all(db_path, out_dir)` writes the pages (index, one per banner-level group and the league per
year and hierarchy, one per unit and year) incrementally, one year at a time, in forked workers;
`write_workbook(db_path, path)` streams the Excel workbook. Both open the warehouse read-only with a
memory limit (`data.reading`).
"""

from .render import render_all
from .workbook import write_workbook

__all__ = ["render_all", "write_workbook"]
