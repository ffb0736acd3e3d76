"""Where things are, and the few choices an office makes: one typed configuration.

`Settings` declares every setting once, with its type, default and environment variable. The
environment is parsed here and nowhere else (`from_env`, once per distinct environment); Dagster
assets receive the same settings through the `NianbaoResource` (pipeline/orchestration/resources.py),
whose config fields are generated from these. This module imports nothing heavy (no Dagster): the
readers and the command line use it too.

NIANBAO_INBOX               folder of reports (default: the bundled sample, assets/sample/inbox)
NIANBAO_OUT                 run folder: published DuckDB, pages, workbook, data docs, state (default ./runs/latest)
NIANBAO_DB                  published DuckDB file (default <out>/nianbao.duckdb)
NIANBAO_REGISTRY            registry folder (default assets/registry)
NIANBAO_DEADLINE            publication deadline in the year after the report year, MM-DD (default 01-31)
NIANBAO_SCHEDULE            cron of the yearly run (default "0 6 1 2 *": 1 February, 06:00)
NIANBAO_WORKERS             processes for reading (default: number of cores)
NIANBAO_SOFFICE             the LibreOffice program for .doc/.wps files (default: soffice on PATH; empty: none)
NIANBAO_DOC_TIMEOUT         seconds one LibreOffice conversion may take (default 60)
NIANBAO_OCR_SECONDS         CPU seconds the OCR of one report may take before it is set aside (default 300)
NIANBAO_OCR_MIN_CONFIDENCE  below it an OCR number is flagged ocr_uncertain (default 0.9)
NIANBAO_OCR_THREADS         ONNX threads per reading worker (default 1)

Switches of the process rather than settings stay where they act: NIANBAO_DEBUG (cli.py),
NIANBAO_FAULT (faults.py), NIANBAO_SERVE_PASSWORD (review/serve.py, a secret kept out of any config),
NIANBAO_CHECK_PLANS (mapper/plans.py, set by the test suite).
"""

from __future__ import annotations

import os
import re
from dataclasses import dataclass, field, fields
from functools import lru_cache
from pathlib import Path
from typing import get_args, get_type_hints

ROOT = Path(__file__).resolve().parents[1]
SAMPLE_INBOX = ROOT / "assets" / "sample" / "inbox"
FIRST_YEAR = 2019  # the first report year of the current regulations' annual report formats


class SettingsError(ValueError):
    """A setting that cannot be used, named with its environment variable."""


def _env(var: str, doc: str):
    return {"env": var, "doc": doc}


@dataclass(frozen=True)
class Settings:
    """Every setting of a nianbao deployment, typed. `from_env()` makes one; `with_()` overrides."""

    inbox: Path = field(metadata=_env("NIANBAO_INBOX", "folder of reports"))
    out: Path = field(metadata=_env("NIANBAO_OUT", "run folder (published warehouse, pages, workbook, state)"))
    db: Path = field(metadata=_env("NIANBAO_DB", "published DuckDB file (default <out>/nianbao.duckdb)"))
    registry: Path | None = field(default=None, metadata=_env("NIANBAO_REGISTRY", "registry folder"))
    deadline: str = field(default="01-31", metadata=_env("NIANBAO_DEADLINE", "publication deadline, MM-DD"))
    schedule: str = field(default="0 6 1 2 *", metadata=_env("NIANBAO_SCHEDULE", "cron of the yearly run"))
    workers: int | None = field(default=None, metadata=_env("NIANBAO_WORKERS", "processes for reading"))
    soffice: str | None = field(default=None, metadata=_env("NIANBAO_SOFFICE", "LibreOffice program ('' = none)"))
    doc_timeout: float = field(default=60.0, metadata=_env("NIANBAO_DOC_TIMEOUT", "seconds per .doc conversion"))
    ocr_seconds: float = field(default=300.0, metadata=_env("NIANBAO_OCR_SECONDS", "CPU seconds of OCR per report"))
    ocr_min_confidence: float = field(
        default=0.9, metadata=_env("NIANBAO_OCR_MIN_CONFIDENCE", "OCR confidence below which a number is flagged")
    )
    ocr_threads: int = field(default=1, metadata=_env("NIANBAO_OCR_THREADS", "ONNX threads per reading worker"))

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

    def with_(self, **kw) -> Settings:
        """These settings with some replaced (None keeps a setting; a new `out` moves a default `db`)."""
        unknown = set(kw) - set(env_vars())
        if unknown:
            raise TypeError(f"no such setting: {', '.join(sorted(unknown))}")
        base = self._given or {name: getattr(self, name) for name in env_vars()}
        return _resolve({**base, **{k: v for k, v in kw.items() if v is not None}})

    # what was given (environment and overrides) before defaults were applied, for with_()
    _given: dict = field(default_factory=dict, repr=False, compare=False)


@lru_cache(maxsize=1)
def env_vars() -> dict[str, str]:
    """Setting name -> its environment variable."""
    return {f.name: f.metadata["env"] for f in fields(Settings) if "env" in f.metadata}


@lru_cache(maxsize=1)
def kinds() -> dict[str, type]:
    """Setting name -> its type: Path, int, float or str (optional or not)."""
    hints = get_type_hints(Settings)
    out = {}
    for name in env_vars():
        t = hints[name]
        out[name] = next(a for a in (get_args(t) or (t,)) if a is not type(None))
    return out


def _typed(name: str, v):
    """A value of the setting's type from a raw string (the environment, a config field) or a value."""
    kind, var = kinds()[name], env_vars()[name]
    if v is None or not isinstance(v, str):
        return Path(v) if kind is Path and v is not None else v
    if kind is str:
        if name == "deadline" and not re.fullmatch(r"\d\d-\d\d", v):
            raise SettingsError(f"{var} must be a month and day MM-DD (like 01-31), not {v!r}")
        return v  # NIANBAO_SOFFICE='' means: no LibreOffice
    if not v.strip():
        return None
    if kind is Path:
        return Path(v)
    try:
        return kind(v)
    except ValueError:
        what = "a whole number" if kind is int else "a number"
        raise SettingsError(f"{var} must be {what}, not {v!r}") from None


def _resolve(given: dict) -> Settings:
    """Typed settings from raw or typed values, with the defaults filled in."""
    vals = {name: _typed(name, v) for name, v in given.items()}
    vals = {k: v for k, v in vals.items() if v is not None}
    if vals.get("workers") is not None and vals["workers"] < 1:
        del vals["workers"]  # 0: as many as there are cores
    out = Path(vals.pop("out", None) or Path.cwd() / "runs" / "latest").absolute()
    inbox = Path(vals.pop("inbox", None) or SAMPLE_INBOX).absolute()
    db = Path(vals.pop("db", None) or out / "nianbao.duckdb").absolute()
    reg = vals.pop("registry", None)
    return Settings(inbox=inbox, out=out, db=db, registry=reg.absolute() if reg else None, _given=dict(given), **vals)


@lru_cache(maxsize=16)
def _from_environment(values: tuple[tuple[str, str | None], ...], cwd: str) -> Settings:
    return _resolve(dict(values))  # relative paths and the default run folder are under `cwd`


def from_env(**overrides) -> Settings:
    """The settings of this process: the NIANBAO_* variables (parsed once per distinct environment),
    with `overrides` (None keeps the environment's value). SettingsError names a bad variable."""
    settings = _from_environment(tuple((name, os.environ.get(var)) for name, var in env_vars().items()), os.getcwd())
    return settings.with_(**overrides) if any(v is not None for v in overrides.values()) else settings


def prepare_dagster_home(settings: Settings) -> Path:
    """A DAGSTER_HOME inside the run folder, telemetry off, DuckDB writers one at a time, and Dagster's
    SQLite storage with fewer disk flushes (pipeline/orchestration/storage.py; the same files)."""
    import json

    home = settings.dagster_home
    home.mkdir(parents=True, exist_ok=True)
    cfg = home / "dagster.yaml"
    text = (
        "telemetry:\n  enabled: false\nconcurrency:\n  pools:\n    default_limit: 1\n"
        "storage:\n  custom:\n    module: pipeline.orchestration.storage\n    class: NianbaoStorage\n"
        f"    config:\n      base_dir: {json.dumps(str(home.absolute()))}\n"
    )
    if not cfg.exists() or cfg.read_text() != text:
        cfg.write_text(text)
    return home
