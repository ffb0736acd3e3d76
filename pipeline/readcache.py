"""Reading files into the read cache: content-addressed, incremental, parallel.

The cache lives in `<state>/reads/<batch>/` as Parquet files, one batch per reading step, written
to a temporary folder and renamed into place, so reading steps of different years may run at the
same time without sharing a DuckDB writer. A file whose (sha256, parser version) is in the cache is
not read again.
"""

from __future__ import annotations

import json
import os
import shutil
import time
import uuid
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from pathlib import Path

import pandas as pd

from . import PARSER_VERSION
from .codebook import split_cell_id
from .duck import scratch, sql_str
from .faults import maybe_die
from .parallel import costly_first, map_kept
from .parse import parse_bytes, read_capped
from .readers.oldword import MISSING_TOOL

REPORT_COLUMNS = [
    "sha256",
    "parser_version",
    "kind",
    "error",
    "format_version",
    "agency",
    "year",
    "published_on",
    "period_start",
    "period_end",
    "title",
    "n_problems",
    "n_errors",
    "signed_on",
]
CELL_COLUMNS = [
    "sha256",
    "cell_id",
    "table_code",
    "row_code",
    "col_code",
    "semantic",
    "value",
    "raw",
    "at",
    "read_by",
    "confidence",
    "inferred",
]
SECTION_COLUMNS = ["sha256", "section", "text", "chars"]
PROBLEM_COLUMNS = ["sha256", "seq", "code", "severity", "message", "cells"]


@dataclass
class Flat:
    report: tuple
    cells: list[tuple]
    extra: list[tuple]
    sections: list[tuple]
    problems: list[tuple]
    transient: bool = False  # a failure to be retried: never written to the cache


# cell id -> split_cell_id(cell id): the same 200 ids in every file
_SPLIT: dict[str, tuple[str, str, str]] = {}


def flatten(result: dict) -> Flat:
    sha = result.get("sha256", "")
    if "error" in result:
        report = (
            sha,
            PARSER_VERSION,
            result.get("kind"),
            result["error"],
            None,
            None,
            None,
            None,
            None,
            None,
            None,
            0,
            0,
            None,
        )
        return Flat(report, [], [], [], [])
    period = result.get("period") or {}
    probs = result.get("problems") or []
    report = (
        sha,
        PARSER_VERSION,
        result["kind"],
        None,
        result.get("format_version"),
        result.get("agency"),
        result.get("year"),
        result.get("published_on"),
        period.get("start"),
        period.get("end"),
        result.get("title"),
        len(probs),
        sum(1 for p in probs if p["severity"] == "error"),
        result.get("signed_on"),
    )

    def rows(cells: dict) -> list[tuple]:
        out = []
        append = out.append
        for cid, c in cells.items():
            parts = _SPLIT.get(cid)
            if parts is None:
                parts = split_cell_id(cid)
                if len(_SPLIT) < 100_000:  # the codebook's ids and a few others, not a file's every id
                    _SPLIT[cid] = parts
            get = c.get
            v = get("value")
            append(
                (
                    sha,
                    cid,
                    *parts,
                    c["semantic"],
                    float(v) if v is not None else None,
                    get("raw"),
                    get("at"),
                    get("read_by"),
                    get("confidence"),
                    bool(get("inferred")),
                )
            )
        return out

    sections = [(sha, k, v, len(v) if v is not None else None) for k, v in (result.get("sections") or {}).items()]
    problems = [
        (sha, i, p["code"], p["severity"], p["message"], json.dumps(p.get("cells") or [], ensure_ascii=False))
        for i, p in enumerate(probs)
    ]
    return Flat(report, rows(result["cells"]), rows(result.get("extra_cells") or {}), sections, problems)


def _read_one(abspath: str, path: str, sha: str) -> Flat:
    """Read one file. A failure to open it (a folder moved away for a moment, a network share gone)
    is transient: its Flat is marked so and never cached, so the file is read again at the next run.
    A file whose content changed since the scan is treated the same way."""
    from .readers.imagepages import report_sha256

    try:
        with open(abspath, "rb") as f:
            data = read_capped(f)
        digest = report_sha256(abspath, data)  # with the later pages of numbered page images
    except OSError as e:
        flat = flatten(
            {
                "sha256": sha,
                "path": path,
                "error": f"the file could not be opened this time ({e.strerror or e}); it is tried "
                "again at the next run",
            }
        )
        flat.transient = True
        return flat
    if digest != sha:
        flat = flatten(
            {
                "sha256": sha,
                "path": path,
                "error": "the file changed while the inbox was read; it is read again at the next run",
            }
        )
        flat.transient = True
        return flat
    try:
        return flatten(dict(parse_bytes(data, path, os.path.dirname(abspath)), sha256=sha))
    except Exception as e:  # noqa: BLE001 - one bad file never stops the run: its row says why
        return flatten(
            {"sha256": sha, "path": path, "error": f"the file could not be read ({type(e).__name__}: {str(e)[:200]})"}
        )


def _read_chunk(items: list[tuple[str, str, str]]) -> list[Flat]:
    return [_read_one(*it) for it in items]


class ReadCache:
    def __init__(self, state_dir: str | Path):
        self.root = Path(state_dir) / "reads"
        self.root.mkdir(parents=True, exist_ok=True)

    def batches(self) -> list[Path]:
        return sorted(
            p
            for p in self.root.iterdir()
            if p.is_dir() and not p.name.startswith(".") and (p / "reports.parquet").exists()
        )

    def glob(self, table: str) -> list[str]:
        return [str(b / f"{table}.parquet") for b in self.batches()]

    def known(self) -> set[str]:
        files = self.glob("reports")
        if not files:
            return set()
        con = scratch()
        try:
            # a file set aside only because a converter was missing is read again once it is there
            rows = con.execute(
                "SELECT DISTINCT sha256 FROM read_parquet(?) WHERE parser_version = ? "
                "AND coalesce(error, '') NOT LIKE ?",
                [files, PARSER_VERSION, f"%{MISSING_TOOL}%"],
            ).fetchall()
        finally:
            con.close()
        return {r[0] for r in rows}

    def retry_file(self, label: str) -> Path:
        return self.root / f"retry-{label}.json"

    def retries(self) -> dict[str, str]:
        """sha256 -> why the last reading step could not read the file (to be tried again)."""
        out: dict[str, str] = {}
        for p in sorted(self.root.glob("retry-*.json")):
            try:
                out.update(json.loads(p.read_text(encoding="utf-8")))
            except (OSError, ValueError):
                continue
        return out

    def write_batch(self, flats: list[Flat], label: str) -> Path | None:
        flats = [f for f in flats if not f.transient]
        if not flats:
            return None
        name = f"{time.strftime('%Y%m%dT%H%M%S')}-{label}-{uuid.uuid4().hex[:8]}"
        tmp = self.root / f".{name}.tmp"
        tmp.mkdir(parents=True)
        frames = {
            "reports": pd.DataFrame([f.report for f in flats], columns=REPORT_COLUMNS),
            "cells": pd.DataFrame([c for f in flats for c in f.cells], columns=CELL_COLUMNS),
            "cells_extra": pd.DataFrame([c for f in flats for c in f.extra], columns=CELL_COLUMNS),
            "sections": pd.DataFrame([s for f in flats for s in f.sections], columns=SECTION_COLUMNS),
            "problems": pd.DataFrame([p for f in flats for p in f.problems], columns=PROBLEM_COLUMNS),
        }
        con = scratch()
        try:
            for table, df in frames.items():
                con.register("df", _typed(table, df))
                # each column cast to its type: a column with no value in this batch would otherwise
                # be written as type NULL, and the batches could then not be read together
                cols = ", ".join(f'CAST("{c}" AS {SQL_TYPES.get(c, "VARCHAR")}) AS "{c}"' for c in df.columns)
                con.execute(f"COPY (SELECT {cols} FROM df) TO {sql_str(tmp / (table + '.parquet'))} (FORMAT parquet)")
                con.unregister("df")
        finally:
            con.close()
        final = self.root / name
        os.replace(tmp, final)
        return final

    def clear(self) -> None:
        shutil.rmtree(self.root, ignore_errors=True)
        self.root.mkdir(parents=True, exist_ok=True)


# the Parquet type of every column of the cache's tables that is not text (VARCHAR)
SQL_TYPES = {
    "year": "BIGINT",
    "n_problems": "BIGINT",
    "n_errors": "BIGINT",
    "value": "DOUBLE",
    "confidence": "DOUBLE",
    "inferred": "BOOLEAN",
    "chars": "BIGINT",
    "seq": "BIGINT",
}


def _typed(table: str, df: pd.DataFrame) -> pd.DataFrame:
    """Give empty and all-null columns a type so every batch's Parquet schema agrees."""
    types = {
        "reports": {"year": "Int64", "n_problems": "Int64", "n_errors": "Int64"},
        "cells": {"value": "float64", "confidence": "float64", "inferred": "bool"},
        "cells_extra": {"value": "float64", "confidence": "float64", "inferred": "bool"},
        "sections": {"chars": "Int64"},
        "problems": {"seq": "Int64"},
    }[table]
    for col in df.columns:
        if col in types:
            df[col] = df[col].astype(types[col])
        else:
            df[col] = df[col].astype("object").where(df[col].notna(), None)
    return df


# Estimated CPU milliseconds to read a file of a kind: (a file, a KB), measured on the 1,000-report
# corpus; only their order matters (the costliest files are read first). Old Word files are converted
# by LibreOffice, images (and scanned PDFs, which are large) read by OCR, seconds a page.
_READ_MS = {
    "text": (1, 1.0),
    "html": (2, 0.25),
    "docx": (3, 0.35),
    "pdf": (5, 3.3),
    "doc": (1000, 1.0),
    "image": (3000, 3.3),
}


def read_cost(kind: str | None, size: int) -> float:
    """The estimated cost of reading a file (milliseconds of CPU), from its kind and size."""
    per_file, per_kb = _READ_MS.get(kind or "", (1, 1.0))
    return per_file + per_kb * size / 1024


class _Reader:
    """Reads chunks of files and writes their results to the cache in batches of its own: in a
    reading worker (forked, each with its own copy of this object) or in the run's process. What it
    returns for a chunk is small (counts, the files to retry, the batches written), so the files'
    results never travel between processes."""

    def __init__(self, cache: ReadCache, label: str, batch_files: int):
        self.cache, self.label, self.batch_files = cache, label, batch_files
        self.flats: list[Flat] = []

    def read(self, items: list[tuple[str, str, str]]) -> dict:
        results = _read_chunk(items)
        self.flats.extend(results)
        done = {
            "read": len(results),
            "unreadable": sum(1 for f in results if f.report[3] is not None),
            "retry": {f.report[0]: f.report[3] for f in results if f.transient},
            "batches": [],
        }
        if len(self.flats) >= self.batch_files:
            done["batches"] = self.finish()["batches"]
        return done

    def finish(self) -> dict:
        b = self.cache.write_batch(self.flats, self.label)
        self.flats = []
        return {"read": 0, "unreadable": 0, "retry": {}, "batches": [b] if b else []}


def read_files(
    files: Iterable,
    cache: ReadCache,
    label: str,
    workers: int | None = None,
    progress: Callable[[int, int], None] | None = None,
) -> dict:
    """Read every file not yet in the cache. `files` are inbox entries (InboxFile) without errors.

    With several workers, each writes the results of the files it read to the cache itself, in
    batches of BATCH_FILES / workers files (so reading a country's inbox never holds all of it in
    memory, and this process neither receives nor writes the results)."""
    known = cache.known()
    todo: dict[str, tuple[str, str, str]] = {}
    cost_of: dict[str, tuple[str | None, int]] = {}
    for f in files:
        if f.error or not f.sha256 or f.sha256 in known or f.sha256 in todo:
            continue
        todo[f.sha256] = (f.abspath, f.path, f.sha256)
        cost_of[f.sha256] = (f.kind, f.size)
    items = list(todo.values())
    started = time.perf_counter()
    batches: list[Path] = []
    n_read = n_unreadable = 0
    retry: dict[str, str] = {}

    def take(done: dict) -> None:
        nonlocal n_read, n_unreadable
        n_read += done["read"]
        n_unreadable += done["unreadable"]
        retry.update(done["retry"])
        batches.extend(done["batches"])
        maybe_die("read")

    if items:
        workers = workers or min(os.cpu_count() or 1, max(1, len(items) // 8))
        if workers <= 1 or len(items) < 8:
            reader = _Reader(cache, label, BATCH_FILES)
            for i, it in enumerate(items, 1):
                take(reader.read([it]))
                if progress and (i % 50 == 0 or i == len(items)):
                    progress(i, len(items))
            take(reader.finish())
        else:
            costs = [read_cost(*cost_of[it[2]]) for it in items]
            chunks = [[items[i] for i in c] for c in costly_first(costs, workers, 64)]
            reader = _Reader(cache, label, max(1, BATCH_FILES // workers))
            for done in map_kept(reader.read, reader.finish, chunks, workers):
                take(done)
                if progress and done["read"]:
                    progress(n_read, len(items))
    tmp = cache.root / f".retry-{label}.json.tmp"
    tmp.write_text(json.dumps(retry, ensure_ascii=False), encoding="utf-8")
    os.replace(tmp, cache.retry_file(label))
    batches.sort()
    return {
        "read": n_read,
        "cached": len(known),
        "seconds": round(time.perf_counter() - started, 3),
        "batch": str(batches[-1]) if batches else None,
        "batches": len(batches),
        "unreadable": n_unreadable,
    }


BATCH_FILES = 2000
