"""Profiles: what a client is, how it is confined. TOML data validated by :mod:`schema`.

Built-in profiles ship in the package; the administrator's
(``/etc/sandbox-launcher/profiles/``) are layered over them, and a user file of the same
name in ``~/.config/sandbox-launcher/profiles/`` over both (only the keys it sets
change); a file with a new name adds a profile. The system policy may hide the user's
files, keep only some profiles, and fixes keys of every profile (``policy.py``).
"""

from __future__ import annotations

import difflib
from dataclasses import dataclass, field
from importlib import resources
from pathlib import Path
from typing import Any

from . import paths, schema
from .errors import ProfileError, ProfileNotFound
from .fields import parse_toml
from .policy import ADMIN_PROFILES, NETWORK_ADDITIONS, Policy, constrain_values
from .schema import NAME_RE

_NAME_RE = NAME_RE  # the name the app service imports


@dataclass(frozen=True)
class Profile:
    """A validated profile: every schema key present (defaults filled in)."""

    name: str
    values: dict[str, Any]
    sources: tuple[str, ...]  # files it was read from, built-in first
    builtin: bool
    #: Whether the administrator's directory has a file of this name.
    admin: bool = False
    #: What the system policy changed of the files' values, for the launch's notes.
    notes: tuple[str, ...] = ()

    def __getitem__(self, key: str) -> Any:
        return self.values[key]

    @property
    def title(self) -> str:
        """Name shown to people."""
        return str(self.values["title"] or self.name)

    def to_dict(self) -> dict[str, Any]:
        """JSON form for ``profiles --json`` and the app."""
        return {"name": self.name, "title": self.title, "builtin": self.builtin,
                "admin": self.admin, "sources": list(self.sources), "settings": self.values}


@dataclass
class ProfileSet:
    """Every profile found, plus the files that were refused (shown, never launched)."""

    profiles: dict[str, Profile] = field(default_factory=dict)
    broken: list[ProfileError] = field(default_factory=list)

    def get(self, name: str) -> Profile:
        """The profile called *name*; raises the file's error if it is broken."""
        for error in self.broken:
            if Path(error.path).stem == name:
                raise error
        try:
            return self.profiles[name]
        except KeyError:
            known = ", ".join(sorted(self.profiles)) or "none"
            close = difflib.get_close_matches(name, list(self.profiles), n=1, cutoff=0.6)
            guess = f"; did you mean {close[0]!r}?" if close else ""
            raise ProfileNotFound(
                f"there is no profile called {name!r}{guess}",
                f"known profiles: {known} (see 'sandbox-launcher profiles')",
            ) from None


def read_profile_file(path: Path) -> dict[str, Any]:
    """Parse and validate one profile file; return the keys it sets, flattened."""
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise ProfileError(f"cannot be read: {exc}", "check the file's permissions and "
                           "that it is UTF-8 text", path=str(path)) from exc
    doc = parse_toml(text, path=str(path),
                     hint="fix the syntax; see https://toml.io for the format")
    return schema.validate(doc, path=str(path), text=text)


def _builtin_dir() -> Path:
    return Path(str(resources.files("sandbox_launcher") / "resources" / "profiles"))


def load_profiles(user_dir: Path | None = None, *, admin_dir: Path | None = None,
                  policy: Policy | None = None) -> ProfileSet:
    """Read the built-in, the administrator's and the user's profiles under *policy*.

    Broken files go to ``broken``. With the policy's ``profiles.hide_user`` the user's
    files are not read at all; ``profiles.only`` keeps only the profiles it names;
    ``network.forbid_additions`` ignores what the user's files add to the network.
    """
    policy = policy or Policy()
    found = ProfileSet()
    layers: dict[str, list[tuple[Path, dict[str, Any]]]] = {}
    user = user_dir if user_dir is not None else paths.user_profiles_dir()
    admin = admin_dir if admin_dir is not None else ADMIN_PROFILES
    kinds: dict[str, set[str]] = {"builtin": set(), "admin": set(), "user": set()}
    directories = [(_builtin_dir(), "builtin"), (admin, "admin")]
    if not policy.hide_user_profiles:
        directories.append((user, "user"))
    for directory, kind in directories:
        if not directory.is_dir():
            continue
        for path in sorted(directory.glob("*.toml")):
            if not policy.profile_allowed(path.stem):
                continue
            if not _NAME_RE.match(path.stem):
                found.broken.append(ProfileError(
                    "has a name that is not allowed",
                    "use lower-case letters, digits, '-' and '_' (at most 48)",
                    path=str(path)))
                continue
            try:
                keys = read_profile_file(path)
            except ProfileError as exc:
                found.broken.append(exc)
                continue
            if kind == "user" and policy.forbid_additions:
                keys = {k: v for k, v in keys.items() if k not in NETWORK_ADDITIONS}
            layers.setdefault(path.stem, []).append((path, keys))
            kinds[kind].add(path.stem)
    for name, files in layers.items():
        values = schema.defaults()
        for _path, keys in files:
            values.update(keys)
        values, notes = constrain_values(values, policy)
        found.profiles[name] = Profile(
            name=name, values=values, sources=tuple(str(p) for p, _ in files),
            builtin=name in kinds["builtin"], admin=name in kinds["admin"],
            notes=tuple(notes))
    return found
