"""Narratives copied across units of the same year (rule family copy_units), with bounded memory.

Every report's narrative (folded: names removed, digits and punctuation folded, text.py) is cut into
sentences; a sentence of 12 characters or more is kept as its hash and length. The fingerprints are
added chunk by chunk to a private DuckDB database, which spills to disk past its memory limit, so
the rule across all units of a year never holds a year's narratives in Python. For each report, the
other unit's report of the same year sharing the most characters of sentences is its closest copy
(ties: the earlier report in the ordering of the reports checked).
"""

from __future__ import annotations

import re
import tempfile
from collections.abc import Iterator

import numpy as np
import pandas as pd

from .batch import Batch
from .text import COMPARED, fold_normed, normed_sections

_SENTENCE = re.compile(r"(?<=[.;!?。；！？])|\n")
MIN_SENTENCE = 12  # characters: shorter pieces are headings and formulas every report shares
MIN_TEXT = 40  # characters of sentences: a shorter narrative is not assessed


def folded_narratives(b: Batch, normed: list[dict[str, str]] | None = None) -> list[str]:
    """The folded narrative each report is compared on (overview, problems, other), without its names
    (`normed`: the reports' normed_sections, when the caller has them)."""
    out = []
    agency, unit_name = b.reports["agency"].to_numpy(), b.reports["unit_name"].to_numpy()
    for i in range(b.n):
        names = (agency[i] or "", unit_name[i] or "")
        names = tuple(n for n in names if isinstance(n, str) and n)
        ns = normed[i] if normed is not None else normed_sections(b.sections[i])
        out.append(fold_normed("".join(ns[k] for k in COMPARED), names))
    return out


def sentences(folded: str) -> dict[int, int]:
    """Hash -> length of the sentences of a folded narrative long enough to count."""
    d: dict[int, int] = {}
    for s in _SENTENCE.split(folded):
        if len(s) >= MIN_SENTENCE:
            d[hash(s)] = len(s)
    return d


class CopyIndex:
    """Sentence fingerprints of reports, by position in the ordering of the reports checked."""

    def __init__(self, memory_limit: str = "256MB"):
        import duckdb

        self._tmp = tempfile.TemporaryDirectory(prefix="nianbao-copying-")
        self.con = duckdb.connect()
        self.con.execute(f"SET memory_limit = '{memory_limit}'")
        self.con.execute(f"SET temp_directory = '{self._tmp.name}'")
        self.con.execute("SET preserve_insertion_order = false")
        self.con.execute("CREATE TABLE sent (pos BIGINT, yr INTEGER, unit VARCHAR, h BIGINT, len INTEGER)")
        self.con.execute("""CREATE TABLE reps (pos BIGINT, report_id VARCHAR, unit_id VARCHAR, yr INTEGER,
                                               total BIGINT, focus BOOLEAN)""")

    def add(self, b: Batch, pos: np.ndarray, folded: list[str] | None = None) -> None:
        """Add the reports of batch `b` (at positions `pos`); the rule is assessed for its focus reports."""
        if not b.n:
            return
        folded = folded if folded is not None else folded_narratives(b)
        years = [None if y is None or pd.isna(y) else int(y) for y in b.reports["year"]]
        units = [None if u is None or (isinstance(u, float) and u != u) else str(u) for u in b.reports["unit_id"]]
        s_pos, s_yr, s_unit, s_h, s_len, totals = [], [], [], [], [], []
        for i in range(b.n):
            d = sentences(folded[i])
            totals.append(sum(d.values()))
            if years[i] is None:
                continue
            for h, ln in d.items():
                s_pos.append(int(pos[i]))
                s_yr.append(years[i])
                s_unit.append(units[i])
                s_h.append(h)
                s_len.append(ln)
        sent = pd.DataFrame(
            {
                "pos": np.array(s_pos, dtype=np.int64),
                "yr": pd.array(s_yr, dtype="Int32"),
                "unit": pd.array(s_unit, dtype=object),
                "h": np.array(s_h, dtype=np.int64),
                "len": np.array(s_len, dtype=np.int32),
            }
        )
        reps = pd.DataFrame(
            {
                "pos": np.asarray(pos, dtype=np.int64),
                "report_id": b.reports["report_id"].astype(object).to_numpy(),
                "unit_id": pd.array(units, dtype=object),
                "yr": pd.array(years, dtype="Int32"),
                "total": np.array(totals, dtype=np.int64),
                "focus": np.asarray(b.focus, dtype=bool),
            }
        )
        for name, frame in (("sent", sent), ("reps", reps)):
            self.con.register("_new", frame)
            self.con.execute(f"INSERT INTO {name} SELECT * FROM _new")
            self.con.unregister("_new")

    def closest(self, size: int = 50_000) -> Iterator[pd.DataFrame]:
        """For every focus report, in chunks of `size`: pos, report_id, unit_id, yr, total, and its
        closest copy (other_pos, other_report_id, chars; NULL when no sentence is shared)."""
        self.con.execute("""
            CREATE OR REPLACE TEMP TABLE best AS
            WITH pairs AS (
                SELECT a.pos AS i, b.pos AS j, sum(a.len) AS chars
                FROM sent a JOIN sent b ON a.yr = b.yr AND a.h = b.h
                WHERE a.pos <> b.pos AND a.unit IS DISTINCT FROM b.unit
                GROUP BY a.pos, b.pos)
            SELECT i, j, chars FROM pairs
            QUALIFY row_number() OVER (PARTITION BY i ORDER BY chars DESC, j ASC) = 1""")
        cur = self.con.execute("""
            SELECT r.pos, r.report_id, r.unit_id, r.yr, r.total, b.j AS other_pos, o.report_id AS other_report_id,
                   b.chars
            FROM reps r LEFT JOIN best b ON b.i = r.pos LEFT JOIN reps o ON o.pos = b.j
            WHERE r.focus ORDER BY r.pos""")
        while True:
            got = cur.fetch_df_chunk(max(1, size // 2048))
            if got is None or got.empty:
                break
            yield got

    def close(self) -> None:
        self.con.close()
        self._tmp.cleanup()
