"""From evaluations to findings: statuses (GX decides FAIL), likely causes, messages in Chinese."""

from __future__ import annotations

import hashlib
import math
from pathlib import Path

import numpy as np
import pandas as pd

from ..codebook import label_of
from ..duck import sql_str
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


CROSS_UNIT_RULES = {"copy_across_units"}  # need every unit of a year at once
VALIDATE_ROWS = 300_000  # evaluation rows per GX validation call


def check_batches(b: Batch, township_deadline: str = "01-31", data_docs: str | Path | None = None,
                  only: set[str] | None = None, chunk_size: int = 4000):
    """Findings chunk by chunk (every unit's years together), then the rules across units.

    Yields (findings DataFrame, Validation) per chunk, so a country's worth of reports never sits
    in memory as one table.
    """
    from .catalogue import rules

    all_ids = {r.id for r in rules()}
    wanted = set(only) if only else all_ids
    per_unit = wanted - CROSS_UNIT_RULES
    cross = wanted & CROSS_UNIT_RULES
    if per_unit and b.n:
        for idx in b.chunks(chunk_size):
            sub = b.take(idx)
            ev = evaluate(sub, township_deadline=township_deadline, only=per_unit)
            yield _findings(sub, ev, data_docs)
    if cross and b.n:
        ev = evaluate(b, township_deadline=township_deadline, only=cross)
        yield _findings(b, ev, data_docs)


def run_checks(b: Batch, township_deadline: str = "01-31", data_docs: str | Path | None = None,
               only: set[str] | None = None, chunk_size: int = 4000) -> tuple[pd.DataFrame, Validation]:
    """All findings of a batch as one table (for files and tests; the pipeline writes chunk by chunk)."""
    frames, vals = [], []
    for df, val in check_batches(b, township_deadline, data_docs, only, chunk_size):
        frames.append(df)
        vals.append(val)
    out = pd.concat(frames, ignore_index=True) if frames else pd.DataFrame(columns=FINDING_COLUMNS)
    return out, merge_validations(vals)


def merge_validations(vals: list[Validation]) -> Validation:
    if not vals:
        return Validation(set(), {}, True, None)
    per_rule: dict[str, dict] = {}
    for v in vals:
        for rid, d in v.per_rule.items():
            cur = per_rule.setdefault(rid, {"evaluated": 0, "unexpected": 0, "success": True})
            cur["evaluated"] += d["evaluated"]
            cur["unexpected"] += d["unexpected"]
            cur["success"] = cur["success"] and d["success"]
    docs = next((v.docs_index for v in vals if v.docs_index), None)
    return Validation(set(), per_rule, all(v.success for v in vals), docs)


def _findings(b: Batch, ev: pd.DataFrame, data_docs) -> tuple[pd.DataFrame, Validation]:
    if ev.empty:
        return pd.DataFrame(columns=FINDING_COLUMNS), Validation(set(), {}, True, None)
    ev["row_key"] = np.arange(len(ev))
    val = validate(ev[ev["pre"].to_numpy() == ASSESS], data_docs=data_docs)
    return _rows(b, ev, val.failing), val


def _rows(b: Batch, ev: pd.DataFrame, failing: set[int]) -> pd.DataFrame:
    """The findings table of evaluation `ev` on batch `b`, given the row keys GX found failing."""
    if ev.empty:
        return pd.DataFrame(columns=FINDING_COLUMNS)
    pre = ev["pre"].to_numpy()
    status = np.where(pre == UNCERTAIN, "UNCERTAIN", np.where(pre == NOT_ASSESSABLE, "NOT_ASSESSABLE", "PASS"))
    status = status.astype(object)
    fail = ev["row_key"].isin(failing).to_numpy() & (pre == ASSESS)
    status[fail] = "FAIL"

    rep = b.reports
    rid = rep["report_id"].to_numpy().astype(object)
    unit = rep["unit_id"].astype(object).where(rep["unit_id"].notna(), None).to_numpy()
    year = rep["year"].to_numpy()
    ri = ev["ri"].to_numpy()
    rules_ = ev["rule_id"].to_numpy()
    insts = ev["instance"].to_numpy()
    families = {r: rule_of(r).family for r in set(rules_)}
    metric = ev["metric"].to_numpy()
    diff_ok = np.array([families[r] in ("identity", "carryover", "continuity", "statement") for r in rules_])
    diff = np.where(diff_ok & np.isin(status, ("FAIL", "PASS")), metric, np.nan)
    # an identity that fails on a cell OCR read doubtfully (problem ocr_uncertain): reading doubtful
    doubtful = (status == "FAIL") & (ev["doubtful"].to_numpy() if "doubtful" in ev else np.zeros(len(ev), bool))
    status[doubtful] = "UNCERTAIN"
    lhs = ev["lhs_value"].to_numpy()
    rhs = ev["rhs_value"].to_numpy()
    other = ev["other"].to_numpy()
    n = len(ev)
    out = {
        "finding_id": [hashlib.sha1(f"{rid[ri[k]]}|{rules_[k]}|{insts[k]}".encode()).hexdigest()[:16]
                       for k in range(n)],
        "report_id": rid[ri], "unit_id": unit[ri],
        "year": pd.array([None if y is None or pd.isna(y) else int(y) for y in year[ri]], dtype="Int64"),
        "rule_id": rules_, "instance": insts,
        "scope": np.array([rule_of(r).scope for r in rules_], dtype=object),
        "status": status, "severity": np.array([rule_of(r).severity for r in rules_], dtype=object),
        "lhs_cells": np.full(n, None, dtype=object), "rhs_cells": np.full(n, None, dtype=object),
        "lhs_value": np.where(np.isnan(lhs), None, lhs).astype(object),
        "rhs_value": np.where(np.isnan(rhs), None, rhs).astype(object),
        "difference": np.where(np.isnan(diff), None, diff).astype(object),
        "likely_cause": np.full(n, None, dtype=object), "message_zh": np.full(n, None, dtype=object),
        "message_en": np.full(n, None, dtype=object),
        "other_report_id": np.where(other >= 0, rid[np.where(other >= 0, other, 0)], None).astype(object),
    }
    # PASS rows carry no message (the rule and its cells are in the rules tables); the others do
    labels: dict = {}
    lcells, rcells, details, art = (ev["lhs_cells"].to_numpy(), ev["rhs_cells"].to_numpy(),
                                    ev["detail"].to_numpy(), ev["artefact"].to_numpy())
    for k in np.flatnonzero(status != "PASS"):
        r_id, inst = rules_[k], insts[k]
        lab = labels.setdefault((r_id, inst), _instance_label(r_id, inst))
        d = diff[k]
        detail = details[k] if isinstance(details[k], str) else None
        zh, en = message(r_id, inst, lab, status[k], out["lhs_value"][k], out["rhs_value"][k],
                         None if np.isnan(d) else d, detail, lcells[k], rcells[k])
        if doubtful[k]:
            zh, en = message(r_id, inst, lab, "FAIL", out["lhs_value"][k], out["rhs_value"][k],
                             None if np.isnan(d) else d, detail, lcells[k], rcells[k])
            zh += "（读数存疑：涉及光学识别（OCR）置信度不足的单元格，请对照原件核实。）"
            en += " (reading doubtful: a cell read by OCR is uncertain; check it against the page)"
            out["likely_cause"][k] = "reading_doubtful"
        if status[k] == "FAIL" and families[r_id] == "identity":
            cause = "reading_artefact" if art[k] else "publisher_error"
            out["likely_cause"][k] = cause
            if cause == "reading_artefact":
                zh += "（疑为识读问题：相邻两格的数字合并后恰好相符，或该行识读不完整，请核对原文。）"
        out["message_zh"][k], out["message_en"][k] = zh, en
        out["lhs_cells"][k] = list(lcells[k] or ())
        out["rhs_cells"][k] = list(rcells[k] or ())
    return pd.DataFrame(out, columns=FINDING_COLUMNS)


def write_findings(con, findings: pd.DataFrame, replace: bool = True) -> None:
    if replace:
        con.execute("DELETE FROM findings")
    if findings.empty:
        return
    con.register("f", findings)
    con.execute(f"INSERT INTO findings ({', '.join(FINDING_COLUMNS)}) SELECT {', '.join(FINDING_COLUMNS)} "
                "FROM f ORDER BY report_id, rule_id, "
                "instance")
    con.unregister("f")


# ----------------------------------------------------------------------------------------------
# Incremental checking: a unit whose inputs did not change keeps its findings.


def code_fingerprint() -> str:
    """Hash of the rule catalogue, the checking code and the codebook (whose short labels the findings'
    messages use): a change to any re-checks everything."""
    from .catalogue import CATALOGUE, CODEBOOK

    h = hashlib.sha1(CATALOGUE.read_bytes())
    h.update(CODEBOOK.read_bytes())
    for f in sorted(Path(__file__).parent.glob("*.py")):
        h.update(f.read_bytes())
    return h.hexdigest()


def unit_fingerprints(b: Batch, township_deadline: str) -> dict[str, str]:
    import json

    base = code_fingerprint() + "|" + township_deadline
    per: dict[str, list] = {}
    cols = [c for c in b.reports.columns]
    for row in b.reports[cols].astype(object).itertuples(index=False):
        d = dict(zip(cols, row))
        per.setdefault(d["unit_id"], []).append({k: (None if v is None or (isinstance(v, float) and v != v)
                                                     else str(v)) for k, v in d.items()})
    return {u: hashlib.sha1((base + json.dumps(sorted(rows, key=lambda r: r["report_id"]), sort_keys=True,
                                                ensure_ascii=False)).encode()).hexdigest()
            for u, rows in per.items() if u is not None}


def with_corrections(con, fps: dict[str, str]) -> dict[str, str]:
    """Units with cells corrected by review get those corrections in their fingerprint: a unit whose
    corrections changed is checked again, not copied from the previous warehouse."""
    try:
        rows = con.execute("""SELECT r.unit_id, string_agg(c.report_id || c.cell_id || c.semantic || '='
                                     || coalesce(CAST(c.value AS VARCHAR), ''), ',' ORDER BY c.report_id, c.cell_id)
                              FROM cells c JOIN reports r USING (report_id)
                              WHERE c.value_source = 'review' GROUP BY r.unit_id""").fetchall()
    except duckdb_errors():  # a warehouse without the review columns
        return fps
    out = dict(fps)
    for unit, corr in rows:
        if unit in out:
            out[unit] = hashlib.sha1((out[unit] + "|review|" + corr).encode()).hexdigest()
    return out


def check_into(con, b: Batch | None = None, township_deadline: str = "01-31",
               data_docs: str | Path | None = None, previous_db: str | Path | None = None,
               chunk_size: int = 4000) -> dict:
    """Write the findings of the warehouse's active reports into its findings table.

    With `previous_db` (the published warehouse), units whose fingerprint is unchanged copy their
    findings from it instead of being checked again (their cells are then not even loaded); the
    rules across units are always re-run.
    """
    from .batch import fill_cells, from_warehouse
    from .catalogue import rules

    if b is None:
        b = from_warehouse(con, cells_for=set())
        loaded = False
    else:
        loaded = True
    fps = with_corrections(con, unit_fingerprints(b, township_deadline))
    con.execute("DELETE FROM findings")
    con.execute("DELETE FROM check_fingerprints")
    if fps:
        con.register("fps", pd.DataFrame(sorted(fps.items()), columns=["unit_id", "fingerprint"]))
        con.execute("INSERT INTO check_fingerprints SELECT unit_id, fingerprint FROM fps")
        con.unregister("fps")
    reuse: set[str] = set()
    if previous_db and Path(previous_db).exists():
        try:
            con.execute(f"ATTACH {sql_str(previous_db)} AS prev (READ_ONLY)")
            try:
                old = dict(con.execute("SELECT unit_id, fingerprint FROM prev.check_fingerprints").fetchall())
                reuse = {u for u, f in fps.items() if old.get(u) == f}
                if reuse:
                    con.register("reuse_units", pd.DataFrame({"unit_id": sorted(reuse)}))
                    cross = ", ".join(f"'{r}'" for r in sorted(CROSS_UNIT_RULES))
                    con.execute(f"""INSERT INTO findings ({', '.join(FINDING_COLUMNS)})
                                    SELECT {', '.join(FINDING_COLUMNS)} FROM prev.findings
                                    WHERE unit_id IN (SELECT unit_id FROM reuse_units)
                                      AND rule_id NOT IN ({cross})""")
                    con.unregister("reuse_units")
            finally:
                con.execute("DETACH prev")
        except duckdb_errors():  # an older warehouse without the bookkeeping: check everything
            reuse = set()
            con.execute("DELETE FROM findings")
    todo_units = {u for u in fps if u not in reuse}
    per_unit = {r.id for r in rules()} - CROSS_UNIT_RULES
    todo = np.array([u in todo_units for u in b.reports["unit_id"]], dtype=bool)
    vals: list[Validation] = []
    pending: list[tuple[Batch, pd.DataFrame]] = []

    def flush() -> None:
        # one GX validation for several evaluations (each call has a fixed cost), but bounded in
        # size so a country's worth of rows never sits in memory at once
        frames, offset = [], 0
        for _part, ev in pending:
            ev["row_key"] = np.arange(offset, offset + len(ev))
            offset += len(ev)
            frames.append(ev[ev["pre"] == ASSESS][["row_key", "rule_id", "metric"]])
        if frames:
            val = validate(pd.concat(frames, ignore_index=True), data_docs=data_docs)
            vals.append(val)
            for part, ev in pending:
                write_findings(con, _rows(part, ev, val.failing), replace=False)
        pending.clear()

    def add(part: Batch, ev: pd.DataFrame) -> None:
        pending.append((part, ev))
        if sum(len(e) for _p, e in pending) >= VALIDATE_ROWS:
            flush()

    if todo.any():
        sub = b.take(np.flatnonzero(todo))
        for idx in sub.chunks(chunk_size):
            part = sub.take(idx)
            if not loaded:  # cells are loaded a chunk of units at a time
                fill_cells(con, part)
            add(part, evaluate(part, township_deadline=township_deadline, only=per_unit))
    if b.n:
        add(b, evaluate(b, township_deadline=township_deadline, only=set(CROSS_UNIT_RULES)))
    flush()
    counts = {status: int(n) for status, n in con.execute("SELECT status, count(*) FROM findings GROUP BY ALL")
              .fetchall()}
    fails = con.execute("SELECT rule_id, report_id FROM findings WHERE status = 'FAIL'").df()
    return {"counts": counts, "fails": fails, "validation": merge_validations(vals), "reports": b.n,
            "reused_units": len(reuse), "checked_reports": int(todo.sum())}


def check_warehouse(db, deadline: str = "01-31", data_docs=None, previous_db=None) -> dict:
    """The findings step on a candidate warehouse file: findings, then the rollups stored."""
    from ..warehouse import connect, materialize_rollups

    con = connect(db)
    try:
        res = check_into(con, township_deadline=deadline, data_docs=data_docs, previous_db=previous_db)
        from ..review.apply import apply_dispositions

        res["decisions"] = apply_dispositions(con)
        materialize_rollups(con)
        con.execute("CHECKPOINT")
    finally:
        con.close()
    return res


def duckdb_errors():
    import duckdb

    return (duckdb.Error,)
