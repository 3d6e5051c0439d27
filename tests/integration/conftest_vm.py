"""Fixtures of the VM tests: guest images built by the project's builder, and session dirs.

Imported at the bottom of ``conftest.py`` (one line), like conftest_net. An image is built
once and cached in the test user's data dir, keyed by the recipe's hash (its manifest
records it): a changed recipe or agent is rebuilt, an unchanged one is reused across
test runs, so CI builds each image once.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest
from conftest import LAUNCHER, LauncherUser, as_user_argv, user_environment
from support.libvirt_daemon import stop_libvirtd_unless

from sandbox_launcher.backends.vm.recipe import load_recipe

__all__ = ["BOOT_TIMEOUT", "desktop_libvirtd", "vm_default_image", "vm_images", "vm_test_image",
           "vm_workdir"]

#: The first build downloads the packages and runs mmdebstrap: one to two minutes here.
BUILD_TIMEOUT = 900
#: One TCG boot is ~13 s here; under the load of parallel developers several times that.
BOOT_TIMEOUT = 300


#: The images the VM tests boot; the first test that needs one has both built.
TEST_IMAGES = ("test", "default")


def _cached_images(user: LauncherUser) -> dict[str, Path]:
    """The :data:`TEST_IMAGES` in the user's store, each built only when its recipe changed
    (the manifest records the recipe's hash), so CI builds each once per run and developers
    once. Stale ones are built side by side: dpkg's unpacking is mostly one core's work,
    so two builds on two cores take little longer than one."""
    env = user_environment(user)
    store = user.home / ".local" / "share" / "sandbox-launcher" / "images"

    def cli(*args: str, timeout: float = 120) -> subprocess.CompletedProcess[str]:
        return subprocess.run(as_user_argv(user, [str(LAUNCHER), *args]), env=env,
                              cwd=user.home, capture_output=True, text=True,
                              timeout=timeout, check=False)

    listed = json.loads(cli("image", "list", "--json").stdout)
    cached = {i["name"]: i.get("recipe_sha256") for i in listed["images"]}
    stale = [name for name in TEST_IMAGES
             if cached.get(name) != load_recipe(name).digest()
             or cli("image", "verify", name).returncode != 0]
    for name in stale:
        if name in cached:
            removed = cli("image", "remove", name)
            assert removed.returncode == 0, removed.stderr
    with ThreadPoolExecutor(max_workers=len(TEST_IMAGES)) as pool:
        builds = list(pool.map(lambda n: cli("image", "build", n, timeout=BUILD_TIMEOUT),
                               stale))
    for built in builds:
        assert built.returncode == 0, built.stdout + built.stderr
        assert "bootstrap:" in built.stdout and "manifest:" in built.stdout  # steps shown
    return {name: store / name for name in TEST_IMAGES}


@pytest.fixture(scope="session")
def vm_images(launcher_user: LauncherUser) -> dict[str, Path]:
    """Every image the VM tests boot, by recipe name."""
    return _cached_images(launcher_user)


@pytest.fixture(scope="session")
def desktop_libvirtd(launcher_user: LauncherUser) -> None:
    """No session libvirtd of the user runs with another test's environment (a GUI test's
    config dir makes socket paths too long for a domain); the next connection starts one
    with the desktop's, as on the user's machine."""
    desktop = str(user_environment(launcher_user)["XDG_CONFIG_HOME"])
    stop_libvirtd_unless(launcher_user.uid, lambda home: home in ("", desktop),
                         launcher_user.runtime_dir)


@pytest.fixture(scope="session")
def vm_test_image(vm_images: dict[str, Path], desktop_libvirtd: None) -> Path:
    """The reduced test recipe's image."""
    return vm_images["test"]


@pytest.fixture(scope="session")
def vm_default_image(vm_images: dict[str, Path], desktop_libvirtd: None) -> Path:
    """The image ``run --backend vm`` boots."""
    return vm_images["default"]


@pytest.fixture
def vm_workdir(launcher_user: LauncherUser) -> Iterator[Path]:
    """A session dir in the user's runtime dir, as the session layer would make it."""
    base = launcher_user.runtime_dir / "sandbox-launcher"
    workdir = base / f"vmtest-{os.urandom(3).hex()}"
    subprocess.run(as_user_argv(launcher_user, ["/bin/mkdir", "-p", "-m", "0700",
                                                str(workdir)]), check=True)
    yield workdir
    shutil.rmtree(workdir, ignore_errors=True)


