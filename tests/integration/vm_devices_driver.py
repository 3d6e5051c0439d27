"""Drive a VM's devices as the unprivileged user, for tests/integration/test_vm_devices.py.

``share WORKDIR FOLDER ro|rw``: boot with FOLDER shared; the guest reads it, writes to it,
and (read-only) remounts it read-write and writes again, as a hostile guest would.
``sound WORKDIR HOST_SERVER``: the session's own sound server in front of the host's; the
guest records its microphone muted, then unmuted; loudness and pitch of each.
``viewer WORKDIR``: a display session through the backend with the viewer on $DISPLAY;
SPICE clients and listening sockets while it shows, then the viewer is closed.
``desktop WORKDIR``: the ``desktop`` image with its screen (a manual check: CI does not
build that image); the client asks the guest's X server for its size.
Each prints one JSON line; every VM is wiped and verified before the driver exits.
"""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from dataclasses import asdict
from pathlib import Path
from types import SimpleNamespace
from typing import Any

import psutil

from sandbox_launcher.backends.base import Resources
from sandbox_launcher.backends.vm import image, machine
from sandbox_launcher.backends.vm.backend import VmBackend
from sandbox_launcher.backends.vm.devices import GuestDevices
from sandbox_launcher.backends.vm.domain import ShareDir
from sandbox_launcher.core.devices import VM_DISPLAY, AudioGrant, DevicePlan, DisplayGrant
from sandbox_launcher.devices.sound import SoundServer

PATH = {"PATH": "/usr/sbin:/usr/bin:/sbin:/bin"}

# Runs in the guest (python3 -I): what a client, or a hostile one, does with the share.
SHARE_PROBE = r"""
import json, os, subprocess
inside = "/home/user/Shared"
out = {"mounts": [l for l in open("/proc/mounts") if inside in l]}
try:
    out["read"] = open(inside + "/hello.txt").read()
except OSError as e:
    out["read"] = f"{type(e).__name__}: {e}"
def write(name):
    try:
        with open(f"{inside}/{name}", "w") as f:
            f.write("from the guest\n")
        return "written"
    except OSError as e:
        return f"{type(e).__name__}: {e.strerror}"
out["write"] = write("guest-note.txt")
remount = subprocess.run(["mount", "-o", "remount,rw", inside], capture_output=True, text=True)
out["remount_rc"] = remount.returncode
out["write_after_remount"] = write("after-remount.txt")
print(json.dumps(out))
"""

# Runs in the guest: record the microphone (the HDA card's capture) and measure it.
RECORD_PROBE = r"""
import array, json, math, subprocess, sys, time
# As a client would (and a hostile one): its own capture fully on. The mute is outside.
subprocess.run(["amixer", "-q", "-c", "0", "sset", "Capture", "100%", "cap"], check=True)
# A 2 s buffer: a guest starved by a loaded host reads late, and the host's tone comes
# in bursts (a sine source sends seconds at once); the default half second overran, and
# arecord, unlike a meeting client, does not recover (alsa-lib says EIO, not EPIPE).
began = time.monotonic()
raw = subprocess.run(["arecord", "-q", "-D", "hw:0,0", "-f", "S16_LE", "-c", "2",
                      "-r", "48000", "-B", "2000000", "-d", sys.argv[1], "-t", "raw"],
                     capture_output=True, timeout=120)
took = time.monotonic() - began
kernel = subprocess.run(["dmesg"], capture_output=True, text=True).stdout[-600:] \
    if raw.returncode else ""
data = array.array("h", raw.stdout[: len(raw.stdout) // 2 * 2])[::2]
part = data[len(data) // 3:]
rms = math.sqrt(sum(x * x for x in part) / max(1, len(part)))
crossings = sum(1 for a, b in zip(part, part[1:]) if (a < 0) != (b < 0))
print(json.dumps({"rc": raw.returncode, "err": raw.stderr.decode()[-300:], "took": took,
                  "dmesg": kernel,
                  "samples": len(data), "rms": rms,
                  "hz": crossings / 2 / (len(part) / 48000) if part else 0}))
"""


def _guest(vm: machine.Machine, argv: list[str]) -> tuple[int, str]:
    out: list[str] = []
    vm.start_command(argv, PATH)
    status = vm.wait_command(lambda s, d: out.append(d.decode(errors="replace"))
                             if s == "stdout" else sys.stderr.write(d.decode(errors="replace")))
    return status, "".join(out)


def _finish(vm: machine.Machine) -> list[dict[str, Any]]:
    vm.destroy()
    machine.wipe(vm.state)
    return [asdict(c) for c in machine.verify(vm.state)]


def share(workdir: Path, folder: Path, mode: str) -> int:
    devices = GuestDevices(share=ShareDir(folder, writable=mode == "rw"),
                           share_inside="/home/user/Shared")
    vm = machine.boot(image.verify_image("test"), workdir, f"share-{workdir.name[-6:]}",
                      devices=devices)
    try:
        status, out = _guest(vm, ["/usr/bin/python3", "-I", "-c", SHARE_PROBE])
    finally:
        checks = _finish(vm)
    print(json.dumps({"status": status, "probe": json.loads(out.splitlines()[-1]),
                      "checks": checks}))
    return 0


def _short(server: str, what: str) -> list[str]:
    """``pactl list short WHAT`` on *server*: its lines."""
    done = subprocess.run(["pactl", f"--server={server}", "list", "short", what],
                          capture_output=True, text=True, timeout=30, check=True)
    return done.stdout.splitlines()


def _clients(server: str) -> list[str]:
    return sorted(line.split("\t")[2] for line in _short(server, "clients") if "\t" in line)


def _sources(server: str) -> str:
    """The session server's sources and recordings, as a failure's evidence."""
    return " | ".join(" ".join(line.split()) for what in ("sources", "source-outputs")
                      for line in _short(server, what))


def sound(workdir: Path, host_server: str) -> int:
    grant = AudioGrant(host_server=host_server, speakers=False, mic_allowed=True,
                       mic_at_start=False)
    folder = workdir / "sound"
    folder.mkdir()
    server = SoundServer.start(grant, folder, "vm-sound-test")
    result: dict[str, Any] = {}
    try:
        devices = GuestDevices(sound_socket=server.client_socket)
        vm = machine.boot(image.verify_image("test"), workdir, f"snd-{workdir.name[-6:]}",
                          devices=devices)
        try:
            # Whose client QEMU's audio backend is: the session server's, not the host's.
            result["session_clients"] = _clients(server.admin)
            result["host_clients"] = _clients(host_server)
            for label, muted in (("muted", True), ("unmuted", False), ("muted_again", True)):
                result[f"{label}_state"] = server.set_mic(muted)
                feed = server.silence
                before = feed.written if feed else 0
                _status, out = _guest(vm, ["/usr/bin/python3", "-I", "-c", RECORD_PROBE, "3"])
                result[label] = {"label": label, **json.loads(out.splitlines()[-1]),
                                 "silence_bytes": (feed.written - before) if feed else None,
                                 "mic": server.mic and {
                                     "running": server.mic.running(),
                                     "written": server.mic.relay.written,
                                     "dropped": server.mic.relay.dropped},
                                 "sources": _sources(server.admin)}
        finally:
            result["checks"] = _finish(vm)
    finally:
        result["server"] = server.stop()
    print(json.dumps(result, default=str))
    return 0


def _spice_clients(domain: str) -> str:
    done = subprocess.run(["virsh", "-c", machine.DEFAULT_URI, "qemu-monitor-command",
                           domain, "--hmp", "info spice"], capture_output=True, text=True,
                          timeout=60, check=False)
    return done.stdout + done.stderr


def viewer(workdir: Path) -> int:
    backend = VmBackend(image="test", output=lambda _s, _d: None)
    plan = SimpleNamespace(command=("/bin/sleep", "600"), env={}, image="", profile="test",
                           devices=DevicePlan(display=DisplayGrant(mode=VM_DISPLAY)))
    started = time.monotonic()
    handle = backend.start(plan, Resources(workdir))  # type: ignore[arg-type]
    ready = time.monotonic() - started
    assert handle.viewer is not None
    domain = handle.vm.state.domain
    deadline = time.monotonic() + 120
    info = _spice_clients(domain)
    while "channel name: display" not in info:  # until the viewer has connected
        if time.monotonic() > deadline or not handle.viewer.running():
            break
        time.sleep(1)
        info = _spice_clients(domain)
    qemu = machine.session_processes(handle.vm.state)
    listening = [f"{c.laddr}" for p in qemu for c in psutil.Process(p).net_connections("inet")
                 if c.status == psutil.CONN_LISTEN]
    viewer_pid = handle.viewer.process.pid
    if not handle.viewer.running():  # say why, then clean up as usual
        print(json.dumps({"viewer_died": handle.viewer.close(), "spice": info}), flush=True)
    viewer_listening = [f"{c.laddr}" for c in psutil.Process(viewer_pid).net_connections("inet")]
    closed_at = time.monotonic()
    os.kill(viewer_pid, signal.SIGTERM)  # as when the user closes its window
    status = handle.wait()
    ended_s = time.monotonic() - closed_at
    handle.kill()
    backend.wipe(handle.state)
    checks = [asdict(c) for c in backend.verify(handle.state, {})]
    print(json.dumps({"ready_s": ready, "spice": info, "qemu_pids": qemu,
                      "listening": listening, "viewer_inet": viewer_listening,
                      "status": status, "ended_s": ended_s, "checks": checks}))
    return 0


def desktop(workdir: Path) -> int:
    """The desktop image with its screen: the agent starts X before the client."""
    out: list[str] = []
    backend = VmBackend(image="desktop", output=lambda _s, d: out.append(d.decode()))
    script = ("xdpyinfo | grep -E 'dimensions|vendor string'; echo DISPLAY=$DISPLAY; "
              "ls /dev/input; ls /proc/asound 2>&1 | head -3")
    plan = SimpleNamespace(command=("/bin/sh", "-c", script), env={}, image="",
                           profile="test",
                           devices=DevicePlan(display=DisplayGrant(mode=VM_DISPLAY)))
    started = time.monotonic()
    handle = backend.start(plan, Resources(workdir))  # type: ignore[arg-type]
    ready = time.monotonic() - started
    status = handle.wait()
    done = time.monotonic() - started
    handle.kill()
    backend.wipe(handle.state)
    checks = [asdict(c) for c in backend.verify(handle.state, {})]
    print(json.dumps({"ready_s": ready, "client_done_s": done, "status": status,
                      "output": "".join(out), "checks": checks}))
    return 0


def main() -> int:
    mode, workdir = sys.argv[1], Path(sys.argv[2])
    if mode == "share":
        return share(workdir, Path(sys.argv[3]), sys.argv[4])
    if mode == "sound":
        return sound(workdir, sys.argv[3])
    if mode == "viewer":
        return viewer(workdir)
    if mode == "desktop":
        return desktop(workdir)
    raise SystemExit(f"unknown mode {mode}")


if __name__ == "__main__":
    sys.exit(main())
