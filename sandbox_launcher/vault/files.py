"""Where vaults live and how they are written: atomically, privately, one saver at a time.

``~/.local/share/sandbox-launcher/vaults/PROFILE.vault`` (0600, in a 0700 dir). Only
ciphertext is ever written here. A save goes to a temporary file in the same dir,
is fsynced, renamed over the old vault and the dir is fsynced: a crash or a full disk at
any point leaves either the old vault or the new one, never a mix.
"""

from __future__ import annotations

import contextlib
import fcntl
import os
import re
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path

import platformdirs

from ..core.errors import UsageError
from ..core.paths import APP

SUFFIX = ".vault"
#: A profile's name as core/profile.py allows it: never a path.
_NAME_RE = re.compile(r"^[a-z0-9][a-z0-9_-]{0,47}$")


def vaults_dir() -> Path:
    """The user's vault dir (not created here)."""
    return Path(platformdirs.user_data_dir(APP)) / "vaults"


def vault_names(base: Path) -> list[str]:
    """Profiles that have a vault file (or a set-aside one) in *base*."""
    names = {p.name.split(SUFFIX)[0] for p in base.glob(f"*{SUFFIX}*")
             if not p.name.startswith(".")}
    return sorted(n for n in names if _NAME_RE.match(n))


@dataclass(frozen=True)
class VaultFiles:
    """The files of one profile's vault below *base*."""

    profile: str
    base: Path

    def __post_init__(self) -> None:
        if not _NAME_RE.match(self.profile):
            raise UsageError(f"{self.profile!r} is not a profile name",
                             "see 'sandbox-launcher vault status' for the profiles with a vault")

    @property
    def path(self) -> Path:
        """The vault itself."""
        return self.base / f"{self.profile}{SUFFIX}"

    def ensure_dir(self) -> None:
        """Create the vault dir 0700 (and tighten it if someone loosened it)."""
        self.base.mkdir(mode=0o700, parents=True, exist_ok=True)
        if self.base.stat().st_mode & 0o077:
            self.base.chmod(0o700)

    def read(self) -> bytes | None:
        """The vault's bytes, None when there is none."""
        try:
            return self.path.read_bytes()
        except FileNotFoundError:
            return None

    def aside(self) -> list[Path]:
        """Vaults of this profile set aside earlier (newest last)."""
        return sorted(self.base.glob(f"{self.profile}{SUFFIX}.bad-*"))

    def set_aside(self, reason: str) -> Path:
        """Rename the vault out of the way, kept for inspection; returns the new path."""
        stamp = time.strftime("%Y%m%dT%H%M%S", time.gmtime())
        target = self.base / f"{self.profile}{SUFFIX}.bad-{stamp}-{reason}"
        n = 1
        while target.exists():
            n += 1
            target = self.base / f"{self.profile}{SUFFIX}.bad-{stamp}-{reason}-{n}"
        os.rename(self.path, target)
        _fsync_dir(self.base)
        return target

    @contextlib.contextmanager
    def locked(self) -> Iterator[None]:
        """Hold the profile's vault lock: two sessions of one profile never save at once."""
        self.ensure_dir()
        fd = os.open(self.base / f".{self.profile}.lock", os.O_RDWR | os.O_CREAT | os.O_CLOEXEC,
                     0o600)
        try:
            fcntl.flock(fd, fcntl.LOCK_EX)
            yield
        finally:
            os.close(fd)

    def write(self, data: bytes, before_rename: Callable[[], None] | None = None) -> None:
        """Replace the vault with *data* atomically; raises OSError, the old vault intact.

        *before_rename* runs after the new file is fsynced and before it replaces the old
        one (tests kill the process there).
        """
        self.ensure_dir()
        tmp = self.base / f".{self.profile}{SUFFIX}.{os.getpid()}.{os.urandom(4).hex()}.tmp"
        fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL | os.O_CLOEXEC | os.O_NOFOLLOW,
                     0o600)
        try:
            try:
                view = memoryview(data)
                while view:
                    view = view[os.write(fd, view):]
                os.fsync(fd)
            finally:
                os.close(fd)
            if before_rename is not None:
                before_rename()
            os.rename(tmp, self.path)
        except BaseException:
            with contextlib.suppress(OSError):
                tmp.unlink()
            raise
        _fsync_dir(self.base)

    def remove_temporaries(self) -> None:
        """Remove temporary files a killed save left (never the vault)."""
        for stale in self.base.glob(f".{self.profile}{SUFFIX}.*.tmp"):
            with contextlib.suppress(OSError):
                stale.unlink()

    def remove_all(self) -> list[Path]:
        """Remove the vault, the set-aside vaults and leftovers; returns what was removed."""
        gone = []
        for path in [self.path, *self.aside()]:
            with contextlib.suppress(FileNotFoundError):
                path.unlink()
                gone.append(path)
        self.remove_temporaries()
        with contextlib.suppress(FileNotFoundError):
            (self.base / f".{self.profile}.lock").unlink()
        return gone


def _fsync_dir(path: Path) -> None:
    fd = os.open(path, os.O_RDONLY | os.O_DIRECTORY | os.O_CLOEXEC)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)
