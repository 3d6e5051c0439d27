"""Capture named home paths after the client ended, before the home tmpfs disappears.

The home is a tmpfs of the sandbox's own mount namespace: it is gone, by the kernel's
hand, the moment bwrap's init exits. So a small shell inside runs the client, then
writes the named paths as a tar archive to a descriptor the client does not inherit.
The descriptor is a memfd of a fixed size (sealed against growing), so the archive
never touches a disk and can never be larger than the limit; what is in it is the
client's own data, as untrusted as the client, and is checked as such when read.
"""

from __future__ import annotations

import contextlib
import fcntl
import io
import os
import tarfile

from ..base import Captured, Resources
from ..home_archive import read_members, safe_member
from .bwrap import Data

#: Where, inside, the list of paths to capture is (NUL-separated, read-only).
PATHS_INSIDE = "/run/sandbox-launcher-capture"
#: The archive's end is found by tarfile; the rest of the sealed memfd is zeros.
_F_SEAL_SHRINK, _F_SEAL_GROW = 0x0002, 0x0004


class Capture:
    """One session's capture: the memfd, the list of paths, the wrapping shell."""

    def __init__(self, fd: int, paths: tuple[str, ...], limit: int) -> None:
        self.fd = fd
        self.paths = paths
        self.limit = limit
        listing = b"".join(p.encode() + b"\0" for p in paths)
        self.paths_file = Data.of(PATHS_INSIDE, listing)

    @classmethod
    def make(cls, resources: Resources) -> Capture:
        """A sealed, fixed-size memfd for the archive (sparse: costs only what is written)."""
        fd = os.memfd_create("sandbox-launcher-capture", os.MFD_ALLOW_SEALING)
        try:
            os.ftruncate(fd, resources.capture_limit)
            fcntl.fcntl(fd, fcntl.F_ADD_SEALS, _F_SEAL_SHRINK | _F_SEAL_GROW)
        except OSError:
            os.close(fd)
            raise
        paths = tuple(p for p in resources.home_capture if safe_member(p) is not None)
        return cls(fd, paths, resources.capture_limit)

    def wrap(self, command: list[str]) -> list[str]:
        """The client's command run by a shell that then archives the paths to our fd."""
        fd = self.fd
        # A stop sends SIGTERM to every process inside: the shell outlives it to write the
        # archive once the client has gone (a caught signal, unlike an ignored one, is
        # reset to its default in the client it starts).
        script = (f'trap true TERM INT HUP; "$@" {fd}>&-; rc=$?; cd "$HOME" && '
                  f"tar --create --null --files-from={PATHS_INSIDE} --ignore-failed-read "
                  f"--file=- >&{fd} 2>/dev/null; exit $rc")
        # bash, not sh: dash parses only one-digit descriptors, and ours is often >= 10
        # (``13>&-`` became an argument of the client and a "Bad fd number").
        return ["/bin/bash", "-c", script, "sandbox-launcher-capture", *command]

    def collect(self) -> Captured:
        """Read the archive back: regular files under the named paths only."""
        try:
            os.lseek(self.fd, 0, os.SEEK_SET)
            raw = os.read(self.fd, 512)
            if not raw.strip(b"\0"):
                return Captured()  # none of the paths existed
            os.lseek(self.fd, 0, os.SEEK_SET)
            with os.fdopen(os.dup(self.fd), "rb") as stream:
                return _read_archive(stream, self.paths, self.limit)
        finally:
            self.close()

    def close(self) -> None:
        """Free the memfd (and the paths list's)."""
        for fd in (self.fd, self.paths_file.fd):
            with contextlib.suppress(OSError):
                os.close(fd)


def _read_archive(stream: io.BufferedReader, paths: tuple[str, ...], limit: int) -> Captured:
    too_big = Captured(files={}, problem=(
        f"the client's saved state is larger than {limit / (1 << 20):g} MiB or damaged; "
        "nothing was kept from this session"))
    try:
        with tarfile.open(fileobj=stream, mode="r|") as archive:
            found = read_members(archive, paths)
    except (tarfile.TarError, OSError, EOFError):
        return too_big
    # An archive cut off by the sealed size can end on a member boundary and look whole:
    # without room for tar's end-of-archive blocks, it was cut.
    return too_big if found.end + 1024 > limit else found.captured()
