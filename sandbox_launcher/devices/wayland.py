"""The host's Wayland socket, checked before it is handed to a client.

A Wayland compositor gives each client only its own surfaces: it cannot read other
windows, the keyboard outside its focus, or the screen. So on a Wayland host the isolated
display is that one socket, bound by file descriptor at ``wayland-0`` in the sandbox's
runtime dir, and nothing else of the host's runtime dir (its bus, sound server, agents).
"""

from __future__ import annotations

import os
import stat
from collections.abc import Mapping

from ..core.errors import UsageError

#: The socket's name inside the sandbox's runtime dir.


def wayland_socket(host: Mapping[str, str], uid: int | None = None) -> tuple[str, str]:
    """``(path, "")`` for a usable host Wayland socket, else ``("", why not)``.

    Usable: ``WAYLAND_DISPLAY`` names a socket in ``$XDG_RUNTIME_DIR`` (a name, or an
    absolute path inside it), no symlink anywhere on the way, owned by *uid*. An empty
    ``why`` with no path means the host has no Wayland session at all.
    """
    name = host.get("WAYLAND_DISPLAY", "")
    if not name:
        return "", ""
    runtime = host.get("XDG_RUNTIME_DIR", "")
    if not runtime or not os.path.isabs(runtime):
        return "", f"WAYLAND_DISPLAY={name!r} but no XDG_RUNTIME_DIR to find it in"
    runtime = os.path.normpath(runtime)
    path = os.path.normpath(os.path.join(runtime, name))
    if ".." in name.split("/") or os.path.dirname(path) != runtime:
        return "", f"WAYLAND_DISPLAY={name!r} is outside the runtime dir {runtime}"
    if os.path.realpath(runtime) != runtime:
        return "", f"the runtime dir {runtime} is reached through a symlink"
    try:
        info = os.lstat(path)
    except OSError as exc:
        return "", f"WAYLAND_DISPLAY={name!r}: {path}: {exc.strerror}"
    problem = socket_problem(info, os.getuid() if uid is None else uid)
    return ("", f"WAYLAND_DISPLAY={name!r}: {path} {problem}") if problem else (path, "")


def socket_problem(info: os.stat_result, uid: int) -> str:
    """Why a file with this ``lstat`` is not the user's own socket ("" when it is)."""
    if stat.S_ISLNK(info.st_mode):
        return "is a symlink"
    if not stat.S_ISSOCK(info.st_mode):
        return "is not a socket"
    if info.st_uid != uid:
        return f"belongs to uid {info.st_uid}, not to you"
    return ""


def open_socket(path: str, uid: int | None = None) -> int:
    """An O_PATH fd of the checked socket, so what is bound is what was checked."""
    hint = "start the session again from your Wayland desktop"
    try:
        fd = os.open(path, os.O_PATH | os.O_NOFOLLOW | os.O_CLOEXEC)
    except OSError as exc:
        raise UsageError(f"the Wayland socket {path} went away ({exc.strerror})", hint) from exc
    problem = socket_problem(os.fstat(fd), os.getuid() if uid is None else uid)
    if problem:
        os.close(fd)
        raise UsageError(f"the Wayland socket {path} was replaced after it was checked: "
                         f"it {problem}", hint)
    return fd
