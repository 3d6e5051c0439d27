"""Starting the desktop app from the command line: a display to show it on, one app per
user (a second start hands its link to the first), and Qt imported only here."""

from __future__ import annotations

import os
import socket
from collections.abc import Mapping
from pathlib import Path
from typing import TextIO

from ..core.policy import SystemFiles
from ..session import instance

#: Qt platforms that need no display server.
_HEADLESS = ("offscreen", "minimal", "vnc", "eglfs", "linuxfb")
EXIT_NO_DISPLAY = 125


def _x_reachable(display: str) -> bool:
    """Whether the local X server of *display* (":N" or ":N.S") accepts a connection;
    a remote or unusual form is left for Qt to try."""
    if not display.startswith(":"):
        return True
    number = display[1:].split(".", 1)[0]
    if not number.isdigit():
        return True
    path = f"/tmp/.X11-unix/X{number}"
    try:
        with socket.socket(socket.AF_UNIX, socket.SOCK_STREAM) as conn:
            conn.settimeout(2)
            conn.connect(path)
    except OSError:
        # also the abstract socket, which some X servers offer alone
        try:
            with socket.socket(socket.AF_UNIX, socket.SOCK_STREAM) as conn:
                conn.settimeout(2)
                conn.connect("\0" + path)
        except OSError:
            return False
    return True


def display_problem(env: Mapping[str, str] | None = None) -> str | None:
    """Why the app cannot show a window here (one line), or None if it can."""
    env = os.environ if env is None else env
    platform = env.get("QT_QPA_PLATFORM", "")
    if platform.startswith(_HEADLESS):
        return None
    wayland = env.get("WAYLAND_DISPLAY", "")
    if wayland and not platform.startswith("xcb"):
        socket_path = Path(wayland) if wayland.startswith("/") else Path(
            env.get("XDG_RUNTIME_DIR", "/nonexistent")) / wayland
        if socket_path.exists():
            return None
    display = env.get("DISPLAY", "")
    if display and _x_reachable(display):
        return None
    if display:
        return f"the display {display} does not answer"
    return "there is no display (DISPLAY and WAYLAND_DISPLAY are not set)"


def hand_to_running_app(link: str) -> bool:
    """If this user's app runs, hand it *link* and return True; else False."""
    lock = instance.InstanceLock()
    if lock.acquire():
        lock.release()
        return False
    return instance.hand_over(link)


def app(tray: bool, out: TextIO, err: TextIO, *, ask_link: bool = False,
        system: SystemFiles | None = None) -> int:
    """The desktop app (``--tray``: start in the tray; ``--open-link``: ask for a meeting
    link first). Without a display: one line and status 125, never Qt's abort."""
    del out
    problem = display_problem()
    if problem:
        print(f"sandbox-launcher: the desktop app needs a graphical session: {problem}; "
              "use 'sandbox-launcher run PROFILE' or 'sandbox-launcher open LINK' here",
              file=err)
        return EXIT_NO_DISPLAY
    try:
        from ..session.service import SessionService
        from ..ui.app import main as app_main
    except ImportError as exc:
        print(f"sandbox-launcher: error: the desktop app cannot start: {exc}\n"
              "  what to do: install PySide6 (pip install -e .) and run "
              "'sandbox-launcher doctor'", file=err)
        return 1
    system = system or SystemFiles()
    return app_main(SessionService(policy_path=system.policy,
                                   admin_profiles=system.admin_profiles),
                    tray_only=tray, ask_link=ask_link)
