"""Profiles: what a client is, how it is confined. TOML data validated by :mod:`schema`.

Built-in profiles ship in the package; a user file of the same name in
``~/.config/sandbox-launcher/profiles/`` is layered over the built-in one (only the
keys it sets change); a user file with a new name adds a profile.
"""

from __future__ import annotations

import difflib
import re
import tomllib
from dataclasses import dataclass, field
from importlib import resources
from pathlib import Path
from typing import Any

from . import paths, schema
from .errors import ProfileError, ProfileNotFound

_NAME_RE = re.compile(r"^[a-z0-9][a-z0-9_-]{0,47}$")
_TOML_POS_RE = re.compile(r"\(at line (\d+), column (\d+)\)")


@dataclass(frozen=True)
class Profile:
    """A validated profile: every schema key present (defaults filled in)."""

    name: str
    values: dict[str, Any]
    sources: tuple[str, ...]  # files it was read from, built-in first
    builtin: bool

    def __getitem__(self, key: str) -> Any:
        return self.values[key]

    @property
    def title(self) -> str:
        """Name shown to people."""
        return str(self.values["title"] or self.name)

    def to_dict(self) -> dict[str, Any]:
        """JSON form for ``profiles --json`` and the app."""
        return {"name": self.name, "title": self.title, "builtin": self.builtin,
                "sources": list(self.sources), "settings": self.values}


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
    try:
        doc = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        pos = _TOML_POS_RE.search(str(exc))
        # tomllib says "(at end of document)" for an unterminated construct: that is the
        # last line, which is where an editor should put the cursor.
        line = int(pos.group(1)) if pos else max(1, len(text.splitlines()))
        message = _TOML_POS_RE.sub("", str(exc)).replace("(at end of document)", "")
        raise ProfileError(
            f"is not valid TOML: {message.strip()}",
            "fix the syntax; see https://toml.io for the format",
            path=str(path), line=line,
        ) from exc
    return schema.validate(doc, path=str(path), text=text)


def _builtin_dir() -> Path:
    return Path(str(resources.files("sandbox_launcher") / "resources" / "profiles"))


def load_profiles(user_dir: Path | None = None) -> ProfileSet:
    """Read the built-in profiles and the user's; broken files go to ``broken``."""
    found = ProfileSet()
    layers: dict[str, list[tuple[Path, dict[str, Any]]]] = {}
    user = user_dir if user_dir is not None else paths.user_profiles_dir()
    builtin_names: set[str] = set()
    for directory, is_builtin in ((_builtin_dir(), True), (user, False)):
        if not directory.is_dir():
            continue
        for path in sorted(directory.glob("*.toml")):
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
            layers.setdefault(path.stem, []).append((path, keys))
            if is_builtin:
                builtin_names.add(path.stem)
    for name, files in layers.items():
        values = schema.defaults()
        for _path, keys in files:
            values.update(keys)
        found.profiles[name] = Profile(
            name=name, values=values, sources=tuple(str(p) for p, _ in files),
            builtin=name in builtin_names)
    return found
