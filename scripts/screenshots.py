"""Take the README's screenshots as a person sees the app: the real app, a real session,
on whatever X display DISPLAY names (scripts/screenshots.sh gives it Xvfb, a window
manager and a tray host). Run as an ordinary user; writes docs/screenshots/*.png.

The first run is a first run: the caller gives fresh XDG_CONFIG_HOME / XDG_DATA_HOME.
"""

from __future__ import annotations

import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

from PySide6.QtCore import QLocale, QTimer
from PySide6.QtGui import QAction
from PySide6.QtWidgets import QAbstractButton, QApplication, QWidget

from sandbox_launcher.core import paths
from sandbox_launcher.core.plan import RunOptions
from sandbox_launcher.session.lifecycle import State
from sandbox_launcher.session.service import SessionService
from sandbox_launcher.ui.app import build, teardown
from sandbox_launcher.ui.host_check import HostCheckDialog
from sandbox_launcher.ui.main_window import MainWindow

OUT = Path(__file__).resolve().parents[1] / "docs" / "screenshots"
SSO_CLIENT = Path(__file__).resolve().parents[1] / "tests" / "stand_in" / "sso_client.py"
SIGN_IN = "https://sso.example.com/saml2/login?SAMLRequest=fZJNb9swDIb%2FiqG7LX8kjSPEAbIVw"


def shot(name: str) -> None:
    """The whole screen, window manager and tray included."""
    subprocess.run(["import", "-window", "root", str(OUT / name)], check=True, timeout=30)
    print(f"screenshots: {OUT / name}", flush=True)


def when(ready: Callable[[], bool], then: Callable[[], None], delay_ms: int = 800) -> None:
    """Call *then* once *ready()* holds (polled), after *delay_ms* for painting."""
    if ready():
        QTimer.singleShot(delay_ms, then)
    else:
        QTimer.singleShot(100, lambda: when(ready, then, delay_ms))


def check_computer(window: QWidget, then: Callable[[], None]) -> None:
    """*Help > Check this computer…*: its dialog once the checks are in, then *then*."""
    action = window.findChild(QAction, "checkComputer")
    assert action is not None
    action.trigger()
    dialog = window.findChildren(HostCheckDialog)[-1]

    def taken() -> None:
        shot("host-check.png")
        dialog.close()
        then()

    when(dialog.again_button.isEnabled, taken)


def guest_images(window: MainWindow, then: Callable[[], None]) -> None:
    """A first run has no guest image: the window is shown building the one VM sessions
    need, its steps and time running; the build is then cancelled (it leaves nothing)."""
    images = window.guest_images.open("default")
    images.move(140, 120)
    images.build("default")

    def installing() -> bool:
        job = images.job
        return job is None or not job.running or any(
            "installing remaining" in detail for _t, _s, detail in job.steps)

    def taken() -> None:
        shot("images-window.png")
        images.cancel_build()
        when(lambda: images.job is None or not images.job.running, closed, 300)

    def closed() -> None:
        images.close()
        then()

    when(installing, taken, 4000)


def main() -> int:
    """Drive the app through first run, a web profile's launch panel and the quit question."""
    qapp = QApplication([sys.argv[0]])
    service = SessionService()
    app = build(service, locale=QLocale(QLocale.Language.English))
    window = app.window
    window.move(40, 60)

    def first_run() -> None:
        shot("first-run.png")
        check_computer(window, web_link)

    def web_link() -> None:
        window.profile_list.select("web-meeting")
        window.launch_panel.link.edit.setText("meet.example.org/team-standup")
        QTimer.singleShot(800, web_panel)

    def web_panel() -> None:
        shot("launch-panel-web.png")
        # Zoom signs in with SSO: the stand-in client runs xdg-open inside its sandbox
        # (offline, no window of its own: the question is what is shown).
        profiles = paths.user_profiles_dir()
        profiles.mkdir(parents=True, exist_ok=True)
        (profiles / "zoom.toml").write_text('[network]\nmode = "none"\n[devices]\n'
                                            'display = "none"\nspeakers = false\n')
        window.launch("zoom", RunOptions(command=(
            "/usr/bin/python3", "-c", SSO_CLIENT.read_text(), "--open", SIGN_IN,
            "--seconds", "1")))
        questions = app.questions
        assert questions is not None
        when(lambda: bool(questions.open_dialogs()), sso_question, 1000)

    def sso_question() -> None:
        assert app.questions is not None
        dialog = app.questions.open_dialogs()[0]
        shot("sso-question.png")
        dialog.reject()
        when(lambda: all(e.outcome is not None for e in service.entries()
                         if e.profile == "zoom"),
             lambda: guest_images(window, then=sleeper), 500)

    def sleeper() -> None:
        window.launch("generic", RunOptions(command=("/bin/sleep", "600")))
        entries = service.entries
        when(lambda: bool(entries()) and entries()[-1].state is State.RUNNING, quit_question,
             1500)

    def quit_question() -> None:
        box = window.quit()
        assert box is not None
        def answer() -> None:
            shot("quit-question.png")
            stop = box.findChild(QAbstractButton, "quitStopAll")
            assert stop is not None
            stop.click()  # stop & wipe the meeting, then quit

        QTimer.singleShot(1000, answer)

    when(lambda: bool(window.profiles) and window.installed_clients is not None, first_run,
         1500)
    QTimer.singleShot(120_000, lambda: QApplication.exit(3))
    status = qapp.exec()
    service.shutdown()
    teardown(app)
    return status


if __name__ == "__main__":
    sys.exit(main())
