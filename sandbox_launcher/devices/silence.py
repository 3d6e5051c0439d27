"""Silence for a muted microphone, written into the session's microphone FIFO.

The session's ``microphone`` is PulseAudio's ``module-pipe-source``: it posts what is
written into its FIFO, as soon as it is written, and nothing when nothing is (16.1 has
no silence of its own: a client recording a muted microphone would get no data at all,
which clients take for a broken device). The writer is the source's clock, so muted,
this thread writes zeros at the sample rate, by the time that passed, not by a count
of wakeups (a late wakeup writes more, not less; the level is twice a tick, so one late
tick loses nothing).

It only needs to keep pace while a client records, and the source reads only then:
while the FIFO stays full (nobody reads), it looks :data:`IDLE_S` apart instead of
every :data:`TICK_S`, so an idle muted session costs four wakeups a second. A client
that starts recording gets the :data:`LEVEL_MS` held at once, then at most
:data:`IDLE_S` later the stream at its pace.
"""

from __future__ import annotations

import os
import select
import time
from dataclasses import dataclass

from .relay import SoundThread, queued

#: How much silence the FIFO holds at most (what a new recording gets at once).
LEVEL_MS = 40
#: How often it writes while the source reads.
TICK_S = 0.02
#: How often it looks while nobody reads.
IDLE_S = 0.25


@dataclass
class SilenceFeed(SoundThread):
    """Writes silence into *sink* (a FIFO's write end) in a thread; owns the fd."""

    sink: int
    frame: int  # bytes per frame
    rate: int
    written: int = 0  # bytes written, for the tests and the log

    @property
    def level(self) -> int:
        """The most bytes it keeps in the FIFO (whole frames)."""
        raw = self.rate * self.frame * LEVEL_MS // 1000
        return raw - raw % self.frame

    def start(self) -> None:
        """Start writing (it ends when the FIFO's reader, the server, goes away)."""
        self._begin(self.sink, "sound-silence")

    def stop(self) -> None:
        """Stop the thread and close every fd."""
        self._end(self.sink)

    def _work(self) -> None:
        self._write()

    def _write(self) -> None:
        last = time.monotonic()
        owed = 0.0  # frames of time not yet written (fractions carried over)
        wait = 0.0
        while True:
            ready, _, _ = select.select([self._wake[0]], [], [], wait)
            if ready:
                return
            now = time.monotonic()
            owed += (now - last) * self.rate
            last = now
            room = self.level - queued(self.sink)
            frames = min(int(owed), room // self.frame)
            if frames > 0:
                try:
                    self.written += os.write(self.sink, bytes(frames * self.frame))
                except BlockingIOError:
                    frames = 0
            # Time nobody took is not owed: a recording that starts later gets the
            # level, then the pace, never a burst of the time it was not listening.
            owed = min(owed - frames, float(self.level // self.frame))
            consumed = room > 0
            wait = TICK_S if consumed else IDLE_S
