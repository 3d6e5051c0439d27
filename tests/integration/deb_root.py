"""Build the .deb and a clean Debian 12 root with it installed, cached by content hash.

``packaging/build-deb`` makes the package; ``mmdebstrap`` (no container engine) makes a
minimal Debian 12 root from Debian's mirror and installs the package into it with apt,
so the package's dependencies must resolve there. Both are cached under
``.cache/packaging/`` by the hash of what they are made from: the package by the files
that go into it, the root by the package's bytes and the recipe. A changed source makes
new ones; an unchanged one costs nothing on the next run.
"""

from __future__ import annotations

import functools
import hashlib
import os
import shutil
import subprocess
import uuid
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parents[2]
#: Outside tests/ and hidden: the root holds Python packages with tests of their own,
#: which pytest and ruff must never collect.
ARTIFACTS = REPO_ROOT / ".cache" / "packaging"
#: What goes into the package; tests, docs and benchmarks do not.
PACKAGE_INPUTS = ("sandbox_launcher", "resources", "packaging", "pyproject.toml", "README.md")
SUITE = "bookworm"
MIRRORS = (
    "deb http://deb.debian.org/debian bookworm main",
    "deb http://deb.debian.org/debian bookworm-updates main",
    "deb http://deb.debian.org/debian-security bookworm-security main",
)
#: A desktop system has these and a bare mmdebstrap root does not: /etc/hosts (netbase,
#: priority important) and /etc/machine-id (made by systemd or dbus at first boot). The
#: sandbox binds its own copies over both, which needs the files to exist.
DESKTOP_BASICS = "netbase"
BUILD_TIMEOUT = 900  # an uncached pip downloads PySide6 (about 100 MB)
ROOT_TIMEOUT = 600   # mmdebstrap downloads about 150 MB from Debian's mirror


def _digest_tree(paths: list[Path], digest: hashlib._Hash) -> None:
    for path in sorted(paths):
        rel = path.relative_to(REPO_ROOT).as_posix()
        digest.update(rel.encode() + b"\0")
        if path.is_symlink():
            digest.update(b"L" + os.readlink(path).encode())
        else:
            digest.update(path.read_bytes())
        digest.update(b"\0")


def source_key() -> str:
    """The hash of the files build-deb puts into the package (tracked and new ones)."""
    listed = subprocess.run(
        ["git", "-C", str(REPO_ROOT), "ls-files", "-z", "-co", "--exclude-standard", "--",
         *PACKAGE_INPUTS],
        capture_output=True, check=True, timeout=60).stdout.decode().split("\0")
    files = [REPO_ROOT / name for name in listed if name]
    digest = hashlib.sha256()
    _digest_tree([f for f in files if f.is_symlink() or f.is_file()], digest)
    return digest.hexdigest()[:16]


@functools.cache
def prebuild_packages() -> None:
    """Build the three packages the package tests inspect side by side, once per run.

    Each build is mostly one core's work (pip, then compression); one after another
    they took ~150 s of CI's 2 cores, together about two thirds of that. A failed build
    fails again, with its message, in the test that needs it.
    """
    with ThreadPoolExecutor(max_workers=3) as pool:
        tried = [pool.submit(build_deb), pool.submit(build_deb, apparmor=True),
                 pool.submit(build_rpm)]
    for future in tried:
        future.exception()  # reported by the test that asks for that package


def build_deb(*, apparmor: bool = False) -> Path:
    """The package for the current source, built once per source hash.

    *apparmor*: the build for AppArmor 4 hosts (Ubuntu 24.04+), with the profile in
    /etc/apparmor.d; without it, what build-deb makes on Debian 12.
    """
    out = ARTIFACTS / ("deb-apparmor" if apparmor else "deb") / source_key()
    found = sorted(out.glob("sandbox-launcher_*.deb"))
    if found:
        return found[-1]
    tmp = out.with_name(out.name + ".tmp")
    shutil.rmtree(tmp, ignore_errors=True)
    done = subprocess.run([str(REPO_ROOT / "packaging" / "build-deb"), "--out", str(tmp),
                           "--apparmor", "yes" if apparmor else "auto"],
                          capture_output=True, text=True, timeout=BUILD_TIMEOUT, check=False)
    assert done.returncode == 0, f"build-deb failed:\n{done.stdout}\n{done.stderr}"
    tmp.rename(out)
    return next(out.glob("sandbox-launcher_*.deb"))


def _recipe(deb: Path) -> list[str]:
    """mmdebstrap's argv for a root with *deb* installed by apt (no recommends)."""
    return [
        "mmdebstrap", "--variant=apt", "--mode=root", "--format=directory",
        f"--include={DESKTOP_BASICS}",
        f"--customize-hook=copy-in {deb} /tmp",
        "--customize-hook=chroot \"$1\" env DEBIAN_FRONTEND=noninteractive apt-get install "
        f"-y --no-install-recommends /tmp/{deb.name}",
        f"--customize-hook=rm \"$1\"/tmp/{deb.name}",
        SUITE,
    ]


def build_root(deb: Path) -> Path:
    """A clean Debian 12 root with *deb* installed, made once per package and recipe."""
    digest = hashlib.sha256(deb.read_bytes())
    digest.update("\0".join([*_recipe(deb), *MIRRORS]).encode())
    base = ARTIFACTS / "deb-root" / digest.hexdigest()[:16]
    root = base / "root"
    if (base / "ok").exists():
        return root
    shutil.rmtree(base, ignore_errors=True)
    base.mkdir(parents=True)
    done = subprocess.run(["nice", "-n", "10", *_recipe(deb), str(root), *MIRRORS],
                          capture_output=True, text=True, timeout=ROOT_TIMEOUT, check=False)
    assert done.returncode == 0, f"mmdebstrap failed:\n{done.stderr[-4000:]}"
    (root / "etc" / "machine-id").write_text(uuid.uuid4().hex + "\n", encoding="ascii")
    (base / "ok").write_text(deb.name + "\n", encoding="utf-8")
    return root


def prune(keep: Path) -> None:
    """Remove the cached builds of *keep*'s kind other than *keep* (a root is 750 MB)."""
    for entry in keep.parent.glob("*"):
        if entry != keep:
            shutil.rmtree(entry, ignore_errors=True)


def build_rpm() -> Path:
    """The .rpm from packaging/rpm/sandbox-launcher.spec, built once per source hash.

    Built with Debian's rpmbuild and ``--nodeps`` (Debian's packages are not in an RPM
    database): this checks the spec and what it puts into the package, not a Fedora
    install.
    """
    out = ARTIFACTS / "rpm" / source_key()
    found = sorted(out.glob("sandbox-launcher-*.rpm"))
    if found:
        return found[-1]
    tmp = out.with_name(out.name + ".tmp")
    shutil.rmtree(tmp, ignore_errors=True)
    done = subprocess.run([str(REPO_ROOT / "packaging" / "build-rpm"), "--nodeps", "--out",
                           str(tmp)], capture_output=True, text=True, timeout=BUILD_TIMEOUT,
                          check=False)
    assert done.returncode == 0, f"build-rpm failed:\n{done.stdout}\n{done.stderr}"
    tmp.rename(out)
    return next(out.glob("sandbox-launcher-*.rpm"))
