"""The meeting benchmark's host: X server, sound server, session bus, and what listens.

Everything here runs as the benchmark user in the fake internet's host namespace, as a
desktop would: an Xvfb (the host screen), a real PulseAudio (a null sink as speakers,
another null sink whose monitor is the default source: the microphone), a session
D-Bus. Threads play impulses into the microphone, find the impulses that reach the
speakers, and count the frames drawn on the host screen (X DAMAGE on the root window,
one report per damaged rectangle: the pixels drawn, not the number of drawing requests).
"""

from __future__ import annotations

import contextlib
import os
import secrets
import select
import socket
import subprocess
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path

from meeting_client import real_time, write
from meeting_stats import OnsetFinder

RATE = 48000
PERIOD = 1.0  # seconds between microphone impulses (as the client: see there)
BLOCK = 240  # frames per write: 5 ms
IMPULSE = (24000).to_bytes(2, "little", signed=True) * 48
PACAT = ["pacat", "--raw", "--format=s16le", f"--rate={RATE}", "--channels=1",
         "--latency-msec=10"]
#: The video's size: the stand-ins draw it, the nested display is this size too.
FRAME_AREA = 1280 * 720
START_SECONDS = 20.0

HOST_PA = """\
load-module module-native-protocol-unix socket={dir}/native auth-anonymous=1
load-module module-null-sink sink_name=host_speakers rate=48000
load-module module-null-sink sink_name=host_mic_feed rate=48000 channels=1
set-default-sink host_speakers
set-default-source host_mic_feed.monitor
"""


def _wait_socket(path: Path, proc: subprocess.Popen[bytes], what: str) -> None:
    deadline = time.monotonic() + START_SECONDS
    while True:
        with socket.socket(socket.AF_UNIX) as probe, contextlib.suppress(OSError):
            probe.connect(str(path))
            return
        if proc.poll() is not None or time.monotonic() > deadline:
            raise RuntimeError(f"{what} did not start (exit {proc.poll()})")
        time.sleep(0.05)


@dataclass
class Host:
    """The desktop the sessions run on; :meth:`close` stops all of it."""

    work: Path
    procs: list[subprocess.Popen[bytes]] = field(default_factory=list)
    env: dict[str, str] = field(default_factory=dict)
    xvfb_pid: int = 0

    def start(self) -> None:
        """Xvfb, PulseAudio, dbus-daemon; :attr:`env` then names them."""
        base = {"PATH": "/usr/bin:/bin", "LANG": "C.UTF-8", "HOME": os.environ["HOME"],
                "XDG_RUNTIME_DIR": os.environ["XDG_RUNTIME_DIR"]}
        # A number of our own, not -displayfd's lowest free one: in a fresh network
        # namespace every abstract X socket looks free, and another user's files of
        # display 0 (/tmp/server-0.xkm) make Xvfb fail there.
        for _ in range(5):
            number = str(secrets.randbelow(800) + 100)
            xvfb = subprocess.Popen(["Xvfb", f":{number}", "-screen", "0", "1920x1080x24",
                                     "-nolisten", "tcp"], env=base,
                                    stderr=subprocess.DEVNULL)
            socket_path = Path(f"/tmp/.X11-unix/X{number}")
            deadline = time.monotonic() + START_SECONDS
            while xvfb.poll() is None and not socket_path.exists() \
                    and time.monotonic() < deadline:
                time.sleep(0.05)
            if xvfb.poll() is None and socket_path.exists():
                break
            xvfb.kill()
            xvfb.wait(10)
        else:
            raise RuntimeError("Xvfb did not start")
        self.procs.append(xvfb)
        self.xvfb_pid = xvfb.pid
        pulse = self.work / "pulse"
        (pulse / "run").mkdir(parents=True)
        (pulse / "host.pa").write_text(HOST_PA.format(dir=pulse), encoding="utf-8")
        server = subprocess.Popen(
            ["pulseaudio", "-n", "--daemonize=no", "--use-pid-file=no", "--exit-idle-time=-1",
             "--disallow-exit", "-F", str(pulse / "host.pa")],
            env={**base, "PULSE_RUNTIME_PATH": str(pulse / "run")},
            stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        self.procs.append(server)
        _wait_socket(pulse / "native", server, "the host's PulseAudio")
        bus = self.work / "bus"
        dbus = subprocess.Popen(["dbus-daemon", "--session", "--nofork", "--nopidfile",
                                 f"--address=unix:path={bus}"], env=base,
                                stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL)
        self.procs.append(dbus)
        _wait_socket(bus, dbus, "the session bus")
        self.env = {**base, "DISPLAY": f":{number}", "PULSE_SERVER": f"unix:{pulse}/native",
                    "DBUS_SESSION_BUS_ADDRESS": f"unix:path={bus}"}

    def close(self) -> None:
        """Stop every server, newest first."""
        for proc in reversed(self.procs):
            proc.terminate()
            try:
                proc.wait(10)
            except subprocess.TimeoutExpired:
                proc.kill()
                proc.wait(10)


@dataclass
class Listener:
    """Threads on the host: microphone impulses out, speaker impulses and frames in."""

    env: dict[str, str]
    mic_emitted: list[float] = field(default_factory=list)
    speaker_heard: list[float] = field(default_factory=list)
    damage: list[tuple[float, int]] = field(default_factory=list)  # (time, pixels)
    _stop: threading.Event = field(default_factory=threading.Event)
    _threads: list[threading.Thread] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)

    def start(self) -> None:
        """Start the three threads."""
        for job in (self._play_mic, self._record_speakers, self._count_frames):
            thread = threading.Thread(target=self._guard, args=(job,), daemon=True)
            thread.start()
            self._threads.append(thread)

    def stop(self) -> None:
        """Stop and join the threads; raise if one failed."""
        self._stop.set()
        for thread in self._threads:
            thread.join(10)
        if self.errors:
            raise RuntimeError("; ".join(self.errors))

    def _guard(self, job: object) -> None:
        try:
            job()  # type: ignore[operator]
        except Exception as exc:  # reported by stop(): a thread cannot raise to us
            self.errors.append(f"{getattr(job, '__name__', job)}: {exc!r}")

    def _play_mic(self) -> None:
        player = subprocess.Popen([*PACAT, "--playback", "--device=host_mic_feed"],
                                  stdin=subprocess.PIPE, env=self.env)
        assert player.stdin is not None
        real_time(player.stdin.fileno())
        silence = bytes(BLOCK * 2)
        loud = IMPULSE + silence[len(IMPULSE):]
        start = time.monotonic()
        next_impulse = start + PERIOD
        block = 0
        try:
            while not self._stop.is_set():
                # Paced by the clock: a pipe would otherwise queue 0.7 s of sound.
                if (wait := start + block * BLOCK / RATE - time.monotonic()) > 0:
                    time.sleep(wait)
                now = time.monotonic()
                if now >= next_impulse and write(player.stdin.fileno(), loud):
                    self.mic_emitted.append(now)
                    next_impulse = max(next_impulse + PERIOD, now + PERIOD / 2)  # no catch-up burst
                else:
                    write(player.stdin.fileno(), silence)
                block += 1
        finally:
            player.kill()
            player.wait()

    def _record_speakers(self) -> None:
        finder = OnsetFinder(RATE)
        rec = subprocess.Popen([*PACAT, "--record", "--device=host_speakers.monitor"],
                               stdout=subprocess.PIPE, env=self.env)
        assert rec.stdout is not None
        try:
            while not self._stop.is_set():
                ready, _, _ = select.select([rec.stdout], [], [], 0.2)
                if ready:
                    chunk = os.read(rec.stdout.fileno(), 4096)
                    if not chunk:
                        raise RuntimeError("the speaker recorder ended")
                    self.speaker_heard.extend(finder.feed(chunk, time.monotonic()))
        finally:
            rec.kill()
            rec.wait()
            rec.stdout.close()

    def _count_frames(self) -> None:
        from Xlib import display
        from Xlib.ext import damage

        screen = display.Display(self.env["DISPLAY"])
        try:
            screen.damage_query_version()
            # Raw rectangles: every drawing's area, reported without our asking again.
            # (NonEmpty, re-armed after each report, made how many reports a frame gave
            # depend on this thread's timing against the strips of a cut-up frame.)
            screen.screen().root.damage_create(damage.DamageReportRawRectangles)
            while not self._stop.is_set():
                ready, _, _ = select.select([screen.fileno()], [], [], 0.2)
                if not ready and not screen.pending_events():
                    continue
                while screen.pending_events():
                    area = screen.next_event().area
                    self.damage.append((time.monotonic(), area.width * area.height))
        finally:
            screen.close()

    def frames(self, began: float, ended: float) -> tuple[float, int]:
        """Whole frames' worth of pixels drawn on the host screen between two times, and
        the damage reports they came in."""
        from meeting_stats import whole_frames

        areas = [a for t, a in self.damage if began <= t <= ended]
        return whole_frames(areas, FRAME_AREA), len(areas)
