"""Fault injection: `nianbao run` killed with SIGKILL at each stage (NIANBAO_FAULT, see pipeline/faults.py),
on a copy of the bundled sample. After each kill the published warehouse, pages and workbook are one
consistent set (the same build id on all three, the old one), no worker outlives the run, and the next
run finishes, leaves no temporary or candidate file and equals a clean run. Also: a second concurrent
run refused, SIGTERM obeyed, an analyst's uncheckpointed write never applied to the new file, a full
disk reported in one sentence, a warehouse on another file system.

Bounded: one clean run of the sample, one reference run, then per stage a killed run and a rerun
(incremental reading keeps each short)."""

from __future__ import annotations

import hashlib
import os
import re
import shutil
import signal
import subprocess
import sys
import time
import uuid
from pathlib import Path

import duckdb
import pytest

from corpus import example_spec, write
from pipeline.settings import SAMPLE_INBOX

pytestmark = pytest.mark.slow

ROOT = Path(__file__).resolve().parents[1]
TIMEOUT = 300  # a wedged run (the bug this guards against spun forever) fails instead of hanging CI


def nianbao_run(
    inbox: Path,
    out: Path,
    *,
    fault: str | None = None,
    db: Path | None = None,
    tmpdir: Path | None = None,
    mark: str | None = None,
    wait: bool = True,
):
    env = dict(os.environ, PYTHONPATH=str(ROOT), NIANBAO_TEST_MARK=mark or uuid.uuid4().hex)
    for var in ("NIANBAO_FAULT", "NIANBAO_DB", "NIANBAO_OUT", "NIANBAO_INBOX", "DAGSTER_HOME"):
        env.pop(var, None)
    if fault:
        env["NIANBAO_FAULT"] = fault
    if tmpdir:
        tmpdir.mkdir(parents=True, exist_ok=True)
        env["TMPDIR"] = str(tmpdir)
    cmd = [sys.executable, "-m", "pipeline.cli", "run", "--inbox", str(inbox), "--out", str(out), "--quiet"]
    if db:
        cmd += ["--db", str(db)]
    if not wait:
        return subprocess.Popen(cmd, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    return subprocess.run(cmd, env=env, capture_output=True, text=True, timeout=TIMEOUT)


def processes_marked(mark: str) -> list[int]:
    pids = []
    for d in Path("/proc").iterdir():
        if not d.name.isdigit():
            continue
        try:
            if f"NIANBAO_TEST_MARK={mark}".encode() in (d / "environ").read_bytes():
                pids.append(int(d.name))
        except OSError:
            continue
    return pids


def no_survivors(mark: str) -> list[int]:
    for _ in range(50):
        left = processes_marked(mark)
        if not left:
            return []
        time.sleep(0.1)
    return processes_marked(mark)


def build_ids(out: Path, db: Path | None = None) -> tuple[str | None, str | None, str | None]:
    """The build id of the published warehouse, pages (index.html) and workbook (说明 sheet)."""
    db = db or out / "nianbao.duckdb"
    wid = pid = bid = None
    if db.exists():
        con = duckdb.connect(":memory:")
        con.execute(f"ATTACH '{db}' AS w (READ_ONLY)")
        wid = con.execute("SELECT value FROM w.build_info WHERE key = 'build_id'").fetchone()[0]
        con.close()
    index = out / "pages" / "index.html"
    if index.exists():
        m = re.search(r'<meta name="nianbao-build" content="([0-9a-f]+)">', index.read_text(encoding="utf-8"))
        pid = m.group(1) if m else None
    book = out / "nianbao.xlsx"
    if book.exists():
        import openpyxl

        wb = openpyxl.load_workbook(book, read_only=True)
        for row in wb["说明"].iter_rows(values_only=True):
            if row and row[0] == "构建编号":
                bid = row[1]
        wb.close()
    return wid, pid, bid


def digest(db: Path) -> dict[str, str]:
    con = duckdb.connect(":memory:")
    con.execute(f"ATTACH '{db}' AS w (READ_ONLY)")
    try:
        tables = [
            r[0]
            for r in con.execute(
                "SELECT table_name FROM duckdb_tables() WHERE database_name = 'w' ORDER BY 1"
            ).fetchall()
        ]
        return {
            t: hashlib.sha256(repr(con.execute(f'SELECT * FROM w."{t}" ORDER BY ALL').fetchall()).encode()).hexdigest()
            for t in tables
        }
    finally:
        con.close()


def leftovers(out: Path, tmpdir: Path | None = None, db: Path | None = None) -> list[str]:
    found = []
    for p in out.rglob("*"):
        rel = p.relative_to(out)
        if rel.parts[0] == "dagster_home":
            continue
        if p.name.endswith(".tmp") or p.name.startswith("candidate-") or p.name.endswith(".wal"):
            found.append(str(rel))
    site = out / "site"
    current = (out / "current").resolve()
    if site.is_dir():
        found += [str(p.relative_to(out)) for p in site.iterdir() if p.resolve() != current]
    if tmpdir and tmpdir.is_dir():
        found += [str(p) for p in tmpdir.iterdir()]
    if db is not None:
        found += [str(p) for p in db.parent.iterdir() if p.name != db.name]
    return sorted(found)


def copy_run_folder(src: Path, dst: Path) -> Path:
    shutil.copytree(src, dst, symlinks=True)
    return dst


@pytest.fixture(scope="module")
def world(tmp_path_factory):
    """The sample inbox run once (the published 'old' set), then one report added: the reference run
    of the changed inbox, done cleanly from the old run folder."""
    base = tmp_path_factory.mktemp("faults")
    inbox = base / "inbox"
    shutil.copytree(SAMPLE_INBOX, inbox)
    old = base / "old"
    r = nianbao_run(inbox, old)
    assert r.returncode == 0, r.stderr
    old_id = build_ids(old)
    assert old_id[0] and old_id == (old_id[0],) * 3
    again = base / "old-again"  # a second clean run of the same inbox, for the determinism test
    r = nianbao_run(inbox, again)
    assert r.returncode == 0, r.stderr
    # the change the killed runs are to publish
    write(
        example_spec(77, agency="阿拉善右旗雅布赖镇人民政府", year=2023, published_on="2024-01-28"),
        inbox / "2023" / "雅布赖镇_更正版.txt",
        "text",
    )
    ref = copy_run_folder(old, base / "ref")
    r = nianbao_run(inbox, ref, tmpdir=base / "tmp-ref")
    assert r.returncode == 0, r.stderr
    new_id = build_ids(ref)
    assert new_id == (new_id[0],) * 3 and new_id[0] != old_id[0]
    return {
        "base": base,
        "inbox": inbox,
        "old": old,
        "old_id": old_id,
        "ref": ref,
        "new_id": new_id,
        "ref_digest": digest(ref / "nianbao.duckdb"),
        "again": again,
    }


@pytest.mark.parametrize("stage", ["read", "build", "checks", "render", "publish"])
def test_sigkill_at_each_stage_leaves_a_consistent_set_and_the_next_run_equals_a_clean_one(world, stage):
    out = copy_run_folder(world["old"], world["base"] / f"kill-{stage}")
    tmpdir = world["base"] / f"tmp-{stage}"
    mark = uuid.uuid4().hex
    r = nianbao_run(world["inbox"], out, fault=stage, tmpdir=tmpdir, mark=mark)
    assert r.returncode == -signal.SIGKILL, (r.returncode, r.stderr[-2000:])
    assert no_survivors(mark) == []  # the GX worker, page and read workers died with the run
    # what analysts see: the old set, whole
    assert build_ids(out) == world["old_id"]
    assert (out / "nianbao.duckdb").resolve().stat().st_mode & 0o777 == 0o444
    if stage in ("build", "checks"):
        # the killed run held the DuckDB writers' concurrency slot: what used to wedge every later run
        import dagster as dg

        with dg.DagsterInstance.from_config(str(out / "dagster_home")) as instance:
            assert instance.event_log_storage.get_concurrency_run_ids()
    r = nianbao_run(world["inbox"], out, tmpdir=tmpdir)
    assert r.returncode == 0, r.stderr[-3000:]
    assert build_ids(out) == world["new_id"]
    assert leftovers(out, tmpdir) == []
    assert digest(out / "nianbao.duckdb") == world["ref_digest"]


def test_two_clean_runs_give_identical_warehouse_content(world):
    # every table equal, value for value (the rollups' sums are exact, not in the order threads add)
    assert digest(world["again"] / "nianbao.duckdb") == digest(world["old"] / "nianbao.duckdb")
    assert build_ids(world["again"]) == world["old_id"]


def test_on_a_generated_corpus_a_first_run_killed_publishes_nothing_and_the_rerun_equals_a_clean_one(tmp_path):
    corpus = tmp_path / "corpus"
    gen = subprocess.run(
        [
            sys.executable,
            "-m",
            "corpus.generate",
            "--out",
            str(corpus),
            "--seed",
            "14",
            "--scale",
            "16",
            "--years",
            "2023",
            "2024",
            "--mix",
            "text-only",
            "--workers",
            "1",
        ],
        capture_output=True,
        text=True,
        env=dict(os.environ, PYTHONPATH=str(ROOT)),
        timeout=TIMEOUT,
    )
    assert gen.returncode == 0, gen.stderr[-2000:]
    inbox = corpus / "inbox"
    clean = tmp_path / "clean"
    r = nianbao_run(inbox, clean)
    assert r.returncode == 0, r.stderr[-3000:]
    out, mark = tmp_path / "killed", uuid.uuid4().hex
    r = nianbao_run(inbox, out, fault="checks", mark=mark)
    assert r.returncode == -signal.SIGKILL
    assert no_survivors(mark) == []
    assert build_ids(out) == (None, None, None)  # nothing published: not a half set
    r = nianbao_run(inbox, out)
    assert r.returncode == 0, r.stderr[-3000:]
    assert leftovers(out) == []
    assert build_ids(out) == build_ids(clean)
    assert digest(out / "nianbao.duckdb") == digest(clean / "nianbao.duckdb")


def test_a_warehouse_on_another_file_system_is_published_and_survives_a_kill_mid_copy(world):
    shm = Path("/dev/shm")
    if not (shm.is_dir() and os.access(shm, os.W_OK)) or shm.stat().st_dev == world["base"].stat().st_dev:
        pytest.skip("no second file system (/dev/shm) to publish to")
    target_dir = shm / f"nianbao-faults-{os.getpid()}"
    db = target_dir / "nianbao.duckdb"
    out = world["base"] / "exdev"
    try:
        copy_run_folder(world["ref"], out)  # a run folder whose warehouse lives on the other disk
        target_dir.mkdir()
        shutil.copyfile((world["ref"] / "nianbao.duckdb").resolve(), db)
        os.chmod(db, 0o444)
        first = build_ids(out, db)
        assert first == world["new_id"]
        # a new report, and a kill after the copy onto the other disk, before its rename
        write(
            example_spec(78, agency="阿拉善左旗巴彦浩特镇人民政府", year=2022, published_on="2023-01-20"),
            world["inbox"] / "2022" / "巴彦浩特镇_补报.txt",
            "text",
        )
        r = nianbao_run(world["inbox"], out, db=db, fault="publish-swap")
        assert r.returncode == -signal.SIGKILL
        assert build_ids(out, db) == first
        r = nianbao_run(world["inbox"], out, db=db)
        assert r.returncode == 0, r.stderr[-3000:]
        second = build_ids(out, db)
        assert second == (second[0],) * 3 and second != first
        assert db.stat().st_mode & 0o777 == 0o444
        assert leftovers(out, db=db) == []
    finally:
        (world["inbox"] / "2022" / "巴彦浩特镇_补报.txt").unlink(missing_ok=True)
        shutil.rmtree(target_dir, ignore_errors=True)


def test_a_second_concurrent_run_is_refused_and_sigterm_stops_the_first(world):
    out = copy_run_folder(world["old"], world["base"] / "concurrent")
    first = nianbao_run(world["inbox"], out, wait=False)
    try:
        lock = out / ".nianbao.lock"
        for _ in range(300):
            if lock.exists() and lock.read_text():
                break
            time.sleep(0.1)
        t0 = time.monotonic()
        second = nianbao_run(world["inbox"], out)
        assert time.monotonic() - t0 < 60
        assert second.returncode == 2
        assert "another nianbao run is using the run folder" in second.stderr
        assert f"pid {first.pid}" in second.stderr
        first.send_signal(signal.SIGTERM)
        _out, err = first.communicate(timeout=30)
        assert first.returncode == 143, err[-2000:]
        assert "stopped" in err
    finally:
        if first.poll() is None:
            first.kill()
            first.wait()
    assert build_ids(out) == world["old_id"]
    r = nianbao_run(world["inbox"], out)
    assert r.returncode == 0, r.stderr[-3000:]
    assert leftovers(out) == []


def test_an_analysts_uncheckpointed_write_is_never_applied_to_the_new_file(world):
    out = copy_run_folder(world["old"], world["base"] / "analyst")
    db = out / "nianbao.duckdb"
    code = (
        f"import duckdb, os; c = duckdb.connect({str(db)!r}); c.execute(\"SET checkpoint_threshold='10GB'\"); "
        "c.execute(\"DELETE FROM manifest WHERE path IN (SELECT path FROM manifest WHERE status = 'read' "
        "ORDER BY path LIMIT 2)\"); c.execute('CREATE TABLE analyst AS SELECT 42 AS y'); os._exit(0)"
    )
    old_file = db.resolve()
    subprocess.run([sys.executable, "-c", code], check=True)
    wals = [Path(str(p) + ".wal") for p in (db, old_file)]
    assert any(w.exists() for w in wals)  # the analyst's log, beside the link or the file it names
    r = nianbao_run(world["inbox"], out)
    assert r.returncode == 0, r.stderr[-3000:]
    assert digest(db) == world["ref_digest"]  # every manifest row, no analyst table
    assert not any(w.exists() for w in wals + [Path(str(db.resolve()) + ".wal")])


def test_a_full_disk_is_one_sentence_naming_it_and_exit_2(world):
    mnt = world["base"] / "small-disk"
    mnt.mkdir()
    try:
        subprocess.run(
            ["mount", "-t", "tmpfs", "-o", "size=20m", "tmpfs", str(mnt)], check=True, capture_output=True, timeout=30
        )
    except (subprocess.CalledProcessError, FileNotFoundError, subprocess.TimeoutExpired):
        pytest.skip("cannot mount a small tmpfs here (needs root)")
    try:
        out = mnt / "run"
        r = nianbao_run(world["inbox"], out)
        assert r.returncode == 2, r.stderr[-3000:]
        lines = [ln for ln in r.stderr.strip().splitlines() if ln.strip()]
        assert len(lines) == 1, r.stderr
        assert "is full" in lines[0] and str(out) in lines[0]
        assert "Traceback" not in r.stderr and "SELECT" not in r.stderr
        assert not list(out.rglob("candidate-*"))
    finally:
        subprocess.run(["umount", "-l", str(mnt)], capture_output=True)
