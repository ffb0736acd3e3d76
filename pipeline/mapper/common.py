"""What the table readers share: a row as read, the mapper's result, fitting a row's cells to its
columns, and whether a cell is a value."""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache

from ..document import GridCell
from ..textnorm import is_value_like, ocr_number


@dataclass
class RowRead:
    values: list[GridCell | None]  # one per column of the spec; None = not in the document
    columns: list[str]
    at: str


@dataclass
class MapResult:
    cells: dict[str, dict]
    extra_cells: dict[str, dict]
    problems: list[dict]
    format_version: str | None
    tables_found: dict[str, bool]


_GENERIC_COL = re.compile(r"^(?:数据|列|栏|col(?:umn)?)\s*\d{1,2}$", re.IGNORECASE)


def _fit(values: list[GridCell], k: int, delimited: bool) -> tuple[list[GridCell | None] | None, str]:
    """Fit the cells that follow a row label to k columns. Returns (cells, note)."""
    n = len(values)
    if n == k:
        return list(values), ""
    if n > k:
        extra = n - k
        if all(v.text == "" for v in values[k:]):
            return list(values[:k]), ""
        if all(v.text == "" for v in values[:extra]):
            return list(values[extra:]), ""
        return None, f"{n} cells for {k} columns"
    if delimited:
        return list(values) + [None] * (k - n), f"only {n} of {k} cells present"
    return None, f"{n} values for {k} columns and blank cells are not marked"


# The same cell texts recur in every report (labels, headers, small numbers): what the mapper asks of
# a text is computed once per text, not once per cell.
value_like = lru_cache(maxsize=65536)(is_value_like)


def _is_value(cell: GridCell) -> bool:
    return value_like(cell.text) or cell.read_by == "ocr" and ocr_number(cell.text) is not None
