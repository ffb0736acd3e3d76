"""The yearly schedule and the inbox sensor ask for the runs they should."""

from __future__ import annotations

from datetime import datetime

import dagster as dg
import pytest

from corpus import example_spec, write


@pytest.fixture
def defs():
    from pipeline.definitions import defs

    return defs


def test_yearly_schedule_runs_the_year_before(defs):
    schedule = defs.resolve_schedule_def("yearly_reports")
    assert schedule.cron_schedule == "0 6 1 2 *"  # 1 February by default
    repo = defs.get_repository_def()
    with dg.build_schedule_context(scheduled_execution_time=datetime(2025, 2, 1, 6), repository_def=repo) as ctx:
        req = schedule.evaluate_tick(ctx).run_requests[0]
    assert req.partition_key == "2024"
    assert req.run_key == "yearly-2024"


def test_inbox_sensor_starts_runs_for_the_years_of_new_and_changed_files(defs, tmp_path, monkeypatch):
    inbox = tmp_path / "inbox"
    (inbox / "2023").mkdir(parents=True)
    monkeypatch.setenv("NIANBAO_INBOX", str(inbox))
    sensor = defs.resolve_sensor_def("inbox_changes")
    repo = defs.get_repository_def()
    with dg.build_sensor_context(repository_def=repo) as ctx:
        res = sensor.evaluate_tick(ctx)
    assert not res.run_requests  # nothing there yet

    write(example_spec(1, year=2023), inbox / "2023" / "a.txt", "text")
    with dg.build_sensor_context(repository_def=repo) as ctx:
        res = sensor.evaluate_tick(ctx)
        cursor = res.cursor
    assert [r.partition_key for r in res.run_requests] == ["2023"]

    with dg.build_sensor_context(cursor=cursor, repository_def=repo) as ctx:
        res = sensor.evaluate_tick(ctx)
    assert not res.run_requests  # unchanged: no run

    write(example_spec(2, year=2024), inbox / "b.html", "html")
    with dg.build_sensor_context(cursor=cursor, repository_def=repo) as ctx:
        res = sensor.evaluate_tick(ctx)
    assert [r.partition_key for r in res.run_requests] == ["2024"]
