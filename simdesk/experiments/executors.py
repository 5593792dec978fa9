"""Where sweep points run: in this process, in local processes, or on a dask cluster.

Every executor takes point tasks and yields each one's outcome — a
:class:`~simdesk.experiments.work.PointResult` or a
:class:`~simdesk.experiments.work.PointFailure` — as it completes. Seeds travel with the
task, so the results are the same whichever executor runs them, in whatever order.
"""

from __future__ import annotations

import multiprocessing
import os
import sys
from collections.abc import Iterator, Sequence
from concurrent.futures import FIRST_COMPLETED, Future, ProcessPoolExecutor, wait
from concurrent.futures.process import BrokenProcessPool
from typing import Any, Protocol

from simdesk.experiments.work import PointFailure, PointResult, PointTask, failure, run_point

Outcome = PointResult | PointFailure

WORKER_DEATHS = 2
"""A point in flight when this many worker processes died is recorded as failed."""


class Executor(Protocol):
    """Runs point tasks and yields their outcomes as they complete."""

    name: str

    def run(self, tasks: Sequence[PointTask]) -> Iterator[Outcome]: ...

    def close(self) -> None: ...


class InProcess:
    """One point after the other, in this process."""

    name = "in-process"

    def run(self, tasks: Sequence[PointTask]) -> Iterator[Outcome]:
        for task in tasks:
            try:
                yield run_point(task)
            except Exception as exc:
                yield failure(task.key, exc)

    def close(self) -> None:
        """Nothing to release."""


def _guarded(task: PointTask) -> Outcome:
    """Run in a worker: an exception becomes a failure record (it pickles reliably)."""
    try:
        return run_point(task)
    except Exception as exc:
        return failure(task.key, exc)


class LocalProcesses:
    """Points side by side in ``workers`` processes of this machine.

    A worker that dies (killed, out of memory) breaks the pool: the pool is rebuilt and
    the unfinished points are submitted again; a point that was in flight during
    :data:`WORKER_DEATHS` deaths is recorded as failed instead.
    """

    def __init__(self, workers: int | None = None) -> None:
        self.workers = workers or os.cpu_count() or 1
        self.name = f"{self.workers} local processes"
        self._pool: ProcessPoolExecutor | None = None

    def _new_pool(self) -> ProcessPoolExecutor:
        method = "fork" if sys.platform == "linux" else "spawn"
        self._pool = ProcessPoolExecutor(max_workers=self.workers,
                                         mp_context=multiprocessing.get_context(method))
        return self._pool

    def run(self, tasks: Sequence[PointTask]) -> Iterator[Outcome]:
        pending = list(tasks)
        deaths: dict[str, int] = {}
        while pending:
            pool = self._new_pool()
            futures: dict[Future[Outcome], PointTask] = {
                pool.submit(_guarded, task): task for task in pending}
            pending = []
            broken = False
            while futures:
                done, _ = wait(futures, return_when=FIRST_COMPLETED)
                for future in done:
                    task = futures.pop(future)
                    try:
                        yield future.result()
                    except BrokenProcessPool:
                        broken = True
                        deaths[task.key] = deaths.get(task.key, 0) + 1
                        if deaths[task.key] >= WORKER_DEATHS:
                            yield PointFailure(task.key, "a worker process died running this "
                                               f"point {deaths[task.key]} times", "worker")
                        else:
                            pending.append(task)
            pool.shutdown(wait=not broken, cancel_futures=True)
            self._pool = None

    def close(self) -> None:
        if self._pool is not None:
            self._pool.shutdown(wait=False, cancel_futures=True)
            self._pool = None


class Dask:
    """Points on a dask.distributed cluster: ``address`` of a running scheduler, or
    ``"local"`` to start a LocalCluster of worker processes on this machine."""

    def __init__(self, address: str, workers: int | None = None) -> None:
        from distributed import Client, LocalCluster

        self._cluster: Any = None
        if address == "local":
            self._cluster = LocalCluster(n_workers=workers or os.cpu_count() or 1,
                                         threads_per_worker=1, processes=True,
                                         dashboard_address=None)
            self.client = Client(self._cluster)
        else:
            self.client = Client(address)
        self.name = f"dask {address}"

    def run(self, tasks: Sequence[PointTask]) -> Iterator[Outcome]:
        from distributed import as_completed

        futures = {self.client.submit(_guarded, task, key=f"simdesk-{task.key}", pure=False):
                   task for task in tasks}
        for future in as_completed(list(futures)):
            task = futures[future]
            try:
                yield future.result()
            except Exception as exc:  # e.g. KilledWorker after dask's retries
                yield failure(task.key, exc)

    def close(self) -> None:
        self.client.close()
        if self._cluster is not None:
            self._cluster.close()
