"""Unpack a vendor's .deb or .tar.xz as the user: files only, never a script, never setuid.

Why Python and not ``dpkg-deb -x``: dpkg-deb runs no scripts either, but it restores
setuid bits and creates whatever the archive says, and we would have to clean up after
it. Reading member by member lets us refuse what must not exist *before* it is written:
paths out of the target (absolute, ``..``, through a symlink), device nodes and FIFOs,
hard links to outside; and drop setuid/setgid/sticky bits. Everything skipped is logged
and returned, so ``client install`` can say what the vendor's package wanted.

``data.tar.zst`` (Ubuntu's dpkg default) needs the ``zstd`` program: Python 3.11 has no
zstd decoder; the member is written to a private temp file and decompressed by zstd
through :mod:`core.proc`.
"""

from __future__ import annotations

import logging
import os
import shutil
import stat
import tarfile
import tempfile
from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath
from typing import BinaryIO

from ..core import proc
from ..core.errors import ClientStoreError

log = logging.getLogger(__name__)

_AR_MAGIC = b"!<arch>\n"
_AR_HEADER = 60
#: Maintainer scripts a .deb may carry; never run, only reported.
MAINTAINER_SCRIPTS = ("preinst", "postinst", "prerm", "postrm", "config", "triggers")
#: No vendor client is near this; a bigger member is a decompression bomb or not a package.
MAX_UNPACKED_BYTES = 4 << 30
_HINT = "download the package again from the vendor; it may be damaged or not a package"


@dataclass
class ArMember:
    """One member of a .deb's ar archive, read into memory (control) or left on disk."""

    name: str
    offset: int
    size: int


@dataclass
class Unpacked:
    """What unpacking kept and skipped."""

    files: int = 0
    skipped: list[str] = field(default_factory=list)

    def skip(self, what: str) -> None:
        """Record and log something of the package that was not installed."""
        log.info("not installed: %s", what)
        self.skipped.append(what)


def read_ar(stream: BinaryIO, where: str) -> list[ArMember]:
    """The members of an ar archive (a .deb), with their data offsets; checks framing."""
    stream.seek(0)
    if stream.read(len(_AR_MAGIC)) != _AR_MAGIC:
        raise ClientStoreError(f"{where} is not a Debian package (no ar header)", _HINT)
    members: list[ArMember] = []
    total = stream.seek(0, os.SEEK_END)
    pos = len(_AR_MAGIC)
    while pos < total:
        stream.seek(pos)
        header = stream.read(_AR_HEADER)
        if len(header) < _AR_HEADER or header[58:60] != b"`\n":
            raise ClientStoreError(f"{where} is truncated or damaged (bad ar member header)",
                                   _HINT)
        name = header[:16].decode("ascii", "replace").strip().rstrip("/")
        try:
            size = int(header[48:58].decode("ascii").strip())
        except ValueError:
            raise ClientStoreError(f"{where}: bad member size in the ar archive", _HINT) from None
        if pos + _AR_HEADER + size > total:
            raise ClientStoreError(f"{where} is truncated: member {name!r} runs past the end",
                                   _HINT)
        members.append(ArMember(name, pos + _AR_HEADER, size))
        pos += _AR_HEADER + size + (size & 1)
    return members


def member_bytes(stream: BinaryIO, member: ArMember) -> bytes:
    """The whole content of *member*."""
    stream.seek(member.offset)
    return stream.read(member.size)


def open_member_tar(stream: BinaryIO, member: ArMember, workdir: Path) -> tarfile.TarFile:
    """Open ``control.tar.*`` / ``data.tar.*`` of a .deb as a tar archive."""
    suffix = member.name.rsplit(".", 1)[-1]
    part = workdir / member.name
    with part.open("wb") as out:
        stream.seek(member.offset)
        copy_exact(stream, out, member.size)
    if suffix == "zst":
        zstd = proc.which("zstd", "to unpack packages compressed with zstd (data.tar.zst)")
        plain = workdir / (member.name + ".tar")
        proc.run([zstd, "-q", "-d", "--no-progress", "-o", str(plain), str(part)],
                 timeout=600)
        part.unlink()
        part = plain
    elif suffix not in ("xz", "gz", "bz2", "tar"):
        raise ClientStoreError(f"{member.name}: compression {suffix!r} is not supported",
                               "supported: xz, gz, bz2, zst (with the zstd program)")
    try:
        return tarfile.open(part, "r:*")
    except (tarfile.TarError, EOFError, OSError) as exc:
        raise ClientStoreError(f"{member.name} is not a readable tar archive: {exc}",
                               _HINT) from None


def copy_exact(src: BinaryIO, dest: BinaryIO, size: int) -> None:
    """Copy exactly *size* bytes; a shorter source is a truncated package."""
    left = size
    while left:
        chunk = src.read(min(left, 1 << 20))
        if not chunk:
            raise ClientStoreError("the package ended early (truncated)", _HINT)
        dest.write(chunk)
        left -= len(chunk)


def _relative(name: str, root: str) -> PurePosixPath | None:
    """*name* below *root* in the archive, or None when it is outside it."""
    path = PurePosixPath(name)  # "./opt/zoom" -> "opt/zoom"
    if path.is_absolute() or ".." in path.parts:
        raise ClientStoreError(f"the package holds an unsafe path {name!r}",
                               "this is not a package a vendor would ship; it was refused")
    if not root:
        return path
    try:
        return path.relative_to(root)
    except ValueError:
        return None


def _inside(target: Path, dest: Path) -> bool:
    """Whether *target*'s parent, symlinks resolved, is still inside *dest*."""
    parent = target.parent.resolve()
    return parent == dest or dest in parent.parents


def extract(archive: tarfile.TarFile, root: str, dest: Path, result: Unpacked) -> None:
    """Extract the members below *root* into *dest* (which must exist and be empty).

    Modes keep only the permission bits; owners are the user's. Members outside *root*
    (a vendor's /usr/share/applications, /etc/cron.daily…) are skipped and reported.
    """
    dest = dest.resolve()
    written = 0
    outside = 0
    for member in archive:
        rel = _relative(member.name, root)
        if rel is None:
            if not member.isdir():
                outside += 1
            continue
        target = dest / rel
        if rel == PurePosixPath("."):
            continue
        if not _inside(target, dest):
            raise ClientStoreError(f"{member.name!r} would be written through a symlink "
                                   "out of the client's directory", "the package was refused")
        special = member.mode & (stat.S_ISUID | stat.S_ISGID | stat.S_ISVTX)
        if special and not member.isdir():
            result.skip(f"setuid/setgid bits of {rel} (mode {member.mode:o})")
        mode = member.mode & 0o777
        if member.isdir():
            target.mkdir(mode=0o755, exist_ok=True)
        elif member.issym():
            target.symlink_to(member.linkname)
        elif member.islnk():
            source = _relative(member.linkname, root)
            if (source is None or not _inside(dest / source, dest)
                    or (dest / source).is_symlink() or not (dest / source).is_file()):
                result.skip(f"hard link {rel} -> {member.linkname} (outside the client)")
                continue
            shutil.copyfile(dest / source, target, follow_symlinks=False)
            target.chmod(mode & 0o755)
        elif member.isreg():
            written += member.size
            if written > MAX_UNPACKED_BYTES:
                raise ClientStoreError("the package unpacks to more than 4 GiB",
                                       "no vendor client is that large; it was refused")
            src = archive.extractfile(member)
            assert src is not None
            with src, open(target, "xb") as out:
                shutil.copyfileobj(src, out, 1 << 20)
            target.chmod(mode & 0o755)
            result.files += 1
        else:
            result.skip(f"{rel}: {'device node' if member.isdev() else 'FIFO'} "
                        "(a client needs none)")
    if outside:
        result.skip(f"{outside} files outside {root or 'the package root'} "
                    "(menus, icons, system files the vendor wanted on the host)")


def make_read_only(dest: Path) -> None:
    """Drop every write bit below *dest*, deepest first; the store's copy is not for editing."""
    for dirpath, dirnames, filenames in os.walk(dest, topdown=False):
        for name in filenames:
            path = Path(dirpath, name)
            if not path.is_symlink():
                path.chmod(path.stat().st_mode & 0o555)
        for name in dirnames:
            path = Path(dirpath, name)
            if not path.is_symlink():
                path.chmod(0o555)
    dest.chmod(0o555)


def remove_tree(path: Path) -> None:
    """Remove a (read-only) client tree: give write bits back to directories, then delete."""
    if not path.exists() and not path.is_symlink():
        return
    for dirpath, dirnames, _ in os.walk(path):
        for name in dirnames:
            sub = Path(dirpath, name)
            if not sub.is_symlink():
                sub.chmod(0o700)
    path.chmod(0o700)
    shutil.rmtree(path)


def temp_dir(parent: Path) -> Path:
    """A private scratch directory next to the store (same file system, for renames)."""
    parent.mkdir(mode=0o700, parents=True, exist_ok=True)
    return Path(tempfile.mkdtemp(prefix=".staging-", dir=parent))
