"""The input of the checks: a batch of reports as matrices (vectorised over reports), built either
from the warehouse or from parsed files (`nianbao check`)."""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from ..codebook import cell_ids, t3_row_codes

SEM_CODES = {"NUMERIC": 0, "ZERO": 1, "EMPTY": 2, "NA": 3, "TEXT": 4, "MISSING": 5}
NUMERIC, ZERO, EMPTY, NA, TEXT, MISSING = range(6)
CELL_INDEX = {cid: i for i, cid in enumerate(cell_ids())}
SUBTOTAL_INDEX = {row: i for i, row in enumerate(t3_row_codes())}
_TITLE_YEAR = re.compile(r"(20\d\d)\s*年")


@dataclass
class Batch:
    reports: pd.DataFrame  # one row per report, positional index 0..n-1
    V: np.ndarray  # values (n x 200), NaN unless NUMERIC/ZERO
    S: np.ndarray  # semantic codes (n x 200)
    XV: np.ndarray  # org_subtotal values (n x 25)
    XS: np.ndarray  # org_subtotal semantics (n x 25), MISSING when the column is absent
    problems: list[list[dict]]
    sections: list[dict]
    prev: np.ndarray = field(default=None)  # index of the same unit's report of the year before, or -1
    focus: np.ndarray = field(default=None)  # reports whose findings are wanted (others are context)

    def __post_init__(self) -> None:
        n = len(self.reports)
        if self.prev is None:
            self.prev = previous_index(self.reports)
        if self.focus is None:
            self.focus = np.ones(n, dtype=bool)

    @property
    def n(self) -> int:
        return len(self.reports)

    def take(self, idx: np.ndarray) -> Batch:
        """The reports at `idx` as a batch of their own (previous years looked up inside it)."""
        idx = np.asarray(idx, dtype=np.int64)
        return Batch(
            reports=self.reports.iloc[idx].reset_index(drop=True),
            V=self.V[idx],
            S=self.S[idx],
            XV=self.XV[idx],
            XS=self.XS[idx],
            problems=[self.problems[i] for i in idx],
            sections=[self.sections[i] for i in idx],
            focus=self.focus[idx],
        )

    def chunks(self, size: int) -> list[np.ndarray]:
        """Indices in chunks of about `size` reports, every unit's years in the same chunk."""
        units = self.reports["unit_id"].astype(object).where(self.reports["unit_id"].notna(), None).to_numpy()
        order: dict[object, list[int]] = {}
        for i, u in enumerate(units):
            order.setdefault(u if u is not None else ("?", i), []).append(i)
        out: list[np.ndarray] = []
        cur: list[int] = []
        for _, members in sorted(order.items(), key=lambda kv: str(kv[0])):
            cur += members
            if len(cur) >= size:
                out.append(np.array(cur, dtype=np.int64))
                cur = []
        if cur:
            out.append(np.array(cur, dtype=np.int64))
        return out


def previous_index(reports: pd.DataFrame) -> np.ndarray:
    pos = {}
    for i, (u, y) in enumerate(zip(reports["unit_id"], reports["year"])):
        if u is not None and not pd.isna(u) and y is not None and not pd.isna(y):
            pos[(u, int(y))] = i
    out = np.full(len(reports), -1, dtype=np.int64)
    for i, (u, y) in enumerate(zip(reports["unit_id"], reports["year"])):
        if u is not None and not pd.isna(u) and y is not None and not pd.isna(y):
            out[i] = pos.get((u, int(y) - 1), -1)
    return out


def title_year(title: str | None) -> int | None:
    if not title:
        return None
    m = _TITLE_YEAR.search(title.replace(" ", ""))
    return int(m.group(1)) if m else None


def empty_matrices(n: int) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    V = np.full((n, len(CELL_INDEX)), np.nan)
    S = np.full((n, len(CELL_INDEX)), MISSING, dtype=np.int8)
    XV = np.full((n, len(SUBTOTAL_INDEX)), np.nan)
    XS = np.full((n, len(SUBTOTAL_INDEX)), MISSING, dtype=np.int8)
    return V, S, XV, XS


def from_parsed(results: list[dict], units: list[dict | None]) -> Batch:
    """A batch from `parse_file` results; `units` gives each report's registry facts (or None)."""
    n = len(results)
    V, S, XV, XS = empty_matrices(n)
    rows = []
    for i, (r, u) in enumerate(zip(results, units)):
        for cid, c in r["cells"].items():
            j = CELL_INDEX[cid]
            S[i, j] = SEM_CODES[c["semantic"]]
            if c["value"] is not None:
                V[i, j] = float(c["value"])
        for cid, c in (r.get("extra_cells") or {}).items():
            if cid.endswith("/org_subtotal"):
                j = SUBTOTAL_INDEX[cid.split("/")[1]]
                XS[i, j] = SEM_CODES[c["semantic"]]
                if c["value"] is not None:
                    XV[i, j] = float(c["value"])
        u = u or {}
        period = r.get("period") or {}
        rows.append(
            {
                "report_id": r.get("report_id") or r["sha256"][:16],
                "path": r["path"],
                "unit_id": u.get("unit_id"),
                "unit_name": u.get("name"),
                "unit_level": u.get("level"),
                "year": r.get("year"),
                "agency": r.get("agency"),
                "format_version": r.get("format_version"),
                "title_year": title_year(r.get("title")),
                "published_on": r.get("published_on"),
                "signed_on": r.get("signed_on"),
                "period_start": period.get("start"),
                "period_end": period.get("end"),
                "match_method": u.get("match_method"),
                "can_make_rules": u.get("can_make_rules"),
                "deadline_kind": u.get("deadline_kind"),
            }
        )
    reports = pd.DataFrame(rows)
    return Batch(
        reports=reports,
        V=V,
        S=S,
        XV=XV,
        XS=XS,
        problems=[r.get("problems") or [] for r in results],
        sections=[r.get("sections") or {} for r in results],
    )


_REPORTS_SQL = """
        SELECT r.report_id, r.path, r.unit_id, u.name AS unit_name, u.level AS unit_level, r.year, r.agency,
               r.format_version, r.title, CAST(r.published_on AS VARCHAR) AS published_on,
               CAST(r.signed_on AS VARCHAR) AS signed_on,
               CAST(r.period_start AS VARCHAR) AS period_start, CAST(r.period_end AS VARCHAR) AS period_end,
               r.match_method, u.can_make_rules, u.deadline_kind
        FROM reports r LEFT JOIN units u USING (unit_id)
        WHERE r.active {where}
        ORDER BY r.unit_id, r.year, r.report_id"""


def from_warehouse(con, cells_for: set | None = None) -> Batch:
    """All active reports of a warehouse connection (for tools and benchmarks; the checks read the
    warehouse chunk by chunk, `warehouse_parts`).

    `cells_for`: load cells and problems only for these units (None: all). Sections are always
    loaded: the rules across units need every narrative.
    """
    b = _read_reports(con, "", [])
    if cells_for is None or cells_for:
        fill_cells(con, b, cells_for)
    return b


def _read_reports(con, where: str, params: list) -> Batch:
    """The active reports matching `where` (with their sections), cells not yet loaded."""
    reports = con.execute(_REPORTS_SQL.format(where=where), params).df()
    reports["title_year"] = [title_year(t) for t in reports["title"]]
    n = len(reports)
    V, S, XV, XS = empty_matrices(n)
    b = Batch(reports=reports, V=V, S=S, XV=XV, XS=XS, problems=[[] for _ in range(n)], sections=[{} for _ in range(n)])
    if not n:
        return b
    pos = {rid: i for i, rid in enumerate(reports["report_id"])}
    con.register("batch_ids", reports[["report_id"]])
    try:
        for rid, sec, text in con.execute("""
                SELECT s.report_id, s.section, s.text FROM sections s
                JOIN batch_ids USING (report_id)""").fetchall():
            b.sections[pos[rid]][sec] = text
    finally:
        con.unregister("batch_ids")
    return b


@dataclass
class Part:
    """A chunk of the reports being checked: every year of its units, cells loaded."""

    label: str  # names the chunk in messages ("chunk 3 of 25: units 152921… to 152923…, 4,012 reports")
    batch: Batch
    pos: np.ndarray  # each report's position among all the reports checked (the whole ordering)


def _label(k: int, total: int, units, n: int) -> str:
    names = [str(u) for u in units if u is not None and not (isinstance(u, float) and u != u)]
    span = f"units {min(names)} to {max(names)}" if names else "reports without a unit"
    return f"chunk {k} of {total}: {span}, {n:,} reports"


def batch_parts(b: Batch, size: int) -> Iterator[Part]:
    """The chunks of a batch in memory (every unit's years in the same chunk)."""
    chunks = b.chunks(size)
    for k, idx in enumerate(chunks, 1):
        part = b.take(idx)
        yield Part(_label(k, len(chunks), part.reports["unit_id"], part.n), part, idx)


def warehouse_parts(con, size: int, load_cells: Callable[[Batch], bool] = lambda _b: True) -> Iterator[Part]:
    """The active reports of a warehouse, read a chunk of units at a time (about `size` reports,
    every year of a unit in the same chunk): only the chunk's rows are ever in memory.

    `load_cells(batch)` says whether the chunk's cells and problems are needed (not when every unit
    of the chunk keeps its findings from the previous warehouse). Positions follow the order of
    `from_warehouse` (unit, year, report).
    """
    counts = con.execute("""SELECT unit_id, count(*) FROM reports WHERE active
                            GROUP BY unit_id ORDER BY unit_id""").fetchall()
    groups: list[tuple[list, int]] = []  # (unit ids, reports)
    cur: list = []
    n = 0
    for unit, k in counts:
        if unit is None:  # reports without a unit come last, as in the ordering of the reports
            continue
        cur.append(unit)
        n += k
        if n >= size:
            groups.append((cur, n))
            cur, n = [], 0
    if cur:
        groups.append((cur, n))
    nulls = sum(k for u, k in counts if u is None)
    if nulls:
        groups.append(([None], nulls))
    offset = 0
    for k, (units, _n) in enumerate(groups, 1):
        if units == [None]:
            b = _read_reports(con, "AND r.unit_id IS NULL", [])
        else:
            b = _read_reports(con, "AND r.unit_id BETWEEN ? AND ?", [units[0], units[-1]])
        if b.n and load_cells(b):
            fill_cells(con, b)
        yield Part(_label(k, len(groups), units, b.n), b, np.arange(offset, offset + b.n, dtype=np.int64))
        offset += b.n


def fill_cells(con, b: Batch, units: set | None = None) -> None:
    """Load cells, extra cells and problems of the batch's reports (of `units` only, when given).

    Positions, cell indices and semantic codes are computed by DuckDB and fetched as numpy arrays,
    so a large batch costs a few bytes per cell, not a Python object per value.
    """
    if not b.n:
        return
    rep = b.reports[["report_id", "unit_id"]].copy()
    rep["pos"] = np.arange(b.n, dtype=np.int64)
    if units is not None:
        rep = rep[rep["unit_id"].isin(list(units))]
        if rep.empty:
            return
    con.register("batch_reports", rep[["report_id", "pos"]])
    con.register("cell_index", pd.DataFrame({"cell_id": list(CELL_INDEX), "idx": list(CELL_INDEX.values())}))
    con.register("sub_index", pd.DataFrame({"row_code": list(SUBTOTAL_INDEX), "idx": list(SUBTOTAL_INDEX.values())}))
    sem_case = "CASE c.semantic " + " ".join(f"WHEN '{k}' THEN {v}" for k, v in SEM_CODES.items()) + " END"
    try:
        got = con.execute(f"""
            SELECT b.pos, i.idx, {sem_case} AS sem, c.value
            FROM cells c JOIN batch_reports b ON b.report_id = c.report_id
            JOIN cell_index i ON i.cell_id = c.cell_id""").fetchnumpy()
        if len(got["pos"]):
            pos, idx = got["pos"].astype(np.int64), got["idx"].astype(np.int64)
            b.S[pos, idx] = np.asarray(got["sem"], dtype=np.int8)
            b.V[pos, idx] = _floats(got["value"])
        got = con.execute(f"""
            SELECT b.pos, i.idx, {sem_case} AS sem, c.value
            FROM cells_extra c JOIN batch_reports b ON b.report_id = c.report_id
            JOIN sub_index i ON i.row_code = c.row_code
            WHERE c.col_code = 'org_subtotal'""").fetchnumpy()
        if len(got["pos"]):
            pos, idx = got["pos"].astype(np.int64), got["idx"].astype(np.int64)
            b.XS[pos, idx] = np.asarray(got["sem"], dtype=np.int8)
            b.XV[pos, idx] = _floats(got["value"])
        for p, code, sev, cells_ in con.execute("""
                SELECT b.pos, p.code, p.severity, p.cells FROM problems p
                JOIN batch_reports b ON b.report_id = p.report_id ORDER BY b.pos, p.seq""").fetchall():
            b.problems[p].append({"code": code, "severity": sev, "cells": list(cells_ or [])})
    finally:
        for name in ("batch_reports", "cell_index", "sub_index"):
            con.unregister(name)


def _floats(a) -> np.ndarray:
    """DuckDB's numpy result for a nullable DOUBLE column: a masked array; NULL becomes NaN."""
    if isinstance(a, np.ma.MaskedArray):
        return a.filled(np.nan).astype(float)
    return np.asarray(a, dtype=float)
