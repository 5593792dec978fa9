"""Step 3 of the flow: every random draw, made before the engine runs (common random
numbers). The only place a :class:`numpy.random.Generator` is created."""
