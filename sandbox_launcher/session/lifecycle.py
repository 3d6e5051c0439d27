"""One session from plan to verified wipe, as an explicit state machine.

plan → preparing → starting → running → stopping → wiping → verifying → wiped
(or → failed when the wipe could not be verified). Every transition is recorded in
the state file and sent to the listener, which is how the app shows live state; what
the running session learns on the way (microphone, screen, devices, traffic) is sent
by its :class:`~.live_news.LiveNews`.
"""

from __future__ import annotations

import contextlib
import os
import selectors
import time
from dataclasses import replace
from pathlib import Path
from typing import Any

from ..backends.base import (
    CAPTURE_LIMIT,
    BackendState,
    Captured,
    HomeFiles,
    SandboxBackend,
    SandboxHandle,
)
from ..core.check import Check
from ..core.errors import LauncherError, SessionError
from ..core.plan import LaunchPlan
from ..host import procs
from . import audit, join, report, store, wipe
from .events import BootStep, HelperLost, from_dicts
from .helpers_watch import HelperWatch
from .links_out import DeskFactory, LinkDesk
from .live_news import LiveNews
from .resources import LiveResources, ResourceFactory, SessionResources
from .states import NEXT, Event, Listener, Outcome, State

__all__ = ["Event", "Listener", "Outcome", "Session", "State"]


def _watch(sel: selectors.BaseSelector, fd: int | None) -> int | None:
    """Let *sel* wake on *fd* (when there is one)."""
    if fd is not None:
        sel.register(fd, selectors.EVENT_READ)
    return fd


class Session:
    """Runs one plan in one backend; :meth:`run` returns only after the wipe."""

    #: How long the client gets to exit after SIGTERM before everything is killed.
    grace_seconds = 5.0
    #: How often live traffic counters are read from the network jail.
    poll_seconds = 2.0

    def __init__(self, plan: LaunchPlan, backend: SandboxBackend,
                 listener: Listener | None = None, sessions_base: Path | None = None,
                 home_seed: HomeFiles | None = None,
                 home_capture: tuple[str, ...] = (), capture_limit: int = CAPTURE_LIMIT,
                 resources: ResourceFactory = SessionResources.start,
                 links: DeskFactory | None = None) -> None:
        self.plan = plan
        self.backend = backend
        self._seed = home_seed
        self._capture = home_capture
        self._capture_limit = capture_limit
        self._start_resources = resources
        #: The jail and device helpers, from STARTING until the sandbox has ended.
        self._resources: LiveResources | None = None
        self.id = store.new_id(plan.profile)
        self.state = State.PLANNED
        self._listener = listener
        self._base = sessions_base
        # Requests from other threads and signal handlers, applied by run() in order:
        # x = stop, m = mute the microphone, u = unmute it.
        self._stop_r, self._stop_w = os.pipe2(os.O_CLOEXEC | os.O_NONBLOCK)
        self._closed = False
        #: Where joiners of this session say which links they handed over (session/join.py).
        self._inbox: join.JoinInbox | None = None
        #: Where the client's xdg-open asks to open addresses outside (links_out.py).
        self._links = links
        self._desk: LinkDesk | None = None
        self._times: dict[str, float] = {}
        #: When the session started, wall clock (a spare's: its click, session/spare.py).
        self.started_wall = 0.0
        #: The live events to the app, and the microphone and device use behind them.
        self._news = LiveNews(self.id, plan, listener, lambda: self.state)
        #: The helpers' pidfds (while RUNNING), and every helper lost so far.
        self._helpers: HelperWatch | None = None
        self._stop_for_helper = False

    def _request(self, code: bytes) -> None:
        if self._closed:
            return
        with contextlib.suppress(BlockingIOError):
            os.write(self._stop_w, code)

    def request_stop(self) -> None:
        """Ask the session to stop; safe from signal handlers and other threads."""
        self._request(b"x")

    def set_mic(self, muted: bool) -> None:
        """Mute or unmute the microphone; safe from signal handlers and other threads.

        The session's own thread applies it (so the forwarder it starts dies with that
        thread's launcher) and then sends a :class:`Mic` event, with ``error`` when the
        microphone could not be switched on.
        """
        self._request(b"m" if muted else b"u")

    def _to(self, state: State, owned: store.OwnedSession | None, message: str = "") -> None:
        if state not in NEXT[self.state]:
            raise RuntimeError(f"session {self.id}: {self.state.value} → {state.value}")
        self.state = state
        self._times[state.value] = time.monotonic()
        if owned is not None:
            with contextlib.suppress(OSError):
                owned.set_state(state.value)
        if self._listener:
            self._listener(Event(self.id, state, message))

    def run(self, report_path: Path | None = None) -> Outcome:
        """Prepare, start, wait, stop, wipe, verify, report. Raises only before start."""
        started_wall = self.started_wall = time.time()
        self.backend.check_host()
        self._to(State.PREPARING, None)
        record = store.SessionRecord(
            id=self.id, profile=self.plan.profile, backend=self.plan.backend,
            state=State.PREPARING.value, started=started_wall, command=list(self.plan.command),
            launcher_pid=os.getpid())
        try:
            owned = store.OwnedSession(record, self._base)
        except OSError as exc:
            wipe.remove_state_dir(store.state_dir(self.id, self._base))
            raise SessionError(f"could not create the session's state dir: {exc.strerror}",
                               "check free space and permissions of the runtime dir "
                               "(XDG_RUNTIME_DIR)") from exc
        self._open_inboxes(owned)
        listeners_before = procs.listening_sockets()
        handle: SandboxHandle | None = None
        status: int | None = None
        error: LauncherError | None = None
        stopped_by_request = False
        captured = Captured()
        try:
            self._to(State.STARTING, owned)
            resources = self._resources = self._start_resources(
                self.plan, owned.dir, self.backend.runtime_dir(self.plan))
            handle = self._start_sandbox(resources, owned)
            resources.handle = handle
            record.backend_state = handle.state.to_dict()
            with contextlib.suppress(OSError):  # without it, a second link is refused
                join.save_handover(owned.dir, self.plan)
            self._to(State.RUNNING, owned)
            self._news.announce(resources, self.poll_seconds)
            stopped_by_request = self._wait(handle, resources, owned) and (
                not self._stop_for_helper)
            self._news.end_devices()
            status = handle.wait()
            captured = handle.captured()
        except LauncherError as exc:
            error = exc
        finally:
            if handle is not None and status is None:
                self._news.end_devices()
                handle.kill()
                status = handle.wait()
            network, devices = self._close_resources()
            usage = self._news.usage_report()
            if usage is not None:
                devices = {**devices, "usage": usage}
            outcome = self._wipe(owned, status, error, stopped_by_request, self.started_wall,
                                 listeners_before, report_path, network, devices)
        if error is not None:
            raise error
        return replace(outcome, captured=captured)

    def _start_sandbox(self, resources: LiveResources,
                       owned: store.OwnedSession) -> SandboxHandle:
        """Start the plan's sandbox in its resources (a spare session waits here for its
        client: session/spare.py)."""
        given = resources.for_backend(owned.dir, self._seed, self._capture,
                                      self._capture_limit)
        given.step = self._boot_step
        return self.backend.start(self.plan, given)

    def _boot_step(self, step: str) -> None:
        """The backend reached *step* of its start: the app and ``run`` show it."""
        self._news.publish([BootStep(step, round(time.time() - self.started_wall, 3))])

    def _reported(self) -> bool:
        """Whether the session leaves a report and an audit line (a spare discarded
        unused, in which no client ran, leaves neither: session/spare.py)."""
        return True

    def _close_resources(self) -> tuple[dict[str, Any], dict[str, Any]]:
        """Stop the jail and the device helpers; their final reports."""
        resources, self._resources = self._resources, None
        links = {"links_out": self._desk.close()} if self._desk is not None else {}
        if resources is None:
            return self.plan.network.to_dict(), links
        resources.close()
        return resources.network_report, {**resources.devices_report, **links}

    def _open_inboxes(self, owned: store.OwnedSession) -> None:
        """The sockets in the state dir: joiners' news, the client's xdg-open."""
        with contextlib.suppress(OSError):  # without it, joins are not recorded
            self._inbox = join.JoinInbox(owned.dir)
        if self._links is not None:
            with contextlib.suppress(OSError):  # without it, the client's xdg-open fails
                self._desk = self._links(owned.dir, self.id, self._news.publish)

    def _wait(self, handle: SandboxHandle, resources: LiveResources,
              owned: store.OwnedSession) -> bool:
        """Block until the sandbox ends; on a stop request, TERM then KILL. True if stopped."""
        sel = selectors.DefaultSelector()
        for fd in (handle.fileno(), self._stop_r):
            sel.register(fd, selectors.EVENT_READ)
        inbox_fds = self._watch_inbox(sel)
        net_fd = _watch(sel, resources.network_fd())
        dev_fd = _watch(sel, resources.device_fd())
        helpers = self._helpers = HelperWatch.start(resources.helpers, owned.dir)
        sel.register(helpers.fileno(), selectors.EVENT_READ)
        deadline: float | None = None  # when the grace period after SIGTERM ends
        stopping = False
        next_poll = time.monotonic() + self.poll_seconds
        # Live snapshots: the jail's traffic counters, and what devices are in use.
        polling = net_fd is not None or self._news.polled
        try:
            while True:
                wake = [t for t in (deadline, next_poll if polling else None)
                        if t is not None]
                timeout = max(0.0, min(wake) - time.monotonic()) if wake else None
                ready = {key.fd for key, _ in sel.select(timeout)}
                if polling and time.monotonic() >= next_poll:
                    next_poll = self._news.snapshot(resources, net_fd is not None,
                                                    self.poll_seconds)
                if net_fd in ready:
                    next_poll = self._news.network_news(resources, next_poll,
                                                        self.poll_seconds)
                if dev_fd is not None and dev_fd in ready:
                    self._news.device_news(resources)
                    if resources.device_fd() is None:  # its helper exited: nothing more
                        sel.unregister(dev_fd)
                        dev_fd = None
                if ready & inbox_fds:
                    self._inbox_news(stopping, ready)
                if helpers.fileno() in ready:
                    net_fd = self._helpers_lost(resources, helpers.lost(), stopping, sel,
                                                net_fd)
                if handle.fileno() in ready:
                    return stopping
                requests = b""
                if self._stop_r in ready:
                    with contextlib.suppress(BlockingIOError):
                        requests = os.read(self._stop_r, 64)
                for code in requests.decode("ascii", "replace") if not stopping else "":
                    if code in "mu":
                        self._news.switch_mic(resources, code == "m")
                        continue
                    self._to(State.STOPPING, owned, "stop requested")
                    handle.terminate()
                    stopping = True
                    deadline = time.monotonic() + self.grace_seconds
                    break
                if deadline is not None and time.monotonic() >= deadline:
                    handle.kill()
                    deadline = None  # killed: now only wait for the exit
        finally:
            sel.close()
            helpers.close()

    def _helpers_lost(self, resources: LiveResources, lost: list[HelperLost],
                      stopping: bool, sel: selectors.BaseSelector,
                      net_fd: int | None) -> int | None:
        """Helpers died (DESIGN.md has the table): say so; a lost microphone forwarder
        leaves the microphone off; the display's loss stops the session. Returns the
        jail's socket, None once its holder is gone (the socket then only says EOF)."""
        self._news.helpers_lost(resources, lost)
        if any(e.stops for e in lost) and not stopping:
            self._stop_for_helper = True  # not the user's stop (the report says so)
            self.request_stop()
        if net_fd is not None and any(e.grant == "names" for e in lost):
            sel.unregister(net_fd)
            return None
        return net_fd

    def _inbox_news(self, stopping: bool, ready: set[int]) -> None:
        """What joiners handed over, and a stop ``stop ID`` asked for (only this session
        stops: an app's other sessions go on); addresses the client asks to open."""
        if self._desk is not None and self._desk.fileno() in ready:
            self._desk.accept()
        if self._inbox is None:
            return
        self._news.publish(from_dicts(self._inbox.read()))
        if self._inbox.stop_asked and not stopping:
            self.request_stop()  # handled as any stop request

    def _watch_inbox(self, sel: selectors.BaseSelector) -> set[int]:
        """Let *sel* wake us when a joiner (session/join.py) has handed over a link, or
        the client asks to open an address (links_out.py)."""
        fds = {box.fileno() for box in (self._inbox, self._desk) if box is not None}
        for fd in fds:
            sel.register(fd, selectors.EVENT_READ)
        return fds

    def _wipe(self, owned: store.OwnedSession, status: int | None, error: LauncherError | None,
              stopped: bool, started_wall: float, listeners_before: dict[int, str],
              report_path: Path | None, network: dict[str, Any],
              devices: dict[str, Any]) -> Outcome:
        self._to(State.WIPING, owned)
        state = BackendState.from_dict(owned.record.backend_state)
        killed = self.backend.wipe(state) if state.data else 0
        joins = self._inbox.report() if self._inbox is not None else {"links": []}
        if self._inbox is not None:
            self._inbox.close()

        def build(checks: list[Check]) -> report.Report:
            return self._report(status, error, stopped, started_wall, network, devices,
                                joins, checks, killed)

        # From here the state dir is gone, so a launcher killed while verifying would
        # leave nothing for 'wipe --stale' to find: a report saying so comes first, and
        # the verified one replaces it.
        if self._reported():
            report.save(replace(build([Check("wipe verified", False, "the launcher ended "
                                             "before its wipe was verified")]),
                                provisional=True), report_path)
        wipe.remove_state_dir(owned.dir)
        owned.release()
        self._to(State.VERIFYING, None)
        checks = self.backend.verify(state, listeners_before) if state.data else []
        checks.append(wipe.state_dir_gone(owned.dir))
        checks += devices.get("checks", [])
        verified = all(c.ok for c in checks)
        self._to(State.WIPED if verified else State.FAILED, None,
                 "wipe verified" if verified else "wipe NOT verified")
        result = build(checks)
        problems = (report.save(result, report_path) + audit.record(result, self.plan)
                    if self._reported() else [])
        if problems and self._listener:
            for problem in problems:
                self._listener(Event(self.id, self.state, problem))
        self._closed = True
        os.close(self._stop_r)
        os.close(self._stop_w)
        return Outcome(status, result.to_dict())

    def _report(self, status: int | None, error: LauncherError | None, stopped: bool,
                started_wall: float, network: dict[str, Any], devices: dict[str, Any],
                joins: dict[str, Any], checks: list[Check], killed: int) -> report.Report:
        t = self._times
        return report.build(
            self.plan, session_id=self.id, started=started_wall, ended=time.time(),
            durations={
                "prepare_s": round(t["starting"] - t["preparing"], 4),
                "run_s": round(t["wiping"] - t.get("running", t["wiping"]), 4),
                "wipe_s": round(t.get(self.state.value, t["wiping"]) - t["wiping"], 4),
            },
            status=status, stopped=stopped, error=error.to_dict() if error else None,
            network=network, devices=devices, joins=joins, checks=checks, killed=killed,
            helpers_lost=[e.to_dict() for e in self._helpers.log] if self._helpers else [])
