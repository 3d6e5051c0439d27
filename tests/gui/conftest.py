"""GUI tests: the real app on a real X server (Xvfb), against the real app service.

The whole test process runs as the unprivileged user. The app runs each session inside
its own process, on a dedicated thread of the app service (that is the design), so the
process that holds the QApplication is the one that starts bubblewrap: under root it
would sandbox as root, which DESIGN §6 forbids. So as root (CI) this directory is not
collected; ``tests/integration/test_app_gui.py`` runs it again as ``sltest`` in a child
pytest and fails with its report if anything here failed or skipped. A developer who is
not root runs these tests directly.

Each run starts its own Xvfb (Qt's xcb platform, a real X server: the tray test needs a
real tray host, which offscreen Qt cannot have).
"""

from __future__ import annotations

import os
import re
import subprocess
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from support.libvirt_daemon import stop_libvirtd_unless

from sandbox_launcher.session.service import SessionService

collect_ignore_glob = (["test_*.py"] if os.geteuid() == 0 else
                       # real jailed traffic needs the fake internet around this process
                       [] if os.environ.get("SL_FAKE_INTERNET") else
                       ["test_live_connections.py"])

ARTIFACTS = Path(__file__).resolve().parents[1] / "artifacts"
SCREEN = "1280x800x24"
_xvfb: subprocess.Popen[bytes] | None = None


def _start_xvfb() -> subprocess.Popen[bytes]:
    read_fd, write_fd = os.pipe()
    proc = subprocess.Popen(
        ["Xvfb", "-displayfd", str(write_fd), "-screen", "0", SCREEN, "-nolisten", "tcp",
         "-noreset", "+bs"], pass_fds=(write_fd,), stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL)
    os.close(write_fd)
    with os.fdopen(read_fd, "rb") as pipe:
        number = pipe.readline().strip().decode()
    if not number:
        proc.kill()
        raise RuntimeError("Xvfb did not start (is the package xvfb installed?)")
    os.environ["DISPLAY"] = f":{number}"
    return proc


def pytest_configure(config: pytest.Config) -> None:
    """Start Xvfb before pytest-qt makes the QApplication (only when we run here)."""
    global _xvfb  # noqa: PLW0603 (one X server for the whole run)
    del config
    if os.geteuid() == 0 or _xvfb is not None:
        return
    os.environ.pop("WAYLAND_DISPLAY", None)
    os.environ["QT_QPA_PLATFORM"] = "xcb"
    _xvfb = _start_xvfb()


def pytest_unconfigure(config: pytest.Config) -> None:
    """Stop our Xvfb."""
    del config
    if _xvfb is not None:
        _xvfb.terminate()
        _xvfb.wait(10)


@pytest.fixture
def profiles_dir(tmp_path: Path) -> Path:
    """The user's profile dir, with two profiles of its own that need no client."""
    directory = tmp_path / "profiles"
    directory.mkdir()
    (directory / "sleeper.toml").write_text(
        'title = "Sleeper"\ndescription = "Sleeps until stopped."\n'
        'command = ["/bin/sh", "-c", "sleep 120"]\n', encoding="utf-8")
    (directory / "quick.toml").write_text(
        'title = "Quick"\ndescription = "Ends after two seconds."\n'
        'command = ["/bin/sh", "-c", "sleep 2"]\n', encoding="utf-8")
    return directory


@pytest.fixture
def policy_file(tmp_path: Path) -> Path:
    """A system policy that fixes a setting (denied countries), for the locks."""
    path = tmp_path / "policy.toml"
    path.write_text('[network]\ndeny_countries = ["KP"]\n', encoding="utf-8")
    return path


@pytest.fixture
def pending_dir(tmp_path: Path) -> Path:
    """Where the app holds ended sessions' downloads for its question (the test's own)."""
    return tmp_path / "pending-downloads"


@pytest.fixture
def service(profiles_dir: Path, policy_file: Path,
            pending_dir: Path) -> Iterator[SessionService]:
    """The real app service: real profiles, real bubblewrap sessions."""
    svc = SessionService(profiles_dir=profiles_dir, policy_path=policy_file,
                         pending_dir=pending_dir)
    yield svc
    assert svc.shutdown(60), "a session did not end within 60 s"


@pytest.fixture
def artifacts() -> Path:
    """tests/artifacts/ (gitignored): screenshots to look at."""
    ARTIFACTS.mkdir(exist_ok=True)
    return ARTIFACTS


def close_app(app: Any) -> None:
    """Stop the app's sessions and take its windows down (for fixtures)."""
    app.bridge.service.shutdown(60)
    app.bridge.service.set_listener(None)
    app.tray.icon.hide()
    # close for good, without ending the QApplication the next test shares (Qt would quit
    # it when its last window closes, and a quit app delivers no more queued signals)
    app.qapp.setQuitOnLastWindowClosed(False)
    app.window.quitting = True
    app.window.close()
    for translator in app.translators:
        app.qapp.removeTranslator(translator)
    app.window.deleteLater()
    app.bridge.deleteLater()


#: How long GUI tests wait for a real session to change state.
WAIT_MS = 30_000


@pytest.fixture
def ui_settings(tmp_path: Path) -> Any:
    """The app's own settings, in a file of this test's (fresh: a first run)."""
    from sandbox_launcher.ui.settings import UiSettings

    return UiSettings(tmp_path / "app.ini")


@pytest.fixture
def app(qtbot: Any, service: SessionService, ui_settings: Any) -> Iterator[Any]:
    """The app in English, its window shown, profiles loaded."""
    from PySide6.QtCore import QLocale

    from sandbox_launcher.ui.app import build

    built = build(service, locale=QLocale(QLocale.Language.English), settings=ui_settings)
    qtbot.addWidget(built.window)
    qtbot.waitUntil(lambda: built.window.profile_list.count() > 0, timeout=WAIT_MS)
    yield built
    close_app(built)


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


def window_tree() -> list[str]:
    return subprocess.run(["xwininfo", "-root", "-tree"], capture_output=True, text=True,
                          check=True, timeout=10).stdout.splitlines()


def tray_icons() -> int:
    """Our windows embedded in trayer's panel (each tray icon is one XEmbed client)."""
    lines = window_tree()
    for number, line in enumerate(lines):
        if '("panel" "trayer")' in line:
            depth = len(line) - len(line.lstrip())
            inside = []
            for below in lines[number + 1:]:
                if below.strip() and len(below) - len(below.lstrip()) <= depth:
                    break
                inside.append(below)
            return sum('"sandbox-launcher")' in b for b in inside)
    return 0


def big_windows(title: str) -> list[str]:
    """The CLI app's windows called *title* of at least 200x100 (a main window, not Qt's
    helpers nor this test process's own windows)."""
    found = []
    for line in window_tree():
        match = re.search(r"(\d+)x(\d+)\+", line)
        ours = f'"{title}": ("sandbox-launcher"' in line
        if ours and match and int(match[1]) >= 200 and int(match[2]) >= 100:
            found.append(line.strip())
    return found




@pytest.fixture(scope="session", autouse=True)
def no_libvirtd_left(tmp_path_factory: pytest.TempPathFactory) -> Iterator[None]:
    """A libvirtd the app started (Check this computer connects to ``qemu:///session``)
    has a test's config dir: stop it when the suite ends, or later sessions use it."""
    yield
    base = str(tmp_path_factory.getbasetemp())
    runtime = Path(os.environ.get("XDG_RUNTIME_DIR", f"/run/user/{os.getuid()}"))
    stop_libvirtd_unless(os.getuid(), lambda home: not home.startswith(base), runtime)


@pytest.fixture(autouse=True)
def own_config_home(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """Each test its own XDG_CONFIG_HOME: the app's settings (asked questions, use counts)
    never carry over from one test to the next, nor from the user's desktop."""
    path = tmp_path / "config"
    monkeypatch.setenv("XDG_CONFIG_HOME", str(path))
    return path


def stop_question() -> Any:
    """The Stop & Wipe question that is showing, or None."""
    from PySide6.QtWidgets import QApplication, QMessageBox

    for widget in QApplication.topLevelWidgets():
        if (isinstance(widget, QMessageBox) and widget.objectName() == "stopQuestion"
                and widget.isVisible()):
            return widget
    return None


def confirm_stop(qtbot: Any) -> None:
    """Answer the Stop & Wipe question with Stop & Wipe, as a person clicks it."""
    from PySide6.QtCore import Qt
    from PySide6.QtWidgets import QAbstractButton

    qtbot.waitUntil(lambda: stop_question() is not None, timeout=WAIT_MS)
    button = stop_question().findChild(QAbstractButton, "confirmStop")
    assert button is not None and button.isVisible()
    qtbot.mouseClick(button, Qt.MouseButton.LeftButton)
