"""Planning: a profile, the caller's options and the system policy become a LaunchPlan.

Everything a session may do is decided here, before anything starts, and refused with
a typed error that says why. The host is asked only through what is passed in (the
window finder for a shared window, the host environment).

The command line and the app both plan here (through ``session/launch.py``), so a lock
of the administrator's is applied in one place (``core/policy_apply.py``) and no front
end can launch around it.
"""

from __future__ import annotations

import os
import re
from collections.abc import Mapping
from dataclasses import dataclass, replace
from pathlib import Path
from typing import TYPE_CHECKING

from ..clients.launch import setup as client_setup
from ..core.errors import UsageError
from ..core.fence import CountryFence
from ..core.plan import (
    BACKEND_ENV,
    SANDBOX_HOME,
    SANDBOX_PATH,
    LaunchPlan,
    NetworkPlan,
    PortRange,
    RunOptions,
)
from ..core.policy import Policy, SystemFiles, load_policy
from ..core.policy_apply import apply_policy, check_added_domains
from ..core.profile import Profile, ProfileSet, load_profiles
from ..core.schema import parse_size
from ..core.seccomp_policy import DENIED_SYSCALLS, NESTED_USERNS_NEEDS
from ..devices.camera import CameraFinder
from ..devices.plan import WindowFinder, X11WindowFinder, plan_devices

if TYPE_CHECKING:
    from ..clients.launch import InstalledClients
    from ..clients.store import ClientStore, Installed

#: Host variables that describe only the user's language and terminal: safe to pass.
_LOCALE_ENV = re.compile(r"^(LANG|LANGUAGE|LC_[A-Z]+|TZ|TERM|COLORTERM|NO_COLOR)$")


def _port_ranges(rules: list[str], proto: str) -> tuple[PortRange, ...]:
    found = []
    for rule in rules:
        kind, _, ports = rule.partition("/")
        if kind == proto:
            low, _, high = ports.partition("-")
            found.append((int(low), int(high or low)))
    return tuple(sorted(found))


def _network_plan(profile: Profile, mode: str, policy: Policy) -> NetworkPlan:
    if mode == "none":
        return NetworkPlan("none")
    cidrs = list(profile["network.cidrs"])
    lists = []
    for vendor in profile["network.vendor_ranges"]:
        from ..netjail.ranges import load_ranges  # only profiles that use a list pay for it

        ranges = load_ranges(vendor)
        cidrs.extend(ranges.ranges)
        lists.append({"vendor": vendor, "fetched": ranges.fetched, "source": ranges.source,
                      "ranges": len(ranges.ranges)})
    fence = CountryFence.merge(
        CountryFence(frozenset(profile["network.allow_countries"]),
                     frozenset(profile["network.deny_countries"])),
        CountryFence(frozenset(policy.allow_countries), frozenset(policy.deny_countries)))
    return NetworkPlan(
        mode="allowlist", domains=tuple(profile["network.domains"]), cidrs=tuple(cidrs),
        tcp_ports=_port_ranges(profile["network.ports"], "tcp"),
        udp_ports=_port_ranges(profile["network.ports"], "udp"),
        fence=fence, country_overrides=dict(policy.country_overrides),
        vendor_lists=tuple(lists))


class UserStore:
    """The user's client store, opened when a plan first asks for an installed client:
    a profile without a store client (``run generic``) never loads the store's code."""

    def __init__(self) -> None:
        self._store: ClientStore | None = None

    def current(self, name: str) -> Installed | None:
        """The installed version of vendor *name* that runs, if any."""
        if self._store is None:
            from ..clients.store import ClientStore

            self._store = ClientStore()
        return self._store.current(name)

    def path_note(self) -> str | None:
        """What the report says when the store's path names the user (None: it does not)."""
        return self._store.path_note() if self._store is not None else None


@dataclass(frozen=True)
class HostLookups:
    """Everything planning may ask of the host, passed in (tests give their own)."""

    env: Mapping[str, str]
    #: Where a shared window is looked up (None: no window can be shared).
    windows: WindowFinder | None = None
    #: Where a camera is looked up (None: no camera can be granted).
    cameras: CameraFinder | None = None
    #: The user's client store (None: no store client is installed).
    store: InstalledClients | None = None

    @classmethod
    def of_this_host(cls, windows: WindowFinder | None = None) -> HostLookups:
        """The real host: its environment, X server, cameras and the user's store."""
        return cls(dict(os.environ), windows or X11WindowFinder(), CameraFinder(),
                   UserStore())


def make_plan(profile: Profile, options: RunOptions,
              host_env: Mapping[str, str] | None = None,
              policy: Policy | None = None,
              windows: WindowFinder | None = None, *,
              lookups: HostLookups | None = None) -> LaunchPlan:
    """Combine a profile with per-launch options into a plan, refusing what cannot work.

    *lookups*: what the host is asked (the real host's when not given); *host_env* and
    *windows* replace its environment and window finder.
    """
    found = lookups or HostLookups.of_this_host(windows)
    if host_env is not None or windows is not None:
        found = replace(found, env=found.env if host_env is None else host_env,
                        windows=windows or found.windows)
    host = found.env
    backend = options.backend or profile["backend"]
    client = client_setup(profile, options.command, options.join_url,
                          sandbox_home=SANDBOX_HOME, path=SANDBOX_PATH, store=found.store)
    command = client.command
    if not command:
        raise UsageError(
            f"profile {profile.name!r} has no command of its own",
            f"name one: sandbox-launcher run {profile.name} -- COMMAND ARGS…")
    notes: list[str] = list(client.notes)
    network = _network_plan(profile, options.network or profile["network.mode"],
                            policy or Policy())
    if client.domains and network.mode == "allowlist":
        network = replace(network, domains=network.domains + client.domains)

    env = {k: v for k, v in host.items() if _LOCALE_ENV.match(k)}
    env.setdefault("LANG", "C.UTF-8")
    env.update({name: host[name] for name in profile["sandbox.pass_env"] if name in host})
    env.update(profile["sandbox.env"])
    # Where the home, the runtime dir and the device sockets are inside is the backend's
    # to say (backends/namespace/environment.py): the plan keeps the client's own.
    for fixed in BACKEND_ENV:
        env.pop(fixed, None)
    devices, device_notes = plan_devices(
        profile, camera=options.camera, shares=options.shares,
        keep_downloads=options.keep_downloads, policy=(policy or Policy()).devices, host=host,
        mic=options.mic, share_screen=options.share_screen, windows=found.windows,
        finder=found.cameras, hold_downloads=options.hold_downloads)
    notes += device_notes

    allowed = set(profile["sandbox.seccomp_allow"])
    if profile["sandbox.nested_userns"]:
        allowed.update(NESTED_USERNS_NEEDS)
    return LaunchPlan(
        profile=profile.name,
        title=profile.title,
        backend=backend,
        command=tuple(command),
        env=env,
        home_size=parse_size(profile["sandbox.home_size"]),
        tmp_size=parse_size(profile["sandbox.tmp_size"]),
        shm_size=parse_size(profile["sandbox.shm_size"]),
        nested_userns=bool(profile["sandbox.nested_userns"]),
        denied_syscalls=tuple(s for s in DENIED_SYSCALLS if s not in allowed),
        network=network,
        notes=tuple(notes),
        devices=devices,
        client=client,
        image=str((policy or Policy()).get("vm.image") or ""),
    )


def profiles_under_policy(files: SystemFiles, user_dir: Path | None = None
                          ) -> tuple[Policy, ProfileSet]:
    """The policy in force and the profiles it lets exist.

    A broken policy raises (its ProfileError names file, line and key): nothing is
    listed or launched under a policy nobody can read (fail closed).
    """
    policy = load_policy(files.policy)
    return policy, load_profiles(user_dir, admin_dir=files.admin_profiles, policy=policy)


def plan_launch(profile_name: str, options: RunOptions, files: SystemFiles, *,
                user_dir: Path | None = None, host_env: Mapping[str, str] | None = None,
                windows: WindowFinder | None = None,
                lookups: HostLookups | None = None) -> tuple[Profile, LaunchPlan]:
    """Read the policy and profiles, apply the policy's locks, and plan the launch.

    Returns the profile as it runs (locks applied) and the plan.
    """
    policy, found = profiles_under_policy(files, user_dir)
    profile, notes = apply_policy(found.get(profile_name), options, policy)
    plan = make_plan(profile, options, host_env=host_env, policy=policy, windows=windows,
                     lookups=lookups)
    check_added_domains(plan.network.domains, policy)
    return profile, replace(plan, notes=(*profile.notes, *notes, *plan.notes))
