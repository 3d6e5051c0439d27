"""The nftables ruleset of a jail: default-deny egress, nothing in, every packet accounted.

Rendered as one nft script from the plan, loaded atomically before the client starts.
Each reason to block has its own chain and its own accounting set, so the report says
which rule stopped a connection because that rule is the one that counted it.
"""

from __future__ import annotations

import ipaddress
from collections.abc import Iterable, Sequence

from ..core.plan import NetworkPlan, PortRange

TABLE = "sandbox"

#: Reached by no client, whatever its profile says: name → (IPv4 ranges, IPv6 ranges).
ALWAYS_BLOCKED: dict[str, tuple[tuple[str, ...], tuple[str, ...]]] = {
    "private": (("10.0.0.0/8", "172.16.0.0/12", "192.168.0.0/16"), ("fc00::/7",)),
    "cgnat": (("100.64.0.0/10",), ()),
    "link-local": (("169.254.0.0/16",), ("fe80::/10",)),
    "multicast": (("224.0.0.0/4", "240.0.0.0/4"), ("ff00::/8",)),
    "loopback": (("0.0.0.0/8", "127.0.0.0/8"), ("::/127", "::ffff:0:0/96")),
}

#: Blocking rules in the order they are tried; the first that matches is reported.
BLOCK_REASONS: dict[str, str] = {
    "always": "always blocked: private, shared, link-local, multicast or loopback range",
    "host": "always blocked: an address of the host",
    "country": "blocked by the country fence",
    "unresolved": "not resolved through the filter and not an allowed range",
    "port": "port or protocol not allowed by the profile",
}


_ND = "nd-neighbor-solicit, nd-neighbor-advert, nd-router-solicit, nd-router-advert"


def _elements(items: Iterable[str]) -> str:
    listed = ", ".join(items)
    return f" elements = {{ {listed} }};" if listed else ""


def _ports(ranges: Sequence[PortRange]) -> str:
    return _elements(f"{a}-{b}" if a != b else str(a) for a, b in ranges)


def _split(cidrs: Iterable[str]) -> tuple[list[str], list[str]]:
    v4: list[str] = []
    v6: list[str] = []
    for cidr in cidrs:
        net = ipaddress.ip_network(cidr, strict=False)
        (v4 if net.version == 4 else v6).append(str(net))
    return v4, v6


def _sets(plan: NetworkPlan, host_addresses: Sequence[str]) -> list[str]:
    always4 = [c for v4, _ in ALWAYS_BLOCKED.values() for c in v4]
    always6 = [c for _, v6 in ALWAYS_BLOCKED.values() for c in v6]
    static4, static6 = _split(plan.cidrs)
    host4, host6 = _split(host_addresses)
    out = []
    for fam, addr, always, static, host in (("4", "ipv4_addr", always4, static4, host4),
                                             ("6", "ipv6_addr", always6, static6, host6)):
        out += [
            f"set always{fam} {{ type {addr}; flags interval;{_elements(always)} }}",
            f"set host{fam} {{ type {addr}; flags interval;{_elements(host)} }}",
            f"set static{fam} {{ type {addr}; flags interval;{_elements(static)} }}",
            # Filled by the resolver: answers of allowed names, for their TTL.
            f"set resolved{fam} {{ type {addr}; flags timeout; }}",
            # Filled by the resolver too: answers of allowed names in a denied country.
            f"set fenced{fam} {{ type {addr}; flags timeout; }}",
        ]
        key = f"{addr} . inet_proto . inet_service"
        for name in ("out", "in", *BLOCK_REASONS):
            out.append(f"set acct_{name}{fam} {{ type {key}; flags dynamic; counter; }}")
    out.append(f"set tcp_ok {{ type inet_service; flags interval;{_ports(plan.tcp_ports)} }}")
    out.append(f"set udp_ok {{ type inet_service; flags interval;{_ports(plan.udp_ports)} }}")
    return out


def _count(direction: str, name: str) -> list[str]:
    """Rules that add the packet to an accounting set (only TCP and UDP have ports)."""
    addr, port = ("daddr", "dport") if direction == "d" else ("saddr", "sport")
    return [f"meta nfproto {fam} meta l4proto {{ tcp, udp }} "
            f"add @acct_{name}{n} {{ {ip} {addr} . meta l4proto . th {port} }}"
            for fam, n, ip in (("ipv4", "4", "ip"), ("ipv6", "6", "ip6"))]


def render(plan: NetworkPlan, host_addresses: Sequence[str]) -> str:
    """The complete nft script for a jail of *plan* (flushes any previous table)."""
    lines = [f"table inet {TABLE} {{"]
    lines += [f"  {s}" for s in _sets(plan, host_addresses)]
    for reason in BLOCK_REASONS:
        lines += [f"  chain block_{reason} {{", *(f"    {r}" for r in _count("d", reason)),
                  "    reject with icmpx admin-prohibited", "  }"]
    lines += [
        "  chain output {",
        "    type filter hook output priority filter; policy drop;",
        # The sandbox's own loopback: its resolver at 127.0.0.1, its own services.
        '    oifname "lo" accept',
        *(f"    ct state established,related {r}" for r in _count("d", "out")),
        "    ct state established,related accept",
        # IPv6 needs neighbour discovery with pasta's end of the link (link-local and
        # multicast, which the rules below block for everything else).
        f"    icmpv6 type {{ {_ND} }} accept",
        "    ip daddr @always4 jump block_always",
        "    ip6 daddr @always6 jump block_always",
        "    ip daddr @host4 jump block_host",
        "    ip6 daddr @host6 jump block_host",
        "    ip daddr @fenced4 jump block_country",
        "    ip6 daddr @fenced6 jump block_country",
        "    ip daddr != @resolved4 ip daddr != @static4 jump block_unresolved",
        "    ip6 daddr != @resolved6 ip6 daddr != @static6 jump block_unresolved",
        "    tcp dport != @tcp_ok jump block_port",
        "    udp dport != @udp_ok jump block_port",
        "    meta l4proto != { tcp, udp } jump block_port",
        *(f"    {r}" for r in _count("d", "out")),
        "    accept",
        "  }",
        "  chain input {",
        # Nothing from outside may open a connection in (a client listening on 19421
        # stays unreachable); answers to the client's own connections come back.
        "    type filter hook input priority filter; policy drop;",
        '    iifname "lo" accept',
        f"    icmpv6 type {{ {_ND} }} accept",
        *(f"    ct state established,related {r}" for r in _count("s", "in")),
        "    ct state established,related accept",
        "  }",
        "}",
    ]
    return "\n".join(lines) + "\n"
