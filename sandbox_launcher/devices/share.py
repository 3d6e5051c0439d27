"""The share folder and the per-session downloads folder.

A share is one host folder the user names; it is checked on its *resolved* path (so a
symlink cannot smuggle in the home, ``/`` or a forbidden place), its identity (device and
inode) is recorded, and at start it is opened and checked again before being bound by file
descriptor, so swapping the path between plan and start binds nothing.

Downloads: the client's ``~/Downloads`` is a folder of the session's state dir (under the
user's runtime dir, a tmpfs). When the session ends its regular files are listed in the
report and discarded, or moved to the folder given with ``--keep-downloads``; the app
instead moves them (the same way) into a folder of the user's that no sandbox sees,
where they wait until the user keeps or discards them (``pending.py``).
"""

from __future__ import annotations

import contextlib
import os
import shutil
import stat
from collections.abc import Sequence
from pathlib import Path
from typing import Any, NoReturn

from ..core.devices import ShareGrant
from ..core.errors import UsageError

#: Why downloads are never kept when the system policy says ``allow_keep_downloads = false``.
POLICY_DISCARDS = "the system policy always discards downloads on this machine"
#: System trees never shared, whatever the policy says.
_SYSTEM = ("/proc", "/sys", "/dev", "/run", "/boot", "/etc", "/usr", "/var", "/bin", "/sbin",
           "/lib", "/lib64", "/root", "/tmp/.X11-unix")


def _inside(path: str, parent: str) -> bool:
    return path == parent or path.startswith(parent.rstrip("/") + "/")


def parse_share(spec: str, home: str, forbidden: Sequence[str] = (),
                cwd: str | None = None) -> ShareGrant:
    """Check ``DIR[:ro|:rw]`` against the rules; raise :class:`UsageError` saying why not."""
    path, mode = spec, "ro"
    head, sep, tail = spec.rpartition(":")
    if sep and tail in ("ro", "rw"):
        path, mode = head, tail
    if not path:
        raise UsageError("--share needs a folder", "write --share DIR, --share DIR:rw")
    absolute = os.path.abspath(os.path.join(cwd or os.getcwd(), os.path.expanduser(path)))
    real = os.path.realpath(absolute)
    real_home = os.path.realpath(home)

    def refuse(why: str, hint: str = "share a folder of its own, such as ~/Meeting") -> NoReturn:
        raise UsageError(f"cannot share {path}: {why}", hint)

    try:
        st = os.stat(real)
    except OSError as exc:
        refuse(f"{exc.strerror.lower() if exc.strerror else 'cannot be read'}",
               "create the folder first, or check the spelling")
    if not stat.S_ISDIR(st.st_mode):
        refuse("it is not a folder")
    via = f" (it leads to {real})" if real != os.path.normpath(absolute) else ""
    if real == "/":
        refuse(f"that is the whole file system{via}")
    if real == real_home:
        refuse(f"that is your home folder{via}")
    if _inside(real_home, real):
        refuse(f"it contains your home folder{via}")
    in_home = _inside(real, real_home)
    for system in () if in_home or _inside(real, "/run/media") else _SYSTEM:
        if _inside(real, system) or _inside(system, real):
            refuse(f"it is or holds the system folder {system}{via}")
    if in_home:
        first = Path(real).relative_to(real_home).parts[0]
        if first.startswith("."):
            refuse(f"~/{first} holds settings and keys of your programs{via}")
    for item in forbidden:
        banned = os.path.realpath(os.path.expanduser(item))
        if _inside(real, banned) or _inside(banned, real):
            refuse(f"the system policy forbids sharing {banned}{via}",
                   "ask your administrator, or share another folder")
    return ShareGrant(real, mode == "rw", st.st_dev, st.st_ino)


def open_share(grant: ShareGrant) -> int:
    """Open the share (O_PATH) and prove it is still the folder that was checked."""
    try:
        fd = os.open(grant.host, os.O_PATH | os.O_DIRECTORY | os.O_NOFOLLOW | os.O_CLOEXEC)
    except OSError as exc:
        raise UsageError(f"the share folder {grant.host} went away ({exc.strerror})",
                         "run again once the folder is back") from exc
    st = os.fstat(fd)
    if (st.st_dev, st.st_ino) != (grant.dev, grant.ino):
        os.close(fd)
        raise UsageError(f"the share folder {grant.host} was replaced after it was checked",
                         "run again; nothing was shared")
    return fd


def check_keep_dir(path: str) -> str:
    """The folder ``--keep-downloads`` names: must exist and be a writable folder."""
    real = os.path.realpath(os.path.expanduser(path))
    if not os.path.isdir(real):
        raise UsageError(f"--keep-downloads {path}: no such folder",
                         "create it first; downloads are moved there when the session ends")
    if not os.access(real, os.W_OK | os.X_OK):
        raise UsageError(f"--keep-downloads {path}: you cannot write there",
                         "choose a folder of your own")
    return real


def regular_files(root: Path) -> tuple[list[Path], list[str]]:
    """Regular files under *root* (not following links), and what else was there."""
    files, skipped = [], []
    for top, dirs, names in os.walk(root, followlinks=False):
        for name in [*names, *(d for d in dirs if os.path.islink(os.path.join(top, d)))]:
            path = Path(top, name)
            mode = path.lstat().st_mode
            if stat.S_ISREG(mode):
                files.append(path)
            else:
                skipped.append(str(path.relative_to(root)))
    return sorted(files), sorted(skipped)


def free_name(target: Path) -> Path:
    """*target*, or ``stem.N.suffix`` with the first N that names nothing yet."""
    candidate, n = target, 1
    while candidate.exists() or candidate.is_symlink():
        candidate = target.with_name(f"{target.stem}.{n}{target.suffix}")
        n += 1
    return candidate


def move_file_out(src: Path, dest: Path) -> Path:
    """Copy one untrusted file out without following links, then remove the original.

    Never overwrites: *dest* gets a free name (:func:`free_name`, created with O_EXCL).
    When the copy fails (a full disk), the half-written copy is removed and the original
    stays. Returns where the file went.
    """
    dest.parent.mkdir(parents=True, exist_ok=True)
    target = free_name(dest)
    flags = os.O_WRONLY | os.O_CREAT | os.O_EXCL | os.O_NOFOLLOW | os.O_CLOEXEC
    with open(os.open(src, os.O_RDONLY | os.O_NOFOLLOW | os.O_CLOEXEC), "rb") as reader:
        writer = open(os.open(target, flags, 0o600), "wb")  # noqa: SIM115 (closed below)
        try:
            with writer:
                shutil.copyfileobj(reader, writer)
        except BaseException:
            with contextlib.suppress(OSError):
                target.unlink()
            raise
    src.unlink()
    return target


def collect_downloads(root: Path, keep: str | None) -> dict[str, Any]:
    """List the session's downloads; move them to *keep* or leave them to be discarded."""
    if not root.is_dir():
        return {"files": [], "kept_in": None, "discarded": True}
    files, skipped = regular_files(root)
    listed: list[dict[str, Any]] = []
    for path in files:
        entry: dict[str, Any] = {"name": str(path.relative_to(root)),
                                 "bytes": path.lstat().st_size}
        if keep is not None:
            try:
                entry["kept_as"] = str(move_file_out(path, Path(keep, path.relative_to(root))))
            except OSError as exc:
                entry["error"] = f"not kept: {exc.strerror}"
        listed.append(entry)
    shutil.rmtree(root, ignore_errors=True)
    with contextlib.suppress(FileNotFoundError):
        root.rmdir()
    return {"files": listed, "skipped_not_regular": skipped, "kept_in": keep,
            "discarded": keep is None}
