"""When each granted device was in use during a session: live events and the report.

The session feeds :class:`UsageLog` what it learns (the backend's checks at every live
snapshot, the screen grant's own events); the log answers with a live event when a
device's state changed, a :class:`~.events.DeviceUse` (with ``assumed`` saying why when
the use could not be seen, only inferred),
and keeps the intervals for the report's ``devices.usage``::

    {"camera": [{"from": ISO, "to": ISO, "seconds": 3.0}], "microphone": [],
     "totals_s": {"camera": 3.0, "microphone": 0.0}, "checked_every_s": 2.0,
     "how": {"camera": "…", …}}

Only granted devices appear. :class:`UsageLog` is pure logic (no /proc, no clock of its
own); :class:`DeviceWatch` connects it to the running sandbox.
"""

from __future__ import annotations

import datetime
import time
from collections.abc import Callable, Mapping, MutableMapping, MutableSet, Sequence
from dataclasses import dataclass, field
from typing import Any, Protocol

from ..core.plan import LaunchPlan
from ..devices.usage import CAMERA, MICROPHONE, SCREEN, Use
from .events import DeviceUse, LiveEvent, Screen


class UsageSource(Protocol):
    """Where a session's device use is read (the session's resources)."""

    def mic_switchable(self) -> bool:
        """Whether the session has a microphone that may be switched on."""
        ...

    def device_usage(self) -> dict[str, Use]:
        """Which granted devices are in use now."""
        ...


#: How each device's use is observed, for the report's readers.
HOW = {
    CAMERA: "a process of the session holds the camera's device node open (its open "
            "file descriptors, checked at every live snapshot); assumed in use while a "
            "process hides its descriptors (not dumpable)",
    MICROPHONE: "the microphone is on and a client records it from the session's own "
                "sound server (an uncorked recording stream, checked at every live "
                "snapshot while it is on)",
    "mirror": "the shared window is mirrored into the sandbox: from the session's start "
              "until the window or the mirror closed",
    "portal": "from the client's ScreenCast.Start call, as the session bus proxy logs it, "
              "until it closed a portal session or the portal closed one; the proxy logs "
              "headers only, so a cancelled dialog counts until the client closes",
}


def iso(epoch: float) -> str:
    """A wall-clock time as ISO 8601 with the local offset, to the millisecond."""
    return datetime.datetime.fromtimestamp(epoch).astimezone().isoformat(
        timespec="milliseconds")


@dataclass
class _Interval:
    start: float
    end: float | None = None
    assumed: str = ""


@dataclass
class UsageLog:
    """The in-use intervals of a session's granted devices (``camera``, ``microphone``,
    ``screen``), and the live events that announce each change."""

    devices: tuple[str, ...]
    checked_every_s: float
    #: ``"mirror"`` or ``"portal"`` when the screen is granted (how its use is seen).
    screen_mode: str = ""
    _intervals: dict[str, list[_Interval]] = field(default_factory=dict)

    def __post_init__(self) -> None:
        self._intervals = {device: [] for device in self.devices}

    @property
    def polled(self) -> bool:
        """Whether the backend must be asked at every snapshot (camera or microphone)."""
        return CAMERA in self.devices or MICROPHONE in self.devices

    def in_use(self, device: str) -> bool:
        """Whether *device* is in use as far as the log knows."""
        runs = self._intervals.get(device, [])
        return bool(runs) and runs[-1].end is None

    def update(self, readings: Mapping[str, Use], now: float) -> list[DeviceUse]:
        """Note what was seen at *now* (epoch seconds); the live events of the changes."""
        events = []
        for device, use in readings.items():
            runs = self._intervals.get(device)
            if runs is None:
                continue  # not granted: nothing to say
            if use.in_use and not self.in_use(device):
                runs.append(_Interval(now, assumed=use.assumed))
            elif not use.in_use and self.in_use(device):
                runs[-1].end = now
            else:
                if use.in_use and use.assumed and not runs[-1].assumed:
                    runs[-1].assumed = use.assumed  # in use all along; seen only partly
                continue
            events.append(DeviceUse(device, use.in_use, now,
                                    use.assumed if use.in_use else ""))
        return events

    def close(self, now: float) -> list[DeviceUse]:
        """The session stopped running: every open interval ends at *now*."""
        return self.update({d: Use(False) for d in self.devices if self.in_use(d)}, now)

    def report(self) -> dict[str, Any]:
        """The report's ``devices.usage`` (call after :meth:`close`)."""
        out: dict[str, Any] = {}
        totals: dict[str, float] = {}
        for device, runs in self._intervals.items():
            listed = []
            for run in runs:
                end = run.end if run.end is not None else run.start
                item: dict[str, Any] = {"from": iso(run.start), "to": iso(end),
                                        "seconds": round(end - run.start, 3)}
                if run.assumed:
                    item["assumed"] = run.assumed
                listed.append(item)
            out[device] = listed
            totals[device] = round(sum(i["seconds"] for i in listed), 3)
        how = {d: HOW[self.screen_mode if d == SCREEN else d] for d in self.devices
               if (self.screen_mode if d == SCREEN else d) in HOW}
        return {**out, "totals_s": totals, "checked_every_s": self.checked_every_s,
                "how": how}


def granted_devices(camera: bool, microphone: bool, screen: bool) -> tuple[str, ...]:
    """The devices a session's usage log follows, in report order."""
    return tuple(d for d, on in ((CAMERA, camera), (MICROPHONE, microphone), (SCREEN, screen))
                 if on)


def note_device_event(in_use: MutableMapping[str, float], event: DeviceUse,
                      now: float, assumed: MutableSet[str] | None = None) -> None:
    """Apply a :class:`DeviceUse` event to an app's map of device → in use since (epoch),
    and to the set of devices whose use was *assumed* rather than seen."""
    device = event.device
    if event.in_use:
        in_use.setdefault(device, event.at or now)
        if assumed is not None and event.assumed:
            assumed.add(device)
    else:
        in_use.pop(device, None)
        if assumed is not None:
            assumed.discard(device)



Publish = Callable[[Sequence[LiveEvent]], None]


class DeviceWatch:
    """A running session's device use: asks the backend at every live snapshot, turns
    the grants' own events into use, and announces each change through *publish*."""

    def __init__(self, log: UsageLog, handle: UsageSource, publish: Publish,
                 clock: Callable[[], float] = time.time) -> None:
        self.log = log
        self.handle = handle
        self.publish = publish
        self.clock = clock

    @classmethod
    def start(cls, plan: LaunchPlan, handle: UsageSource, publish: Publish,
              every: float) -> DeviceWatch | None:
        """Follow *plan*'s granted devices from now on (the client runs); None if none."""
        screen = plan.devices.screen.mode
        devices = granted_devices(plan.devices.camera is not None, handle.mic_switchable(),
                                  screen != "off")
        if not devices:
            return None
        watch = cls(UsageLog(devices, every, screen if screen != "off" else ""), handle,
                    publish)
        if screen == "mirror":  # the mirror shows the window from the start
            watch.note(SCREEN, Use(True))
        watch.poll()
        return watch

    @property
    def polled(self) -> bool:
        """Whether :meth:`poll` has anything to ask (camera or microphone granted)."""
        return self.log.polled

    def note(self, device: str, use: Use) -> None:
        """Something the session learned itself (a screen grant's event)."""
        self.publish(self.log.update({device: use}, self.clock()))

    def poll(self) -> None:
        """Ask the backend what is in use now (at every snapshot, and after a mic switch)."""
        if self.log.polled:
            self.publish(self.log.update(self.handle.device_usage(), self.clock()))

    def device_events(self, events: list[LiveEvent]) -> None:
        """The grants' own news, published; screen use goes through the log."""
        for event in events:
            match event:
                case DeviceUse(in_use=in_use):  # the portal's raw news: timed by the log
                    self.note(SCREEN, Use(in_use))
                    continue
                case Screen(shared=False):
                    self.publish([event])
                    self.note(SCREEN, Use(False))  # the mirrored window went away
                case _:
                    self.publish([event])

    def end(self) -> None:
        """The client stopped running: close every interval (announced as not in use)."""
        self.publish(self.log.close(self.clock()))
