"""Incremental checking: a unit whose inputs (its reports, the checking code, the review's
corrections) did not change keeps its findings from the previous warehouse."""

from __future__ import annotations

import hashlib
from pathlib import Path

from .batch import Batch


def code_fingerprint() -> str:
    """Hash of the rule catalogue, the checking code and the codebook (whose short labels the findings'
    messages use): a change to any re-checks everything."""
    from .catalogue import CATALOGUE, CODEBOOK

    h = hashlib.sha1(CATALOGUE.read_bytes())
    h.update(CODEBOOK.read_bytes())
    for f in sorted(Path(__file__).parent.glob("*.py")):
        h.update(f.read_bytes())
    return h.hexdigest()


def unit_fingerprints(b: Batch, township_deadline: str) -> dict[str, str]:
    import json

    base = code_fingerprint() + "|" + township_deadline
    per: dict[str, list] = {}
    cols = [c for c in b.reports.columns]
    for row in b.reports[cols].astype(object).itertuples(index=False):
        d = dict(zip(cols, row))
        per.setdefault(d["unit_id"], []).append(
            {k: (None if v is None or (isinstance(v, float) and v != v) else str(v)) for k, v in d.items()}
        )
    return {
        u: hashlib.sha1(
            (base + json.dumps(sorted(rows, key=lambda r: r["report_id"]), sort_keys=True, ensure_ascii=False)).encode()
        ).hexdigest()
        for u, rows in per.items()
        if u is not None
    }


def corrections(con) -> dict[str, str]:
    """Per unit, the cells corrected by review (a unit whose corrections changed is checked again,
    not copied from the previous warehouse)."""
    try:
        rows = con.execute("""SELECT r.unit_id, string_agg(c.report_id || c.cell_id || c.semantic || '='
                                     || coalesce(CAST(c.value AS VARCHAR), ''), ',' ORDER BY c.report_id, c.cell_id)
                              FROM cells c JOIN reports r USING (report_id)
                              WHERE c.value_source = 'review' GROUP BY r.unit_id""").fetchall()
    except duckdb_errors():  # a warehouse without the review columns
        return {}
    return dict(rows)


def with_corrections(fps: dict[str, str], corrected: dict[str, str]) -> dict[str, str]:
    """Units with cells corrected by review get those corrections in their fingerprint."""
    out = dict(fps)
    for unit, corr in corrected.items():
        if unit in out:
            out[unit] = hashlib.sha1((out[unit] + "|review|" + corr).encode()).hexdigest()
    return out


def duckdb_errors():
    import duckdb

    return (duckdb.Error,)
