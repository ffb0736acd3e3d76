"""Great Expectations suites generated from the rule catalogue, and the validation that decides FAIL.

One expectation per rule: `metric` between the rule's [min, max], over the evaluation rows of that
rule whose operands are all numbers. What GX reports as unexpected is FAIL; the other assessed rows
PASS. GX is imported lazily (it costs seconds) and its progress bars are switched off.
"""

from __future__ import annotations

import logging
import os
import warnings
from dataclasses import dataclass
from pathlib import Path

import pandas as pd

from .catalogue import Rule, rules

SUITE_NAME = "nianbao_rules"


@dataclass
class Validation:
    failing: set[int]  # row keys GX found unexpected
    per_rule: dict[str, dict]  # rule id -> {evaluated, unexpected, success}
    success: bool
    docs_index: str | None


def _quiet() -> None:
    os.environ.setdefault("GX_ANALYTICS_ENABLED", "False")
    os.environ.setdefault("TQDM_DISABLE", "1")
    for name in ("great_expectations", "great_expectations.core", "great_expectations.data_context"):
        logging.getLogger(name).setLevel(logging.ERROR)
    warnings.filterwarnings("ignore", module="great_expectations")
    warnings.filterwarnings("ignore", category=DeprecationWarning)
    warnings.filterwarnings("ignore", category=FutureWarning)


def expectation_for(rule: Rule):
    import great_expectations.expectations as gxe

    return gxe.ExpectColumnValuesToBeBetween(
        column="metric",
        min_value=rule.min,
        max_value=rule.max,
        row_condition=f'rule_id=="{rule.id}"',
        condition_parser="pandas",
        meta={
            "rule_id": rule.id,
            "severity": rule.severity,
            "scope": rule.scope,
            "title_zh": rule.title_zh,
            "explain_en": rule.explain_en,
            "basis": rule.basis,
        },
        description=f"{rule.id} — {rule.title_zh}: {rule.explain_en}",
    )


def build_suite(context, selected: list[Rule]):
    import great_expectations as gx

    suite = gx.ExpectationSuite(name=SUITE_NAME)
    for r in selected:
        suite.add_expectation(expectation_for(r))
    return context.suites.add(suite)


def warm() -> None:
    """Import GX and build the suite of every rule, and the one of the rule across units, validated
    on its own at the end (the warm worker's initializer, gxworker.py)."""
    _context(tuple(r.id for r in rules()), None)
    across = tuple(r.id for r in rules() if r.family == "copy_units")
    if across:
        _context(across, None)


_CONTEXTS: dict[tuple, tuple] = {}  # (rule ids, data docs folder) -> (context, batch definition, suite, checkpoint)


def _context(rule_ids: tuple[str, ...], data_docs: str | None) -> tuple:
    """A GX context with the suite of these rules, built once per process and reused by every chunk.

    With data docs a context is built per validation, as GX's in-memory store of a context would
    otherwise keep every chunk's results (and the site's index lists the context's results)."""
    key = (rule_ids, data_docs)
    if key in _CONTEXTS:
        return _CONTEXTS[key]
    _quiet()
    import great_expectations as gx

    try:  # progress bars off for this context
        from great_expectations.data_context.types.base import ProgressBarsConfig
    except ImportError:  # pragma: no cover - older GX
        ProgressBarsConfig = None

    context = gx.get_context(mode="ephemeral")
    if ProgressBarsConfig is not None:
        try:
            context.variables.progress_bars = ProgressBarsConfig(globally=False)
        except Exception:
            pass
    selected = [r for r in rules() if r.id in set(rule_ids)]
    source = context.data_sources.add_pandas("nianbao")
    asset = source.add_dataframe_asset("rule_evaluations")
    batch_def = asset.add_batch_definition_whole_dataframe("all_reports")
    suite = build_suite(context, selected)
    checkpoint = None
    if data_docs:
        docs_dir = Path(data_docs)
        docs_dir.mkdir(parents=True, exist_ok=True)
        context.add_data_docs_site(
            site_name="nianbao",
            site_config={
                "class_name": "SiteBuilder",
                "store_backend": {"class_name": "TupleFilesystemStoreBackend", "base_directory": str(docs_dir)},
                "site_index_builder": {"class_name": "DefaultSiteIndexBuilder"},
            },
        )
        vd = context.validation_definitions.add(gx.ValidationDefinition(name="nianbao", data=batch_def, suite=suite))
        checkpoint = context.checkpoints.add(
            gx.Checkpoint(
                name="nianbao_checkpoint",
                validation_definitions=[vd],
                actions=[gx.checkpoint.UpdateDataDocsAction(name="data_docs", site_names=["nianbao"])],
                result_format=RESULT_FORMAT,
            )
        )
    if checkpoint is None:
        _CONTEXTS[key] = (context, batch_def, suite, checkpoint)
    return context, batch_def, suite, checkpoint


RESULT_FORMAT = {
    "result_format": "COMPLETE",
    "unexpected_index_column_names": ["row_key"],
    "return_unexpected_index_query": False,
    "partial_unexpected_count": 20,
}


_KEPT: dict[str, pd.DataFrame] = {}  # the last frame validated with rules in it, for docs_of_kept()


def validate_here(frame: pd.DataFrame, data_docs: str | Path | None = None, keep: str | None = None) -> Validation:
    """Validate the assessed evaluation rows (columns row_key, rule_id, metric) in this process.
    `keep`: a token naming the checking run; the frame, if it has rows, is remembered under it for
    the Data Docs built once at the end (docs_of_kept)."""
    present = set(frame["rule_id"].unique()) if len(frame) else set()
    selected = [r for r in rules() if r.id in present]
    per_rule = {r.id: {"evaluated": 0, "unexpected": 0, "success": True} for r in rules()}
    if not selected:
        return Validation(set(), per_rule, True, None)
    if keep:
        _KEPT.clear()  # one run's at a time
        _KEPT[keep] = frame
    data = frame[["row_key", "rule_id", "metric"]].copy()
    data["rule_id"] = data["rule_id"].astype(object)
    docs = str(data_docs) if data_docs else None
    _context_, batch_def, suite, checkpoint = _context(tuple(r.id for r in selected), docs)
    docs_index = None
    if checkpoint is not None:
        run = checkpoint.run(batch_parameters={"dataframe": data})
        vresult = list(run.run_results.values())[0]
        from .offline_docs import make_offline

        make_offline(Path(docs))  # no CDN: the office's machine has no network
        docs_index = str(Path(docs) / "index.html")
    else:
        batch = batch_def.get_batch(batch_parameters={"dataframe": data})
        vresult = batch.validate(suite, result_format=RESULT_FORMAT)
    failing: set[int] = set()
    counts = data["rule_id"].value_counts().to_dict()
    for res in vresult.results:
        rid = res.expectation_config.meta["rule_id"]
        idx = res.result.get("unexpected_index_list") or []
        keys = {int(d["row_key"]) for d in idx}
        failing |= keys
        per_rule[rid] = {"evaluated": int(counts.get(rid, 0)), "unexpected": len(keys), "success": bool(res.success)}
    return Validation(failing, per_rule, bool(vresult.success), docs_index)


def docs_of_kept(data_docs: str | Path, keep: str) -> str | None:
    """The Data Docs of the last frame kept by validate_here(keep=`keep`), built now; its index page
    (None when no frame of that run had rows). Every validation with docs rebuilds the site with its own result
    only, so the site of a run validated chunk by chunk is the last chunk's: built once, from that
    chunk's frame, it is the same site without a rebuild for every chunk."""
    frame = _KEPT.pop(keep, None)
    if frame is None:
        return None
    return validate_here(frame, data_docs).docs_index


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
