"""What a running session tells the app while it runs: its microphone (switched, or
lost with a helper), the screen it shares, the granted devices' use, the jail's traffic.

:class:`~.lifecycle.Session` owns the state machine and the loop that waits for the
sandbox; what that loop learns becomes :class:`~.states.Event` s here, each stamped with
the session's state at that moment. Everything runs on the session's own thread.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Sequence
from typing import Any

from ..core.errors import LauncherError
from ..core.plan import LaunchPlan
from .events import Connections, HelperLost, LiveEvent, Mic, Screen, from_dicts
from .report_network import Connection
from .resources import LiveResources
from .states import Event, Listener, State
from .usage import DeviceWatch

#: The longest a quiet session's traffic counters go unasked (any DNS question, or a
#: counter that moved, brings the snapshots back to every few seconds).
QUIET_MAX_S = 16.0


class LiveNews:
    """One session's live events to its listener, and the device state behind them."""

    def __init__(self, session_id: str, plan: LaunchPlan, listener: Listener | None,
                 state: Callable[[], State]) -> None:
        self._id = session_id
        self._plan = plan
        self._listener = listener
        self._state = state
        #: Whether the microphone is muted now; None while the session has none to switch.
        self.mic_muted: bool | None = None
        #: When the granted devices are in use (from RUNNING on).
        self.devices: DeviceWatch | None = None
        self._last_traffic: tuple[Connection, ...] = ()
        #: Snapshots in a row in which no counter moved, and when traffic is asked next.
        self._quiet = 0
        self._traffic_due = 0.0

    def _send(self, data: LiveEvent) -> None:
        if self._listener is not None:
            self._listener(Event(self._id, self._state(), "", data))

    def publish(self, events: Sequence[LiveEvent]) -> None:
        """Send live events (network, device, ``join``) to the app."""
        for event in events:
            self._send(event)

    def traffic(self, resources: LiveResources) -> bool:
        """Send the live connection list (counters straight from the firewall) to the app;
        whether anything moved since the last one."""
        if self._listener is None:
            return False
        snapshot = Connections.from_dict(resources.network_snapshot())
        self._send(snapshot)
        moved = snapshot.connections != self._last_traffic
        self._last_traffic = snapshot.connections
        return moved

    def network_news(self, resources: LiveResources, due: float, every: float) -> float:
        """The jail sent news (a name was asked): pass it on; traffic may start, so the
        next snapshot is due within *every* seconds (returned, from *due*)."""
        self.publish(from_dicts(resources.network_events()))
        self._quiet = 0
        self._traffic_due = 0.0
        return min(due, time.monotonic() + every)

    def announce(self, resources: LiveResources, poll_seconds: float) -> None:
        """The client runs: say how the microphone and the screen start, and follow the
        granted devices' use from now on."""
        if resources.mic_switchable():
            self.mic_muted = not self._plan.devices.audio.mic_at_start
            self._send(Mic(self.mic_muted))
        if self._plan.devices.screen.mode != "off" and self._listener is not None:
            from ..devices.screen import started_event  # sessions without a screen: never

            self._send(Screen.from_dict(started_event(self._plan.devices.screen)))
        self.devices = DeviceWatch.start(self._plan, resources, self.publish, poll_seconds)

    @property
    def polled(self) -> bool:
        """Whether device use is read at every snapshot (not only announced by events)."""
        return self.devices is not None and self.devices.polled

    def snapshot(self, resources: LiveResources, traffic: bool, every: float) -> float:
        """One live snapshot: traffic counters (when there is a jail), device use.
        Returns when the next is due: *every* seconds after this one began, or for the
        traffic alone, longer while nothing moves (see :data:`QUIET_MAX_S`)."""
        now = time.monotonic()
        if traffic and now >= self._traffic_due:
            self._quiet = 0 if self.traffic(resources) else self._quiet + 1
            # A quiet session's counters are asked less and less often (the holder
            # answers from the firewall: its cost is the session's idle cost).
            self._traffic_due = now + min(every * 2 ** self._quiet, QUIET_MAX_S) - every / 10
        if self.devices is not None and self.devices.polled:
            self.devices.poll()  # use of a device is never announced late
            return now + every
        return max(now + every, self._traffic_due)

    def device_news(self, resources: LiveResources) -> None:
        """A device grant has news (a shared window closed, a portal cast started…)."""
        events = from_dicts(resources.device_events())
        if self.devices is not None:
            self.devices.device_events(events)  # use is announced on changes only
        else:
            self.publish(events)

    def end_devices(self) -> None:
        """The client has gone: close the devices' open intervals of use."""
        if self.devices is not None:
            self.devices.end()

    def usage_report(self) -> dict[str, Any] | None:
        """The report's ``devices.usage``; None if the session never ran."""
        return self.devices.log.report() if self.devices is not None else None

    def switch_mic(self, resources: LiveResources, muted: bool) -> None:
        """Mute or unmute, then say how the microphone is (with why, if it stayed off)."""
        error = ""
        if not resources.mic_switchable():
            error = "this session has no microphone to switch on"
        else:
            try:
                self.mic_muted = resources.set_mic(muted)
            except LauncherError as exc:
                error = exc.summary
        self._send(Mic(self.mic_muted is not False, error if not muted else ""))
        if self.devices is not None:
            self.devices.poll()  # muted is not in use, at once; unmuted may be

    def helpers_lost(self, resources: LiveResources, lost: list[HelperLost]) -> None:
        """Say which helpers died; a lost sound server or microphone forwarder leaves the
        microphone off (what stopping the session takes is the session's part)."""
        self.publish(lost)
        if self.mic_muted is False and any(e.grant in ("sound", "microphone") for e in lost):
            # Off, whatever may still be switched: the dead forwarder is cleared away.
            self.mic_muted = resources.set_mic(True)
            self.publish([Mic(self.mic_muted)])
