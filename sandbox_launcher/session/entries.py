"""What the app service knows of each session, and the events it sends: plain data.

Split from :mod:`.service` so the views can import these types without the service's
machinery, and so the service stays about starting, watching and stopping.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from ..core.errors import LauncherError
from .lifecycle import Event, Outcome, State
from .live import TrafficSeries


@dataclass(frozen=True)
class Finished:
    """A session's thread has ended: with an outcome, or an error before it could start."""

    session_id: str
    outcome: Outcome | None
    error: LauncherError | None


ServiceEvent = Event | Finished
_ENDING = frozenset({State.WIPING, State.VERIFYING, State.WIPED, State.FAILED})
ServiceListener = Callable[[ServiceEvent], None]


@dataclass(frozen=True)
class Usage:
    """CPU and memory of a session's processes right now."""

    cpu_percent: float  # summed over processes; 100 = one core busy
    rss_bytes: int
    processes: int


@dataclass
class SessionEntry:
    """What the service knows about one session it started."""

    id: str
    profile: str
    title: str
    state: State = State.PLANNED
    running_since: float | None = None  # time.monotonic() when it reached RUNNING
    ended_at: float | None = None
    connections: list[dict[str, Any]] = field(default_factory=list)
    network_summary: dict[str, Any] = field(default_factory=dict)
    outcome: Outcome | None = None
    error: LauncherError | None = None
    #: Whether the microphone is muted; None while the session has none to switch.
    mic_muted: bool | None = None
    mic_error: str = ""  # why the last switch-on failed
    #: The granted camera's kernel name (video0), or None.
    camera: str | None = None
    #: What is shared of the screen right now: the window's title, "portal", or None.
    screen: str | None = None
    #: Granted devices in use now ("camera", "microphone", "screen") → since (epoch).
    in_use: dict[str, float] = field(default_factory=dict)
    #: Devices counted as in use without being seen (e.g. a process hides its open files).
    use_assumed: set[str] = field(default_factory=set)
    #: Bytes out/in per network snapshot, for the plot.
    traffic: TrafficSeries = field(default_factory=TrafficSeries)
    #: What the session lost while it ran (a helper died), one sentence each.
    lost: list[str] = field(default_factory=list)
    #: Where the backend's start is (``BOOT_STEPS``), while the session is starting.
    step: str = ""

    @property
    def live(self) -> bool:
        """Running now: the client is up and its devices may be in use."""
        return self.active and self.state is State.RUNNING

    @property
    def active(self) -> bool:
        """Still between start and wiped."""
        return self.outcome is None and self.error is None

    def uptime(self, now: float | None = None) -> float:
        """Seconds since the client started (frozen once the session ended)."""
        if self.running_since is None:
            return 0.0
        end = self.ended_at if self.ended_at is not None else (now or time.monotonic())
        return max(0.0, end - self.running_since)


@dataclass(frozen=True)
class EndSummary:
    """The numbers behind "contacted N hosts in M countries, blocked K; wipe verified"."""

    hosts: int
    countries: tuple[str, ...]
    blocked: int
    wipe_verified: bool
    exit_status: int | None


def end_summary(report: dict[str, Any]) -> EndSummary:
    """Read the end summary out of a session report (no network: all zero)."""
    summary = report.get("network", {}).get("summary", {})
    return EndSummary(hosts=int(summary.get("hosts_contacted", 0)),
                      countries=tuple(summary.get("countries", ())),
                      blocked=int(summary.get("blocked", 0)),
                      wipe_verified=bool(report.get("wipe", {}).get("verified")),
                      exit_status=report.get("exit", {}).get("status"))
