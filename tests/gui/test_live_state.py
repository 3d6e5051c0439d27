"""The traffic plot, the tray's state icon and the blocked-burst notification, fed with
events through the app service's own callback (as a session's thread would send them).
Real sessions drive the same icon in test_camera_use.py and test_tray_mic.py."""

from __future__ import annotations

from typing import Any

from pytestqt.qtbot import QtBot

from sandbox_launcher.session.entries import Finished, SessionEntry
from sandbox_launcher.session.events import Connections, DeviceUse, Mic
from sandbox_launcher.session.lifecycle import Event, Outcome, State
from sandbox_launcher.session.live import Indicator, TrafficPoint
from sandbox_launcher.session.report_network import Connection
from sandbox_launcher.session.service import SessionService
from sandbox_launcher.ui.app import App
from sandbox_launcher.ui.icons import CAMERA_LIVE, IDLE, MIC_LIVE, RUNNING


def _session(service: SessionService, session_id: str, camera: str | None = None) -> None:
    """A session as the service records it (no sandbox behind it), then running."""
    service._entries[session_id] = SessionEntry(session_id, "sleeper", "Sleeper",
                                                camera=camera)
    for state in (State.PREPARING, State.STARTING, State.RUNNING):
        service._on_event(Event(session_id, state))


def _use(service: SessionService, session_id: str, device: str, in_use: bool) -> None:
    """A device started or stopped being in use, as the session announces it."""
    service._on_event(Event(session_id, State.RUNNING, data=DeviceUse(device, in_use, 1000.0)))


def _end(service: SessionService, session_id: str) -> None:
    entry = service.entry(session_id)
    service._on_event(Event(session_id, State.WIPED))
    entry.outcome = Outcome(0, {"wipe": {"verified": True}})
    service._emit(Finished(session_id, entry.outcome, None))


def _snapshot(service: SessionService, session_id: str,
              connections: list[dict[str, Any]]) -> None:
    service._on_event(Event(session_id, State.RUNNING, data=Connections(tuple(
        Connection.from_dict({"packets_out": 1, "packets_in": 1, **c}) for c in connections))))


def _conn(ip: str, out: int, inbound: int, verdict: str = "allowed") -> dict[str, Any]:
    return {"name": None, "ip": ip, "protocol": "tcp", "port": 443, "bytes_out": out,
            "bytes_in": inbound, "verdict": verdict, "country": None, "rule": ""}


def _colour_pixels(app: App, colour: Any) -> int:
    image = app.tray.icon.icon().pixmap(32, 32).toImage()
    want = colour.getRgb()[:3]
    return sum(image.pixelColor(x, y).getRgb()[:3] == want
               for x in range(32) for y in range(32))


def test_the_traffic_plot_follows_the_snapshots(app: App, qtbot: QtBot) -> None:
    service = app.bridge.service
    _session(service, "sleeper-t1")
    view = app.window.sessions
    assert view.selected_id() == "sleeper-t1"
    plot = view.traffic
    assert plot.accessibleName() == "Network traffic of the selected session"
    assert plot.series == ()
    _snapshot(service, "sleeper-t1", [_conn("192.0.2.10", 2048, 8192),
                                      _conn("203.0.113.5", 999, 0, verdict="blocked")])
    _snapshot(service, "sleeper-t1", [_conn("192.0.2.10", 3072, 8192)])
    assert plot.series == (TrafficPoint(2048, 8192), TrafficPoint(1024, 0))
    assert plot.toolTip() == "Sending 512 B/s, receiving 0 B/s"
    app.window.show()
    qtbot.waitExposed(app.window)
    assert not plot.grab().isNull() and plot.isVisible()
    _end(service, "sleeper-t1")


def test_the_tray_icon_shows_idle_running_mic_and_camera(app: App) -> None:
    service, tray = app.bridge.service, app.tray
    assert tray.indicator is Indicator.IDLE and _colour_pixels(app, IDLE) >= 100
    assert tray.icon.toolTip() == "Sandbox Launcher: no session running"
    _session(service, "sleeper-m1")
    assert tray.indicator is Indicator.RUNNING and _colour_pixels(app, RUNNING) >= 100
    assert tray.icon.toolTip() == "Sandbox Launcher: 1 session(s) running"
    service._on_event(Event("sleeper-m1", State.RUNNING, data=Mic(False)))
    assert tray.indicator is Indicator.RUNNING  # on, but nothing records it yet
    _use(service, "sleeper-m1", "microphone", True)
    assert tray.indicator is Indicator.MIC and _colour_pixels(app, MIC_LIVE) >= 100
    assert tray.icon.toolTip() == "Sandbox Launcher: microphone live, 1 session(s) running"
    _session(service, "sleeper-c1", camera="video0")
    assert tray.indicator is Indicator.MIC  # granted, not open
    _use(service, "sleeper-c1", "camera", True)
    assert tray.indicator is Indicator.CAMERA and _colour_pixels(app, CAMERA_LIVE) >= 100
    assert tray.icon.toolTip() == ("Sandbox Launcher: camera and microphone live, "
                                   "2 session(s) running")
    _end(service, "sleeper-c1")
    assert tray.indicator is Indicator.MIC
    service._on_event(Event("sleeper-m1", State.RUNNING, data=Mic(True)))
    _use(service, "sleeper-m1", "microphone", False)  # muting ends the use at once
    assert tray.indicator is Indicator.RUNNING
    _end(service, "sleeper-m1")
    assert tray.indicator is Indicator.IDLE and _colour_pixels(app, IDLE) >= 100
    assert tray.icon.toolTip() == "Sandbox Launcher: no session running"


def test_a_burst_of_blocked_connections_notifies_once(app: App) -> None:
    service, tray = app.bridge.service, app.tray
    now = [1000.0]
    tray.clock = lambda: now[0]
    shown: list[tuple[str, str]] = []
    tray.notified.connect(lambda title, text: shown.append((title, text)))
    _session(service, "sleeper-b1")
    assert [t for t, _ in shown] == ["Session started"]

    def blocked(first: int, count: int) -> list[dict[str, Any]]:
        return [_conn(f"203.0.113.{n}", 60, 0, verdict="blocked")
                for n in range(first, first + count)]

    _snapshot(service, "sleeper-b1", blocked(1, 4))  # four: not a burst
    _snapshot(service, "sleeper-b1", blocked(1, 9))  # five new ones: a burst
    now[0] += 2
    _snapshot(service, "sleeper-b1", blocked(1, 20))  # more, but within the quiet time
    bursts = [(t, x) for t, x in shown if t.startswith("Connections blocked")]
    assert bursts == [("Connections blocked: sleeper-b1",
                       "The sandbox blocked 5 new destination(s) in the last seconds. "
                       "The session's connection list names them.")]
    now[0] += 120
    _snapshot(service, "sleeper-b1", blocked(1, 20))  # nothing new: silence
    _snapshot(service, "sleeper-b1", blocked(100, 6))  # a new burst, after the quiet time
    assert len([t for t, _ in shown if t.startswith("Connections blocked")]) == 2
    _end(service, "sleeper-b1")
    assert shown[-1][0] == "Session ended: sleeper-b1"


def test_the_details_say_when_the_cameras_use_is_assumed_not_seen(app: App) -> None:
    """A process that hides its open files (not dumpable) makes the launcher count the
    camera as in use; the details say so rather than claim it was seen."""
    service, view = app.bridge.service, app.window.sessions
    _session(service, "sleeper-a1", camera="video0")
    service._on_event(Event("sleeper-a1", State.RUNNING, data=DeviceUse(
        "camera", True, 1000.0,
        "1 process(es) of the session hide their open files (not dumpable)")))
    assert view.selected_id() == "sleeper-a1"
    assert "camera video0: granted, counted as in use since" in view.summary.text()
    assert "hides its open files" in view.summary.text()
    _use(service, "sleeper-a1", "camera", False)
    assert "camera video0: granted, not in use" in view.summary.text()
    _use(service, "sleeper-a1", "camera", True)  # seen this time
    assert "camera video0: granted, in use since" in view.summary.text()
    _end(service, "sleeper-a1")
