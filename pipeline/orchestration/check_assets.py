"""Findings: the rule catalogue run with Great Expectations on the candidate warehouse.

Findings about the reports never block a run: their asset checks are warnings that summarise them.
Only the pipeline's own invariants (warehouse_assets.py) block publishing.
"""

import time

import dagster as dg

from ..warehouse import connect
from .assets import WRITER_POOL
from .resources import NianbaoResource
from .warehouse_assets import warehouse_candidate

FAMILIES = {
    "arithmetic": ("t3_balance", "t3_outcomes_sum", "t3_row_total", "t3_org_subtotal", "t4_group_total",
                   "counts_nonnegative", "counts_whole", "fees_nonnegative", "cells_filled"),
    "capacity_and_structure": ("rules_capacity", "structure_sections", "structure_tables", "structure_format"),
    "identity_and_time": ("identity_year", "identity_period", "timeliness"),
    "across_years": ("carryover", "t2_in_force_continuity", "jump_fivefold"),
    "text_against_tables": ("text_vs_table", "fees_mentioned", "problems_section_substance"),
    "copying": ("copy_previous_year", "copy_across_units"),
}


@dg.asset(
    group_name="checks", deps=[warehouse_candidate], pool=WRITER_POOL,
    check_specs=[dg.AssetCheckSpec(name=f"no_failing_{k}", asset="findings", blocking=False,
                                   description=f"Reports without FAIL findings of the {k.replace('_', ' ')} rules")
                 for k in FAMILIES],
    description="Every rule of expectations/rules.toml on every active report, validated with Great "
                "Expectations; written to the findings table of the candidate warehouse, Data Docs in the run folder.",
)
def findings(context: dg.AssetExecutionContext, nianbao: NianbaoResource):
    _t0 = time.perf_counter()
    from ..checks.batch import from_warehouse
    from ..checks.findings import run_checks, write_findings

    s = nianbao.settings()
    cand = nianbao.candidate_path(context.run_id)
    nianbao.say("checking the reports (Great Expectations)")
    con = connect(cand)
    try:
        batch = from_warehouse(con)
        table, validation = run_checks(batch, township_deadline=s.deadline, data_docs=s.data_docs)
        write_findings(con, table)
        con.execute("CHECKPOINT")
    finally:
        con.close()
    counts = table["status"].value_counts().to_dict() if len(table) else {}
    nianbao.say(f"{len(batch.reports)} reports checked: " + ", ".join(f"{v} {k}" for k, v in sorted(counts.items())))
    nianbao.record(context.run_id, "checks", time.perf_counter() - _t0)
    yield dg.MaterializeResult(metadata={
        "reports": len(batch.reports), **{f"status_{k.lower()}": int(v) for k, v in counts.items()},
        "data_docs": dg.MetadataValue.path(validation.docs_index or ""),
    })
    for name, rule_ids in FAMILIES.items():
        sub = table[table["rule_id"].isin(rule_ids)] if len(table) else table
        fails = sub[sub["status"] == "FAIL"] if len(sub) else sub
        by_rule = fails["rule_id"].value_counts().to_dict() if len(fails) else {}
        yield dg.AssetCheckResult(
            check_name=f"no_failing_{name}", passed=len(fails) == 0, severity=dg.AssetCheckSeverity.WARN,
            metadata={"failing_findings": len(fails),
                      "reports_with_failures": int(fails["report_id"].nunique()) if len(fails) else 0,
                      **{f"fail_{k}": int(v) for k, v in by_rule.items()}},
        )
