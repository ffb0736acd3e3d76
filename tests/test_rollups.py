"""The rollups of sql/rollups/ on a warehouse with known values.

Every figure of every group is recomputed here independently (the registry's own hierarchy in
Python, the cells table read row by row) and compared with the views: sums of NUMERIC/ZERO cells
only, blank/"/"/text/missing cells counted but never added, and a 总计 never added into a sum of
parts (nor parts into a total).
"""

from __future__ import annotations

import re
import shutil
from collections import defaultdict
from pathlib import Path

import duckdb
import pytest

from corpus.synthetic import Synthetic, build
from pipeline.codebook import T3_OUTCOME_ROWS, cell_ids, split_cell_id
from pipeline.registry import load_registry
from pipeline.reports.data import rows
from pipeline.warehouse import SQL_DIR, connect

YEARS = (2023, 2024)
U_TOTAL_NOT_PARTS = "152921102"  # 温都尔勒图镇: T3 new total 100, parts much smaller, one part blank
U_MOVES = "152921203"  # 巴彦木仁苏木: 阿拉善左旗 by statute, 高新区 (via 乌兰布和) by management
U_NO_T3 = "152922103"  # 巴丹吉林镇: Table 3 missing entirely, a text cell in Table 4
U_BIG = "152923100"  # 达来呼布镇: bases of at least 30 for the rates
U_MISSING = "152921105"  # 巴润别立镇: no file at all in 2024
U_SET_ASIDE = "152921110"  # 巴彦浩特镇: a file that could not be read in 2024
U_LATE = "152921112"  # 吉兰泰镇: published 2025-02-15
U_NO_DATE = "152921113"  # 宗别立镇: no publication date
U_ON_DEADLINE = "152921114"  # 敖伦布拉格镇: published on the deadline itself
U_SIGNED_LATE = "152921115"  # 腾格里额里斯镇: no publication date, signed after the deadline
WUSITAI = "152971100"  # 乌斯太镇: joint report with the 高新区, none of its own

T3_IDS = [c for c in cell_ids() if c.startswith("T3/")]


def _spec() -> Synthetic:
    return Synthetic(
        years=YEARS,
        seed=7,
        overrides={
            (U_TOTAL_NOT_PARTS, 2024): {
                "T3/new/total": "100",
                "T3/new/natural_person": "",
                "T3/new/business": "2",
                "T4/review.total": "9",
            },
            (U_MOVES, 2024): {
                "T3/new/total": "",
                "T4/review.total": "/",
                "T2/fees/amount": "3.5",
                "T3/processed_total/total": "无",
            },
            (U_NO_T3, 2024): {**{c: None for c in T3_IDS}, "T4/suit_direct.total": "若干"},
            (U_BIG, 2024): {
                "T3/processed_total/total": "40",
                "T3/granted/total": "20",
                "T3/partly_granted/total": "6",
                "T4/review.upheld": "20",
                "T4/review.corrected": "10",
                "T4/review.other": "5",
            },
            ("152921", 2024): {"T3/new/total": "500"},
        },
        signed={(U_SIGNED_LATE, 2024): "2025-02-03", (U_NO_DATE, 2024): "2025-01-05"},
        missing={(U_MISSING, 2024)},
        set_aside={(U_SET_ASIDE, 2024)},
        published={
            (U_SIGNED_LATE, 2024): None,
            (U_LATE, 2024): "2025-02-15",
            (U_ON_DEADLINE, 2024): "2025-01-31",
            (U_NO_DATE, 2024): None,
            ("152921", 2024): "2025-03-15",
        },
    )


FINDINGS = [
    # (finding_id, unit, year, rule, instance, status, severity, lhs, rhs)
    (
        "t1",
        U_TOTAL_NOT_PARTS,
        2024,
        "t3_row_total",
        "new",
        "FAIL",
        "error",
        ["T3/new/total"],
        ["T3/new/natural_person", "T3/new/business"],
    ),
    ("t2", U_TOTAL_NOT_PARTS, 2024, "copy_across_units", "-", "FAIL", "warning", [], []),
    ("t3", U_BIG, 2024, "copy_previous_year", "-", "FAIL", "warning", [], []),
    ("t4", U_MOVES, 2024, "t4_group_total", "review", "UNCERTAIN", "error", ["T4/review.total"], []),
    ("t5", U_BIG, 2024, "t3_row_total", "new", "PASS", "error", ["T3/new/total"], []),
    ("t6", U_NO_T3, 2024, "t3_balance", "total", "NOT_ASSESSABLE", "error", ["T3/new/total"], []),
    ("t7", U_TOTAL_NOT_PARTS, 2023, "t3_row_total", "granted", "FAIL", "error", ["T3/granted/total"], []),
]


def insert_findings(con, findings=FINDINGS) -> None:
    for fid, uid, year, rule, inst, status, sev, lhs, rhs in findings:
        rid = con.execute(
            "SELECT report_id FROM reports WHERE active AND unit_id = ? AND year = ?", [uid, year]
        ).fetchone()[0]
        con.execute(
            "INSERT INTO findings (finding_id, report_id, unit_id, year, rule_id, instance, scope, status, "
            "severity, lhs_cells, rhs_cells, message_zh) VALUES (?, ?, ?, ?, ?, ?, 'report', ?, ?, ?, ?, ?)",
            [fid, rid, uid, year, rule, inst, status, sev, lhs, rhs, f"测试发现 {fid}"],
        )


@pytest.fixture(scope="module")
def db(tmp_path_factory) -> Path:
    path = tmp_path_factory.mktemp("rollups") / "w.duckdb"
    build(path, _spec())
    con = connect(path)
    try:
        insert_findings(con)
        con.execute("CHECKPOINT")
    finally:
        con.close()
    return path


@pytest.fixture(scope="module")
def con(db):
    c = duckdb.connect(str(db), read_only=True)
    yield c
    c.close()


@pytest.fixture(scope="module")
def reg():
    return load_registry()


@pytest.fixture(scope="module")
def unit_cells(con) -> dict:
    """(unit_id, year) -> cell_id -> (semantic, value) of the active reports."""
    out: dict = defaultdict(dict)
    for uid, year, cid, sem, val in con.execute(
        "SELECT r.unit_id, r.year, c.cell_id, c.semantic, c.value FROM cells c "
        "JOIN reports r ON r.report_id = c.report_id AND r.active"
    ).fetchall():
        out[(uid, year)][cid] = (sem, val)
    return dict(out)


def groups(reg) -> list[tuple[str, str]]:
    league = [u.unit_id for u in reg if u.level == "league"]
    banners = [u.unit_id for u in reg if u.level == "banner"] + ["152971"]
    return [(h, g) for h in ("statutory", "managing") for g in league + banners]


def members(reg, hierarchy: str, gid: str) -> list[str]:
    return reg.descendants(gid, via=hierarchy)


def _num(t):
    return t[1] if t and t[0] in ("NUMERIC", "ZERO") else None


# ----------------------------------------------------------------------------------------------


def test_the_fixture_has_every_kind_of_cell(con):
    kinds = dict(con.execute("SELECT semantic, count(*) FROM cells GROUP BY ALL").fetchall())
    for sem in ("NUMERIC", "ZERO", "EMPTY", "NA", "TEXT", "MISSING"):
        assert kinds.get(sem, 0) > 0, sem
    assert con.execute("SELECT count(*) FROM findings").fetchone()[0] == len(FINDINGS)


def test_every_rollup_file_is_one_commented_model(con):
    files = sorted((SQL_DIR / "rollups").glob("*.sql"))
    assert len(files) >= 10
    comments = {
        r[0]: r[1]
        for r in con.execute(
            "SELECT view_name, comment FROM duckdb_views() WHERE NOT internal UNION ALL "
            "SELECT table_name, comment FROM duckdb_tables()"
        ).fetchall()
    }
    for f in files:
        text = f.read_text(encoding="utf-8")
        created = re.findall(r"^CREATE (?:OR REPLACE )?(?:VIEW|TABLE)(?: IF NOT EXISTS)? (\w+)", text, re.M)
        assert len(created) == 1, f"{f.name}: one model per file, got {created}"
        name = created[0]
        assert comments.get(name), f"{f.name}: {name} has no COMMENT"
        assert "COMMENT ON" in text


def test_hierarchies_and_members(con, reg):
    got = defaultdict(set)
    for h, gid, uid in con.execute("SELECT hierarchy, group_id, unit_id FROM rollup_members").fetchall():
        got[(h, gid)].add(uid)
    for h, gid in groups(reg):
        assert got[(h, gid)] == set(members(reg, h, gid)), (h, gid)
    # 乌斯太镇 sits under the 高新区 by statute (and by management); 巴彦木仁苏木 moves with the hierarchy
    assert WUSITAI in got[("statutory", "152971")] and WUSITAI in got[("managing", "152971")]
    assert U_MOVES in got[("statutory", "152921")] and U_MOVES not in got[("statutory", "152971")]
    assert U_MOVES in got[("managing", "152971")] and U_MOVES not in got[("managing", "152921")]
    # a banner's own report is a unit of its own: not in its banner's sum, but in the league's
    assert "152921" not in got[("statutory", "152921")] and "152921" in got[("statutory", "1529")]
    groups_ = {
        (h, g, lvl)
        for h, g, lvl in con.execute("SELECT hierarchy, group_id, group_level FROM rollup_groups").fetchall()
    }
    assert ("statutory", "1529-wlbh", "banner") not in groups_ and ("managing", "152971", "banner") in groups_


def test_every_rollup_cell_is_the_sum_of_its_units_cells(con, reg, unit_cells):
    rc = {(r["hierarchy"], r["group_id"], r["year"], r["cell_id"]): r for r in rows(con, "SELECT * FROM rollup_cells")}
    checked = 0
    for h, gid in groups(reg):
        ms = members(reg, h, gid)
        for year in YEARS:
            reporting = [m for m in ms if (m, year) in unit_cells]
            for cid in cell_ids():
                r = rc.get((h, gid, year, cid))
                if not reporting:
                    assert r is None
                    continue
                vals = [unit_cells[(m, year)][cid] for m in reporting]
                nums = [v for s, v in vals if s in ("NUMERIC", "ZERO")]
                assert r["units_reporting"] == len(reporting)
                assert r["units_numeric"] == len(nums), (h, gid, year, cid)
                assert r["units_not_number"] == len(vals) - len(nums)
                for sem, key in (
                    ("EMPTY", "units_empty"),
                    ("NA", "units_na"),
                    ("TEXT", "units_text"),
                    ("MISSING", "units_missing"),
                ):
                    assert r[key] == sum(1 for s, _ in vals if s == sem), (cid, sem)
                if nums:
                    assert r["value_sum"] == pytest.approx(sum(nums)), (h, gid, year, cid)
                else:
                    assert r["value_sum"] is None
                checked += 1
    assert checked > 10 * 200


def test_a_total_is_never_counted_twice(con, reg, unit_cells):
    rc = {(r["hierarchy"], r["group_id"], r["year"], r["cell_id"]): r for r in rows(con, "SELECT * FROM rollup_cells")}
    for h, gid in groups(reg):
        ms = members(reg, h, gid)
        for year in YEARS:
            reporting = [m for m in ms if (m, year) in unit_cells]
            if not reporting:
                continue
            for cid in cell_ids():
                table, row, col = split_cell_id(cid)
                r = rc[(h, gid, year, cid)]
                if table in ("T3", "T4") and col == "total":
                    sep = "/" if table == "T3" else "."
                    prefix = f"{table}/{row}{sep}"
                    parts = [c for c in cell_ids() if c.startswith(prefix) and not c.endswith("total")]
                    assert len(parts) == (6 if table == "T3" else 4)
                    pvals = [_num(unit_cells[(m, year)][p]) for m in reporting for p in parts]
                    assert r["parts_kind"] == "columns"
                    assert (
                        r["parts_sum"] == pytest.approx(sum(v for v in pvals if v is not None))
                        if any(v is not None for v in pvals)
                        else r["parts_sum"] is None
                    )
                    assert r["parts_not_number"] == sum(1 for v in pvals if v is None)
                    assert r["is_total"]
                elif table == "T3" and row == "processed_total":
                    pvals = [_num(unit_cells[(m, year)][f"T3/{o}/{col}"]) for m in reporting for o in T3_OUTCOME_ROWS]
                    assert r["parts_kind"] == "outcome_rows"
                    assert r["parts_sum"] == pytest.approx(sum(v for v in pvals if v is not None))
                    assert r["is_total"]
                else:
                    assert r["parts_kind"] is None and r["parts_sum"] is None and not r["is_total"]
    # the unit whose T3 new total (100) is not the sum of its parts: the banner's total adds 100,
    # the parts add the parts, and neither contains the other
    r = rc[("statutory", "152921", 2024, "T3/new/total")]
    totals = [
        _num(unit_cells[(m, 2024)]["T3/new/total"])
        for m in members(reg, "statutory", "152921")
        if (m, 2024) in unit_cells
    ]
    assert 100 in totals
    assert r["value_sum"] == pytest.approx(sum(v for v in totals if v is not None))
    parts = [
        _num(unit_cells[(m, 2024)][f"T3/new/{c}"])
        for m in members(reg, "statutory", "152921")
        if (m, 2024) in unit_cells
        for c in ("natural_person", "business", "research", "nonprofit", "legal_services", "other_org")
    ]
    assert r["parts_sum"] == pytest.approx(sum(v for v in parts if v is not None))
    assert r["value_sum"] != pytest.approx(r["parts_sum"])
    assert r["total_minus_parts"] == pytest.approx(r["value_sum"] - r["parts_sum"])
    # the banner government's own T3 new total (500) is in the league's sum, not in the banner's
    league = rc[("statutory", "1529", 2024, "T3/new/total")]
    assert league["value_sum"] >= r["value_sum"] + 500
    assert r["value_sum"] < 500


def test_blank_na_text_missing_are_counted_not_added(con):
    r = rows(
        con,
        "SELECT * FROM rollup_cells WHERE hierarchy = 'statutory' AND group_id = '152921' "
        "AND year = 2024 AND cell_id = 'T3/new/total'",
    )[0]
    assert r["units_empty"] >= 1  # 巴彦木仁苏木's blank total
    r = rows(
        con,
        "SELECT * FROM rollup_cells WHERE hierarchy = 'statutory' AND group_id = '152922' "
        "AND year = 2024 AND cell_id = 'T3/new/total'",
    )[0]
    assert r["units_missing"] == 1 and r["units_numeric"] == r["units_reporting"] - 1
    r = rows(
        con,
        "SELECT * FROM rollup_cells WHERE hierarchy = 'statutory' AND group_id = '152922' "
        "AND year = 2024 AND cell_id = 'T4/suit_direct.total'",
    )[0]
    assert r["units_text"] == 1
    r = rows(
        con,
        "SELECT * FROM rollup_cells WHERE hierarchy = 'managing' AND group_id = '152971' "
        "AND year = 2024 AND cell_id = 'T4/review.total'",
    )[0]
    assert r["units_reporting"] == 1 and r["units_na"] == 1 and r["value_sum"] is None


def test_coverage(con, reg):
    cov = {(r["hierarchy"], r["group_id"], r["year"]): r for r in rows(con, "SELECT * FROM rollup_coverage")}
    reported = {(u, y) for u, y in con.execute("SELECT unit_id, year FROM reports WHERE active").fetchall()}
    received = {
        (u, y) for u, y in con.execute("SELECT unit_id, year FROM manifest WHERE unit_id IS NOT NULL").fetchall()
    }
    for h, gid in groups(reg):
        ms = members(reg, h, gid)
        for year in YEARS:
            r = cov[(h, gid, year)]
            expected = [m for m in ms if reg[m].files_own_report and reg[m].exists_in(year)]
            assert r["units_expected"] == len(expected), (h, gid, year)
            assert r["reports_read"] == sum(1 for m in ms if (m, year) in reported)
            assert r["units_received"] == sum(1 for m in expected if (m, year) in received)
            missing = sorted(m for m in expected if (m, year) not in reported)
            assert r["missing_unit_ids"] == missing
            assert r["units_missing"] == len(missing)
            assert r["missing_names"] == [reg[m].name for m in missing]
    lz = cov[("statutory", "152921", 2024)]
    assert set(lz["missing_unit_ids"]) == {U_MISSING, U_SET_ASIDE}
    assert lz["units_missing_received"] == 1
    assert lz["reports_clean"] == lz["reports_read"] - 1  # 温都尔勒图镇 has FAIL findings
    # the 高新区 by statute: only 乌斯太镇, which files no report of its own
    gx = cov[("statutory", "152971", 2024)]
    assert gx["units_expected"] == 0 and gx["reports_read"] == 0


def test_timeliness_default_and_settings(con, db, tmp_path):
    t = {(r["hierarchy"], r["group_id"], r["year"]): r for r in rows(con, "SELECT * FROM rollup_timeliness")}
    lz = t[("statutory", "152921", 2024)]
    assert lz["late"] == 2 and lz["unknown"] == 1 and lz["late_names"] == ["吉兰泰镇", "腾格里额里斯镇"]
    uy = rows(
        con,
        "SELECT * FROM unit_years WHERE year = 2024 AND unit_id IN (?, ?, ?, ?, ?)",
        [U_LATE, U_NO_DATE, U_ON_DEADLINE, U_SIGNED_LATE, "152921"],
    )
    by = {r["unit_id"]: r for r in uy}
    # no publication date, but signed after the deadline: late, as the timeliness rule says
    assert by[U_SIGNED_LATE]["timeliness"] == "late" and by[U_SIGNED_LATE]["days_late"] == 3
    assert by[U_ON_DEADLINE]["timeliness"] == "on_time" and by[U_ON_DEADLINE]["days_late"] is None
    assert by[U_LATE]["timeliness"] == "late" and by[U_LATE]["days_late"] == 15
    assert by[U_LATE]["deadline"] == "2025-01-31"
    assert by[U_NO_DATE]["timeliness"] == "unknown"
    # a banner government publishes by 31 March (Art. 49), like the timeliness rule of the checks
    assert by["152921"]["deadline"] == "2025-03-31" and by["152921"]["timeliness"] == "on_time"
    # the office moves the deadline in the settings table; build_info is the fallback
    copy = tmp_path / "w.duckdb"
    shutil.copy(db, copy)
    c = connect(copy)
    try:
        c.execute("INSERT INTO build_info VALUES ('deadline', '02-10')")
        r = rows(c, "SELECT deadline, timeliness FROM unit_years WHERE unit_id = ? AND year = 2024", [U_LATE])[0]
        assert r["deadline"] == "2025-02-10" and r["timeliness"] == "late"
        c.execute("INSERT INTO settings VALUES ('deadline', '02-20'), ('deadline.government', '01-31')")
        r = rows(c, "SELECT deadline, timeliness FROM unit_years WHERE unit_id = ? AND year = 2024", [U_LATE])[0]
        assert r["deadline"] == "2025-02-20" and r["timeliness"] == "on_time"
        r = rows(c, "SELECT timeliness FROM unit_years WHERE unit_id = '152921' AND year = 2024")[0]
        assert r["timeliness"] == "late"
        s = {r["key"]: r for r in rows(c, "SELECT * FROM report_settings")}
        assert s["deadline"]["source"] == "settings" and s["min_base"]["value"] == "30"
    finally:
        c.close()


def test_findings_by_rule_and_copying(con):
    f = {
        (r["hierarchy"], r["group_id"], r["year"], r["rule_id"]): r for r in rows(con, "SELECT * FROM rollup_findings")
    }
    r = f[("statutory", "152921", 2024, "t3_row_total")]
    assert r["fail"] == 1 and r["units_failing"] == 1
    assert f[("statutory", "1529", 2024, "t3_row_total")]["pass"] == 1
    assert f[("managing", "152971", 2024, "t4_group_total")]["uncertain"] == 1
    assert ("statutory", "152971", 2024, "t4_group_total") not in f
    cp = {(r["hierarchy"], r["group_id"], r["year"]): r for r in rows(con, "SELECT * FROM rollup_copying")}
    assert cp[("statutory", "1529", 2024)]["copy_fail"] == 2
    assert cp[("statutory", "1529", 2024)]["units_copying"] == 2
    assert cp[("statutory", "152921", 2024)]["copying_names"] == ["温都尔勒图镇"]
    assert cp[("statutory", "1529", 2023)]["copy_fail"] == 0
    s = {(r["hierarchy"], r["group_id"], r["year"]): r for r in rows(con, "SELECT * FROM rollup_summary")}
    assert s[("statutory", "1529", 2024)]["findings_fail"] == 3
    assert s[("statutory", "152921", 2024)]["own_report_read"] is True


def test_own_report_next_to_the_sum_of_units(con):
    r = rows(
        con,
        "SELECT * FROM rollup_own_vs_units WHERE hierarchy = 'statutory' AND group_id = '152921' "
        "AND year = 2024 AND cell_id = 'T3/new/total'",
    )[0]
    s = rows(
        con,
        "SELECT value_sum FROM rollup_cells WHERE hierarchy = 'statutory' AND group_id = '152921' "
        "AND year = 2024 AND cell_id = 'T3/new/total'",
    )[0]
    assert r["own_value"] == 500 and r["units_sum"] == s["value_sum"]
    assert r["difference"] == pytest.approx(500 - s["value_sum"])
    n = con.execute(
        "SELECT count(*) FROM rollup_own_vs_units WHERE hierarchy = 'statutory' AND group_id = '152921' AND year = 2024"
    ).fetchone()[0]
    assert n == 200


def test_rates_need_a_base_of_thirty(con):
    d = {(r["entity_id"], r["year"]): r for r in rows(con, "SELECT * FROM derived_figures WHERE scope = 'unit'")}
    big = d[(U_BIG, 2024)]
    assert big["applications_processed"] == 40 and big["share_disclosed"] == pytest.approx(26 / 40, abs=1e-4)
    assert big["review_concluded"] == 35 and big["review_correction_rate"] == pytest.approx(10 / 35, abs=1e-4)
    for (uid, year), r in d.items():
        base = r["applications_processed"]
        if base is None or base < 30:
            assert r["share_disclosed"] is None, (uid, year)
        if r["review_concluded"] is None or r["review_concluded"] < 30:
            assert r["review_correction_rate"] is None
        if base is not None and base >= 30 and r["disclosed"] is not None:
            assert r["share_disclosed"] == pytest.approx(r["disclosed"] / base, abs=1e-4)
    assert d[(U_MOVES, 2024)]["applications_processed"] is None  # "无": not a number, no rate
    # group rates come from the group sums
    g = rows(
        con,
        "SELECT * FROM derived_figures WHERE scope = 'group' AND hierarchy = 'statutory' "
        "AND entity_id = '1529' AND year = 2024",
    )[0]
    s = rows(
        con,
        "SELECT value_sum FROM rollup_cells WHERE hierarchy = 'statutory' AND group_id = '1529' "
        "AND year = 2024 AND cell_id = 'T3/processed_total/total'",
    )[0]
    assert g["applications_processed"] == s["value_sum"]


def test_ranks_within_level_and_banner(con, reg):
    rk = rows(
        con, "SELECT * FROM unit_ranks WHERE hierarchy = 'statutory' AND year = 2024 AND metric = 'applications_new'"
    )
    vals = {r["unit_id"]: r["value"] for r in rk}
    for r in rk:
        if r["value"] is None:
            assert r["rank_in_level"] is None
            continue
        peers = [
            vals[o["unit_id"]] for o in rk if o["peer_level"] == r["peer_level"] and vals[o["unit_id"]] is not None
        ]
        assert r["rank_in_level"] == 1 + sum(1 for v in peers if v > r["value"])
        assert r["n_in_level"] == len(peers)
        assert r["percentile_in_level"] == pytest.approx(
            100 * sum(1 for v in peers if v <= r["value"]) / len(peers), abs=0.05
        )
        if r["banner_id"]:
            bp = [
                vals[o["unit_id"]]
                for o in rk
                if o["banner_id"] == r["banner_id"]
                and o["peer_level"] == r["peer_level"]
                and vals[o["unit_id"]] is not None
            ]
            assert r["rank_in_banner"] == 1 + sum(1 for v in bp if v > r["value"])
            assert r["n_in_banner"] == len(bp)
    levels = {r["unit_id"]: r["peer_level"] for r in rk}
    assert levels["152921"] == "banner" and levels["152971"] == "banner" and levels[U_BIG] == "township"
    banners = {
        r["unit_id"]: r["banner_id"]
        for r in rows(con, "SELECT unit_id, banner_id FROM unit_ranks WHERE hierarchy = 'managing' AND year = 2024")
    }
    assert banners[U_MOVES] == "152971"


def test_league_table_has_missing_and_read_units(con, reg):
    lt = {r["unit_id"]: r for r in rows(con, "SELECT * FROM league_table WHERE year = 2024")}
    assert lt[U_MISSING]["read"] is False and lt[U_MISSING]["expected"] is True and lt[U_MISSING]["received"] is False
    assert lt[U_SET_ASIDE]["received"] is True and lt[U_SET_ASIDE]["read"] is False
    assert lt[U_TOTAL_NOT_PARTS]["findings_fail"] == 2 and lt[U_TOTAL_NOT_PARTS]["copy_fail"] == 1
    assert WUSITAI not in lt
    expected = set(reg.expected_units(2024))
    assert {u for u, r in lt.items() if r["expected"]} == expected
