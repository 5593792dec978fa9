"""Step 2 of the flow: compile a :class:`~simdesk.scenario.schema.Scenario` into an
immutable :class:`~simdesk.plan.model.DeskPlan` (indices, duty intervals, rates), and
diagnose it before anything runs."""
