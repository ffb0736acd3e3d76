"""Table 3 (收到和处理政府信息公开申请情况): its header read in order, its rows found by their labels
(with the group they sit in as context), labels wrapped or split by converters, and rows of values
whose label is lost placed only where the form's sums confirm them."""

from __future__ import annotations

from ..codebook import T3_OUTCOME_ROWS, Entry, codebook, labels, t3_column_codes
from ..document import GridCell, Table, problem
from ..structure import is_spam, table_vocab
from ..textnorm import classify_value, ocr_number
from . import common
from .common import _GENERIC_COL, VALUE, RowRead, _fit, _is_value, fit_row, value_like
from .table3_rows import _INERT, RowShapes, _header_token, _t3_row


class T3Reader(RowShapes):
    def __init__(self) -> None:
        self.cb = codebook()
        self.header: list[tuple[str, str]] = []  # (kind, code) in reading order
        self.spec: list[str] | None = None
        self.data_mode = False
        self.context: set[str] = set()
        self.rows: dict[str, RowRead] = {}
        self.order: list[str] = []
        self.pending: tuple[Entry, list[GridCell], str] | None = None
        self.problems: list[dict] = []
        self.saw_2019_other = False
        self.tentative = False
        self.fragment = ""
        self.after_values = False
        self.explicit = True
        self.any_content = False
        self.blank_label: tuple[Entry, list[GridCell], str, bool] | None = None
        self.orphans: list[tuple[int, list[GridCell], str, bool]] = []
        self.blank_label_text = ""
        self.blank_label_col = -1
        self.raw: list[GridCell] = []
        self.inferred: set[str] = set()
        self._ctx_state: tuple[int, bool] | None = None
        self._ctx: frozenset[str] = frozenset()

    # -- header ------------------------------------------------------------------------------
    _header_token = staticmethod(_header_token)

    def _build_spec(self) -> list[str]:
        tokens = self.header
        cols = [c for kind, c in tokens if kind == "col"]
        # collapse a header split into pieces ("商业" / "企业")
        dedup: list[str] = []
        for c in cols:
            if not dedup or dedup[-1] != c:
                dedup.append(c)
        org = [
            c
            for c in dedup
            if c in ("business", "research", "nonprofit", "legal_services", "other_org", "org_subtotal")
        ]
        top = []
        group_seen = False
        for kind, c in tokens:
            if kind == "group" and not group_seen:
                top.append("<org>")
                group_seen = True
            elif kind == "col" and c in ("natural_person", "total") and c not in top:
                top.append(c)
        spec: list[str] = []
        if group_seen:
            for t in top:
                if t == "<org>":
                    spec += [c for c in dict.fromkeys(org)]
                else:
                    spec.append(t)
        else:
            spec = list(dict.fromkeys(dedup))
        needed = set(t3_column_codes())
        if set(spec) >= needed and len(spec) == len(set(spec)) and len(spec) <= 8:
            return spec
        if self.header:
            self.problems.append(
                problem(
                    "t3_header_unrecognised",
                    "info",
                    "Table 3's column headers could not be read in full; the official column order is assumed",
                )
            )
        default = t3_column_codes()
        if any(c == "org_subtotal" for c in cols):
            default = default[:1] + ["org_subtotal"] + default[1:]
        return default

    # -- rows ----------------------------------------------------------------------------------
    def _row_label(self, text: str) -> Entry | None:
        # the context only grows (labels' groups, then "rows"): its frozen copy is made when it does
        state = (len(self.context), self.data_mode)
        if state != self._ctx_state:
            ctx = set(self.context)
            if self.data_mode:
                ctx.add("rows")
            self._ctx_state, self._ctx = state, frozenset(ctx)
        return _t3_row(text, self._ctx)

    def _fuzzy_label(self, cell: GridCell) -> Entry | None:
        """A label with a typo, matched to a row not read yet, and said so."""
        if len(cell.text) < 4 or self._header_token(cell.text):
            return None
        left = tuple(
            e.code
            for e in self.cb.t3_rows
            if e.code not in self.rows and (self.pending is None or self.pending[0].code != e.code)
        )
        e = self.cb.t3_row_fuzzy(cell.text, left)
        if e is not None:
            self.problems.append(
                problem(
                    "label_typo",
                    "info",
                    f"Table 3: the label '{cell.text}' is read as '{e.label}' (a typo in the report) ({cell.at})",
                )
            )
        return e

    def started(self) -> bool:
        """Table 3's region has begun: its header or one of its rows was seen."""
        return bool(self.header) or self.data_mode

    def feed(self, table: Table) -> None:
        self.explicit = table.explicit
        delimited = table.delimited
        rows = table.rows
        n = len(rows)
        i = 0
        fast = common.FAST
        value = VALUE
        while i < n:
            row = rows[i]
            i += 1
            if len(row) == 1:
                c = row[0]
                if c.cont:
                    continue
                pending = self.pending
                if (
                    pending is not None
                    and self.data_mode
                    and self.blank_label is None
                    and (not c.text or value_like(c.text) or _is_value(c))
                    and not (self.fragment and not self.explicit)
                ):
                    # one value (or blank) cell on its own under a label collecting its values (text
                    # copied from a page, a cell per line): what _feed_row's first branch and
                    # _no_label_row do with it, without building the row again
                    self.raw = row
                    vals = pending[1]
                    vals.append(c)
                    # the lone value cells that follow: the same test, of the cell alone (appending
                    # changes none of the reader's state it also asks of), in a run
                    while fast and i < n:
                        row = rows[i]
                        if len(row) != 1:
                            break
                        c = row[0]
                        if not c.cont:
                            t = c.text
                            if t and not value[t] and not (c.read_by == "ocr" and ocr_number(t) is not None):
                                break
                            self.raw = row
                            vals.append(c)
                        i += 1
                    continue
                cells = [c]
            else:
                cells = [c for c in row if not c.cont]
                if not cells:
                    continue
                if common.FAST and self.blank_label is None:
                    self.raw = row
                    if self._label_and_values(cells, delimited) or self._group_label_and_values(cells, delimited):
                        continue  # a label (after its group) and its values
                    inert = _INERT
                    for c in cells:
                        if not inert[c.text]:
                            break
                    else:
                        if not (self.data_mode and self.fragment and not self.explicit):
                            # every cell blank or a value that is no header ("|||", a row of values
                            # without its label): no header row, no label, no group, no label split
                            # or wrapped around it; _feed_row ends so, in _no_label_row
                            self._no_label_row(cells, delimited)
                            continue
                    self._feed_row_general(cells, delimited)
                    continue
            self.raw = row
            self._feed_row(cells, delimited)
        # a table block ends: a label still collecting stays pending (the table may continue on the
        # next page as another block)

    def _feed_row(self, cells: list[GridCell], delimited: bool) -> None:
        if common.FAST and self.blank_label is None and self._label_and_values(cells, delimited):
            return
        self._feed_row_general(cells, delimited)

    def _feed_row_general(self, cells: list[GridCell], delimited: bool) -> None:
        if (
            len(cells) == 1
            and self.blank_label is None
            and (not cells[0].text or _is_value(cells[0]))
            and not (self.data_mode and self.fragment and not self.explicit)
        ):
            # one value (or blank) cell on its own, the commonest row of text copied from a page: no
            # header, no label, no label wrapped around it; the general path below ends the same way
            self._no_label_row(cells, delimited)
            return
        if self.blank_label is not None:
            entry, blank, at, delim = self.blank_label
            self.blank_label = None
            texts = [(i, c) for i, c in enumerate(cells) if c.text]
            tail = texts[0][1].text if texts else ""
            col = self.blank_label_col
            if (
                texts
                and all(_is_value(c) for _, c in texts)
                and 0 <= col < len(self.raw)
                and self.raw[col].cont
                and len(cells) == len(blank)
            ):
                # the label's cell spans this grid row too and its values are here, the row above
                # only blank cells of the grid: "（二）部分公开（…" over two ruled rows
                self._record(entry, cells, at, delim)
                return
            if (
                texts
                and not _is_value(texts[0][1])
                and len(texts) >= 2
                and all(_is_value(c) for _, c in texts[1:])
                and self._row_label(tail) is None
                and self.cb.t3_row_group(tail) is None
                and not self._header_token(tail)
                and self.cb.t3_row_fuzzy(tail, tuple(e.code for e in self.cb.t3_rows)) is None
                and self._row_label(self.blank_label_text + tail) is entry
            ):
                # "（二）部分公开（区分处理的，只计这一情" / "形，不计其他情形） 2 0 0 0 1 0 3"
                self._record(entry, cells[texts[0][0] + 1 :], at, delim)
                return
            self._record(entry, blank, at, delim)
        texts = [c.text for c in cells]
        # a (repeated) header row: two or more column headers
        header_hits = [self._header_token(t) for t in texts if t]
        header_cols = [h for h in header_hits if h and h[0] in ("col", "group")]
        if len(header_cols) >= 2 and not any(self._row_label(t) for t in texts if t and not self._header_token(t)):
            self._finish_pending(delimited)
            if not self.data_mode:
                self.header += [h for h in header_hits if h]
            return
        # find the last label or group in the row
        last = -1
        entry: Entry | None = None
        group: Entry | None = None
        for i, c in enumerate(cells):
            if not c.text or _is_value(c):
                continue
            e = self._row_label(c.text)
            if e is not None:
                last, entry, group = i, e, None
                continue
            g = self.cb.t3_row_group(c.text)
            if g is not None:
                self.context.add(g.code)
                last, entry, group = i, None, g
                continue
            if self.data_mode:
                e = self._fuzzy_label(c)
                if e is not None:
                    last, entry, group = i, e, None
        if entry is None and group is None and self.data_mode:
            # a label split over two cells by a converter: "（三）不" | "予公开", "（二）部分" | "公开（…）"
            for i in range(len(cells) - 1):
                a, b = cells[i], cells[i + 1]
                if a.text and b.text and not _is_value(a) and not _is_value(b):
                    joined = a.text + b.text
                    e = self._row_label(joined)
                    g = self.cb.t3_row_group(joined) if e is None else None
                    if e is not None and e.code not in self.rows:
                        last, entry = i + 1, e
                        break
                    if g is not None:
                        self.context.add(g.code)
                        last, group = i + 1, g
                        break
        if entry is None and group is None and self.data_mode and self.fragment and not self.explicit:
            # a label wrapped over lines around its values (text copied from a PDF):
            # "1、申请人无正当理由逾期不补" / "正、行政机关不再处理其政府信 67 3 0 0 1 0 71"
            first_text = next((c for c in cells if c.text and not _is_value(c)), None)
            joined = self.fragment + (first_text.text if first_text else "")
            e = self._row_label(joined)
            if e is not None and e.code not in self.rows:
                last = cells.index(first_text) if first_text else -1
                entry = e
        if entry is None and group is None:
            texts = [c.text for c in cells if c.text]
            if (
                self.data_mode
                and not self.explicit
                and len(cells) == 1
                and texts
                and not _is_value(cells[0])
                and not self._header_token(cells[0].text)
            ):
                if self.pending is not None and self.pending[1]:
                    self._finish_pending(delimited)
                    self.after_values = True
                if self.after_values:
                    self.after_values = False  # the tail of a label wrapped around its values
                    self.fragment = ""
                    return
                self.fragment = (self.fragment + cells[0].text)[-40:]
                if self.pending is None:
                    return
            self._no_label_row(cells, delimited)
            return
        self.fragment = ""
        if (
            entry is not None
            and entry.code == "processed_total"
            and any(_GENERIC_COL.match(c.text) for c in cells if c.text)
            and not any(_is_value(c) for c in cells if c.text)
        ):
            # a converter's generic header ("| | 数据1 | … | 数据6 | 总计 |") over each row: its 总计
            # is a column, not the row （七）总计
            self._finish_pending(delimited)
            return
        if (
            entry is not None
            and self.pending is not None
            and self.pending[0].code == entry.code
            and not self.pending[1]
        ):
            self.pending = None  # the same label again, wrapped: its values follow here
        self._finish_pending(delimited)
        values = cells[last + 1 :]
        if entry is None:
            # a group heading. In the 2019 format （六）其他处理 is itself a row with numbers.
            if group.code == "other_handling" and any(v.text for v in values):
                self.saw_2019_other = True
                entry = next(e for e in self.cb.t3_rows if e.code == "other_other")
            elif group.code == "other_handling" and not values and self.data_mode:
                # one cell per line: values may follow (the 2019 format's single （六）其他处理 row)
                # or the sub-rows may (2021); decided when the next label or the values arrive
                self.pending = (next(e for e in self.cb.t3_rows if e.code == "other_other"), [], cells[last].at)
                self.tentative = True
                return
            else:
                if any(v.text for v in values if _is_value(v)) and values:
                    self.problems.append(
                        problem(
                            "t3_group_with_values",
                            "warning",
                            f"Table 3: the group heading '{cells[last].text}' carries values; they are not a row "
                            f"of the format and are ignored ({cells[last].at})",
                        )
                    )
                return
        self._enter_row(entry)
        if values and self.explicit and not any(v.text for v in values):
            # a label wrapped in its (PDF) cell may have its values on its last line, one grid row
            # down: decided by the next row
            self.blank_label = (entry, values, cells[last].at, delimited)
            self.blank_label_text = cells[last].text
            self.blank_label_col = next((k for k, c in enumerate(self.raw) if c is cells[last]), -1)
        elif values:
            self._record(entry, values, cells[last].at, delimited)
        else:
            self.pending = (entry, [], cells[last].at)

    def _enter_row(self, entry) -> None:
        """A row of `entry` begins: the data begin with the first one (the header's columns fixed),
        and its group is in context."""
        if not self.data_mode:
            self.data_mode = True
            self.spec = self._build_spec()
        if entry.group:
            self.context.add(entry.group)
        self.any_content = True

    def _no_label_row(self, cells: list[GridCell], delimited: bool) -> None:
        if not self.data_mode:
            for c in cells:
                h = self._header_token(c.text) if c.text else None
                if h:
                    self.header.append(h)
            return
        if self.pending is not None:
            entry, vals, at = self.pending
            for c in cells:
                if not vals and c.text and not _is_value(c) and table_vocab(c.text) is None and not self.explicit:
                    continue  # a label wrapped onto the next line
                if c.text and not _is_value(c) and (table_vocab(c.text) or is_spam(c.text)):
                    continue
                vals.append(c)
            return
        if any(c.text for c in cells if _is_value(c)):
            # values without a row label: placed at the end only if their place is certain and the
            # identities confirm them (_place_orphans), otherwise ignored
            self.orphans.append((len(self.order), cells, cells[0].at, delimited))

    def _finish_pending(self, delimited: bool) -> None:
        if self.pending is None:
            return
        entry, vals, at = self.pending
        self.pending = None
        if self.tentative:
            self.tentative = False
            if not any(v.text for v in vals):
                return  # it was only the group heading
            self.saw_2019_other = True
        self._record(entry, vals, at, delimited)

    def _record(self, entry: Entry, values: list[GridCell], at: str, delimited: bool) -> None:
        spec = self.spec or t3_column_codes()
        if entry.code in self.rows:
            self.problems.append(
                problem(
                    "duplicate_row",
                    "warning",
                    f"Table 3: row '{entry.label}' appears twice; the first is kept ({at})",
                    [f"T3/{entry.code}/{c}" for c in t3_column_codes()],
                )
            )
            return
        k = len(spec)
        if common.FAST and len(values) >= k and all(v.text == "" for v in values[k:]):
            fitted = values[:k]  # what fit_row returns then: the cells, spare blank ones after them cut
        else:
            fitted = fit_row(
                self.problems, "Table 3", entry.code, entry.label, values, spec, at, delimited, "T3", ("org_subtotal",)
            )
        self.rows[entry.code] = RowRead(fitted, list(spec), at)
        self.order.append(entry.code)
        self.after_values = any(v.text for v in values)

    def finish(self) -> None:
        if self.blank_label is not None:
            entry, blank, at, delim = self.blank_label
            self.blank_label = None
            self._record(entry, blank, at, delim)
        self._finish_pending(True)
        self._place_orphans()

    # -- values whose label is lost ----------------------------------------------------------------
    def _place_orphans(self) -> None:
        """A row of values without a label is placed only when its place is certain: the rows
        before and after it are labelled and exactly one row of the form, missing, lies between
        them; and only when the format's identities confirm it (its total is the sum of its
        columns, and the column identity the row takes part in closes in every column). The cells
        are marked inferred and named in a problem. Otherwise they stay MISSING."""
        if not self.orphans:
            return
        form = [e.code for e in self.cb.t3_rows]
        if self.saw_2019_other:
            form = [c for c in form if c not in ("other_no_correction", "other_no_fee")]
        gaps: dict[int, int] = {}
        for pos, *_ in self.orphans:
            gaps[pos] = gaps.get(pos, 0) + 1
        for pos, cells, at, delimited in sorted(self.orphans, key=lambda o: -o[0]):
            placed = None
            if gaps[pos] == 1 and 0 < pos < len(self.order):
                before, after = self.order[pos - 1], self.order[pos]
                if before in form and after in form and form.index(before) < form.index(after):
                    between = form[form.index(before) + 1 : form.index(after)]
                    if len(between) == 1 and between[0] not in self.rows:
                        placed = self._confirm(between[0], cells, delimited)
            if placed is None:
                self.problems.append(
                    problem(
                        "orphan_values",
                        "warning",
                        f"Table 3: values without a row label ignored: their row cannot be told for certain "
                        f"or the identities do not confirm it ({at})",
                    )
                )
                continue
            code, rr = placed
            self.rows[code] = rr
            self.order.insert(self.order.index(self.order[pos]), code)
            self.inferred.add(code)
            short = labels("T3", "rows", "short")
            self.problems.append(
                problem(
                    "row_inferred",
                    "warning",
                    f"Table 3: a row of values without its label, between "
                    f"'{short.get(self.order[self.order.index(code) - 1], '')}' and "
                    f"'{short.get(self.order[self.order.index(code) + 1], '')}', is read as "
                    f"'{short.get(code, code)}': the only row of the form missing there, confirmed by the "
                    f"table's sums ({at})",
                    [f"T3/{code}/{c}" for c in rr.columns if c != "org_subtotal"],
                )
            )

    def _confirm(self, code: str, cells: list[GridCell], delimited: bool) -> tuple[str, RowRead] | None:
        spec = self.spec or t3_column_codes()
        fitted, _ = _fit(cells, len(spec), delimited)
        if fitted is None or any(v is None for v in fitted):
            return None
        rr = RowRead(fitted, list(spec), fitted[0].at)
        rows = dict(self.rows)
        rows[code] = rr

        def num(r: str, col: str) -> float | None:
            read = rows.get(r)
            if read is None or col not in read.columns:
                return None
            sem, val = classify_value(read.values[read.columns.index(col)].text)
            if sem in ("ZERO", "EMPTY"):
                return 0
            return val if sem == "NUMERIC" else None

        cols = t3_column_codes()
        parts = [c for c in cols if c != "total"]
        own = [num(code, c) for c in cols]
        if any(v is None for v in own) or abs(sum(own[:-1]) - own[-1]) > 1e-9:
            return None
        outcome_rows = [
            r for r in T3_OUTCOME_ROWS if not (self.saw_2019_other and r in ("other_no_correction", "other_no_fee"))
        ]
        checks = []
        if code in outcome_rows or code == "processed_total":
            checks.append((outcome_rows, ["processed_total"]))
        if code in ("new", "carried_over", "processed_total", "carried_forward"):
            checks.append((["new", "carried_over"], ["processed_total", "carried_forward"]))
        if not checks:
            return None
        for left, right in checks:
            for c in parts + ["total"]:
                lv = [num(r, c) for r in left]
                rv = [num(r, c) for r in right]
                if any(v is None for v in lv + rv) or abs(sum(lv) - sum(rv)) > 1e-9:
                    return None
        return code, rr
