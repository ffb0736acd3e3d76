"""Assets: inbox manifest -> reads (per report year) -> warehouse candidate -> findings -> published
warehouse -> pages and workbook. Each asset calls plain functions and passes files, not data, so
the same definitions run in process, in several processes, or on a cluster executor."""

import json
from collections import Counter
from pathlib import Path

import dagster as dg

from ..inbox import InboxFile, scan
from ..readcache import ReadCache, read_files
from ..settings import FIRST_YEAR
from .resources import NianbaoResource

YEARS = dg.TimeWindowPartitionsDefinition(
    cron_schedule="0 0 1 1 *",
    fmt="%Y",
    start=str(FIRST_YEAR),
    end_offset=0,
)
WRITER_POOL = "nianbao_duckdb_writer"


def manifest_path(res: NianbaoResource) -> Path:
    return res.settings.state / "inbox.json"


def load_inbox(res: NianbaoResource) -> list[InboxFile]:
    p = manifest_path(res)
    if not p.exists():
        return []
    try:
        return [InboxFile(**row) for row in json.loads(p.read_text(encoding="utf-8"))]
    except (ValueError, TypeError):  # a state file from another version: scan afresh
        return []


def partition_of(year_hint: int | None, keys: list[str]) -> str:
    """The yearly partition that reads a file: its year hint, clamped to the partitions that exist;
    files whose year cannot be guessed before reading go to the latest year."""
    years = [int(k) for k in keys]
    if year_hint is None:
        return str(max(years))
    return str(min(max(year_hint, min(years)), max(years)))


@dg.asset(group_name="ingest", description="Every file in the inbox with its hash, size, kind and year hint.")
def inbox_manifest(context: dg.AssetExecutionContext, nianbao: NianbaoResource) -> dg.MaterializeResult:
    s = nianbao.settings
    s.state.mkdir(parents=True, exist_ok=True)
    context.log.info(f"scanning the inbox {s.inbox}")
    files = scan(s.inbox, previous=load_inbox(nianbao))
    tmp = manifest_path(nianbao).with_suffix(".tmp")
    # ASCII JSON: a file name that is not UTF-8 is kept (as escapes) so the file can be opened by its real name
    tmp.write_text(json.dumps([f.as_row() for f in files], ensure_ascii=True), encoding="utf-8")
    tmp.replace(manifest_path(nianbao))
    kinds = Counter(f.kind or "unreadable" for f in files)
    hints = Counter(str(f.year_hint) for f in files)
    context.log.info(f"{len(files)} files: " + ", ".join(f"{n} {k}" for k, n in sorted(kinds.items())))
    return dg.MaterializeResult(
        metadata={
            "files": len(files),
            "kinds": dict(kinds),
            "year_hints": dict(hints),
            "unreadable_at_sight": sum(1 for f in files if f.error),
            "inbox": str(s.inbox),
        }
    )


@dg.asset(
    group_name="ingest",
    partitions_def=YEARS,
    deps=[inbox_manifest],
    backfill_policy=dg.BackfillPolicy.single_run(),
    description="Reports read into the read cache, by report year; unchanged files are not read again.",
)
def report_reads(context: dg.AssetExecutionContext, nianbao: NianbaoResource) -> dg.MaterializeResult:
    s = nianbao.settings
    keys = context.partition_keys
    all_keys = YEARS.get_partition_keys()
    files = [f for f in load_inbox(nianbao) if not f.error and partition_of(f.year_hint, all_keys) in keys]
    label = keys[0] if len(keys) == 1 else f"{keys[0]}-{keys[-1]}"
    context.log.info(f"reading {len(files)} files for {label}")

    shown = [0]

    def progress(done: int, total: int) -> None:
        # every 5 % (a line is an event Dagster writes and commits to its storage: not one a chunk)
        if done == total or done * 20 // total > shown[0]:
            shown[0] = done * 20 // total
            context.log.info(f"  read {done}/{total}")

    stats = read_files(files, ReadCache(s.state), label, workers=s.workers, progress=progress)
    context.log.info(
        f"read {stats['read']} new or changed files in {stats['seconds']} s ({stats['cached']} already in the cache)"
    )
    return dg.MaterializeResult(
        metadata={**{k: v for k, v in stats.items() if v is not None}, "files_in_partitions": len(files)}
    )
