"""The app's life as a person sees it: Quit quits, closing says once that the app stays
in the tray, one app per user, a running meeting is never ended without asking."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from conftest import WAIT_MS, big_windows, close_app, confirm_stop, tray_icons
from PySide6.QtCore import QLocale
from PySide6.QtWidgets import QAbstractButton, QMessageBox, QSystemTrayIcon
from pytestqt.qtbot import QtBot

from sandbox_launcher.core.plan import RunOptions
from sandbox_launcher.session.lifecycle import State
from sandbox_launcher.session.service import SessionService
from sandbox_launcher.ui.app import App, build
from sandbox_launcher.ui.settings import UiSettings

REPO = Path(__file__).resolve().parents[2]
CHILD = Path(__file__).with_name("quit_child.py")
#: 50 quits: each way ten times, the one with a running meeting included.
QUIT_PATHS = ("menu", "keys", "tray", "hidden", "meeting") * 10


@pytest.fixture
def desktop_dirs() -> Iterator[dict[str, str]]:
    """A private runtime dir (short: sockets live there) and config dir for child apps,
    so their one-app lock is theirs alone."""
    base = Path(tempfile.mkdtemp(prefix="slq", dir="/tmp"))
    (base / "run").mkdir(mode=0o700)
    (base / "config").mkdir()
    yield {"XDG_RUNTIME_DIR": str(base / "run"), "XDG_CONFIG_HOME": str(base / "config")}
    shutil.rmtree(base, ignore_errors=True)


@pytest.fixture
def lane_dirs() -> Iterator[list[dict[str, str]]]:
    """Two apps' own runtime, config and data dirs, for two lanes of quits at once."""
    base = Path(tempfile.mkdtemp(prefix="slq", dir="/tmp"))
    lanes = []
    for lane in range(2):
        dirs = {"XDG_RUNTIME_DIR": base / f"r{lane}", "XDG_CONFIG_HOME": base / f"c{lane}",
                "XDG_DATA_HOME": base / f"d{lane}"}
        for path in dirs.values():
            path.mkdir(mode=0o700)
        lanes.append({key: str(path) for key, path in dirs.items()})
    yield lanes
    shutil.rmtree(base, ignore_errors=True)


def test_every_quit_path_quits_fifty_times_without_a_crash(
        tray_host: subprocess.Popen[bytes], profiles_dir: Path, qtbot: QtBot,
        lane_dirs: list[dict[str, str]]) -> None:
    del tray_host
    qtbot.waitUntil(QSystemTrayIcon.isSystemTrayAvailable, timeout=WAIT_MS)
    failures: list[str] = []
    asked: list[str] = []

    def quit_in_turn(lane: int) -> None:
        """Every other quit path, one app after another, in this lane's own dirs (two
        lanes at once: the apps are one per user and dir, and the quits take a minute)."""
        env = {**os.environ, **lane_dirs[lane], "PYTHONPATH": str(REPO / "tests" / "gui")}
        for number in range(lane, len(QUIT_PATHS), 2):
            path = QUIT_PATHS[number]
            started = time.monotonic()
            done = subprocess.run([sys.executable, str(CHILD), path, str(profiles_dir)],
                                  env=env, capture_output=True, text=True, timeout=120,
                                  check=False)
            said = done.stdout + done.stderr
            bad = (done.returncode != 0 or "Fatal Python error" in said
                   or "Traceback" in said or "QUIT still running" in said
                   or (path == "meeting" and "QUIT meeting wiped=True" not in said)
                   or (path == "hidden" and "QUIT hidden visible=False" not in said))
            if bad:
                failures.append(f"#{number} {path}: status {done.returncode} after "
                                f"{time.monotonic() - started:.1f} s\n{said[-3000:]}")
            if path == "meeting":
                asked.append(said)

    lanes = [threading.Thread(target=quit_in_turn, args=(lane,)) for lane in range(2)]
    for lane in lanes:
        lane.start()
    for lane in lanes:
        lane.join()
    assert not failures, "\n".join(failures)
    # every meeting path asked, with the count in words
    assert len(asked) == QUIT_PATHS.count("meeting")
    assert all("1 meeting is running." in said for said in asked)


def test_a_second_start_shows_the_first_and_hands_it_the_link(
        tray_host: subprocess.Popen[bytes], desktop_dirs: dict[str, str]) -> None:
    del tray_host
    deadline = time.monotonic() + 30
    while tray_icons() and time.monotonic() < deadline:
        time.sleep(0.1)  # icons of earlier tests have left
    env = {**os.environ, **desktop_dirs}
    exe = str(REPO / ".venv" / "bin" / "sandbox-launcher")
    first = subprocess.Popen([exe, "--tray"], env=env, stdout=subprocess.DEVNULL,
                             stderr=subprocess.PIPE)
    try:
        while tray_icons() == 0:
            assert first.poll() is None and time.monotonic() < deadline, "no tray icon"
            time.sleep(0.1)
        assert big_windows("Sandbox Launcher") == []
        second = subprocess.run([exe], env=env, capture_output=True, text=True, timeout=30,
                                check=False)
        assert second.returncode == 0, second.stderr
        assert "already running" in second.stderr
        while not big_windows("Sandbox Launcher"):  # the first app's window came up
            assert time.monotonic() < deadline + 30, "the first app did not show itself"
            time.sleep(0.1)
        assert tray_icons() == 1  # never a second icon
        # a bare link goes to the running app, which checks it (here: refuses it)
        third = subprocess.run([exe, "https://bad_host/x"], env=env, capture_output=True,
                               text=True, timeout=30, check=False)
        assert third.returncode == 0, third.stderr
        while not any('"Meeting link refused' in line
                      for line in subprocess.run(["xwininfo", "-root", "-tree"],
                                                 capture_output=True, text=True,
                                                 check=True).stdout.splitlines()):
            assert time.monotonic() < deadline + 60, "the link did not reach the first app"
            time.sleep(0.1)
        assert tray_icons() == 1
    finally:
        first.terminate()
        _, err = first.communicate(timeout=20)
    assert b"Traceback" not in err, err.decode()


@pytest.fixture
def tray_app(qtbot: QtBot, service: SessionService, ui_settings: UiSettings,
             tray_host: subprocess.Popen[bytes]) -> Iterator[App]:
    del tray_host
    qtbot.waitUntil(QSystemTrayIcon.isSystemTrayAvailable, timeout=WAIT_MS)
    built = build(service, locale=QLocale(QLocale.Language.English), settings=ui_settings)
    qtbot.waitUntil(lambda: bool(built.window.profiles), timeout=WAIT_MS)
    yield built
    close_app(built)


def test_closing_says_once_that_the_app_stays_in_the_tray(
        tray_app: App, qtbot: QtBot, ui_settings: UiSettings) -> None:
    window = tray_app.window
    assert window.isVisible() and tray_app.tray_shown
    with qtbot.waitSignal(tray_app.tray.notified, timeout=WAIT_MS) as said:
        window.close()
    assert said.args[0] == "Sandbox Launcher is still running"
    assert "Quit" in said.args[1]
    assert not window.isVisible() and tray_app.tray.icon.isVisible()
    assert ui_settings.tray_notice_shown
    tray_app.tray.open_window()
    with qtbot.assertNotEmitted(tray_app.tray.notified, wait=500):
        window.close()  # the second time: hidden without a word
    assert not window.isVisible()


def _button(box: QMessageBox, name: str) -> QAbstractButton:
    button = box.findChild(QAbstractButton, name)
    assert button is not None, name
    return button


def test_quit_with_a_meeting_asks_and_each_answer_does_what_it_says(
        tray_app: App, qtbot: QtBot) -> None:
    window, service = tray_app.window, tray_app.bridge.service
    with qtbot.waitSignal(window.session_started, timeout=WAIT_MS) as started:
        window.launch("sleeper", RunOptions())
    session_id = str(started.args[0])
    qtbot.waitUntil(lambda: service.entry(session_id).state is State.RUNNING,
                    timeout=WAIT_MS)
    box = window.quit()
    assert box is not None
    qtbot.waitUntil(box.isVisible, timeout=WAIT_MS)
    assert box.text() == "1 meeting is running."
    assert sorted(b.text().replace("&", "") for b in box.buttons()) == [
        "Cancel", "Keep running in the tray", "Stop  wipe it and quit"]
    assert box.defaultButton() is _button(box, "quitCancel")
    _button(box, "quitCancel").click()
    assert window.isVisible() and not window.quitting
    box = window.quit()
    assert box is not None
    _button(box, "quitKeepInTray").click()
    assert not window.isVisible() and not window.quitting
    assert service.entry(session_id).state is State.RUNNING
    # Ctrl+W with the window open: asks too
    tray_app.tray.open_window()
    assert window.sessions.selected_id() == session_id
    window.sessions.stop_selected()
    confirm_stop(qtbot)
    qtbot.waitUntil(lambda: service.entry(session_id).outcome is not None, timeout=WAIT_MS)
    outcome = service.entry(session_id).outcome
    assert outcome is not None and outcome.wipe_verified


def test_stop_without_asking_once_chosen(app: App, qtbot: QtBot,
                                         ui_settings: UiSettings) -> None:
    window, service = app.window, app.bridge.service
    ids = []
    for _ in range(2):
        with qtbot.waitSignal(window.session_started, timeout=WAIT_MS) as started:
            window.launch("sleeper", RunOptions())
        ids.append(str(started.args[0]))
    for session_id in ids:
        qtbot.waitUntil(lambda sid=session_id: service.entry(sid).state is State.RUNNING,
                        timeout=WAIT_MS)
    box = window.sessions.ask_stop(ids[0])
    assert box is not None
    _button(box, "stopWithoutAsking").click()  # the check box
    _button(box, "confirmStop").click()
    assert not ui_settings.confirm_stop
    assert window.sessions.ask_stop(ids[1]) is None  # stopped without a question
    for session_id in ids:
        qtbot.waitUntil(lambda sid=session_id: service.entry(sid).outcome is not None,
                        timeout=WAIT_MS)
