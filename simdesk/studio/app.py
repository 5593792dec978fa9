"""The Dash application and its local server.

Dash (Plotly's framework for pages of plotly figures, served by Flask, no JavaScript
build step) draws the page; Werkzeug's threaded server serves it on 127.0.0.1 only.
Requests whose ``Host`` (or, for a POST, ``Origin``) is not this machine's loopback
address are refused, so a web page elsewhere cannot drive the studio through the
browser (DNS rebinding, cross-site posts).
"""

from __future__ import annotations

import signal
import sys
import threading
import webbrowser
from collections.abc import Callable
from pathlib import Path
from types import FrameType
from urllib.parse import urlsplit

from dash import Dash
from flask import Flask, abort, request
from werkzeug.serving import BaseWSGIServer, make_server

from simdesk.studio import callbacks, layout
from simdesk.studio.state import Studio
from simdesk.studio.workspace import Workspace

HOST = "127.0.0.1"
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


def start_server(target: str | Path, *, port: int = 0, allow_code: bool = False
                 ) -> tuple[BaseWSGIServer, Studio]:
    """A server for the studio of ``target`` on 127.0.0.1 (``port`` 0: a free one); call
    ``serve_forever`` on it, then :meth:`Studio.close`."""
    studio = Studio(Workspace(target), allow_code=allow_code)
    app = build_app(studio)
    server = make_server(HOST, port, app.server, threaded=True)
    return server, studio


def serve(target: str | Path, *, port: int = 0, open_browser: bool = True,
          allow_code: bool = False, say: Callable[[str], None] = print) -> None:
    """Serve the studio until Ctrl+C (or SIGTERM); the scratch folder is removed then."""
    server, studio = start_server(target, port=port, allow_code=allow_code)
    url = f"http://{HOST}:{server.server_port}/"
    say(f"simdesk studio on {url} — folder {studio.workspace.root} (Ctrl+C stops it)")

    def stop(signum: int, frame: FrameType | None) -> None:
        raise KeyboardInterrupt

    previous = signal.signal(signal.SIGTERM, stop)
    if open_browser:
        threading.Thread(target=webbrowser.open, args=(url,), daemon=True).start()
    try:
        server.serve_forever()
    except KeyboardInterrupt:
        pass
    finally:
        signal.signal(signal.SIGTERM, previous)
        server.server_close()
        studio.close()
        sys.stdout.flush()
