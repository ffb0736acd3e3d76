"""The checking loop, and from evaluations to findings: statuses (GX decides FAIL), likely causes,
messages in Chinese. One loop (`check_parts`) serves the tests, `nianbao check` and the pipeline: the reports come a chunk
of units at a time (from a batch in memory, or read from the warehouse), each chunk is evaluated,
validated by Great Expectations (in the warm worker when there is one, while the next chunk is
evaluated here) and turned into findings; the rule across units is fed chunk by chunk and assessed
at the end (copying.py). Nothing but a chunk, and the sentence fingerprints DuckDB holds, is ever in
memory, whatever the warehouse's size: a chunk's pages go back to the system once it is written.
"""

from __future__ import annotations

import hashlib
import math
import uuid
from concurrent.futures.process import BrokenProcessPool
from pathlib import Path

import numpy as np
import pandas as pd

from ..codebook import label_of
from ..duck import sql_str
from ..review.apply import FRESH_FINGERPRINT_SQL, FRESH_REVIEW_STATUS_SQL
from . import gxworker
from .batch import Batch, Part, batch_parts, warehouse_parts
from .catalogue import rule as rule_of
from .catalogue import rules
from .copying import CopyIndex, folded_narratives
from .evaluate import ASSESS, NOT_ASSESSABLE, UNCERTAIN, copy_units_rows, evaluate
from .incremental import (
    code_fingerprint,  # noqa: F401  (findings.code_fingerprint, as before)
    corrections,
    duckdb_errors,
    unit_fingerprints,
    with_corrections,
)
from .suites import Validation, merge_validations
from .text import normed_chunk
from .writing import Writer, _ranks, storage_order

FINDING_COLUMNS = [
    "finding_id",
    "report_id",
    "unit_id",
    "year",
    "rule_id",
    "instance",
    "scope",
    "status",
    "severity",
    "lhs_cells",
    "rhs_cells",
    "lhs_value",
    "rhs_value",
    "difference",
    "likely_cause",
    "message_zh",
    "message_en",
    "other_report_id",
]
_PRE_STATUS = np.array(["PASS", "UNCERTAIN", "NOT_ASSESSABLE"], dtype=object)  # shared by the rows, not copied
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


def message(
    rule_id: str,
    instance: str,
    label: str,
    status: str,
    lhs,
    rhs,
    diff,
    detail,
    cells_l,
    cells_r,
    uncertain_cells: tuple = (),
) -> tuple[str, str]:
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
        en = f"{rule_id} [{instance}] fails: lhs {_fmt(lhs)}, rhs {_fmt(rhs)}" + (
            f", difference {_fmt(diff)}" if diff is not None else ""
        )
    elif status == "UNCERTAIN":
        zh = (
            f"{head}：{detail}，无法确定。"
            if detail
            else f"{head}：有空白、“/”或文字单元格，无法确定是否相符（空白不等于0）。"
        )
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
CHUNK = 4000  # reports per chunk (every year of a unit in the same chunk)
SPLIT_MIN = 400  # reports: a warehouse under two of these is checked in one chunk
CHECK_MEMORY, ROLLUP_MEMORY = "128MB", "256MB"  # DuckDB's on the warehouse: findings; review, rollups


class CheckError(RuntimeError):
    """A chunk could not be checked: the message names the chunk and the reason."""


def _fail(label: str, e: BaseException) -> CheckError:
    if isinstance(e, BrokenProcessPool):
        gxworker.stop()
        return CheckError(f"checking {label}: the Great Expectations worker died while validating it ({e})")
    return CheckError(f"checking {label}: {type(e).__name__}: {e}")


def check_parts(
    parts,
    township_deadline: str = "01-31",
    data_docs: str | Path | None = None,
    only: set[str] | None = None,
    checked=None,
    ids: bool = True,
    ordered: bool = False,
):
    """Findings of the reports, chunk by chunk: yields (findings DataFrame, Validation) per chunk.

    `parts`: the chunks (batch.Part). `checked(part)`: a boolean mask of the part's reports to check
    (default all; the others only serve the rule across units). The evaluation of a chunk is
    validated by Great Expectations in the warm worker (gxworker) while the next chunk is evaluated;
    a worker that raises or dies stops the loop with a CheckError naming the chunk. `ids=False`:
    finding_id left NULL (write_findings makes it). `ordered`: each chunk's findings in the order the
    warehouse stores them (report_id, rule_id, instance), for write_findings(ordered=True).
    """
    # Data Docs: every validation with docs rebuilt the site with its own result only, so the site was
    # the last chunk's; the chunks are validated without and the site built once from the last
    # validated frame, kept where it was validated (the same site, without a rebuild per chunk)
    docs_token = uuid.uuid4().hex if data_docs else None
    last = None
    for last in _check_parts(parts, township_deadline, docs_token, only, checked, ids, ordered):
        yield last
    if docs_token and last is not None:
        try:
            last[1].docs_index = gxworker.docs(str(data_docs), docs_token).result()
        except Exception as e:
            raise _fail("the Data Docs", e) from e


def _check_parts(parts, township_deadline, docs_token, only, checked, ids, ordered):
    """check_parts' loop (`docs_token`: the token under which validated frames are kept for the docs)."""
    wanted = set(only) if only else {r.id for r in rules()}
    per_unit = wanted - CROSS_UNIT_RULES
    cross = [r for r in rules() if r.id in wanted & CROSS_UNIT_RULES]
    copy_previous = any(r.family == "copy_previous" for r in rules() if r.id in per_unit)
    index = CopyIndex() if cross else None
    pending = None  # (label, reports, evaluation, future of its validation)
    try:
        for part in parts:
            b = part.batch
            try:
                normed = normed_chunk(b.sections)  # each narrative normalised once
                folded = folded_narratives(b, normed) if index is not None or copy_previous else None
                if index is not None:
                    index.add(b, part.pos, folded)
                mask = np.ones(b.n, dtype=bool) if checked is None else checked(part)
                ev = None
                if per_unit and mask.any():
                    sub = b if mask.all() else b.take(np.flatnonzero(mask))
                    if not mask.all():
                        kept = np.flatnonzero(mask)
                        normed = [normed[i] for i in kept]
                        folded = None if folded is None else [folded[i] for i in kept]
                    ev = evaluate(sub, township_deadline, per_unit, folded=folded, normed=normed)
                    if ev.empty:
                        ev = None
                    else:
                        future = _submit(ev, docs_token)
                        prepared = _prepare(sub.reports, ev, ids)  # while the worker validates
            except CheckError:
                raise
            except BrokenProcessPool as e:  # the worker died validating the chunk before, still in flight
                raise _fail(pending[0] if pending is not None else part.label, e) from e
            except Exception as e:
                raise _fail(part.label, e) from e
            if pending is not None:
                yield _finish(*pending, ordered=ordered)
                pending = None
                gxworker.release_memory()  # the chunk just written, freed: its pages back to the system
            if ev is not None:
                pending = (part.label, sub.reports, ev, future, prepared)
        if pending is not None:
            yield _finish(*pending, ordered=ordered)
            pending = None
        if index is not None:
            yield from _across_units(index, cross, docs_token, ids, ordered)
    finally:
        if index is not None:
            index.close()


def _across_units(index: CopyIndex, cross: list, docs_token, ids: bool = True, ordered: bool = False):
    """The rules across units, from the fingerprints of every chunk, a part of the reports at a time."""
    label = "the rule across units (every report's narrative against the other units')"
    try:
        parts = index.closest()
        k = 0
        while True:
            k += 1
            label = f"the rule across units, part {k}"
            got = next(parts, None)
            if got is None:
                return
            frames = []
            for r in cross:
                for inst in r.instances:
                    ch, reports = copy_units_rows(r, inst, got)
                    frames.append(ch.frame())
            ev = pd.concat(frames, ignore_index=True)
            future = _submit(ev, docs_token)
            yield _finish(label, reports, ev, future, _prepare(reports, ev, ids), ordered=ordered)
    except CheckError:
        raise
    except Exception as e:
        raise _fail(label, e) from e


def _submit(ev: pd.DataFrame, docs_token: str | None):
    ev["row_key"] = np.arange(len(ev))
    assessed = ev[ev["pre"].to_numpy() == ASSESS][["row_key", "rule_id", "metric"]]
    return gxworker.validate(assessed, None, docs_token)


def _finish(
    label: str, reports: pd.DataFrame, ev: pd.DataFrame, future, prepared: dict | None = None, ordered: bool = False
) -> tuple[pd.DataFrame, Validation]:
    try:
        val = future.result()
        rows = _rows(reports, ev, val.failing, prepared, ordered)
    except Exception as e:
        raise _fail(label, e) from e
    return rows, Validation(set(), val.per_rule, val.success, val.docs_index)


def run_checks(
    b: Batch,
    township_deadline: str = "01-31",
    data_docs: str | Path | None = None,
    only: set[str] | None = None,
    chunk_size: int = CHUNK,
) -> tuple[pd.DataFrame, Validation]:
    """All findings of a batch as one table (for files and tests; the pipeline writes chunk by chunk)."""
    frames, vals = [], []
    for df, val in check_parts(batch_parts(b, chunk_size), township_deadline, data_docs, only):
        frames.append(df)
        vals.append(val)
    out = pd.concat(frames, ignore_index=True) if frames else pd.DataFrame(columns=FINDING_COLUMNS)
    return out, merge_validations(vals)


def _prepare(rep: pd.DataFrame, ev: pd.DataFrame, ids: bool = True) -> dict:
    """The findings of evaluation `ev` on the reports `rep` (report_id, unit_id, year; the
    evaluation's `ri` and `other` are positions in it) as far as they do not depend on what GX finds
    failing: every column of the rows GX does not assess, with their messages. Built while the worker
    validates (`_rows` completes it). `ids=False`: finding_id left NULL, for write_findings to make."""
    n = len(ev)
    pre = ev["pre"].to_numpy()
    status = _PRE_STATUS[(pre == UNCERTAIN) + 2 * (pre == NOT_ASSESSABLE)]
    rid = rep["report_id"].to_numpy().astype(object)
    unit = rep["unit_id"].astype(object).where(rep["unit_id"].notna(), None).to_numpy()
    years = np.array([None if y is None or pd.isna(y) else int(y) for y in rep["year"].to_numpy()], dtype=object)
    ri = ev["ri"].to_numpy()
    rules_ = ev["rule_id"].to_numpy().astype(object)
    insts = ev["instance"].to_numpy().astype(object)
    # the rules' own attributes, looked up once per rule (not once per row)
    inv, names = pd.factorize(rules_) if n else (np.zeros(0, int), [])  # hashed: no sort of every row's id
    meta = [rule_of(r) for r in names]

    def per_rule(values) -> np.ndarray:
        return np.asarray(values, dtype=object)[inv] if n else np.empty(0, dtype=object)

    family = per_rule([r.family for r in meta])
    diff_ok = np.isin(family, ("identity", "carryover", "continuity", "statement"))
    metric = ev["metric"].to_numpy()
    diff = np.where(diff_ok & (pre == ASSESS), metric, np.nan)  # FAIL or PASS: the rows GX assesses
    lhs = ev["lhs_value"].to_numpy()
    rhs = ev["rhs_value"].to_numpy()
    other = ev["other"].to_numpy()
    if ids:
        keys = rid[ri] + "|" + rules_ + "|" + insts if n else np.empty(0, dtype=object)
        finding_ids = [hashlib.sha1(k.encode()).hexdigest()[:16] for k in keys]
    else:
        finding_ids = np.full(n, None, dtype=object)
    out = {
        "finding_id": finding_ids,
        "report_id": rid[ri],
        "unit_id": unit[ri],
        "year": pd.array(years[ri], dtype="Int64"),
        "rule_id": rules_,
        "instance": insts,
        "scope": per_rule([r.scope for r in meta]),
        "status": status,
        "severity": per_rule([r.severity for r in meta]),
        "lhs_cells": np.full(n, None, dtype=object),
        "rhs_cells": np.full(n, None, dtype=object),
        "lhs_value": np.where(np.isnan(lhs), None, lhs).astype(object),
        "rhs_value": np.where(np.isnan(rhs), None, rhs).astype(object),
        "difference": np.where(np.isnan(diff), None, diff).astype(object),
        "likely_cause": np.full(n, None, dtype=object),
        "message_zh": np.full(n, None, dtype=object),
        "message_en": np.full(n, None, dtype=object),
        "other_report_id": np.where(other >= 0, rid[np.where(other >= 0, other, 0)], None).astype(object),
    }
    prepared = {"out": out, "ev": ev, "family": family, "diff": diff, "labels": {}}
    _messages(prepared, np.flatnonzero(pre != ASSESS), np.zeros(n, dtype=bool))
    return prepared


def _messages(prepared: dict, rows: np.ndarray, doubtful: np.ndarray) -> None:
    """Messages, likely causes and cells of the findings at `rows` (none of them PASS: PASS rows
    carry no message, the rule and its cells are in the rules tables). The rows' fields are taken
    as Python lists at once and the results put back at once (not a numpy lookup per field and row)."""
    if not len(rows):
        return
    out, ev, labels = prepared["out"], prepared["ev"], prepared["labels"]
    said = prepared.setdefault("said", {})  # message() by its arguments: rows of a chunk repeat them
    fields = zip(
        out["rule_id"][rows].tolist(),
        out["instance"][rows].tolist(),
        out["status"][rows].tolist(),
        prepared["family"][rows].tolist(),
        prepared["diff"][rows].tolist(),
        out["lhs_value"][rows].tolist(),
        out["rhs_value"][rows].tolist(),
        ev["detail"].to_numpy()[rows].tolist(),
        ev["lhs_cells"].to_numpy()[rows].tolist(),
        ev["rhs_cells"].to_numpy()[rows].tolist(),
        ev["artefact"].to_numpy()[rows].tolist(),
        doubtful[rows].tolist(),
    )
    zhs, ens, causes, lcs, rcs = [], [], [], [], []
    for r_id, inst, st, fam, d, lv, rv, detail, lc, rc, art, dbt in fields:
        lab = labels.get((r_id, inst))
        if lab is None:
            lab = labels[(r_id, inst)] = _instance_label(r_id, inst)
        # a doubtful failure is worded as the failure it would be, then marked as doubtful
        args = (
            r_id,
            inst,
            lab,
            "FAIL" if dbt else st,
            lv,
            rv,
            None if d != d else d,  # NaN: no difference
            detail if isinstance(detail, str) else None,
            lc,
            rc,
        )
        try:
            zh, en = said[args]
        except KeyError:
            zh, en = said[args] = message(*args)
        except TypeError:  # cells given as a list: not a key
            zh, en = message(*args)
        cause = None
        if dbt:
            zh += "（读数存疑：涉及光学识别（OCR）置信度不足的单元格，请对照原件核实。）"
            en += " (reading doubtful: a cell read by OCR is uncertain; check it against the page)"
            cause = "reading_doubtful"
        if st == "FAIL" and fam == "identity":
            cause = "reading_artefact" if art else "publisher_error"
            if cause == "reading_artefact":
                zh += "（疑为识读问题：相邻两格的数字合并后恰好相符，或该行识读不完整，请核对原文。）"
        zhs.append(zh)
        ens.append(en)
        causes.append(cause)
        lcs.append(list(lc or ()))
        rcs.append(list(rc or ()))
    n = len(rows)  # each row is met once (the rows GX does not assess, then those it finds failing)
    for col, values in (
        ("message_zh", zhs),
        ("message_en", ens),
        ("likely_cause", causes),
        ("lhs_cells", lcs),
        ("rhs_cells", rcs),
    ):
        out[col][rows] = np.fromiter(values, dtype=object, count=n)  # lists stay objects, not a 2-D array


def _rows(
    rep: pd.DataFrame, ev: pd.DataFrame, failing: set[int], prepared: dict | None = None, ordered: bool = False
) -> pd.DataFrame:
    """The findings table of evaluation `ev` on the reports `rep`, given the row keys GX found
    failing (`prepared`: `_prepare(rep, ev)`, when already built). `ordered`: the rows sorted by
    report_id, rule_id, instance (as the warehouse stores them), else in the evaluation's order."""
    if ev.empty:
        return pd.DataFrame(columns=FINDING_COLUMNS)
    p = prepared if prepared is not None else _prepare(rep, ev)
    out = p["out"]
    pre = ev["pre"].to_numpy()
    fail = ev["row_key"].isin(failing).to_numpy() & (pre == ASSESS)
    out["status"][fail] = "FAIL"
    # an identity that fails on a cell OCR read doubtfully (problem ocr_uncertain): reading doubtful
    doubtful = fail & (ev["doubtful"].to_numpy() if "doubtful" in ev else np.zeros(len(ev), bool))
    out["status"][doubtful] = "UNCERTAIN"
    _messages(p, np.flatnonzero(fail), doubtful)
    if ordered:  # the reports ranked once each (not per row); the same order as by the rows' ids
        rank = _ranks(rep["report_id"].to_numpy().astype(object))
        order = storage_order(rank[ev["ri"].to_numpy()], out["rule_id"], out["instance"])
        out = {c: v[order] for c, v in out.items()}
    return pd.DataFrame(out, columns=FINDING_COLUMNS)


# the finding's id: the first 16 hex digits of SHA-1 over "report|rule|instance" (as _prepare makes it)
FINDING_ID_SQL = "left(sha1(report_id || '|' || rule_id || '|' || instance), 16)"


def write_findings(con, findings: pd.DataFrame, replace: bool = True, ordered: bool = False) -> None:
    """Insert the findings, with their fingerprint and open review status (apply_dispositions' fresh
    state); a finding_id left NULL is made here (FINDING_ID_SQL), by DuckDB rather than per row.
    Stored sorted by report_id, rule_id, instance; `ordered`: the frame is in that order already
    (`_rows(ordered=True)`), inserted as it is (DuckDB keeps the insertion order) instead of sorted
    again."""
    if replace:
        con.execute("DELETE FROM findings")
    if findings.empty:
        return
    cols = ", ".join(
        c if c != "finding_id" else f"coalesce(CAST(finding_id AS VARCHAR), {FINDING_ID_SQL})" for c in FINDING_COLUMNS
    )
    con.register("f", findings)
    con.execute(
        f"INSERT INTO findings ({', '.join(FINDING_COLUMNS)}, fingerprint, review_status) "
        f"SELECT {cols}, {FRESH_FINGERPRINT_SQL}, {FRESH_REVIEW_STATUS_SQL} "
        "FROM f" + ("" if ordered else " ORDER BY report_id, rule_id, instance")
    )
    con.unregister("f")


# ----------------------------------------------------------------------------------------------
# Incremental checking: a unit whose inputs did not change keeps its findings.


def check_into(
    con,
    b: Batch | None = None,
    township_deadline: str = "01-31",
    data_docs: str | Path | None = None,
    previous_db: str | Path | None = None,
    chunk_size: int = CHUNK,
) -> dict:
    """Write the findings of the warehouse's active reports into its findings table, chunk by chunk
    (`b`: a batch in memory instead of the warehouse's reports).

    With `previous_db` (the published warehouse), units whose fingerprint is unchanged copy their
    findings from it instead of being checked again (their cells are then not even loaded); the
    rules across units are always re-run.
    """
    con.execute("DELETE FROM findings")
    con.execute("DELETE FROM check_fingerprints")
    corrected = corrections(con)
    old: dict[str, str] = {}
    attached = False
    if previous_db and Path(previous_db).exists():
        try:
            con.execute(f"ATTACH {sql_str(previous_db)} AS prev (READ_ONLY)")
            attached = True
            old = dict(con.execute("SELECT unit_id, fingerprint FROM prev.check_fingerprints").fetchall())
            con.execute(f"SELECT {', '.join(FINDING_COLUMNS)} FROM prev.findings LIMIT 0")
        except duckdb_errors():  # an older warehouse without the bookkeeping: check everything
            old = {}
    stats = {"reports": 0, "reused": 0, "checked": 0}
    cross = ", ".join(f"'{r}'" for r in sorted(CROSS_UNIT_RULES))

    def keep(part: Part) -> dict[str, str]:
        """The fingerprints of the chunk's units, stored; units unchanged since `previous_db` keep
        their findings."""
        fps = memo.pop(id(part.batch), None)
        if fps is None:
            fps = with_corrections(unit_fingerprints(part.batch, township_deadline), corrected)
        if fps:
            writer.run(_insert_fingerprints, pd.DataFrame(sorted(fps.items()), columns=["unit_id", "fingerprint"]))
        reuse = sorted(u for u, f in fps.items() if old.get(u) == f)
        if reuse:
            writer.run(_reuse_findings, pd.DataFrame({"unit_id": reuse}), cross)
        return dict.fromkeys(reuse)

    reused_units: set = set()
    writer = Writer(con)  # the loop's writes, in order, beside the evaluation

    def checked(part: Part) -> np.ndarray:
        reuse = keep(part)
        reused_units.update(reuse)
        mask = np.array([u not in reuse for u in part.batch.reports["unit_id"]], dtype=bool)
        stats["reports"] += part.batch.n
        stats["checked"] += int(mask.sum())
        return mask

    memo: dict[int, dict[str, str]] = {}  # a chunk's fingerprints, from needs_cells to keep

    def needs_cells(batch: Batch) -> bool:
        fps = memo[id(batch)] = with_corrections(unit_fingerprints(batch, township_deadline), corrected)
        return any(u is None or old.get(u) != fps.get(u) for u in batch.reports["unit_id"])

    if gxworker.running():  # a lone chunk in two, so the worker validates one while the other is evaluated
        total = con.execute("SELECT count(*) FROM reports WHERE active").fetchone()[0] if b is None else b.n
        chunk_size = min(chunk_size, max(SPLIT_MIN, -(-total // 2)))
    parts = warehouse_parts(con, chunk_size, needs_cells) if b is None else batch_parts(b, chunk_size)
    vals: list[Validation] = []
    done = False
    try:
        for findings, val in check_parts(parts, township_deadline, data_docs, checked=checked, ids=False, ordered=True):
            writer.bounded(write_findings, findings, False, True)  # written while the next chunk is evaluated
            vals.append(val)
            del findings  # the writer's reference only: freed once written
        done = True
    finally:
        writer.close(wait=done)
        if attached:
            con.execute("DETACH prev")
    counts = {
        status: int(n) for status, n in con.execute("SELECT status, count(*) FROM findings GROUP BY ALL").fetchall()
    }
    fails = con.execute("SELECT rule_id, report_id FROM findings WHERE status = 'FAIL'").df()
    return {
        "counts": counts,
        "fails": fails,
        "validation": merge_validations(vals),
        "reports": stats["reports"],
        "reused_units": len(reused_units),
        "checked_reports": stats["checked"],
    }


def _insert_fingerprints(cur, fps: pd.DataFrame) -> None:
    cur.register("fps", fps)
    cur.execute("INSERT INTO check_fingerprints SELECT unit_id, fingerprint FROM fps")
    cur.unregister("fps")


def _reuse_findings(cur, units: pd.DataFrame, cross: str) -> None:
    """The findings of unchanged units copied from the previous warehouse (attached as prev)."""
    cur.register("reuse_units", units)
    cur.execute(f"""INSERT INTO findings ({", ".join(FINDING_COLUMNS)}, fingerprint, review_status)
                    SELECT {", ".join(FINDING_COLUMNS)}, {FRESH_FINGERPRINT_SQL}, {FRESH_REVIEW_STATUS_SQL}
                    FROM prev.findings
                    WHERE unit_id IN (SELECT unit_id FROM reuse_units)
                      AND rule_id NOT IN ({cross})""")
    cur.unregister("reuse_units")


def check_warehouse(db, deadline: str = "01-31", data_docs=None, previous_db=None) -> dict:
    """The findings step on a candidate warehouse file: findings, then the rollups stored."""
    from ..warehouse import connect, materialize_rollups

    con = connect(db)
    try:
        # DuckDB's cache of the pages read and written, and the rollups' joins, grew with the warehouse
        con.execute(f"SET memory_limit = '{CHECK_MEMORY}'")  # (it spills past the limit)
        res = check_into(con, township_deadline=deadline, data_docs=data_docs, previous_db=previous_db)
        con.execute(f"SET memory_limit = '{ROLLUP_MEMORY}'")
        from ..review.apply import apply_dispositions

        res["decisions"] = apply_dispositions(con, fresh=True)  # check_into wrote them fresh
        materialize_rollups(con)
        con.execute("CHECKPOINT")
    finally:
        con.close()
    return res
