"""The guest agent's half of the home hooks: seed the guest home from a tar, pack it back.

The host sends the decrypted vault (or verify's probe) as a tar before the client starts;
:func:`unpack` writes its regular files and directories into the guest's home and refuses
anything else (links, devices, absolute paths, ``..``): the host is trusted, but a
mistake there must not write outside the home. At the end, :func:`pack` archives the
named home-relative paths, never following a link, and refuses as a whole anything
above the host's limit (the host enforces it again: the guest is not trusted).

Standard library only, Python 3.11, imported by slt_agent.py.
"""

from __future__ import annotations

import io
import os
import stat
import tarfile

#: The largest seed the agent accepts (the vault's cap, with room for tar's headers).
SEED_CAP = (64 << 20) + (1 << 20)


class HomeError(Exception):
    """A seed or capture the agent refuses; its text goes back to the host."""


def _relative(name: str) -> str:
    parts = [p for p in name.split("/") if p not in ("", ".")]
    if name.startswith("/") or not parts or ".." in parts:
        raise HomeError(f"refused path {name[:200]!r}")
    return "/".join(parts)


def unpack(data: bytes, home: str) -> int:
    """Write the tar *data* into *home*; returns how many files it held."""
    count = 0
    try:
        with tarfile.open(fileobj=io.BytesIO(data), mode="r:") as archive:
            for member in archive:
                rel = _relative(member.name)
                target = os.path.join(home, rel)
                if member.isdir():
                    os.makedirs(target, mode=0o700, exist_ok=True)
                    continue
                if not member.isreg():
                    raise HomeError(f"{rel} is not a regular file")
                os.makedirs(os.path.dirname(target), mode=0o700, exist_ok=True)
                source = archive.extractfile(member)
                assert source is not None  # a regular member always has a body
                # O_NOFOLLOW: a link planted in the home is replaced, never written through.
                _remove(target)
                fd = os.open(target, os.O_WRONLY | os.O_CREAT | os.O_EXCL | os.O_NOFOLLOW,
                             (member.mode & 0o700) or 0o600)
                with os.fdopen(fd, "wb") as out:
                    out.write(source.read())
                count += 1
    except tarfile.TarError as exc:
        raise HomeError(f"the seed is not a tar archive: {exc}") from exc
    return count


def _remove(path: str) -> None:
    """Remove a file or link at *path* if there is one."""
    try:
        os.unlink(path)
    except FileNotFoundError:
        pass


def _collect(home: str, rel: str, limit: int, found: list[tuple[str, os.stat_result]],
             total: list[int]) -> None:
    path = os.path.join(home, rel)
    try:
        st = os.lstat(path)
    except FileNotFoundError:
        return  # the client never wrote it
    found.append((rel, st))
    if stat.S_ISREG(st.st_mode):
        total[0] += st.st_size
        if total[0] > limit:
            raise HomeError(f"the sign-in paths hold more than {limit} bytes")
    elif stat.S_ISDIR(st.st_mode):
        for child in sorted(os.listdir(path)):
            _collect(home, f"{rel}/{child}", limit, found, total)


def pack(home: str, paths: list[str], limit: int) -> bytes:
    """A tar of the named home-relative *paths*: directories, regular files, and links
    or special files as entries without content (the host leaves those out, saying so)."""
    found: list[tuple[str, os.stat_result]] = []
    total = [0]
    for rel in sorted({_relative(p) for p in paths}):
        parent = os.path.join(home, os.path.dirname(rel))
        if os.path.islink(parent) or (os.path.exists(parent) and not os.path.isdir(parent)):
            continue  # a parent swapped for a link: nothing below it is the client's file
        _collect(home, rel, limit, found, total)
    buffer = io.BytesIO()
    with tarfile.open(fileobj=buffer, mode="w", format=tarfile.PAX_FORMAT) as archive:
        for rel, st in found:
            info = tarfile.TarInfo(rel)
            info.mode = st.st_mode & 0o777
            info.mtime = int(st.st_mtime)
            if stat.S_ISDIR(st.st_mode):
                info.type = tarfile.DIRTYPE
                archive.addfile(info)
            elif stat.S_ISREG(st.st_mode):
                try:
                    fd = os.open(os.path.join(home, rel), os.O_RDONLY | os.O_NOFOLLOW)
                except OSError:
                    continue  # swapped for a link or removed meanwhile
                with os.fdopen(fd, "rb") as source:
                    body = source.read(limit + 1)
                info.size = len(body)
                archive.addfile(info, io.BytesIO(body))
            else:
                info.type = tarfile.SYMTYPE  # stands for "not a regular file"
                archive.addfile(info)
    data = buffer.getvalue()
    if len(data) > limit:
        raise HomeError(f"the sign-in paths hold more than {limit} bytes")
    return data
