"""What the table readers share: a row as read, the mapper's result, fitting a row's cells to its
columns, and whether a cell is a value."""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache

from ..document import GridCell, problem
from ..textnorm import Memo, classify_value, is_value_like, ocr_number

# The mapper's fast paths (rows of the commonest shapes taken without the general searches, output
# cells built without a call each) are on; tests/test_mapper_fast.py turns them off to compare every
# output with the general path's.
FAST = True


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
VALUE = Memo(is_value_like, 65536, 80)  # the same, as a dict lookup
CLASSIFIED = Memo(classify_value, 65536, 80)  # (semantic, value) of a cell's text


def _is_value(cell: GridCell) -> bool:
    return value_like(cell.text) or cell.read_by == "ocr" and ocr_number(cell.text) is not None


def fit_row(
    problems: list,
    title: str,
    code: str,
    label: str,
    values: list[GridCell],
    spec: list[str],
    at: str,
    delimited: bool,
    prefix: str | None,
    unnamed: tuple[str, ...] = (),
) -> list[GridCell | None]:
    """`_fit` a row's cells to its columns `spec`; a row that cannot be aligned is left unread
    (`row_ambiguous`), a short one read as far as it goes (`row_short`), each a problem naming the
    cells concerned as `{prefix}/{code}/{column}` (none when `prefix` is None; never the columns in
    `unnamed`)."""
    fitted, note = _fit(values, len(spec), delimited)
    if fitted is not None and not note:
        return fitted

    def named(cols) -> list[str]:
        return [f"{prefix}/{code}/{c}" for c in cols if c not in unnamed] if prefix else []

    if fitted is None:
        problems.append(
            problem(
                "row_ambiguous",
                "error",
                f"{title}: row '{label}' could not be aligned with its columns ({note}); its cells are left unread ({at})",
                named(spec),
            )
        )
        return [None] * len(spec)
    problems.append(
        problem(
            "row_short",
            "warning",
            f"{title}: row '{label}': {note} ({at})",
            named(c for c, v in zip(spec, fitted) if v is None),
        )
    )
    return fitted
