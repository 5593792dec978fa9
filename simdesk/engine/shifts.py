"""Who is on the queue when: shifts and rotations (duty), breaks, and helpers who join
when the queue is long."""

from __future__ import annotations

from typing import Any

from simdesk.engine.entities import Agent, TierState
from simdesk.engine.state import DeskState


class Shifts(DeskState):
    """The section of :class:`~simdesk.engine.desk.Desk` for agents' hours."""

    def _schedule_duty(self) -> None:
        env = self.env
        for tier in self.tiers:
            for agent in tier.agents:
                duty = agent.plan.duty if self._duty is None else self._duty[agent.index]
                for begin, end in duty:
                    env.call(begin, self._duty_starts, (agent, end))
                    env.call(end, self._duty_ends, (agent, end))
                for due, length in agent.plan.breaks:
                    env.call(due, self._break_due, (agent, length))

    def _duty_starts(self, event: Any) -> None:
        agent, end = event.value
        now = self.env.now
        self._admit(now)
        if agent.helper is not None:  # their hours begin: they join only when needed
            agent.duty_end = end
            agent.allowance = agent.helper.cap * (end - now)
            agent.used = 0.0
            if not agent.on:
                self._call_helpers(agent.tier, now)
            return
        was_working = agent.busy and not agent.on
        agent.on = True
        agent.duty_end = end
        if was_working:
            agent.break_owed = 0.0
            return  # still finishing a ticket from before: the on-duty time runs on
        agent.on_since = now
        if self.log is not None:
            self.log.append((now, "on", None, agent.name))
        self._free(agent, now)

    def _duty_ends(self, event: Any) -> None:
        agent, end = event.value
        now = self.env.now
        self._admit(now)
        if not agent.on or agent.duty_end != end:
            return
        agent.tier.idle.pop(agent, None)
        if agent.busy:
            agent.on = False  # finishes the ticket(s) in hand, then goes off
        else:
            self._off(agent, now)

    def _break_due(self, event: Any) -> None:
        """A scheduled break: now if idle, else as soon as the ticket in hand is done."""
        agent, length = event.value
        now = self.env.now
        self._admit(now)
        if not agent.on or now >= agent.duty_end:
            return  # absent, in a meeting, or between shifts: no break to take
        if self.log is not None:
            self.log.append((now, "break", None, agent.name))
        agent.break_owed = length
        agent.on = False
        agent.tier.idle.pop(agent, None)
        if not agent.busy:
            self._off(agent, now)

    def _take_owed_break(self, agent: Agent, now: float) -> None:
        """The agent went off with a break owed: it ends ``break_owed`` later."""
        self.env.call(now + agent.break_owed, self._break_over, agent)
        agent.break_owed = 0.0

    def _break_over(self, event: Any) -> None:
        agent: Agent = event.value
        now = self.env.now
        self._admit(now)
        if agent.on or agent.busy or now >= agent.duty_end:
            return  # back already (a new shift began) or the shift is over
        agent.on = True
        agent.on_since = now
        if self.log is not None:
            self.log.append((now, "on", None, agent.name))
        self._free(agent, now)

    def _helper_budget(self, agent: Agent, now: float) -> float:
        """Minutes a helper may still spend in the queue in their current hours."""
        return agent.allowance - agent.used - (now - agent.on_since if agent.on else 0.0)

    def _helper_leaves(self, agent: Agent, now: float) -> bool:
        """Between tickets: the queue is short again, or the time budget is spent."""
        assert agent.helper is not None
        return (agent.tier.waiting <= agent.helper.leaves_at
                or self._helper_budget(agent, now) <= 0)

    def _call_helpers(self, tier: TierState, now: float) -> None:
        """The queue reached a helper's threshold: those available (in their hours, with
        time left in their budget) join."""
        for agent in tier.helpers:
            rule = agent.helper
            assert rule is not None
            if (agent.on or agent.busy or now >= agent.duty_end or tier.waiting < rule.joins_at
                    or self._helper_budget(agent, now) <= 0):
                continue
            agent.on = True
            agent.on_since = now
            if self.log is not None:
                self.log.append((now, "joins", None, agent.name))
            self._free(agent, now)
