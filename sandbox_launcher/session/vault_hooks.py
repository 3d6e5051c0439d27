"""The sign-in vault around one namespace session: seed the fresh home, capture it at the end.

A seam until the session layer's home hooks (issue 10) carry the vault for every backend:
:func:`seeded_plan` puts the vault's files into the plan's seeded home files (memfds
handed to bwrap: the plain text goes from memory straight into the sandbox's tmpfs), and
:class:`HomeHold` keeps a descriptor on the sandbox's home tmpfs from the start, so the
sign-in paths can be read after the client has exited, before the tmpfs goes with the
last reference. Nothing here writes plain text to disk.
"""

from __future__ import annotations

import os
import time
from collections.abc import Iterable
from dataclasses import replace

from ..core.errors import VaultError
from ..core.plan import SANDBOX_HOME, LaunchPlan
from ..vault import as_home_files, capture

#: bwrap reports the sandbox (info fd) before its init has switched to the new root (it
#: first pivots into a scratch root, builds the sandbox's below it, then pivots again);
#: that takes milliseconds.
_SETUP_SECONDS = 5.0


def seeded_plan(plan: LaunchPlan, tar: bytes) -> LaunchPlan:
    """*plan* with the vault's files seeded into the fresh home (the vault's copy of a
    path wins over the profile's seeded file: it is what the client last wrote there)."""
    files: dict[str, str | bytes] = dict(plan.client.home_files)
    for path, data, _mode in as_home_files(tar, None):
        files[path] = data
    return replace(plan, client=replace(plan.client, home_files=tuple(sorted(files.items()))))


class HomeHold:
    """A descriptor on a running sandbox's home; the tmpfs stays readable through it."""

    def __init__(self, fd: int) -> None:
        self.fd = fd

    @classmethod
    def take(cls, leader_pid: int, mnt_ns: int) -> HomeHold:
        """Open the home of the sandbox whose init is *leader_pid* (in mount namespace
        *mnt_ns*, checked after opening so a reused pid is never mistaken for it)."""
        root = f"/proc/{leader_pid}/root"
        host_root = os.stat("/")
        deadline = time.monotonic() + _SETUP_SECONDS
        while True:
            try:
                sandbox_root = os.stat(root)
                if (sandbox_root.st_dev, sandbox_root.st_ino) != (host_root.st_dev,
                                                                  host_root.st_ino):
                    fd = os.open(root + SANDBOX_HOME, os.O_RDONLY | os.O_DIRECTORY
                                 | os.O_NOFOLLOW | os.O_CLOEXEC)
                    if os.fstat(fd).st_dev != sandbox_root.st_dev:  # the home's own tmpfs
                        break
                    os.close(fd)
            except FileNotFoundError:
                pass  # bwrap's first root, where it builds the sandbox's: not there yet
            except OSError as exc:
                raise VaultError(f"the sandbox's home cannot be held ({exc.strerror})",
                                 "the session runs without remembering sign-in") from exc
            if time.monotonic() > deadline:
                raise VaultError("the sandbox did not finish setting up its root",
                                 "the session runs without remembering sign-in")
            time.sleep(0.005)
        try:
            same = os.stat(f"/proc/{leader_pid}/ns/mnt").st_ino == mnt_ns
        except OSError:
            same = False
        if not same:
            os.close(fd)
            raise VaultError("the sandbox ended before its home could be held",
                             "the session runs without remembering sign-in")
        return cls(fd)

    def capture(self, paths: Iterable[str]) -> tuple[bytes, list[str]]:
        """The archive of *paths* below the home (links never followed), and notes."""
        return capture(self.fd, paths)

    def close(self) -> None:
        """Let the tmpfs go."""
        if self.fd >= 0:
            os.close(self.fd)
            self.fd = -1
