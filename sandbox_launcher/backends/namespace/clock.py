"""A time namespace per session, so the client cannot learn the host's boot time.

/proc/uptime, /proc/stat's ``btime`` and CLOCK_BOOTTIME / CLOCK_MONOTONIC give the time
the host booted: the same in every session and on every reboot a new, stable fingerprint
(the boot_id is faked for the same reason). A time namespace shifts those clocks; the
wall clock is untouched, so meetings still start on time.

bwrap 0.8 cannot make a time namespace, and making one needs CAP_SYS_ADMIN in the user
namespace that will own it. util-linux's ``unshare`` provides both in one exec, right
before bwrap: in a namespace of its own, mapping the user to itself (``--map-current-user``)
for a sandbox without a jail, or inside the jail's user namespace, where ``nsenter`` made
us root already. ``unshare`` writes the offsets and execs bwrap, which Linux moves into
the new time namespace at exec (5.19 and later; earlier kernels only moved children,
which is where the client runs anyway).
"""

from __future__ import annotations

import os
import time
from pathlib import Path

from ...core import proc

_PURPOSE = "to give the sandbox a boot time of its own"
#: The session's clocks start as if the machine had booted this many seconds ago, plus
#: a random part of up to as many again: a plausible, different uptime every time.
FRESH_UPTIME_SECONDS = 120


def offsets(fresh_uptime: float | None = None) -> tuple[int, int]:
    """Seconds to add to the host's boottime and monotonic clocks inside the sandbox.

    Negative (the sandbox looks freshly booted), and never enough to make a clock
    negative, which the kernel refuses. Each clock is shifted to the same fresh value,
    so not even the time the host spent suspended shows.
    """
    if fresh_uptime is None:
        fresh_uptime = FRESH_UPTIME_SECONDS + int.from_bytes(os.urandom(2)) % \
            FRESH_UPTIME_SECONDS
    boottime = time.clock_gettime(time.CLOCK_BOOTTIME)
    monotonic = time.clock_gettime(time.CLOCK_MONOTONIC)
    return -int(boottime) + int(fresh_uptime), -int(monotonic) + int(fresh_uptime)


def prefix(in_jail: bool, own: Path = Path("/proc/self/ns/time")) -> list[str]:
    """The command that puts bwrap into a fresh time namespace.

    *in_jail*: we already run in the jail's user namespace with its capabilities, so
    only the time namespace is made there; otherwise a user namespace is made for it.
    Nothing on a kernel without time namespaces (before 5.6, or built without them):
    there the sandbox shows the host's boot time, as the README says, rather than not
    starting at all.
    """
    if not own.exists():
        return []
    unshare = proc.which("unshare", _PURPOSE)
    boottime, monotonic = offsets()
    user = [] if in_jail else ["--map-current-user"]
    return [unshare, *user, "--time", "--boottime", str(boottime),
            "--monotonic", str(monotonic), "--"]
