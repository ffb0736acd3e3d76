"""Rendering the pages: fingerprints, the manifest and the workers.

Year by year (`render_all`): the year's data is loaded (`data.load_year`: the year and the year
before), each page's inputs are gathered into one frozen value (`unit.UnitInputs`,
`group.GroupInputs`) and the page's fingerprint is the digest of that value, salted with the templates
and this package's code (`fingerprint`). Fingerprints are kept in `<pages>/_pages.json`; a page whose
fingerprint did not change and whose file is still there with the size written is neither built nor
rendered again, so a re-run with nothing changed reads no report and builds no context, and a re-run
after one changed report rewrites only the pages that show something of it.

The pages to render go in chunks to worker processes (`_Pool`), fresh interpreters started with the
render: a worker inherits nothing of this process; it receives each chunk's inputs,
reads the bulk of the chunk's reports itself (`data.load_reports`) and writes the pages. This process
goes on with the next year meanwhile. Few pages are rendered here.
"""

from __future__ import annotations

import concurrent.futures as cf
import gc
import hashlib
import json
import multiprocessing as mp
import os
import pickle
import time
from pathlib import Path

import jinja2

from .data import (
    PREV_CELLS,
    READ_MEMORY,
    Data,
    load_common,
    load_index,
    load_reports,
    load_rollup_cells,
    load_year,
    reading,
)
from .group import GroupInputs, group_context, group_inputs
from .index import index_context, index_inputs
from .inputs import PageInputs, group_path, unit_path
from .templating import TEMPLATES, environment
from .unit import MOVE_FIGURES, UnitBulk, UnitInputs, unit_bulk, unit_context, unit_inputs

ROOT = Path(__file__).resolve().parents[2]
CODEBOOK = ROOT / "pipeline" / "codebook.toml"  # the form's words the pages draw
STATIC = TEMPLATES / "static"
MANIFEST = "_pages.json"
MANIFEST_VERSION = 1

assert {key for _label, src, key in MOVE_FIGURES if src == "cell"} | {"T3/carried_forward/total"} <= set(PREV_CELLS)
TEMPLATE_NAMES = ("base.html", "_tables.html", "index.html", "group.html", "unit.html")
# Below this many pages to render in a year, they are rendered here rather than by the workers.
MIN_PARALLEL = 100
# Pages sent to a worker at once (a worker holds the bulk of a chunk's reports at once). Each chunk
# costs its worker a scan of the cells' report ids (a chunk's units' reports are spread over the
# whole table, stored in report_id order), which grows with the warehouse: at 100,000 reports a
# 400-report chunk read in 0.36 s of CPU against 0.20 s at 10,000; 800 halves the chunks (+~25 MB
# of bulk held per worker).
BATCH = 800
GROUP_BATCH = 25
# DuckDB's buffer pool of a worker's connection (it reads a chunk's rows of tables, streaming): at
# 100,000 reports 200 MB in place of READ_MEMORY (512 MB) read a 400-report chunk in the same CPU
# (2.5 s against 2.7 for three) with 190 MB less at the worker's peak. Not the parent's: its
# load_common evaluates the rollup views of a warehouse built with them, which fail at that limit.
WORKER_READ_MEMORY = "200MB"
# The same for this process's connection while it loads a year (load_year, load_rollup_cells): at
# 100,000 reports 300 MB less at the process's peak than READ_MEMORY, in the same CPU; only when the
# rollups are tables (a published warehouse), not views, which are evaluated and may need more.
YEAR_READ_MEMORY = WORKER_READ_MEMORY
# Groups whose 200 sums (rollup_cells) are held at once while their pages' inputs are built: at
# 100,000 reports a year's are 6,804 groups' and 290 MB of tuples, a slice's ~20 MB.
GROUP_SLICE = 500
# Chunks sent and not yet rendered, per worker, beyond which this process waits before sending more:
# it builds and pickles a year's chunks faster than the workers render them, and at 100,000 reports
# a year's chunks pickled are 230 MB, which would otherwise wait in this process beside the year.
PENDING_PER_WORKER = 4
# how page workers start: "spawn" (a fresh interpreter) where it exists; tests compare it with "fork"
START_METHOD = "spawn"


# Cells without marks whose <td> FormTables remembers (emptied when full).
def template_salt() -> str:
    """Digest of everything besides a page's inputs that shapes it: templates and this package's code."""
    h = hashlib.sha256(str(MANIFEST_VERSION).encode())
    files = sorted(TEMPLATES.glob("*.html")) + sorted(Path(__file__).parent.glob("*.py")) + [CODEBOOK]
    for f in files:
        h.update(f.name.encode())
        h.update(f.read_bytes())
    return h.hexdigest()


def fingerprint(salt: str, template: str, inputs: PageInputs) -> str:
    """SHA-256 of the code and templates (salt), the template and the digest of the page's inputs."""
    h = hashlib.sha256(salt.encode())
    h.update(template.encode())
    h.update(inputs.digest().encode())
    return h.hexdigest()


def year_pages(d: Data, year: int) -> list[tuple[str, str, tuple]]:
    """(relative path, template, key) of the year's group and unit pages."""
    out = [
        (group_path(h, gid, year), "group.html", ("group", h, gid))
        for (h, gid) in d.groups
        if (h, gid, year) in d.coverage
    ]
    out += [
        (unit_path(uid, year), "unit.html", ("unit", uid))
        for uid, y in sorted(k for k in d.report_by_unit_year if k[1] == year)
    ]
    return out


def page_inputs(d: Data, year: int, key: tuple) -> PageInputs:
    return unit_inputs(d, key[1], year) if key[0] == "unit" else group_inputs(d, key[1], key[2], year)


def page_context(inputs: PageInputs, bulk: UnitBulk | None = None) -> dict:
    """The context of a page from its inputs (and for a unit page the bulk of its report) alone."""
    if isinstance(inputs, UnitInputs):
        return unit_context(inputs, bulk)
    if isinstance(inputs, GroupInputs):
        return group_context(inputs)
    return index_context(inputs)


def _read_manifest(out: Path) -> dict:
    p = out / MANIFEST
    try:
        m = json.loads(p.read_text(encoding="utf-8"))
        if m.get("version") == MANIFEST_VERSION:
            return m.get("pages", {})
    except (OSError, ValueError):
        pass
    return {}


_MADE_DIRS: set[str] = set()  # folders made by this process (a render makes a dozen, writes 12,000 pages)


def _write_atomic(path: Path, data: bytes) -> None:
    parent = str(path.parent)
    if parent not in _MADE_DIRS:
        path.parent.mkdir(parents=True, exist_ok=True)
        _MADE_DIRS.add(parent)
    tmp = f"{parent}/.{path.name}.tmp"
    try:
        with open(tmp, "wb") as f:
            f.write(data)
    except FileNotFoundError:  # the folder went away since (a test, an operator): made again
        path.parent.mkdir(parents=True, exist_ok=True)
        with open(tmp, "wb") as f:
            f.write(data)
    os.replace(tmp, path)


def _copy_static(out: Path) -> list[str]:
    written = []
    for f in sorted(STATIC.glob("*")):
        if not f.is_file():
            continue
        target = out / "static" / f.name
        data = f.read_bytes()
        if not target.exists() or target.read_bytes() != data:
            _write_atomic(target, data)
            written.append(f"static/{f.name}")
    return written


def _unchanged(old: dict, out: Path, rel: str, fp: str) -> dict | None:
    prev = old.get(rel)
    if prev and prev.get("fp") == fp:
        try:
            if (out / rel).stat().st_size == prev.get("size"):
                return prev
        except OSError:
            pass
    return None


def _render_chunk(load, chunk: list, env: jinja2.Environment, out: Path) -> list[tuple]:
    """Render a chunk of (rel, template, inputs, fp): the bulk of its unit pages' reports is brought
    in first by `load(d, report_ids)`. Returns (rel, fp, size)."""
    d = Data()
    rids = [inp.rid for _rel, _t, inp, _fp in chunk if isinstance(inp, UnitInputs)]
    if rids:
        load(d, rids)
    done = []
    for rel, tname, inp, fp in chunk:
        bulk = unit_bulk(d, inp) if isinstance(inp, UnitInputs) else None
        data = env.get_template(tname).render(**page_context(inp, bulk)).encode("utf-8")
        _write_atomic(out / rel, data)
        done.append((rel, fp, len(data)))
    return done


# -- the workers: state of a worker process, set by _init_worker
_WORKER: dict = {}


def _init_worker(db_path: str, out: str) -> None:
    from ..parallel import die_with_parent

    die_with_parent()
    _WORKER.update(db_path=db_path, out=Path(out), env=None)


def _worker_chunk(chunk: list | bytes) -> list[tuple]:
    """In a worker: render a chunk (its list, or the list pickled: see `_Pool.submit`). It opens a
    connection of its own for the chunk's reports and closes it before rendering them, so DuckDB's
    memory is not held meanwhile."""
    if isinstance(chunk, bytes):
        chunk = pickle.loads(chunk)
    if _WORKER["env"] is None:
        _WORKER["env"] = environment()

    def load(d, ids):
        with reading(_WORKER["db_path"], memory=WORKER_READ_MEMORY) as con:
            load_reports(con, d, ids)

    return _render_chunk(load, chunk, _WORKER["env"], _WORKER["out"])


def _nothing() -> None:
    return None


class _Pool:
    """`n` worker processes, each a fresh interpreter (spawned, not forked: a fork of the run's process
    shares its heap of ~700 MB at 100,000 reports, Dagster's and the earlier stages', and the workers'
    reference counts copy it page by page: 540 MB a worker at the run's peak) sent the pages to
    render a chunk at a time; they receive everything they need (the database's path, the chunks)."""

    def __init__(self, db_path, out: Path, n: int):
        self.pool = cf.ProcessPoolExecutor(
            max_workers=n,
            mp_context=mp.get_context(START_METHOD),
            initializer=_init_worker,
            initargs=(str(db_path), str(out)),
        )
        self.pending: list[cf.Future] = []
        self.pool.submit(_nothing).result()  # one worker started (and its imports done) before the loads

    def submit(self, chunk: list) -> None:
        """Send a chunk, pickled here at once: a future holds its arguments until the chunk is rendered.
        As bytes they hold a fifth of what their objects take (at 100,000 reports a year's page inputs
        are ~1 GB of dicts and tuples against 230 MB pickled), and the objects are let go when the chunk
        is sent; render_all sends no more than PENDING_PER_WORKER chunks per worker ahead of them."""
        self.pending.append(self.pool.submit(_worker_chunk, pickle.dumps(chunk, protocol=pickle.HIGHEST_PROTOCOL)))

    def collect(self, keep: int = 0) -> list[tuple]:
        """The results of the chunks sent, waiting until no more than `keep` are still running."""
        done = []
        while len(self.pending) > keep:
            finished, _ = cf.wait(self.pending, return_when=cf.FIRST_COMPLETED)
            for f in self.pending:
                if f in finished:
                    done += self._result(f)
            self.pending = [f for f in self.pending if f not in finished]
        return done

    @staticmethod
    def _result(f: cf.Future) -> list[tuple]:
        try:
            return f.result()
        except cf.process.BrokenProcessPool as e:
            raise RuntimeError(f"rendering pages failed: a page worker ended without a result ({e})") from None
        except Exception as e:  # noqa: BLE001 - a page's error in a worker, with its traceback
            tb = getattr(e.__cause__, "tb", "")
            raise RuntimeError(f"rendering pages failed:\n{tb}{type(e).__name__}: {e}") from None

    def close(self, kill: bool = False) -> None:
        if kill:
            for p in list((self.pool._processes or {}).values()):  # no public way to stop a running task
                p.kill()
        self.pool.shutdown(wait=True, cancel_futures=True)


class _Reader:
    """A read-only connection, opened when needed and closed while waiting for the workers (closing
    gives DuckDB's memory back)."""

    def __init__(self, db_path, memory: str = READ_MEMORY):
        self.db_path = db_path
        self.memory = memory
        self._cm = None
        self.con = None

    def get(self, memory: str | None = None):
        """The connection, opened with DuckDB's pool at `memory` (READ_MEMORY by default) if it is not open."""
        if self.con is None:
            self._cm = reading(self.db_path, memory=memory or self.memory)
            self.con = self._cm.__enter__()
        return self.con

    def close(self) -> None:
        if self._cm is not None:
            cm, self._cm, self.con = self._cm, None, None
            cm.__exit__(None, None, None)


def _parallel_workers(workers: int | None) -> int:
    if workers is None:
        try:
            workers = min(2, len(os.sched_getaffinity(0)))
        except AttributeError:
            workers = min(2, os.cpu_count() or 1)
    if START_METHOD not in mp.get_all_start_methods():
        return 1
    return max(1, workers)


def _chunks(todo: list, workers: int = 0) -> list[list]:
    """The pages to render in chunks: group pages GROUP_BATCH at a time, unit pages at most BATCH at a
    time and, for `workers` workers, in at least one chunk per worker, so that a year of a few
    hundred units is shared by the workers rather than sent whole to one of them (each chunk more
    costs its worker a connection and a read of the warehouse's cells: ~0.06 s of CPU)."""
    groups = [p for p in todo if isinstance(p[2], GroupInputs)]
    units = [p for p in todo if not isinstance(p[2], GroupInputs)]
    size = max(1, min(BATCH, -(-len(units) // workers))) if workers else BATCH
    return [groups[i : i + GROUP_BATCH] for i in range(0, len(groups), GROUP_BATCH)] + [
        units[i : i + size] for i in range(0, len(units), size)
    ]


def _materialized(con) -> bool:
    """Whether the warehouse's rollups are tables (a published warehouse), not views."""
    row = con.execute(
        "SELECT table_type FROM information_schema.tables WHERE table_schema = current_schema() "
        "AND table_name = 'rollup_cells'"
    ).fetchone()
    return bool(row) and row[0] == "BASE TABLE"


def _todo(d: Data, year: int, pages: list, salt: str, old: dict, out: Path, new: dict) -> list[tuple]:
    """(rel, template, inputs, fp) of those of `pages` (year_pages) to render; the others, unchanged,
    go into `new` as they were."""
    todo = []
    for rel, tname, key in pages:
        inputs = page_inputs(d, year, key)
        fp = fingerprint(salt, tname, inputs)
        prev = _unchanged(old, out, rel, fp)
        if prev is not None:
            new[rel] = prev
        else:
            todo.append((rel, tname, inputs, fp))
    return todo


def render_all(db_path: str | Path, out_dir: str | Path, progress=None, workers: int | None = None) -> dict:
    """Render every page of the warehouse at `db_path` into `out_dir` (Settings.pages).

    Year by year: the year's data is loaded, each page's fingerprint is the digest of its inputs, and
    only the pages whose fingerprint changed (or whose file is gone) are rendered, by `workers`
    processes (default: two, or one per core if fewer), each loading the bulk of its own reports,
    while this process loads the next year.

    Returns {"pages", "written", "unchanged", "removed", "seconds", "index", "written_paths"}."""
    t0 = time.perf_counter()
    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    n_workers = _parallel_workers(workers)
    pool = _Pool(db_path, out, n_workers) if n_workers > 1 else None
    env = environment()
    salt = template_salt()
    old = _read_manifest(out)
    reader = _Reader(db_path)
    new: dict[str, dict] = {}
    written: list[str] = []
    unchanged = 0
    ok = False

    def finished(done):
        for rel, fp, size in done:
            new[rel] = {"fp": fp, "size": size}
            written.append(rel)

    try:
        common = load_common(reader.get())
        sliced = _materialized(reader.get())
        reader.close()  # load_common's connection; the years' take less memory where the rollups are tables
        reader.memory = YEAR_READ_MEMORY if sliced else READ_MEMORY
        # what load_common brought is kept for the whole render: out of the collector's passes, which
        # otherwise walk it (and each year's millions of objects) again and again while a year loads
        gc.collect()
        gc.freeze()
        t_load = time.perf_counter() - t0
        for year in common.all_years:
            t = time.perf_counter()
            gc_was = gc.isenabled()
            gc.disable()  # a year's rows are dicts and tuples without cycles: freed by their counts
            try:
                con = reader.get()
                d = load_year(con, common, year, rollup_cells=not sliced)
                t_load += time.perf_counter() - t
                held: list = []  # pages to render, not sent yet
                n_todo = n_sent = 0
                pages = year_pages(d, year)
                groups = [p for p in pages if p[1] == "group.html"]
                for i in range(0, len(groups), GROUP_SLICE):
                    # the group pages a slice at a time, sent as they come: a slice's sums held at once
                    part = groups[i : i + GROUP_SLICE]
                    if sliced:
                        load_rollup_cells(con, d, year, [key[1:] for _rel, _t, key in part])
                    todo = _todo(d, year, part, salt, old, out, new)
                    n_todo += len(todo)
                    held += todo
                    if pool is not None and (n_sent or len(held) >= MIN_PARALLEL):
                        n = len(held) - len(held) % GROUP_BATCH  # whole chunks; the rest goes with the next
                        for j in range(0, n, GROUP_BATCH):
                            pool.submit(held[j : j + GROUP_BATCH])  # pickled at once: its objects let go
                        n_sent += n
                        held = held[n:]
                        finished(pool.collect(keep=PENDING_PER_WORKER * n_workers))
                d.rollup_cells = {}
                todo = _todo(d, year, [p for p in pages if p[1] != "group.html"], salt, old, out, new)
                n_todo += len(todo)
                held += todo
                del d, pages, groups, todo  # the inputs of the pages to render hold what they show of it
                if pool is not None:
                    reader.close()  # DuckDB's buffers given back before the units' chunks are pickled
            finally:
                if gc_was:
                    gc.enable()
            unchanged = len(new) - len(written)
            if progress:
                progress(f"  {year}: {n_todo} pages to render, {unchanged} unchanged so far")
            if pool is None or (not n_sent and len(held) < MIN_PARALLEL):
                for chunk in _chunks(held):
                    finished(_render_chunk(lambda d, ids: load_reports(reader.get(), d, ids), chunk, env, out))
            else:
                chunks = _chunks(held, n_workers)
                del held
                chunks.reverse()
                reader.close()
                while chunks:
                    pool.submit(chunks.pop())  # its objects let go once pickled
                    finished(pool.collect(keep=PENDING_PER_WORKER * n_workers))
                # the last chunks go on while the next year loads; no more than the year before stays held
                finished(pool.collect(keep=n_workers))
            held = None
        if pool is not None:
            reader.close()
            finished(pool.collect())
        reader.memory = READ_MEMORY
        # the index: the groups of every year and a few values per unit and year
        load_index(reader.get(), common)
        reader.close()
        inputs = index_inputs(common)
        fp = fingerprint(salt, "index.html", inputs)
        if _unchanged(old, out, "index.html", fp) is not None:
            new["index.html"] = old["index.html"]
            unchanged += 1
        else:
            data = env.get_template("index.html").render(**page_context(inputs)).encode("utf-8")
            _write_atomic(out / "index.html", data)
            finished([("index.html", fp, len(data))])
        ok = True
    finally:
        gc.unfreeze()
        reader.close()
        if pool is not None:
            pool.close(kill=not ok)
    removed = []
    for rel in sorted(set(old) - set(new)):
        p = out / rel
        if p.is_file():
            p.unlink()
            removed.append(rel)
    static = _copy_static(out)
    _write_atomic(
        out / MANIFEST,
        json.dumps({"version": MANIFEST_VERSION, "pages": new}, sort_keys=True, ensure_ascii=False, indent=0).encode(
            "utf-8"
        ),
    )
    return {
        "pages": len(new),
        "written": len(written),
        "unchanged": unchanged,
        "removed": len(removed),
        "static_written": len(static),
        "seconds": round(time.perf_counter() - t0, 3),
        "load_seconds": round(t_load, 3),
        "workers": n_workers,
        "index": str(out / "index.html"),
        "written_paths": sorted(written),
    }
