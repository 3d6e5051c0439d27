"""The session bus through xdg-dbus-proxy: only the names the profile lists, filtered.

The proxy runs on the host, connects to the user's bus, and listens on a socket in the
session's state dir; only that socket is bound into the sandbox. ``--fd`` ties its life to
a pipe the launcher holds: it writes one byte when it listens and exits when the pipe closes.
With the screen-sharing grant on Wayland it also lets the desktop portal's ScreenCast
through, by method and object path rather than the whole name (:mod:`.portal`).
"""

from __future__ import annotations

import os
import subprocess
from pathlib import Path

from ..core import proc
from .checks import check_talk_name
from .helper import Helper, read_ready, start
from .portal import screencast_rules

_PURPOSE = "to give the client filtered access to the session bus"
START_SECONDS = 10.0


def proxy_argv(program: str, fd: int, address: str, socket: Path,
               talk: tuple[str, ...], screencast: bool = False) -> list[str]:
    """The proxy's command line; refuses names the checks refuse (defence in depth).

    *screencast*: add the portal's ScreenCast rules (the Wayland screen-sharing grant).
    """
    for name in talk:
        problem = check_talk_name(name)
        if problem:
            raise ValueError(problem)
    return [program, f"--fd={fd}", address, str(socket), "--filter",
            *(f"--talk={name}" for name in talk),
            *(screencast_rules() if screencast else ())]


def start_proxy(address: str, talk: tuple[str, ...], workdir: Path,
                screencast: bool = False, log_to: int | None = None) -> tuple[Helper, Path]:
    """Start the proxy; returns once its socket listens.

    *log_to*: a pipe for the proxy's message log (``--log``: one header line per message,
    no arguments), from which the launcher sees when a screen cast starts and ends.
    """
    program = proc.which("xdg-dbus-proxy", _PURPOSE)
    socket = workdir / "bus"
    ready_r, ready_w = os.pipe2(os.O_CLOEXEC)
    try:
        argv = proxy_argv(program, ready_w, address, socket, talk, screencast)
        if log_to is not None:
            argv.append("--log")
        helper = start("dbus-proxy", argv, workdir, pass_fds=(ready_w,),
                       env={"PATH": "/usr/bin:/bin", "LANG": "C.UTF-8"},
                       stdout=subprocess.DEVNULL if log_to is None else log_to)
    finally:
        os.close(ready_w)
    try:
        read_ready(helper, ready_r, START_SECONDS, "the D-Bus proxy (xdg-dbus-proxy)")
    except BaseException:
        os.close(ready_r)
        raise
    helper.keep_fds.append(ready_r)  # closing it is the proxy's signal to exit
    return helper, socket
