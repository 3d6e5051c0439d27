"""Remembered sign-in around a session, for any backend: the vault through the home hooks.

Before the client starts, :func:`prepare` opens the profile's vault and turns it into the
files the backend seeds into the fresh home; after the session, :meth:`Signin.save`
packs what the backend captured of the profile's ``signin_paths`` and seals it into the
vault again. Plain text is only ever in memory and in the sandbox's tmpfs home.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from ..backends.base import Captured
from ..core.policy import Policy
from ..core.profile import Profile


@dataclass
class Signin:
    """One session's use of its profile's vault."""

    profile: str
    paths: tuple[str, ...]
    #: What the vault holds, as home-relative files to seed.
    seed: dict[str, bytes] = field(default_factory=dict)
    #: What the user should know before the client starts (a vault set aside…).
    notes: tuple[str, ...] = ()
    #: False when the keyring is missing or locked: nothing may be saved this time.
    save_allowed: bool = True
    keyring_backend: Any = None

    def save(self, captured: Captured) -> tuple[str, ...]:
        """Seal what the client left in its sign-in paths; the notes for the user."""
        if not self.save_allowed:
            return ("sign-in not saved: the keyring was not available when the session "
                    "started",)
        if captured.problem:
            return (f"sign-in not saved: {captured.problem}; the previous vault is kept",)
        left_out = tuple(f"{path}: not captured (not a regular file)"
                         for path in captured.skipped)
        if not captured.files:
            return (*left_out,
                    "nothing to remember: the client left nothing in its sign-in paths")
        from .. import vault

        result = vault.save_capture(self.profile, vault.pack_files(captured.files),
                                    self.keyring_backend, paths=self.paths)
        return (*left_out, *result.notes)


def prepare(profile: Profile, policy: Policy, keyring_backend: Any = None) -> Signin | None:
    """The vault's part of a session of *profile*; None when it does not remember sign-in."""
    if not profile["remember_signin"]:
        return None  # decided without loading the vault's crypto (vault.availability agrees)
    from .. import vault

    if vault.availability(profile, policy) is not None:
        return None
    paths = tuple(profile["signin_paths"])
    opened = vault.open_seed(profile.name, keyring_backend, paths=paths)
    files = ({path: data for path, data, _mode in vault.as_home_files(opened.tar, paths)}
             if opened.tar is not None else {})
    return Signin(profile.name, paths, files, tuple(opened.notes), opened.save_allowed,
                  keyring_backend)
