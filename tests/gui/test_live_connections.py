"""The sessions view's live connection list and traffic plot with real jailed traffic.

Runs only inside the fake internet (DESIGN §6): ``tests/integration/test_app_gui_net.py``
builds it and runs this file as the desktop user in its host namespace, with
``SL_FAKE_INTERNET=1`` (tests/gui/conftest.py leaves it out otherwise). The client is a
stdlib Python in the session's jail: it talks to the fake zoom.us, asks for a refused
name and knocks on a refused address directly, then keeps talking until stopped.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from conftest import WAIT_MS, confirm_stop
from PySide6.QtCore import Qt
from pytestqt.qtbot import QtBot

from sandbox_launcher.ui.app import App

ZOOM = "198.51.100.10"  # the fake internet's zoom.us (sandbox_launcher/verify/fake_internet.py)
EVIL = "198.51.100.66"  # evil.example: a refused name, knocked on by address

CLIENT = f"""
import socket, time
def knock(host, port):
    try:
        with socket.create_connection((host, port), timeout=2) as s:
            s.sendall(b"hello from the sandbox\\n" * 64)
            return s.recv(100)
    except OSError as exc:
        return exc
for _ in range(3):
    knock("zoom.us", 443)
knock("evil.example", 443)
knock("{EVIL}", 443)
while True:
    knock("zoom.us", 443)
    time.sleep(0.5)
"""


@pytest.fixture
def net_profile(profiles_dir: Path) -> str:
    """An allowlist profile for zoom.us on tcp/443 whose client is the knocker above."""
    (profiles_dir / "knocker.toml").write_text(
        'title = "Knocker"\n'
        f'command = ["/usr/bin/python3", "-c", {json.dumps(CLIENT)}]\n'
        '[network]\nmode = "allowlist"\ndomains = ["zoom.us", "*.zoom.us"]\n'
        'ports = ["tcp/443"]\n', encoding="utf-8")
    return "knocker"


def _rows(app: App) -> list[list[str]]:
    table = app.window.sessions.connections
    return [[table.item(r, c).text() for c in range(table.columnCount())]
            for r in range(table.rowCount())]


def test_connection_list_and_plot_follow_real_jailed_traffic(
        net_profile: str, app: App, qtbot: QtBot, artifacts: Path) -> None:
    # (net_profile first: the app reads the profile folder when it is built)
    app.window.show()
    qtbot.waitUntil(lambda: net_profile in app.window.profiles, timeout=WAIT_MS)
    app.window.profile_list.select(net_profile)
    with qtbot.waitSignal(app.window.session_started, timeout=WAIT_MS) as started:
        qtbot.mouseClick(app.window.launch_panel.launch_button, Qt.MouseButton.LeftButton)
    session_id = str(started.args[0])
    view = app.window.sessions
    assert view.selected_id() == session_id

    def zoom_row() -> list[str] | None:
        return next((r for r in _rows(app) if r[1] == f"{ZOOM} tcp/443"), None)

    def evil_row() -> list[str] | None:
        return next((r for r in _rows(app) if r[1].startswith(f"{EVIL} tcp/443")), None)

    # live, while the session runs: the allowed server by name, with bytes both ways ...
    qtbot.waitUntil(lambda: (row := zoom_row()) is not None and row[4] != "0 B",
                    timeout=WAIT_MS)
    row = zoom_row()
    assert row is not None
    assert row[0] == "zoom.us" and row[5] == "allowed", row
    assert row[3] != "0 B" and row[4] != "0 B", row
    # ... and the address knocked on directly, blocked, with the rule in the tooltip
    qtbot.waitUntil(lambda: evil_row() is not None, timeout=WAIT_MS)
    blocked = evil_row()
    assert blocked is not None and blocked[5] == "blocked", blocked
    table = view.connections
    tips = [table.item(r, 0).toolTip() for r in range(table.rowCount())
            if table.item(r, 1).text().startswith(EVIL)]
    assert tips and all(tips), "a blocked row without the rule that blocked it"
    # the plot has real points: bytes went out and came in between snapshots
    qtbot.waitUntil(lambda: len(view.traffic.series) >= 3, timeout=WAIT_MS)
    assert any(p.bytes_out > 0 and p.bytes_in > 0 for p in view.traffic.series)
    assert service_entry_running(app, session_id)
    app.window.grab().save(str(artifacts / "window-live-connections.png"))

    qtbot.waitUntil(view.stop_button.isEnabled, timeout=WAIT_MS)
    qtbot.mouseClick(view.stop_button, Qt.MouseButton.LeftButton)
    confirm_stop(qtbot)
    qtbot.waitUntil(lambda: view.summary.text().startswith("Contacted"), timeout=WAIT_MS)
    summary = view.summary.text()
    assert summary.startswith("Contacted 1 host in 1 country (unknown), blocked 1;"), summary
    assert "blocked 0;" not in summary and "wipe verified." in summary, summary
    # the stand-in's look-up of a name outside the allowlist is named; its exit status is
    # not (the user stopped it: 143 is that stop, no trouble of the client's)
    assert summary.endswith("wipe verified. Names outside the allowlist refused: 1."), summary
    # after the end the list is the report's: still the same two destinations
    assert zoom_row() is not None and evil_row() is not None
    app.window.grab().save(str(artifacts / "window-connections-summary.png"))


def service_entry_running(app: App, session_id: str) -> bool:
    """Whether the app service still has the session live (the client loops until stopped)."""
    return app.bridge.service.entry(session_id).outcome is None
