"""LaunchPlan: exactly what a session grants, decided before anything starts.

Both backends receive the same plan. Everything a report says was granted comes
from here, so what the report claims and what the backend does cannot drift apart.
"""

from __future__ import annotations

import os
import re
from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from typing import Any

from ..clients.launch import ClientSetup
from ..clients.launch import setup as client_setup
from ..devices.plan import DevicePlan, WindowFinder, plan_devices
from ..netjail.geo import CountryFence
from .errors import UsageError
from .policy import Policy
from .profile import Profile
from .schema import parse_size
from .seccomp_policy import DENIED_SYSCALLS, NESTED_USERNS_NEEDS

SANDBOX_HOME = "/home/user"
SANDBOX_USER = "user"
SANDBOX_PATH = "/usr/local/bin:/usr/bin:/bin"

#: Host variables that describe only the user's language and terminal: safe to pass.
_LOCALE_ENV = re.compile(r"^(LANG|LANGUAGE|LC_[A-Z]+|TZ|TERM|COLORTERM|NO_COLOR)$")


@dataclass(frozen=True)
class RunOptions:
    """Per-launch choices from the command line or the launch panel."""

    backend: str | None = None
    command: tuple[str, ...] = ()
    network: str | None = None
    join_url: str | None = None
    camera: str | None = None
    mic: bool | None = None
    shares: tuple[str, ...] = ()
    keep_downloads: str | None = None
    #: None: no screen sharing; a host X11 window id or "pick"; "portal" (Wayland).
    share_screen: str | None = None
    #: The app's: the root of the folders where downloads wait for the user's decision
    #: when the session ends. None (the command line): discarded unless kept.
    hold_downloads: str | None = None


PortRange = tuple[int, int]


def _port_ranges(rules: list[str], proto: str) -> tuple[PortRange, ...]:
    found = []
    for rule in rules:
        kind, _, ports = rule.partition("/")
        if kind == proto:
            low, _, high = ports.partition("-")
            found.append((int(low), int(high or low)))
    return tuple(sorted(found))


@dataclass(frozen=True)
class NetworkPlan:
    """What the network jail allows: names, address ranges, ports and countries."""

    mode: str  # "allowlist" or "none" (loopback only)
    domains: tuple[str, ...] = ()
    cidrs: tuple[str, ...] = ()
    tcp_ports: tuple[PortRange, ...] = ()
    udp_ports: tuple[PortRange, ...] = ()
    fence: CountryFence = field(default_factory=CountryFence)
    country_overrides: dict[str, str] = field(default_factory=dict)
    vendor_lists: tuple[dict[str, Any], ...] = ()

    def to_dict(self) -> dict[str, Any]:
        """JSON form for the report's grants."""
        def ports(ranges: tuple[PortRange, ...]) -> list[str]:
            return [f"{a}" if a == b else f"{a}-{b}" for a, b in ranges]

        return {
            "mode": self.mode, "domains": list(self.domains), "cidrs": len(self.cidrs),
            "tcp_ports": ports(self.tcp_ports), "udp_ports": ports(self.udp_ports),
            "allow_countries": sorted(self.fence.allow) if self.fence.restricted else None,
            "deny_countries": sorted(self.fence.deny),
            "vendor_lists": list(self.vendor_lists),
        }


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


@dataclass(frozen=True)
class LaunchPlan:
    """The complete, validated description of one sandbox to start."""

    profile: str
    backend: str
    command: tuple[str, ...]
    env: dict[str, str]
    home_size: int
    tmp_size: int
    shm_size: int
    nested_userns: bool
    denied_syscalls: tuple[str, ...]
    network: NetworkPlan
    notes: tuple[str, ...] = field(default=())
    devices: DevicePlan = field(default_factory=DevicePlan)
    client: ClientSetup = field(default_factory=lambda: ClientSetup(()))

    def grants(self) -> dict[str, Any]:
        """What the session was given, for the report and the app."""
        return {
            "backend": self.backend,
            "network": self.network.to_dict(),
            "filesystem": {
                "home": f"private tmpfs, {self.home_size >> 20} MiB",
                "tmp": f"private tmpfs, {self.tmp_size >> 20} MiB",
                "shm": f"private tmpfs, {self.shm_size >> 20} MiB",
                "host_read_only": ["/usr", "/etc (allowlisted entries; identifiers replaced)",
                                   "/opt"],
                "user_home": "not visible",
            },
            **self.devices.grants(),
            "nested_user_namespaces": self.nested_userns,
            "seccomp_denied": list(self.denied_syscalls),
            "client": self.client.to_dict(),
            "environment": sorted(self.env),
        }


_NOT_YET = "is not available yet"


def make_plan(profile: Profile, options: RunOptions,
              host_env: Mapping[str, str] | None = None,
              policy: Policy | None = None,
              windows: WindowFinder | None = None) -> LaunchPlan:
    """Combine a profile with per-launch options into a plan, refusing what cannot work.

    *windows*: where a shared window is looked up (the host's X server by default).
    """
    host = os.environ if host_env is None else host_env
    backend = options.backend or profile["backend"]
    if backend == "vm":
        raise UsageError(f"the vm backend {_NOT_YET}",
                         "use --backend namespace (bubblewrap) for now")
    client = client_setup(profile, options.command, options.join_url,
                          sandbox_home=SANDBOX_HOME, path=SANDBOX_PATH)
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
    env.update({
        "PATH": SANDBOX_PATH, "HOME": SANDBOX_HOME, "USER": SANDBOX_USER,
        "LOGNAME": SANDBOX_USER, "SHELL": "/bin/sh",
        "XDG_RUNTIME_DIR": f"/run/user/{os.getuid()}",
    })
    devices, device_notes = plan_devices(
        profile, camera=options.camera, shares=options.shares,
        keep_downloads=options.keep_downloads, policy=(policy or Policy()).devices, host=host,
        mic=options.mic, share_screen=options.share_screen, windows=windows,
        hold_downloads=options.hold_downloads)
    notes += device_notes
    env.update(devices.env(env["XDG_RUNTIME_DIR"]))

    allowed = set(profile["sandbox.seccomp_allow"])
    if profile["sandbox.nested_userns"]:
        allowed.update(NESTED_USERNS_NEEDS)
    return LaunchPlan(
        profile=profile.name,
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
    )
