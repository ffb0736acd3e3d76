"""The report pages: one per unit and year, one per banner-level group and for the league (per year
and hierarchy), and an index. Rendered with Jinja2 from `reports/*.html` (autoescape on); the CSS of
`reports/static/` is copied next to the pages; no script, no font or file from the network.

Year by year (`render_all`): the year's rollups and the digests of its reports are loaded
(`data.load_year`), and each page gets a fingerprint: SHA-256 of the templates and this package's
code, and of the page's inputs (`unit_inputs`, `group_inputs`: the rows it shows, the bulk of a
report as DuckDB's digests of its cells, narrative, problems and findings). Fingerprints are kept in
`<pages>/_pages.json`; a page whose fingerprint did not change and whose file is still there with
the size written is neither built nor rendered again, so a re-run with nothing changed reads no
report and builds no context, and a re-run after one changed report rewrites only the pages that
show something of it. The pages to render are shared by two forked workers (the year's data is
shared with them copy-on-write; each reads the bulk of its own reports a batch at a time) while this
process loads the next year; a few pages are rendered here.
"""

from __future__ import annotations

import functools
import gc
import hashlib
import io
import json
import multiprocessing as mp
import os
import pickle
import time
import traceback
from pathlib import Path

import jinja2
from markupsafe import Markup, escape

from . import charts
from .data import HIERARCHIES, OWN_CELLS, PREV_CELLS, RANK_COLS, Data, load_common, load_reports, load_year, reading
from .layout import (
    FORM_WORDS, SECTION_TITLES, T2_BLOCKS, T2V2019_BLOCKS, T3_COLUMNS, T3_COLUMNS_WITH_SUBTOTAL, T3_HEADER_NOTE,
    T3_ROWS, T3_SHORT, T4_COLUMNS, T4_GROUP_LABELS, T4_GROUPS, T4_LAWSUITS, all_cell_ids, short_label,
)

ROOT = Path(__file__).resolve().parents[2]
TEMPLATES = ROOT / "reports"
CODEBOOK = ROOT / "pipeline" / "codebook.toml"  # the form's words the pages draw
STATIC = TEMPLATES / "static"
MANIFEST = "_pages.json"
MANIFEST_VERSION = 1

HIERARCHY_ZH = {"statutory": "法定隶属", "managing": "管理关系"}
HIERARCHY_NOTE = {
    "statutory": "按法定隶属（国家统计局区划）汇总：巴彦木仁苏木计入阿拉善左旗，乌斯太镇计入高新区。",
    "managing": "按管理关系（托管、区镇合一）汇总：巴彦木仁苏木经乌兰布和示范区计入高新区，乌斯太镇计入高新区。",
}
LEVEL_ZH = {"league": "盟", "banner": "旗（区）", "township": "苏木镇街道", "zone": "园区", "department": "部门"}
LEVEL_ORDER = {"league": 0, "banner": 1, "zone": 2, "township": 3, "department": 4}
STATUS_ZH = {"FAIL": "不成立", "UNCERTAIN": "无法确定", "NOT_ASSESSABLE": "无法检查", "PASS": "成立"}
STATUS_NOTE = {
    "FAIL": "参与计算的单元格都是数字，但等式不成立",
    "UNCERTAIN": "有单元格为空白、“/”或文字，无法确定是否成立",
    "NOT_ASSESSABLE": "报告中缺少所需单元格或信息，无法检查",
}
SEVERITY_ZH = {"error": "错误", "warning": "警告", "info": "提示"}
KIND_ZH = {"disposition": "复核结论", "correction": "单元格更正", "assignment": "文件归属"}
REVIEW_ZH = {"open": "待复核", "confirmed": "已确认", "dismissed": "已排除", "explained": "已说明", "stale": "已失效"}
CAUSE_ZH = {
    "reading_artefact": "可能是读取造成的（例如相邻两个数字被连在一起读），请对照原文核实",
    "publisher_error": "可能是报告本身填报有误",
}
TIMELINESS_ZH = {"on_time": "按时", "late": "逾期", "unknown": "日期不明", None: "—"}

METRIC_ZH = {
    "applications_new": "本年新收申请", "applications_processed": "本年办理结果总计",
    "disclosed": "予以公开＋部分公开", "share_disclosed": "公开率", "reviews": T4_GROUP_LABELS["review"],
    "suits": T4_LAWSUITS, "review_correction_rate": "复议纠错率", "suit_correction_rate": "诉讼纠错率",
    "findings_fail": "检查不成立条数",
}
_RANK_BANNER = RANK_COLS.index("banner_id")
RATE_METRICS = {"share_disclosed", "review_correction_rate", "suit_correction_rate"}

# (label, source, key): source cell = a cell of the report, rate/figure = derived_figures, uy = unit_years
MOVE_FIGURES = (
    ("本年新收申请", "cell", "T3/new/total"),
    ("上年结转申请", "cell", "T3/carried_over/total"),
    ("本年办理结果总计", "cell", "T3/processed_total/total"),
    (T3_SHORT["granted"], "cell", "T3/granted/total"),
    (T3_SHORT["partly_granted"], "cell", "T3/partly_granted/total"),
    ("公开率", "rate", "share_disclosed"),
    ("结转下年度办理", "cell", "T3/carried_forward/total"),
    (T4_GROUP_LABELS["review"], "cell", "T4/review.total"),
    (T4_GROUP_LABELS["suit_direct"], "cell", "T4/suit_direct.total"),
    (T4_GROUP_LABELS["suit_after_review"], "cell", "T4/suit_after_review.total"),
    ("行政规范性文件·本年制发", "cell", "T2/normative_docs/issued"),
    ("行政规范性文件·现行有效", "cell", "T2/normative_docs/in_force"),
    ("行政许可·处理决定", "cell", "T2/licensing/decisions"),
    ("行政处罚·处理决定", "cell", "T2/penalties/decisions"),
    ("行政强制·处理决定", "cell", "T2/coercion/decisions"),
    ("行政事业性收费（万元）", "cell", "T2/fees/amount"),
    ("检查不成立条数", "uy", "findings_fail"),
)
OWN_FIGURES = ("T3/new/total", "T3/carried_over/total", "T3/processed_total/total", "T3/granted/total",
               "T3/partly_granted/total", "T3/carried_forward/total", "T4/review.total", "T4/suit_direct.total",
               "T4/suit_after_review.total", "T2/normative_docs/issued", "T2/normative_docs/in_force",
               "T2/licensing/decisions", "T2/penalties/decisions", "T2/coercion/decisions", "T2/fees/amount")


# ----------------------------------------------------------------------------------------------
# Formatting


def fmt_num(v) -> str:
    if v is None:
        return "—"
    v = float(v)
    if v.is_integer():
        return f"{int(v)}"
    return f"{v:.4f}".rstrip("0").rstrip(".")


def fmt_pct(r) -> str:
    return "—" if r is None else f"{100 * r:.1f}%"


def rate_text(rate, num, base, min_base) -> str:
    if rate is not None:
        return fmt_pct(rate)
    if base is None:
        return "—（基数不是数字）"
    if base < min_base:
        return f"—（基数 {fmt_num(base)} 小于 {min_base}）"
    if num is None:
        return "—（分项不是数字）"
    return "—"


_SEM = {
    "EMPTY": ("空白", "sem-empty", "空白：报告里这一格没有填写（不是 0）"),
    "MISSING": ("缺", "sem-missing", "缺失：报告中没有这一格（表格缺失、截断或无法对齐）"),
}


OCR_DOUBT_ZH = "光学识别（OCR）读数存疑，请对照原件核实"


def unit_cell(cid: str, t) -> dict:
    sem, val, raw = t if t else ("MISSING", None, None)
    title = ""
    if sem in ("NUMERIC", "ZERO"):
        text = fmt_num(val)
        cls = "n" if sem == "NUMERIC" else "n z"
        if raw is not None and raw.strip() != text:
            title = f"原文：{raw.strip()}"
    elif sem == "NA":
        text = (raw or "").strip() or "/"
        cls = "sem-na"
        title = f"填写为“{text}”（不适用或无），不是数字"
    elif sem == "TEXT":
        r = (raw or "").strip()
        text = r if len(r) <= 8 else r[:7] + "…"
        cls = "sem-text"
        title = f"文字：{r}"
    else:
        text, cls, title = _SEM.get(sem, ("?", "sem-text", sem))
    return {"id": cid, "sem": sem, "text": text, "cls": cls, "title": title, "marks": [], "sub": ""}


def group_cell(cid: str, r: tuple | None) -> dict:
    """A cell of a group page from its rollup_cells row (the columns of data.ROLLUP_CELL_COLS, in order)."""
    if r is None:
        return {"id": cid, "sem": "NONE", "text": "—", "cls": "g-none", "title": "本年没有单位的报告",
                "marks": [], "sub": ""}
    (n, units_numeric, k, units_empty, units_na, units_text, units_missing, value_sum, parts_kind,
     parts_sum) = r
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


@functools.lru_cache(maxsize=1 << 17)
def _safe(uid: str) -> str:
    return "".join(ch if ch.isalnum() or ch in "-_" else "_" for ch in str(uid))


def unit_path(uid: str, year: int) -> str:
    return f"{year}/u/{_safe(uid)}.html"


def group_path(hierarchy: str, gid: str, year: int) -> str:
    return f"{year}/g/{hierarchy}/{_safe(gid)}.html"


# ----------------------------------------------------------------------------------------------
# Findings: numbering, markers and explanations


def parse_ref(ref: str) -> tuple[str | None, int, str]:
    """A cell reference of a finding: 'T3/new/total', '-T2/rules/repealed' (subtracted),
    'prev:T3/carried_forward/total' (in the other report) -> (prefix, sign, cell id)."""
    sign = 1
    r = ref.strip()
    if r.startswith("-"):
        sign, r = -1, r[1:]
    prefix = None
    if ":" in r:
        prefix, r = r.split(":", 1)
        if r.startswith("-"):
            sign, r = -sign, r[1:]
    return prefix, sign, r


_PREFIX_ZH = {"prev": "上年", "other": "对照报告"}


def _cells_text(refs: list[str] | None, limit: int = 4) -> str:
    refs = list(refs or [])
    if not refs:
        return "—"
    parts = []
    for i, ref in enumerate(refs[:limit]):
        prefix, sign, cid = parse_ref(ref)
        name = short_label(cid)
        if prefix:
            name = f"{_PREFIX_ZH.get(prefix, prefix)}的{name}"
        parts.append(("－ " if sign < 0 else ("＋ " if i else "")) + name)
    s = " ".join(parts)
    if len(refs) > limit:
        s += f" 等 {len(refs)} 格"
    return s


def number_findings(fs: list[dict]) -> list[dict]:
    order = {"FAIL": 0, "UNCERTAIN": 1, "NOT_ASSESSABLE": 2}
    sev = {"error": 0, "warning": 1, "info": 2}
    listed = [f for f in fs if f["status"] != "PASS"]
    listed.sort(key=lambda f: (order.get(f["status"], 3), sev.get(f["severity"], 3), f["rule_id"],
                               str(f["instance"]), str(f["finding_id"])))
    return listed


def findings_view(d: Data, fs: list[dict], cells: dict[str, dict], root: str) -> list[dict]:
    """Numbered findings (FAIL, then UNCERTAIN, then NOT_ASSESSABLE) and the markers they put on cells:
    a cell of this report on the left of the formula gets "n左", on the right "n右" (for FAIL every
    operand; for UNCERTAIN the operands that are not numbers); cells of another report (prev:…) are
    named in the explanation, not marked here."""
    out = []
    for n, f in enumerate(number_findings(fs), start=1):
        other_href = ""
        other_label = ""
        if f.get("other_report_id"):
            o = d.reports.get(f["other_report_id"])
            if o:
                other_href = root + unit_path(o["unit_id"], o["year"])
                other_label = f"{d.unit_name(o['unit_id'])} {o['year']} 年度报告"
        if f["status"] in ("FAIL", "UNCERTAIN"):
            for side, refs in (("左", f.get("lhs_cells")), ("右", f.get("rhs_cells"))):
                for ref in refs or []:
                    prefix, _sign, cid = parse_ref(ref)
                    c = cells.get(cid) if prefix is None else None
                    if c is None:
                        continue
                    if f["status"] == "UNCERTAIN" and c["sem"] in ("NUMERIC", "ZERO"):
                        continue  # mark what makes it uncertain: the blank, "/" or text operands
                    c["marks"].append({"n": n, "side": side, "status": f["status"].lower(),
                                       "title": f"第 {n} 条（{f['rule_id']}）：等式{side}边，"
                                                f"{STATUS_ZH.get(f['status'], f['status'])}"})
                    if f["status"] == "FAIL" and " fail" not in c["cls"]:
                        c["cls"] = c["cls"].replace(" uncertain", "") + " fail"
                    elif " fail" not in c["cls"] and " uncertain" not in c["cls"]:
                        c["cls"] += " uncertain"
        out.append({
            "n": n, "status": f["status"], "status_zh": STATUS_ZH.get(f["status"], f["status"]),
            "status_note": STATUS_NOTE.get(f["status"], ""),
            "severity": f["severity"], "severity_zh": SEVERITY_ZH.get(f["severity"], f["severity"]),
            "rule_id": f["rule_id"], "instance": f["instance"] if f["instance"] not in (None, "-") else "",
            "message": f.get("message_zh") or f.get("message_en") or "",
            "lhs": _cells_text(f.get("lhs_cells")) if f.get("lhs_cells") else "规定值",
            "rhs": _cells_text(f.get("rhs_cells")) if f.get("rhs_cells") else "规定值",
            "has_formula": bool(f.get("lhs_cells") or f.get("rhs_cells")),
            "lhs_value": fmt_num(f.get("lhs_value")) if f.get("lhs_value") is not None else "",
            "rhs_value": fmt_num(f.get("rhs_value")) if f.get("rhs_value") is not None else "",
            "difference": fmt_num(f.get("difference")) if f.get("difference") is not None else "",
            "cause": CAUSE_ZH.get(f.get("likely_cause") or "", f.get("likely_cause") or ""),
            "other_href": other_href, "other_label": other_label,
            # the office's review (pipeline/review): stable id and status, shown on every finding
            "fingerprint": f.get("fingerprint") or "", "review": f.get("review_status") or "",
            "review_zh": REVIEW_ZH.get(f.get("review_status") or "", ""),
            "review_note": f.get("review_note") or "", "reviewed_by": f.get("reviewed_by") or "",
            "own_cells": [parse_ref(r)[2] for r in (f.get("lhs_cells") or []) + (f.get("rhs_cells") or [])
                          if parse_ref(r)[0] is None],
        })
    return out


# ----------------------------------------------------------------------------------------------
# Contexts


def _timeliness(uy: dict) -> dict:
    t = uy.get("timeliness")
    text = TIMELINESS_ZH.get(t, t or "—")
    if t == "late" and uy.get("days_late"):
        text += f" {uy['days_late']} 天"
    return {"code": t or "none", "text": text}


def _link_unit(d: Data, uid: str, year: int, root: str) -> dict:
    rid = d.report_by_unit_year.get((uid, year))
    return {"id": uid, "name": d.unit_name(uid), "href": root + unit_path(uid, year) if rid else ""}


def _group_of(d: Data, uid: str, hierarchy: str, banner_only: bool = False) -> str | None:
    """The nearest rollup group above a unit (a banner-level group, else the league)."""
    for p in d.chain(uid, hierarchy):
        g = d.groups.get((hierarchy, p))
        if g and (not banner_only or g["group_level"] == "banner"):
            return p
    return None


def _cell_number(t) -> float | None:
    if not t:
        return None
    sem, val, _raw = t
    return val if sem in ("NUMERIC", "ZERO") else None


def _cell_show(t) -> str:
    if not t:
        return "缺"
    sem, val, raw = t
    if sem in ("NUMERIC", "ZERO"):
        return fmt_num(val)
    return {"EMPTY": "空白", "MISSING": "缺", "NA": (raw or "/").strip() or "/"}.get(sem, (raw or "")[:8])


def unit_context(d: Data, uid: str, year: int) -> dict:
    root = "../../"
    rid = d.report_by_unit_year[(uid, year)]
    rep = d.reports[rid]
    u = d.units[uid]
    uy = d.unit_years.get((uid, year), {})
    min_base = int(d.settings.get("min_base", 30))
    raw_cells = d.cells.get(rid, {})
    cells = {cid: unit_cell(cid, raw_cells.get(cid)) for cid in _ALL_IDS}
    # cells outside the 200: the 法人或其他组织小计 column of Table 3, the 2019 format's Table 2
    extra = d.extra_cells.get(rid, [])
    for r in extra:
        cells[r["cell_id"]] = unit_cell(r["cell_id"], (r["semantic"], r["value"], r["raw"]))
    has_subtotal = any(r["cell_id"].startswith("T3/") and r["cell_id"].endswith("/org_subtotal") for r in extra)
    t2v2019 = any(r["table_code"] == "T2v2019" for r in extra)
    if has_subtotal:
        for code, _labels in T3_ROWS:
            cells.setdefault(f"T3/{code}/org_subtotal", unit_cell(f"T3/{code}/org_subtotal", None))
    if t2v2019:
        for _h, _cols, rows_ in T2V2019_BLOCKS:
            for code, _label, cols in rows_:
                for c, _span in cols:
                    cid = f"T2v2019/{code}/{c}"
                    cells.setdefault(cid, unit_cell(cid, None))
    # cells OCR read doubtfully (problem ocr_uncertain): marked, to be checked against the page
    for p in d.problems.get(rid, []):
        if p["code"] == "ocr_uncertain":
            for cid in p["cells"] or ():
                c = cells.get(cid)
                if c is not None and "ocr" not in c["cls"].split():
                    c["cls"] += " ocr"
                    c["title"] = (c["title"] + "；" if c["title"] else "") + OCR_DOUBT_ZH
    drawn = set(_ALL_IDS) | {cid for cid in cells if cid.startswith("T2v2019/") or cid.endswith("/org_subtotal")}
    findings = findings_view(d, d.findings.get((uid, year), []), cells, root)
    counts = {s: sum(1 for f in d.findings.get((uid, year), []) if f["status"] == s)
              for s in ("FAIL", "UNCERTAIN", "NOT_ASSESSABLE")}
    counts["PASS"] = int((d.unit_years.get((uid, year)) or {}).get("findings_pass") or 0)
    parents = {}
    for h in HIERARCHIES:
        parents[h] = [{"id": p, "name": d.unit_name(p),
                       "href": root + group_path(h, p, year) if (h, p) in d.groups else ""} for p in d.chain(uid, h)]
    differs = [p["id"] for p in parents["statutory"]] != [p["id"] for p in parents["managing"]]
    # no link to the file: a file:// URL names a path on the server, which a reader's browser does not have
    source_href = ""
    # movement since the previous year
    prev_rid = d.report_by_unit_year.get((uid, year - 1))
    moves = []
    if prev_rid:
        pc = d.prev_cells.get(prev_rid, {})
        dv, dp = d.derived.get(("unit", uid, year), {}), d.derived.get(("unit", uid, year - 1), {})
        puy = d.unit_years.get((uid, year - 1), {})
        for label, src, key in MOVE_FIGURES:
            if src == "cell":
                cur_t, prev_t = raw_cells.get(key), pc.get(key)
                cur, prev = _cell_number(cur_t), _cell_number(prev_t)
                cur_s, prev_s = _cell_show(cur_t), _cell_show(prev_t)
            elif src == "rate":
                cur, prev = dv.get(key), dp.get(key)
                cur_s, prev_s = fmt_pct(cur), fmt_pct(prev)
            else:
                cur, prev = uy.get(key), puy.get(key)
                cur_s, prev_s = fmt_num(cur), fmt_num(prev)
            change = pct = ""
            direction = ""
            if cur is not None and prev is not None:
                delta = cur - prev
                direction = "up" if delta > 0 else "down" if delta < 0 else "same"
                if src == "rate":
                    change = f"{100 * delta:+.1f} 个百分点"
                else:
                    change = ("+" if delta > 0 else "") + fmt_num(delta)
                    if prev >= min_base:
                        pct = f"{100 * delta / prev:+.1f}%"
            moves.append({"label": label, "prev": prev_s, "cur": cur_s, "change": change, "pct": pct,
                          "dir": direction})
    carry = None
    if prev_rid:
        a, b = raw_cells.get("T3/carried_over/total"), d.prev_cells.get(prev_rid, {}).get("T3/carried_forward/total")
        carry = {"this": _cell_show(a), "prev": _cell_show(b),
                 "same": _cell_number(a) is not None and _cell_number(a) == _cell_number(b)}
    # standing among the banner's units
    standing = []
    for h in HIERARCHIES:
        rk = d.ranks.get((h, uid, year), {})
        if not rk:
            continue
        bid = next(iter(rk.values()))[_RANK_BANNER]
        if h == "managing" and bid == uy.get("statutory_banner_id") and not differs:
            continue
        rows_ = []
        for m, label in METRIC_ZH.items():
            r = rk.get(m)
            if not r:
                continue
            v, _bid, rank_banner, n_banner, rank_level, n_level, pct_banner, pct_level = r
            vs = fmt_pct(v) if m in RATE_METRICS else fmt_num(v)
            if v is None and m in RATE_METRICS:
                dv = d.derived.get(("unit", uid, year), {})
                base = {"share_disclosed": dv.get("applications_processed"),
                        "review_correction_rate": dv.get("review_concluded"),
                        "suit_correction_rate": dv.get("suit_concluded")}[m]
                vs = rate_text(None, None, base, min_base)
            rows_.append({
                "label": label, "value": vs,
                "rank_banner": f"{rank_banner} / {n_banner}" if rank_banner else "—",
                "rank_level": f"{rank_level} / {n_level}" if rank_level else "—",
                "pct_banner": f"{pct_banner:.0f}" if pct_banner is not None else "—",
                "pct_level": f"{pct_level:.0f}" if pct_level is not None else "—",
            })
        standing.append({"hierarchy": h, "hierarchy_zh": HIERARCHY_ZH[h],
                         "banner": d.unit_name(bid) if bid else "", "level_zh": LEVEL_ZH.get(uy.get("peer_level"), ""),
                         "banner_href": root + group_path(h, bid, year) if bid else "", "rows": rows_})
    secs = d.sections.get(rid, {})
    sections = []
    for key, title in SECTION_TITLES:
        text = secs.get(key)
        sections.append({"key": key, "title": title, "absent": key not in secs or text is None,
                         "paras": [p for p in (text or "").split("\n") if p.strip()]})
    extra_rows = [{"id": r["cell_id"], "label": short_label(r["cell_id"]), "text": cells[r["cell_id"]]["text"],
                   "cls": cells[r["cell_id"]]["cls"]} for r in extra if r["cell_id"] not in drawn]
    years = [y for y in d.years if (uid, y) in d.report_by_unit_year]
    return {
        "kind": "unit", "root": root, "title": f"{u['name']} {year} 年度报告",
        "unit": {"id": uid, "name": u["name"], "full_name": u["full_name"] or u["name"],
                 "level_zh": LEVEL_ZH.get(u["level"], u["level"]), "kind": u["kind"] or ""},
        "year": year, "parents": parents, "parents_differ": differs,
        "report": {"id": rid, "path": rep["path"], "agency": rep["agency"] or "", "title": rep["title"] or "",
                   "kind": rep["kind"] or "", "format_version": rep["format_version"] or "",
                   "published_on": rep["published_on"] or "", "signed_on": rep.get("signed_on") or "",
                   "deadline": uy.get("deadline") or "",
                   "timeliness": _timeliness(uy), "match_method": rep["match_method"] or "",
                   "match_confidence": rep["match_confidence"], "source_href": source_href,
                   "n_problems": rep["n_problems"] or 0},
        "cells": cells, "extra": extra_rows, "findings": findings,
        "t3_cols": list(T3_COLUMNS_WITH_SUBTOTAL if has_subtotal else T3_COLUMNS), "t2v2019": t2v2019, "counts": counts,
        "moves": moves, "prev_year": year - 1 if prev_rid else None,
        "prev_href": root + unit_path(uid, year - 1) if prev_rid else "", "carry": carry,
        "standing": standing, "sections": sections,
        "problems": [{"code": p["code"], "severity": SEVERITY_ZH.get(p["severity"], p["severity"]),
                      "message": p["message"]} for p in d.problems.get(rid, [])],
        "years": [{"year": y, "href": root + unit_path(uid, y), "current": y == year} for y in years],
        "crumbs": _crumbs(d, uid, year, root),
        "remediation": [{"year": t[0], "rule": t[5], "instance": t[2] if t[2] not in (None, "-") else "",
                         "outcome": t[3], "text": t[4], "by": t[6] or ""} for t in d.remediation.get((uid, year), [])],
        "stale": [{"kind": KIND_ZH.get(t[0], t[0]), "what": t[1] or "", "target": t[2] or "", "why": t[3] or "",
                   "by": t[4] or "", "id": t[5]} for t in d.stale_decisions.get((uid, year), [])],
    }


def _crumbs(d: Data, uid: str, year: int, root: str) -> list[dict]:
    out = [{"name": "首页", "href": root + "index.html"}]
    chain = [p for p in reversed(d.chain(uid, "statutory")) if ("statutory", p) in d.groups]
    for p in chain:
        out.append({"name": f"{d.unit_name(p)}（{year}）", "href": root + group_path("statutory", p, year)})
    return out


def deadline_text(d: Data) -> str:
    """截止日期：苏木镇街道 次年01-31，旗（盟）政府 03-31，部门 01-31 (from report_settings)."""
    base = d.settings.get("deadline", "01-31")
    gov = d.settings.get("deadline.government", base)
    dep = d.settings.get("deadline.department", base)
    town = d.settings.get("deadline.township", base)
    if gov == dep == town:
        return f"截止日期：次年 {town}"
    return f"截止日期：次年 {town}；旗、盟政府 {gov}；部门、园区 {dep}"


def _league_row(d: Data, uid: str, year: int, root: str, hierarchy: str, min_base: int) -> dict:
    uy = d.unit_years[(uid, year)]
    dv = d.derived.get(("unit", uid, year), {})
    read = uy["read"]
    if read:
        status, status_cls = ("通过" if uy["clean"] else "有问题"), ("ok" if uy["clean"] else "bad")
    elif uy["expected"]:
        status, status_cls = ("文件未能使用" if uy["received"] else "未收到"), "missing"
    else:
        status, status_cls = "—", ""
    g = _group_of(d, uid, hierarchy, banner_only=True)
    return {
        "id": uid, "name": uy["unit_name"], "href": root + unit_path(uid, year) if read else "",
        "level_zh": LEVEL_ZH.get(uy["peer_level"], uy["peer_level"]), "level_order": LEVEL_ORDER.get(uy["peer_level"], 9),
        "banner": d.unit_name(g) if g else "", "banner_id": g or "", "read": read, "status": status, "status_cls": status_cls,
        "new": fmt_num(dv.get("applications_new")) if read else "",
        "processed": fmt_num(dv.get("applications_processed")) if read else "",
        "disclosed": fmt_num(dv.get("disclosed")) if read else "",
        "share": fmt_pct(dv.get("share_disclosed")) if read else "",
        "share_note": rate_text(dv.get("share_disclosed"), dv.get("disclosed"), dv.get("applications_processed"),
                                min_base) if read else "",
        "reviews": fmt_num(dv.get("reviews")) if read else "",
        "suits": fmt_num(dv.get("suits")) if read else "",
        "fail": uy["findings_fail"] if read else "", "fail_error": uy["findings_fail_error"] if read else "",
        "uncertain": uy["findings_uncertain"] if read else "",
        "published_on": uy["published_on"] or (f"落款 {uy['signed_on']}" if uy.get("signed_on") else ""),
        "timeliness": _timeliness(uy) if read else {"code": "none", "text": ""},
        "copy_fail": uy["copy_fail"] if read else "",
        "apps_value": dv.get("applications_new"),
    }


def group_context(d: Data, hierarchy: str, gid: str, year: int) -> dict:
    root = "../../../"
    g = d.groups[(hierarchy, gid)]
    min_base = int(d.settings.get("min_base", 30))
    cov = d.coverage.get((hierarchy, gid, year)) or {}
    summ = d.summary.get((hierarchy, gid, year)) or {}
    members = [m for m in d.members.get((hierarchy, gid), []) if (m, year) in d.unit_years]
    rc = d.rollup_cells.get((hierarchy, gid, year), {})
    cells = {cid: group_cell(cid, rc.get(cid)) for cid in _ALL_IDS}
    table = [_league_row(d, m, year, root, hierarchy, min_base) for m in members]
    table.sort(key=lambda r: (r["level_order"], r["banner_id"], r["id"]))
    missing = []
    for m in cov.get("missing_unit_ids") or []:
        reasons = d.manifest_reasons.get((m, year), [])
        missing.append({"id": m, "name": d.unit_name(m), "received": bool(reasons),
                        "reason": "；".join(f"{r['path']}：{r['reason'] or r['status']}" for r in reasons)})
    unexpected = [r for r in table if r["read"] and not d.unit_years[(r["id"], year)]["expected"]]
    tl = d.timeliness.get((hierarchy, gid, year)) or {}
    cp = d.copying.get((hierarchy, gid, year)) or {}
    dv = d.derived.get(("group", hierarchy, gid, year), {})
    # own report next to the sum of the units
    own_rid = d.report_by_unit_year.get((gid, year))
    own = []
    ov = d.own_vs_units.get((hierarchy, gid, year), {})
    if own_rid and ov:
        for cid in OWN_FIGURES:
            r = ov.get(cid)
            if not r:
                continue
            own_semantic, own_value, own_raw, units_sum, units_numeric, units_not_number, difference = r
            own.append({"label": short_label(cid), "own": _cell_show((own_semantic, own_value, own_raw)),
                        "units": fmt_num(units_sum) if units_numeric else "—",
                        "coverage": f"{units_numeric}/{units_numeric + units_not_number}",
                        "difference": fmt_num(difference) if difference is not None else "—"})
    rates = []
    for label, key, num_key, base_key in (
            ("公开率（予以公开＋部分公开）/ 办理结果总计", "share_disclosed", "disclosed", "applications_processed"),
            ("不予公开 / 办理结果总计", "share_withheld", "withheld", "applications_processed"),
            ("无法提供 / 办理结果总计", "share_unavailable", "unavailable", "applications_processed"),
            ("本机关不掌握 / 办理结果总计", "share_not_held", "not_held", "applications_processed"),
            ("不予处理 / 办理结果总计", "share_declined", "declined", "applications_processed"),
            ("复议纠错率：纠正 / 已审结", "review_correction_rate", "review_corrected", "review_concluded"),
            ("诉讼纠错率：纠正 / 已审结", "suit_correction_rate", "suit_corrected", "suit_concluded"),
            ("复议和直接起诉 / 办理结果总计", "challenge_rate", "challenges", "applications_processed")):
        rates.append({"label": label, "value": rate_text(dv.get(key), dv.get(num_key), dv.get(base_key), min_base),
                      "num": fmt_num(dv.get(num_key)), "base": fmt_num(dv.get(base_key))})
    # charts
    bars = sorted(((r["name"], r["apps_value"]) for r in table if r["read"]),
                  key=lambda x: (-(x[1] if x[1] is not None else -1), x[0]))
    chart_apps = charts.hbar(bars, f"{year}年各单位本年新收政府信息公开申请", unit="件",
                             note=f"共 {len(bars)} 份报告；未收到的单位不在图中")
    outcome_parts = [
        (T3_SHORT["granted"], dv.get("granted"), "granted"),
        (T3_SHORT["partly_granted"], dv.get("partly_granted"), "partly_granted"),
        ("不予公开", dv.get("withheld"), "withheld"), ("无法提供", dv.get("unavailable"), "unavailable"),
        ("不予处理", dv.get("declined"), "declined"),
    ]
    other = None
    vals = [v for _, v, _ in outcome_parts]
    if dv.get("applications_processed") is not None and all(v is not None for v in vals):
        other = dv["applications_processed"] - sum(vals)
    outcome_parts.append(("其他处理", other, "other"))
    chart_outcomes = charts.stacked(outcome_parts, f"{year}年办理结果构成（各单位“总计”列相加）")
    chart_time = charts.stacked([
        ("按时", tl.get("on_time", 0), "on_time"), ("逾期", tl.get("late", 0), "late"),
        ("日期不明", tl.get("unknown", 0), "unknown"), ("未收到报告", cov.get("units_missing", 0), "missing"),
    ], f"{year}年度报告发布及时性（{deadline_text(d)}）", unit="个")
    trend_years = [y for y in d.years if (hierarchy, gid, y) in d.coverage]
    series = [("本年新收申请", []), (T3_SHORT["processed_total"], [])]
    for y in trend_years:
        gd = d.derived.get(("group", hierarchy, gid, y), {})
        series[0][1].append(gd.get("applications_new"))
        series[1][1].append(gd.get("applications_processed"))
    chart_trend = charts.columns(series, [str(y) for y in trend_years], "历年申请数量（所属单位合计）") \
        if len(trend_years) > 1 else ""
    banners = []
    if g["group_level"] == "league":
        for bid in d.sub_groups.get((hierarchy, gid), []):
            bg = d.groups[(hierarchy, bid)]
            s = d.summary.get((hierarchy, bid, year))
            if not s:
                continue
            banners.append({
                "name": bg["group_name"], "href": root + group_path(hierarchy, bid, year),
                "own_href": root + unit_path(bid, year) if s["own_report_read"] else "",
                "expected": s["units_expected"], "read": s["reports_read"], "missing": s["units_missing"],
                "clean": s["reports_clean"], "on_time": s["on_time"], "late": s["late"], "unknown": s["unknown_date"],
                "new": fmt_num(s["applications_new"]), "processed": fmt_num(s["applications_processed"]),
                "share": fmt_pct(s["share_disclosed"]),
                "share_note": rate_text(s["share_disclosed"], s["disclosed"], s["applications_processed"], min_base)
                if s["reports_read"] else "没有报告",
                "fail": s["findings_fail"], "copy_fail": s["copy_fail"]})
    other_h = "managing" if hierarchy == "statutory" else "statutory"
    years = [{"year": y, "href": root + group_path(hierarchy, gid, y), "current": y == year}
             for y in d.years if (hierarchy, gid, y) in d.coverage]
    return {
        "kind": "group", "root": root,
        "title": f"{g['group_name']} {year} 年度汇总（{HIERARCHY_ZH[hierarchy]}）",
        "group": {"id": gid, "name": g["group_name"], "level": g["group_level"],
                  "level_zh": "盟" if g["group_level"] == "league" else "旗（区）"},
        "year": year, "hierarchy": hierarchy, "hierarchy_zh": HIERARCHY_ZH[hierarchy],
        "hierarchy_note": HIERARCHY_NOTE[hierarchy],
        "other_hierarchy": {"zh": HIERARCHY_ZH[other_h], "href": root + group_path(other_h, gid, year)},
        "coverage": {k: cov.get(k, 0) for k in ("units_expected", "units_received", "files_received", "reports_read",
                                               "expected_read", "reports_clean", "reports_unexpected",
                                               "units_missing", "units_missing_received")} | {
            "pct_read": cov.get("pct_read")},
        "missing": missing, "unexpected": unexpected,
        "timeliness": {"on_time": tl.get("on_time", 0), "late": tl.get("late", 0), "unknown": tl.get("unknown", 0),
                       "late_names": tl.get("late_names") or [], "max_days_late": tl.get("max_days_late")},
        "copying": {"copy_fail": cp.get("copy_fail", 0), "names": cp.get("copying_names") or []},
        "summary": {"fail": summ.get("findings_fail", 0), "uncertain": summ.get("findings_uncertain", 0),
                    "open": summ.get("findings_open", 0), "reviewed": summ.get("findings_reviewed", 0),
                    "confirmed": summ.get("findings_confirmed", 0)},
        "cells": cells, "rates": rates, "table": table, "banners": banners,
        "own": own, "own_href": root + unit_path(gid, year) if own_rid else "",
        "rules": [{"rule_id": rule_id, "severity": SEVERITY_ZH.get(severity, severity or ""),
                   "fail": fail, "uncertain": uncertain, "not_assessable": not_assessable,
                   "pass": pass_, "units_failing": units_failing}
                  for rule_id, severity, fail, uncertain, not_assessable, pass_, units_failing
                  in d.findings_by_rule.get((hierarchy, gid, year), [])],
        "charts": {"apps": Markup(chart_apps), "outcomes": Markup(chart_outcomes), "time": Markup(chart_time),
                   "trend": Markup(chart_trend)},
        "years": years,
        "crumbs": [{"name": "首页", "href": root + "index.html"}] + (
            [{"name": f"{d.unit_name(p)}（{year}）", "href": root + group_path(hierarchy, p, year)}
             for p in reversed(d.chain(gid, hierarchy)) if (hierarchy, p) in d.groups]),
    }


def index_context(d: Data) -> dict:
    root = ""
    groups = [(h, gid) for (h, gid), g in d.groups.items()]
    league = [gid for (h, gid), g in d.groups.items() if h == "statutory" and g["group_level"] == "league"]
    banners = [gid for (h, gid), g in d.groups.items() if h == "statutory" and g["group_level"] == "banner"]
    years = []
    for y in sorted(d.years, reverse=True):
        cols = []
        for gid in league + banners:
            links = []
            for h in HIERARCHIES:
                s = d.summary.get((h, gid, y))
                if s is None:
                    continue
                links.append({"zh": HIERARCHY_ZH[h], "href": group_path(h, gid, y), "read": s["reports_read"],
                              "expected": s["units_expected"], "missing": s["units_missing"],
                              "fail": s["findings_fail"]})
            cols.append({"name": d.unit_name(gid), "links": links})
        n_reports = sum(1 for (u, yy) in d.report_by_unit_year if yy == y)
        years.append({"year": y, "cols": cols, "reports": n_reports})
    # units × years matrix, by statutory banner
    matrix = []
    uids = sorted({u for (u, _y) in d.unit_years},
                  key=lambda u: (_group_of(d, u, "statutory") or "", LEVEL_ORDER.get(d.units[u]["level"], 9), u))
    for uid in uids:
        row = {"id": uid, "name": d.unit_name(uid), "banner": d.unit_name(_group_of(d, uid, "statutory")),
               "level_zh": LEVEL_ZH.get(d.units[uid]["level"], ""), "cells": []}
        for y in d.years:
            uy = d.unit_years.get((uid, y))
            if uy is None:
                row["cells"].append({"cls": "na", "text": "", "href": ""})
            elif uy["read"]:
                row["cells"].append({"cls": "ok" if uy["clean"] else "bad",
                                     "text": "✓" if uy["clean"] else f"✗{uy['findings_fail']}",
                                     "href": unit_path(uid, y)})
            elif uy["expected"]:
                row["cells"].append({"cls": "missing", "text": "缺", "href": ""})
            else:
                row["cells"].append({"cls": "na", "text": "", "href": ""})
        matrix.append(row)
    return {"kind": "index", "root": root, "title": "政府信息公开工作年度报告 · 检查与对比",
            "years": years, "all_years": d.years, "matrix": matrix, "groups": len(groups),
            "build": {k: d.build_info.get(k, "") for k in ("nianbao_version", "parser_version", "inbox", "build_id")},
            "build_id": d.build_info.get("build_id", ""),
            "deadline": deadline_text(d), "min_base": d.settings.get("min_base", "30"),
            "crumbs": []}


# ----------------------------------------------------------------------------------------------
# What a page shows, for its fingerprint


def _chains(d: Data, uid: str) -> list:
    return [[(p, d.unit_name(p), (h, p) in d.groups) for p in d.chain(uid, h)] for h in HIERARCHIES]


def unit_inputs(d: Data, uid: str, year: int) -> tuple:
    """Everything unit_context reads for this page, the bulk of the report (cells, extra cells,
    narrative, problems, findings) as DuckDB's digests of its rows: equal inputs, equal page. Needs
    load_year only, not load_reports."""
    rid = d.report_by_unit_year[(uid, year)]
    prev_rid = d.report_by_unit_year.get((uid, year - 1))
    others = []
    for o in d.other_reports.get((uid, year), ()):
        r = d.reports.get(o)
        others.append((o, r["unit_id"], r["year"], d.unit_name(r["unit_id"])) if r else (o,))
    standing = []
    for h in HIERARCHIES:
        rk = d.ranks.get((h, uid, year))
        if rk:
            bid = next(iter(rk.values()))[_RANK_BANNER]
            standing.append((h, rk, d.unit_name(bid) if bid else ""))
    return (uid, year, rid, d.reports[rid], d.digests.get(rid), d.findings_digest.get((uid, year)), others,
            d.remediation.get((uid, year)), d.stale_decisions.get((uid, year)),
            d.units[uid], _chains(d, uid), d.unit_years.get((uid, year)), d.unit_years.get((uid, year - 1)),
            prev_rid, d.prev_cells.get(prev_rid) if prev_rid else None,
            d.derived.get(("unit", uid, year)), d.derived.get(("unit", uid, year - 1)), standing,
            [y for y in d.years if (uid, y) in d.report_by_unit_year],
            d.settings.get("min_base", 30), d.build_info.get("inbox"))


def group_inputs(d: Data, hierarchy: str, gid: str, year: int) -> tuple:
    """Everything group_context reads for this page (all of it from load_common and load_year)."""
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
        banners = [(bid, d.groups[(hierarchy, bid)]["group_name"], d.summary.get((hierarchy, bid, year)))
                   for bid in d.sub_groups.get((hierarchy, gid), [])]
    trend = [(y, d.derived.get(("group", hierarchy, gid, y))) for y in d.years if (hierarchy, gid, y) in d.coverage]
    crumbs = [(p, d.unit_name(p), (hierarchy, p) in d.groups) for p in d.chain(gid, hierarchy)]
    return (hierarchy, gid, year, g, cov, d.summary.get(key), table, missing, d.rollup_cells.get(key),
            d.timeliness.get(key), d.copying.get(key), d.report_by_unit_year.get((gid, year)),
            d.own_vs_units.get(key), trend, banners, d.findings_by_rule.get(key), crumbs, deadline_text(d),
            d.settings.get("min_base", 30), d.years)


# ----------------------------------------------------------------------------------------------
# Rendering


_ALL_IDS: tuple[str, ...] = tuple(all_cell_ids())
assert set(OWN_FIGURES) == set(OWN_CELLS)
assert {key for _label, src, key in MOVE_FIGURES if src == "cell"} | {"T3/carried_forward/total"} <= set(PREV_CELLS)
TEMPLATE_NAMES = ("base.html", "_tables.html", "index.html", "group.html", "unit.html")
# Below this many pages to render in a year, they are rendered here rather than in forked workers.
MIN_PARALLEL = 100
# Reports whose bulk a worker holds at once.
BATCH = 400


def _h(v) -> str:
    """markupsafe.escape as a plain string, with a fast path for text that needs no escaping."""
    if type(v) is not str:
        return str(escape(v))
    if "&" in v or "<" in v or ">" in v or "'" in v or '"' in v:
        return v.replace("&", "&amp;").replace(">", "&gt;").replace("<", "&lt;").replace("'", "&#39;").replace(
            '"', "&#34;")
    return v


def td(c: dict, colspan: int = 1) -> Markup:
    """One cell of the drawn tables (see reports/_tables.html): a Python function, not a macro,
    because a page draws two hundred of them."""
    out = f'<td class="v {_h(c["cls"])}"'
    if colspan > 1:
        out += f' colspan="{colspan}"'
    out += f' data-cell="{_h(c["id"])}" data-sem="{_h(c["sem"])}"'
    if c["title"]:
        out += f' title="{_h(c["title"])}"'
    out += f'><span class="val">{_h(c["text"])}</span>'
    for m in c["marks"]:
        out += (f'<a class="mk mk-{_h(m["status"])}" href="#f{_h(m["n"])}" title="{_h(m["title"])}">'
                f'{_h(m["n"])}{_h(m["side"])}</a>')
    if c["sub"]:
        out += f'<span class="sub">{_h(c["sub"])}</span>'
    return Markup(out + "</td>")


def environment() -> jinja2.Environment:
    env = jinja2.Environment(loader=jinja2.FileSystemLoader(str(TEMPLATES)), autoescape=True,
                             trim_blocks=True, lstrip_blocks=True, undefined=jinja2.StrictUndefined)
    env.globals.update(T2_BLOCKS=T2_BLOCKS, T2V2019_BLOCKS=T2V2019_BLOCKS, T3_ROWS=T3_ROWS, T3_COLUMNS=T3_COLUMNS,
                       T3_HEADER_NOTE=T3_HEADER_NOTE, T4_GROUPS=T4_GROUPS, T4_COLUMNS=T4_COLUMNS, FORM=FORM_WORDS,
                       td=td)
    return env


def template_salt() -> str:
    """Digest of everything besides a page's inputs that shapes it: templates, this package's code and
    the codebook's words."""
    h = hashlib.sha256(str(MANIFEST_VERSION).encode())
    files = sorted(TEMPLATES.glob("*.html")) + sorted(Path(__file__).parent.glob("*.py")) + [CODEBOOK]
    for f in files:
        h.update(f.name.encode())
        h.update(f.read_bytes())
    return h.hexdigest()


def _canonical(obj) -> bytes:
    """Pickled bytes that depend on the values only: no memo, so two equal strings that happen to be
    one object or two give the same bytes. The inputs are built in a fixed order from ordered queries
    (dicts keep their insertion order; no set is iterated), so they are the same in every process."""
    f = io.BytesIO()
    p = pickle.Pickler(f, protocol=5)
    p.fast = True
    p.dump(obj)
    return f.getvalue()


def fingerprint(salt: str, template: str, inputs) -> str:
    """SHA-256 of the code and templates (salt), the template and what the page shows."""
    h = hashlib.sha256(salt.encode())
    h.update(template.encode())
    h.update(_canonical(inputs))
    return h.hexdigest()


def year_pages(d: Data, year: int) -> list[tuple[str, str, tuple]]:
    """(relative path, template, key) of the year's group and unit pages."""
    out = [(group_path(h, gid, year), "group.html", ("group", h, gid))
           for (h, gid) in d.groups if (h, gid, year) in d.coverage]
    out += [(unit_path(uid, year), "unit.html", ("unit", uid))
            for uid, y in sorted(k for k in d.report_by_unit_year if k[1] == year)]
    return out


def page_inputs(d: Data, year: int, key: tuple):
    return unit_inputs(d, key[1], year) if key[0] == "unit" else group_inputs(d, key[1], key[2], year)


def page_context(d: Data, year: int, key: tuple) -> dict:
    return unit_context(d, key[1], year) if key[0] == "unit" else group_context(d, key[1], key[2], year)


def _read_manifest(out: Path) -> dict:
    p = out / MANIFEST
    try:
        m = json.loads(p.read_text(encoding="utf-8"))
        if m.get("version") == MANIFEST_VERSION:
            return m.get("pages", {})
    except (OSError, ValueError):
        pass
    return {}


def _write_atomic(path: Path, data: bytes) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(f".{path.name}.tmp")
    tmp.write_bytes(data)
    os.replace(tmp, path)


def _copy_static(out: Path) -> list[str]:
    written = []
    for f in sorted(STATIC.glob("*")):
        if not f.is_file():
            continue
        target = out / "static" / f.name
        data = f.read_bytes()
        if not target.exists() or target.read_bytes() != data:
            _write_atomic(target, data)
            written.append(f"static/{f.name}")
    return written


def _unchanged(old: dict, out: Path, rel: str, fp: str) -> dict | None:
    prev = old.get(rel)
    if prev and prev.get("fp") == fp:
        try:
            if (out / rel).stat().st_size == prev.get("size"):
                return prev
        except OSError:
            pass
    return None


def _render_pages(load, d: Data, year: int, pages: list, env: jinja2.Environment, out: Path) -> list[tuple]:
    """Render (rel, template, key, fp) pages of one year: group pages from d as loaded, unit pages after
    `load(d, report_ids)` brought their reports' bulk in, a batch at a time. Returns (rel, fp, size)."""
    done = []
    groups = [p for p in pages if p[2][0] == "group"]
    units = [p for p in pages if p[2][0] == "unit"]
    for batch in [groups] + [units[i:i + BATCH] for i in range(0, len(units), BATCH)]:
        if batch and batch[0][2][0] == "unit":
            load(d, [d.report_by_unit_year[(p[2][1], year)] for p in batch])
        for rel, tname, key, fp in batch:
            data = env.get_template(tname).render(**page_context(d, year, key)).encode("utf-8")
            _write_atomic(out / rel, data)
            done.append((rel, fp, len(data)))
    d.cells, d.extra_cells, d.sections, d.problems, d.findings = {}, {}, {}, {}, {}
    return done


def _worker(db_path: str, d: Data, year: int, pages: list, env, out: Path, conn) -> None:
    """A forked worker: renders its share of a year's pages. It opens a connection of its own for each
    batch of reports and closes it before rendering them, so DuckDB's memory is not held meanwhile."""
    from ..parallel import die_with_parent

    die_with_parent()

    def load(d, ids):
        with reading(db_path) as con:
            load_reports(con, d, ids)

    try:
        done = _render_pages(load, d, year, pages, env, out)
        conn.send(("ok", done))
    except BaseException:  # noqa: BLE001 - reported to the parent, which raises
        conn.send(("error", traceback.format_exc()))
    finally:
        conn.close()


class _Workers:
    """Forked workers rendering one year's pages while the parent loads the next year."""

    def __init__(self, db_path, d: Data, year: int, pages: list, env, out: Path, n: int):
        ctx = mp.get_context("fork")
        shares: list[list] = [[] for _ in range(n)]
        # alternate, group pages first, so that both get as many of each kind
        for i, p in enumerate(sorted(pages, key=lambda p: p[2][0] != "group")):
            shares[i % n].append(p)
        gc.collect()
        gc.freeze()  # the parent's objects stay out of the children's garbage collections: shared pages stay shared
        self.procs = []
        for share in shares:
            parent, child = ctx.Pipe(duplex=False)
            proc = ctx.Process(target=_worker, args=(str(db_path), d, year, share, env, out, child), daemon=True)
            proc.start()
            child.close()
            self.procs.append((proc, parent))

    def results(self) -> list[tuple]:
        done, errors = [], []
        for proc, conn in self.procs:
            try:
                status, payload = conn.recv()
            except EOFError:
                status, payload = "error", f"a page worker ended without a result (exit code {proc.exitcode})"
            proc.join()
            if status == "ok":
                done += payload
            else:
                errors.append(payload)
        if errors:
            raise RuntimeError("rendering pages failed:\n" + "\n".join(errors))
        return done


class _Reader:
    """A read-only connection, opened when needed and closed before forking workers (a child must not
    inherit a live DuckDB database; each worker opens its own) and before waiting for them (closing
    gives DuckDB's memory back)."""

    def __init__(self, db_path):
        self.db_path = db_path
        self._cm = None
        self.con = None

    def get(self):
        if self.con is None:
            self._cm = reading(self.db_path)
            self.con = self._cm.__enter__()
        return self.con

    def close(self) -> None:
        if self._cm is not None:
            cm, self._cm, self.con = self._cm, None, None
            cm.__exit__(None, None, None)


def _parallel_workers(workers: int | None) -> int:
    if workers is None:
        try:
            workers = min(2, len(os.sched_getaffinity(0)))
        except AttributeError:
            workers = min(2, os.cpu_count() or 1)
    if "fork" not in mp.get_all_start_methods():
        return 1
    return max(1, workers)


def render_all(db_path: str | Path, out_dir: str | Path, progress=None, workers: int | None = None) -> dict:
    """Render every page of the warehouse at `db_path` into `out_dir` (Settings.pages).

    Year by year: the year's rollups and digests are loaded, each page's fingerprint is taken from its
    inputs, and only the pages whose fingerprint changed (or whose file is gone) are rendered, by
    `workers` forked processes (default: two, or one per core if fewer), each loading the bulk of its
    own reports, while this process loads the next year.

    Returns {"pages", "written", "unchanged", "removed", "seconds", "index", "written_paths"}."""
    t0 = time.perf_counter()
    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    n_workers = _parallel_workers(workers)
    env = environment()
    compiled = False
    salt = template_salt()
    old = _read_manifest(out)
    reader = _Reader(db_path)
    new: dict[str, dict] = {}
    written: list[str] = []
    unchanged = 0
    running: _Workers | None = None
    gc_frozen = False

    def finished(done):
        for rel, fp, size in done:
            new[rel] = {"fp": fp, "size": size}
            written.append(rel)

    try:
        common = load_common(reader.get())
        t_load = time.perf_counter() - t0
        years = sorted(set(common.years) | {y for (_u, y) in common.report_by_unit_year if y is not None})
        for year in years:
            t = time.perf_counter()
            d = load_year(reader.get(), common, year)
            t_load += time.perf_counter() - t
            todo = []
            for rel, tname, key in year_pages(d, year):
                fp = fingerprint(salt, tname, page_inputs(d, year, key))
                prev = _unchanged(old, out, rel, fp)
                if prev is not None:
                    new[rel] = prev
                    unchanged += 1
                else:
                    todo.append((rel, tname, key, fp))
            if progress:
                progress(f"  {year}: {len(todo)} pages to render, {unchanged} unchanged so far")
            if todo and not compiled:
                for name in TEMPLATE_NAMES:
                    env.get_template(name)  # compiled once, before any fork
                compiled = True
            inline = todo and (n_workers < 2 or len(todo) < MIN_PARALLEL)
            if inline:
                finished(_render_pages(lambda d, ids: load_reports(reader.get(), d, ids), d, year, todo, env, out))
            if running is not None:
                reader.close()
                finished(running.results())
                running = None
            if todo and not inline:
                reader.close()
                gc_frozen = True
                running = _Workers(db_path, d, year, todo, env, out, n_workers)
            del d
        if running is not None:
            finished(running.results())
            running = None
    finally:
        reader.close()
        if running is not None:
            for proc, _conn in running.procs:
                proc.kill()
                proc.join()
        if gc_frozen:
            gc.unfreeze()
    # the index: its context is small and built from the common data
    ctx = index_context(common)
    fp = fingerprint(salt, "index.html", ctx)
    if _unchanged(old, out, "index.html", fp) is not None:
        new["index.html"] = old["index.html"]
        unchanged += 1
    else:
        data = env.get_template("index.html").render(**ctx).encode("utf-8")
        _write_atomic(out / "index.html", data)
        finished([("index.html", fp, len(data))])
    removed = []
    for rel in sorted(set(old) - set(new)):
        p = out / rel
        if p.is_file():
            p.unlink()
            removed.append(rel)
    static = _copy_static(out)
    _write_atomic(out / MANIFEST, json.dumps({"version": MANIFEST_VERSION, "pages": new}, sort_keys=True,
                                             ensure_ascii=False, indent=0).encode("utf-8"))
    return {"pages": len(new), "written": len(written), "unchanged": unchanged, "removed": len(removed),
            "static_written": len(static), "seconds": round(time.perf_counter() - t0, 3),
            "load_seconds": round(t_load, 3), "workers": n_workers, "index": str(out / "index.html"),
            "written_paths": sorted(written)}
