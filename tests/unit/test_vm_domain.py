"""The VM's domain XML: built in one place, pinned by golden files (virt-manager's habit).

Regenerate after a deliberate change with ``SLT_REGEN_GOLDEN=1 pytest tests/unit/test_vm_domain.py``
and review the diff: every line of these files is a security decision.
"""

from __future__ import annotations

import os
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest

from sandbox_launcher.backends.vm.domain import (
    QEMU_NS,
    SHARE_TAG,
    DomainSpec,
    ShareDir,
    UsbDevice,
    domain_xml,
)

GOLDEN = Path(__file__).parent / "golden"
SESSION = Path("/run/user/1000/sandbox-launcher/sessions/generic-0a1b2c")
IMAGE = Path("/home/u/.local/share/sandbox-launcher/images/default")


def _spec(**changes: object) -> DomainSpec:
    base: dict[str, object] = {
        "session_id": "generic-0a1b2c", "memory_mib": 512, "vcpus": 1,
        "kernel": IMAGE / "vmlinuz", "initrd": IMAGE / "initrd.img",
        "cmdline": "root=/dev/vda rw quiet init=/usr/local/sbin/slt-init",
        "disk": SESSION / "disk.qcow2", "agent_socket": SESSION / "agent.sock"}
    base.update(changes)
    return DomainSpec(**base)  # type: ignore[arg-type]


CASES = {
    "vm-tcg-headless": _spec(),
    "vm-kvm-display-net": _spec(kvm=True, display=True, net_socket=SESSION / "passt.sock",
                                vcpus=2, memory_mib=2048),
    "vm-display-granted-camera-clipboard": _spec(display=True, clipboard=True,
                                                 file_transfer=True,
                                                 camera=UsbDevice("046d", "0825")),
    # A meeting as the app starts it: screen, sound into the session's server, the share
    # read-only, the camera by its USB address.
    "vm-meeting-display-sound-share-camera": _spec(
        display=True, net_socket=SESSION / "passt.sock", sound_socket=SESSION / "pulse/client",
        share=ShareDir(Path("/home/u/Meeting")), camera=UsbDevice("046d", "0825", 3, 7)),
    "vm-share-rw-no-sound": _spec(share=ShareDir(Path("/home/u/Meeting"), writable=True)),
}


@pytest.mark.parametrize("name", sorted(CASES))
def test_domain_xml_matches_golden_file(name: str) -> None:
    rendered = domain_xml(CASES[name])
    golden = GOLDEN / f"{name}.xml"
    if os.environ.get("SLT_REGEN_GOLDEN"):
        golden.write_text(rendered, encoding="utf-8")
    assert rendered == golden.read_text(encoding="utf-8")


@pytest.mark.parametrize("name", sorted(CASES))
def test_no_network_port_and_no_device_without_a_grant(name: str) -> None:
    spec = CASES[name]
    root = ET.fromstring(domain_xml(spec))
    for graphics in root.iter("graphics"):
        assert [listen.get("type") for listen in graphics.iter("listen")] == ["none"]
        assert graphics.get("port") is None and graphics.get("tlsPort") is None
        assert graphics.find("clipboard").get("copypaste") == ("yes" if spec.clipboard  # type: ignore[union-attr]
                                                               else "no")
        assert graphics.find("filetransfer").get("enable") == (  # type: ignore[union-attr]
            "yes" if spec.file_transfer else "no")
    usb = [c.get("model") for c in root.iter("controller") if c.get("type") == "usb"]
    assert usb == (["qemu-xhci"] if spec.camera else ["none"])
    assert not list(root.iter("interface")), "no libvirt network: the NIC goes through the jail"
    args = [a.get("value") for a in root.iter(f"{{{QEMU_NS}}}arg")]
    if spec.net_socket is None:
        assert args == []
    else:
        assert args[0] == "-netdev" and f"addr.path={spec.net_socket}" in str(args[1])
    assert root.get("type") == ("kvm" if spec.kvm else "qemu")
    # Sound only when granted, and only into the session's own server (never the host's).
    audio = [(a.get("type"), a.get("serverName")) for a in root.iter("audio") if a.get("type")]
    assert audio == ([("pulseaudio", f"unix:{spec.sound_socket}")] if spec.sound_socket
                     else [])
    assert len(list(root.iter("sound"))) == (1 if spec.sound_socket else 0)
    shares = list(root.iter("filesystem"))
    assert len(shares) == (1 if spec.share else 0)
    for fs in shares:
        assert spec.share is not None
        assert fs.get("accessmode") == "squash"  # never passthrough: no privilege needed
        assert fs.find("source").get("dir") == str(spec.share.host)  # type: ignore[union-attr]
        assert fs.find("target").get("dir") == SHARE_TAG  # type: ignore[union-attr]
        assert (fs.find("readonly") is not None) == (not spec.share.writable)
    assert [e.text for e in (root.find("on_reboot"), root.find("on_crash"))] == ["destroy"] * 2


def test_a_comma_in_the_socket_path_cannot_inject_qemu_options() -> None:
    with pytest.raises(ValueError, match="comma"):
        domain_xml(_spec(net_socket=Path("/tmp/x,script=/evil")))
    with pytest.raises(ValueError, match="comma"):
        domain_xml(_spec(sound_socket=Path("/tmp/x,server=tcp:203.0.113.9")))
