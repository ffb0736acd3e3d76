"""The checking loop's writes to the warehouse: in a thread of their own, in order (Writer), and the
findings' storage order computed in numpy (storage_order)."""

from __future__ import annotations

from concurrent.futures import Future, ThreadPoolExecutor

import numpy as np
import pandas as pd


def _ranks(values: np.ndarray) -> np.ndarray:
    """Each value's rank among the distinct values (sorted as DuckDB sorts VARCHAR: by code point,
    which is UTF-8's byte order), hashed once per distinct value rather than compared per row."""
    codes, uniques = pd.factorize(values)
    rank = np.empty(len(uniques) + 1, dtype=np.int64)  # a NULL (code -1) last, as DuckDB sorts it
    rank[np.argsort(np.asarray(uniques, dtype=object), kind="stable")] = np.arange(len(uniques))
    rank[-1] = len(uniques)
    return rank[codes]


def storage_order(report_id: np.ndarray, rule_id: np.ndarray, instance: np.ndarray) -> np.ndarray:
    """The permutation that sorts rows by (report_id, rule_id, instance) as DuckDB's ORDER BY does
    (rows equal on all three keep their order). Ranks of the distinct values, then one lexsort of
    integers: no string comparison per row. `report_id` may be given as integer ranks already."""
    if not len(report_id):
        return np.zeros(0, dtype=np.int64)
    rep = report_id if report_id.dtype.kind in "iu" else _ranks(report_id)
    return np.lexsort((_ranks(instance), _ranks(rule_id), rep))


class Writer:
    """The warehouse's writes of the checking loop, run in order by a thread of its own on a cursor
    of the connection, while the loop evaluates the next chunk: DuckDB inserts (hashes, compression)
    without holding the GIL, so the insert of a chunk's findings runs beside the evaluation of the
    next instead of after it. One thread: the jobs run one at a time in the order given, so the
    tables get their rows in the same order as written in turn. `bounded(...)` (a chunk's findings)
    waits for the chunk before to be written (at most one chunk's findings waiting or being written: memory bounded);
    an error in a job is raised by the next job given or by `close()`."""

    def __init__(self, con):
        self.cur = con.cursor()  # its own connection to the same database (its own transactions)
        self.pool = ThreadPoolExecutor(max_workers=1, thread_name_prefix="nianbao-findings-writer")
        self.jobs: list[Future] = []
        self.last: Future | None = None

    def run(self, job, *args) -> None:
        """job(cursor, *args) after the jobs before."""
        self._check()
        self.jobs.append(self.pool.submit(job, self.cur, *args))

    def bounded(self, job, *args) -> None:
        """job(cursor, *args) after the jobs before, once the last bounded job has ended (a chunk's
        findings: at most one waiting or being written)."""
        if self.last is not None:
            self.last.result()
        self.run(job, *args)
        self.last = self.jobs[-1]

    def _check(self) -> None:
        """Raise the error of a job that ended (the loop stops at once, not at the end)."""
        while self.jobs and self.jobs[0].done():
            self.jobs.pop(0).result()

    def close(self, wait: bool = True) -> None:
        """Wait for every job (raising the first error) — or, `wait=False`, drop those not started —
        and close the cursor."""
        try:
            if not wait:
                for f in self.jobs:
                    f.cancel()
            self.pool.shutdown(wait=True)
            if wait:
                for f in self.jobs:
                    f.result()
        finally:
            self.jobs, self.last = [], None
            self.cur.close()
