"""Host side of the guest agent's protocol: JSON lines over a virtio-serial port.

Version 1. The guest is hostile, so everything it sends is checked here: a line is at
most :data:`MAX_LINE` bytes, every message is one of the types below with fields of the
right type and size, and every wait has a deadline. Anything else is an
:class:`AgentError`, and the caller ends the VM.

Guest to host: ``hello`` (once booted), ``pong``, ``started`` (id, pid), ``output`` (id,
stream, base64 data of at most :data:`MAX_CHUNK` bytes), ``exit`` (id, status),
``error`` (id or null, message), ``bye`` (powering off), ``seeded`` (files), ``archive``
(base64 data of at most :data:`MAX_ARCHIVE_CHUNK` bytes, more).
Host to guest: ``ping``, ``run`` (id, argv, env, optional https link appended to argv),
``signal`` (id, signal), ``poweroff``, ``seed`` (base64 data, more: a tar for the guest
home, before ``run``), ``capture`` (home-relative paths, byte limit: after ``exit``).
On the join port (:data:`JOIN_PORT_NAME`) only ``spawn`` (id, argv) and ``ping``.
"""

from __future__ import annotations

import base64
import binascii
import json
import select
import socket
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from .errors import AgentError

PROTOCOL_VERSION = 1
#: The virtio-serial port's name; the agent looks for it in /sys/class/virtio-ports.
PORT_NAME = "org.sandbox_launcher.agent.0"
#: The second port: joins (a meeting link handed to a running session) come in here.
JOIN_PORT_NAME = "org.sandbox_launcher.join.0"
MAX_LINE = 65536
MAX_CHUNK = 8192
MAX_ARCHIVE_CHUNK = 32768
MAX_TEXT = 1000


@dataclass(frozen=True)
class Hello:
    """The agent is up (``uptime``: guest seconds since boot)."""

    agent: int
    uptime: float
    kernel: str
    network: str


@dataclass(frozen=True)
class Started:
    """The command of request ``id`` runs as guest process ``pid``."""

    id: int
    pid: int


@dataclass(frozen=True)
class Output:
    """A chunk of the command's stdout or stderr."""

    id: int
    stream: str
    data: bytes


@dataclass(frozen=True)
class Exit:
    """The command ended: its status, 128+N for signal N, 126/127 if it could not start."""

    id: int
    status: int


@dataclass(frozen=True)
class GuestError:
    """The agent refused a request."""

    id: int | None
    message: str


@dataclass(frozen=True)
class Pong:
    """Answer to ``ping``."""


@dataclass(frozen=True)
class Bye:
    """The agent powers the guest off."""


@dataclass(frozen=True)
class Seeded:
    """The guest home holds the seed's ``files`` files."""

    files: int


@dataclass(frozen=True)
class Archive:
    """A piece of the captured home paths (a tar); ``more`` is false on the last."""

    data: bytes
    more: bool


Message = Hello | Started | Output | Exit | GuestError | Pong | Bye | Seeded | Archive


def _field(data: dict[str, Any], key: str, kind: type, *, optional: bool = False) -> Any:
    value = data.get(key)
    if value is None and optional:
        return None
    # bool is an int in Python; the protocol never means a bool where it says int.
    if not isinstance(value, kind) or (kind is int and isinstance(value, bool)):
        raise AgentError("the guest agent sent a malformed message",
                         "the guest image may be damaged or compromised; the VM was ended",
                         details=f"field {key!r} is not {kind.__name__}: {str(data)[:200]}")
    if isinstance(value, str) and len(value) > MAX_TEXT and key != "data":
        raise AgentError("the guest agent sent an oversized field",
                         "the VM was ended", details=f"field {key!r}: {len(value)} chars")
    return value


def _ident(data: dict[str, Any]) -> int:
    value: int = _field(data, "id", int)
    if not 0 < value < 2**31:
        raise AgentError("the guest agent sent an out-of-range id", "the VM was ended")
    return value


def _base64(text: str) -> bytes:
    try:
        return base64.b64decode(text, validate=True)
    except binascii.Error as exc:
        raise AgentError("the guest agent sent bad base64", "the VM was ended") from exc


def parse_message(line: bytes) -> Message:
    """Decode and validate one line from the guest."""
    if len(line) > MAX_LINE:
        raise AgentError("the guest agent sent an oversized line", "the VM was ended")
    try:
        data = json.loads(line)
    except (ValueError, UnicodeDecodeError) as exc:
        raise AgentError("the guest agent sent something that is not JSON",
                         "the VM was ended", details=repr(line[:200])) from exc
    if not isinstance(data, dict) or data.get("v") != PROTOCOL_VERSION:
        raise AgentError("the guest agent speaks another protocol version",
                         "rebuild the image: sandbox-launcher image build",
                         details=repr(line[:200]))
    kind = data.get("type")
    if kind == "hello":
        uptime = _field(data, "uptime", (int, float))  # type: ignore[arg-type]
        return Hello(_field(data, "agent", int), float(uptime), _field(data, "kernel", str),
                     _field(data, "network", str))
    if kind == "started":
        return Started(_ident(data), _field(data, "pid", int))
    if kind == "output":
        stream = _field(data, "stream", str)
        if stream not in ("stdout", "stderr"):
            raise AgentError("the guest agent named an unknown stream", "the VM was ended")
        chunk = _base64(_field(data, "data", str))
        if len(chunk) > MAX_CHUNK:
            raise AgentError("the guest agent sent an oversized chunk", "the VM was ended")
        return Output(_ident(data), stream, chunk)
    if kind == "exit":
        status = _field(data, "status", int)
        if not 0 <= status <= 255:
            raise AgentError("the guest agent sent an impossible exit status",
                             "the VM was ended", details=str(status))
        return Exit(_ident(data), status)
    if kind == "error":
        ident = _field(data, "id", int, optional=True)
        return GuestError(ident, _field(data, "message", str))
    if kind == "seeded":
        return Seeded(_field(data, "files", int))
    if kind == "archive":
        piece = _base64(_field(data, "data", str))
        if len(piece) > MAX_ARCHIVE_CHUNK:
            raise AgentError("the guest agent sent an oversized chunk", "the VM was ended")
        return Archive(piece, _field(data, "more", bool))
    if kind == "pong":
        return Pong()
    if kind == "bye":
        return Bye()
    raise AgentError("the guest agent sent an unknown message type", "the VM was ended",
                     details=repr(str(kind)[:80]))


def encode(kind: str, **fields: Any) -> bytes:
    """One request line for the agent."""
    return json.dumps({"v": PROTOCOL_VERSION, "type": kind, **fields},
                      separators=(",", ":")).encode() + b"\n"


class AgentChannel:
    """A connected host end of the agent's port, with bounded, deadline-driven reads."""

    def __init__(self, sock: socket.socket) -> None:
        self.sock = sock
        self._buffer = b""

    @classmethod
    def connect(cls, path: Path, timeout: float) -> AgentChannel:
        """Connect to QEMU's end of the port, waiting for the socket to appear."""
        deadline = time.monotonic() + timeout
        while True:
            sock = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM | socket.SOCK_CLOEXEC)
            try:
                sock.connect(str(path))
                return cls(sock)
            except (FileNotFoundError, ConnectionRefusedError) as exc:
                sock.close()
                if time.monotonic() > deadline:
                    raise AgentError(f"QEMU's agent socket {path} never opened",
                                     "the VM did not start; see the libvirt log") from exc
                time.sleep(0.02)

    def fileno(self) -> int:
        """The socket; readable when the agent sent something (or the VM is gone)."""
        return self.sock.fileno()

    def send(self, kind: str, **fields: Any) -> None:
        """Send one request."""
        try:
            self.sock.sendall(encode(kind, **fields))
        except OSError as exc:
            raise AgentError("the guest agent's port is closed", "the VM has ended") from exc

    def _line(self) -> bytes | None:
        if b"\n" in self._buffer:
            line, self._buffer = self._buffer.split(b"\n", 1)
            return line
        if len(self._buffer) > MAX_LINE:
            raise AgentError("the guest agent sent an oversized line", "the VM was ended")
        return None

    def receive(self, timeout: float) -> Message:
        """The next message, or :class:`AgentError` when none comes within *timeout*."""
        deadline = time.monotonic() + timeout
        while (line := self._line()) is None:
            left = deadline - time.monotonic()
            if left <= 0 or not select.select([self.sock], [], [], left)[0]:
                raise AgentError(f"the guest agent said nothing within {timeout:g} s",
                                 "the guest may be hung or too slow (software emulation); "
                                 "the VM was ended")
            data = self.sock.recv(MAX_CHUNK * 2)
            if not data:
                raise AgentError("the guest agent's port closed", "the VM has ended")
            self._buffer += data
        return parse_message(line)

    def close(self) -> None:
        """Close the host end."""
        self.sock.close()
