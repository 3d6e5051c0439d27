"""The client store and meeting links for real: as the unprivileged user, in real sandboxes.

A fake vendor's signed .deb (maintainer scripts that would write a canary, a setuid
helper, a device node) is installed by ``client install`` as the user; its stand-in
client then runs in the zoom profile's sandbox with a meeting link. Downloads and web
meetings run on the fake internet (``fake_internet.py``) with HTTPS servers whose CA the
test makes: nothing leaves the test's network namespaces. The fixtures are in
``client_world.py``.
"""

from __future__ import annotations

import contextlib
import json
import os
import secrets
import shutil
import subprocess
from pathlib import Path

import pytest
from client_world import (
    DOWNLOAD_PORT,
    LINK,
    OTHER_ADDRESS,
    Vendor,
    WebWorld,
    chown_tree,
    data_home,
    store_contents,
    vendor,
    web_world,
)
from conftest import LEFTOVER_ROOTS, LauncherUser, RunLauncher
from support.fake_vendor import build_deb, deb_parts, make_key, stop_agent

from sandbox_launcher.verify.fake_internet import run_checked

pytestmark = pytest.mark.integration
__all__ = ["data_home", "vendor", "web_world"]  # fixtures, from client_world


def test_install_as_the_user_then_join_in_the_sandbox(
        run_launcher: RunLauncher, vendor: Vendor, data_home: Path) -> None:
    env = {"XDG_DATA_HOME": str(data_home)}
    done = run_launcher(["client", "install", "zoom", "--from", str(vendor.deb),
                         "--keyring", str(vendor.workdir / "zoom.gpg")], env_extra=env,
                        check=True)
    assert "installed zoom 6.1.0.198" in done.stdout
    for word in ("preinst (never run)", "postinst (never run)", "setuid/setgid bits of "
                 "zoom-helper", "device node"):
        assert word in done.stderr, done.stderr
    assert not vendor.canary.exists(), "a maintainer script ran"
    installed = data_home / "sandbox-launcher" / "clients" / "zoom" / "6.1.0.198"
    for path in [installed, *installed.iterdir()]:
        st = path.stat()
        assert not st.st_mode & 0o6222, f"{path}: mode {st.st_mode:o}"
    listed = json.loads(run_launcher(["client", "list", "--json"], env_extra=env,
                                     check=True).stdout)
    assert listed[0]["verified"] == "gpg (debsig)" and listed[0]["current"]
    assert listed[0]["verified_by"] == vendor.key.fingerprint

    ran = run_launcher(["run", "zoom", "--network", "none", "--join", LINK], env_extra=env,
                       check=True)
    lines = ran.stdout.splitlines()
    assert lines[0] == ("stand-in-zoom version=6.1.0.198 args=zoommtg://zoom.us/join"
                        "?action=join&confno=1234567890&pwd=abc.1"), ran.stdout
    assert "enableWaylandShare=true" in lines[1]
    assert "opt: read-only" in lines, ran.stdout
    assert not any(line.startswith("setuid:") for line in lines), ran.stdout
    assert "done" in lines
    state = json.loads((installed.parent / "state.json").read_text())
    assert state["last_started"] == "6.1.0.198"


def test_hostile_links_never_reach_the_client(run_launcher: RunLauncher, vendor: Vendor,
                                              data_home: Path) -> None:
    env = {"XDG_DATA_HOME": str(data_home)}
    run_launcher(["client", "install", "zoom", "--from", str(vendor.deb),
                  "--keyring", str(vendor.workdir / "zoom.gpg")], env_extra=env, check=True)
    for link in ("https://zoom.us/j/123456789?pwd=$(touch /tmp/pwned)",
                 "zoommtg://zoom.us/join?confno=123456789&pwd=x;id",
                 "https://zoom.us.evil.example/j/123456789"):
        done = run_launcher(["run", "zoom", "--network", "none", "--join", link],
                            env_extra=env, check=125)
        assert "stand-in-zoom" not in done.stdout
        assert "not a" in done.stderr and "link" in done.stderr, done.stderr


def test_tampered_and_foreign_signed_packages_are_refused(
        run_launcher: RunLauncher, vendor: Vendor, data_home: Path,
        launcher_user: LauncherUser, tmp_path: Path) -> None:
    env = {"XDG_DATA_HOME": str(data_home)}
    raw = bytearray(vendor.deb.read_bytes())
    raw[-200] ^= 0xFF  # inside data.tar.xz
    tampered = vendor.workdir / "tampered.deb"
    tampered.write_bytes(bytes(raw))
    stranger = make_key(tmp_path, "Someone Else")
    parts = deb_parts(vendor.canary)
    foreign = build_deb(vendor.workdir / "foreign.deb", parts,
                        stranger.sign(parts.signed_bytes()))
    stop_agent(stranger)
    chown_tree(launcher_user, vendor.workdir)
    for package, why in ((tampered, "altered"), (foreign, "not trusted")):
        done = run_launcher(["client", "install", "zoom", "--from", str(package),
                             "--keyring", str(vendor.workdir / "zoom.gpg")], env_extra=env,
                            check=1)
        assert why in done.stderr and "refused" in done.stderr, done.stderr
        assert store_contents(data_home) == []
    assert not vendor.canary.exists()
    done = run_launcher(["run", "zoom", "--network", "none"], env_extra=env, check=125)
    assert "not installed" in done.stderr and "client install zoom" in done.stderr


def test_no_space_left_leaves_nothing(run_launcher: RunLauncher, vendor: Vendor,
                                      launcher_user: LauncherUser) -> None:
    if os.geteuid() != 0:
        pytest.skip("mounting a small file system needs root (CI runs as root)")
    small = Path(f"/tmp/sl-full-{secrets.token_hex(4)}")
    small.mkdir()
    run_checked(["mount", "-t", "tmpfs", "-o", "size=256k,mode=0700", "tmpfs", str(small)])
    # Incompressible, so the package fits and its unpacked files do not.
    parts = deb_parts(vendor.canary, payload=os.urandom(160 << 10))
    big = build_deb(vendor.workdir / "big.deb", parts, vendor.key.sign(parts.signed_bytes()))
    try:
        chown_tree(launcher_user, small)
        chown_tree(launcher_user, vendor.workdir)
        done = run_launcher(["client", "install", "zoom", "--from", str(big),
                             "--keyring", str(vendor.workdir / "zoom.gpg")],
                            env_extra={"XDG_DATA_HOME": str(small)}, check=1)
        assert "no space left" in done.stderr, done.stderr
        assert store_contents(small) == []
    finally:
        run_checked(["umount", str(small)])
        small.rmdir()


# --------------------------------------------------------------------------- fake internet


def test_download_over_https_from_the_fake_vendor(web_world: WebWorld, vendor: Vendor,
                                                  data_home: Path) -> None:
    env = {"XDG_DATA_HOME": str(data_home), "SSL_CERT_FILE": str(web_world.ca)}
    url = f"https://zoom.us:{DOWNLOAD_PORT}/zoom_amd64.deb"
    done = web_world.host.run_launcher(["client", "update", "zoom", "--url", url, "--keyring",
                                        str(vendor.workdir / "zoom.gpg")], env_extra=env)
    assert done.returncode == 0, done.stderr
    assert "installed zoom 6.1.0.198" in done.stdout
    assert "downloaded 0 MiB of 0 MiB (100%)" in done.stderr
    assert store_contents(data_home) == ["6.1.0.198"]
    assert any(r["path"] == "/zoom_amd64.deb" for r in web_world.requests())
    # Without the test CA, the same server is not trusted.
    done = web_world.host.run_launcher(
        ["client", "update", "zoom", "--url", url, "--keyring",
         str(vendor.workdir / "zoom.gpg")], env_extra={"XDG_DATA_HOME": str(data_home)})
    assert done.returncode == 1 and "CERTIFICATE_VERIFY_FAILED" in done.stderr, done.stderr


@pytest.mark.parametrize(("path", "why"), [
    ("/truncated/zoom_amd64.deb", "truncated"),
    ("/not-a-package.deb", "no signature and no recorded checksum"),
    ("/missing.deb", "404"),
])
def test_bad_downloads_leave_nothing(web_world: WebWorld, vendor: Vendor, data_home: Path,
                                     path: str, why: str) -> None:
    env = {"XDG_DATA_HOME": str(data_home), "SSL_CERT_FILE": str(web_world.ca)}
    done = web_world.host.run_launcher(
        ["client", "update", "zoom", "--url", f"https://zoom.us:{DOWNLOAD_PORT}{path}",
         "--keyring", str(vendor.workdir / "zoom.gpg")], env_extra=env)
    assert done.returncode == 1 and why in done.stderr, done.stderr
    assert store_contents(data_home) == []


def assert_other_host_answers_unconfined(web_world: WebWorld) -> None:
    """Control: unconfined, the other host answers (so "blocked" means the jail)."""
    reach = web_world.host.run(
        ["/usr/bin/python3", "-c", "import urllib.request as u; "
         "print(u.urlopen('https://other.example.org/room.html', timeout=10).status)"],
        env_extra={"SSL_CERT_FILE": str(web_world.ca)})
    assert reach.stdout.strip() == "200", reach.stderr


def browser_profiles_left() -> list[str]:
    return subprocess.run(["find", *[r for r in LEFTOVER_ROOTS if os.path.isdir(r)], "-xdev",
                           "-name", ".browser-profile", "-print"], capture_output=True,
                          text=True, timeout=120, check=False).stdout.split()


def test_web_meeting_in_chromium_reaches_only_the_meeting_host(
        web_world: WebWorld, launcher_user: LauncherUser, data_home: Path) -> None:
    if shutil.which("chromium") is None:
        pytest.skip("chromium is not installed (scripts/setup.sh --with-test-tools)")
    assert_other_host_answers_unconfined(web_world)
    # Headless, so the test can read the page; the certificate pinned to the test's own.
    # In a private config dir: the user's shared one is seen by tests running alongside.
    profiles = data_home / "config" / "sandbox-launcher" / "profiles"
    profiles.mkdir(parents=True)
    (profiles / "web-meeting.toml").write_text(
        "[web]\nbrowser = \"chromium\"\nbrowser_args = [\"--headless=new\", \"--dump-dom\", "
        "\"--virtual-time-budget=8000\", "
        f"\"--ignore-certificate-errors-spki-list={web_world.spki}\"]\n")
    chown_tree(launcher_user, data_home)
    report = data_home / "report.json"
    mark = len(web_world.requests())
    done = web_world.host.run_launcher(
        ["run", "web-meeting", "--join", "https://meet.example.org/room.html",
         "--report", str(report)], timeout=180,
        env_extra={"XDG_DATA_HOME": str(data_home),
                   "XDG_CONFIG_HOME": str(data_home / "config")})
    assert "MEETING-PAGE-OK" in done.stdout, f"{done.stdout}\n{done.stderr[-3000:]}"
    assert "OTHER-BLOCKED" in done.stdout and "OTHER-REACHED" not in done.stdout
    seen = web_world.requests(since=mark)
    assert any(r["host"] == "meet.example.org" and r["path"] == "/room.html" for r in seen)
    assert not any(r["server"].startswith(OTHER_ADDRESS) for r in seen), seen
    data = json.loads(report.read_text())
    assert data["grants"]["network"]["domains"] == ["meet.example.org"]
    assert data["grants"]["nested_user_namespaces"] is True
    assert data["wipe"]["verified"] is True, data["wipe"]
    command = data["command"]
    assert any("chromium" in str(arg) for arg in command), command
    assert not any("no-sandbox" in str(arg) for arg in command)
    left = browser_profiles_left()
    assert left == [], f"the browser profile survived the session: {left}"
    with contextlib.suppress(FileNotFoundError):
        report.unlink()


def cert_override(web_world: WebWorld) -> str:
    """Firefox's own exception file trusting the test server's certificate (the CA
    is not in Firefox's NSS store, and SSL_CERT_FILE means nothing to it)."""
    server = web_world.net.workdir / "certs" / "server.pem"
    out = run_checked(["openssl", "x509", "-in", str(server), "-noout", "-fingerprint",
                       "-sha256"])
    fingerprint = out.strip().partition("=")[2]
    lines = ["# PSM Certificate Override Settings file",
             "# This is a generated file!  Do not edit."]
    lines += [f"{host}:443:\tOID.2.16.840.1.101.3.4.2.1\t{fingerprint}\t"
              for host in ("meet.example.org", "other.example.org")]
    return "\n".join(lines) + "\n"


def test_web_meeting_in_firefox_reaches_only_the_meeting_host(
        web_world: WebWorld, launcher_user: LauncherUser, data_home: Path) -> None:
    if shutil.which("firefox-esr") is None:
        pytest.skip("firefox-esr is not installed (scripts/setup.sh --with-test-tools)")
    assert_other_host_answers_unconfined(web_world)
    profiles = data_home / "config" / "sandbox-launcher" / "profiles"
    profiles.mkdir(parents=True)
    # Headless with a screenshot: Firefox loads the page, waits for its images, and exits.
    # Both hosts' certificates are trusted, so only the jail can keep the other one out.
    override = json.dumps(cert_override(web_world))
    (profiles / "web-meeting.toml").write_text(
        "[web]\nbrowser = \"firefox\"\nbrowser_args = [\"--headless\", \"--screenshot\", "
        "\"/home/user/shot.png\"]\n[sandbox.home_files]\n"
        f"\".browser-profile/cert_override.txt\" = {override}\n")
    chown_tree(launcher_user, data_home)
    report = data_home / "report.json"
    mark = len(web_world.requests())
    done = web_world.host.run_launcher(
        ["run", "web-meeting", "--join", "https://meet.example.org/firefox-room.html",
         "--report", str(report)], timeout=180,
        env_extra={"XDG_DATA_HOME": str(data_home),
                   "XDG_CONFIG_HOME": str(data_home / "config")})
    output = f"{done.stdout}\n{done.stderr[-3000:]}"
    seen = web_world.requests(since=mark)
    assert any(r["host"] == "meet.example.org" and r["path"] == "/firefox-room.html"
               for r in seen), f"{seen}\n{output}"
    assert any(r["host"] == "meet.example.org" and r["path"] == "/allowed-pixel.png"
               for r in seen), f"{seen}\n{output}"
    assert not any(r["server"].startswith(OTHER_ADDRESS) for r in seen), seen
    assert done.returncode == 0, output
    # Firefox reports a content sandbox it could not set up (or a violation) as "Sandbox: …".
    assert "Sandbox:" not in done.stderr, output
    data = json.loads(report.read_text())
    assert data["grants"]["network"]["domains"] == ["meet.example.org"]
    assert data["grants"]["nested_user_namespaces"] is True
    assert data["wipe"]["verified"] is True, data["wipe"]
    assert ".browser-profile/user.js" in data["grants"]["client"]["home_files"]
    left = browser_profiles_left()
    assert left == [], f"the browser profile survived the session: {left}"
    with contextlib.suppress(FileNotFoundError):
        report.unlink()
