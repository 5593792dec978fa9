"""The page shell: one Jinja2 template with autoescape, shared by the run and fit reports."""

from __future__ import annotations

from simdesk.report.shell import page


def test_names_are_escaped_once_and_the_body_is_kept() -> None:
    html = page("Desk <b>&</b> co", "<section id='x'>body</section>", [], "out/<dir>",
                footnote="See docs.", kind="fit report", by=" fit")
    assert "<title>Desk &lt;b&gt;&amp;&lt;/b&gt; co — simdesk fit report</title>" in html
    assert "<section id='x'>body</section>" in html
    assert "<code>out/&lt;dir&gt;</code>" in html
    assert "simdesk 0.1.0 fit on" in html or " fit on " in html
    assert 'font-family: system-ui, -apple-system, "Segoe UI"' in html  # CSS not escaped
    assert "var config = {" in html and "Plotly.newPlot" in html


def test_run_and_fit_reports_share_the_shell() -> None:
    import inspect

    from simdesk.report import fit_report, html

    for module in (html, fit_report):
        source = inspect.getsource(module)
        assert "<!DOCTYPE" not in source and "from simdesk.report.shell import" in source
