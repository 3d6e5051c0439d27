"""The one launch path: run a profile, route a meeting link, record how the client did.

The command line, the desktop app and ``verify`` all start sessions through a
:class:`Launcher`, so a profile is planned, its backend chosen (profile, then the
caller's request, then the system policy's lock, which wins), its home hooks applied
and its outcome recorded the same way whoever asked.
"""

from __future__ import annotations

import contextlib
import threading
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

from ..backends.base import HomeFiles
from ..backends.registry import VM, Registry
from ..clients import links, routing
from ..core.devices import DevicePlan
from ..core.errors import LauncherError, ProfileError
from ..core.plan import LaunchPlan, RunOptions
from ..core.policy import Policy, SystemFiles, load_policy
from ..core.profile import ProfileSet
from ..devices.plan import WindowFinder
from . import join, return_links, store
from .lifecycle import Listener, Outcome, Session
from .links_out import (
    Asker,
    DeskFactory,
    LinkDesk,
    LinksOut,
    Opener,
    Publish,
    browser_opener,
)
from .planning import HostLookups, plan_launch, profiles_under_policy
from .signin import Signin, prepare


@dataclass(frozen=True)
class LinkRoute:
    """Where a meeting link goes: its profile, and a running session that would take it."""

    link: links.MeetingLink
    profile: str
    #: The newest running session of that profile that takes this link; if none does,
    #: the newest running one (whose refusal then says why); None when none runs.
    running: store.FoundSession | None


@dataclass
class Launcher:
    """Plans and starts sessions for every front end (dependencies passed in)."""

    registry: Registry = field(default_factory=Registry)
    #: The user's profiles (the default location when None).
    profiles_dir: Path | None = None
    #: The administrator's policy and profiles.
    files: SystemFiles = field(default_factory=SystemFiles)
    sessions_base: Path | None = None
    #: Where a store client's outcome is recorded (the CLI and app: the user's store).
    record_client: Callable[[tuple[str, str], int | None], None] | None = None
    #: The keyring the sign-in vault keeps its keys in (None: the OS keyring).
    keyring_backend: Any = None
    #: What planning may ask of the host (its environment, windows, cameras, the client
    #: store), given the window finder of this launch; the real host's by default.
    host: Callable[[WindowFinder | None], HostLookups] = HostLookups.of_this_host
    #: Who is asked when a client wants an address opened outside (None: nobody, so
    #: what the policy does not allow by itself is refused); how it is opened.
    ask_link: Asker | None = None
    open_link: Opener | None = None
    _signins: dict[str, Signin] = field(default_factory=dict, repr=False)
    _lock: threading.Lock = field(default_factory=threading.Lock, repr=False)

    def profiles(self) -> ProfileSet:
        """The profiles the system policy lets exist, with the broken files (a broken
        policy lists none, only its error: nothing launches under it)."""
        try:
            return profiles_under_policy(self.files, self.profiles_dir)[1]
        except ProfileError as exc:
            return ProfileSet(broken=[exc])

    def policy(self) -> Policy:
        """The system policy in force (a broken one raises: launches fail closed)."""
        return load_policy(self.files.policy)

    def plan(self, profile_name: str, options: RunOptions,
             windows: WindowFinder | None = None) -> LaunchPlan:
        """The plan for *profile_name* with *options* under the system policy (its locks
        win over profile, flags and panel); raises a LauncherError if refused."""
        _profile, plan = plan_launch(profile_name, options, self.files,
                                     user_dir=self.profiles_dir, lookups=self.host(windows))
        self.registry.choose(plan.backend, None)  # a backend this launcher has
        if plan.backend == VM and plan.devices != DevicePlan():
            # The guest has its own X server: the display becomes the VM's screen; what a
            # VM cannot have yet is said, not silently dropped.
            # Loaded for VM plans only: `run generic` never imports the VM backend.
            from ..backends.vm.devices import image_for_devices, vm_device_plan

            devices, notes = vm_device_plan(plan.devices)
            plan = replace(plan, devices=devices, image=image_for_devices(plan.image, devices),
                           notes=(*plan.notes, *notes))
        return plan

    def session(self, plan: LaunchPlan, listener: Listener | None = None, *,
                home_seed: HomeFiles | None = None,
                home_capture: tuple[str, ...] = ()) -> Session:
        """A session of *plan* in its backend, ready to :meth:`Session.run`.

        A profile that remembers sign-in gets its vault's files seeded into the fresh home
        and its sign-in paths captured at the end (see :meth:`finished`); what the vault
        says (a vault set aside, no keyring…) joins the plan's notes. A caller with home
        hooks of its own (``verify``'s probe) gives *home_seed* and *home_capture*; the
        vault then stays out of that session.
        """
        backend = self.registry.get(plan.backend)
        plan = replace(plan, notes=(*plan.notes, *backend.notes(plan)))
        own_hooks = bool(home_seed or home_capture)
        desk = self._desk_factory(plan)
        signin = (prepare(self.profiles().get(plan.profile), self.policy(),
                          self.keyring_backend)
                  if not own_hooks else None)
        if signin is None:
            return Session(plan, backend, listener=listener, sessions_base=self.sessions_base,
                           home_seed=home_seed, home_capture=home_capture, links=desk)
        plan = replace(plan, notes=(*plan.notes, *signin.notes))
        session = Session(plan, backend, listener=listener, sessions_base=self.sessions_base,
                          home_seed=signin.seed,
                          home_capture=signin.paths if signin.save_allowed else (),
                          links=desk)
        with self._lock:
            self._signins[session.id] = signin
        return session

    def _desk_factory(self, plan: LaunchPlan) -> DeskFactory | None:
        """Where the session's xdg-open lands: the namespace backend's sessions only (a
        VM has no stand-in yet), under the policy's ``[links]``."""
        if plan.backend == VM:
            return None
        config = LinksOut(self.policy().links, self.ask_link,
                          self.open_link or browser_opener())
        service = plan.client.handover.service

        def make(workdir: Path, session_id: str, publish: Publish) -> LinkDesk:
            return LinkDesk(workdir, session_id, plan.profile, service, config, publish)

        return make

    def return_route(self, url: str) -> tuple[return_links.ReturnLink,
                                              store.FoundSession] | None:
        """A client's own link (``zoommtg://…``) that a running session waits for after
        it had an address opened (a sign-in's return): the link and that session. None
        when *url* is no such link or no session waits (it is then a meeting link)."""
        if not return_links.is_client_link(url):
            return None
        try:
            link = return_links.parse(url.strip())
        except LauncherError:
            return None  # not a return link: the meeting-link parser says why
        found = return_links.waiting_for(link, self.sessions_base)
        return (link, found) if found is not None else None

    def hand_back(self, link: return_links.ReturnLink,
                  found: store.FoundSession) -> join.Joined:
        """Give a sign-in's return link to the session that waits for it."""
        return return_links.hand_back(found, link, self.registry)

    def finished(self, session: Session, outcome: Outcome) -> tuple[str, ...]:
        """After the session: a store client that ran becomes the known-good one, and the
        sign-in the client left is sealed into its vault. Returns notes for the user.

        Never raises: if the store is busy the next session records it; a vault that
        cannot be saved keeps the previous one, and the notes say why.
        """
        plan = session.plan
        if plan.client.store_client and self.record_client is not None:
            with contextlib.suppress(LauncherError, OSError):
                self.record_client(plan.client.store_client, outcome.status)
        with self._lock:
            signin = self._signins.pop(session.id, None)
        return signin.save(outcome.captured) if signin is not None else ()

    def route(self, url: str, wanted: str = "") -> LinkRoute:
        """Parse *url* with the strict parser (a link without a scheme is understood) and
        find where it goes: *wanted* if that profile fits it, else the most specific
        profile that allows its host (``clients/routing.py``)."""
        link = links.parse(routing.with_scheme(url))
        profile = routing.choose(link, self.profiles().profiles.values(), wanted)
        return LinkRoute(link, profile, self.running_for(link, profile))

    def running_for(self, link: links.MeetingLink,
                    profile: str) -> store.FoundSession | None:
        """The running session of *profile* a link should be offered to (any of the
        user's launchers): the newest that takes it; if none does, the newest, whose
        refusal then says why. The one rule for the command line and the app."""
        running = join.running_of(profile, self.sessions_base)
        return next((s for s in running if join.takes(s, link)),
                    running[0] if running else None)

    def join(self, session_id: str, url: str) -> join.Joined:
        """Hand *url* to a running session (any launcher's) through its backend."""
        return join.join(session_id, url, self.sessions_base, self.registry)


def record_in_store(client: tuple[str, str], status: int | None) -> None:
    """The user's client store records that *client* (vendor, version) ran, and how."""
    from ..clients.store import ClientStore

    ClientStore().record_outcome(client, status)
