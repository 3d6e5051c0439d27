"""The user's runtime dir filled by a session: noticed within a second, a quarter once low.

A session's state dir, with the client's downloads folder, lives in ``$XDG_RUNTIME_DIR``:
on a desktop a tmpfs of a tenth of the memory that every program of the login shares
(sound server, bus, Wayland, portals). A client that writes until ENOSPC there starves
them all; an unprivileged launcher cannot cap a host folder, so it watches instead: a
timer (in the helpers' epoll set, so the session's loop needs nothing more) looks at the
file system's free space, and when less than :data:`RESERVE` (or a tenth, when smaller)
is left *and* the session's own files hold at least that much, the session is stopped and
wiped, which frees them. It is a guard, not a cap: a client writing at memory speed may
fill the rest before the next look, for at most that look's interval plus the client's
grace period after SIGTERM. The looks come every :data:`INTERVAL_S` while the dir has
room, every :data:`LOW_INTERVAL_S` once less than :data:`LOW` is free (an idle session's
launcher wakes as little as it can: issue 17).
"""

from __future__ import annotations

import contextlib
import ctypes
import os
import struct
from pathlib import Path

#: How often the free space is looked at while there is room, and once it runs low.
INTERVAL_S = 1.0
LOW_INTERVAL_S = 0.25
#: Free space below which the looks come at LOW_INTERVAL_S (or a quarter of the file
#: system, if smaller).
LOW = 256 << 20
#: Free space below which the runtime dir counts as full (or a tenth of it, if smaller).
RESERVE = 16 << 20
#: A session's folder is walked up to this many entries; more counts as "most of it".
_WALK_LIMIT = 5000

_CLOCK_MONOTONIC = 1
_TFD_NONBLOCK = os.O_NONBLOCK
_TFD_CLOEXEC = os.O_CLOEXEC
_libc = ctypes.CDLL(None, use_errno=True)


def timer(interval: float = INTERVAL_S) -> int:
    """A timerfd readable every *interval* seconds (Python 3.11 has no os.timerfd_*)."""
    fd = int(_libc.timerfd_create(_CLOCK_MONOTONIC, _TFD_NONBLOCK | _TFD_CLOEXEC))
    if fd < 0:
        err = ctypes.get_errno()
        raise OSError(err, f"timerfd_create: {os.strerror(err)}")
    try:
        rearm(fd, interval)
    except OSError:
        os.close(fd)
        raise
    return fd


def rearm(fd: int, interval: float) -> None:
    """Make the timer *fd* readable every *interval* seconds from now on."""
    sec, nsec = int(interval), int((interval % 1) * 1e9)
    spec = ctypes.create_string_buffer(struct.pack("qqqq", sec, nsec, sec, nsec))
    if _libc.timerfd_settime(fd, 0, spec, None) != 0:
        err = ctypes.get_errno()
        raise OSError(err, f"timerfd_settime: {os.strerror(err)}")


def interval(state_dir: Path) -> float:
    """How soon to look again at *state_dir*'s file system: soon once it runs low."""
    try:
        st = os.statvfs(state_dir)
    except OSError:
        return INTERVAL_S
    size, free = st.f_blocks * st.f_frsize, st.f_bavail * st.f_frsize
    return LOW_INTERVAL_S if free < min(LOW, size // 4) else INTERVAL_S


def drain(fd: int) -> None:
    """Take the timer's expirations, so it is not readable until the next one."""
    with contextlib.suppress(BlockingIOError):
        os.read(fd, 8)


def _usage(folder: Path, limit: int) -> int:
    """Bytes of the regular files under *folder*; stops counting past *limit* entries
    (a client could make millions) and then says "at least the reserve" by returning -1."""
    total, seen, stack = 0, 0, [str(folder)]
    while stack:
        try:
            entries = list(os.scandir(stack.pop()))
        except OSError:
            continue
        for entry in entries:
            seen += 1
            if seen > limit:
                return -1
            try:
                if entry.is_dir(follow_symlinks=False):
                    stack.append(entry.path)
                elif entry.is_file(follow_symlinks=False):
                    total += entry.stat(follow_symlinks=False).st_blocks * 512
            except OSError:
                continue
    return total


def full(state_dir: Path) -> str:
    """Why the session must stop for its runtime dir, or "" while there is room (or the
    room was taken by something else: stopping the meeting would not give it back)."""
    try:
        st = os.statvfs(state_dir)
    except OSError:
        return ""
    size, free = st.f_blocks * st.f_frsize, st.f_bavail * st.f_frsize
    reserve = min(RESERVE, size // 10)
    if free >= reserve:
        return ""
    ours = _usage(state_dir, _WALK_LIMIT)
    if 0 <= ours < reserve:
        return ""
    held = "many files" if ours < 0 else f"{ours >> 20} MiB"
    return (f"your runtime folder is full ({free >> 10} KiB free) and the meeting's "
            f"downloads hold {held} of it")
