"""A read-only share as a snapshot: copied at start, so the sandbox sees no host path.

The kernel prints every bind mount's source path in ``/proc/self/mountinfo`` ("root",
its path inside its file system): a share bound from ``/home/LOGIN/Meeting`` names the
user to the client, at whatever path it is mounted inside. A read-only share needs no
live link to the folder, so up to :data:`SNAPSHOT_CAP` (and :data:`SNAPSHOT_ENTRIES`)
it is copied into the session's device dir under the runtime dir (a tmpfs, named by the
uid only) and that copy is bound, read-only; it goes with the session. Above the cap, or
without the room, the folder is bound as before and the report says its path is visible.
A writable share stays a bind (the user wants the client's files back).

The copy reads from the folder the share check opened (its O_PATH fd), never by path,
and follows no link (a link is copied as a link, so no host file outside the share is ever
read): regular files and directories are copied; a symlink only when it is relative and
stays in the share (one pointing out would lead nowhere inside, and its text could name
the user); fifos, sockets and devices are left out and listed.
"""

from __future__ import annotations

import os
import pwd
import shutil
import stat
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from ..core.check import Check
from ..core.devices import ShareGrant
from ..core.store_path import names_user

#: The largest read-only share copied (bytes of its regular files).
SNAPSHOT_CAP = 256 << 20
#: ... and the most entries (files, directories, links): a copy must stay quick.
SNAPSHOT_ENTRIES = 20000
#: Never fill the runtime dir: at most this share of its free room.
_ROOM_SHARE = 2
_DEPTH = 64
_CHUNK = 1 << 20


class TooBig(Exception):
    """The share is larger than the snapshot may be."""


@dataclass
class _Budget:
    bytes_left: int
    entries_left: int
    files: int = 0
    copied: int = 0
    skipped: list[str] = field(default_factory=list)

    def take(self, size: int = 0) -> None:
        self.entries_left -= 1
        self.bytes_left -= size
        if self.entries_left < 0 or self.bytes_left < 0:
            raise TooBig


@dataclass(frozen=True)
class Snapshot:
    """What :func:`snapshot` made, or why it did not (then the share is bound)."""

    path: Path | None
    files: int = 0
    bytes: int = 0
    skipped: tuple[str, ...] = ()
    why_bound: str = ""

    def to_dict(self, host: str) -> dict[str, Any]:
        """The report's ``devices.share``."""
        if self.path is None:
            return {"mode": "bind", "host_path_visible": True,
                    "why": f"{self.why_bound}: the client can read {host} in "
                           "/proc/self/mountinfo"}
        return {"mode": "snapshot", "host_path_visible": False, "files": self.files,
                "bytes": self.bytes, "skipped_not_copied": list(self.skipped)}


def cap_for(workdir: Path, cap: int = SNAPSHOT_CAP) -> int:
    """The byte cap, lowered to half the free room where the copy goes."""
    st = os.statvfs(workdir)
    return min(cap, st.f_bavail * st.f_frsize // _ROOM_SHARE)


def _link_stays_inside(target: str, rel: Path) -> bool:
    if os.path.isabs(target):
        return False
    resolved = os.path.normpath(os.path.join(str(rel.parent), target))
    return resolved != ".." and not resolved.startswith("../")


def _copy_file(src_fd: int, name: str, dest: Path, st: os.stat_result,
               budget: _Budget) -> None:
    fd = os.open(name, os.O_RDONLY | os.O_NOFOLLOW | os.O_NONBLOCK | os.O_CLOEXEC,
                 dir_fd=src_fd)
    with open(fd, "rb") as reader:
        opened = os.fstat(fd)
        if (opened.st_dev, opened.st_ino) != (st.st_dev, st.st_ino):
            raise OSError(f"{name} changed while it was copied")
        # Owner-only; executable stays executable (a script the meeting needs).
        mode = 0o500 if st.st_mode & 0o111 else 0o400
        flags = os.O_WRONLY | os.O_CREAT | os.O_EXCL | os.O_NOFOLLOW | os.O_CLOEXEC
        with open(os.open(dest, flags, 0o600), "wb") as writer:
            while chunk := reader.read(_CHUNK):
                # The file may grow after it was measured: the cap holds for what is read.
                budget.bytes_left -= len(chunk)
                if budget.bytes_left < 0:
                    raise TooBig
                budget.copied += len(chunk)
                writer.write(chunk)
        os.chmod(dest, mode)
    budget.files += 1


def _copy_dir(src_fd: int, dest: Path, rel: Path, budget: _Budget, depth: int) -> None:
    if depth > _DEPTH:
        budget.skipped.append(f"{rel}/ (deeper than {_DEPTH} levels)")
        return
    with os.scandir(src_fd) as entries:
        names = sorted(e.name for e in entries)
    for name in names:
        try:
            _copy_entry(src_fd, name, dest, rel / name, budget, depth)
        except PermissionError:
            # The user cannot read it: through a bind the client could not either.
            budget.skipped.append(f"{rel / name} (you cannot read it)")


def _copy_entry(src_fd: int, name: str, dest: Path, here: Path, budget: _Budget,
                depth: int) -> None:
    st = os.stat(name, dir_fd=src_fd, follow_symlinks=False)
    if stat.S_ISDIR(st.st_mode):
        budget.take()
        sub = os.open(name, os.O_RDONLY | os.O_DIRECTORY | os.O_NOFOLLOW | os.O_CLOEXEC,
                      dir_fd=src_fd)
        try:
            (dest / name).mkdir(mode=0o700)
            _copy_dir(sub, dest / name, here, budget, depth + 1)
        finally:
            os.close(sub)
    elif stat.S_ISREG(st.st_mode):
        budget.take()
        _copy_file(src_fd, name, dest / name, st, budget)
    elif stat.S_ISLNK(st.st_mode):
        target = os.readlink(name, dir_fd=src_fd)
        if _link_stays_inside(target, here):
            budget.take()
            os.symlink(target, dest / name)
        else:
            budget.skipped.append(f"{here} (a link out of the folder)")
    else:
        budget.skipped.append(f"{here} (not a file or folder)")


def snapshot(share_fd: int, dest: Path, cap: int = SNAPSHOT_CAP,
             entries: int = SNAPSHOT_ENTRIES) -> Snapshot:
    """Copy the folder open at *share_fd* (O_PATH) to the new *dest*; see the module.

    Above *cap* bytes or *entries* entries nothing stays at *dest* and the result says
    why the share is bound instead. Other errors (an unreadable file) are raised, with
    *dest* removed.
    """
    budget = _Budget(cap, entries)
    top = os.open(".", os.O_RDONLY | os.O_DIRECTORY | os.O_CLOEXEC, dir_fd=share_fd)
    try:
        dest.mkdir(mode=0o700)
        _copy_dir(top, dest, Path("."), budget, 0)
    except TooBig:
        _remove(dest)
        return Snapshot(None, why_bound=f"the folder is larger than a copy may be "
                                        f"({cap >> 20} MiB or {entries} entries)")
    except BaseException:
        _remove(dest)
        raise
    finally:
        os.close(top)
    return Snapshot(dest, budget.files, budget.copied, tuple(budget.skipped))


def _remove(path: Path) -> None:
    # The copy's files are owner-only read (0400/0500) in owner-writable dirs: removable.
    shutil.rmtree(path, ignore_errors=True)


def remove(path: Path | None) -> bool:
    """Remove a snapshot; whether it is gone."""
    if path is None:
        return True
    _remove(path)
    return not path.exists()


@dataclass
class ShareView:
    """How a session sees its share folder: a snapshot's path, or the folder's fd."""

    grant: ShareGrant
    #: Bind this path (a snapshot) …
    src: str = ""
    #: … or this fd (the folder itself, its host path then visible).
    fd: int = -1
    snap: Snapshot | None = None

    def report(self) -> dict[str, Any]:
        """The report's ``devices.share``."""
        if self.snap is None:
            return {"mode": "bind", "host_path_visible": True,
                    "why": f"a writable share is the folder itself: the client can read "
                           f"{self.grant.host} in /proc/self/mountinfo"}
        return self.snap.to_dict(self.grant.host)

    def remove(self) -> Check:
        """Remove the snapshot (if any); the wipe's check that it is gone."""
        if self.snap is None or self.snap.path is None:
            return Check("share snapshot removed", True, "no snapshot was made")
        gone = remove(self.snap.path)
        return Check("share snapshot removed", gone,
                     f"{self.snap.files} file(s) removed" if gone
                     else f"still there: {self.snap.path}")


def share_view(grant: ShareGrant, fd: int, workdir: Path) -> ShareView:
    """A read-only share as a snapshot in *workdir* when it fits, else the folder (*fd*)."""
    if grant.writable:
        return ShareView(grant, fd=fd)
    try:
        snap = snapshot(fd, workdir / "share", cap_for(workdir))
    except OSError as exc:
        snap = Snapshot(None, why_bound=f"copying it failed ({exc.strerror or exc})")
    if snap.path is None:
        return ShareView(grant, fd=fd, snap=snap)
    return ShareView(grant, src=str(snap.path), snap=snap)


def fits(path: str, cap: int = SNAPSHOT_CAP, entries: int = SNAPSHOT_ENTRIES) -> bool:
    """Whether the folder at *path* looks small enough to be copied (checked at plan
    time, so the user hears it before the start; the copy enforces the cap itself)."""
    budget = _Budget(cap, entries)
    try:
        for top, dirs, files in os.walk(path):
            for name in [*dirs, *files]:
                st = os.lstat(os.path.join(top, name))
                budget.take(st.st_size if stat.S_ISREG(st.st_mode) else 0)
    except TooBig:
        return False
    return True


def share_notes(grant: ShareGrant | None, home: str) -> list[str]:
    """What the user should know before the start: a share whose host path names them
    and stays visible inside (a writable share, or one too large to copy)."""
    if grant is None or not names_user(Path(grant.host), pwd.getpwuid(os.getuid()).pw_name,
                                       home):
        return []
    if grant.writable:
        why = "a writable share is the folder itself"
    elif not fits(grant.host, SNAPSHOT_CAP, SNAPSHOT_ENTRIES):
        why = (f"the folder is larger than a copy may be ({SNAPSHOT_CAP >> 20} MiB or "
               f"{SNAPSHOT_ENTRIES} entries)")
    else:
        return []
    return [f"the share folder's host path {grant.host} is visible inside the sandbox "
            f"(/proc/self/mountinfo): {why}; a smaller read-only share is copied and "
            "shows none"]
