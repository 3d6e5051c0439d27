"""A VM session's own helpers failing mid-session (issues 13 and 16): its passt, its QEMU,
and a guest kernel that panics.

One real VM session per case through ``run PROFILE --backend vm``, as the unprivileged
test user, on the fake internet's host machine (conftest_net), libvirtd in session mode,
software emulation, the default image (built once, conftest_vm). The guest's command
probes the network, prints what it found, and then waits (for the network to go, or for
the test), so the test knows when to strike.

- passt killed: the guest finds nothing more reachable than before, and the allowed name
  stops working too (fail closed: the firewall is the jail's, and without passt the
  guest has no link at all); the session runs on, the report names the loss, the wipe
  verifies. Its control is the probe before the kill, where the allowed server answers.
- QEMU killed with SIGKILL, or the guest's kernel panicking (``echo c >
  /proc/sysrq-trigger``): the launcher ends the session with a sentence for a person,
  the report says why, the wipe verifies, nothing is left, no traceback.
"""

from __future__ import annotations

import json
import os
import signal
import subprocess
import threading
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import psutil
import pytest
from conftest import RunLauncher, finish
from conftest_net import HostNetns, write_user_profile
from conftest_vm import BOOT_TIMEOUT
from schemas import problems

from sandbox_launcher.verify.fake_internet import (
    EVIL_ADDRESS,
    HOST_ADDRESS,
    LAN_HOST,
    ROUTER_ADDRESS,
)

pytestmark = [pytest.mark.integration, pytest.mark.needs_root]

PROFILE = """\
[network]
mode = "allowlist"
domains = ["zoom.us"]
ports = ["tcp/443"]
"""

#: Target -> the banner its server answers with. Only the first is allowed.
TARGETS = {
    "zoom.us:443": "zoom-443",
    "zoom.us:8080": "zoom-8080",  # the allowed name, a port not in the profile
    "evil.example:443": "evil-443",  # a name not in the allowlist
    f"{EVIL_ADDRESS}:443": "evil-443",  # its raw IP
    f"{LAN_HOST}:80": "lan-80",  # the LAN
    f"{ROUTER_ADDRESS}:8080": "router-8080",  # the gateway
    f"{HOST_ADDRESS}:8081": "host-address-8081",  # the host's own address
}
ALLOWED = "zoom.us:443"

#: Runs in the guest (its python3). argv[1]: the targets; argv[2]: what to do after the
#: first probe: "net" (wait until the allowed server stops answering, probe again),
#: "wait" (sleep: the test kills QEMU), "panic" (crash the guest's kernel).
GUEST = r"""
import json, os, socket, sys, time
from concurrent.futures import ThreadPoolExecutor
# One quick try per lookup: a guest without network must not wait 10 s per name.
os.environ["RES_OPTIONS"] = "timeout:1 attempts:1"

def conn(target):
    host, port = target.rsplit(":", 1)
    try:
        with socket.create_connection((host, int(port)), timeout=3) as s:
            s.settimeout(3)
            return s.recv(100).decode().strip() or None
    except OSError:
        return None

def probe():
    targets = json.loads(sys.argv[1])
    with ThreadPoolExecutor(len(targets)) as pool:
        return dict(zip(targets, pool.map(conn, targets)))

print("BEFORE " + json.dumps(probe()), flush=True)
if sys.argv[2] == "net":
    deadline = time.monotonic() + 120
    while conn("zoom.us:443") and time.monotonic() < deadline:
        time.sleep(0.3)
    print("AFTER " + json.dumps(probe()), flush=True)
elif sys.argv[2] == "panic":
    time.sleep(2)  # the test finds QEMU first
    with open("/proc/sysrq-trigger", "w") as trigger:
        trigger.write("c")
    time.sleep(600)
else:
    time.sleep(600)
"""

#: libvirt's own daemons of the user, started on demand and ending on their own.
DAEMONS = {"libvirtd", "virtlogd", "virtlockd"}


@pytest.fixture
def vm_fault_profile(launcher_user: Any) -> Iterator[str]:
    path = write_user_profile(launcher_user, "slvmfaults", PROFILE)
    yield "slvmfaults"
    path.unlink(missing_ok=True)


def _user_processes(uid: int) -> dict[int, str]:
    """The user's processes but libvirt's daemons (pid -> command line)."""
    found = {}
    for p in psutil.process_iter(["uids", "cmdline", "name"]):
        if p.info["uids"] and p.info["uids"].real == uid and p.info["name"] not in DAEMONS:
            found[p.pid] = " ".join(p.info["cmdline"] or [p.info["name"]])
    return found


def _qemu(uid: int) -> list[tuple[int, str]]:
    """The user's QEMU processes of session VMs: (pid, domain)."""
    found = []
    for pid, cmd in _user_processes(uid).items():
        for word in cmd.split():
            if word.startswith("guest=slt-"):
                found.append((pid, word.split("=", 1)[1].split(",", 1)[0]))
    return found


def _passt(launcher: int) -> list[int]:
    below = psutil.Process(launcher).children(recursive=True)
    # Debian's passt execs passt.avx2 where the CPU has it, and the jail's pasta is the
    # same program: the VM's is the one serving a socket.
    return [p.pid for p in below if p.name().startswith("passt") and "--socket" in p.cmdline()]


def _line(proc: subprocess.Popen[str], prefix: str) -> dict[str, Any]:
    """The guest's next line starting with *prefix* (its JSON), from the launcher's stdout."""
    assert proc.stdout is not None
    seen = []
    while line := proc.stdout.readline():
        if line.startswith(prefix):
            return dict(json.loads(line[len(prefix):]))
        seen.append(line)
    status, out, err = finish(proc, timeout=60)
    raise AssertionError(f"no {prefix}line (launcher {status})\n{''.join(seen)}{out}\n{err}")


def _start(host_netns: HostNetns, profile: str, mode: str,
           report: Path) -> tuple[subprocess.Popen[str], dict[str, Any]]:
    proc = host_netns.spawn_launcher(
        ["run", profile, "--backend", "vm", "--report", str(report), "--",
         "/usr/bin/python3", "-c", GUEST, json.dumps(list(TARGETS)), mode])
    # A hung launcher must not hang the suite on its stdout: killed, it gives EOF.
    watchdog = threading.Timer(BOOT_TIMEOUT + 180, proc.kill)
    watchdog.daemon = True
    watchdog.start()
    first = _line(proc, "BEFORE ")
    # The control: the allowed server answers from the guest, nothing else does.
    assert first == {t: (b if t == ALLOWED else None) for t, b in TARGETS.items()}, first
    return proc, first


def _nothing_left(user: Any, before: dict[int, str], report: dict[str, Any],
                  run_as_user: RunLauncher) -> None:
    """The wipe verified, and independently of it: no process, domain or session dir."""
    assert report["wipe"]["verified"], report["wipe"]
    assert problems("report", report) == []
    deadline = time.monotonic() + 10  # libvirt reaps its QEMU a moment after the destroy
    while (left := {p: c for p, c in _user_processes(user.uid).items() if p not in before}) \
            and time.monotonic() < deadline:
        time.sleep(0.1)
    assert left == {}, "a process was left"
    listed = run_as_user(["virsh", "-c", "qemu:///session", "list", "--all", "--name"],
                         path="/usr/bin:/bin")
    assert listed.returncode == 0, listed.stderr
    assert f"slt-{report['id']}" not in listed.stdout.split()
    assert not list((user.runtime_dir / "sandbox-launcher" / "sessions").glob(
        f"{report['id']}*"))


def test_passt_killed_mid_session_fails_closed(
        vm_default_image: Path, host_netns: HostNetns, vm_fault_profile: str,
        launcher_user: Any, user_tmp: Path, run_as_user: RunLauncher) -> None:
    net = host_netns.net
    before = _user_processes(launcher_user.uid)
    marks = {ns: net.mark(ns) for ns in (net.host_ns, net.inet_ns, net.lan_ns)}
    report_path = user_tmp / "report.json"
    proc, _first = _start(host_netns, vm_fault_profile, "net", report_path)
    [passt] = _passt(proc.pid)
    os.kill(passt, signal.SIGKILL)
    after = _line(proc, "AFTER ")
    status, _out, err = finish(proc, timeout=120)
    # Fail closed: nothing answers now, not even the allowed server.
    assert after == dict.fromkeys(TARGETS), after
    assert status == 0, err  # the session ran on without network, to the client's end
    report = json.loads(report_path.read_text())
    [lost] = report.get("helpers_lost", [None])
    assert lost is not None, (report, err)
    assert (lost["helper"], lost["grant"], lost["stops"]) == ("passt", "network", False)
    assert lost["status"] == "killed by SIGKILL", lost
    assert lost["effect"].startswith("the VM's network helper (passt) stopped: the meeting "
                                     "has no network now"), lost
    assert lost["effect"] in err, err
    assert "Traceback" not in err
    # What reached the fake internet's servers since the session began: the allowed one.
    seen = {str(e["banner"]) for ns, mark in marks.items()
            for e in net.events(ns, since=mark) if e.get("banner")}
    assert seen <= {"zoom-443"}, seen
    asked = [str(q["name"]).lower() for q in net.dns_questions(since=marks[net.inet_ns])]
    assert not [q for q in asked if "evil.example" in q], asked
    _nothing_left(launcher_user, before, report, run_as_user)


@pytest.mark.parametrize("how", ["qemu-killed", "guest-panic"])
def test_the_vm_ending_under_the_session_ends_it_wiped(
        how: str, vm_default_image: Path, host_netns: HostNetns, vm_fault_profile: str,
        launcher_user: Any, user_tmp: Path, run_as_user: RunLauncher) -> None:
    before = _user_processes(launcher_user.uid)
    report_path = user_tmp / "report.json"
    proc, _first = _start(host_netns, vm_fault_profile,
                          "panic" if how == "guest-panic" else "wait", report_path)
    [(qemu, domain)] = _qemu(launcher_user.uid)
    struck = time.monotonic()
    if how == "qemu-killed":
        os.kill(qemu, signal.SIGKILL)
    status, out, err = finish(proc, timeout=120)
    ended_s = time.monotonic() - struck
    # (the panic comes 2 s after the first probe: the guest's pause is not counted)
    ended_s -= 2.0 if how == "guest-panic" else 0.0
    print(f"{how}: session ended and wiped {ended_s:.1f} s after the strike\n{err}")
    report = json.loads(report_path.read_text())
    assert report["id"] in domain
    # The launcher said what happened, in words, and exited with the client's lost status.
    assert status == 128 + signal.SIGKILL, (status, err)
    sentence = "the VM stopped unexpectedly: the meeting ended; everything was wiped"
    assert sentence in err, err
    assert "Traceback" not in err + out
    [lost] = report.get("helpers_lost", [None])  # passt's end with it is not news
    assert lost is not None, (report, err)
    assert (lost["helper"], lost["grant"], lost["stops"]) == ("qemu", "vm", True), lost
    assert lost["effect"] == sentence
    assert report["stopped_by_user"] is False
    assert not psutil.pid_exists(qemu)
    _nothing_left(launcher_user, before, report, run_as_user)
    assert ended_s < 90
