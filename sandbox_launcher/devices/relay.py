"""A sound forwarder's middle: copy from one server to the other, never fall behind.

The two ends (``devices.sound``): the session's speakers FIFO to the host's
``pacat --playback``, and the host's ``pacat --record`` to the session's microphone
FIFO; "the player" below is whichever reads the relay's output. A plain pipe between
them delays every later sample by whatever it ever queued: two servers' clocks, a
player that starts a moment late or stalls under load, and the backlog stays for the
rest of the session (0.9 s on the microphone in ``benchmarks/meeting.py``). Live sound
should drop instead.

This thread reads its source as fast as it comes, keeps the player's pipe at most
:data:`LIMIT_MS` full, and holds the rest. A source may send in bursts (PulseAudio's
sine source sends seconds at once), so a burst is held, not dropped: what the relay
still held when each new piece arrived is a backlog. When the least of that over
:data:`TRIM_S` and at least :data:`TRIM_ARRIVALS` pieces is more than
:data:`BACKLOG_MS` and more than twice the largest piece the source sent meanwhile,
all of it is dropped, oldest first, in whole frames: one gap, and the delay is back to
the source's own. A smaller backlog is kept: for a bursty source it is the burst, and
dropping every small one would be a gap each time, heard as crackle. The player's pipe
is watched the same way: if it never held less than :data:`STANDING_MS` at an arrival
over a window, the player's own buffer is full and the pipe's least is delay that only
grows (a stall upstream, then a catch-up burst, ratchets it up): as much of the coming
sound is dropped, one more gap, so the pipe drains. A source quiet for
longer than :data:`TRIM_S` (a suspended sink sends nothing) starts a new window at its
next piece: a new stream is judged over its own second, not by a window that closed
during the silence.
"""

from __future__ import annotations

import array
import contextlib
import fcntl
import os
import select
import termios
import threading
import time
from dataclasses import dataclass, field

#: The most sound that may wait in the player's pipe (its stream buffers more).
LIMIT_MS = 20
#: A backlog held at every arrival for this long (and this many arrivals) is dropped.
TRIM_S = 1.0
TRIM_ARRIVALS = 3
#: A backlog up to this long is kept (see above).
BACKLOG_MS = 60
#: A player pipe never below this over a window is a standing delay: drained (above).
STANDING_MS = 5
#: How often it looks for room in the player's pipe while it holds sound.
POLL_S = 0.01
READ_BYTES = 65536


def queued(fd: int) -> int:
    """Bytes waiting in the pipe *fd* is an end of."""
    count = array.array("i", [0])
    fcntl.ioctl(fd, termios.FIONREAD, count)
    return count[0]


def trim(low: int, consumed: int, frame: int) -> int:
    """Bytes to drop of a backlog that never fell below *low*, ending on a frame boundary.

    *consumed*: bytes written or dropped so far (the stream's position at the front).
    """
    return max(0, low - (consumed + low) % frame)


@dataclass
class SoundThread:
    """A thread of the launcher's that writes sound into a pipe or FIFO: started once,
    told to end through a wake pipe, and the owner of its fds (the relay, the silence)."""

    _thread: threading.Thread | None = field(default=None, init=False)
    _wake: tuple[int, int] = field(default_factory=lambda: os.pipe2(os.O_CLOEXEC),
                                   init=False)

    def _begin(self, sink: int, name: str) -> None:
        """Start the thread; *sink* is made non-blocking (a full pipe never blocks us)."""
        os.set_blocking(sink, False)
        self._thread = threading.Thread(target=self._run, name=name, daemon=True)
        self._thread.start()

    def alive(self) -> bool:
        """Whether it still runs (a reader or writer at the other end may go)."""
        return self._thread is not None and self._thread.is_alive()

    def _end(self, *fds: int) -> None:
        """Stop the thread, then close *fds* and the wake pipe."""
        with contextlib.suppress(OSError):
            os.write(self._wake[1], b"x")
        if self._thread is not None:
            self._thread.join(5)
        for fd in (*fds, *self._wake):
            with contextlib.suppress(OSError):
                os.close(fd)

    def _run(self) -> None:
        with contextlib.suppress(OSError):  # the other end is gone
            self._work()

    def _work(self) -> None:
        raise NotImplementedError


@dataclass
class Relay(SoundThread):
    """Copies *source* (read end) to *sink* (write end) in a thread; owns both fds."""

    source: int
    sink: int
    frame: int  # bytes per frame: 2 bytes a channel (s16le)
    rate: int
    dropped: int = 0  # bytes dropped, for the log
    written: int = 0  # bytes written, for the log and the tests

    @property
    def limit(self) -> int:
        """The player pipe's most queued bytes (whole frames)."""
        raw = self.rate * self.frame * LIMIT_MS // 1000
        return raw - raw % self.frame

    def start(self) -> None:
        """Start copying (the recorder or the player may end it)."""
        self._begin(self.sink, "sound-relay")

    def stop(self) -> None:
        """Stop the thread and close every fd."""
        self._end(self.source, self.sink)

    def _work(self) -> None:
        self._copy()

    def _drop(self, held: bytearray, count: int, consumed: int) -> int:
        """Drop up to *count* bytes from the front of *held*, ending on a frame boundary;
        returns how many."""
        drop = trim(min(count, len(held)), consumed, self.frame)
        del held[:drop]
        self.dropped += drop
        return drop

    def _copy(self) -> None:
        held = bytearray()
        consumed = 0
        skip = 0  # bytes still to drop as they arrive: a standing pipe draining
        # Since the window began: the least held at an arrival, the least waiting in the
        # player's pipe at an arrival, arrivals, the largest piece that arrived.
        low, standing, arrivals, largest = -1, -1, 0, 0
        last = time.monotonic()  # the latest arrival
        window_end = last + TRIM_S
        while True:
            ready, _, _ = select.select([self.source, self._wake[0]], [], [],
                                        POLL_S if held else None)
            if self._wake[0] in ready:
                return
            if self.source in ready:
                data = os.read(self.source, READ_BYTES)
                if not data:
                    return
                if (now := time.monotonic()) - last > TRIM_S:
                    # The source was quiet (a suspended sink sends nothing): a window
                    # across the gap would judge a new stream by one arrival.
                    low, standing, arrivals, largest = -1, -1, 0, 0
                    window_end = now + TRIM_S
                last = now
                waiting = queued(self.sink)
                low = len(held) if low < 0 else min(low, len(held))
                standing = waiting if standing < 0 else min(standing, waiting)
                arrivals += 1
                largest = max(largest, len(data))
                held += data
                if skip > 0:
                    dropped = self._drop(held, skip, consumed)
                    consumed += dropped
                    skip = 0 if skip - dropped < self.frame else skip - dropped
            room = min(len(held), self.limit - queued(self.sink))
            if room > 0:
                try:
                    written = os.write(self.sink, held[:room])
                except BlockingIOError:
                    written = 0
                del held[:written]
                consumed += written
                self.written += written
            if arrivals >= TRIM_ARRIVALS and (now := time.monotonic()) >= window_end:
                keep = max(self.rate * self.frame * BACKLOG_MS // 1000, 2 * largest)
                if low > keep:
                    consumed += self._drop(held, low, consumed)
                if standing > self.rate * self.frame * STANDING_MS // 1000:
                    # The player never took its pipe below this: its own buffer is full,
                    # and that much delay stands for good unless as much goes unplayed.
                    skip = standing - standing % self.frame
                low, standing, arrivals, largest = -1, -1, 0, 0
                window_end = now + TRIM_S
