"""`nianbao check PATH... [--json] [--previous PATH]`: the rules that need no warehouse, on files.

A township can check its own report before publishing it, and against its previous year's report.
Registry facts (who may make 规章, which deadline applies) come from the registry when the body is
found there, otherwise from the form of its name.
"""

from __future__ import annotations

import json
import re
import sys

from ..parse import parse_file
from .batch import from_parsed
from .catalogue import rules

_TOWNSHIP = re.compile(r"(镇|乡|苏木|街道|街道办事处|办事处)(人民政府)?$")
_COUNTY_GOV = re.compile(r"(旗|县|区)人民政府$|行政公署$")
_CITY_GOV = re.compile(r"(市|州|省|自治区)人民政府$")
_DEPARTMENT = re.compile(r"(局|委员会|委|办公室|办|中心|署|厅)$")


def infer_unit(agency: str | None) -> dict:
    """What the name of an unregistered body tells: level, 规章 capacity, deadline."""
    if not agency:
        return {}
    if _TOWNSHIP.search(agency):
        return {"level": "township", "can_make_rules": False, "deadline_kind": "township"}
    if _COUNTY_GOV.search(agency):
        return {"level": "county", "can_make_rules": False, "deadline_kind": "government"}
    if _CITY_GOV.search(agency):
        # a 设区的市 may make 规章, a county-level city may not: the name does not say which
        return {"level": "government", "can_make_rules": None, "deadline_kind": "government"}
    if _DEPARTMENT.search(agency):
        return {"level": "department", "can_make_rules": False, "deadline_kind": "department"}
    return {}


def _unit_facts(result: dict, registry) -> dict:
    if "error" in result:
        return {}
    facts = {}
    if registry is not None:
        res = registry.resolve(result.get("agency"), result.get("path"), result.get("year"))
        if res.unit_id:
            u = registry[res.unit_id]
            facts = {
                "unit_id": u.unit_id,
                "name": u.name,
                "level": u.level,
                "can_make_rules": u.can_make_rules,
                "deadline_kind": u.deadline_kind,
                "match_method": res.method,
            }
    if not facts:
        facts = infer_unit(result.get("agency"))
        if facts:
            facts["unit_id"] = "agency:" + result["agency"]
    return facts


def run_check(paths: list[str], previous: str | None = None, as_json: bool = False, deadline: str | None = None) -> int:
    from ..registry import load_registry

    try:
        registry = load_registry()
    except Exception:  # a damaged registry must not stop a township checking its report
        registry = None
    deadline = deadline or "01-31"
    if not re.fullmatch(r"\d\d-\d\d", deadline):
        print(f"nianbao check: --deadline must look like 01-31, not {deadline}", file=sys.stderr)
        return 2
    results = [parse_file(p) for p in paths]
    prev_result = parse_file(previous) if previous else None
    readable = [r for r in results if "error" not in r]
    unreadable = [r for r in results if "error" in r]
    status = 0
    for r in unreadable:
        if as_json:
            print(json.dumps({"path": r["path"], "error": r["error"]}, ensure_ascii=False))
        else:
            print(f"✗ {r['path']}\n  cannot be read: {r['error']}\n")
    if prev_result is not None and "error" in prev_result:
        print(f"nianbao check: the previous report {previous} cannot be read: {prev_result['error']}", file=sys.stderr)
        prev_result = None
    if not readable:
        return 2 if unreadable else 0

    batch_results = list(readable)
    units = [_unit_facts(r, registry) for r in readable]
    if prev_result is not None:
        # the previous report belongs to the same body as the first file checked
        pu = dict(units[0])
        batch_results.append(prev_result)
        units.append(pu)
        if prev_result.get("year") is None and readable[0].get("year"):
            prev_result["year"] = readable[0]["year"] - 1
    for i, r in enumerate(batch_results):
        r["report_id"] = f"f{i}"
    batch = from_parsed(batch_results, units)
    focus = batch.focus.copy()
    if prev_result is not None:
        focus[-1] = False
    batch.focus = focus
    from .findings import run_checks

    table, _ = run_checks(batch, township_deadline=deadline)
    any_fail = False
    for i, r in enumerate(readable):
        rows = table[table["report_id"] == f"f{i}"]
        fails = rows[rows["status"] == "FAIL"]
        any_fail |= len(fails) > 0
        summary = rows["status"].value_counts().to_dict()
        if as_json:
            out = {
                "path": r["path"],
                "agency": r.get("agency"),
                "year": r.get("year"),
                "unit_id": units[i].get("unit_id"),
                "summary": summary,
                "findings": [_row_json(x) for x in rows.to_dict("records") if x["status"] != "PASS"],
            }
            print(json.dumps(out, ensure_ascii=False))
        else:
            print(_draw(r, rows, units[i]))
    if any_fail:
        status = 1
    elif unreadable:
        status = 2
    return status


def _row_json(x: dict) -> dict:
    """A finding as `--json` shows it: the warehouse's finding columns, less those the report's own
    object already gives (ids, unit, year) and the warehouse-only ones (scope, the other report)."""
    from .findings import FINDING_COLUMNS

    given = ("finding_id", "report_id", "unit_id", "year", "scope", "other_report_id")
    keep = [c for c in FINDING_COLUMNS if c not in given]
    out = {}
    for k in keep:
        v = x.get(k)
        if isinstance(v, float) and v != v:
            v = None
        out[k] = v
    return out


def _draw(r: dict, rows, unit: dict) -> str:
    lines = [
        f"■ {r['path']}",
        f"  {r.get('agency') or '(agency not found)'} · {r.get('year') or '?'}"
        + (f" · unit {unit.get('unit_id')}" if unit.get("unit_id") else ""),
    ]
    order = {"FAIL": 0, "UNCERTAIN": 1, "NOT_ASSESSABLE": 2}
    shown = rows[rows["status"] != "PASS"].copy()
    shown["o"] = shown["status"].map(order)
    shown = shown.sort_values(["o", "rule_id", "instance"])
    counts = rows["status"].value_counts().to_dict()
    lines.append("  " + "  ".join(f"{k} {counts.get(k, 0)}" for k in ("FAIL", "UNCERTAIN", "NOT_ASSESSABLE", "PASS")))
    n = 0
    for x in shown.itertuples():
        if x.status == "NOT_ASSESSABLE" and x.rule_id in {r_.id for r_ in rules() if r_.needs_previous}:
            continue
        n += 1
        mark = {"FAIL": "✗", "UNCERTAIN": "?", "NOT_ASSESSABLE": "·"}[x.status]
        cells = ", ".join(list(x.lhs_cells) + list(x.rhs_cells))[:120]
        lines.append(f"  {n:>3}. {mark} [{x.rule_id}/{x.instance}] {x.message_zh}")
        if cells and x.status == "FAIL":
            lines.append(f"       cells: {cells}")
    return "\n".join(lines) + "\n"
