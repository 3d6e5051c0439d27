"""What the launch panel may offer of the device grants, and checks of what the user picks.

No Qt here: the app asks on a worker thread and gets plain data back. Each grant that
cannot be had comes with the reason, so the panel shows it disabled *and says why*
rather than hiding it. Listing cameras reads sysfs only (:class:`CameraFinder` never
opens a device, so no camera light goes on because the app was opened).
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass, field

from ..core.errors import UsageError
from ..core.policy import DevicePolicy
from ..devices.audio import plan_audio
from ..devices.camera import Camera, CameraFinder
from ..devices.share import check_keep_dir, parse_share

#: The fixed reasons (the app translates these; others, from the host, are passed on).
NO_CAMERA = "no camera found on this computer"
POLICY_CAMERA = "the system policy never grants a camera on this machine"
POLICY_SHARE = "the system policy never grants a share folder on this machine"
POLICY_KEEP = "the system policy always discards downloads on this machine"
POLICY_MIC = "the system policy never grants the microphone on this machine"
FIXED_REASONS = (NO_CAMERA, POLICY_CAMERA, POLICY_SHARE, POLICY_KEEP, POLICY_MIC)


@dataclass(frozen=True)
class DeviceChoices:
    """The grants a launch may ask for on this host under this policy."""

    cameras: tuple[Camera, ...] = ()
    camera_reason: str = ""  # why no camera can be chosen ("" = one can)
    share_reason: str = ""
    keep_reason: str = ""
    mic_reason: str = ""
    policy: DevicePolicy = field(default_factory=DevicePolicy)


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
    return DeviceChoices(cameras, camera_reason, share_reason, keep_reason, mic_reason,
                         policy)


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
