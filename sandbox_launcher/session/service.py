"""The app service behind the desktop app: start, watch and stop sessions. No Qt here.

Each session runs start-to-wipe on one dedicated thread that lives until the session
is wiped: bubblewrap is started with ``--die-with-parent``, whose PDEATHSIG fires when
the *thread* that spawned it exits, so a pool thread that could be retired would kill
the sandbox. Events from those threads go to one listener; the app turns them into Qt
signals (``ui/bridge.py``). The listener must be thread-safe and must not block.
"""

from __future__ import annotations

import contextlib
import json
import threading
import time
from collections.abc import Callable
from dataclasses import replace
from pathlib import Path
from typing import Any

from ..backends.registry import Registry
from ..clients.links import MeetingLink
from ..core import paths
from ..core.errors import LauncherError
from ..core.plan import LaunchPlan, RunOptions
from ..core.policy import ADMIN_PROFILES, SYSTEM_POLICY, Policy, SystemFiles
from ..core.profile import ProfileSet
from ..devices.camera import CameraFinder
from ..devices.plan import WindowFinder
from . import control
from . import join as session_join
from .choices import DeviceChoices, device_choices
from .downloads import HeldDownloads, apply_decision
from .entries import (
    _ENDING,
    Finished,
    ServiceEvent,
    ServiceListener,
    SessionEntry,
    Usage,
)
from .events import (
    BootStep,
    Connections,
    DeviceUse,
    DownloadsDecided,
    HelperLost,
    Mic,
    Screen,
)
from .launch import Launcher, record_in_store
from .lifecycle import Event, Outcome, Session, State
from .live import LiveState
from .meter import UsageMeter
from .planning import HostLookups
from .profile_edits import ProfileEdits
from .spare import SparePool, SpareSession
from .usage import note_device_event
from .vm_pool import VmPool, start_for_app


class SessionService:
    """Starts sessions on dedicated threads and keeps what the app shows about them."""

    def __init__(self, *, registry: Registry | None = None,
                 profiles_dir: Path | None = None, policy_path: Path = SYSTEM_POLICY,
                 sessions_base: Path | None = None,
                 camera_finder: CameraFinder | None = None,
                 pending_dir: Path | None = None,
                 record_client: Callable[[tuple[str, str], int | None], None] | None = (
                     record_in_store),
                 admin_profiles: Path = ADMIN_PROFILES) -> None:
        #: The launch path the command line uses too (session/launch.py).
        self._own_registry = registry is None
        #: The warm pool of VMs (start_vm_pool), destroyed by shutdown().
        self.vm_pool: VmPool | None = None
        self._camera_finder = camera_finder or CameraFinder()
        self.launcher = Launcher(registry or Registry(), profiles_dir,
                                 SystemFiles(policy=policy_path, admin_profiles=admin_profiles),
                                 sessions_base, record_client, host=self._host)
        self._base = sessions_base
        self._lock = threading.Lock()
        self._entries: dict[str, SessionEntry] = {}
        self._sessions: dict[str, Session] = {}
        self._threads: dict[str, threading.Thread] = {}
        self._listener: ServiceListener | None = None
        #: The editor's locks, saves and removals of the user's profiles.
        self.profile_edits = ProfileEdits(self.launcher, profiles_dir)
        #: CPU and memory of the sessions' processes.
        self.meter = UsageMeter(self.launcher.registry, sessions_base)
        #: Ended sessions' downloads that wait for the user's decision.
        self.downloads = HeldDownloads(pending_dir or paths.pending_downloads_dir(),
                                       self._downloads_decided)
        #: Spare sessions of the most used profiles (none until the app says which).
        self.spares = SparePool(self.launcher, self._run, hold_downloads=self.downloads.root)

    # ------------------------------------------------------------------ configuration

    def _host(self, windows: WindowFinder | None) -> HostLookups:
        """What the app's plans ask of the host: the cameras the launch panel lists."""
        return replace(HostLookups.of_this_host(windows), cameras=self._camera_finder)

    def set_listener(self, listener: ServiceListener | None) -> None:
        """Where events go; called from session threads."""
        self._listener = listener

    def profiles(self) -> ProfileSet:
        """The profiles the system policy lets exist, with the broken files."""
        return self.launcher.profiles()

    def user_profiles_dir(self) -> Path:
        """Where the profile editor saves."""
        return self.profile_edits.user_profiles_dir()

    def policy(self) -> Policy:
        """The system policy in force (raises ProfileError when it is broken)."""
        return self.launcher.policy()

    def locked_fields(self) -> dict[str, str]:
        """Profile keys the system policy constrains → what it fixes and who set it."""
        return self.profile_edits.locked_fields()

    def device_choices(self) -> DeviceChoices:
        """Cameras, and which device grants this host and policy allow (with reasons)."""
        try:
            devices = self.policy().devices
        except LauncherError as exc:  # a broken policy refuses every launch anyway
            return DeviceChoices(camera_reason=exc.summary, share_reason=exc.summary,
                                 keep_reason=exc.summary, mic_reason=exc.summary,
                                 screen_reason=exc.summary)
        return device_choices(devices, self._camera_finder)

    def save_profile(self, name: str, values: dict[str, Any]) -> Path:
        """Write the user's profile *name*: only the keys that differ from its base."""
        return self.profile_edits.save(name, values)

    def remove_user_profile(self, name: str) -> Path | None:
        """Delete the user's file of profile *name*; the path removed, or None."""
        return self.profile_edits.remove(name)

    def wipe_stale(self) -> list[control.StaleWipe]:
        """Clean up after a launcher that was killed (call from a worker thread)."""
        return control.wipe_stale(self._base, self.launcher.registry)

    # ------------------------------------------------------------------ sessions

    def start(self, profile_name: str, options: RunOptions, *, spare: bool = True) -> str:
        """Plan and start a session on its own thread; returns its id at once.

        A waiting spare of the profile that fits the plan is used (*spare* False: never,
        as the benchmark's cold start). Raises a LauncherError when the plan is refused
        (nothing was started then).
        """
        # Unless kept in a folder chosen up front, the app asks at the end.
        options = replace(options, hold_downloads=str(self.downloads.root))
        plan = self.launcher.plan(profile_name, options)  # a broken policy refuses here
        profile = self.profiles().get(profile_name)
        camera = plan.devices.camera
        waiting = self.spares.take(plan) if spare else None
        if waiting is not None and self._use_spare(waiting, plan, SessionEntry(
                waiting.id, profile.name, profile.title,
                camera=camera.name if camera is not None else None)):
            return waiting.id
        session = self.launcher.session(plan, listener=self._on_event)
        entry = SessionEntry(session.id, profile.name, profile.title,
                             camera=camera.name if camera is not None else None)
        thread = threading.Thread(target=self._run, args=(session, entry),
                                  name=f"session-{session.id}")
        with self._lock:
            self._entries[session.id] = entry
            self._sessions[session.id] = session
            self._threads[session.id] = thread
        thread.start()
        return session.id

    def _use_spare(self, spare: SpareSession, plan: LaunchPlan, entry: SessionEntry) -> bool:
        """Start *plan*'s client in *spare*, listed as *entry*; False if it was not ready
        after all (it is discarded, and the caller starts cold)."""
        if spare.thread is not None:
            with self._lock:
                self._entries[spare.id] = entry
                self._sessions[spare.id] = spare
                self._threads[spare.id] = spare.thread
            if spare.use(plan, self._on_event):
                self.spares.refill()  # the next click gets a fresh one
                return True
            with self._lock:
                del self._entries[spare.id], self._sessions[spare.id], self._threads[spare.id]
        spare.discard()
        return False

    def _run(self, session: Session, entry: SessionEntry | None = None) -> None:
        """The session's whole life, on its dedicated thread (a spare's entry exists
        once a click used it; a spare discarded unused has none and shows nothing)."""
        outcome: Outcome | None = None
        error: LauncherError | None = None
        try:
            outcome = session.run()
        except LauncherError as exc:
            error = exc
        except Exception as exc:  # a bug must still end the session visibly
            error = LauncherError(f"the session failed: {exc!r}",
                                  "report this as a bug, with the log",
                                  details=repr(exc))
        with self._lock:
            entry = entry or self._entries.get(session.id)
        if entry is None:
            return
        if outcome is not None:
            # The vault is sealed and the store told before the app hears of the end.
            outcome = replace(outcome, notes=self.launcher.finished(session, outcome))
        with self._lock:
            entry.outcome, entry.error = outcome, error
            entry.ended_at = time.monotonic()
            self._sessions.pop(session.id, None)
            self.meter.forget(session.id)
        self._emit(Finished(session.id, outcome, error))

    def _on_event(self, event: Event) -> None:
        with self._lock:
            entry = self._entries.get(event.session_id)
            if entry is not None:
                match event.data:
                    case None:
                        entry.state = event.state
                        if event.state is State.RUNNING:
                            entry.running_since = time.monotonic()
                    case Connections() as snapshot:
                        entry.connections = snapshot.rows()
                        entry.network_summary = snapshot.summary.to_dict()
                        entry.traffic.add(entry.connections, time.monotonic())
                    case Mic(muted=muted, error=error):
                        entry.mic_muted, entry.mic_error = muted, error
                    case Screen() as screen:
                        entry.screen = screen.label
                    case DeviceUse() as use:
                        note_device_event(entry.in_use, use, time.time(), entry.use_assumed)
                    case HelperLost(effect=effect):
                        entry.lost.append(effect)
                    case BootStep(step=step):
                        entry.step = step
                    case _:
                        pass  # DNS questions, joins: only the listener shows them
        self._emit(event)

    def _downloads_decided(self, session_id: str, decision: DownloadsDecided) -> None:
        """Keep the app's copy of the report in step with the stored one."""
        with self._lock:
            entry = self._entries.get(session_id)
            if entry is not None and entry.outcome is not None:
                devices = entry.outcome.report.setdefault("devices", {})
                devices["downloads"] = apply_decision(devices.get("downloads"),
                                                      decision.to_dict())

    def _emit(self, event: ServiceEvent) -> None:
        listener = self._listener
        if listener is not None:
            listener(event)

    def stop(self, session_id: str) -> None:
        """Ask a session to stop; it then wipes itself. Thread-safe, returns at once."""
        with self._lock:
            self._request_stop(session_id)

    def _request_stop(self, session_id: str) -> None:
        # Under the lock. Once wiping, Session closes its stop pipe: writing then could hit
        # a reused descriptor. The WIPING event is recorded (under this lock) before that.
        session = self._sessions.get(session_id)
        entry = self._entries.get(session_id)
        if session is not None and entry is not None and entry.state not in _ENDING:
            session.request_stop()

    def set_mic(self, session_id: str, muted: bool) -> None:
        """Mute or unmute a running session's microphone; returns at once.

        The session answers with a :class:`~.events.Mic` event (with ``error`` when the
        microphone could not be switched on).
        """
        with self._lock:
            session = self._sessions.get(session_id)
            entry = self._entries.get(session_id)
            if session is not None and entry is not None and entry.state is State.RUNNING:
                session.set_mic(muted)

    def join(self, session_id: str, url: str) -> session_join.Joined:
        """Hand a meeting link to a running session (blocks briefly: call from a worker).

        Raises a LauncherError saying why it was refused (``session/join.py``).
        """
        return self.launcher.join(session_id, url)

    def running_for(self, link: MeetingLink, profile_name: str) -> tuple[str, str] | None:
        """The running session (id, title) a link of *profile_name* is offered to, chosen
        as the command line chooses it (session/launch.py), whichever launcher runs it."""
        found = self.launcher.running_for(link, profile_name)
        if found is None:
            return None
        with self._lock:
            entry = self._entries.get(found.record.id)
        if entry is not None:
            return entry.id, entry.title
        try:
            title = self.profiles().get(found.record.profile).title
        except LauncherError:
            title = found.record.profile
        return found.record.id, title

    def entries(self) -> list[SessionEntry]:
        """Every session this service started, oldest first."""
        with self._lock:
            return list(self._entries.values())

    def entry(self, session_id: str) -> SessionEntry:
        """One session's entry (KeyError if unknown)."""
        with self._lock:
            return self._entries[session_id]

    def active_count(self) -> int:
        """How many sessions have not ended yet."""
        with self._lock:
            return sum(1 for e in self._entries.values() if e.active)

    def live_state(self) -> LiveState:
        """Sessions not yet ended, and whether a running one has its microphone, camera
        or screen in use (from its ``device`` events: on *and* used, not only granted)."""
        with self._lock:
            entries = [(e.live, set(e.in_use)) for e in self._entries.values()]
            active = sum(1 for e in self._entries.values() if e.active)
        return LiveState(
            sessions=active,
            mic=any(live and "microphone" in used for live, used in entries),
            camera=any(live and "camera" in used for live, used in entries),
            screen=any(live and "screen" in used for live, used in entries))

    def forget(self, session_id: str) -> None:
        """Drop an ended session from the list."""
        with self._lock:
            entry = self._entries.get(session_id)
            if entry is not None and not entry.active:
                del self._entries[session_id]
                self._threads.pop(session_id, None)

    def usage(self, session_id: str) -> Usage:
        """CPU and memory of the session's processes (as its backend finds them)."""
        return self.meter.usage(session_id)

    def save_report(self, session_id: str, path: Path) -> None:
        """Write an ended session's full report as JSON."""
        entry = self.entry(session_id)
        if entry.outcome is None:
            raise LauncherError("the session has not ended yet", "wait until it is wiped")
        tmp = path.with_name(f".{path.name}.tmp")
        tmp.write_text(json.dumps(entry.outcome.report, indent=2) + "\n", encoding="utf-8")
        tmp.replace(path)  # a reader never sees half a report

    def start_vm_pool(self, configured: int) -> VmPool:
        """Keep a warm pool of VMs for this app's VM sessions without network: *configured*
        is the user's setting; the system policy's ``vm.pool_size`` wins; 0 on battery."""
        self.vm_pool = start_for_app(configured, self.policy(),
                                     self.launcher.registry if self._own_registry else None)
        return self.vm_pool

    def shutdown(self, timeout: float = 30.0) -> bool:
        """Stop every session, discard the spares, and wait for the wipes, then destroy
        the warm pool; True if all threads ended."""
        deadline = time.monotonic() + timeout
        with self._lock:
            for session_id in list(self._sessions):
                self._request_stop(session_id)
            threads = list(self._threads.values())
        # After the stops: a spare a click used is one of the sessions being stopped.
        spares_gone = self.spares.close(timeout)
        for thread in threads:
            with contextlib.suppress(RuntimeError):  # never started
                thread.join(max(0.0, deadline - time.monotonic()))
        if self.vm_pool is not None:
            self.vm_pool.close()
        return spares_gone and not any(t.is_alive() for t in threads)
