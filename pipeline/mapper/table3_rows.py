"""Table 3's rows of the commonest shapes, read without the general search of
`T3Reader._feed_row_general` (each method says why it reads them as that search does), and the
memoised lookups Table 3's reader shares with them."""

from __future__ import annotations

from functools import lru_cache

from ..codebook import Entry, codebook
from ..document import GridCell
from ..textnorm import Memo
from .common import _GENERIC_COL, _is_value, value_like


@lru_cache(maxsize=65536)
def _header_token(text: str) -> tuple[str, str] | None:
    """A header of Table 3: ("group", "org") for 法人或其他组织, ("col", code), ("note", "")."""
    cb = codebook()
    if cb.is_t3_org_group(text):
        return ("group", "org")
    col = cb.t3_column(text)
    if col is not None:
        return ("col", col.code)
    if cb.is_t3_header_note(text):
        return ("note", "")
    return None


@lru_cache(maxsize=65536)
def _t3_row(text: str, context: frozenset[str]) -> Entry | None:
    return codebook().t3_row(text, context)


def _inert(text: str) -> bool:
    """A cell's text that `_feed_row` only ever takes as a value: blank, or a value (of any reader)
    that is no header of the table (so it never makes a row a header row)."""
    return not text or value_like(text) and _header_token(text) is None


_INERT = Memo(_inert, 65536, 80)


def _values_written(cells: list[GridCell], start: int) -> bool:
    """Whether the cells from `start` on are values that are no headers (or blank), one written at least."""
    inert = _INERT
    written = False
    for c in cells[start:]:
        t = c.text
        if t:
            if not inert[t]:
                return False
            written = True
    return written


class RowShapes:
    """Methods of `T3Reader` (table3.py) for rows of the commonest shapes."""

    def _start_row(self, entry, delimited: bool) -> None:
        """Enter the row of `entry` as the general path does once a label is found: a label alone
        before it that is the same label (wrapped) gives way, any other pending label is finished."""
        self.fragment = ""
        pending = self.pending
        if pending is not None and pending[0].code == entry.code and not pending[1]:
            self.pending = None  # the same label again, wrapped: its values follow here
        self._finish_pending(delimited)
        self._enter_row(entry)

    def _label_and_values(self, cells: list[GridCell], delimited: bool) -> bool:
        """The commonest row of a grid: a row label in its first cell, then its values (one written
        at least), or alone (a cell per line: its values follow). Read as the general path below
        reads it (no header row: the values are no headers; the label is the last label of the row:
        the values are skipped by its search; no converter's generic header: there is a value, or
        the label is none), without its searches. False, having changed nothing, for a row of
        another shape or a first cell that is no row label here."""
        c0 = cells[0]
        text = c0.text
        if not text or _is_value(c0):
            return False
        if len(cells) > 1 and not _values_written(cells, 1):
            return False
        entry = self._row_label(text)
        if entry is None or len(cells) == 1 and entry.code == "processed_total" and _GENERIC_COL.match(text):
            return False
        self._start_row(entry, delimited)
        if len(cells) > 1:
            self._record(entry, cells[1:], c0.at, delimited)
        else:
            self.pending = (entry, [], c0.at)  # a label alone (a cell per line): its values follow
        return True

    def _group_label_and_values(self, cells: list[GridCell], delimited: bool) -> bool:
        """A row of a grid whose group cell is repeated on each of its rows: a group heading, a row
        label, then values (one written at least) that are no headers ("（四）无法提供 | 1.本机关不
        掌握相关政府信息 | 0 | … |"). Read as `_feed_row_general` reads it: no header row (neither
        the two texts nor the values are headers); its search for the row's last label meets the
        group first (no row label in the context so far: its context is then added) and the label
        next (a row label in that context), and skips the values; the label is no converter's
        generic header (there is a value); then as `_label_and_values` from the label on. False,
        having changed nothing, for a row of another shape."""
        if len(cells) < 3:
            return False
        c0, c1 = cells[0], cells[1]
        t0, t1 = c0.text, c1.text
        if not t0 or not t1 or _is_value(c0) or _is_value(c1):
            return False
        if _header_token(t0) is not None or _header_token(t1) is not None:
            return False
        if not _values_written(cells, 2) or self._row_label(t0) is not None:
            return False
        group = self.cb.t3_row_group(t0)
        if group is None:
            return False
        if group.code in self.context:
            entry = self._row_label(t1)
        else:  # the label in the context the group's heading adds (nothing added yet)
            ctx = set(self.context)
            ctx.add(group.code)
            if self.data_mode:
                ctx.add("rows")
            entry = _t3_row(t1, frozenset(ctx))
        if entry is None:
            return False
        self.context.add(group.code)
        self._start_row(entry, delimited)
        self._record(entry, cells[2:], c1.at, delimited)
        return True
