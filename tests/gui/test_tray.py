"""The tray icon on a real tray host (trayer on Xvfb): appears, launches, stops, wipes."""

from __future__ import annotations

import os
import subprocess
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from conftest import big_windows, close_app, confirm_stop, stop_question, tray_icons
from PySide6.QtCore import QLocale
from PySide6.QtGui import QAction, QColor, QIcon, QImage
from PySide6.QtWidgets import QApplication, QMessageBox, QSystemTrayIcon, QWidget
from pytestqt.qtbot import QtBot

from sandbox_launcher.session.lifecycle import State
from sandbox_launcher.session.service import SessionService
from sandbox_launcher.ui.app import App, build
from sandbox_launcher.ui.icons import IDLE, RUNNING
from sandbox_launcher.ui.settings import UiSettings

WAIT_MS = 30_000
REPO = Path(__file__).resolve().parents[2]


@pytest.fixture
def tray_app(qtbot: QtBot, service: SessionService, ui_settings: UiSettings,
             tray_host: subprocess.Popen[bytes]) -> Iterator[App]:
    del tray_host
    qtbot.waitUntil(QSystemTrayIcon.isSystemTrayAvailable, timeout=WAIT_MS)
    built = build(service, tray_only=True, locale=QLocale(QLocale.Language.English),
                  settings=ui_settings)
    qtbot.waitUntil(lambda: bool(built.window.profiles), timeout=WAIT_MS)
    yield built
    close_app(built)


def _balloons() -> list[QWidget]:
    """Qt's fallback notification bubbles that are showing."""
    return [w for w in QApplication.topLevelWidgets()
            if w.metaObject().className() == "QBalloonTip" and w.isVisible()]


def _pixmap_is(icon: QIcon, colour: QColor) -> bool:
    image = icon.pixmap(32, 32).toImage()
    want = colour.getRgb()[:3]
    hits = sum(image.pixelColor(x, y).getRgb()[:3] == want for x in range(32) for y in range(32))
    return hits >= 100


def _icon_shows(qtbot: QtBot, app: App, colour: QColor) -> bool:
    """Whether the icon's place on the real screen is mostly *colour* (the shield)."""
    rect = app.tray.icon.geometry()
    assert rect.width() > 0, "the tray host gave the icon no place"
    qtbot.wait(200)
    image: QImage = QApplication.primaryScreen().grabWindow(0).toImage()
    want = colour.getRgb()[:3]
    matching = 0
    for x in range(rect.left(), rect.right() + 1):
        for y in range(rect.top(), rect.bottom() + 1):
            got = image.pixelColor(x, y).getRgb()[:3]
            matching += all(abs(a - b) < 30 for a, b in zip(got, want, strict=True))
    return matching >= 40  # the shield's body: far more than stray anti-aliasing


def _cancel_then_stop(app: App, qtbot: QtBot, session_id: str, stop: QAction) -> None:
    """The tray's Stop & wipe asks first; Cancel leaves the meeting running; then stop."""
    stop.trigger()
    qtbot.waitUntil(lambda: stop_question() is not None, timeout=WAIT_MS)
    question = stop_question()
    assert question.text() == f"Stop Sleeper ({session_id}) and wipe its sandbox?"
    question.button(QMessageBox.StandardButton.Cancel).click()
    qtbot.wait(1000)
    assert app.bridge.service.entry(session_id).state is State.RUNNING
    stop.trigger()
    confirm_stop(qtbot)


def test_tray_icon_appears_launches_shows_the_session_and_stop_wipes(
        tray_app: App, qtbot: QtBot, artifacts: Path) -> None:
    app, tray = tray_app, tray_app.tray
    assert app.tray_shown and tray.icon.isVisible()
    assert not app.window.isVisible()  # --tray: starts in the tray only
    qtbot.waitUntil(lambda: tray_icons() == 1, timeout=WAIT_MS)
    qtbot.waitUntil(lambda: _icon_shows(qtbot, app, IDLE), timeout=WAIT_MS)
    tray.rebuild()
    launch = tray.action("launch-sleeper")
    assert launch is not None and launch.text() == "Sleeper"
    assert tray.action("joinFromClipboard") is not None
    assert tray.action("openWindow") is not None
    with qtbot.waitSignal(app.window.session_started, timeout=WAIT_MS) as started:
        launch.trigger()
    session_id = str(started.args[0])
    qtbot.waitUntil(lambda: tray.running, timeout=WAIT_MS)
    # the notification: Qt's own balloon here (no notification daemon on this Xvfb)
    qtbot.waitUntil(lambda: bool(_balloons()), timeout=WAIT_MS)
    QApplication.primaryScreen().grabWindow(0).save(str(artifacts / "tray-notification.png"))
    for balloon in _balloons():
        balloon.close()
    # What the tray host is handed now: the running shield. (Read from the icon, not the
    # screen: on Xvfb without a window manager trayer does not repaint its panel once
    # Qt's fallback balloon has covered it.)
    assert _pixmap_is(tray.icon.icon(), RUNNING)
    assert "1 session(s) running" in tray.icon.toolTip()
    tray.rebuild()
    stop = tray.action(f"stop-{session_id}")
    assert stop is not None
    assert stop.text().replace("&&", "&") == f"Stop & wipe Sleeper ({session_id})"

    def stop_enabled() -> bool:
        tray.rebuild()
        action = tray.action(f"stop-{session_id}")
        return action is not None and action.isEnabled()

    qtbot.waitUntil(stop_enabled, timeout=WAIT_MS)
    # the menu, as a user sees it, on the real screen next to the tray
    tray.menu.popup(tray.icon.geometry().bottomLeft())
    qtbot.waitUntil(tray.menu.isVisible, timeout=WAIT_MS)
    qtbot.wait(500)
    QApplication.primaryScreen().grabWindow(0).save(str(artifacts / "tray-menu.png"))
    tray.menu.hide()
    stop_now = tray.action(f"stop-{session_id}")
    assert stop_now is not None
    _cancel_then_stop(app, qtbot, session_id, stop_now)
    qtbot.waitUntil(lambda: app.bridge.service.entry(session_id).outcome is not None,
                    timeout=WAIT_MS)
    outcome = app.bridge.service.entry(session_id).outcome
    assert outcome is not None and outcome.wipe_verified
    assert outcome.report["stopped_by_user"] is True
    qtbot.waitUntil(lambda: not tray.running, timeout=WAIT_MS)
    tray.rebuild()
    assert tray.action(f"stop-{session_id}") is None
    assert _pixmap_is(tray.icon.icon(), IDLE)


def test_closing_the_window_keeps_the_tray(tray_app: App, qtbot: QtBot) -> None:
    app = tray_app
    assert not app.qapp.quitOnLastWindowClosed()
    app.tray.open_window()
    qtbot.waitUntil(app.window.isVisible, timeout=WAIT_MS)
    app.window.close()
    assert not app.window.isVisible() and app.tray.icon.isVisible()
    QApplication.clipboard().setText("")
    box = app.tray.join_from_clipboard()  # with the window closed: still a visible answer
    assert isinstance(box, QMessageBox) and box.objectName() == "clipboardEmpty"
    qtbot.waitUntil(box.isVisible, timeout=WAIT_MS)
    assert "no meeting link" in box.text()
    box.close()


def test_cli_tray_option_starts_in_the_tray(tray_host: subprocess.Popen[bytes],
                                            tmp_path: Path) -> None:
    """``sandbox-launcher --tray``: an icon in the tray host and no window."""
    del tray_host
    deadline = time.monotonic() + 30
    while tray_icons() and time.monotonic() < deadline:
        time.sleep(0.1)  # icons of earlier tests have left
    assert tray_icons() == 0
    env = {**os.environ, "XDG_CONFIG_HOME": str(tmp_path)}
    proc = subprocess.Popen([str(REPO / ".venv" / "bin" / "sandbox-launcher"), "--tray"],
                            env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    try:
        while tray_icons() == 0 and proc.poll() is None:
            assert time.monotonic() < deadline, "no tray icon appeared"
            time.sleep(0.1)
        assert proc.poll() is None
        assert big_windows("Sandbox Launcher") == []  # no main window, only the icon
    finally:
        proc.terminate()
        _, err = proc.communicate(timeout=10)
    assert b"Traceback" not in err, err.decode()
