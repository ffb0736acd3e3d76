"""A warehouse with known values, built without reading any file: for the rollup tests and the
rendering benchmark.

It uses the project's own schema, views and rollups (``sql/``) and the registry, and fills
``reports``, ``cells`` (exactly 200 per report), ``sections`` and ``manifest`` (``problems`` stays empty) from
`corpus.spec.example_cells` with per-report overrides. It never writes ``findings``: the
callers (tests, benchmark) insert the findings they need.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd

from pipeline import warehouse as _warehouse
from pipeline.codebook import cell_ids, split_cell_id
from pipeline.registry import load_registry
from pipeline.textnorm import classify_value
from pipeline.warehouse import connect, run_sql

from .spec import default_section_text, example_cells

SECTIONS = ("overview", "proactive", "requests", "appeals", "problems", "other")
# Department names used to make extra reporting units for a large warehouse (benchmark).
DEPARTMENTS = (
    "财政局",
    "教育局",
    "公安局",
    "民政局",
    "司法局",
    "人力资源和社会保障局",
    "自然资源局",
    "生态环境局",
    "住房和城乡建设局",
    "交通运输局",
    "水务局",
    "农牧局",
    "商务局",
    "文化旅游体育局",
    "卫生健康委员会",
    "退役军人事务局",
    "应急管理局",
    "审计局",
    "市场监督管理局",
    "统计局",
    "林业和草原局",
    "医疗保障局",
    "信访局",
    "乡村振兴局",
    "能源局",
    "工业和信息化局",
    "科学技术局",
    "政务服务局",
    "城市管理综合执法局",
    "消防救援大队",
    "税务局",
    "气象局",
    "档案馆",
    "融媒体中心",
    "发展和改革委员会",
    "民族事务委员会",
    "住房公积金管理中心",
    "国有资产监督管理委员会",
    "粮食和物资储备局",
    "残疾人联合会",
)


def _rid(*parts) -> str:
    return hashlib.sha256("|".join(map(str, parts)).encode()).hexdigest()


@dataclass
class Synthetic:
    """What to put in the warehouse.

    overrides: {(unit_id, year): {cell_id: raw}}; raw None makes the cell MISSING.
    missing: {(unit_id, year)} expected but not received at all.
    set_aside: {(unit_id, year)} received (a manifest row resolved to the unit) but not read.
    published: {(unit_id, year): "YYYY-MM-DD" or None}; default: a date in January of year + 1.
    signed: {(unit_id, year): "YYYY-MM-DD"}: the date under the signature (落款日期); default none.
    sections: {(unit_id, year): {section: text or None}}.
    departments: number of extra department units per banner and for the league (for volume).
    """

    years: tuple[int, ...] = (2023, 2024)
    seed: int = 0
    overrides: dict = field(default_factory=dict)
    missing: set = field(default_factory=set)
    set_aside: set = field(default_factory=set)
    published: dict = field(default_factory=dict)
    signed: dict = field(default_factory=dict)
    sections: dict = field(default_factory=dict)
    departments: int = 0
    units: list[str] | None = None  # restrict reports to these unit ids (all expected by default)
    build_info: dict = field(default_factory=dict)


def _department_units(reg, n: int) -> list[dict]:
    rows = []
    parents = [u for u in reg if u.level in ("league", "banner")]
    for p in parents:
        for i, dept in enumerate(DEPARTMENTS[:n]):
            rows.append(
                {
                    "unit_id": f"{p.unit_id}-d{i:02d}",
                    "name": f"{p.name}{dept}",
                    "full_name": f"{p.name}{dept}",
                    "level": "department",
                    "kind": "部门",
                    "statutory_parent": p.unit_id,
                    "managing_body": None,
                    "files_own_report": True,
                    "can_make_rules": False,
                    "deadline_kind": "department",
                    "valid_from": None,
                    "valid_to": None,
                    "note": "synthetic department",
                }
            )
    return rows


def build(db_path: str | Path, spec: Synthetic | None = None) -> dict:
    """Write a complete warehouse to `db_path`; returns {"reports": n, "units": n, "years": [...]}."""
    spec = spec or Synthetic()
    db_path = Path(db_path)
    for p in (db_path, Path(str(db_path) + ".wal")):
        if p.exists():
            p.unlink()
    reg = load_registry()
    units = reg.units_frame()
    units = units[[c for c in units.columns if c not in ("name_from", "source")]]
    extra = pd.DataFrame(_department_units(reg, spec.departments)) if spec.departments else None
    if extra is not None:
        units = pd.concat([units, extra[units.columns]], ignore_index=True)
    unit_rows = units.to_dict("records")

    ids = cell_ids()
    reports, cells, sections, manifest = [], [], [], []
    for year in spec.years:
        for u in unit_rows:
            uid = u["unit_id"]
            vf, vt = u["valid_from"], u["valid_to"]
            exists = (pd.isna(vf) or int(vf) <= year) and (pd.isna(vt) or year <= int(vt))
            if not (exists and bool(u["files_own_report"])):
                continue
            if spec.units is not None and uid not in spec.units:
                continue
            key = (uid, year)
            path = f"{year}/{u['name']}_{year}.txt"
            sha = _rid(spec.seed, uid, year)
            if key in spec.missing:
                continue
            if key in spec.set_aside:
                manifest.append(
                    {
                        "path": path,
                        "sha256": sha,
                        "size_bytes": 1000,
                        "kind": "text",
                        "status": "set_aside",
                        "reason": "no table of the annual report format was found",
                        "report_id": None,
                        "unit_id": uid,
                        "year": year,
                        "duplicate_of": None,
                        "superseded_by": None,
                        "year_hint": year,
                    }
                )
                continue
            rid = sha[:16]
            h = int(sha[16:24], 16)
            if key in spec.published:
                pub = spec.published[key]
            else:
                pub = f"{year + 1}-01-{1 + h % 28:02d}"
            reports.append(
                {
                    "report_id": rid,
                    "sha256": sha,
                    "path": path,
                    "version": 1,
                    "in_inbox": True,
                    "active": True,
                    "status": "active",
                    "unit_id": uid,
                    "year": year,
                    "agency": u["full_name"],
                    "kind": "text",
                    "format_version": "2021",
                    "title": f"{u['full_name']}{year}年政府信息公开工作年度报告",
                    "published_on": pub,
                    "signed_on": spec.signed.get(key),
                    "period_start": f"{year}-01-01",
                    "period_end": f"{year}-12-31",
                    "match_method": "exact_full_name",
                    "match_confidence": 1.0,
                    "match_reason": None,
                    "parser_version": "synthetic",
                    "n_problems": 0,
                    "n_errors": 0,
                }
            )
            manifest.append(
                {
                    "path": path,
                    "sha256": sha,
                    "size_bytes": 1000,
                    "kind": "text",
                    "status": "read",
                    "reason": None,
                    "report_id": rid,
                    "unit_id": uid,
                    "year": year,
                    "duplicate_of": None,
                    "superseded_by": None,
                    "year_hint": year,
                }
            )
            raw_cells = example_cells(seed=h % 100000)
            raw_cells.update(spec.overrides.get(key, {}))
            for n, cid in enumerate(ids):
                t, r, c = split_cell_id(cid)
                raw = raw_cells.get(cid)
                if raw is None:
                    sem, val = "MISSING", None
                else:
                    sem, val = classify_value(raw)
                cells.append((rid, cid, t, r, c, sem, None if val is None else float(val), raw, f"line {n + 1}"))
            texts = spec.sections.get(key, {})
            for s in SECTIONS:
                text = texts[s] if s in texts else default_section_text(s, u["full_name"], year)
                sections.append((rid, s, text, None if text is None else len(text)))
    con = connect(db_path)
    try:
        run_sql(con, "schema")
        # BY NAME: columns added to the schema later stay NULL here instead of breaking the build
        con.register("u", units)
        con.execute("""INSERT INTO units BY NAME SELECT * REPLACE (nullif(statutory_parent, '') AS statutory_parent,
                       nullif(managing_body, '') AS managing_body, nullif(note, '') AS note) FROM u ORDER BY unit_id""")
        con.unregister("u")
        if manifest:
            con.register("m", pd.DataFrame(manifest))
            con.execute("""INSERT INTO manifest BY NAME SELECT * REPLACE (year::INTEGER AS year,
                           year_hint::INTEGER AS year_hint) FROM m ORDER BY path""")
            con.unregister("m")
        if reports:
            con.register("r", pd.DataFrame(reports))
            con.execute("""INSERT INTO reports BY NAME SELECT * REPLACE (year::INTEGER AS year,
                           try_cast(published_on AS DATE) AS published_on, try_cast(signed_on AS DATE) AS signed_on,
                           try_cast(period_start AS DATE) AS period_start,
                           try_cast(period_end AS DATE) AS period_end) FROM r ORDER BY report_id""")
            con.unregister("r")
            cdf = pd.DataFrame(
                cells,
                columns=[
                    "report_id",
                    "cell_id",
                    "table_code",
                    "row_code",
                    "col_code",
                    "semantic",
                    "value",
                    "raw",
                    "location",
                ],
            )
            con.register("c", cdf)
            con.execute(
                "INSERT INTO cells BY NAME SELECT *, semantic AS semantic_read, value AS value_read, "
                "'read' AS value_source FROM c ORDER BY report_id, cell_id"
            )
            con.unregister("c")
            sdf = pd.DataFrame(sections, columns=["report_id", "section", "text", "chars"])
            sdf["chars"] = sdf["chars"].astype("Int64")
            con.register("s", sdf)
            con.execute("INSERT INTO sections SELECT report_id, section, text, chars::INTEGER FROM s")
            con.unregister("s")
        info = {
            "nianbao_version": "synthetic",
            "parser_version": "synthetic",
            "inbox": "(synthetic)",
            "report_years": json.dumps(sorted(spec.years)),
        }
        info.update(spec.build_info)
        con.executemany("INSERT INTO build_info VALUES (?, ?)", sorted(info.items()))
        run_sql(con, "views")
        run_sql(con, "rollups")
        if hasattr(_warehouse, "document_columns"):
            _warehouse.document_columns(con)
        con.execute("CHECKPOINT")
    finally:
        con.close()
    return {"reports": len(reports), "units": len(unit_rows), "years": list(spec.years), "path": str(db_path)}
