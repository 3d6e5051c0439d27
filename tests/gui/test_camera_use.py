"""The sessions list's "In use" column, the details and the tray icon follow real camera
use in a real session: live while the client holds the camera open, not while it is only
granted.

The camera is the stand-in node of the integration tests (a character device 81:7):
making one needs root, so ``tests/integration/test_app_gui.py`` makes it before it runs
this directory as the desktop user and names it in ``SL_STAND_IN_CAMERA``. It has no
driver behind it, so the client holds it with ``O_PATH`` after a real open fails.
"""

from __future__ import annotations

import os
import time
from pathlib import Path
from typing import Any

import pytest
from conftest import WAIT_MS
from PySide6.QtGui import QColor
from pytestqt.qtbot import QtBot

from sandbox_launcher.core.plan import RunOptions
from sandbox_launcher.session.lifecycle import State
from sandbox_launcher.session.live import Indicator
from sandbox_launcher.ui.app import App
from sandbox_launcher.ui.icons import CAMERA_LIVE, RUNNING
from sandbox_launcher.ui.sessions_view import DEVICES_COLUMN

#: Opens the camera when ~/Shared/open appears, closes it when ~/Shared/close does,
#: then runs on until the session is stopped.
CLIENT = r"""
import os, time
S = os.path.expanduser("~/Shared")
def wait(name):
    while not os.path.exists(f"{S}/{name}"):
        time.sleep(0.05)
wait("open")
try:
    fd = os.open("/dev/video7", os.O_RDWR)
except OSError:  # the stand-in has no driver: hold the node itself
    fd = os.open("/dev/video7", os.O_PATH)
open(f"{S}/opened", "w").close()
wait("close")
os.close(fd)
open(f"{S}/closed", "w").close()
time.sleep(300)
"""


@pytest.fixture
def stand_in_camera() -> Path:
    """The node root made for this run (tests/integration/test_app_gui.py)."""
    named = os.environ.get("SL_STAND_IN_CAMERA")
    if not named:
        pytest.skip("needs the stand-in camera node root makes: run tests/gui through "
                    "tests/integration/test_app_gui.py")
    return Path(named)


def _icon_has(app: App, colour: QColor) -> bool:
    image = app.tray.icon.icon().pixmap(32, 32).toImage()
    want = colour.rgb() & 0xFFFFFF
    return sum(image.pixelColor(x, y).rgb() & 0xFFFFFF == want
               for x in range(32) for y in range(32)) >= 100


def _wait_file(path: Path) -> None:
    deadline = time.monotonic() + 30
    while not path.exists():
        assert time.monotonic() < deadline, f"the client did not make {path.name}"
        time.sleep(0.05)


def test_in_use_and_tray_follow_the_open_camera(app: App, qtbot: QtBot, tmp_path: Path,
                                                stand_in_camera: Path,
                                                artifacts: Path) -> None:
    shared = tmp_path / "shared"
    shared.mkdir()
    service, view, tray = app.bridge.service, app.window.sessions, app.tray
    options = RunOptions(command=("/usr/bin/python3", "-c", CLIENT),
                         camera=str(stand_in_camera), shares=(f"{shared}:rw",))
    with qtbot.waitSignal(app.window.session_started, timeout=WAIT_MS) as started:
        app.window.launch("sleeper", options)
    session_id = str(started.args[0])
    entry = service.entry(session_id)
    qtbot.waitUntil(lambda: entry.state is State.RUNNING, timeout=WAIT_MS)
    assert entry.camera == "video7"
    row = view._row_of(session_id)

    def cell() -> str:
        return view.table.item(row, DEVICES_COLUMN).text()

    # Granted, not open: not live anywhere.
    qtbot.wait(2500)  # a snapshot or more after the start: still nothing in use
    assert entry.in_use == {} and cell() == ""
    assert tray.indicator is Indicator.RUNNING and _icon_has(app, RUNNING)
    view.table.selectRow(row)
    assert "camera video7: granted, not in use" in view.summary.text()

    (shared / "open").touch()
    _wait_file(shared / "opened")
    qtbot.waitUntil(lambda: cell() == "● camera video7", timeout=WAIT_MS)
    since = time.strftime("%H:%M", time.localtime(entry.in_use["camera"]))
    # The tray follows the same event through its own slot: it may come a moment later.
    qtbot.waitUntil(lambda: tray.indicator is Indicator.CAMERA, timeout=WAIT_MS)
    assert tray.indicator is Indicator.CAMERA and _icon_has(app, CAMERA_LIVE)
    assert tray.icon.toolTip() == "Sandbox Launcher: camera live, 1 session(s) running"
    assert f"camera video7: granted, in use since {since}" in view.summary.text()
    app.window.show()
    qtbot.waitExposed(app.window)
    artifacts.joinpath("window-camera-in-use.png").unlink(missing_ok=True)
    app.window.grab().save(str(artifacts / "window-camera-in-use.png"))

    (shared / "close").touch()
    _wait_file(shared / "closed")
    qtbot.waitUntil(lambda: cell() == "", timeout=WAIT_MS)
    assert "camera" not in entry.in_use
    qtbot.waitUntil(lambda: tray.indicator is Indicator.RUNNING, timeout=WAIT_MS)
    assert _icon_has(app, RUNNING)
    assert "camera video7: granted, not in use" in view.summary.text()

    view.stop(session_id)
    qtbot.waitUntil(lambda: entry.outcome is not None, timeout=60_000)
    outcome: Any = entry.outcome
    assert outcome.wipe_verified
    (interval,) = outcome.report["devices"]["usage"]["camera"]
    assert interval["seconds"] > 0
    qtbot.waitUntil(lambda: tray.indicator is Indicator.IDLE, timeout=WAIT_MS)
