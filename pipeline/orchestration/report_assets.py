"""The report pages and the office workbook, from the published warehouse (read-only).

Both depend on the published `warehouse` asset and call the plain functions of `pipeline.reports`.
"""


import dagster as dg

from ..reports import render_all, write_workbook
from .resources import NianbaoResource


@dg.asset(
    group_name="report", deps=["warehouse"],
    description="HTML pages (index; league and banners per year and hierarchy; one per unit and year), "
                "rendered incrementally into <out>/pages from the published warehouse.",
)
def report_pages(context: dg.AssetExecutionContext, nianbao: NianbaoResource) -> dg.MaterializeResult:
    s = nianbao.settings()
    nianbao.say(f"rendering pages from {s.db}")
    res = render_all(s.db, s.pages, progress=nianbao.say)
    nianbao.say(f"pages: {res['written']} written, {res['unchanged']} unchanged, {res['removed']} removed "
                f"in {res['seconds']} s")
    return dg.MaterializeResult(metadata={
        "index": dg.MetadataValue.path(res["index"]), "pages_dir": dg.MetadataValue.path(str(s.pages)),
        "pages": res["pages"], "written": res["written"], "unchanged": res["unchanged"],
        "removed": res["removed"], "seconds": res["seconds"],
    })


@dg.asset(
    group_name="report", deps=["warehouse"],
    description="The office workbook <out>/nianbao.xlsx: summary, league table, findings, missing units, "
                "every cell of every active report.",
)
def office_workbook(context: dg.AssetExecutionContext, nianbao: NianbaoResource) -> dg.MaterializeResult:
    s = nianbao.settings()
    nianbao.say(f"writing the workbook {s.workbook}")
    res = write_workbook(s.db, s.workbook)
    nianbao.say(f"workbook: {res['reports']} reports, {res['findings']} findings, {res['missing']} missing "
                f"in {res['seconds']} s")
    return dg.MaterializeResult(metadata={
        "path": dg.MetadataValue.path(res["path"]), "sheets": ", ".join(res["sheets"]),
        "reports": res["reports"], "findings": res["findings"], "missing": res["missing"],
        "seconds": res["seconds"],
    })


REPORT_ASSETS = [report_pages, office_workbook]
