"""Device helpers of a session whose launcher died: find them, end them, prove it.

Helpers die with the launcher (``PR_SET_PDEATHSIG``), so normally nothing is left. But
the signal is tied to the thread that started them and a kernel or a wrapper may not pass
it on, so ``wipe --stale`` looks anyway: every helper names the session's state dir on
its command line (Xephyr's ``-auth``, the window mirror's ``--nested-auth``, the D-Bus
proxy's socket, the sound server's and the window manager's bwrap binds, the audio
forwarders' ``sandbox_launcher.state`` property) or, for the confined sound server and
window manager that see their folders elsewhere, their environment
(``SANDBOX_LAUNCHER_STATE``).
A killed Xephyr cannot remove its socket and lock, so their paths are kept in the state
dir (``x-files``) for this.
"""

from __future__ import annotations

import contextlib
import json
import os
import signal
import time
from pathlib import Path

from ..core.check import Check
from ..host import procs

_X_FILES = "x-files"
_SETTLE_SECONDS = 3.0


def remember_x_files(workdir: Path, server_pid: int, socket_path: Path, lock: Path) -> None:
    """Note the nested X server's pid, socket and lock, for a wipe after a launcher crash.

    The socket's inode and change time, and the pid in the lock (the server writes it just
    after it says it is ready), tell this server's files from those of a new server that
    has since taken the same display number: only the former may be removed.
    """
    with contextlib.suppress(OSError):
        info = socket_path.lstat()
        (workdir / _X_FILES).write_text(json.dumps({
            "pid": server_pid, "socket": [str(socket_path), info.st_ino, info.st_ctime_ns],
            "lock": str(lock)}), "utf-8")


def helper_pids(state_dir: Path) -> list[int]:
    """Live processes of this user whose command line or environment names *state_dir*."""
    marker = str(state_dir).encode()
    uid, me, found = os.getuid(), os.getpid(), []
    for entry in os.scandir("/proc"):
        if not entry.name.isdigit() or int(entry.name) == me:
            continue
        with contextlib.suppress(OSError):
            if entry.stat().st_uid != uid:
                continue
            argv = Path(f"/proc/{entry.name}/cmdline").read_bytes().split(b"\0")
            with contextlib.suppress(OSError):  # not readable once it is a zombie
                argv += Path(f"/proc/{entry.name}/environ").read_bytes().split(b"\0")
            named = any(a == marker or (marker + b"/") in a for a in argv)
            if named and not procs.is_zombie(int(entry.name)):
                found.append(int(entry.name))
    return found




def _remove_x_files(state_dir: Path) -> tuple[list[str], list[str]]:
    """Remove a dead nested X server's socket and lock: (removed, left behind).

    Only while they are still that server's: the socket with the same inode and change
    time, the lock naming its pid. A new server may have taken the number since, and its
    files must survive (between the check and the unlink there are microseconds).
    """
    try:
        known = json.loads((state_dir / _X_FILES).read_text("utf-8"))
        pid, lock = int(known["pid"]), Path(known["lock"])
        sock, ino, ctime = Path(known["socket"][0]), int(known["socket"][1]), \
            int(known["socket"][2])
    except (OSError, ValueError, TypeError, KeyError, IndexError):
        return [], []
    if procs.is_alive(pid):
        return [], []  # not ours to judge: the helper check reports a live server

    def ours(path: Path) -> bool:
        try:
            info = path.lstat()
            if info.st_uid != os.getuid():
                return False
            if path == sock:
                return (info.st_ino, info.st_ctime_ns) == (ino, ctime)
            return int(path.read_text().strip()) == pid
        except (OSError, ValueError):
            return False

    removed = []
    for path in (sock, lock):
        if ours(path):
            with contextlib.suppress(OSError):
                path.unlink()
                removed.append(str(path))
    return removed, [str(f) for f in (sock, lock) if ours(f)]


def wipe_helpers(state_dir: Path) -> tuple[int, list[Check]]:
    """Kill what is left of the session's helpers, remove the X files; (killed, checks).

    Run before the state dir is removed (it holds the list of X files).
    """
    found = helper_pids(state_dir)
    for pid in found:
        with contextlib.suppress(ProcessLookupError, PermissionError):
            os.kill(pid, signal.SIGKILL)
    deadline = time.monotonic() + _SETTLE_SECONDS
    left = helper_pids(state_dir)
    while left and time.monotonic() < deadline:
        time.sleep(0.02)
        left = helper_pids(state_dir)
    x_removed, x_left = _remove_x_files(state_dir)
    checks = [
        Check("device helpers gone", not left,
              f"still running: pids {left}" if left else
              f"{len(found)} helper(s) had survived the launcher and were killed" if found else
              "no helper (nested X server, D-Bus proxy, sound server) survived the launcher"),
        Check("nested X server files gone", not x_left,
              f"still there: {x_left}" if x_left else
              f"removed {x_removed}, left by the killed server" if x_removed else "none left"),
    ]
    return len(found), checks
