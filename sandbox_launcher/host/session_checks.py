"""Host checks of the desktop session: display, audio, Secret Service, runtime dir.

Each takes the environment as a mapping, so tests can point it at a temporary
directory instead of the real session. Split from :mod:`.checks` to keep both small.
"""

from __future__ import annotations

import os
import re
import stat
from collections.abc import Mapping

from ..core.errors import LauncherError
from ..core.runner import Runner
from .checks import Finding

X11_SOCKET_DIR = "/tmp/.X11-unix"
SECRET_SERVICE = "org.freedesktop.secrets"


def parse_x11_display(display: str) -> tuple[str, int] | None:
    """``":0.0"`` → ``("", 0)``, ``"localhost:10"`` → ``("localhost", 10)``; None if malformed."""
    match = re.fullmatch(r"(?P<host>[^:]*):(?P<number>\d+)(?:\.\d+)?", display)
    if match is None:
        return None
    return match["host"], int(match["number"])


def _is_socket(path: str) -> bool:
    try:
        return stat.S_ISSOCK(os.stat(path).st_mode)
    except OSError:
        return False


def _abstract_socket_listed(name: str, proc_net_unix: str = "/proc/net/unix") -> bool:
    """Whether an abstract unix socket ``@name`` exists (X servers listen on both)."""
    try:
        with open(proc_net_unix, encoding="utf-8", errors="replace") as table:
            return any(line.rstrip().endswith(" @" + name) for line in table)
    except OSError:
        return False


def check_display(env: Mapping[str, str]) -> Finding:
    """A Wayland socket or an X11 display the app's windows can go to."""
    found: list[str] = []
    problems: list[str] = []
    wayland = env.get("WAYLAND_DISPLAY", "")
    runtime_dir = env.get("XDG_RUNTIME_DIR", "")
    if wayland:
        path = wayland if os.path.isabs(wayland) else os.path.join(runtime_dir, wayland)
        if (os.path.isabs(wayland) or runtime_dir) and _is_socket(path):
            found.append(f"Wayland socket {path}")
        else:
            problems.append(f"WAYLAND_DISPLAY={wayland} but there is no socket {path}")
    display = env.get("DISPLAY", "")
    if display:
        parsed = parse_x11_display(display)
        if parsed is None:
            problems.append(f"DISPLAY={display} is not a display name")
        elif parsed[0] not in ("", "unix"):
            found.append(f"X11 display {display} over TCP (not checked)")
        else:
            socket = f"{X11_SOCKET_DIR}/X{parsed[1]}"
            if _is_socket(socket) or _abstract_socket_listed(socket):
                found.append(f"X11 display {display} ({socket})")
            else:
                problems.append(f"DISPLAY={display} but there is no socket {socket}")
    detail = "\n".join(problems)
    if found:
        return Finding("ok", "; ".join(found), detail=detail)
    return Finding(
        "warn",
        "neither a Wayland socket nor an X11 display",
        "run the launcher inside a desktop session (for headless tests: "
        "sudo apt-get install xvfb; Xvfb :99 & export DISPLAY=:99)",
        detail,
    )


def check_audio(env: Mapping[str, str]) -> Finding:
    """A PipeWire or PulseAudio server the sandbox can be given access to."""
    runtime_dir = env.get("XDG_RUNTIME_DIR", "")
    found: list[str] = []
    if runtime_dir:
        pipewire = os.path.join(runtime_dir, "pipewire-0")
        pulse = os.path.join(runtime_dir, "pulse", "native")
        if _is_socket(pipewire):
            found.append(f"PipeWire ({pipewire})")
        if _is_socket(pulse):
            found.append(f"PulseAudio ({pulse})")
    if env.get("PULSE_SERVER") and not found:
        found.append(f"PulseAudio at PULSE_SERVER={env['PULSE_SERVER']} (not checked)")
    if found:
        return Finding("ok", "; ".join(found))
    return Finding(
        "warn",
        "no PipeWire or PulseAudio server found",
        "sudo apt-get install pipewire pipewire-pulse wireplumber, then log in to a "
        "desktop session",
        "looked for $XDG_RUNTIME_DIR/pipewire-0, $XDG_RUNTIME_DIR/pulse/native and "
        f"PULSE_SERVER (XDG_RUNTIME_DIR={runtime_dir or 'unset'})",
    )


def parse_dbus_boolean(reply: str) -> bool | None:
    """The ``boolean true|false`` of a ``dbus-send --print-reply`` answer."""
    match = re.search(r"^\s*boolean (true|false)\s*$", reply, re.MULTILINE)
    return None if match is None else match[1] == "true"


def parse_dbus_strings(reply: str) -> list[str]:
    """Every ``string "…"`` of a ``dbus-send --print-reply`` answer, in order."""
    return re.findall(r'^\s*string "([^"]*)"\s*$', reply, re.MULTILINE)


KEYRING_HINT = ("install gnome-keyring (or another Secret Service) and log in to a desktop "
                "session: sudo apt-get install gnome-keyring")


def _ask_bus(runner: Runner, dbus_send: str, method: str, env: Mapping[str, str],
             *args: str) -> str:
    argv = [dbus_send, "--session", "--print-reply", "--reply-timeout=5000",
            "--dest=org.freedesktop.DBus", "/org/freedesktop/DBus",
            f"org.freedesktop.DBus.{method}", *args]
    return runner.run(argv, timeout=10, env=env).stdout


def check_keyring(env: Mapping[str, str], runner: Runner) -> Finding:
    """A Secret Service (the vault keeps its key there) owns or can activate its name."""
    if not env.get("DBUS_SESSION_BUS_ADDRESS"):
        return Finding("warn", "no session D-Bus (DBUS_SESSION_BUS_ADDRESS is not set)",
                       KEYRING_HINT)
    try:
        dbus_send = runner.which("dbus-send", "to look for a Secret Service")
    except LauncherError:
        return Finding("warn", "cannot check: dbus-send is not installed",
                       "sudo apt-get install dbus-bin")
    try:
        owned = parse_dbus_boolean(
            _ask_bus(runner, dbus_send, "NameHasOwner", env, f"string:{SECRET_SERVICE}"))
        if owned:
            return Finding("ok", f"{SECRET_SERVICE} is running on the session bus")
        activatable = parse_dbus_strings(_ask_bus(runner, dbus_send, "ListActivatableNames", env))
    except LauncherError as exc:
        return Finding("warn", "cannot ask the session bus", KEYRING_HINT,
                       f"{exc.summary}\n{exc.details}")
    if SECRET_SERVICE in activatable:
        return Finding("ok", f"{SECRET_SERVICE} starts on demand on the session bus")
    return Finding("warn", "no Secret Service on the session bus", KEYRING_HINT)


def check_runtime_dir(env: Mapping[str, str]) -> Finding:
    """$XDG_RUNTIME_DIR is a private directory: sessions keep their state there."""
    uid = os.getuid()
    path = env.get("XDG_RUNTIME_DIR", "")
    if not path:
        return Finding(
            "warn",
            f"XDG_RUNTIME_DIR is not set; the launcher falls back to /tmp/sandbox-launcher-{uid}",
            "log in through a session manager that sets it (systemd-logind with pam_systemd)",
        )
    try:
        info = os.stat(path)
    except OSError as exc:
        return Finding("fail", f"XDG_RUNTIME_DIR={path} is unusable: {exc.strerror}",
                       "log out and in again so that systemd-logind creates it, or unset it")
    mode = stat.S_IMODE(info.st_mode)
    wrong: list[str] = []
    if not stat.S_ISDIR(info.st_mode):
        wrong.append("not a directory")
    if info.st_uid != uid:
        wrong.append(f"owned by uid {info.st_uid}, not {uid}")
    if mode != 0o700:
        wrong.append(f"mode {mode:04o}, not 0700")
    if wrong:
        return Finding("fail", f"XDG_RUNTIME_DIR={path} is " + ", ".join(wrong),
                       f"chmod 0700 {path} (or log in again so that systemd-logind recreates "
                       "it); sessions must not keep their state where others can reach it")
    return Finding("ok", f"{path} is private (mode 0700, owned by uid {uid})")
