"""Your own routing policy: a class referenced from YAML as ``package.module:Class``.

Two ways to write one:

* the full protocol — a class with ``name`` and ``queue(plan, tier, agents)`` returning
  an object with ``push``, ``pop``, ``__len__`` and ``__iter__`` (see
  :mod:`simdesk.policies.base`), like the built-ins;
* the short way — subclass :class:`ChoosingPolicy` and write ``choose(waiting, agent,
  now)``: given the waiting tickets (oldest first) and a free agent, return the ticket
  it takes, or ``None``.

``options:`` in the YAML are passed to the class as keyword arguments.

**A scenario is data: it runs no code unless you say so.** A ``module:Class`` reference
is imported only when code is allowed — ``--allow-code`` on the command line, the
environment variable ``SIMDESK_ALLOW_CODE=1``, or ``allow-code = true`` under
``[tool.simdesk]`` in the ``pyproject.toml`` of the current directory (a file you own) —
and only a class that implements the policy protocol (checked, with its method
signatures, before it is built) is accepted. The module is looked up on ``PYTHONPATH``,
then beside the scenario file, then in the current directory; the last two are added at
the *end* of the import path, so a module there can never shadow an installed one.
"""

from __future__ import annotations

import importlib
import inspect
import os
import sys
import tomllib
from collections.abc import Iterator, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

from simdesk.errors import SimdeskError
from simdesk.policies.base import Entries

if TYPE_CHECKING:
    from simdesk.engine.entities import Agent, Ticket
    from simdesk.plan.model import DeskPlan, TierPlan
    from simdesk.policies.base import Policy

ALLOW_CODE_ENV = "SIMDESK_ALLOW_CODE"
"""Set to ``1`` to allow ``module:Class`` policies (``--allow-code`` sets it for the run
and for the worker processes it starts)."""

HOW_TO_ALLOW = ("a scenario runs no code by default; if you trust this policy module, run "
                "again with --allow-code (or set SIMDESK_ALLOW_CODE=1, or allow-code = true "
                "under [tool.simdesk] in ./pyproject.toml)")


class ChoosingQueue:
    """Waiting tickets in arrival order; the policy's ``choose`` picks one.

    Tickets are kept as :class:`~simdesk.policies.base.Entries` of the tier: a ticket
    taken from here and later waiting at the next tier (or back with a follow-up) is
    not offered again through its old entry.
    """

    __slots__ = ("_choose", "_tickets")

    def __init__(self, choose: Any) -> None:
        self._tickets = Entries()
        self._choose = choose

    def push(self, ticket: Ticket, now: float) -> None:
        self._tickets.push(ticket)

    def pop(self, agent: Agent, now: float) -> Ticket | None:
        self._tickets.compact()
        waiting = [t for t in self._tickets if t.abandon_at > now]
        return self._choose(waiting, agent, now) if waiting else None

    def __len__(self) -> int:
        return len(self._tickets)

    def __iter__(self) -> Iterator[Ticket]:
        return iter(self._tickets)


class ChoosingPolicy:
    """Base class for a policy written as one ``choose`` method."""

    name = "custom"

    def choose(self, waiting: Sequence[Ticket], agent: Agent, now: float) -> Ticket | None:
        """The ticket ``agent`` takes now (one of ``waiting``, oldest first), or None."""
        raise NotImplementedError

    def queue(self, plan: DeskPlan, tier: TierPlan, agents: Sequence[Agent]) -> ChoosingQueue:
        return ChoosingQueue(self.choose)


def allow_code(allowed: bool = True) -> None:
    """Allow (or forbid again) ``module:Class`` policies in this process and the worker
    processes it starts."""
    if allowed:
        os.environ[ALLOW_CODE_ENV] = "1"
    else:
        os.environ.pop(ALLOW_CODE_ENV, None)


def code_allowed() -> bool:
    """Whether the user allowed scenarios to name policy classes (see the module doc)."""
    if os.environ.get(ALLOW_CODE_ENV, "").strip().lower() in ("1", "true", "yes"):
        return True
    project = Path.cwd() / "pyproject.toml"
    try:
        settings = tomllib.loads(project.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, tomllib.TOMLDecodeError):
        return False
    tool = settings.get("tool", {})
    section = tool.get("simdesk", {}) if isinstance(tool, dict) else {}
    return isinstance(section, dict) and section.get("allow-code") is True


def _import(reference: str, module_name: str, folders: Sequence[Path]) -> Any:
    """The module, looked up on the path, then in ``folders`` (appended, never first)."""
    added = [str(f) for f in folders if str(f) not in sys.path]
    sys.path.extend(added)
    try:
        return importlib.import_module(module_name)
    except (Exception, SystemExit) as exc:  # user code: any failure is the user's to fix
        raise SimdeskError(f"policy {reference!r}: cannot import {module_name!r}: "
                           f"{type(exc).__name__}: {exc}") from exc
    finally:
        for folder in added:
            sys.path.remove(folder)


def _takes(function: Any, names: Sequence[str]) -> bool:
    """Whether ``function`` (a bound method) can be called with ``names`` positionally."""
    try:
        inspect.signature(function).bind(*names)
    except (TypeError, ValueError):
        return False
    return True


def _check_protocol(reference: str, cls: Any, options: dict[str, Any]) -> None:
    """Refuse anything but a policy class, before building it."""
    if not inspect.isclass(cls):
        raise SimdeskError(f"policy {reference!r} is not a class; name a policy class "
                           "(subclass simdesk.policies.ChoosingPolicy)")
    if issubclass(cls, ChoosingPolicy):
        if cls.choose is ChoosingPolicy.choose:
            raise SimdeskError(f"policy {reference!r} does not define choose(waiting, agent, "
                               "now)")
        if not _takes(cls.choose, ("self", "waiting", "agent", "now")):
            raise SimdeskError(f"policy {reference!r}: choose must take (waiting, agent, now), "
                               f"not {inspect.signature(cls.choose)}")
    queue = inspect.getattr_static(cls, "queue", None)
    if not callable(queue) or isinstance(queue, (staticmethod, classmethod)):
        raise SimdeskError(f"policy {reference!r} is not a routing policy: it has no "
                           "queue(plan, tier, agents) method; subclass "
                           "simdesk.policies.ChoosingPolicy and write choose(waiting, agent, "
                           "now)")
    if not _takes(queue, ("self", "plan", "tier", "agents")):
        raise SimdeskError(f"policy {reference!r}: queue must take (plan, tier, agents), "
                           f"not {inspect.signature(queue)}")
    try:
        inspect.signature(cls).bind(**options)
    except TypeError as exc:
        raise SimdeskError(f"policy {reference!r} does not take these options: "
                           f"{exc}") from exc
    except ValueError:
        pass  # a signature inspect cannot read: building it will tell


def load_policy(reference: str, options: dict[str, Any],
                folder: Path | None = None) -> Policy:
    """Import ``package.module:Class`` (when code is allowed) and build it with ``options``.

    ``folder`` is where the scenario file lies; the module is also looked up there.
    """
    if not code_allowed():
        raise SimdeskError(f"policy {reference!r} names Python code: {HOW_TO_ALLOW}")
    module_name, _, class_name = reference.partition(":")
    folders = [f for f in (folder, Path.cwd()) if f is not None]
    module = _import(reference, module_name, folders)
    cls = getattr(module, class_name, None)
    if cls is None:
        raise SimdeskError(f"policy {reference!r}: module {module_name!r} has no "
                           f"{class_name!r}")
    _check_protocol(reference, cls, options)
    try:
        policy = cls(**options)
    except (Exception, SystemExit) as exc:
        raise SimdeskError(f"policy {reference!r} could not be built with these options: "
                           f"{type(exc).__name__}: {exc}") from exc
    if getattr(policy, "name", None) in (None, ChoosingPolicy.name):
        policy.name = reference  # results must say which policy ran
    return policy  # type: ignore[no-any-return]
