"""The registry of reporting units (assets/registry/) and the resolution of a report to a unit."""

from __future__ import annotations

import csv
import shutil
from pathlib import Path

import pytest

from pipeline.registry import (
    DEFAULT_DIR,
    UNIT_COLUMNS,
    RegistryError,
    load_registry,
    resolve,
)

REPO = Path(__file__).resolve().parents[1]
REGISTRY_DIR = REPO / "assets" / "registry"

TOWNSHIPS = {
    # 阿拉善左旗
    "152921102",
    "152921105",
    "152921110",
    "152921111",
    "152921112",
    "152921113",
    "152921114",
    "152921115",
    "152921203",
    "152921213",
    "152921214",
    "152921215",
    "152921216",
    "152921217",
    "152921401",
    "152921402",
    "152921403",
    "152921404",
    "152921405",
    # 阿拉善右旗
    "152922103",
    "152922104",
    "152922105",
    "152922211",
    "152922212",
    "152922213",
    "152922214",
    # 额济纳旗
    "152923001",
    "152923002",
    "152923100",
    "152923101",
    "152923102",
    "152923104",
    "152923200",
    "152923201",
    "152923202",
    "152923203",
    "152923204",
    "152923205",
    # 高新区
    "152971100",
}


@pytest.fixture(scope="module")
def reg():
    return load_registry()


# ----------------------------------------------------------------------------------------------
# The registry's content


def test_default_dir_is_the_bundled_registry():
    assert DEFAULT_DIR == REGISTRY_DIR
    for name in ("units.csv", "aliases.csv", "extra_units.csv"):
        assert (REGISTRY_DIR / name).is_file(), name


def test_csv_columns():
    with open(REGISTRY_DIR / "units.csv", encoding="utf-8") as f:
        header = next(csv.reader(f))
    assert tuple(header) == UNIT_COLUMNS
    with open(REGISTRY_DIR / "aliases.csv", encoding="utf-8") as f:
        assert next(csv.reader(f)) == ["unit_id", "alias", "valid_from", "valid_to", "source"]
    lines = [
        ln
        for ln in (REGISTRY_DIR / "extra_units.csv").read_text(encoding="utf-8").splitlines()
        if ln.strip() and not ln.startswith("#")
    ]
    assert lines == [",".join(UNIT_COLUMNS)]  # header only: the example row is a comment


def test_units_league_banners_zones_townships(reg):
    assert len(reg) == 45
    assert reg["1529"].level == "league" and reg["1529"].name == "阿拉善盟"
    assert reg["1529"].full_name == "阿拉善盟行政公署"
    banners = {u.unit_id: u.name for u in reg if u.level == "banner"}
    assert banners == {"152921": "阿拉善左旗", "152922": "阿拉善右旗", "152923": "额济纳旗"}
    zones = {u.unit_id for u in reg if u.level == "zone"}
    assert zones == {"152971", "1529-wlbh"}
    assert reg["1529-wlbh"].name == "乌兰布和生态沙产业示范区"
    assert reg["1529-wlbh"].kind == "示范区" and reg["152971"].kind == "开发区"
    townships = {u.unit_id for u in reg if u.level == "township"}
    assert townships == TOWNSHIPS and len(townships) == 39
    assert reg["152921401"].kind == "示范区"
    kinds = {u.kind for u in reg if u.level == "township"}
    assert kinds == {"苏木", "镇", "街道", "示范区"}


def test_registry_matches_the_reference_divisions(reg):
    # shared/ lies beside the repository (CI: beside the fresh clone)
    refs = [
        REPO.parent / "shared" / "reference" / "alxa_divisions.csv",
        Path("/work/shared/reference/alxa_divisions.csv"),
    ]
    ref = next((r for r in refs if r.exists()), None)
    if ref is None:
        pytest.skip("shared reference data not available")
    with open(ref, encoding="utf-8") as f:
        rows = list(csv.DictReader(f))
    for r in rows:
        u = reg[r["code"]]
        if r["parent_code"] != "15":
            assert u.statutory_parent == r["parent_code"], r
        want = r["name"][:-3] if r["name"].endswith("街道办事处") else r["name"]
        assert u.name == want, r


def test_names_and_full_names(reg):
    assert reg["152921203"].name == "巴彦木仁苏木"
    assert reg["152921203"].full_name == "阿拉善左旗巴彦木仁苏木人民政府"
    assert reg["152921"].full_name == "阿拉善左旗人民政府"
    assert reg["152923002"].full_name == "额济纳旗东风街道办事处"
    assert reg["152921403"].name == "南环街道"


def test_statutory_parents(reg):
    for uid in TOWNSHIPS:
        p = reg[uid].statutory_parent
        assert p in {"152921", "152922", "152923", "152971"}, uid
        assert reg[p].level in ("banner", "zone")
    assert reg["152971100"].statutory_parent == "152971"
    for uid in ("152921", "152922", "152923", "152971", "1529-wlbh"):
        assert reg[uid].statutory_parent == "1529"
    assert reg["1529"].statutory_parent is None


def test_managing_bodies_follow_the_overlay(reg):
    managed = {u.unit_id: u.managing_body for u in reg if u.managing_body and u.level == "township"}
    assert managed == {
        "152921203": "1529-wlbh",  # 巴彦木仁苏木 <- 乌兰布和示范区 (合署 with the 高新区)
        "152971100": "152971",  # 乌斯太镇 <- 高新区
        "152921111": "152921401",  # 嘉尔嘎勒赛汉镇 <- 孪井滩
        "152921115": "152921401",  # 腾格里额里斯镇 <- 孪井滩
    }
    assert reg["1529-wlbh"].managing_body == "152971"
    assert reg.parents("152921203") == ["152921", "1529"]
    assert reg.parents("152921203", via="managing") == ["1529-wlbh", "152971", "1529"]
    assert reg.children("152921401", via="managing") == ["152921111", "152921115"]
    assert reg.children("152921401") == []
    assert "152921203" in reg.children("152921")
    assert "152921203" not in reg.children("152921", via="managing")
    assert set(reg.children("152971", via="managing")) == {"1529-wlbh", "152971100"}
    # every unit appears exactly once in each tree below the league
    for via in ("statutory", "managing"):
        below = reg.descendants("1529", via=via)
        assert sorted(below) == sorted(u.unit_id for u in reg if u.unit_id != "1529")


def test_flags_deadlines_and_reporting(reg):
    assert all(u.can_make_rules is False for u in reg)
    assert {reg[u].deadline_kind for u in ("1529", "152921", "152922", "152923")} == {"government"}
    assert all(reg[u].deadline_kind == "township" for u in TOWNSHIPS)
    assert reg["152971"].deadline_kind == "department"
    assert reg["152971100"].files_own_report is False  # joint report with the 高新区
    assert reg["1529-wlbh"].files_own_report is False  # joint report with the 高新区
    assert reg["152921203"].files_own_report is True  # own report, hosted by the 高新区
    for u in reg:
        if not u.files_own_report:
            assert u.note, f"{u.unit_id}: files_own_report=false needs a note"


def test_expected_units(reg):
    e2024 = reg.expected_units(2024)
    assert len(e2024) == 43
    assert "152971100" not in e2024 and "1529-wlbh" not in e2024
    assert "152923104" in e2024
    e2018 = reg.expected_units(2018)
    assert "152923104" not in e2018  # 策克镇 first in the NBS 2023 vintage
    assert "152923205" not in e2018  # 巴音陶海苏木 from 2019
    assert "152923001" in e2018
    assert len(e2018) == 41
    towns_2024 = reg.expected_units(2024, level="township")
    assert len(towns_2024) == 38 and set(towns_2024) == TOWNSHIPS - {"152971100"}
    assert reg.expected_units(2024, level=["league", "banner"]) == ["1529", "152921", "152922", "152923"]


def test_frames(reg):
    uf = reg.units_frame()
    assert len(uf) == 45
    assert list(uf.columns)[: len(UNIT_COLUMNS)] == list(UNIT_COLUMNS)
    assert uf.set_index("unit_id").loc["152921203", "managing_body"] == "1529-wlbh"
    assert str(uf["valid_from"].dtype) == "Int64"
    assert uf["files_own_report"].dtype == bool
    af = reg.aliases_frame()
    assert {"unit_id", "alias", "valid_from", "valid_to", "source"} <= set(af.columns)
    row = af[(af.alias_norm == "巴彦木仁苏木乡") & (af.unit_id == "152921203")]
    assert len(row) == 1 and row.iloc[0]["valid_to"] == 2019
    assert set(af.unit_id) == set(reg.units)
    raw = reg.aliases_frame(generated=False)
    with open(REGISTRY_DIR / "aliases.csv", encoding="utf-8") as f:
        assert len(raw) == sum(1 for _ in csv.DictReader(f))


# ----------------------------------------------------------------------------------------------
# Resolution


@pytest.mark.parametrize(
    "agency, year, unit_id, method",
    [
        ("阿拉善左旗巴彦木仁苏木人民政府", 2024, "152921203", "exact_full_name"),  # the seed report
        ("巴彦木仁苏木乡人民政府", 2018, "152921203", "alias"),  # NBS name until 2019
        ("腾格里经济技术开发区管委会", 2021, "152921401", "alias"),
        ("孪井滩生态移民示范区", 2023, "152921401", "exact_name"),
        ("阿拉善左旗人民政府", 2024, "152921", "exact_full_name"),
        ("阿拉善左旗人民政府", None, "152921", "exact_full_name"),
        ("阿拉善盟行政公署", 2024, "1529", "exact_full_name"),
        ("额济纳旗东风镇人民政府", 2024, "152923101", "exact_full_name"),
        ("东风街道办事处", 2024, "152923002", "alias"),
        ("额济纳旗东风街道办事处", 2024, "152923002", "exact_full_name"),
        ("東風街道辦事處（額濟納旗）", 2024, "152923002", "exact_full_name"),
        ("額濟納旗達來呼布鎮人民政府", 2024, "152923100", "exact_full_name"),
        ("  阿拉善左旗 巴彦木仁苏木 人民政府 ", 2024, "152921203", "exact_full_name"),
        ("阿拉善左旗人民政府办公室", 2024, "152921", "stripped_suffix"),
        ("内蒙古自治区阿拉善盟阿拉善左旗巴彦浩特镇人民政府", 2024, "152921110", "stripped_suffix"),
        ("阿拉善左旗巴彦木仁苏木人民政府2024年政府信息公开工作年度报告", 2024, "152921203", "exact_full_name"),
        ("关于阿拉善左旗巴彦木仁苏木人民政府的报告", 2024, "152921203", "contains"),
        ("阿左旗吉兰泰镇", 2024, "152921112", "alias"),
        ("阿拉善高新区", 2024, "152971", "alias"),
        ("内蒙古阿拉善经济开发区管委会", 2019, "152971", "alias"),
        ("阿拉善高新区(乌斯太镇)", 2024, "152971", "alias"),  # the joint report is the 高新区's
        ("乌斯太镇人民政府", 2024, "152971100", "exact_full_name"),
        ("阿拉善高新区乌斯太镇人民政府", 2024, "152971100", "alias"),
        ("乌兰布和示范区管委会", 2024, "1529-wlbh", "alias"),
        ("巴音高勒苏木", 2019, "152922213", "alias"),
        ("阿拉善左旗南环路街道办事处", 2021, "152921403", "alias"),
    ],
)
def test_resolve_cases(reg, agency, year, unit_id, method):
    r = resolve(agency, None, year, reg)
    assert (r.unit_id, r.method) == (unit_id, method), r
    assert r.candidates[0] == unit_id
    assert 0.0 < r.confidence <= 1.0


def test_resolve_uses_the_default_registry():
    r = resolve("阿拉善左旗巴彦木仁苏木人民政府", None, 2024)
    assert r.unit_id == "152921203" and r.confidence == 1.0


def test_historical_names_match_with_lower_confidence(reg):
    valid = resolve("巴彦木仁苏木乡人民政府", None, 2018, reg)
    old = resolve("巴彦木仁苏木乡人民政府", None, 2024, reg)
    assert old.unit_id == "152921203" and old.method == "alias_historical"
    assert old.confidence < valid.confidence
    assert "2019" in old.reason
    r = resolve("腾格里经济技术开发区", None, 2023, reg)
    assert (r.unit_id, r.method) == ("152921401", "alias_historical")
    r = resolve("孪井滩生态移民示范区", None, 2019, reg)
    assert (r.unit_id, r.method) == ("152921401", "alias_historical")
    # a report for 2021 is published in 2022, under the new name
    r = resolve("孪井滩生态移民示范区", None, 2021, reg)
    assert (r.unit_id, r.method) == ("152921401", "exact_name")


def test_longest_specific_match_wins(reg):
    r = resolve("阿拉善左旗巴彦木仁苏木人民政府办公室", None, 2024, reg)
    assert r.unit_id == "152921203"
    r = resolve("关于印发阿拉善左旗巴彦木仁苏木人民政府", None, 2024, reg)
    assert r.unit_id == "152921203"


def test_unknown_agency_has_no_match_and_a_reason(reg):
    r = resolve("北京市海淀区人民政府", None, 2024, reg)
    assert r.unit_id is None and r.candidates == []
    assert "matches no unit" in r.reason and "北京市海淀区人民政府" in r.reason
    r = resolve("开鲁县东风镇人民政府", None, 2024, reg)  # a 东风镇 outside the league
    assert r.unit_id is None and "开鲁县" in r.reason
    r = resolve("阿拉善左旗东风镇人民政府", None, 2024, reg)  # wrong banner
    assert r.unit_id is None
    r = resolve("", None, 2024, reg)
    assert r.unit_id is None and r.method == "none"


def test_department_of_a_banner_is_not_the_banner(reg):
    for name in ("阿拉善左旗财政局", "阿拉善左旗卫生健康委员会办公室", "阿拉善盟财政局", "中共阿拉善左旗委员会"):
        r = resolve(name, None, 2024, reg)
        assert r.unit_id is None, (name, r)
        assert r.method == "none"
    r = resolve("阿拉善左旗财政局", None, 2024, reg)
    assert "财政局" in r.reason and "extra_units.csv" in r.reason
    # nor does a generic file name in the banner's directory turn it into the banner
    r = resolve("阿拉善左旗财政局", "inbox/2024/阿拉善左旗/年报.docx", 2024, reg)
    assert r.unit_id is None
    r = resolve(None, "inbox/2024/阿拉善左旗/财政局.docx", 2024, reg)
    assert r.unit_id is None and "财政局" in r.reason


def test_ambiguous_name_is_never_guessed(reg):
    for name in ("东风", "额济纳旗东风"):
        r = resolve(name, None, 2024, reg)
        assert r.unit_id is None and r.method == "ambiguous", r
        assert sorted(r.candidates) == ["152923002", "152923101"]
        assert "matches 2 units" in r.reason
    # two bodies named side by side
    r = resolve("阿拉善左旗人民政府、阿拉善右旗人民政府", None, 2024, reg)
    assert r.unit_id is None and sorted(r.candidates) == ["152921", "152922"]


def test_path_only_resolution(reg):
    r = resolve(None, "inbox/2024/阿拉善右旗/雅布赖镇.docx", 2024, reg)
    assert (r.unit_id, r.method, r.source) == ("152922104", "path", "path")
    r = resolve("", "C:\\年报\\额济纳旗\\达来呼布镇人民政府2024年政府信息公开工作年度报告.pdf", 2024, reg)
    assert r.unit_id == "152923100"
    # the agency name gives nothing: the path decides
    r = resolve("北京市海淀区人民政府", "inbox/2024/阿拉善右旗/雅布赖镇.docx", 2024, reg)
    assert (r.unit_id, r.method) == ("152922104", "path")
    # a generic file name: the directory names the unit, with less confidence
    d = resolve(None, "inbox/2024/阿拉善右旗/2024年政府信息公开工作年度报告.docx", 2024, reg)
    f = resolve(None, "inbox/2024/阿拉善右旗/雅布赖镇.docx", 2024, reg)
    assert d.unit_id == "152922" and d.confidence < f.confidence
    # nothing in the path
    r = resolve(None, "inbox/2024/000_92677b2e9b962d1d.txt", 2024, reg)
    assert r.unit_id is None
    # the parent directory narrows a bare stem only if it tells the candidates apart
    r = resolve(None, "inbox/额济纳旗/东风.pdf", 2024, reg)
    assert r.unit_id is None and sorted(r.candidates) == ["152923002", "152923101"]
    # an ambiguous agency is decided by a path that names one of its candidates
    r = resolve("东风", "inbox/额济纳旗/东风镇.pdf", 2024, reg)
    assert (r.unit_id, r.method) == ("152923101", "path_disambiguated")


def test_every_unit_resolves_from_its_own_names(reg):
    for u in reg:
        for year in (2019, 2022, 2024):
            if not u.exists_in(year):
                continue
            for name in (u.full_name, u.name):
                r = resolve(name, None, year, reg)
                assert r.unit_id == u.unit_id, (name, year, r)


# ----------------------------------------------------------------------------------------------
# extra_units.csv


def _copy_registry(tmp_path: Path, extra: str | None) -> Path:
    d = tmp_path / "registry"
    d.mkdir()
    shutil.copy(REGISTRY_DIR / "units.csv", d / "units.csv")
    shutil.copy(REGISTRY_DIR / "aliases.csv", d / "aliases.csv")
    if extra is not None:
        (d / "extra_units.csv").write_text(extra, encoding="utf-8")
    return d


HEADER = ",".join(UNIT_COLUMNS) + "\n"


def test_extra_unit_resolves(tmp_path):
    d = _copy_registry(
        tmp_path,
        HEADER + "# a comment\n"
        "152921-czj,阿拉善左旗财政局,阿拉善左旗财政局,department,部门,152921,,true,false,department,,,,test\n"
        "152923-czj,财政局,额济纳旗财政局,,,152923,,,,,2020,,,defaults filled in\n",
    )
    reg = load_registry(d)
    assert len(reg) == 47
    r = resolve("阿拉善左旗财政局", None, 2024, reg)
    assert (r.unit_id, r.method) == ("152921-czj", "exact_full_name")
    assert resolve("阿拉善左旗财政局办公室", None, 2024, reg).unit_id == "152921-czj"
    assert resolve("额济纳旗财政局", None, 2024, reg).unit_id == "152923-czj"
    assert resolve(None, "inbox/2024/阿拉善左旗/财政局.docx", 2024, reg).unit_id == "152921-czj"
    # a bare department name names no body, and the league's name does not stand for a banner
    assert resolve("财政局", None, 2024, reg).unit_id is None
    assert resolve("阿拉善盟财政局", None, 2024, reg).unit_id is None
    # the banner itself still resolves, and the department is its child
    assert resolve("阿拉善左旗人民政府", None, 2024, reg).unit_id == "152921"
    assert "152921-czj" in reg.children("152921")
    u = reg["152923-czj"]
    assert (u.level, u.kind, u.deadline_kind, u.files_own_report, u.can_make_rules) == (
        "department",
        "部门",
        "department",
        True,
        False,
    )
    assert set(reg.expected_units(2024, level="department")) == {"152921-czj", "152923-czj"}
    assert reg.expected_units(2019, level="department") == ["152921-czj"]
    # the bundled registry is untouched
    assert resolve("阿拉善左旗财政局", None, 2024, load_registry()).unit_id is None


def test_extra_units_argument(tmp_path):
    extra = tmp_path / "more.csv"
    extra.write_text(
        HEADER + "1529-jyj,阿拉善盟教育局,阿拉善盟教育局,department,部门,1529,,true,false,department,,,,\n",
        encoding="utf-8",
    )
    reg = load_registry(REGISTRY_DIR, extra_units=extra)
    assert resolve("阿拉善盟教育局", None, 2024, reg).unit_id == "1529-jyj"


@pytest.mark.parametrize(
    "row, message",
    [
        ("152921,重复,重复,department,部门,152921,,true,false,department,,,,", "duplicate"),
        ("x-1,某局,某局,department,部门,999999,,true,false,department,,,,", "999999"),
        ("x-1,某局,某局,county,部门,152921,,true,false,department,,,,", "level"),
        ("x-1,某局,某局,department,部门,152921,,maybe,false,department,,,,", "boolean"),
    ],
)
def test_bad_extra_units_are_rejected(tmp_path, row, message):
    d = _copy_registry(tmp_path, HEADER + row + "\n")
    with pytest.raises(RegistryError, match=message):
        load_registry(d)


# ----------------------------------------------------------------------------------------------
# Speed


# The speed of 10,000 resolutions is measured by bench/bench_resolve.py, not by a timed test.


def test_aliases_frame_is_in_the_order_of_pandas_stable_sort(reg):
    """aliases_frame sorts its rows in Python: the same frame as pandas' stable sort of the rows in
    the index's order (the general path), ties (same unit, tier and key) kept as listed."""
    import pandas as pd

    cols = ["unit_id", "alias", "alias_norm", "valid_from", "valid_to", "source", "method", "tier"]
    rows = [
        [e.unit_id, e.display, key, e.vfrom, e.vto, e.source, e.method, e.tier]
        for key, entries in reg._index.items()
        for e in entries
    ]
    general = pd.DataFrame(rows, columns=cols)
    for c in ("valid_from", "valid_to"):
        general[c] = general[c].astype("Int64")
    general = general.sort_values(["unit_id", "tier", "alias_norm"], kind="stable").reset_index(drop=True)
    fast = reg.aliases_frame()
    assert len(fast) > 1000
    assert fast.to_csv(index=False) == general.to_csv(index=False)
    pd.testing.assert_frame_equal(fast, general)


def test_a_generated_names_display_is_the_text_where_nothing_was_added(reg):
    """The display of an index entry is the written name itself when neither a prefix nor a suffix
    was added, else the key it is filed under."""
    from pipeline.unit_names import _norm

    for key, entries in reg._index.items():
        for e in entries:
            assert e.display == key or _norm(e.display) == key
