"""The vocabulary of a session's life: its states and their order, the events the app
hears, and how a session ended. The state machine itself is :mod:`.lifecycle`."""

from __future__ import annotations

import enum
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from ..backends.base import Captured
from .events import LiveEvent


class State(enum.Enum):
    """Lifecycle states, in order."""

    PLANNED = "planned"
    PREPARING = "preparing"
    STARTING = "starting"
    RUNNING = "running"
    STOPPING = "stopping"
    WIPING = "wiping"
    VERIFYING = "verifying"
    WIPED = "wiped"
    FAILED = "failed"


NEXT: dict[State, frozenset[State]] = {
    State.PLANNED: frozenset({State.PREPARING}),
    State.PREPARING: frozenset({State.STARTING, State.WIPING}),
    State.STARTING: frozenset({State.RUNNING, State.WIPING}),
    State.RUNNING: frozenset({State.STOPPING, State.WIPING}),
    State.STOPPING: frozenset({State.WIPING}),
    State.WIPING: frozenset({State.VERIFYING}),
    State.VERIFYING: frozenset({State.WIPED, State.FAILED}),
    State.WIPED: frozenset(),
    State.FAILED: frozenset(),
}


@dataclass(frozen=True)
class Event:
    """Something the app should show: a state change or a message."""

    session_id: str
    state: State
    message: str = ""
    #: A live event for the app (session/events.py): network (Dns, Connections), Mic,
    #: Screen, DeviceUse (a granted device started or stopped being in use), Join.
    data: LiveEvent | None = None


Listener = Callable[[Event], None]


@dataclass
class Outcome:
    """How a session ended: the client's status and the full report."""

    status: int | None
    report: dict[str, Any] = field(default_factory=dict)
    #: The home paths the session was asked to capture (the vault's), if any.
    captured: Captured = field(default_factory=Captured)
    #: What the launch path did after the session (the vault saved…), for the user.
    notes: tuple[str, ...] = ()

    @property
    def wipe_verified(self) -> bool:
        """Whether every wipe check passed."""
        return bool(self.report.get("wipe", {}).get("verified"))
