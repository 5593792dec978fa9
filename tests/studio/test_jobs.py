"""Background jobs: progress, cancel at the next step, failures kept as messages, one at
a time."""

from __future__ import annotations

import threading

import pytest

from simdesk.errors import SimdeskError
from simdesk.studio.jobs import Job, Jobs


def test_progress_and_result() -> None:
    jobs = Jobs()

    def work(job: Job) -> str:
        for done in range(1, 4):
            job.progress(done, 3, "counting")
        return "answer"

    job = jobs.start("run", "a count", work)
    finished = jobs.wait(job.id, 10)
    assert finished is job and job.status == "done" and job.result == "answer"
    assert (job.done, job.total, job.step) == (3, 3, "counting")


def test_cancel_stops_at_the_next_step_and_another_job_may_start() -> None:
    jobs = Jobs()
    started, release = threading.Event(), threading.Event()
    steps: list[int] = []

    def work(job: Job) -> None:
        for done in range(1, 1000):
            job.progress(done, 999)
            steps.append(done)
            started.set()
            release.wait(5)

    job = jobs.start("run", "a long run", work)
    assert started.wait(5)
    with pytest.raises(SimdeskError, match="a long run is still running"):
        jobs.start("run", "another", lambda job: None)
    assert jobs.cancel(job.id)
    release.set()
    jobs.wait(job.id, 10)
    assert job.status == "cancelled" and job.message == "cancelled after 2 of 999"
    assert steps == [1]  # the second step asked, was told to stop, and stopped
    assert not jobs.cancel(job.id)
    assert jobs.current() is None
    assert jobs.wait(jobs.start("run", "next", lambda job: 1).id, 10).result == 1  # type: ignore[union-attr]


@pytest.mark.parametrize(("error", "message"), [
    (SimdeskError("bad input"), "bad input"),
    (ZeroDivisionError("division by zero"), "internal error (ZeroDivisionError): division by zero"),
])
def test_a_failure_is_a_message(error: Exception, message: str,
                                capsys: pytest.CaptureFixture[str]) -> None:
    jobs = Jobs()

    def work(job: Job) -> None:
        raise error

    job = jobs.start("run", "a failing run", work)
    jobs.wait(job.id, 10)
    assert job.status == "failed" and job.message == message
    traceback = "Traceback" in capsys.readouterr().err
    assert traceback == (not isinstance(error, SimdeskError))  # a bug is logged in full
