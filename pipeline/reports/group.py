"""The page of a banner-level group or of the league, per year and hierarchy: coverage, timeliness,
the league table of its units, the 200 sums of its units' cells, its own report beside them, rates,
charts and the findings by rule.

`group_inputs` gathers from the loaded data (`data.load_year`) everything the page shows into one
frozen `GroupInputs`; `group_context` builds the page from that value alone.
"""

from __future__ import annotations

from dataclasses import dataclass

from markupsafe import Markup

from . import charts
from .data import OWN_CELLS, Data
from .inputs import PageInputs, group_path, unit_path
from .labels import (
    HIERARCHY_NOTE,
    HIERARCHY_ZH,
    LEVEL_ORDER,
    LEVEL_ZH,
    SEVERITY_ZH,
    cell_show,
    deadline_text,
    fmt_num,
    fmt_pct,
    rate_text,
    timeliness,
)
from .layout import T3_SHORT, short_label
from .unit import ALL_IDS

# Cells of a group's own report shown next to the sum of its units, in this order.
OWN_FIGURES = OWN_CELLS


@dataclass(frozen=True)
class GroupInputs(PageInputs):
    """Everything a group page shows (all of it from load_common and load_year)."""

    hierarchy: str
    gid: str
    year: int
    group: dict  # rollup_groups' row
    coverage: dict  # rollup_coverage of the year ({} if none)
    summary: dict | None  # rollup_summary of the year
    table: list  # members with a unit-year: (unit id, unit_years, derived, banner id, banner name)
    missing: list  # (unit id, name, manifest rows of its unread files)
    rollup_cells: dict | None  # cell id -> data.ROLLUP_CELL_COLS
    timeliness: dict | None
    copying: dict | None
    own_rid: str | None  # the group's own report of the year
    own_vs_units: dict | None
    derived: dict | None  # the group's derived figures of the year
    trend: list  # (year, derived figures) of every year the group has a page
    banners: list  # a league's banner groups: (id, name, rollup_summary of the year)
    findings_by_rule: list | None
    chain: list  # (parent id, name, has a group page), nearest first
    deadline: str
    min_base: object


def _group_of(d: Data, uid: str, hierarchy: str, banner_only: bool = False) -> str | None:
    """The nearest rollup group above a unit (a banner-level group, else the league)."""
    for p in d.chain(uid, hierarchy):
        g = d.groups.get((hierarchy, p))
        if g and (not banner_only or g["group_level"] == "banner"):
            return p
    return None


def group_inputs(d: Data, hierarchy: str, gid: str, year: int) -> GroupInputs:
    key = (hierarchy, gid, year)
    g = d.groups[(hierarchy, gid)]
    table = []
    for m in d.members.get((hierarchy, gid), []):
        uy = d.unit_years.get((m, year))
        if uy is None:
            continue
        b = _group_of(d, m, hierarchy, banner_only=True)
        table.append((m, uy, d.derived.get(("unit", m, year)), b, d.unit_name(b) if b else ""))
    cov = d.coverage.get(key) or {}
    missing = [(m, d.unit_name(m), d.manifest_reasons.get((m, year))) for m in cov.get("missing_unit_ids") or []]
    banners = []
    if g["group_level"] == "league":
        banners = [
            (bid, d.groups[(hierarchy, bid)]["group_name"], d.summary.get((hierarchy, bid, year)))
            for bid in d.sub_groups.get((hierarchy, gid), [])
        ]
    trend = [(y, d.derived.get(("group", hierarchy, gid, y))) for y in d.years if (hierarchy, gid, y) in d.coverage]
    chain = [(p, d.unit_name(p), (hierarchy, p) in d.groups) for p in d.chain(gid, hierarchy)]
    return GroupInputs(
        hierarchy=hierarchy,
        gid=gid,
        year=year,
        group=g,
        coverage=cov,
        summary=d.summary.get(key),
        table=table,
        missing=missing,
        rollup_cells=d.rollup_cells.get(key),
        timeliness=d.timeliness.get(key),
        copying=d.copying.get(key),
        own_rid=d.report_by_unit_year.get((gid, year)),
        own_vs_units=d.own_vs_units.get(key),
        derived=d.derived.get(("group", hierarchy, gid, year)),
        trend=trend,
        banners=banners,
        findings_by_rule=d.findings_by_rule.get(key),
        chain=chain,
        deadline=deadline_text(d.settings),
        min_base=d.settings.get("min_base", 30),
    )


def group_cell(cid: str, r: tuple | None) -> dict:
    """A cell of a group page from its rollup_cells row (the columns of data.ROLLUP_CELL_COLS, in order)."""
    if r is None:
        return {
            "id": cid,
            "sem": "NONE",
            "text": "—",
            "cls": "g-none",
            "title": "本年没有单位的报告",
            "marks": [],
            "sub": "",
        }
    (n, units_numeric, k, units_empty, units_na, units_text, units_missing, value_sum, parts_kind, parts_sum) = r
    if units_numeric == 0:
        text, cls = "—", "g-none"
    else:
        text, cls = fmt_num(value_sum), "n"
    parts = []
    if units_empty:
        parts.append(f"{units_empty} 个空白")
    if units_na:
        parts.append(f"{units_na} 个“/”")
    if units_text:
        parts.append(f"{units_text} 个文字")
    if units_missing:
        parts.append(f"{units_missing} 个缺失")
    title = f"{units_numeric}/{n} 个单位填写了数字，合计 {text}"
    if parts:
        title += "；未计入：" + "、".join(parts)
    sub = ""
    if k:
        cls += " partial"
        sub = f"{k}未计"
    marks = []
    if parts_kind and parts_sum is not None and units_numeric:
        diff = (value_sum or 0) - parts_sum
        what = "各申请人列" if parts_kind == "columns" else "各办理结果行"
        title += f"；{what}分项合计 {fmt_num(parts_sum)}"
        if abs(diff) > 1e-9:
            cls += " g-diff"
            sub = (sub + " " if sub else "") + f"分项{fmt_num(parts_sum)}"
    return {"id": cid, "sem": "SUM", "text": text, "cls": cls, "title": title, "marks": marks, "sub": sub}


def _league_row(row: tuple, year: int, root: str, min_base: int) -> dict:
    uid, uy, dv, g, gname = row
    dv = dv or {}
    read = uy["read"]
    if read:
        status, status_cls = ("通过" if uy["clean"] else "有问题"), ("ok" if uy["clean"] else "bad")
    elif uy["expected"]:
        status, status_cls = ("文件未能使用" if uy["received"] else "未收到"), "missing"
    else:
        status, status_cls = "—", ""
    return {
        "id": uid,
        "name": uy["unit_name"],
        "href": root + unit_path(uid, year) if read else "",
        "level_zh": LEVEL_ZH.get(uy["peer_level"], uy["peer_level"]),
        "level_order": LEVEL_ORDER.get(uy["peer_level"], 9),
        "banner": gname if g else "",
        "banner_id": g or "",
        "read": read,
        "status": status,
        "status_cls": status_cls,
        "new": fmt_num(dv.get("applications_new")) if read else "",
        "processed": fmt_num(dv.get("applications_processed")) if read else "",
        "disclosed": fmt_num(dv.get("disclosed")) if read else "",
        "share": fmt_pct(dv.get("share_disclosed")) if read else "",
        "share_note": rate_text(
            dv.get("share_disclosed"), dv.get("disclosed"), dv.get("applications_processed"), min_base
        )
        if read
        else "",
        "reviews": fmt_num(dv.get("reviews")) if read else "",
        "suits": fmt_num(dv.get("suits")) if read else "",
        "fail": uy["findings_fail"] if read else "",
        "fail_error": uy["findings_fail_error"] if read else "",
        "uncertain": uy["findings_uncertain"] if read else "",
        "published_on": uy["published_on"] or (f"落款 {uy['signed_on']}" if uy.get("signed_on") else ""),
        "timeliness": timeliness(uy) if read else {"code": "none", "text": ""},
        "copy_fail": uy["copy_fail"] if read else "",
        "apps_value": dv.get("applications_new"),
    }


def _own(inp: GroupInputs) -> list[dict]:
    """The group's own report next to the sum of its units."""
    own = []
    ov = inp.own_vs_units or {}
    if inp.own_rid and ov:
        for cid in OWN_FIGURES:
            r = ov.get(cid)
            if not r:
                continue
            own_semantic, own_value, own_raw, units_sum, units_numeric, units_not_number, difference = r
            own.append(
                {
                    "label": short_label(cid),
                    "own": cell_show((own_semantic, own_value, own_raw)),
                    "units": fmt_num(units_sum) if units_numeric else "—",
                    "coverage": f"{units_numeric}/{units_numeric + units_not_number}",
                    "difference": fmt_num(difference) if difference is not None else "—",
                }
            )
    return own


def _rates(dv: dict, min_base: int) -> list[dict]:
    rates = []
    for label, key, num_key, base_key in (
        ("公开率（予以公开＋部分公开）/ 办理结果总计", "share_disclosed", "disclosed", "applications_processed"),
        ("不予公开 / 办理结果总计", "share_withheld", "withheld", "applications_processed"),
        ("无法提供 / 办理结果总计", "share_unavailable", "unavailable", "applications_processed"),
        ("本机关不掌握 / 办理结果总计", "share_not_held", "not_held", "applications_processed"),
        ("不予处理 / 办理结果总计", "share_declined", "declined", "applications_processed"),
        ("复议纠错率：纠正 / 已审结", "review_correction_rate", "review_corrected", "review_concluded"),
        ("诉讼纠错率：纠正 / 已审结", "suit_correction_rate", "suit_corrected", "suit_concluded"),
        ("复议和直接起诉 / 办理结果总计", "challenge_rate", "challenges", "applications_processed"),
    ):
        rates.append(
            {
                "label": label,
                "value": rate_text(dv.get(key), dv.get(num_key), dv.get(base_key), min_base),
                "num": fmt_num(dv.get(num_key)),
                "base": fmt_num(dv.get(base_key)),
            }
        )
    return rates


def _charts(inp: GroupInputs, table: list[dict], dv: dict, tl: dict, cov: dict) -> dict:
    year = inp.year
    bars = sorted(
        ((r["name"], r["apps_value"]) for r in table if r["read"]),
        key=lambda x: (-(x[1] if x[1] is not None else -1), x[0]),
    )
    chart_apps = charts.hbar(
        bars, f"{year}年各单位本年新收政府信息公开申请", unit="件", note=f"共 {len(bars)} 份报告；未收到的单位不在图中"
    )
    outcome_parts = [
        (T3_SHORT["granted"], dv.get("granted"), "granted"),
        (T3_SHORT["partly_granted"], dv.get("partly_granted"), "partly_granted"),
        ("不予公开", dv.get("withheld"), "withheld"),
        ("无法提供", dv.get("unavailable"), "unavailable"),
        ("不予处理", dv.get("declined"), "declined"),
    ]
    other = None
    vals = [v for _, v, _ in outcome_parts]
    if dv.get("applications_processed") is not None and all(v is not None for v in vals):
        other = dv["applications_processed"] - sum(vals)
    outcome_parts.append(("其他处理", other, "other"))
    chart_outcomes = charts.stacked(outcome_parts, f"{year}年办理结果构成（各单位“总计”列相加）")
    chart_time = charts.stacked(
        [
            ("按时", tl.get("on_time", 0), "on_time"),
            ("逾期", tl.get("late", 0), "late"),
            ("日期不明", tl.get("unknown", 0), "unknown"),
            ("未收到报告", cov.get("units_missing", 0), "missing"),
        ],
        f"{year}年度报告发布及时性（{inp.deadline}）",
        unit="个",
    )
    trend_years = [y for y, _gd in inp.trend]
    series = [("本年新收申请", []), (T3_SHORT["processed_total"], [])]
    for _y, gd in inp.trend:
        gd = gd or {}
        series[0][1].append(gd.get("applications_new"))
        series[1][1].append(gd.get("applications_processed"))
    chart_trend = (
        charts.columns(series, [str(y) for y in trend_years], "历年申请数量（所属单位合计）")
        if len(trend_years) > 1
        else ""
    )
    return {
        "apps": Markup(chart_apps),
        "outcomes": Markup(chart_outcomes),
        "time": Markup(chart_time),
        "trend": Markup(chart_trend),
    }


def _banners(inp: GroupInputs, root: str, min_base: int) -> list[dict]:
    banners = []
    for bid, name, s in inp.banners:
        if not s:
            continue
        banners.append(
            {
                "name": name,
                "href": root + group_path(inp.hierarchy, bid, inp.year),
                "own_href": root + unit_path(bid, inp.year) if s["own_report_read"] else "",
                "expected": s["units_expected"],
                "read": s["reports_read"],
                "missing": s["units_missing"],
                "clean": s["reports_clean"],
                "on_time": s["on_time"],
                "late": s["late"],
                "unknown": s["unknown_date"],
                "new": fmt_num(s["applications_new"]),
                "processed": fmt_num(s["applications_processed"]),
                "share": fmt_pct(s["share_disclosed"]),
                "share_note": rate_text(s["share_disclosed"], s["disclosed"], s["applications_processed"], min_base)
                if s["reports_read"]
                else "没有报告",
                "fail": s["findings_fail"],
                "copy_fail": s["copy_fail"],
            }
        )
    return banners


def group_context(inp: GroupInputs) -> dict:
    """The context of group.html, from the page's inputs only."""
    root = "../../../"
    hierarchy, gid, year, g = inp.hierarchy, inp.gid, inp.year, inp.group
    min_base = int(inp.min_base)
    cov = inp.coverage or {}
    summ = inp.summary or {}
    rc = inp.rollup_cells or {}
    cells = {cid: group_cell(cid, rc.get(cid)) for cid in ALL_IDS}
    table = [_league_row(row, year, root, min_base) for row in inp.table]
    table.sort(key=lambda r: (r["level_order"], r["banner_id"], r["id"]))
    expected = {row[0]: row[1]["expected"] for row in inp.table}
    missing = []
    for m, name, reasons in inp.missing:
        reasons = reasons or []
        missing.append(
            {
                "id": m,
                "name": name,
                "received": bool(reasons),
                "reason": "；".join(f"{r['path']}：{r['reason'] or r['status']}" for r in reasons),
            }
        )
    unexpected = [r for r in table if r["read"] and not expected[r["id"]]]
    tl = inp.timeliness or {}
    cp = inp.copying or {}
    dv = inp.derived or {}
    other_h = "managing" if hierarchy == "statutory" else "statutory"
    years = [{"year": y, "href": root + group_path(hierarchy, gid, y), "current": y == year} for y, _gd in inp.trend]
    return {
        "kind": "group",
        "root": root,
        "title": f"{g['group_name']} {year} 年度汇总（{HIERARCHY_ZH[hierarchy]}）",
        "group": {
            "id": gid,
            "name": g["group_name"],
            "level": g["group_level"],
            "level_zh": "盟" if g["group_level"] == "league" else "旗（区）",
        },
        "year": year,
        "hierarchy": hierarchy,
        "hierarchy_zh": HIERARCHY_ZH[hierarchy],
        "hierarchy_note": HIERARCHY_NOTE[hierarchy],
        "other_hierarchy": {"zh": HIERARCHY_ZH[other_h], "href": root + group_path(other_h, gid, year)},
        "coverage": {
            k: cov.get(k, 0)
            for k in (
                "units_expected",
                "units_received",
                "files_received",
                "reports_read",
                "expected_read",
                "reports_clean",
                "reports_unexpected",
                "units_missing",
                "units_missing_received",
            )
        }
        | {"pct_read": cov.get("pct_read")},
        "missing": missing,
        "unexpected": unexpected,
        "timeliness": {
            "on_time": tl.get("on_time", 0),
            "late": tl.get("late", 0),
            "unknown": tl.get("unknown", 0),
            "late_names": tl.get("late_names") or [],
            "max_days_late": tl.get("max_days_late"),
        },
        "copying": {"copy_fail": cp.get("copy_fail", 0), "names": cp.get("copying_names") or []},
        "summary": {
            "fail": summ.get("findings_fail", 0),
            "uncertain": summ.get("findings_uncertain", 0),
            "open": summ.get("findings_open", 0),
            "reviewed": summ.get("findings_reviewed", 0),
            "confirmed": summ.get("findings_confirmed", 0),
        },
        "cells": cells,
        "rates": _rates(dv, min_base),
        "table": table,
        "banners": _banners(inp, root, min_base),
        "own": _own(inp),
        "own_href": root + unit_path(gid, year) if inp.own_rid else "",
        "rules": [
            {
                "rule_id": rule_id,
                "severity": SEVERITY_ZH.get(severity, severity or ""),
                "fail": fail,
                "uncertain": uncertain,
                "not_assessable": not_assessable,
                "pass": pass_,
                "units_failing": units_failing,
            }
            for rule_id, severity, fail, uncertain, not_assessable, pass_, units_failing in inp.findings_by_rule or []
        ],
        "charts": _charts(inp, table, dv, tl, cov),
        "years": years,
        "crumbs": [{"name": "首页", "href": root + "index.html"}]
        + (
            [
                {"name": f"{name}（{year}）", "href": root + group_path(hierarchy, p, year)}
                for p, name, is_group in reversed(inp.chain)
                if is_group
            ]
        ),
    }
