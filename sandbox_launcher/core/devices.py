"""The device grants of a launch plan, as plain data every layer may carry.

Planning (``devices/plan.py``) decides them from the profile, the caller's options, the
system policy and the host; the session's device helpers (``devices/host.py``) and the
backends act on them. Nothing here touches the host.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import asdict, dataclass, field
from typing import Any

DISPLAY_MODES = ("isolated", "none", "insecure_host_x11")
#: A VM's display: its own screen, shown by the launcher's viewer (no host helper).
VM_DISPLAY = "vm"
#: The display the client sees inside, whatever the host's number.
INSIDE_DISPLAY = 0
#: The Wayland socket's name inside the sandbox's runtime dir.
INSIDE_WAYLAND = "wayland-0"
SHARE_INSIDE = "/home/user/Shared"
DOWNLOADS_INSIDE = "/home/user/Downloads"


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
    #: The client's main windows are kept filling the nested display (a browser's: it
    #: gets no window manager, and its window keeps a default size; devices/fill.py).
    fill: bool = False
    #: A window manager runs on the nested display, in a sandbox of its own (so a client
    #: of several windows has title bars to move them by; devices/window_manager.py).
    window_manager: bool = False

    def describe(self) -> str:
        """One line for the report."""
        if self.mode == "isolated" and self.wayland:
            return "wayland socket (host compositor)"
        if self.mode == "isolated":
            return (f"isolated: its own nested X server (Xephyr, {self.size}) in a window on "
                    f"{self.host_display}; no access to other windows, keyboard or clipboard")
        if self.mode == VM_DISPLAY:
            return ("the VM's own screen (SPICE, no TCP port) in a virt-viewer window on "
                    f"{self.host_display or 'the desktop'}; no clipboard or file transfer")
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


@dataclass(frozen=True)
class AudioGrant:
    """Sound for one session: none, speakers, and/or a switchable microphone."""

    host_server: str = ""  # "unix:/path" of the host's sound server
    speakers: bool = False
    mic_allowed: bool = False  # may be switched on during the session
    mic_at_start: bool = False  # on from the start (--mic)
    host_env: tuple[tuple[str, str], ...] = ()
    reason: str = ""  # why there is no sound at all
    mic_reason: str = ""  # why the microphone can never be switched on

    @property
    def enabled(self) -> bool:
        """Whether the session gets a sound server at all."""
        return bool(self.host_server) and (self.speakers or self.mic_allowed)

    def describe(self) -> str:
        """The report's ``audio`` line."""
        if not self.enabled:
            return f"none ({self.reason})" if self.reason else "none"
        out = (f"speakers: played on the host's sound server ({self.host_server})"
               if self.speakers else "speakers: off (played into nothing)")
        return ("its own PulseAudio server, no module loading, no access to the host's "
                f"devices; {out}")

    def describe_mic(self) -> str:
        """The report's ``microphone`` line."""
        why = self.mic_reason or self.reason
        if not self.enabled or not self.mic_allowed:
            return f"none ({why})" if why else "none"
        start = "on" if self.mic_at_start else "muted"
        return (f"{start} at the start; switched from outside the sandbox (the client "
                "cannot unmute it: while muted nothing is recorded from the host)")

    def env(self, runtime_dir: str) -> dict[str, str]:
        """Variables inside: where the client's own sound server is."""
        return {"PULSE_SERVER": f"unix:{runtime_dir}/pulse/native"} if self.enabled else {}

    def grants(self) -> dict[str, Any]:
        """The report's ``audio`` and ``microphone`` entries."""
        return {"audio": self.describe(), "microphone": self.describe_mic()}


@dataclass(frozen=True)
class Camera:
    """One V4L2 video node."""

    name: str  # kernel name: video0
    card: str  # what the driver calls it: "Integrated Camera"
    node: str  # host path of the device node
    major: int
    minor: int
    index: int | None = None  # 0 is usually the capture node of a device
    sysfs: str | None = None  # the node's real sysfs directory, if the host has one

    def to_dict(self) -> dict[str, Any]:
        """JSON form for ``cameras --json`` and the report."""
        return asdict(self)


@dataclass(frozen=True)
class ShareGrant:
    """One host folder visible inside at :data:`SHARE_INSIDE`."""

    host: str  # resolved path
    writable: bool
    dev: int
    ino: int
    inside: str = SHARE_INSIDE

    def to_dict(self) -> dict[str, Any]:
        """JSON form for the report."""
        return {"host": self.host, "inside": self.inside,
                "access": "read-write" if self.writable else "read-only"}


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
    #: What the bus proxy lets through to the portal (screen sharing on Wayland), for
    #: the report; set by planning, which knows the portal's rules.
    portal_rules: Mapping[str, Any] = field(default_factory=dict)

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
        env.update(self.audio.env(runtime_dir))
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
                      **({"portal": dict(self.portal_rules)} if self.screen.mode == PORTAL
                         else {})}
                     if self.bus_proxied else "none"),
            **self.audio.grants(),
            "screen": self.screen.describe(),
        }
