"""Device-use benchmark: what the live "in use" checks cost at every snapshot (2 s).

``python benchmarks/usage.py [--scans N]``, or ``run.py --suite usage`` (which runs
``usage.py suite N`` and reads its last line, JSON). As root it becomes the benchmark
user first, as the app runs for real users. It starts a real session
(``sandbox-launcher run generic``) whose client forks into 20 processes holding 40
descriptors each (files, pipes, sockets), then times, in this process:

- *members*: finding the session's processes (``host.procs.members``: every /proc entry's
  pid namespace; it grows with the host's process count, reported);
- *fd scan*: ``stat`` on every open descriptor of those processes
  (``host.procs.char_device_holders``);
- *camera check*: both, as the session runs them (``devices.usage.camera_use``);
- *microphone check*: ``SoundServer.recording()`` against a real session sound server
  (``pactl -f json list source-outputs``; it runs only while the microphone is on).

Wall and CPU time (this process, plus children for ``pactl``) per check, medians; and
the share of one core at one check every 2 s.
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import secrets
import signal
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

import run  # run.py, next to this file: privileges and the machine description

from sandbox_launcher.core.devices import AudioGrant, Camera
from sandbox_launcher.devices.sound import SoundServer
from sandbox_launcher.devices.usage import camera_use
from sandbox_launcher.host import procs

LAUNCHER = Path(sys.prefix) / "bin" / "sandbox-launcher"
PROCESSES = 20
FDS_EACH = 40
CADENCE_S = 2.0

#: The client: forks into PROCESSES processes, each holding FDS_EACH descriptors.
CLIENT = r"""
import os, socket, sys, time
keep = []
def hold(n):
    while len(keep) < n:
        keep.append(open("/dev/null"))
        keep.extend(os.pipe())
        keep.append(socket.socket(socket.AF_UNIX))
for _ in range(int(sys.argv[1]) - 1):
    if os.fork() == 0:
        break
hold(int(sys.argv[2]))
print("ready", flush=True)
time.sleep(600)
"""
#: A stand-in camera: the scan compares device numbers only, so no node is needed.
CAMERA = Camera(name="video7", card="stand-in", node="/dev/video7", major=81, minor=7)


def _session() -> tuple[subprocess.Popen[str], int, str]:
    """Start the session; its launcher, pid namespace and marker."""
    marker = f"slbench{secrets.token_hex(4)}"
    launcher = subprocess.Popen(
        [str(LAUNCHER), "run", "generic", "--", "/usr/bin/python3", "-c", CLIENT,
         str(PROCESSES), str(FDS_EACH), marker],
        stdin=subprocess.DEVNULL, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL,
        text=True)
    assert launcher.stdout is not None
    for _ in range(PROCESSES):
        if launcher.stdout.readline().strip() != "ready":
            launcher.kill()
            raise RuntimeError("the benchmark session did not start")
    for pid in procs.pids():
        try:
            argv = Path(f"/proc/{pid}/cmdline").read_bytes().split(b"\0")
        except OSError:
            continue
        if marker.encode() in argv and argv[0] == b"/usr/bin/python3":
            ns = procs.namespace_of(pid, "pid")
            if ns is not None:
                return launcher, ns, marker
    launcher.kill()
    raise RuntimeError("the benchmark session's processes were not found")


def _time(call: Callable[[], object], count: int) -> tuple[float, float]:
    """Median wall and CPU microseconds per call (CPU: ours and our children's)."""
    walls, cpus = [], []
    for _ in range(count):
        children = resource.getrusage(resource.RUSAGE_CHILDREN)
        cpu = time.process_time_ns()
        wall = time.perf_counter_ns()
        call()
        walls.append((time.perf_counter_ns() - wall) / 1000)
        after = resource.getrusage(resource.RUSAGE_CHILDREN)
        child_s = (after.ru_utime + after.ru_stime) - (children.ru_utime + children.ru_stime)
        cpus.append((time.process_time_ns() - cpu) / 1000 + child_s * 1e6)
    return statistics.median(walls), statistics.median(cpus)


@dataclass
class Figures:
    """What was measured: counts, and (wall µs, CPU µs) medians per check."""

    host_processes: int
    session_processes: int
    session_fds: int
    checks: dict[str, tuple[float, float]] = field(default_factory=dict)


def measure(scans: int) -> Figures:
    """Run the session, time the checks; the figures."""
    launcher, ns, _marker = _session()
    try:
        members = procs.members({"pid": ns})
        rdev = os.makedev(CAMERA.major, CAMERA.minor)
        figures = Figures(sum(1 for _ in procs.pids()), len(members),
                          sum(len(os.listdir(f"/proc/{pid}/fd")) for pid in members))
        figures.checks["members"] = _time(lambda: procs.members({"pid": ns}), scans)
        figures.checks["fd_scan"] = _time(lambda: procs.char_device_holders(members, rdev),
                                          scans)
        figures.checks["camera"] = _time(
            lambda: camera_use(CAMERA, lambda: procs.members({"pid": ns})), scans)
    finally:
        launcher.send_signal(signal.SIGTERM)
        launcher.wait(60)
    with tempfile.TemporaryDirectory(prefix="sl-bench-sound-",
                                     dir=os.environ.get("XDG_RUNTIME_DIR")) as workdir:
        grant = AudioGrant(host_server="unix:/nonexistent", mic_allowed=True)
        sound = SoundServer.start(grant, Path(workdir), "benchmark")
        try:
            sound.recording()  # the first check also reads the server's sources
            figures.checks["microphone"] = _time(sound.recording, max(10, scans // 20))
        finally:
            sound.stop()
    return figures


def render(scans: int, figures: Figures) -> list[str]:
    """The Markdown table."""
    lines = [f"{figures.session_processes} session processes, {figures.session_fds} open "
             f"descriptors, {figures.host_processes} processes on the host; medians of "
             f"{scans} checks (microphone: {max(10, scans // 20)}).", "",
             "| check | wall µs | CPU µs | % of a core at one check / 2 s |",
             "|---|---:|---:|---:|"]
    names = {"members": "find the session's processes (/proc ns links)",
             "fd_scan": "stat every fd of the session's processes",
             "camera": "**camera in use** (both)",
             "microphone": "**microphone in use** (pactl, only while on)"}
    for key, label in names.items():
        wall, cpu = figures.checks[key]
        lines.append(f"| {label} | {wall:.0f} | {cpu:.0f} | {cpu / 1e6 / CADENCE_S * 100:.3f} |")
    per_process = figures.checks["members"][1] / figures.host_processes
    per_fd = figures.checks["fd_scan"][1] / figures.session_fds
    lines += ["", f"Per host process (finding the session's): {per_process:.1f} µs; per "
              f"open descriptor of the session: {per_fd:.1f} µs."]
    return lines


def main() -> int:
    """``usage.py [--scans N]`` prints the table; ``suite N`` prints JSON too."""
    run.drop_privileges()
    if sys.argv[1:2] == ["suite"]:
        scans = int(sys.argv[2])
        body = render(scans, measure(scans))
        print("\n".join(body))
        print(json.dumps({"body": body, "machine": run.machine_info()}))
        return 0
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--scans", type=int, default=500)
    args = parser.parse_args()
    print("\n".join(render(args.scans, measure(args.scans))))
    return 0


if __name__ == "__main__":
    sys.exit(main())
