"""Reading back a tar of the client's home: which members the launcher keeps.

Both backends capture the named home paths as a tar the client could have shaped (the
namespace backend's shell writes it inside the sandbox, the VM's agent packs it in the
guest): its names, types and sizes are as untrusted as the client. One filter for both,
so a rule added for one backend cannot be missed in the other: a member is kept only if
its name is home-relative with no ``..``, lies under one of the asked paths, and is a
regular file; links and devices under the paths are named (``skipped``), never kept.
"""

from __future__ import annotations

import tarfile
from dataclasses import dataclass, field
from pathlib import PurePosixPath

from .base import Captured


def safe_member(name: str) -> str | None:
    """A member name as a home-relative path, or None if it could point elsewhere."""
    # PurePosixPath drops "." and empty parts, so "./a//b" and "a/b" are one name.
    path = PurePosixPath(name)
    if path.is_absolute() or not path.parts or ".." in path.parts:
        return None
    return path.as_posix()


def wanted(name: str, paths: tuple[str, ...]) -> bool:
    """Whether the home-relative *name* is one of *paths* or lies below one."""
    return any(name == p.strip("/") or name.startswith(p.strip("/") + "/") for p in paths)


@dataclass
class HomeArchive:
    """What a read of the archive kept, and how far into the stream its members went."""

    files: dict[str, bytes] = field(default_factory=dict)
    skipped: list[str] = field(default_factory=list)
    #: The offset just past the last member's data (a cut-off archive is told by it).
    end: int = 0

    def captured(self) -> Captured:
        """The session's result of the capture."""
        return Captured(files=self.files, skipped=tuple(self.skipped))


def read_members(archive: tarfile.TarFile, paths: tuple[str, ...]) -> HomeArchive:
    """Keep the regular files of *archive* under *paths*.

    Raises what tarfile raises on a damaged archive (``TarError``, ``EOFError``,
    ``OSError``): each backend words that failure its own way.
    """
    found = HomeArchive()
    for member in archive:
        found.end = max(found.end, member.offset_data + member.size)
        name = safe_member(member.name)
        if name is None or not wanted(name, paths) or member.isdir():
            continue
        if not member.isreg():
            found.skipped.append(name)  # links and devices are the client's, not ours
            continue
        handle = archive.extractfile(member)
        if handle is not None:
            found.files[name] = handle.read()
    return found
