"""Where the user's client store lives: a path that does not name the login, if the host has one.

A store client's directory is bind-mounted into the sandbox, and the kernel prints every
bind mount's *source* path (its path inside its file system) in the "root" column of
``/proc/self/mountinfo``: a store under ``/home/LOGIN/.local/share`` tells the client who
its user is, whatever path it is mounted at. So the store lives, when the host allows it,
in ``/var/lib/sandbox-launcher/UID/clients``: the base is root's, mode 1733 (anyone may
make an entry, no one may list or remove another's), made by the package or
``scripts/setup.sh``; the launcher makes its own 0700 directory in it named by the numeric
uid, which the sandbox shows anyway (its user has the same uid).

Without that base (a checkout, an older package) the store stays in the user's data dir,
and :attr:`StoreLocation.private` says its path names the user, so doctor and the session
report say so. An explicitly set ``XDG_DATA_HOME`` is where the user asked their data to
be: the store follows it, and the same check says whether its path names the user.

This module decides and checks; moving an old store is ``clients/migrate.py``'s.
"""

from __future__ import annotations

import os
import pwd
import re
import stat
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

from .errors import ClientStoreError

APP = "sandbox-launcher"
#: The root-owned, sticky base of the per-user store directories.
SHARED_BASE = Path("/var/lib") / APP
#: Its mode: every user may make an entry (3 = wx), none may list, none may remove another's.
SHARED_MODE = 0o1733
_BASE_FIX = f"sudo install -d -o root -g root -m 1733 {SHARED_BASE}"


@dataclass(frozen=True)
class StoreLocation:
    """The client store's directory and whether its path gives the user away."""

    root: Path
    #: True when the path names neither the login nor the home directory.
    private: bool
    #: Why the store is where it is, in words for a person.
    why: str
    #: The data-dir store that is moved here (None: there is none to move).
    legacy: Path | None = None
    #: What would put the store out of the login's path (when it is not).
    fix: str = ""
    #: The user's own 0700 directory the store is in (made on first write), if any.
    own: Path | None = None

    def make(self) -> None:
        """Make (or check) the user's own directory, before anything is written."""
        if self.own is not None:
            own_dir(self.own, os.getuid())
            self.root.mkdir(mode=0o700, exist_ok=True)

    def note(self) -> str | None:
        """What a session report says when the path is visible, else None."""
        if self.private:
            return None
        return (f"the client store's host path {self.root} names you and is visible inside "
                f"the sandbox (/proc/self/mountinfo): {self.why}")


@dataclass(frozen=True)
class _User:
    uid: int
    login: str
    home: str


def _user(env: Mapping[str, str]) -> _User:
    entry = pwd.getpwuid(os.getuid())
    return _User(entry.pw_uid, entry.pw_name, env.get("HOME") or entry.pw_dir)


def names_user(path: Path, login: str, home: str) -> bool:
    """Whether *path* lies in the home directory or shows the login as a word."""
    text = str(path)
    real_home = os.path.realpath(home) if home else ""
    inside = any(h and h != "/" and (text == h or text.startswith(h.rstrip("/") + "/"))
                 for h in {home, real_home})
    # Strict: between any two non-alphanumerics (alice-share, alice.old name alice too).
    word = re.compile(rf"(?<![A-Za-z0-9]){re.escape(login)}(?![A-Za-z0-9])")
    return inside or (bool(login) and word.search(text) is not None)


def at(root: Path, why: str, env: Mapping[str, str] | None = None) -> StoreLocation:
    """A store at a given *root*, judged by the same rule."""
    user = _user(os.environ if env is None else env)
    return StoreLocation(root, not names_user(root, user.login, user.home), why)


def data_dir_store(env: Mapping[str, str], home: str) -> tuple[Path, bool]:
    """The store in the user's data dir, and whether ``XDG_DATA_HOME`` chose it.

    The XDG rule by hand (platformdirs reads only the process's own environment, and
    doctor checks the one it is given); a relative XDG_DATA_HOME is ignored, as the
    specification says.
    """
    chosen = env.get("XDG_DATA_HOME", "").strip()
    if chosen and os.path.isabs(chosen):
        return Path(chosen) / APP / "clients", True
    return Path(home) / ".local" / "share" / APP / "clients", False


def check_base(base: Path, owner: int = 0) -> str | None:
    """Why *base* cannot hold per-user stores, or None when it can (*owner*'s: root's,
    unit tests pass their own uid; sticky if others may write)."""
    try:
        st = base.lstat()
    except FileNotFoundError:
        return "missing"
    if not stat.S_ISDIR(st.st_mode):
        return "not a directory"
    if st.st_uid != owner:
        return f"owned by uid {st.st_uid}, not {'root' if owner == 0 else owner}"
    mode = stat.S_IMODE(st.st_mode)
    if mode & 0o022 and not mode & stat.S_ISVTX:
        return f"mode {mode:04o}: others may write without the sticky bit"
    return None


def own_dir(path: Path, uid: int, create: bool = True) -> Path:
    """*path* as the user's private (0700) directory; made if missing, else checked.

    Refused when it is a symlink, another user's, or open to others: someone who could
    plant or read files there could swap the client the sandbox runs.
    """
    if create:
        try:
            path.mkdir(mode=0o700)
        except FileExistsError:
            pass
        except OSError as exc:
            raise ClientStoreError(f"cannot make your client store directory {path}: "
                                   f"{exc.strerror}", f"check {path.parent}: {_BASE_FIX}"
                                   ) from None
    try:
        st = path.lstat()
    except FileNotFoundError:
        raise ClientStoreError(f"{path} is missing", "run the command again") from None
    if not stat.S_ISDIR(st.st_mode):
        raise ClientStoreError(f"{path} is not a directory", f"remove {path}; the launcher "
                               "makes its own there")
    if st.st_uid != uid:
        raise ClientStoreError(
            f"{path} belongs to uid {st.st_uid}, not to you: the client store will not use it",
            f"ask your administrator to remove {path} (someone else made it)")
    mode = stat.S_IMODE(st.st_mode)
    if mode != 0o700:
        raise ClientStoreError(f"{path} has mode {mode:04o}, not 0700: others could read or "
                               "change your clients", f"chmod 700 {path}")
    return path


def locate(env: Mapping[str, str] | None = None, base: Path = SHARED_BASE,
           create: bool = False, base_owner: int = 0) -> StoreLocation:
    """Where this user's store is (see the module's text). The per-user directory is
    checked when it exists, and made only with *create* (or :meth:`StoreLocation.make`):
    looking, as doctor or a launch without a store client does, changes nothing.

    Raises ClientStoreError when the per-user directory exists but is not safely ours.
    """
    env = os.environ if env is None else env
    user = _user(env)
    legacy, chosen = data_dir_store(env, user.home)
    if chosen:
        return StoreLocation(legacy, not names_user(legacy, user.login, user.home),
                             "XDG_DATA_HOME is set, and the store stays in it",
                             fix="unset XDG_DATA_HOME, or point it at a path without your "
                                 "login")
    problem = check_base(base, base_owner)
    if problem is not None:
        return StoreLocation(legacy, not names_user(legacy, user.login, user.home),
                             f"{base} is {problem}",
                             fix=f"{_BASE_FIX} (the store then moves there on its next use)")
    mine = base / str(user.uid)
    if create or mine.exists() or mine.is_symlink():
        own_dir(mine, user.uid, create=create)
    root = mine / "clients"
    return StoreLocation(root, not names_user(root, user.login, user.home),
                         f"in {base}, out of your home",
                         legacy=legacy if legacy.exists() else None, own=mine)
