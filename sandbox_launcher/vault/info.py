"""What the CLI and the app show about vaults, and whether a profile may use one."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from ..core.errors import VaultError
from ..core.policy import Policy
from ..core.profile import Profile
from .files import VaultFiles, vault_names, vaults_dir
from .keys import KeyStore


def availability(profile: Profile, policy: Policy) -> str | None:
    """Why *profile* does not remember sign-in this session, or None when it does."""
    if not profile["remember_signin"]:
        return "the profile does not remember sign-in (remember_signin = false)"
    if not policy.allow_vault:
        return ("the system policy forbids remembering sign-in ([vault] allow = false in "
                f"{policy.source})")
    if not profile["signin_paths"]:
        return "the profile names no sign-in paths (signin_paths is empty)"
    return None


@dataclass(frozen=True)
class VaultStatus:
    """One profile's vault as the user sees it."""

    profile: str
    remember: bool
    exists: bool
    size: int
    #: When the vault was last saved (the end of the last session that used it), epoch s.
    last_used: float | None
    set_aside: tuple[str, ...]
    #: "present", "missing", or "unknown" with ``key_problem`` saying why.
    key: str
    key_problem: str = ""

    def to_dict(self) -> dict[str, Any]:
        """JSON form for ``vault status --json``."""
        return {"profile": self.profile, "remember_signin": self.remember,
                "vault": self.exists, "size": self.size, "last_used": self.last_used,
                "set_aside": list(self.set_aside), "key": self.key,
                "key_problem": self.key_problem or None}


def overview(keyring_backend: Any = None, *, base: Path | None = None) -> list[VaultStatus]:
    """:func:`status` of every profile there is (the app's "Remembered sign-ins")."""
    from ..core.profile import load_profiles

    return status(load_profiles().profiles.values(), keyring_backend, base=base)


def status(profiles: Iterable[Profile], keyring_backend: Any = None, *,
           base: Path | None = None, check_key: bool = True) -> list[VaultStatus]:
    """The profiles that remember sign-in or still have a vault, with size and last use;
    also vaults whose profile is gone.

    *check_key*: ask the keyring whether the key is there (may ask to unlock it).
    """
    root = base if base is not None else vaults_dir()
    keys = KeyStore(keyring_backend)
    out = []
    remembering = {p.name: bool(p["remember_signin"]) for p in profiles}
    names = sorted(set(remembering) | set(vault_names(root) if root.is_dir() else []))
    for name in names:
        files = VaultFiles(name, root)
        try:
            st = files.path.stat()
        except FileNotFoundError:
            st = None
        aside = tuple(str(p) for p in files.aside())
        remember = remembering.get(name, False)
        if not (remember or st or aside):
            continue
        key, problem = "unknown", ""
        if check_key:
            try:
                key = "present" if keys.load(name) is not None else "missing"
            except VaultError as exc:
                problem = exc.summary
        out.append(VaultStatus(name, remember, st is not None,
                               st.st_size if st else 0, st.st_mtime if st else None,
                               aside, key, problem))
    return out
