"""The ``simdesk`` command invoked in-process, as the CLI tests call it."""

from __future__ import annotations

from pathlib import Path

from click.testing import CliRunner, Result

from simdesk.cli import main


def simdesk(*args: str | Path) -> Result:
    """``simdesk ARGS`` through click's runner."""
    return CliRunner().invoke(main, [str(a) for a in args])


def ok(*args: str | Path) -> str:
    """The output of a command that succeeded."""
    result = simdesk(*args)
    assert result.exit_code == 0, result.output
    return result.output


def refused(*args: str | Path) -> str:
    """The one-line error of a command refused with exit status 2 (no traceback)."""
    result = simdesk(*args)
    assert result.exit_code == 2, result.output
    assert "Traceback" not in result.output
    return " ".join(result.output.split())


__all__ = ["ok", "refused", "simdesk"]
