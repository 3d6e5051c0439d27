"""Turn the resolver's events and the firewall's counters into the session's network report.

Every DNS question (allowed or refused) and every destination (name, address, port,
protocol, country, packets and bytes both ways, allowed or blocked and by which rule).
"""

from __future__ import annotations

import ipaddress
from collections.abc import Iterable
from typing import Any

from .geo import CountryDB
from .ruleset import ALWAYS_BLOCKED, BLOCK_REASONS

Key = tuple[str, str, int]  # ip, protocol, port


def _set_elements(table: dict[str, Any], prefix: str) -> Iterable[tuple[str, Key, int, int]]:
    """(set name, (ip, proto, port), packets, bytes) for accounting sets named prefix*."""
    for item in table.get("nftables", []):
        found = item.get("set")
        if not found or not found.get("name", "").startswith(prefix):
            continue
        for element in found.get("elem", []):
            inner = element.get("elem", {})
            concat = inner.get("val", {}).get("concat")
            if not concat or len(concat) != 3:
                continue
            counter = inner.get("counter", {})
            yield (found["name"], (str(concat[0]), str(concat[1]), int(concat[2])),
                   int(counter.get("packets", 0)), int(counter.get("bytes", 0)))


def _always_category(ip: str) -> str:
    address = ipaddress.ip_address(ip)
    for name, (v4, v6) in ALWAYS_BLOCKED.items():
        if any(address in ipaddress.ip_network(c) for c in (v4 if address.version == 4 else v6)):
            return name
    return "reserved"


def _names_by_ip(dns: list[dict[str, Any]]) -> dict[str, dict[str, Any]]:
    found: dict[str, dict[str, Any]] = {}
    for event in dns:
        for answer in event.get("answers", []):
            found.setdefault(answer["ip"], {"name": event["name"], **answer})
    return found


def build(events: list[dict[str, Any]], table: dict[str, Any], geo: CountryDB,
          plan_summary: dict[str, Any]) -> dict[str, Any]:
    """The ``network`` object of the session report."""
    dns = [{"name": e["name"], "type": e["qtype"], "verdict": e["verdict"], "rule": e["rule"],
            "answers": [a["ip"] for a in e.get("answers", [])],
            "countries": sorted({a["country"] or "unknown" for a in e.get("answers", [])})}
           for e in events if e.get("type") == "dns"]
    by_ip = _names_by_ip([e for e in events if e.get("type") == "dns"])
    inbound = {key: (packets, size) for _, key, packets, size in _set_elements(table, "acct_in")}
    connections = []
    for set_name, key, packets, size in _set_elements(table, "acct_"):
        reason = set_name.removeprefix("acct_")[:-1]
        if reason == "in":
            continue
        ip, protocol, port = key
        known = by_ip.get(ip, {})
        entry: dict[str, Any] = {
            "name": known.get("name"), "ip": ip, "port": port, "protocol": protocol,
            "country": geo.lookup(ip), "packets_out": packets, "bytes_out": size,
            "packets_in": 0, "bytes_in": 0,
        }
        if reason == "out":
            entry["packets_in"], entry["bytes_in"] = inbound.get(key, (0, 0))
            entry["verdict"] = "allowed"
            entry["rule"] = (f"resolved from {known['name']}" if known
                             else "in an allowed address range")
        else:
            entry["verdict"] = "blocked"
            rule = BLOCK_REASONS[reason]
            if reason == "always":
                rule = f"always blocked: {_always_category(ip)} range"
            elif reason == "country":
                rule = f"country fence: {known.get('rule', 'country not allowed')}"
            entry["rule"] = rule
        connections.append(entry)
    connections.sort(key=lambda c: (c["verdict"], c["ip"], c["port"]))
    return {
        **plan_summary,
        "dataset": {"name": geo.dataset, "date": geo.dataset_date},
        "dns": dns,
        "connections": connections,
        "summary": {
            "hosts_contacted": len({c["ip"] for c in connections if c["verdict"] == "allowed"}),
            "countries": sorted({c["country"] or "unknown" for c in connections
                                 if c["verdict"] == "allowed"}),
            "blocked": sum(1 for c in connections if c["verdict"] == "blocked"),
            "dns_refused": sum(1 for d in dns if d["verdict"] == "refused"),
        },
    }
