"""The VM's devices from the session's grants: display, sound, share folder, camera.

The session layer starts the same host side for a VM as for a namespace session
(``devices/host.py``: the per-session sound server, the checked share folder); this
module turns it into what the domain XML and the guest agent need:

- display: SPICE with no port; the launcher's viewer attaches through libvirt;
- sound: the session server's ``client`` socket becomes QEMU's PulseAudio server, so
  the microphone is muted outside the VM exactly as outside a namespace sandbox;
- share: the folder by 9p (read-only unless granted :rw), mounted by the agent at the
  path a namespace session shows it (``/home/user/Shared``);
- camera: a USB hostdev of the granted camera's USB device. A camera that is not on USB
  (a platform camera, a loopback device) cannot be handed to a VM: a typed error.
"""

from __future__ import annotations

import os
from dataclasses import dataclass, replace
from pathlib import Path

from ...core.devices import VM_DISPLAY, Camera, DevicePlan, DisplayGrant, ScreenGrant
from ...devices.host import HostDevices
from .domain import SHARE_TAG, ShareDir, UsbDevice
from .errors import VmError

#: The image a VM session with a display boots unless the policy names one: it has an X
#: server (images/recipes/desktop.toml); "default" has none.
DESKTOP_IMAGE = "desktop"


def image_for_devices(image: str, plan: DevicePlan) -> str:
    """The image a VM session of *plan* boots: the one named (the system policy's), else
    the desktop image when it has a display, else "" (the backend's default)."""
    return image or (DESKTOP_IMAGE if plan.display.mode == VM_DISPLAY else "")


@dataclass(frozen=True)
class GuestDevices:
    """What the VM is given besides disk, agent port and network card."""

    display: bool = False
    sound_socket: Path | None = None
    share: ShareDir | None = None
    share_inside: str = ""
    camera: UsbDevice | None = None

    @property
    def empty(self) -> bool:
        """No device at all: a pooled VM (booted before the grants were known) will do."""
        return not (self.display or self.sound_socket or self.share or self.camera)

    def kernel_args(self) -> str:
        """Words for the guest's kernel command line: what the agent sets up at boot."""
        words = []
        if self.sound_socket is not None:
            words.append("slt.sound=1")
        if self.share is not None:
            mode = "rw" if self.share.writable else "ro"
            words.append(f"slt.share={SHARE_TAG},{mode},{self.share_inside}")
        if self.display:
            words.append("slt.display=1")
        return " ".join(words)


def _read(path: Path) -> str:
    try:
        return path.read_text(encoding="ascii", errors="replace").strip()
    except OSError:
        return ""


def usb_camera(camera: Camera) -> UsbDevice:
    """The USB device *camera*'s video node belongs to, from sysfs (its nearest parent
    with ``idVendor``); a typed error when it is not on USB."""
    start = Path(camera.sysfs) if camera.sysfs else None
    node = start
    while node is not None and node != node.parent:
        vendor, product = _read(node / "idVendor"), _read(node / "idProduct")
        if vendor and product:
            bus, dev = _read(node / "busnum"), _read(node / "devnum")
            if not (_hex4(vendor) and _hex4(product)):
                break
            return UsbDevice(vendor.lower(), product.lower(),
                             int(bus) if bus.isdigit() else None,
                             int(dev) if dev.isdigit() else None)
        node = node.parent
    raise VmError(
        f"the camera {camera.name} ({camera.card}) is not a USB device, so it cannot be "
        "handed to a VM",
        "a VM gets only USB cameras (as a USB device of its own); run this session with "
        "--backend namespace to use this camera, or start it without the camera",
        details=f"sysfs: {camera.sysfs or 'none'}")


def _hex4(text: str) -> bool:
    return len(text) == 4 and all(c in "0123456789abcdefABCDEF" for c in text)


def guest_devices(plan: DevicePlan, host: HostDevices | None, display: bool) -> GuestDevices:
    """The VM's devices for *plan*, whose host side *host* runs (the session's).

    The share is re-checked here (the same identity as planned: a folder swapped for
    another since is refused), as the namespace backend does by opening it.
    """
    sound = None
    if host is not None and host.sound is not None:
        sound = host.sound.client_socket
    share = None
    inside = ""
    if plan.share is not None:
        try:
            st = os.stat(plan.share.host)
        except OSError as exc:
            raise VmError(f"the share folder {plan.share.host} is gone",
                          "create it again or start without --share",
                          details=str(exc)) from exc
        if (st.st_dev, st.st_ino) != (plan.share.dev, plan.share.ino):
            raise VmError(f"the share folder {plan.share.host} was replaced since the "
                          "launch was planned", "start the session again")
        share = ShareDir(Path(plan.share.host), plan.share.writable)
        inside = plan.share.inside
    camera = usb_camera(plan.camera) if plan.camera is not None else None
    return GuestDevices(display=display, sound_socket=sound, share=share,
                        share_inside=inside, camera=camera)


#: What a VM session cannot be given yet, said with its plan when the profile asks.
_NOT_IN_VMS = {"screen": "screen sharing", "dbus": "D-Bus proxy",
               "downloads": "downloads folder"}


def vm_device_plan(plan: DevicePlan) -> tuple[DevicePlan, tuple[str, ...]]:
    """The grants a VM session keeps of *plan*, and notes for what it drops.

    The guest has its own X server: a display grant becomes the VM's screen (no nested
    X server, no host X, no Wayland socket on the host side). Sound, share and camera
    keep their host side (the session's sound server, the checked folder, the camera).
    A camera that is not on USB is refused here, before anything starts.
    """
    if plan.camera is not None:
        usb_camera(plan.camera)
    dropped = []
    if plan.screen.mode != "off":
        dropped.append(_NOT_IN_VMS["screen"])
    if plan.bus_proxied:
        dropped.append(_NOT_IN_VMS["dbus"])
    if plan.downloads:
        dropped.append(_NOT_IN_VMS["downloads"])
    display = plan.display
    if display.mode != "none" or display.wayland:
        display = DisplayGrant(mode=VM_DISPLAY, host_display=display.host_display,
                               size=display.size)
    kept = replace(plan, display=display, screen=ScreenGrant(), dbus_talk=(), host_bus="",
                   downloads=False, keep_downloads=None, pending_downloads=None,
                   portal_rules={})
    notes = ((f"a VM session has no {', '.join(dropped)} yet: "
              "use the namespace backend for them",) if dropped else ())
    return kept, notes


def plan_notes(plan: DevicePlan) -> tuple[str, ...]:
    """One line for the plan: the devices the VM will get."""
    parts = []
    if plan.display.mode == VM_DISPLAY:
        parts.append("display (SPICE in virt-viewer, no TCP port)")
    if plan.audio.enabled:
        parts.append("sound into the session's own sound server"
                     + (" (microphone muted from outside)" if plan.audio.mic_allowed else ""))
    if plan.share is not None:
        parts.append(f"share folder {plan.share.host} "
                     f"({'read-write' if plan.share.writable else 'read-only'}, 9p)")
    if plan.camera is not None:
        parts.append(f"camera {plan.camera.name} as a USB device")
    return (f"VM devices: {'; '.join(parts)}",) if parts else (
        "VM devices: none (no display: commands only)",)
