"""Publishing a run: the warehouse, the pages, the workbook and the Data Docs change together.

Everything a run shows is first written into a staging folder of its own, `<out>/site/<run>/`
(the pages start as hard links of the published ones and are rendered incrementally; a page is
always replaced by rename, so a hard-linked old page is never written through). Publishing then
moves the checked warehouse into that folder and switches one symbolic link, `<out>/current`, to
it: a single atomic rename. `<out>/pages`, `<out>/nianbao.xlsx`, `<out>/data_docs` and (in the
default layout) `<out>/nianbao.duckdb` are fixed links through `current`, so a reader sees either
the old set or the new one, never a mix, whatever moment the run is killed at.

A warehouse published outside the run folder (`--db` elsewhere, possibly on another file system)
is replaced on its own just before the switch: copied into a temporary file beside it, flushed to
disk and renamed. Every published warehouse file is read-only (0444), and a `.wal` file beside the
target is removed before the rename, so a write-ahead log an analyst left on the old file can never
be replayed onto the new one.
"""

from __future__ import annotations

import errno
import os
import shutil
from pathlib import Path

SITE = "site"
CURRENT = "current"
LINKED = ("pages", "nianbao.xlsx", "data_docs")
DB_NAME = "nianbao.duckdb"


def staging_dir(out: str | Path, run_id: str) -> Path:
    return Path(out) / SITE / run_id[:8]


def default_db(out: str | Path, db: str | Path) -> bool:
    return Path(db).absolute() == (Path(out) / DB_NAME).absolute()


def current_dir(out: str | Path) -> Path | None:
    cur = Path(out) / CURRENT
    if not cur.is_symlink():
        return None
    target = (cur.parent / os.readlink(cur)).resolve()
    return target if target.is_dir() else None


def leftover_staging(out: str | Path) -> list[Path]:
    """Staging folders and link temporaries that are not the published set (a killed run's)."""
    out = Path(out)
    keep = current_dir(out)
    found = []
    site = out / SITE
    if site.is_dir():
        for p in sorted(site.iterdir()):
            if keep is None or p.resolve() != keep:
                found.append(p)
    found += sorted(out.glob(".*.link.tmp"))
    return found


def link_tree(src: Path, dst: Path) -> int:
    """A copy of the folder `src` made of hard links (a plain copy where links are not possible)."""
    n = 0
    for root, dirs, files in os.walk(src):
        rel = Path(root).relative_to(src)
        (dst / rel).mkdir(parents=True, exist_ok=True)
        for name in files:
            if name.startswith(".") and name.endswith(".tmp"):
                continue
            s, d = Path(root) / name, dst / rel / name
            try:
                os.link(s, d)
            except OSError:
                shutil.copy2(s, d)
            n += 1
    return n


def prepare_staging(out: str | Path, run_id: str) -> Path:
    """The run's staging folder, its pages seeded from the published ones (hard links)."""
    out = Path(out)
    stage = staging_dir(out, run_id)
    stage.mkdir(parents=True, exist_ok=True)
    old_pages = out / "pages"
    if not (stage / "pages").exists() and old_pages.is_dir():  # through the link, or an older layout's folder
        tmp = stage / ".pages.tmp"
        shutil.rmtree(tmp, ignore_errors=True)
        link_tree(old_pages.resolve(), tmp)
        os.replace(tmp, stage / "pages")
    return stage


def _fsync_dir(path: Path) -> None:
    try:
        fd = os.open(path, os.O_RDONLY)
    except OSError:
        return
    try:
        os.fsync(fd)
    except OSError:
        pass
    finally:
        os.close(fd)


def _remove_wal(target: Path) -> None:
    Path(str(target) + ".wal").unlink(missing_ok=True)


def checkpointed(candidate: Path) -> None:
    """Fold a write-ahead log the candidate still has into the file itself before it moves."""
    if Path(str(candidate) + ".wal").exists():
        import duckdb

        con = duckdb.connect(str(candidate))
        try:
            con.execute("CHECKPOINT")
        finally:
            con.close()
    _remove_wal(candidate)


def place_file(candidate: str | Path, target: str | Path, tag: str = "new") -> None:
    """Put `candidate` at `target` by atomic rename, read-only, with no stale `.wal` beside it; across
    file systems (EXDEV) by a flushed copy into a temporary file beside the target, then a rename."""
    candidate, target = Path(candidate), Path(target)
    target.parent.mkdir(parents=True, exist_ok=True)
    checkpointed(candidate)
    os.chmod(candidate, 0o444)
    _remove_wal(target)
    try:
        os.replace(candidate, target)
    except OSError as e:
        if e.errno != errno.EXDEV:
            raise
        from .faults import maybe_die

        tmp = target.parent / f".{target.name}.{tag}.tmp"
        try:
            with open(candidate, "rb") as src, open(tmp, "wb") as dst:
                shutil.copyfileobj(src, dst, 8 * 1024 * 1024)
                dst.flush()
                os.fsync(dst.fileno())
            os.chmod(tmp, 0o444)
            maybe_die("publish-swap")
            _remove_wal(target)
            os.replace(tmp, target)
        except BaseException:
            tmp.unlink(missing_ok=True)
            raise
        candidate.unlink(missing_ok=True)
    _fsync_dir(target.parent)


def _symlink(out: Path, name: str, to: str) -> None:
    """`<out>/<name>` becomes a link to `to`, replacing a link by rename (atomic); a real file or
    folder of an older layout is first moved into the site folder (removed with the old sets)."""
    link = out / name
    if link.is_symlink() and os.readlink(link) == to:
        return
    if not link.is_symlink() and link.exists():
        aside = out / SITE / f".old-{name}-{os.getpid()}"
        os.replace(link, aside)
    tmp = out / f".{name}.link.tmp"
    tmp.unlink(missing_ok=True)
    os.symlink(to, tmp)
    os.replace(tmp, link)


def publish_views(out: str | Path, stage: str | Path, db: str | Path) -> None:
    """Publish pages and workbook rendered again from the published warehouse (the report assets
    materialised on their own): the same build, switched in with the warehouse and Data Docs it shows."""
    out, stage, db = Path(out), Path(stage), Path(db)
    cur = current_dir(out)
    if default_db(out, db):
        src = cur / DB_NAME if cur is not None else db
        if src.exists() and not (stage / DB_NAME).exists():
            try:
                os.link(src.resolve(), stage / DB_NAME)
            except OSError:
                shutil.copy2(src.resolve(), stage / DB_NAME)
    if cur is not None and (cur / "data_docs").is_dir() and not (stage / "data_docs").exists():
        link_tree(cur / "data_docs", stage / "data_docs")
    _switch(out, stage, db)


def _switch(out: Path, stage: Path, db: Path) -> None:
    for name in ("pages", "data_docs"):
        (stage / name).mkdir(parents=True, exist_ok=True)
    _fsync_dir(stage)
    _symlink(out, CURRENT, os.path.relpath(stage, out))  # the one switch: old set -> new set
    _fsync_dir(out)
    for name in LINKED + ((DB_NAME,) if default_db(out, db) else ()):
        _symlink(out, name, f"{CURRENT}/{name}")
    stale = out / DB_NAME
    if not default_db(out, db) and stale.is_symlink() and os.readlink(stale) == f"{CURRENT}/{DB_NAME}":
        stale.unlink()  # the warehouse now lives elsewhere (--db): no link that leads nowhere
    for p in leftover_staging(out):  # the previous sets: open files stay readable until closed
        if p.is_dir() and not p.is_symlink():
            shutil.rmtree(p, ignore_errors=True)
        else:
            p.unlink(missing_ok=True)


def publish_set(out: str | Path, stage: str | Path, candidate: str | Path, db: str | Path) -> None:
    """Publish the checked warehouse `candidate` with the staged pages, workbook and Data Docs."""
    from .faults import maybe_die

    out, stage, db = Path(out), Path(stage), Path(db)
    if default_db(out, db):
        place_file(candidate, stage / DB_NAME)
    else:
        place_file(candidate, db, tag=stage.name)  # on its own: another folder, maybe another disk
    maybe_die("publish")
    if default_db(out, db):
        _remove_wal(out / DB_NAME)  # a log left beside the link by an analyst who opened the old file
    _switch(out, stage, db)
