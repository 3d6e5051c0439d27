"""Which names may resolve, and which address families the host has (pure helpers)."""

from __future__ import annotations

import ipaddress
import itertools
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path


@dataclass(frozen=True)
class NameFilter:
    """The allowlist of a jail: ``zoom.us`` matches itself, ``*.zoom.us`` its subdomains."""

    patterns: tuple[str, ...]

    def match(self, name: str) -> str | None:
        """The pattern that allows *name*, or None. Case and a trailing dot do not matter."""
        name = name.rstrip(".").lower()
        if not name:
            return None
        for pattern in self.patterns:
            if pattern.startswith("*."):
                if name.endswith(pattern[1:]) and len(name) > len(pattern) - 1:
                    return pattern
            elif name == pattern:
                return pattern
        return None


def upstream_servers(resolv_conf: Path = Path("/etc/resolv.conf")) -> list[str]:
    """Name servers the host uses; loopback ones (systemd-resolved's stub) are kept.

    The resolver forwards from the host's network namespace, so the host's stub at
    127.0.0.53 is reachable for it even though the client can never reach it.
    """
    servers = []
    try:
        lines = resolv_conf.read_text(encoding="utf-8").splitlines()
    except OSError:
        return []
    for line in lines:
        fields = line.split()
        if len(fields) >= 2 and fields[0] == "nameserver":
            try:
                servers.append(str(ipaddress.ip_address(fields[1].split("%")[0])))
            except ValueError:
                continue
    return servers


def host_addresses(fib_trie: Path = Path("/proc/net/fib_trie"),
                   if_inet6: Path = Path("/proc/net/if_inet6")) -> list[str]:
    """Every address configured on this host (this network namespace), both families."""
    found: set[str] = set()
    try:
        lines = fib_trie.read_text(encoding="ascii").splitlines()
    except OSError:
        lines = []
    for previous, line in itertools.pairwise(lines):
        if "/32 host LOCAL" in line:
            found.add(previous.split()[-1])
    try:
        for line in if_inet6.read_text(encoding="ascii").splitlines():
            raw = line.split()[0]
            found.add(str(ipaddress.IPv6Address(int(raw, 16))))
    except (OSError, ValueError, IndexError):
        pass
    return sorted(found, key=lambda a: (":" in a, a))


def split_families(addresses: Iterable[str]) -> tuple[list[str], list[str]]:
    """IPv4 and IPv6 addresses apart."""
    v4: list[str] = []
    v6: list[str] = []
    for address in addresses:
        (v6 if ":" in address else v4).append(address)
    return v4, v6
