"""A user's session libvirtd that a test started with a throw-away environment.

``qemu:///session`` starts ``libvirtd --timeout=120`` with the environment of whoever
connected first, and every later connection keeps it alive. A GUI test gives the app its
own ``XDG_CONFIG_HOME`` under pytest's temporary dir: a daemon it started keeps that
config dir, whose socket paths are too long for the VM tests' domains, for as long as
later launches' stale sweeps keep connecting. The tests that start such a daemon stop it,
and the VM tests stop any daemon whose environment is not the desktop user's.
"""

from __future__ import annotations

import os
import signal
import time
from collections.abc import Callable
from pathlib import Path

__all__ = ["stop_libvirtd_unless"]


def _config_home(pid: int) -> str | None:
    try:
        environ = Path(f"/proc/{pid}/environ").read_bytes()
    except OSError:
        return None
    for item in environ.split(b"\0"):
        if item.startswith(b"XDG_CONFIG_HOME="):
            return item.split(b"=", 1)[1].decode(errors="replace")
    return ""


def _daemons(uid: int) -> list[int]:
    found = []
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            if entry.stat().st_uid != uid:
                continue
            argv0 = (entry / "cmdline").read_bytes().split(b"\0", 1)[0]
        except OSError:
            continue
        if os.path.basename(argv0) == b"libvirtd":
            found.append(int(entry.name))
    return found


def _alive(pid: int) -> bool:
    try:
        stat = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return False
    return stat.rsplit(")", 1)[1].split()[0] != "Z"  # a zombie nobody reaped is gone


def stop_libvirtd_unless(uid: int, keep: Callable[[str], bool],
                         runtime_dir: Path) -> list[int]:
    """Stop *uid*'s libvirtd daemons whose ``XDG_CONFIG_HOME`` *keep* refuses; return
    their pids. SIGTERM first (the daemon removes its socket); a daemon that does not
    end in 10 s is killed and its socket removed, so the next connection starts anew."""
    stopped = []
    for pid in _daemons(uid):
        home = _config_home(pid)
        if home is None or keep(home):
            continue
        try:
            os.kill(pid, signal.SIGTERM)
        except ProcessLookupError:
            continue
        stopped.append(pid)
        deadline = time.monotonic() + 10
        while _alive(pid) and time.monotonic() < deadline:
            time.sleep(0.05)
        if _alive(pid):
            os.kill(pid, signal.SIGKILL)
            (runtime_dir / "libvirt" / "libvirt-sock").unlink(missing_ok=True)
    return stopped
