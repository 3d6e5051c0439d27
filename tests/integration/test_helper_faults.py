"""Helpers killed mid-session (issue 16, item 5): the network fails closed, the client
loses only what that helper gave, the report (and ``run``'s terminal) say what happened,
and the wipe still verifies.

One real session per helper, as the unprivileged test user, on the fake internet's host
machine (``conftest_net``), with the user's real Xvfb, session bus and PulseAudio: the
jail (holder + resolver, pasta), Xephyr, the bus proxy, the session's sound server and
both forwarders (``--mic``), and the window mirror of a shared host window all run. The
stand-in client probes the network and its grants, says so in the shared folder, waits
for the test to SIGKILL one helper, and probes again. Every blocked target is checked
twice: the client got no banner, and its server never saw a connection; the unconfined
control run shows each of those servers reachable, so "blocked" cannot be a broken
harness.
"""

from __future__ import annotations

import json
import os
import signal
import subprocess
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import psutil
import pytest
from conftest import SYSTEM_PYTHON, finish
from conftest_audio import HostSound
from conftest_net import HostNetns
from schemas import problems
from support.jailed_desktop import JAILED_DESKTOP
from test_screen_share import windows  # noqa: F401 - a fixture of this module too

from sandbox_launcher.verify.fake_internet import (
    EVIL_ADDRESS,
    HOST_ADDRESS,
    LAN_HOST,
    ROUTER_ADDRESS,
    FakeInternet,
)

pytestmark = pytest.mark.integration

#: Target -> the banner its server answers with. Only the first is allowed.
TARGETS = {
    "zoom.us:443": "zoom-443",
    "zoom.us:8080": "zoom-8080",  # allowed name, port not in the profile
    "evil.example:443": "evil-443",  # a name not in the allowlist
    f"{EVIL_ADDRESS}:443": "evil-443",  # its raw IP
    f"{LAN_HOST}:80": "lan-80",  # the LAN
    "127.0.0.1:8080": "host-loopback-8080",  # inside: the sandbox's own loopback
    f"{ROUTER_ADDRESS}:8080": "router-8080",  # the gateway (never the host's loopback)
    f"{HOST_ADDRESS}:8081": "host-address-8081",  # the host's own address
}
ALLOWED = "zoom.us:443"
EXFIL = "evil.example"
NET_ARGS = ["net", "--resolve", "zoom.us", "evil.example", "--connect", *TARGETS,
            "--dns-exfil", EXFIL]

#: The stand-in, inside the sandbox: probe, wait for the kill, probe again.
CLIENT = r"""
import json, os, subprocess, sys, time
shared = os.path.expanduser("~/Shared")

def run(argv):
    try:
        return subprocess.run(argv, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL,
                              text=True, timeout=15)
    except (OSError, subprocess.TimeoutExpired):
        return None

def grants():
    display = run(["xdpyinfo"])
    bus = run(["gdbus", "call", "--session", "--dest", "org.freedesktop.Notifications",
               "--object-path", "/org/example", "--method", "org.example.Fake.Ping",
               "--timeout", "5"])
    sound = run(["pactl", "info"])
    return {"display": bool(display and display.returncode == 0),
            "bus": bool(bus and "pong" in bus.stdout),
            "sound": bool(sound and sound.returncode == 0)}

def phase(name):
    run([sys.executable, f"{shared}/hostile.py", *json.loads(sys.argv[1]),
         "--out", f"{shared}/{name}-net.json"])
    with open(f"{shared}/{name}.tmp", "w") as out:
        json.dump(grants(), out)
    os.rename(f"{shared}/{name}.tmp", f"{shared}/{name}.json")

phase("before")
deadline = time.monotonic() + 180
while not os.path.exists(f"{shared}/go") and time.monotonic() < deadline:
    time.sleep(0.05)
time.sleep(1)  # a quiet second: a launcher spinning on a dead helper's socket shows
phase("after")
"""


@dataclass(frozen=True)
class Helper:
    """How to find a helper among the launcher's descendants, and what it carries."""

    report_names: tuple[str, ...]
    grant: str
    #: Words that must all be in its command line (argv[0]'s basename for the first).
    exe: str
    words: tuple[str, ...] = ()


HELPERS = {
    "holder": Helper(("holder",), "names", "python3", ("sandbox_launcher.netjail.holder",)),
    "pasta": Helper(("pasta",), "network", "pasta"),
    "xephyr": Helper(("xephyr",), "display", "Xephyr"),
    "dbus-proxy": Helper(("dbus-proxy",), "bus", "xdg-dbus-proxy"),
    "pulseaudio": Helper(("pulseaudio",), "sound", "pulseaudio"),
    # A forwarder is one pacat on the host's server (the relay is a launcher thread).
    "speakers": Helper(("speakers-play",), "speakers", "pacat",
                       ("--playback", "--stream-name=speakers")),
    "microphone": Helper(("microphone-record",), "microphone", "pacat",
                         ("--record", "--stream-name=microphone")),
    "mirror": Helper(("mirror",), "screen", "python3", ("sandbox_launcher.devices.mirror",)),
}
#: What the client must still have after each loss (the network: the allowed server).
KEPT = {
    "holder": {"display", "bus", "sound"},
    "pasta": {"display", "bus", "sound"},
    "dbus-proxy": {"display", "sound", "network"},
    "pulseaudio": {"display", "bus", "network"},
    "speakers": {"display", "bus", "sound", "network"},
    "microphone": {"display", "bus", "sound", "network"},
    "mirror": {"display", "bus", "sound", "network"},
}


def banners(path: Path) -> dict[str, str | None]:
    found = json.loads(path.read_text())["connect"]
    return {target: found[target]["banner"] for target in TARGETS}


@pytest.fixture(scope="module")
def control(host_netns: HostNetns, hostile_client_source: str) -> dict[str, str | None]:
    """The same probe unconfined, as the same user on the same host: everything answers."""
    done = host_netns.run([SYSTEM_PYTHON, "-c", hostile_client_source, *NET_ARGS])
    assert done.returncode == 0, done.stderr
    got = {t: r["banner"] for t, r in json.loads(done.stdout.splitlines()[-1])["connect"]
           .items()}
    assert got == TARGETS, f"the fake internet is not all reachable unconfined: {got}"
    return got


@pytest.fixture
def fault_profile(user_profile: Callable[[str, str], Path]) -> str:
    user_profile("slfaults", JAILED_DESKTOP)
    return "slfaults"


def _user_pids(uid: int) -> dict[int, str]:
    """The user's processes (pid -> command line)."""
    return {p.pid: " ".join(p.info["cmdline"] or [p.info["name"], p.info["status"],
                                                     str(p.info["ppid"])])
            for p in psutil.process_iter(["uids", "cmdline", "name", "status", "ppid"])
            if p.info["uids"] and p.info["uids"].real == uid}


def _find(launcher: int, helper: Helper) -> list[int]:
    """The helper's processes: descendants of the launcher whose command line fits."""
    try:
        below = psutil.Process(launcher).children(recursive=True)
    except psutil.NoSuchProcess:
        return []
    found = []
    for proc in below:
        try:
            argv = proc.cmdline()
        except psutil.Error:
            continue
        if argv and os.path.basename(argv[0]) == helper.exe and all(
                w in argv for w in helper.words):
            found.append(proc.pid)
    return found


def _wait_file(path: Path, proc: subprocess.Popen[str], timeout: float = 90) -> None:
    deadline = time.monotonic() + timeout
    while not path.exists():
        if proc.poll() is not None or time.monotonic() > deadline:
            status, out, err = finish(proc, timeout=60)
            raise AssertionError(f"no {path.name} (launcher {status})\n{out}\n{err}")
        time.sleep(0.05)


def _hits(net: FakeInternet, marks: dict[str, int]) -> dict[str, list[str]]:
    """Banner -> namespaces whose server saw a connection since the marks."""
    seen: dict[str, list[str]] = {}
    for ns, mark in marks.items():
        for event in net.events(ns, since=mark):
            if event.get("banner"):
                seen.setdefault(str(event["banner"]), []).append(ns)
    return seen


@dataclass
class Ended:
    """One session whose helper was killed: what the launcher and the client said."""

    status: int
    stderr: str
    report: dict[str, Any]
    #: Seconds from the kill to the launcher's exit.
    stop_s: float
    #: The launcher's CPU use (1.0: one core) from the kill to the client's second probe.
    cpu_after: float


def _run_and_kill(host_netns: HostNetns, env: dict[str, str], profile: str, window: int,
                  shared: Path, report_path: Path, helper: Helper) -> Ended:
    """Run the stand-in, SIGKILL *helper* once it has probed, let it probe again."""
    proc = host_netns.spawn_launcher(
        ["run", profile, "--mic", "--share", f"{shared}:rw", "--share-window", hex(window),
         "--report", str(report_path), "--", SYSTEM_PYTHON, "-c", CLIENT,
         json.dumps(NET_ARGS)], env_extra=env)
    _wait_file(shared / "before.json", proc)
    before = json.loads((shared / "before.json").read_text())
    assert before == {"display": True, "bus": True, "sound": True}, before
    first = banners(shared / "before-net.json")
    assert first == {t: (b if t == ALLOWED else None) for t, b in TARGETS.items()}, first
    pids = _find(proc.pid, helper)
    assert len(pids) == 1, f"{helper}: found {pids}"
    launcher = psutil.Process(proc.pid)  # setpriv execs: this is the launcher
    cpu = sum(launcher.cpu_times()[:2])
    os.kill(pids[0], signal.SIGKILL)
    killed_at = time.monotonic()
    (shared / "go").touch()
    cpu_after = 0.0
    if helper.grant != "display":
        _wait_file(shared / "after.json", proc)
        cpu_after = (sum(launcher.cpu_times()[:2]) - cpu) / (time.monotonic() - killed_at)
    status, _out, err = finish(proc, timeout=120)
    return Ended(status, err, json.loads(report_path.read_text()),
                 time.monotonic() - killed_at, cpu_after)


def _no_process_left(uid: int, before: dict[int, str]) -> None:
    # A sandbox process the launcher's last moments orphaned is a zombie until init
    # reaps it: give that a moment, nothing else.
    deadline = time.monotonic() + 5
    while (left := {pid: cmd for pid, cmd in _user_pids(uid).items()
                    if pid not in before}) and time.monotonic() < deadline:
        time.sleep(0.05)
    assert left == {}, "a process was left"


@pytest.mark.parametrize("name", sorted(HELPERS))
def test_a_helper_killed_mid_session_fails_closed(
        name: str, host_netns: HostNetns, host_services: Any, host_sound: HostSound,
        bus_owner: None, windows: Any, fault_profile: str, control: dict[str, Any],  # noqa: F811
        hostile_client_source: str, user_tmp: Path, launcher_user: Any) -> None:
    helper = HELPERS[name]
    net = host_netns.net
    shared = user_tmp / "shared"
    shared.mkdir()
    (shared / "hostile.py").write_text(hostile_client_source)
    for path in (shared, shared / "hostile.py"):
        os.chown(path, launcher_user.uid, launcher_user.gid)
    window = windows("Slides", "320x200+10+10", "ff8000")
    users_before = _user_pids(launcher_user.uid)
    marks = {ns: net.mark(ns) for ns in (net.host_ns, net.inet_ns, net.lan_ns)}
    ended = _run_and_kill(host_netns, {**host_services.session_env, **host_sound.env},
                          fault_profile, window.id, shared, user_tmp / "report.json", helper)
    report, err = ended.report, ended.stderr

    # The report and the terminal name the failure, once, and the wipe verified.
    [lost] = report.get("helpers_lost", [None])
    assert lost is not None and lost["helper"] in helper.report_names, (report, err)
    assert lost["grant"] == helper.grant, lost
    assert lost["status"] == ("" if name == "pasta" else  # not our child: status unknown
                              "exit status 137" if name == "pulseaudio" else  # bwrap: 128+9
                              "killed by SIGKILL"), lost
    assert lost["effect"] in err, err
    assert report["wipe"]["verified"], report["wipe"]
    assert problems("report", report) == []
    _no_process_left(launcher_user.uid, users_before)
    assert not (Path(launcher_user.runtime_dir) / "sandbox-launcher" / "sessions"
                / report["id"]).exists()

    # Nothing was reachable but the allowed server, before or after: for the client, and
    # for every server of the fake internet (what reached them since the session began).
    hits = _hits(net, marks)
    assert set(hits) <= {"zoom-443"}, hits
    asked = [str(q["name"]).lower() for q in net.dns_questions(since=marks[net.inet_ns])]
    assert not [q for q in asked if q.endswith(EXFIL)], asked

    if helper.grant == "display":
        # The client has no window left: the session was stopped and wiped at once.
        assert lost["stops"] and report["stopped_by_user"] is False
        assert ended.status == 128 + signal.SIGTERM, err
        print(f"{name}: stopped and wiped {ended.stop_s:.2f} s after the kill")
        assert ended.stop_s < 30
        return
    assert ended.status == 0 and not lost["stops"], err
    # The launcher does not spin on what the dead helper left (a closed socket).
    print(f"{name}: launcher CPU after the kill {ended.cpu_after:.2f} of a core")
    # (measured: 0.00-0.13 as it is, 0.30 with the jail's socket left in the loop)
    assert ended.cpu_after < 0.2, ended.cpu_after
    after = banners(shared / "after-net.json")
    kept = KEPT[name]
    assert after == {t: (b if t == ALLOWED and "network" in kept else None)
                     for t, b in TARGETS.items()}, after
    grants_after = json.loads((shared / "after.json").read_text())
    assert {g for g, ok in grants_after.items() if ok} == kept - {"network"}, grants_after
    if helper.grant in ("sound", "microphone"):
        # The microphone is off now (the app is told), and the report's switches say when.
        assert report["devices"]["audio"]["mic_changes"][-1]["muted"] is True
        assert "sandbox-launcher: microphone muted" in err, err
    if helper.grant == "screen":
        # The sharing ended then, not at the session's end, and the terminal said so.
        why = "the mirror stopped without a word (killed, or it crashed)"
        assert report["devices"]["screen"]["ended_by"] == why
        assert f"screen sharing ended: {why}" in err, err
