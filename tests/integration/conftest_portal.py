"""A real Wayland desktop with the portal's ScreenCast, as the test user, for screen sharing.

``screencast_desktop`` starts, as the unprivileged user and in a runtime dir of its own
(nothing of it lands in the user's real one), what a wlroots desktop runs, all from
Debian 12's packages: a session bus (``dbus``), ``sway`` headless with the pixman
renderer (one 640x480 output, painted green by ``swaybg``, and a small window of
``weston-presentation-shm`` that redraws itself in its corner, so a frame proves it
shows the live screen), ``pipewire`` with ``wireplumber``, ``xdg-permission-store`` and
``xdg-desktop-portal`` 1.16 with ``xdg-desktop-portal-wlr`` 0.7.0, and a real Secret
Service (``gnome-keyring``) that no sandboxed client may reach.

Two stand-ins, and why:

- the user's pick in the system dialog: xdpw's ``chooser_type = none`` with
  ``output_name = HEADLESS-1`` chooses that output without a person (a real desktop shows
  its picker here; see ``sandbox_launcher/devices/portal.py``);
- ``tests/stand_in/screencopy_dmabuf_shim.py`` between xdpw and sway only: without a GPU
  xdpw 0.7.0 refuses every cast for want of a DMA-BUF format (upstream issue #289); the
  shim adds that one event and xdpw then uses shared memory, which sway does provide.

Imported by the tests that use it (``from conftest_portal import screencast_desktop``).
"""

from __future__ import annotations

import contextlib
import os
import shutil
import subprocess
import tempfile
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest
from conftest import (
    REPO_ROOT,
    SYSTEM_PYTHON,
    LauncherUser,
    as_user_argv,
    dbus_session_config,
    stop_process,
    user_environment,
)

__all__ = ["SIZE", "TICKER_CORNER", "Desktop", "screencast_desktop"]

SIZE = (640, 480)
START_SECONDS = 20.0
SHIM = REPO_ROOT / "tests" / "stand_in" / "screencopy_dmabuf_shim.py"
#: Program -> Debian package, for the message when one is missing.
NEEDS = {
    "dbus-daemon": "dbus", "dbus-send": "dbus-bin", "sway": "sway", "swaybg": "swaybg",
    "pipewire": "pipewire-bin", "wireplumber": "wireplumber", "pw-dump": "pipewire-bin",
    "/usr/libexec/xdg-desktop-portal": "xdg-desktop-portal",
    "/usr/libexec/xdg-permission-store": "xdg-desktop-portal",
    "/usr/libexec/xdg-desktop-portal-wlr": "xdg-desktop-portal-wlr",
    "gnome-keyring-daemon": "gnome-keyring", "gst-launch-1.0": "gstreamer1.0-tools",
    "xdg-dbus-proxy": "xdg-dbus-proxy", "weston-presentation-shm": "weston",
}

#: Where the desktop's one window sits: all but its top-left 40x40 corner off the output.
TICKER_AT = (SIZE[0] - 40, SIZE[1] - 40)
TICKER_CORNER = 40 * 40
#: One output, green; every window floats, borderless, at TICKER_AT.
SWAY_CONFIG = f"""xwayland disable
output HEADLESS-1 resolution {SIZE[0]}x{SIZE[1]} bg #00ff00 solid_color
default_border none
default_floating_border none
for_window [title=".*"] floating enable, move position {TICKER_AT[0]} {TICKER_AT[1]}
"""
#: The desktop's one window, redrawn once a second. xdpw asks sway for frames "with
#: damage", which a still screen never sends: without it a cast may get no frame at all.
TICKER = ["weston-presentation-shm", "-i"]
#: The stand-in for the user's pick in the portal's dialog: that output, no person asked.
XDPW_CONFIG = """[screencast]
chooser_type=none
output_name=HEADLESS-1
"""


@dataclass
class Desktop:
    """The running desktop; ``env`` is what its session hands the launcher."""

    user: LauncherUser
    runtime_dir: Path
    procs: dict[str, subprocess.Popen[Any]] = field(default_factory=dict)
    wayland: str = ""

    @property
    def bus(self) -> str:
        return f"unix:path={self.runtime_dir}/bus"

    @property
    def env(self) -> dict[str, str]:
        """The desktop session's variables, for the launcher and the test's own calls."""
        return {"XDG_RUNTIME_DIR": str(self.runtime_dir), "WAYLAND_DISPLAY": self.wayland,
                "DBUS_SESSION_BUS_ADDRESS": self.bus}

    def service_env(self, **extra: str) -> dict[str, str]:
        """The services' own environment: every XDG dir inside the runtime dir."""
        run = self.runtime_dir
        return user_environment(self.user, env_extra={
            **self.env, "XDG_DATA_HOME": f"{run}/data", "XDG_CONFIG_HOME": f"{run}/config",
            "XDG_STATE_HOME": f"{run}/state", "XDG_CACHE_HOME": f"{run}/cache",
            "XDG_CURRENT_DESKTOP": "sway", **extra})

    def log(self, name: str, tail: int = 3000) -> str:
        """The end of *name*'s output (all of it with ``tail=0``)."""
        with contextlib.suppress(OSError):
            return (self.runtime_dir / f"{name}.log").read_text(errors="replace")[-tail:]
        return ""

    def start(self, name: str, argv: list[str], *, stdout: int | None = None,
              **extra: str) -> subprocess.Popen[Any]:
        with open(self.runtime_dir / f"{name}.log", "wb") as log:
            proc = subprocess.Popen(
                as_user_argv(self.user, argv), env=self.service_env(**extra),
                cwd=self.runtime_dir, stdin=subprocess.DEVNULL,
                stdout=log if stdout is None else stdout, stderr=log)
        self.procs[name] = proc
        return proc

    def wait(self, what: str, ready: Any, name: str) -> None:
        """Poll *ready* until true; fail with *name*'s log if it died or took too long."""
        deadline = time.monotonic() + START_SECONDS
        while not ready():
            proc = self.procs[name]
            if proc.poll() is not None:
                pytest.fail(f"{name} exited ({proc.returncode}) before {what}:\n"
                            f"{self.log(name)}")
            if time.monotonic() > deadline:
                pytest.fail(f"{what}: not within {START_SECONDS:g}s\n{self.log(name)}")
            time.sleep(0.05)

    def has_name(self, name: str) -> bool:
        """Whether *name* has an owner on the desktop's bus (asked as the user)."""
        done = subprocess.run(
            as_user_argv(self.user, [
                "dbus-send", f"--bus={self.bus}", "--print-reply", "--reply-timeout=2000",
                "--dest=org.freedesktop.DBus", "/org/freedesktop/DBus",
                "org.freedesktop.DBus.NameHasOwner", f"string:{name}"]),
            env=self.service_env(), capture_output=True, text=True, timeout=10, check=False)
        return "boolean true" in done.stdout

    def pipewire_clients(self) -> str:
        done = subprocess.run(as_user_argv(self.user, ["pw-dump"]), env=self.service_env(),
                              capture_output=True, text=True, timeout=10, check=False)
        return done.stdout

    def stop(self) -> None:
        for proc in reversed(list(self.procs.values())):
            stop_process(proc, grace=5)
            if proc.stdout is not None:
                proc.stdout.close()


def _missing() -> list[str]:
    return [f"{tool} (package {package})" for tool, package in NEEDS.items()
            if shutil.which(tool) is None and not os.access(tool, os.X_OK)]


def _bring_up(desktop: Desktop) -> None:
    run = desktop.runtime_dir
    for name, text in (("bus.conf", dbus_session_config(run / "bus")),
                       ("sway.conf", SWAY_CONFIG), ("xdpw.conf", XDPW_CONFIG)):
        (run / name).write_text(text)
    if desktop.user.switch:
        for path in [run, *run.iterdir()]:
            os.chown(path, desktop.user.uid, desktop.user.gid)

    desktop.start("dbus", ["dbus-daemon", f"--config-file={run}/bus.conf", "--nofork"])
    desktop.wait("the session bus listens", (run / "bus").is_socket, "dbus")

    desktop.start("sway", ["sway", "-c", str(run / "sway.conf")], WLR_BACKENDS="headless",
                  WLR_LIBINPUT_NO_DEVICES="1", WLR_RENDERER="pixman")

    def wayland_socket() -> bool:
        names = [p.name for p in run.glob("wayland-*") if p.is_socket()]
        desktop.wayland = names[0] if names else ""
        return bool(names)

    desktop.wait("sway's Wayland socket", wayland_socket, "sway")
    desktop.start("ticker", TICKER, WAYLAND_DISPLAY=desktop.wayland)

    desktop.start("pipewire", ["pipewire"])
    desktop.wait("PipeWire's socket", (run / "pipewire-0").is_socket, "pipewire")
    desktop.start("wireplumber", ["wireplumber"], WIREPLUMBER_DEBUG="4")
    desktop.wait("WirePlumber on PipeWire",
                 lambda: '"WirePlumber"' in desktop.pipewire_clients(), "wireplumber")

    desktop.start("permission-store", ["/usr/libexec/xdg-permission-store", "--replace"])
    desktop.wait("the permission store", lambda: desktop.has_name(
        "org.freedesktop.impl.portal.PermissionStore"), "permission-store")
    desktop.start("keyring", ["gnome-keyring-daemon", "--foreground", "--components=secrets",
                              f"--control-directory={run}/keyring"])
    desktop.wait("the Secret Service", lambda: desktop.has_name("org.freedesktop.secrets"),
                 "keyring")

    shim = run / "wayland-xdpw"
    desktop.start("shim", [SYSTEM_PYTHON, "-c", SHIM.read_text(), str(shim),
                           str(run / desktop.wayland)])
    desktop.wait("the screencopy shim", shim.is_socket, "shim")
    desktop.start("xdpw", ["/usr/libexec/xdg-desktop-portal-wlr", "-l", "INFO",
                           "-c", str(run / "xdpw.conf")], WAYLAND_DISPLAY=shim.name)
    desktop.wait("xdg-desktop-portal-wlr", lambda: desktop.has_name(
        "org.freedesktop.impl.portal.desktop.wlr"), "xdpw")
    desktop.start("portal", ["/usr/libexec/xdg-desktop-portal"])
    desktop.wait("xdg-desktop-portal", lambda: desktop.has_name(
        "org.freedesktop.portal.Desktop"), "portal")


@pytest.fixture
def screencast_desktop(launcher_user: LauncherUser) -> Iterator[Desktop]:
    """sway + PipeWire + the desktop portal (wlr) + a Secret Service, as the test user."""
    missing = _missing()
    if missing:
        pytest.fail("the screen-sharing tests need " + ", ".join(missing))
    run = Path(tempfile.mkdtemp(prefix="sl-desk-", dir="/tmp"))
    run.chmod(0o700)
    desktop = Desktop(launcher_user, run)
    try:
        _bring_up(desktop)
        yield desktop
    finally:
        desktop.stop()
        shutil.rmtree(run, ignore_errors=True)
