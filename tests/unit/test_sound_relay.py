"""The sound forwarders' relay: it never queues more than its limit, in whole frames."""

from __future__ import annotations

import os
import time

from sandbox_launcher.devices.relay import LIMIT_MS, Relay, queued, room


def test_room_is_whole_frames_up_to_the_limit() -> None:
    assert room(0, 3840, 4) == 3840
    assert room(1000, 3840, 4) == 2840
    assert room(1001, 3840, 4) == 2836  # a frame never split
    assert room(5000, 3840, 4) == 0


def _wait(check: object, timeout: float = 5.0) -> None:
    deadline = time.monotonic() + timeout
    while not check():  # type: ignore[operator]
        assert time.monotonic() < deadline, "timed out"
        time.sleep(0.01)


def test_a_stalled_player_gets_at_most_the_limit_and_the_rest_is_dropped() -> None:
    record_r, record_w = os.pipe()
    play_r, play_w = os.pipe()
    relay = Relay(record_r, play_w, frame=4, rate=48000)
    relay.start()
    try:
        # One second of stereo sound arrives while nobody plays: without the relay it
        # would all wait in the pipe and delay everything after it by a second.
        second = bytes(range(4)) * 48000
        for start in range(0, len(second), 3001):  # odd chunks: frames split on arrival
            os.write(record_w, second[start:start + 3001])
        _wait(lambda: relay.dropped + queued(play_r) == len(second))
        assert queued(play_r) == relay.limit == 48000 * 4 * LIMIT_MS // 1000
        data = os.read(play_r, 1 << 20)
        assert data == bytes(range(4)) * (len(data) // 4), "frames stayed whole"
        # Once the player reads again, new sound flows at once.
        os.write(record_w, bytes(range(4)) * 10)
        _wait(lambda: queued(play_r) == 40)
        assert relay.alive()
    finally:
        os.close(record_w)
        _wait(lambda: not relay.alive())  # the recorder ended: the relay ends
        relay.stop()
        os.close(play_r)
