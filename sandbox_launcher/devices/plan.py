"""DevicePlan: which peripherals one session gets, decided before anything starts.

Defaults: an isolated display (the host compositor's Wayland socket alone on a Wayland
host, else its own nested X server when the host has X11), speakers
and a muted microphone through a sound server of the session's own, no camera,
no share folder, a downloads folder that is discarded, the session bus only through a
filtering proxy and only for the names the profile lists. Each refusal is a
:class:`UsageError` raised before anything is launched.
"""

from __future__ import annotations

import os
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from ..core.errors import UsageError
from ..core.policy import DevicePolicy
from ..core.profile import Profile
from .audio import AudioGrant, audio_env, audio_grants, plan_audio
from .camera import Camera, CameraFinder
from .share import DOWNLOADS_INSIDE, ShareGrant, check_keep_dir, parse_share
from .wayland import INSIDE_WAYLAND, wayland_socket

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


@dataclass(frozen=True)
class DevicePlan:
    """Every peripheral grant of one session."""

    display: DisplayGrant = field(default_factory=DisplayGrant)
    camera: Camera | None = None
    share: ShareGrant | None = None
    downloads: bool = False
    keep_downloads: str | None = None
    dbus_talk: tuple[str, ...] = ()
    host_bus: str = ""  # the host session bus address the proxy connects to
    audio: AudioGrant = field(default_factory=AudioGrant)

    def env(self, runtime_dir: str) -> dict[str, str]:
        """Variables the grants set inside the sandbox."""
        env = {}
        if self.display.wayland:
            env["WAYLAND_DISPLAY"] = INSIDE_WAYLAND
            env["XDG_SESSION_TYPE"] = "wayland"
        elif self.display.mode != "none":
            env["DISPLAY"] = f":{INSIDE_DISPLAY}"
            env["XAUTHORITY"] = f"{runtime_dir}/Xauthority"
        if self.dbus_talk:
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
                          f"{DOWNLOADS_INSIDE}: listed in the report, discarded at the end"),
            "dbus": ({"via": "xdg-dbus-proxy --filter", "talk": list(self.dbus_talk)}
                     if self.dbus_talk else "none"),
            **audio_grants(self.audio),
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
                 mic: bool | None = None) -> tuple[DevicePlan, list[str]]:
    """Decide the device grants; returns the plan and notes for the user."""
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
    return DevicePlan(display=display, camera=chosen, share=share, downloads=True,
                      keep_downloads=keep, dbus_talk=talk, host_bus=bus, audio=audio), notes
