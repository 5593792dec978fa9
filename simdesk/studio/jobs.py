"""One piece of work at a time in a background thread, with progress and cancel.

The page starts a job (a run, the plans, staffing), polls its progress and may cancel
it. The work receives a progress hook; the hook raises :class:`Cancelled` once cancel
was asked, so a run stops at its next replication (a staffing search at its next
simulation). Whatever the work raises is kept as the job's message: the server keeps
serving (a :class:`SimdeskError` is the user's input, anything else a bug, logged with
its traceback).
"""

from __future__ import annotations

import sys
import threading
import time
import traceback
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any, Literal

from simdesk.errors import ScenarioError, SimdeskError

Status = Literal["running", "done", "failed", "cancelled"]


class Cancelled(Exception):  # noqa: N818 - a request, not an error
    """Raised by a job's progress hook once its cancel was asked."""


@dataclass
class Job:
    """A piece of work and how far it got."""

    id: int
    kind: str
    label: str
    done: int = 0
    total: int = 0
    step: str = ""
    status: Status = "running"
    message: str = ""
    result: Any = None
    started: float = field(default_factory=time.monotonic)
    seconds: float = 0.0
    cancel_asked: threading.Event = field(default_factory=threading.Event)

    def progress(self, done: int, total: int, step: str = "") -> None:
        """The hook the work calls; raises :class:`Cancelled` once cancel was asked."""
        self.done, self.total = done, total
        if step:
            self.step = step
        if self.cancel_asked.is_set():
            raise Cancelled

    @property
    def elapsed(self) -> float:
        """Seconds since the job started."""
        return time.monotonic() - self.started

    @property
    def running(self) -> bool:
        return self.status == "running"


Work = Callable[[Job], Any]


def describe_error(exc: BaseException) -> str:
    """One message for the page: the user's input problems as ``simdesk validate`` says
    them, anything else named as a bug."""
    if isinstance(exc, ScenarioError):
        return "\n".join(str(p) for p in exc.problems)
    if isinstance(exc, SimdeskError):
        return str(exc)
    return f"internal error ({type(exc).__name__}): {exc}"


class Jobs:
    """The studio's jobs: at most one running."""

    KEEP = 20
    """Finished jobs remembered (their results stay downloadable)."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._jobs: dict[int, Job] = {}
        self._next = 1

    def start(self, kind: str, label: str, work: Work) -> Job:
        """Start ``work`` in a thread; :class:`SimdeskError` if a job is running."""
        with self._lock:
            busy = next((j for j in self._jobs.values() if j.running), None)
            if busy is not None:
                raise SimdeskError(f"{busy.label} is still running: wait, or cancel it")
            job = Job(self._next, kind, label)
            self._next += 1
            self._jobs[job.id] = job
            for old in sorted(self._jobs)[:-self.KEEP]:
                del self._jobs[old]
        thread = threading.Thread(target=self._run, args=(job, work), daemon=True,
                                  name=f"studio-job-{job.id}")
        thread.start()
        return job

    @staticmethod
    def _run(job: Job, work: Work) -> None:
        try:
            job.result = work(job)
            job.status = "done"
        except Cancelled:
            job.status = "cancelled"
            job.message = f"cancelled after {job.done} of {job.total}" if job.total else (
                "cancelled")
        except Exception as exc:  # a run must never take the server down
            if not isinstance(exc, SimdeskError):
                traceback.print_exc(file=sys.stderr)
            job.status = "failed"
            job.message = describe_error(exc)
        finally:
            job.seconds = time.monotonic() - job.started

    def current(self) -> Job | None:
        """The running job, if any."""
        with self._lock:
            return next((j for j in self._jobs.values() if j.running), None)

    def get(self, job_id: int | None) -> Job | None:
        return None if job_id is None else self._jobs.get(job_id)

    def cancel(self, job_id: int | None) -> bool:
        """Ask the job to stop; False if it is not running."""
        job = self.get(job_id)
        if job is None or not job.running:
            return False
        job.cancel_asked.set()
        return True

    def wait(self, job_id: int, timeout: float) -> Job | None:
        """Wait until the job has finished (for tests and the benchmark)."""
        deadline = time.monotonic() + timeout
        job = self.get(job_id)
        while job is not None and job.running and time.monotonic() < deadline:
            time.sleep(0.02)
        return job
