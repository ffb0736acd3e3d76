"""Findings: the rule catalogue run with Great Expectations on the candidate warehouse.

Findings about the reports never block a run: their asset checks are warnings that summarise them.
Only the pipeline's own invariants (warehouse_assets.py) block publishing.
"""

import dagster as dg

from ..faults import maybe_die
from .assets import WRITER_POOL
from .resources import NianbaoResource
from .warehouse_assets import warehouse_candidate

# Asset checks summarise the findings by group of rule families (the rules themselves live only in
# expectations/rules.toml).
GROUPS = {
    "arithmetic": ("identity", "bounds_nonnegative", "bounds_whole", "bounds_fees", "bounds_blank"),
    "capacity_and_structure": ("capacity", "structure_section", "structure_table", "structure_format"),
    "identity_and_time": ("identity_year", "identity_period", "timeliness"),
    "across_years": ("carryover", "continuity", "jump"),
    "text_against_tables": ("statement", "fees_mentioned", "problems_section"),
    "copying": ("copy_previous", "copy_units"),
}


def _rules_of(group: str) -> set[str]:
    from ..checks.catalogue import rules

    return {r.id for r in rules() if r.family in GROUPS[group]}


@dg.asset(
    group_name="checks",
    deps=[warehouse_candidate],
    pool=WRITER_POOL,
    check_specs=[
        dg.AssetCheckSpec(
            name=f"no_failing_{k}",
            asset="findings",
            blocking=False,
            description=f"Reports without FAIL findings of the {k.replace('_', ' ')} rules",
        )
        for k in GROUPS
    ],
    description="Every rule of expectations/rules.toml on every active report, validated with Great "
    "Expectations; written to the findings table of the candidate warehouse, Data Docs in the run folder.",
)
def findings(context: dg.AssetExecutionContext, nianbao: NianbaoResource):
    from ..checks.findings import check_warehouse

    s = nianbao.settings
    cand = nianbao.candidate_path(context.run_id)
    context.log.info("checking the reports (Great Expectations)")
    from ..checks import gxworker

    # chunk by chunk here, each chunk validated in the warm GX worker when there is one
    docs = nianbao.staging(context.run_id) / "data_docs"  # published with the warehouse
    res = check_warehouse(cand, s.deadline, docs, s.db)
    maybe_die("checks")
    gxworker.stop()  # its memory is better spent on the pages and the workbook
    counts, validation = res["counts"], res["validation"]
    table = res["fails"]
    table["status"] = "FAIL"
    if res["reused_units"]:
        context.log.info(
            f"findings of {res['reused_units']} unchanged units kept; {res['checked_reports']} reports checked again"
        )
    context.log.info(f"{res['reports']} reports checked: " + ", ".join(f"{v} {k}" for k, v in sorted(counts.items())))
    if res.get("decisions"):
        context.log.info("review decisions: " + ", ".join(f"{v} {k}" for k, v in sorted(res["decisions"].items())))
    yield dg.MaterializeResult(
        metadata={
            "reports": res["reports"],
            **{f"status_{k.lower()}": int(v) for k, v in counts.items()},
            "data_docs": dg.MetadataValue.path(validation.docs_index or ""),
        }
    )
    for name in GROUPS:
        rule_ids = _rules_of(name)
        sub = table[table["rule_id"].isin(rule_ids)] if len(table) else table
        fails = sub[sub["status"] == "FAIL"] if len(sub) else sub
        by_rule = fails["rule_id"].value_counts().to_dict() if len(fails) else {}
        yield dg.AssetCheckResult(
            check_name=f"no_failing_{name}",
            passed=len(fails) == 0,
            severity=dg.AssetCheckSeverity.WARN,
            metadata={
                "failing_findings": len(fails),
                "reports_with_failures": int(fails["report_id"].nunique()) if len(fails) else 0,
                **{f"fail_{k}": int(v) for k, v in by_rule.items()},
            },
        )
