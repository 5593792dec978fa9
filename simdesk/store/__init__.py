"""Step 7 of the flow: results folders on disk, written and read in one place."""
