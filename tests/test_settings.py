"""One typed configuration: every documented NIANBAO_* variable reaches the Dagster resource typed;
what a run reports goes through Dagster's logging; start-up imports nothing heavy it does not need."""

from __future__ import annotations

import json
import re
import subprocess
import sys
from pathlib import Path

import pytest

from pipeline.settings import ROOT, SettingsError, env_vars, from_env

# process switches documented beside the settings, not settings themselves (see pipeline/settings.py)
SWITCHES = {"NIANBAO_DEBUG", "NIANBAO_FAULT", "NIANBAO_SERVE_PASSWORD"}

VALUES = {
    "NIANBAO_INBOX": "inbox",
    "NIANBAO_OUT": "out",
    "NIANBAO_DB": "elsewhere/w.duckdb",
    "NIANBAO_REGISTRY": "reg",
    "NIANBAO_DEADLINE": "02-15",
    "NIANBAO_SCHEDULE": "0 7 2 2 *",
    "NIANBAO_WORKERS": "3",
    "NIANBAO_SOFFICE": "/opt/lo/soffice",
    "NIANBAO_DOC_TIMEOUT": "45",
    "NIANBAO_OCR_SECONDS": "120",
    "NIANBAO_OCR_MIN_CONFIDENCE": "0.75",
    "NIANBAO_OCR_THREADS": "2",
}


def _documented() -> set[str]:
    text = (ROOT / "README.md").read_text() + (ROOT / "docs" / "warehouse.md").read_text()
    return set(re.findall(r"NIANBAO_[A-Z_]+", text))


def test_every_documented_variable_is_a_setting_or_a_named_switch():
    assert _documented() - SWITCHES <= set(env_vars().values())
    assert set(VALUES) == set(env_vars().values())


def test_the_environment_reaches_the_resource_typed(monkeypatch, tmp_path):
    from pipeline.orchestration.resources import NianbaoResource, resource_of

    monkeypatch.chdir(tmp_path)
    for var, value in VALUES.items():
        monkeypatch.setenv(
            var,
            str(tmp_path / value)
            if var in ("NIANBAO_INBOX", "NIANBAO_OUT", "NIANBAO_DB", "NIANBAO_REGISTRY")
            else value,
        )
    s = NianbaoResource().settings
    assert s.inbox == tmp_path / "inbox" and s.out == tmp_path / "out" and s.db == tmp_path / "elsewhere/w.duckdb"
    assert s.registry == tmp_path / "reg" and isinstance(s.registry, Path)
    assert (s.deadline, s.schedule, s.soffice) == ("02-15", "0 7 2 2 *", "/opt/lo/soffice")
    assert s.workers == 3 and isinstance(s.workers, int) and s.ocr_threads == 2 and isinstance(s.ocr_threads, int)
    assert (s.doc_timeout, s.ocr_seconds, s.ocr_min_confidence) == (45.0, 120.0, 0.75)
    assert isinstance(s.ocr_seconds, float)
    assert s.state == tmp_path / "out" / "state"
    # a field of the resource overrides its variable; a new run folder does not move a db given apart
    r = NianbaoResource(out=str(tmp_path / "run2"), workers=1)
    assert r.settings.out == tmp_path / "run2" and r.settings.workers == 1 and r.settings.db == s.db
    # the resource `nianbao run` builds carries the same typed settings
    assert resource_of(s).settings == s
    # the readers see the same values
    from pipeline.ocrflags import min_confidence
    from pipeline.readers.image import time_budget
    from pipeline.readers.oldword import _timeout

    assert (time_budget(), min_confidence(), _timeout()) == (120.0, 0.75, 45.0)


def test_defaults_and_a_run_folder_moving_the_default_warehouse(monkeypatch, tmp_path):
    for var in VALUES:
        monkeypatch.delenv(var, raising=False)
    monkeypatch.chdir(tmp_path)
    s = from_env()
    assert s.out == tmp_path / "runs" / "latest" and s.db == s.out / "nianbao.duckdb"
    assert (s.deadline, s.workers, s.soffice, s.ocr_seconds, s.ocr_threads) == ("01-31", None, None, 300.0, 1)
    moved = from_env(out=tmp_path / "x")
    assert moved.db == tmp_path / "x" / "nianbao.duckdb"
    (tmp_path / "elsewhere").mkdir()
    monkeypatch.chdir(tmp_path / "elsewhere")  # the default run folder is under the current folder
    assert from_env().out == tmp_path / "elsewhere" / "runs" / "latest"
    monkeypatch.setenv("NIANBAO_SOFFICE", "")  # an office may switch LibreOffice off
    assert from_env().soffice == ""


@pytest.mark.parametrize(
    "var,value,says",
    [
        ("NIANBAO_WORKERS", "many", "NIANBAO_WORKERS must be a whole number, not 'many'"),
        ("NIANBAO_OCR_SECONDS", "5 min", "NIANBAO_OCR_SECONDS must be a number"),
        ("NIANBAO_DEADLINE", "Jan 31", "NIANBAO_DEADLINE must be a month and day MM-DD"),
    ],
)
def test_a_bad_variable_is_named(monkeypatch, var, value, says):
    monkeypatch.setenv(var, value)
    with pytest.raises(SettingsError, match=re.escape(says)):
        from_env()


def test_nianbao_run_names_a_bad_variable_without_a_traceback(tmp_path):
    env = {
        "PATH": "/usr/bin:/bin",
        "HOME": str(tmp_path),
        "NIANBAO_WORKERS": "many",
        "NIANBAO_OUT": str(tmp_path / "run"),
    }
    r = subprocess.run([sys.executable, "-m", "pipeline.cli", "run"], env=env, cwd=ROOT, capture_output=True, text=True)
    assert r.returncode == 2
    assert r.stderr.strip() == "nianbao run: NIANBAO_WORKERS must be a whole number, not 'many'"


def test_progress_lines_and_step_timings_come_from_dagsters_logging(tmp_path):
    """A job of two steps logged through the nianbao logger: the assets' messages are the progress
    lines, the step events give the timings file, and --quiet prints nothing."""
    import io
    import time

    import dagster as dg

    from pipeline.orchestration.progress import STAGES, nianbao_logger

    first, second = list(STAGES)[:2]

    @dg.asset(name=first)
    def a(context):
        context.log.info("scanning")
        time.sleep(0.2)

    @dg.asset(name=second, deps=[a])
    def b(context):
        context.log.debug("not for a person")
        context.log.info("reading")

    defs = dg.Definitions(assets=[a, b], jobs=[dg.define_asset_job("two")], loggers={"nianbao": nianbao_logger})
    job = defs.resolve_job_def("two")
    for progress in (True, False):
        timings = tmp_path / f"t{progress}.jsonl"
        err = io.StringIO()
        sys_err, sys.stderr = sys.stderr, err
        try:
            res = job.execute_in_process(
                run_config={"loggers": {"nianbao": {"config": {"progress": progress, "timings": str(timings)}}}}
            )
        finally:
            sys.stderr = sys_err
        assert res.success
        lines = err.getvalue().splitlines()
        if progress:
            assert [ln.split("] ", 1)[1] for ln in lines] == ["scanning", "reading"]
            assert all(re.match(r"  \[ +\d+\.\ds\] ", ln) for ln in lines)
        else:
            assert lines == []
        rows = [json.loads(ln) for ln in timings.read_text().splitlines()]
        assert [r["stage"] for r in rows] == [STAGES[first], STAGES[second]]
        assert {r["run_id"] for r in rows} == {res.run_id}
        assert rows[0]["seconds"] >= 0.2
        # a sleeping step costs (almost) no CPU: the CPU seconds are not the wall time
        assert 0 <= rows[0]["cpu_seconds"] < rows[0]["seconds"]


def test_starting_up_to_parse_a_text_file_imports_nothing_heavy(seed_file):
    code = (
        "import sys\n"
        "from pipeline.cli import main\n"
        f"assert main(['parse', {str(seed_file)!r}]) == 0\n"
        "heavy = ('great_expectations', 'dagster', 'openpyxl', 'pandas', 'duckdb', 'onnxruntime', 'cv2',\n"
        "         'pdfplumber', 'pypdfium2', 'docx', 'jinja2', 'flask')\n"
        "print(sorted(m for m in sys.modules if m.split('.')[0] in heavy))\n"
    )
    r = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True)
    assert r.returncode == 0, r.stderr
    assert r.stdout.strip().splitlines()[-1] == "[]"


def test_check_help_and_parser_import_nothing_heavy():
    code = (
        "import sys\n"
        "from pipeline.cli import main\n"
        "try:\n    main(['check', '--help'])\nexcept SystemExit:\n    pass\n"
        "print(sorted({m.split('.')[0] for m in sys.modules} & {'great_expectations', 'dagster', 'pandas', "
        "'openpyxl', 'duckdb'}))\n"
    )
    r = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True)
    assert r.returncode == 0, r.stderr
    assert r.stdout.strip().splitlines()[-1] == "[]"
