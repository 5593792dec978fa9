"""The studio's local server: bound to 127.0.0.1 before anything heavy is imported.

The socket is bound first, so a port in use is a one-line error, and the address is
printed and the browser opened while Dash and the page are still being imported (the
browser's start overlaps them); the browser's first request waits in the socket's queue.
Werkzeug's threaded server then serves the Dash app on that socket until Ctrl+C or
SIGTERM, and the studio's scratch folder is removed.
"""

from __future__ import annotations

import logging
import signal
import socket
import threading
import webbrowser
from collections.abc import Callable
from pathlib import Path
from types import FrameType
from typing import TYPE_CHECKING

from simdesk.errors import SimdeskError
from simdesk.studio.workspace import Workspace

if TYPE_CHECKING:
    from werkzeug.serving import BaseWSGIServer

    from simdesk.studio.state import Studio

HOST = "127.0.0.1"
"""The only address the studio listens on."""


def bind_loopback(port: int) -> socket.socket:
    """A listening socket on 127.0.0.1:``port`` (0: a free port)."""
    listening = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    try:
        listening.bind((HOST, port))
        listening.listen(128)
    except OSError as exc:
        listening.close()
        raise SimdeskError(f"cannot listen on {HOST}:{port}: {exc.strerror or exc}; choose "
                           "another --port (0: a free one)") from None
    return listening


def start_server(target: str | Path, *, port: int = 0, allow_code: bool = False,
                 listening: socket.socket | None = None) -> tuple[BaseWSGIServer, Studio]:
    """The studio of ``target`` served on 127.0.0.1; call ``serve_forever`` on the server,
    then :meth:`Studio.close`."""
    from werkzeug.serving import make_server

    from simdesk.studio.app import build_app
    from simdesk.studio.state import Studio

    workspace = Workspace(target)
    listening = listening or bind_loopback(port)
    studio = Studio(workspace, allow_code=allow_code)
    server = make_server(HOST, listening.getsockname()[1], build_app(studio).server,
                         threaded=True, fd=listening.fileno())
    listening.close()  # the server holds its own duplicate of the socket
    return server, studio


def serve(target: str | Path, *, port: int = 0, open_browser: bool = True,
          allow_code: bool = False, say: Callable[[str], None] = print) -> None:
    """Serve the studio of ``target`` until Ctrl+C (or SIGTERM)."""
    workspace = Workspace(target)  # a missing target fails before anything is bound
    listening = bind_loopback(port)
    url = f"http://{HOST}:{listening.getsockname()[1]}/"
    say(f"simdesk studio on {url} — folder {workspace.root} (Ctrl+C stops it)")
    if open_browser:
        threading.Thread(target=webbrowser.open, args=(url,), daemon=True).start()

    def stop(signum: int, frame: FrameType | None) -> None:
        raise KeyboardInterrupt

    logging.getLogger("werkzeug").setLevel(logging.WARNING)  # not a line per request
    previous = signal.signal(signal.SIGTERM, stop)
    studio: Studio | None = None
    try:
        server, studio = start_server(target, allow_code=allow_code, listening=listening)
        try:
            server.serve_forever()
        finally:
            server.server_close()
    except KeyboardInterrupt:
        pass
    finally:
        signal.signal(signal.SIGTERM, previous)
        listening.close()
        if studio is not None:
            studio.close()
