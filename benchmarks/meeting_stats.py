"""Pure statistics of the meeting benchmark: percentiles, impulse onsets, delays, jitter.

No I/O and nothing of the sandbox: ``tests/unit/test_meeting_stats.py`` checks these on
made-up numbers, so a figure in RESULTS.md is only as wrong as the measurement itself.
"""

from __future__ import annotations

import array
import bisect
import itertools
import math
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

#: An impulse is a sample this loud after at least REARM_S of quiet (16-bit samples).
THRESHOLD = 8000
REARM_S = 0.1


def percentile(values: Iterable[float], q: float) -> float:
    """Nearest-rank percentile *q* (0 < q <= 100): always one of the measured values."""
    ordered = sorted(values)
    if not ordered:
        raise ValueError("no values")
    if not 0 < q <= 100:
        raise ValueError(f"percentile {q} outside (0, 100]")
    return ordered[max(0, math.ceil(len(ordered) * q / 100) - 1)]


def median(values: Iterable[float]) -> float:
    """The 50th nearest-rank percentile (a measured value, as the p95 beside it)."""
    return percentile(values, 50)


@dataclass
class OnsetFinder:
    """Finds impulse onsets in a stream of 16-bit mono samples read in chunks.

    Each chunk comes with the monotonic time it was read; the last sample of a chunk is
    taken to have arrived at that time, so a sample *k* samples before the end arrived
    ``k / rate`` seconds earlier. A new onset needs :data:`REARM_S` of quiet first, so a
    burst of loud samples is one impulse.
    """

    rate: int
    threshold: int = THRESHOLD
    rearm_s: float = REARM_S
    _quiet: int = 1 << 62  # samples since the last loud one: "long ago" at the start

    def feed(self, chunk: bytes, read_at: float) -> list[float]:
        """The onset times in *chunk* (read at *read_at*); odd trailing bytes are dropped."""
        samples = array.array("h", chunk[: len(chunk) // 2 * 2])
        rearm = int(self.rearm_s * self.rate)
        found = []
        for index, value in enumerate(samples):
            if abs(value) >= self.threshold:
                if self._quiet >= rearm:
                    found.append(read_at - (len(samples) - 1 - index) / self.rate)
                self._quiet = 0
            else:
                self._quiet += 1
        return found


def delays(emitted: Sequence[float], heard: Sequence[float], window: float) -> list[float]:
    """Delay of each heard impulse after the latest impulse emitted before it.

    *emitted* must be sorted. A detection with no emission in the *window* seconds before
    it (noise, or one from before the measurement) is dropped, and so is a second
    detection of the same emission: only the first counts.
    """
    out: list[float] = []
    used: set[int] = set()
    for when in sorted(heard):
        index = bisect.bisect_right(emitted, when) - 1
        if index < 0 or index in used or when - emitted[index] > window:
            continue
        used.add(index)
        out.append(when - emitted[index])
    return out


def transit_jitter(sent: Sequence[float], received: Sequence[float]) -> list[float]:
    """|D(i-1, i)| of RFC 3550 §6.4.1 for consecutive received packets, in seconds.

    *sent* and *received* are the times of the packets that came back, in sending order;
    D is the change in transit time from one packet to the next.
    """
    if len(sent) != len(received):
        raise ValueError("sent and received times must pair up")
    transit = [r - s for s, r in zip(sent, received, strict=True)]
    return [abs(b - a) for a, b in itertools.pairwise(transit)]


def share_of_core(cpu_seconds: float, wall_seconds: float) -> float:
    """CPU time over wall time, in % of one core."""
    if wall_seconds <= 0:
        raise ValueError("wall time must be positive")
    return cpu_seconds / wall_seconds * 100


def whole_frames(areas: Iterable[int], frame_area: int) -> float:
    """How many whole frames the damaged *areas* (pixels, one per report) add up to.

    A frame need not reach the screen in one piece: ``XPutImage`` without MIT-SHM
    cuts 1280x720 into strips of at most one request each, and a nested server
    forwards each strip as it comes. Counting reports, or bursts of them, then
    counts pieces or runs of frames (the bursts merge when strips follow each other
    closely); counting pixels counts what was drawn, however it was cut.
    """
    if frame_area <= 0:
        raise ValueError("a frame must have an area")
    return sum(areas) / frame_area
