"""The Dagster job end to end on a small inbox: manifest statuses, idempotence, incremental reading,
bad input, and publishing by atomic rename under an open reader."""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

import duckdb
import pytest

from corpus import example_spec, write
from pipeline.run import run_pipeline
from pipeline.settings import from_env

pytestmark = pytest.mark.slow

SEED = Path(__file__).parent / "fixtures" / "seed_2024_bayanmuren.txt"


def make_inbox(root: Path) -> dict[str, str]:
    """A small inbox with good reports of several kinds and every kind of bad input.
    Returns path -> expected status."""
    root.mkdir(parents=True)
    expected = {}
    good = [
        ("2024/阿拉善右旗雅布赖镇2024年报.txt", "阿拉善右旗雅布赖镇人民政府", 2024, "text", {"layout": "B1"}),
        ("2024/额济纳旗东风镇.html", "额济纳旗东风镇人民政府", 2024, "html", {"encoding": "gbk"}),
        ("2023/额济纳旗东风镇.html", "额济纳旗东风镇人民政府", 2023, "html", {}),
        ("2024/阿拉善左旗吉兰泰镇.docx", "阿拉善左旗吉兰泰镇人民政府", 2024, "docx", {}),
        ("2024/宗别立镇.pdf", "阿拉善左旗宗别立镇人民政府", 2024, "pdf", {}),
    ]
    for i, (path, agency, year, kind, opts) in enumerate(good):
        spec = example_spec(
            i + 1,
            agency=agency,
            year=year,
            title=None if False else f"{agency}{year}年政府信息公开工作年度报告",
            published_on=f"{year + 1}-01-20",
        )
        p = root / path
        p.parent.mkdir(parents=True, exist_ok=True)
        write(spec, p, kind, **opts)
        expected[path] = "read"
    shutil.copy(SEED, root / "2024" / "seed.txt")
    expected["2024/seed.txt"] = "read"
    shutil.copy(SEED, root / "copy_of_seed.txt")
    expected["copy_of_seed.txt"] = "duplicate"
    (root / "empty.txt").write_bytes(b"")
    expected["empty.txt"] = "set_aside"
    (root / "binary.bin").write_bytes(bytes(range(256)) * 20)
    expected["binary.bin"] = "set_aside"
    pdf = (root / "2024" / "宗别立镇.pdf").read_bytes()
    (root / "truncated.pdf").write_bytes(pdf[: len(pdf) // 3])
    expected["truncated.pdf"] = "set_aside"
    (root / "latin1.txt").write_bytes("Annual report - café résumé naïve".encode("latin-1") * 20)
    expected["latin1.txt"] = "set_aside"
    (root / "notables.html").write_text(
        "<html><head><meta charset='utf-8'></head><body><h1>某某镇人民政府2024年政府信息公开工作年度报告</h1>"
        "<p>一、总体情况</p><p>本年度工作平稳。</p></body></html>",
        encoding="utf-8",
    )
    expected["notables.html"] = "set_aside"
    # a GBK page whose <meta> says UTF-8: read, with a note
    gbk = example_spec(12, agency="阿拉善右旗巴丹吉林镇人民政府", year=2024)
    write(gbk, root / "2024" / "badanjilin.html", "html", encoding="gbk")
    raw = (root / "2024" / "badanjilin.html").read_bytes().replace(b"charset=gbk", b"charset=utf-8")
    (root / "2024" / "badanjilin.html").write_bytes(raw)
    expected["2024/badanjilin.html"] = "read"
    spec = example_spec(9, agency="北京市海淀区人民政府", year=2024)
    write(spec, root / "unknown_unit.txt", "text")
    expected["unknown_unit.txt"] = "set_aside"
    # an older and a newer version of one unit-year under two names: the newer supersedes
    old = example_spec(10, agency="阿拉善左旗巴润别立镇人民政府", year=2024, published_on="2025-01-10")
    new = example_spec(11, agency="阿拉善左旗巴润别立镇人民政府", year=2024, published_on="2025-01-25")
    write(old, root / "2024" / "巴润别立镇_初稿.txt", "text")
    write(new, root / "2024" / "巴润别立镇_更正.txt", "text")
    expected["2024/巴润别立镇_初稿.txt"] = "superseded"
    expected["2024/巴润别立镇_更正.txt"] = "read"
    return expected


@pytest.fixture(scope="module")
def first_run(tmp_path_factory):
    base = tmp_path_factory.mktemp("pipe")
    inbox = base / "inbox"
    expected = make_inbox(inbox)
    settings = from_env(inbox=str(inbox), out=str(base / "run"))
    ok, _ = run_pipeline(settings)
    assert ok
    return settings, expected


def table_rows(db: Path, sql: str):
    con = duckdb.connect(str(db), read_only=True)
    try:
        return con.execute(sql).fetchall()
    finally:
        con.close()


def snapshot(db: Path) -> dict:
    con = duckdb.connect(str(db), read_only=True)
    try:
        tables = [
            r[0]
            for r in con.execute(
                "SELECT table_name FROM duckdb_tables() WHERE database_name = current_database() ORDER BY 1"
            ).fetchall()
        ]
        return {t: con.execute(f"SELECT * FROM {t} ORDER BY ALL").fetchall() for t in tables}
    finally:
        con.close()


def test_every_inbox_file_is_in_the_manifest_with_its_status(first_run):
    settings, expected = first_run
    rows = table_rows(settings.db, "SELECT path, status, reason FROM manifest")
    got = {p: s for p, s, _ in rows}
    assert got == expected
    reasons = {p: r for p, s, r in rows}
    assert reasons["empty.txt"] == "the file is empty"
    assert "binary" in reasons["binary.bin"]
    assert "PDF" in reasons["truncated.pdf"]
    assert "none of the encodings" in reasons["latin1.txt"]
    assert "no table" in reasons["notables.html"]
    assert "matches no unit" in reasons["unknown_unit.txt"]
    assert reasons["copy_of_seed.txt"] == "same content as 2024/seed.txt"
    assert "巴润别立镇_更正.txt" in reasons["2024/巴润别立镇_初稿.txt"]
    assert all(r for p, s, r in rows if s != "read")


def test_warehouse_has_one_active_report_per_unit_year_and_200_cells(first_run):
    settings, _ = first_run
    active = table_rows(settings.db, "SELECT unit_id, year, count(*) FROM reports WHERE active GROUP BY ALL")
    assert all(n == 1 for _, _, n in active) and len(active) == 8
    counts = table_rows(settings.db, "SELECT report_id, count(*) FROM cells GROUP BY 1")
    assert counts and all(n == 200 for _, n in counts)
    # every cell says which reader read it and how sure it is; MISSING cells have no reader
    provenance = table_rows(
        settings.db,
        """
        SELECT count(*) FILTER (WHERE c.semantic <> 'MISSING' AND (c.read_by IS DISTINCT FROM r.kind
                                                                   OR c.confidence IS DISTINCT FROM 1.0)),
               count(*) FILTER (WHERE c.semantic = 'MISSING' AND (c.read_by IS NOT NULL OR c.confidence IS NOT NULL)),
               count(DISTINCT c.read_by), count(*) FILTER (WHERE c.inferred)
        FROM cells c JOIN reports r USING (report_id)""",
    )
    assert provenance[0][:2] == (0, 0) and provenance[0][2] >= 3
    seed = table_rows(settings.db, "SELECT unit_id, year, agency FROM reports WHERE path = '2024/seed.txt'")
    assert seed == [("152921203", 2024, "阿拉善左旗巴彦木仁苏木人民政府")]
    # views an analyst uses
    assert table_rows(settings.db, "SELECT count(*) FROM report_summary")[0][0] == 8
    assert table_rows(settings.db, "SELECT count(*) FROM t3_wide")[0][0] == 8 * 25
    notes = table_rows(
        settings.db,
        "SELECT p.code FROM problems p JOIN reports r USING (report_id) WHERE r.path = '2024/badanjilin.html'",
    )
    assert ("encoding_mismatch",) in notes
    n_findings = table_rows(settings.db, "SELECT count(*) FROM findings WHERE status = 'FAIL'")[0][0]
    assert n_findings > 0
    undocumented = table_rows(
        settings.db,
        "SELECT table_name, column_name FROM duckdb_columns() "
        "WHERE database_name = current_database() AND comment IS NULL",
    )
    assert undocumented == []
    assert (
        table_rows(
            settings.db,
            "SELECT count(*) FROM duckdb_tables() WHERE database_name = current_database() AND comment IS NULL",
        )[0][0]
        == 0
    )
    assert (
        table_rows(
            settings.db,
            "SELECT count(*) FROM duckdb_views() WHERE database_name = current_database() "
            "AND NOT internal AND comment IS NULL",
        )[0][0]
        == 0
    )


def test_running_twice_gives_identical_warehouse(first_run):
    settings, _ = first_run
    before = snapshot(settings.db)
    ok, _ = run_pipeline(settings)
    assert ok
    assert snapshot(settings.db) == before


def test_changing_one_file_reads_only_it_and_keeps_the_old_version_inactive(first_run):
    settings, _ = first_run
    from pipeline.readcache import ReadCache

    p = settings.inbox / "2024" / "阿拉善右旗雅布赖镇2024年报.txt"
    spec = example_spec(21, agency="阿拉善右旗雅布赖镇人民政府", year=2024, published_on="2025-01-22")
    write(spec, p, "text", layout="C")
    batches_before = set(ReadCache(settings.state).batches())
    ok, _ = run_pipeline(settings)
    assert ok
    new_batches = set(ReadCache(settings.state).batches()) - batches_before
    assert len(new_batches) == 1
    read_now = (
        duckdb.connect()
        .execute("SELECT count(*) FROM read_parquet(?)", [str(next(iter(new_batches)) / "reports.parquet")])
        .fetchone()[0]
    )
    assert read_now == 1
    versions = table_rows(
        settings.db,
        "SELECT version, active, status, in_inbox FROM reports "
        "WHERE path = '2024/阿拉善右旗雅布赖镇2024年报.txt' ORDER BY version",
    )
    assert versions == [(1, False, "older_version", False), (2, True, "active", True)]


def test_reader_holding_the_published_file_keeps_the_old_data(first_run):
    settings, _ = first_run
    con = duckdb.connect(str(settings.db), read_only=True)
    before = con.execute("SELECT count(*) FROM reports").fetchone()[0]
    spec = example_spec(31, agency="阿拉善右旗雅布赖镇人民政府", year=2023)
    write(spec, settings.inbox / "2023" / "雅布赖镇2023.txt", "text")
    ok, _ = run_pipeline(settings)
    assert ok
    # the old connection still reads the old file, undisturbed
    assert con.execute("SELECT count(*) FROM reports").fetchone()[0] == before
    con.close()
    # and the new file is in place
    after = table_rows(settings.db, "SELECT count(*) FROM reports")[0][0]
    assert after == before + 1


def test_definitions_load():
    import dagster as dg

    from pipeline.definitions import defs

    dg.Definitions.validate_loadable(defs)
    job = defs.resolve_job_def("nianbao_job")
    assert job.partitions_def is not None
    assert {s.name for s in defs.schedules} == {"yearly_reports"}
    assert {s.name for s in defs.sensors} == {"inbox_changes"}


def test_dagster_cli_validates_the_code_location(tmp_path):
    exe = Path(sys.executable).parent / "dagster"
    if not exe.exists():
        pytest.skip("the dagster command is not installed")
    env = {"DAGSTER_HOME": str(tmp_path), "PATH": str(exe.parent), "HOME": str(tmp_path)}
    (tmp_path / "dagster.yaml").write_text("telemetry:\n  enabled: false\n")
    out = subprocess.run(
        [str(exe), "definitions", "validate", "-m", "pipeline.definitions"],
        capture_output=True,
        text=True,
        env=env,
        cwd=Path(__file__).parents[1],
        timeout=300,
    )
    assert out.returncode == 0, out.stdout + out.stderr


def test_a_file_changed_in_the_same_clock_tick_is_not_missed(tmp_path):
    """A file rewritten with the same size right after a scan may keep its time stamp (the file
    system's clock is coarse): a scan does not trust the stamp of a file modified just before it."""
    import os

    from pipeline.inbox import scan

    p = tmp_path / "a.txt"
    p.write_text("甲", encoding="utf-8")
    first = scan(tmp_path)
    st = p.stat()
    p.write_text("乙", encoding="utf-8")
    os.utime(p, ns=(st.st_atime_ns, st.st_mtime_ns))  # the same size and, as can happen, the same stamp
    second = scan(tmp_path, first)
    assert second[0].sha256 != first[0].sha256
    # an old file, unchanged, is not hashed again: its stamp is trusted
    old = st.st_mtime_ns - 10_000_000_000
    os.utime(p, ns=(old, old))
    third = scan(tmp_path, scan(tmp_path))
    assert third[0].mtime_ns == old


def test_dagster_storage_of_the_run_folder_keeps_every_event_in_dagsters_own_files(tmp_path, monkeypatch):
    """The run folder's DAGSTER_HOME uses nianbao's storage (synchronous=NORMAL; in `nianbao run`, one
    connection a database): every event is stored, the files are Dagster's own (a default instance
    reads them), and with connections kept open a step's start is in the database file itself (what
    the UI watches), not only in its write-ahead log."""
    import sqlite3

    import dagster as dg

    from pipeline.orchestration.storage import NianbaoEventLogStorage
    from pipeline.settings import prepare_dagster_home

    settings = from_env(out=str(tmp_path / "out"))
    home = prepare_dagster_home(settings)
    monkeypatch.setenv("DAGSTER_HOME", str(home))

    seen = {}

    @dg.asset
    def first(context):
        context.log.info("one line")
        run_db = home / "history" / "runs" / f"{context.run_id}.db"
        # the database file alone (immutable: its WAL ignored) already holds this step's start
        con = sqlite3.connect(f"file:{run_db}?immutable=1", uri=True)
        seen["started"] = con.execute(
            "SELECT count(*) FROM event_logs WHERE dagster_event_type = 'STEP_START'"
        ).fetchone()[0]
        con.close()

    @dg.asset(deps=[first])
    def second(context):
        context.log.info("another line")

    job = dg.Definitions(assets=[first, second], jobs=[dg.define_asset_job("two")]).resolve_job_def("two")
    run_ids = []
    for keep in (False, True):
        with dg.DagsterInstance.get() as instance:
            storage = instance.event_log_storage
            assert isinstance(storage, NianbaoEventLogStorage)
            if keep:
                storage.keep_connections_open()
            with storage.run_connection("x") as conn:
                assert conn.exec_driver_sql("PRAGMA synchronous").scalar() == 1  # NORMAL
            res = job.execute_in_process(instance=instance)
            assert res.success
            run_ids.append(res.run_id)
        assert seen.pop("started") == 1
    # Dagster's own storage, configured by default on the same folder, reads both runs in full
    (home / "dagster.yaml").write_text("telemetry:\n  enabled: false\n")
    with dg.DagsterInstance.get() as plain:
        assert not isinstance(plain.event_log_storage, NianbaoEventLogStorage)
        counts = []
        for run_id in run_ids:
            records = plain.all_logs(run_id)
            assert plain.get_run_by_id(run_id).is_success
            lines = [r.user_message for r in records if not r.is_dagster_event]
            assert [m for m in lines if m.endswith(" line")] == ["one line", "another line"]
            counts.append(sorted(r.dagster_event_type or "log" for r in records))
        assert counts[0] == counts[1]
        assert plain.get_latest_materialization_event(dg.AssetKey("second")).run_id == run_ids[1]


def test_building_from_an_inbox_without_reports_gives_empty_tables_and_zero_counts(tmp_path):
    """The build drops the plan's frames before the cells go in; with no file, or only files set
    aside, there is nothing to join and the counts it returns must still match the tables."""
    from pipeline import warehouse
    from pipeline.inbox import scan
    from pipeline.readcache import ReadCache
    from pipeline.registry import load_registry

    inbox = tmp_path / "inbox"
    inbox.mkdir()
    registry = load_registry()
    for name, files_ in (("none", []), ("aside", None)):
        if files_ is None:
            (inbox / "empty.txt").write_bytes(b"")
            files_ = scan(inbox)
        state = tmp_path / name
        state.mkdir()
        db = tmp_path / f"{name}.duckdb"
        res = warehouse.build(db, files_, ReadCache(state), registry, state)
        con = duckdb.connect(str(db), read_only=True)
        try:
            n_manifest = con.execute("SELECT count(*) FROM manifest").fetchone()[0]
            n_reports, n_cells = con.execute("SELECT count(*), (SELECT count(*) FROM cells) FROM reports").fetchone()
            build_id = con.execute("SELECT value FROM build_info WHERE key = 'build_id'").fetchone()[0]
        finally:
            con.close()
        assert (res.files, res.reports, res.active) == (n_manifest, 0, 0) == (len(files_), n_reports, n_cells)
        assert res.set_aside == len(files_)
        assert len(build_id) == 16


def test_cells_inserted_in_parts_equal_one_sort_of_them_all(tmp_path, monkeypatch):
    """warehouse.build inserts the cells of CELL_PART_REPORTS reports at a time, each part sorted:
    the tables hold the same rows in the same (rowid) order as with one part for all (the general
    path), also with parts of one or two reports."""
    from pipeline import warehouse
    from pipeline.inbox import scan
    from pipeline.readcache import ReadCache, read_files
    from pipeline.registry import load_registry

    inbox = tmp_path / "inbox"
    make_inbox(inbox)
    files_ = scan(inbox)
    state = tmp_path / "state"
    read_files([f for f in files_ if not f.error], ReadCache(state), "all", workers=1)
    registry = load_registry()
    tables = {}
    for part in (10**9, 2, 1):
        monkeypatch.setattr(warehouse, "CELL_PART_REPORTS", part)
        db = tmp_path / f"w{part}.duckdb"
        res = warehouse.build(db, files_, ReadCache(state), registry, state)
        assert res.reports > 3
        tables[part] = {
            t: table_rows(db, f"SELECT * FROM {t} ORDER BY rowid") for t in ("cells", "cells_extra", "build_info")
        }
    assert len(tables[10**9]["cells"]) > 600
    assert tables[2] == tables[10**9] == tables[1]


def test_report_ranges_split_the_reports_in_order():
    from pipeline import warehouse

    con = duckdb.connect()
    con.execute(
        "CREATE TEMP TABLE pick AS SELECT * FROM (VALUES ('b'), ('a'), ('c'), ('c'), ('d'), ('e')) t(report_id)"
    )
    assert warehouse._report_ranges(con, 6) == [(None, None)]
    old = warehouse.CELL_PART_REPORTS
    try:
        warehouse.CELL_PART_REPORTS = 2
        ranges = warehouse._report_ranges(con, 6)
    finally:
        warehouse.CELL_PART_REPORTS = old
    assert ranges[0][0] is None and ranges[-1][1] is None
    assert all(a[1] == b[0] for a, b in zip(ranges, ranges[1:]))
    ids = ["a", "b", "c", "c", "d", "e"]
    parts = [[i for i in ids if (lo is None or i >= lo) and (hi is None or i < hi)] for lo, hi in ranges]
    assert sum(parts, []) == ids  # every report in exactly one part, the parts in order
