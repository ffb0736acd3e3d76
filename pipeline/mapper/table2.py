"""Table 2 (主动公开政府信息情况), in the 2021 format and the 2019 trial format."""

from __future__ import annotations

from functools import lru_cache

from ..codebook import Entry, codebook
from ..document import GridCell, Table, problem
from ..textnorm import norm_label
from . import common
from .common import RowRead, _is_value, fit_row


@lru_cache(maxsize=65536)
def _marker(text: str) -> str | None:
    """The format a header cell's words mark ("2019", "2021" or None; the 2019 markers first)."""
    cb = codebook()
    n = norm_label(text) if text else ""
    if any(m in n for m in cb.markers_2019):
        return "2019"
    if any(m in n for m in cb.markers_2021):
        return "2021"
    return None


class T2Reader:
    def __init__(self) -> None:
        self.cb = codebook()
        self.block_cols: list[tuple[str, Entry]] = []  # (format, column entry) of the current block
        self.in_header = True
        self.rows: dict[str, RowRead] = {}
        self.rows2019: dict[str, RowRead] = {}
        self.pending: tuple[str, Entry, list[GridCell], str] | None = None
        self.problems: list[dict] = []
        self.v2019 = 0
        self.v2021 = 0
        self.any_content = False

    @staticmethod
    @lru_cache(maxsize=65536)
    def _column(text: str) -> tuple[str, Entry] | None:
        """A column header of Table 2 and its format (a function of the text: computed once per text)."""
        cb = codebook()
        c19 = cb.t2v2019_column(text)
        c21 = cb.t2_column(text)
        n = norm_label(text)
        if c19 is not None and any(m in n for m in ("新制作", "新公开", "对外公开总", "上一年", "增", "采购")):
            return ("2019", c19)
        if c21 is not None:
            return ("2021", c21)
        if c19 is not None:
            return ("2019", c19)
        return None

    def _label(self, text: str) -> tuple[str, Entry] | None:
        cb = self.cb
        if self.v2019 > self.v2021:
            e = cb.t2v2019_row(text)
            if e is not None:
                return ("2019", e)
        e = cb.t2_row(text)
        if e is not None:
            return ("2021", e)
        e = cb.t2v2019_row(text)
        if e is not None:
            return ("2019", e)
        return None

    def feed(self, table: Table) -> None:
        delimited = table.delimited
        column, header = self._column, self.cb.is_t2_header
        for row in table.rows:
            if len(row) == 1:
                c = row[0]
                if c.cont:
                    continue
                text = c.text
                if not text or _is_value(c) and column(text) is None and not header(text):
                    # one value (or blank) cell on its own (a cell per line): no header, no label;
                    # what _feed_row does with it, without its searches
                    if self.pending is not None:
                        self.pending[2].append(c)
                    continue
                self._feed_row([c], delimited)
                continue
            cells = [c for c in row if not c.cont]
            if not cells:
                continue
            if common.FAST:
                for c in cells:
                    text = c.text
                    if text and not (_is_value(c) and column(text) is None and not header(text)):
                        break
                else:
                    # every cell blank or a value that is no header ("|||", values without their
                    # label): no header row, no label, no label with a typo; _feed_row appends them
                    # to the label collecting its values
                    if self.pending is not None:
                        self.pending[2].extend(cells)
                    continue
            self._feed_row(cells, delimited)

    def _feed_row(self, cells: list[GridCell], delimited: bool) -> None:
        c0 = cells[0]
        if common.FAST and c0.text and not _is_value(c0):
            label = self._label(c0.text)
            if label is not None:
                # a row label in the first cell (the commonest row): the general path below finds
                # it first and reads the row from it; its header searches decide nothing then
                self._label_row(label, 0, cells, delimited)
                return
        col_hits = [x for x in map(self._column, [c.text for c in cells if c.text]) if x]
        is_header_row = any(self.cb.is_t2_header(c.text) for c in cells if c.text) or len(col_hits) >= 2
        label_idx = -1
        label: tuple[str, Entry] | None = None
        for i, c in enumerate(cells):
            if c.text and not _is_value(c):
                lab = self._label(c.text)
                if lab is not None:
                    label_idx, label = i, lab
                    break
        if label is None and not is_header_row and not col_hits and self.v2021 >= self.v2019:
            # a label with a typo, followed by values
            for i, c in enumerate(cells):
                if (
                    c.text
                    and not _is_value(c)
                    and len(c.text) >= 4
                    and any(_is_value(v) for v in cells[i + 1 :] if v.text)
                ):
                    left = tuple(e.code for e in self.cb.t2_rows if e.code not in self.rows)
                    e = self.cb.t2_row_fuzzy(c.text, left)
                    if e is not None:
                        label_idx, label = i, ("2021", e)
                        self.problems.append(
                            problem(
                                "label_typo",
                                "info",
                                f"Table 2: the label '{c.text}' is read as '{e.label}' (a typo in the report) ({c.at})",
                            )
                        )
                    break
        if label is None and (is_header_row or col_hits):
            self._finish_pending(delimited)
            if not self.in_header or any(self.cb.is_t2_header(c.text) for c in cells if c.text):
                if not self.in_header:
                    self.block_cols = []
                self.in_header = True
            for fmt, e in col_hits:
                self.block_cols.append((fmt, e))
            for c in cells:
                fmt = _marker(c.text)
                if fmt == "2019":
                    self.v2019 += 1
                elif fmt == "2021":
                    self.v2021 += 1
            return
        if label is None:
            if self.pending is not None:
                fmt, entry, vals, at = self.pending
                for c in cells:
                    if not vals and c.text and not _is_value(c):
                        continue
                    vals.append(c)
            return
        self._label_row(label, label_idx, cells, delimited)

    def _label_row(self, label: tuple[str, Entry], label_idx: int, cells: list[GridCell], delimited: bool) -> None:
        self._finish_pending(delimited)
        self.in_header = False
        self.any_content = True
        values = cells[label_idx + 1 :]
        fmt, entry = label
        if values:
            self._record(fmt, entry, values, cells[label_idx].at, delimited)
        else:
            self.pending = (fmt, entry, [], cells[label_idx].at)

    def _finish_pending(self, delimited: bool) -> None:
        if self.pending is None:
            return
        fmt, entry, vals, at = self.pending
        self.pending = None
        self._record(fmt, entry, vals, at, delimited)

    def _record(self, fmt: str, entry: Entry, values: list[GridCell], at: str, delimited: bool) -> None:
        wanted = list(entry.columns)
        header = [e.code for f, e in self.block_cols if f == fmt]
        header = list(dict.fromkeys(header))
        spec = header if set(header) == set(wanted) else wanted
        table = "T2" if fmt == "2021" else "T2v2019"
        target = self.rows if fmt == "2021" else self.rows2019
        if entry.code in target:
            self.problems.append(
                problem(
                    "duplicate_row", "warning", f"Table 2: row '{entry.label}' appears twice; the first is kept ({at})"
                )
            )
            return
        k = len(spec)
        if common.FAST and len(values) >= k and all(v.text == "" for v in values[k:]):
            target[entry.code] = RowRead(values[:k], spec, at)  # fit_row's cells then: spare blanks cut
            return
        fitted = fit_row(
            self.problems,
            "Table 2",
            entry.code,
            entry.label,
            values,
            spec,
            at,
            delimited,
            table if fmt == "2021" else None,
        )
        target[entry.code] = RowRead(fitted, spec, at)

    def finish(self) -> None:
        self._finish_pending(True)
