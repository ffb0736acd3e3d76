"""The report pages and the office workbook, from the checked candidate warehouse (read-only), into
the run's staging folder; the `warehouse` step publishes them with the warehouse as one set.

One step materialises both assets: the workbook is written by a separate, freshly started process
(it streams the warehouse into the file, so it stays small) while the pages are rendered from here:
this process loads one year at a time and forks two workers that render that year's changed pages
(they share the year's data copy-on-write and read their reports themselves) while it loads the
next. All of them read the same file, read-only, each with a memory limit. Plain functions of
`pipeline.reports` do the work.
"""

import multiprocessing as mp
import sys

import dagster as dg

from ..faults import maybe_die
from ..reports import render_all, write_workbook
from ..reports.workbook import workbook_process
from .resources import NianbaoResource


@dg.multi_asset(
    specs=[
        dg.AssetSpec(
            "report_pages",
            group_name="report",
            deps=["findings"],
            description="HTML pages (index; league and banners per year and hierarchy; one per unit "
            "and year), rendered incrementally from the checked candidate into the run's staging folder, published with it "
            "as <out>/pages.",
        ),
        dg.AssetSpec(
            "office_workbook",
            group_name="report",
            deps=["findings"],
            description="The office workbook <out>/nianbao.xlsx: summary, league table, findings "
            "(FAIL and UNCERTAIN; the rest counted per rule), missing units, every cell of "
            "every active report.",
        ),
    ],
)
def reports(context: dg.AssetExecutionContext, nianbao: NianbaoResource):
    s = nianbao.settings
    cand = nianbao.candidate_path(context.run_id)
    # materialised on their own (from the UI): from the published warehouse, and published at once
    # with it (the same build), since no warehouse step follows
    alone = not cand.exists()
    source = s.db if alone else cand
    stage = nianbao.staging(context.run_id)
    pages_dir, workbook = stage / "pages", stage / "nianbao.xlsx"
    child = None
    if sys.platform.startswith("linux"):
        # a fresh, small interpreter (not a fork of this large one): the workbook needs only DuckDB
        # and XlsxWriter
        ctx = mp.get_context("spawn")
        parent_conn, child_conn = ctx.Pipe()
        child = ctx.Process(target=workbook_process, args=(str(source), str(workbook), child_conn), daemon=True)
        child.start()
        child_conn.close()
        context.log.info(f"writing the workbook {s.workbook} (in parallel)")
    context.log.info("rendering pages from the checked warehouse")
    pages = render_all(source, pages_dir, progress=context.log.info)
    maybe_die("render")
    context.log.info(
        f"pages: {pages['written']} written, {pages['unchanged']} unchanged, {pages['removed']} removed "
        f"in {pages['seconds']} s ({pages['workers']} workers)"
    )
    if child is not None:
        try:
            status, wb = parent_conn.recv()
        except EOFError:
            status, wb = "error", "the workbook process ended without a result"
        child.join()
        if status != "ok":
            raise RuntimeError(f"the workbook could not be written: {wb}")
    else:
        context.log.info(f"writing the workbook {s.workbook}")
        wb = write_workbook(source, workbook)
    if alone:
        from ..publish import publish_views

        publish_views(s.out, stage, s.db)
    context.log.info(
        f"workbook: {wb['reports']} reports, {wb['findings']} findings listed (FAIL and UNCERTAIN; "
        f"{wb['not_assessable']} NOT_ASSESSABLE counted per rule), {wb['missing']} missing in {wb['seconds']} s"
    )
    for title, names in (wb.get("continued") or {}).items():
        # rows past Excel's limit are not lost but go on in further sheets: the run's log says so
        context.log.warning(f"workbook: {title} past Excel's row limit, written on {', '.join(names)}")
    yield dg.MaterializeResult(
        asset_key="report_pages",
        metadata={
            "index": dg.MetadataValue.path(str(s.pages / "index.html")),
            "pages_dir": dg.MetadataValue.path(str(s.pages)),
            "pages": pages["pages"],
            "written": pages["written"],
            "unchanged": pages["unchanged"],
            "removed": pages["removed"],
            "seconds": pages["seconds"],
            "workers": pages["workers"],
        },
    )
    yield dg.MaterializeResult(
        asset_key="office_workbook",
        metadata={
            "path": dg.MetadataValue.path(str(s.workbook)),
            "sheets": ", ".join(wb["sheets"]),
            "reports": wb["reports"],
            "findings": wb["findings"],
            "not_assessable": wb["not_assessable"],
            "missing": wb["missing"],
            "seconds": wb["seconds"],
        },
    )


REPORT_ASSETS = [reports]
