"""The server: loopback only, the page on every shipped scenario, the command line, and
no dash at CLI start."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner

from simdesk.cli import main
from simdesk.studio.app import build_app
from simdesk.studio.server import HOST, bind_loopback, start_server
from simdesk.studio.state import Studio
from simdesk.studio.workspace import Workspace

REPO = Path(__file__).resolve().parents[2]


@pytest.fixture
def studio() -> Studio:
    made = Studio(Workspace(REPO / "scenarios" / "saas-startup.yaml"))
    yield made  # type: ignore[misc]
    made.close()
    assert not made.scratch.exists()


def test_the_page_and_its_layout(studio: Studio) -> None:
    client = build_app(studio).server.test_client()
    page = client.get("/", headers={"Host": "127.0.0.1:8050"})
    assert page.status_code == 200 and b"simdesk studio" in page.data
    layout = client.get("/_dash-layout", headers={"Host": "localhost:8050"})
    text = json.dumps(layout.get_json())
    assert "saas-startup.yaml" in text and "Mon-Fri 07:30-15:30" in text
    assert "\\u2713 valid" in text or "✓ valid" in text


@pytest.mark.parametrize(("headers", "method"), [
    ({"Host": "evil.example:8050"}, "get"),  # DNS rebinding
    ({"Host": "127.0.0.1:8050", "Origin": "http://evil.example"}, "post"),  # cross-site
])
def test_other_sites_are_refused(studio: Studio, headers: dict[str, str], method: str) -> None:
    client = build_app(studio).server.test_client()
    answer = getattr(client, method)("/_dash-update-component", headers=headers, json={})
    assert answer.status_code == 403


@pytest.mark.parametrize("path", sorted(REPO.glob("scenarios/*.yaml")), ids=lambda p: p.name)
def test_every_shipped_scenario_opens(path: Path) -> None:
    made = Studio(Workspace(path))
    try:
        client = build_app(made).server.test_client()
        layout = client.get("/_dash-layout", headers={"Host": "127.0.0.1"}).get_json()
        assert path.name in json.dumps(layout)
        assert "valid" in json.dumps(layout)
    finally:
        made.close()


def test_binds_to_loopback_only() -> None:
    server, made = start_server(REPO / "scenarios", port=0)
    try:
        assert server.server_address[0] == HOST == "127.0.0.1"
        assert server.server_address[1] > 0
        assert made.workspace.initial == "bad-month.yaml"
    finally:
        server.server_close()
        made.close()


def test_a_port_in_use_is_a_clear_error() -> None:
    taken = bind_loopback(0)
    port = taken.getsockname()[1]
    try:
        result = CliRunner().invoke(main, ["studio", str(REPO / "scenarios"), "--no-browser",
                                           "--port", str(port)])
    finally:
        taken.close()
    assert result.exit_code == 2
    assert result.output.startswith(f"Error: cannot listen on 127.0.0.1:{port}: ")
    assert "choose another --port" in result.output


def test_cli_refuses_a_missing_target(tmp_path: Path) -> None:
    result = CliRunner().invoke(main, ["studio", str(tmp_path / "nope.yaml"), "--no-browser"])
    assert result.exit_code == 2
    assert result.output.strip() == f"Error: {tmp_path / 'nope.yaml'}: no such file or folder"


def test_the_cli_does_not_load_dash() -> None:
    code = ("import sys, simdesk.cli; "
            "print(sorted(m for m in sys.modules if m.split('.')[0] in ('dash', 'flask')))")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                         check=True).stdout
    assert out.strip() == "[]"
