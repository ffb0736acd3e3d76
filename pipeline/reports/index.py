"""The index page: links to every group page per year and hierarchy, and the units × years matrix of
what was read and whether it passed.

`index_inputs` gathers what the page shows into one frozen `IndexInputs` (from load_common and
`data.load_index`, a few values per unit and year); `index_context` builds the page from it alone.
"""

from __future__ import annotations

from dataclasses import dataclass

from .data import HIERARCHIES, Data
from .inputs import PageInputs, group_path, unit_path
from .labels import HIERARCHY_ZH, LEVEL_ORDER, LEVEL_ZH, deadline_text

SUMMARY_FIELDS = ("reports_read", "units_expected", "units_missing", "findings_fail")


@dataclass(frozen=True)
class IndexInputs(PageInputs):
    years: tuple  # the years of unit_years
    n_groups: int
    columns: tuple  # the league's, then the banners' statutory groups: (group id, name)
    summaries: dict  # (hierarchy, group id, year) -> SUMMARY_FIELDS, for those groups
    reports_per_year: dict  # year -> active reports
    units: tuple  # (unit id, name, statutory group id or "", its name, level), sorted for the matrix
    unit_years: dict  # (unit id, year) -> (read, clean, expected, findings_fail)
    build: dict  # build_info shown
    deadline: str
    min_base: object


def _group_of(d: Data, uid: str) -> str | None:
    """The nearest statutory rollup group above a unit."""
    for p in d.chain(uid, "statutory"):
        if ("statutory", p) in d.groups:
            return p
    return None


def index_inputs(d: Data) -> IndexInputs:
    """From load_common and load_index (d.index_unit_years, d.reports_per_year)."""
    league = [gid for (h, gid), g in d.groups.items() if h == "statutory" and g["group_level"] == "league"]
    banners = [gid for (h, gid), g in d.groups.items() if h == "statutory" and g["group_level"] == "banner"]
    columns = tuple((gid, d.unit_name(gid)) for gid in league + banners)
    summaries = {}
    for y in d.years:
        for gid, _name in columns:
            for h in HIERARCHIES:
                s = d.summary.get((h, gid, y))
                if s is not None:
                    summaries[(h, gid, y)] = tuple(s[k] for k in SUMMARY_FIELDS)
    units = []
    for uid in sorted({u for (u, _y) in d.index_unit_years}):
        g = _group_of(d, uid)
        units.append((uid, d.unit_name(uid), g or "", d.unit_name(g), d.units[uid]["level"]))
    units.sort(key=lambda u: (u[2], LEVEL_ORDER.get(u[4], 9), u[0]))
    return IndexInputs(
        years=tuple(d.years),
        n_groups=len(d.groups),
        columns=columns,
        summaries=summaries,
        reports_per_year={y: d.reports_per_year.get(y, 0) for y in d.years},
        units=tuple(units),
        unit_years=d.index_unit_years,
        build={k: d.build_info.get(k, "") for k in ("nianbao_version", "parser_version", "inbox", "build_id")},
        deadline=deadline_text(d.settings),
        min_base=d.settings.get("min_base", "30"),
    )


def index_context(inp: IndexInputs) -> dict:
    """The context of index.html, from the page's inputs only."""
    root = ""
    years = []
    for y in sorted(inp.years, reverse=True):
        cols = []
        for gid, name in inp.columns:
            links = []
            for h in HIERARCHIES:
                s = inp.summaries.get((h, gid, y))
                if s is None:
                    continue
                read, expected, missing, fail = s
                links.append(
                    {
                        "zh": HIERARCHY_ZH[h],
                        "href": group_path(h, gid, y),
                        "read": read,
                        "expected": expected,
                        "missing": missing,
                        "fail": fail,
                    }
                )
            cols.append({"name": name, "links": links})
        years.append({"year": y, "cols": cols, "reports": inp.reports_per_year.get(y, 0)})
    # units × years matrix, by statutory banner
    matrix = []
    for uid, name, _gid, banner, level in inp.units:
        row = {"id": uid, "name": name, "banner": banner, "level_zh": LEVEL_ZH.get(level, ""), "cells": []}
        for y in inp.years:
            uy = inp.unit_years.get((uid, y))
            if uy is None:
                row["cells"].append({"cls": "na", "text": "", "href": ""})
                continue
            read, clean, expected, fail = uy
            if read:
                row["cells"].append(
                    {"cls": "ok" if clean else "bad", "text": "✓" if clean else f"✗{fail}", "href": unit_path(uid, y)}
                )
            elif expected:
                row["cells"].append({"cls": "missing", "text": "缺", "href": ""})
            else:
                row["cells"].append({"cls": "na", "text": "", "href": ""})
        matrix.append(row)
    return {
        "kind": "index",
        "root": root,
        "title": "政府信息公开工作年度报告 · 检查与对比",
        "years": years,
        "all_years": list(inp.years),
        "matrix": matrix,
        "groups": inp.n_groups,
        "build": dict(inp.build),
        "build_id": inp.build.get("build_id", ""),
        "deadline": inp.deadline,
        "min_base": inp.min_base,
        "crumbs": [],
    }
