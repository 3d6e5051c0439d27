"""A window manager for the nested display, for clients of several windows.

Xephyr shows the client's screen in one window and draws no title bars: Zoom's meeting,
chat and participants windows would all open at the top left, over each other, and
could be neither moved nor resized. So the session runs openbox on the nested display,
in a bwrap sandbox of its own (every namespace new, the system read-only, its folder and
the nested display's socket only): it parses the client's window data, so it never runs
in the launcher, and it is not in the client's sandbox either, where the client could
see it and reach its descriptors. Its configuration (``resources/openbox/rc.xml``)
gives title bars, borders and Alt+Tab, and no menu that starts programs.

The client starts once openbox has taken over the screen (a window mapped before then
stayed unmanaged and unseen, as did the screen-share mirror's): openbox's ``--startup``
command writes a file the launcher waits for, at most :data:`READY_SECONDS`, before the
mirror and before the client (6-25 ms here; a spare waits with openbox running).
Without openbox on the host the client still runs; :func:`note` says what is missing.
"""

from __future__ import annotations

import shutil
import time
from importlib import resources
from pathlib import Path

from ..core import proc
from ..core.devices import DisplayGrant
from .helper import Helper, confined, start

#: Where openbox sees its folder (its home, configuration, cookie and ready mark).
INSIDE = "/run/wm"
READY_SECONDS = 2.0
_READY = "ready"


def _folder(workdir: Path) -> Path:
    return workdir / "wm"


def wanted(display: DisplayGrant) -> bool:
    """Whether *display* asks for a window manager (a nested X display, not a browser's)."""
    return display.mode == "isolated" and display.window_manager and not display.wayland


def binary() -> str | None:
    """openbox's path, or None when it is not installed."""
    return shutil.which("openbox", path="/usr/bin:/bin")


def note(display: DisplayGrant) -> str | None:
    """What the user should know when *display* wants a window manager and there is none."""
    if not wanted(display) or binary() is not None:
        return None
    return ("the isolated display has no window manager (install the package openbox): "
            "the client's windows cannot be moved or resized")


def start_window_manager(socket: str, auth: Path, workdir: Path) -> Helper | None:
    """Start openbox on the nested display whose *socket* and cookie file *auth* are
    given; None when openbox is not installed. :func:`wait_ready` waits for it."""
    openbox = binary()
    if openbox is None:
        return None
    bwrap = proc.which("bwrap", "to confine the window manager")
    folder = _folder(workdir)
    folder.mkdir(mode=0o700)
    config = resources.files("sandbox_launcher").joinpath("resources/openbox/rc.xml")
    (folder / "rc.xml").write_bytes(config.read_bytes())
    shutil.copyfile(auth, folder / "Xauthority")
    argv = [openbox, "--sm-disable", "--config-file", f"{INSIDE}/rc.xml",
            "--startup", f"/bin/sh -c ': > {INSIDE}/{_READY}'"]
    env = {"PATH": "/usr/bin:/bin", "LANG": "C.UTF-8", "HOME": INSIDE, "USER": "user",
           "DISPLAY": ":0", "XAUTHORITY": f"{INSIDE}/Xauthority",
           "DBUS_SESSION_BUS_ADDRESS": "unix:path=/nonexistent"}
    return start("openbox", confined(bwrap, folder, INSIDE, argv,
                                     ((socket, "/tmp/.X11-unix/X0"),)), workdir, env=env)


def wait_ready(helper: Helper, workdir: Path, timeout: float = READY_SECONDS) -> bool:
    """Wait until openbox (started in *workdir*) manages the screen; False if it did not
    in time (the client then starts anyway: a window manager is a comfort, not a grant)."""
    mark = _folder(workdir) / _READY
    deadline = time.monotonic() + timeout
    while not mark.exists():
        if helper.process.poll() is not None or time.monotonic() > deadline:
            return False
        time.sleep(0.002)
    return True
