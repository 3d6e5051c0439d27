"""The live events of a running session, as types.

A session's listener gets ``lifecycle.Event``: a state change (``data`` None) or one of the
payloads below. Front ends dispatch on the type (``match`` / ``isinstance``), never on a
string key. Each payload has ``to_dict`` / ``from_dict`` (``{"type": KIND, …}``), the form
in which the layers below (the network jail's holder, the device helpers, a joiner's
datagram) send them, and in which the app may pass them on; :func:`from_dict` turns any of
those into its type at the session boundary.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any, ClassVar

from .report_network import Connection, NetworkSummary


class EventFormatError(ValueError):
    """A live event in none of the known shapes (a bug below, or a forged datagram)."""


@dataclass(frozen=True)
class DnsAnswer:
    """One address the resolver let through (or fenced) for a question."""

    ip: str
    country: str | None = None
    allowed: bool = True
    ttl: int = 0
    rule: str = ""


@dataclass(frozen=True)
class Dns:
    """The sandbox asked the filtering resolver for a name."""

    KIND: ClassVar[str] = "dns"
    name: str
    qtype: str
    verdict: str  # allowed, refused, failed or unanswered
    rule: str
    answers: tuple[DnsAnswer, ...] = ()
    time: float = 0.0

    def to_dict(self) -> dict[str, Any]:
        """Wire form."""
        return {"type": self.KIND, "name": self.name, "qtype": self.qtype,
                "verdict": self.verdict, "rule": self.rule, "time": self.time,
                "answers": [{"ip": a.ip, "country": a.country, "allowed": a.allowed,
                             "ttl": a.ttl, "rule": a.rule} for a in self.answers]}

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> Dns:
        """Read the wire form."""
        answers = tuple(DnsAnswer(str(a["ip"]), a.get("country"), bool(a.get("allowed", True)),
                                  int(a.get("ttl", 0)), str(a.get("rule", "")))
                        for a in data.get("answers", ()))
        return cls(str(data["name"]), str(data["qtype"]), str(data["verdict"]),
                   str(data.get("rule", "")), answers, float(data.get("time", 0.0)))


@dataclass(frozen=True)
class JailError:
    """The network jail reported a problem (a firewall update failed)."""

    KIND: ClassVar[str] = "error"
    error: str

    def to_dict(self) -> dict[str, Any]:
        """Wire form."""
        return {"type": self.KIND, "error": self.error}

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> JailError:
        """Read the wire form."""
        return cls(str(data["error"]))


@dataclass(frozen=True)
class Connections:
    """A live snapshot of every destination with the firewall's cumulative counters."""

    KIND: ClassVar[str] = "connections"
    connections: tuple[Connection, ...] = ()
    summary: NetworkSummary = field(default_factory=NetworkSummary)

    def to_dict(self) -> dict[str, Any]:
        """Wire form."""
        return {"type": self.KIND, "connections": [c.to_dict() for c in self.connections],
                "summary": self.summary.to_dict()}

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> Connections:
        """Read the wire form (a snapshot without a jail has neither list nor summary)."""
        summary = data.get("summary")
        return cls(tuple(Connection.from_dict(c) for c in data.get("connections", ())),
                   NetworkSummary.from_dict(summary) if summary else NetworkSummary())

    def rows(self) -> list[dict[str, Any]]:
        """The connections in their JSON form (the shape the report's list has too)."""
        return [c.to_dict() for c in self.connections]


@dataclass(frozen=True)
class Mic:
    """The microphone is muted or on now; ``error`` says why switching it on failed."""

    KIND: ClassVar[str] = "mic"
    muted: bool
    error: str = ""

    def to_dict(self) -> dict[str, Any]:
        """Wire form."""
        out: dict[str, Any] = {"type": self.KIND, "muted": self.muted}
        if self.error:
            out["error"] = self.error
        return out

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> Mic:
        """Read the wire form."""
        return cls(bool(data["muted"]), str(data.get("error", "")))


@dataclass(frozen=True)
class Screen:
    """The screen grant started or stopped sharing (a mirrored window, or the portal)."""

    KIND: ClassVar[str] = "screen"
    shared: bool
    mode: str  # mirror or portal
    window: int = 0
    title: str = ""
    reason: str = ""

    def to_dict(self) -> dict[str, Any]:
        """Wire form."""
        out: dict[str, Any] = {"type": self.KIND, "shared": self.shared, "mode": self.mode,
                               "window": self.window, "title": self.title}
        if self.reason:
            out["reason"] = self.reason
        return out

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> Screen:
        """Read the wire form."""
        return cls(bool(data["shared"]), str(data["mode"]), int(data.get("window") or 0),
                   str(data.get("title") or ""), str(data.get("reason", "")))

    @property
    def label(self) -> str | None:
        """What the app shows as shared: the window's title, ``portal``, or None."""
        if not self.shared:
            return None
        return self.title if self.mode == "mirror" else "portal"


@dataclass(frozen=True)
class DeviceUse:
    """A granted device (camera, microphone, screen) started or stopped being in use.

    ``at`` is 0 for a grant's own raw news (the portal's ScreenCast calls) before the
    session's usage log has timed it; ``assumed`` says why the use was inferred, not seen.
    """

    KIND: ClassVar[str] = "device"
    device: str
    in_use: bool
    at: float = 0.0
    assumed: str = ""

    def to_dict(self) -> dict[str, Any]:
        """Wire form."""
        out: dict[str, Any] = {"type": self.KIND, "device": self.device,
                               "in_use": self.in_use, "at": self.at}
        if self.assumed:
            out["assumed"] = self.assumed
        return out

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> DeviceUse:
        """Read the wire form."""
        return cls(str(data["device"]), bool(data["in_use"]), float(data.get("at") or 0.0),
                   str(data.get("assumed", "")))


@dataclass(frozen=True)
class Join:
    """A meeting link was handed into the running session (service and host only)."""

    KIND: ClassVar[str] = "join"
    service: str
    host: str
    at: float
    pid: int

    def to_dict(self) -> dict[str, Any]:
        """Wire form."""
        return {"type": self.KIND, "service": self.service, "host": self.host,
                "at": self.at, "pid": self.pid}

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> Join:
        """Read the wire form."""
        return cls(str(data["service"]), str(data["host"]), float(data["at"]),
                   int(data["pid"]))


@dataclass(frozen=True)
class DownloadsDecided:
    """The user kept or discarded an ended session's held downloads."""

    KIND: ClassVar[str] = "downloads"
    action: str  # kept or discarded
    target: str | None = None
    kept: tuple[Mapping[str, Any], ...] = ()
    failed: tuple[Mapping[str, Any], ...] = ()
    at: float = 0.0

    def to_dict(self) -> dict[str, Any]:
        """Wire form (also the decision :func:`downloads.apply_decision` takes)."""
        return {"type": self.KIND, "action": self.action, "target": self.target,
                "kept": [dict(k) for k in self.kept], "failed": [dict(f) for f in self.failed],
                "at": self.at}

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> DownloadsDecided:
        """Read the wire form."""
        return cls(str(data["action"]), data.get("target"), tuple(data.get("kept", ())),
                   tuple(data.get("failed", ())), float(data.get("at") or 0.0))


@dataclass(frozen=True)
class LinkAsked:
    """The client asked to open an address outside the sandbox (``xdg-open`` inside).

    Carries the whole address, for the question shown to the person; the report keeps
    only its scheme and host (:class:`LinkAnswered`).
    """

    KIND: ClassVar[str] = "link_asked"
    request: int  # numbers the requests of one session; the answer names it
    url: str
    scheme: str
    host: str
    #: Whether the person is asked (False: the policy decides alone).
    ask: bool
    at: float = 0.0

    def to_dict(self) -> dict[str, Any]:
        """Wire form."""
        return {"type": self.KIND, "request": self.request, "url": self.url,
                "scheme": self.scheme, "host": self.host, "ask": self.ask, "at": self.at}

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> LinkAsked:
        """Read the wire form."""
        return cls(int(data["request"]), str(data["url"]), str(data["scheme"]),
                   str(data["host"]), bool(data["ask"]), float(data.get("at") or 0.0))


@dataclass(frozen=True)
class LinkAnswered:
    """What became of an address the client asked to open: opened in the user's
    browser, copied, or refused; by whom (``user``, ``policy``, or ``nobody`` when no
    one could be asked), and why when refused. No path or query: it may carry a token."""

    KIND: ClassVar[str] = "link_answered"
    request: int
    scheme: str
    host: str
    answer: str  # opened, copied or refused
    by: str
    reason: str = ""
    at: float = 0.0

    def to_dict(self) -> dict[str, Any]:
        """Wire form (also the report's entry, without ``type``)."""
        return {"type": self.KIND, "request": self.request, "scheme": self.scheme,
                "host": self.host, "answer": self.answer, "by": self.by,
                "reason": self.reason, "at": self.at}

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> LinkAnswered:
        """Read the wire form."""
        return cls(int(data["request"]), str(data["scheme"]), str(data["host"]),
                   str(data["answer"]), str(data["by"]), str(data.get("reason", "")),
                   float(data.get("at") or 0.0))


@dataclass(frozen=True)
class HelperLost:
    """A helper the launcher started for the session died while the session ran.

    ``effect`` is the sentence for a person (what the meeting lost, and that nothing else
    opened); ``stops`` whether the session is stopped because of it (the display: the
    client has no window left), else it keeps running without that grant.
    """

    KIND: ClassVar[str] = "helper_lost"
    helper: str
    grant: str  # network, names, display, bus, sound, speakers, microphone, screen, storage, vm
    effect: str
    stops: bool = False
    status: str = ""  # how it ended, when known ("killed by SIGKILL")
    at: float = 0.0

    def to_dict(self) -> dict[str, Any]:
        """Wire form (also the report's ``helpers_lost`` entry)."""
        return {"type": self.KIND, "helper": self.helper, "grant": self.grant,
                "effect": self.effect, "stops": self.stops, "status": self.status,
                "at": self.at}

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> HelperLost:
        """Read the wire form."""
        return cls(str(data["helper"]), str(data["grant"]), str(data["effect"]),
                   bool(data.get("stops", False)), str(data.get("status", "")),
                   float(data.get("at") or 0.0))


@dataclass(frozen=True)
class BootStep:
    """The backend is starting the sandbox and has reached *step* (one of
    ``backends.base.BOOT_STEPS``): a VM takes seconds, and a person wants to see it move."""

    KIND: ClassVar[str] = "boot_step"
    step: str
    at: float = 0.0  # seconds since the session started

    def to_dict(self) -> dict[str, Any]:
        """Wire form."""
        return {"type": self.KIND, "step": self.step, "at": self.at}

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> BootStep:
        """Read the wire form."""
        return cls(str(data["step"]), float(data.get("at") or 0.0))


LiveEvent = (Dns | JailError | Connections | Mic | Screen | DeviceUse | Join | DownloadsDecided
             | LinkAsked | LinkAnswered | HelperLost | BootStep)

_KINDS: dict[str, Any] = {cls.KIND: cls for cls in (
    Dns, JailError, Connections, Mic, Screen, DeviceUse, Join, DownloadsDecided, LinkAsked,
    LinkAnswered, HelperLost, BootStep)}


def from_dict(data: Mapping[str, Any]) -> LiveEvent:
    """The typed event of a wire-form dict; :class:`EventFormatError` for anything else."""
    kind = data.get("type") if isinstance(data, Mapping) else None
    cls = _KINDS.get(kind) if isinstance(kind, str) else None
    if cls is None:
        raise EventFormatError(f"unknown live event type {kind!r}")
    try:
        event: LiveEvent = cls.from_dict(data)
    except (KeyError, TypeError, ValueError) as exc:
        raise EventFormatError(f"a {kind} event without its fields: {exc!r}") from exc
    return event


def from_dicts(items: list[dict[str, Any]]) -> list[LiveEvent]:
    """Typed events of a batch from below; malformed ones are dropped (they carry nothing
    the app could show, and one must not stop the others)."""
    out = []
    for item in items:
        try:
            out.append(from_dict(item))
        except EventFormatError:
            continue
    return out
