"""Spare sessions: a click only starts the client (issue 17, Qubes' preloaded disposables).

A :class:`SpareSession` is an ordinary :class:`~.lifecycle.Session` whose sandbox is
prepared ahead — namespaces with a waiting stub, the jail *closed* (resolver and firewall
loaded, no route out), display and sound helpers — and that waits in STARTING until
:meth:`SpareSession.use` hands it the click's plan: the jail opens, the stub execs the
client, and from then on it is the session the user asked for (same state machine, wipe,
verify and report). A spare is used at most once; one that is never used is discarded
and wiped like any session.

:class:`SparePool` keeps one spare per chosen profile for the app (session/service.py),
each on its own dedicated thread (bwrap's parent-death signal is per thread), rebuilds
one in the background after it was used, keeps none on battery, when the user turned
them off or the system policy forbids them, and discards them all on quit.
"""

from __future__ import annotations

import contextlib
import functools
import queue
import threading
import time
from collections.abc import Callable, Sequence
from dataclasses import replace
from pathlib import Path
from typing import Protocol

from ..backends.base import BackendState, Resources, SandboxBackend, SandboxHandle
from ..backends.registry import VM
from ..core.errors import LauncherError, SessionError
from ..core.plan import LaunchPlan, RunOptions
from ..host.power import POWER_SUPPLY, on_battery
from . import store
from .launch import Launcher
from .lifecycle import Event, Listener, Outcome, Session
from .resources import LiveResources, ResourceFactory, SessionResources

#: How often the pool looks whether the machine went on battery (or off it).
POWER_CHECK_SECONDS = 60.0


class Prepared(Protocol):
    """A backend's sandbox waiting for its client (backends/namespace/spare.py)."""

    plan: LaunchPlan
    #: The waiting sandbox (its init runs the stub).
    handle: SandboxHandle

    @property
    def state(self) -> BackendState:
        """The waiting sandbox's state (what a session records once it runs)."""
        ...

    def start(self, plan: LaunchPlan) -> SandboxHandle:
        """Open the network and exec *plan*'s command in it (once)."""
        ...

    def discard(self) -> None:
        """Never start a client in it."""
        ...


class PreparingBackend(SandboxBackend, Protocol):
    """A backend that can prepare a sandbox ahead of its client."""

    def prepare(self, plan: LaunchPlan, resources: Resources) -> Prepared:
        """Start *plan*'s sandbox with no client yet."""
        ...


def fits(spare: LaunchPlan, wanted: LaunchPlan) -> bool:
    """Whether a spare of *spare* builds the same sandbox as *wanted* (only the command and
    its link may differ); the backend's own rule."""
    from ..backends.namespace.spare import fits as namespace_fits

    return namespace_fits(spare, wanted)


class SpareSession(Session):
    """A session prepared up to its client; :meth:`use` or :meth:`discard` it once."""

    def __init__(self, plan: LaunchPlan, backend: PreparingBackend,
                 sessions_base: Path | None = None,
                 resources: ResourceFactory | None = None) -> None:
        self._target: Listener | None = None
        # The jail starts closed: no route out until a click opens it (Prepared.start).
        super().__init__(plan, backend, listener=self._relay, sessions_base=sessions_base,
                         resources=resources or functools.partial(SessionResources.start,
                                                                  closed=True))
        self._preparer = backend
        self._use: queue.Queue[tuple[LaunchPlan, Listener | None] | None] = queue.Queue(1)
        self._taken = False
        self._clicked = False
        self._take_lock = threading.Lock()
        #: Set once the sandbox waits for its client.
        self.ready = threading.Event()
        self._prepared: Prepared | None = None
        #: Why it ended with an error ("" while it has not).
        self.failure = ""
        #: The dedicated thread it runs on (set by the pool).
        self.thread: threading.Thread | None = None

    def run(self, report_path: Path | None = None) -> Outcome:
        """As :meth:`Session.run`; what went wrong is kept in :attr:`failure` too."""
        try:
            return super().run(report_path)
        except LauncherError as exc:
            self.failure = exc.summary
            raise

    def _relay(self, event: Event) -> None:
        # Until a click uses it, the spare is nobody's session: its events go nowhere.
        target = self._target
        if target is not None:
            target(event)

    def _start_sandbox(self, resources: LiveResources,
                       owned: store.OwnedSession) -> SandboxHandle:
        prepared = self._prepared = self._preparer.prepare(
            self.plan, resources.for_backend(owned.dir))
        self.ready.set()
        wanted = self._use.get()
        try:
            if wanted is None:
                prepared.discard()
                raise SessionError("the spare session was not needed", "nothing to do")
            self.plan, listener = wanted
            self._clicked = True
            # The user's session starts at the click, not when its sandbox was made.
            self.started_wall = owned.record.started = time.time()
            owned.record.command = list(self.plan.command)
            self._target = listener
            self._relay(Event(self.id, self.state, "started from a spare"))
            show = getattr(resources, "show_display", None)  # fakes in unit tests have none
            if show is not None:
                show()  # its window first: if it cannot be shown, no client starts
            return prepared.start(self.plan)
        except BaseException:
            # No handle reaches run(): end the sandbox here, and record it so that the
            # wipe kills what is left of it and verifies that nothing is.
            owned.record.backend_state = prepared.state.to_dict()
            prepared.handle.kill()
            prepared.handle.wait()
            raise

    def _reported(self) -> bool:
        # A click used it: the user's session. Discarded unused: nobody's, and its wipe
        # is still verified (the outcome carries the checks).
        return self._clicked

    def prepared_state(self) -> BackendState:
        """The prepared sandbox's state (valid once :attr:`ready` is set)."""
        if self._prepared is None:
            raise SessionError("the spare session is not ready yet", "wait for it")
        return self._prepared.state

    def use(self, plan: LaunchPlan, listener: Listener | None) -> bool:
        """Start *plan*'s client in this spare; False (nothing changed) if it is not
        ready, was taken already or was prepared for other settings."""
        with self._take_lock:
            if self._taken or not self.ready.is_set() or not fits(self.plan, plan):
                return False
            self._taken = True
        self._use.put((plan, listener))
        return True

    def discard(self) -> None:
        """Wipe it unused (returns at once; its thread wipes and verifies)."""
        with self._take_lock:
            if self._taken:
                return
            self._taken = True
        self._use.put(None)

    @property
    def taken(self) -> bool:
        """Whether it was used or discarded."""
        return self._taken


class SparePool:
    """One spare per chosen profile, for the app (thread-safe)."""

    def __init__(self, launcher: Launcher, run: Callable[[Session], None], *,
                 hold_downloads: Path | None = None, power_dir: Path = POWER_SUPPLY,
                 resources: ResourceFactory | None = None) -> None:
        """*run*: the app's session runner (returns after the wipe); *hold_downloads*:
        where the app holds a session's downloads, as its clicks plan them."""
        self._launcher = launcher
        self._run = run
        self._hold = str(hold_downloads) if hold_downloads is not None else None
        self._power_dir = power_dir
        self._resources = resources  # None: the real jail and device helpers
        self._lock = threading.Lock()
        self._wanted: tuple[str, ...] = ()
        self._spares: dict[str, SpareSession] = {}
        self._threads: list[threading.Thread] = []
        self._building: set[str] = set()
        self._closed = False
        #: The user's setting (the app's ``[sessions] spares``).
        self.enabled = True
        #: Why spares are off whatever the user says (the system policy), else "".
        self.locked_off = ""
        #: Why the last spare of a profile could not be made, by profile (not retried
        #: until the next keep()).
        self.problems: dict[str, str] = {}
        self._closing = threading.Event()
        self._watch: threading.Thread | None = None

    def off_reason(self) -> str:
        """Why no spare is kept now, or "" when they are."""
        if self._closed:
            return "the app is quitting"
        if self.locked_off:
            return self.locked_off
        if not self.enabled:
            return "turned off in the settings"
        if on_battery(self._power_dir):
            return "the computer runs on battery"
        return ""

    def keep(self, profiles: Sequence[str], enabled: bool = True) -> None:
        """Keep a spare of each of *profiles* (the app: its 1-2 most used); others go.
        None when *enabled* is False (the user's setting) or the policy forbids them."""
        try:
            locked = self._launcher.policy().spares_off
        except LauncherError as exc:  # a broken policy refuses every launch anyway
            locked = exc.summary
        with self._lock:
            self._wanted = tuple(dict.fromkeys(profiles))
            self.enabled, self.locked_off = enabled, locked
            self.problems.clear()
            if self._watch is None:
                self._watch = threading.Thread(target=self._watch_power, daemon=True,
                                               name="spares-power")
                self._watch.start()
        self.refill()

    def _watch_power(self) -> None:
        """Unplugged, the spares go within a minute; plugged in again, they come back."""
        while not self._closing.wait(POWER_CHECK_SECONDS):
            self.refill()

    def options(self, profile: str) -> RunOptions:
        """What a click on *profile* plans with, before its link or command (a profile
        without a command of its own, like generic, gets a stand-in: the click's command
        replaces it)."""
        own = self._launcher.profiles().get(profile)["command"]
        return RunOptions(hold_downloads=self._hold, command=() if own else ("/bin/true",))

    def refill(self) -> None:
        """Build the missing spares in the background; discard all when they are off."""
        reason = self.off_reason()
        with self._lock:
            wanted = () if reason else self._wanted
            extra = [self._spares.pop(p) for p in list(self._spares) if p not in wanted]
            missing = [p for p in wanted if p not in self._spares and p not in self._building
                       and p not in self.problems]
            for profile in missing:
                self._building.add(profile)
        for spare in extra:
            spare.discard()
        for profile in missing:
            # A daemon: a spare waits forever for a click, and must not keep a process
            # that never called close() alive; its sandbox dies with the process anyway
            # (bwrap's parent-death signal) and the next start wipes what is left.
            thread = threading.Thread(target=self._main, args=(profile,),
                                      name=f"spare-{profile}", daemon=True)
            with self._lock:
                self._threads.append(thread)
            thread.start()

    def _main(self, profile: str) -> None:
        """A spare's dedicated thread: plan, prepare, wait, and live until its wipe."""
        try:
            spare = self._make(profile)
        except LauncherError as exc:
            spare = None
            self.problems[profile] = exc.summary
        with self._lock:
            self._building.discard(profile)
            if spare is not None and (self._closed or profile not in self._wanted):
                spare = None
            if spare is not None:
                self._spares[profile] = spare
        if spare is not None:
            spare.thread = threading.current_thread()
            self._run(spare)  # returns after the wipe (used or discarded)
            if not spare.ready.is_set():  # its helpers, jail or sandbox failed to start
                self.problems[profile] = (f"the spare session could not be prepared: "
                                          f"{spare.failure or 'no reason given'}")
        with self._lock:
            if spare is not None and self._spares.get(profile) is spare:
                del self._spares[profile]
            if threading.current_thread() in self._threads:
                self._threads.remove(threading.current_thread())

    def _make(self, profile: str) -> SpareSession:
        plan = self._launcher.plan(profile, self.options(profile))
        if plan.backend == VM:
            raise SessionError(f"{profile} runs in a VM: its warm pool serves it",
                               "nothing to do")
        if self._launcher.profiles().get(profile)["remember_signin"]:
            raise SessionError(f"{profile} remembers sign-in: its vault is read at the click",
                               "nothing to do")
        backend = self._launcher.registry.get(plan.backend)
        if not hasattr(backend, "prepare"):
            raise SessionError(f"the {plan.backend} backend has no spares", "nothing to do")
        plan = replace(plan, notes=(*plan.notes, *backend.notes(plan)))
        return SpareSession(plan, backend, self._launcher.sessions_base,  # type: ignore[arg-type]
                            self._resources)

    def take(self, plan: LaunchPlan) -> SpareSession | None:
        """A ready spare that fits *plan*, removed from the pool (a new one is built in
        the background); None when there is none."""
        with self._lock:
            spare = self._spares.get(plan.profile)
            if spare is None or not spare.ready.is_set():
                return None
            if fits(spare.plan, plan):
                del self._spares[plan.profile]
                if spare.thread in self._threads:  # the app's session from now on
                    self._threads.remove(spare.thread)
                return spare
        # Made for what no longer is (a client updated, a profile edited): a new one.
        self.drop({plan.profile})
        self.refill()
        return None

    def drop(self, profiles: set[str]) -> None:
        """Discard the waiting spares of *profiles* (they are rebuilt on the next refill)."""
        with self._lock:
            dropped = [self._spares.pop(p) for p in profiles if p in self._spares]
        for spare in dropped:
            spare.discard()

    def ids(self) -> set[str]:
        """Session ids of the spares in the pool: no client has run in them."""
        with self._lock:
            return {s.id for s in self._spares.values()}

    def waiting(self, profile: str) -> SpareSession | None:
        """The spare of *profile* that waits for its client now, if any (left in the pool)."""
        with self._lock:
            spare = self._spares.get(profile)
        return spare if spare is not None and spare.ready.is_set() and not spare.taken \
            else None

    def close(self, timeout: float = 30.0) -> bool:
        """Discard every spare and wait for their wipes; True if all threads ended."""
        self._closing.set()
        with self._lock:
            self._closed = True
            spares = list(self._spares.values())
            threads = list(self._threads)
        for spare in spares:
            spare.discard()
        deadline = time.monotonic() + timeout
        for thread in threads:
            with contextlib.suppress(RuntimeError):
                thread.join(max(0.0, deadline - time.monotonic()))
        # A spare still being prepared when we closed discards itself once it is made.
        with self._lock:
            late = list(self._spares.values())
        for spare in late:
            spare.discard()
        return not any(t.is_alive() for t in threads)
