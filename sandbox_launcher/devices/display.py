"""The isolated display: one Xephyr per session, a nested X server in a window.

Why Xephyr rather than Xpra: it is one small X server with no clipboard bridge at all (so
"clipboard off" needs no setting that could be got wrong), no Python daemon and no network
protocol; the client sees a root window with only its own windows. The price: the meeting
shows inside one window rather than as seamless windows, and there is no window manager
inside (clients draw their own decorations, or none).
"""

from __future__ import annotations

import contextlib
import os
import time
from pathlib import Path

from ..core import proc
from ..core.devices import INSIDE_DISPLAY, DisplayGrant
from ..core.errors import SessionError
from .helper import Helper, read_ready, start
from .xauth import host_cookie, new_cookie, wild_cookie

_PURPOSE = "for the isolated display (a nested X server)"
START_SECONDS = 15.0
#: Starts tried when Xephyr exits at once (another X server took the same number).
START_ATTEMPTS = 3
#: A failure sooner than this is such a collision, not a server that hangs.
QUICK_EXIT_SECONDS = 2.0


def x11_socket(number: int | str) -> str:
    """The host path of X display *number*'s socket."""
    return f"/tmp/.X11-unix/X{number}"


def _host_env(grant: DisplayGrant) -> dict[str, str]:
    env = {"DISPLAY": grant.host_display, "PATH": "/usr/bin:/bin", "LANG": "C.UTF-8"}
    if os.path.exists(grant.host_xauthority):
        env["XAUTHORITY"] = grant.host_xauthority
    return env


def start_nested(grant: DisplayGrant, workdir: Path, title: str) -> tuple[Helper, str, Path]:
    """Start Xephyr on a free display; returns it, its socket and the client's Xauthority.

    The cookie file has one FamilyWild entry for display :0, the number the client uses
    inside; Xephyr loads every cookie in its ``-auth`` file whatever the number.
    """
    xephyr = proc.which("Xephyr", _PURPOSE)
    auth = workdir / "Xauthority"
    fd = os.open(auth, os.O_WRONLY | os.O_CREAT | os.O_EXCL | os.O_CLOEXEC, 0o600)
    with open(fd, "wb") as out:
        out.write(wild_cookie(INSIDE_DISPLAY, new_cookie()).pack())
    argv = [xephyr, "-displayfd", "FD", "-auth", str(auth), "-nolisten", "tcp",
            "-no-host-grab", "-noreset", "-resizeable", "-screen", grant.size,
            "-title", title]
    for attempt in range(START_ATTEMPTS):
        ready_r, ready_w = os.pipe2(os.O_CLOEXEC)
        try:
            helper = start("xephyr", [*argv[:2], str(ready_w), *argv[3:]], workdir,
                           pass_fds=(ready_w,), env=_host_env(grant))
        finally:
            os.close(ready_w)
        started = time.monotonic()
        try:
            number = read_ready(helper, ready_r, START_SECONDS,
                                f"the nested X server (Xephyr on {grant.host_display})")
        except SessionError:
            # Two X servers picking a free number at once (a session's ending while the
            # next spare's starts) can collide on its socket: the loser exits at once.
            if attempt + 1 == START_ATTEMPTS or time.monotonic() - started > QUICK_EXIT_SECONDS:
                raise
            continue
        finally:
            os.close(ready_r)
        return helper, x11_socket(int(number.strip())), auth
    raise AssertionError("unreachable")  # the loop returns or raises


def host_x11(grant: DisplayGrant, workdir: Path) -> tuple[str, Path]:
    """The insecure grant: the host's socket, and its cookie re-addressed for display :0."""
    auth = workdir / "Xauthority"
    cookie = host_cookie(Path(grant.host_xauthority), grant.host_number)
    fd = os.open(auth, os.O_WRONLY | os.O_CREAT | os.O_EXCL | os.O_CLOEXEC, 0o600)
    with open(fd, "wb") as out:
        if cookie is not None:
            out.write(wild_cookie(INSIDE_DISPLAY, cookie).pack())
    return x11_socket(grant.host_number), auth


def show_nested(grant: DisplayGrant, title: str, shown: bool, new_title: str = "") -> bool:
    """Map (*shown*) or unmap the host window of the nested server titled *title*, and
    rename it *new_title* if given; whether it was found.

    A spare session's display waits unmapped: the user sees no empty window of a session
    that has not started; its click maps it under the session's title.
    """
    from Xlib import error

    from .x11_windows import host_display, open_display

    name, cookie = host_display(_host_env(grant))
    with open_display(name, cookie) as disp:
        pending = [disp.screen().root]
        for _depth in range(3):  # a window manager puts it one or two levels down
            children = []
            for window in pending:
                try:
                    children += window.query_tree().children
                except error.XError:
                    continue
            for window in children:
                with contextlib.suppress(error.XError):
                    if window.get_wm_name() == title:
                        if new_title:
                            window.set_wm_name(new_title)
                        window.map() if shown else window.unmap()
                        disp.sync()
                        return True
            pending = children
    return False

