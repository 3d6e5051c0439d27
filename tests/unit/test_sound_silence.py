"""A muted microphone's silence: zeros at the sample rate while read, never more than the
level queued while nobody reads, and an end when the reader goes.

Real pipes and a real thread; the session's real pipe source reads it in
tests/integration/test_audio.py (the muted phases record a second of silence).
"""

from __future__ import annotations

import os
import time
from collections.abc import Callable

from sandbox_launcher.devices import silence as silence_module
from sandbox_launcher.devices.relay import queued
from sandbox_launcher.devices.silence import SilenceFeed

RATE = 48000
FRAME = 2  # mono s16le


def _wait(check: Callable[[], bool], timeout: float = 5.0) -> None:
    deadline = time.monotonic() + timeout
    while not check():
        assert time.monotonic() < deadline, "timed out"
        time.sleep(0.005)


def test_nobody_reading_leaves_the_level_queued_and_no_more() -> None:
    read_end, write_end = os.pipe()
    feed = SilenceFeed(write_end, frame=FRAME, rate=RATE)
    feed.start()
    try:
        _wait(lambda: queued(read_end) == feed.level)
        time.sleep(3 * silence_module.IDLE_S)
        assert queued(read_end) == feed.level == feed.written
        assert feed.level == RATE * FRAME * silence_module.LEVEL_MS // 1000
        assert os.read(read_end, 1 << 16) == bytes(feed.level)
    finally:
        feed.stop()
        os.close(read_end)


def test_a_reader_gets_zeros_at_the_sample_rate() -> None:
    read_end, write_end = os.pipe()
    feed = SilenceFeed(write_end, frame=FRAME, rate=RATE)
    feed.start()
    got = bytearray()
    try:
        started = time.monotonic()
        while time.monotonic() - started < 1.0:
            got += os.read(read_end, 1 << 16)
        elapsed = time.monotonic() - started
    finally:
        feed.stop()
        os.close(read_end)
    assert not any(got) and len(got) % FRAME == 0
    seconds = len(got) / (RATE * FRAME)
    # At its pace: never ahead of the clock by more than what it keeps queued, and
    # behind it by at most a look while idle (the first one) and a level.
    ahead = silence_module.LEVEL_MS / 1000
    assert elapsed - silence_module.IDLE_S - 2 * ahead <= seconds <= elapsed + ahead, (
        seconds, elapsed)


def test_it_ends_when_the_reader_goes_and_stop_closes_its_fds() -> None:
    read_end, write_end = os.pipe()
    feed = SilenceFeed(write_end, frame=FRAME, rate=RATE)
    feed.start()
    os.read(read_end, 1 << 16)
    os.close(read_end)  # the server went: the next write fails, the thread ends
    _wait(lambda: not feed.alive())
    feed.stop()
    for fd in (write_end, *feed._wake):
        try:
            os.fstat(fd)
        except OSError:
            continue
        raise AssertionError(f"fd {fd} left open")
