"""Live figures from network snapshots: traffic series, blocked bursts, tray state (no Qt)."""

from __future__ import annotations

from typing import Any

from sandbox_launcher.session.entries import SessionEntry
from sandbox_launcher.session.lifecycle import State
from sandbox_launcher.session.live import (
    BurstWatch,
    Indicator,
    LiveState,
    TrafficPoint,
    TrafficSeries,
    allowed_totals,
)


def _conn(ip: str, out: int = 0, inbound: int = 0, verdict: str = "allowed",
          port: int = 443) -> dict[str, Any]:
    return {"ip": ip, "protocol": "tcp", "port": port, "bytes_out": out, "bytes_in": inbound,
            "verdict": verdict}


def _full(conn: dict[str, Any]) -> dict[str, Any]:
    """A connection with every field the jail's snapshot has."""
    return {"name": None, "country": None, "packets_out": 1, "packets_in": 1, "rule": "",
            **conn}


def test_totals_count_only_allowed_connections() -> None:
    snapshot = [_conn("192.0.2.10", 100, 1000), _conn("198.51.100.7", 50, 60),
                _conn("203.0.113.9", 999, 999, verdict="blocked")]
    assert allowed_totals(snapshot) == (150, 1060)


def test_series_plots_deltas_between_snapshots() -> None:
    series = TrafficSeries()
    assert series.rates() == (0.0, 0.0)
    assert series.add([_conn("192.0.2.10", 100, 1000)]) == TrafficPoint(100, 1000)
    series.add([_conn("192.0.2.10", 300, 1500), _conn("192.0.2.11", 20, 0)])
    assert series.points == (TrafficPoint(100, 1000), TrafficPoint(220, 500))
    assert series.rates() == (110.0, 250.0)  # per second over a 2-s snapshot
    series.add([_conn("192.0.2.10", 300, 1500), _conn("192.0.2.11", 20, 0)])
    assert series.points[-1] == TrafficPoint(0, 0)


def test_series_is_never_negative_when_a_connection_leaves_the_snapshot() -> None:
    series = TrafficSeries()
    series.add([_conn("192.0.2.10", 500, 500), _conn("192.0.2.11", 400, 400)])
    assert series.add([_conn("192.0.2.10", 510, 520)]) == TrafficPoint(0, 0)
    # the baseline follows the smaller total, so the next delta is the real one
    assert series.add([_conn("192.0.2.10", 530, 600)]) == TrafficPoint(20, 80)
    assert all(p.bytes_out >= 0 and p.bytes_in >= 0 for p in series.points)


def test_a_snapshot_after_a_quiet_stretch_is_spread_over_the_points_it_covers() -> None:
    series = TrafficSeries()
    series.add([_conn("192.0.2.10", 100, 1000)], at=10.0)
    series.add([_conn("192.0.2.10", 100, 1000)], at=12.0)  # quiet: asked again at 2 s
    # Quiet, so the next look came 16 s later: 8 points of 2 s share what moved.
    last = series.add([_conn("192.0.2.10", 900, 9000)], at=28.0)
    assert last == TrafficPoint(100, 1000)
    assert series.points[-8:] == (TrafficPoint(100, 1000),) * 8
    assert len(series.points) == 10
    assert series.rates() == (50.0, 500.0)  # 800 B out over 16 s, not over 2 s


def test_series_keeps_only_the_newest_points() -> None:
    series = TrafficSeries(length=5)
    for n in range(1, 13):
        series.add([_conn("192.0.2.10", n * 10, n)])
    assert len(series.points) == 5
    assert series.points[-1] == TrafficPoint(10, 1)


def _blocked(count: int, first: int = 1) -> list[dict[str, Any]]:
    return [_conn(f"203.0.113.{n}", verdict="blocked") for n in range(first, first + count)]


def test_a_burst_of_newly_blocked_destinations_is_announced_once() -> None:
    watch = BurstWatch(minimum=5, quiet=60)
    assert watch.update("s1", _blocked(4), now=0) == 0  # below the threshold
    assert watch.update("s1", _blocked(4), now=2) == 0  # the same four are not new
    assert watch.update("s1", _blocked(10), now=4) == 6  # 5..10 are new: a burst
    assert watch.update("s1", _blocked(20), now=6) == 0  # quiet period: no second notice
    assert watch.update("s2", _blocked(5), now=6) == 5  # another session has its own
    assert watch.update("s1", _blocked(5, first=100), now=70) == 5  # later: a new burst
    watch.forget("s1")
    assert watch.update("s1", _blocked(5, first=100), now=71) == 5


def test_the_indicator_ranks_camera_over_mic_over_running() -> None:
    assert LiveState().indicator is Indicator.IDLE
    assert LiveState(sessions=2).indicator is Indicator.RUNNING
    assert LiveState(sessions=1, mic=True).indicator is Indicator.MIC
    assert LiveState(sessions=1, mic=True, camera=True).indicator is Indicator.CAMERA


def test_only_a_running_active_session_is_live() -> None:
    entry = SessionEntry("s1", "zoom", "Zoom", state=State.STARTING, camera="video0")
    assert not entry.live
    entry.state = State.RUNNING
    assert entry.live


def test_the_service_derives_live_state_and_traffic_from_events(tmp_path: Any) -> None:
    from sandbox_launcher.session.events import from_dict
    from sandbox_launcher.session.lifecycle import Event
    from sandbox_launcher.session.service import SessionService

    service = SessionService(profiles_dir=tmp_path)
    a = SessionEntry("a", "zoom", "Zoom", state=State.RUNNING)
    b = SessionEntry("b", "teams", "Teams", state=State.STARTING, camera="video0")
    service._entries.update(a=a, b=b)
    assert service.live_state() == LiveState(sessions=2)
    # On is not live: only on *and* recorded (the session's "device" event) is.
    service._on_event(Event("a", State.RUNNING, data=from_dict({"type": "mic", "muted": False})))
    assert service.live_state() == LiveState(sessions=2)
    service._on_event(Event("a", State.RUNNING, data=from_dict({
        "type": "device", "device": "microphone", "in_use": True, "at": 100.0})))
    assert service.live_state() == LiveState(sessions=2, mic=True)
    assert a.in_use == {"microphone": 100.0}
    # Granted is not live either: the camera counts once it is open, while running.
    service._on_event(Event("b", State.RUNNING))
    assert service.live_state().indicator is Indicator.MIC
    service._on_event(Event("b", State.RUNNING, data=from_dict({
        "type": "device", "device": "camera", "in_use": True, "at": 101.0})))
    assert service.live_state().indicator is Indicator.CAMERA
    service._on_event(Event("b", State.RUNNING, data=from_dict({
        "type": "device", "device": "camera", "in_use": False, "at": 105.0})))
    assert service.live_state() == LiveState(sessions=2, mic=True) and b.in_use == {}
    for out in (100, 250):
        service._on_event(Event("a", State.RUNNING, data=from_dict({
            "type": "connections", "connections": [_full(_conn("192.0.2.10", out, out * 2))],
            "summary": {}})))
    assert a.traffic.points == (TrafficPoint(100, 200), TrafficPoint(150, 300))
