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
from pathlib import Path

import pytest
from conftest import LAUNCHER, LauncherUser, as_user_argv, user_environment
from support.libvirt_daemon import stop_libvirtd_unless

from sandbox_launcher.backends.vm.recipe import load_recipe

__all__ = ["BOOT_TIMEOUT", "desktop_libvirtd", "vm_default_image", "vm_test_image", "vm_workdir"]

#: The first build downloads the packages and runs mmdebstrap: one to two minutes here.
BUILD_TIMEOUT = 900
#: One TCG boot is ~13 s here; under the load of parallel developers several times that.
BOOT_TIMEOUT = 300


def _cached_image(user: LauncherUser, name: str) -> Path:
    """Image *name* in the user's store, built only when its recipe changed (the manifest
    records the recipe's hash), so CI builds each once per run and developers once."""
    env = user_environment(user)
    store = user.home / ".local" / "share" / "sandbox-launcher" / "images"

    def cli(*args: str, timeout: float = 120) -> subprocess.CompletedProcess[str]:
        return subprocess.run(as_user_argv(user, [str(LAUNCHER), *args]), env=env,
                              cwd=user.home, capture_output=True, text=True,
                              timeout=timeout, check=False)

    listed = json.loads(cli("image", "list", "--json").stdout)
    cached = {i["name"]: i.get("recipe_sha256") for i in listed["images"]}
    wanted = load_recipe(name).digest()
    if cached.get(name) != wanted or cli("image", "verify", name).returncode != 0:
        if name in cached:
            cli("image", "remove", name)
        built = cli("image", "build", name, timeout=BUILD_TIMEOUT)
        assert built.returncode == 0, built.stdout + built.stderr
        assert "bootstrap:" in built.stdout and "manifest:" in built.stdout  # steps shown
    return store / name


@pytest.fixture(scope="session")
def desktop_libvirtd(launcher_user: LauncherUser) -> None:
    """No session libvirtd of the user runs with another test's environment (a GUI test's
    config dir makes socket paths too long for a domain); the next connection starts one
    with the desktop's, as on the user's machine."""
    desktop = str(user_environment(launcher_user)["XDG_CONFIG_HOME"])
    stop_libvirtd_unless(launcher_user.uid, lambda home: home in ("", desktop),
                         launcher_user.runtime_dir)


@pytest.fixture(scope="session")
def vm_test_image(launcher_user: LauncherUser, desktop_libvirtd: None) -> Path:
    """The reduced test recipe's image."""
    return _cached_image(launcher_user, "test")


@pytest.fixture(scope="session")
def vm_default_image(launcher_user: LauncherUser, desktop_libvirtd: None) -> Path:
    """The image ``run --backend vm`` boots."""
    return _cached_image(launcher_user, "default")


@pytest.fixture
def vm_workdir(launcher_user: LauncherUser) -> Iterator[Path]:
    """A session dir in the user's runtime dir, as the session layer would make it."""
    base = launcher_user.runtime_dir / "sandbox-launcher"
    workdir = base / f"vmtest-{os.urandom(3).hex()}"
    subprocess.run(as_user_argv(launcher_user, ["/bin/mkdir", "-p", "-m", "0700",
                                                str(workdir)]), check=True)
    yield workdir
    shutil.rmtree(workdir, ignore_errors=True)


