"""The answer key of a rendered spec: what a perfect reader returns for every cell.

The writers put exactly the spec's raw text in exactly the spec's cells, so the truth depends on the
spec alone, never on the writer or its layout: a cell that is written is classified by its raw text
(`classify` below, the one value classification of the project: `pipeline.textnorm.classify_value`);
a cell that is not written (absent from `cells`, its table absent, truncated before its row, or the
malformed Table 4 of the seed) is MISSING.
"""

from __future__ import annotations

from pipeline.codebook import cell_ids, codebook, split_cell_id
from pipeline.textnorm import MISSING, classify_value

from .model import data_row_codes
from .spec import ReportSpec, table_status

# Rows the 2019 trial format does not have (its single （六）其他处理 row is other_other).
_ROWS_NOT_IN_2019 = ("other_no_correction", "other_no_fee")


def classify(raw: str | None) -> dict:
    """{"semantic": …, "value": …} of a written cell's raw text."""
    sem, val = classify_value(raw)
    return {"semantic": sem, "value": val}


_MISSING = {"semantic": MISSING, "value": None}


def _written_rows(spec: ReportSpec, table: str) -> set[str] | None:
    """The data rows of a table that are written (None: every row)."""
    status, n = table_status(spec.table(table))
    if status in ("absent", "malformed_t4_like_seed"):
        return set()
    if status == "truncated":
        return set(data_row_codes(table, spec.format_version)[:n])
    return None


def expected_cells(spec: ReportSpec) -> dict[str, dict]:
    """The 200 cells of the 2021 codebook, in official order: {cell_id: {"semantic", "value"}}."""
    rows = {t: _written_rows(spec, t) for t in ("T2", "T3", "T4")}
    out: dict[str, dict] = {}
    v2019 = spec.format_version == "2019"
    for cid in cell_ids():
        table, row, _col = split_cell_id(cid)
        if table == "T2" and v2019:
            # the trial format's Table 2 has other columns (T2v2019); its 处理决定数量 is the 2021
            # 本年处理决定数量 (FORMAT.md) and fills the three decisions cells too
            raw = spec.extra_cells.get(f"T2v2019/{row}/decisions") if _col == "decisions" else None
            written = rows["T2"]
            out[cid] = _MISSING if raw is None or written is not None and row not in written else classify(raw)
            continue
        if table == "T3" and v2019 and row in _ROWS_NOT_IN_2019:
            out[cid] = _MISSING
            continue
        written = rows[table]
        row_key = "appeals" if table == "T4" else row
        if written is not None and row_key not in written:
            out[cid] = _MISSING
            continue
        raw = spec.cells.get(cid)
        out[cid] = _MISSING if raw is None else classify(raw)
    return out


def expected_extra_cells(spec: ReportSpec) -> dict[str, dict]:
    """Cells outside the 200: T3 org_subtotal (when the column is written) and the 2019 T2v2019 cells."""
    out: dict[str, dict] = {}
    if spec.org_subtotal:
        written = _written_rows(spec, "T3")
        for r in data_row_codes("T3", spec.format_version):
            cid = f"T3/{r}/org_subtotal"
            ok = written is None or r in written
            raw = spec.extra_cells.get(cid)
            out[cid] = classify(raw) if ok and raw is not None else dict(_MISSING)
    if spec.format_version == "2019":
        written = _written_rows(spec, "T2")
        for r in codebook().t2v2019_rows:
            for c in r.columns:
                cid = f"T2v2019/{r.code}/{c}"
                ok = written is None or r.code in written
                raw = spec.extra_cells.get(cid)
                out[cid] = classify(raw) if ok and raw is not None else dict(_MISSING)
    return out


def expected_report(spec: ReportSpec, *, published: bool = True) -> dict:
    """The whole answer key, shaped like the seed's ``*.expected.json``.

    `published=False` for kinds that do not show the publication date (docx, PDF).
    """
    return {
        "agency_name": spec.agency,
        "year": spec.year,
        "format_version": spec.format_version,
        "published_on": spec.published_date() if published else None,
        "period": {"start": spec.period[0], "end": spec.period[1]} if spec.period else None,
        "title": spec.title,
        "cells": expected_cells(spec),
        "extra_cells": expected_extra_cells(spec),
    }
