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
        column="metric", min_value=rule.min, max_value=rule.max,
        row_condition=f'rule_id=="{rule.id}"', condition_parser="pandas",
        meta={"rule_id": rule.id, "severity": rule.severity, "scope": rule.scope, "title_zh": rule.title_zh,
              "explain_en": rule.explain_en, "basis": rule.basis},
        description=f"{rule.id} — {rule.title_zh}: {rule.explain_en}",
    )


def build_suite(context, selected: list[Rule]):
    import great_expectations as gx

    suite = gx.ExpectationSuite(name=SUITE_NAME)
    for r in selected:
        suite.add_expectation(expectation_for(r))
    return context.suites.add(suite)


def validate(frame: pd.DataFrame, data_docs: str | Path | None = None) -> Validation:
    """Validate the assessed evaluation rows (columns row_key, rule_id, metric)."""
    from . import gxworker

    frame = frame[["row_key", "rule_id", "metric"]]
    result = gxworker.validate(frame, data_docs)
    if result is not None:
        return result
    return validate_here(frame, data_docs)


def validate_here(frame: pd.DataFrame, data_docs: str | Path | None = None) -> Validation:
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
    present = set(frame["rule_id"].unique()) if len(frame) else set()
    selected = [r for r in rules() if r.id in present]
    per_rule = {r.id: {"evaluated": 0, "unexpected": 0, "success": True} for r in rules()}
    if not selected:
        return Validation(set(), per_rule, True, None)
    data = frame[["row_key", "rule_id", "metric"]].copy()
    data["rule_id"] = data["rule_id"].astype(object)
    source = context.data_sources.add_pandas("nianbao")
    asset = source.add_dataframe_asset("rule_evaluations")
    batch_def = asset.add_batch_definition_whole_dataframe("all_reports")
    suite = build_suite(context, selected)
    result_format = {"result_format": "COMPLETE", "unexpected_index_column_names": ["row_key"],
                     "return_unexpected_index_query": False, "partial_unexpected_count": 20}
    docs_index = None
    if data_docs:
        docs_dir = Path(data_docs)
        docs_dir.mkdir(parents=True, exist_ok=True)
        context.add_data_docs_site(site_name="nianbao", site_config={
            "class_name": "SiteBuilder",
            "store_backend": {"class_name": "TupleFilesystemStoreBackend", "base_directory": str(docs_dir)},
            "site_index_builder": {"class_name": "DefaultSiteIndexBuilder"},
        })
        vd = context.validation_definitions.add(gx.ValidationDefinition(name="nianbao", data=batch_def, suite=suite))
        cp = context.checkpoints.add(gx.Checkpoint(
            name="nianbao_checkpoint", validation_definitions=[vd],
            actions=[gx.checkpoint.UpdateDataDocsAction(name="data_docs", site_names=["nianbao"])],
            result_format=result_format))
        run = cp.run(batch_parameters={"dataframe": data})
        vresult = list(run.run_results.values())[0]
        from .offline_docs import make_offline

        make_offline(docs_dir)  # no CDN: the office's machine has no network
        docs_index = str(docs_dir / "index.html")
    else:
        batch = batch_def.get_batch(batch_parameters={"dataframe": data})
        vresult = batch.validate(suite, result_format=result_format)
    failing: set[int] = set()
    counts = data["rule_id"].value_counts().to_dict()
    for res in vresult.results:
        rid = res.expectation_config.meta["rule_id"]
        idx = res.result.get("unexpected_index_list") or []
        keys = {int(d["row_key"]) for d in idx}
        failing |= keys
        per_rule[rid] = {"evaluated": int(counts.get(rid, 0)), "unexpected": len(keys), "success": bool(res.success)}
    return Validation(failing, per_rule, bool(vresult.success), docs_index)
