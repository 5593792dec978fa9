"""Step 8a of the flow: what the terminal shows (rich)."""
