"""The one launch path: run a profile, route a meeting link, record how the client did.

The command line, the desktop app and ``verify`` all start sessions through a
:class:`Launcher`, so a profile is planned, its backend chosen (profile, then the
caller's request, then the system policy's lock, which wins), its home hooks applied
and its outcome recorded the same way whoever asked.
"""

from __future__ import annotations

import contextlib
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from pathlib import Path

from ..backends.base import HomeFiles
from ..backends.registry import Registry
from ..clients import links
from ..core.errors import LauncherError
from ..core.plan import LaunchPlan, RunOptions
from ..core.policy import SYSTEM_POLICY, Policy, load_policy
from ..core.profile import ProfileSet, load_profiles
from ..devices.plan import WindowFinder
from . import join, store
from .lifecycle import Listener, Outcome, Session
from .planning import make_plan


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
    profiles_dir: Path | None = None
    policy_path: Path = SYSTEM_POLICY
    sessions_base: Path | None = None
    #: Where a store client's outcome is recorded (the CLI and app: the user's store).
    record_client: Callable[[tuple[str, str], int | None], None] | None = None

    def profiles(self) -> ProfileSet:
        """Built-in and user profiles, with the broken files."""
        return load_profiles(self.profiles_dir)

    def policy(self) -> Policy:
        """The system policy in force (a broken one raises: launches fail closed)."""
        return load_policy(self.policy_path)

    def plan(self, profile_name: str, options: RunOptions,
             windows: WindowFinder | None = None) -> LaunchPlan:
        """The plan for *profile_name* with *options*; raises a LauncherError if refused."""
        profile = self.profiles().get(profile_name)
        policy = self.policy()
        backend = self.registry.choose(profile["backend"], options.backend)
        return make_plan(profile, replace(options, backend=backend), policy=policy,
                         windows=windows)

    def session(self, plan: LaunchPlan, listener: Listener | None = None, *,
                home_seed: HomeFiles | None = None,
                home_capture: tuple[str, ...] = ()) -> Session:
        """A session of *plan* in its backend, ready to :meth:`Session.run`; *home_seed*
        and *home_capture* are the home hooks (the vault's, ``verify``'s probe)."""
        return Session(plan, self.registry.get(plan.backend), listener=listener,
                       sessions_base=self.sessions_base, home_seed=home_seed,
                       home_capture=home_capture)

    def finished(self, plan: LaunchPlan, outcome: Outcome) -> None:
        """Record how the client did: a store client that ran becomes the known-good one.

        If the store is busy or unwritable the next session records it; the meeting was
        fine, so this never raises.
        """
        if plan.client.store_client and self.record_client is not None:
            with contextlib.suppress(LauncherError, OSError):
                self.record_client(plan.client.store_client, outcome.status)

    def route(self, url: str) -> LinkRoute:
        """Parse *url* with the strict parser and find where it goes."""
        link = links.parse(url)
        profile = links.LINK_PROFILES[link.service]
        running = join.running_of(profile, self.sessions_base)
        target = next((s for s in running if join.takes(s, link)),
                      running[0] if running else None)
        return LinkRoute(link, profile, target)

    def join(self, session_id: str, url: str) -> join.Joined:
        """Hand *url* to a running session (any launcher's) through its backend."""
        return join.join(session_id, url, self.sessions_base, self.registry)


def record_in_store(client: tuple[str, str], status: int | None) -> None:
    """The user's client store records that *client* (vendor, version) ran, and how."""
    from ..clients.store import ClientStore

    ClientStore().record_outcome(client, status)
