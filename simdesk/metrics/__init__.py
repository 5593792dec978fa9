"""Step 5 of the flow: engine records → tables → per-replication metrics → summary."""
