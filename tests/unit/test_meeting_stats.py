"""The meeting benchmark's statistics (benchmarks/meeting_stats.py) on made-up numbers."""

from __future__ import annotations

import array
import importlib.util
import sys
from pathlib import Path
from types import ModuleType

import pytest

STATS = Path(__file__).resolve().parents[2] / "benchmarks" / "meeting_stats.py"
RATE = 48000


def _stats() -> ModuleType:
    spec = importlib.util.spec_from_file_location("meeting_stats", STATS)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules["meeting_stats"] = module
    spec.loader.exec_module(module)
    return module


stats = _stats()


def _chunk(length: int, loud_at: tuple[int, ...] = (), value: int = 20000) -> bytes:
    samples = array.array("h", [0] * length)
    for index in loud_at:
        samples[index] = value
    return samples.tobytes()


def test_percentile_is_nearest_rank_and_a_measured_value() -> None:
    values = [float(v) for v in range(1, 101)]  # 1..100
    assert stats.percentile(values, 50) == 50.0
    assert stats.percentile(values, 95) == 95.0
    assert stats.percentile(values, 99) == 99.0
    assert stats.percentile(values, 100) == 100.0
    assert stats.percentile([3.0, 1.0, 2.0], 50) == 2.0  # unsorted input
    assert stats.percentile([7.0], 99) == 7.0
    assert stats.median([4.0, 1.0, 3.0, 2.0]) == 2.0  # the lower middle: a measured value
    with pytest.raises(ValueError, match="no values"):
        stats.percentile([], 50)
    with pytest.raises(ValueError, match="outside"):
        stats.percentile([1.0], 0)


def test_onset_time_counts_back_from_the_chunk_read_time() -> None:
    finder = stats.OnsetFinder(RATE)
    # 480 samples read at t = 10 s; the impulse at index 0 is 479 samples before the end.
    assert finder.feed(_chunk(480, (0,)), 10.0) == [pytest.approx(10.0 - 479 / RATE)]
    # A negative impulse counts too, and the quiet before it must last REARM_S.
    finder = stats.OnsetFinder(RATE)
    assert finder.feed(_chunk(480, (479,), value=-20000), 5.0) == [pytest.approx(5.0)]


def test_a_burst_is_one_onset_and_quiet_rearms() -> None:
    finder = stats.OnsetFinder(RATE)
    burst = _chunk(4800, tuple(range(100, 148)))  # 1 ms loud in a 100 ms chunk
    assert len(finder.feed(burst, 1.0)) == 1
    # 50 ms later: still within REARM_S of the last loud sample, not a new impulse.
    assert finder.feed(_chunk(2400, (0,)), 1.05) == []
    # After a long quiet (spread over chunks) a new onset is found.
    assert finder.feed(_chunk(4800), 1.15) == []
    assert len(finder.feed(_chunk(4800, (10,)), 1.25)) == 1
    # Below the threshold is quiet.
    assert stats.OnsetFinder(RATE).feed(_chunk(480, (5,), value=7999), 1.0) == []
    # An odd trailing byte is ignored rather than misread.
    assert stats.OnsetFinder(RATE).feed(_chunk(10, (9,)) + b"\x01", 2.0) == [
        pytest.approx(2.0)]


def test_delays_match_each_detection_to_the_latest_emission() -> None:
    emitted = [1.0, 2.0, 3.0, 4.0]
    heard = [1.030, 2.025, 2.026, 3.5, 0.5, 5.2, 4.040]
    # 2.026 is a second detection of 2.0; 0.5 precedes every emission; 5.2 is outside
    # the window after 4.0 (whose own detection came at 4.040).
    found = stats.delays(emitted, heard, window=0.95)
    assert found == [pytest.approx(d) for d in (0.030, 0.025, 0.5, 0.040)]
    assert stats.delays(emitted, [3.5], window=0.4) == []


def test_transit_jitter_is_the_change_between_consecutive_transits() -> None:
    sent = [0.0, 0.1, 0.2, 0.3]
    received = [0.010, 0.111, 0.210, 0.313]  # transits 10, 11, 10, 13 ms
    assert stats.transit_jitter(sent, received) == [
        pytest.approx(x) for x in (0.001, 0.001, 0.003)]
    assert stats.transit_jitter([0.0], [0.01]) == []
    with pytest.raises(ValueError, match="pair up"):
        stats.transit_jitter([0.0, 0.1], [0.01])


def test_share_of_core() -> None:
    assert stats.share_of_core(0.5, 10.0) == pytest.approx(5.0)
    with pytest.raises(ValueError, match="positive"):
        stats.share_of_core(1.0, 0.0)


def test_whole_frames_counts_pixels_however_a_frame_was_cut() -> None:
    frame = 1280 * 720
    strips = [1280 * 51] * 14 + [1280 * 6]  # one frame in 15 requests, as XPutImage cuts it
    assert stats.whole_frames(strips, frame) == pytest.approx(1.0)
    assert stats.whole_frames([frame] * 30, frame) == pytest.approx(30.0)
    assert stats.whole_frames([frame // 2] * 3, frame) == pytest.approx(1.5)  # a torn frame
    assert stats.whole_frames([], frame) == 0
    with pytest.raises(ValueError, match="area"):
        stats.whole_frames([1], 0)
