"""A sound forwarder's middle: copy from the recorder to the player, never fall behind.

A plain pipe from ``pacat --record`` to ``pacat --playback`` delays every later sample
by whatever it ever queued: two streams on two servers' clocks, a player that starts a
moment late or stalls under load, and the backlog stays for the rest of the session
(0.9 s on the microphone in ``benchmarks/meeting.py``). Live sound should drop instead:
this thread reads the recorder as fast as it writes and passes on only what the
player's pipe has room for within :data:`LIMIT_MS`, whole frames only, dropping the rest.
"""

from __future__ import annotations

import array
import contextlib
import fcntl
import os
import select
import termios
import threading
from dataclasses import dataclass, field

#: The most sound that may wait in the player's pipe (its stream buffers more).
LIMIT_MS = 20
READ_BYTES = 65536


def queued(fd: int) -> int:
    """Bytes waiting in the pipe *fd* is an end of."""
    count = array.array("i", [0])
    fcntl.ioctl(fd, termios.FIONREAD, count)
    return count[0]


def room(waiting: int, limit: int, frame: int) -> int:
    """Bytes that may be written when *waiting* are queued: whole frames up to *limit*."""
    free = max(0, limit - waiting)
    return free - free % frame


@dataclass
class Relay:
    """Copies *source* (read end) to *sink* (write end) in a thread; owns both fds."""

    source: int
    sink: int
    frame: int  # bytes per frame: 2 bytes a channel (s16le)
    rate: int
    dropped: int = 0  # bytes dropped, for the log
    _thread: threading.Thread | None = None
    _wake: tuple[int, int] = field(default_factory=lambda: os.pipe2(os.O_CLOEXEC))

    @property
    def limit(self) -> int:
        """The player pipe's most queued bytes (whole frames)."""
        raw = self.rate * self.frame * LIMIT_MS // 1000
        return raw - raw % self.frame

    def start(self) -> None:
        """Start copying; the sink is made non-blocking (a full pipe drops, never waits)."""
        os.set_blocking(self.sink, False)
        self._thread = threading.Thread(target=self._copy, name="sound-relay", daemon=True)
        self._thread.start()

    def alive(self) -> bool:
        """Whether it still copies (the recorder or the player may end)."""
        return self._thread is not None and self._thread.is_alive()

    def stop(self) -> None:
        """Stop the thread and close every fd."""
        with contextlib.suppress(OSError):
            os.write(self._wake[1], b"x")
        if self._thread is not None:
            self._thread.join(5)
        for fd in (self.source, self.sink, *self._wake):
            with contextlib.suppress(OSError):
                os.close(fd)

    def _copy(self) -> None:
        carry = b""  # the start of a frame the last read ended in
        pending = b""  # the rest of a frame a partial write began: the stream stays aligned
        while True:
            ready, _, _ = select.select([self.source, self._wake[0]], [], [])
            if self._wake[0] in ready:
                return
            try:
                data = carry + os.read(self.source, READ_BYTES)
            except OSError:
                return
            if len(data) == len(carry):  # the recorder ended
                return
            cut = len(data) - len(data) % self.frame
            data, carry = data[:cut], data[cut:]
            try:
                if pending:
                    pending = pending[os.write(self.sink, pending):]
                chunk = b"" if pending else data[:room(queued(self.sink), self.limit,
                                                       self.frame)]
                written = os.write(self.sink, chunk) if chunk else 0
            except BlockingIOError:
                chunk, written = b"", 0
            except OSError:  # the player is gone
                return
            if written % self.frame:
                pending = chunk[written:written + self.frame - written % self.frame]
            self.dropped += len(data) - written - len(pending)
