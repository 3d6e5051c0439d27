"""An existing client store moves out of the login's path, as the user, with nothing lost.

A store installed in the user's data dir (the place before /var/lib/sandbox-launcher/UID
existed; made here by installing with XDG_DATA_HOME pointing at that very place) is moved
on the next use without XDG_DATA_HOME: renamed when both are on one file system, copied
and compared when the home is on another (a tmpfs here). The client's files are compared
before and after by the test's own walk, and the moved client runs. A per-user directory
that is not the user's own, or open to others, is refused and left as it is.
"""

from __future__ import annotations

import hashlib
import json
import os
import secrets
import shutil
import stat
import subprocess
from collections.abc import Iterator
from pathlib import Path

import pytest
from client_world import Vendor, chown_tree, vendor
from conftest import LauncherUser, RunLauncher

from sandbox_launcher.core.store_path import SHARED_BASE

pytestmark = pytest.mark.integration
__all__ = ["vendor"]  # a fixture, from client_world
VERSION = "6.1.0.198"


def _remove(path: Path) -> None:
    if path.exists() or path.is_symlink():
        subprocess.run(["chmod", "-R", "u+w", str(path)], check=False, timeout=60)
        if path.is_dir() and not path.is_symlink():
            shutil.rmtree(path)
        else:
            path.unlink()


@pytest.fixture
def own_dir(launcher_user: LauncherUser) -> Iterator[Path]:
    """The user's directory in the shared base, absent before and after the test."""
    assert SHARED_BASE.is_dir(), f"{SHARED_BASE} is missing: run scripts/setup.sh"
    mine = SHARED_BASE / str(launcher_user.uid)
    old = launcher_user.home / ".local/share/sandbox-launcher/clients"
    if not launcher_user.switch and (mine.exists() or old.exists()):
        pytest.fail(f"{mine} or {old} is your own client store: run as root (the tests "
                    "then use their own user), this test would remove it")
    _remove(mine)
    yield mine
    _remove(mine)


def _files(top: Path) -> dict[str, tuple[int, str]]:
    """Every entry under *top*: mode and content hash (or link target)."""
    found = {}
    for path in sorted(top.rglob("*")):
        st = path.lstat()
        what = (os.readlink(path) if stat.S_ISLNK(st.st_mode) else
                hashlib.sha256(path.read_bytes()).hexdigest() if stat.S_ISREG(st.st_mode)
                else "")
        found[str(path.relative_to(top))] = (st.st_mode, what)
    return found


def _install_in_data_dir(run_launcher: RunLauncher, vendor: Vendor, home: Path) -> Path:
    """Install the fake client where a store without the shared base has it."""
    data = home / ".local" / "share"
    done = run_launcher(["client", "install", "zoom", "--from", str(vendor.deb),
                         "--keyring", str(vendor.workdir / "zoom.gpg")],
                        env_extra={"HOME": str(home), "XDG_DATA_HOME": str(data)}, check=True)
    assert f"installed zoom {VERSION}" in done.stdout
    return data / "sandbox-launcher" / "clients"


def _moved(run_launcher: RunLauncher, vendor: Vendor, home: Path, own_dir: Path,
           uid: int) -> None:
    legacy = _install_in_data_dir(run_launcher, vendor, home)
    before = _files(legacy / "zoom" / VERSION)
    assert len(before) > 2 and not own_dir.exists()
    env = {"HOME": str(home)}
    listed = json.loads(run_launcher(["client", "list", "--json"], env_extra=env,
                                     check=True).stdout)
    new = own_dir / "clients" / "zoom" / VERSION
    assert [(i["vendor"], i["path"]) for i in listed] == [("zoom", str(new))]
    assert _files(new) == before
    assert not legacy.exists(), list(legacy.rglob("*"))
    assert stat.S_IMODE(own_dir.stat().st_mode) == 0o700
    assert own_dir.stat().st_uid == uid
    ran = run_launcher(["run", "zoom", "--network", "none"], env_extra=env, check=True)
    assert ran.stdout.startswith(f"stand-in-zoom version={VERSION}"), ran.stdout


def test_a_store_in_the_home_is_renamed_out_of_it(
        run_launcher: RunLauncher, vendor: Vendor, launcher_user: LauncherUser,
        own_dir: Path) -> None:
    home = launcher_user.home
    assert os.stat(home).st_dev == os.stat(SHARED_BASE).st_dev, "expected one file system"
    try:
        _moved(run_launcher, vendor, home, own_dir, launcher_user.uid)
    finally:
        _remove(home / ".local" / "share" / "sandbox-launcher" / "clients")


def test_a_store_on_another_file_system_is_copied_compared_and_removed(
        run_launcher: RunLauncher, vendor: Vendor, launcher_user: LauncherUser,
        own_dir: Path) -> None:
    home = Path(f"/dev/shm/sl-home-{secrets.token_hex(4)}")
    home.mkdir(mode=0o700)
    chown_tree(launcher_user, home)
    try:
        assert os.stat(home).st_dev != os.stat(SHARED_BASE).st_dev
        _moved(run_launcher, vendor, home, own_dir, launcher_user.uid)
    finally:
        _remove(home)


def test_a_directory_not_the_users_own_is_refused(
        run_launcher: RunLauncher, launcher_user: LauncherUser, own_dir: Path) -> None:
    """Someone else made it (the base lets anyone make entries), or it is open to others."""
    if not launcher_user.switch:
        pytest.fail("run as root: the test makes a directory the user does not own")
    own_dir.mkdir(mode=0o700)  # root's
    done = run_launcher(["client", "list"], check=1)
    assert f"{own_dir} belongs to uid 0, not to you" in done.stderr, done.stderr
    assert "Traceback" not in done.stderr
    assert own_dir.stat().st_uid == 0 and not list(own_dir.iterdir())
    os.chown(own_dir, launcher_user.uid, launcher_user.gid)
    own_dir.chmod(0o755)
    done = run_launcher(["client", "list"], check=1)
    assert "mode 0755, not 0700" in done.stderr and f"chmod 700 {own_dir}" in done.stderr
    assert stat.S_IMODE(own_dir.stat().st_mode) == 0o755
