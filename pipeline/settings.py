"""Where things are, and the few choices an office makes. Environment variables override defaults.

NIANBAO_INBOX       folder of reports (default: the bundled sample, assets/sample/inbox)
NIANBAO_OUT         run folder: published DuckDB, pages, workbook, data docs, state (default ./runs/latest)
NIANBAO_DB          published DuckDB file (default <out>/nianbao.duckdb)
NIANBAO_REGISTRY    registry folder (default assets/registry)
NIANBAO_DEADLINE    publication deadline in the year after the report year, MM-DD (default 01-31)
NIANBAO_SCHEDULE    cron of the yearly run (default "0 6 1 2 *": 1 February, 06:00)
NIANBAO_WORKERS     processes for reading (default: number of cores)
"""

from __future__ import annotations

import os
from dataclasses import dataclass, replace
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
SAMPLE_INBOX = ROOT / "assets" / "sample" / "inbox"
FIRST_YEAR = 2019  # the first report year of the current regulations' annual report formats


@dataclass(frozen=True)
class Settings:
    inbox: Path
    out: Path
    db: Path
    registry: Path | None
    deadline: str = "01-31"
    schedule: str = "0 6 1 2 *"
    workers: int | None = None

    @property
    def state(self) -> Path:
        return self.out / "state"

    @property
    def pages(self) -> Path:
        return self.out / "pages"

    @property
    def workbook(self) -> Path:
        return self.out / "nianbao.xlsx"

    @property
    def data_docs(self) -> Path:
        return self.out / "data_docs"

    @property
    def dagster_home(self) -> Path:
        return self.out / "dagster_home"

    def with_(self, **kw) -> "Settings":
        return replace(self, **{k: v for k, v in kw.items() if v is not None})


def from_env(**overrides) -> Settings:
    env = os.environ
    out = Path(overrides.get("out") or env.get("NIANBAO_OUT") or Path.cwd() / "runs" / "latest").absolute()
    inbox = Path(overrides.get("inbox") or env.get("NIANBAO_INBOX") or SAMPLE_INBOX).absolute()
    db = Path(overrides.get("db") or env.get("NIANBAO_DB") or out / "nianbao.duckdb").absolute()
    reg = overrides.get("registry") or env.get("NIANBAO_REGISTRY")
    workers = overrides.get("workers") or env.get("NIANBAO_WORKERS")
    return Settings(
        inbox=inbox, out=out, db=db, registry=Path(reg).absolute() if reg else None,
        deadline=overrides.get("deadline") or env.get("NIANBAO_DEADLINE") or "01-31",
        schedule=env.get("NIANBAO_SCHEDULE") or "0 6 1 2 *",
        workers=int(workers) if workers else None,
    )


def prepare_dagster_home(settings: Settings) -> Path:
    """A DAGSTER_HOME inside the run folder, telemetry off, DuckDB writers one at a time."""
    home = settings.dagster_home
    home.mkdir(parents=True, exist_ok=True)
    cfg = home / "dagster.yaml"
    text = (
        "telemetry:\n  enabled: false\n"
        "concurrency:\n  pools:\n    default_limit: 1\n"
    )
    if not cfg.exists() or cfg.read_text() != text:
        cfg.write_text(text)
    return home
