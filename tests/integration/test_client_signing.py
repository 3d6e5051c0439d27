"""Zoom's real signature format and its pinned key, for real: as the unprivileged user.

The fake vendor signs its .deb the way Zoom does (dpkg-sig: a clearsigned
``_gpgbuilder`` member); the test key stands in for Zoom's, pinned with
``--fingerprint`` as a user would after Zoom announced a new key. Keys and packages are
served over HTTPS by the fake internet of ``client_world.py`` (its fixtures, imported):
nothing leaves the test's network namespaces.
"""

from __future__ import annotations

import json
import subprocess
from pathlib import Path

import pytest
from client_world import (
    DOWNLOAD_PORT,
    LINK,
    Vendor,
    WebWorld,
    chown_tree,
    data_home,
    store_contents,
    vendor,
    web_world,
)
from conftest import LauncherUser, RunLauncher
from support.fake_vendor import (
    SigningKey,
    ar_archive,
    build_dpkg_sig_deb,
    builder_text,
    deb_parts,
    make_key,
    stop_agent,
)

pytestmark = pytest.mark.integration
__all__ = ["data_home", "vendor", "web_world"]  # fixtures, from client_world

ZOOM_PIN = "84C365D6CC9A4886CA926BCC4F2197399706AC24"
BASE = f"https://zoom.us:{DOWNLOAD_PORT}"


def armoured(key: SigningKey) -> bytes:
    """The public key as a vendor publishes it (ASCII armour)."""
    return subprocess.run(["gpg", "--homedir", str(key.home), "--batch", "--armor",
                           "--export", key.fingerprint], capture_output=True, check=True,
                          timeout=60).stdout


def key_file(data_home: Path) -> Path:
    return data_home / "sandbox-launcher" / "keys" / "zoom.gpg"


def keys_in(keyring: Path) -> list[str]:
    out = subprocess.run(["gpg", "--batch", "--with-colons", "--show-keys", str(keyring)],
                         capture_output=True, text=True, check=True, timeout=60).stdout
    lines = out.splitlines()
    return [lines[i + 1].split(":")[9] for i, line in enumerate(lines)
            if line.startswith("pub:")]


@pytest.fixture(scope="module")
def signed(vendor: Vendor, launcher_user: LauncherUser,
           tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    """Packages and keys in the user's work dir: good, tampered, padded, foreign."""
    work = vendor.workdir
    parts = deb_parts(vendor.canary)
    good = build_dpkg_sig_deb(work / "zoom-dpkgsig.deb", parts, vendor.key)
    data = bytearray(parts.data)
    data[len(data) // 2] ^= 0xFF
    tampered = work / "zoom-tampered.deb"
    tampered.write_bytes(ar_archive([*parts.members()[:2], ("data.tar.xz", bytes(data)),
                                     ("_gpgbuilder",
                                      vendor.key.clearsign(builder_text(parts.members())))]))
    padded = build_dpkg_sig_deb(work / "zoom-padded.deb", parts, vendor.key,
                                extra=[("zz-extra", b"#!/bin/sh\nid\n")])
    stranger = make_key(tmp_path_factory.mktemp("stranger"), "Someone Else")
    foreign = build_dpkg_sig_deb(work / "zoom-foreign.deb", parts, stranger)
    (work / "vendor.asc").write_bytes(armoured(vendor.key))
    (work / "stranger.asc").write_bytes(armoured(stranger))
    stop_agent(stranger)
    chown_tree(launcher_user, work)
    return {"good": good, "tampered": tampered, "padded": padded, "foreign": foreign,
            "vendor.asc": work / "vendor.asc", "stranger.asc": work / "stranger.asc"}


def test_zoom_signed_package_installs_with_the_pinned_key_and_runs(
        run_launcher: RunLauncher, vendor: Vendor, signed: dict[str, Path],
        data_home: Path) -> None:
    env = {"XDG_DATA_HOME": str(data_home)}
    pin = ["--fingerprint", vendor.key.fingerprint]
    done = run_launcher(["client", "trust", "zoom", "--from", str(signed["vendor.asc"]), *pin],
                        env_extra=env, check=True)
    assert f"signing key {vendor.key.fingerprint}" in done.stdout, done.stdout
    assert keys_in(key_file(data_home)) == [vendor.key.fingerprint]
    done = run_launcher(["client", "install", "zoom", "--from", str(signed["good"]), *pin],
                        env_extra=env, check=True)
    assert "verified by gpg (dpkg-sig builder)" in done.stdout, done.stdout
    assert not vendor.canary.exists(), "a maintainer script ran"
    listed = json.loads(run_launcher(["client", "list", "--json"], env_extra=env,
                                     check=True).stdout)
    assert listed[0]["verified_by"] == vendor.key.fingerprint
    assert listed[0]["key_from"] == "trusted by you"
    ran = run_launcher(["run", "zoom", "--network", "none", "--join", LINK], env_extra=env,
                       check=True)
    assert ran.stdout.startswith("stand-in-zoom version=6.1.0.198 args=zoommtg://"), ran.stdout
    assert "opt: read-only" in ran.stdout.splitlines()


@pytest.mark.parametrize(("package", "why"), [
    ("tampered", "data.tar.xz in zoom-tampered.deb does not match the vendor's signed "
                 "digest: the package was altered"),
    ("padded", "holds a member the vendor did not sign: zz-extra"),
    ("foreign", "signed by a key that is not trusted"),
])
def test_altered_padded_and_foreign_packages_are_refused(
        run_launcher: RunLauncher, vendor: Vendor, signed: dict[str, Path], data_home: Path,
        package: str, why: str) -> None:
    env = {"XDG_DATA_HOME": str(data_home)}
    pin = ["--fingerprint", vendor.key.fingerprint]
    run_launcher(["client", "trust", "zoom", "--from", str(signed["vendor.asc"]), *pin],
                 env_extra=env, check=True)
    done = run_launcher(["client", "install", "zoom", "--from", str(signed[package]), *pin],
                        env_extra=env, check=1)
    assert why in done.stderr and "refused" in done.stderr, done.stderr
    assert store_contents(data_home) == []
    assert not vendor.canary.exists()


def test_without_a_trusted_key_install_from_a_file_names_client_trust(
        run_launcher: RunLauncher, signed: dict[str, Path], data_home: Path) -> None:
    done = run_launcher(["client", "install", "zoom", "--from", str(signed["good"])],
                        env_extra={"XDG_DATA_HOME": str(data_home)}, check=1)
    assert "no trusted signing key for zoom" in done.stderr, done.stderr
    assert "sandbox-launcher client trust zoom" in done.stderr
    assert store_contents(data_home) == []


def test_trust_refuses_a_key_that_is_not_the_pinned_one(
        run_launcher: RunLauncher, vendor: Vendor, signed: dict[str, Path],
        data_home: Path) -> None:
    env = {"XDG_DATA_HOME": str(data_home)}
    # The test key is not Zoom's: the pin shipped with the launcher refuses it.
    done = run_launcher(["client", "trust", "zoom", "--from", str(signed["vendor.asc"])],
                        env_extra=env, check=1)
    assert vendor.key.fingerprint in done.stderr and ZOOM_PIN in done.stderr, done.stderr
    # Another key than the one pinned on the command line: refused too.
    done = run_launcher(["client", "trust", "zoom", "--from", str(signed["stranger.asc"]),
                         "--fingerprint", vendor.key.fingerprint], env_extra=env, check=1)
    assert "not Zoom's pinned signing key" in done.stderr, done.stderr
    assert "nothing was trusted" in done.stderr
    assert not (data_home / "sandbox-launcher" / "keys").exists()


def test_trust_fetches_the_key_over_https(web_world: WebWorld, vendor: Vendor,
                                          signed: dict[str, Path], data_home: Path) -> None:
    (web_world.files / "pubkey").write_bytes(signed["vendor.asc"].read_bytes())
    env = {"XDG_DATA_HOME": str(data_home), "SSL_CERT_FILE": str(web_world.ca)}
    done = web_world.host.run_launcher(
        ["client", "trust", "zoom", "--url", f"{BASE}/pubkey",
         "--fingerprint", vendor.key.fingerprint], env_extra=env)
    assert done.returncode == 0, done.stderr
    assert f"from {BASE}/pubkey" in done.stdout
    assert keys_in(key_file(data_home)) == [vendor.key.fingerprint]
    assert any(r["path"] == "/pubkey" for r in web_world.requests())


def test_install_fetches_and_pins_the_key_itself(web_world: WebWorld, vendor: Vendor,
                                                 signed: dict[str, Path],
                                                 data_home: Path) -> None:
    (web_world.files / "pubkey").write_bytes(signed["vendor.asc"].read_bytes())
    (web_world.files / "zoom-dpkgsig.deb").write_bytes(signed["good"].read_bytes())
    env = {"XDG_DATA_HOME": str(data_home), "SSL_CERT_FILE": str(web_world.ca)}
    download = ["--url", f"{BASE}/zoom-dpkgsig.deb", "--key-url", f"{BASE}/pubkey"]
    # With the pin the launcher ships, the stand-in key is refused and nothing stays.
    done = web_world.host.run_launcher(["client", "install", "zoom", *download],
                                       env_extra=env)
    assert done.returncode == 1 and ZOOM_PIN in done.stderr, done.stderr
    assert store_contents(data_home) == [] and not key_file(data_home).exists()
    mark = len(web_world.requests())
    done = web_world.host.run_launcher(
        ["client", "install", "zoom", *download, "--fingerprint", vendor.key.fingerprint],
        env_extra=env)
    assert done.returncode == 0, done.stderr
    assert (f"fetched {BASE}/pubkey; its fingerprint {vendor.key.fingerprint} is the "
            "pinned one") in done.stderr, done.stderr
    assert "verified by gpg (dpkg-sig builder)" in done.stdout
    assert store_contents(data_home) == ["6.1.0.198"]
    assert keys_in(key_file(data_home)) == [vendor.key.fingerprint]
    assert [r["path"] for r in web_world.requests(since=mark)] == [
        "/zoom-dpkgsig.deb", "/pubkey"]
    # The key is kept: the next update does not fetch it again.
    mark = len(web_world.requests())
    done = web_world.host.run_launcher(
        ["client", "update", "zoom", *download, "--fingerprint", vendor.key.fingerprint],
        env_extra=env)
    assert done.returncode == 0 and "fetched" not in done.stderr, done.stderr
    assert [r["path"] for r in web_world.requests(since=mark)] == ["/zoom-dpkgsig.deb"]
