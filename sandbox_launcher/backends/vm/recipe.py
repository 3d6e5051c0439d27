"""Guest image recipes: the data in ``images/recipes/*.toml`` (DESIGN §3).

A recipe names a Debian suite, packages, dpkg path filters, the kernel modules the initrd
needs and the files copied into the guest. Its hash covers the recipe and every file it
copies, so a cached build can be told apart from a stale one.
"""

from __future__ import annotations

import hashlib
import tomllib
from dataclasses import dataclass
from pathlib import Path

from .errors import ImageError

#: Bumped when the way an image is built changes (2: the initrd without udev, the kernel
#: unpacked for a PVH boot), so that builds made the old way read as out of date.
BUILD_SCHEME = 2

_KEYS = {"name", "version", "suite", "mirror", "variant", "packages", "free_mb",
         "dpkg_exclude", "dpkg_include", "initramfs_modules", "files"}


def images_dir() -> Path:
    """The ``images/`` folder of this source tree (recipes, hooks, the agent)."""
    return Path(__file__).resolve().parents[3] / "images"


@dataclass(frozen=True)
class Recipe:
    """One validated recipe; paths in ``files`` are resolved against ``root``."""

    name: str
    version: int
    suite: str
    mirror: str
    variant: str
    packages: tuple[str, ...]
    free_mb: int
    dpkg_exclude: tuple[str, ...]
    dpkg_include: tuple[str, ...]
    initramfs_modules: tuple[str, ...]
    files: tuple[tuple[str, Path], ...]  # (path in the guest, file on the host)
    root: Path

    def digest(self) -> str:
        """sha256 over the build scheme, the recipe file and every file it copies."""
        sha = hashlib.sha256(b"scheme %d\0" % BUILD_SCHEME)
        sha.update((self.root / "recipes" / f"{self.name}.toml").read_bytes())
        for guest, host in self.files:
            sha.update(guest.encode() + b"\0" + host.read_bytes())
        for hook in ("identity.sh", "export.sh"):
            sha.update((self.root / "hooks" / hook).read_bytes())
        return sha.hexdigest()


def _strings(data: dict[str, object], key: str, where: str) -> tuple[str, ...]:
    value = data.get(key, [])
    if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
        raise ImageError(f"{where}: {key} must be a list of strings",
                         "fix the recipe file; see images/README.md")
    return tuple(value)


def load_recipe(name: str, root: Path | None = None) -> Recipe:
    """Read and validate ``images/recipes/NAME.toml``."""
    root = root or images_dir()
    path = root / "recipes" / f"{name}.toml"
    if not name.isidentifier() or not path.is_file():
        known = ", ".join(list_recipes(root)) or "none"
        raise ImageError(f"no image recipe named {name!r}",
                         f"known recipes: {known} (in {root / 'recipes'})")
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except (tomllib.TOMLDecodeError, UnicodeDecodeError) as exc:
        raise ImageError(f"{path}: not valid TOML: {exc}", "fix the recipe file") from exc
    unknown = set(data) - _KEYS
    if unknown:
        raise ImageError(f"{path}: unknown keys {', '.join(sorted(unknown))}",
                         f"a recipe may have: {', '.join(sorted(_KEYS))}")
    files_table = data.get("files", {})
    if not isinstance(files_table, dict):
        raise ImageError(f"{path}: files must be a table", "see images/README.md")
    files: list[tuple[str, Path]] = []
    for guest, host in sorted(files_table.items()):
        source = (root / str(host)).resolve()
        if not guest.startswith("/") or not source.is_relative_to(root) or not source.is_file():
            raise ImageError(f"{path}: bad file entry {guest!r} = {host!r}",
                             "guest paths are absolute; host files exist under images/")
        files.append((guest, source))
    try:
        recipe = Recipe(
            name=str(data["name"]), version=int(data["version"]), suite=str(data["suite"]),
            mirror=str(data["mirror"]), variant=str(data.get("variant", "essential")),
            packages=_strings(data, "packages", str(path)), free_mb=int(data["free_mb"]),
            dpkg_exclude=_strings(data, "dpkg_exclude", str(path)),
            dpkg_include=_strings(data, "dpkg_include", str(path)),
            initramfs_modules=_strings(data, "initramfs_modules", str(path)),
            files=tuple(files), root=root)
    except (KeyError, ValueError, TypeError) as exc:
        raise ImageError(f"{path}: missing or malformed key: {exc}",
                         "see images/README.md") from exc
    if recipe.name != name:
        raise ImageError(f"{path}: name is {recipe.name!r}, expected {name!r}",
                         "the name key must match the file name")
    return recipe


def list_recipes(root: Path | None = None) -> list[str]:
    """Names of the recipes in ``images/recipes``."""
    folder = (root or images_dir()) / "recipes"
    return sorted(p.stem for p in folder.glob("*.toml")) if folder.is_dir() else []
