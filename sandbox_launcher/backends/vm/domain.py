"""The libvirt domain XML of a disposable VM, built in this one place (virt-manager's habit).

:class:`DomainSpec` is a neutral description; :func:`domain_xml` renders it. Golden files
under ``tests/unit/golden/`` pin the output. What the XML must never contain, and why:

- no TCP port: SPICE listens nowhere (``<listen type='none'/>``); a viewer gets its
  connection through ``virDomainOpenGraphicsFD``;
- no USB controller unless a camera is granted (then one xHCI and that one device);
- no SPICE clipboard or file transfer unless granted;
- sound only when granted: an ICH9 HDA card whose QEMU audio backend is the session's
  own PulseAudio server (its ``client`` socket), never the host's, so the outside mute
  of the microphone holds for a VM as for a namespace session;
- the share folder only when granted: 9p, ``accessmode='squash'`` (files are the
  user's, nothing needs privilege) and ``<readonly/>`` unless granted :rw, so a guest
  that remounts it read-write still cannot write (QEMU refuses);
- no libvirt network: the NIC is a QEMU ``stream`` netdev connected to a passt socket that
  the launcher started inside the session's network jail. Debian 12's libvirt 9.0 has no
  ``vhostuser`` interface with a passt backend (11.1 has), and libvirt's own passt
  backend starts passt in the host's namespace, outside the jail, so the netdev is
  passed through the QEMU namespace of the domain XML.
"""

from __future__ import annotations

import xml.etree.ElementTree as ET
from dataclasses import dataclass
from pathlib import Path

QEMU_NS = "http://libvirt.org/schemas/domain/qemu/1.0"
#: Where the launcher tags its domains (session id), for stale recovery.
SLT_NS = "https://sandbox-launcher.invalid/domain/1"
DOMAIN_PREFIX = "slt-"
NETDEV_ID = "sltnet0"
NIC_SLOT = "0x10"


SHARE_TAG = "slt-share"


@dataclass(frozen=True)
class UsbDevice:
    """A granted USB device (the camera), by vendor and product id (hex, no 0x) and,
    when known, its bus and device number (two cameras of one model differ only there)."""

    vendor: str
    product: str
    bus: int | None = None
    device: int | None = None


@dataclass(frozen=True)
class ShareDir:
    """The granted share folder (its resolved host path)."""

    host: Path
    writable: bool = False


@dataclass(frozen=True)
class DomainSpec:
    """Everything the domain XML depends on; nothing else goes into it."""

    session_id: str
    memory_mib: int
    vcpus: int
    kernel: Path
    initrd: Path
    cmdline: str
    disk: Path  # the session's qcow2 overlay
    agent_socket: Path
    kvm: bool = False
    display: bool = False
    clipboard: bool = False
    file_transfer: bool = False
    camera: UsbDevice | None = None
    net_socket: Path | None = None  # passt's unix socket, inside the jail
    mac: str = "52:54:00:5e:00:53"
    console_log: Path | None = None
    #: The session's own sound server's socket (PulseAudio native protocol).
    sound_socket: Path | None = None
    share: ShareDir | None = None
    #: The joins' port (any launcher of the user hands a link to the agent there).
    join_socket: Path | None = None

    @property
    def name(self) -> str:
        """The domain's name: carries the session id so leftovers can be found."""
        return DOMAIN_PREFIX + self.session_id


def _sub(parent: ET.Element, tag: str, text: str | None = None, **attrs: str) -> ET.Element:
    element = ET.SubElement(parent, tag, attrs)
    if text is not None:
        element.text = text
    return element


def _os(root: ET.Element, spec: DomainSpec) -> None:
    os_el = _sub(root, "os")
    _sub(os_el, "type", "hvm", arch="x86_64", machine="q35")
    _sub(os_el, "kernel", str(spec.kernel))
    _sub(os_el, "initrd", str(spec.initrd))
    _sub(os_el, "cmdline", spec.cmdline)
    _sub(_sub(root, "features"), "acpi")
    if spec.kvm:
        _sub(root, "cpu", mode="host-passthrough")
    _sub(root, "clock", offset="utc")
    # A guest that powers off, reboots or crashes is over: never restart a disposable.
    for event in ("on_poweroff", "on_reboot", "on_crash"):
        _sub(root, event, "destroy")


def _graphics(devices: ET.Element, spec: DomainSpec) -> None:
    graphics = _sub(devices, "graphics", type="spice", autoport="no")
    _sub(graphics, "listen", type="none")
    _sub(graphics, "clipboard", copypaste="yes" if spec.clipboard else "no")
    _sub(graphics, "filetransfer", enable="yes" if spec.file_transfer else "no")
    _sub(_sub(devices, "video"), "model", type="virtio", heads="1")
    # An absolute pointer: the viewer's mouse lands where it points, without a grab.
    _sub(devices, "input", type="tablet", bus="virtio")
    _sub(devices, "channel", type="spicevmc").append(
        ET.Element("target", {"type": "virtio", "name": "com.redhat.spice.0"}))


def _devices(root: ET.Element, spec: DomainSpec) -> None:
    devices = _sub(root, "devices")
    disk = _sub(devices, "disk", type="file", device="disk")
    _sub(disk, "driver", name="qemu", type="qcow2", discard="unmap")
    _sub(disk, "source", file=str(spec.disk))
    _sub(disk, "target", dev="vda", bus="virtio")
    channel = _sub(devices, "channel", type="unix")
    _sub(channel, "source", mode="bind", path=str(spec.agent_socket))
    _sub(channel, "target", type="virtio", name="org.sandbox_launcher.agent.0")
    if spec.join_socket is not None:
        joins = _sub(devices, "channel", type="unix")
        _sub(joins, "source", mode="bind", path=str(spec.join_socket))
        _sub(joins, "target", type="virtio", name="org.sandbox_launcher.join.0")
    if spec.camera is None:
        _sub(devices, "controller", type="usb", model="none")
    else:
        _sub(devices, "controller", type="usb", model="qemu-xhci")
        hostdev = _sub(devices, "hostdev", mode="subsystem", type="usb", managed="no")
        source = _sub(hostdev, "source")
        _sub(source, "vendor", id="0x" + spec.camera.vendor)
        _sub(source, "product", id="0x" + spec.camera.product)
        if spec.camera.bus is not None and spec.camera.device is not None:
            _sub(source, "address", bus=str(spec.camera.bus), device=str(spec.camera.device))
    if spec.share is not None:
        fs = _sub(devices, "filesystem", type="mount", accessmode="squash")
        _sub(fs, "driver", type="path")
        _sub(fs, "source", dir=str(spec.share.host))
        _sub(fs, "target", dir=SHARE_TAG)
        if not spec.share.writable:
            _sub(fs, "readonly")
    if spec.sound_socket is not None:
        sound = _sub(devices, "sound", model="ich9")
        _sub(sound, "codec", type="duplex")
        _sub(sound, "audio", id="1")
        audio = _sub(devices, "audio", id="1", type="pulseaudio",
                     serverName=f"unix:{spec.sound_socket}")
        _sub(audio, "input", name="microphone")
        _sub(audio, "output", name="speakers")
    if spec.display:
        _graphics(devices, spec)
    if spec.console_log is not None:
        serial = _sub(devices, "serial", type="file")
        _sub(serial, "source", path=str(spec.console_log))
        _sub(serial, "target", port="0")
    _sub(devices, "memballoon", model="none")


def _netdev(root: ET.Element, spec: DomainSpec) -> None:
    if spec.net_socket is None:
        return
    cmd = ET.SubElement(root, f"{{{QEMU_NS}}}commandline")
    netdev = (f"stream,id={NETDEV_ID},server=off,addr.type=unix,"
              f"addr.path={spec.net_socket}")
    # QEMU creates this device before libvirt's own, so an automatic slot would be taken
    # from under libvirt's first root port (0x1): a fixed slot far above the handful
    # libvirt assigns, and below the chipset's 0x1f.
    device = f"virtio-net-pci,netdev={NETDEV_ID},mac={spec.mac},bus=pcie.0,addr={NIC_SLOT}"
    for arg in ("-netdev", netdev, "-device", device):
        ET.SubElement(cmd, f"{{{QEMU_NS}}}arg", value=arg)


def domain_xml(spec: DomainSpec) -> str:
    """Render *spec* as libvirt domain XML (deterministic: golden files compare it)."""
    # QEMU splits option values at commas: a path holding one would inject options.
    for path in (spec.net_socket, spec.sound_socket):
        if path is not None and "," in str(path):
            raise ValueError(f"a QEMU option value cannot hold a comma: {path}")
    ET.register_namespace("qemu", QEMU_NS)
    ET.register_namespace("slt", SLT_NS)
    root = ET.Element("domain", type="kvm" if spec.kvm else "qemu")
    _sub(root, "name", spec.name)
    ET.SubElement(_sub(root, "metadata"), f"{{{SLT_NS}}}session", id=spec.session_id)
    _sub(root, "memory", str(spec.memory_mib), unit="MiB")
    _sub(root, "vcpu", str(spec.vcpus))
    _os(root, spec)
    _devices(root, spec)
    _netdev(root, spec)
    ET.indent(root)
    return ET.tostring(root, encoding="unicode") + "\n"
