"""Wipe and verify: kill what is left of a session, remove its files, prove it is gone.

Verification looks at the host from the outside, the way a suspicious user would:
no process in the session's namespaces, nothing keeping those namespaces (and so
their sockets and tmpfs mounts) alive, no new listening socket left on the host,
no state dir left.
"""

from __future__ import annotations

import os
import shutil
import signal
import time
from pathlib import Path

from ..core.check import Check
from ..host import procs

__all__ = ["Check", "kill_remaining", "remove_state_dir", "verify"]

#: How long the kernel gets to finish tearing down a pid namespace after its init died.
_SETTLE_SECONDS = 3.0


def kill_remaining(namespaces: dict[str, int]) -> int:
    """SIGKILL every process still in, or holding on to, the session's namespaces.

    Holders are processes outside the namespaces with an fd to one, such as the
    network jail's pasta; they are part of the session too. Returns how many.
    """
    found = set(procs.members(namespaces))
    found.update(pid for pid, _ in procs.namespace_holders(namespaces))
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


def _nsfs_mounts(namespaces: dict[str, int]) -> list[str]:
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


def remove_state_dir(state_dir: Path) -> None:
    """Remove the session's host-side state dir (metadata only; contents live in tmpfs)."""
    shutil.rmtree(state_dir, ignore_errors=True)


def verify(namespaces: dict[str, int], state_dir: Path,
           listeners_before: dict[int, str]) -> list[Check]:
    """Check from outside that nothing of the session is left; never raises."""
    checks = []
    left = _wait_gone(namespaces) if namespaces else []
    checks.append(Check(
        "no process left", not left,
        f"still running: pids {left}" if left else
        f"no process in the session's namespaces ({', '.join(sorted(namespaces))})"))

    holders = procs.namespace_holders(namespaces) if namespaces else []
    mounts = _nsfs_mounts(namespaces)
    released = not holders and not mounts
    checks.append(Check(
        "namespaces released", released,
        "the kernel has freed the session's namespaces, with their sockets and tmpfs mounts"
        if released else f"still held: fds {holders}, mounts {mounts}"))

    new = {i: d for i, d in procs.listening_sockets().items() if i not in listeners_before}
    ours = procs.socket_inodes(procs.members(namespaces)) if namespaces else set()
    leaked = {i: d for i, d in new.items() if i in ours}
    checks.append(Check(
        "no listening socket left", not leaked,
        f"still listening: {sorted(leaked.values())}" if leaked else
        f"no socket of the session listens on the host ({len(new)} new host listeners "
        "belong to other programs)" if new else "no new listening socket on the host"))

    gone = not state_dir.exists()
    checks.append(Check("no file left", gone,
                        f"{state_dir} removed" if gone else f"{state_dir} still exists"))
    return checks
