"""The warehouse: built into a new file, checked by blocking invariants, published by atomic rename."""

import dagster as dg

from .. import warehouse
from ..faults import maybe_die
from ..publish import publish_set
from ..readcache import ReadCache
from ..registry import load_registry
from .assets import WRITER_POOL, load_inbox, report_reads
from .resources import NianbaoResource


@dg.asset(
    group_name="warehouse",
    deps=[report_reads, "review_decisions"],
    pool=WRITER_POOL,
    description="A new DuckDB file built from the manifest, the read cache, the registry (sql/) and the "
    "office's review decisions.",
)
def warehouse_candidate(context: dg.AssetExecutionContext, nianbao: NianbaoResource) -> dg.MaterializeResult:
    s = nianbao.settings
    files = load_inbox(nianbao)
    cand = nianbao.candidate_path(context.run_id)
    context.log.info("building the warehouse")
    registry = load_registry(s.registry) if s.registry else load_registry()
    from .review_assets import load_decisions

    res = warehouse.build(
        cand,
        files,
        ReadCache(s.state),
        registry,
        s.state,
        inbox_label=str(s.inbox),
        deadline=s.deadline,
        decisions=load_decisions(nianbao),
        fault=maybe_die,
    )
    context.log.info(
        f"warehouse: {res.active} active reports, {res.set_aside} files set aside, "
        f"{res.duplicates} duplicates, {res.superseded} superseded"
    )
    return dg.MaterializeResult(
        metadata={
            "candidate": str(cand),
            "files": res.files,
            "reports": res.reports,
            "active": res.active,
            "set_aside": res.set_aside,
            "duplicates": res.duplicates,
            "superseded": res.superseded,
        }
    )


def _invariant(name: str, description: str):
    @dg.asset_check(asset=warehouse_candidate, name=name, blocking=True, description=description)
    def _check(context: dg.AssetCheckExecutionContext, nianbao: NianbaoResource) -> dg.AssetCheckResult:
        cand = nianbao.candidate_path(context.run.run_id)
        n_files = len(load_inbox(nianbao))
        for key, ok, detail in warehouse.invariants(cand, n_files):
            if key == name:
                if not ok:
                    context.log.info(f"BLOCKED: {name}: {detail}")
                return dg.AssetCheckResult(passed=ok, metadata={"detail": detail}, severity=dg.AssetCheckSeverity.ERROR)
        return dg.AssetCheckResult(passed=False, metadata={"detail": "invariant not evaluated"})

    return _check


invariant_checks = [
    _invariant(
        "every_inbox_file_accounted_for", "Every file of the inbox is in the manifest, read or set aside with a reason."
    ),
    _invariant("one_active_report_per_unit_year", "At most one active report per unit and year."),
    _invariant("two_hundred_cells_per_report", "Every report has exactly the 200 cells of the 2021 format."),
]


def published_asset(upstream: list):
    @dg.asset(
        name="warehouse",
        group_name="warehouse",
        deps=upstream,
        pool=WRITER_POOL,
        description="The published DuckDB file analysts open, with the pages, workbook and Data Docs of the "
        "same build: switched to by one atomic rename only after the invariants pass and all are written.",
    )
    def _warehouse(context: dg.AssetExecutionContext, nianbao: NianbaoResource) -> dg.MaterializeResult:
        s = nianbao.settings
        cand = nianbao.candidate_path(context.run_id)
        publish_set(s.out, nianbao.staging(context.run_id), cand, s.db)
        context.log.info(f"published {s.db} with the pages, workbook and Data Docs of the same build")
        return dg.MaterializeResult(metadata={"path": dg.MetadataValue.path(str(s.db))})

    return _warehouse
