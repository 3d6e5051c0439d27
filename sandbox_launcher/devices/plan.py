"""DevicePlan: which peripherals one session gets, decided before anything starts.

Defaults: an isolated display (the host compositor's Wayland socket alone on a Wayland
host, else its own nested X server when the host has X11), speakers
and a muted microphone through a sound server of the session's own, no camera,
no share folder, a downloads folder that is discarded (or, for the app, held until the
user decides), the session bus only through a
filtering proxy and only for the names the profile lists, and no screen sharing. Each
refusal is a :class:`UsageError` raised before anything is launched.
"""

from __future__ import annotations

import os
import re
from collections.abc import Mapping, Sequence
from dataclasses import replace
from typing import TYPE_CHECKING, Protocol

from ..core.devices import (
    PICK,
    PORTAL,
    DevicePlan,
    DisplayGrant,
    ScreenGrant,
)
from ..core.errors import UsageError
from ..core.policy import DevicePolicy
from ..core.profile import Profile
from .audio import plan_audio
from .camera import CameraFinder
from .portal import describe_rules, picker_notes
from .share import POLICY_DISCARDS, check_keep_dir, parse_share
from .share_copy import share_notes
from .wayland import wayland_socket

if TYPE_CHECKING:
    from .x11_windows import HostWindow

_DISPLAY_RE = re.compile(r"^(?:unix)?:(\d+)(?:\.\d+)?$")


class WindowFinder(Protocol):
    """Looks host windows up for :func:`plan_devices` (``x11_windows`` on a real host)."""

    def describe(self, host: Mapping[str, str], window: int) -> HostWindow:
        """The window, or UsageError when it does not exist or cannot be shared."""
        ...

    def pick(self, host: Mapping[str, str]) -> int:
        """Let the user click a window; its id."""
        ...


class X11WindowFinder:
    """The host's X server, through :mod:`.x11_windows` (imported only when used)."""

    def describe(self, host: Mapping[str, str], window: int) -> HostWindow:
        """Look *window* up on the host display."""
        from .x11_windows import describe_window

        return describe_window(host, window)

    def pick(self, host: Mapping[str, str]) -> int:
        """The window the user clicks."""
        from .x11_windows import pick_window

        return pick_window(host)


def _refuse(flag: str, why: str) -> UsageError:
    return UsageError(f"{flag} is forbidden by the system policy: {why}",
                      f"run without {flag}, or ask your administrator")


def _display(mode: str, size: str, policy: DevicePolicy,
             host: Mapping[str, str], notes: list[str]) -> DisplayGrant:
    """The display grant; Wayland first when isolated, as its clients cannot spy on others."""
    if mode == "none":
        return DisplayGrant(reason="the profile asks for no display")
    if mode == "insecure_host_x11" and not policy.allow_host_x11:
        raise _refuse("devices.display = insecure_host_x11",
                      "the host X server would let the client read the screen and keyboard")
    refused = ""
    if mode == "isolated":
        socket, refused = wayland_socket(host)
        if socket:
            return DisplayGrant(mode, size=size, wayland=socket)
        if refused:
            notes.append(f"the host's Wayland socket is not granted: {refused}")
    display = host.get("DISPLAY", "")
    match = _DISPLAY_RE.match(display)
    if not match:
        why = (f"DISPLAY={display!r} is not a local X server" if display else
               "no usable Wayland socket and no X11 display on the host" if refused else
               "no Wayland socket and no X11 display on the host")
        return DisplayGrant(reason=why)
    home = host.get("HOME", os.path.expanduser("~"))
    xauthority = host.get("XAUTHORITY") or os.path.join(home, ".Xauthority")
    return DisplayGrant(mode, display, match[1], xauthority, size)


def _screen(value: str | None, display: DisplayGrant, policy: DevicePolicy,
            host: Mapping[str, str], windows: WindowFinder | None) -> ScreenGrant:
    """The screen grant: a window id or ``pick`` (X11), or ``portal`` (Wayland)."""
    if not value:
        return ScreenGrant()
    flag = "--share-screen" if value == PORTAL else "--share-window"
    if not policy.allow_screen_share:
        raise _refuse(flag, "the screen is never shared on this machine")
    if display.mode == "insecure_host_x11":
        raise UsageError(f"{flag} is pointless with devices.display = insecure_host_x11: "
                         "the client already sees the whole host screen and every window",
                         f"drop {flag}, or use display = 'isolated', where the client sees "
                         "only the window you share")
    if display.mode == "none":
        raise UsageError(f"{flag} needs a display in the sandbox, and this one has none "
                         f"({display.reason})",
                         "use a profile with devices.display = 'isolated'")
    if value == PORTAL:
        if not display.wayland:
            raise UsageError("on an X11 desktop the launcher shares one window of your "
                             "choice: --share-screen needs --share-window",
                             "add --share-window ID (as xwininfo shows it) or "
                             "--share-window pick, and click the window")
        return ScreenGrant(PORTAL, reason="the desktop portal asks the user")
    if display.wayland:
        raise UsageError("--share-window is for X11 desktops: on Wayland the desktop's "
                         "portal asks which window or screen to share",
                         "use --share-screen instead")
    if windows is None:
        raise UsageError("this launch cannot look host windows up",
                         "share a window from the app or the command line")
    finder = windows
    wid = finder.pick(host) if value == PICK else _window_id(value)
    found = finder.describe(host, wid)
    return ScreenGrant("mirror", found.id, found.title)


def _window_id(value: str) -> int:
    from .x11_windows import parse_window_id

    return parse_window_id(value)


def _host_bus(host: Mapping[str, str]) -> str:
    address = host.get("DBUS_SESSION_BUS_ADDRESS", "")
    if not address:
        runtime = host.get("XDG_RUNTIME_DIR", "")
        if runtime and os.path.exists(os.path.join(runtime, "bus")):
            address = f"unix:path={runtime}/bus"
    return address


def plan_devices(profile: Profile, *, camera: str | None,
                 shares: Sequence[str], keep_downloads: str | None,
                 policy: DevicePolicy, host: Mapping[str, str],
                 finder: CameraFinder | None = None,
                 mic: bool | None = None, share_screen: str | None = None,
                 windows: WindowFinder | None = None,
                 hold_downloads: str | None = None) -> tuple[DevicePlan, list[str]]:
    """Decide the device grants; returns the plan and notes for the user.

    *share_screen*: None or "" for no screen sharing; on an X11 host a window id (hex
    ``0x…`` or decimal) or ``pick`` (the user clicks it, after every other check); on a
    Wayland host ``portal``. *windows* looks the window up and *finder* the camera: the
    caller passes the host's (planning asks the host nothing itself); without them a
    window or camera cannot be granted. *hold_downloads* (the app's): without
    *keep_downloads*, the downloads wait in a folder under it until the user decides, if
    the policy lets downloads be kept.
    """
    notes: list[str] = []
    display = _display(profile["devices.display"], profile["devices.display_size"],
                       policy, host, notes)
    if display.mode == "isolated" and not display.wayland:
        # A browser shows one window, kept filling the display; other clients (Zoom's
        # meeting, chat and share windows) get a window manager to arrange theirs.
        display = replace(display, fill=True) if profile["client"] == "browser" \
            else replace(display, window_manager=True)
    if display.mode == "none" and profile["devices.display"] != "none":
        notes.append(f"the client gets no display: {display.reason}")
    chosen = None
    if camera not in (None, "", "none"):
        if not policy.allow_camera:
            raise _refuse("--camera", "cameras are never granted on this machine")
        if finder is None:
            raise UsageError("this launch cannot look cameras up",
                             "choose the camera from the app or the command line")
        chosen = finder.resolve(str(camera))
    share = None
    if len(shares) > 1:
        raise UsageError("only one --share folder per session",
                         "put what the meeting needs into one folder and share that")
    if shares:
        if not policy.allow_share:
            raise _refuse("--share", "share folders are never granted on this machine")
        home = host.get("HOME") or os.path.expanduser("~")
        share = parse_share(shares[0], home, policy.forbid_share)
        notes += share_notes(share, home)
    keep = None
    if keep_downloads:
        if not policy.allow_keep_downloads:
            raise _refuse("--keep-downloads", "downloads are always discarded on this machine")
        keep = check_keep_dir(keep_downloads)
    pending = hold_downloads if keep is None and policy.allow_keep_downloads else None
    discard_reason = "" if policy.allow_keep_downloads else POLICY_DISCARDS
    talk = tuple(profile["devices.dbus_talk"])
    bus = ""
    if talk:
        if not policy.allow_dbus:
            raise _refuse("devices.dbus_talk", "no session-bus service is granted here")
        bus = _host_bus(host)
        if not bus:
            notes.append("the profile asks for session-bus services, but the host has no "
                         "session bus: the client gets none")
            talk = ()
    audio, mic_refused = plan_audio(bool(profile["devices.speakers"]), mic,
                                    policy.allow_mic, host)
    if mic_refused:
        raise UsageError(f"--mic cannot be granted: {mic_refused}",
                         "run without --mic (the microphone is then off, and can be switched "
                         "on from the app when a sound server is there)")
    if not audio.enabled and profile["devices.speakers"] and \
            audio.reason.startswith(("no ", "the session's")):
        notes.append(f"the client gets no audio: {audio.reason}")
    screen = _screen(share_screen, display, policy, host, windows)
    if screen.mode == PORTAL:
        bus = bus or _host_bus(host)
        if not bus:
            raise UsageError("--share-screen goes through the desktop portal on the session "
                             "bus, and the host has no session bus",
                             "start the session from your desktop, where "
                             "DBUS_SESSION_BUS_ADDRESS is set")
        notes += picker_notes(host)
    return DevicePlan(display=display, camera=chosen, share=share, downloads=True,
                      keep_downloads=keep, pending_downloads=pending or None,
                      discard_reason=discard_reason, dbus_talk=talk, host_bus=bus,
                      audio=audio, screen=screen,
                      portal_rules=describe_rules() if screen.mode == PORTAL else {}), notes
