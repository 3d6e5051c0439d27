"""The guest agent of sandbox-launcher: PID 1 of a disposable guest.

At boot it sets up what the host gave the VM (kernel command line ``slt.*``): the
network, the sound card's capture, the share folder (9p, at the namespace session's
path) and, with a display, udevd and Xorg on vt1 (the client then gets ``DISPLAY=:0``).
It opens its virtio-serial port, says hello, and runs what the host asks: one command
at a time (argv + env, optionally a meeting link appended), streaming its output and
then its exit status back. Before the command, the host may seed the guest home from a
tar (``seed``: the sign-in vault, verify's probe); after it, ask for named home paths
back (``capture``). A second port takes joins: ``spawn`` starts one more command (a
meeting link handed to the running session) with the client's environment.
Protocol: JSON lines, version 1, every line at most MAX_LINE bytes; the host validates
everything it receives (it treats the guest as hostile), the agent validates what it
runs (a malformed request gets an ``error``).

Standard library only, Python 3.11, runs with ``-I -S``.
"""

from __future__ import annotations

import base64
import binascii
import contextlib
import ctypes
import json
import os
import select
import signal
import subprocess
import sys
import time
from typing import Any

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))  # -I leaves it out
import slt_home
from slt_guest import kernel_args, log, setup_devices, setup_network, wait_for_x

PROTOCOL_VERSION = 1
AGENT_VERSION = 2
PORT_NAME = "org.sandbox_launcher.agent.0"
JOIN_PORT_NAME = "org.sandbox_launcher.join.0"
MAX_LINE = 65536
CHUNK = 8192
#: Raw bytes per ``archive`` message (base64 keeps the line below MAX_LINE).
ARCHIVE_CHUNK = 32768
HOME = "/root"
#: After the command exits, how long its output pipes may stay open (a daemon it left).
DRAIN_GRACE = 0.5
_RB_POWER_OFF = 0x4321FEDC


def power_off() -> None:
    os.sync()
    ctypes.CDLL(None, use_errno=True).reboot(_RB_POWER_OFF)


def find_port(name: str = PORT_NAME, timeout: float = 20.0) -> str:
    """The /dev node of a virtio-serial port of ours (no udev here: ask sysfs)."""
    deadline = time.monotonic() + timeout
    while True:
        try:
            for entry in os.listdir("/sys/class/virtio-ports"):
                with open(f"/sys/class/virtio-ports/{entry}/name", encoding="ascii") as f:
                    if f.read().strip() == name:
                        return f"/dev/{entry}"
        except OSError:
            pass
        if time.monotonic() > deadline:
            raise RuntimeError(f"virtio-serial port {name} did not appear")
        time.sleep(0.05)


class Agent:
    """One port, at most one command at a time."""

    def __init__(self, fd: int) -> None:
        self.fd = fd
        self.inbuf = b""
        self.child: subprocess.Popen[bytes] | None = None
        self.child_id = 0
        self.child_status: int | None = None
        self.exited_at = 0.0
        self.pipes: dict[int, str] = {}
        self.xserver: subprocess.Popen[bytes] | None = None
        #: The seed's chunks so far, and the client's environment (joins get it too).
        self.seed = bytearray()
        self.env: dict[str, str] = {"PATH": "/usr/local/bin:/usr/bin:/bin", "HOME": HOME}
        self.join: JoinPort | None = None

    def send(self, message: dict[str, Any]) -> None:
        data = json.dumps({"v": PROTOCOL_VERSION, **message}, separators=(",", ":"))
        line = data.encode() + b"\n"
        while line:
            line = line[os.write(self.fd, line):]

    def hello(self, network: str) -> None:
        self.send({"type": "hello", "agent": AGENT_VERSION, "uptime": _uptime(),
                   "kernel": os.uname().release, "network": network})

    def handle(self, message: Any) -> None:
        if not isinstance(message, dict) or message.get("v") != PROTOCOL_VERSION:
            self.send({"type": "error", "message": "unsupported protocol version"})
            return
        kind = message.get("type")
        if kind == "ping":
            self.send({"type": "pong"})
        elif kind == "run":
            self.run(message)
        elif kind == "signal":
            self.signal(message)
        elif kind == "seed":
            self.take_seed(message)
        elif kind == "capture":
            self.capture(message)
        elif kind == "poweroff":
            self.send({"type": "bye"})
            power_off()
        else:
            self.send({"type": "error", "message": f"unknown request {str(kind)[:40]!r}"})

    def run(self, message: dict[str, Any]) -> None:
        ident, argv, env = message.get("id"), message.get("argv"), message.get("env", {})
        link = message.get("link")
        problem = _check_run(ident, argv, env, link)
        if problem is None and self.child is not None:
            problem = "a command is already running"
        if problem:
            self.send({"type": "error", "id": ident if isinstance(ident, int) else None,
                       "message": problem})
            return
        full = [*argv, link] if link else list(argv)
        env = dict(env)
        if self.xserver is not None and wait_for_x(self.xserver):
            env.setdefault("DISPLAY", ":0")
        self.env = dict(env)
        try:
            child = subprocess.Popen(
                full, env=dict(env), stdin=subprocess.DEVNULL, stdout=subprocess.PIPE,
                stderr=subprocess.PIPE, cwd=HOME, start_new_session=True)
        except OSError as exc:
            status = 127 if isinstance(exc, FileNotFoundError) else 126
            self.send({"type": "error", "id": ident, "message": f"cannot run: {exc.strerror}"})
            self.send({"type": "exit", "id": ident, "status": status})
            return
        self.child, self.child_id, self.child_status = child, ident, None
        assert child.stdout is not None and child.stderr is not None
        self.pipes = {child.stdout.fileno(): "stdout", child.stderr.fileno(): "stderr"}
        self.send({"type": "started", "id": ident, "pid": child.pid})

    def take_seed(self, message: dict[str, Any]) -> None:
        """A chunk of the home's seed; the last one (``more`` false) is unpacked."""
        data, more = message.get("data"), message.get("more")
        try:
            if not isinstance(data, str) or not isinstance(more, bool):
                raise slt_home.HomeError("seed needs data and more")
            self.seed += base64.b64decode(data, validate=True)
            if len(self.seed) > slt_home.SEED_CAP:
                raise slt_home.HomeError("the seed is larger than the agent accepts")
            if more:
                return
            seed, self.seed = bytes(self.seed), bytearray()
            files = slt_home.unpack(seed, HOME)
        except (slt_home.HomeError, binascii.Error, OSError) as exc:
            self.seed = bytearray()
            self.send({"type": "error", "message": f"seed refused: {exc}"[:900]})
            return
        self.send({"type": "seeded", "files": files})

    def capture(self, message: dict[str, Any]) -> None:
        """Pack the named home paths and stream them back in ``archive`` chunks."""
        paths, limit = message.get("paths"), message.get("limit")
        try:
            if not (isinstance(paths, list) and all(isinstance(p, str) for p in paths)
                    and isinstance(limit, int) and not isinstance(limit, bool)):
                raise slt_home.HomeError("capture needs paths and a limit")
            if self.child is not None:
                raise slt_home.HomeError("the command still runs")
            data = slt_home.pack(HOME, paths, limit)
        except (slt_home.HomeError, OSError) as exc:
            self.send({"type": "error", "message": f"capture refused: {exc}"[:900]})
            return
        for start in range(0, max(len(data), 1), ARCHIVE_CHUNK):
            piece = data[start:start + ARCHIVE_CHUNK]
            self.send({"type": "archive", "data": base64.b64encode(piece).decode(),
                       "more": start + ARCHIVE_CHUNK < len(data)})

    def signal(self, message: dict[str, Any]) -> None:
        number = message.get("signal")
        if self.child is None or message.get("id") != self.child_id:
            return
        if number not in (signal.SIGTERM, signal.SIGKILL, signal.SIGINT, signal.SIGHUP):
            self.send({"type": "error", "id": self.child_id, "message": "signal not allowed"})
            return
        with contextlib.suppress(ProcessLookupError):
            os.killpg(self.child.pid, number)

    def reap(self) -> None:
        """PID 1's duty: reap every child, ours and orphans."""
        while True:
            try:
                pid, status = os.waitpid(-1, os.WNOHANG)
            except ChildProcessError:
                return
            if pid == 0:
                return
            if self.xserver is not None and pid == self.xserver.pid:
                self.xserver.returncode = status
            if self.child is not None and pid == self.child.pid:
                self.child.returncode = status
                self.child_status = (128 + os.WTERMSIG(status) if os.WIFSIGNALED(status)
                                     else os.WEXITSTATUS(status))
                self.exited_at = time.monotonic()

    def pump(self, fd: int) -> None:
        data = os.read(fd, CHUNK)
        if not data:
            del self.pipes[fd]
            return
        self.send({"type": "output", "id": self.child_id, "stream": self.pipes[fd],
                   "data": base64.b64encode(data).decode()})

    def maybe_finish(self) -> None:
        if self.child is None or self.child_status is None:
            return
        if self.pipes and time.monotonic() - self.exited_at < DRAIN_GRACE:
            return
        for stream in (self.child.stdout, self.child.stderr):
            if stream is not None:
                stream.close()
        self.pipes = {}
        self.send({"type": "exit", "id": self.child_id, "status": self.child_status})
        self.child = None

    def read_port(self) -> None:
        data = os.read(self.fd, CHUNK)
        if not data:  # host not connected: poll again later
            time.sleep(0.05)
            return
        self.inbuf += data
        while b"\n" in self.inbuf:
            line, self.inbuf = self.inbuf.split(b"\n", 1)
            try:
                message = json.loads(line)
            except ValueError:
                self.send({"type": "error", "message": "request is not JSON"})
                continue
            self.handle(message)
        if len(self.inbuf) > MAX_LINE:
            self.inbuf = b""
            self.send({"type": "error", "message": "request line too long"})

    def loop(self) -> None:
        while True:
            join_fds = ([self.join.fd] if self.join is not None
                        and time.monotonic() >= self.join.quiet_until else [])
            ready, _w, _x = select.select([self.fd, *join_fds, *self.pipes], [], [], 0.1)
            for fd in ready:
                if fd == self.fd:
                    self.read_port()
                elif self.join is not None and fd == self.join.fd:
                    self.join.read(self.env)
                elif fd in self.pipes:
                    self.pump(fd)
            self.reap()
            self.maybe_finish()


class JoinPort:
    """The joins' port: any launcher of the user may connect, so it only starts one more
    command with the client's environment (never streams, never seeds or captures), and
    its answers are dropped when nobody reads them (a blocked write would hang PID 1)."""

    def __init__(self, fd: int) -> None:
        self.fd = fd
        self.inbuf = b""
        #: Until when not to look at the port: with nobody connected it reads as end of
        #: file at once, and PID 1 must not spin on it (nor sleep for it).
        self.quiet_until = 0.0

    def answer(self, message: dict[str, Any]) -> None:
        line = json.dumps({"v": PROTOCOL_VERSION, **message}, separators=(",", ":"))
        try:
            os.write(self.fd, line.encode() + b"\n")
        except OSError:  # nobody connected (EAGAIN) or gone: the joiner times out
            pass

    def read(self, env: dict[str, str]) -> None:
        try:
            data = os.read(self.fd, CHUNK)
        except BlockingIOError:
            return
        if not data:  # no joiner connected: look again a little later
            self.quiet_until = time.monotonic() + 0.2
            self.inbuf = b""  # half a line of a joiner that left is not the next one's
            return
        self.inbuf += data
        if len(self.inbuf) > MAX_LINE:
            self.inbuf = b""
            self.answer({"type": "error", "message": "request line too long"})
        while b"\n" in self.inbuf:
            line, self.inbuf = self.inbuf.split(b"\n", 1)
            try:
                message = json.loads(line)
            except ValueError:
                self.answer({"type": "error", "message": "request is not JSON"})
                continue
            self.spawn(message, env)

    def spawn(self, message: Any, env: dict[str, str]) -> None:
        if not isinstance(message, dict) or message.get("v") != PROTOCOL_VERSION:
            self.answer({"type": "error", "message": "unsupported protocol version"})
            return
        if message.get("type") == "ping":
            self.answer({"type": "pong"})
            return
        ident, argv = message.get("id"), message.get("argv")
        problem = ("only spawn is taken here" if message.get("type") != "spawn"
                   else _check_run(ident, argv, {}, None))
        if problem:
            self.answer({"type": "error", "id": ident if isinstance(ident, int)
                         and not isinstance(ident, bool) else None, "message": problem})
            return
        try:
            # PID 1 reaps it with every orphan; its output goes nowhere (the first
            # command's output is the session's).
            child = subprocess.Popen(argv, env=dict(env), stdin=subprocess.DEVNULL,
                                     stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
                                     cwd=HOME, start_new_session=True)
        except OSError as exc:
            self.answer({"type": "error", "id": ident, "message": f"cannot run: {exc.strerror}"})
            return
        self.answer({"type": "started", "id": ident, "pid": child.pid})


def _check_run(ident: Any, argv: Any, env: Any, link: Any) -> str | None:
    if not isinstance(ident, int) or isinstance(ident, bool):
        return "id must be an integer"
    if not (isinstance(argv, list) and argv and all(isinstance(a, str) for a in argv)):
        return "argv must be a non-empty list of strings"
    if not (isinstance(env, dict) and all(isinstance(k, str) and isinstance(v, str)
                                          for k, v in env.items())):
        return "env must map strings to strings"
    if link is not None and not (isinstance(link, str) and link.startswith("https://")
                                 and len(link) <= 4096 and link.isprintable()
                                 and " " not in link):
        return "link must be an https:// URL"
    return None


def _uptime() -> float:
    with open("/proc/uptime", encoding="ascii") as f:
        return float(f.read().split()[0])


def main() -> None:
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # ctrl-alt-del must not end PID 1
    port = find_port()
    args = kernel_args()
    try:
        network = setup_network(args)
    except (OSError, ValueError, subprocess.CalledProcessError) as exc:
        network = f"failed: {exc}"
    agent = Agent(os.open(port, os.O_RDWR | os.O_CLOEXEC))
    agent.xserver = setup_devices(args)
    try:
        agent.join = JoinPort(os.open(find_port(JOIN_PORT_NAME, 2.0),
                                      os.O_RDWR | os.O_CLOEXEC | os.O_NONBLOCK))
    except (RuntimeError, OSError) as exc:  # an older domain without it: no joins
        log(f"no join port: {exc}")
    agent.hello(network)
    agent.loop()


if __name__ == "__main__":
    try:
        main()
    except BaseException as exc:  # PID 1 must never return: the kernel would panic
        log(f"fatal: {type(exc).__name__}: {exc}")
        power_off()
        sys.exit(1)
