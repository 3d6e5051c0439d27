"""One desktop app per user: a lock held for the app's life, and a socket to hand it links.

The first app takes an exclusive ``flock`` on ``RUNTIME/app.lock`` and listens on
``RUNTIME/app.sock`` (the UI's QLocalServer, a plain Unix socket). A second start cannot
take the lock: it connects to the socket, sends one JSON line (``{"raise": true,
"link": "…"}``) and exits, so there is never a second tray icon. The runtime dir is the
user's own (0700), so no other user can reach the socket. The link is untrusted text
like any other: the receiving app runs it through the strict link parser.
"""

from __future__ import annotations

import fcntl
import json
import os
import socket
import time
from pathlib import Path

from ..core import paths

#: The most a hand-over message may be (a link is at most 2 KiB).
MAX_MESSAGE = 4096


def lock_path() -> Path:
    """The lock the running app holds."""
    return paths.runtime_dir() / "app.lock"


def socket_path() -> Path:
    """Where the running app listens for a second start."""
    return paths.runtime_dir() / "app.sock"


class InstanceLock:
    """The app's lock: ``acquire()`` is True for the first app only; held until exit."""

    def __init__(self, path: Path | None = None) -> None:
        self.path = path or lock_path()
        self.fd: int | None = None

    def acquire(self) -> bool:
        """Take the lock without waiting; False if another app holds it."""
        fd = os.open(self.path, os.O_RDWR | os.O_CREAT | os.O_CLOEXEC, 0o600)
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            os.close(fd)
            return False
        self.fd = fd
        return True

    def release(self) -> None:
        """Let the next app start (closing the fd drops the flock)."""
        if self.fd is not None:
            os.close(self.fd)
            self.fd = None


def encode(link: str = "") -> bytes:
    """The one line a second start sends."""
    return json.dumps({"raise": True, "link": link}).encode() + b"\n"


def decode(data: bytes) -> str:
    """The link in a hand-over message ("" for none); malformed messages give ""."""
    try:
        message = json.loads(data[:MAX_MESSAGE].decode("utf-8", "replace"))
    except ValueError:
        return ""
    link = message.get("link", "") if isinstance(message, dict) else ""
    return link if isinstance(link, str) else ""


def hand_over(link: str = "", path: Path | None = None, wait: float = 5.0) -> bool:
    """Give *link* (or just "show yourself") to the running app; False if none answers.

    Waits up to *wait* seconds: the app that holds the lock may still be starting.
    """
    target = str(path or socket_path())
    deadline = time.monotonic() + wait
    while True:
        try:
            with socket.socket(socket.AF_UNIX, socket.SOCK_STREAM) as conn:
                conn.settimeout(max(0.5, deadline - time.monotonic()))
                conn.connect(target)
                conn.sendall(encode(link))
                conn.shutdown(socket.SHUT_WR)
                conn.recv(16)  # the app closes once it has read the line
            return True
        except OSError:
            if time.monotonic() >= deadline:
                return False
            time.sleep(0.1)
