"""The one resource every asset uses: where the inbox, run folder and warehouse are."""


import sys
import time
from pathlib import Path

import dagster as dg

from ..settings import Settings, from_env

_T0 = time.perf_counter()


class NianbaoResource(dg.ConfigurableResource):
    """Paths and choices of a nianbao deployment (defaults from NIANBAO_* environment variables)."""

    inbox: str = ""
    out: str = ""
    db: str = ""
    registry: str = ""
    deadline: str = ""
    workers: int = 0
    progress: bool = False

    def settings(self) -> Settings:
        return from_env(inbox=self.inbox or None, out=self.out or None, db=self.db or None,
                        registry=self.registry or None, deadline=self.deadline or None,
                        workers=self.workers or None)

    def say(self, message: str) -> None:
        """Progress for a person running `nianbao run` (silent under the Dagster UI)."""
        if self.progress:
            print(f"  [{time.perf_counter() - _T0:6.1f}s] {message}", file=sys.stderr, flush=True)

    def record(self, run_id: str, stage: str, seconds: float, **extra) -> None:
        """Stage timings of a run (state/timings.jsonl), read by `nianbao run` and the benchmarks."""
        import json

        s = self.settings()
        s.state.mkdir(parents=True, exist_ok=True)
        with (s.state / "timings.jsonl").open("a", encoding="utf-8") as f:
            f.write(json.dumps({"run_id": run_id, "stage": stage, "seconds": round(seconds, 3), **extra}) + "\n")

    def candidate_path(self, run_id: str) -> Path:
        s = self.settings()
        return s.state / f"candidate-{run_id[:8]}.duckdb"

    def staging(self, run_id: str) -> Path:
        """This run's staging folder (pages, workbook, Data Docs), published as one set."""
        from ..publish import prepare_staging

        return prepare_staging(self.settings().out, run_id)
