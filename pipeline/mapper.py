"""The one mapper from a document's table grids to codebook cells, shared by every reader.

Values are anchored to row labels and column headers, never to the order of numbers in a stream:
  * a row is found by its label (codebook patterns, with the group it sits in as context);
  * the columns are the table's own header, read in order (Table 3's 法人或其他组织 group is
    replaced by its sub-columns wherever it stands, an eighth 小计 column is kept as a column);
  * a row's values are the cells that follow its label, in header order; blank cells count, merged
    cells (continuations) do not; surplus blank cells left by merged label cells are trimmed only
    where they are unambiguous, otherwise the row is reported, not guessed.
No semantic is turned into another: blank stays EMPTY, "/" stays NA, a cell that is not in the
document is MISSING.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from .codebook import (T3_OUTCOME_ROWS, Entry, cell_ids, codebook, labels, t3_column_codes, t4_column_codes,
                       t4_group_codes)
from .document import Document, GridCell, Para, Table, problem
from .structure import SECTION_TABLE, is_spam, section_of_heading, table_vocab
from .textnorm import MISSING, TEXT, classify_value, is_value_like, norm_label, ocr_number


# ----------------------------------------------------------------------------------------------
# Results


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


def _is_value(cell: GridCell) -> bool:
    return is_value_like(cell.text) or cell.read_by == "ocr" and ocr_number(cell.text) is not None


# ----------------------------------------------------------------------------------------------
# Table 3


class T3Reader:
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

    # -- header ------------------------------------------------------------------------------
    def _header_token(self, text: str) -> tuple[str, str] | None:
        cb = self.cb
        if cb.is_t3_org_group(text):
            return ("group", "org")
        col = cb.t3_column(text)
        if col is not None:
            return ("col", col.code)
        if cb.is_t3_header_note(text):
            return ("note", "")
        return None

    def _build_spec(self) -> list[str]:
        tokens = self.header
        cols = [c for kind, c in tokens if kind == "col"]
        # collapse a header split into pieces ("商业" / "企业")
        dedup: list[str] = []
        for c in cols:
            if not dedup or dedup[-1] != c:
                dedup.append(c)
        org = [c for c in dedup if c in ("business", "research", "nonprofit", "legal_services", "other_org",
                                           "org_subtotal")]
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
            self.problems.append(problem(
                "t3_header_unrecognised", "info",
                "Table 3's column headers could not be read in full; the official column order is assumed"))
        default = t3_column_codes()
        if any(c == "org_subtotal" for c in cols):
            default = default[:1] + ["org_subtotal"] + default[1:]
        return default

    # -- rows ----------------------------------------------------------------------------------
    def _row_label(self, text: str) -> Entry | None:
        ctx = set(self.context)
        if self.data_mode:
            ctx.add("rows")
        return self.cb.t3_row(text, ctx)

    def _fuzzy_label(self, cell: GridCell) -> Entry | None:
        """A label with a typo, matched to a row not read yet, and said so."""
        if len(cell.text) < 4 or self._header_token(cell.text):
            return None
        left = tuple(e.code for e in self.cb.t3_rows if e.code not in self.rows
                     and (self.pending is None or self.pending[0].code != e.code))
        e = self.cb.t3_row_fuzzy(cell.text, left)
        if e is not None:
            self.problems.append(problem(
                "label_typo", "info",
                f"Table 3: the label '{cell.text}' is read as '{e.label}' (a typo in the report) ({cell.at})"))
        return e

    def started(self) -> bool:
        """Table 3's region has begun: its header or one of its rows was seen."""
        return bool(self.header) or self.data_mode

    def feed(self, table: Table) -> None:
        self.explicit = table.explicit
        for row in table.rows:
            cells = [c for c in row if not c.cont]
            if not cells:
                continue
            self.raw = row
            self._feed_row(cells, table.delimited)
        # a table block ends: a label still collecting stays pending (the table may continue on the
        # next page as another block)

    def _feed_row(self, cells: list[GridCell], delimited: bool) -> None:
        if self.blank_label is not None:
            entry, blank, at, delim = self.blank_label
            self.blank_label = None
            texts = [(i, c) for i, c in enumerate(cells) if c.text]
            tail = texts[0][1].text if texts else ""
            col = self.blank_label_col
            if texts and all(_is_value(c) for _, c in texts) and 0 <= col < len(self.raw) \
                    and self.raw[col].cont and len(cells) == len(blank):
                # the label's cell spans this grid row too and its values are here, the row above
                # only blank cells of the grid: "（二）部分公开（…" over two ruled rows
                self._record(entry, cells, at, delim)
                return
            if texts and not _is_value(texts[0][1]) and len(texts) >= 2 and \
                    all(_is_value(c) for _, c in texts[1:]) and self._row_label(tail) is None \
                    and self.cb.t3_row_group(tail) is None and not self._header_token(tail) \
                    and self.cb.t3_row_fuzzy(tail, tuple(e.code for e in self.cb.t3_rows)) is None \
                    and self._row_label(self.blank_label_text + tail) is entry:
                # "（二）部分公开（区分处理的，只计这一情" / "形，不计其他情形） 2 0 0 0 1 0 3"
                self._record(entry, cells[texts[0][0] + 1:], at, delim)
                return
            self._record(entry, blank, at, delim)
        texts = [c.text for c in cells]
        # a (repeated) header row: two or more column headers
        header_hits = [self._header_token(t) for t in texts if t]
        header_cols = [h for h in header_hits if h and h[0] in ("col", "group")]
        if len(header_cols) >= 2 and not any(self._row_label(t) for t in texts if t and not
                                             self._header_token(t)):
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
            if self.data_mode and not self.explicit and len(cells) == 1 and texts and not _is_value(cells[0]) \
                    and not self._header_token(cells[0].text):
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
        if entry is not None and entry.code == "processed_total" and \
                any(_GENERIC_COL.match(c.text) for c in cells if c.text) and \
                not any(_is_value(c) for c in cells if c.text):
            # a converter's generic header ("| | 数据1 | … | 数据6 | 总计 |") over each row: its 总计
            # is a column, not the row （七）总计
            self._finish_pending(delimited)
            return
        if entry is not None and self.pending is not None and self.pending[0].code == entry.code \
                and not self.pending[1]:
            self.pending = None  # the same label again, wrapped: its values follow here
        self._finish_pending(delimited)
        values = cells[last + 1:]
        if entry is None:
            # a group heading. In the 2019 format （六）其他处理 is itself a row with numbers.
            if group.code == "other_handling" and any(v.text for v in values):
                self.saw_2019_other = True
                entry = next(e for e in self.cb.t3_rows if e.code == "other_other")
            elif group.code == "other_handling" and not values and self.data_mode:
                # one cell per line: values may follow (the 2019 format's single （六）其他处理 row)
                # or the sub-rows may (2021); decided when the next label or the values arrive
                self.pending = (next(e for e in self.cb.t3_rows if e.code == "other_other"), [],
                                cells[last].at)
                self.tentative = True
                return
            else:
                if any(v.text for v in values if _is_value(v)) and values:
                    self.problems.append(problem(
                        "t3_group_with_values", "warning",
                        f"Table 3: the group heading '{cells[last].text}' carries values; they are not a row "
                        f"of the format and are ignored ({cells[last].at})"))
                return
        if not self.data_mode:
            self.data_mode = True
            self.spec = self._build_spec()
        if entry.group:
            self.context.add(entry.group)
        self.any_content = True
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
                if not vals and c.text and not _is_value(c) and table_vocab(c.text) is None \
                        and not self.explicit:
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
            self.problems.append(problem(
                "duplicate_row", "warning",
                f"Table 3: row '{entry.label}' appears twice; the first is kept ({at})",
                [f"T3/{entry.code}/{c}" for c in t3_column_codes()]))
            return
        fitted, note = _fit(values, len(spec), delimited)
        ids = [f"T3/{entry.code}/{c}" for c in spec]
        if fitted is None:
            self.problems.append(problem(
                "row_ambiguous", "error",
                f"Table 3: row '{entry.label}' could not be aligned with its columns ({note}); "
                f"its cells are left unread ({at})", [i for i in ids if not i.endswith("/org_subtotal")]))
            fitted = [None] * len(spec)
        elif note:
            self.problems.append(problem(
                "row_short", "warning", f"Table 3: row '{entry.label}': {note} ({at})",
                [ids[i] for i, v in enumerate(fitted) if v is None and not ids[i].endswith("/org_subtotal")]))
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
                    between = form[form.index(before) + 1:form.index(after)]
                    if len(between) == 1 and between[0] not in self.rows:
                        placed = self._confirm(between[0], cells, delimited)
            if placed is None:
                self.problems.append(problem(
                    "orphan_values", "warning",
                    f"Table 3: values without a row label ignored: their row cannot be told for certain "
                    f"or the identities do not confirm it ({at})"))
                continue
            code, rr = placed
            self.rows[code] = rr
            self.order.insert(self.order.index(self.order[pos]), code)
            self.inferred.add(code)
            short = labels("T3", "rows", "short")
            self.problems.append(problem(
                "row_inferred", "warning",
                f"Table 3: a row of values without its label, between "
                f"'{short.get(self.order[self.order.index(code) - 1], '')}' and "
                f"'{short.get(self.order[self.order.index(code) + 1], '')}', is read as "
                f"'{short.get(code, code)}': the only row of the form missing there, confirmed by the "
                f"table's sums ({at})",
                [f"T3/{code}/{c}" for c in rr.columns if c != "org_subtotal"]))

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
        outcome_rows = [r for r in T3_OUTCOME_ROWS if not (self.saw_2019_other and r in
                                                          ("other_no_correction", "other_no_fee"))]
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


# ----------------------------------------------------------------------------------------------
# Table 2 (both formats)


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

    def _column(self, text: str) -> tuple[str, Entry] | None:
        c19 = self.cb.t2v2019_column(text)
        c21 = self.cb.t2_column(text)
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
        for row in table.rows:
            cells = [c for c in row if not c.cont]
            if cells:
                self._feed_row(cells, table.delimited)

    def _feed_row(self, cells: list[GridCell], delimited: bool) -> None:
        cols = [(c, self._column(c.text)) for c in cells if c.text]
        col_hits = [x for _, x in cols if x]
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
                if c.text and not _is_value(c) and len(c.text) >= 4 and \
                        any(_is_value(v) for v in cells[i + 1:] if v.text):
                    left = tuple(e.code for e in self.cb.t2_rows if e.code not in self.rows)
                    e = self.cb.t2_row_fuzzy(c.text, left)
                    if e is not None:
                        label_idx, label = i, ("2021", e)
                        self.problems.append(problem(
                            "label_typo", "info",
                            f"Table 2: the label '{c.text}' is read as '{e.label}' (a typo in the report) ({c.at})"))
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
                n = norm_label(c.text) if c.text else ""
                if any(m in n for m in self.cb.markers_2019):
                    self.v2019 += 1
                elif any(m in n for m in self.cb.markers_2021):
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
        self._finish_pending(delimited)
        self.in_header = False
        self.any_content = True
        values = cells[label_idx + 1:]
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
            self.problems.append(problem(
                "duplicate_row", "warning", f"Table 2: row '{entry.label}' appears twice; the first is kept ({at})"))
            return
        fitted, note = _fit(values, len(spec), delimited)
        ids = [f"{table}/{entry.code}/{c}" for c in spec]
        if fitted is None:
            self.problems.append(problem(
                "row_ambiguous", "error",
                f"Table 2: row '{entry.label}' could not be aligned with its columns ({note}); its cells are "
                f"left unread ({at})", ids if fmt == "2021" else []))
            fitted = [None] * len(spec)
        elif note:
            self.problems.append(problem(
                "row_short", "warning", f"Table 2: row '{entry.label}': {note} ({at})",
                [ids[i] for i, v in enumerate(fitted) if v is None] if fmt == "2021" else []))
        target[entry.code] = RowRead(fitted, spec, at)

    def finish(self) -> None:
        self._finish_pending(True)


# ----------------------------------------------------------------------------------------------
# Table 4


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
            cells = [c for c in row if not c.cont]
            if not cells or self.done:
                continue
            texts = [c for c in cells if c.text and not _is_value(c)]
            heads = False
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
                self.problems.append(problem(
                    "t4_spare_cells", "info",
                    f"Table 4: {note}; the blank ones are spare cells of the grid: the 15 values close the "
                    f"sums of the three groups ({self.at})"))
        if fitted is None:
            self.problems.append(problem(
                "row_ambiguous", "error",
                f"Table 4: its values could not be aligned with its 15 columns ({note}) ({self.at})",
                [f"T4/{c}" for c in order]))
            fitted = [None] * 15
        elif note:
            self.problems.append(problem(
                "row_short", "warning", f"Table 4: {note} ({self.at})",
                [f"T4/{order[i]}" for i, v in enumerate(fitted) if v is None]))
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
        if len(leaves) == 15 and all(sorted(leaves[i:i + 5]) == sorted(t4_column_codes()) for i in (0, 5, 10)):
            return [f"{groups[i // 5]}.{leaves[i]}" for i in range(15)]
        if self.leaves:
            self.problems.append(problem(
                "t4_header_unrecognised", "info",
                "Table 4's column headers could not be read in full; the official column order is assumed"))
        return [f"{g}.{c}" for g in groups for c in t4_column_codes()]


# ----------------------------------------------------------------------------------------------
# Walking the document


def _row_type(row: list[GridCell]) -> str | None:
    votes = {"T2": 0, "T3": 0, "T4": 0}
    for c in row:
        if c.cont or not c.text:
            continue
        v = table_vocab(c.text)
        if v in votes:
            votes[v] += 1
    best = max(votes.values())
    if best == 0:
        return None
    winners = [k for k, v in votes.items() if v == best]
    return winners[0] if len(winners) == 1 else None


def _segments(table: Table) -> list[tuple[str, Table]]:
    """Split one grid into runs of rows belonging to one table each."""
    out: list[tuple[str | None, list]] = []
    current: str | None = None
    rows: list = []
    for row in table.rows:
        t = _row_type(row)
        if t is not None and current is not None and t != current:
            out.append((current, rows))
            rows = []
        if t is not None:
            current = t
        rows.append(row)
    out.append((current, rows))
    result = []
    for t, rs in out:
        if t is None or not rs:
            continue
        result.append((t, Table(rows=rs, at=table.at, delimited=table.delimited, explicit=table.explicit)))
    return result


def _has_rows(ttype: str, seg: Table) -> bool:
    """The segment holds rows of its table (a label of one of its rows), not only headers."""
    cb = codebook()
    for row in seg.rows:
        for c in row:
            if c.cont or not c.text or _is_value(c):
                continue
            if ttype == "T2" and (cb.t2_row(c.text) or cb.t2v2019_row(c.text)):
                return True
            if ttype == "T3" and cb.t3_row(c.text, {"rows", "other_handling"}):
                return True
        if ttype == "T4" and any(c.text and _is_value(c) for c in row if not c.cont):
            return True
    return False


def _has_value_rows(seg: Table) -> bool:
    """A row of the segment carries three values or more (a table's row, not a boxed paragraph)."""
    return any(sum(1 for c in row if not c.cont and c.text and _is_value(c)) >= 3 for row in seg.rows)


def _has_t3_header(seg: Table) -> bool:
    cb = codebook()
    return any(c.text and not c.cont and (cb.t3_column(c.text) or cb.is_t3_org_group(c.text)
                                         or cb.is_t3_header_note(c.text))
               for row in seg.rows for c in row)


def map_document(doc: Document) -> MapResult:
    readers = {"T2": T2Reader(), "T3": T3Reader(), "T4": T4Reader()}
    problems: list[dict] = []
    section: str | None = None
    filled_in: dict[str, str | None] = {}
    malformed: dict[str, str] = {}
    for block in doc.blocks:
        if isinstance(block, Para):
            h = section_of_heading(block.text)
            if h:
                section = h[0]
            continue
        for ttype, seg in _segments(block):
            expected = SECTION_TABLE.get(section) if section else None
            if ttype == "T3" and section is not None and expected != "T3" and not _has_t3_header(seg) \
                    and (not readers["T3"].started() or not _has_value_rows(seg)):
                # a Table 3 word in text outside Table 3's region ("…运用第三方检测平台…" in a boxed
                # narrative): Table 3's rows are taken only inside its region
                continue
            if expected is None or expected == ttype:
                readers[ttype].feed(seg)
                filled_in.setdefault(ttype, section)
                continue
            # content of one table under another table's heading
            if not _has_rows(ttype, seg):
                # only a header row of another table (a converter's wrong header over Table 3's rows)
                problems.append(problem(
                    "stray_header", "info",
                    f"a header row of {_NAMES[ttype]} inside {_NAMES[expected]} is ignored ({seg.at})"))
                rest = Table(rows=[r for r in seg.rows if _row_type(r) != ttype], at=seg.at,
                             delimited=seg.delimited, explicit=seg.explicit)
                if rest.rows:
                    readers[expected].feed(rest)
                continue
            if ttype in filled_in and filled_in[ttype] != section:
                if expected not in malformed:
                    malformed[expected] = (
                        f"under its heading the report repeats {_NAMES[ttype]} ({seg.at}) instead of "
                        f"{_NAMES[expected]}")
                continue
            readers[ttype].feed(seg)
            filled_in.setdefault(ttype, section)
            problems.append(problem(
                "table_under_other_heading", "info",
                f"{_NAMES[ttype]} was found under the heading of section {section} ({seg.at})"))
    for r in readers.values():
        r.finish()
        problems += r.problems

    cells: dict[str, dict] = {}
    extra: dict[str, dict] = {}
    t2, t3, t4 = readers["T2"], readers["T3"], readers["T4"]

    def put(target: dict, cid: str, gc: GridCell | None) -> None:
        if gc is None:
            target[cid] = missing_cell()
        else:
            # a value cell read by OCR: digit look-alikes ("O", "l", "４") read as digits
            fixed = ocr_number(gc.text) if gc.read_by == "ocr" else None
            sem, val = classify_value(fixed if fixed is not None else gc.text)
            target[cid] = {"semantic": sem, "value": val, "raw": gc.text, "at": gc.at,
                           "read_by": gc.read_by or doc.kind, "confidence": gc.confidence, "inferred": False}

    for code, rr in t2.rows.items():
        for col, gc in zip(rr.columns, rr.values):
            put(cells, f"T2/{code}/{col}", gc)
    for code, rr in t2.rows2019.items():
        for col, gc in zip(rr.columns, rr.values):
            put(extra, f"T2v2019/{code}/{col}", gc)
            # the 2019 处理决定数量 is the 2021 本年处理决定数量 (FORMAT.md): comparable across years
            cid = f"T2/{code}/{col}"
            if col == "decisions" and code in ("licensing", "penalties", "coercion") and cid not in cells:
                put(cells, cid, gc)
    for code, rr in t3.rows.items():
        for col, gc in zip(rr.columns, rr.values):
            put(extra if col == "org_subtotal" else cells, f"T3/{code}/{col}", gc)
    for code in t3.inferred:
        for col in t3.rows[code].columns:
            target = extra if col == "org_subtotal" else cells
            target[f"T3/{code}/{col}"]["inferred"] = True
    if t4.read is not None and "T4" not in malformed:
        for code, gc in t4.read.items():
            put(cells, f"T4/{code}", gc)

    all_ids = cell_ids()
    for cid in all_ids:
        cells.setdefault(cid, missing_cell())
    cells = {cid: cells[cid] for cid in all_ids}

    # format version
    # format version: decided by Table 2's headers (FORMAT.md); a 2021 Table 2 with the 2019 single
    # （六）其他处理 row is a hybrid, format 2021 with a warning of its own
    fmt: str | None = None
    t2_2021 = t2.v2021 > t2.v2019 or bool(t2.rows) and not t2.rows2019 and t2.v2019 == 0
    if t2.v2019 > t2.v2021 or t2.rows2019 and not t2.rows or t3.saw_2019_other and not t2_2021:
        fmt = "2019"
    elif t2.rows or t3.rows or t4.read is not None:
        fmt = "2021"
    if fmt == "2021" and t3.saw_2019_other:
        problems.append(problem(
            "format_hybrid", "warning",
            "a 2021-format report with the 2019 trial format's single （六）其他处理 row in Table 3: it is "
            "read as 其他 (3.其他); its sub-rows 1 and 2 are not in the report",
            [f"T3/{r}/{c}" for r in ("other_no_correction", "other_no_fee") for c in t3_column_codes()]))

    found = {"T2": bool(t2.rows or t2.rows2019), "T3": bool(t3.rows), "T4": t4.read is not None}
    problems += _structure_problems(cells, t3, found, malformed, fmt, doc)
    if fmt == "2019":
        found["T2"] = bool(t2.rows2019 or t2.rows)
    return MapResult(cells=cells, extra_cells=extra, problems=problems, format_version=fmt, tables_found=found)


def missing_cell() -> dict:
    """A cell not in the report: no text, so no reader and no confidence."""
    return {"semantic": MISSING, "value": None, "raw": None, "at": None,
            "read_by": None, "confidence": None, "inferred": False}


_NAMES = {"T2": "Table 2 (主动公开)", "T3": "Table 3 (收到和处理政府信息公开申请情况)",
          "T4": "Table 4 (行政复议、行政诉讼)"}


def _structure_problems(cells: dict, t3: T3Reader, found: dict, malformed: dict, fmt: str | None,
                        doc: Document) -> list[dict]:
    out: list[dict] = []
    by_table: dict[str, list[str]] = {"T2": [], "T3": [], "T4": []}
    for cid, c in cells.items():
        if c["semantic"] == MISSING:
            by_table[cid[:2]].append(cid)
    for t in ("T2", "T3", "T4"):
        missing = by_table[t]
        if t in malformed:
            ids = [cid for cid in cells if cid.startswith(t + "/")]
            out.append(problem("table_malformed", "error",
                               f"{_NAMES[t]} is malformed: {malformed[t]}; none of its {len(ids)} cells can be "
                               "read (MISSING, not 0)", ids))
            continue
        if not missing:
            continue
        if t == "T2" and fmt == "2019":
            continue  # the trial format's Table 2 has its own columns (extra cells)
        if not found[t]:
            out.append(problem("table_absent", "error", f"{_NAMES[t]} is not in the report", missing))
            continue
        if t == "T3":
            rows_read = t3.order
            all_rows = [e.code for e in codebook().t3_rows]
            missing_rows = [r for r in all_rows if r not in t3.rows]
            if fmt == "2019" or t3.saw_2019_other:
                missing_rows = [r for r in missing_rows if r not in ("other_no_correction", "other_no_fee")]
            if not missing_rows:
                continue
            last_read = max(all_rows.index(r) for r in rows_read)
            tail = all_rows[last_read + 1:]
            ids = [cid for cid in missing if cid.split("/")[1] in missing_rows]
            if tail and set(tail) <= set(missing_rows) and set(missing_rows) == set(tail):
                out.append(problem("table_truncated", "error",
                                   f"{_NAMES[t]} stops after row '{all_rows[last_read]}': "
                                   f"{len(tail)} row(s) are missing", ids))
            else:
                out.append(problem("rows_missing", "error",
                                   f"{_NAMES[t]} lacks row(s): " + ", ".join(missing_rows), ids))
        elif t == "T2":
            rows_missing = sorted({cid.split("/")[1] for cid in missing})
            ids_unread = [cid for cid in missing]
            # cells already reported as short/ambiguous rows are not repeated here
            out.append(problem("rows_missing" if len(rows_missing) < 6 else "table_truncated", "error",
                               f"{_NAMES[t]}: cells not in the report for row(s) " + ", ".join(rows_missing),
                               ids_unread))
    return out
