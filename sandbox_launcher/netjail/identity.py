"""The network identity every sandbox sees, whatever backend runs it.

By default pasta (and passt for a VM) copies the host's uplink into the sandbox: its
interface name, address, prefix, gateway and, as the gateway's MAC, the MAC address of
the host's own interface. On a laptop that is the Wi-Fi card's MAC, the LAN address and
the router's: a stable fingerprint and a hint where the user is (DESIGN.md §2). Here
instead every sandbox gets the same dull identity, the one of a NAT'ed virtual machine:
no two users, no two networks, no two sessions tell apart by it.

The values are the one place both backends take them from: pasta's options below for
the namespace backend, and the same address, gateway and MACs for the VM's NIC.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

#: The interface name inside, the most common one there is.
INTERFACE = "eth0"
#: A private address as QEMU's and VirtualBox's NAT hand out: says nothing about the
#: user's network, and never collides with a public service the client is allowed to reach
#: (the jail's firewall blocks every private range as a destination anyway).
ADDRESS4 = "10.0.2.15"
PREFIX4 = 24
GATEWAY4 = "10.0.2.2"
#: IPv6 (only when the host has IPv6): a fixed unique-local /64, same idea.
ADDRESS6 = "fd0a:2:15::15"
GATEWAY6 = "fd0a:2:15::2"
#: The gateway's MAC, as the sandbox sees it in its neighbour table (/proc/net/arp):
#: a fixed, locally administered address instead of the host's uplink's.
GATEWAY_MAC = "02:5a:00:00:02:02"


@dataclass(frozen=True)
class NetIdentity:
    """What the sandbox's side of the link looks like."""

    interface: str = INTERFACE
    address4: str = ADDRESS4
    prefix4: int = PREFIX4
    gateway4: str = GATEWAY4
    address6: str = ADDRESS6
    gateway6: str = GATEWAY6
    gateway_mac: str = GATEWAY_MAC

    def pasta_options(self, ipv6: bool) -> list[str]:
        """pasta (passt 0.0~git20230309 and later) options that set this identity.

        The sandbox's own MAC is left to the kernel: pasta's tap device gets a fresh
        random, locally administered one in every session (never the host's).
        """
        options = ["--ns-ifname", self.interface,
                   "--address", self.address4, "--netmask", str(self.prefix4),
                   "--gateway", self.gateway4, "--mac-addr", self.gateway_mac]
        if ipv6:
            options += ["--address", self.address6, "--gateway", self.gateway6]
        return options


def guest_mac() -> str:
    """A fresh locally administered unicast MAC, for a sandbox whose NIC we name (VM)."""
    raw = bytearray(os.urandom(6))
    raw[0] = (raw[0] & 0xFC) | 0x02
    return ":".join(f"{b:02x}" for b in raw)


def host_has_ipv6(ipv6_route: Path = Path("/proc/net/ipv6_route")) -> bool:
    """Whether this host has an IPv6 default route (pasta gives IPv6 only then)."""
    try:
        lines = ipv6_route.read_text(encoding="ascii").splitlines()
    except OSError:
        return False
    for line in lines:
        fields = line.split()
        if len(fields) >= 10 and fields[0] == "0" * 32 and fields[1] == "00" \
                and fields[9] != "lo":
            return True
    return False
