"""Moving a client store from the user's data dir to its place out of the login's path.

:func:`core.store_path.locate` decides where the store lives; when that is no longer the
data dir and a store is still there, :func:`migrate` moves it, vendor by vendor, each
under its own lock (an install running in another launcher finishes first). On one file
system a vendor's directory is renamed, which is atomic; across file systems it is
copied next to its target, the copy compared with the original file by file (type,
mode, size, SHA-256, link target), renamed into place and only then the original
removed. A vendor the new store already has stays where it was, untouched. Any failure
keeps the original and raises, so nothing is ever lost.
"""

from __future__ import annotations

import contextlib
import errno
import fcntl
import hashlib
import os
import shutil
import stat
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

from ..core.errors import ClientStoreError
from ..core.store_path import StoreLocation
from . import unpack

_CHUNK = 1 << 20


@dataclass
class Migrated:
    """What :func:`migrate` did."""

    moved: list[str] = field(default_factory=list)
    copied: list[str] = field(default_factory=list)
    #: Vendors left in the old store because the new one already has them.
    left: list[str] = field(default_factory=list)


@contextlib.contextmanager
def _flock(path: Path) -> Iterator[None]:
    with open(path, "a", encoding="utf-8") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        yield


def tree_digest(top: Path) -> list[tuple[str, str, int, str]]:
    """Every entry under *top* as (relative path, type and mode, size, content hash or
    link target), sorted: two trees with equal digests hold the same files."""
    entries: list[tuple[str, str, int, str]] = []
    for dirpath, dirs, files in os.walk(top):
        for name in [*dirs, *files]:
            path = Path(dirpath, name)
            st = path.lstat()
            rel = str(path.relative_to(top))
            kind = f"{stat.S_IFMT(st.st_mode):o}:{stat.S_IMODE(st.st_mode):o}"
            if stat.S_ISLNK(st.st_mode):
                entries.append((rel, kind, 0, os.readlink(path)))
            elif stat.S_ISREG(st.st_mode):
                digest = hashlib.sha256()
                with path.open("rb") as stream:
                    while chunk := stream.read(_CHUNK):
                        digest.update(chunk)
                entries.append((rel, kind, st.st_size, digest.hexdigest()))
            else:
                entries.append((rel, kind, 0, ""))
    return sorted(entries)


def copy_verified(src: Path, dest: Path) -> None:
    """Copy *src* to the new *dest* (links stay links), prove the copy equal, then
    remove *src*. On any failure *dest* is removed and *src* stays as it was."""
    staging = dest.with_name(f".migrating-{dest.name}")
    unpack.remove_tree(staging)
    try:
        shutil.copytree(src, staging, symlinks=True)
        if tree_digest(staging) != tree_digest(src):
            raise OSError(errno.EIO, "the copy differs from the original")
        # Renaming a directory to the same parent: its own mode does not matter.
        os.rename(staging, dest)
    except BaseException:
        unpack.remove_tree(staging)
        raise
    unpack.remove_tree(src)


def migrate(location: StoreLocation) -> Migrated:
    """Move the old store (``location.legacy``) into ``location.root``; see the module."""
    done = Migrated()
    legacy = location.legacy
    if legacy is None or not legacy.is_dir() or legacy.is_symlink():
        return done
    location.root.mkdir(mode=0o700, exist_ok=True)
    with _flock(location.root.parent / ".migrate.lock"):
        for entry in sorted(legacy.iterdir()):
            if entry.is_symlink() or not entry.is_dir():
                continue
            target = location.root / entry.name
            if target.exists():
                done.left.append(entry.name)
                continue
            try:
                with _flock(entry / ".lock"):
                    try:
                        os.rename(entry, target)
                        done.moved.append(entry.name)
                    except OSError as exc:
                        if exc.errno != errno.EXDEV:
                            raise
                        copy_verified(entry, target)
                        done.copied.append(entry.name)
            except OSError as exc:
                raise ClientStoreError(
                    f"moving your client store's {entry.name} from {legacy} to "
                    f"{location.root} failed: {exc.strerror or exc}",
                    f"nothing was lost: it is still in {entry}; free some space or fix "
                    f"{location.root} and run the command again") from None
        with contextlib.suppress(OSError):
            legacy.rmdir()  # only when empty: nothing left behind is deleted
    return done
