"""The VM's devices from the session's grants (pure logic; the real devices are proved in
tests/integration/test_vm_devices.py)."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from sandbox_launcher.backends.vm.devices import (
    GuestDevices,
    guest_devices,
    image_for_devices,
    plan_notes,
    usb_camera,
    vm_device_plan,
)
from sandbox_launcher.backends.vm.domain import ShareDir, UsbDevice
from sandbox_launcher.backends.vm.errors import VmError
from sandbox_launcher.backends.vm.viewer import Viewer, check_viewer, viewer_argv
from sandbox_launcher.core.devices import (
    VM_DISPLAY,
    AudioGrant,
    Camera,
    DevicePlan,
    DisplayGrant,
    ScreenGrant,
    ShareGrant,
)
from sandbox_launcher.core.errors import MissingTool


def _camera(sysfs: Path | None) -> Camera:
    return Camera(name="video0", card="Integrated Camera", node="/dev/video0", major=81,
                  minor=0, index=0, sysfs=str(sysfs) if sysfs else None)


def _usb_tree(root: Path, vendor: str = "046d", product: str = "0825") -> Path:
    """A sysfs-like USB device with a UVC interface and its video node below it."""
    device = root / "devices" / "pci0000:00" / "0000:00:14.0" / "usb3" / "3-2"
    node = device / "3-2:1.0" / "video4linux" / "video0"
    node.mkdir(parents=True)
    for name, value in (("idVendor", vendor), ("idProduct", product), ("busnum", "3"),
                        ("devnum", "7")):
        (device / name).write_text(value + "\n")
    return node


def test_a_usb_camera_becomes_its_usb_device_by_id_and_address(tmp_path: Path) -> None:
    assert usb_camera(_camera(_usb_tree(tmp_path))) == UsbDevice("046d", "0825", 3, 7)


@pytest.mark.parametrize("where", ["platform", "none", "bad-id"])
def test_a_camera_that_is_not_on_usb_is_a_typed_error(tmp_path: Path, where: str) -> None:
    if where == "platform":  # a laptop's MIPI camera, or v4l2loopback: no idVendor above
        sysfs = tmp_path / "devices" / "platform" / "v4l2loopback.0" / "video4linux" / "video0"
        sysfs.mkdir(parents=True)
    elif where == "bad-id":  # a hostile sysfs value never reaches the XML
        sysfs = _usb_tree(tmp_path, vendor="0x46'/>")
    else:
        sysfs = None
    with pytest.raises(VmError) as caught:
        usb_camera(_camera(sysfs))
    assert "is not a USB device" in caught.value.summary
    assert "--backend namespace" in caught.value.hint


def test_the_vm_keeps_sound_share_camera_and_turns_the_display_into_its_screen() -> None:
    share = ShareGrant("/home/u/Meeting", writable=False, dev=1, ino=2)
    plan = DevicePlan(display=DisplayGrant(mode="isolated", host_display=":0"),
                      audio=AudioGrant(host_server="unix:/run/user/1000/pulse/native",
                                       speakers=True, mic_allowed=True),
                      share=share, downloads=True, dbus_talk=("org.freedesktop.Notifications",),
                      screen=ScreenGrant(mode="mirror", window=5))
    kept, notes = vm_device_plan(plan)
    assert kept.display.mode == VM_DISPLAY and kept.display.host_display == ":0"
    assert kept.audio == plan.audio and kept.share == share
    # No host helper serves a VM: no Xephyr, no mirror, no bus proxy, no downloads dir.
    assert kept.screen.mode == "off" and not kept.bus_proxied and not kept.downloads
    assert notes == ("a VM session has no screen sharing, D-Bus proxy, downloads folder "
                     "yet: use the namespace backend for them",)
    assert "SPICE, no TCP port" in kept.grants()["display"]
    (line,) = plan_notes(kept)
    assert "display (SPICE" in line and "microphone muted from outside" in line
    assert "/home/u/Meeting (read-only, 9p)" in line


def test_a_camera_not_on_usb_is_refused_when_the_vm_session_is_planned(
        tmp_path: Path) -> None:
    platform = tmp_path / "devices" / "platform" / "ipu6" / "video4linux" / "video0"
    platform.mkdir(parents=True)
    with pytest.raises(VmError, match="is not a USB device"):
        vm_device_plan(DevicePlan(camera=_camera(platform)))
    kept, _notes = vm_device_plan(DevicePlan(camera=_camera(_usb_tree(tmp_path))))
    assert kept.camera is not None  # the control: a USB camera is kept


def test_a_session_with_a_display_boots_the_desktop_image_unless_the_policy_names_one(
        ) -> None:
    shown = DevicePlan(display=DisplayGrant(mode=VM_DISPLAY))
    assert image_for_devices("", shown) == "desktop"
    assert image_for_devices("hardened", shown) == "hardened"  # the policy's lock wins
    assert image_for_devices("", DevicePlan()) == ""  # the backend's default


def test_a_plan_without_grants_stays_without_devices() -> None:
    kept, notes = vm_device_plan(DevicePlan())
    assert kept == DevicePlan() and notes == ()
    assert plan_notes(kept) == ("VM devices: none (no display: commands only)",)


def test_the_agent_is_told_what_to_set_up_on_the_kernel_command_line() -> None:
    devices = GuestDevices(display=True, sound_socket=Path("/run/s/client"),
                           share=ShareDir(Path("/home/u/M"), writable=True),
                           share_inside="/home/user/Shared")
    assert devices.kernel_args() == ("slt.sound=1 slt.share=slt-share,rw,/home/user/Shared "
                                     "slt.display=1")
    assert GuestDevices().kernel_args() == "" and GuestDevices().empty
    assert not devices.empty


def test_a_share_swapped_since_planning_is_refused(tmp_path: Path) -> None:
    folder = tmp_path / "Meeting"
    folder.mkdir()
    st = os.stat(folder)
    grant = ShareGrant(str(folder), writable=False, dev=st.st_dev, ino=st.st_ino)
    got = guest_devices(DevicePlan(share=grant), None, display=False)
    assert got.share == ShareDir(folder, False)  # the control: the planned folder passes
    folder.rename(tmp_path / "old")
    folder.mkdir()
    with pytest.raises(VmError, match="was replaced"):
        guest_devices(DevicePlan(share=grant), None, display=False)


def test_a_missing_viewer_names_its_package(monkeypatch: pytest.MonkeyPatch,
                                            tmp_path: Path) -> None:
    monkeypatch.setenv("PATH", str(tmp_path))
    with pytest.raises(MissingTool) as caught:
        check_viewer({"DISPLAY": ":0"})  # what the backend asks before a VM boots
    assert "virt-viewer is not installed" in caught.value.summary
    assert "sudo apt-get install virt-viewer" in caught.value.hint


def test_the_viewer_attaches_through_libvirt() -> None:
    argv = viewer_argv("qemu:///session", "slt-x")
    assert argv[1:] == ["--connect", "qemu:///session", "--attach", "--domain-name", "--",
                        "slt-x"]


def test_without_a_desktop_the_viewer_is_a_typed_error() -> None:
    with pytest.raises(VmError, match="needs a desktop"):
        Viewer.start("qemu:///session", "slt-x", env={"PATH": "/usr/bin"})
