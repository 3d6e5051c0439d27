"""The tray icon on a real tray host (trayer on Xvfb): appears, launches, stops, wipes."""

from __future__ import annotations

import os
import re
import subprocess
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from conftest import close_app
from PySide6.QtCore import QLocale, QPoint
from PySide6.QtGui import QColor, QImage
from PySide6.QtWidgets import QApplication, QMessageBox, QSystemTrayIcon
from pytestqt.qtbot import QtBot

from sandbox_launcher.session.service import SessionService
from sandbox_launcher.ui.app import App, build
from sandbox_launcher.ui.icons import IDLE, RUNNING

WAIT_MS = 30_000
REPO = Path(__file__).resolve().parents[2]


@pytest.fixture
def tray_host() -> Iterator[subprocess.Popen[bytes]]:
    """trayer, a real XEmbed system tray, docked at the top right of the Xvfb screen."""
    proc = subprocess.Popen(
        ["trayer", "--edge", "top", "--align", "right", "--widthtype", "pixel", "--width",
         "160", "--heighttype", "pixel", "--height", "32", "--tint", "0xffffff",
         "--transparent", "false", "--SetDockType", "true"],
        stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    yield proc
    proc.terminate()
    proc.wait(10)


def _tray_children() -> int:
    """Windows embedded in trayer's panel (each tray icon is one)."""
    tree = subprocess.run(["xwininfo", "-root", "-tree"], capture_output=True, text=True,
                          check=True, timeout=10).stdout
    lines = tree.splitlines()
    for number, line in enumerate(lines):
        if '"panel"' in line or '("trayer"' in line:
            match = re.search(r"(\d+) child", "\n".join(lines[number + 1:number + 3]))
            if match:
                return int(match.group(1))
    return 0


@pytest.fixture
def tray_app(qtbot: QtBot, service: SessionService,
             tray_host: subprocess.Popen[bytes]) -> Iterator[App]:
    del tray_host
    qtbot.waitUntil(QSystemTrayIcon.isSystemTrayAvailable, timeout=WAIT_MS)
    built = build(service, tray_only=True, locale=QLocale(QLocale.Language.English))
    qtbot.waitUntil(lambda: bool(built.window.profiles), timeout=WAIT_MS)
    yield built
    close_app(built)


def _pixel(qtbot: QtBot, app: App) -> QColor:
    """The colour at the middle of the icon, read back from the X server's screen."""
    rect = app.tray.icon.geometry()
    assert rect.width() > 0, "the tray host gave the icon no place"
    qtbot.wait(300)
    image: QImage = QApplication.primaryScreen().grabWindow(0).toImage()
    # the shield's body, left of the centre dot/bar
    return image.pixelColor(rect.center() + QPoint(-rect.width() // 4, rect.height() // 6))


def _close(colour: QColor, want: QColor) -> bool:
    return all(abs(a - b) < 40 for a, b in zip(colour.getRgb()[:3], want.getRgb()[:3],
                                                 strict=True))


def test_tray_icon_appears_launches_shows_the_session_and_stop_wipes(
        tray_app: App, qtbot: QtBot, artifacts: Path) -> None:
    app, tray = tray_app, tray_app.tray
    assert app.tray_shown and tray.icon.isVisible()
    assert not app.window.isVisible()  # --tray: starts in the tray only
    qtbot.waitUntil(lambda: _tray_children() >= 1, timeout=WAIT_MS)
    qtbot.waitUntil(lambda: _close(_pixel(qtbot, app), IDLE), timeout=WAIT_MS)
    tray.rebuild()
    launch = tray.action("launch-sleeper")
    assert launch is not None and launch.text() == "Sleeper"
    assert tray.action("joinFromClipboard") is not None
    assert tray.action("openWindow") is not None
    with qtbot.waitSignal(app.window.session_started, timeout=WAIT_MS) as started:
        launch.trigger()
    session_id = str(started.args[0])
    qtbot.waitUntil(lambda: tray.running, timeout=WAIT_MS)
    qtbot.waitUntil(lambda: _close(_pixel(qtbot, app), RUNNING), timeout=WAIT_MS)
    assert "1 session(s) running" in tray.icon.toolTip()
    tray.rebuild()
    stop = tray.action(f"stop-{session_id}")
    assert stop is not None and stop.text() == f"Stop & wipe Sleeper ({session_id})"
    qtbot.waitUntil(stop.isEnabled if False else lambda: (
        tray.rebuild(), (a := tray.action(f"stop-{session_id}")) is not None and a.isEnabled()
    )[1], timeout=WAIT_MS)
    # the menu, as a user sees it, on the real screen next to the tray
    tray.menu.popup(tray.icon.geometry().bottomLeft())
    qtbot.waitUntil(tray.menu.isVisible, timeout=WAIT_MS)
    qtbot.wait(500)
    QApplication.primaryScreen().grabWindow(0).save(str(artifacts / "tray-menu.png"))
    tray.menu.hide()
    stop_now = tray.action(f"stop-{session_id}")
    assert stop_now is not None
    stop_now.trigger()
    qtbot.waitUntil(lambda: app.bridge.service.entry(session_id).outcome is not None,
                    timeout=WAIT_MS)
    outcome = app.bridge.service.entry(session_id).outcome
    assert outcome is not None and outcome.wipe_verified
    assert outcome.report["stopped_by_user"] is True
    qtbot.waitUntil(lambda: not tray.running, timeout=WAIT_MS)
    tray.rebuild()
    assert tray.action(f"stop-{session_id}") is None
    qtbot.waitUntil(lambda: _close(_pixel(qtbot, app), IDLE), timeout=WAIT_MS)


def test_closing_the_window_keeps_the_tray(tray_app: App, qtbot: QtBot) -> None:
    app = tray_app
    assert not app.qapp.quitOnLastWindowClosed()
    app.tray.open_window()
    qtbot.waitUntil(app.window.isVisible, timeout=WAIT_MS)
    app.window.close()
    assert not app.window.isVisible() and app.tray.icon.isVisible()
    box = app.tray.join_from_clipboard()
    assert isinstance(box, QMessageBox) and "not available yet" in box.text()
    box.close()


def test_cli_tray_option_starts_in_the_tray(tray_host: subprocess.Popen[bytes],
                                            tmp_path: Path) -> None:
    """``sandbox-launcher --tray``: an icon in the tray host and no window."""
    del tray_host
    deadline = time.monotonic() + 30
    while _tray_children() and time.monotonic() < deadline:
        time.sleep(0.1)  # icons of earlier tests have left
    before = _tray_children()
    env = {**os.environ, "XDG_CONFIG_HOME": str(tmp_path)}
    proc = subprocess.Popen([str(REPO / ".venv" / "bin" / "sandbox-launcher"), "--tray"],
                            env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    try:
        while _tray_children() <= before and proc.poll() is None:
            assert time.monotonic() < deadline, "no tray icon appeared"
            time.sleep(0.1)
        assert proc.poll() is None
        windows = subprocess.run(["xwininfo", "-root", "-tree"], capture_output=True,
                                 text=True, check=True).stdout
        assert '"Sandbox Launcher"' not in windows  # the main window is not mapped
    finally:
        proc.terminate()
        _, err = proc.communicate(timeout=10)
    assert b"Traceback" not in err, err.decode()
