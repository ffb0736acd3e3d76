"""Report pages and the office workbook (pipeline/reports, reports/ templates).

A synthetic warehouse with known values and a few findings inserted here (the same shape the rule
catalogue writes) is rendered; the pages are read back as text. One slow test runs the real
pipeline on a generated inbox with a report whose Table 4 does not add up, and checks that the
failing cell found by the real rules is marked on its page.
"""

from __future__ import annotations

import json
import re
import shutil
from html.parser import HTMLParser
from pathlib import Path

import duckdb
import pytest
from openpyxl import load_workbook

from corpus.synthetic import Synthetic, build
from pipeline.reports import render_all, write_workbook
from pipeline.reports.data import rows
from pipeline.reports.inputs import group_path, unit_path
from pipeline.reports.render import MANIFEST
from pipeline.warehouse import connect

BAD = "152921102"  # 温都尔勒图镇: its 2024 Table 4 review total does not add up
MOVES = "152921203"  # 巴彦木仁苏木
OTHER = "152923100"  # 达来呼布镇 (another banner)
NO_T3 = "152922103"  # 巴丹吉林镇: Table 3 missing
MISSING = "152921105"  # 巴润别立镇: no report in 2024
EVIL = "<script>alert('x')</script>&"


def site_spec() -> Synthetic:
    from pipeline.codebook import cell_ids

    return Synthetic(
        years=(2023, 2024),
        seed=3,
        overrides={
            (BAD, 2024): {
                "T4/review.upheld": "1",
                "T4/review.corrected": "1",
                "T4/review.other": "0",
                "T4/review.pending": "0",
                "T4/review.total": "5",
                "T3/new/total": "",
                "T3/carried_over/total": "/",
            },
            (NO_T3, 2024): {c: None for c in cell_ids() if c.startswith("T3/")},
            (MOVES, 2024): {"T3/new/other_org": "若干"},
        },
        missing={(MISSING, 2024)},
        sections={(BAD, 2024): {"problems": f"存在问题 {EVIL}", "appeals": None}},
        published={(BAD, 2024): "2025-02-20"},
    )


def add_findings(db: Path) -> None:
    con = connect(db)
    try:
        rid = {
            (u, y): r for r, u, y in con.execute("SELECT report_id, unit_id, year FROM reports WHERE active").fetchall()
        }
        ins = (
            "INSERT INTO findings (finding_id, report_id, unit_id, year, rule_id, instance, scope, status, severity, "
            "lhs_cells, rhs_cells, lhs_value, rhs_value, difference, likely_cause, message_zh, other_report_id) "
            "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)"
        )
        con.execute(
            ins,
            [
                "b1",
                rid[(BAD, 2024)],
                BAD,
                2024,
                "t4_group_total",
                "review",
                "report",
                "FAIL",
                "error",
                ["T4/review.total"],
                ["T4/review.upheld", "T4/review.corrected", "T4/review.other", "T4/review.pending"],
                5,
                2,
                3,
                "publisher_error",
                "表四行政复议：总计（5）不等于结果维持、结果纠正、其他结果和尚未审结之和（2），相差3。",
                None,
            ],
        )
        con.execute(
            ins,
            [
                "b2",
                rid[(BAD, 2024)],
                BAD,
                2024,
                "t3_balance",
                "total",
                "report",
                "UNCERTAIN",
                "error",
                ["T3/new/total", "T3/carried_over/total"],
                ["T3/processed_total/total", "T3/carried_forward/total"],
                None,
                None,
                None,
                None,
                "表三“总计”列：有空白或“/”，无法确定是否平衡。",
                None,
            ],
        )
        con.execute(
            ins,
            [
                "b3",
                rid[(BAD, 2024)],
                BAD,
                2024,
                "carryover",
                "total",
                "unit_years",
                "FAIL",
                "error",
                ["T3/carried_over/total"],
                ["prev:T3/carried_forward/total"],
                1,
                4,
                -3,
                None,
                "上年结转衔接：不一致。",
                rid[(BAD, 2023)],
            ],
        )
        con.execute(
            ins,
            [
                "b4",
                rid[(BAD, 2024)],
                BAD,
                2024,
                "copy_across_units",
                "-",
                "units",
                "FAIL",
                "warning",
                [],
                [],
                None,
                None,
                None,
                None,
                "与其他单位雷同。",
                rid[(OTHER, 2024)],
            ],
        )
        con.execute(
            ins,
            [
                "b5",
                rid[(OTHER, 2024)],
                OTHER,
                2024,
                "t3_row_total",
                "new",
                "report",
                "PASS",
                "error",
                ["T3/new/total"],
                ["T3/new/natural_person"],
                1,
                1,
                0,
                None,
                None,
                None,
            ],
        )
        con.execute(
            ins,
            [
                "b6",
                rid[(BAD, 2024)],
                BAD,
                2024,
                "t2_in_force_continuity",
                "rules",
                "unit_years",
                "NOT_ASSESSABLE",
                "warning",
                ["T2/rules/in_force"],
                ["prev:T2/rules/in_force"],
                None,
                None,
                None,
                None,
                "缺少上一年度的数字，无法检查。",
                None,
            ],
        )
        con.execute("CHECKPOINT")
    finally:
        con.close()


def build_site(root: Path) -> tuple[Path, Path, dict]:
    """A warehouse with findings at root/w.duckdb and its pages at root/pages."""
    db = root / "w.duckdb"
    build(db, site_spec())
    add_findings(db)
    pages = root / "pages"
    res = render_all(db, pages)
    return db, pages, res


@pytest.fixture(scope="module")
def site(tmp_path_factory):
    return build_site(tmp_path_factory.mktemp("site"))


class Cells(HTMLParser):
    """The <td data-cell> of a page: cell id -> {"class", "sem", "text", "marks": [(href, text, class)]}."""

    def __init__(self):
        super().__init__()
        self.cells: dict[str, dict] = {}
        self.ids: set[str] = set()
        self._cur: dict | None = None
        self._a: dict | None = None

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        if "id" in a:
            self.ids.add(a["id"])
        if tag == "td" and "data-cell" in a:
            self._cur = {
                "class": a.get("class", "").split(),
                "sem": a.get("data-sem"),
                "text": "",
                "marks": [],
                "title": a.get("title", ""),
            }
            self.cells.setdefault(a["data-cell"], self._cur)
        elif tag == "a" and self._cur is not None:
            self._a = {"href": a.get("href"), "class": a.get("class", ""), "text": ""}

    def handle_endtag(self, tag):
        if tag == "a" and self._a is not None and self._cur is not None:
            self._cur["marks"].append(self._a)
            self._a = None
        elif tag == "td":
            self._cur = None

    def handle_data(self, data):
        if self._a is not None:
            self._a["text"] += data
        elif self._cur is not None:
            self._cur["text"] += data


def parse(path: Path) -> Cells:
    p = Cells()
    p.feed(path.read_text(encoding="utf-8"))
    return p


# ----------------------------------------------------------------------------------------------


def test_every_page_is_rendered(site):
    db, pages, res = site
    con = duckdb.connect(str(db), read_only=True)
    try:
        active = con.execute("SELECT unit_id, year FROM reports WHERE active").fetchall()
        n_groups = con.execute("SELECT count(*) FROM rollup_groups").fetchone()[0]
    finally:
        con.close()
    assert res["pages"] == 1 + n_groups * 2 + len(active) == res["written"]
    for uid, year in active:
        assert (pages / unit_path(uid, year)).is_file()
    for h in ("statutory", "managing"):
        for g in ("1529", "152921", "152922", "152923", "152971"):
            assert (pages / group_path(h, g, 2024)).is_file()
    assert (pages / "index.html").is_file() and (pages / "static" / "nianbao.css").is_file()
    assert (pages / MANIFEST).is_file()


def test_failing_cell_is_marked_with_side_and_finding(site):
    _db, pages, _ = site
    p = parse(pages / unit_path(BAD, 2024))
    total = p.cells["T4/review.total"]
    assert "fail" in total["class"]
    marks = [m for m in total["marks"] if "mk-fail" in m["class"]]
    assert len(marks) == 1 and marks[0]["text"].endswith("左")
    n = marks[0]["href"].lstrip("#")
    assert n in p.ids, "the marker links to a numbered finding on the page"
    for part in ("upheld", "corrected", "other", "pending"):
        c = p.cells[f"T4/review.{part}"]
        assert "fail" in c["class"] and any(m["text"] == n[1:] + "右" for m in c["marks"])
    html = (pages / unit_path(BAD, 2024)).read_text(encoding="utf-8")
    finding = html[html.index(f'id="{n}"') :]
    assert "总计（5）不等于" in finding[:2000]
    # a cell of the other report (prev:) is not marked here; this year's carried_over is
    c = p.cells["T3/carried_over/total"]
    assert any(m["text"].endswith("左") and "mk-fail" in m["class"] for m in c["marks"])
    assert not any("mk-fail" in m["class"] for m in p.cells["T3/carried_forward/total"]["marks"])
    assert "上年的表三 结转下年度·总计" in html
    # UNCERTAIN marks only the operands that are not numbers
    assert any("mk-uncertain" in m["class"] for m in p.cells["T3/new/total"]["marks"])
    assert not any("mk-uncertain" in m["class"] for m in p.cells["T3/processed_total/total"]["marks"])
    # a clean cell carries no marker
    assert p.cells["T2/fees/amount"]["marks"] == [] and "fail" not in p.cells["T2/fees/amount"]["class"]
    # the link to the other report of a cross-year finding
    assert f'href="../../2023/u/{BAD}.html"' in html


def test_blank_na_text_missing_and_zero_are_drawn_differently(site):
    db, pages, _ = site
    con = duckdb.connect(str(db), read_only=True)
    try:
        want = con.execute(
            """SELECT c.cell_id, c.semantic, c.raw FROM cells c JOIN reports r USING (report_id)
                              WHERE r.active AND r.unit_id = ? AND r.year = 2024""",
            [MOVES],
        ).fetchall()
    finally:
        con.close()
    p = parse(pages / unit_path(MOVES, 2024))
    assert len(p.cells) == 200
    seen = {}
    for cid, sem, raw in want:
        c = p.cells[cid]
        assert c["sem"] == sem
        seen.setdefault(sem, c)
    assert "sem-empty" in seen["EMPTY"]["class"] and seen["EMPTY"]["text"] == "空白"
    assert "sem-na" in seen["NA"]["class"] and seen["NA"]["text"] in ("/", "无", "-")
    assert "sem-text" in seen["TEXT"]["class"] and seen["TEXT"]["text"] == "若干"
    assert "z" in seen["ZERO"]["class"] and seen["ZERO"]["text"] == "0"
    q = parse(pages / unit_path(NO_T3, 2024))
    miss = q.cells["T3/new/total"]
    assert miss["sem"] == "MISSING" and "sem-missing" in miss["class"] and miss["text"] == "缺"
    classes = [
        set(seen[s]["class"]) & {"sem-empty", "sem-na", "sem-text", "n"} for s in ("EMPTY", "NA", "TEXT", "ZERO")
    ]
    assert all(len(c) == 1 for c in classes) and len({frozenset(c) for c in classes}) == 4


def test_unit_page_content(site):
    _db, pages, _ = site
    html = (pages / unit_path(BAD, 2024)).read_text(encoding="utf-8")
    for text in (
        "温都尔勒图镇",
        "阿拉善左旗",
        "2025-02-20",
        "逾期",
        "与上年相比",
        "在所属旗（区）中的位置",
        "一、总体情况",
        "（报告中没有这一部分）",
        "表三　收到和处理政府信息公开申请情况",
        "三、本年度办理结果",
        "未经复议直接起诉",
        "复议后起诉",
    ):
        assert text in html, text
    # the official layout: the merged group labels of Table 3 span their rows
    assert 'rowspan="22"' in html and 'rowspan="8"' in html and 'rowspan="5"' in html
    # the narrative is escaped, never executed
    assert EVIL not in html and "&lt;script&gt;alert(" in html
    # 巴彦木仁苏木: both hierarchies named, differently
    html2 = (pages / unit_path(MOVES, 2024)).read_text(encoding="utf-8")
    assert "乌兰布和生态沙产业示范区" in html2 and "（与法定隶属相同）" not in html2


def test_pages_are_self_contained_and_links_resolve(site):
    _db, pages, _ = site
    for page in pages.rglob("*.html"):
        html = page.read_text(encoding="utf-8")
        assert "<script" not in html.lower(), page
        for url in re.findall(r'(?:src|href)="([^"]*)"', html):
            assert not re.match(r"^(https?:)?//", url), (page, url)
            if url.startswith(("#", "data:", "file:")):
                continue
            target = (page.parent / url.split("#")[0]).resolve()
            assert target.is_file(), (page, url)
        assert "@import" not in html and "url(http" not in html
    css = (pages / "static" / "nianbao.css").read_text(encoding="utf-8")
    assert "http" not in css and "@font-face" not in css


def test_group_pages_show_coverage_totals_and_missing(site):
    db, pages, _ = site
    con = duckdb.connect(str(db), read_only=True)
    try:
        rc = {
            r["cell_id"]: r
            for r in rows(
                con, "SELECT * FROM rollup_cells WHERE hierarchy = 'statutory' AND group_id = '152921' AND year = 2024"
            )
        }
        cov = rows(
            con, "SELECT * FROM rollup_coverage WHERE hierarchy = 'statutory' AND group_id = '152921' AND year = 2024"
        )[0]
    finally:
        con.close()
    page = pages / group_path("statutory", "152921", 2024)
    p = parse(page)
    html = page.read_text(encoding="utf-8")
    assert len(p.cells) == 200
    for cid, r in rc.items():
        c = p.cells[cid]
        if r["units_numeric"]:
            v = r["value_sum"]
            assert c["text"].startswith(str(int(v)) if float(v).is_integer() else f"{v:.4f}".rstrip("0")), cid
        if r["units_not_number"]:
            assert "partial" in c["class"] and f"{r['units_not_number']}未计" in c["text"]
    assert cov["missing_names"] == ["巴润别立镇"]
    assert "缺报单位（1）" in html and "巴润别立镇" in html
    assert "<svg" in html and "各单位本年新收政府信息公开申请" in html
    assert f'href="../../../2024/u/{BAD}.html"' in html
    # managing: 巴彦木仁苏木 is on the 高新区's page, not on 阿拉善左旗's
    gx = (pages / group_path("managing", "152971", 2024)).read_text(encoding="utf-8")
    lz = (pages / group_path("managing", "152921", 2024)).read_text(encoding="utf-8")
    assert 'data-unit="152921203"' in gx and 'data-unit="152921203"' not in lz
    league = (pages / group_path("statutory", "1529", 2024)).read_text(encoding="utf-8")
    assert "各旗（区）" in league and "额济纳旗" in league
    index = (pages / "index.html").read_text(encoding="utf-8")
    assert group_path("statutory", "1529", 2024) in index and unit_path(BAD, 2024) in index


def test_a_league_page_lists_its_own_banners_only():
    """A country holds many leagues: each league page lists the banners among its members, not every
    banner of the warehouse (which also made rendering grow with the square of the leagues)."""
    from collections import defaultdict

    from pipeline.reports.data import Data, index_sub_groups
    from pipeline.reports.group import group_context as context_of
    from pipeline.reports.group import group_inputs

    def group_context(d, hierarchy, gid, year):
        return context_of(group_inputs(d, hierarchy, gid, year))

    def unit(uid, level, parent):
        return {"unit_id": uid, "name": f"单位{uid}", "level": level, "statutory_parent": parent, "managing_body": None}

    d = Data(years=[2024], settings={"min_base": "30"})
    d.units = {
        u["unit_id"]: u
        for u in (
            unit("L1", "league", None),
            unit("B1", "banner", "L1"),
            unit("B2", "banner", "L1"),
            unit("L2", "league", None),
            unit("B3", "banner", "L2"),
            unit("T1", "township", "B1"),
        )
    }
    for gid, level in (("L1", "league"), ("B1", "banner"), ("B2", "banner"), ("L2", "league"), ("B3", "banner")):
        d.groups[("statutory", gid)] = {"group_id": gid, "group_name": f"单位{gid}", "group_level": level}
        d.coverage[("statutory", gid, 2024)] = {}
        d.summary[("statutory", gid, 2024)] = defaultdict(int, units_expected=1)
    d.members = {
        ("statutory", "L1"): ["B1", "B2", "T1"],
        ("statutory", "B1"): ["T1"],
        ("statutory", "L2"): ["B3"],
        ("statutory", "B2"): [],
        ("statutory", "B3"): [],
    }
    index_sub_groups(d)
    assert d.sub_groups == {("statutory", "L1"): ["B1", "B2"], ("statutory", "L2"): ["B3"]}
    assert [b["name"] for b in group_context(d, "statutory", "L2", 2024)["banners"]] == ["单位B3"]
    assert [b["name"] for b in group_context(d, "statutory", "L1", 2024)["banners"]] == ["单位B1", "单位B2"]
    assert group_context(d, "statutory", "B1", 2024)["banners"] == []
    # what the page's fingerprint reads follows the same list
    assert [b[0] for b in group_inputs(d, "statutory", "L2", 2024).banners] == ["B3"]


def test_rendering_is_incremental(tmp_path):
    db, pages, first = build_site(tmp_path)
    assert first["written"] == first["pages"]
    again = render_all(db, pages)
    assert again["written"] == 0 and again["unchanged"] == first["pages"]
    manifest = json.loads((pages / MANIFEST).read_text(encoding="utf-8"))
    assert len(manifest["pages"]) == first["pages"]
    # a change of narrative touches only that report's page
    mtimes = {p: p.stat().st_mtime_ns for p in pages.rglob("*.html")}
    con = connect(db)
    rid = con.execute("SELECT report_id FROM reports WHERE active AND unit_id = ? AND year = 2024", [OTHER]).fetchone()[
        0
    ]
    con.execute("UPDATE sections SET text = '改过的文字' WHERE report_id = ? AND section = 'other'", [rid])
    con.close()
    r = render_all(db, pages)
    assert r["written_paths"] == [unit_path(OTHER, 2024)]
    unchanged = [p for p in pages.rglob("*.html") if p != pages / unit_path(OTHER, 2024)]
    assert all(p.stat().st_mtime_ns == mtimes[p] for p in unchanged)
    # a changed figure touches its page, the group pages that add it up, the next year's page of the unit
    # if any, and the index; far from all pages
    con = connect(db)
    con.execute(
        "UPDATE cells SET value = 77, semantic = 'NUMERIC', raw = '77' WHERE report_id = ? "
        "AND cell_id = 'T2/fees/amount'",
        [rid],
    )
    con.close()
    r = render_all(db, pages)
    w = set(r["written_paths"])
    assert unit_path(OTHER, 2024) in w
    assert group_path("statutory", "152923", 2024) in w and group_path("statutory", "1529", 2024) in w
    assert group_path("statutory", "152921", 2024) not in w and unit_path(BAD, 2024) not in w
    assert len(w) < r["pages"] / 4
    # a page deleted by hand comes back; a page of a report no longer active goes
    (pages / unit_path(BAD, 2023)).unlink()
    con = connect(db)
    con.execute("UPDATE reports SET active = false, status = 'superseded' WHERE unit_id = ? AND year = 2024", [MOVES])
    con.close()
    r = render_all(db, pages)
    assert unit_path(BAD, 2023) in r["written_paths"] and (pages / unit_path(BAD, 2023)).is_file()
    assert r["removed"] == 1 and not (pages / unit_path(MOVES, 2024)).exists()


def _tree(root: Path) -> dict[str, bytes]:
    return {str(p.relative_to(root)): p.read_bytes() for p in sorted(root.rglob("*")) if p.is_file()}


def test_forked_workers_render_the_same_pages(site, tmp_path, monkeypatch):
    """Two forked workers (each reading its own reports) write byte for byte the pages that one
    process writes, with the same fingerprints."""
    from pipeline.reports import render as pages_mod

    db, _pages, _ = site
    monkeypatch.setattr(pages_mod, "MIN_PARALLEL", 0)  # fork even for a small site
    monkeypatch.setattr(pages_mod, "BATCH", 7)  # several batches of reports per worker
    one = render_all(db, tmp_path / "one", workers=1)
    two = render_all(db, tmp_path / "two", workers=2)
    assert one["workers"] == 1 and two["workers"] == 2
    assert one["written"] == two["written"] == one["pages"]
    assert _tree(tmp_path / "one") == _tree(tmp_path / "two")
    again = render_all(db, tmp_path / "two", workers=2)
    assert again["written"] == 0 and again["unchanged"] == one["pages"]


def test_stored_rollups_render_the_same_pages_a_slice_of_groups_at_a_time(site, tmp_path, monkeypatch):
    """Where the rollups are tables (a published warehouse) the renderer reads the groups' 200 sums a
    slice of groups at a time (load_rollup_cells), at the lower memory limit; the pages and their
    fingerprints are those of the whole year's sums read at once from the views."""
    from pipeline.reports import render as pages_mod
    from pipeline.reports.data import Data, load_common, load_rollup_cells, load_year, reading
    from pipeline.warehouse import materialize_rollups

    db, _pages, _ = site
    stored = tmp_path / "stored.duckdb"
    shutil.copyfile(db, stored)
    con = connect(stored)
    materialize_rollups(con)
    con.close()
    with reading(db) as con:
        assert not pages_mod._materialized(con)
        common = load_common(con)
        whole = load_year(con, common, 2024).rollup_cells
    with reading(stored, memory=pages_mod.YEAR_READ_MEMORY) as con:
        assert pages_mod._materialized(con)
        keys = sorted(k[:2] for k in whole)
        d = Data()
        load_rollup_cells(con, d, 2024, keys[1::2] + [("statutory", "no-such-group")])
        assert d.rollup_cells == {k: v for k, v in whole.items() if k[:2] in set(keys[1::2])}
        assert list(d.rollup_cells[(*keys[1], 2024)]) == list(whole[(*keys[1], 2024)])  # cells in order
        load_rollup_cells(con, d, 2024)
        assert d.rollup_cells == whole
    monkeypatch.setattr(pages_mod, "MIN_PARALLEL", 0)
    monkeypatch.setattr(pages_mod, "GROUP_SLICE", 2)  # several slices a year
    monkeypatch.setattr(pages_mod, "GROUP_BATCH", 3)  # and chunks of groups left over between slices
    views = render_all(db, tmp_path / "views", workers=1)
    for workers in (1, 2):
        r = render_all(stored, tmp_path / f"stored{workers}", workers=workers)
        assert r["written"] == r["pages"] == views["pages"]
        assert _tree(tmp_path / f"stored{workers}") == _tree(tmp_path / "views")


def test_a_failing_worker_fails_the_render(site, tmp_path, monkeypatch):
    from pipeline.reports import render as pages_mod

    db, _pages, _ = site
    monkeypatch.setattr(pages_mod, "MIN_PARALLEL", 0)
    # forked workers, so that they share the broken page_context (spawned ones import their own)
    monkeypatch.setattr(pages_mod, "START_METHOD", "fork")

    def broken(*_a, **_k):
        raise ValueError("a broken page")

    monkeypatch.setattr(pages_mod, "page_context", broken)
    with pytest.raises(RuntimeError, match="a broken page"):
        render_all(db, tmp_path / "p", workers=2)
    assert not (tmp_path / "p" / MANIFEST).exists(), "no manifest claims pages that were not written"


def test_unchanged_pages_are_judged_by_their_inputs(tmp_path, monkeypatch):
    """A re-render with nothing changed builds no page context and reads no report's cells, narrative
    or findings: the fingerprints come from the year's rows and DuckDB's digests of the reports."""
    from pipeline.reports import render as pages_mod

    db, pages, first = build_site(tmp_path)

    def refuse(*_a, **_k):
        raise AssertionError("an unchanged page was rebuilt")

    with monkeypatch.context() as m:
        for name in ("unit_context", "group_context", "load_reports"):
            m.setattr(pages_mod, name, refuse)
        again = render_all(db, pages)
    assert again["written"] == 0 and again["unchanged"] == first["pages"]
    # a finding's wording shows on its unit's page only; its status also changes the counts of the
    # groups above (and the index)
    con = connect(db)
    con.execute("UPDATE findings SET message_zh = '改过的说明' WHERE finding_id = 'b1'")
    con.close()
    r = render_all(db, pages)
    assert r["written_paths"] == [unit_path(BAD, 2024)]
    assert "改过的说明" in (pages / unit_path(BAD, 2024)).read_text(encoding="utf-8")
    con = connect(db)
    con.execute("UPDATE findings SET status = 'PASS' WHERE finding_id = 'b1'")
    con.close()
    w = set(render_all(db, pages)["written_paths"])
    assert unit_path(BAD, 2024) in w and group_path("statutory", "152921", 2024) in w and "index.html" in w
    assert unit_path(OTHER, 2024) not in w and group_path("statutory", "152923", 2024) not in w
    # a unit's page compares with its report of the year before: a changed figure there shows
    con = connect(db)
    rid = con.execute("SELECT report_id FROM reports WHERE active AND unit_id = ? AND year = 2023", [OTHER]).fetchone()[
        0
    ]
    con.execute(
        "UPDATE cells SET value = 4321, semantic = 'NUMERIC', raw = '4321' WHERE report_id = ? "
        "AND cell_id = 'T3/new/total'",
        [rid],
    )
    con.close()
    w = set(render_all(db, pages)["written_paths"])
    assert {unit_path(OTHER, 2023), unit_path(OTHER, 2024)} <= w
    assert "4321" in (pages / unit_path(OTHER, 2024)).read_text(encoding="utf-8")


def test_readers_are_bounded(site):
    from pipeline.reports.data import READ_MEMORY, reading

    db, _pages, _ = site
    held = duckdb.connect(str(db), read_only=True)  # someone else holding the file open, settings of their own
    with reading(db) as con:
        assert (
            con.execute("SELECT count(*) FROM reports").fetchone()
            == held.execute("SELECT count(*) FROM reports").fetchone()
        )
        limit, threads, tmp = con.execute(
            "SELECT current_setting('memory_limit'), current_setting('threads'), current_setting('temp_directory')"
        ).fetchone()
        assert threads == 1 and Path(tmp).is_dir()
        want = (
            duckdb.connect(config={"memory_limit": READ_MEMORY})
            .execute("SELECT current_setting('memory_limit')")
            .fetchone()[0]
        )
        assert limit == want
    assert not Path(tmp).exists(), "the temporary directory goes with the connection"
    held.close()


def test_workbook_opens_and_its_totals_equal_the_warehouse(site, tmp_path):
    db, _pages, _ = site
    path = tmp_path / "nianbao.xlsx"
    res = write_workbook(db, path)
    wb = load_workbook(path)
    assert wb.sheetnames == [
        "汇总",
        "单位排行",
        "检查发现",
        "规则汇总",
        "缺报单位",
        "全部单元格",
        "复核记录",
        "整改情况",
        "说明",
    ]
    con = duckdb.connect(str(db), read_only=True)
    try:
        summary = {(r["year"], r["hierarchy"], r["group_id"]): r for r in rows(con, "SELECT * FROM rollup_summary")}
        sums = {
            (r["year"], r["hierarchy"], r["group_id"]): r["value_sum"]
            for r in rows(con, "SELECT * FROM rollup_cells WHERE cell_id = 'T3/new/total'")
        }
        cells = {
            (r["unit_id"], r["year"], r["cell_id"]): r
            for r in rows(
                con, "SELECT r.unit_id, r.year, c.* FROM cells c JOIN reports r USING (report_id) WHERE r.active"
            )
        }
        n_findings = con.execute("SELECT count(*) FROM findings WHERE status IN ('FAIL', 'UNCERTAIN')").fetchone()[0]
        n_pass = con.execute("SELECT count(*) FROM findings WHERE status = 'PASS'").fetchone()[0]
        n_na = con.execute("SELECT count(*) FROM findings WHERE status = 'NOT_ASSESSABLE'").fetchone()[0]
        n_active = con.execute("SELECT count(*) FROM reports WHERE active").fetchone()[0]
    finally:
        con.close()
    ws = wb["汇总"]
    head = [c.value for c in ws[1]]
    assert ws.freeze_panes == "A2" and "本年新收申请" in head
    col = {h: i for i, h in enumerate(head)}
    hz = {"法定隶属": "statutory", "管理关系": "managing"}
    n = 0
    for row in ws.iter_rows(min_row=2, values_only=True):
        key = (row[col["年度"]], hz[row[col["口径"]]], str(row[col["单位代码"]]))
        s = summary[key]
        assert row[col["应报单位"]] == s["units_expected"] and row[col["已读取"]] == s["reports_read"]
        assert row[col["缺报"]] == s["units_missing"] and row[col["检查不成立"]] == s["findings_fail"]
        if s["applications_new"] is None:
            assert row[col["本年新收申请"]] is None
        else:
            assert row[col["本年新收申请"]] == pytest.approx(s["applications_new"])
            assert row[col["本年新收申请"]] == pytest.approx(sums[key])
            assert isinstance(row[col["本年新收申请"]], (int, float))
        n += 1
    assert n == len(summary) == res["summary_rows"]
    # FAIL and UNCERTAIN are listed; NOT_ASSESSABLE (like PASS) is only counted, per rule
    assert wb["检查发现"].max_row == n_findings + 1 == res["findings"] + 1
    assert {r[7] for r in wb["检查发现"].iter_rows(min_row=2, values_only=True)} == {"不成立", "无法确定"}
    rules_head = [c.value for c in wb["规则汇总"][1]]
    by_rule = list(wb["规则汇总"].iter_rows(min_row=2, values_only=True))
    assert sum(r[rules_head.index("成立")] for r in by_rule) == n_pass > 0
    assert sum(r[rules_head.index("无法检查")] for r in by_rule) == n_na == res["not_assessable"] > 0
    missing = [r for r in wb["缺报单位"].iter_rows(min_row=2, values_only=True)]
    assert any(r[0] == 2024 and r[1] == MISSING for r in missing)
    ws = wb["全部单元格"]
    assert ws.freeze_panes == "D3" and ws.max_column == 203 and ws.max_row == n_active + 2
    ids = [c.value for c in ws[2]][3:]
    assert len(ids) == 200 and ids[0] == "T2/rules/issued" and "T4/suit_after_review.total" in ids
    assert ws.column_dimensions["B"].width >= 15
    labels = [c.value for c in ws[1]]
    assert labels[:3] == ["单位代码", "单位", "年度"] and labels[3].startswith("表二")
    checked = set()
    for row in ws.iter_rows(min_row=3, values_only=True):
        uid, _name, year = row[:3]
        for cid, v in zip(ids, row[3:]):
            c = cells[(uid, year, cid)]
            sem = c["semantic"]
            if sem in ("NUMERIC", "ZERO"):
                assert isinstance(v, (int, float)) and v == pytest.approx(c["value"])
            elif sem == "EMPTY":
                assert v == "〔空白〕"
            elif sem == "NA":
                assert v.startswith("〔不适用〕")
            elif sem == "MISSING":
                assert v == "〔缺〕"
            elif sem == "TEXT":
                assert v.startswith("〔文字〕")
            checked.add(sem)
    assert checked == {"NUMERIC", "ZERO", "EMPTY", "NA", "MISSING", "TEXT"}
    legend = {r[0]: r[1] for r in wb["说明"].iter_rows(min_row=2, values_only=True)}
    assert "〔空白〕" in legend and "〔缺〕" in legend
    assert "无法检查" in legend["检查发现"] and "规则汇总" in legend["检查发现"]


def test_dagster_assets_materialise(site, tmp_path):
    import dagster as dg

    from pipeline.orchestration.report_assets import REPORT_ASSETS
    from pipeline.orchestration.resources import NianbaoResource

    db, _pages, _ = site
    out = tmp_path / "run"
    (assets,) = REPORT_ASSETS
    keys = [k.to_user_string() for k in assets.keys]
    assert sorted(keys) == ["office_workbook", "report_pages"]
    for k in assets.keys:
        assert assets.group_names_by_key[k] == "report"
        # rendered from the checked candidate, before publishing: the published warehouse waits for
        # them and switches in with them (one set, issue 14)
        assert dg.AssetKey("findings") in assets.asset_deps[k]
    from pipeline.definitions import warehouse as published

    assert {dg.AssetKey("report_pages"), dg.AssetKey("office_workbook")} <= set(
        published.asset_deps[dg.AssetKey("warehouse")]
    )
    res = dg.materialize(
        REPORT_ASSETS,
        resources={"nianbao": NianbaoResource(out=str(out), db=str(db))},
        instance=dg.DagsterInstance.ephemeral(),
    )
    assert res.success
    assert (out / "pages" / "index.html").is_file() and (out / "nianbao.xlsx").is_file()
    mats = [e.event_specific_data.materialization for e in res.get_asset_materialization_events()]
    meta = {m.asset_key.to_user_string(): m.metadata for m in mats}
    assert meta["report_pages"]["index"].value == str(out / "pages" / "index.html")
    assert meta["office_workbook"]["path"].value == str(out / "nianbao.xlsx")


@pytest.mark.slow
def test_real_pipeline_marks_the_failing_cell(tmp_path):
    """The whole pipeline on generated files: the real rules find the bad Table 4, the page marks it."""
    from corpus import example_spec, write
    from pipeline.registry import load_registry
    from pipeline.run import run_pipeline
    from pipeline.settings import from_env

    reg = load_registry()
    inbox = tmp_path / "inbox"
    units = ["152921", "152921102", "152921110", "152921203", "152922103"]
    for year in (2023, 2024):
        for i, uid in enumerate(units):
            u = reg[uid]
            spec = example_spec(
                seed=10 * year + i, agency=u.full_name, year=year, published_on=f"{year + 1}-01-{10 + i:02d}"
            )
            if uid == "152921102" and year == 2024:
                spec.cells.update(
                    {
                        "T4/review.upheld": "1",
                        "T4/review.corrected": "1",
                        "T4/review.other": "0",
                        "T4/review.pending": "0",
                        "T4/review.total": "5",
                    }
                )
            (inbox / str(year)).mkdir(parents=True, exist_ok=True)
            write(spec, inbox / str(year) / f"{u.name}.txt", "text")
    settings = from_env(inbox=str(inbox), out=str(tmp_path / "out"), workers=1)
    ok, _ = run_pipeline(settings)
    assert ok
    con = duckdb.connect(str(settings.db), read_only=True)
    try:
        f = con.execute(
            "SELECT lhs_cells, rhs_cells FROM findings WHERE unit_id = '152921102' AND year = 2024 "
            "AND rule_id = 't4_group_total' AND instance = 'review' AND status = 'FAIL'"
        ).fetchall()
    finally:
        con.close()
    assert f, "the rule catalogue finds the bad Table 4"
    res = render_all(settings.db, settings.pages)
    assert res["pages"] > 10
    p = parse(settings.pages / unit_path("152921102", 2024))
    c = p.cells["T4/review.total"]
    assert "fail" in c["class"] and any(m["text"].endswith("左") for m in c["marks"])
    assert any(m["text"].endswith("右") for m in p.cells["T4/review.upheld"]["marks"])
    wb = write_workbook(settings.db, settings.workbook)
    assert wb["reports"] == len(units) * 2
    shutil.rmtree(settings.pages.resolve())  # pages is a link to the published set


def test_a_page_is_built_from_its_inputs_and_their_digest_is_its_fingerprint(site):
    """Each page's inputs are one frozen value; the page's context is built from that value alone (and,
    for a unit page, the bulk of its report, whose digests the value holds), and the fingerprint is the
    value's digest: a field added to the inputs or a value changed in them changes the fingerprint."""
    import dataclasses
    import inspect
    import pickle

    from pipeline.reports import render as render_mod
    from pipeline.reports.data import load, load_index, reading
    from pipeline.reports.group import GroupInputs, group_context, group_inputs
    from pipeline.reports.index import IndexInputs, index_context, index_inputs
    from pipeline.reports.unit import UnitInputs, unit_bulk, unit_context, unit_inputs

    db, pages, _ = site
    d = load(db, 2024)
    with reading(db) as con:
        load_index(con, d)
    salt = render_mod.template_salt()
    env = render_mod.environment()
    unit = unit_inputs(d, BAD, 2024)
    group = group_inputs(d, "statutory", "152921", 2024)
    index = index_inputs(d)
    for inp, cls, tname, rel in (
        (unit, UnitInputs, "unit.html", unit_path(BAD, 2024)),
        (group, GroupInputs, "group.html", group_path("statutory", "152921", 2024)),
        (index, IndexInputs, "index.html", "index.html"),
    ):
        assert type(inp) is cls
        with pytest.raises(dataclasses.FrozenInstanceError):
            inp.year = 1999
        fp = render_mod.fingerprint(salt, tname, inp)
        # the fingerprint the renderer kept for the page is this value's
        assert json.loads((pages / MANIFEST).read_text(encoding="utf-8"))["pages"][rel]["fp"] == fp
        # a field added to the inputs, whatever its value, changes the fingerprint
        wider = dataclasses.make_dataclass(
            cls.__name__, [("added", object, dataclasses.field(default=None))], bases=(cls,), frozen=True
        )
        values = {f.name: getattr(inp, f.name) for f in dataclasses.fields(cls)}
        fps = {render_mod.fingerprint(salt, tname, wider(**values, added=v)) for v in (None, 0, "x")}
        assert len(fps) == 3 and fp not in fps
        # and so does any field's value
        first = dataclasses.fields(cls)[0].name
        assert render_mod.fingerprint(salt, tname, dataclasses.replace(inp, **{first: "other"})) != fp
        # the page drawn from a copy of the value (and the bulk) is the page on disk: nothing else is read
        copy = pickle.loads(pickle.dumps(inp))
        bulk = pickle.loads(pickle.dumps(unit_bulk(d, inp))) if cls is UnitInputs else None
        html = env.get_template(tname).render(**render_mod.page_context(copy, bulk)).encode("utf-8")
        assert html == (pages / rel).read_bytes()
    # the context builders take the inputs value (and a unit page's bulk), never the loaded data
    assert list(inspect.signature(unit_context).parameters) == ["inp", "bulk"]
    assert list(inspect.signature(group_context).parameters) == ["inp"]
    assert list(inspect.signature(index_context).parameters) == ["inp"]
    # a unit page's bulk is covered by the digests in its inputs
    assert unit.bulk_digests and unit.findings_digest


def test_the_renderer_holds_the_year_it_renders_and_the_year_before(tmp_path):
    """load_common keeps no unit-year, report header or unit figure; load_year those of its year and the
    year before only (at a country's scale every year's would not fit beside the workers)."""
    from pipeline.reports.data import load_common, load_year, reading

    db = tmp_path / "w.duckdb"
    build(db, Synthetic(years=(2022, 2023, 2024), seed=1))
    with reading(db) as con:
        common = load_common(con)
        assert common.all_years == [2022, 2023, 2024]
        assert not common.unit_years and not common.reports and not common.report_by_unit_year
        assert {k[0] for k in common.derived} == {"group"}
        d = load_year(con, common, 2024)
        n_2024 = con.execute("SELECT count(*) FROM reports WHERE active AND year = 2024").fetchone()[0]
        years_of = {}
        for uid, y in con.execute("SELECT unit_id, year FROM reports WHERE active ORDER BY unit_id, year").fetchall():
            years_of.setdefault(uid, []).append(y)
    assert {y for (_u, y) in d.unit_years} == {2023, 2024}
    assert {r["year"] for r in d.reports.values()} == {2023, 2024}
    assert {k[2] for k in d.derived if k[0] == "unit"} == {2023, 2024}
    assert sum(1 for (_u, y) in d.report_by_unit_year if y == 2024) == n_2024
    # the years a unit page links to still cover every year
    assert d.report_years == {uid: ys for uid, ys in years_of.items() if 2024 in ys}
    assert (2022, 2023, 2024) in {tuple(v) for v in d.report_years.values()}
    assert not common.unit_years, "a year's data is not added to the common part"
