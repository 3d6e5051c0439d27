"""LaunchPlan: exactly what a session grants, decided before anything starts.

Both backends receive the same plan. Everything a report says was granted comes
from here, so what the report claims and what the backend does cannot drift apart.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from .client import ClientSetup
from .devices import DevicePlan
from .fence import CountryFence

SANDBOX_HOME = "/home/user"
SANDBOX_USER = "user"
SANDBOX_PATH = "/usr/local/bin:/usr/bin:/bin"
#: Variables every backend sets itself (where the home, the user and the runtime dir are
#: inside): a profile cannot set them, and the plan does not carry their values.
BACKEND_ENV = ("PATH", "HOME", "USER", "LOGNAME", "SHELL", "XDG_RUNTIME_DIR")


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
    #: The guest image a VM session boots ("" = the backend's default); the system
    #: policy's ``vm.image`` fixes it.
    image: str = ""
    #: The profile's name for people (its title), for window titles ("" = the name).
    title: str = ""

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
            **({"vm_image": self.image or "default"} if self.backend == "vm" else {}),
            "environment": sorted({*self.env, *BACKEND_ENV, *self.devices.env("")}),
        }


