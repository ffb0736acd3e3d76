"""The page of one unit and year: its report's tables with the findings marked on their cells, the
findings explained, the movement since the year before, its standing among its banner's units, the
narrative and the structural problems.

`unit_inputs` gathers from the loaded data (`data.load_year`) everything the page shows into one
frozen `UnitInputs`, the bulk of the report (cells, extra cells, narrative, problems, findings) as
DuckDB's digests of its rows; `unit_context` builds the page from that value and the bulk itself
(`UnitBulk`, loaded only when the page is rendered).
"""

from __future__ import annotations

from dataclasses import dataclass

from .data import HIERARCHIES, RANK_COLS, Data
from .inputs import PageInputs, group_path, unit_path
from .labels import (
    CAUSE_ZH,
    HIERARCHY_ZH,
    KIND_ZH,
    LEVEL_ZH,
    METRIC_ZH,
    OCR_DOUBT_ZH,
    PREFIX_ZH,
    RATE_METRICS,
    REVIEW_ZH,
    SEM_ZH,
    SEVERITY_ZH,
    STATUS_NOTE,
    STATUS_ZH,
    cell_number,
    cell_show,
    fmt_num,
    fmt_pct,
    rate_text,
    timeliness,
)
from .layout import (
    SECTION_TITLES,
    T2V2019_BLOCKS,
    T3_COLUMNS,
    T3_COLUMNS_WITH_SUBTOTAL,
    T3_ROWS,
    T3_SHORT,
    T4_GROUP_LABELS,
    all_cell_ids,
    short_label,
)

ALL_IDS: tuple[str, ...] = tuple(all_cell_ids())
_ALL_SET = frozenset(ALL_IDS)
_RANK_BANNER = RANK_COLS.index("banner_id")

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


@dataclass(frozen=True)
class UnitInputs(PageInputs):
    """Everything a unit page shows but the bulk of its report, which is here as digests."""

    uid: str
    year: int
    rid: str
    report: dict  # the report's header (data.REPORT_COLS)
    unit: dict  # the registry's row of the unit
    uy: dict | None  # unit_years of the year
    prev_uy: dict | None  # and of the year before
    bulk_digests: tuple | None  # DuckDB's digests of its cells, extra cells, narrative, problems
    findings_digest: str | None  # and of its findings (not PASS)
    others: dict  # reports its findings cite -> (unit_id, year, unit name), None if not active
    chains: tuple  # per hierarchy: [(parent id, name, has a group page)], nearest first
    prev_rid: str | None  # its report of the year before
    prev_cells: dict | None  # the few cells of that report it compares with (data.PREV_CELLS)
    derived: dict | None  # derived figures of the unit, this year
    prev_derived: dict | None  # and the year before
    standing: tuple  # per hierarchy with ranks: (hierarchy, metric -> RANK_COLS, banner name)
    years: tuple  # the years the unit has a report
    remediation: list | None
    stale: list | None
    min_base: object


@dataclass
class UnitBulk:
    """The bulk of a unit's report, as loaded by data.load_reports (covered by UnitInputs' digests)."""

    cells: dict
    extra: list
    sections: dict
    problems: list
    findings: list


def unit_inputs(d: Data, uid: str, year: int) -> UnitInputs:
    """The inputs of a unit's page, from load_year (not load_reports)."""
    rid = d.report_by_unit_year[(uid, year)]
    prev_rid = d.report_by_unit_year.get((uid, year - 1))
    others = {}
    for o in d.other_reports.get((uid, year), ()):
        r = d.other_headers.get(o)
        others[o] = (r[0], r[1], d.unit_name(r[0])) if r else None
    standing = []
    for h in HIERARCHIES:
        rk = d.ranks.get((h, uid, year))
        if rk:
            bid = next(iter(rk.values()))[_RANK_BANNER]
            standing.append((h, rk, d.unit_name(bid) if bid else ""))
    chains = tuple([(p, d.unit_name(p), (h, p) in d.groups) for p in d.chain(uid, h)] for h in HIERARCHIES)
    return UnitInputs(
        uid=uid,
        year=year,
        rid=rid,
        report=d.reports[rid],
        unit=d.units[uid],
        uy=d.unit_years.get((uid, year)),
        prev_uy=d.unit_years.get((uid, year - 1)),
        bulk_digests=d.digests.get(rid),
        findings_digest=d.findings_digest.get((uid, year)),
        others=others,
        chains=chains,
        prev_rid=prev_rid,
        prev_cells=d.prev_cells.get(prev_rid) if prev_rid else None,
        derived=d.derived.get(("unit", uid, year)),
        prev_derived=d.derived.get(("unit", uid, year - 1)),
        standing=tuple(standing),
        years=tuple(d.report_years.get(uid, ())),
        remediation=d.remediation.get((uid, year)),
        stale=d.stale_decisions.get((uid, year)),
        min_base=d.settings.get("min_base", 30),
    )


def unit_bulk(d: Data, inp: UnitInputs) -> UnitBulk:
    """The bulk of the page's report as load_reports brought it into d."""
    return UnitBulk(
        cells=d.cells.get(inp.rid, {}),
        extra=d.extra_cells.get(inp.rid, []),
        sections=d.sections.get(inp.rid, {}),
        problems=d.problems.get(inp.rid, []),
        findings=d.findings.get((inp.uid, inp.year), []),
    )


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
        text, cls, title = SEM_ZH.get(sem, ("?", "sem-text", sem))
    return {"id": cid, "sem": sem, "text": text, "cls": cls, "title": title, "marks": [], "sub": ""}


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


def _cells_text(refs: list[str] | None, limit: int = 4) -> str:
    refs = list(refs or [])
    if not refs:
        return "—"
    parts = []
    for i, ref in enumerate(refs[:limit]):
        prefix, sign, cid = parse_ref(ref)
        name = short_label(cid)
        if prefix:
            name = f"{PREFIX_ZH.get(prefix, prefix)}的{name}"
        parts.append(("－ " if sign < 0 else ("＋ " if i else "")) + name)
    s = " ".join(parts)
    if len(refs) > limit:
        s += f" 等 {len(refs)} 格"
    return s


def number_findings(fs: list[dict]) -> list[dict]:
    order = {"FAIL": 0, "UNCERTAIN": 1, "NOT_ASSESSABLE": 2}
    sev = {"error": 0, "warning": 1, "info": 2}
    listed = [f for f in fs if f["status"] != "PASS"]
    listed.sort(
        key=lambda f: (
            order.get(f["status"], 3),
            sev.get(f["severity"], 3),
            f["rule_id"],
            str(f["instance"]),
            str(f["finding_id"]),
        )
    )
    return listed


def findings_view(others: dict, fs: list[dict], cells: dict[str, dict], root: str) -> list[dict]:
    """Numbered findings (FAIL, then UNCERTAIN, then NOT_ASSESSABLE) and the markers they put on cells:
    a cell of this report on the left of the formula gets "n左", on the right "n右" (for FAIL every
    operand; for UNCERTAIN the operands that are not numbers); cells of another report (prev:…) are
    named in the explanation, not marked here. `others`: UnitInputs.others."""
    out = []
    for n, f in enumerate(number_findings(fs), start=1):
        other_href = ""
        other_label = ""
        if f.get("other_report_id"):
            o = others.get(f["other_report_id"])
            if o:
                o_unit, o_year, o_name = o
                other_href = root + unit_path(o_unit, o_year)
                other_label = f"{o_name} {o_year} 年度报告"
        if f["status"] in ("FAIL", "UNCERTAIN"):
            for side, refs in (("左", f.get("lhs_cells")), ("右", f.get("rhs_cells"))):
                for ref in refs or []:
                    prefix, _sign, cid = parse_ref(ref)
                    c = cells.get(cid) if prefix is None else None
                    if c is None:
                        continue
                    if f["status"] == "UNCERTAIN" and c["sem"] in ("NUMERIC", "ZERO"):
                        continue  # mark what makes it uncertain: the blank, "/" or text operands
                    c["marks"].append(
                        {
                            "n": n,
                            "side": side,
                            "status": f["status"].lower(),
                            "title": f"第 {n} 条（{f['rule_id']}）：等式{side}边，"
                            f"{STATUS_ZH.get(f['status'], f['status'])}",
                        }
                    )
                    if f["status"] == "FAIL" and " fail" not in c["cls"]:
                        c["cls"] = c["cls"].replace(" uncertain", "") + " fail"
                    elif " fail" not in c["cls"] and " uncertain" not in c["cls"]:
                        c["cls"] += " uncertain"
        out.append(
            {
                "n": n,
                "status": f["status"],
                "status_zh": STATUS_ZH.get(f["status"], f["status"]),
                "status_note": STATUS_NOTE.get(f["status"], ""),
                "severity": f["severity"],
                "severity_zh": SEVERITY_ZH.get(f["severity"], f["severity"]),
                "rule_id": f["rule_id"],
                "instance": f["instance"] if f["instance"] not in (None, "-") else "",
                "message": f.get("message_zh") or f.get("message_en") or "",
                "lhs": _cells_text(f.get("lhs_cells")) if f.get("lhs_cells") else "规定值",
                "rhs": _cells_text(f.get("rhs_cells")) if f.get("rhs_cells") else "规定值",
                "has_formula": bool(f.get("lhs_cells") or f.get("rhs_cells")),
                "lhs_value": fmt_num(f.get("lhs_value")) if f.get("lhs_value") is not None else "",
                "rhs_value": fmt_num(f.get("rhs_value")) if f.get("rhs_value") is not None else "",
                "difference": fmt_num(f.get("difference")) if f.get("difference") is not None else "",
                "cause": CAUSE_ZH.get(f.get("likely_cause") or "", f.get("likely_cause") or ""),
                "other_href": other_href,
                "other_label": other_label,
                # the office's review (pipeline/review): stable id and status, shown on every finding
                "fingerprint": f.get("fingerprint") or "",
                "review": f.get("review_status") or "",
                "review_zh": REVIEW_ZH.get(f.get("review_status") or "", ""),
                "review_note": f.get("review_note") or "",
                "reviewed_by": f.get("reviewed_by") or "",
                "own_cells": [
                    parse_ref(r)[2]
                    for r in (f.get("lhs_cells") or []) + (f.get("rhs_cells") or [])
                    if parse_ref(r)[0] is None
                ],
            }
        )
    return out


# ----------------------------------------------------------------------------------------------
# The page


def _cells(bulk: UnitBulk) -> tuple[dict, bool, bool]:
    """The drawn cells of the report, whether Table 3 has the 法人或其他组织小计 column and whether
    Table 2 is the 2019 format's."""
    cells = {cid: unit_cell(cid, bulk.cells.get(cid)) for cid in ALL_IDS}
    # cells outside the 200: the 法人或其他组织小计 column of Table 3, the 2019 format's Table 2
    for r in bulk.extra:
        cells[r["cell_id"]] = unit_cell(r["cell_id"], (r["semantic"], r["value"], r["raw"]))
    has_subtotal = any(r["cell_id"].startswith("T3/") and r["cell_id"].endswith("/org_subtotal") for r in bulk.extra)
    t2v2019 = any(r["table_code"] == "T2v2019" for r in bulk.extra)
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
    for p in bulk.problems:
        if p["code"] == "ocr_uncertain":
            for cid in p["cells"] or ():
                c = cells.get(cid)
                if c is not None and "ocr" not in c["cls"].split():
                    c["cls"] += " ocr"
                    c["title"] = (c["title"] + "；" if c["title"] else "") + OCR_DOUBT_ZH
    return cells, has_subtotal, t2v2019


def _moves(inp: UnitInputs, raw_cells: dict, uy: dict, min_base: int) -> list[dict]:
    """Movement since the previous year."""
    moves = []
    pc = inp.prev_cells or {}
    dv, dp = inp.derived or {}, inp.prev_derived or {}
    puy = inp.prev_uy or {}
    for label, src, key in MOVE_FIGURES:
        if src == "cell":
            cur_t, prev_t = raw_cells.get(key), pc.get(key)
            cur, prev = cell_number(cur_t), cell_number(prev_t)
            cur_s, prev_s = cell_show(cur_t), cell_show(prev_t)
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
        moves.append({"label": label, "prev": prev_s, "cur": cur_s, "change": change, "pct": pct, "dir": direction})
    return moves


def _standing(inp: UnitInputs, uy: dict, differs: bool, root: str, min_base: int) -> list[dict]:
    """Standing among the banner's units."""
    standing = []
    for h, rk, bname in inp.standing:
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
                dv = inp.derived or {}
                base = {
                    "share_disclosed": dv.get("applications_processed"),
                    "review_correction_rate": dv.get("review_concluded"),
                    "suit_correction_rate": dv.get("suit_concluded"),
                }[m]
                vs = rate_text(None, None, base, min_base)
            rows_.append(
                {
                    "label": label,
                    "value": vs,
                    "rank_banner": f"{rank_banner} / {n_banner}" if rank_banner else "—",
                    "rank_level": f"{rank_level} / {n_level}" if rank_level else "—",
                    "pct_banner": f"{pct_banner:.0f}" if pct_banner is not None else "—",
                    "pct_level": f"{pct_level:.0f}" if pct_level is not None else "—",
                }
            )
        standing.append(
            {
                "hierarchy": h,
                "hierarchy_zh": HIERARCHY_ZH[h],
                "banner": bname,
                "level_zh": LEVEL_ZH.get(uy.get("peer_level"), ""),
                "banner_href": root + group_path(h, bid, inp.year) if bid else "",
                "rows": rows_,
            }
        )
    return standing


def unit_context(inp: UnitInputs, bulk: UnitBulk) -> dict:
    """The context of unit.html, from the page's inputs and its report's bulk only."""
    root = "../../"
    uid, year, rid, rep, u = inp.uid, inp.year, inp.rid, inp.report, inp.unit
    uy = inp.uy or {}
    min_base = int(inp.min_base)
    raw_cells = bulk.cells
    cells, has_subtotal, t2v2019 = _cells(bulk)
    drawn = _ALL_SET | {
        cid for cid in cells.keys() - _ALL_SET if cid.startswith("T2v2019/") or cid.endswith("/org_subtotal")
    }
    findings = findings_view(inp.others, bulk.findings, cells, root)
    counts = {s: sum(1 for f in bulk.findings if f["status"] == s) for s in ("FAIL", "UNCERTAIN", "NOT_ASSESSABLE")}
    counts["PASS"] = int(uy.get("findings_pass") or 0)
    parents = {
        h: [
            {"id": p, "name": name, "href": root + group_path(h, p, year) if is_group else ""}
            for p, name, is_group in chain
        ]
        for h, chain in zip(HIERARCHIES, inp.chains)
    }
    differs = [p["id"] for p in parents["statutory"]] != [p["id"] for p in parents["managing"]]
    # no link to the file: a file:// URL names a path on the server, which a reader's browser does not have
    source_href = ""
    prev_rid = inp.prev_rid
    moves = _moves(inp, raw_cells, uy, min_base) if prev_rid else []
    carry = None
    if prev_rid:
        a, b = raw_cells.get("T3/carried_over/total"), (inp.prev_cells or {}).get("T3/carried_forward/total")
        carry = {
            "this": cell_show(a),
            "prev": cell_show(b),
            "same": cell_number(a) is not None and cell_number(a) == cell_number(b),
        }
    secs = bulk.sections
    sections = []
    for key, title in SECTION_TITLES:
        text = secs.get(key)
        sections.append(
            {
                "key": key,
                "title": title,
                "absent": key not in secs or text is None,
                "paras": [p for p in (text or "").split("\n") if p.strip()],
            }
        )
    extra_rows = [
        {
            "id": r["cell_id"],
            "label": short_label(r["cell_id"]),
            "text": cells[r["cell_id"]]["text"],
            "cls": cells[r["cell_id"]]["cls"],
        }
        for r in bulk.extra
        if r["cell_id"] not in drawn
    ]
    crumbs = [{"name": "首页", "href": root + "index.html"}]
    for p, name, is_group in reversed(inp.chains[HIERARCHIES.index("statutory")]):
        if is_group:
            crumbs.append({"name": f"{name}（{year}）", "href": root + group_path("statutory", p, year)})
    return {
        "kind": "unit",
        "root": root,
        "title": f"{u['name']} {year} 年度报告",
        "unit": {
            "id": uid,
            "name": u["name"],
            "full_name": u["full_name"] or u["name"],
            "level_zh": LEVEL_ZH.get(u["level"], u["level"]),
            "kind": u["kind"] or "",
        },
        "year": year,
        "parents": parents,
        "parents_differ": differs,
        "report": {
            "id": rid,
            "path": rep["path"],
            "agency": rep["agency"] or "",
            "title": rep["title"] or "",
            "kind": rep["kind"] or "",
            "format_version": rep["format_version"] or "",
            "published_on": rep["published_on"] or "",
            "signed_on": rep.get("signed_on") or "",
            "deadline": uy.get("deadline") or "",
            "timeliness": timeliness(uy),
            "match_method": rep["match_method"] or "",
            "match_confidence": rep["match_confidence"],
            "source_href": source_href,
            "n_problems": rep["n_problems"] or 0,
        },
        "cells": cells,
        "extra": extra_rows,
        "findings": findings,
        "t3_cols": list(T3_COLUMNS_WITH_SUBTOTAL if has_subtotal else T3_COLUMNS),
        "t2v2019": t2v2019,
        "counts": counts,
        "moves": moves,
        "prev_year": year - 1 if prev_rid else None,
        "prev_href": root + unit_path(uid, year - 1) if prev_rid else "",
        "carry": carry,
        "standing": _standing(inp, uy, differs, root, min_base),
        "sections": sections,
        "problems": [
            {"code": p["code"], "severity": SEVERITY_ZH.get(p["severity"], p["severity"]), "message": p["message"]}
            for p in bulk.problems
        ],
        "years": [{"year": y, "href": root + unit_path(uid, y), "current": y == year} for y in inp.years],
        "crumbs": crumbs,
        "remediation": [
            {
                "year": t[0],
                "rule": t[5],
                "instance": t[2] if t[2] not in (None, "-") else "",
                "outcome": t[3],
                "text": t[4],
                "by": t[6] or "",
            }
            for t in inp.remediation or []
        ],
        "stale": [
            {
                "kind": KIND_ZH.get(t[0], t[0]),
                "what": t[1] or "",
                "target": t[2] or "",
                "why": t[3] or "",
                "by": t[4] or "",
                "id": t[5],
            }
            for t in inp.stale or []
        ],
    }
