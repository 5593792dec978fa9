"""Where sweep points run: in this process, in local processes, or on a dask cluster.

Every executor takes point tasks and yields each one's outcome — a
:class:`~simdesk.experiments.sweeps.work.PointResult` or a
:class:`~simdesk.experiments.sweeps.work.PointFailure` — as it completes. Seeds travel with the
task, so the results are the same whichever executor runs them, in whatever order.
"""

from __future__ import annotations

import logging
import multiprocessing
import os
import signal
import sys
import threading
import uuid
import warnings
from collections import deque
from collections.abc import Iterator, Sequence
from concurrent.futures import FIRST_COMPLETED, Future, ProcessPoolExecutor, wait
from concurrent.futures.process import BrokenProcessPool
from contextlib import contextmanager
from typing import Any, Protocol

from simdesk.engine import compiled
from simdesk.errors import SimdeskError
from simdesk.experiments.sweeps.work import PointFailure, PointResult, PointTask, failure, run_point
from simdesk.experiments.sweeps.workers import signals_deferred, worker_started

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


PARALLEL_TICKETS = 400_000
"""Below this many expected tickets over the whole sweep, points run in this process:
starting worker processes and shipping points to them costs more than it saves."""


def choose_executor(workers: int, dask: str | None, tickets: float | None,
                    points: int) -> Executor:
    """The executor for ``--workers`` and ``--dask``: a dask cluster when asked; with
    ``workers`` 0 (automatic), local processes only when the sweep's expected work
    (``tickets`` over all points and replications, None when unknown) is big enough to
    gain from them and there are several points and cores, else this process."""
    if dask is not None:
        return Dask(dask, workers or None)
    cores = os.cpu_count() or 1
    if workers == 0:
        small = tickets is not None and tickets < PARALLEL_TICKETS
        if small or points < 2 or cores < 2:
            return InProcess()
        return LocalProcesses(min(cores, points))
    return InProcess() if workers == 1 else LocalProcesses(workers)


def heaviest_first(tasks: Sequence[PointTask]) -> list[PointTask]:
    """``tasks`` by expected work, the heaviest first (ties, and tasks not estimated, in
    their order): side by side, the light points left for the end even out the
    workers' finishing times, where a heavy last point would run alone."""
    return sorted(tasks, key=lambda task: -task.work)


def _guarded(task: PointTask) -> Outcome:
    """Run in a worker: an exception becomes a failure record (it pickles reliably)."""
    try:
        return run_point(task)
    except Exception as exc:
        return failure(task.key, exc)




class LocalProcesses:
    """Points side by side in ``workers`` processes of this machine.

    At most ``workers`` points are in flight. A worker that dies (killed, out of memory)
    breaks the pool: it is rebuilt and the points that were in flight run again, one at
    a time, so that a point that kills its worker is told apart from its neighbours; a
    point in flight during :data:`WORKER_DEATHS` deaths is recorded as failed. Points
    that had not started are not affected.
    """

    def __init__(self, workers: int | None = None) -> None:
        self.workers = workers or os.cpu_count() or 1
        self.name = f"{self.workers} local processes"
        self.worker_deaths = 0
        """How many times a worker died (the pool was rebuilt) in this executor's runs."""
        self._pool: ProcessPoolExecutor | None = None

    def _new_pool(self) -> ProcessPoolExecutor:
        method = "fork" if sys.platform == "linux" else "spawn"
        self._pool = ProcessPoolExecutor(max_workers=self.workers,
                                         mp_context=multiprocessing.get_context(method),
                                         initializer=worker_started,
                                         initargs=(os.getpid(),))
        return self._pool

    def run(self, tasks: Sequence[PointTask]) -> Iterator[Outcome]:
        if self._pool is None and any(task.work >= compiled.MIN_TICKETS for task in tasks):
            # points this big may run on the compiled loop: loaded here, the workers
            # forked from this process inherit it (and share its pages) rather than each
            # load it again (~0.02 s, or ~4 s where numba must build it first: then once,
            # here, not once per worker); if the loop does not cover the desk, that time is
            # lost once, here
            compiled.load()
        queue = deque(heaviest_first(tasks))
        suspects: deque[PointTask] = deque()  # in flight when a worker died: run alone
        deaths: dict[str, int] = {}
        in_flight: dict[Future[Outcome], PointTask] = {}
        while queue or suspects or in_flight:
            self._fill(queue, suspects, in_flight)
            done, _ = wait(in_flight, return_when=FIRST_COMPLETED)
            finished: list[Outcome] = []
            lost: list[PointTask] = []
            for future in done:
                task = in_flight.pop(future)
                try:
                    finished.append(future.result())
                except BrokenProcessPool:
                    lost.append(task)
            if not lost:  # the idle workers take their next points before these are written
                self._fill(queue, suspects, in_flight)
            yield from finished
            if not lost:
                continue
            self.worker_deaths += 1
            lost += in_flight.values()  # a broken pool loses every point in flight
            in_flight.clear()
            self._shutdown(wait=False)
            for task in sorted(lost, key=lambda t: t.key):
                deaths[task.key] = deaths.get(task.key, 0) + 1
                if deaths[task.key] >= WORKER_DEATHS:
                    yield PointFailure(task.key, "a worker process died running this point "
                                       f"{deaths[task.key]} times (killed, or out of "
                                       "memory?)", "worker")
                else:
                    suspects.append(task)
        self._shutdown(wait=True)

    def _fill(self, queue: deque[PointTask], suspects: deque[PointTask],
              in_flight: dict[Future[Outcome], PointTask]) -> None:
        """Points to the idle workers: the next suspect alone once nothing else is in
        flight, else the next points of the queue, up to one per worker."""
        if suspects:
            if not in_flight:
                self._submit(suspects.popleft(), in_flight)
            return
        while queue and len(in_flight) < self.workers:
            self._submit(queue.popleft(), in_flight)

    def _submit(self, task: PointTask, in_flight: dict[Future[Outcome], PointTask]) -> None:
        with signals_deferred():  # the pool forks its workers here: not interruptible
            pool = self._pool or self._new_pool()
            try:
                future = pool.submit(_guarded, task)
            except BrokenProcessPool:  # a worker died while idle: nothing was lost
                self._shutdown(wait=False)
                future = self._new_pool().submit(_guarded, task)
            in_flight[future] = task

    def pids(self) -> list[int]:
        """The process ids of the current pool's workers (none between runs)."""
        processes = getattr(self._pool, "_processes", None) or {}
        return [pid for pid, process in processes.items() if process.is_alive()]

    def _shutdown(self, *, wait: bool) -> None:
        pool, self._pool = self._pool, None
        if pool is None:
            return
        processes = list((getattr(pool, "_processes", None) or {}).values())
        if not wait:  # stopped early: the points in flight are abandoned
            for process in processes:
                process.kill()
        pool.shutdown(wait=wait, cancel_futures=True)
        if not wait:
            for process in processes:
                process.join(timeout=1)

    def close(self) -> None:
        """Stop: the workers are terminated and points in flight abandoned."""
        self._shutdown(wait=False)


@contextmanager
def _interrupts_ignored() -> Iterator[None]:
    """SIGINT ignored meanwhile, so that processes started now inherit that (Python
    keeps a SIGINT its parent ignored ignored); only the main thread can set it."""
    if threading.current_thread() is not threading.main_thread():
        yield
        return
    previous = signal.signal(signal.SIGINT, signal.SIG_IGN)
    try:
        yield
    finally:
        signal.signal(signal.SIGINT, previous)


@contextmanager
def _local_workers() -> Iterator[None]:
    """A LocalCluster's worker processes forked from this one (on Linux, as the local
    processes are): they start in a fraction of a second with simdesk already imported,
    where spawned ones import it afresh (seconds of CPU each). Their statistical
    profiler (sampling every 10 ms for a dashboard the command does not start) is off:
    it cost ~5 % of their CPU."""
    import dask

    settings: dict[str, object] = {"distributed.worker.profile.enabled": False}
    if sys.platform == "linux":
        settings["distributed.worker.multiprocessing-method"] = "fork"
    with dask.config.set(settings):
        yield


DASK_SCHEMES = ("tcp", "tls")
CONNECT_SECONDS = 5.0


def check_dask_address(address: str, timeout: float = CONNECT_SECONDS) -> tuple[str, int]:
    """``scheme://host:port`` of a dask scheduler, parsed and probed before dask is asked
    (which would wait, or allocate what a foreign server's first bytes say): a clear
    error for a malformed address, a port nothing listens on, or one that does not
    answer within ``timeout`` seconds."""
    import socket
    from urllib.parse import urlsplit

    text = address.strip()
    hint = "write tcp://HOST:PORT (a dask scheduler, e.g. tcp://10.0.0.5:8786) or 'local'"
    if "://" not in text:
        text = f"tcp://{text}"
    try:
        parts = urlsplit(text)
        port = parts.port
    except ValueError as exc:
        raise SimdeskError(f"--dask {address!r}: {exc}; {hint}") from None
    if parts.scheme not in DASK_SCHEMES:
        raise SimdeskError(f"--dask {address!r}: scheme {parts.scheme!r} is not a dask "
                           f"scheduler's; {hint}")
    if not parts.hostname or parts.path not in ("", "/") or parts.query or parts.fragment:
        raise SimdeskError(f"--dask {address!r}: not an address; {hint}")
    port = port or 8786
    try:
        with socket.create_connection((parts.hostname, port), timeout=timeout) as probe:
            greeting = _greeting(probe, timeout) if parts.scheme == "tcp" else DASK_GREETING
    except socket.gaierror:
        raise SimdeskError(f"--dask {address!r}: unknown host {parts.hostname!r}") from None
    except TimeoutError:
        raise SimdeskError(f"--dask {address!r}: no answer within {timeout:.0f} s "
                           f"(nothing accepts connections on {parts.hostname}:{port})") from None
    except OSError as exc:
        raise SimdeskError(f"--dask {address!r}: cannot connect to {parts.hostname}:{port} "
                           f"({exc.strerror or exc})") from None
    if greeting is None:
        raise SimdeskError(f"--dask {address!r}: {parts.hostname}:{port} accepts connections "
                           f"but sent no dask greeting within {timeout:.0f} s: not a dask "
                           "scheduler, or a hung one")
    if DASK_GREETING not in greeting:
        raise SimdeskError(f"--dask {address!r}: {parts.hostname}:{port} is not a dask "
                           f"scheduler (it answered {greeting[:24]!r})")
    return parts.hostname, port


DASK_GREETING = b"pickle-protocol"
"""In the handshake a dask scheduler sends as soon as a connection opens."""


def _greeting(connection: Any, timeout: float) -> bytes | None:
    """The first bytes a server sends on its own within ``timeout`` (None: nothing)."""
    import time

    connection.settimeout(timeout)
    received = b""
    deadline = time.monotonic() + timeout
    try:
        while len(received) < 256 and DASK_GREETING not in received:
            connection.settimeout(max(deadline - time.monotonic(), 0.01))
            chunk = connection.recv(256)
            if not chunk:
                break
            received += chunk
    except (TimeoutError, OSError):
        pass
    return received or None


class Dask:
    """Points on a dask.distributed cluster: ``address`` of a running scheduler, or
    ``"local"`` to start a LocalCluster of worker processes on this machine.

    The workers must be able to import simdesk (the same version) and anything the
    scenario names, such as your own policy module. A worker lost while running a point
    is retried by dask; after its ``allowed-failures`` the point is recorded as failed.
    """

    def __init__(self, address: str, workers: int | None = None, *,
                 timeout: float = 10) -> None:
        from distributed import Client, LocalCluster

        self._cluster: Any = None
        self.client: Any = None
        try:
            if address == "local":
                with _interrupts_ignored(), warnings.catch_warnings(), _local_workers():
                    # the scheduler's HTTP server moves off a busy port 8787 on its own
                    warnings.filterwarnings("ignore", "Port .* is already in use")
                    self._cluster = LocalCluster(n_workers=workers or os.cpu_count() or 1,
                                                 threads_per_worker=1, processes=True,
                                                 dashboard_address=None,
                                                 silence_logs=logging.ERROR)
                self.client = Client(self._cluster, timeout=timeout)
            else:
                check_dask_address(address)
                self.client = _connect(Client, address, timeout)
        except SimdeskError:
            self.close()
            raise
        except Exception as exc:  # dask's and tornado's timeouts, a foreign protocol
            self.close()
            raise SimdeskError(f"--dask {address!r}: not a dask scheduler, or it did not "
                               f"answer within {timeout:.0f} s ({type(exc).__name__}: "
                               f"{str(exc)[:100]})") from None
        self.name = f"dask {address}"

    def run(self, tasks: Sequence[PointTask]) -> Iterator[Outcome]:
        from distributed import as_completed

        run = uuid.uuid4().hex[:8]  # keys are shared by every client of the scheduler
        futures = {self.client.submit(_guarded, task, key=f"simdesk-{task.key}-{run}",
                                      pure=False): task for task in heaviest_first(tasks)}
        for future in as_completed(list(futures)):
            task = futures[future]
            try:
                yield future.result()
            except Exception as exc:  # e.g. KilledWorker after dask's retries
                yield failure(task.key, exc)
            future.release()

    def close(self) -> None:
        if self.client is not None:
            self.client.close()
            self.client = None
        if self._cluster is not None:
            self._cluster.close()
            self._cluster = None


def _connect(client: Any, address: str, timeout: float) -> Any:
    """A dask client of ``address`` (checked to greet like a scheduler), its connection
    bounded by ``timeout``."""
    return client(address, timeout=timeout)
