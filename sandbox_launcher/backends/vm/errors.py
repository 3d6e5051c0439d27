"""Typed errors of the VM backend (summary + hint, as everywhere in the launcher)."""

from __future__ import annotations

from ...core.errors import LauncherError


class ImageError(LauncherError):
    """A guest image is missing, modified, or could not be built."""


class ImageUnusable(ImageError):
    """The image *image* a session needs is not built, or not as it was built.

    A front end offers to (re)build *image* instead of repeating the hint's command.
    """

    def __init__(self, image: str, summary: str, hint: str = "", details: str = "") -> None:
        super().__init__(summary, hint, details)
        self.image = image


class ImageMissing(ImageUnusable):
    """No image of that name is built."""


class ImageModified(ImageUnusable):
    """The built image's files differ from its manifest (or its manifest is broken)."""


class BuildCancelled(ImageError):
    """The person cancelled a build; nothing of it was left behind."""


class BuildToolMissing(ImageError):
    """A program the build needs is not installed (``package`` is the Debian package)."""

    def __init__(self, program: str, package: str) -> None:
        super().__init__(f"{program} is not installed; it is needed to build guest images",
                         f"install the Debian package {package}: "
                         f"sudo apt-get install {package}")
        self.program = program
        self.package = package


class NoSubordinateIds(ImageError):
    """The user has no subordinate id range, which the unprivileged build needs."""

    def __init__(self, user: str, table: str) -> None:
        super().__init__(
            f"{user} has no subordinate id range in {table}; the unprivileged image "
            "build (mmdebstrap --mode=unshare) needs one",
            f"ask an administrator: sudo usermod --add-subuids 100000-165535 "
            f"--add-subgids 100000-165535 {user}")
        self.user = user


class DiskFull(ImageError):
    """The build needs about ``needed`` bytes free in ``where``; ``free`` were."""

    def __init__(self, where: str, needed: int, free: int, details: str = "") -> None:
        super().__init__(
            f"not enough disk space to build the image: about {needed // 2**20} MiB are "
            f"needed in {where}, {free // 2**20} MiB are free",
            "free some space (or remove images you no longer use) and build again",
            details)
        self.where = where
        self.needed = needed
        self.free = free


class MirrorUnreachable(ImageError):
    """The build could not download Debian's packages (no network, or the mirror)."""

    def __init__(self, mirror: str, details: str = "") -> None:
        super().__init__(f"Debian's package mirror {mirror} could not be reached",
                         "check the network connection, then build again", details)
        self.mirror = mirror


class AgentError(LauncherError):
    """The guest agent broke the protocol, said nothing in time, or the guest died."""


class VmError(LauncherError):
    """libvirt or QEMU refused or failed to run the disposable VM."""
