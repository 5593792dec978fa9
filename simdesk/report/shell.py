"""The HTML page shell of every report (run, comparison, sweep and fit): one Jinja2
template (``templates/page.html`` with its style sheet and figure loader) rendered with
autoescape, and the section that holds one chart.

Names, titles and paths given to :func:`page` are escaped by the template; ``body`` is
HTML the report built (its blocks escape what they show with
:func:`simdesk.report.style.text`).
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Sequence
from functools import cache

import plotly.io as pio
from jinja2 import Environment, PackageLoader, Template
from markupsafe import Markup
from plotly.offline import get_plotlyjs

from simdesk import __version__
from simdesk.report.figures import Chart
from simdesk.report.style import CONFIG, FONT


@cache
def _template() -> Template:
    environment = Environment(loader=PackageLoader("simdesk.report", "templates"),
                              autoescape=True, keep_trailing_newline=True)
    return environment.get_template("page.html")


def page(title: str, body: str, charts: Sequence[Chart], source: str, *, kind: str = "report",
         by: str = "", footnote: str, extra_style: str = "") -> str:
    """The whole HTML document: ``body`` (trusted HTML) in the shell, with plotly and the
    loader that draws every chart of ``charts``. ``kind`` ends the window title
    (``report``, ``fit report``); ``by`` follows the version in the footer (`` fit``)."""
    return _template().render(
        title=title, kind=kind, version=__version__, by=by, source=source,
        stamp=dt.datetime.now().strftime("%Y-%m-%d %H:%M"), footnote=footnote,
        body=Markup(body),
        figures=" ".join(chart.id for chart in charts),
        font=Markup(FONT),
        extra_style=Markup(extra_style),
        plotly=Markup(get_plotlyjs()),
        config=CONFIG,
    )


def figure_section(chart: Chart) -> str:
    """The section of one chart: title, sentence, the figure's div and its JSON."""
    spec = json.loads(pio.to_json(chart.figure, validate=False, remove_uids=True))
    spec["layout"].pop("template", None)
    data = json.dumps({"data": spec["data"], "layout": spec["layout"]},
                      separators=(",", ":"), allow_nan=False, default=str)
    data = data.replace("<", "\\u003c").replace(">", "\\u003e").replace("&", "\\u0026")
    note = f'<p class="note">{chart.note}</p>' if chart.note else ""
    return (f'<section class="chart" id="section-{chart.id}">'
            f'<h2>{chart.title}</h2><p class="lead">{chart.sentence}</p>'
            f'<div class="figure" id="{chart.id}"></div>'
            f'<script type="application/json" data-figure="{chart.id}">{data}</script>'
            f"{note}</section>")


__all__ = ["figure_section", "page"]
