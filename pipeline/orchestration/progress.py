"""What a run reports, through Dagster's logging: the `nianbao` logger.

Assets say what they do with `context.log.info(...)`; this logger prints those messages as the
short progress lines of `nianbao run` (`  [  12.3s] reading 128 files for 2022-2024`, on stderr;
`--quiet` turns them off) and leaves Dagster's own events to the run's event log. From the same
stream it takes the stage timings: a step's seconds are the time between the STEP_START and
STEP_SUCCESS events Dagster logs for it, the pages' and the workbook's are the `seconds` their
materializations carry. Each is appended as it happens to `<out>/state/timings.jsonl`, one JSON
object a line ({"run_id", "stage", "seconds", "cpu_seconds", ...}), which `nianbao run`'s benchmarks
read. A step's `cpu_seconds` are those of the run's process and of the children it waited for
during the step (its reading workers, say); on a shared machine they say what the step costs
whatever else runs.
"""

import json
import logging
import resource
import sys
from pathlib import Path

import dagster as dg

# step (asset) -> stage name in timings.jsonl
STAGES = {
    "inbox_manifest": "scan",
    "report_reads": "read",
    "review_decisions": "review",
    "warehouse_candidate": "warehouse",
    "findings": "checks",
    "reports": "reports",
    "warehouse": "publish",
    "review_notices": "notices",
}
# materialized asset -> stage name, timed by the asset's own `seconds` (two assets of one step)
PART_STAGES = {"report_pages": ("pages", ("written",)), "office_workbook": ("workbook", ())}


class ProgressHandler(logging.Handler):
    """Progress lines for a person, and stage timings from the step events."""

    def __init__(self, progress: bool, timings: Path | None, stream=None):
        super().__init__(logging.DEBUG)
        self.progress, self.timings, self.stream = progress, timings, stream
        self.t0: float | None = None
        self.started: dict[str, tuple[float, float]] = {}

    def emit(self, record: logging.LogRecord) -> None:
        try:
            meta = getattr(record, "dagster_meta", None) or {}
            event = meta.get("dagster_event")
            if self.t0 is None:
                self.t0 = record.created
            if event is None:
                if self.progress and record.levelno >= logging.INFO:
                    stream = self.stream or sys.stderr
                    stream.write(
                        f"  [{record.created - self.t0:6.1f}s] {meta.get('orig_message', record.getMessage())}\n"
                    )
                    stream.flush()
                return
            self._timing(meta.get("run_id") or "", event, record.created)
        except Exception:  # noqa: BLE001 - a progress line or timing must never fail a run, nor print a traceback
            pass

    def _timing(self, run_id: str, event, when: float) -> None:
        kind, step = event.event_type_value, event.step_key
        if kind == "STEP_START" and step in STAGES:
            self.started[step] = (when, _cpu())
        elif kind == "STEP_SUCCESS" and step in self.started:
            t0, cpu0 = self.started.pop(step)
            self._write(run_id, STAGES[step], when - t0, {"cpu_seconds": round(_cpu() - cpu0, 3)})
        elif kind == "ASSET_MATERIALIZATION":
            mat = event.event_specific_data.materialization
            part = PART_STAGES.get(mat.asset_key.to_user_string())
            if part is None or "seconds" not in mat.metadata:
                return
            stage, extra = part
            self._write(
                run_id,
                stage,
                mat.metadata["seconds"].value,
                {k: mat.metadata[k].value for k in extra if k in mat.metadata},
            )

    def _write(self, run_id: str, stage: str, seconds: float, extra: dict) -> None:
        if self.timings is None:
            return
        self.timings.parent.mkdir(parents=True, exist_ok=True)
        with self.timings.open("a", encoding="utf-8") as f:
            f.write(json.dumps({"run_id": run_id, "stage": stage, "seconds": round(seconds, 3), **extra}) + "\n")


def _cpu() -> float:
    """CPU seconds of this process and of its children that were waited for."""
    me, kids = resource.getrusage(resource.RUSAGE_SELF), resource.getrusage(resource.RUSAGE_CHILDREN)
    return me.ru_utime + me.ru_stime + kids.ru_utime + kids.ru_stime


@dg.logger(
    config_schema={
        "progress": dg.Field(bool, default_value=True, description="print the progress lines on stderr"),
        "timings": dg.Field(
            str, default_value="", description="stage timings file (default <NIANBAO_OUT>/state/timings.jsonl)"
        ),
    },
    description="nianbao's progress lines, and the stage timings taken from the step events.",
)
def nianbao_logger(init_context: dg.InitLoggerContext) -> logging.Logger:
    from ..settings import from_env

    cfg = init_context.logger_config
    timings = Path(cfg["timings"]) if cfg["timings"] else from_env().state / "timings.jsonl"
    log = logging.Logger("nianbao", level=logging.DEBUG)
    log.addHandler(ProgressHandler(cfg["progress"], timings))
    return log
