"""The profile editor's side of the app service: what the system policy locks, and the
user's own profile files, saved (only what differs from the base) and removed.

The app's editor and the command line's ``profile`` commands reach it through
:class:`~.service.SessionService`; it reads the profiles and the policy through the one
launch path (:class:`~.launch.Launcher`), so an edit is judged as a launch would be.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from ..core import paths, profile_write, schema
from ..core.errors import LauncherError, ProfileError
from ..core.profile import _NAME_RE, load_profiles, read_profile_file
from .launch import Launcher


def _checked_name(name: str) -> str:
    if not _NAME_RE.match(name):
        raise ProfileError(f"{name!r} is not a profile name",
                           "use lower-case letters, digits, '-' and '_' (at most 48)")
    return name


class ProfileEdits:
    """Locks, saves and removals of the user's profiles, for one launcher."""

    def __init__(self, launcher: Launcher, profiles_dir: Path | None = None) -> None:
        self._launcher = launcher
        self._profiles_dir = profiles_dir

    def user_profiles_dir(self) -> Path:
        """Where the profile editor saves."""
        return self._profiles_dir if self._profiles_dir is not None else (
            paths.user_profiles_dir())

    def locked_fields(self) -> dict[str, str]:
        """Profile keys the system policy constrains → what it fixes and who set it.

        A broken policy locks every key with its error (nothing launches under it).
        """
        try:
            policy = self._launcher.policy()
        except LauncherError as exc:
            return {f.key: exc.summary for f in schema.FIELDS}
        locks = {key: rule.describe() for key, rule in policy.constraints.items()}
        origin = f"set by your administrator in {policy.source}"
        if policy.allow_countries:
            locks["network.allow_countries"] = (f"{', '.join(policy.allow_countries)} "
                                                f"({origin})")
        if policy.deny_countries:
            locks["network.deny_countries"] = f"{', '.join(policy.deny_countries)} ({origin})"
        return locks

    def save(self, name: str, values: dict[str, Any]) -> Path:
        """Write the user's profile *name*: only the keys that differ from its base."""
        _checked_name(name)
        builtins = load_profiles(Path("/nonexistent/sandbox-launcher"),
                                 admin_dir=self._launcher.files.admin_profiles).profiles
        base = builtins[name].values if name in builtins else schema.defaults()
        path = self.user_profiles_dir() / f"{name}.toml"
        changed = profile_write.changed_keys(values, base)
        # The editor shows a locked key with the administrator's value: that value is not
        # the user's, so it is not written; what the user's file said stays for when the
        # lock is lifted.
        try:
            locked = set(self._launcher.policy().constraints)
        except LauncherError:
            locked = set()
        own = read_profile_file(path) if locked and path.exists() else {}
        changed = {k: v for k, v in changed.items() if k not in locked}
        changed |= {k: v for k, v in own.items() if k in locked}
        return profile_write.save(path, changed)

    def remove(self, name: str) -> Path | None:
        """Delete the user's file of profile *name*: a changed built-in returns to its
        built-in values, a profile of the user's own is gone. The path removed, or None."""
        path = self.user_profiles_dir() / f"{_checked_name(name)}.toml"
        try:
            path.unlink()
        except FileNotFoundError:
            return None
        return path
