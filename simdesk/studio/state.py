"""The studio's server-side state: the folder, whether code may run, the scratch folder
for results, the jobs, and the results folder of each variant's latest run."""

from __future__ import annotations

import shutil
import tempfile
import threading
from pathlib import Path
from typing import TYPE_CHECKING

from simdesk.studio.jobs import Jobs
from simdesk.studio.workspace import Workspace

if TYPE_CHECKING:
    from simdesk.studio.work import Settings

BASELINE = "today"
"""The name of the first variant: the scenario as the file holds it."""


class Studio:
    """One studio: one folder, served to one user on this machine."""

    def __init__(self, workspace: Workspace, *, allow_code: bool = False) -> None:
        self.workspace = workspace
        self.allow_code = allow_code
        self.scratch = Path(tempfile.mkdtemp(prefix="simdesk-studio-"))
        self.jobs = Jobs()
        self._lock = threading.Lock()
        self._results: dict[tuple[str, str], Path] = {}

    def settings(self, file: str) -> Settings:
        from simdesk.studio.work import Settings

        return Settings(file, self.workspace.path(file).parent, self.scratch, self.allow_code)

    def remember(self, file: str, variant: str, folder: Path) -> None:
        """``folder`` holds the latest results of ``variant`` of ``file``."""
        with self._lock:
            self._results[(file, variant)] = folder

    def results_of(self, file: str, variant: str) -> Path | None:
        with self._lock:
            return self._results.get((file, variant))

    def close(self) -> None:
        """Ask a running job to stop and remove the scratch folder."""
        job = self.jobs.current()
        if job is not None:
            self.jobs.cancel(job.id)
            self.jobs.wait(job.id, 5.0)
        shutil.rmtree(self.scratch, ignore_errors=True)
