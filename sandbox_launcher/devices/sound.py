"""One session's own PulseAudio server, and the forwarders the launcher switches.

The server runs confined (bwrap: no network, read-only system, only its own folder
writable) with ``-n`` and a fixed script: a ``speakers`` null sink, a ``mic_feed`` null
sink whose monitor is remapped as the ``microphone`` source, and two native-protocol
sockets: ``client`` (bound into the sandbox) and ``admin`` (the launcher's, never bound).
``--disallow-module-loading`` stops the client loading *or unloading* modules, so it
cannot point the server at the host's sound server, files or the network.

Forwarders are ``pacat`` pairs run by the launcher outside the sandbox, joined by a relay
thread of the launcher's that drops what the player has no room for (``devices.relay``):

- speakers: record ``speakers.monitor`` from the session server, play on the host's;
- microphone: record the host's default source, play into ``mic_feed``. It runs only
  while the microphone is on; muting stops it, so the host has no recording stream and
  the client's ``microphone`` carries silence whatever the client sets on its server.
"""

from __future__ import annotations

import contextlib
import os
import shutil
import socket
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from ..core import proc
from ..core.check import Check
from ..core.devices import AudioGrant
from ..core.errors import LauncherError, SessionError
from .helper import Helper, start
from .relay import Relay
from .usage import recording_streams

_PURPOSE = "to give the sandbox a sound server of its own"
START_SECONDS = 10.0
RATE = "48000"
#: Short buffers: a meeting needs low latency more than it fears a rare underrun.
RECORD_LATENCY_MS = "20"
#: 40 ms, not 60: the relay bounds the delay a backlog adds (devices.relay); 20 and 30
#: underran on a loaded 2-core machine (tests/integration/test_audio.py's tones).
PLAY_LATENCY_MS = "40"
#: Top-level paths that merged-/usr systems keep as symlinks into /usr.
_USR_LINKS = ("bin", "sbin", "lib", "lib32", "lib64", "libx32")

SCRIPT = """\
load-module module-null-sink sink_name=speakers rate={rate} \
sink_properties=device.description=Speakers
load-module module-null-sink sink_name=mic_feed rate={rate} channels=1 \
sink_properties=device.description=Microphone-feed
load-module module-remap-source source_name=microphone master=mic_feed.monitor \
source_properties=device.description=Microphone
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


def _confined(bwrap: str, folder: Path, argv: list[str]) -> list[str]:
    """*argv* under bwrap: every namespace new, host system read-only, *folder* writable.

    A neutral host name, and the folder at :data:`INSIDE`: the client reads both from
    the server (``pactl info``, ``pactl list modules``).
    """
    out = [bwrap, "--unshare-all", "--die-with-parent", "--new-session", "--cap-drop", "ALL",
           "--hostname", "sandbox", "--ro-bind", "/usr", "/usr"]
    for name in _USR_LINKS:
        path = Path("/") / name
        if path.is_symlink():
            out += ["--symlink", os.readlink(path), f"/{name}"]
        elif path.is_dir():
            out += ["--ro-bind", f"/{name}", f"/{name}"]
    out += ["--ro-bind", "/etc", "/etc", "--dev", "/dev", "--proc", "/proc",
            "--tmpfs", "/tmp", "--tmpfs", "/run", "--bind", str(folder), INSIDE,
            # Named on the command line for wipe --stale (see devices.stale).
            "--setenv", "SANDBOX_LAUNCHER_STATE", str(folder), "--", *argv]
    return out


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
    """A ``pacat --record | pacat --playback`` pair."""

    record: Helper
    play: Helper
    relay: Relay

    def stop(self) -> bool:
        """Stop both and the relay between them; True once both are reaped."""
        stopped = all([self.play.stop(), self.record.stop()])
        self.relay.stop()
        return stopped

    def running(self) -> bool:
        """Whether both still run (the client can kill its side's stream)."""
        return (self.record.process.poll() is None and self.play.process.poll() is None
                and self.relay.alive())


@dataclass
class SoundServer:
    """The running sound of one session."""

    grant: AudioGrant
    folder: Path
    tag: str
    server: Helper | None = None
    speakers: Forwarder | None = None
    mic: Forwarder | None = None
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
                sound.speakers = sound._forward(
                    "speakers", ["--server", sound.admin, "--device", "speakers.monitor"],
                    ["--server", grant.host_server], channels="2")
            sound._started = time.monotonic()
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
        (self.folder / "session.pa").write_text(SCRIPT.format(rate=RATE, dir=INSIDE),
                                                encoding="utf-8")
        argv = [pulseaudio, "-n", "--daemonize=no", "--use-pid-file=no", "--system=no",
                "--exit-idle-time=-1", "--disallow-module-loading", "--disallow-exit",
                "--disable-shm", "--high-priority=no", "--realtime=no",
                "--log-target=stderr", "--log-level=warning", "-F", f"{INSIDE}/session.pa"]
        self.server = start("pulseaudio", _confined(bwrap, self.folder, argv), workdir,
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

    def _forward(self, name: str, source: list[str], sink: list[str],
                 channels: str) -> Forwarder:
        env = {"PATH": "/usr/bin:/bin", "LANG": "C.UTF-8", **dict(self.grant.host_env)}
        # Two pipes with a relay between them rather than one: see devices.relay.
        from_record = os.pipe2(os.O_CLOEXEC)
        to_play = os.pipe2(os.O_CLOEXEC)
        relay = Relay(from_record[0], to_play[1], frame=2 * int(channels), rate=int(RATE))
        workdir = self.folder.parent
        try:
            record = start(f"{name}-record",
                           self._pacat(name, "--record", source, channels, RECORD_LATENCY_MS),
                           workdir, env=env, stdout=from_record[1])
            try:
                play = start(f"{name}-play",
                             self._pacat(name, "--playback", sink, channels, PLAY_LATENCY_MS),
                             workdir, env=env, stdin=to_play[0])
            except BaseException:
                record.stop()
                raise
        except BaseException:
            relay.stop()  # closes the relay's own ends
            raise
        finally:
            os.close(from_record[1])
            os.close(to_play[0])
        relay.start()
        return Forwarder(record, play, relay)

    def set_mic(self, muted: bool) -> bool:
        """Switch the microphone; returns whether it is muted now.

        Unmuting when the grant does not allow the microphone leaves it muted.
        """
        if muted and self.mic is not None:
            self.stopped[f"mic#{len(self.stopped)}"] = self.mic.stop()
            self.mic = None
        elif not muted and self.grant.mic_allowed:
            if self.mic is not None and not self.mic.running():
                self.stopped[f"mic#{len(self.stopped)}"] = self.mic.stop()
                self.mic = None  # the client killed its stream: start a new one
            if self.mic is None:
                self.mic = self._forward("microphone", ["--server", self.grant.host_server],
                                         ["--server", self.admin, "--device", "mic_feed"],
                                         channels="1")
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
