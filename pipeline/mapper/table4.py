"""Table 4 (政府信息公开行政复议、行政诉讼情况): three groups of five columns, one row of values."""

from __future__ import annotations

from ..codebook import codebook, t4_column_codes, t4_group_codes
from ..document import GridCell, Table, problem
from ..textnorm import Memo, classify_value
from . import common
from .common import _fit, _is_value


def _head(text: str) -> tuple[str, str | None] | None:
    """What Table 4's feed makes of a header cell's text, tested in its order: ("g", group code),
    ("s", None) for the supergroup, ("c", column code), or None."""
    cb = codebook()
    g = cb.t4_group(text)
    if g is not None:
        return ("g", g.code)
    if cb.is_t4_supergroup(text):
        return ("s", None)
    col = cb.t4_column(text)
    if col is not None:
        return ("c", col.code)
    return None


_HEAD = Memo(_head, 65536, 80)


class T4Reader:
    def __init__(self) -> None:
        self.cb = codebook()
        self.groups: list[str] = []
        self.leaves: list[str] = []
        self.values: list[GridCell] = []
        self.done = False
        self.at = ""
        self.problems: list[dict] = []
        self.any_content = False
        self.delimited = True
        self.read: dict[str, GridCell | None] | None = None

    def feed(self, table: Table) -> None:
        self.delimited = self.delimited and table.delimited
        for row in table.rows:
            if self.done:
                break  # the value row is read: nothing after it is looked at
            cells = [c for c in row if not c.cont]
            if not cells:
                continue
            texts = [c for c in cells if c.text and not _is_value(c)]
            heads = False
            if common.FAST:
                head = _HEAD
                for c in texts:
                    h = head[c.text]
                    if h is not None:
                        heads = True
                        if h[0] == "g":
                            self.groups.append(h[1])
                        elif h[0] == "c":
                            self.leaves.append(h[1])
                texts = ()
            for c in texts:
                g = self.cb.t4_group(c.text)
                if g is not None:
                    self.groups.append(g.code)
                    heads = True
                    continue
                if self.cb.is_t4_supergroup(c.text):
                    heads = True
                    continue
                col = self.cb.t4_column(c.text)
                if col is not None:
                    self.leaves.append(col.code)
                    heads = True
            if heads and not self.values:
                continue
            if not (self.leaves or self.groups):
                continue
            if all(not c.text for c in cells) and 1 < len(cells) < 15:
                continue  # a spacer line such as "|||"
            # the value row: every cell counts, blanks included; a leading label cell does not
            start = 0
            while start < len(cells) and cells[start].text and not _is_value(cells[start]):
                start += 1
            row_vals = cells[start:]
            if not row_vals:
                continue
            if not self.values:
                self.at = row_vals[0].at
            self.values += row_vals
            self.any_content = True
            if len(self.values) >= 15 and len(cells) > 1:
                self.done = True

    def finish(self) -> None:
        if not self.any_content:
            return
        order = self._spec()
        fitted, note = _fit(self.values, 15, self.delimited)
        if fitted is None:
            fitted = self._spare_blanks(order)
            if fitted is not None:
                self.problems.append(
                    problem(
                        "t4_spare_cells",
                        "info",
                        f"Table 4: {note}; the blank ones are spare cells of the grid: the 15 values close the "
                        f"sums of the three groups ({self.at})",
                    )
                )
        if fitted is None:
            self.problems.append(
                problem(
                    "row_ambiguous",
                    "error",
                    f"Table 4: its values could not be aligned with its 15 columns ({note}) ({self.at})",
                    [f"T4/{c}" for c in order],
                )
            )
            fitted = [None] * 15
        elif note:
            self.problems.append(
                problem(
                    "row_short",
                    "warning",
                    f"Table 4: {note} ({self.at})",
                    [f"T4/{order[i]}" for i, v in enumerate(fitted) if v is None],
                )
            )
        self.read = dict(zip(order, fitted))

    def _spare_blanks(self, order: list[str]) -> list[GridCell] | None:
        """16 cells for 15 columns where one is a blank spare cell of the grid (a header drawn
        over more columns than the values): the 15 written values are taken only when each group's
        总计 is the sum of its four results."""
        filled = [v for v in self.values if v.text]
        if len(filled) != 15 or not all(_is_value(v) for v in filled):
            return None
        nums = dict(zip(order, (classify_value(v.text) for v in filled)))
        for g in t4_group_codes():
            parts = [nums[f"{g}.{c}"] for c in t4_column_codes()]
            if any(sem not in ("NUMERIC", "ZERO") for sem, _ in parts):
                return None
            vals = [v for _, v in parts]
            if abs(sum(vals[:4]) - vals[4]) > 1e-9:
                return None
        return filled

    def _spec(self) -> list[str]:
        groups = [g for g in dict.fromkeys(self.groups)]
        default_groups = t4_group_codes()
        if sorted(groups) != sorted(default_groups):
            groups = default_groups
        leaves = self.leaves
        if len(leaves) == 15 and all(sorted(leaves[i : i + 5]) == sorted(t4_column_codes()) for i in (0, 5, 10)):
            return [f"{groups[i // 5]}.{leaves[i]}" for i in range(15)]
        if self.leaves:
            self.problems.append(
                problem(
                    "t4_header_unrecognised",
                    "info",
                    "Table 4's column headers could not be read in full; the official column order is assumed",
                )
            )
        return [f"{g}.{c}" for g in groups for c in t4_column_codes()]
