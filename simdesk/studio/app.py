"""The Dash application.

Dash (Plotly's framework for pages of plotly figures, served by Flask, no JavaScript
build step) draws the page. Requests whose ``Host`` (or, for a POST, ``Origin``) is not
this machine's loopback address are refused, so a web page elsewhere cannot drive the
studio through the browser (DNS rebinding, cross-site posts).
"""

from __future__ import annotations

from pathlib import Path
from urllib.parse import urlsplit

from dash import Dash
from flask import Flask, abort, request

from simdesk.studio import callbacks, layout
from simdesk.studio.state import Studio

LOOPBACK_NAMES = ("127.0.0.1", "localhost")


def build_app(studio: Studio) -> Dash:
    """The page and its callbacks over ``studio``."""
    app = Dash(__name__, title="simdesk studio", update_title="", serve_locally=True,
               assets_folder=str(Path(__file__).parent / "no-assets"),
               include_assets_files=False)
    app.index_string = layout.INDEX
    app.layout = lambda: layout.page(studio)
    callbacks.register(app, studio)

    def loopback_only() -> None:
        if urlsplit(f"//{request.host}").hostname not in LOOPBACK_NAMES:
            abort(403)
        origin = request.headers.get("Origin")
        if request.method != "GET" and origin and urlsplit(origin).hostname not in (
                LOOPBACK_NAMES):
            abort(403)

    server: Flask = app.server
    server.before_request(loopback_only)
    return app
