"""Wipe and verify a namespace sandbox from the outside, as a suspicious user would.

No process in the session's namespaces, nothing keeping those namespaces (and so their
sockets and tmpfs mounts) alive, no listening socket of the session left on the host.
"""

from __future__ import annotations

import contextlib
import os
import signal
import time
from collections.abc import Callable, Mapping

from ...core.check import Check
from ...host import procs

#: How long the kernel gets to finish tearing down a pid namespace after its init died.
_SETTLE_SECONDS = 3.0


def kill_remaining(namespaces: Mapping[str, int]) -> int:
    """SIGKILL every process still in, or holding on to, the session's namespaces.

    Holders are processes outside the namespaces with an fd to one, such as the
    network jail's pasta; they are part of the session too. Returns how many.
    """
    if not namespaces:
        return 0
    found = set(procs.members(dict(namespaces)))
    found.update(pid for pid, _ in procs.namespace_holders(dict(namespaces)))
    found.discard(os.getpid())
    procs.signal_all(found, signal.SIGKILL)
    return len(found)


def _wait_gone(namespaces: dict[str, int]) -> list[int]:
    deadline = time.monotonic() + _SETTLE_SECONDS
    while True:
        left = procs.members(namespaces)
        if not left or time.monotonic() > deadline:
            return left
        procs.signal_all(left, signal.SIGKILL)
        time.sleep(0.02)


def _nsfs_mounts(namespaces: Mapping[str, int]) -> list[str]:
    """Bind mounts of the namespaces (``ip netns`` style) in the host's mount table."""
    wanted = {f"{kind}:[{inode}]" for kind, inode in namespaces.items()}
    found = []
    try:
        with open("/proc/self/mountinfo", encoding="utf-8") as table:
            for line in table:
                fields = line.split()
                if len(fields) > 4 and fields[3] in wanted:
                    found.append(f"{fields[3]} at {fields[4]}")
    except OSError:
        pass
    return found


def pin(leader: int, namespaces: Mapping[str, int]) -> list[int]:
    """Open the session's namespaces (through its init, while it lives), so that none is
    freed before the wipe has looked: the kernel reuses a freed namespace's inode number
    at once, and the next sandbox (a spare built meanwhile) would then look like this
    session's leftovers to the wipe, and be killed. Closed by :func:`verify`'s release."""
    fds = []
    for kind, inode in namespaces.items():
        with contextlib.suppress(OSError):
            fd = os.open(f"/proc/{leader}/ns/{kind}", os.O_RDONLY | os.O_CLOEXEC)
            if os.fstat(fd).st_ino == inode:
                fds.append(fd)
            else:  # not the namespace recorded (the init is already another process)
                os.close(fd)
    return fds


def unpin(fds: list[int]) -> None:
    """Let the kernel free the namespaces :func:`pin` kept."""
    for fd in fds:
        with contextlib.suppress(OSError):
            os.close(fd)


def verify(namespaces: Mapping[str, int], listeners_before: Mapping[int, str],
           release: Callable[[], None] | None = None) -> list[Check]:
    """Check that nothing of the sandbox is left; never raises.

    *release*: closes the session's pins (:func:`pin`) once its processes are known gone,
    before checking that nothing else holds its namespaces.
    """
    spaces = dict(namespaces)
    left = _wait_gone(spaces) if spaces else []
    # While pinned, these inode numbers are still the session's and nobody else's.
    ours = procs.socket_inodes(procs.members(spaces)) if spaces else set()
    if release is not None:
        release()
    checks = [Check(
        "no process left", not left,
        f"still running: pids {left}" if left else
        f"no process in the session's namespaces ({', '.join(sorted(spaces))})")]

    holders = procs.namespace_holders(spaces) if spaces else []
    mounts = _nsfs_mounts(spaces)
    released = not holders and not mounts
    checks.append(Check(
        "namespaces released", released,
        "the kernel has freed the session's namespaces, with their sockets and tmpfs mounts"
        if released else f"still held: fds {holders}, mounts {mounts}"))

    new = {i: d for i, d in procs.listening_sockets().items() if i not in listeners_before}
    leaked = {i: d for i, d in new.items() if i in ours}
    checks.append(Check(
        "no listening socket left", not leaked,
        f"still listening: {sorted(leaked.values())}" if leaked else
        f"no socket of the session listens on the host ({len(new)} new host listeners "
        "belong to other programs)" if new else "no new listening socket on the host"))
    return checks
