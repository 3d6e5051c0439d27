"""Open a profile's vault before a session, save it after: what the session layer calls.

Rollback protection and crash safety come from the order of a save:

1. a new profile's key goes into the keyring first (with counter 0), so no vault file
   ever exists that no key opens;
2. the vault is written with counter N+1 (temp file, fsync, rename);
3. the keyring item is updated to (N+1, the new nonce).

A crash between 2 and 3 leaves a vault one ahead of the keyring. Only a save with the
key can make such a vault, so opening accepts exactly two states: the keyring's counter
*and* its nonce (the last committed save), or counter + 1 (a save whose commit was cut
short; the keyring is then brought up to it). Anything older, or the same counter with
another nonce (a replaced copy of an interrupted save), is a rollback.
"""

from __future__ import annotations

import enum
import os
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from ..core.errors import VaultError
from . import archive, crypto
from .files import VaultFiles, vaults_dir
from .keys import KeyItem, KeyStore


class Problem(enum.Enum):
    """Why a vault was not used or not saved."""

    UNAVAILABLE = "unavailable"  # no OS keyring, or a locked one
    TAMPERED = "tampered"  # the tag does not verify: a byte changed
    OTHER_PROFILE = "other-profile"  # the vault names another profile
    ROLLBACK = "rollback"  # an older (or replaced) vault than the keyring's counter
    UNREADABLE = "unreadable"  # not a vault, or a format this version does not know
    NO_KEY = "no-key"  # a vault but no key in the keyring
    TOO_LARGE = "too-large"  # above archive.SIZE_CAP
    BAD_ARCHIVE = "bad-archive"  # the payload breaks the archive rules
    WRITE_FAILED = "write-failed"  # disk full, permissions…


@dataclass(frozen=True)
class SeedResult:
    """What :func:`open_seed` found: the archive to seed the home with, or why not."""

    tar: bytes | None
    notes: tuple[str, ...] = ()
    problem: Problem | None = None
    #: Where a bad vault was moved (kept for inspection).
    set_aside: Path | None = None
    #: Whether the session should save its sign-in at the end (False: no keyring).
    save_allowed: bool = True


@dataclass(frozen=True)
class SaveResult:
    """What :func:`save_capture` did."""

    saved: bool
    notes: tuple[str, ...] = ()
    problem: Problem | None = None
    size: int = 0
    counter: int = 0


@dataclass(frozen=True)
class ForgetResult:
    """What :func:`forget` removed."""

    removed: tuple[Path, ...] = ()
    key_removed: bool = False
    notes: tuple[str, ...] = field(default=())


#: A vault file is the archive plus a small header and the tag.
_FILE_CAP = archive.SIZE_CAP + 4096

_BAD: dict[Problem, str] = {
    Problem.TAMPERED: "the vault was changed since it was saved (it does not authenticate)",
    Problem.UNREADABLE: "the vault file is not a vault this version can read",
    Problem.NO_KEY: "the vault's key is no longer in the keyring",
    Problem.ROLLBACK: "the vault is older than the last save (a rollback)",
    Problem.TOO_LARGE: "the vault file is larger than any vault this launcher writes",
    Problem.BAD_ARCHIVE: "the vault's content breaks the archive rules",
}


def _files(profile: str, base: Path | None) -> VaultFiles:
    return VaultFiles(profile, base if base is not None else vaults_dir())


def _bad(files: VaultFiles, problem: Problem, why: str = "") -> SeedResult:
    aside = files.set_aside(problem.value)
    text = why or _BAD[problem]
    return SeedResult(None, (f"sign-in not restored: {text}; the session starts signed out, "
                             f"and the vault was kept for inspection as {aside}",),
                      problem, aside)


def open_seed(profile_name: str, keyring_backend: Any = None, *, base: Path | None = None,
              paths: Iterable[str] | None = None) -> SeedResult:
    """The profile's saved sign-in as a tar archive (in memory), checked, or why not.

    Never raises for a bad vault or a missing keyring: the session starts clean, with the
    result's notes saying why. *paths*: the profile's ``signin_paths`` now; members
    outside them (the profile changed) are dropped with a note.
    """
    files = _files(profile_name, base)
    keys = KeyStore(keyring_backend)
    try:
        with files.locked():
            try:
                item = keys.load(profile_name)
            except VaultError as exc:
                return SeedResult(None, (exc.summary,), Problem.UNAVAILABLE, save_allowed=False)
            files.remove_temporaries()
            blob = files.read()
            if blob is None:
                missing = (" (the keyring remembers a save: was the vault deleted?)"
                           if item is not None and item.counter > 0 else "")
                return SeedResult(None, ("no saved sign-in yet: the client starts signed "
                                         f"out{missing}",))
            return _open(files, keys, item, blob, paths)
    except OSError as exc:  # the vault dir cannot be made or read: no vault this session
        return SeedResult(None, (f"sign-in not restored: the vault cannot be read "
                                 f"({exc.strerror or exc})",), Problem.UNREADABLE,
                          save_allowed=False)


def _open(files: VaultFiles, keys: KeyStore, item: KeyItem | None, blob: bytes,
          paths: Iterable[str] | None) -> SeedResult:
    profile = files.profile
    if len(blob) > _FILE_CAP:
        return _bad(files, Problem.TOO_LARGE)
    if item is None:
        return _bad(files, Problem.NO_KEY)
    try:
        header = crypto.read_header(blob)
    except crypto.FormatError as exc:
        return _bad(files, Problem.UNREADABLE, f"the vault file is unreadable ({exc})")
    if header.profile != profile:
        return _bad(files, Problem.OTHER_PROFILE,
                    f"the vault file is profile {header.profile!r}'s, not {profile!r}'s")
    try:
        header, plain = crypto.unseal(item.key, blob)
    except crypto.TagMismatch:
        return _bad(files, Problem.TAMPERED)
    notes: list[str] = []
    if header.counter == item.counter + 1:
        # Step 3 of the last save did not happen: commit it now (or at the next start).
        try:
            keys.store(profile, KeyItem(item.key, header.counter, header.nonce))
            notes.append("the last save was interrupted before the keyring was updated; "
                         "it is complete now")
        except VaultError as exc:
            notes.append(f"the last save is not complete in the keyring: {exc.summary}")
    elif header.counter != item.counter or header.nonce != item.nonce:
        return _bad(files, Problem.ROLLBACK,
                    f"the vault is save #{header.counter} but the keyring expects "
                    f"#{item.counter}: an older or replaced vault (a rollback)")
    try:
        members = archive.read_members(plain, None)
    except archive.ArchiveError as exc:
        return _bad(files, Problem.BAD_ARCHIVE, f"the vault's content is refused ({exc})")
    if paths is not None:
        roots = [archive.normalise(p) for p in paths]
        kept = [m for m in members if archive.allowed(m.path, roots)]
        if len(kept) != len(members):
            notes.append(f"{len(members) - len(kept)} saved entries are outside the "
                         "profile's sign-in paths now and were left out")
            plain = archive.pack(kept)
    notes.insert(0, f"sign-in restored from the vault (save #{header.counter}, "
                    f"{_size(len(plain))})")
    return SeedResult(plain, tuple(notes))


def save_capture(profile_name: str, tar: bytes, keyring_backend: Any = None, *,
                 base: Path | None = None, paths: Iterable[str] | None = None,
                 before_rename: Callable[[], None] | None = None) -> SaveResult:
    """Encrypt *tar* (the captured sign-in paths) into the profile's vault.

    Never raises for a full disk, a missing keyring or an archive above the cap: the
    previous vault is kept and the notes say why. *before_rename* is a test seam (see
    VaultFiles.write).
    """
    try:
        archive.read_members(tar, paths)
    except archive.TooLarge:
        return SaveResult(False, (f"sign-in not saved: it is larger than the "
                                  f"{_size(archive.SIZE_CAP)} cap (caches in the sign-in "
                                  "paths?); the previous vault is kept",), Problem.TOO_LARGE)
    except archive.ArchiveError as exc:
        return SaveResult(False, (f"sign-in not saved: {exc}; the previous vault is kept",),
                          Problem.BAD_ARCHIVE)
    files = _files(profile_name, base)
    keys = KeyStore(keyring_backend)
    try:
        with files.locked():
            item = keys.load(profile_name)
            notes: list[str] = []
            if item is None:
                if files.path.exists():
                    aside = files.set_aside(Problem.NO_KEY.value)
                    notes.append(f"an earlier vault without a key was kept as {aside}")
                item = KeyItem(crypto.new_key(), 0)
                keys.store(profile_name, item)  # step 1: never a vault without its key
            counter = item.counter + 1
            blob = crypto.seal(item.key, profile_name, counter, tar)
            try:
                files.write(blob, before_rename)  # step 2
            except OSError as exc:
                return SaveResult(False, (f"sign-in not saved: {exc.strerror or exc}; the "
                                          "previous vault is kept",), Problem.WRITE_FAILED)
            try:
                keys.store(profile_name, KeyItem(item.key, counter,
                                                 crypto.read_header(blob).nonce))  # step 3
            except VaultError as exc:
                notes.append(f"saved, but {exc.summary}; the next start completes it")
    except VaultError as exc:
        return SaveResult(False, (f"sign-in not saved: {exc.summary}",), Problem.UNAVAILABLE)
    except OSError as exc:
        return SaveResult(False, (f"sign-in not saved: {exc.strerror or exc}; the previous "
                                  "vault is kept",), Problem.WRITE_FAILED)
    return SaveResult(True, (f"sign-in saved ({_size(len(tar))}, save #{counter})", *notes),
                      None, len(blob), counter)


def forget(profile_name: str, keyring_backend: Any = None, *,
           base: Path | None = None) -> ForgetResult:
    """Remove the profile's vault, the vaults set aside and its key.

    The files go even when the keyring cannot be reached (without the key they are
    noise); then VaultError says the key is still there.
    """
    files = _files(profile_name, base)
    keys = KeyStore(keyring_backend)
    error: VaultError | None = None
    key_removed = False
    with files.locked():
        try:
            key_removed = keys.delete(profile_name)
        except VaultError as exc:
            error = exc
        removed = files.remove_all()
    if error is not None:
        raise VaultError(f"the vault files were removed, but its key was not: {error.summary}",
                         error.hint)
    return ForgetResult(tuple(removed), key_removed)


def export_plain(profile_name: str, dest: Path, keyring_backend: Any = None, *,
                 base: Path | None = None) -> SeedResult:
    """Write the decrypted archive to *dest* (a new file, 0600); the user's explicit wish.

    Raises VaultError when there is nothing to export or the vault is bad (it is then set
    aside, as at a session's start) or *dest* exists.
    """
    result = open_seed(profile_name, keyring_backend, base=base)
    if result.tar is None:
        raise VaultError(f"nothing exported: {' '.join(result.notes)}",
                         "'sandbox-launcher vault status' shows the profiles with a vault")
    try:
        fd = os.open(dest, os.O_WRONLY | os.O_CREAT | os.O_EXCL | os.O_NOFOLLOW | os.O_CLOEXEC,
                     0o600)
    except OSError as exc:
        raise VaultError(f"cannot write {dest}: {exc.strerror}",
                         "name a new file in a folder of yours") from exc
    with os.fdopen(fd, "wb") as out:
        out.write(result.tar)
    return result


def _size(n: int) -> str:
    return f"{n / (1 << 20):.1f} MiB" if n >= 1 << 20 else f"{n / 1024:.1f} KiB"
