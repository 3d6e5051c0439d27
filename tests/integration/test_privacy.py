"""Nothing inside a sandbox says who or where its user is (issue 11, DESIGN §2).

A data-hungry stand-in (``tests/stand_in/privacy_probe.py``) reads everything a client can
read: all of /etc, /proc's mount, network and process files, /sys, file names under /,
uname, its environment, the neighbour table. It looks for the host user's login, the host's
name, every MAC and address of the host's interfaces, as the launcher's user sees them on
the fake internet's host machine (``fake_internet.py``), plus the real machine's MACs.

The control: the same probe with the same arguments, unconfined, as the same user on the
same host, must find every one of them (so a probe that reads nothing cannot pass).
Then each built-in profile runs it, as that user, and it must find none: with a read-only
share folder from the user's home, the downloads folder and, in the zoom profile, a client
installed in the user's store (so mountinfo lists every kind of host folder a session
binds). Its own controls: a writable share and a store in the home do show the login in
mountinfo, and the report says so.
"""

from __future__ import annotations

import json
import os
import shutil
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from client_world import Vendor, chown_tree, vendor
from conftest import LauncherUser
from conftest_net import SYSTEM_PYTHON, HostNetns, last_json
from schemas import problems

import sandbox_launcher
from sandbox_launcher.backends.namespace import clock
from sandbox_launcher.backends.namespace.layout import ETC_ALLOWLIST, ETC_SYNTHETIC
from sandbox_launcher.core.devices import DOWNLOADS_INSIDE, SHARE_INSIDE
from sandbox_launcher.core.store_path import SHARED_BASE
from sandbox_launcher.netjail import identity

pytestmark = pytest.mark.integration

PROBE = Path(__file__).resolve().parents[1] / "stand_in" / "privacy_probe.py"
BUILTIN_PROFILES = sorted(
    p.stem for p in (Path(sandbox_launcher.__file__).parent / "resources" / "profiles").glob(
        "*.toml"))
#: An allowed server of the zoom profile on the fake internet: a connection to it makes
#: the sandbox's kernel resolve its gateway's MAC.
ALLOWED_TARGET = "zoom.us:443"
SECRET_KINDS = ("login", "hostname", "mac", "address")
#: The fake vendor's client version (support/fake_vendor.py).
ZOOM_VERSION = "6.1.0.198"
__all__ = ["vendor"]  # a fixture, from client_world


def _hex(text: str) -> str:
    return text.encode().hex()


@pytest.fixture(scope="module")
def probe_source() -> str:
    """The probe's source, for ``python3 -c`` (the repository is not in the sandbox)."""
    return PROBE.read_text()


@pytest.fixture(scope="module")
def host_secrets(host_netns: HostNetns, probe_source: str, host_identity: Any,
                 ) -> dict[str, list[str]]:
    """What identifies the user's machine, read unconfined on it as the user."""
    done = host_netns.run([SYSTEM_PYTHON, "-c", probe_source, "identity"])
    assert done.returncode == 0, done.stderr
    seen = last_json(done.stdout)
    secrets = {
        "login": [seen["login"]],
        "hostname": [seen["hostname"]],
        "mac": sorted(set(seen["macs"].values()) | set(host_identity.macs)),
        "address": seen["addresses"],
    }
    assert all(secrets.values()), f"the host shows nothing to hide?! {secrets}"
    assert seen["home"].endswith("/" + seen["login"]), seen
    return secrets


def _probe_args(secrets: dict[str, list[str]]) -> list[str]:
    args = ["scan", "--connect", ALLOWED_TARGET]
    for kind in SECRET_KINDS:
        args += [f"--{kind}", *(_hex(s) for s in secrets[kind])]
    return args


@pytest.fixture(scope="module")
def control_scan(host_netns: HostNetns, probe_source: str,
                 host_secrets: dict[str, list[str]]) -> dict[str, Any]:
    """The probe unconfined: same user, same host, same arguments."""
    done = host_netns.run([SYSTEM_PYTHON, "-c", probe_source, *_probe_args(host_secrets)])
    assert done.returncode == 0, done.stderr
    return last_json(done.stdout)


def _folder_in_home(user: LauncherUser, name: str) -> Path:
    path = user.home / f"{name}-{os.urandom(3).hex()}"
    path.mkdir(mode=0o700)
    (path / "agenda.txt").write_text("the meeting's agenda\n")
    chown_tree(user, path)
    return path


@pytest.fixture(scope="module")
def grants(host_netns: HostNetns, vendor: Vendor, launcher_user: LauncherUser,
           ) -> Iterator[Path]:
    """A store client installed the user's default way, and a share folder in the home;
    yields the share. Both go at the end."""
    if not launcher_user.switch:
        listed = host_netns.run_launcher(["client", "list", "--json"])
        if listed.returncode != 0 or json.loads(listed.stdout or "[]"):
            pytest.fail("your own client store has clients: run as root (the tests then "
                        "use their own user), this test would replace and remove them")
    install = ["client", "install", "zoom", "--from", str(vendor.deb),
               "--keyring", str(vendor.workdir / "zoom.gpg")]
    done = host_netns.run_launcher(install)
    assert done.returncode == 0, done.stderr
    share = _folder_in_home(launcher_user, "Meeting")
    yield share
    host_netns.run_launcher(["client", "remove", "zoom"])
    shutil.rmtree(share, ignore_errors=True)


class Scans(dict[str, dict[str, Any]]):
    """Scans per profile, made once each (a module's tests share them), with one share."""

    def __init__(self, share: Path) -> None:
        super().__init__()
        self.share = share


@pytest.fixture(scope="module")
def sandboxed_scans(grants: Path) -> Scans:
    """The module's scans: every profile gets the share folder of :func:`grants`."""
    return Scans(grants)


def _run_probe(host_netns: HostNetns, profile: str, options: list[str], probe_source: str,
               secrets: dict[str, list[str]], report: Path,
               env: dict[str, str] | None = None) -> dict[str, Any]:
    done = host_netns.run_launcher(
        ["run", profile, "--report", str(report), *options, "--",
         SYSTEM_PYTHON, "-c", probe_source, *_probe_args(secrets)], timeout=180,
        env_extra=env)
    assert done.returncode == 0, f"stdout:\n{done.stdout}\nstderr:\n{done.stderr}"
    assert "Traceback" not in done.stderr, done.stderr
    written = json.loads(report.read_text())
    assert not problems("report", written)  # devices.share is in the published schema
    return {"client": last_json(done.stdout), "report": written}


def _scan_in(profile: str, host_netns: HostNetns, probe_source: str,
             secrets: dict[str, list[str]], scans: Scans, tmp: Path) -> dict[str, Any]:
    if profile not in scans:
        scans[profile] = _run_probe(host_netns, profile, ["--share", str(scans.share)],
                                    probe_source, secrets, tmp / f"{profile}.json")
    return scans[profile]


def _host_btime() -> float:
    for line in Path("/proc/stat").read_text().splitlines():
        if line.startswith("btime "):
            return float(line.split()[1])
    raise AssertionError("no btime in /proc/stat")


def test_control_finds_every_secret_unconfined(control_scan: dict[str, Any]) -> None:
    found = control_scan["found"]
    missing = [kind for kind in SECRET_KINDS if not found[kind]]
    assert not missing, f"unconfined, the probe did not find: {missing}; {found}"
    # The host's /etc has what the sandbox's must not (account lists, ssh…)
    assert set(control_scan["etc"]) - set(ETC_ALLOWLIST) - set(ETC_SYNTHETIC)
    assert control_scan["connected"][ALLOWED_TARGET] == "connected", control_scan
    assert control_scan["neighbours"], "unconfined, the gateway's MAC should be listed"
    assert abs(control_scan["boot"]["btime"] - _host_btime()) <= 2, control_scan["boot"]
    assert control_scan["cmdline"] == Path("/proc/cmdline").read_text()


@pytest.mark.parametrize("profile", BUILTIN_PROFILES)
def test_nothing_names_the_user_or_the_host(
        profile: str, host_netns: HostNetns, probe_source: str,
        host_secrets: dict[str, list[str]], sandboxed_scans: Scans,
        control_scan: dict[str, Any], user_tmp: Path) -> None:
    """No file or line inside names the login, the host, its MACs or its addresses."""
    del control_scan  # depended on: without a working control this proves nothing
    scan = _scan_in(profile, host_netns, probe_source, host_secrets, sandboxed_scans,
                    user_tmp)
    found = {kind: where for kind, where in scan["client"]["found"].items() if where}
    assert not found, "\n".join(f"{kind}: {where[:5]}" for kind, where in found.items())
    for mac in scan["client"]["interfaces"].values():
        assert mac not in host_secrets["mac"]
    wipe = scan["report"]["wipe"]
    assert wipe["verified"] is True, [c for c in wipe["checks"] if not c["ok"]]


def _mounted_at(scan: dict[str, Any], inside: str) -> list[str]:
    return [m["root"] for m in scan["client"]["mounts"] if m["at"] == inside]


@pytest.mark.parametrize("profile", BUILTIN_PROFILES)
def test_host_folders_are_there_from_paths_without_the_login(
        profile: str, host_netns: HostNetns, probe_source: str,
        host_secrets: dict[str, list[str]], sandboxed_scans: Scans,
        launcher_user: LauncherUser, user_tmp: Path) -> None:
    """The share, the downloads and the store client are mounted (so the scan above saw
    their mountinfo lines), each from a path that names no one: the share is a snapshot
    copy, the store lives in /var/lib/sandbox-launcher/UID."""
    scan = _scan_in(profile, host_netns, probe_source, host_secrets, sandboxed_scans,
                    user_tmp)
    share, downloads = _mounted_at(scan, SHARE_INSIDE), _mounted_at(scan, DOWNLOADS_INSIDE)
    assert share and downloads, scan["client"]["mounts"]
    for root in [*share, *downloads]:
        assert launcher_user.name not in root and str(launcher_user.home) not in root
    devices = scan["report"]["devices"]
    assert devices["share"]["mode"] == "snapshot", devices["share"]
    assert devices["share"]["host_path_visible"] is False and devices["share"]["files"] == 1
    assert not [n for n in scan["report"]["notes"] if "visible inside" in n]
    if profile == "zoom":
        store = _mounted_at(scan, "/opt/zoom")
        assert store and store[0].endswith(
            f"{SHARED_BASE.name}/{launcher_user.uid}/clients/zoom/{ZOOM_VERSION}"), store
        client = scan["report"]["grants"]["client"]
        assert client["store_client"] == f"zoom/{ZOOM_VERSION}", client


def test_control_a_writable_share_shows_the_login_and_the_report_says_so(
        host_netns: HostNetns, probe_source: str, host_secrets: dict[str, list[str]],
        control_scan: dict[str, Any], launcher_user: LauncherUser, user_tmp: Path) -> None:
    """The same probe finds the login in the mount tables when a bind names it."""
    del control_scan
    share = _folder_in_home(launcher_user, "Writable")
    try:
        scan = _run_probe(host_netns, "generic", ["--share", f"{share}:rw"], probe_source,
                          host_secrets, user_tmp / "rw.json")
    finally:
        shutil.rmtree(share, ignore_errors=True)
    places = {where.split(":")[0] for where in scan["client"]["found"]["login"]}
    assert {"/proc/self/mountinfo", "/proc/1/mountinfo"} <= places, places
    assert _mounted_at(scan, SHARE_INSIDE) == [str(share)]
    assert scan["report"]["devices"]["share"]["host_path_visible"] is True
    assert [n for n in scan["report"]["notes"] if f"host path {share} is visible" in n]


def test_control_a_store_in_the_home_shows_the_login_and_the_report_says_so(
        host_netns: HostNetns, probe_source: str, host_secrets: dict[str, list[str]],
        control_scan: dict[str, Any], launcher_user: LauncherUser, vendor: Vendor,
        user_tmp: Path) -> None:
    """XDG_DATA_HOME in the home keeps the store there: the probe sees it, the report too."""
    del control_scan
    data = _folder_in_home(launcher_user, ".data")
    env = {"XDG_DATA_HOME": str(data)}
    try:
        done = host_netns.run_launcher(
            ["client", "install", "zoom", "--from", str(vendor.deb),
             "--keyring", str(vendor.workdir / "zoom.gpg")], env_extra=env)
        assert done.returncode == 0, done.stderr
        scan = _run_probe(host_netns, "zoom", ["--network", "none"], probe_source,
                          host_secrets, user_tmp / "home-store.json", env)
    finally:
        host_netns.run(["chmod", "-R", "u+w", str(data)])
        shutil.rmtree(data, ignore_errors=True)
    places = {where.split(":")[0] for where in scan["client"]["found"]["login"]}
    assert "/proc/self/mountinfo" in places, places
    assert _mounted_at(scan, "/opt/zoom") == [
        f"{data}/sandbox-launcher/clients/zoom/{ZOOM_VERSION}"]
    assert [n for n in scan["report"]["notes"] if "client store's host path" in n]


@pytest.mark.parametrize("profile", BUILTIN_PROFILES)
def test_etc_holds_only_the_allowlist(
        profile: str, host_netns: HostNetns, probe_source: str,
        host_secrets: dict[str, list[str]], sandboxed_scans: Scans,
        user_tmp: Path) -> None:
    etc = set(_scan_in(profile, host_netns, probe_source, host_secrets, sandboxed_scans,
                       user_tmp)["client"]["etc"])
    assert etc <= set(ETC_ALLOWLIST) | set(ETC_SYNTHETIC), etc - set(ETC_ALLOWLIST)
    # What clients need is there (the listing is not just empty).
    assert {"passwd", "group", "hosts", "resolv.conf", "ssl", "nsswitch.conf",
            "ld.so.cache"} <= etc
    for absent in ("subuid", "subgid", "passwd-", "group-", "shadow", "ssh"):
        assert absent not in etc


def test_jailed_network_identity_is_synthetic(
        host_netns: HostNetns, probe_source: str, host_secrets: dict[str, list[str]],
        sandboxed_scans: Scans, user_tmp: Path) -> None:
    """The zoom profile reaches its fake server: the gateway it went through is ours."""
    client = _scan_in("zoom", host_netns, probe_source, host_secrets, sandboxed_scans,
                      user_tmp)["client"]
    assert client["connected"][ALLOWED_TARGET] == "connected", client["connected"]
    assert client["neighbours"], "the connection went out: the gateway must be listed"
    for entry in client["neighbours"]:
        assert entry["mac"] == identity.GATEWAY_MAC, entry
        assert entry["ip"] == identity.GATEWAY4 and entry["device"] == identity.INTERFACE
        assert entry["mac"] not in host_secrets["mac"]
    assert set(client["interfaces"]) == {"lo", identity.INTERFACE}, client["interfaces"]


@pytest.mark.parametrize("profile", BUILTIN_PROFILES)
def test_boot_time_is_the_sessions_own(
        profile: str, host_netns: HostNetns, probe_source: str,
        host_secrets: dict[str, list[str]], sandboxed_scans: Scans,
        control_scan: dict[str, Any], user_tmp: Path) -> None:
    """/proc/stat's btime and /proc/uptime: a machine booted minutes ago, not the host."""
    del control_scan  # the control reads the host's btime through the same code
    boot = _scan_in(profile, host_netns, probe_source, host_secrets, sandboxed_scans,
                    user_tmp)["client"]["boot"]
    uptime = float(Path("/proc/uptime").read_text().split()[0])
    assert uptime > 2 * clock.FRESH_UPTIME_SECONDS + 60, "host booted too recently to tell"
    assert boot["uptime"] < 2 * clock.FRESH_UPTIME_SECONDS + 60, boot
    assert boot["btime"] > _host_btime() + 60, boot


@pytest.mark.parametrize("profile", BUILTIN_PROFILES)
def test_kernel_command_line_is_neutral(
        profile: str, host_netns: HostNetns, probe_source: str,
        host_secrets: dict[str, list[str]], sandboxed_scans: Scans,
        control_scan: dict[str, Any], user_tmp: Path) -> None:
    """The host's names its root file system (root=UUID=…): not the one inside."""
    del control_scan  # unconfined, the probe reads the host's (checked there)
    cmdline = _scan_in(profile, host_netns, probe_source, host_secrets, sandboxed_scans,
                       user_tmp)["client"]["cmdline"]
    assert cmdline != Path("/proc/cmdline").read_text()
    assert cmdline == f"BOOT_IMAGE=/boot/vmlinuz-{os.uname().release} ro quiet\n"
