"""A FIFO routing policy that can misbehave on purpose, for the sweep tests.

A sweep varies its options by key path (``routing.options.crash: [false, true]``):

* ``sleep``: seconds to sleep before the point runs (slow points that cost no CPU);
* ``crash``: kill the worker process running the point (as the OOM killer would);
* ``fail``: raise an unexpected exception while the point runs (a bug, not an input
  problem; a failure while the policy is built is reported as an input problem);
* ``fail_while``: raise while this file exists (a transient failure, fixed by deleting it);
* ``mark``: create this file when the point starts (to see which points have started).
"""

from __future__ import annotations

import os
import signal
import time
from pathlib import Path
from typing import Any

from simdesk.policies import Fifo

REFERENCE = "tests.experiments.probe_policy:Probe"


class Probe(Fifo):
    name = "probe"

    def __init__(self, sleep: float = 0.0, crash: bool = False, fail: bool = False,
                 fail_while: str | None = None, mark: str | None = None) -> None:
        if mark is not None:
            Path(mark).touch()
        if crash:
            os.kill(os.getpid(), signal.SIGKILL)
        self.fail = fail
        if fail_while is not None and Path(fail_while).exists():
            raise RuntimeError(f"the probe policy fails while {fail_while} exists")
        time.sleep(sleep)

    def queue(self, plan: Any, tier: Any, agents: Any) -> Any:
        if self.fail:
            raise RuntimeError("the probe policy failed on purpose")
        return super().queue(plan, tier, agents)
