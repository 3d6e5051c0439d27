"""What the launch panel may offer of the device grants, and checks of what the user picks.

The host's windows for screen sharing are listed here too (from the host's X server, by
title; never their contents).

No Qt here: the app asks on a worker thread and gets plain data back. Each grant that
cannot be had comes with the reason, so the panel shows it disabled *and says why*
rather than hiding it. Listing cameras reads sysfs only (:class:`CameraFinder` never
opens a device, so no camera light goes on because the app was opened).
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass, field

from ..core.devices import Camera
from ..core.errors import UsageError
from ..core.policy import DevicePolicy
from ..devices.audio import plan_audio
from ..devices.camera import CameraFinder
from ..devices.share import POLICY_DISCARDS, check_keep_dir, parse_share
from ..devices.wayland import wayland_socket
from ..devices.x11_windows import HostWindow, display_number, list_windows

#: The fixed reasons (the app translates these; others, from the host, are passed on).
NO_CAMERA = "no camera found on this computer"
POLICY_CAMERA = "the system policy never grants a camera on this machine"
POLICY_SHARE = "the system policy never grants a share folder on this machine"
POLICY_KEEP = POLICY_DISCARDS
POLICY_MIC = "the system policy never grants the microphone on this machine"
POLICY_SCREEN = "the system policy never shares the screen on this machine"
NO_DESKTOP = "no desktop display to share from (neither Wayland nor X11)"
NO_WINDOWS = "no window on the desktop to share"
FIXED_REASONS = (NO_CAMERA, POLICY_CAMERA, POLICY_SHARE, POLICY_KEEP, POLICY_MIC,
                 POLICY_SCREEN, NO_DESKTOP, NO_WINDOWS)


@dataclass(frozen=True)
class DeviceChoices:
    """The grants a launch may ask for on this host under this policy."""

    cameras: tuple[Camera, ...] = ()
    camera_reason: str = ""  # why no camera can be chosen ("" = one can)
    share_reason: str = ""
    keep_reason: str = ""
    mic_reason: str = ""
    policy: DevicePolicy = field(default_factory=DevicePolicy)
    #: How the screen is shared here: "mirror" (one X11 window), "portal" (Wayland), "".
    screen_mode: str = ""
    screen_reason: str = ""
    #: The host's windows that may be shared (mirror mode).
    windows: tuple[HostWindow, ...] = ()


def screen_choices(policy: DevicePolicy, host: Mapping[str, str]
                   ) -> tuple[str, str, tuple[HostWindow, ...]]:
    """``(mode, reason, windows)``: the same order as the plan (Wayland first)."""
    if not policy.allow_screen_share:
        return "", POLICY_SCREEN, ()
    if wayland_socket(host)[0]:
        return "portal", "", ()
    if not display_number(host.get("DISPLAY", "")):
        return "", NO_DESKTOP, ()
    try:
        windows = tuple(list_windows(host))
    except UsageError as exc:
        return "", exc.summary, ()
    return "mirror", "" if windows else NO_WINDOWS, windows


def device_choices(policy: DevicePolicy, finder: CameraFinder,
                   host: Mapping[str, str] | None = None) -> DeviceChoices:
    """Read what can be granted; the reasons are for people (one line each)."""
    env = os.environ if host is None else host
    cameras: tuple[Camera, ...] = ()
    if not policy.allow_camera:
        camera_reason = POLICY_CAMERA
    else:
        cameras = tuple(c for c in finder.list() if c.index in (None, 0))
        camera_reason = "" if cameras else NO_CAMERA
    share_reason = "" if policy.allow_share else POLICY_SHARE
    keep_reason = "" if policy.allow_keep_downloads else POLICY_KEEP
    if not policy.allow_mic:
        mic_reason = POLICY_MIC
    else:
        grant, _ = plan_audio(True, None, True, env)
        mic_reason = "" if grant.mic_allowed and grant.enabled else grant.reason
    screen_mode, screen_reason, windows = screen_choices(policy, env)
    return DeviceChoices(cameras, camera_reason, share_reason, keep_reason, mic_reason,
                         policy, screen_mode, screen_reason, windows)


def share_problem(folder: str, writable: bool, policy: DevicePolicy,
                  host: Mapping[str, str] | None = None) -> str:
    """Why the plan would refuse sharing *folder* ("" when it would be shared).

    The same check ``make_plan`` runs (:func:`parse_share`), so what the panel says
    beside the field is what the launch would say.
    """
    if not folder:
        return ""
    env = os.environ if host is None else host
    home = env.get("HOME") or os.path.expanduser("~")
    try:
        parse_share(f"{folder}:{'rw' if writable else 'ro'}", home, policy.forbid_share)
    except UsageError as exc:
        return exc.summary
    return ""


def keep_problem(folder: str) -> str:
    """Why downloads could not be kept in *folder* ("" when they could)."""
    if not folder:
        return ""
    try:
        check_keep_dir(folder)
    except UsageError as exc:
        return exc.summary
    return ""
