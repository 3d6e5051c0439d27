"""When a granted device is *in use*, not only granted: live events and the report's
``devices.usage``, with the real launcher as the unprivileged user.

- Camera: the stand-in node of ``test_device_grants_live`` (81:7, made by root with
  mknod). It has no driver behind it, so a real open fails (ENXIO); the stand-in client
  then holds it with ``O_PATH``, which is still an open descriptor of exactly that node,
  the thing the launcher looks for in the session's ``/proc/PID/fd``.
- Microphone: the real host PulseAudio of ``conftest_audio``; the client records from
  its session's own server with ``pacat --record`` only when the test says so.

The launcher checks at every live snapshot (2 s), so durations are asserted to within
one snapshot either way.
"""

from __future__ import annotations

import datetime
import json
import os
import signal
import subprocess
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from conftest import SYSTEM_PYTHON
from conftest_audio import HostSound

pytestmark = pytest.mark.integration

Run = Callable[..., subprocess.CompletedProcess[str]]
SNAPSHOT_S = 2.0

#: Opens the camera after 1 s, holds it 3 s, closes it and keeps running 3 s more.
CAMERA_CLIENT = r"""
import os, sys, time
time.sleep(1)
try:
    fd = os.open("/dev/video7", os.O_RDWR)
except OSError:  # the stand-in has no driver: hold the node itself
    fd = os.open("/dev/video7", os.O_PATH)
print("opened", time.time(), flush=True)
time.sleep(3)
os.close(fd)
print("closed", time.time(), flush=True)
time.sleep(3)
"""

#: Never opens the camera; with "hide", first makes itself not dumpable.
IDLE_CLIENT = r"""
import ctypes, sys, time
if sys.argv[1:] == ["hide"]:
    ctypes.CDLL(None).prctl(4, 0, 0, 0, 0)  # PR_SET_DUMPABLE
time.sleep(5)
"""

#: Does what each go-N file in ~/Shared says, in order: rec (start recording from its
#: sound server), stop (stop recording), quit.
MIC_CLIENT = r"""
import os, subprocess, sys, time
S = os.path.expanduser("~/Shared")
recorder = None
for n, step in enumerate(sys.argv[1:]):
    while not os.path.exists(f"{S}/go-{n}"):
        time.sleep(0.02)
    if step == "rec":
        recorder = subprocess.Popen(["pacat", "--record", "--raw"], stdout=subprocess.DEVNULL)
    elif step == "stop" and recorder is not None:
        recorder.kill(); recorder.wait(); recorder = None
    open(f"{S}/done-{n}", "w").close()
    if step == "quit":
        break
"""


@pytest.fixture
def stand_in_camera(user_tmp: Path, launcher_user: Any) -> Path:
    """A char device 81:7 (V4L2's major) owned by the user; root makes it with mknod."""
    if os.geteuid() != 0:
        pytest.skip("making a stand-in camera node needs root (mknod); CI runs as root")
    node = user_tmp / "video7"
    os.mknod(node, 0o660 | 0o020000, os.makedev(81, 7))
    if launcher_user.switch:
        os.chown(node, launcher_user.uid, launcher_user.gid)
    return node


def _epoch(stamp: str) -> float:
    return datetime.datetime.fromisoformat(stamp).timestamp()


def _use_lines(stderr: str, device: str) -> list[str]:
    return [line.removeprefix("sandbox-launcher: ") for line in stderr.splitlines()
            if line.startswith(f"sandbox-launcher: {device} ")
            and "in use" in line]


def test_camera_in_use_only_while_the_node_is_open(run_launcher: Run, stand_in_camera: Path,
                                                   user_tmp: Path) -> None:
    report = user_tmp / "r.json"
    done = run_launcher(["run", "generic", "--camera", str(stand_in_camera), "--report",
                         str(report), "--", SYSTEM_PYTHON, "-c", CAMERA_CLIENT], check=True)
    assert _use_lines(done.stderr, "camera") == ["camera in use", "camera not in use"], (
        done.stderr)
    said = {line.split()[0]: float(line.split()[1]) for line in done.stdout.splitlines()}
    data = json.loads(report.read_text())
    usage = data["devices"]["usage"]
    (interval,) = usage["camera"]
    assert "assumed" not in interval
    held = said["closed"] - said["opened"]
    assert abs(interval["seconds"] - held) <= SNAPSHOT_S + 0.5, (interval, held)
    # Seen open after the client opened it, and closed before the session ended.
    assert said["opened"] - 0.5 <= _epoch(interval["from"]) <= said["opened"] + SNAPSHOT_S + 0.5
    assert _epoch(interval["to"]) < data["ended"] - 0.5
    assert usage["totals_s"] == {"camera": interval["seconds"]}
    assert usage["checked_every_s"] == SNAPSHOT_S and "device node open" in usage["how"]["camera"]


def test_a_granted_camera_never_opened_has_no_interval(run_launcher: Run,
                                                       stand_in_camera: Path,
                                                       user_tmp: Path) -> None:
    report = user_tmp / "r.json"
    done = run_launcher(["run", "generic", "--camera", str(stand_in_camera), "--report",
                         str(report), "--", SYSTEM_PYTHON, "-c", IDLE_CLIENT], check=True)
    assert _use_lines(done.stderr, "camera") == [], done.stderr
    usage = json.loads(report.read_text())["devices"]["usage"]
    assert usage["camera"] == [] and usage["totals_s"] == {"camera": 0.0}
    # Without a camera (and no other device to follow) there is nothing to report.
    plain = run_launcher(["run", "generic", "--report", str(report), "--", "/bin/true"],
                         check=True)
    assert "usage" not in json.loads(report.read_text())["devices"], plain.stderr


def test_a_process_that_hides_its_fds_makes_the_camera_assumed_in_use(
        run_launcher: Run, stand_in_camera: Path, user_tmp: Path) -> None:
    """A non-dumpable process's /proc/PID/fd is root's (mode 0500): the launcher cannot
    see whether it holds the camera, so it says in use, and why."""
    report = user_tmp / "r.json"
    done = run_launcher(["run", "generic", "--camera", str(stand_in_camera), "--report",
                         str(report), "--", SYSTEM_PYTHON, "-c", IDLE_CLIENT, "hide"],
                        check=True)
    lines = _use_lines(done.stderr, "camera")
    assert lines[0].startswith("camera in use (assumed: 1 process(es) of the session hide "
                               "their open files (not dumpable)"), done.stderr
    (interval,) = json.loads(report.read_text())["devices"]["usage"]["camera"]
    assert "not dumpable" in interval["assumed"]


def test_microphone_in_use_only_when_on_and_recorded(
        spawn_launcher: Callable[..., subprocess.Popen[str]], run_as_user: Run,
        host_sound: HostSound, audio_profile: str, user_tmp: Path, launcher_user: Any,
        finish_launcher: Callable[..., tuple[int, str, str]]) -> None:
    shared = user_tmp / "shared"
    shared.mkdir()
    if launcher_user.switch:
        os.chown(shared, launcher_user.uid, launcher_user.gid)
    report = user_tmp / "r.json"
    steps = ["rec", "stop", "rec", "stop", "rec", "quit"]
    proc = spawn_launcher(["run", audio_profile, "--share", f"{shared}:rw", "--report",
                           str(report), "--", SYSTEM_PYTHON, "-c", MIC_CLIENT, *steps],
                          env_extra=host_sound.env)

    def step(n: int, then_wait: float) -> None:
        (shared / f"go-{n}").touch()
        deadline = time.monotonic() + 30
        while not (shared / f"done-{n}").exists():
            assert proc.poll() is None and time.monotonic() < deadline, f"step {n}"
            time.sleep(0.02)
        time.sleep(then_wait)

    deadline = time.monotonic() + 30
    while len(host_sound.pactl(run_as_user, "list", "short", "sink-inputs").splitlines()) < 1:
        assert proc.poll() is None and time.monotonic() < deadline, "the speakers forwarder"
        time.sleep(0.05)
    step(0, 3.0)  # muted, recording: not in use
    step(1, 0.0)
    os.kill(proc.pid, signal.SIGUSR1)  # on, not recording: not in use
    time.sleep(3.0)
    step(2, 4.0)  # on and recording: in use
    step(3, 3.0)  # on, stopped recording: not in use
    step(4, 4.0)  # in use again…
    os.kill(proc.pid, signal.SIGUSR2)  # …until muted, though it still records
    time.sleep(3.0)
    step(5, 0.0)
    status, _stdout, stderr = finish_launcher(proc)
    assert status == 0, stderr

    mic = [line.removeprefix("sandbox-launcher: ") for line in stderr.splitlines()
           if line.startswith("sandbox-launcher: microphone ")]
    states = [line.split(";")[0] for line in mic]
    assert states == ["microphone muted", "microphone ON", "microphone in use",
                      "microphone not in use", "microphone in use", "microphone muted",
                      "microphone not in use"], stderr
    usage = json.loads(report.read_text())["devices"]["usage"]
    first, second = usage["microphone"]
    assert abs(first["seconds"] - 4.0) <= SNAPSHOT_S + 0.5, first
    # The second ends when the microphone is muted, not at the next snapshot.
    assert abs(second["seconds"] - 4.0) <= SNAPSHOT_S + 0.5, second
    assert _epoch(second["to"]) < json.loads(report.read_text())["ended"] - 2.0
    assert usage["totals_s"]["microphone"] == pytest.approx(
        first["seconds"] + second["seconds"], abs=0.01)
