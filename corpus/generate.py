"""The corpus generator: a realistic, deterministic inbox of annual reports and its answer key.

``python -m corpus.generate --out DIR --seed N --years 2022 2023 2024 [--units alxa|all-nmg|N]
[--mix default|text-only|even] [--scale N] [--registry-out DIR] [--workers N]`` writes

- ``DIR/inbox/``: one file per report, in the forms offices publish (web-page text in six table layouts,
  HTML in utf-8/gbk/gb18030, Word, PDF, and PDFs of scanned or photographed pages without a text layer,
  read by OCR; kind ``jpg_pages``: photos of the pages as numbered files ``<name>_1.jpg`` …
  ``<name>_n.png``, one report whose truth ``path`` is its page 1), with the file names and folders
  offices use, plus a few bad files (empty, binary, a truncated PDF, a page whose tables are missing, a
  body outside the registry, one report saved twice under two names, an older version of a report);
- ``DIR/truth.jsonl``: one JSON object per file (see :func:`truth_record`): the unit, year, agency,
  publication date and period as written, the 200 cells of the codebook exactly as a perfect reader
  returns them (`truth.expected_cells`), the defects injected with the cells they concern, and for bad
  files the status the pipeline should give them (``set_aside`` / ``duplicate`` / ``superseded``);
- ``--registry-out DIR``: a registry folder (units.csv, aliases.csv, extra_units.csv) covering every
  generated unit, for ``NIANBAO_REGISTRY=DIR``.

Units (``--units``): ``alxa`` every unit of the bundled registry that files its own report, for each year
it exists; ``all-nmg`` those plus every league/city, banner/county and township of Inner Mongolia from
``reference/nmg_divisions.csv`` (read at generation time, never copied into the repository); ``N``
(a number) the Alxa units followed by simulated leagues built like Alxa (a league, three banners, a
development zone, 8–13 townships a banner, league and banner departments) with invented names, N units
in all. ``--scale N`` asks for exactly N reports (unit-years, the units in order, each with its years):
simulated leagues are added when the base set is too small, and the base set is cut when it is larger.

Values are shaped like reality (most townships receive no or few applications, banners and the league
tens, departments more) and every identity of FORMAT.md holds unless a defect breaks it on purpose:
Table 3 balance, outcome sum and row totals, Table 4 group totals, carried_over(y) = carried_forward(y-1)
of the same unit, Table 2 in_force(y) = in_force(y-1) + issued(y) - repealed(y), 规章 0/0/0 for bodies
that cannot make rules. Narratives are composed from a bank of sentences with the true figures.

Determinism: every random choice comes from a ``random.Random`` seeded with a string made of the seed
and what is being decided (``"7|values|152921203|2024"``), so the same seed gives byte-identical files
and truth whatever the number of workers, and a report does not change when other reports are added
or the defect rates change. Word files are re-zipped with fixed timestamps; PDFs use reportlab's
invariant mode.
"""

from __future__ import annotations

import argparse
import csv
import hashlib
import io
import json
import os
import random
import shutil
import sys
import time
import zipfile
from dataclasses import dataclass, field
from datetime import date, timedelta
from pathlib import Path

from pipeline.codebook import T3_APPLICANT_COLUMNS, T3_OUTCOME_ROWS, T4_PARTS, cell_ids
from pipeline.registry import DEFAULT_DIR, UNIT_COLUMNS, load_registry

from .model import data_row_codes
from .spec import SPAM_LINES, ReportSpec
from .truth import expected_cells, expected_extra_cells

ROOT = Path(__file__).resolve().parents[1]
SAMPLE_DIR = ROOT / "assets" / "sample"
SAMPLE_SEED = 20240601
SAMPLE_YEARS = (2022, 2023, 2024)
SEED_REPORT = ROOT / "tests" / "fixtures" / "seed_2024_bayanmuren.txt"
SEED_REPORT_KEY = ROOT / "tests" / "fixtures" / "seed_2024_bayanmuren.expected.json"
SEED_REPORT_DEST = "2024/阿拉善左旗巴彦木仁苏木人民政府2024年政府信息公开工作年度报告.txt"

T3_ROWS = tuple(data_row_codes("T3", "2021"))
T3_COLS = tuple(T3_APPLICANT_COLUMNS) + ("total",)
T4_GROUPS = ("review", "suit_direct", "suit_after_review")
T4_COLS = tuple(T4_PARTS) + ("total",)
CARRY_ROWS = ("carried_over", "carried_forward")

# ------------------------------------------------------------------------------------------------
# Defects and bad files

DEFECT_KINDS = (
    "arithmetic_slip",
    "split_digit",
    "blank_cells",
    "na_cells",
    "truncated_table",
    "malformed_t4",
    "format_2019",
    "missing_section",
    "wrong_period_year",
    "late_publication",
    "copied_narrative",
    "spam_lines",
    "traditional",
    "rules_nonzero",
    "carryover_break",
    "fees_unmentioned",
)
DEFAULT_RATES = {
    "arithmetic_slip": 0.05,
    "split_digit": 0.04,
    "blank_cells": 0.05,
    "na_cells": 0.04,
    "truncated_table": 0.03,
    "malformed_t4": 0.04,
    "format_2019": 0.03,
    "missing_section": 0.04,
    "wrong_period_year": 0.04,
    "late_publication": 0.06,
    "copied_narrative": 0.05,
    "spam_lines": 0.08,
    "traditional": 0.03,
    "rules_nonzero": 0.04,
    "carryover_break": 0.04,
    "fees_unmentioned": 0.03,
}
# Defects that change Table 3 cells (never together with a truncated Table 3).
_T3_CELL_DEFECTS = ("arithmetic_slip", "split_digit", "blank_cells", "na_cells", "carryover_break")
# Pairs that are never drawn together (the later one in DEFECT_KINDS order is dropped).
_EXCLUSIVE = {("truncated_table", k) for k in _T3_CELL_DEFECTS} | {
    ("format_2019", "rules_nonzero"),
    ("format_2019", "fees_unmentioned"),
    ("format_2019", "truncated_table"),
}

BAD_KINDS = ("empty", "binary", "binary_doc", "truncated_pdf", "no_tables", "unknown_body", "duplicate", "superseded")
EXPECTED_STATUS = {
    "empty": "set_aside",
    "binary": "set_aside",
    "binary_doc": "set_aside",
    "truncated_pdf": "set_aside",
    "no_tables": "set_aside",
    "unknown_body": "set_aside",
    "duplicate": "duplicate",
    "superseded": "superseded",
}

MIXES = {
    "default": (("text", 0.40), ("html", 0.35), ("docx", 0.12), ("pdf", 0.13)),
    "text-only": (("text", 1.0),),
}
# The "even" mix cycles through these forms (tests: every kind and layout in a small corpus).
EVEN_FORMS = (
    ("text", {"layout": "A"}),
    ("html", {"encoding": "utf-8"}),
    ("text", {"layout": "B1"}),
    ("docx", {}),
    ("text", {"layout": "B2"}),
    ("html", {"encoding": "gbk"}),
    ("text", {"layout": "C"}),
    ("pdf", {}),
    ("text", {"layout": "mixed"}),
    ("html", {"encoding": "gb18030"}),
    ("text", {"layout": "wrapped"}),
    ("html", {"encoding": "utf-8", "t2_split": True}),
)
TEXT_LAYOUTS = ("A", "B1", "B2", "C", "mixed", "wrapped")


def _rng(*parts) -> random.Random:
    return random.Random("|".join(map(str, parts)))


# ------------------------------------------------------------------------------------------------
# Units


@dataclass
class GenUnit:
    unit_id: str
    name: str
    full_name: str
    level: str
    kind: str
    statutory_parent: str | None = None
    managing_body: str | None = None
    deadline_kind: str = "township"
    valid_from: int | None = None
    valid_to: int | None = None
    can_make_rules: bool = False
    office: str = ""  # whose office keeps the file (folder names)
    site: tuple[str, str] = ("阿拉善盟行政公署", "http://www.als.gov.cn/")
    area_code: str = "0483"
    row: dict | None = None  # registry row to write; None: already in the bundled registry
    extra: bool = False  # a department: extra_units.csv

    def exists_in(self, year: int) -> bool:
        return (self.valid_from is None or self.valid_from <= year) and (self.valid_to is None or year <= self.valid_to)

    @property
    def activity(self) -> str:
        return self.level


_ALXA_SITES = {
    "1529": ("阿拉善盟行政公署", "http://www.als.gov.cn/"),
    "152921": ("阿拉善左旗人民政府", "http://www.alszq.gov.cn/"),
    "152922": ("阿拉善右旗人民政府", "http://www.alsyq.gov.cn/"),
    "152923": ("额济纳旗人民政府", "http://www.ejnq.gov.cn/"),
    "152971": ("阿拉善高新区、乌兰布和示范区管委会", "http://gxq.als.gov.cn/"),
}


def units_alxa(registry=None) -> list[GenUnit]:
    """Every unit of the registry that files its own report (registry order)."""
    reg = registry or load_registry()
    out = []
    for u in reg:
        if not u.files_own_report:
            continue
        chain = [u.unit_id] + reg.parents(u.unit_id, "managing")
        site = next((_ALXA_SITES[c] for c in chain if c in _ALXA_SITES), _ALXA_SITES["1529"])
        if u.level in ("league", "zone"):
            office = reg[reg.parents(u.unit_id)[-1]].name if u.statutory_parent else u.name
        elif u.level == "banner":
            office = u.name
        else:
            office = reg[u.statutory_parent].name if u.statutory_parent else u.name
        out.append(
            GenUnit(
                u.unit_id,
                u.name,
                u.full_name,
                u.level,
                u.kind,
                u.statutory_parent,
                u.managing_body,
                u.deadline_kind,
                u.valid_from,
                u.valid_to,
                u.can_make_rules,
                office,
                site,
            )
        )
    return out


_AREA = {
    "1501": "0471",
    "1502": "0472",
    "1503": "0473",
    "1504": "0476",
    "1505": "0475",
    "1506": "0477",
    "1507": "0470",
    "1508": "0478",
    "1509": "0474",
    "1522": "0482",
    "1525": "0479",
    "1529": "0483",
}


def nmg_divisions_path() -> Path:
    for p in (
        os.environ.get("NIANBAO_NMG_DIVISIONS"),
        ROOT.parent / "shared" / "reference" / "nmg_divisions.csv",
        Path("/work/shared/reference/nmg_divisions.csv"),
    ):
        if p and Path(p).exists():
            return Path(p)
    raise FileNotFoundError("reference/nmg_divisions.csv not found (set NIANBAO_NMG_DIVISIONS)")


def _row(u: GenUnit, files_own_report: bool = True, note: str = "") -> dict:
    return {
        "unit_id": u.unit_id,
        "name": u.name,
        "full_name": u.full_name,
        "level": u.level,
        "kind": u.kind,
        "statutory_parent": u.statutory_parent or "",
        "managing_body": u.managing_body or "",
        "files_own_report": "true" if files_own_report else "false",
        "can_make_rules": "true" if u.can_make_rules else "false",
        "deadline_kind": u.deadline_kind,
        "valid_from": "" if u.valid_from is None else str(u.valid_from),
        "valid_to": "" if u.valid_to is None else str(u.valid_to),
        "name_from": "",
        "note": note,
    }


def units_all_nmg(registry=None) -> list[GenUnit]:
    """Alxa's units from the registry, then every other unit of Inner Mongolia (NBS 2023 divisions)."""
    out = units_alxa(registry)
    rows = list(csv.DictReader(nmg_divisions_path().open(encoding="utf-8")))
    by_code = {r["code"]: r for r in rows}
    for r in rows:
        code, name, level = r["code"], r["name"], r["level"]
        if code.startswith("1529") or level == "province":
            continue
        pref = code[:4]
        area = _AREA.get(pref, "0471")
        if level == "prefecture":
            is_city = name.endswith("市")
            u = GenUnit(
                code,
                name,
                name + ("人民政府" if is_city else "行政公署"),
                "league",
                "盟",
                None,
                None,
                "government",
                can_make_rules=is_city,
                office=name,
                site=(name + ("人民政府" if is_city else "行政公署"), f"http://www.{code}.gov.cn/"),
                area_code=area,
            )
        elif level == "county":
            zone = code[4] == "7"
            u = GenUnit(
                code,
                name,
                name + "管理委员会" if zone else name + "人民政府",
                "zone" if zone else "banner",
                "开发区" if zone else "旗",
                r["parent_code"],
                None,
                "department" if zone else "government",
                office=name,
                site=(name + ("管理委员会" if zone else "人民政府"), f"http://www.{code}.gov.cn/"),
                area_code=area,
            )
        else:
            county = by_code.get(r["parent_code"], {}).get("name", "")
            if name.endswith(("街道", "办事处")):
                kind, full = "街道", county + name + ("" if name.endswith("办事处") else "办事处")
            elif name.endswith("苏木"):
                kind, full = "苏木", county + name + "人民政府"
            elif name.endswith(("镇", "乡")):
                kind, full = "镇", county + name + "人民政府"
            else:
                kind, full = None, county + name
            u = GenUnit(
                code,
                name,
                full,
                "township",
                kind or "部门",
                r["parent_code"],
                None,
                "township",
                office=county,
                site=(county + "人民政府", f"http://www.{r['parent_code']}.gov.cn/"),
                area_code=area,
            )
            if kind is None:  # farms, forest centres ...: no report of their own
                u.row = _row(u, files_own_report=False, note="nmg_divisions (no own report)")
                out.append(u)
                continue
        u.row = _row(u, note="nmg_divisions")
        out.append(u)
    return out


# Invented names: Mongolian place-name morphemes and common Han township names.
_MN = (
    "巴彦",
    "乌兰",
    "查干",
    "哈日",
    "呼和",
    "阿拉坦",
    "宝力格",
    "额尔敦",
    "锡林",
    "温都尔",
    "塔拉",
    "敖包",
    "布拉格",
    "高勒",
    "淖尔",
    "陶勒盖",
    "毛都",
    "乌苏",
    "希勒",
    "诺尔",
    "图门",
    "白音",
    "伊和",
    "巴嘎",
    "沙日",
    "浩饶",
    "哈达",
    "宝音",
    "朝鲁",
    "那仁",
    "吉日嘎郎",
    "赛罕",
    "都贵",
    "孟根",
    "阿木",
    "布日都",
    "额很",
    "巴润",
    "特莫",
    "包日",
    "苏布日格",
    "达来",
    "哈拉",
    "德勒",
    "敦达",
    "格日勒",
    "呼都格",
    "乌力吉",
    "满都拉",
    "察汗",
    "图古日格",
    "希热",
    "昂素",
    "吉兰",
    "伊克",
    "芒来",
    "额布都",
    "道劳",
    "阿日",
    "恩格尔",
)
_HAN = (
    "新华",
    "东风",
    "红旗",
    "和平",
    "胜利",
    "建设",
    "永兴",
    "太平",
    "长青",
    "丰收",
    "团结",
    "向阳",
    "光明",
    "兴隆",
    "富民",
    "安定",
    "联合",
    "双河",
    "清水",
    "白塔",
    "柳树",
    "榆树",
    "黄花",
    "沙湾",
    "石门",
    "金山",
    "三合",
    "五一",
    "北山",
    "南湖",
)
_BANNER_SUFFIX = ("旗", "旗", "左旗", "右旗", "前旗", "中旗", "后旗", "县")
DEPARTMENTS = (
    "财政局",
    "生态环境局",
    "自然资源局",
    "教育局",
    "卫生健康委员会",
    "公安局",
    "市场监督管理局",
    "住房和城乡建设局",
    "交通运输局",
    "农牧局",
    "民政局",
    "人力资源和社会保障局",
    "应急管理局",
    "林业和草原局",
    "水务局",
    "文化旅游体育局",
    "审计局",
    "统计局",
    "司法局",
    "医疗保障局",
)
UNKNOWN_BODIES = ("气象局", "档案馆", "地震局", "供销合作社联合社")  # never generated as registered units


def simulated_units(seed, n_units: int, taken: set[str]) -> list[GenUnit]:
    """Leagues built like Alxa, with invented names, until `n_units` units."""
    out: list[GenUnit] = []
    rng = _rng(seed, "simulated")
    li = 0

    def fresh(make) -> str:
        for _ in range(10000):
            n = make()
            if n not in taken:
                taken.add(n)
                return n
        raise RuntimeError("ran out of invented names")

    while len(out) < n_units:
        li += 1
        lid = f"sim{li:04d}"
        league = fresh(lambda: rng.choice(_MN) + rng.choice(_MN) + "盟")
        area = f"04{rng.randint(70, 89)}"
        lsite = (league + "行政公署", f"http://www.{lid}.gov.cn/")
        units = [
            GenUnit(
                lid,
                league,
                league + "行政公署",
                "league",
                "盟",
                None,
                None,
                "government",
                office=league,
                site=lsite,
                area_code=area,
            )
        ]
        banners = []
        for bi in range(rng.choice((2, 3, 3, 4))):
            bname = fresh(lambda: rng.choice(_MN) + rng.choice(_MN) + rng.choice(_BANNER_SUFFIX))
            bid = f"{lid}-{21 + bi}"
            banners.append((bid, bname))
            units.append(
                GenUnit(
                    bid,
                    bname,
                    bname + "人民政府",
                    "banner",
                    "旗",
                    lid,
                    None,
                    "government",
                    office=bname,
                    site=(bname + "人民政府", f"http://www.{bid}.gov.cn/"),
                    area_code=area,
                )
            )
        zname = fresh(lambda: league[:-1] + rng.choice(("经济技术开发区", "高新技术产业开发区", "经济开发区")))
        units.append(
            GenUnit(
                f"{lid}-71",
                zname,
                zname + "管理委员会",
                "zone",
                "开发区",
                lid,
                None,
                "department",
                office=league,
                site=(zname + "管理委员会", f"http://{lid}-71.gov.cn/"),
                area_code=area,
            )
        )
        for bid, bname in banners:
            used: set[str] = set()
            for ti in range(rng.randint(8, 13)):
                r = rng.random()
                if r < 0.45:
                    stem, kind = rng.choice(_MN) + rng.choice(_MN), "苏木"
                elif r < 0.85:
                    stem, kind = (rng.choice(_MN) if rng.random() < 0.6 else rng.choice(_HAN)), "镇"
                else:
                    stem, kind = rng.choice(_HAN), "街道"
                tname = stem + kind
                if tname in used:
                    continue
                used.add(tname)
                code = f"{bid}-{(1 if kind == '街道' else 2 if kind == '苏木' else 1)}{ti:02d}"
                full = bname + tname + ("办事处" if kind == "街道" else "人民政府")
                units.append(
                    GenUnit(
                        code,
                        tname,
                        full,
                        "township",
                        kind,
                        bid,
                        None,
                        "township",
                        office=bname,
                        site=(bname + "人民政府", f"http://www.{bid}.gov.cn/"),
                        area_code=area,
                    )
                )
        for owner_id, owner, k in [(lid, league, rng.randint(3, 5))] + [(b, n, rng.randint(2, 4)) for b, n in banners]:
            for d in rng.sample(DEPARTMENTS, k):
                did = f"{owner_id}-d{DEPARTMENTS.index(d):02d}"
                units.append(
                    GenUnit(
                        did,
                        owner + d,
                        owner + d,
                        "department",
                        "部门",
                        owner_id,
                        None,
                        "department",
                        office=owner if owner_id == lid else owner,
                        site=(
                            owner + "人民政府" if owner_id != lid else league + "行政公署",
                            f"http://www.{owner_id}.gov.cn/",
                        ),
                        area_code=area,
                        extra=True,
                    )
                )
        for u in units:
            u.row = _row(u, note="simulated")
        out += units
    return out[:n_units]


def select_units(units_arg: str, years: list[int], scale: int | None, seed) -> list[tuple[GenUnit, list[int]]]:
    """The units and their report years: ``scale`` unit-years exactly when given."""
    if units_arg == "alxa":
        base = units_alxa()
    elif units_arg == "all-nmg":
        base = units_all_nmg()
    else:
        n = int(units_arg)
        base = units_alxa()
        if n > len(base):
            base += simulated_units(seed, n - len(base), {u.name for u in base} | {u.full_name for u in base})
        base = base[:n]
    plan: list[tuple[GenUnit, list[int]]] = []
    for u in base:
        if u.row is not None and u.row.get("files_own_report") == "false":
            continue
        ys = [y for y in years if u.exists_in(y)]
        if ys:
            plan.append((u, ys))
    if scale is None:
        return plan
    total = sum(len(ys) for _, ys in plan)
    if total < scale:
        taken = {u.name for u, _ in plan} | {u.full_name for u, _ in plan}
        extra_units = simulated_units(seed, (scale - total) // max(1, len(years)) + 60, taken)
        existing = {u.unit_id for u, _ in plan}
        base_all = [u for u, _ in plan] + [u for u in extra_units if u.unit_id not in existing]
        plan = [(u, [y for y in years if u.exists_in(y)]) for u in base_all]
    out, left = [], scale
    for u, ys in plan:
        if left <= 0:
            break
        take = ys[:left]
        out.append((u, take))
        left -= len(take)
    return out


def write_registry(out_dir: str | Path, units: list[GenUnit]) -> None:
    """units.csv, aliases.csv, extra_units.csv: the bundled registry plus every generated unit."""
    out_dir = Path(out_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    shutil.copyfile(DEFAULT_DIR / "aliases.csv", out_dir / "aliases.csv")
    seen: set[str] = set()
    for fname, extra in (("units.csv", False), ("extra_units.csv", True)):
        src = (DEFAULT_DIR / fname).read_text(encoding="utf-8-sig").splitlines()
        with (out_dir / fname).open("w", encoding="utf-8", newline="") as f:
            f.write("\n".join(src) + "\n")
            w = csv.DictWriter(f, fieldnames=list(UNIT_COLUMNS), lineterminator="\n")
            for u in units:
                if u.row is None or u.extra != extra or u.unit_id in seen:
                    continue
                seen.add(u.unit_id)
                w.writerow(u.row)


# ------------------------------------------------------------------------------------------------
# Narrative: banks of sentences. Every slot has several wordings; a unit never uses the same wording
# of a slot two years running, so only an injected `copied_narrative` repeats a previous year. No
# sentence outside section 六 contains 费, so `fees_unmentioned` is exactly "六 says nothing of fees".

OPENINGS = (
    "{year}年，{agency}坚持以习近平新时代中国特色社会主义思想为指导，认真贯彻落实《中华人民共和国政府信息公开条例》，"
    "坚持以公开为常态、不公开为例外，持续深化政务公开，政府信息公开工作取得新进展。",
    "{year}年，{agency}严格按照《中华人民共和国政府信息公开条例》和上级政务公开工作要点的部署，围绕中心工作，"
    "扎实推进决策、执行、管理、服务、结果公开，不断提升政务公开质量和实效。",
    "{year}年，在上级政务公开主管部门的指导下，{agency}把政府信息公开作为建设法治政府、服务型政府的重要抓手，"
    "进一步完善工作机制，规范公开内容，拓展公开渠道。",
    "{year}年，{agency}紧紧围绕年度重点任务，以群众关注关切为导向，全面落实政府信息公开各项要求，"
    "主动公开、依申请公开和平台建设等工作有序推进。",
    "{year}年以来，{agency}把政务公开纳入重要议事日程，主要负责同志亲自部署，分管负责同志具体抓落实，"
    "形成了一级抓一级、层层抓落实的工作格局。",
    "{year}年，{agency}深入贯彻落实党中央、国务院关于全面推进政务公开工作的决策部署，以制度建设为保障，"
    "以平台建设为支撑，推动政府信息公开工作规范化、标准化。",
    "{year}年度，{agency}以提升公开质效为目标，聚焦群众办事创业需求，统筹推进政务公开各项工作，"
    "政府透明度和公信力进一步提升。",
)

PROACTIVE = (
    "（一）主动公开情况。\n全年通过政府门户网站主动公开政府信息{n_info}条，其中政策文件{n_docs}件、"
    "工作动态{n_news}条，通过政务新媒体发布信息{n_wechat}条。",
    "（一）主动公开情况。\n{year}年共主动公开各类政府信息{n_info}条，及时公开机构职能、规划计划、"
    "预决算、重大项目等法定主动公开内容，制发行政规范性文件{n_norm}件。",
    "（一）主动公开情况。\n围绕群众关心关注的热点，全年累计发布政府信息{n_info}条，"
    "“{short}”微信公众号推送信息{n_wechat}篇，重点领域信息公开做到应公开尽公开。",
    "（一）主动公开情况。\n严格落实主动公开基本目录，全年在政府信息公开专栏更新信息{n_info}条，"
    "发布政策解读{n_interp}篇，做到政策文件与解读材料同步起草、同步审签、同步发布。",
    "（一）主动公开情况。\n{year}年，依托门户网站、公开栏和政务新媒体，公开各类信息共计{n_info}条，"
    "其中涉及民生保障、乡村振兴等领域信息{n_news}条。",
    "（一）主动公开情况。\n坚持“以公开为常态”，本年度主动公开政府信息{n_info}条，比上年{more_less}，"
    "对现行有效的行政规范性文件进行集中公开，目前现行有效{n_in_force}件。",
)

REQUESTS = (
    "全年共受理政府信息公开申请{new}件，答复{processed}件（含上年度结转申请{carried_over}件，"
    "另有{carried_forward}件结转下年度办理）。",
    "{year}年共收到政府信息公开申请{new}件，上年结转{carried_over}件，已办结{processed}件，"
    "结转下年度继续办理{carried_forward}件。",
    "本年度新收政府信息公开申请{new}件，加上上年结转的{carried_over}件，全年共答复{processed}件，"
    "{carried_forward}件结转下年度办理。",
    "全年受理依申请公开{new}件，连同上年度结转的{carried_over}件，按期答复{processed}件，"
    "另有{carried_forward}件在法定期限内结转至下年度。",
    "{year}年，共受理政府信息公开申请{new}件，答复{processed}件（其中上年度结转{carried_over}件），"
    "结转下年度办理{carried_forward}件，所有申请均在法定期限内答复。",
)
REQUESTS_LEAD = (
    "（二）依申请公开情况。\n严格按照法定程序和时限办理政府信息公开申请，规范答复文书格式。",
    "（二）依申请公开情况。\n进一步规范依申请公开受理、登记、审核、答复等环节，做到件件有回音。",
    "（二）依申请公开情况。\n畅通网上申请、信函申请、当面申请等渠道，依法保障公众的知情权。",
    "（二）依申请公开情况。\n健全依申请公开工作流程，加强与申请人沟通，提高答复质量。",
    "（二）依申请公开情况。\n坚持依法依规、便民高效的原则办理政府信息公开申请。",
)
APPEALS = (
    "全年发生政府信息公开行政复议{review}件、行政诉讼{suit}件。",
    "因政府信息公开工作被申请政府信息公开行政复议{review}件，提起行政诉讼{suit}件。",
    "本年度政府信息公开行政复议{review}件，行政诉讼{suit}件。",
    "{year}年，涉及政府信息公开的行政复议{review}件、行政诉讼{suit}件。",
)

MANAGEMENT = (
    "（三）政府信息管理情况。\n严格落实信息发布审核制度，做到“先审查、后公开”“一事一审”，全年未发生泄密事件。",
    "（三）政府信息管理情况。\n对{year}年以前制发的行政规范性文件进行全面清理，及时更新现行有效文件目录，"
    "确保公开信息准确、权威。",
    "（三）政府信息管理情况。\n建立健全信息公开保密审查机制，明确审查责任，规范信息发布流程，"
    "对拟公开信息逐条审核把关。",
    "（三）政府信息管理情况。\n落实政府信息公开属性源头认定制度，公文在拟制时即明确公开属性，不予公开的说明理由。",
    "（三）政府信息管理情况。\n定期对门户网站已公开信息进行检查，对过时、失效的信息及时调整，"
    "全年开展自查{n_checks}次。",
)

PLATFORM = (
    "（四）政府信息公开平台建设情况。\n持续优化政府信息公开专栏，规范栏目设置，完善检索功能，方便群众查询获取信息。",
    "（四）政府信息公开平台建设情况。\n加强政府网站和政务新媒体管理，“{short}”微信公众号全年发布信息{n_wechat}条，"
    "政务公开渠道进一步拓宽。",
    "（四）政府信息公开平台建设情况。\n在办事大厅设置政府信息查阅点，配备查阅设备，为群众提供现场查阅和咨询服务。",
    "（四）政府信息公开平台建设情况。\n按照集约化要求，将网站内容迁移至统一平台，栏目设置更加规范，信息更新更加及时。",
    "（四）政府信息公开平台建设情况。\n利用村（嘎查）务公开栏、电子显示屏等载体，"
    "推动政务信息向基层延伸，全年更新公开栏{n_boards}期。",
)

OVERSIGHT = (
    "（五）监督保障情况。\n将政务公开工作纳入年度考核，组织开展业务培训{n_training}次，不断提升工作人员业务能力。",
    "（五）监督保障情况。\n成立政务公开工作领导小组，明确专人负责，全年召开专题会议{n_meetings}次，"
    "研究部署政务公开工作。",
    "（五）监督保障情况。\n主动接受社会监督，畅通意见反馈渠道，全年未发生因政府信息公开工作引发的责任追究情况。",
    "（五）监督保障情况。\n建立政务公开工作考核和社会评议制度，对照上级评估指标逐项整改，工作规范化水平不断提高。",
    "（五）监督保障情况。\n加强对政府信息公开工作的日常督促检查，开展专项检查{n_checks}次，发现问题及时整改。",
)

PROBLEMS = (
    "一是公开内容不够丰富，部分领域信息公开的深度和广度还有待加强。",
    "二是信息更新不够及时，个别栏目更新频率较低。",
    "一是政策解读形式较为单一，图解、视频等解读方式运用不多。",
    "二是工作人员业务能力有待提升，对政务公开标准规范的理解还不够深入。",
    "一是基层政务公开标准化规范化建设还需深化，公开事项目录有待完善。",
    "二是依申请公开答复质量还需进一步提高，答复文书的规范性仍有不足。",
    "一是政务新媒体的互动性不强，回应社会关切的时效性有待提高。",
    "二是主动公开意识还不够强，部分信息公开滞后于工作实际。",
)
IMPROVEMENTS = (
    "下一步，我们将进一步完善工作机制，加强队伍建设，提高政府信息公开工作质量。",
    "{next_year}年，将加强业务培训，定期组织学习《中华人民共和国政府信息公开条例》，提升工作人员业务水平。",
    "针对上述问题，将进一步丰富政策解读形式，综合运用图表图解、音视频等方式，增强解读效果。",
    "下一步，将严格落实信息发布审核制度，加强栏目日常巡查维护，确保信息更新及时准确。",
    "{next_year}年，将对照政务公开标准目录，全面梳理公开事项，推进基层政务公开标准化规范化建设。",
    "今后，将进一步规范依申请公开办理流程，加强答复文书审核，切实提高答复质量。",
    "我们将以问题为导向，认真抓好整改落实，推动政务公开工作再上新台阶。",
)

FEE_SENTENCES = (
    "（一）{year}年，{agency}未收取信息处理费。",
    "（一）本年度未发生收取信息处理费的情况。",
    "（一）{agency}{year}年度没有收取信息处理费。",
    "（一）按照《政府信息公开信息处理费管理办法》，本机关{year}年未收取信息处理费。",
    "（一）{year}年，我单位未发生需收取信息处理费的情况。",
)
FEE_CHARGED = ("（一）{year}年，依据《政府信息公开信息处理费管理办法》收取信息处理费{fee}元。",)
OTHER_ITEMS = (
    "（二）人大代表建议和政协委员提案办理情况。{year}年共承办人大代表建议{n_proposals}件、政协委员提案{n_motions}件，"
    "均已按期办结并公开办理结果。",
    "（二）政务公开工作要点落实情况。按照上级年度政务公开工作要点，逐项细化任务，明确责任，各项任务均已落实。",
    "（二）{year}年，{agency}按照相关要求，扎实开展政府信息公开工作，定期在官方网站和政务新媒体发布政策文件、"
    "工作动态和公共服务信息。",
    "（二）无其他需要报告的事项。",
    "（二）政务公开培训情况。全年组织政务公开专题培训{n_training}次，参训人员{n_trainees}人次。",
)
OTHER_NO_FEE = (  # for fees_unmentioned: section 六 without a word about fees
    "{year}年，{agency}无其他需要报告的事项。",
    "按照上级年度政务公开工作要点，逐项细化任务，明确责任，各项任务均已落实。",
    "{year}年，{agency}按照相关要求，扎实开展政府信息公开工作，定期在官方网站和政务新媒体发布政策文件和工作动态。",
    "本年度无其他需要报告的事项。",
)

SLOTS = (
    "opening",
    "proactive",
    "requests_lead",
    "requests",
    "appeals",
    "management",
    "platform",
    "oversight",
    "problem_a",
    "problem_b",
    "improve_a",
    "improve_b",
    "fee",
    "other_item",
)
_BANKS = {
    "opening": OPENINGS,
    "proactive": PROACTIVE,
    "requests_lead": REQUESTS_LEAD,
    "requests": REQUESTS,
    "appeals": APPEALS,
    "management": MANAGEMENT,
    "platform": PLATFORM,
    "oversight": OVERSIGHT,
    "problem_a": PROBLEMS[0::2],
    "problem_b": PROBLEMS[1::2],
    "improve_a": IMPROVEMENTS[:4],
    "improve_b": IMPROVEMENTS[4:],
    "fee": FEE_SENTENCES,
    "other_item": OTHER_ITEMS,
}


def _pick(rng: random.Random, slot: str, prev: dict[str, int] | None, chosen: dict[str, int], bank=None) -> str:
    bank = bank if bank is not None else _BANKS[slot]
    n = len(bank)
    i = rng.randrange(n)
    if prev is not None and prev.get(slot) == i and n > 1:
        i = (i + 1 + rng.randrange(n - 1)) % n
    chosen[slot] = i
    return bank[i]


def compose(
    rng: random.Random,
    *,
    agency: str,
    short: str,
    year: int,
    figures: dict,
    prev: dict[str, int] | None = None,
    level: str = "township",
    fee_charged: float | None = None,
    mention_fees: bool = True,
) -> tuple[dict[str, str], dict[str, int]]:
    """The overview, problems and other sections, and the wording chosen per slot.

    `figures`: new, processed, carried_over, carried_forward (T3 totals), review, suit (T4 totals),
    n_norm and n_in_force (T2 normative documents).
    """
    chosen: dict[str, int] = {}
    big = level in ("banner", "league", "department", "zone")
    n_info = rng.randint(150, 2500) if big else rng.randint(20, 260)
    f = {
        "agency": agency,
        "short": short,
        "year": year,
        "next_year": year + 1,
        "n_info": n_info,
        "n_docs": max(figures.get("n_norm", 0), rng.randint(1, 40 if big else 6)),
        "n_news": rng.randint(n_info // 5, max(n_info // 5 + 1, n_info // 2)),
        "n_wechat": rng.randint(30, 900 if big else 260),
        "n_interp": rng.randint(1, 30 if big else 6),
        "n_norm": figures.get("n_norm", 0),
        "n_in_force": figures.get("n_in_force", 0),
        "more_less": rng.choice(("有所增加", "基本持平", "略有减少", "明显增加")),
        "n_checks": rng.randint(2, 12),
        "n_boards": rng.randint(4, 24),
        "n_training": rng.randint(1, 8),
        "n_meetings": rng.randint(2, 10),
        "n_proposals": rng.randint(3, 60),
        "n_motions": rng.randint(3, 80),
        "n_trainees": rng.randint(20, 300),
        "new": figures["new"],
        "processed": figures["processed"],
        "carried_over": figures["carried_over"],
        "carried_forward": figures["carried_forward"],
        "review": figures["review"],
        "suit": figures["suit"],
    }
    overview = [
        _pick(rng, "opening", prev, chosen),
        _pick(rng, "proactive", prev, chosen),
        _pick(rng, "requests_lead", prev, chosen)
        + _pick(rng, "requests", prev, chosen)
        + _pick(rng, "appeals", prev, chosen),
        _pick(rng, "management", prev, chosen),
        _pick(rng, "platform", prev, chosen),
        _pick(rng, "oversight", prev, chosen),
    ]
    lead = rng.choice(
        (
            "{year}年，我单位政府信息公开工作取得了一定成效，但仍存在一些问题和不足：",
            "对照上级要求和群众期盼，{agency}政府信息公开工作还存在以下不足：",
            "在肯定成绩的同时，我们也清醒地认识到存在的问题：",
        )
    )
    problems = [
        lead + _pick(rng, "problem_a", prev, chosen) + _pick(rng, "problem_b", prev, chosen),
        _pick(rng, "improve_a", prev, chosen) + _pick(rng, "improve_b", prev, chosen),
    ]
    if mention_fees:
        if fee_charged:
            other = [FEE_CHARGED[0]]
            f["fee"] = f"{fee_charged:g}"
        else:
            other = [_pick(rng, "fee", prev, chosen)]
        other.append(_pick(rng, "other_item", prev, chosen))
    else:
        other = [_pick(rng, "other_item", prev, chosen, bank=OTHER_NO_FEE)]
    texts = {
        "overview": "\n".join(s.format(**f) for s in overview),
        "problems": "\n".join(s.format(**f) for s in problems),
        "other": "\n".join(s.format(**f) for s in other),
    }
    return texts, chosen


def mentions_fees(text: str | None) -> bool:
    return bool(text) and "费" in text


# ------------------------------------------------------------------------------------------------
# Values

# (share of years with no new application, low, high) of new applications a year, by level.
ACTIVITY = {
    "township": (0.62, 1, 5),
    "zone": (0.25, 2, 18),
    "banner": (0.0, 8, 60),
    "league": (0.0, 12, 90),
    "department": (0.15, 3, 120),
}
COLUMN_WEIGHTS = (0.86, 0.06, 0.005, 0.01, 0.025, 0.04)  # natural_person .. other_org
OUTCOME_WEIGHTS = (
    0.38,
    0.08,
    0.005,
    0.005,
    0.005,
    0.015,
    0.02,
    0.02,
    0.01,
    0.02,
    0.22,
    0.04,
    0.03,
    0.04,
    0.03,
    0.005,
    0.01,
    0.01,
    0.02,
    0.002,
    0.01,
)
_BIG = ("banner", "league", "department", "zone")


@dataclass
class UnitState:
    """What a unit's next report depends on."""

    fwd: dict[str, int] | None = None  # carried_forward per applicant column, last year
    norm_in_force: int | None = None
    rules_in_force: int = 0
    sections: dict[str, str | None] | None = None  # last year's overview/problems/other as written
    chosen: dict[str, int] | None = None
    factor: float = 1.0
    profile: dict | None = None  # the unit's usual levels (see make_profile)


def make_profile(rng: random.Random, unit: GenUnit) -> dict:
    """A unit's usual yearly levels: figures change from year to year around them, not at random."""
    level = unit.activity
    big = level in _BIG
    p0, lo, hi = ACTIVITY.get(level, ACTIVITY["township"])
    if level == "township":
        active = rng.random() < 0.3
        p0, hi = (0.35, 5) if active else (0.8, 3)
    lic = {
        "township": (0, 300),
        "zone": (100, 2000),
        "banner": (800, 12000),
        "league": (200, 5000),
        "department": (0, 3000),
    }.get(level, (0, 300))
    pen = {
        "township": (0, 30),
        "zone": (10, 300),
        "banner": (100, 2500),
        "league": (20, 800),
        "department": (0, 1500),
    }.get(level, (0, 30))
    return {
        "p_zero": p0,
        "lo": lo,
        "hi": hi,
        "new": rng.randint(lo, hi),
        "licensing": 0 if (not big and rng.random() < 0.5) else rng.randint(*lic),
        "penalties": 0 if (not big and rng.random() < 0.6) else rng.randint(*pen),
        "coercion": (0 if rng.random() < 0.85 else rng.randint(1, 5))
        if not big
        else (0 if rng.random() < 0.3 else rng.randint(1, 120)),
        "fees": 0.0 if rng.random() < 0.85 else round(rng.uniform(0.01, 5.0) if not big else rng.uniform(10, 900), 4),
    }


def _vary(rng: random.Random, base, lo: float = 0.7, hi: float = 1.4):
    if not base:
        return base
    if isinstance(base, float):
        return round(base * rng.uniform(lo, hi), 4)
    return max(1, round(base * rng.uniform(lo, hi)))


def _split(rng: random.Random, n: int, weights) -> list[int]:
    out = [0] * len(weights)
    if n <= 0:
        return out
    for i in rng.choices(range(len(weights)), weights=weights, k=n):
        out[i] += 1
    return out


def _t3_totals(v: dict) -> None:
    """Row totals, the processed_total row (sum of the 21 outcomes) and its total."""
    for r in T3_ROWS:
        if r == "processed_total":
            continue
        v[f"T3/{r}/total"] = sum(v[f"T3/{r}/{c}"] for c in T3_APPLICANT_COLUMNS)
    for c in T3_COLS:
        v[f"T3/processed_total/{c}"] = sum(v[f"T3/{r}/{c}"] for r in T3_OUTCOME_ROWS)


def gen_values(rng: random.Random, unit: GenUnit, year: int, st: UnitState, quiet: bool = False) -> dict:
    """The true numbers of one report (cell id -> int, fees a float); all identities hold."""
    v: dict = {}
    level = unit.activity
    prof = st.profile or make_profile(rng, unit)
    if quiet or rng.random() < prof["p_zero"]:
        n_new = 0
    elif level in _BIG:
        n_new = _vary(rng, max(1, round(prof["new"] * st.factor)))
    else:
        n_new = rng.randint(1, prof["hi"])
    new = _split(rng, n_new, COLUMN_WEIGHTS)
    if st.fwd is not None:
        carried = [st.fwd[c] for c in T3_APPLICANT_COLUMNS]
    elif quiet or level == "township":
        carried = [0] * 6
    else:
        carried = [rng.choice((0, 0, 0, 1, 2, 3)) if c == "natural_person" else 0 for c in T3_APPLICANT_COLUMNS]
    p_fwd = 0.08 if level == "township" else 0.3
    for ci, c in enumerate(T3_APPLICANT_COLUMNS):
        v[f"T3/new/{c}"] = new[ci]
        v[f"T3/carried_over/{c}"] = carried[ci]
        avail = new[ci] + carried[ci]
        fwd = 0
        if avail and not quiet and rng.random() < p_fwd:
            fwd = rng.randint(1, max(1, avail // 6))
        v[f"T3/carried_forward/{c}"] = fwd
        outs = _split(rng, avail - fwd, OUTCOME_WEIGHTS)
        for r, n in zip(T3_OUTCOME_ROWS, outs):
            v[f"T3/{r}/{c}"] = n
    _t3_totals(v)
    # Table 4
    for g, (pz_town, pz_big, hi4) in zip(T4_GROUPS, ((0.97, 0.55, 4), (0.99, 0.7, 2), (0.995, 0.85, 1))):
        pz = pz_town if level == "township" else pz_big
        total = 0 if (quiet or rng.random() < pz) else rng.randint(1, hi4)
        parts = _split(rng, total, (0.55, 0.1, 0.2, 0.15))
        for p, n in zip(T4_PARTS, parts):
            v[f"T4/{g}.{p}"] = n
        v[f"T4/{g}.total"] = total
    # Table 2
    big = level in _BIG
    if unit.can_make_rules:
        r_iss, r_rep = rng.randint(0, 3), rng.randint(0, 2)
        prev = st.rules_in_force or rng.randint(20, 80)
        r_rep = min(r_rep, prev)
        v["T2/rules/issued"], v["T2/rules/repealed"], v["T2/rules/in_force"] = r_iss, r_rep, prev + r_iss - r_rep
    else:
        v["T2/rules/issued"] = v["T2/rules/repealed"] = v["T2/rules/in_force"] = 0
    hi_iss = {"township": 3, "zone": 8, "banner": 25, "league": 30, "department": 8}.get(level, 3)
    iss = rng.randint(0, hi_iss) if (big or rng.random() < 0.5) else 0
    if st.norm_in_force is None:
        lo_if, hi_if = {
            "township": (0, 12),
            "zone": (10, 60),
            "banner": (40, 220),
            "league": (60, 300),
            "department": (5, 60),
        }.get(level, (0, 12))
        prev_if = rng.randint(lo_if, hi_if)
    else:
        prev_if = st.norm_in_force
    rep = min(prev_if + iss, rng.randint(0, max(1, iss // 2 + (3 if big else 1))) if rng.random() < 0.6 else 0)
    v["T2/normative_docs/issued"], v["T2/normative_docs/repealed"] = iss, rep
    v["T2/normative_docs/in_force"] = prev_if + iss - rep
    v["T2/licensing/decisions"] = _vary(rng, prof["licensing"])
    v["T2/penalties/decisions"] = _vary(rng, prof["penalties"])
    v["T2/coercion/decisions"] = _vary(rng, prof["coercion"])
    v["T2/fees/amount"] = _vary(rng, prof["fees"]) or 0
    return v


def _fmt(x, comma: bool = False, decimals: int = 4) -> str:
    if isinstance(x, float) and not float(x).is_integer():
        return f"{x:.{decimals}f}"
    n = int(x)
    if comma and abs(n) >= 1000:
        return f"{n:,}"
    return str(n)


def cells_from_values(v: dict, comma: bool = False, fee_decimals: int = 4) -> dict[str, str]:
    out = {}
    for cid in cell_ids():
        x = v[cid]
        if cid == "T2/fees/amount":
            out[cid] = _fmt(x, decimals=fee_decimals) if x else "0"
        else:
            out[cid] = _fmt(x, comma=comma and cid.startswith("T2/"))
    return out


def t2v2019_cells(rng: random.Random, v: dict, level: str) -> dict[str, str]:
    """Table 2 of the 2019 trial format, from the same true numbers."""
    big = level in _BIG
    c = {}
    for code in ("rules",):
        c[f"T2v2019/{code}/produced"] = c[f"T2v2019/{code}/published"] = "0"
        c[f"T2v2019/{code}/total_public"] = "0"
    c["T2v2019/normative_docs/produced"] = str(v["T2/normative_docs/issued"])
    c["T2v2019/normative_docs/published"] = str(v["T2/normative_docs/issued"])
    c["T2v2019/normative_docs/total_public"] = str(v["T2/normative_docs/in_force"])
    for code, dec in (
        ("licensing", "T2/licensing/decisions"),
        ("other_services", None),
        ("penalties", "T2/penalties/decisions"),
        ("coercion", "T2/coercion/decisions"),
    ):
        items = rng.randint(20, 400) if big else rng.randint(0, 25)
        c[f"T2v2019/{code}/previous_items"] = str(items)
        c[f"T2v2019/{code}/change"] = str(rng.choice((0, 0, 0, 1, 2, -1, 3)))
        c[f"T2v2019/{code}/decisions"] = str(v[dec] if dec else rng.randint(0, 200 if big else 10))
    c["T2v2019/fees/previous_items"] = str(rng.randint(0, 12) if big else 0)
    c["T2v2019/fees/change"] = "0"
    n = rng.randint(0, 40) if big else rng.randint(0, 3)
    c["T2v2019/procurement/procurement_items"] = str(n)
    c["T2v2019/procurement/procurement_amount"] = f"{rng.uniform(5, 3000):.2f}" if n else "0"
    return c


# ------------------------------------------------------------------------------------------------
# Identities (on truth cells {cid: {"semantic", "value"}}): the checks a rule engine makes, used for
# the defects' details and by the tests.


def _status(cells: dict, ids: list[str]) -> str | None:
    sems = [cells.get(i, {}).get("semantic", "MISSING") for i in ids]
    if "MISSING" in sems:
        return "NOT_ASSESSABLE"
    if any(s not in ("NUMERIC", "ZERO") for s in sems):
        return "UNCERTAIN"
    return None


def check_identities(cells: dict) -> list[dict]:
    """Every within-report identity of FORMAT.md: {rule, instance, status, lhs, rhs}."""
    out = []

    def add(rule, inst, lhs, rhs):
        st = _status(cells, lhs + rhs)
        if st is None:
            a = sum(cells[i]["value"] for i in lhs)
            b = sum(cells[i]["value"] for i in rhs)
            st = "PASS" if abs(a - b) < 1e-9 else "FAIL"
        out.append({"rule": rule, "instance": inst, "status": st, "lhs": lhs, "rhs": rhs})

    for c in T3_COLS:
        add(
            "t3_balance",
            c,
            [f"T3/new/{c}", f"T3/carried_over/{c}"],
            [f"T3/processed_total/{c}", f"T3/carried_forward/{c}"],
        )
        add("t3_outcomes_sum", c, [f"T3/processed_total/{c}"], [f"T3/{r}/{c}" for r in T3_OUTCOME_ROWS])
    for r in T3_ROWS:
        add("t3_row_total", r, [f"T3/{r}/total"], [f"T3/{r}/{c}" for c in T3_APPLICANT_COLUMNS])
    for g in T4_GROUPS:
        add("t4_group_total", g, [f"T4/{g}.total"], [f"T4/{g}.{p}" for p in T4_PARTS])
    return out


def broken(cells: dict, statuses=("FAIL",)) -> list[str]:
    return [f"{r['rule']}:{r['instance']}" for r in check_identities(cells) if r["status"] in statuses]


# ------------------------------------------------------------------------------------------------
# Planning: forms, defects and the roles of bad files are decided for all unit-years before anything
# is built (so that coverage of every defect kind can be guaranteed and a report's neighbours known).


@dataclass
class Planned:
    unit: GenUnit
    year: int
    kind: str
    even_opts: dict | None = None
    defects: dict[str, dict] = field(default_factory=dict)  # kind -> parameters
    has_prev: bool = False
    roles: list[str] = field(default_factory=list)  # bad-file roles attached to this report
    quiet: bool = False
    superseded_by_real: dict | None = None


def _choose_kind(rng: random.Random, mix: str) -> str:
    kinds, weights = zip(*MIXES[mix])
    return rng.choices(kinds, weights=weights)[0]


def _allowed(kind: str, chosen: dict) -> bool:
    return not any((k, kind) in _EXCLUSIVE or (kind, k) in _EXCLUSIVE for k in chosen)


def _eligible(kind: str, p: Planned, prev: Planned | None) -> bool:
    if p.quiet or p.superseded_by_real or p.kind in IMAGE_KINDS:
        return False
    if kind == "copied_narrative":
        return prev is not None and "missing_section" not in prev.defects
    if kind == "carryover_break":
        return prev is not None and "truncated_table" not in prev.defects
    if kind == "format_2019":
        return p.year >= 2021
    if kind == "rules_nonzero":  # a 规章 is a defect only for a body that cannot make them
        return not p.unit.can_make_rules
    return True


def _section_for(rng: random.Random, chosen: dict) -> str | None:
    options = ["overview", "problems", "other", "proactive", "problems", "other"]
    if "copied_narrative" in chosen:
        options = [o for o in options if o not in ("overview", "problems")]
    if "fees_unmentioned" in chosen:
        options = [o for o in options if o != "other"]
    if "rules_nonzero" in chosen or "fees_unmentioned" in chosen:
        options = [o for o in options if o != "proactive"]
    return rng.choice(options) if options else None


def plan_corpus(
    pairs,
    seed,
    mix: str,
    rates: dict,
    bad_files: bool = True,
    coverage: bool = True,
    quiet_units=(),
    real_reports=(),
    scans: bool = True,
) -> list[Planned]:
    """The reports to write, with their kinds, roles and defects. With `scans` False the reports that
    would be read by OCR (roles "scan", "photo", "jpg_pages") are drawn all the same but keep the kind
    the mix gave them, so every other report is the same as with scans (a benchmark can then show
    the cost of OCR apart)."""
    real_keys = {(r["unit_id"], r["year"]): r for r in real_reports}
    items: list[Planned] = []
    for u, ys in pairs:
        for y in ys:
            items.append(
                Planned(
                    u,
                    y,
                    "text",
                    has_prev=(y - 1) in ys,
                    quiet=u.unit_id in quiet_units,
                    superseded_by_real=real_keys.get((u.unit_id, y)),
                )
            )
    for i, p in enumerate(items):
        if p.superseded_by_real:
            p.kind = "text"
        elif mix == "even":
            p.kind, p.even_opts = EVEN_FORMS[i % len(EVEN_FORMS)]
        else:
            p.kind = _choose_kind(_rng(seed, "form", p.unit.unit_id, p.year), mix)
    index = {(p.unit.unit_id, p.year): p for p in items}

    def prev_of(p: Planned) -> Planned | None:
        return index.get((p.unit.unit_id, p.year - 1)) if p.has_prev else None

    # bad-file roles first: they take some reports out of the defect draw
    if bad_files and items:
        n_each = max(1, round(len(items) / 1000))
        order = list(range(len(items)))
        _rng(seed, "roles").shuffle(order)
        free = [i for i in order if not items[i].quiet and not items[i].superseded_by_real]
        # "scan" and "photo": the report is published as an image-only PDF, scanned or photographed
        # page by page; "jpg_pages": as photos of its pages, one numbered image file a page
        # (报告_1.jpg … 报告_n.png, readers/imagepages.py); read by OCR (not bad files)
        roles = (
            ["scan", "duplicate", "truncated_pdf", "no_tables", "unknown_body", "empty", "binary", "binary_doc"]
            + ([] if real_reports else ["superseded"])
            + ["photo", "jpg_pages"]
        )
        k = 0
        for role in roles:
            for _ in range(n_each):
                if role == "superseded":  # an older version needs a text report to compare dates
                    cand = next((i for i in free[k:] if items[i].kind == "text"), None)
                    if cand is None:
                        continue
                    free.remove(cand)
                    items[cand].roles.append(role)
                    continue
                if k >= len(free):
                    break
                p = items[free[k]]
                k += 1
                if not scans and role in OCR_ROLES:
                    continue
                p.roles.append(role)
                if role in ("scan", "photo"):
                    p.kind = "pdf_image"
                elif role == "jpg_pages":
                    p.kind = "jpg_pages"
    # defects
    for p in items:
        rng = _rng(seed, "defects", p.unit.unit_id, p.year)
        draws = {k: rng.random() for k in DEFECT_KINDS}
        chosen: dict[str, dict] = {}
        for k in DEFECT_KINDS:
            if draws[k] < rates.get(k, 0.0) and _eligible(k, p, prev_of(p)) and _allowed(k, chosen):
                chosen[k] = {}
        if "missing_section" in chosen:
            sec = _section_for(rng, chosen)
            if sec is None:
                del chosen["missing_section"]
            else:
                chosen["missing_section"] = {"section": sec}
        if "superseded" in p.roles or "duplicate" in p.roles:
            chosen.pop("late_publication", None)
        p.defects = chosen
    if coverage and len(items) >= 40:
        rng = _rng(seed, "coverage")
        order = list(range(len(items)))
        rng.shuffle(order)
        for k in DEFECT_KINDS:
            if rates.get(k, 0.0) <= 0 or any(k in p.defects for p in items):
                continue
            for i in order:
                p = items[i]
                if "superseded" in p.roles or "duplicate" in p.roles:
                    continue
                if _eligible(k, p, prev_of(p)) and _allowed(k, p.defects):
                    params = {}
                    if k == "missing_section":
                        sec = _section_for(rng, p.defects)
                        if sec is None:
                            continue
                        params = {"section": sec}
                    if k == "copied_narrative" and p.defects.get("missing_section", {}).get("section") in (
                        "overview",
                        "problems",
                    ):
                        continue
                    if k == "fees_unmentioned" and p.defects.get("missing_section", {}).get("section") in (
                        "other",
                        "proactive",
                    ):
                        continue
                    if k == "rules_nonzero" and p.defects.get("missing_section", {}).get("section") == "proactive":
                        continue
                    p.defects[k] = params
                    break
    for p in items:
        if "rules_nonzero" in p.defects:
            p.defects["rules_nonzero"]["last"] = (p.unit.unit_id, p.year + 1) not in index
    # a report copied from, or carried over from, a report of the same unit needs that report's
    # narrative / carried_forward row: drop the dependent defect when the source lost it
    for p in items:
        prev = prev_of(p)
        if prev is None:
            continue
        if "copied_narrative" in p.defects and prev.defects.get("missing_section", {}).get("section") in (
            "overview",
            "problems",
        ):
            del p.defects["copied_narrative"]
        if "carryover_break" in p.defects and "truncated_table" in prev.defects:
            del p.defects["carryover_break"]
    return items


# ------------------------------------------------------------------------------------------------
# Forms


def choose_options(rng: random.Random, kind: str, even: dict | None = None) -> dict:
    o: dict = {}
    if kind == "text":
        o["layout"] = (even or {}).get("layout") or rng.choice(TEXT_LAYOUTS)
        if rng.random() < 0.25:
            o["ascii_punct"] = True
        if rng.random() < 0.3:
            o["views_line"] = False
        o["headings"] = rng.randrange(3)
        if o["layout"] == "mixed":
            o["mixed_with"] = rng.choice((None, "B1", "B2"))
        if o["layout"] == "wrapped":
            o["wrap_every"] = rng.choice((2, 3, 4))
            o["wrap_offset"] = rng.randrange(2)
        if rng.random() < 0.1:
            o["newline"] = "\r\n"
        if rng.random() < 0.5:
            o["final_newline"] = True
        r = rng.random()
        if r < 0.05:
            o["bom"] = True
        elif r < 0.1:
            o["encoding"] = "gb18030"
    elif kind == "html":
        o["encoding"] = (even or {}).get("encoding") or rng.choices(
            ("utf-8", "utf-8-sig", "gbk", "gb18030"), weights=(0.55, 0.05, 0.2, 0.2)
        )[0]
        if (even or {}).get("t2_split") or rng.random() < 0.3:
            o["t2_split"] = True
        o["cell_wrap"] = rng.choice(("none", "none", "p", "span", "p_span", "mixed"))
        if rng.random() < 0.3:
            o["empty_cell"] = "&nbsp;"
        if rng.random() < 0.4:
            o["indent"] = "css"
        if rng.random() < 0.15:
            o["junk"] = False
        if rng.random() < 0.15:
            o["th_headers"] = True
        if rng.random() < 0.3:
            o["title_tag"] = "div"
        o["headings"] = rng.randrange(3)
        if rng.random() < 0.1:
            o["ascii_punct"] = True
    elif kind == "docx":
        if rng.random() < 0.25:
            o["heading_style"] = "Heading 1"
        if rng.random() < 0.15:
            o["signature"] = False
        o["headings"] = rng.randrange(3)
    elif kind in ("pdf",) + IMAGE_KINDS:
        if rng.random() < 0.3:
            o["t3_split"] = False
        if rng.random() < 0.1:
            o["signature"] = False
        o["headings"] = rng.randrange(3)
        if kind in IMAGE_KINDS:
            o["dpi"] = 150  # a scan at office-scanner resolution, read by OCR
    return o


def render_bytes(spec: ReportSpec, kind: str, options: dict) -> bytes:
    """The file's bytes, exactly as the writers' write_* functions write them (Word re-zipped with
    fixed timestamps so the same spec gives the same bytes)."""
    from .pdf_writer import render_page_images, render_pdf_image_only
    from .writers import render_html, render_pdf, render_text

    o = dict(options)
    if kind == "text":
        layout = o.pop("layout", "A")
        bom = o.pop("bom", False)
        enc = o.pop("encoding", "utf-8")
        text = render_text(spec, layout, **o)
        return text.encode("utf-8-sig" if bom and enc == "utf-8" else enc)
    if kind == "html":
        enc = o.get("encoding", "utf-8").lower()
        text = render_html(spec, **o)
        return text.encode("utf-8-sig" if enc == "utf-8-sig" else enc, errors="xmlcharrefreplace")
    if kind == "docx":
        from .docx_writer import build_docx

        buf = io.BytesIO()
        build_docx(spec, **o).save(buf)
        return fixed_zip(buf.getvalue())
    if kind == "pdf":
        return render_pdf(spec, **o)
    if kind == "pdf_image":
        return render_pdf_image_only(spec, **o)
    if kind == "jpg_pages":  # the files of the pages, one after the other (see _job)
        return b"".join(data for _, data in render_page_images(spec, **o))
    raise ValueError(kind)


def fixed_zip(data: bytes) -> bytes:
    """The same zip with every entry dated 1980-01-01 (python-docx stamps the current time)."""
    src = zipfile.ZipFile(io.BytesIO(data))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as z:
        for info in src.infolist():
            zi = zipfile.ZipInfo(info.filename, date_time=(1980, 1, 1, 0, 0, 0))
            zi.compress_type = zipfile.ZIP_DEFLATED
            zi.external_attr = 0o644 << 16
            z.writestr(zi, src.read(info.filename))
    return out.getvalue()


EXT = {
    "text": (".txt",),
    "html": (".html", ".html", ".htm", ".shtml"),
    "docx": (".docx",),
    "pdf": (".pdf",),
    "pdf_image": (".pdf",),
    "jpg_pages": (".jpg",),
}
IMAGE_KINDS = ("pdf_image", "jpg_pages")  # read by OCR
OCR_ROLES = ("scan", "photo", "jpg_pages")  # the reports published as images (IMAGE_KINDS)
FOLDER_STYLES = ("office_year", "year", "flat", "year_office")
NAME_STYLES = ("title", "title", "title", "title_short", "report_n", "attach", "code", "p0", "art")


def _job(args) -> tuple[str, int]:
    """Render one file (in a worker): (sha256, size)."""
    path, kind, options, spec, post = args
    if kind == "jpg_pages":  # photos of the pages, numbered: <stem>_1.jpg … <stem>_n.png
        from .pdf_writer import render_page_images

        h, size = hashlib.sha256(), 0
        stem = path[: -len("_1.jpg")]
        Path(path).parent.mkdir(parents=True, exist_ok=True)
        for i, (ext, data) in enumerate(render_page_images(spec, **options), 1):
            with open(f"{stem}_{i}{ext}", "wb") as f:
                f.write(data)
            h.update(data)
            size += len(data)
        return h.hexdigest(), size
    data = render_bytes(spec, kind, options)
    if post and post.startswith("truncate:"):
        data = data[: int(len(data) * float(post.split(":", 1)[1]))]
    Path(path).parent.mkdir(parents=True, exist_ok=True)
    with open(path, "wb") as f:
        f.write(data)
    return hashlib.sha256(data).hexdigest(), len(data)


# ------------------------------------------------------------------------------------------------
# Building reports

TITLE_FORMS = ("{a}{y}年政府信息公开工作年度报告",) * 8 + (
    "{a}{y}年度政府信息公开工作报告",
    "{y}年{a}政府信息公开工作年度报告",
    "{a}关于{y}年政府信息公开工作年度报告",
)


def _date(rng: random.Random, y: int, m0: int, d0: int, m1: int, d1: int) -> str:
    a, b = date(y, m0, d0), date(y, m1, d1)
    return (a + timedelta(days=rng.randint(0, (b - a).days))).isoformat()


def _short(u: GenUnit) -> str:
    return u.name if u.level != "league" else u.full_name


@dataclass
class Built:
    spec: ReportSpec | None
    kind: str
    options: dict
    path: str
    truth: dict
    post: str | None = None
    data: bytes | None = None  # raw bytes (bad files, real reports) instead of a rendered spec


class Generator:
    def __init__(
        self,
        out: str | Path,
        seed=0,
        years=SAMPLE_YEARS,
        units: str = "alxa",
        mix: str = "default",
        scale: int | None = None,
        rates: dict | None = None,
        bad_files: bool = True,
        workers: int = 1,
        registry_out: str | Path | None = None,
        quiet_units=(),
        real_reports=(),
        coverage: bool = True,
        truth_path: str | Path | None = None,
        log=None,
        scans: bool = True,
    ):
        if mix not in MIXES and mix != "even":
            raise ValueError(f"--mix must be one of {sorted(MIXES) + ['even']}")
        self.out = Path(out)
        self.inbox = self.out / "inbox"
        self.truth_path = Path(truth_path) if truth_path else self.out / "truth.jsonl"
        self.seed = seed
        self.years = sorted(int(y) for y in years)
        self.units_arg = str(units)
        self.mix = mix
        self.scale = scale
        self.rates = dict(DEFAULT_RATES if rates is None else rates)
        self.bad_files = bad_files
        self.workers = max(1, int(workers or 1))
        self.registry_out = registry_out
        self.quiet_units = set(quiet_units)
        self.real_reports = list(real_reports)
        self.coverage = coverage
        self.scans = scans
        self.log = log
        self.used_paths: set[str] = set()
        self.counters: dict[str, int] = {}
        self.timing: dict[str, list[float]] = {}
        self.counts: dict[str, int] = {}

    # -- paths ----------------------------------------------------------------------------------
    def _office_style(self, office: str) -> tuple[str, str]:
        r = _rng(self.seed, "office", office)
        return r.choice(FOLDER_STYLES), r.choice(NAME_STYLES)

    def _unique(self, rel: str) -> str:
        if rel not in self.used_paths:
            self.used_paths.add(rel)
            return rel
        stem, dot, ext = rel.rpartition(".")
        n = 2
        while f"{stem}_{n}.{ext}" in self.used_paths:
            n += 1
        rel = f"{stem}_{n}.{ext}"
        self.used_paths.add(rel)
        return rel

    def folder(self, office: str, year: int) -> str:
        style, _ = self._office_style(office)
        return {
            "office_year": f"{office}/{year}/",
            "year": f"{year}/",
            "flat": "",
            "year_office": f"{year}年度/{office}/",
        }[style]

    def make_path(
        self,
        rng: random.Random,
        unit: GenUnit,
        year: int,
        kind: str,
        title: str | None,
        published: str | None,
        force_folder: str | None = None,
    ) -> str:
        folder = self.folder(unit.office, year) if force_folder is None else force_folder
        _, preferred = self._office_style(unit.office)
        style = preferred if rng.random() < 0.75 else rng.choice(NAME_STYLES)
        ext = rng.choice(EXT[kind])
        if style == "title" and title:
            name = title.replace("/", "／")
        elif style == "title_short":
            name = f"{unit.name}{year}年政府信息公开年报"
        elif style == "report_n":
            self.counters["report_n"] = self.counters.get("report_n", 100) + rng.randint(1, 9)
            name = f"report_{self.counters['report_n']}"
        elif style == "attach":
            key = "attach|" + folder
            self.counters[key] = self.counters.get(key, 0) + 1
            name = f"附件{self.counters[key]}"
        elif style == "code":
            name = f"{unit.unit_id}_{year}"
        elif style == "p0":
            d = (published or f"{year + 1}-01-15").replace("-", "")
            name = f"P0{d}{rng.randint(100000, 999999)}"
        else:
            name = f"art_{rng.randint(1000, 9999)}_{rng.randint(100000, 999999)}"
        return self._unique(folder + name + ext)

    # -- one report -----------------------------------------------------------------------------
    def build(self, p: Planned, st: UnitState) -> Built:
        u, y, seed = p.unit, p.year, self.seed
        uid = u.unit_id
        rv = _rng(seed, "values", uid, y)
        rn = _rng(seed, "narrative", uid, y)
        rd = _rng(seed, "defect-apply", uid, y)
        rf = _rng(seed, "formopts", uid, y)
        rp = _rng(seed, "page", uid, y)
        D = p.defects
        records: list[dict] = []
        v = gen_values(rv, u, y, st, quiet=p.quiet)

        # value-level defects (the report stays internally consistent)
        split_target = None
        if "split_digit" in D:
            split_target = self._split_target(rd, v)
            if split_target is None:
                del D["split_digit"]
        if "carryover_break" in D:
            c = "natural_person" if rd.random() < 0.7 else rd.choice(T3_APPLICANT_COLUMNS[1:])
            k = rd.randint(1, 3)
            prev_fwd = v[f"T3/carried_over/{c}"]
            for cid in (f"T3/carried_over/{c}", f"T3/granted/{c}"):
                v[cid] += k
            _t3_totals(v)
            records.append(
                {
                    "kind": "carryover_break",
                    "cells": [f"T3/carried_over/{c}", "T3/carried_over/total"],
                    "detail": {
                        "column": c,
                        "previous_year": y - 1,
                        "previous_carried_forward": prev_fwd,
                        "carried_over": prev_fwd + k,
                    },
                }
            )
        if "rules_nonzero" in D:  # "issued" (in force 1) only in the unit's last year: no break next year
            variants = ["issued_repealed", "repealed_blank"] + (["issued"] if D["rules_nonzero"].get("last") else [])
            D["rules_nonzero"]["variant"] = rd.choice(variants)
        if "fees_unmentioned" in D and not v["T2/fees/amount"]:
            v["T2/fees/amount"] = round(rd.uniform(0.05, 60.0), 4)

        # state for next year (true values)
        st.fwd = {c: v[f"T3/carried_forward/{c}"] for c in T3_APPLICANT_COLUMNS}
        st.norm_in_force = v["T2/normative_docs/in_force"]
        st.rules_in_force = v["T2/rules/in_force"]

        # narrative
        figures = {
            "new": v["T3/new/total"],
            "processed": v["T3/processed_total/total"],
            "carried_over": v["T3/carried_over/total"],
            "carried_forward": v["T3/carried_forward/total"],
            "review": v["T4/review.total"],
            "suit": v["T4/suit_direct.total"] + v["T4/suit_after_review.total"],
            "n_norm": v["T2/normative_docs/issued"],
            "n_in_force": v["T2/normative_docs/in_force"],
        }
        fee_charged = rn.choice((5.0, 10.0, 20.0, 35.5)) if (u.level in _BIG and rn.random() < 0.04) else None
        agency = u.full_name
        texts, chosen = compose(
            rn,
            agency=agency,
            short=_short(u),
            year=y,
            figures=figures,
            prev=st.chosen,
            level=u.level,
            fee_charged=fee_charged,
            mention_fees="fees_unmentioned" not in D,
        )
        sections: dict[str, str | None] = dict(texts)
        if "copied_narrative" in D and st.sections:
            for key in ("overview", "problems"):
                sections[key] = st.sections[key]
            records.append(
                {
                    "kind": "copied_narrative",
                    "cells": [],
                    "detail": {"from_year": y - 1, "sections": ["overview", "problems"]},
                }
            )
            st.sections = dict(sections)
        else:
            D.pop("copied_narrative", None)
            st.sections = dict(sections)
            st.chosen = chosen
        if "fees_unmentioned" in D:
            records.append(
                {
                    "kind": "fees_unmentioned",
                    "cells": ["T2/fees/amount"],
                    "detail": {"fees_amount": v["T2/fees/amount"]},
                }
            )

        # cells as written
        comma = rv.random() < 0.3
        cells = cells_from_values(v, comma=comma, fee_decimals=rv.choice((2, 4)))
        if "rules_nonzero" in D:
            var = D["rules_nonzero"]["variant"]
            if var == "issued":
                cells.update({"T2/rules/issued": "1", "T2/rules/repealed": "0", "T2/rules/in_force": "1"})
                cc = ["T2/rules/issued", "T2/rules/in_force"]
            elif var == "issued_repealed":
                cells.update({"T2/rules/issued": "1", "T2/rules/repealed": "1", "T2/rules/in_force": "0"})
                cc = ["T2/rules/issued", "T2/rules/repealed"]
            else:  # like the seed: 规章 | 0 | 1 | (blank)
                cells.update({"T2/rules/issued": "0", "T2/rules/repealed": "1", "T2/rules/in_force": ""})
                cc = ["T2/rules/repealed", "T2/rules/in_force"]
            records.append({"kind": "rules_nonzero", "cells": cc, "detail": {"variant": var, "level": u.level}})
        extra: dict[str, str] = {}
        fv = "2021"
        kind = p.kind
        options = choose_options(rf, kind, p.even_opts)
        if kind == "pdf_image" and "photo" in p.roles or kind == "jpg_pages":
            options["photo"] = True
        if "late_publication" in D and kind in ("docx", "pdf") + IMAGE_KINDS:
            # a late report is only observable where the file states a date: Word and PDF files carry
            # none on a page, so they keep the dated signature
            options["signature"] = True
        org_subtotal = rf.random() < 0.08 and kind not in IMAGE_KINDS
        if "format_2019" in D:
            fv = "2019"
            for c in T3_COLS:
                n = sum(v[f"T3/{r}/{c}"] for r in ("other_no_correction", "other_no_fee", "other_other"))
                cells[f"T3/other_other/{c}"] = str(n)
                cells.pop(f"T3/other_no_correction/{c}", None)
                cells.pop(f"T3/other_no_fee/{c}", None)
            extra.update(t2v2019_cells(rd, v, u.level))
        if org_subtotal:
            for r in data_row_codes("T3", fv):
                if r == "other_other" and fv == "2019":
                    n = sum(
                        v[f"T3/{rr}/{c}"]
                        for rr in ("other_no_correction", "other_no_fee", "other_other")
                        for c in T3_APPLICANT_COLUMNS[1:]
                    )
                else:
                    n = sum(v[f"T3/{r}/{c}"] for c in T3_APPLICANT_COLUMNS[1:])
                extra[f"T3/{r}/org_subtotal"] = str(n)
        used: set[str] = set()
        if split_target is not None:
            r, c, c2, val = split_target
            s = str(val)
            cells[f"T3/{r}/{c}"], cells[f"T3/{r}/{c2}"] = s[0], s[1]
            used |= {f"T3/{r}/{c}", f"T3/{r}/{c2}"}
            records.append(
                {
                    "kind": "split_digit",
                    "cells": [f"T3/{r}/{c}", f"T3/{r}/{c2}"],
                    "detail": {"row": r, "columns": [c, c2], "true_value": val, "written": [s[0], s[1]]},
                }
            )
        t4_ok = "malformed_t4" not in D
        if "arithmetic_slip" in D:
            cid, was, now = self._slip(rd, cells, used, t4_ok, fv)
            used.add(cid)
            cells[cid] = now
            records.append(
                {"kind": "arithmetic_slip", "cells": [cid], "detail": {"cell": cid, "true_value": was, "written": now}}
            )
        for dk, choices in (("blank_cells", ("",)), ("na_cells", ("/", "/", "/", "无"))):
            if dk in D:
                ids = self._blank_targets(rd, cells, used, t4_ok)
                mark = rd.choice(choices)
                for cid in ids:
                    cells[cid] = mark
                used |= set(ids)
                records.append({"kind": dk, "cells": ids, "detail": {"written": mark}})

        tables: dict[str, str] = {}
        if "truncated_table" in D:
            n_rows = len(data_row_codes("T3", fv))
            n = rd.randint(2, n_rows - 2)
            tables["T3"] = f"truncated:{n}"
            kept = set(data_row_codes("T3", fv)[:n])
            records.append(
                {
                    "kind": "truncated_table",
                    "cells": [f"T3/{r}/{c}" for r in T3_ROWS if r not in kept for c in T3_COLS],
                    "detail": {"table": "T3", "rows_kept": n},
                }
            )
        if "malformed_t4" in D:
            tables["T4"] = "malformed_t4_like_seed"
            records.append(
                {
                    "kind": "malformed_t4",
                    "cells": [f"T4/{g}.{c}" for g in T4_GROUPS for c in T4_COLS],
                    "detail": {"table": "T4"},
                }
            )
        if "format_2019" in D:
            # the cells the trial format does not have (its 处理决定数量 fills the three decisions cells)
            records.append(
                {
                    "kind": "format_2019",
                    "cells": [c for c in cell_ids() if c.startswith("T2/") and not c.endswith("/decisions")]
                    + [f"T3/{r}/{c}" for r in ("other_no_correction", "other_no_fee") for c in T3_COLS],
                    "detail": {"year": y},
                }
            )
        if "missing_section" in D:
            sec = D["missing_section"]["section"]
            sections[sec] = None
            cc = [c for c in cell_ids() if c.startswith("T2/")] if sec == "proactive" else []
            records.append({"kind": "missing_section", "cells": cc, "detail": {"section": sec}})

        # page
        period = (f"{y}-01-01", f"{y}-12-31")
        if "wrong_period_year" in D:
            yy = y + rd.choice((-1, 1))
            period = (f"{yy}-01-01", f"{yy}-12-31")
            records.append({"kind": "wrong_period_year", "cells": [], "detail": {"period_year": yy}})
        elif rp.random() < 0.02:
            period = None
        if "late_publication" in D:
            if u.deadline_kind == "government":
                published = _date(rd, y + 1, 4, 1, 5, 31)
            else:
                published = _date(rd, y + 1, 3, 1, 5, 31)
            records.append(
                {
                    "kind": "late_publication",
                    "cells": [],
                    "detail": {"published_on": published, "deadline_kind": u.deadline_kind},
                }
            )
        elif rp.random() < 0.9:
            published = _date(rp, y + 1, 1, 5, 1, 31)
        else:
            published = _date(rp, y + 1, 1, 2, 1, 4)
        if p.superseded_by_real:  # an older version of the real report: published before it
            published = (date.fromisoformat(p.superseded_by_real["published_on"][:10]) - timedelta(days=3)).isoformat()
        spam: list[tuple[int, str]] = []
        if "spam_lines" in D:
            for _ in range(rd.randint(1, 4)):
                spam.append((rd.choice((0, 1, 2, 3, 5, 8, 12, 20, -1)), rd.choice(SPAM_LINES)))
            records.append({"kind": "spam_lines", "cells": [], "detail": {"lines": [s for _, s in spam]}})
        traditional = "traditional" in D
        if traditional:
            records.append({"kind": "traditional", "cells": [], "detail": {}})
        title = rp.choice(TITLE_FORMS).format(a=agency, y=y)
        spec = ReportSpec(
            agency=agency,
            year=y,
            title=title,
            published_on=published,
            period=period,
            format_version=fv,
            cells=cells,
            extra_cells=extra,
            org_subtotal=org_subtotal,
            sections=sections,
            tables=tables,
            spam_lines=spam,
            traditional=traditional,
            contact_line=rp.random() < 0.95,
            phone=f"{u.area_code}-{rp.randint(2000000, 8999999)}",
            site_name=u.site[0],
            site_url=u.site[1],
        )
        if org_subtotal:
            options["org_subtotal"] = True
            if rf.random() < 0.3:
                options["subtotal_first"] = False
        rel = self.make_path(rp, u, y, kind, title, published, force_folder=f"{y}/" if p.superseded_by_real else None)
        if p.superseded_by_real:
            stem = Path(p.superseded_by_real["dest"]).name.rsplit(".", 1)[0]
            self.used_paths.discard(rel)
            rel = self._unique(f"{y}/{stem}（旧版）.txt")
        if kind == "jpg_pages":  # the report's row in the inbox is its page 1
            rel = self._unique(rel[: -len(".jpg")] + "_1.jpg")
        order = {k: i for i, k in enumerate(DEFECT_KINDS)}
        records.sort(key=lambda r: order[r["kind"]])
        truth = truth_record(spec, kind, options, rel, uid, records)
        return Built(spec, kind, options, rel, truth)

    def _split_target(self, rng: random.Random, v: dict):
        """(row, col, next col, two-digit value): an existing value, else one made (consistently)."""
        # not the 其他处理 rows, which the 2019 format merges into one
        rows = ["new"] + [r for r in T3_OUTCOME_ROWS if not r.startswith("other_")]
        cols = T3_APPLICANT_COLUMNS[:-1]
        cand = [
            (r, c, T3_APPLICANT_COLUMNS[i + 1], v[f"T3/{r}/{c}"])
            for r in rows
            for i, c in enumerate(cols)
            if 11 <= v[f"T3/{r}/{c}"] <= 99
            and v[f"T3/{r}/{c}"] % 10
            and v[f"T3/{r}/{T3_APPLICANT_COLUMNS[i + 1]}"] == 0
        ]
        if cand:
            return rng.choice(cand)
        for i, c in enumerate(cols):
            c2 = T3_APPLICANT_COLUMNS[i + 1]
            if v[f"T3/new/{c2}"] == 0 and v[f"T3/granted/{c2}"] == 0:
                target = rng.choice([n for n in range(11, 30) if n % 10])
                row = rng.choice(("new", "granted"))
                cur = v[f"T3/{row}/{c}"]
                if cur > target:
                    continue
                k = target - cur
                v[f"T3/new/{c}"] += k
                v[f"T3/granted/{c}"] += k
                _t3_totals(v)
                return (
                    (row, c, c2, v[f"T3/{row}/{c}"])
                    if 11 <= v[f"T3/{row}/{c}"] <= 99 and v[f"T3/{row}/{c}"] % 10
                    else None
                )
        return None

    def _slip(self, rng: random.Random, cells: dict, used: set, t4_ok: bool, fv: str):
        if t4_ok and rng.random() < 0.3:
            cid = f"T4/{rng.choice(T4_GROUPS)}.total"
        else:
            rows = ["new", "processed_total"] + [r for r in T3_OUTCOME_ROWS if r in data_row_codes("T3", fv)]
            for _ in range(100):
                cid = f"T3/{rng.choice(rows)}/{rng.choice(T3_COLS)}"
                if cid in cells and cid not in used:
                    break
        was = int(cells[cid].replace(",", ""))
        delta = rng.choice((1, 1, 2, 3, -1, -2))
        now = was + delta if was + delta >= 0 and delta else was + abs(delta)
        return cid, was, str(now)

    def _blank_targets(self, rng: random.Random, cells: dict, used: set, t4_ok: bool) -> list[str]:
        rows = [r for r in T3_ROWS if r not in CARRY_ROWS]
        if rng.random() < 0.3:  # a whole row of zeros left blank
            zero_rows = [
                r
                for r in rows
                if all(cells.get(f"T3/{r}/{c}") == "0" for c in T3_COLS)
                and not any(f"T3/{r}/{c}" in used for c in T3_COLS)
            ]
            if zero_rows:
                r = rng.choice(zero_rows)
                return [f"T3/{r}/{c}" for c in T3_COLS]
        pool = [f"T3/{r}/{c}" for r in rows for c in T3_COLS if f"T3/{r}/{c}" in cells]
        if t4_ok:
            pool += [f"T4/{g}.{c}" for g in T4_GROUPS for c in T4_COLS]
        pool = [c for c in pool if c not in used]
        zeros = [c for c in pool if cells[c] == "0"]
        n = rng.randint(1, 6)
        out: list[str] = []
        while len(out) < n and pool:
            src = zeros if (zeros and rng.random() < 0.8) else pool
            c = rng.choice(src)
            out.append(c)
            pool.remove(c)
            if c in zeros:
                zeros.remove(c)
        return sorted(out, key=cell_ids().index)

    # -- the whole corpus -----------------------------------------------------------------------
    def run(self) -> dict:
        t0 = time.perf_counter()
        pairs = select_units(self.units_arg, self.years, self.scale, self.seed)
        items = plan_corpus(
            pairs,
            self.seed,
            self.mix,
            self.rates,
            self.bad_files,
            self.coverage,
            self.quiet_units,
            self.real_reports,
            scans=self.scans,
        )
        self.leagues = {u.unit_id: u.name for u, _ in pairs if u.level == "league"}
        if self.registry_out:
            write_registry(self.registry_out, [u for u, _ in pairs])
        if self.inbox.exists():
            shutil.rmtree(self.inbox)
        self.inbox.mkdir(parents=True)
        self.truth_path.parent.mkdir(parents=True, exist_ok=True)
        states: dict[str, UnitState] = {}
        pool = None
        if self.workers > 1:
            import multiprocessing as mp

            ctx = mp.get_context("fork") if sys.platform.startswith("linux") else mp.get_context("spawn")
            pool = ctx.Pool(self.workers)
        n_bad = 0
        try:
            with open_truth(self.truth_path, "w") as tf:
                batch: list[Built] = []
                for p in items:
                    uid = p.unit.unit_id
                    st = states.get(uid)
                    if st is None:
                        st = states[uid] = UnitState(
                            factor=_rng(self.seed, "factor", uid).uniform(0.5, 1.5),
                            profile=make_profile(_rng(self.seed, "profile", uid), p.unit),
                        )
                    b = self.build(p, st)
                    if p.superseded_by_real:
                        b.truth.update(
                            expected_status="superseded",
                            bad="superseded",
                            reason_kind="newer_version",
                            superseded_by=p.superseded_by_real["dest"],
                        )
                    group = [b] + [x for role in p.roles for x in self.bad_for(role, p, b)]
                    n_bad += len(group) - 1
                    self._mark_duplicates(group)
                    batch += group
                    if len(batch) >= 200:
                        self._flush(batch, tf, pool)
                        batch = []
                for r in self.real_reports:
                    batch.append(self.real_built(r))
                self._flush(batch, tf, pool)
        finally:
            if pool is not None:
                pool.close()
                pool.join()
        took = time.perf_counter() - t0
        summary = {
            "reports": len(items),
            "bad_files": n_bad,
            "real_reports": len(self.real_reports),
            "files": len(self.used_paths) + 0,
            "seconds": round(took, 2),
            "render_seconds_by_kind": {k: round(sum(v), 3) for k, v in sorted(self.timing.items())},
            "files_by_kind": {k: len(v) for k, v in sorted(self.timing.items())},
            "defects": dict(sorted(self.counts.items())),
        }
        if self.log:
            self.log(summary)
        return summary

    def _mark_duplicates(self, group: list[Built]) -> None:
        """The pipeline keeps the alphabetically first path of identical files: mark the other."""
        for d in [x for x in group if x.truth.get("bad") == "duplicate"]:
            orig = group[0]
            first, second = sorted((orig, d), key=lambda x: x.path)
            for x in (orig, d):
                x.truth.pop("duplicate_of", None)
            keep_status = orig.truth["expected_status"]
            keep_reason = orig.truth.get("reason_kind")
            keep_bad = orig.truth.get("bad")
            first.truth.update(expected_status=keep_status, reason_kind=keep_reason, bad=keep_bad)
            second.truth.update(
                expected_status="duplicate", reason_kind="same_content", bad="duplicate", duplicate_of=first.path
            )

    def _flush(self, batch: list[Built], tf, pool) -> None:
        jobs = [
            (str(self.inbox / b.path), b.kind, b.options, b.spec, b.post)
            if b.data is None
            else (str(self.inbox / b.path), "raw", {}, b.data, None)
            for b in batch
        ]
        results = pool.map(_timed_job, jobs, chunksize=4) if pool is not None else [_timed_job(j) for j in jobs]
        for b, (sha, size, secs) in zip(batch, results):
            k = b.truth.get("bad") or b.kind
            self.timing.setdefault(k, []).append(secs)
            for d in (b.truth.get("defects") or []) if b.truth["expected_status"] != "duplicate" else []:
                self.counts[d["kind"]] = self.counts.get(d["kind"], 0) + 1
            b.truth["sha256"] = sha
            b.truth["size"] = size
            tf.write(json.dumps(b.truth, ensure_ascii=False, separators=(",", ":")) + "\n")

    # -- bad files ------------------------------------------------------------------------------
    def _league_of(self, u: GenUnit) -> str:
        for key in (u.unit_id[:7], u.unit_id[:4]):
            if key in self.leagues:
                return self.leagues[key]
        return "阿拉善盟"

    def bad_for(self, role: str, p: Planned, b: Built) -> list[Built]:
        u, y = p.unit, p.year
        rng = _rng(self.seed, "bad", role, u.unit_id, y)
        folder = b.path.rpartition("/")[0]
        folder = folder + "/" if folder else ""
        stem = b.path.rpartition("/")[2].rsplit(".", 1)[0]

        def bad_truth(kind: str, path: str, reason: str, spec: ReportSpec | None = None, unit_id=None, cells=True):
            t = (
                truth_record(spec, kind, {}, path, unit_id, [])
                if spec is not None
                else truth_record(None, kind, {}, path, None, [])
            )
            if not cells:
                t["cells"] = None
                t["extra_cells"] = None
            t.update(expected_status=EXPECTED_STATUS[role], bad=role, reason_kind=reason)
            return t

        if role in ("scan", "photo", "jpg_pages"):  # the report itself is the scan (read by OCR)
            return []
        if role == "duplicate":
            path = self._unique(
                folder
                + rng.choice((f"{stem}(1)", f"{stem} - 副本", f"下载_{stem}", f"{stem}_1"))
                + "."
                + b.path.rsplit(".", 1)[1]
            )
            t = dict(b.truth)
            t.update(path=path, bad="duplicate")
            return [Built(b.spec, b.kind, b.options, path, t)]
        if role == "superseded":
            pub = date.fromisoformat(b.spec.published_on[:10]) - timedelta(days=rng.randint(2, 6))
            cells = dict(b.spec.cells)
            cid, was, now = self._slip(rng, cells, set(), b.spec.tables.get("T4") is None, b.spec.format_version)
            cells[cid] = now
            spec = b.spec.copy(published_on=pub.isoformat(), cells=cells)
            path = self._unique(folder + f"{stem}（初版）.txt")
            t = truth_record(
                spec,
                "text",
                b.options,
                path,
                u.unit_id,
                [
                    {
                        "kind": "arithmetic_slip",
                        "cells": [cid],
                        "detail": {"cell": cid, "true_value": was, "written": now},
                    }
                ],
            )
            t.update(expected_status="superseded", bad="superseded", reason_kind="newer_version", superseded_by=b.path)
            return [Built(spec, "text", b.options, path, t)]
        if role == "truncated_pdf":
            path = self._unique(folder + (b.spec.title or stem) + ".pdf")
            return [
                Built(
                    b.spec,
                    "pdf",
                    {},
                    path,
                    bad_truth("pdf", path, "damaged", b.spec, u.unit_id, cells=False),
                    post="truncate:0.45",
                )
            ]
        if role == "no_tables":
            spec = b.spec.copy(
                tables={"T2": "absent", "T3": "absent", "T4": "absent"}, spam_lines=[], traditional=False
            )
            path = self._unique(folder + f"{stem}_网页.html")
            return [
                Built(spec, "html", {"encoding": "utf-8"}, path, bad_truth("html", path, "no_tables", spec, u.unit_id))
            ]
        if role == "unknown_body":
            body = self._league_of(u) + rng.choice(UNKNOWN_BODIES)
            gu = GenUnit(
                f"unknown-{u.unit_id}",
                body,
                body,
                "department",
                "部门",
                None,
                None,
                "department",
                office=u.office,
                site=u.site,
                area_code=u.area_code,
            )
            pp = Planned(gu, y, _choose_kind(rng, "text-only" if self.mix == "text-only" else "default"))
            ub = self.build(pp, UnitState())
            self.used_paths.discard(ub.path)
            ub.path = self._unique(f"{y}/{ub.spec.title}{rng.choice(EXT[ub.kind])}")
            ub.truth.update(
                path=ub.path, unit_id=None, expected_status="set_aside", bad="unknown_body", reason_kind="unknown_unit"
            )
            return [ub]
        if role == "empty":
            path = self._unique(folder + rng.choice(("新建文本文档.txt", "附件.txt", "index.html")))
            return [Built(None, "raw", {}, path, bad_truth("raw", path, "empty"), data=b"")]
        if role == "binary":
            path = self._unique(folder + f"{u.name}{y}年年度报告.pdf.download")
            data = rng.randbytes(rng.randint(2000, 6000))
            return [Built(None, "raw", {}, path, bad_truth("raw", path, "binary"), data=data)]
        if role == "binary_doc":
            path = self._unique(folder + f"{stem}.doc")
            data = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + rng.randbytes(rng.randint(4000, 9000))
            return [Built(None, "raw", {}, path, bad_truth("raw", path, "binary"), data=data)]
        raise ValueError(role)

    def real_built(self, r: dict) -> Built:
        data = Path(r["src"]).read_bytes()
        key = json.loads(Path(r["key"]).read_text(encoding="utf-8"))
        first = data.decode("utf-8").splitlines()[0].strip()
        t = {
            "path": r["dest"],
            "kind": "text",
            "options": {"source": r.get("source", str(r["src"]))},
            "bad": None,
            "unit_id": r["unit_id"],
            "year": key["year"],
            "agency": key["agency_name"],
            "title": first,
            "published_on": key["published_on"],
            "published_shown": "meta",
            "period": key["period"],
            "format_version": key["format_version"],
            "defects": r.get("defects", []),
            "expected_status": "read",
            "reason_kind": None,
            "cells": key["cells"],
            "extra_cells": {},
        }
        self.used_paths.add(r["dest"])
        return Built(None, "raw", {}, r["dest"], t, data=data)


def open_truth(path: str | Path, mode: str = "r"):
    """truth.jsonl, or truth.jsonl.gz (gzip without timestamp, so the bytes stay the same)."""
    import gzip

    path = Path(path)
    if path.suffix == ".gz":
        raw = open(path, mode + "b")
        gz = gzip.GzipFile(filename="", mode=mode + "b", fileobj=raw, compresslevel=6, mtime=0)
        wrapper = io.TextIOWrapper(gz, encoding="utf-8", newline="\n")
        orig_close = wrapper.close

        def close():
            orig_close()
            raw.close()

        wrapper.close = close
        return wrapper
    return open(path, mode, encoding="utf-8", newline="\n")


def _timed_job(args) -> tuple[str, int, float]:
    t = time.perf_counter()
    path, kind, options, spec, post = args
    if kind == "raw":
        Path(path).parent.mkdir(parents=True, exist_ok=True)
        Path(path).write_bytes(spec)
        return hashlib.sha256(spec).hexdigest(), len(spec), time.perf_counter() - t
    sha, size = _job(args)
    return sha, size, time.perf_counter() - t


def truth_record(
    spec: ReportSpec | None, kind: str, options: dict, path: str, unit_id: str | None, defects: list[dict]
) -> dict:
    """One line of truth.jsonl (sha256 and size are added once the file is written)."""
    if spec is None:
        return {
            "path": path,
            "kind": None,
            "options": {},
            "bad": None,
            "unit_id": None,
            "year": None,
            "agency": None,
            "title": None,
            "published_on": None,
            "published_shown": None,
            "period": None,
            "format_version": None,
            "defects": [],
            "expected_status": "read",
            "reason_kind": None,
            "cells": None,
            "extra_cells": None,
        }
    if kind in ("text", "html"):
        shown = "meta" if spec.published_on else None
    else:
        shown = "signature" if (spec.published_on and options.get("signature", True)) else None
    return {
        "path": path,
        "kind": kind,
        "options": options,
        "bad": None,
        "unit_id": unit_id,
        "year": spec.year,
        "agency": spec.agency,
        "title": spec.title,
        "published_on": spec.published_date(),
        "published_shown": shown,
        "period": {"start": spec.period[0], "end": spec.period[1]} if spec.period else None,
        "format_version": spec.format_version,
        "defects": defects,
        "expected_status": "read",
        "reason_kind": None,
        "cells": expected_cells(spec),
        "extra_cells": expected_extra_cells(spec),
    }


# ------------------------------------------------------------------------------------------------
# The bundled sample

SEED_DEFECTS = [
    {
        "kind": "malformed_t4",
        "cells": [f"T4/{g}.{c}" for g in T4_GROUPS for c in T4_COLS],
        "detail": {"table": "T4", "real": True},
    },
    {
        "kind": "rules_nonzero",
        "cells": ["T2/rules/repealed", "T2/rules/in_force"],
        "detail": {"variant": "repealed_blank", "level": "township", "real": True},
    },
]


def build_sample(out: str | Path = SAMPLE_DIR, workers: int = 1, log=None) -> dict:
    """assets/sample: all of 阿拉善盟 for 2022–2024 (seed SAMPLE_SEED, default mix) plus the real 2024
    report of 巴彦木仁苏木. The generated 2024 report of 巴彦木仁苏木 is kept as an older version
    published three days before the real one (so it is superseded), and 巴彦木仁苏木 receives no
    application in any generated year (so its 2023 carried_forward, 0, matches the real 2024 carried_over)."""
    real = [
        {
            "src": SEED_REPORT,
            "key": SEED_REPORT_KEY,
            "dest": SEED_REPORT_DEST,
            "unit_id": "152921203",
            "year": 2024,
            "published_on": "2025-01-06",
            "source": "tests/fixtures/seed_2024_bayanmuren.txt",
            "defects": SEED_DEFECTS,
        }
    ]
    g = Generator(
        out,
        seed=SAMPLE_SEED,
        years=SAMPLE_YEARS,
        units="alxa",
        mix="default",
        workers=workers,
        quiet_units={"152921203"},
        real_reports=real,
        log=log,
    )
    return g.run()


# ------------------------------------------------------------------------------------------------
# CLI


def _rates(args) -> dict:
    rates = {k: v * args.defect_scale for k, v in DEFAULT_RATES.items()}
    for item in args.rate or []:
        k, _, val = item.partition("=")
        if k not in DEFECT_KINDS:
            raise SystemExit(f"--rate: unknown defect kind {k!r}; one of {', '.join(DEFECT_KINDS)}")
        rates[k] = float(val)
    return rates


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(
        prog="python -m corpus.generate",
        description="Generate a corpus of annual reports and its truth (see the module doc).",
    )
    ap.add_argument("--out", help="output folder: <out>/inbox/ and <out>/truth.jsonl")
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--years", type=int, nargs="+", default=list(SAMPLE_YEARS))
    ap.add_argument("--units", default="alxa", help="alxa | all-nmg | N (Alxa then simulated leagues, N units)")
    ap.add_argument("--mix", default="default", choices=sorted(MIXES) + ["even"])
    ap.add_argument("--scale", type=int, help="number of reports (unit-years) wanted")
    ap.add_argument("--registry-out", help="write a registry folder covering every generated unit")
    ap.add_argument("--workers", type=int, default=1, help="processes that render files (output is the same)")
    ap.add_argument("--rate", action="append", metavar="KIND=RATE", help="defect rate, e.g. --rate split_digit=0.1")
    ap.add_argument("--defect-scale", type=float, default=1.0, help="multiply every default defect rate")
    ap.add_argument("--no-bad-files", action="store_true")
    ap.add_argument("--no-coverage", action="store_true", help="do not force every defect kind to appear once")
    ap.add_argument(
        "--no-scans",
        action="store_true",
        help="no report published as images read by OCR (scans, photos, numbered page images; by default "
        "one of each per 1,000 reports): those reports keep the kind the mix gives them",
    )
    ap.add_argument("--truth", help="truth file (default <out>/truth.jsonl; a .gz name writes it gzipped)")
    ap.add_argument(
        "--sample",
        action="store_true",
        help="regenerate the bundled sample (assets/sample, or --out) with its fixed seed",
    )
    args = ap.parse_args(argv)

    def log(summary):
        print(json.dumps(summary, ensure_ascii=False, indent=1), file=sys.stderr)

    if args.sample:
        build_sample(args.out or SAMPLE_DIR, workers=args.workers, log=log)
        return 0
    if not args.out:
        ap.error("--out is required (or --sample)")
    g = Generator(
        args.out,
        seed=args.seed,
        years=args.years,
        units=args.units,
        mix=args.mix,
        scale=args.scale,
        rates=_rates(args),
        bad_files=not args.no_bad_files,
        workers=args.workers,
        registry_out=args.registry_out,
        coverage=not args.no_coverage,
        truth_path=args.truth,
        log=log,
        scans=not args.no_scans,
    )
    g.run()
    return 0


if __name__ == "__main__":
    sys.exit(main())
