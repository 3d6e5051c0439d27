"""A window manager inside the sandbox, for clients of several windows on the nested display.

Xephyr shows the client's screen in one window and draws no title bars: Zoom's meeting,
chat and participants windows would all open at the top left, over each other, and
could be neither moved nor resized. So the sandbox runs openbox beside the client, as
the client (same user, namespaces and seccomp filter, the nested display only): it parses
the client's window data inside the sandbox, never in the launcher. Its configuration
(``resources/openbox/rc.xml``) gives title bars, borders and Alt+Tab, and no menu that
starts programs.

openbox is started by a shell that waits until openbox has taken over the screen (a
window mapped meanwhile stayed unmanaged and unseen) and then execs the client; openbox's
parent is the sandbox's init, not the shell: the client's process tree is as without
it, and when the client exits bwrap ends the sandbox, openbox with it. A spare's stub
waits with openbox already running, so a click does not wait for it. Without openbox on
the host the client still runs; :func:`note` says what is missing.
"""

from __future__ import annotations

import shutil
from importlib import resources

from ...core.plan import LaunchPlan
from .bwrap import Data

#: The configuration's path inside (beside the capture's list: ``/run/sandbox-launcher`` is a
#: read-only view).
CONFIG_INSIDE = "/run/sandbox-launcher-openbox.xml"
#: The wrapping shell's name in the sandbox's process list, for the moment it exists.
MARK = "sandbox-launcher-wm"
#: How long the client waits at most for openbox to be ready (it takes 6-25 ms here).
READY_TIMEOUT_S = 2
# openbox's --startup command writes a line to fd 3, a pipe the shell reads until then:
# a window mapped while openbox was taking over the screen stayed unmanaged and unseen.
# openbox, started in the process substitution's subshell, is the sandbox init's child.
_SCRIPT = (f"read -r -t {READY_TIMEOUT_S} _ < <(openbox --sm-disable --config-file "
           f"{CONFIG_INSIDE} --startup \"/bin/sh -c 'echo >&3'\" "
           "3>&1 >/dev/null 2>&1 </dev/null &); exec \"$@\"")


def wanted(plan: LaunchPlan) -> bool:
    """Whether *plan* asks for a window manager (a nested X display, not a browser's)."""
    display = plan.devices.display
    return display.mode == "isolated" and display.window_manager


def binary() -> str | None:
    """openbox's path (the host's /usr is the sandbox's), or None when not installed."""
    return shutil.which("openbox", path="/usr/bin:/bin")


def note(plan: LaunchPlan) -> str | None:
    """What the user should know when *plan* wants a window manager and there is none."""
    if not wanted(plan) or binary() is not None:
        return None
    return ("the isolated display has no window manager (install the package openbox): "
            "the client's windows cannot be moved or resized")


def options(plan: LaunchPlan) -> list[Data]:
    """The configuration file, when the window manager will run."""
    if not wanted(plan) or binary() is None:
        return []
    config = resources.files("sandbox_launcher").joinpath("resources/openbox/rc.xml")
    return [Data.of(CONFIG_INSIDE, config.read_bytes())]


def client_argv(plan: LaunchPlan, command: list[str]) -> list[str]:
    """*command*, started after the window manager when the plan wants one."""
    if not wanted(plan) or binary() is None:
        return command
    return ["/bin/bash", "-c", _SCRIPT, MARK, *command]
