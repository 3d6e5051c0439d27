"""Sharing a window from the launch panel: the host's windows listed by title, the grant
in a real session (nested Xephyr and the mirror on this test's Xvfb), the indicators in the
sessions list and the tray, and the policy's lock."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from conftest import WAIT_MS, close_app
from PySide6.QtCore import QLocale, Qt
from pytestqt.qtbot import QtBot
from Xlib import X, display

from sandbox_launcher.session.live import Indicator
from sandbox_launcher.session.service import SessionService
from sandbox_launcher.ui.app import App, build
from sandbox_launcher.ui.sessions_view import DEVICES_COLUMN


class Desktop:
    """Windows of "another program" on the test's X server (its own connection)."""

    def __init__(self) -> None:
        self.disp = display.Display()

    def window(self, title: str, colour: int) -> int:
        screen = self.disp.screen()
        win = screen.root.create_window(700, 60, 320, 200, 0, screen.root_depth,
                                        X.InputOutput, X.CopyFromParent,
                                        background_pixel=colour)
        win.set_wm_name(title)
        win.map()
        self.disp.sync()
        return int(win.id)

    def close(self) -> None:
        self.disp.close()


@pytest.fixture
def desktop() -> Iterator[Desktop]:
    made = Desktop()
    yield made
    made.close()


def _build(qtbot: QtBot, profiles_dir: Path, policy: Path) -> App:
    built = build(SessionService(profiles_dir=profiles_dir, policy_path=policy),
                  locale=QLocale(QLocale.Language.English))
    qtbot.addWidget(built.window)
    qtbot.waitUntil(lambda: built.window.profile_list.count() > 0, timeout=WAIT_MS)
    qtbot.waitUntil(lambda: not built.bridge.busy(), timeout=WAIT_MS)
    return built


def _items(app: App) -> list[str]:
    combo = app.window.launch_panel.devices.screen
    return [combo.itemText(i) for i in range(combo.count())]


def test_a_window_is_listed_shared_and_shown_as_shared(
        qtbot: QtBot, profiles_dir: Path, policy_file: Path, desktop: Desktop,
        artifacts: Path) -> None:
    slides = desktop.window("Team slides", 0xFF8000)
    app = _build(qtbot, profiles_dir, policy_file)
    try:
        panel = app.window.launch_panel
        devices = panel.devices
        app.window.profile_list.select("sleeper")
        assert devices.screen.isEnabled() and devices.screen.currentIndex() == 0
        assert _items(app)[0] == "nothing shared"
        assert f"Team slides (0x{slides:x})" in _items(app)
        assert panel.options().share_screen is None  # nothing shared unless chosen
        late = desktop.window("Opened later", 0x00FF00)
        qtbot.mouseClick(devices.screen_refresh, Qt.MouseButton.LeftButton)
        qtbot.waitUntil(lambda: f"Opened later (0x{late:x})" in _items(app), timeout=WAIT_MS)
        devices.screen.setCurrentIndex(devices.screen.findData(str(slides)))
        assert panel.options().share_screen == str(slides)
        with qtbot.waitSignal(app.window.session_started, timeout=WAIT_MS) as started:
            qtbot.mouseClick(panel.launch_button, Qt.MouseButton.LeftButton)
        service, view = app.bridge.service, app.window.sessions
        session_id = str(started.args[0])
        qtbot.waitUntil(lambda: service.entry(session_id).screen == "Team slides",
                        timeout=WAIT_MS)
        row = view._row_of(session_id)
        qtbot.waitUntil(lambda: "sharing “Team slides”" in view.table.item(
            row, DEVICES_COLUMN).text(), timeout=WAIT_MS)
        assert view.table.horizontalHeaderItem(DEVICES_COLUMN).text() == "In use"
        assert app.tray.indicator is Indicator.SCREEN
        assert "screen shared" in app.tray.icon.toolTip()
        app.window.show()
        qtbot.wait(300)
        artifacts.joinpath("launch-panel-share.png").unlink(missing_ok=True)
        app.window.grab().save(str(artifacts / "launch-panel-share.png"))
        view.stop(session_id)
        qtbot.waitUntil(lambda: service.entry(session_id).outcome is not None,
                        timeout=60_000)
        outcome: Any = service.entry(session_id).outcome
        assert outcome.wipe_verified
        screen = outcome.report["devices"]["screen"]
        assert screen["title"] == "Team slides" and screen["ended_by"] == "the session ended"
        # the view and the tray follow the end through the bridge's queued signal
        qtbot.waitUntil(lambda: app.tray.indicator is Indicator.IDLE, timeout=WAIT_MS)
        assert view.table.item(row, DEVICES_COLUMN).text() == ""
    finally:
        close_app(app)


def test_a_profile_without_the_nested_display_rules_sharing_out(
        qtbot: QtBot, profiles_dir: Path, tmp_path: Path, desktop: Desktop) -> None:
    desktop.window("Some window", 0xFF8000)
    (profiles_dir / "headless.toml").write_text(
        'title = "Headless"\ncommand = ["/bin/true"]\n[devices]\ndisplay = "none"\n',
        encoding="utf-8")
    app = _build(qtbot, profiles_dir, tmp_path / "no-policy.toml")
    try:
        devices = app.window.launch_panel.devices
        app.window.profile_list.select("headless")
        assert not devices.screen.isEnabled()
        assert devices.screen_note.text() == ("Not available: this profile gives the client "
                                              "no display")
        app.window.profile_list.select("sleeper")
        assert devices.screen.isEnabled() and not devices.screen_note.isVisibleTo(app.window)
    finally:
        close_app(app)


def test_the_policy_locks_sharing_off(qtbot: QtBot, profiles_dir: Path, tmp_path: Path,
                                      desktop: Desktop) -> None:
    desktop.window("Some window", 0xFF8000)
    locked = tmp_path / "locked.toml"
    locked.write_text("[devices]\nallow_screen_share = false\n", encoding="utf-8")
    app = _build(qtbot, profiles_dir, locked)
    try:
        devices = app.window.launch_panel.devices
        app.window.profile_list.select("sleeper")
        assert not devices.screen.isEnabled() and _items(app) == ["nothing shared"]
        assert "never shares the screen" in devices.screen_note.text()
        assert app.window.launch_panel.options().share_screen is None
        assert app.bridge.service.entries() == []
    finally:
        close_app(app)
