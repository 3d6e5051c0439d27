"""The host's sound server for the audio tests: a real PulseAudio of the test user's.

Imported at the bottom of ``conftest.py`` (one line), like ``conftest_net``: its fixture
is the suite's, so the audio, jail and stale-wipe tests share one definition.
"""

from __future__ import annotations

import array
import contextlib
import itertools
import math
import os
import shutil
import socket
import subprocess
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from conftest import as_user_argv, stop_process, user_environment
from conftest_net import write_user_profile

__all__ = ["MIC_HZ", "RATE", "HostSound", "audio_profile", "host_sound", "pitch", "rms", "samples"]

Run = Callable[..., subprocess.CompletedProcess[str]]
RATE = 48000
#: The host microphone's tone (a sine source).
MIC_HZ = 440

HOST_SCRIPT = """\
load-module module-native-protocol-unix socket={dir}/native auth-anonymous=1
load-module module-null-sink sink_name=host_speakers rate=48000
load-module module-sine-source source_name=host_mic rate=48000 frequency={mic_hz}
set-default-sink host_speakers
set-default-source host_mic
"""

@dataclass(frozen=True)
class HostSound:
    """The host's sound server the launcher forwards to."""

    server: str  # unix:PATH
    env: dict[str, str]

    def pactl(self, run_as_user: Run, *args: str) -> str:
        done = run_as_user(["pactl", f"--server={self.server}", *args], timeout=30)
        assert done.returncode == 0, done.stderr
        return done.stdout

    def recording_streams(self, run_as_user: Run) -> list[str]:
        """The host's recording streams (the launcher's microphone forwarder is one)."""
        return self.pactl(run_as_user, "list", "short", "source-outputs").splitlines()


def _need(*tools: str) -> None:
    missing = [t for t in tools if shutil.which(t) is None]
    if missing:
        pytest.skip(f"needs {', '.join(missing)} (scripts/setup.sh)")


@pytest.fixture
def host_sound(launcher_user: Any, user_tmp: Path) -> Iterator[HostSound]:
    """A real PulseAudio of the test user's: null sink speakers, a 440 Hz microphone."""
    _need("pulseaudio", "pactl", "pacat")
    folder = user_tmp / "host-pulse"
    folder.mkdir()
    (folder / "run").mkdir()
    script = folder / "host.pa"
    script.write_text(HOST_SCRIPT.format(dir=folder, mic_hz=MIC_HZ))
    for path in (folder, folder / "run", script):
        if launcher_user.switch:
            os.chown(path, launcher_user.uid, launcher_user.gid)
    env = user_environment(launcher_user, env_extra={"PULSE_RUNTIME_PATH": str(folder / "run")})
    log = open(folder / "host.log", "wb")  # noqa: SIM115 - closed once the child has it
    server = subprocess.Popen(
        as_user_argv(launcher_user, ["pulseaudio", "-n", "--daemonize=no", "--use-pid-file=no",
                                     "--exit-idle-time=-1", "--disallow-exit", "-F",
                                     str(script)]),
        env=env, stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL, stderr=log)
    log.close()
    try:
        deadline = time.monotonic() + 20
        while True:
            with socket.socket(socket.AF_UNIX) as probe, contextlib.suppress(OSError):
                probe.connect(str(folder / "native"))
                break
            assert server.poll() is None and time.monotonic() < deadline, (
                (folder / "host.log").read_text(errors="replace"))
            time.sleep(0.05)
        yield HostSound(f"unix:{folder}/native", {"PULSE_SERVER": f"unix:{folder}/native"})
    finally:
        stop_process(server)


def samples(raw: bytes, channels: int = 1) -> array.array[int]:
    data = array.array("h", raw[: len(raw) // 2 * 2])
    return data[::channels]


def rms(samples: array.array[int]) -> float:
    """Loudness of a recording, skipping its first quarter (buffers filling)."""
    part = samples[len(samples) // 4:]
    return math.sqrt(sum(x * x for x in part) / max(1, len(part)))


def pitch(samples: array.array[int]) -> float:
    """The frequency of a pure tone from its zero crossings."""
    part = samples[len(samples) // 4:]
    crossings = sum(1 for a, b in itertools.pairwise(part) if (a < 0) != (b < 0))
    return crossings / 2 / (len(part) / RATE)


@pytest.fixture
def audio_profile(launcher_user: Any) -> Iterator[str]:
    """A user profile with speakers and no display or network, for the sound tests."""
    path = write_user_profile(launcher_user, "slaudio",
                              "[network]\nmode = 'none'\n[devices]\ndisplay = 'none'\n"
                              "speakers = true\n")
    yield "slaudio"
    path.unlink(missing_ok=True)
