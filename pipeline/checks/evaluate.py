"""The metric of every rule instance for every report, vectorised over reports.

Each family turns a rule of the catalogue into, per report: a pre-status (ASSESS when every
operand is a number; UNCERTAIN when one is blank, "/" or text; NOT_ASSESSABLE when one is missing
or a fact is not stated; SKIP when the rule does not apply), the metric the expectation bounds, the
values of both sides and the cells concerned. Whether an assessed metric passes is decided by Great
Expectations (suites.py), from the same catalogue.
"""

from __future__ import annotations

from datetime import date

import numpy as np
import pandas as pd

from ..codebook import T3_APPLICANT_COLUMNS
from .batch import CELL_INDEX, EMPTY, MISSING, NA, NUMERIC, SUBTOTAL_INDEX, TEXT, ZERO, Batch
from .catalogue import Instance, Rule, instances_config, rules
from .copying import MIN_TEXT, CopyIndex, folded_narratives
from .text import NARRATIVE, is_empty_problems_normed, mentions_fees, normed_sections, repeated_share, stated

ASSESS, UNCERTAIN, NOT_ASSESSABLE, SKIP = 0, 1, 2, 3
PRE_NAMES = {ASSESS: "ASSESS", UNCERTAIN: "UNCERTAIN", NOT_ASSESSABLE: "NOT_ASSESSABLE"}

DEADLINES = {"government": "03-31", "department": "01-31"}


class Chunk:
    """Rows of the evaluation table for one rule instance (arrays over reports)."""

    def __init__(self, rule: Rule, inst: Instance, idx: np.ndarray):
        self.rule, self.inst, self.idx = rule, inst, idx
        k = len(idx)
        self.pre = np.full(k, ASSESS, dtype=np.int8)
        self.metric = np.full(k, np.nan)
        self.lhs = np.full(k, np.nan)
        self.rhs = np.full(k, np.nan)
        self.lhs_cells: np.ndarray = _const(k, tuple(c for c in inst.lhs if not c.startswith("prev:")))
        self.rhs_cells: np.ndarray = _const(k, tuple(inst.rhs))
        self.other = np.full(k, -1, dtype=np.int64)
        self.artefact = np.zeros(k, dtype=bool)
        self.detail: np.ndarray = _const(k, None)

    def frame(self) -> pd.DataFrame:
        return pd.DataFrame(self.columns())

    def columns(self) -> dict[str, np.ndarray]:
        """The rows that apply, as arrays (evaluate() makes one table of every instance's)."""
        keep = self.pre != SKIP
        k = int(keep.sum())
        return {
            "ri": self.idx[keep],
            "rule_id": _const(k, self.rule.id),  # one string shared by the rows, not a copy per row
            "instance": _const(k, self.inst.name),
            "pre": self.pre[keep],
            "metric": self.metric[keep],
            "lhs_value": self.lhs[keep],
            "rhs_value": self.rhs[keep],
            "lhs_cells": self.lhs_cells[keep],
            "rhs_cells": self.rhs_cells[keep],
            "other": self.other[keep],
            "artefact": self.artefact[keep],
            "detail": self.detail[keep],
        }


def _const(k: int, value) -> np.ndarray:
    """`k` references to the same `value` (np.full would copy a string into a new object per row)."""
    a = np.empty(k, dtype=object)
    a.fill(value)
    return a


def _cols(cells: tuple[str, ...]) -> tuple[np.ndarray, np.ndarray]:
    """Indices and signs of operands ("-T2/..." subtracts)."""
    idx, sign = [], []
    for c in cells:
        s = -1.0 if c.startswith("-") else 1.0
        idx.append(CELL_INDEX[c.lstrip("-")])
        sign.append(s)
    return np.array(idx, dtype=np.int64), np.array(sign)


def _status(Sx: np.ndarray) -> np.ndarray:
    """Pre-status from the semantics of all operands (rows x operands)."""
    pre = np.full(Sx.shape[0], ASSESS, dtype=np.int8)
    if Sx.shape[1] == 0:
        return pre
    unc = np.isin(Sx, (EMPTY, NA, TEXT)).any(axis=1)
    miss = (Sx == MISSING).any(axis=1)
    pre[unc] = UNCERTAIN
    pre[miss] = NOT_ASSESSABLE
    return pre


def _split_operands(cells: tuple[str, ...]) -> tuple[tuple[str, ...], tuple[str, ...]]:
    cur = tuple(c for c in cells if not c.startswith("prev:"))
    prev = tuple(c[5:] for c in cells if c.startswith("prev:"))
    return cur, prev


def _sum(b: Batch, rows: np.ndarray, cells: tuple[str, ...]) -> tuple[np.ndarray, np.ndarray]:
    if not cells:
        return np.zeros(len(rows)), np.zeros((len(rows), 0), dtype=np.int8)
    idx, sign = _cols(cells)
    vals = b.V[np.ix_(rows, idx)] * sign
    return np.nansum(vals, axis=1), b.S[np.ix_(rows, idx)]


# ----------------------------------------------------------------------------------------------
# Families


def fam_identity(b: Batch, rule: Rule, inst: Instance) -> Chunk:
    rows = np.arange(b.n)
    ch = Chunk(rule, inst, rows)
    if rule.for_each == "t3_row_with_subtotal":
        j = SUBTOTAL_INDEX[inst.name]
        has = b.XS[:, j] != MISSING
        ch.pre[~has] = SKIP
        lhs_v = b.XV[:, j]
        lhs_s = b.XS[:, [j]]
        ch.lhs_cells = _const(b.n, (f"T3/{inst.name}/org_subtotal",))
    else:
        lhs_v, lhs_s = _sum(b, rows, inst.lhs)
    rhs_v, rhs_s = _sum(b, rows, inst.rhs)
    pre = _status(np.concatenate([lhs_s, rhs_s], axis=1))
    ch.pre = np.where(ch.pre == SKIP, SKIP, pre).astype(np.int8)
    ch.lhs, ch.rhs = np.where(pre == ASSESS, lhs_v, np.nan), np.where(pre == ASSESS, rhs_v, np.nan)
    ch.metric = ch.lhs - ch.rhs
    if rule.id == "t3_row_total":
        ch.artefact = _split_digit_rows(b, inst.name)
    return ch


def _split_digit_rows(b: Batch, row: str) -> np.ndarray:
    """A row that balances when two adjacent single-digit cells are read as one two-digit number
    (a value such as 12 split into "1" and "2"): a reading artefact rather than a publisher's slip."""
    order = list(T3_APPLICANT_COLUMNS) + ["total"]
    idx = np.array([CELL_INDEX[f"T3/{row}/{c}"] for c in order])
    V = b.V[:, idx]
    out = np.zeros(b.n, dtype=bool)
    for i in range(len(order) - 1):
        a, c = V[:, i], V[:, i + 1]
        single = (a >= 0) & (a <= 9) & (c >= 0) & (c <= 9) & (a == np.floor(a)) & (c == np.floor(c))
        joined = a * 10 + c
        for target in (i, i + 1):
            alt = V.copy()
            alt[:, i] = 0
            alt[:, i + 1] = 0
            alt[:, target] = joined
            parts = np.nansum(alt[:, :6], axis=1)
            ok = single & np.isclose(parts, alt[:, 6])
            out |= ok
    return out


def fam_bounds(b: Batch, rule: Rule, inst: Instance) -> Chunk:
    rows = np.arange(b.n)
    ch = Chunk(rule, inst, rows)
    table = inst.name
    if rule.family == "bounds_fees":
        cols = [CELL_INDEX["T2/fees/amount"]]
    elif rule.family == "bounds_blank":
        cols = [j for cid, j in CELL_INDEX.items() if cid.startswith(table + "/")]
    else:
        cols = [j for cid, j in CELL_INDEX.items() if cid.startswith(table + "/") and cid != "T2/fees/amount"]
    cols = np.array(cols)
    V = b.V[:, cols]
    S = b.S[:, cols]
    numeric = np.isin(S, (NUMERIC, ZERO))
    if rule.family == "bounds_whole":
        bad = numeric & (V != np.floor(V))
    elif rule.family == "bounds_blank":
        bad = S == EMPTY
        numeric = S != MISSING  # assessable unless the whole table is missing
    else:
        bad = numeric & (V < 0)
    ch.metric = bad.sum(axis=1).astype(float)
    none_numeric = ~numeric.any(axis=1)
    ch.pre[none_numeric] = NOT_ASSESSABLE
    names = np.array(list(CELL_INDEX))[cols]
    cells = np.empty(b.n, dtype=object)
    for i in range(b.n):
        cells[i] = tuple(names[bad[i]]) if bad[i].any() else ()
    ch.lhs_cells = cells
    ch.rhs_cells = _const(b.n, ())
    ch.lhs = ch.metric.copy()
    return ch


def fam_capacity(b: Batch, rule: Rule, inst: Instance) -> Chunk:
    rows = np.arange(b.n)
    ch = Chunk(rule, inst, rows)
    idx, _ = _cols(inst.lhs)
    S = b.S[:, idx]
    V = np.where(np.isin(S, (NUMERIC, ZERO)), b.V[:, idx], 0.0)
    applies = np.array(
        [v is not None and not pd.isna(v) and not bool(v) for v in b.reports["can_make_rules"]], dtype=bool
    )
    ch.pre[~applies] = SKIP
    all_missing = (S == MISSING).all(axis=1)
    ch.pre[applies & all_missing] = NOT_ASSESSABLE
    ch.metric = np.abs(V).sum(axis=1)
    ch.lhs = ch.metric.copy()
    ch.rhs = np.zeros(b.n)
    names = np.array(inst.lhs)
    nonzero = np.abs(V) > 0
    cells = np.empty(b.n, dtype=object)
    for i in range(b.n):
        cells[i] = tuple(names[nonzero[i]]) if nonzero[i].any() else tuple(inst.lhs)
    ch.lhs_cells = cells
    return ch


_PROBLEM_ZH = {
    "table_absent": "缺少该表",
    "table_truncated": "表格不完整（被截断）",
    "table_malformed": "表格错误（错用了其他表格）",
    "rows_missing": "缺少若干行",
    "row_ambiguous": "某些行的数字无法与列对齐",
}
_TABLE_PROBLEMS = {"table_absent", "table_truncated", "table_malformed", "rows_missing", "row_ambiguous"}


def fam_structure(b: Batch, rule: Rule, inst: Instance) -> Chunk:
    rows = np.arange(b.n)
    ch = Chunk(rule, inst, rows)
    years = b.reports["year"].to_numpy()
    fmts = b.reports["format_version"].to_numpy()
    detail = np.empty(b.n, dtype=object)
    cells = np.empty(b.n, dtype=object)
    for i in range(b.n):
        cells[i] = ()
        if rule.family == "structure_section":
            absent = b.sections[i].get(inst.name) is None
            ch.metric[i] = 1.0 if absent else 0.0
        elif rule.family == "structure_table":
            probs = [
                p
                for p in b.problems[i]
                if p["code"] in _TABLE_PROBLEMS and any(c.startswith(inst.name + "/") for c in p.get("cells") or [])
            ]
            if inst.name == "T2" and fmts[i] == "2019":
                probs = []  # the trial format's Table 2 has its own columns
            ch.metric[i] = float(len(probs))
            cs = []
            for p in probs:
                cs += [c for c in p.get("cells") or [] if c.startswith(inst.name + "/")]
            cells[i] = tuple(dict.fromkeys(cs))
            detail[i] = "；".join(sorted({_PROBLEM_ZH.get(p["code"], p["code"]) for p in probs})) or None
        elif rule.family == "structure_format":
            if fmts[i] is None or pd.isna(fmts[i]) or years[i] is None or pd.isna(years[i]):
                ch.pre[i] = NOT_ASSESSABLE
            else:
                hybrid = any(p["code"] == "format_hybrid" for p in b.problems[i])
                ch.metric[i] = 1.0 if (fmts[i] == "2019" and int(years[i]) >= 2021) or hybrid else 0.0
                detail[i] = f"{fmts[i]}格式，{int(years[i])}年度" + (
                    "；表三“（六）其他处理”按2019年试行格式只有一行" if hybrid else ""
                )
    ch.lhs_cells, ch.detail = cells, detail
    ch.lhs = ch.metric.copy()
    return ch


def _d(s) -> date | None:
    if s is None or (isinstance(s, float) and np.isnan(s)) or s is pd.NaT:
        return None
    try:
        return date.fromisoformat(str(s)[:10])
    except ValueError:
        return None


def deadline_for(year: int, kind: str | None, township_deadline: str) -> date:
    mmdd = DEADLINES.get(kind or "", township_deadline)
    m, d = (int(x) for x in mmdd.split("-"))
    return date(year + 1, m, d)


def fam_time(b: Batch, rule: Rule, inst: Instance, township_deadline: str) -> Chunk:
    rows = np.arange(b.n)
    ch = Chunk(rule, inst, rows)
    # the columns as arrays once (a pandas lookup per report and column cost more than the rule)
    rep = {c: b.reports[c].to_numpy() for c in b.reports.columns}
    detail = np.empty(b.n, dtype=object)
    for i in range(b.n):
        y = rep["year"][i]
        y = None if y is None or pd.isna(y) else int(y)
        if rule.family == "timeliness":
            pub = _d(rep["published_on"][i])
            if y is None:
                ch.pre[i] = NOT_ASSESSABLE
                continue
            dl = deadline_for(y, rep["deadline_kind"][i], township_deadline)
            if pub is None:
                signed = _d(rep["signed_on"][i]) if "signed_on" in rep else None
                if signed is not None and signed > dl:
                    # not published before it was signed: late whatever the publication date
                    ch.metric[i] = float((signed - dl).days)
                    ch.lhs[i], ch.rhs[i] = signed.toordinal(), dl.toordinal()
                    detail[i] = f"未注明发布日期，但落款日期{signed.isoformat()}已晚于期限{dl.isoformat()}"
                    continue
                ch.pre[i] = UNCERTAIN
                detail[i] = f"未注明发布日期，期限为{dl.isoformat()}" + (
                    f"，落款日期{signed.isoformat()}" if signed else ""
                )
                continue
            ch.metric[i] = float((pub - dl).days)
            ch.lhs[i], ch.rhs[i] = pub.toordinal(), dl.toordinal()
            detail[i] = f"发布日期{pub.isoformat()}，期限{dl.isoformat()}"
        elif rule.family == "identity_period":
            ps, pe = _d(rep["period_start"][i]), _d(rep["period_end"][i])
            if y is None or ps is None or pe is None:
                ch.pre[i] = NOT_ASSESSABLE
                detail[i] = "未注明统计期限" if y is not None else None
                continue
            ok = ps == date(y, 1, 1) and pe == date(y, 12, 31)
            ch.metric[i] = 0.0 if ok else 1.0
            detail[i] = f"统计期限{ps.isoformat()}至{pe.isoformat()}，报告年度{y}"
        elif rule.family == "identity_year":
            ty = rep["title_year"][i]
            ty = None if ty is None or pd.isna(ty) else int(ty)
            pe = _d(rep["period_end"][i])
            facts = []
            bad = 0
            if ty is not None and pe is not None:
                facts.append(f"标题{ty}年、统计期限{pe.year}年")
                bad += int(ty != pe.year)
            if rep["match_method"][i] == "alias_historical":
                facts.append("单位名称与该年度登记名称不符")
                bad += 1
            if ty is None and pe is None:
                ch.pre[i] = NOT_ASSESSABLE
                continue
            ch.metric[i] = float(bad)
            detail[i] = "；".join(facts) or None
    ch.detail = detail
    ch.lhs = np.where(np.isnan(ch.lhs), ch.metric, ch.lhs)
    return ch


def fam_previous(b: Batch, rule: Rule, inst: Instance) -> Chunk:
    """Rules across two years of one unit: carryover, continuity, jump."""
    rows = np.arange(b.n)
    ch = Chunk(rule, inst, rows)
    prev = b.prev
    has = prev >= 0
    ch.other = prev.copy()
    cur_l, prev_l = _split_operands(inst.lhs)
    cur_r, prev_r = _split_operands(inst.rhs)
    p = np.where(has, prev, 0)
    lv, ls = _sum(b, rows, cur_l)
    rv, rs = _sum(b, rows, cur_r)
    plv, pls = _sum(b, p, prev_l)
    prv, prs = _sum(b, p, prev_r)
    lhs, rhs = lv + plv, rv + prv
    pre = _status(np.concatenate([ls, rs, pls, prs], axis=1))
    pre[~has] = NOT_ASSESSABLE
    ch.pre = pre
    ch.rhs_cells = _const(b.n, tuple(inst.rhs))
    ch.lhs_cells = _const(b.n, tuple(inst.lhs))
    detail = _const(b.n, None)
    detail[~has] = "没有上一年度的报告"
    if rule.family == "jump":
        base = instances_config().get("jump_min_base", 5)
        small = np.minimum(lhs, rhs)
        big = np.maximum(lhs, rhs)
        low = (small < base) & (pre == ASSESS)  # a jump is measured from a base of at least `base`
        ch.pre[low] = NOT_ASSESSABLE
        detail[low] = f"两年中较小的数字小于{base}，不作比较"
        with np.errstate(divide="ignore", invalid="ignore"):
            ratio = np.where(small > 0, big / np.where(small > 0, small, 1), np.inf)
        ch.metric = np.where(ch.pre == ASSESS, ratio, np.nan)
    else:
        ch.metric = np.where(pre == ASSESS, lhs - rhs, np.nan)
    ch.lhs, ch.rhs = np.where(pre == ASSESS, lhs, np.nan), np.where(pre == ASSESS, rhs, np.nan)
    ch.detail = detail
    return ch


def fam_statement(b: Batch, rule: Rule, inst: Instance, stated: list[dict]) -> Chunk:
    rows = np.arange(b.n)
    ch = Chunk(rule, inst, rows)
    tv, ts = _sum(b, rows, inst.rhs)
    pre = _status(ts)
    detail = _const(b.n, None)
    for i in range(b.n):
        s = stated[i].get(inst.name)
        if s is None:
            pre[i] = NOT_ASSESSABLE
            detail[i] = "正文未陈述该数字"
            continue
        ch.lhs[i] = s
        if pre[i] == ASSESS:
            ch.metric[i] = s - tv[i]
            ch.rhs[i] = tv[i]
            detail[i] = f"正文称{int(s)}件，表格为{int(tv[i])}件"
    ch.pre = pre
    ch.lhs_cells = _const(b.n, ())
    ch.detail = detail
    return ch


def fam_fees(b: Batch, rule: Rule, inst: Instance) -> Chunk:
    rows = np.arange(b.n)
    ch = Chunk(rule, inst, rows)
    cells = ("T2/fees/amount", "T3/other_no_fee/total")
    idx, _ = _cols(cells)
    V, S = b.V[:, idx], b.S[:, idx]
    charged = (np.isin(S, (NUMERIC,)) & (V > 0)).any(axis=1)
    all_missing = (S == MISSING).all(axis=1)
    detail = _const(b.n, None)
    for i in range(b.n):
        if charged[i]:
            ok = mentions_fees(b.sections[i].get("other"))
            ch.metric[i] = 0.0 if ok else 1.0
            detail[i] = "表中有收费，第六部分" + ("已说明" if ok else "未提及收费")
        elif all_missing[i]:
            ch.pre[i] = NOT_ASSESSABLE
        else:
            ch.metric[i] = 0.0
    ch.lhs_cells = _const(b.n, cells)
    ch.rhs_cells = _const(b.n, ())
    ch.lhs = ch.metric.copy()
    ch.detail = detail
    return ch


def fam_problems_section(b: Batch, rule: Rule, inst: Instance, normed: list[dict[str, str]]) -> Chunk:
    rows = np.arange(b.n)
    ch = Chunk(rule, inst, rows)
    for i in range(b.n):  # is_empty_problems_section on the section normalised once (normed_sections)
        empty = None if b.sections[i].get("problems") is None else is_empty_problems_normed(normed[i]["problems"])
        if empty is None:
            ch.pre[i] = NOT_ASSESSABLE
        else:
            ch.metric[i] = 1.0 if empty else 0.0
    ch.lhs = ch.metric.copy()
    return ch


def fam_copy_previous(b: Batch, rule: Rule, inst: Instance, folded: list[str]) -> Chunk:
    rows = np.arange(b.n)
    ch = Chunk(rule, inst, rows)
    ch.other = b.prev.copy()
    detail = _const(b.n, None)
    for i in range(b.n):
        p = b.prev[i]
        if p < 0:
            ch.pre[i] = NOT_ASSESSABLE
            detail[i] = "没有上一年度的报告"
            continue
        share = repeated_share(folded[i], folded[p])
        if share is None or len(folded[i]) < 40:
            ch.pre[i] = NOT_ASSESSABLE
            detail[i] = "正文过短"
            continue
        ch.metric[i] = share
        detail[i] = f"与上年报告重复{share:.0%}"
    ch.lhs = ch.metric.copy()
    ch.detail = detail
    return ch


def fam_copy_units(b: Batch, rule: Rule, inst: Instance, folded: list[str]) -> Chunk:
    """Near-identical narratives across units of the same year, via sentence fingerprints (the whole
    batch at once; the checking loop feeds the same index chunk by chunk, findings.py)."""
    index = CopyIndex()
    try:
        index.add(b, np.arange(b.n), folded)
        got = pd.concat(list(index.closest()), ignore_index=True)
    finally:
        index.close()
    ch, _reports = copy_units_rows(rule, inst, got)
    ch.idx = got["pos"].to_numpy(dtype=np.int64)
    other = ch.other.copy()
    found = other >= 0
    other[found] = got["other_pos"].to_numpy()[found].astype(np.int64)
    ch.other = other
    return ch


def copy_units_rows(rule: Rule, inst: Instance, got: pd.DataFrame) -> tuple[Chunk, pd.DataFrame]:
    """The rule across units for the reports of `got` (CopyIndex.closest): its evaluation rows, over
    a table of the reports they name (theirs, then the closest copies, which `other` points to)."""
    k = len(got)
    ch = Chunk(rule, inst, np.arange(k))
    total = got["total"].to_numpy(dtype=np.int64)
    short = (total < MIN_TEXT) | got["yr"].isna().to_numpy()
    chars = got["chars"].to_numpy(dtype=float, na_value=np.nan)
    found = ~short & ~np.isnan(chars)
    detail = _const(k, None)
    ch.pre[short] = NOT_ASSESSABLE
    detail[short] = "正文过短"
    ch.metric[~short] = 0.0
    for i in np.flatnonzero(found):
        c, t = int(chars[i]), int(total[i])
        ch.metric[i] = c / t
        detail[i] = f"与同年另一单位报告雷同{c / t:.0%}"
    ch.other[found] = k + np.arange(int(found.sum()))
    ch.lhs = ch.metric.copy()
    ch.detail = detail
    reports = pd.DataFrame(
        {
            "report_id": np.concatenate(
                [got["report_id"].astype(object).to_numpy(), got["other_report_id"].astype(object).to_numpy()[found]]
            ),
            "unit_id": np.concatenate([got["unit_id"].astype(object).to_numpy(), np.full(int(found.sum()), None)]),
            "year": np.concatenate([got["yr"].astype(object).to_numpy(), np.full(int(found.sum()), None)]),
        }
    )
    return ch, reports


# ----------------------------------------------------------------------------------------------


def evaluate(
    b: Batch,
    township_deadline: str = "01-31",
    only: set[str] | None = None,
    folded: list[str] | None = None,
    normed: list[dict[str, str]] | None = None,
) -> pd.DataFrame:
    """The evaluation table: one row per report and rule instance that applies (`folded`, `normed`:
    the reports' folded narratives and normalised sections, when the caller has them already)."""
    chunks: list[dict[str, np.ndarray]] = []
    said = None
    for rule in rules():
        if only and rule.id not in only:
            continue
        for inst in rule.instances:
            f = rule.family
            if f == "identity":
                ch = fam_identity(b, rule, inst)
            elif f.startswith("bounds"):
                ch = fam_bounds(b, rule, inst)
            elif f == "capacity":
                ch = fam_capacity(b, rule, inst)
            elif f.startswith("structure"):
                ch = fam_structure(b, rule, inst)
            elif f in ("timeliness", "identity_period", "identity_year"):
                ch = fam_time(b, rule, inst, township_deadline)
            elif f in ("carryover", "continuity", "jump"):
                ch = fam_previous(b, rule, inst)
            elif f == "statement":
                if said is None:
                    if normed is None:
                        normed = [normed_sections(s) for s in b.sections]
                    said = [stated("".join(ns[k] for k in NARRATIVE)) for ns in normed]
                ch = fam_statement(b, rule, inst, said)
            elif f == "fees_mentioned":
                ch = fam_fees(b, rule, inst)
            elif f == "problems_section":
                ch = fam_problems_section(b, rule, inst, normed := normed or [normed_sections(s) for s in b.sections])
            elif f in ("copy_previous", "copy_units"):
                if folded is None:
                    folded = folded_narratives(b, normed)
                ch = (fam_copy_previous if f == "copy_previous" else fam_copy_units)(b, rule, inst, folded)
            else:
                raise ValueError(f"rule {rule.id}: unknown family {f}")
            chunks.append(ch.columns())
    if not chunks:
        return pd.DataFrame()
    ev = pd.DataFrame({c: np.concatenate([ch[c] for ch in chunks]) for c in chunks[0]})
    ev = ev[np.isin(ev["ri"].to_numpy(), np.flatnonzero(b.focus))].reset_index(drop=True)
    # a column identity failing in a report whose rows show a split digit is likely the same artefact
    art_reports = set(ev.loc[ev["artefact"] & (ev["rule_id"] == "t3_row_total"), "ri"])
    col_rules = ev["rule_id"].isin(["t3_balance", "t3_outcomes_sum"]) & ev["ri"].isin(art_reports)
    ev.loc[col_rules, "artefact"] = True
    low_conf = {i for i in range(b.n) if any(p["code"] in ("row_short", "row_ambiguous") for p in b.problems[i])}
    if low_conf:  # the rules of tables 3 and 4, decided once per rule id rather than per row
        codes, ids = pd.factorize(ev["rule_id"].to_numpy())
        t34 = np.array([str(r).startswith(("t3_", "t4_")) for r in ids], dtype=bool)[codes]
        ev.loc[ev["ri"].isin(low_conf).to_numpy() & t34, "artefact"] = True
    ev["doubtful"] = _ocr_doubtful(b, ev)
    return ev


def _ocr_doubtful(b: Batch, ev: pd.DataFrame) -> np.ndarray:
    """Identity rows with an operand that OCR read doubtfully (problem ocr_uncertain): their failure
    is UNCERTAIN ("reading doubtful"), not FAIL (findings.py)."""
    flagged = {
        i: {c for p in b.problems[i] if p.get("code") == "ocr_uncertain" for c in (p.get("cells") or [])}
        for i in range(b.n)
    }
    out = np.zeros(len(ev), dtype=bool)
    if not any(flagged.values()):
        return out
    fams = {r.id: r.family for r in rules()}
    ri, rid = ev["ri"].to_numpy(), ev["rule_id"].to_numpy()
    lc, rc = ev["lhs_cells"].to_numpy(), ev["rhs_cells"].to_numpy()
    for k in np.flatnonzero(np.isin(ri, [i for i, f in flagged.items() if f])):  # a report with a doubtful cell
        f = flagged.get(int(ri[k]))
        if f and fams.get(rid[k]) == "identity":
            ops = {c.lstrip("-") for c in tuple(lc[k] or ()) + tuple(rc[k] or ())}
            out[k] = bool(ops & f)
    return out
