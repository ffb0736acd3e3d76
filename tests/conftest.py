"""Shared fixtures. Files from ../shared are read in place and never copied into the repository;
tests that need them skip cleanly when ../shared is absent."""

from __future__ import annotations

import os
import tempfile
import warnings
from pathlib import Path

import pytest

# Every mapping by a plan (pipeline/mapper/plans.py) is checked against the mapping by rows, in this
# process and in every child (the variable is inherited); a difference fails the session below.
# (made once: this module may be imported again under another name, by `from conftest import …`)
_OWN_PLAN_CHECK = "NIANBAO_CHECK_PLANS" not in os.environ
if _OWN_PLAN_CHECK:
    os.environ["NIANBAO_CHECK_PLANS"] = os.path.join(tempfile.mkdtemp(prefix="nianbao-plans-"), "differences.txt")
PLAN_CHECK = os.environ["NIANBAO_CHECK_PLANS"]

ROOT = Path(__file__).resolve().parents[1]
SHARED = ROOT.parent / "shared"
REAL = SHARED / "fixtures" / "real"
FIX = Path(__file__).parent / "fixtures"

warnings.filterwarnings("ignore", module="dagster")
warnings.filterwarnings("ignore", module="great_expectations")


def shared_file(name: str) -> Path:
    p = REAL / name
    if not p.exists():
        pytest.skip(f"{p} is not available (../shared is absent)")
    return p


@pytest.fixture
def real_pdf() -> Path:
    return shared_file("city_2024_report.pdf")


@pytest.fixture
def real_pdf_key() -> Path:
    return shared_file("city_2024_report.expected.json")


@pytest.fixture
def national_template() -> Path:
    return shared_file("national_template_2021.docx")


@pytest.fixture
def seed_file() -> Path:
    return FIX / "seed_2024_bayanmuren.txt"


@pytest.fixture(autouse=True)
def _isolated_env(monkeypatch, tmp_path):
    """Runs never touch the user's run folder or Dagster home."""
    for var in ("NIANBAO_INBOX", "NIANBAO_OUT", "NIANBAO_DB", "NIANBAO_REGISTRY", "DAGSTER_HOME"):
        monkeypatch.delenv(var, raising=False)
    monkeypatch.setenv("NIANBAO_OUT", str(tmp_path / "default_run"))


def pytest_sessionfinish(session, exitstatus):
    p = Path(PLAN_CHECK)
    if p.is_file() and p.stat().st_size:
        lines = p.read_text(encoding="utf-8").splitlines()
        print(f"\n{len(lines)} mapping(s) by a plan differed from the mapping by rows ({p}):")
        print("\n".join(lines[:20]))
        session.exitstatus = 1
    elif _OWN_PLAN_CHECK and os.environ.get("PYTEST_XDIST_WORKER") is None:
        p.unlink(missing_ok=True)
        try:
            p.parent.rmdir()  # the folder made above, left in place while it holds a difference
        except OSError:
            pass
