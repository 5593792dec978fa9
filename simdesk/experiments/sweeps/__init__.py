"""Sweeps: one base scenario run many times with parameters changed by key path."""
