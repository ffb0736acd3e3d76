"""The Dagster code location of nianbao (`dagster dev -m pipeline.definitions`, `dg check defs`)."""

import dagster as dg

from .orchestration.assets import YEARS, inbox_manifest, report_reads
from .orchestration.automation import JOB_NAME, inbox_sensor, yearly_schedule
from .orchestration.check_assets import findings
from .orchestration.progress import nianbao_logger
from .orchestration.report_assets import REPORT_ASSETS
from .orchestration.resources import NianbaoResource
from .orchestration.review_assets import review_decisions, review_notices
from .orchestration.warehouse_assets import invariant_checks, published_asset, warehouse_candidate

warehouse = published_asset([warehouse_candidate, findings, "report_pages", "office_workbook"])

ALL_ASSETS = [
    inbox_manifest,
    report_reads,
    review_decisions,
    warehouse_candidate,
    findings,
    warehouse,
    *REPORT_ASSETS,
    review_notices,
]
ALL_CHECKS = [*invariant_checks]

nianbao_job = dg.define_asset_job(
    JOB_NAME,
    selection=dg.AssetSelection.all(),
    partitions_def=YEARS,
    description="Read the inbox, build, check and publish the warehouse, render the reports.",
)

# unset fields: the NIANBAO_* variables of the process the code location loads in
nianbao = NianbaoResource()

defs = dg.Definitions(
    assets=ALL_ASSETS,
    asset_checks=ALL_CHECKS,
    jobs=[nianbao_job],
    schedules=[yearly_schedule(nianbao_job, nianbao.settings.schedule)],  # the cron is needed to define it
    sensors=[inbox_sensor(nianbao_job)],
    resources={"nianbao": nianbao},
    loggers={"nianbao": nianbao_logger},  # progress lines and stage timings (orchestration/progress.py)
)
