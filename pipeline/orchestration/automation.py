"""When runs start: once a year on a schedule, and whenever files are added to or changed in the inbox."""

import hashlib
import json
from datetime import datetime

import dagster as dg

from ..inbox import inspect
from ..settings import from_env
from .assets import YEARS, partition_of

JOB_NAME = "nianbao_job"


def yearly_schedule(job, cron: str):
    @dg.schedule(
        job=job,
        cron_schedule=cron,
        name="yearly_reports",
        default_status=dg.DefaultScheduleStatus.STOPPED,
        description="Every year (default 1 February) read, check and publish the reports of the year before.",
    )
    def _schedule(context: dg.ScheduleEvaluationContext):
        when = context.scheduled_execution_time or datetime.now()
        year = str(when.year - 1)
        if year not in YEARS.get_partition_keys():
            return dg.SkipReason(f"no partition for {year}")
        return dg.RunRequest(run_key=f"yearly-{year}", partition_key=year)

    return _schedule


def inbox_sensor(job):
    @dg.sensor(
        job=job,
        name="inbox_changes",
        minimum_interval_seconds=60,
        default_status=dg.DefaultSensorStatus.STOPPED,
        description="Starts a run for the years concerned when files are added to or changed in the inbox.",
    )
    def _sensor(context: dg.SensorEvaluationContext):
        inbox = from_env().inbox
        if not inbox.is_dir():
            return dg.SkipReason(f"inbox {inbox} is not a folder")
        state = {}
        for p in sorted(inbox.rglob("*")):
            # a link is never followed here either (a link out of the inbox must not be read for a hint)
            if (
                not p.is_symlink()
                and p.is_file()
                and not any(part.startswith(".") for part in p.relative_to(inbox).parts)
            ):
                st = p.stat()
                state[p.relative_to(inbox).as_posix()] = [st.st_size, int(st.st_mtime)]
        previous = json.loads(context.cursor) if context.cursor else {}
        changed = [path for path, sig in state.items() if previous.get(path) != sig]
        removed = [path for path in previous if path not in state]
        if not changed and not removed:
            return dg.SkipReason("no change in the inbox")
        keys = YEARS.get_partition_keys()
        # the same year hint the manifest will compute, so the run reads the changed files
        years = sorted({partition_of(inspect(inbox / p, p).year_hint, keys) for p in changed} or {keys[-1]})
        digest = hashlib.sha256(json.dumps(state, sort_keys=True).encode()).hexdigest()[:16]
        context.update_cursor(json.dumps(state))
        return [dg.RunRequest(run_key=f"inbox-{digest}-{y}", partition_key=y) for y in years]

    return _sensor
