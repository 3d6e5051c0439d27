"""The vault's payload: a tar archive, in memory only, of the profile's sign-in paths.

The client is hostile and so is what it leaves in its home, and a vault file can be
swapped under us: an archive is built and read only with these rules. Members are
regular files and directories below one of the profile's ``signin_paths`` (relative,
no ``..``, no absolute names); links, devices, fifos and sockets are left out when
packing and refused when reading; sizes add up to at most the cap. Packing walks the
home with ``O_NOFOLLOW`` on every component, so a symlink planted by the client never
makes the launcher read a file outside the home.
"""

from __future__ import annotations

import contextlib
import io
import os
import stat
import tarfile
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass
from pathlib import Path, PurePosixPath

#: Largest archive (its members' sizes) a vault holds: Zoom's sign-in state is a few
#: MiB; anything near this is caches, which do not belong in a vault.
SIZE_CAP = 64 << 20
_DIR_FLAGS = os.O_RDONLY | os.O_DIRECTORY | os.O_NOFOLLOW | os.O_CLOEXEC


class ArchiveError(ValueError):
    """The archive breaks a rule (a path outside the allowed ones, a link, too large…)."""


class TooLarge(ArchiveError):
    """The named paths hold more than the cap."""


@dataclass(frozen=True)
class Member:
    """One file or directory of the payload, path relative to the home."""

    path: str
    is_dir: bool
    mode: int
    data: bytes = b""


def normalise(name: str) -> str:
    """A member name as a clean relative path; raises ArchiveError when it is not one."""
    if not name or name.startswith("/") or "\0" in name or "\\" in name:
        raise ArchiveError(f"{name!r} is not a relative path")
    parts = [p for p in PurePosixPath(name).parts if p != "."]
    if not parts or any(p == ".." for p in parts):
        raise ArchiveError(f"{name!r} leaves the home")
    return "/".join(parts)


def allowed(path: str, roots: Iterable[str]) -> bool:
    """Whether *path* is one of *roots*, inside one, or a directory leading to one."""
    return any(path == r or path.startswith(r + "/") or r.startswith(path + "/") for r in roots)


def pack(members: Iterable[Member]) -> bytes:
    """A tar archive (bytes) of *members*, owner and times neutral."""
    out = io.BytesIO()
    with tarfile.open(fileobj=out, mode="w", format=tarfile.PAX_FORMAT) as tar:
        for member in members:
            info = tarfile.TarInfo(member.path)
            info.mode = member.mode & 0o700 or (0o700 if member.is_dir else 0o600)
            if member.is_dir:
                info.type = tarfile.DIRTYPE
                tar.addfile(info)
            else:
                info.size = len(member.data)
                tar.addfile(info, io.BytesIO(member.data))
    return out.getvalue()


def pack_files(files: Mapping[str, bytes]) -> bytes:
    """A tar archive of home-relative *files* (path → content), parents as 0700 dirs: what
    a backend captured from the home, in the vault's own form."""
    return pack(_with_parents([Member(normalise(path), False, 0o600, data)
                               for path, data in sorted(files.items())]))


def read_members(data: bytes, roots: Iterable[str] | None,
                 cap: int = SIZE_CAP) -> list[Member]:
    """Every member of the archive *data*, checked; raises ArchiveError on the first problem.

    *roots*: the sign-in paths members must lie in (None: any path below the home).
    """
    wanted = None if roots is None else [normalise(r) for r in roots]
    members: list[Member] = []
    total = 0
    try:
        with tarfile.open(fileobj=io.BytesIO(data), mode="r:") as tar:
            for info in tar:
                path = normalise(info.name)
                if wanted is not None and not allowed(path, wanted):
                    raise ArchiveError(f"{path} is not one of the profile's sign-in paths")
                if info.isdir():
                    members.append(Member(path, True, info.mode))
                    continue
                if not info.isreg():
                    raise ArchiveError(f"{path} is a link or special file")
                total += info.size
                if total > cap:
                    raise TooLarge(f"the archive holds more than {cap >> 20} MiB")
                handle = tar.extractfile(info)
                assert handle is not None  # a regular member always has a body
                members.append(Member(path, False, info.mode, handle.read()))
    except tarfile.TarError as exc:
        raise ArchiveError(f"not a readable tar archive ({exc})") from exc
    return members


def as_home_files(data: bytes,
                  roots: Iterable[str] | None) -> list[tuple[str, bytes, int]]:
    """The archive's regular files as (path, content, mode), for a backend that seeds
    files into the fresh home itself (memfds; nothing on disk). Directories follow."""
    return [(m.path, m.data, m.mode & 0o700 or 0o600)
            for m in read_members(data, roots) if not m.is_dir]


def capture(home: Path | int, roots: Iterable[str],
            cap: int = SIZE_CAP) -> tuple[bytes, list[str]]:
    """Pack the named paths below *home* (never following a link); returns (tar, notes).

    *home*: a path, or a directory descriptor held on the sandbox's home while it ran (a
    tmpfs stays readable through it after the sandbox's last process is gone, so the
    session layer can capture after the client exited). A path that does not exist is
    skipped quietly (the client never signed in); links and special files are skipped
    with a note. Raises :class:`TooLarge` above *cap*.
    """
    notes: list[str] = []
    members: list[Member] = []
    total = 0
    home_fd = os.dup(home) if isinstance(home, int) else os.open(home, _DIR_FLAGS)
    try:
        for root in sorted({normalise(r) for r in roots}):
            found: list[Member] = []
            try:
                for member in _walk(home_fd, root, notes, cap - total):
                    total += len(member.data)
                    if total > cap:  # checked as we go: memory stays bounded too
                        raise TooLarge(f"the sign-in paths hold more than {cap >> 20} MiB")
                    found.append(member)
            except OSError as exc:  # a link swapped in while we read: O_NOFOLLOW refused it
                notes.append(f"{root}: not captured ({exc.strerror})")
                total -= sum(len(m.data) for m in found)
                continue
            members.extend(found)
    finally:
        os.close(home_fd)
    return pack(_with_parents(members)), notes


def _with_parents(members: list[Member]) -> list[Member]:
    """Directory entries for the parents of every member, so modes come back 0700."""
    seen = {m.path for m in members}
    out: list[Member] = []
    for member in members:
        parts = member.path.split("/")
        for i in range(1, len(parts)):
            parent = "/".join(parts[:i])
            if parent not in seen:
                seen.add(parent)
                out.append(Member(parent, True, 0o700))
        out.append(member)
    return out


def _walk(home_fd: int, rel: str, notes: list[str], cap: int) -> Iterator[Member]:
    """The member at *rel* and, for a directory, everything below it."""
    *parents, name = rel.split("/")
    fd = home_fd
    opened: list[int] = []
    try:
        for part in parents:
            try:
                st = os.stat(part, dir_fd=fd, follow_symlinks=False)
            except FileNotFoundError:
                return  # never created: the client did not sign in
            if not stat.S_ISDIR(st.st_mode):
                notes.append(f"{rel}: not captured ({part} is a link or not a directory)")
                return
            # O_NOFOLLOW again: the client may swap the directory for a link meanwhile.
            fd = os.open(part, _DIR_FLAGS, dir_fd=fd)
            opened.append(fd)
        yield from _entry(fd, name, rel, notes, cap)
    finally:
        for item in opened:
            os.close(item)


def _entry(dir_fd: int, name: str, rel: str, notes: list[str], cap: int) -> Iterator[Member]:
    try:
        st = os.stat(name, dir_fd=dir_fd, follow_symlinks=False)
    except FileNotFoundError:
        return
    if stat.S_ISDIR(st.st_mode):
        fd = os.open(name, _DIR_FLAGS, dir_fd=dir_fd)
        try:
            yield Member(rel, True, st.st_mode)
            for child in sorted(os.listdir(fd)):
                yield from _entry(fd, child, f"{rel}/{child}", notes, cap)
        finally:
            os.close(fd)
    elif stat.S_ISREG(st.st_mode):
        fd = os.open(name, os.O_RDONLY | os.O_NOFOLLOW | os.O_CLOEXEC | os.O_NONBLOCK,
                     dir_fd=dir_fd)
        try:
            if not stat.S_ISREG(os.fstat(fd).st_mode):  # swapped since the stat above
                notes.append(f"{rel}: not captured (changed while being read)")
                return
            with os.fdopen(fd, "rb", closefd=False) as handle:
                data = handle.read(cap + 1)  # more than the cap is refused anyway
        finally:
            os.close(fd)
        yield Member(rel, False, st.st_mode, data)
    else:
        notes.append(f"{rel}: not captured (a link or special file)")


def extract(data: bytes, home: Path, roots: Iterable[str] | None) -> None:
    """Write the checked archive into *home* (a fresh, private tmpfs home: no link in it
    is followed, and existing files are replaced, never written through)."""
    members = read_members(data, roots)
    home_fd = os.open(home, _DIR_FLAGS)
    try:
        for member in members:
            _write_member(home_fd, member)
    finally:
        os.close(home_fd)


def _write_member(home_fd: int, member: Member) -> None:
    *parents, name = member.path.split("/")
    fd = home_fd
    opened: list[int] = []
    try:
        for part in parents:
            with contextlib.suppress(FileExistsError):
                os.mkdir(part, 0o700, dir_fd=fd)
            fd = os.open(part, _DIR_FLAGS, dir_fd=fd)
            opened.append(fd)
        if member.is_dir:
            with contextlib.suppress(FileExistsError):
                os.mkdir(name, 0o700, dir_fd=fd)
            return
        out = os.open(name, os.O_WRONLY | os.O_CREAT | os.O_TRUNC | os.O_NOFOLLOW | os.O_CLOEXEC,
                      member.mode & 0o700 or 0o600, dir_fd=fd)
        try:
            view = memoryview(member.data)
            while view:
                view = view[os.write(out, view):]
        finally:
            os.close(out)
    finally:
        for item in opened:
            os.close(item)
