"""The sound forwarders' relay: a burst passes whole, a backlog that never drains is dropped.

Real pipes and a real thread; no sound server (tests/integration/test_audio.py and the
meeting benchmark run it between real PulseAudio servers).
"""

from __future__ import annotations

import os
import time
from collections.abc import Callable, Iterator

import pytest

from sandbox_launcher.devices import relay as relay_module
from sandbox_launcher.devices.relay import LIMIT_MS, Relay, queued, trim

FRAME = bytes(range(4))  # one stereo s16le frame, recognisable when split


def test_trim_ends_on_a_frame_boundary() -> None:
    assert trim(4000, 0, 4) == 4000
    assert trim(4000, 2, 4) == 3998  # the front is mid-frame: drop up to the next boundary
    assert trim(3, 0, 4) == 0
    assert trim(0, 0, 4) == 0


def _wait(check: Callable[[], bool], timeout: float = 5.0) -> None:
    deadline = time.monotonic() + timeout
    while not check():
        assert time.monotonic() < deadline, "timed out"
        time.sleep(0.005)


@pytest.fixture
def pipes() -> Iterator[tuple[Relay, int, int]]:
    record_r, record_w = os.pipe()
    play_r, play_w = os.pipe()
    relay = Relay(record_r, play_w, frame=4, rate=48000)
    relay.start()
    yield relay, record_w, play_r
    os.close(record_w)
    _wait(lambda: not relay.alive())  # the recorder ended: so does the relay
    relay.stop()
    os.close(play_r)


def test_the_player_pipe_holds_at_most_the_limit_and_a_burst_passes_whole(
        pipes: tuple[Relay, int, int]) -> None:
    relay, record_w, play_r = pipes
    burst = FRAME * 4800  # 100 ms at once, as a bursty source sends it
    for start in range(0, len(burst), 3001):  # odd pieces: frames split on arrival
        os.write(record_w, burst[start:start + 3001])
    _wait(lambda: queued(play_r) == relay.limit)
    assert relay.limit == 48000 * 4 * LIMIT_MS // 1000
    received = b""
    while len(received) < len(burst):  # a player reading at its own pace gets it all
        _wait(lambda: queued(play_r) > 0)
        received += os.read(play_r, 65536)
        assert queued(play_r) <= relay.limit
    assert received == burst and relay.dropped == 0


def test_a_backlog_that_never_drains_is_dropped_in_whole_frames(
        monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(relay_module, "TRIM_S", 0.05)
    record_r, record_w = os.pipe()
    play_r, play_w = os.pipe()
    relay = Relay(record_r, play_w, frame=4, rate=48000)
    relay.start()
    try:
        # A second of sound queued while the player was stalled: without the relay it
        # would delay everything after it by a second, for the rest of the session.
        second = FRAME * 48000
        for start in range(0, len(second), 3001):
            os.write(record_w, second[start:start + 3001])
        # Then source and player both run in real time, 5 ms a piece: the backlog
        # never drains by itself, the relay drops it.
        piece = FRAME * 240
        sent, played = len(second), b""
        for _ in range(100):
            os.write(record_w, piece)
            sent += len(piece)
            time.sleep(0.005)
            played += os.read(play_r, len(piece)) if queued(play_r) else b""
        waiting = sent - relay.dropped - len(played)
        assert waiting <= relay.limit + 4 * len(piece), (waiting, relay.dropped)
        assert relay.dropped > len(second) // 2
        assert played == FRAME * (len(played) // 4), "frames stayed whole"
    finally:
        os.close(record_w)
        _wait(lambda: not relay.alive())
        relay.stop()
        os.close(play_r)


def test_a_stream_after_a_quiet_source_is_not_judged_by_the_window_before_it(
        monkeypatch: pytest.MonkeyPatch) -> None:
    """A suspended sink sends nothing; a backlog still held when its next stream starts
    gets a window of its own (the stream's start is not dropped at its third piece),
    and is dropped only if it then never drains."""
    monkeypatch.setattr(relay_module, "TRIM_S", 0.5)
    record_r, record_w = os.pipe()
    play_r, play_w = os.pipe()  # the player stalls: nothing is read until the end
    relay = Relay(record_r, play_w, frame=4, rate=48000)
    relay.start()
    try:
        piece = FRAME * 2400  # 50 ms
        # A first window that ends without a drop (nothing was held at its first
        # arrival), then one arrival in the next, with 200 ms held...
        os.write(record_w, FRAME * 9600)
        for _ in range(2):
            time.sleep(0.1)
            os.write(record_w, piece)
        time.sleep(0.45)
        os.write(record_w, piece)
        time.sleep(1.2)  # ...and the source is quiet (its sink suspended)
        assert relay.dropped == 0
        for _ in range(3):  # a new stream: three pieces, three arrivals
            os.write(record_w, piece)
            time.sleep(0.02)
        time.sleep(0.05)
        assert relay.dropped == 0, "the new stream was judged across the quiet gap"
        deadline = time.monotonic() + 5
        while relay.dropped == 0:  # its own window: a backlog that never drains goes
            assert time.monotonic() < deadline, "the stalled backlog was never dropped"
            os.write(record_w, piece)
            time.sleep(0.05)
        assert relay.dropped % 4 == 0
    finally:
        os.close(record_w)
        _wait(lambda: not relay.alive())
        relay.stop()
        os.close(play_r)


def test_a_standing_player_pipe_is_drained_once(monkeypatch: pytest.MonkeyPatch) -> None:
    """A player whose own buffer is full reads only as fast as sound arrives: its pipe
    stands at the limit, a delay that never drains by itself. The relay lets that much
    go unplayed (one gap), and the pipe runs low from then on."""
    monkeypatch.setattr(relay_module, "TRIM_S", 0.2)
    record_r, record_w = os.pipe()
    play_r, play_w = os.pipe()
    relay = Relay(record_r, play_w, frame=4, rate=48000)
    relay.start()
    piece = FRAME * 240  # 5 ms
    try:
        for _ in range(6):  # the pipe fills to its limit before the player reads
            os.write(record_w, piece)
        _wait(lambda: queued(play_r) == relay.limit)
        levels = []
        for _ in range(200):  # then both run in real time, 5 ms a piece
            os.write(record_w, piece)
            time.sleep(0.005)
            levels.append(queued(play_r))
            os.read(play_r, len(piece))
        assert relay.dropped >= relay.limit // 2 and relay.dropped % 4 == 0, relay.dropped
        assert min(levels[:20]) >= relay.limit - len(piece), levels[:20]  # it stood
        assert max(levels[-40:]) < relay.limit // 2, levels[-40:]  # and no longer
    finally:
        os.close(record_w)
        _wait(lambda: not relay.alive())
        relay.stop()
        os.close(play_r)
