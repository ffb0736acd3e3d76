"""From evaluations to findings: statuses (GX decides FAIL), likely causes, messages in Chinese."""

from __future__ import annotations

import hashlib
import math
from pathlib import Path

import numpy as np
import pandas as pd

from ..codebook import label_of
from .batch import Batch
from .catalogue import rule as rule_of
from .evaluate import ASSESS, NOT_ASSESSABLE, UNCERTAIN, evaluate
from .suites import Validation, validate

FINDING_COLUMNS = [
    "finding_id", "report_id", "unit_id", "year", "rule_id", "instance", "scope", "status", "severity",
    "lhs_cells", "rhs_cells", "lhs_value", "rhs_value", "difference", "likely_cause", "message_zh", "message_en",
    "other_report_id",
]
_STATUS_ZH = {"PASS": "通过", "FAIL": "不符", "UNCERTAIN": "无法确定", "NOT_ASSESSABLE": "无法判断"}


def _fmt(v) -> str:
    if v is None or (isinstance(v, float) and (math.isnan(v))):
        return "—"
    if isinstance(v, float) and math.isinf(v):
        return "∞"
    if float(v).is_integer():
        return str(int(v))
    return f"{v:.4g}"


def _labels(cells, limit: int = 4) -> str:
    cells = list(cells or ())
    shown = "、".join(label_of(c) if c.count("/") >= 1 and not c.startswith("prev:") else c for c in cells[:limit])
    return shown + (f" 等{len(cells)}格" if len(cells) > limit else "")


def message(rule_id: str, instance: str, label: str, status: str, lhs, rhs, diff, detail, cells_l, cells_r,
            uncertain_cells: tuple = ()) -> tuple[str, str]:
    r = rule_of(rule_id)
    head = f"{r.title_zh}" + (f"（{label}）" if label else "")
    if status == "FAIL":
        if r.family in ("identity", "carryover", "continuity"):
            zh = f"{head}：左边合计{_fmt(lhs)}，右边合计{_fmt(rhs)}，相差{_fmt(diff)}。{r.explain_zh}"
        elif detail:
            zh = f"{head}：{detail}。{r.explain_zh}"
        elif cells_l:
            zh = f"{head}：涉及{_labels(cells_l)}。{r.explain_zh}"
        else:
            zh = f"{head}：不符合要求（{_fmt(lhs)}）。{r.explain_zh}"
        en = f"{rule_id} [{instance}] fails: lhs {_fmt(lhs)}, rhs {_fmt(rhs)}" + (f", difference {_fmt(diff)}"
                                                                                 if diff is not None else "")
    elif status == "UNCERTAIN":
        zh = (f"{head}：{detail}，无法确定。" if detail else
              f"{head}：有空白、“/”或文字单元格，无法确定是否相符（空白不等于0）。")
        en = f"{rule_id} [{instance}] uncertain: an operand is blank, not applicable or text"
    elif status == "NOT_ASSESSABLE":
        zh = f"{head}：{detail or '报告中缺少所需单元格'}，无法判断。"
        en = f"{rule_id} [{instance}] not assessable: " + (detail or "an operand is missing")
    else:
        zh = f"{head}：通过。" + (f"（{detail}）" if detail else "")
        en = f"{rule_id} [{instance}] passes"
    return zh, en


def _instance_label(rule_id: str, instance: str) -> str:
    r = rule_of(rule_id)
    for inst in r.instances:
        if inst.name == instance:
            return inst.label_zh
    return ""


def run_checks(b: Batch, township_deadline: str = "01-31", data_docs: str | Path | None = None,
               only: set[str] | None = None) -> tuple[pd.DataFrame, Validation]:
    """Evaluate every rule on the batch, let GX decide FAIL, and return the findings table."""
    ev = evaluate(b, township_deadline=township_deadline, only=only)
    if ev.empty:
        return pd.DataFrame(columns=FINDING_COLUMNS), Validation(set(), {}, True, None)
    ev["row_key"] = np.arange(len(ev))
    assessed = ev[ev["pre"] == ASSESS]
    val = validate(assessed, data_docs=data_docs)
    status = np.where(ev["pre"] == UNCERTAIN, "UNCERTAIN",
                      np.where(ev["pre"] == NOT_ASSESSABLE, "NOT_ASSESSABLE", "PASS")).astype(object)
    fail = ev["row_key"].isin(val.failing).to_numpy() & (ev["pre"] == ASSESS).to_numpy()
    status[fail] = "FAIL"
    ev["status"] = status

    rep = b.reports
    rid = rep["report_id"].to_numpy()
    unit = rep["unit_id"].to_numpy()
    year = rep["year"].to_numpy()
    labels = {}
    rows = []
    for r in ev.itertuples(index=False):
        ri = int(r.ri)
        lab = labels.setdefault((r.rule_id, r.instance), _instance_label(r.rule_id, r.instance))
        diff = r.metric if r.status in ("FAIL", "PASS") and rule_of(r.rule_id).family in (
            "identity", "carryover", "continuity", "statement") else None
        lhs = None if (isinstance(r.lhs_value, float) and math.isnan(r.lhs_value)) else r.lhs_value
        rhs = None if (isinstance(r.rhs_value, float) and math.isnan(r.rhs_value)) else r.rhs_value
        detail = r.detail if isinstance(r.detail, str) else None
        zh, en = message(r.rule_id, r.instance, lab, r.status, lhs, rhs, diff, detail, r.lhs_cells, r.rhs_cells)
        cause = None
        if r.status == "FAIL" and rule_of(r.rule_id).family == "identity":
            cause = "reading_artefact" if r.artefact else "publisher_error"
            if cause == "reading_artefact":
                zh += "（疑为识读问题：相邻两格的数字合并后恰好相符，或该行识读不完整，请核对原文。）"
        other = rid[int(r.other)] if r.other >= 0 else None
        key = f"{rid[ri]}|{r.rule_id}|{r.instance}"
        y = year[ri]
        rows.append((
            hashlib.sha1(key.encode()).hexdigest()[:16], rid[ri],
            None if unit[ri] is None or (isinstance(unit[ri], float) and math.isnan(unit[ri])) else unit[ri],
            None if y is None or pd.isna(y) else int(y), r.rule_id, r.instance, rule_of(r.rule_id).scope, r.status,
            rule_of(r.rule_id).severity, list(r.lhs_cells or ()), list(r.rhs_cells or ()), lhs, rhs,
            None if diff is None or (isinstance(diff, float) and math.isnan(diff)) else float(diff),
            cause, zh, en, other,
        ))
    out = pd.DataFrame(rows, columns=FINDING_COLUMNS)
    return out, val


def write_findings(con, findings: pd.DataFrame) -> None:
    con.execute("DELETE FROM findings")
    if findings.empty:
        return
    con.register("f", findings)
    con.execute(f"INSERT INTO findings SELECT {', '.join(FINDING_COLUMNS)} FROM f ORDER BY report_id, rule_id, "
                "instance")
    con.unregister("f")
