"""A child program for test_lifecycle: the real app (``ui.app.main``) quit one way.

argv: PATH PROFILES_DIR. PATH is how the person quits: ``menu`` (Profiles > Quit),
``keys`` (Ctrl+Q in the window), ``tray`` (the tray's Quit with the window open),
``hidden`` (the close button, then the tray's Quit) or ``meeting`` (a session runs; Quit
asks; "Stop & wipe them and quit"). Prints ``QUIT <path> <detail>`` lines; exits with
main()'s status, or 3 if the app was still running 20 s after the quit.
"""

from __future__ import annotations

import sys
from pathlib import Path

from PySide6.QtCore import Qt, QTimer
from PySide6.QtTest import QTest
from PySide6.QtWidgets import QAbstractButton, QApplication

from sandbox_launcher.core.plan import RunOptions
from sandbox_launcher.session.lifecycle import State
from sandbox_launcher.session.service import SessionService
from sandbox_launcher.ui.app import main
from sandbox_launcher.ui.main_window import MainWindow
from sandbox_launcher.ui.tray import Tray


def _window() -> MainWindow:
    found = [w for w in QApplication.topLevelWidgets() if isinstance(w, MainWindow)]
    return found[0]


def _tray_quit(window: MainWindow) -> None:
    tray = window.findChildren(Tray)[0]
    tray.rebuild()
    action = tray.action("quit")
    assert action is not None
    action.trigger()


def _answer_quit(window: MainWindow) -> None:
    box = window.quit_question
    if box is None or not box.isVisible():
        QTimer.singleShot(100, lambda: _answer_quit(window))
        return
    print(f"QUIT meeting asked: {box.text()}", flush=True)
    button = box.findChild(QAbstractButton, "quitStopAll")
    assert button is not None
    button.click()


def _wait_running(window: MainWindow, started: list[str]) -> None:
    entries = window.bridge.service.entries()
    if entries and entries[-1].state is State.RUNNING:
        started.append(entries[-1].id)
        window.quit()
        _answer_quit(window)
        return
    QTimer.singleShot(100, lambda: _wait_running(window, started))


def _press_ctrl_q(window: MainWindow, tries: int) -> None:
    """Ctrl+Q as a person types it: into the active window (shortcuts need one)."""
    window.activateWindow()
    if not window.isActiveWindow() and tries:
        QTimer.singleShot(100, lambda: _press_ctrl_q(window, tries - 1))
        return
    print(f"QUIT keys active={window.isActiveWindow()}", flush=True)
    QTest.keyClick(window, Qt.Key.Key_Q, Qt.KeyboardModifier.ControlModifier)


def _quit(path: str, started: list[str]) -> None:
    window = _window()
    if not window.profiles:  # profiles load on a worker: wait for them
        QTimer.singleShot(100, lambda: _quit(path, started))
        return
    if path == "menu":
        window.menus.quit_action.trigger()
    elif path == "keys":
        _press_ctrl_q(window, 50)
    elif path == "tray":
        _tray_quit(window)
    elif path == "hidden":
        window.close()
        print(f"QUIT hidden visible={window.isVisible()}", flush=True)
        _tray_quit(window)
    elif path == "meeting":
        window.launch("sleeper", RunOptions())
        _wait_running(window, started)
    QTimer.singleShot(20_000, lambda: (print("QUIT still running", flush=True),
                                       QApplication.exit(3)))


def run(path: str, profiles: Path) -> int:
    """Start the app, quit it by *path*, return main()'s status."""
    QApplication([sys.argv[0]])
    service = SessionService(profiles_dir=profiles, policy_path=profiles / "no-policy.toml",
                             pending_dir=profiles.parent / "pending")
    started: list[str] = []
    QTimer.singleShot(0, lambda: _quit(path, started))
    status = main(service)
    for session_id in started:
        outcome = service.entry(session_id).outcome
        print(f"QUIT {path} wiped={outcome is not None and outcome.wipe_verified}",
              flush=True)
    return status


if __name__ == "__main__":
    sys.exit(run(sys.argv[1], Path(sys.argv[2])))
