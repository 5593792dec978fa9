"""Step 9 of the flow: the ``simdesk`` command, a thin shell over the library."""

from simdesk.cli.commands import console_main, main

__all__ = ["console_main", "main"]
