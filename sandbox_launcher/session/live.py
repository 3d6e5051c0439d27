"""Live figures from a running session's network snapshots (no Qt here).

The session sends a ``connections`` snapshot every ``SNAPSHOT_SECONDS`` while traffic
moves (less often while it does not: session/live_news.py): cumulative byte counters
per destination. The app plots the *change* between snapshots, one point per
``SNAPSHOT_SECONDS`` (a later snapshot's change spread over the points it covers), notices
bursts of newly blocked destinations, and shows in the tray whether a microphone or a
camera is live (in use, not only granted: session/usage.py), or the screen is shared.
"""

from __future__ import annotations

import enum
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

#: How often the jail sends a snapshot (``Session.poll_seconds``).
SNAPSHOT_SECONDS = 2.0
#: Points kept for the plot: three minutes of snapshots.
SERIES_LENGTH = 90
#: Newly blocked destinations in one snapshot that make a burst worth a notification.
BURST_MIN = 5
#: At most one burst notification per session in this many seconds.
BURST_QUIET_SECONDS = 60.0

Destination = tuple[str, str, int]


@dataclass(frozen=True)
class TrafficPoint:
    """Bytes sent and received between two snapshots (allowed connections only)."""

    bytes_out: int
    bytes_in: int


def allowed_totals(connections: Iterable[Mapping[str, Any]]) -> tuple[int, int]:
    """Cumulative bytes out and in over the allowed connections of one snapshot."""
    out = inbound = 0
    for conn in connections:
        if conn.get("verdict") == "allowed":
            out += int(conn.get("bytes_out", 0) or 0)
            inbound += int(conn.get("bytes_in", 0) or 0)
    return out, inbound


class TrafficSeries:
    """The per-snapshot traffic of one session, newest last, at most *length* points.

    ``points`` is replaced, never mutated, so the GUI thread can read it while the
    session's thread adds to it.
    """

    def __init__(self, length: int = SERIES_LENGTH) -> None:
        self.length = length
        self.points: tuple[TrafficPoint, ...] = ()
        self._last: tuple[int, int] = (0, 0)  # a session starts with nothing sent
        self._at: float | None = None  # when the last snapshot was taken

    def add(self, connections: Iterable[Mapping[str, Any]], at: float | None = None
            ) -> TrafficPoint:
        """Add one snapshot taken at *at* (monotonic seconds); returns its newest point.

        A quiet session is asked less often: a snapshot that comes *n* snapshot periods
        after the last adds *n* points, the change spread evenly over them (the plot's
        time axis and the rates stay right). A counter that went down (a connection left
        the snapshot) counts as zero, never negative."""
        out, inbound = allowed_totals(connections)
        periods = 1
        if at is not None and self._at is not None:
            periods = min(self.length, max(1, round((at - self._at) / SNAPSHOT_SECONDS)))
        if at is not None:
            self._at = at
        delta_out, delta_in = max(0, out - self._last[0]), max(0, inbound - self._last[1])
        self._last = (out, inbound)
        points = [TrafficPoint(delta_out // periods, delta_in // periods)] * periods
        self.points = (*self.points, *points)[-self.length:]
        return points[-1]

    def rates(self) -> tuple[float, float]:
        """Bytes per second out and in, from the newest point (0 before the first)."""
        if not self.points:
            return 0.0, 0.0
        last = self.points[-1]
        return last.bytes_out / SNAPSHOT_SECONDS, last.bytes_in / SNAPSHOT_SECONDS


def blocked_destinations(connections: Iterable[Mapping[str, Any]]) -> set[Destination]:
    """The (ip, protocol, port) of every blocked connection in a snapshot."""
    return {(str(c.get("ip")), str(c.get("protocol")), int(c.get("port", 0) or 0))
            for c in connections if c.get("verdict") == "blocked"}


class BurstWatch:
    """Says when a snapshot's newly blocked destinations are a burst to notify about:
    at least *minimum* new ones, and not within *quiet* seconds of the last notice."""

    def __init__(self, minimum: int = BURST_MIN, quiet: float = BURST_QUIET_SECONDS) -> None:
        self.minimum = minimum
        self.quiet = quiet
        self._seen: dict[str, set[Destination]] = {}
        self._notified: dict[str, float] = {}

    def update(self, session_id: str, connections: Iterable[Mapping[str, Any]],
               now: float) -> int:
        """The number of newly blocked destinations to announce, or 0 for silence."""
        blocked = blocked_destinations(connections)
        seen = self._seen.setdefault(session_id, set())
        new = len(blocked - seen)
        seen |= blocked
        if new < self.minimum:
            return 0
        last = self._notified.get(session_id)
        if last is not None and now - last < self.quiet:
            return 0
        self._notified[session_id] = now
        return new

    def forget(self, session_id: str) -> None:
        """Drop what is known about an ended session."""
        self._seen.pop(session_id, None)
        self._notified.pop(session_id, None)


class Indicator(enum.Enum):
    """What the tray icon shows, most urgent last."""

    IDLE = "idle"
    RUNNING = "running"
    MIC = "mic"
    SCREEN = "screen"
    CAMERA = "camera"


@dataclass(frozen=True)
class LiveState:
    """How many sessions run, and whether any has a live microphone (on and recorded by
    the client) or camera (open, not only granted), or shares the screen."""

    sessions: int = 0
    mic: bool = False
    camera: bool = False
    screen: bool = False

    @property
    def indicator(self) -> Indicator:
        """The icon: a live camera outranks a shared screen outranks a live microphone
        outranks running."""
        if self.camera:
            return Indicator.CAMERA
        if self.screen:
            return Indicator.SCREEN
        if self.mic:
            return Indicator.MIC
        return Indicator.RUNNING if self.sessions else Indicator.IDLE
