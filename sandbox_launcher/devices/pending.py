"""Downloads that wait for the user: held outside every sandbox until kept or discarded.

A session the app started does not discard its downloads when it ends. :func:`end_downloads`
moves them with :func:`collect_downloads`, so exactly as sanitised as ``--keep-downloads``
(regular files only, links and devices never followed, fresh 0600 copies without setuid
bits), into ``ROOT/SESSION_ID``: a 0700 folder in the user's state dir, which no sandbox
ever sees. The app then asks; :func:`keep_pending` moves them into the folder the user
picks (never overwriting: a clash gets a free name) and :func:`discard_pending` deletes
them. A folder left by an app that quit or crashed is found again by :func:`list_pending`.

No Qt, and nothing of the session layer: ``session/downloads.py`` records the decision in
the report.
"""

from __future__ import annotations

import contextlib
import os
import shutil
import stat
import unicodedata
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from ..core.devices import DevicePlan
from .share import collect_downloads, move_file_out, regular_files

#: Unicode categories never shown as they are: controls (a newline splits a name in two),
#: format characters (a right-to-left override makes ``cod.exe`` look like ``exe.doc``),
#: line and paragraph separators, and undecodable bytes (lone surrogates).
_HIDDEN = frozenset({"Cc", "Cf", "Zl", "Zp", "Cs"})


@dataclass(frozen=True)
class PendingFile:
    """One held file: its path relative to the session's pending folder, and its size."""

    name: str
    size: int


@dataclass(frozen=True)
class PendingSet:
    """The files one ended session left for the user to keep or discard."""

    session_id: str
    folder: Path
    files: tuple[PendingFile, ...]
    #: From the session's report, when it can be read.
    profile: str = ""
    ended: float | None = None
    #: What the client left that was not a regular file (never held, always discarded).
    skipped: tuple[str, ...] = ()

    @property
    def total(self) -> int:
        """All files' bytes."""
        return sum(f.size for f in self.files)


def valid_session_id(name: str) -> bool:
    """Whether *name* can be a session's folder name (one path component, no dot-name)."""
    return bool(name) and name not in (".", "..") and "/" not in name and "\0" not in name


def display_name(name: str) -> str:
    """*name* safe to show to people: hidden characters become visible ``\\uXXXX``."""
    return "".join(f"\\u{ord(ch):04x}" if unicodedata.category(ch) in _HIDDEN else ch
                   for ch in name)


def private_root(root: Path) -> Path:
    """Create *root* (0700) if needed and check it is a folder of ours, not a link."""
    root.mkdir(mode=0o700, parents=True, exist_ok=True)
    st = root.lstat()
    if not stat.S_ISDIR(st.st_mode) or st.st_uid != os.getuid():
        raise PermissionError(f"{root} is not a folder of yours")
    if stat.S_IMODE(st.st_mode) != 0o700:
        root.chmod(0o700)
    return root


def end_downloads(downloads: Path, plan: DevicePlan, session_id: str) -> dict[str, Any]:
    """The end of a session's downloads, as the report's ``devices.downloads``.

    Moved to ``--keep-downloads``, held under ``plan.pending_downloads`` for the app's
    question (``"decision": "pending"``), or discarded (with the policy's reason).
    """
    if plan.keep_downloads or not plan.pending_downloads or not valid_session_id(session_id):
        result = collect_downloads(downloads, plan.keep_downloads)
        if result["discarded"] and plan.discard_reason:
            result["discard_reason"] = plan.discard_reason
        return result
    with contextlib.suppress(OSError):
        if not any(downloads.iterdir()):  # nothing downloaded: no folder made for nothing
            return collect_downloads(downloads, None)
    folder = Path(plan.pending_downloads, session_id)
    try:
        private_root(folder.parent)
        folder.mkdir(mode=0o700)
    except OSError as exc:
        result = collect_downloads(downloads, None)
        result["discard_reason"] = (f"they could not be held for you in {folder}: "
                                    f"{exc.strerror or exc}")
        return result
    result = collect_downloads(downloads, str(folder))
    held = False
    for entry in result["files"]:
        held = entry.pop("kept_as", None) is not None or held
    if not held:  # nothing (or nothing that could be copied): nothing to ask about
        shutil.rmtree(folder, ignore_errors=True)
        result.update(kept_in=None, discarded=True)
        return result
    result.update(kept_in=None, discarded=False, pending_in=str(folder), decision="pending")
    return result


def read_pending(folder: Path) -> PendingSet:
    """The regular files waiting in one session's *folder* (links are never listed)."""
    files = []
    with contextlib.suppress(FileNotFoundError):
        found, _others = regular_files(folder)
        for path in found:
            with contextlib.suppress(FileNotFoundError):
                files.append(PendingFile(str(path.relative_to(folder)), path.lstat().st_size))
    return PendingSet(folder.name, folder, tuple(files))


def list_pending(root: Path) -> list[PendingSet]:
    """Every session's waiting files under *root*, oldest first; empty folders go."""
    try:
        children = [c for c in root.iterdir() if valid_session_id(c.name)]
    except (FileNotFoundError, NotADirectoryError):
        return []
    found = []
    for child in children:
        try:
            st = child.lstat()
        except FileNotFoundError:
            continue
        if not stat.S_ISDIR(st.st_mode) or st.st_uid != os.getuid():
            continue
        pending = read_pending(child)
        if pending.files:
            found.append((st.st_mtime, pending))
        else:
            prune(child)
    return [p for _, p in sorted(found, key=lambda item: (item[0], item[1].session_id))]


def prune(folder: Path) -> None:
    """Remove the empty folders of *folder*, and *folder* itself once it is empty."""
    for top, dirs, _names in os.walk(folder, topdown=False):
        for name in dirs:
            with contextlib.suppress(OSError):
                os.rmdir(os.path.join(top, name))
    with contextlib.suppress(OSError):
        folder.rmdir()


def keep_pending(pending: PendingSet, target: Path
                 ) -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
    """Move the held files into *target*; ``(kept, failed)`` as report entries.

    Each file keeps its name, or gets a free one (``name.1.ext``) when the name is taken:
    nothing in *target* is ever overwritten. A file that cannot be moved (a full disk)
    stays held and is in *failed* with the reason.
    """
    kept: list[dict[str, Any]] = []
    failed: list[dict[str, Any]] = []
    for item in pending.files:
        try:
            where = move_file_out(pending.folder / item.name, target / item.name)
        except OSError as exc:
            failed.append({"name": item.name, "bytes": item.size,
                           "error": exc.strerror or str(exc)})
        else:
            kept.append({"name": item.name, "bytes": item.size, "kept_as": str(where)})
    prune(pending.folder)
    return kept, failed


def discard_pending(pending: PendingSet) -> None:
    """Delete the session's held files and their folder (OSError when it cannot)."""
    shutil.rmtree(pending.folder)
