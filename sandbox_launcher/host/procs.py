"""Finding processes and sockets by namespace, straight from /proc.

Used to stop every process of a session (including daemons that double-forked
away from the client) and to verify afterwards that none is left. Reads /proc
directly: psutil would cost the CLI ~15 ms of import for three readlinks.
"""

from __future__ import annotations

import os
import re
import stat
from collections.abc import Iterable, Iterator

_NS_RE = re.compile(r"^(\w+):\[(\d+)\]$")
_SOCKET_RE = re.compile(r"^socket:\[(\d+)\]$")


def pids() -> Iterator[int]:
    """Every process id currently visible in /proc."""
    for entry in os.scandir("/proc"):
        if entry.name.isdigit():
            yield int(entry.name)


def namespace_of(pid: int, kind: str) -> int | None:
    """Inode of *pid*'s namespace of *kind* (pid, net, mnt, user…), or None if unreadable."""
    try:
        match = _NS_RE.match(os.readlink(f"/proc/{pid}/ns/{kind}"))
    except OSError:
        return None
    return int(match.group(2)) if match else None


def is_alive(pid: int) -> bool:
    """Whether *pid* exists and runs (a zombie is dead, only not yet reaped)."""
    return os.path.exists(f"/proc/{pid}") and not is_zombie(pid)


def is_zombie(pid: int) -> bool:
    """Whether *pid* has exited and only waits to be reaped (it runs nothing, holds nothing)."""
    try:
        with open(f"/proc/{pid}/stat", encoding="utf-8", errors="replace") as stat:
            return stat.read().rpartition(")")[2].split()[0] == "Z"
    except (OSError, IndexError):
        return False


def members(namespaces: dict[str, int]) -> list[int]:
    """Live processes inside any of the given namespaces (``{"pid": inode, …}``).

    Zombies are left out: they have already released everything but their pid.
    """
    found = []
    for pid in pids():
        if pid == os.getpid():
            continue
        inside = any(namespace_of(pid, kind) == inode for kind, inode in namespaces.items())
        if inside and not is_zombie(pid):
            found.append(pid)
    return found


def fd_targets(pid: int) -> Iterator[str]:
    """What each open fd of *pid* points at (``socket:[…]``, ``net:[…]``, a path…)."""
    try:
        fds = os.listdir(f"/proc/{pid}/fd")
    except OSError:
        return
    for fd in fds:
        try:
            yield os.readlink(f"/proc/{pid}/fd/{fd}")
        except OSError:
            continue


def char_device_holders(pid_list: Iterable[int], rdev: int) -> tuple[list[int], list[int]]:
    """Which of the processes hold a character device *rdev* open, and which hide their fds.

    Returns ``(holding, hidden)``. ``stat`` on a ``/proc/PID/fd/N`` link follows it to the
    open file, so a renamed or re-linked path cannot hide the device. *hidden*: processes
    whose fd table we may not read: a process that is not dumpable
    (``prctl(PR_SET_DUMPABLE, 0)``) has its ``/proc/PID/fd`` owned by root, mode 0500.
    Processes and fds that vanish while we look are skipped. Only the thread group's fd
    table is read: a thread that unshared its own (``unshare(CLONE_FILES)``) is not seen.
    """
    holding: list[int] = []
    hidden: list[int] = []
    for pid in pid_list:
        try:
            fd_dir = os.open(f"/proc/{pid}/fd", os.O_RDONLY | os.O_DIRECTORY | os.O_CLOEXEC)
        except PermissionError:
            if is_alive(pid):
                hidden.append(pid)
            continue
        except OSError:
            continue  # exited
        try:
            for name in os.listdir(fd_dir):
                try:
                    info = os.stat(name, dir_fd=fd_dir)
                except OSError:
                    continue  # closed meanwhile
                if info.st_rdev == rdev and stat.S_ISCHR(info.st_mode):
                    holding.append(pid)
                    break
        except OSError:
            continue  # exited while we listed
        finally:
            os.close(fd_dir)
    return holding, hidden


def namespace_holders(namespaces: dict[str, int]) -> list[tuple[int, str]]:
    """Processes holding an open fd to one of the namespaces (which keeps it alive)."""
    wanted = {f"{kind}:[{inode}]" for kind, inode in namespaces.items()}
    return [(pid, target) for pid in pids() for target in fd_targets(pid) if target in wanted]


def socket_inodes(pid_list: Iterable[int]) -> set[int]:
    """Inodes of the sockets the given processes hold open."""
    return {int(match.group(1)) for pid in pid_list for target in fd_targets(pid)
            if (match := _SOCKET_RE.match(target))}


_LISTEN = "0A"  # TCP_LISTEN in /proc/net/tcp's hex state column
_UNCONNECTED = "07"  # TCP_CLOSE: how a bound UDP socket shows up


def listening_sockets(uid: int | None = None) -> dict[int, str]:
    """Listening TCP and bound UDP sockets of this network namespace: inode → "proto addr"."""
    uid = os.getuid() if uid is None else uid
    found: dict[int, str] = {}
    for proto, state in (("tcp", _LISTEN), ("tcp6", _LISTEN), ("udp", _UNCONNECTED),
                         ("udp6", _UNCONNECTED)):
        try:
            with open(f"/proc/net/{proto}", encoding="ascii") as table:
                next(table)
                for line in table:
                    cols = line.split()
                    if cols[3] == state and int(cols[7]) == uid:
                        found[int(cols[9])] = f"{proto} {cols[1]}"
        except OSError:
            continue
    return found


def signal_all(pid_list: Iterable[int], sig: int) -> None:
    """Send *sig* to each process, ignoring those already gone."""
    for pid in pid_list:
        try:
            os.kill(pid, sig)
        except (ProcessLookupError, PermissionError):
            continue
