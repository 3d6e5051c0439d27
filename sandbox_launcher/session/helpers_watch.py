"""Noticing a helper of a running session die: the network jail, pasta, Xephyr, the sound
server and its forwarders, the bus proxy, the window mirror; and the user's runtime dir
filled by the session (:mod:`.runtime_guard`, on a timer in the same epoll set).

Each helper is watched through a pidfd (``pidfd_open``), gathered in one epoll set whose
descriptor the session's loop waits on with everything else: a pidfd names one process,
not a number, so a helper's pid being reused by another process cannot fool the watch.
The pidfd is opened while the helper is still ours and unreaped (a child whose status
nobody has collected, or pasta, the holder's child, which the holder never reaps), so it
cannot name anything else either.

What a loss means is decided per helper (:data:`EFFECTS`, the table in DESIGN.md): the
session keeps running without that grant, except when the display goes (the client has
no window left to be used or stopped from), where it is stopped and wiped. Nothing is
restarted: a helper that died may have been killed by something hostile, and the network
jail fails closed by construction (its firewall lives in the namespace, not in the
holder, and without pasta the namespace has no link out at all).
"""

from __future__ import annotations

import contextlib
import os
import select
import signal
import subprocess
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path

from . import runtime_guard
from .events import HelperLost

#: Grant -> (what the person is told, whether the session is stopped).
EFFECTS: dict[str, tuple[str, bool]] = {
    "network": ("the meeting has no network now; nothing else is reachable", False),
    "names": ("the meeting has no network and no name lookups now; nothing else is "
              "reachable", False),
    "display": ("the meeting's window is gone, so the session is stopped and wiped", True),
    "bus": ("the meeting can no longer reach the desktop's notifications (or share the "
            "screen through the portal); nothing else changed", False),
    "sound": ("the meeting has no speakers and no microphone now", False),
    "speakers": ("you no longer hear the meeting; its microphone is unchanged", False),
    "microphone": ("the microphone is off now; switch it on again to retry", False),
    "screen": ("the shared window is no longer shown to the meeting", False),
    "storage": ("the session is stopped and wiped, which frees it, so that the rest of "
                "your desktop keeps working", True),
    # A VM session's guest: its QEMU ended (killed, crashed, or the guest kernel panicked:
    # the domain is destroyed on a crash or reboot, see backends/vm/domain.py).
    "vm": ("the meeting ended; everything was wiped", True),
}

#: Grant -> how the helper is named in the sentence.
WHAT: dict[str, str] = {
    "network": "the network helper (pasta) stopped",
    "names": "the network jail (its firewall holder and name resolver) stopped",
    "display": "the display helper (Xephyr) stopped",
    "bus": "the session bus proxy stopped",
    "sound": "the session's sound server stopped",
    "speakers": "the speakers' forwarder stopped",
    "microphone": "the microphone's forwarder stopped",
    "screen": "the window mirror (screen sharing) stopped",
    "vm": "the VM stopped unexpectedly",
}
#: Helper -> how it is named, where it differs from its grant's (a VM session's own).
WHAT_HELPER: dict[str, str] = {
    "passt": "the VM's network helper (passt) stopped",
    "virt-viewer": "the VM's window (virt-viewer) stopped",
}


@dataclass(frozen=True)
class Watched:
    """One helper to watch: its name, the grant it carries, and its process.

    *process*: our own child (its exit status is then known); *pid* otherwise (pasta).
    *quiet_ok*: an exit of its own without a signal is the grant ending as designed (the
    mirror exits when the shared window closes, and has said so), not a loss.
    *unit*: helpers that fail together (a forwarder's two ``pacat``: either one's end
    ends the other) share one (a pid of theirs: never ``id()``, which a new pair may
    reuse), and are announced once; 0 for a helper of its own.
    """

    name: str
    grant: str
    pid: int
    process: subprocess.Popen[bytes] | None = None
    quiet_ok: bool = False
    unit: int = 0

    @property
    def key(self) -> tuple[int, int]:
        """Which process this is: the pid, and the Popen object (a pid may be reused)."""
        return self.pid, id(self.process) if self.process is not None else 0


#: A lost grant -> the grants whose helpers die with it (their loss is not news then):
#: pasta dies with the holder, the forwarders with the sound server.
#: A VM's QEMU takes its passt (``--one-off``) and its viewer with it.
COVERS: dict[str, frozenset[str]] = {"names": frozenset({"network"}),
                                     "sound": frozenset({"speakers", "microphone"}),
                                     "vm": frozenset({"network", "display"})}
#: How long the loss of a helper that another one's loss covers waits for that one: the
#: forwarders see their server's socket close before its bwrap has reaped it and exited.
COVER_WAIT_S = 0.3
_COVERED = frozenset().union(*COVERS.values())


def _status(process: subprocess.Popen[bytes] | None) -> str:
    """How a child ended, when it is ours: its status is collected here (Popen keeps it)."""
    if process is None:
        return ""
    try:
        # Its pidfd said it ended; a thread of the helper's owner may be reaping it right
        # now (the VM's viewer), when poll() alone would answer "still running".
        code = process.wait(1.0)
    except subprocess.TimeoutExpired:
        return ""
    if code < 0:
        with contextlib.suppress(ValueError):
            return f"killed by {signal.Signals(-code).name}"
        return f"killed by signal {-code}"
    return f"exit status {code}"


def describe(grant: str, status: str = "", at: float = 0.0, helper: str = "") -> HelperLost:
    """The event for a lost helper of *grant*, with its sentence (*status* says what
    happened when it is not a helper's end: the runtime dir filled)."""
    effect, stops = EFFECTS[grant]
    what = WHAT_HELPER.get(helper) or WHAT.get(grant, status)
    return HelperLost(helper or grant, grant, f"{what}: {effect}", stops, status, at)


@dataclass
class HelperWatch:
    """The pidfds of a session's helpers in one epoll set.

    *current* lists the helpers that should be running now: one that is no longer listed
    was stopped on purpose (the microphone muted) and is forgotten, a new one (unmuted
    again) is added, on every :meth:`lost`.
    """

    current: Callable[[], Sequence[Watched]]
    #: The session's state dir, in the user's runtime dir (see runtime_guard.py).
    state_dir: Path | None = None
    _epoll: select.epoll = field(default_factory=select.epoll)
    _timer: int = -1
    _interval: float = runtime_guard.LOW_INTERVAL_S
    _fds: dict[tuple[int, int], tuple[Watched, int]] = field(default_factory=dict)
    #: Processes seen ending (not watched again while *current* still lists them).
    _gone: set[tuple[int, int]] = field(default_factory=set)
    _lost_units: set[int] = field(default_factory=set)
    #: Every loss so far, for the report.
    log: list[HelperLost] = field(default_factory=list)
    _started: float = field(default_factory=time.monotonic)
    #: Covered losses waiting for their cover (see COVER_WAIT_S): (due, what, event).
    _held: list[tuple[float, Watched, HelperLost]] = field(default_factory=list)

    @classmethod
    def start(cls, current: Callable[[], Sequence[Watched]],
              state_dir: Path | None = None) -> HelperWatch:
        """Watch what *current* lists now (and, given *state_dir*, the runtime dir's
        free space)."""
        watch = cls(current, state_dir)
        watch._sync()
        # The timer also brings back losses held for their cover.
        with contextlib.suppress(OSError):  # without one, neither (nothing else is lost)
            watch._timer = runtime_guard.timer(watch._interval)
            watch._epoll.register(watch._timer, select.EPOLLIN)
        return watch

    def fileno(self) -> int:
        """Readable when a watched helper has ended."""
        return self._epoll.fileno()

    def _sync(self) -> list[Watched]:
        """Follow *current*; returns helpers found gone before they could be watched."""
        wanted = {w.key: w for w in self.current()}
        for key in [k for k in self._fds if k not in wanted]:
            self._forget(key)
        early = []
        for key, what in wanted.items():
            if key in self._fds or key in self._gone:
                continue
            try:
                fd = os.pidfd_open(what.pid)
            except ProcessLookupError:
                # Gone (and reaped) before it could be watched: lost all the same.
                self._gone.add(key)
                early.append(what)
                continue
            except OSError:  # no pidfds (a kernel before 5.3), no fds left: unwatched
                self._gone.add(key)
                continue
            self._fds[key] = (what, fd)
            self._epoll.register(fd, select.EPOLLIN)
        return early

    def _forget(self, key: tuple[int, int]) -> None:
        _what, fd = self._fds.pop(key)
        with contextlib.suppress(OSError):
            self._epoll.unregister(fd)
        os.close(fd)

    def _event(self, what: Watched) -> HelperLost:
        return describe(what.grant, _status(what.process), self._at(), what.name)

    def lost(self) -> list[HelperLost]:
        """The helpers that ended since the last call, as events: one per unit, none
        for a grant that a loss already announced covers (see :data:`COVERS`)."""
        before = len(self.log)
        ended = self._sync()
        ready = {fd for fd, _mask in self._epoll.poll(0)}
        if self._timer in ready:
            runtime_guard.drain(self._timer)
            self._check_storage()
        for key, (what, fd) in list(self._fds.items()):
            if fd in ready:
                self._forget(key)
                self._gone.add(key)
                ended.append(what)
        now = time.monotonic()
        fresh = [(what, self._event(what)) for what in ended]
        self._held += [(now + COVER_WAIT_S, w, e) for w, e in fresh if w.grant in _COVERED]
        events = [(w, e) for w, e in fresh if w.grant not in _COVERED]
        events += [(w, e) for due, w, e in self._held if due <= now]
        self._held = [held for held in self._held if held[0] > now]
        self._pace()
        # A covering loss first (the holder before pasta), and of a unit the one killed
        # (not its partner that followed it).
        events.sort(key=lambda pair: (pair[0].grant not in COVERS,
                                      not pair[1].status.startswith("killed")))
        for what, event in events:
            covered = any(what.grant in COVERS.get(e.grant, ()) for e in self.log)
            unit = what.unit or what.key[0]
            if covered or unit in self._lost_units or (
                    what.quiet_ok and not event.status.startswith("killed")):
                continue
            self._lost_units.add(unit)
            self.log.append(event)
        return self.log[before:]

    def _check_storage(self) -> None:
        if self.state_dir is not None and not any(e.grant == "storage" for e in self.log):
            why = runtime_guard.full(self.state_dir)
            if why:
                self.log.append(describe("storage", why, self._at(), "runtime dir"))

    def _pace(self) -> None:
        """The timer's next looks: soon while losses wait for their cover or the runtime
        dir runs low, else once a second (an idle session wakes as little as it can)."""
        wanted = (runtime_guard.LOW_INTERVAL_S if self._held or self.state_dir is None
                  else runtime_guard.interval(self.state_dir))
        if wanted != self._interval and self._timer >= 0:
            with contextlib.suppress(OSError):
                runtime_guard.rearm(self._timer, wanted)
                self._interval = wanted

    def _at(self) -> float:
        return round(time.monotonic() - self._started, 3)

    def close(self) -> None:
        """Stop watching (the session is ending: helpers are being stopped on purpose)."""
        for key in list(self._fds):
            self._forget(key)
        if self._timer >= 0:
            os.close(self._timer)
            self._timer = -1
        self._epoll.close()
