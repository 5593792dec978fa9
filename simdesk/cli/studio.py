"""``studio``: the what-if page in the browser."""

from __future__ import annotations

from pathlib import Path

import click

from simdesk.cli.common import reports_errors


@click.command()
@click.argument("target", metavar="[SCENARIO.yaml | FOLDER]", required=False, default=".",
                type=click.Path(path_type=Path))
@click.option("--port", type=click.IntRange(0, 65535), default=0, show_default=True,
              help="Port on 127.0.0.1 (0: a free one).")
@click.option("--no-browser", is_flag=True, help="Do not open the browser.")
@click.option("--allow-code", is_flag=True,
              help="Let scenarios name your own policy classes (module:Class); without it "
                   "the studio imports no code.")
@reports_errors
def studio(target: Path, port: int, no_browser: bool, allow_code: bool) -> None:
    """Edit, run and compare plans for a scenario in the browser: a local page on
    127.0.0.1 that reads and saves scenarios only inside their folder (default: the
    current folder)."""
    from simdesk.policies.custom import allow_code as set_allow_code
    from simdesk.studio.server import serve

    set_allow_code(allow_code)
    serve(target, port=port, open_browser=not no_browser, allow_code=allow_code,
          say=lambda line: click.echo(line))
