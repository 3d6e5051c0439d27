"""V4L2 cameras: listed from sysfs without opening them, and one chosen for a grant.

Opening a camera node can switch on its light, so listing reads only
``/sys/class/video4linux/*/{name,dev,index}`` and ``stat()``s the node. Tests point a
:class:`CameraFinder` at their own sysfs-like tree and device dir (constructor arguments,
never an environment variable a user could set).
"""

from __future__ import annotations

import os
import re
import stat
from pathlib import Path

from ..core.devices import Camera
from ..core.errors import UsageError

#: The character-device major number of every V4L2 node (video, vbi, radio…).
VIDEO_MAJOR = 81
_KERNEL_NAME = re.compile(r"^video\d+$")


def _read(path: Path) -> str | None:
    try:
        return path.read_text(encoding="utf-8", errors="replace").strip()
    except OSError:
        return None


class CameraFinder:
    """Finds cameras in *sysfs* (``/sys/class/video4linux``) with nodes in *dev*."""

    def __init__(self, sysfs: Path = Path("/sys/class/video4linux"),
                 dev: Path = Path("/dev")) -> None:
        self.sysfs = sysfs
        self.dev = dev

    def list(self) -> list[Camera]:
        """Every video node sysfs knows, in order; never opens a device."""
        try:
            entries = sorted(self.sysfs.iterdir(), key=lambda p: (len(p.name), p.name))
        except OSError:
            return []
        found = []
        for entry in entries:
            if not _KERNEL_NAME.match(entry.name):
                continue
            numbers = (_read(entry / "dev") or "").partition(":")
            if not (numbers[0].isdigit() and numbers[2].isdigit()):
                continue
            index = _read(entry / "index")
            found.append(Camera(
                name=entry.name, card=_read(entry / "name") or "unknown",
                node=str(self.dev / entry.name), major=int(numbers[0]), minor=int(numbers[2]),
                index=int(index) if index and index.isdigit() else None,
                sysfs=os.path.realpath(entry)))
        return found

    def resolve(self, spec: str) -> Camera:
        """The camera *spec* names: ``video0``, ``/dev/video0``, a card name, or a node path.

        The node must be a character device with V4L2's major number; anything else is
        refused, so ``--camera`` can never hand the client another device.
        """
        cameras = self.list()
        by_name = {c.name: c for c in cameras} | {c.node: c for c in cameras}
        camera = by_name.get(spec) or next((c for c in cameras if c.card == spec), None)
        if camera is None and "/" in spec:
            camera = self._from_node(Path(spec))
        if camera is None:
            known = ", ".join(f"{c.name} ({c.card})" for c in cameras) or "none on this host"
            raise UsageError(f"no camera {spec!r}: cameras are {known}",
                             "list them with 'sandbox-launcher cameras', or run with "
                             "--camera none")
        self._check_node(camera)
        return camera

    def _from_node(self, path: Path) -> Camera | None:
        try:
            st = os.stat(path)
        except OSError:
            return None
        if not stat.S_ISCHR(st.st_mode):
            return None
        major, minor = os.major(st.st_rdev), os.minor(st.st_rdev)
        sysfs = Path("/sys/dev/char") / f"{major}:{minor}"
        name = path.name if _KERNEL_NAME.match(path.name) else f"video{minor}"
        card = _read(sysfs / "name") if sysfs.exists() else None
        return Camera(name=name, card=card or "unknown", node=str(path), major=major,
                      minor=minor, sysfs=os.path.realpath(sysfs) if card else None)

    @staticmethod
    def _check_node(camera: Camera) -> None:
        try:
            st = os.stat(camera.node)
        except OSError as exc:
            raise UsageError(f"camera {camera.name}: {camera.node} is missing ({exc.strerror})",
                             "is the camera plugged in? see 'sandbox-launcher cameras'") from exc
        rdev = (os.major(st.st_rdev), os.minor(st.st_rdev))
        if not stat.S_ISCHR(st.st_mode) or rdev[0] != VIDEO_MAJOR:
            raise UsageError(f"{camera.node} is not a video device (V4L2, major {VIDEO_MAJOR})",
                             "give a camera from 'sandbox-launcher cameras'")
        if rdev != (camera.major, camera.minor):
            raise UsageError(f"{camera.node} is not the device sysfs names {camera.name}",
                             "the device list changed; plug the camera in again and retry")
