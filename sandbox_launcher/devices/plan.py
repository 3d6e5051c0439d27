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
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, Protocol

from ..core.errors import UsageError
from ..core.policy import DevicePolicy
from ..core.profile import Profile
from .audio import AudioGrant, audio_env, audio_grants, plan_audio
from .camera import Camera, CameraFinder
from .portal import describe_rules, picker_notes
from .share import DOWNLOADS_INSIDE, POLICY_DISCARDS, ShareGrant, check_keep_dir, parse_share
from .wayland import INSIDE_WAYLAND, wayland_socket

if TYPE_CHECKING:
    from .x11_windows import HostWindow

DISPLAY_MODES = ("isolated", "none", "insecure_host_x11")
_DISPLAY_RE = re.compile(r"^(?:unix)?:(\d+)(?:\.\d+)?$")
#: The display the client sees inside, whatever the host's number.
INSIDE_DISPLAY = 0


@dataclass(frozen=True)
class DisplayGrant:
    """How the client gets a display (or why it gets none)."""

    mode: str = "none"  # isolated | insecure_host_x11 | none
    host_display: str = ""  # the host's DISPLAY, which Xephyr (or the bind) uses
    host_number: str = ""
    host_xauthority: str = ""
    size: str = "1280x800"
    reason: str = ""
    #: The host's Wayland socket: when set, the isolated display is that socket alone.
    wayland: str = ""

    def describe(self) -> str:
        """One line for the report."""
        if self.mode == "isolated" and self.wayland:
            return "wayland socket (host compositor)"
        if self.mode == "isolated":
            return (f"isolated: its own nested X server (Xephyr, {self.size}) in a window on "
                    f"{self.host_display}; no access to other windows, keyboard or clipboard")
        if self.mode == "insecure_host_x11":
            return (f"INSECURE: the host X server {self.host_display}; the client can read "
                    "the screen and every keystroke")
        return f"none ({self.reason})" if self.reason else "none"


SCREEN_MODES = ("off", "mirror", "portal")
#: ``share_screen`` values that are not a window id.
PORTAL, PICK = "portal", "pick"


@dataclass(frozen=True)
class ScreenGrant:
    """Screen sharing: off, one host window mirrored into the nested X display (X11), or
    the desktop portal's ScreenCast, where the user picks in the system dialog (Wayland)."""

    mode: str = "off"  # off | mirror | portal
    window: int = 0  # the host's X11 window id (mirror)
    title: str = ""
    reason: str = ""

    def describe(self) -> str:
        """One line for the report."""
        if self.mode == "mirror":
            return (f"one host window, 0x{self.window:x} {self.title!r}, copied one way into "
                    f"the window 'Shared: {self.title}' on the nested display; nothing else "
                    "of the host screen, and nothing done inside reaches the host window")
        if self.mode == "portal":
            return ("through the desktop portal's ScreenCast: the user picks what to share "
                    "in the desktop's own dialog")
        return f"none ({self.reason})" if self.reason else "none"


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


@dataclass(frozen=True)
class DevicePlan:
    """Every peripheral grant of one session."""

    display: DisplayGrant = field(default_factory=DisplayGrant)
    camera: Camera | None = None
    share: ShareGrant | None = None
    downloads: bool = False
    keep_downloads: str | None = None
    #: The app's: where the downloads wait for the user's decision at the end (the root of
    #: the pending folders); None discards them unless kept (the command line).
    pending_downloads: str | None = None
    #: Why the downloads are discarded whatever the user wants (the system policy).
    discard_reason: str = ""
    dbus_talk: tuple[str, ...] = ()
    host_bus: str = ""  # the host session bus address the proxy connects to
    audio: AudioGrant = field(default_factory=AudioGrant)
    screen: ScreenGrant = field(default_factory=ScreenGrant)

    @property
    def bus_proxied(self) -> bool:
        """Whether the client gets the filtering proxy's bus: for the profile's names, or
        for the portal's ScreenCast (screen sharing on Wayland), or both."""
        return bool(self.dbus_talk) or self.screen.mode == PORTAL

    def env(self, runtime_dir: str) -> dict[str, str]:
        """Variables the grants set inside the sandbox."""
        env = {}
        if self.display.wayland:
            env["WAYLAND_DISPLAY"] = INSIDE_WAYLAND
            env["XDG_SESSION_TYPE"] = "wayland"
        elif self.display.mode != "none":
            env["DISPLAY"] = f":{INSIDE_DISPLAY}"
            env["XAUTHORITY"] = f"{runtime_dir}/Xauthority"
        if self.bus_proxied:
            env["DBUS_SESSION_BUS_ADDRESS"] = f"unix:path={runtime_dir}/bus"
        env.update(audio_env(self.audio, runtime_dir))
        return env

    def grants(self) -> dict[str, Any]:
        """The report's view of the device grants."""
        return {
            "display": self.display.describe(),
            "camera": ({**self.camera.to_dict(), "inside": f"/dev/{self.camera.name}"}
                       if self.camera else "none"),
            "share": self.share.to_dict() if self.share else "none",
            "downloads": ("none" if not self.downloads else
                          f"{DOWNLOADS_INSIDE}: kept in {self.keep_downloads} at the end"
                          if self.keep_downloads else
                          f"{DOWNLOADS_INSIDE}: held outside the sandbox at the end until "
                          "the user keeps or discards them"
                          if self.pending_downloads else
                          f"{DOWNLOADS_INSIDE}: listed in the report, discarded at the end"
                          + (f" ({self.discard_reason})" if self.discard_reason else "")),
            "dbus": ({"via": "xdg-dbus-proxy --filter", "talk": list(self.dbus_talk),
                      **({"portal": describe_rules()} if self.screen.mode == PORTAL else {})}
                     if self.bus_proxied else "none"),
            **audio_grants(self.audio),
            "screen": self.screen.describe(),
        }


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
    finder = windows or X11WindowFinder()
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
    Wayland host ``portal``. *windows* looks the window up (the host's X server when
    None). *hold_downloads* (the app's): without *keep_downloads*, the downloads wait in
    a folder under it until the user decides, if the policy lets downloads be kept.
    """
    notes: list[str] = []
    display = _display(profile["devices.display"], profile["devices.display_size"],
                       policy, host, notes)
    if display.mode == "none" and profile["devices.display"] != "none":
        notes.append(f"the client gets no display: {display.reason}")
    chosen = None
    if camera not in (None, "", "none"):
        if not policy.allow_camera:
            raise _refuse("--camera", "cameras are never granted on this machine")
        chosen = (finder or CameraFinder()).resolve(str(camera))
    share = None
    if len(shares) > 1:
        raise UsageError("only one --share folder per session",
                         "put what the meeting needs into one folder and share that")
    if shares:
        if not policy.allow_share:
            raise _refuse("--share", "share folders are never granted on this machine")
        home = host.get("HOME") or os.path.expanduser("~")
        share = parse_share(shares[0], home, policy.forbid_share)
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
                      audio=audio, screen=screen), notes
