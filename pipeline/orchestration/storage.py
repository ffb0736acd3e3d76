"""Dagster's SQLite storage with fewer disk flushes: the run folder's DAGSTER_HOME uses it
(settings.prepare_dagster_home writes it into dagster.yaml; `nianbao run` and `nianbao ui` both read it).

Dagster's own SQLite storage opens a new connection for every event it stores (SQLAlchemy's
NullPool) in WAL mode with SQLite's default `synchronous=FULL`: each event is a connect, an insert, a
commit that waits for the disk, and a close that checkpoints the WAL into the database file and waits
for the disk twice more. A run writes a few hundred events; on this machine's shared disk each cycle
took 2–10 ms of wall time (1–4 s a run), beside the CPU of a new engine each time.

Two changes, the files and their schema unchanged (a run folder written by either storage is read by
the other):

- Every connection uses `synchronous=NORMAL`. In WAL mode a commit then does not wait for the disk; a
  crash of the program loses nothing, a power cut at most the last events since a checkpoint, and
  the database is never corrupted (SQLite's documentation on WAL).
- In the process of `nianbao run` (`keep_connections_open`, called by pipeline/run.py), a database's
  connection is kept for the run instead of one per event. The WAL is then checkpointed into the
  database file at each step's start and end and at most every 2 s otherwise, so the Dagster UI,
  which watches the database file of a run it shows, still follows the run as it goes.
"""

from __future__ import annotations

import os
import time
from collections.abc import Iterator
from contextlib import contextmanager

import sqlalchemy as db
from dagster._core.events import DagsterEventType
from dagster._core.storage.event_log.sqlite.sqlite_event_log import SqliteEventLogStorage
from dagster._core.storage.runs.sqlite.sqlite_run_storage import SqliteRunStorage
from dagster._core.storage.schedules.sqlite.sqlite_schedule_storage import SqliteScheduleStorage
from dagster._core.storage.sqlite import SQLITE_BUSY_TIMEOUT_SECONDS
from dagster._core.storage.sqlite_storage import (
    DagsterSqliteStorage,
    _event_logs_directory,
    _runs_directory,
    _schedule_directory,
)
from sqlalchemy.pool import NullPool, QueuePool

SYNCHRONOUS = "NORMAL"
CHECKPOINT_EVERY = 2.0  # seconds: how long the UI may lag behind a run's log lines at most
# events after which the WAL is checkpointed at once (what the UI shows as the run's progress)
_BOUNDARIES = {
    DagsterEventType.RUN_START,
    DagsterEventType.RUN_SUCCESS,
    DagsterEventType.RUN_FAILURE,
    DagsterEventType.RUN_CANCELED,
    DagsterEventType.STEP_START,
    DagsterEventType.STEP_SUCCESS,
    DagsterEventType.STEP_FAILURE,
}


def _pragmas(dbapi_connection, _record) -> None:
    cur = dbapi_connection.cursor()
    cur.execute(f"PRAGMA synchronous={SYNCHRONOUS}")
    cur.close()


def engine_for(conn_string: str, keep: bool, **connect_args) -> db.engine.Engine:
    """An engine whose connections use `synchronous=NORMAL`; with `keep`, one connection kept open
    (and reused) instead of a new one each time."""
    pool = dict(poolclass=QueuePool, pool_size=1, max_overflow=4) if keep else dict(poolclass=NullPool)
    engine = db.create_engine(conn_string, connect_args=connect_args, **pool)
    db.event.listen(engine, "connect", _pragmas)
    return engine


class NianbaoEventLogStorage(SqliteEventLogStorage):
    """Dagster's run-sharded SQLite event log, with the two changes of the module's doc."""

    def __init__(self, base_dir: str, inst_data=None):
        self._engines: dict[str, db.engine.Engine] = {}
        self._keep = False
        self._pid = os.getpid()
        self._dirty: set[str] = set()
        self._last_checkpoint = time.monotonic()
        super().__init__(base_dir, inst_data)

    @classmethod
    def from_config_value(cls, inst_data, config_value):
        return cls(inst_data=inst_data, **config_value)

    def keep_connections_open(self) -> None:
        """Keep one connection a database for the life of this storage (the in-process run)."""
        self._keep = True

    def _engine(self, shard: str) -> db.engine.Engine:
        if os.getpid() != self._pid:  # a forked process never uses its parent's open connections
            self._engines, self._dirty, self._pid = {}, set(), os.getpid()
        engine = self._engines.get(shard)
        if engine is None:
            args = {"timeout": SQLITE_BUSY_TIMEOUT_SECONDS}
            engine = engine_for(self.conn_string_for_shard(shard), self._keep, **args)
            if shard not in self._initialized_dbs:
                init = engine_for(self.conn_string_for_shard(shard), False, **args)
                self._initdb(init)
                init.dispose()
                self._initialized_dbs.add(shard)
            if not self._keep:
                return engine
            self._engines[shard] = engine
        return engine

    @contextmanager
    def _connect(self, shard: str) -> Iterator[db.engine.Connection]:
        with self._db_lock:
            engine = self._engine(shard)
            try:
                with engine.connect() as conn:
                    with conn.begin():
                        yield conn
            finally:
                if self._keep:
                    self._dirty.add(shard)
                else:
                    engine.dispose()

    def store_event(self, event) -> None:
        super().store_event(event)
        if self._keep and self._dirty:
            now = time.monotonic()
            if now - self._last_checkpoint >= CHECKPOINT_EVERY or event.dagster_event_type in _BOUNDARIES:
                self.checkpoint()

    def checkpoint(self) -> None:
        """Copy what the kept connections wrote from the WAL into the database files (what the UI sees)."""
        with self._db_lock:
            for shard in sorted(self._dirty):
                engine = self._engines.get(shard)
                if engine is None:
                    continue
                with engine.connect() as conn:
                    conn.exec_driver_sql("PRAGMA wal_checkpoint(PASSIVE)")
            self._dirty.clear()
            self._last_checkpoint = time.monotonic()

    def _drop_engines(self) -> None:
        with self._db_lock:
            engines, self._engines, self._dirty = self._engines, {}, set()
        if os.getpid() == self._pid:
            for engine in engines.values():
                engine.dispose()  # closing the last connection checkpoints the WAL

    def wipe(self) -> None:
        self._drop_engines()
        super().wipe()

    def upgrade(self) -> None:
        self._drop_engines()
        super().upgrade()

    def dispose(self) -> None:
        self._drop_engines()
        super().dispose()


class NianbaoRunStorage(SqliteRunStorage):
    """Dagster's SQLite run storage, its connections with `synchronous=NORMAL`."""

    @classmethod
    def from_config_value(cls, inst_data, config_value):
        return cls.from_local(inst_data=inst_data, **config_value)

    @contextmanager
    def connect(self) -> Iterator[db.engine.Connection]:
        engine = engine_for(self._conn_string, False)
        try:
            with engine.connect() as conn:
                with conn.begin():
                    yield conn
        finally:
            engine.dispose()


class NianbaoStorage(DagsterSqliteStorage):
    """Dagster's SQLite storage (the same folders and files under `base_dir`) with the event log and
    run storage above; configured in dagster.yaml as `storage: custom: {module:
    pipeline.orchestration.storage, class: NianbaoStorage, config: {base_dir: ...}}`."""

    def __init__(self, base_dir: str, inst_data=None):
        self.base_dir = base_dir
        self._run_storage = NianbaoRunStorage.from_local(_runs_directory(base_dir))
        self._event_log_storage = NianbaoEventLogStorage(_event_logs_directory(base_dir))
        self._schedule_storage = SqliteScheduleStorage.from_local(_schedule_directory(base_dir))
        self._inst_data = inst_data
        super(DagsterSqliteStorage, self).__init__()

    @classmethod
    def from_config_value(cls, inst_data, config_value):
        return cls.from_local(inst_data=inst_data, **config_value)
