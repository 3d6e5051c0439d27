"""Typed live events: every kind round-trips, and the wire forms the layers below really
send become their types at the session boundary."""

from __future__ import annotations

import json
from typing import Any

import pytest
from schemas import old_report

from sandbox_launcher.devices.plan import ScreenGrant
from sandbox_launcher.devices.screen import started_event
from sandbox_launcher.session import events, join
from sandbox_launcher.session.events import (
    BootStep,
    Connections,
    DeviceUse,
    Dns,
    DnsAnswer,
    DownloadsDecided,
    EventFormatError,
    JailError,
    Join,
    LiveEvent,
    Mic,
    Screen,
)
from sandbox_launcher.session.report_network import Connection, NetworkSummary

CONNECTION = Connection("meet.example.org", "192.0.2.10", 443, "tcp", "ZZ", 3, 300, 2, 2000,
                        "allowed", "resolved from meet.example.org")

EVERY_KIND: list[LiveEvent] = [
    Dns("meet.example.org", "A", "allowed", "matches meet.example.org",
        (DnsAnswer("192.0.2.10", None, True, 60, "no country fence"),), 1.5),
    Dns("tracker.example", "AAAA", "refused", "not in the allowlist"),
    JailError("firewall update failed: boom"),
    Connections((CONNECTION,), NetworkSummary(1, ("ZZ",), 0, 2)),
    Mic(True), Mic(True, "this session has no microphone to switch on"), Mic(False),
    Screen(True, "mirror", 0x400001, "Slides"), Screen(False, "mirror", 5, "Slides", "closed"),
    Screen(True, "portal"),
    DeviceUse("camera", True, 10.0, "a process hides its open files"),
    DeviceUse("microphone", False, 12.5),
    Join("web", "meet.example.org", 2.0, 9),
    DownloadsDecided("kept", "/home/u/Keep", ({"name": "a.txt", "kept_as": "/k/a.txt"},),
                     (), 3.0),
    BootStep("boot", 1.25),
]


@pytest.mark.parametrize("event", EVERY_KIND, ids=lambda e: type(e).__name__)
def test_every_event_round_trips_through_its_wire_form(event: LiveEvent) -> None:
    wire = json.loads(json.dumps(event.to_dict()))
    assert wire["type"] == event.KIND
    assert events.from_dict(wire) == event
    assert type(event).from_dict(wire) == event


def test_every_kind_is_known_once() -> None:
    kinds = [cls.KIND for cls in (Dns, JailError, Connections, Mic, Screen, DeviceUse, Join,
                                  DownloadsDecided, BootStep)]
    assert len(kinds) == len(set(kinds))
    assert {type(e).KIND for e in EVERY_KIND} == set(kinds)


@pytest.mark.parametrize("wire", [
    {}, {"type": "nonsense"}, {"type": 3}, {"type": "mic"}, {"type": "join", "service": "web"},
    {"type": "device", "device": "camera"}, {"type": "join", "service": "web", "host": "h",
                                             "at": "soon", "pid": 1},
    {"type": "connections", "connections": [{"ip": "192.0.2.1"}]},
])
def test_a_malformed_event_is_a_typed_error(wire: dict[str, Any]) -> None:
    with pytest.raises(EventFormatError):
        events.from_dict(wire)


def test_a_batch_keeps_the_good_and_drops_the_malformed() -> None:
    batch = [Mic(True).to_dict(), {"type": "nonsense"}, Join("web", "h.example", 1.0, 2).to_dict()]
    assert events.from_dicts(batch) == [Mic(True), Join("web", "h.example", 1.0, 2)]


def test_what_the_layers_below_send_becomes_typed() -> None:
    # The resolver (netjail/resolver.py) sends questions in this shape.
    dns = events.from_dict({"type": "dns", "name": "zoom.us", "qtype": "A",
                            "verdict": "allowed", "rule": "matches *.zoom.us",
                            "answers": [{"ip": "203.0.113.5", "ttl": 30, "country": "US",
                                         "allowed": True, "rule": "ok"}], "time": 5.0})
    assert isinstance(dns, Dns) and dns.answers[0].ip == "203.0.113.5"
    # The screen grant's own event (devices/screen.py).
    screen = events.from_dict(started_event(ScreenGrant("mirror", 0x400001, "Slides")))
    assert screen == Screen(True, "mirror", 0x400001, "Slides") and screen.label == "Slides"
    assert Screen(True, "portal").label == "portal" and Screen(False, "mirror").label is None
    # The portal watch's raw news (devices/usage.py) has no time yet.
    assert events.from_dict({"type": "device", "device": "screen", "in_use": True}) == \
        DeviceUse("screen", True)
    # A joiner's datagram, as the owner's inbox cleans it (session/join.py).
    clean = join._clean(json.dumps({"service": "web", "host": "meet.example.org", "at": 2,
                                    "pid": 9}).encode())
    assert clean is not None and events.from_dict(clean) == Join("web", "meet.example.org",
                                                                 2.0, 9)


def test_a_connections_snapshot_is_the_reports_list() -> None:
    network = old_report("jailed")["network"]
    snapshot = events.from_dict({"type": "connections", **network})
    assert isinstance(snapshot, Connections)
    assert snapshot.rows() == network["connections"]
    assert snapshot.summary.blocked == network["summary"]["blocked"]
    # A session without a jail has neither list nor summary: an empty snapshot.
    assert events.from_dict({"type": "connections", "mode": "none"}) == Connections()
