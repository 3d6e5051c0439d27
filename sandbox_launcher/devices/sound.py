"""One session's own PulseAudio server, and the forwarders the launcher switches.

The server runs confined (bwrap: no network, read-only system, only its own folder
writable) with ``-n`` and a fixed script: ``speakers``, a pipe sink that writes what the
client plays into ``speakers.fifo`` on the system clock; ``microphone``, a pipe source
that posts what is written into ``mic.fifo`` the moment it is written;
``module-suspend-on-idle``, so that a sink nobody plays to renders nothing (no wakeups
while the session idles; a new stream resumes it and loses nothing); and two
native-protocol sockets: ``client`` (bound into the sandbox) and ``admin`` (the
launcher's, never bound). The FIFOs stay in the server's folder, which the sandbox never
sees (only the ``client`` socket is bound there). ``--disallow-module-loading`` stops
the client loading *or unloading* modules, so it cannot point the server at the host's
sound server, files or the network.

Forwarders are one ``pacat`` on the host's server and a relay thread of the launcher's
between it and a FIFO (``devices.relay``: it drops what the reader has no room for):

- speakers: ``speakers.fifo`` -> relay -> ``pacat --playback`` on the host. It runs for
  the whole session and costs nothing while the sink is suspended (no data, no wakeup).
- microphone: the host's default source -> ``pacat --record`` -> relay -> ``mic.fifo``.
  It runs only while the microphone is on; muting stops it, so the host has no recording
  stream, and a thread writes silence into the FIFO instead (``devices.silence``): the
  client's ``microphone`` carries silence whatever the client sets on its server.

No stream of the launcher's is on the session's server, so the client sees none of the
launcher's names, paths or processes there.
"""

from __future__ import annotations

import contextlib
import os
import shutil
import socket
import stat
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from ..core import proc
from ..core.check import Check
from ..core.devices import AudioGrant
from ..core.errors import LauncherError, SessionError
from .helper import Helper, confined, start
from .relay import Relay
from .silence import SilenceFeed
from .usage import recording_streams

_PURPOSE = "to give the sandbox a sound server of its own"
START_SECONDS = 10.0
RATE = "48000"
#: Short buffers: a meeting needs low latency more than it fears a rare underrun.
RECORD_LATENCY_MS = "20"
#: 40 ms, not 60: the relay bounds the delay a backlog adds (devices.relay); 20 and 30
#: underran on a loaded 2-core machine (tests/integration/test_audio.py's tones).
PLAY_LATENCY_MS = "40"

#: The FIFOs in the server's folder (created by the modules that use them).
SPEAKERS_FIFO = "speakers.fifo"
MIC_FIFO = "mic.fifo"
#: Seconds a sink or source stays idle before it is suspended: none. An idle pipe sink
#: renders silence into its FIFO in real time, which the relay then holds in front of
#: the next stream's start; suspended, it renders nothing, and a new stream resumes it
#: before its first sample (tests/integration/test_audio.py plays a first sound).
SUSPEND_IDLE_S = 0

SCRIPT = """\
load-module module-pipe-sink sink_name=speakers file={dir}/{speakers} format=s16le \
rate={rate} channels=2 use_system_clock_for_timing=yes \
sink_properties=device.description=Speakers
load-module module-pipe-source source_name=microphone file={dir}/{mic} format=s16le \
rate={rate} channels=1 source_properties=device.description=Microphone
load-module module-suspend-on-idle timeout={idle}
set-default-sink speakers
set-default-source microphone
load-module module-native-protocol-unix socket={dir}/client auth-anonymous=1 \
auth-cookie-enabled=0
load-module module-native-protocol-unix socket={dir}/admin auth-anonymous=1 \
auth-cookie-enabled=0
"""


#: Where the server sees its folder: the client can ask the server for its module
#: arguments, which must not name the user's runtime dir or the session's id.
INSIDE = "/run/sound"


def _server_env() -> dict[str, str]:
    # Nothing of the user's session: no D-Bus (no rtkit, no name on the user's bus), no
    # home (no cookie, no state files), no display; the sandbox's user name, not the
    # user's (the server tells clients who runs it).
    return {"PATH": "/usr/bin:/bin", "LANG": "C.UTF-8", "HOME": INSIDE, "USER": "user",
            "LOGNAME": "user", "PULSE_RUNTIME_PATH": f"{INSIDE}/run",
            "PULSE_STATE_PATH": f"{INSIDE}/run",
            "DBUS_SESSION_BUS_ADDRESS": "unix:path=/nonexistent",
            "DBUS_SYSTEM_BUS_ADDRESS": "unix:path=/nonexistent"}


def _wait_listening(helper: Helper, path: Path, timeout: float) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline and helper.process.poll() is None:
        with socket.socket(socket.AF_UNIX, socket.SOCK_STREAM) as probe, \
                contextlib.suppress(OSError):
            probe.connect(str(path))
            return
        time.sleep(0.02)
    helper.stop()
    raise SessionError(f"the session's sound server did not start (exit status "
                       f"{helper.process.poll()})", "see the details for its error output",
                       details=helper.log_tail())


@dataclass
class Forwarder:
    """One ``pacat`` on the host's server and the relay joining it to a session FIFO."""

    pacat: Helper
    relay: Relay

    def stop(self) -> bool:
        """Stop the ``pacat`` and the relay; True once the ``pacat`` is reaped."""
        stopped = self.pacat.stop()
        self.relay.stop()
        return stopped

    def running(self) -> bool:
        """Whether both still run (the ``pacat`` ends when the host's server goes)."""
        return self.pacat.process.poll() is None and self.relay.alive()


@dataclass
class SoundServer:
    """The running sound of one session."""

    grant: AudioGrant
    folder: Path
    tag: str
    server: Helper | None = None
    speakers: Forwarder | None = None
    mic: Forwarder | None = None
    #: Writes silence into the microphone's FIFO while it is muted.
    silence: SilenceFeed | None = None
    #: Every forwarder ever started, so that stop() can report on them all.
    stopped: dict[str, bool] = field(default_factory=dict)
    changes: list[dict[str, Any]] = field(default_factory=list)
    _started: float = 0.0
    _sources: str = ""  # the server's sources, as pactl lists them

    @property
    def client_socket(self) -> Path:
        """The socket the sandbox gets at ``$XDG_RUNTIME_DIR/pulse/native``."""
        return self.folder / "client"

    @property
    def admin(self) -> str:
        """The launcher's own server address, never bound into the sandbox."""
        return f"unix:{self.folder}/admin"

    @property
    def alive(self) -> bool:
        """Whether the session's server still runs (a microphone can be switched on)."""
        return self.server is not None and self.server.process.poll() is None

    @property
    def muted(self) -> bool:
        """Whether the microphone is off (nothing is recorded from the host)."""
        return self.mic is None

    @classmethod
    def start(cls, grant: AudioGrant, workdir: Path, tag: str) -> SoundServer:
        """Start the server and the speakers (and the microphone when on at the start)."""
        folder = workdir / "pulse"
        folder.mkdir(mode=0o700)
        (folder / "run").mkdir(mode=0o700)
        sound = cls(grant, folder, tag)
        try:
            sound._start_server(workdir)
            if grant.speakers:
                sound.speakers = sound._forward_speakers()
            sound._started = time.monotonic()
            sound._feed_silence(required=True)
            if grant.mic_at_start:
                sound.set_mic(False)
            else:
                sound.changes.append({"at_s": 0.0, "muted": True})
        except BaseException:
            sound.stop()
            raise
        return sound

    def _start_server(self, workdir: Path) -> None:
        pulseaudio = proc.which("pulseaudio", _PURPOSE)
        bwrap = proc.which("bwrap", _PURPOSE)
        script = SCRIPT.format(rate=RATE, dir=INSIDE, speakers=SPEAKERS_FIFO, mic=MIC_FIFO,
                               idle=SUSPEND_IDLE_S)
        (self.folder / "session.pa").write_text(script, encoding="utf-8")
        argv = [pulseaudio, "-n", "--daemonize=no", "--use-pid-file=no", "--system=no",
                "--exit-idle-time=-1", "--disallow-module-loading", "--disallow-exit",
                "--disable-shm", "--high-priority=no", "--realtime=no",
                "--log-target=stderr", "--log-level=warning", "-F", f"{INSIDE}/session.pa"]
        self.server = start("pulseaudio", confined(bwrap, self.folder, INSIDE, argv), workdir,
                            env=_server_env())
        _wait_listening(self.server, self.folder / "admin", START_SECONDS)

    def _pacat(self, name: str, mode: str, server: list[str], channels: str,
               latency: str) -> list[str]:
        pacat = proc.which("pacat", _PURPOSE)
        return [pacat, mode, *server, "--raw", "--format=s16le", f"--rate={RATE}",
                f"--channels={channels}", f"--latency-msec={latency}",
                f"--client-name=sandbox-launcher {self.tag}", f"--stream-name={name}",
                # The session's folder in every command line: wipe --stale finds
                # forwarders that outlived a killed launcher by it.
                f"--property=sandbox_launcher.state={self.folder}"]

    def _fifo(self, name: str, flags: int) -> int:
        """Open the server's FIFO *name* (non-blocking: the server holds both ends, so
        neither open nor I/O waits for a peer)."""
        try:
            fd = os.open(self.folder / name,
                         flags | os.O_NONBLOCK | os.O_CLOEXEC | os.O_NOFOLLOW)
        except OSError as exc:  # ENXIO: no reader, the server is gone
            raise SessionError(f"the session's sound server has no {name} ({exc.strerror})",
                               "it has stopped; the session goes on without sound") from exc
        if not stat.S_ISFIFO(os.fstat(fd).st_mode):
            os.close(fd)
            raise SessionError(f"the session's sound server made no FIFO {name}",
                               "its folder holds something else: report this")
        return fd

    def _host_env(self) -> dict[str, str]:
        return {"PATH": "/usr/bin:/bin", "LANG": "C.UTF-8", **dict(self.grant.host_env)}

    def _forward_speakers(self) -> Forwarder:
        """``speakers.fifo`` -> relay -> ``pacat --playback`` on the host's server."""
        source = self._fifo(SPEAKERS_FIFO, os.O_RDONLY)
        os.set_blocking(source, True)  # the relay selects before it reads
        to_play = os.pipe2(os.O_CLOEXEC)
        relay = Relay(source, to_play[1], frame=4, rate=int(RATE))
        try:
            play = start("speakers-play",
                         self._pacat("speakers", "--playback",
                                     ["--server", self.grant.host_server], "2",
                                     PLAY_LATENCY_MS),
                         self.folder.parent, env=self._host_env(), stdin=to_play[0])
        except BaseException:
            relay.stop()  # closes the relay's own ends
            raise
        finally:
            os.close(to_play[0])
        relay.start()
        return Forwarder(play, relay)

    def _forward_mic(self) -> Forwarder:
        """The host's default source -> ``pacat --record`` -> relay -> ``mic.fifo``."""
        sink = self._fifo(MIC_FIFO, os.O_WRONLY)
        from_record = os.pipe2(os.O_CLOEXEC)
        relay = Relay(from_record[0], sink, frame=2, rate=int(RATE))
        try:
            record = start("microphone-record",
                           self._pacat("microphone", "--record",
                                       ["--server", self.grant.host_server], "1",
                                       RECORD_LATENCY_MS),
                           self.folder.parent, env=self._host_env(), stdout=from_record[1])
        except BaseException:
            relay.stop()
            raise
        finally:
            os.close(from_record[1])
        relay.start()
        return Forwarder(record, relay)

    def _feed_silence(self, *, required: bool = False) -> None:
        """Give a muted microphone silence; *required* at the start, later a server that
        is gone has nobody to give it to (its killed pipe source left the FIFO readerless).
        """
        try:
            fd = self._fifo(MIC_FIFO, os.O_WRONLY)
        except SessionError:
            if required:
                raise
            return
        self.silence = SilenceFeed(fd, frame=2, rate=int(RATE))
        self.silence.start()

    def _stop_silence(self) -> None:
        if self.silence is not None:
            self.silence.stop()
            self.silence = None

    def set_mic(self, muted: bool) -> bool:
        """Switch the microphone; returns whether it is muted now.

        Unmuting when the grant does not allow the microphone leaves it muted.
        """
        if muted and self.mic is not None:
            self.stopped[f"mic#{len(self.stopped)}"] = self.mic.stop()
            self.mic = None
            self._feed_silence()
        elif not muted and self.grant.mic_allowed:
            if self.mic is not None and not self.mic.running():
                self.stopped[f"mic#{len(self.stopped)}"] = self.mic.stop()
                self.mic = None  # it ended (the host's server went): start a new one
            if self.mic is None:
                # One writer at a time: two would interleave their pieces (time stretched).
                self._stop_silence()
                try:
                    self.mic = self._forward_mic()
                except BaseException:
                    self._feed_silence()
                    raise
        else:
            return self.muted
        self.changes.append({"at_s": round(time.monotonic() - self._started, 3),
                             "muted": self.muted})
        return self.muted

    def recording(self) -> bool:
        """Whether a client of the session's server records the microphone now.

        Asks the server over the launcher's own socket (``pactl``, a few ms of CPU): call
        it only while the microphone is on, when the answer matters.
        """
        if self.server is None or self.server.process.poll() is not None:
            return False
        env = {"PATH": "/usr/bin:/bin", "LANG": "C.UTF-8", "HOME": str(self.folder)}
        try:
            argv = [proc.which("pactl", _PURPOSE), f"--server={self.admin}", "-f", "json",
                    "list"]
            if not self._sources:  # fixed for the session: the client cannot load modules
                self._sources = proc.run([*argv, "short", "sources"], timeout=5,
                                         env=env).stdout
            outputs = proc.run([*argv, "source-outputs"], timeout=5, env=env).stdout
        except LauncherError:  # the server is going away, or pactl is missing
            return False
        return recording_streams(self._sources, outputs) > 0

    def stop(self) -> dict[str, Any]:
        """Stop forwarders and server, remove the folder; the report's ``audio`` object."""
        for name, forwarder in (("microphone", self.mic), ("speakers", self.speakers)):
            if forwarder is not None:
                self.stopped[name] = forwarder.stop()
        self.mic = self.speakers = None
        self._stop_silence()
        if self.server is not None:
            self.stopped["server"] = self.server.stop()
        shutil.rmtree(self.folder, ignore_errors=True)
        alive = sorted(name for name, ok in self.stopped.items() if not ok)
        checks = [Check("sound server stopped", not alive,
                        f"still running: {alive}" if alive else
                        "the session's PulseAudio and its forwarders are stopped"),
                  Check("sound sockets removed", not self.folder.exists(),
                        f"{self.folder} still exists" if self.folder.exists() else
                        f"{self.folder} removed")]
        return {"speakers": self.grant.speakers, "mic_changes": self.changes,
                "checks": checks}
