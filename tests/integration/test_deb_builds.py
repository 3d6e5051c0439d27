"""Variants of the .deb build: for AppArmor 4 hosts (Ubuntu 24.04+), and offline.

Neither is installed: the AppArmor build needs a kernel and parser this host lacks,
and the offline build is compared with the online one file by file.
"""

from __future__ import annotations

import os
import subprocess
from pathlib import Path

import pytest
from deb_root import REPO_ROOT, build_deb, prebuild_packages, prune

pytestmark = [pytest.mark.integration, pytest.mark.needs_root,
              # Each builds a package: about 30 s with pip's cache on 2 cores.
              pytest.mark.timeout(900)]


@pytest.fixture(scope="module")
def deb() -> Path:
    """The package for this source, as build-deb makes it on Debian 12."""
    prebuild_packages()
    return build_deb()


# --- the build for Ubuntu 24.04+ (AppArmor 4) -------------------------------------------


def _control_member(deb: Path, name: str, tmp_path: Path) -> str:
    control = tmp_path / "control"
    tmp_path.mkdir(parents=True, exist_ok=True)
    subprocess.run(["dpkg-deb", "-e", str(deb), str(control)], check=True, timeout=120)
    member = control / name
    return member.read_text(encoding="utf-8") if member.exists() else ""


def test_apparmor_build_ships_the_profile_as_a_conffile_and_loads_it(
    deb: Path, tmp_path: Path
) -> None:
    """This host's AppArmor 3 cannot load a "userns," rule, nor has this kernel AppArmor:
    what is checked is the package, that dpkg keeps the admin's edits to the profile
    (a conffile), loads it on configure and cleans up on purge (dh_apparmor's scripts)."""
    ubuntu = build_deb(apparmor=True)
    prune(ubuntu.parent)
    listing = subprocess.run(["dpkg-deb", "-c", str(ubuntu)], capture_output=True,
                             text=True, check=True, timeout=120).stdout
    assert "./etc/apparmor.d/sandbox-launcher\n" in listing
    extracted = tmp_path / "tree"
    subprocess.run(["dpkg-deb", "-x", str(ubuntu), str(extracted)], check=True, timeout=300)
    assert (extracted / "etc/apparmor.d/sandbox-launcher").read_bytes() == (
        REPO_ROOT / "resources/apparmor/sandbox-launcher").read_bytes()
    assert _control_member(ubuntu, "conffiles", tmp_path / "u").split() == [
        "/etc/apparmor.d/sandbox-launcher"]
    postinst = _control_member(ubuntu, "postinst", tmp_path / "u2")
    assert 'apparmor_parser -r -T -W "$APP_PROFILE"' in postinst
    assert 'APP_PROFILE="/etc/apparmor.d/sandbox-launcher"' in postinst
    postrm = _control_member(ubuntu, "postrm", tmp_path / "u3")
    assert 'rm -f "/etc/apparmor.d/local/sandbox-launcher"' in postrm
    # The Debian 12 build has neither the conffile nor maintainer scripts for it.
    assert _control_member(deb, "conffiles", tmp_path / "d") == ""
    assert "apparmor" not in _control_member(deb, "postinst", tmp_path / "d2")


# --- offline builds ------------------------------------------------------------------------


def _names(deb: Path) -> set[str]:
    listing = subprocess.run(["dpkg-deb", "-c", str(deb)], capture_output=True, text=True,
                             check=True, timeout=120).stdout
    return {line.split()[5] for line in listing.splitlines()}


def test_build_works_offline_from_a_wheelhouse(deb: Path, tmp_path: Path) -> None:
    """--download-wheels once (online), then a build with no network at all."""
    build = str(REPO_ROOT / "packaging" / "build-deb")
    wheels = tmp_path / "wheels"
    fetched = subprocess.run([build, "--download-wheels", str(wheels)], capture_output=True,
                             text=True, timeout=600, check=False)
    assert fetched.returncode == 0, fetched.stderr
    assert list(wheels.glob("pyside6_essentials-*.whl"))
    # A network namespace of its own with nothing but a loopback that is down.
    offline = subprocess.run(["unshare", "--net", build, "--wheelhouse", str(wheels),
                              "--out", str(tmp_path / "out")], capture_output=True, text=True,
                             timeout=900, check=False, env={**os.environ, "PIP_NO_CACHE_DIR": "1"})
    assert offline.returncode == 0, offline.stderr[-3000:]
    (built,) = (tmp_path / "out").glob("sandbox-launcher_*.deb")
    assert _names(built) == _names(deb)
