"""A quiet session's traffic is asked less often (issue 17: what a session costs idle).

The jail's holder answers each snapshot from the firewall; a session whose counters do
not move is asked every 2, 4, 8, 16 s, and again every 2 s as soon as a counter moves or
the client asks a name (the first thing a new connection does). Device use is polled at
every snapshot whatever the traffic does (a camera in use is never announced late).
"""

from __future__ import annotations

from pathlib import Path
from typing import Any, cast

import pytest
from support.fake_sandbox import FakeResources

from sandbox_launcher.core.plan import RunOptions
from sandbox_launcher.core.profile import load_profiles
from sandbox_launcher.session import live_news
from sandbox_launcher.session.live_news import QUIET_MAX_S, LiveNews
from sandbox_launcher.session.planning import make_plan
from sandbox_launcher.session.states import Event, State

ROW = {"name": "zoom.us", "ip": "198.51.100.10", "port": 443, "protocol": "tcp",
       "country": None, "packets_out": 1, "bytes_out": 100, "packets_in": 1,
       "bytes_in": 100, "verdict": "allowed", "rule": "zoom.us"}


class Counters(FakeResources):
    """A jail whose counters the test moves; counts how often it is asked."""

    def __init__(self) -> None:
        super().__init__()
        self.asked = 0
        self.rows = [dict(ROW)]

    def network_snapshot(self) -> dict[str, Any]:
        self.asked += 1
        return {"connections": [dict(r) for r in self.rows]}


def test_quiet_traffic_is_asked_less_often_and_news_brings_it_back(
        monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    clock = [100.0]
    monkeypatch.setattr(live_news.time, "monotonic", lambda: clock[0])
    sent: list[Event] = []
    plan = make_plan(load_profiles(tmp_path).get("zoom"), RunOptions(command=("c",)), {})
    news = LiveNews("s1", plan, sent.append, lambda: State.RUNNING)
    jail = Counters()
    gaps = []
    for _ in range(7):  # the session's loop: wake when due, snapshot, sleep till the next
        due = news.snapshot(jail, True, 2.0)
        gaps.append(round(due - clock[0], 1))
        clock[0] = due
    assert gaps == [2.0, 3.8, 7.8, 15.8, 15.8, 15.8, 15.8]  # the first: it moved from ()
    assert jail.asked == 7 and max(gaps) <= QUIET_MAX_S
    jail.rows[0]["bytes_in"] += 1200  # a counter moved: every 2 s again
    assert news.snapshot(jail, True, 2.0) - clock[0] == 2.0
    # Quiet again, then the client asks a name: the next snapshot within 2 s.
    for _ in range(3):
        clock[0] = news.snapshot(jail, True, 2.0)
    due = news.network_news(jail, clock[0] + 16.0, 2.0)
    assert due == clock[0] + 2.0
    asked = jail.asked
    clock[0] = due
    assert news.snapshot(jail, True, 2.0) - clock[0] == pytest.approx(3.8)
    assert jail.asked == asked + 1


class PolledDevices:
    """Stands for a DeviceWatch with a camera or microphone to poll."""

    polled = True

    def __init__(self) -> None:
        self.polls = 0

    def poll(self) -> None:
        self.polls += 1


def test_device_use_is_polled_every_time_while_the_traffic_backs_off(
        monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    clock = [100.0]
    monkeypatch.setattr(live_news.time, "monotonic", lambda: clock[0])
    plan = make_plan(load_profiles(tmp_path).get("zoom"), RunOptions(command=("c",)), {})
    news = LiveNews("s1", plan, lambda _event: None, lambda: State.RUNNING)
    devices = PolledDevices()
    news.devices = cast(Any, devices)
    jail = Counters()
    for _ in range(12):
        due = news.snapshot(jail, True, 2.0)
        assert due - clock[0] == 2.0  # the loop wakes every 2 s for the devices
        clock[0] = due
    assert devices.polls == 12
    assert jail.asked == 4  # at 0, 2, 6 and 14 s: the traffic backed off meanwhile
