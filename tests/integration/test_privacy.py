"""Nothing inside a sandbox says who or where its user is (issue 11, DESIGN §2).

A data-hungry stand-in (``tests/stand_in/privacy_probe.py``) reads everything a client can
read: all of /etc, /proc's mount, network and process files, /sys, file names under /,
uname, its environment, the neighbour table. It looks for the host user's login, the host's
name, every MAC and address of the host's interfaces, as the launcher's user sees them on
the fake internet's host machine (``fake_internet.py``), plus the real machine's MACs.

The control: the same probe with the same arguments, unconfined, as the same user on the
same host, must find every one of them (so a probe that reads nothing cannot pass).
Then each built-in profile runs it, as that user, and it must find none.
"""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Any

import pytest
from conftest_net import SYSTEM_PYTHON, HostNetns, last_json

import sandbox_launcher
from sandbox_launcher.backends.namespace import clock
from sandbox_launcher.backends.namespace.layout import ETC_ALLOWLIST, ETC_SYNTHETIC
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


@pytest.fixture(scope="module")
def sandboxed_scans() -> dict[str, dict[str, Any]]:
    """Scans per profile, made once each (a module's tests share them)."""
    return {}


def _scan_in(profile: str, host_netns: HostNetns, probe_source: str,
             secrets: dict[str, list[str]], scans: dict[str, dict[str, Any]],
             tmp: Path) -> dict[str, Any]:
    if profile not in scans:
        report = tmp / f"{profile}.json"
        done = host_netns.run_launcher(
            ["run", profile, "--report", str(report), "--",
             SYSTEM_PYTHON, "-c", probe_source, *_probe_args(secrets)], timeout=180)
        assert done.returncode == 0, f"stdout:\n{done.stdout}\nstderr:\n{done.stderr}"
        assert "Traceback" not in done.stderr, done.stderr
        scans[profile] = {"client": last_json(done.stdout),
                          "report": json.loads(report.read_text())}
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
        host_secrets: dict[str, list[str]], sandboxed_scans: dict[str, dict[str, Any]],
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


@pytest.mark.parametrize("profile", BUILTIN_PROFILES)
def test_etc_holds_only_the_allowlist(
        profile: str, host_netns: HostNetns, probe_source: str,
        host_secrets: dict[str, list[str]], sandboxed_scans: dict[str, dict[str, Any]],
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
        sandboxed_scans: dict[str, dict[str, Any]], user_tmp: Path) -> None:
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
        host_secrets: dict[str, list[str]], sandboxed_scans: dict[str, dict[str, Any]],
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
        host_secrets: dict[str, list[str]], sandboxed_scans: dict[str, dict[str, Any]],
        control_scan: dict[str, Any], user_tmp: Path) -> None:
    """The host's names its root file system (root=UUID=…): not the one inside."""
    del control_scan  # unconfined, the probe reads the host's (checked there)
    cmdline = _scan_in(profile, host_netns, probe_source, host_secrets, sandboxed_scans,
                       user_tmp)["client"]["cmdline"]
    assert cmdline != Path("/proc/cmdline").read_text()
    assert cmdline == f"BOOT_IMAGE=/boot/vmlinuz-{os.uname().release} ro quiet\n"
