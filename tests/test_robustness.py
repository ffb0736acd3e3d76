"""What a crash, a bad file or a second run must not do (issue 14), function by function: the run-folder
lock, the crash hook, publishing (read-only file, stale WAL, another file system, fresh connections),
the inbox scan (links, special and hidden files, unreadable folders, non-UTF-8 names, size limit),
zip bombs, huge numbers, implausible years, transient read failures, HTML behind a long <head> script
and `nianbao parse` on a named pipe. The whole run under SIGKILL is in test_faults.py."""

from __future__ import annotations

import errno
import os
import signal
import socket
import subprocess
import sys
import time
import zipfile
from pathlib import Path

import duckdb
import pytest

from corpus import example_spec, write
from pipeline.inbox import scan
from pipeline.parse import MAX_BYTES, parse_bytes

ROOT = Path(__file__).resolve().parents[1]
PY = sys.executable


def _env(**kw) -> dict:
    env = dict(os.environ, PYTHONPATH=str(ROOT), **kw)
    env.pop("NIANBAO_FAULT", None)
    env.update(kw)
    return env


# ----------------------------------------------------------------------------------------------
# The crash hook and the run-folder lock


def test_fault_hook_kills_the_process_with_sigkill_at_its_stage_only():
    code = "from pipeline.faults import maybe_die; maybe_die('build'); print('alive after build')"
    other = subprocess.run([PY, "-c", code], env=_env(NIANBAO_FAULT="checks"), capture_output=True, text=True)
    assert other.returncode == 0 and "alive" in other.stdout
    hit = subprocess.run([PY, "-c", code], env=_env(NIANBAO_FAULT="build"), capture_output=True, text=True)
    assert hit.returncode == -signal.SIGKILL and "alive" not in hit.stdout


def test_a_second_run_is_refused_at_once_naming_the_first_and_a_dead_one_holds_nothing(tmp_path):
    from pipeline.runlock import RunFolderBusy, RunLock

    holder = subprocess.Popen(
        [
            PY,
            "-c",
            f"from pipeline.runlock import RunLock; l = RunLock({str(tmp_path)!r}).acquire(); "
            "print('locked', flush=True); import time; time.sleep(60)",
        ],
        env=_env(),
        stdout=subprocess.PIPE,
        text=True,
    )
    try:
        assert holder.stdout.readline().strip() == "locked"
        t0 = time.monotonic()
        with pytest.raises(RunFolderBusy) as e:
            RunLock(tmp_path).acquire()
        assert time.monotonic() - t0 < 2
        msg = str(e.value)
        assert str(tmp_path) in msg and f"pid {holder.pid}" in msg and "another nianbao run" in msg
    finally:
        holder.send_signal(signal.SIGKILL)
        holder.wait()
    # the kernel released the dead holder's lock: the next run takes it
    with RunLock(tmp_path):
        pass


# ----------------------------------------------------------------------------------------------
# Publishing


def _db(path: Path, rows: list[int]) -> Path:
    con = duckdb.connect(str(path))
    con.execute("CREATE TABLE manifest (x INTEGER)")
    con.executemany("INSERT INTO manifest VALUES (?)", [[r] for r in rows])
    con.execute("CHECKPOINT")
    con.close()
    return path


def _analyst_writes_without_checkpoint(db: Path) -> None:
    """An analyst opens the published file read-write (root ignores 0444), changes it and is killed
    before any checkpoint: a WAL stays beside the file."""
    code = (
        f"import duckdb, os; c = duckdb.connect({str(db)!r}); c.execute(\"SET checkpoint_threshold='10GB'\"); "
        "c.execute('DELETE FROM manifest WHERE x < 3'); c.execute('CREATE TABLE analyst AS SELECT 42 AS y'); "
        "os._exit(0)"
    )
    subprocess.run([PY, "-c", code], check=True, env=_env())
    assert Path(str(db) + ".wal").exists()


def test_publish_is_read_only_and_never_replays_a_stale_wal_onto_the_new_file(tmp_path):
    from pipeline.publish import place_file

    published = _db(tmp_path / "nianbao.duckdb", [1, 2])
    os.chmod(published, 0o444)
    _analyst_writes_without_checkpoint(published)
    place_file(_db(tmp_path / "candidate.duckdb", [1, 2, 3, 4]), published)
    assert (published.stat().st_mode & 0o777) == 0o444
    assert not Path(str(published) + ".wal").exists()
    con = duckdb.connect(str(published), read_only=True)
    try:
        assert con.execute("SELECT count(*) FROM manifest").fetchone()[0] == 4  # no row lost
        assert con.execute("SELECT count(*) FROM duckdb_tables() WHERE table_name = 'analyst'").fetchone()[0] == 0
    finally:
        con.close()


def test_publish_onto_another_file_system_copies_then_renames(tmp_path, monkeypatch):
    from pipeline import publish

    other = Path("/dev/shm")
    if other.is_dir() and os.access(other, os.W_OK) and other.stat().st_dev != tmp_path.stat().st_dev:
        target_dir = other / f"nianbao-test-{os.getpid()}"
    else:  # no second file system here: the rename fails as it would across two
        target_dir = tmp_path / "elsewhere"
        real = os.replace

        def replace(src, dst):
            if str(src).endswith("candidate.duckdb"):
                raise OSError(errno.EXDEV, "Invalid cross-device link")
            return real(src, dst)

        monkeypatch.setattr(publish.os, "replace", replace)
    try:
        target = target_dir / "nianbao.duckdb"
        publish.place_file(_db(tmp_path / "candidate.duckdb", [1, 2, 3]), target)
        assert not (tmp_path / "candidate.duckdb").exists()
        assert [p.name for p in target_dir.iterdir()] == ["nianbao.duckdb"]  # no temporary file left
        assert (target.stat().st_mode & 0o777) == 0o444
        con = duckdb.connect(str(target), read_only=True)
        assert con.execute("SELECT count(*) FROM manifest").fetchone()[0] == 3
        con.close()
    finally:
        if str(target_dir).startswith("/dev/shm"):
            import shutil

            shutil.rmtree(target_dir, ignore_errors=True)


def test_new_connections_see_the_new_file_while_an_old_one_holds_the_old(tmp_path):
    from pipeline.publish import place_file
    from pipeline.warehouse import connect

    published = _db(tmp_path / "nianbao.duckdb", [1])
    old = connect(published, read_only=True)
    place_file(_db(tmp_path / "candidate.duckdb", [1, 2]), published)
    new = connect(published, read_only=True)
    try:
        assert new.execute("SELECT count(*) FROM manifest").fetchone()[0] == 2
        assert old.execute("SELECT count(*) FROM manifest").fetchone()[0] == 1
    finally:
        old.close()
        new.close()


# ----------------------------------------------------------------------------------------------
# The inbox scan


def _report(path: Path, seed: int = 1, **kw) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    write(example_spec(seed, **kw), path, "text")
    return path


def test_scan_gives_every_odd_entry_a_row_and_follows_no_link_out(tmp_path):
    inbox = tmp_path / "inbox"
    good = _report(inbox / "2024" / "good.txt")
    outside = tmp_path / "secret.txt"
    outside.write_text("不应被读取", encoding="utf-8")
    (inbox / "to_passwd").symlink_to("/etc/passwd")
    (inbox / "to_secret.txt").symlink_to(outside)
    (inbox / "dangling.txt").symlink_to(tmp_path / "nowhere.txt")
    (inbox / "inside_link.txt").symlink_to(good)
    (inbox / "linked_dir").symlink_to(tmp_path)
    os.mkfifo(inbox / "pipe.txt")
    sock = socket.socket(socket.AF_UNIX)
    sock.bind(str(inbox / "sock"))
    (inbox / ".hidden.txt").write_text("隐藏", encoding="utf-8")
    (inbox / ".git").mkdir()
    (inbox / ".git" / "config").write_text("x")
    big = inbox / "big.html"
    with open(big, "wb") as f:
        f.truncate(MAX_BYTES + 1)  # sparse: over the limit without using the disk
    gbk = inbox / os.fsdecode("阿拉善右旗.txt".encode("gbk"))
    _report(gbk, seed=2)
    try:
        rows = {f.path: f for f in scan(inbox)}
    finally:
        sock.close()
    reason = {p: f.error for p, f in rows.items()}
    assert reason["2024/good.txt"] is None and rows["2024/good.txt"].sha256
    assert "outside the inbox" in reason["to_passwd"]
    assert "outside the inbox" in reason["to_secret.txt"]
    assert rows["to_secret.txt"].sha256 == ""  # never read
    assert "dangling" in reason["dangling.txt"]
    assert reason["inside_link.txt"] is None  # a link inside the inbox is read as its file
    assert rows["inside_link.txt"].sha256 == rows["2024/good.txt"].sha256
    assert "outside the inbox" in reason["linked_dir"]
    assert "named pipe" in reason["pipe.txt"]
    assert "socket" in reason["sock"]
    assert reason[".hidden.txt"].startswith("ignored: hidden file")
    assert reason[".git"].startswith("ignored: hidden folder") and ".git/config" not in rows
    assert "larger than the 200 MB" in reason["big.html"]
    assert reason["阿拉善右旗.txt"] is None  # the GBK name shown decoded, the file read by its real name
    assert rows["阿拉善右旗.txt"].abspath == str(gbk)
    import json

    json.dumps([f.as_row() for f in rows.values()])  # the manifest state file can hold every row


def test_an_unreadable_folder_gets_a_row_and_the_rest_is_read(tmp_path, monkeypatch):
    inbox = tmp_path / "inbox"
    _report(inbox / "a" / "good.txt")
    _report(inbox / "locked" / "hidden_from_us.txt", seed=3)
    real = os.scandir
    locked = str(inbox / "locked")

    def scandir(path="."):
        if os.fspath(path) == locked:  # root may open anything: make it fail as for another user
            raise PermissionError(errno.EACCES, "Permission denied", locked)
        return real(path)

    monkeypatch.setattr(os, "scandir", scandir)
    rows = {f.path: f.error for f in scan(inbox)}
    assert rows["a/good.txt"] is None
    assert "folder cannot be opened" in rows["locked"] and "Permission denied" in rows["locked"]
    assert "locked/hidden_from_us.txt" not in rows


# ----------------------------------------------------------------------------------------------
# Bad content


def _bomb(path: Path, megabytes: int) -> Path:
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED, compresslevel=1) as z:
        z.writestr("[Content_Types].xml", "<Types/>")
        with z.open("word/document.xml", "w", force_zip64=True) as f:
            f.write(b'<?xml version="1.0"?><w:document xmlns:w="x"><w:body>')
            block = b" " * (1024 * 1024)
            for _ in range(megabytes):
                f.write(block)
            f.write(b"</w:body></w:document>")
    return path


def test_a_zip_bomb_is_refused_by_its_declared_size_before_inflating(tmp_path):
    import tracemalloc

    from pipeline.document import UnreadableFile
    from pipeline.readers import detect_kind, read_zip_member

    data = _bomb(tmp_path / "bomb.docx", 80).read_bytes()
    assert len(data) < 2 * 1024 * 1024  # small on disk
    tracemalloc.start()
    with pytest.raises(UnreadableFile, match="zip bomb"):
        detect_kind(data)
    res = parse_bytes(data, "bomb.docx")
    peak = tracemalloc.get_traced_memory()[1]
    tracemalloc.stop()
    assert "zip bomb" in res["error"]
    assert peak < 20 * 1024 * 1024  # never inflated
    # a member whose header lies is still inflated only up to the limit
    with zipfile.ZipFile(tmp_path / "bomb.docx") as z, pytest.raises(UnreadableFile):
        read_zip_member(z, "word/document.xml", limit=4 * 1024 * 1024)


def test_huge_numbers_are_text_with_a_problem_never_inf():
    from pipeline.readcache import flatten
    from pipeline.textnorm import classify_value

    assert classify_value("9" * 400) == ("TEXT", None)
    assert classify_value("1" + "0" * 308) == ("TEXT", None)
    assert classify_value("999999999999") == ("NUMERIC", 999999999999)  # twelve digits: still a number
    spec = example_spec(5)
    cells = dict(spec.cells)
    cells["T3/new/natural_person"] = "9" * 400
    cells["T3/new/total"] = "1" + "0" * 308
    import dataclasses

    spec = dataclasses.replace(spec, cells=cells)
    from corpus.text_writer import render_text

    res = parse_bytes(render_text(spec).encode("utf-8"), "huge.txt")
    assert "error" not in res
    assert res["cells"]["T3/new/natural_person"]["semantic"] == "TEXT"
    probs = [p for p in res["problems"] if p["code"] == "number_implausible"]
    assert probs and "T3/new/natural_person" in probs[0]["cells"] and "T3/new/total" in probs[0]["cells"]
    flat = flatten(res)  # what used to raise OverflowError in the reading worker
    assert all(c[6] is None or abs(c[6]) < 1e13 for c in flat.cells)


def test_an_html_report_behind_a_long_head_script_is_read(tmp_path):
    p = tmp_path / "r.html"
    write(example_spec(7), p, "html")
    html = p.read_text(encoding="utf-8")
    script = "<script>var tracking = '" + "abcdefghij" * 3000 + "';</script>"
    html = html.replace("<head>", "<head>" + script, 1) if "<head>" in html else script + html
    assert html.index("</script>") > 20000
    res = parse_bytes(html.encode("utf-8"), "r.html")
    assert "error" not in res, res.get("error")
    assert res["year"] == 2024
    # a page with no Chinese is still refused
    res = parse_bytes(b"<html><head>" + script.encode() + b"</head><body>hello</body></html>", "x.html")
    assert "no Chinese text" in res["error"]


def test_parse_on_a_named_pipe_returns_at_once(tmp_path):
    fifo = tmp_path / "pipe"
    os.mkfifo(fifo)
    out = subprocess.run(
        [PY, "-m", "pipeline.cli", "parse", str(fifo)], capture_output=True, text=True, env=_env(), timeout=60
    )
    assert out.returncode == 2
    assert "named pipe" in out.stdout + out.stderr


def test_parse_prints_a_non_utf8_file_name(tmp_path):
    p = tmp_path / os.fsdecode("额济纳旗.txt".encode("gbk"))
    _report(p)
    out = subprocess.run(
        [PY, "-m", "pipeline.cli", "parse", "--json", str(p)], capture_output=True, text=True, env=_env(), timeout=120
    )
    assert out.returncode == 0, out.stderr
    assert "额济纳旗.txt" in out.stdout


def test_a_transient_read_failure_is_not_cached_and_is_retried(tmp_path):
    import hashlib

    from pipeline.inbox import InboxFile
    from pipeline.readcache import ReadCache, read_files

    src = _report(tmp_path / "keep" / "r.txt")
    data = src.read_bytes()
    sha = hashlib.sha256(data).hexdigest()
    moved = tmp_path / "inbox" / "r.txt"  # the folder is briefly missing while the file is read
    f = InboxFile("r.txt", str(moved), len(data), sha, "text", None, 2024, "title")
    cache = ReadCache(tmp_path / "state")
    read_files([f], cache, "2024", workers=1)
    assert sha not in cache.known()
    assert "tried again" in cache.retries()[sha]
    moved.parent.mkdir()
    moved.write_bytes(data)
    stats = read_files([f], cache, "2024", workers=1)
    assert stats["read"] == 1 and sha in cache.known() and sha not in cache.retries()


def test_implausible_years_are_set_aside():
    from pipeline.warehouse import plausible_year

    assert not plausible_year(1900) and not plausible_year(2099) and not plausible_year(2007)
    assert plausible_year(2008) and plausible_year(2024) and plausible_year(time.localtime().tm_year + 1)


# ----------------------------------------------------------------------------------------------
# The whole run on an inbox of bad inputs


@pytest.mark.slow
def test_a_run_on_every_bad_input_reads_the_rest_and_gives_each_a_row_with_its_reason(tmp_path):
    import dataclasses

    from pipeline.run import run_pipeline
    from pipeline.settings import from_env

    inbox = tmp_path / "inbox"
    _report(inbox / "2024" / "good.txt", seed=1, agency="阿拉善右旗雅布赖镇人民政府")
    _report(inbox / "2024" / os.fsdecode("额济纳旗东风镇.txt".encode("gbk")), seed=2, agency="额济纳旗东风镇人民政府")
    spec = example_spec(3, agency="阿拉善左旗吉兰泰镇人民政府", year=2024)
    cells = dict(
        spec.cells,
        **{
            "T3/new/natural_person": "9" * 400,
            "T3/new/total": "1" + "0" * 308,
            "T3/other_no_fee/total": "1" + "0" * 308,
        },
    )
    write(dataclasses.replace(spec, cells=cells), inbox / "2024" / "huge.txt", "text")
    html = inbox / "2024" / "script_head.html"
    write(example_spec(4, agency="阿拉善左旗宗别立镇人民政府", year=2024), html, "html")
    text = html.read_text(encoding="utf-8")
    html.write_text(text.replace("<head>", "<head><script>var t='" + "x" * 30000 + "';</script>", 1), encoding="utf-8")
    _report(
        inbox / "old" / "1900.txt", seed=5, agency="阿拉善右旗巴丹吉林镇人民政府", year=1900, published_on="1901-01-20"
    )
    _report(
        inbox / "future" / "2099.txt",
        seed=6,
        agency="阿拉善右旗阿拉腾敖包镇人民政府",
        year=2099,
        published_on="2100-01-20",
    )
    _bomb(inbox / "bomb.docx", 80)
    with open(inbox / "huge_page.html", "wb") as f:
        f.truncate(MAX_BYTES + 1)
    (inbox / "passwd.txt").symlink_to("/etc/passwd")
    (inbox / "environ.txt").symlink_to("/proc/self/environ")
    (inbox / "dangling.txt").symlink_to(tmp_path / "gone.txt")
    os.mkfifo(inbox / "fifo.txt")
    (inbox / ".hidden.txt").write_text("隐藏文件", encoding="utf-8")

    settings = from_env(inbox=str(inbox), out=str(tmp_path / "run"))
    ok, _ = run_pipeline(settings)
    assert ok
    con = duckdb.connect(str(settings.db), read_only=True)
    try:
        rows = {p: (s, r) for p, s, r in con.execute("SELECT path, status, reason FROM manifest").fetchall()}
        assert rows["2024/good.txt"][0] == "read"
        assert rows["2024/额济纳旗东风镇.txt"][0] == "read"
        assert rows["2024/huge.txt"][0] == "read"
        assert rows["2024/script_head.html"][0] == "read"
        for path, words in {
            "old/1900.txt": "1900 is implausible",
            "future/2099.txt": "2099 is implausible",
            "bomb.docx": "zip bomb",
            "huge_page.html": "larger than",
            "passwd.txt": "outside the inbox",
            "environ.txt": "outside the inbox",
            "dangling.txt": "dangling",
            "fifo.txt": "named pipe",
            ".hidden.txt": "ignored: hidden file",
        }.items():
            status, reason = rows[path]
            assert status == "set_aside" and words in reason, (path, status, reason)
        assert len(rows) == 13
        # no year that cannot be, no inf
        assert con.execute("SELECT count(*) FROM unit_years WHERE year NOT BETWEEN 2008 AND 2030").fetchone()[0] == 0
        assert (
            con.execute("SELECT count(*) FROM rollup_cells WHERE isinf(value_sum) OR abs(value_sum) > 1e13").fetchone()[
                0
            ]
            == 0
        )
        sem = dict(
            con.execute(
                "SELECT c.cell_id, c.semantic FROM cells c JOIN reports r USING (report_id) "
                "WHERE r.path = '2024/huge.txt' AND c.cell_id IN ('T3/new/natural_person', "
                "'T3/new/total')"
            ).fetchall()
        )
        assert sem == {"T3/new/natural_person": "TEXT", "T3/new/total": "TEXT"}
        assert (
            con.execute(
                "SELECT count(*) FROM problems p JOIN reports r USING (report_id) "
                "WHERE r.path = '2024/huge.txt' AND p.code = 'number_implausible'"
            ).fetchone()[0]
            == 1
        )
    finally:
        con.close()
    assert settings.workbook.exists()
    pages = list(settings.pages.rglob("*.html"))
    assert pages
    for p in pages:
        text = p.read_text(encoding="utf-8")
        assert "file://" not in text and "合计 inf" not in text and ">inf<" not in text
        assert str(tmp_path) not in text.replace(str(inbox), "")  # no server path but the inbox's name
