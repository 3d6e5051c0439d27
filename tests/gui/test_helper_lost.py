"""A helper lost mid-session, as the app shows it: the selected session's details name
what the meeting lost, the status bar says it, the tray notifies, and the ended session's
summary keeps it (from the report). Events are fed through the app service's own
callback, as a session's thread sends them; real sessions that lose their helpers are in
tests/integration/test_helper_faults.py."""

from __future__ import annotations

import contextlib
import signal

import psutil
from conftest import WAIT_MS, confirm_stop
from pytestqt.qtbot import QtBot
from test_live_state import _session
from test_tray_mic import host_pulse  # noqa: F401 - a fixture of this module too

from sandbox_launcher.core.plan import RunOptions
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


def test_a_real_session_losing_its_microphone_forwarder(
        app: App, qtbot: QtBot, host_pulse: str) -> None:  # noqa: F811
    """The forwarder is SIGKILLed: the tray notifies, the details say it, the tray's
    switch shows the microphone off, and the report names the loss."""
    tray, service, view = app.tray, app.bridge.service, app.window.sessions
    shown: list[tuple[str, str]] = []
    tray.notified.connect(lambda title, text: shown.append((title, text)))
    sleeper = RunOptions(command=("/bin/sh", "-c", "exec sleep 300"), mic=True)
    with qtbot.waitSignal(app.window.session_started, timeout=WAIT_MS) as started:
        app.window.launch("sleeper", sleeper)
    session_id = str(started.args[0])
    qtbot.waitUntil(lambda: service.entry(session_id).mic_muted is False, timeout=WAIT_MS)

    def forwarder() -> list[psutil.Process]:
        found = []
        for proc in psutil.Process().children(recursive=True):
            with contextlib.suppress(psutil.Error):  # a short-lived one (pactl) went
                argv = proc.cmdline()
                if "--stream-name=microphone" in argv and "--record" in argv:
                    found.append(proc)
        return found

    qtbot.waitUntil(lambda: len(forwarder()) == 1, timeout=WAIT_MS)
    forwarder()[0].send_signal(signal.SIGKILL)
    qtbot.waitUntil(lambda: any(t == f"Session {session_id} lost a helper"
                                for t, _ in shown), timeout=WAIT_MS)
    qtbot.waitUntil(lambda: service.entry(session_id).mic_muted is True, timeout=WAIT_MS)
    assert service.entry(session_id).lost == [
        "the microphone's forwarder stopped: the microphone is off now; switch it on "
        "again to retry"]
    assert "Lost: the microphone's forwarder stopped" in view.summary.text()
    tray.rebuild()
    switch = tray.action(f"mic-{session_id}")
    assert switch is not None and not switch.isChecked()

    stop = tray.action(f"stop-{session_id}")
    assert stop is not None
    stop.trigger()
    confirm_stop(qtbot)
    qtbot.waitUntil(lambda: service.entry(session_id).outcome is not None, timeout=WAIT_MS)
    outcome = service.entry(session_id).outcome
    assert outcome is not None and outcome.wipe_verified
    [lost] = outcome.report["helpers_lost"]
    assert lost["grant"] == "microphone" and lost["status"] == "killed by SIGKILL"
    assert "Lost: the microphone's forwarder stopped" in view.summary.text()
