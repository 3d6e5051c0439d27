"""Device grants in the launch panel, the microphone switch, and meeting links in the app.

Real app service and real bubblewrap sessions; the camera list comes from a sysfs-like
tree of the test's own (listing never opens a device, so no real camera is needed).
"""

from __future__ import annotations

import gc
import os
from collections.abc import Iterator
from pathlib import Path

import pytest
from conftest import close_app
from PySide6.QtCore import QLocale, Qt
from PySide6.QtGui import QGuiApplication
from PySide6.QtWidgets import QApplication, QInputDialog, QMessageBox
from pytestqt.qtbot import QtBot

from sandbox_launcher.core.plan import RunOptions
from sandbox_launcher.devices.camera import CameraFinder
from sandbox_launcher.session.events import Mic
from sandbox_launcher.session.lifecycle import Event, State
from sandbox_launcher.session.service import SessionService
from sandbox_launcher.ui.app import App, build
from sandbox_launcher.ui.collector import GuiThreadCollector

WAIT_MS = 30_000
MEETING = "https://meet.example.org/team-room"
#: What the web-meeting profile becomes in these tests: Chromium without a window or a
#: network (so nothing leaves the machine), running until it is stopped.
OFFLINE_WEB_MEETING = ('[web]\nbrowser_args = ["--headless=new"]\n'
                       '[network]\nmode = "none"\n[devices]\ndisplay = "none"\n'
                       'speakers = false\n')


def _fake_cameras(root: Path) -> CameraFinder:
    for name, card, dev, index in (("video0", "Integrated Camera", "81:0", "0"),
                                   ("video1", "Integrated Camera", "81:1", "1")):
        node = root / "video4linux" / name
        node.mkdir(parents=True)
        (node / "name").write_text(card + "\n")
        (node / "dev").write_text(dev + "\n")
        (node / "index").write_text(index + "\n")
    return CameraFinder(sysfs=root / "video4linux", dev=root / "dev")


def _build(qtbot: QtBot, service: SessionService) -> App:
    built = build(service, locale=QLocale(QLocale.Language.English))
    qtbot.addWidget(built.window)
    qtbot.waitUntil(lambda: built.window.profile_list.count() > 0, timeout=WAIT_MS)
    qtbot.waitUntil(lambda: not built.bridge.busy(), timeout=WAIT_MS)
    return built


@pytest.fixture
def app(qtbot: QtBot, profiles_dir: Path, policy_file: Path, tmp_path: Path) -> Iterator[App]:
    (profiles_dir / "web-meeting.toml").write_text(OFFLINE_WEB_MEETING, encoding="utf-8")
    service = SessionService(profiles_dir=profiles_dir, policy_path=policy_file,
                             camera_finder=_fake_cameras(tmp_path / "sys"))
    built = _build(qtbot, service)
    yield built
    close_app(built)


def _box(app: App, name: str) -> QMessageBox | None:
    shown = [b for b in app.window.findChildren(QMessageBox, name) if b.isVisible()]
    return shown[0] if shown else None


def test_device_grants_in_the_launch_panel(app: App, qtbot: QtBot, tmp_path: Path,
                                           artifacts: Path) -> None:
    panel = app.window.launch_panel
    devices = panel.devices
    app.window.profile_list.select("quick")
    # cameras from sysfs: the capture node only, "none" first and chosen
    items = [devices.camera.itemText(i) for i in range(devices.camera.count())]
    assert items == ["none", "Integrated Camera (video0)"]
    assert devices.camera.isEnabled() and devices.camera.currentIndex() == 0
    assert panel.options() == RunOptions()  # nothing granted unless chosen
    devices.camera.setCurrentIndex(1)
    assert panel.options().camera == "video0"
    devices.camera.setCurrentIndex(0)
    # the microphone: a real switch, or disabled with the host's reason (no sound server)
    assert devices.mic.isEnabled() or devices.mic_note.text().startswith("Not available: ")
    # a share the plan refuses: its reason beside the field, and Launch waits
    home = Path(os.environ["HOME"])
    qtbot.keyClicks(devices.share.line, str(home))
    assert devices.share_reason.isVisible()
    assert "that is your home folder" in devices.share_reason.text()
    assert not panel.launch_button.isEnabled()
    app.window.show()
    qtbot.wait(200)
    artifacts.joinpath("launch-panel-devices.png").unlink(missing_ok=True)
    app.window.grab().save(str(artifacts / "launch-panel-devices.png"))
    devices.share.line.setText("/")
    assert "the whole file system" in devices.share_reason.text()
    # a folder of its own, chosen in the (non-blocking) folder dialog: accepted
    meeting = tmp_path / "Meeting"
    meeting.mkdir()
    dialog = devices.share.choose()
    qtbot.waitUntil(dialog.isVisible, timeout=WAIT_MS)
    dialog.fileSelected.emit(str(meeting))
    dialog.close()
    assert devices.share.text() == str(meeting)
    assert not devices.share_reason.isVisible() and panel.launch_button.isEnabled()
    assert panel.options().shares == (f"{meeting}:ro",)
    devices.share_mode.setCurrentIndex(1)
    assert panel.options().shares == (f"{meeting}:rw",)
    qtbot.keyClicks(devices.keep.line, str(tmp_path / "missing"))
    assert "no such folder" in devices.keep_reason.text() and not panel.launch_button.isEnabled()
    devices.keep.line.setText(str(tmp_path))
    assert panel.launch_button.isEnabled() and panel.options().keep_downloads == str(tmp_path)


def test_the_system_policy_disables_grants_and_says_why(
        qtbot: QtBot, profiles_dir: Path, tmp_path: Path) -> None:
    policy = tmp_path / "locked.toml"
    policy.write_text("[devices]\nallow_camera = false\nallow_share = false\n"
                      "allow_mic = false\nallow_keep_downloads = false\n", encoding="utf-8")
    service = SessionService(profiles_dir=profiles_dir, policy_path=policy,
                             camera_finder=_fake_cameras(tmp_path / "sys"))
    app = _build(qtbot, service)
    try:
        devices = app.window.launch_panel.devices
        assert not devices.camera.isEnabled() and devices.camera_note.isVisibleTo(
            app.window)
        assert "never grants a camera" in devices.camera_note.text()
        assert not devices.mic.isEnabled() and "microphone" in devices.mic_note.text()
        assert not devices.share.line.isEnabled() and not devices.share.button.isEnabled()
        assert "never grants a share folder" in devices.share.line.placeholderText()
        assert not devices.keep.line.isEnabled()
        assert app.window.launch_panel.options() == RunOptions()
    finally:
        close_app(app)


def test_a_refused_hostile_link_shows_its_reason_and_starts_nothing(
        app: App, qtbot: QtBot) -> None:
    hostile = "https://zoom.us/j/123456789?pwd=<b>x</b>\u202e\x1b[2J"
    QGuiApplication.clipboard().setText(hostile)
    app.window.menus.join_action.trigger()
    qtbot.waitUntil(lambda: _box(app, "linkRefused") is not None, timeout=WAIT_MS)
    box = _box(app, "linkRefused")
    assert box is not None
    assert box.textFormat() == Qt.TextFormat.PlainText  # no markup from outside
    assert "not a meeting link" in box.text()
    assert "characters no meeting link has" in box.text()  # the reason
    assert "\\u202e\\x1b[2J" in box.text() and "\u202e" not in box.text()  # escaped
    assert "passed to no program" in box.informativeText()
    box.close()
    # typed into "Open meeting link…": the same parser, the same refusal
    dialog = app.window.links.ask()
    dialog.setTextValue("zoommtg://zoom.us/join?confno=123456789&exec=/bin/sh")
    dialog.accept()
    qtbot.waitUntil(lambda: _box(app, "linkRefused") is not None, timeout=WAIT_MS)
    box = _box(app, "linkRefused")
    assert box is not None and "unknown parameter 'exec'" in box.text()
    box.close()
    assert app.bridge.service.entries() == []  # nothing was started
    QApplication.processEvents()


def test_an_accepted_link_starts_its_profile_and_asks_before_a_second(
        app: App, qtbot: QtBot) -> None:
    service = app.bridge.service
    QGuiApplication.clipboard().setText(MEETING + "\n")
    # accepted; a server no profile names: the profiles that take any server are offered
    chooser = app.tray.join_from_clipboard()
    assert isinstance(chooser, QInputDialog) and chooser.objectName() == "profileChooser"
    assert chooser.comboBoxItems()[0] == "Web meeting"
    with qtbot.waitSignal(app.window.session_started, timeout=WAIT_MS) as started:
        chooser.accept()
    first = str(started.args[0])
    assert service.entry(first).profile == "web-meeting"
    qtbot.waitUntil(lambda: service.entry(first).state is State.RUNNING, timeout=WAIT_MS)
    # the same service again while it runs: asked whether to join it or start another
    # (tests/gui/test_join_dialog.py takes both ways)
    box = app.window.links.open(MEETING)
    assert box is not None and box.objectName() == "linkSessionRunning"
    assert f"already running in session {first}" in box.text()
    assert "Join this meeting in the running session" in box.informativeText()
    labels = sorted(b.text() for b in box.buttons())
    assert labels == ["&Join in running session", "Cancel", "Start a &new session"]
    box.button(QMessageBox.StandardButton.Cancel).click()
    QApplication.processEvents()
    assert [e.id for e in service.entries()] == [first]  # cancel started nothing
    app.window.sessions.stop(first)
    qtbot.waitUntil(lambda: service.entry(first).outcome is not None, timeout=60_000)
    outcome = service.entry(first).outcome
    assert outcome is not None and outcome.wipe_verified
    command = outcome.report.get("command") or []
    assert any(str(arg).endswith(MEETING) for arg in command), command


def test_mic_switch_shows_what_the_session_answers(app: App, qtbot: QtBot) -> None:
    service = app.bridge.service
    view = app.window.sessions
    session_id = service.start("sleeper", RunOptions())
    view.add_session(session_id)
    qtbot.waitUntil(lambda: service.entry(session_id).state is State.RUNNING,
                    timeout=WAIT_MS)
    assert not view.mic_button.isEnabled()  # no sound server here: nothing to switch
    # As a session with a microphone announces it (muted at the start):
    service._on_event(Event(session_id, State.RUNNING, "", Mic(True)))
    qtbot.waitUntil(view.mic_button.isEnabled, timeout=WAIT_MS)
    assert view.mic_button.text() == "&Microphone on" and not view.mic_button.isChecked()
    app.tray.rebuild()
    tray_mic = app.tray.action(f"mic-{session_id}")
    assert tray_mic is not None and not tray_mic.isChecked()
    # Switching on goes to the real session, which has no forwarder to start: it answers
    # "still muted" with the reason, and the switch shows that, not what was asked.
    with qtbot.waitSignal(view.notice, timeout=WAIT_MS,
                          check_params_cb=lambda text: "stays muted" in text) as notice:
        qtbot.mouseClick(view.mic_button, Qt.MouseButton.LeftButton)
    assert "no microphone to switch on" in str(notice.args[0])
    assert not view.mic_button.isChecked() and service.entry(session_id).mic_muted is True
    view.stop(session_id)
    qtbot.waitUntil(lambda: service.entry(session_id).outcome is not None, timeout=WAIT_MS)
    assert not view.mic_button.isEnabled()


def test_open_link_option_shows_the_window_and_asks(qtbot: QtBot,
                                                   service: SessionService) -> None:
    """``sandbox-launcher --open-link`` (the desktop entry's "Open meeting link" action)."""
    app = build(service, locale=QLocale(QLocale.Language.English), tray_only=True,
                ask_link=True)
    try:
        qtbot.addWidget(app.window)
        dialog = app.window.links.dialog
        assert dialog is not None
        qtbot.waitUntil(dialog.isVisible, timeout=WAIT_MS)
        assert app.window.isVisible() and dialog.windowTitle() == "Open meeting link"
        dialog.reject()
        assert app.bridge.service.entries() == []
    finally:
        close_app(app)


def test_garbage_is_collected_on_the_gui_thread_only(app: App) -> None:
    """A worker thread that ran the cyclic collector could destroy Qt objects off the GUI
    thread (a segfault): the app turns automatic collection off and collects on a timer."""
    collector = app.qapp.findChild(GuiThreadCollector, "guiThreadCollector")
    assert isinstance(collector, GuiThreadCollector) and collector.timer.isActive()
    assert not gc.isenabled()
    assert GuiThreadCollector.install(app.qapp) is collector  # one per application
