"""Build, list, verify and remove guest images (``sandbox-launcher image …``).

An image is a folder under the user's data dir holding ``base.qcow2`` (the root file
system; sessions run on a throwaway overlay over it), ``vmlinuz`` and ``initrd.img``
(direct kernel boot, no firmware), ``vmlinux`` (the same kernel unpacked, booted where
present: see :mod:`.kernel`) and ``manifest.json``. Files and folder are read-only;
:func:`verify_image` recomputes every sha256 before a launch and refuses a modified image.

The build is unprivileged (mmdebstrap in unshare mode); ``images/hooks/export.sh`` turns
the tree into kernel, initrd and an ext4 image from inside mmdebstrap's user namespace.
"""

from __future__ import annotations

import contextlib
import datetime
import getpass
import hashlib
import json
import os
import secrets
import shlex
import shutil
import stat
import tempfile
import threading
from dataclasses import dataclass
from pathlib import Path

import platformdirs

from ...core.paths import APP
from . import build_proc
from .build_proc import Progress
from .errors import (
    BuildCancelled,
    BuildToolMissing,
    ImageError,
    ImageMissing,
    ImageModified,
    NoSubordinateIds,
)
from .initrd import INITRAMFS_INPUTS, initramfs_inputs
from .kernel import extract_pvh_kernel
from .recipe import Recipe

IMAGE_FILES = ("base.qcow2", "vmlinuz", "initrd.img")
#: Files a build adds when it can; an image built before them boots without them.
OPTIONAL_FILES = ("vmlinux",)
MANIFEST = "manifest.json"
MANIFEST_VERSION = 1
#: A build peaks at ~4.5 times the finished image (test: 1425 MiB for a 314 MiB image).
PEAK_FACTOR = 5
MIN_SPACE = 1 << 30
#: Without an earlier build to go by (the desktop image is 723 MiB: 3.6 GiB at its peak).
DEFAULT_SPACE = 4 << 30


def images_store() -> Path:
    """Where built images live: ``$XDG_DATA_HOME/sandbox-launcher/images``."""
    return Path(platformdirs.user_data_dir(APP)) / "images"


@dataclass(frozen=True)
class Image:
    """A built image whose manifest has been read (not necessarily verified)."""

    name: str
    path: Path
    manifest: dict[str, object]

    def file(self, name: str) -> Path:
        """Path of one of :data:`IMAGE_FILES` or :data:`OPTIONAL_FILES`."""
        return self.path / name

    @property
    def kernel(self) -> Path:
        """The kernel to boot: the unpacked PVH one if the build made it, else the bzImage."""
        files = self.manifest.get("files")
        return self.file("vmlinux" if isinstance(files, dict) and "vmlinux" in files
                         else "vmlinuz")

    @property
    def size(self) -> int:
        """Bytes of the image's files, as the manifest records them."""
        files = self.manifest.get("files")
        return sum(int(f.get("size", 0)) for f in files.values()
                   if isinstance(f, dict)) if isinstance(files, dict) else 0

    @property
    def recipe_sha256(self) -> str:
        """Hash of the recipe the image was built from."""
        return str(self.manifest.get("recipe_sha256", ""))


def _rebuild_hint(name: str) -> str:
    return (f"rebuild it: sandbox-launcher image remove {name} && "
            f"sandbox-launcher image build {name}")


def _sha256(path: Path) -> str:
    sha = hashlib.sha256()
    with path.open("rb") as f:
        while block := f.read(1 << 20):
            sha.update(block)
    return sha.hexdigest()


def _walkable(folder: str) -> bool:
    """Whether anyone (the build's subordinate-id root) may walk into *folder*."""
    path = Path(folder).resolve()
    return path.is_dir() and all(os.stat(p).st_mode & stat.S_IXOTH
                                 for p in (path, *path.parents))


_SCRATCH_FALLBACKS = ("/var/tmp", "/tmp")


def scratch_parent() -> str:
    """Where a build's scratch folder goes: the user's temp dir when others may walk into
    it, else /var/tmp or /tmp (libpam-tmpdir, for one, gives each user a private TMPDIR,
    which mmdebstrap's unshared root could not enter)."""
    for candidate in (tempfile.gettempdir(), *_SCRATCH_FALLBACKS):
        with contextlib.suppress(OSError):
            if _walkable(candidate):
                return candidate
    return tempfile.gettempdir()


def _check_builder() -> None:
    for program, package in (("mmdebstrap", "mmdebstrap"), ("newuidmap", "uidmap"),
                             ("mkfs.ext4", "e2fsprogs"), ("qemu-img", "qemu-utils")):
        if shutil.which(program, path=os.environ.get("PATH", "") + ":/usr/sbin:/sbin") is None:
            raise BuildToolMissing(program, package)
    user = getpass.getuser()
    for table in ("/etc/subuid", "/etc/subgid"):
        try:
            lines = Path(table).read_text(encoding="utf-8").splitlines()
        except OSError:
            lines = []
        if not any(line.split(":")[0] in (user, str(os.getuid())) for line in lines):
            raise NoSubordinateIds(user, table)


def mmdebstrap_argv(recipe: Recipe, work: Path) -> list[str]:
    """The whole mmdebstrap command line for *recipe*; outputs land in *work*."""
    # The chroot is thrown away once export.sh made the file system of it: dpkg's fsync
    # of every file it unpacks protects nothing here.
    argv = ["mmdebstrap", "--mode=unshare", "--format=null", f"--variant={recipe.variant}",
            "--include=" + ",".join(recipe.packages), "--dpkgopt=force-unsafe-io"]
    argv += [f"--dpkgopt=path-exclude={p}" for p in recipe.dpkg_exclude]
    argv += [f"--dpkgopt=path-include={p}" for p in recipe.dpkg_include]
    argv += initramfs_inputs(recipe, work)
    for guest, host in recipe.files:
        parent = os.path.dirname(guest)
        argv.append(f"--customize-hook=mkdir -p \"$1\"{shlex.quote(parent)}")
        argv.append(f"--customize-hook=upload {shlex.quote(str(host))} {shlex.quote(guest)}")
        mode = "0755" if os.access(host, os.X_OK) else "0644"
        argv.append(f"--customize-hook=chmod {mode} \"$1\"{shlex.quote(guest)}")
    identity = recipe.root / "hooks" / "identity.sh"
    argv.append(f"--customize-hook=sh {shlex.quote(str(identity))} \"$1\"")
    export = recipe.root / "hooks" / "export.sh"
    argv.append(f"--customize-hook=sh {shlex.quote(str(export))} \"$1\" {recipe.free_mb}")
    # The namespace's root cannot write into the user's folders: copy out as the user.
    for name in ("root.img", "vmlinuz", "initrd.img"):
        argv.append(f"--customize-hook=download /.slt-export/{name} "
                    f"{shlex.quote(str(work / name))}")
    argv += [recipe.suite, "/dev/null", recipe.mirror]
    return argv


def space_needed(recipe: Recipe, store: Path) -> int:
    """Bytes a build of *recipe* needs at its peak: the chroot, the staged copy, the ext4
    image and its qcow2 all exist at once. An earlier build of it tells its size."""
    with contextlib.suppress(ImageError):
        return max(PEAK_FACTOR * load_image(recipe.name, store).size, MIN_SPACE)
    return DEFAULT_SPACE


def _check_space(store: Path, scratch: Path, needed: int) -> None:
    """The scratch folder holds the chroot, the store the results: one file system or
    two, each must have room for its part."""
    if os.stat(store).st_dev == os.stat(scratch).st_dev:
        build_proc.check_space(store, needed)
    else:
        build_proc.check_space(scratch, needed * 3 // 5)
        build_proc.check_space(store, needed * 2 // 5)


def build_image(recipe: Recipe, progress: Progress, store: Path | None = None, *,
                cancel: threading.Event | None = None) -> Image:
    """Build *recipe* into the store (replacing an older build of it) and return it.

    Setting *cancel* stops the build; :class:`BuildCancelled` is raised once its
    processes are gone and its files removed. A failed build leaves nothing either.
    """
    store = store or images_store()
    cancel = cancel or threading.Event()
    progress("check", "mmdebstrap, uidmap, e2fsprogs, qemu-utils and a subuid range")
    _check_builder()
    store.mkdir(parents=True, exist_ok=True)
    sweep_abandoned(store)
    needed = space_needed(recipe, store)
    work = Path(tempfile.mkdtemp(prefix=f".build-{recipe.name}-", dir=store))
    # mmdebstrap's chroot: in the user's temp dir as before, but in a folder of this
    # build's own, so a cancel knows exactly what to remove. Its subordinate-id root
    # must be able to walk into it.
    scratch = Path(tempfile.mkdtemp(prefix=build_proc.SCRATCH_PREFIX, dir=scratch_parent()))
    scratch.chmod(0o755)
    with build_proc.claimed(work, scratch):
        return _build_in(recipe, progress, store, work, scratch, needed, cancel)


def _build_in(recipe: Recipe, progress: Progress, store: Path, work: Path, scratch: Path,
              needed: int, cancel: threading.Event) -> Image:
    env = {**os.environ, "TMPDIR": str(scratch),
           "PATH": os.environ.get("PATH", "/usr/bin:/bin") + ":/usr/sbin:/sbin"}
    try:
        _check_space(store, scratch, needed)
        progress("bootstrap", f"Debian {recipe.suite}: {len(recipe.packages)} packages")
        build_proc.run_streamed(mmdebstrap_argv(recipe, work), progress, "bootstrap",
                                cancel=cancel, env=env, needed=needed, where=store,
                                mirror=recipe.mirror)
        build_proc.remove_tree(scratch)
        root_img = work / "root.img"
        progress("convert", f"{root_img.stat().st_size // 2**20} MiB ext4 -> qcow2")
        build_proc.run_streamed(["qemu-img", "convert", "-q", "-f", "raw", "-O", "qcow2",
                                 str(root_img), str(work / "base.qcow2")], progress,
                                "convert", cancel=cancel, env=env, needed=needed,
                                where=store)
        root_img.unlink()
        for leftover in INITRAMFS_INPUTS:
            (work / leftover).unlink()
        progress("kernel", "vmlinuz -> vmlinux")
        kept = [*IMAGE_FILES, *(["vmlinux"] if extract_pvh_kernel(
            work / "vmlinuz", work / "vmlinux") else [])]
        progress("manifest", "sha256 of every file")
        manifest: dict[str, object] = {
            "manifest_version": MANIFEST_VERSION, "name": recipe.name,
            "recipe_version": recipe.version, "recipe_sha256": recipe.digest(),
            "built": datetime.datetime.now(datetime.UTC).isoformat(timespec="seconds"),
            "files": {f: {"sha256": _sha256(work / f), "size": (work / f).stat().st_size}
                      for f in kept},
        }
        (work / MANIFEST).write_text(json.dumps(manifest, indent=2) + "\n", encoding="utf-8")
        for name in (*kept, MANIFEST):
            (work / name).chmod(0o444)
        if cancel.is_set():  # the last moment a cancel can still keep the old image
            raise BuildCancelled("the build was cancelled", "nothing of it was kept")
        target = store / recipe.name
        if target.exists():
            remove_image(recipe.name, store)
        work.chmod(0o555)
        work.rename(target)
    except OSError as exc:
        _discard(work, scratch)
        build_proc.raise_if_full(exc, store, needed)
        raise ImageError(f"the image could not be written: {exc.strerror}",
                         "see the details", details=str(exc)) from exc
    except BaseException:
        _discard(work, scratch)
        raise
    progress("done", str(target))
    return Image(recipe.name, target, manifest)


def _discard(*folders: Path) -> None:
    """Remove a failed or cancelled build's folders (mmdebstrap's chroot included)."""
    for folder in folders:
        build_proc.remove_tree(folder)


def load_image(name: str, store: Path | None = None) -> Image:
    """The built image *name* with its manifest, or a typed error saying how to build it."""
    path = (store or images_store()) / name
    try:
        manifest = json.loads((path / MANIFEST).read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise ImageMissing(name, f"the guest image {name!r} is not built",
                           f"build it: sandbox-launcher image build {name}") from None
    except (OSError, ValueError) as exc:
        raise ImageModified(name, f"the guest image {name!r} has an unreadable manifest: "
                            f"{exc}", _rebuild_hint(name)) from exc
    if not isinstance(manifest, dict) or not isinstance(manifest.get("files"), dict):
        raise ImageModified(name, f"the guest image {name!r} has a malformed manifest",
                            _rebuild_hint(name))
    return Image(name, path, manifest)


def verify_image(name: str, store: Path | None = None) -> Image:
    """Recompute every sha256 and check the files are read-only; raise if anything differs."""
    image = load_image(name, store)
    files = image.manifest["files"]
    assert isinstance(files, dict)
    present = {p.name for p in image.path.iterdir()}
    listed = set(IMAGE_FILES) | (set(files) & set(OPTIONAL_FILES))
    extra = present - {*listed, MANIFEST}
    if extra or set(files) != listed:
        raise ImageModified(name, f"the guest image {name!r} has unexpected files: "
                            f"{', '.join(sorted(extra or set(files)))}", _rebuild_hint(name))
    for fname in sorted(listed):
        path = image.file(fname)
        entry = files.get(fname)
        if not path.is_file() or path.is_symlink() or not isinstance(entry, dict):
            raise ImageModified(name, f"the guest image {name!r} lacks {fname}",
                                _rebuild_hint(name))
        if stat.S_IMODE(path.stat().st_mode) & 0o222:
            raise ImageModified(name, f"{path} is writable; images are kept read-only",
                                _rebuild_hint(name))
        if _sha256(path) != entry.get("sha256"):
            raise ImageModified(name, f"the guest image {name!r} was modified: {fname} "
                                "does not match its manifest", _rebuild_hint(name))
    return image


def list_images(store: Path | None = None) -> list[Image]:
    """Every built image (manifest read, not verified); broken ones are skipped."""
    store = store or images_store()
    found: list[Image] = []
    for path in sorted(store.iterdir()) if store.is_dir() else []:
        if path.is_dir() and not path.name.startswith("."):
            try:
                found.append(load_image(path.name, store))
            except ImageError:
                continue
    return found


def remove_image(name: str, store: Path | None = None) -> None:
    """Delete a built image (its files are read-only, so make them writable first).

    The image leaves the listing at once, whole: it is renamed to a hidden name first,
    so a listing or a session starting meanwhile never sees half an image.
    """
    store = store or images_store()
    path = store / name
    if not path.is_dir() or name.startswith(".") or "/" in name:
        raise ImageError(f"no built guest image named {name!r}",
                         "list them: sandbox-launcher image list")
    # Renamed within the store, never into another folder: moving a directory to a new
    # parent rewrites its "..", which its read-only mode forbids (to all but root).
    doomed = store / f".removing-{name}-{secrets.token_hex(4)}"
    with build_proc.claimed(path):
        try:
            path.rename(doomed)
        except FileNotFoundError:
            raise ImageError(f"no built guest image named {name!r}",
                             "it was removed meanwhile") from None
        doomed.chmod(0o755)
        shutil.rmtree(doomed)


def sweep_abandoned(store: Path | None = None) -> list[Path]:
    """Remove what builds and removals left when their launcher was killed (their work
    folders in the store, mmdebstrap's scratch folders); the paths removed."""
    return build_proc.sweep_abandoned(store or images_store(),
                                      (tempfile.gettempdir(), *_SCRATCH_FALLBACKS))
