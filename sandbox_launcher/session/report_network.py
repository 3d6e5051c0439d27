"""The report's ``network`` section as types: DNS questions, destinations, the summary.

The section also carries what the plan allowed (mode, domains, ports, country fence, the
offline dataset…); those keys stay a plain mapping (``plan``), written back beside the typed
lists so the JSON keeps the flat shape reports have always had.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

#: Keys of the section that are typed here; every other key belongs to ``plan``.
_TYPED = ("dns", "connections", "summary")


class ReportFormatError(ValueError):
    """A report (or part of one) is not in any known shape."""


def need(data: Mapping[str, Any], key: str, kind: type | tuple[type, ...],
         where: str) -> Any:
    """``data[key]`` if it is of *kind*; otherwise a :class:`ReportFormatError`."""
    if key not in data:
        raise ReportFormatError(f"{where}: {key!r} is missing")
    value = data[key]
    # bool is an int to Python; a report's counters are never booleans.
    if not isinstance(value, kind) or (isinstance(value, bool) and bool not in (
            kind if isinstance(kind, tuple) else (kind,))):
        raise ReportFormatError(f"{where}: {key!r} has the wrong type ({type(value).__name__})")
    return value


@dataclass(frozen=True)
class DnsQuestion:
    """One question the sandbox asked the filtering resolver."""

    name: str
    type: str
    verdict: str  # allowed, refused, failed or unanswered
    rule: str
    answers: tuple[str, ...] = ()
    countries: tuple[str, ...] = ()

    def to_dict(self) -> dict[str, Any]:
        """JSON form."""
        return {"name": self.name, "type": self.type, "verdict": self.verdict,
                "rule": self.rule, "answers": list(self.answers),
                "countries": list(self.countries)}

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> DnsQuestion:
        """Read the JSON form."""
        w = "network.dns"
        return cls(need(data, "name", str, w), need(data, "type", str, w),
                   need(data, "verdict", str, w), need(data, "rule", str, w),
                   tuple(need(data, "answers", list, w)), tuple(need(data, "countries", list, w)))


@dataclass(frozen=True)
class Connection:
    """One destination the sandbox sent to, with the firewall's counters and verdict."""

    name: str | None
    ip: str
    port: int
    protocol: str
    country: str | None
    packets_out: int
    bytes_out: int
    packets_in: int
    bytes_in: int
    verdict: str  # allowed or blocked
    rule: str

    def to_dict(self) -> dict[str, Any]:
        """JSON form."""
        return {"name": self.name, "ip": self.ip, "port": self.port,
                "protocol": self.protocol, "country": self.country,
                "packets_out": self.packets_out, "bytes_out": self.bytes_out,
                "packets_in": self.packets_in, "bytes_in": self.bytes_in,
                "verdict": self.verdict, "rule": self.rule}

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> Connection:
        """Read the JSON form."""
        w = "network.connections"
        ints = {k: need(data, k, int, w)
                for k in ("port", "packets_out", "bytes_out", "packets_in", "bytes_in")}
        return cls(name=need(data, "name", (str, type(None)), w), ip=need(data, "ip", str, w),
                   protocol=need(data, "protocol", str, w),
                   country=need(data, "country", (str, type(None)), w),
                   verdict=need(data, "verdict", str, w), rule=need(data, "rule", str, w),
                   **ints)


@dataclass(frozen=True)
class NetworkSummary:
    """Counts over the whole session."""

    hosts_contacted: int = 0
    countries: tuple[str, ...] = ()
    blocked: int = 0
    dns_refused: int = 0

    def to_dict(self) -> dict[str, Any]:
        """JSON form."""
        return {"hosts_contacted": self.hosts_contacted, "countries": list(self.countries),
                "blocked": self.blocked, "dns_refused": self.dns_refused}

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> NetworkSummary:
        """Read the JSON form."""
        w = "network.summary"
        return cls(need(data, "hosts_contacted", int, w), tuple(need(data, "countries", list, w)),
                   need(data, "blocked", int, w), need(data, "dns_refused", int, w))


@dataclass(frozen=True)
class NetworkSection:
    """What the network jail allowed and saw. A session without a jail (``mode = none``, or
    one that never started) has only the plan's keys: no lists, no summary."""

    mode: str
    dns: tuple[DnsQuestion, ...] | None = None
    connections: tuple[Connection, ...] | None = None
    summary: NetworkSummary | None = None
    #: What the plan allowed (domains, cidrs, ports, countries, dataset, setup_ms…).
    plan: Mapping[str, Any] = field(default_factory=dict)

    def to_dict(self) -> dict[str, Any]:
        """JSON form: the plan's keys, then the typed lists."""
        out: dict[str, Any] = {"mode": self.mode, **self.plan}
        if self.dns is not None:
            out["dns"] = [q.to_dict() for q in self.dns]
        if self.connections is not None:
            out["connections"] = [c.to_dict() for c in self.connections]
        if self.summary is not None:
            out["summary"] = self.summary.to_dict()
        return out

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> NetworkSection:
        """Read the JSON form."""
        mode = need(data, "mode", str, "network")
        dns = data.get("dns")
        conns = data.get("connections")
        summary = data.get("summary")
        return cls(
            mode=mode,
            dns=None if dns is None else tuple(DnsQuestion.from_dict(q) for q in dns),
            connections=None if conns is None else tuple(
                Connection.from_dict(c) for c in conns),
            summary=None if summary is None else NetworkSummary.from_dict(summary),
            plan={k: v for k, v in data.items() if k != "mode" and k not in _TYPED})

    @property
    def contacted(self) -> tuple[Connection, ...]:
        """The destinations the firewall let through."""
        return tuple(c for c in self.connections or () if c.verdict == "allowed")
