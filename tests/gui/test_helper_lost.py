"""A helper lost mid-session, as the app shows it: the selected session's details name
what the meeting lost, the status bar says it, the tray notifies, and the ended session's
summary keeps it (from the report). Events are fed through the app service's own
callback, as a session's thread sends them; real sessions that lose their helpers are in
tests/integration/test_helper_faults.py."""

from __future__ import annotations

from pytestqt.qtbot import QtBot
from test_live_state import _session

from sandbox_launcher.session.entries import Finished
from sandbox_launcher.session.events import HelperLost
from sandbox_launcher.session.helpers_watch import describe
from sandbox_launcher.session.lifecycle import Event, Outcome, State
from sandbox_launcher.ui.app import App


def test_a_lost_helper_is_shown_notified_and_kept_in_the_summary(app: App,
                                                                qtbot: QtBot) -> None:
    service, view, tray = app.bridge.service, app.window.sessions, app.tray
    shown: list[tuple[str, str]] = []
    tray.notified.connect(lambda title, text: shown.append((title, text)))
    _session(service, "sleeper-h1")
    assert view.selected_id() == "sleeper-h1"
    assert "Lost:" not in view.summary.text()
    lost = describe("network", at=3.0, helper="pasta")
    assert isinstance(lost, HelperLost)
    with qtbot.waitSignal(view.notice, timeout=5000) as said:
        service._on_event(Event("sleeper-h1", State.RUNNING, data=lost))
    sentence = ("the network helper (pasta) stopped: the meeting has no network now; "
                "nothing else is reachable")
    assert said.args == [f"sleeper-h1: {sentence}"]
    assert f"Lost: {sentence}" in view.summary.text()
    assert shown[-1] == ("Session sleeper-h1 lost a helper", sentence)
    assert app.window.statusBar().currentMessage() == f"sleeper-h1: {sentence}"

    entry = service.entry("sleeper-h1")
    service._on_event(Event("sleeper-h1", State.WIPED))
    entry.outcome = Outcome(0, {"wipe": {"verified": True},
                                "helpers_lost": [lost.to_dict()]})
    service._emit(Finished("sleeper-h1", entry.outcome, None))
    assert f"Lost: {sentence}." in view.summary.text()
    assert shown[-1][0] == "Session ended: sleeper-h1" and sentence in shown[-1][1]
