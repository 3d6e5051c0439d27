"""A first run and meeting links as a person meets them: the welcome bar, profiles in the
order of use (Zoom first), the launch panel asking for what the profile needs, and each
link going to the most specific profile (a chooser when several fit equally)."""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QInputDialog, QLabel
from pytestqt.qtbot import QtBot

from sandbox_launcher.ui.app import App


def _cards(app: App) -> list[str]:
    plist = app.window.profile_list
    return [str(plist.item(row).data(Qt.ItemDataRole.UserRole)) for row in range(plist.count())]


def test_first_run_shows_what_to_do_and_no_error(app: App, qtbot: QtBot) -> None:
    window = app.window
    window.show()
    cards = _cards(app)
    assert cards[:3] == ["zoom", "teams-web", "webex-web"]  # by use: none yet, Zoom first
    assert cards.index("generic") < cards.index("quick")  # built-ins before the user's
    assert window.profile_list.current_name() == "zoom"
    assert window.welcome.isVisible() and window.welcome.link.isVisible()
    assert not window.welcome.join.isEnabled()  # nothing pasted yet
    # No error shown before the user did anything: no reason beside any field, no
    # refusal under the link, the status bar just ready.
    shown = [label.text() for label in window.findChildren(QLabel)
             if label.isVisible() and label.objectName().startswith(("reason-",
                                                                      "meetingLinkProblem"))
             and label.text()]
    assert shown == []
    assert window.statusBar().currentMessage() == "Ready."
    # The order follows use: a profile launched often comes first.
    for _ in range(3):
        window.settings.count_use("quick")
    window.reload_profiles()
    qtbot.waitUntil(lambda: _cards(app)[0] == "quick", timeout=10_000)
    app.tray.rebuild()
    launches = [a.objectName() for a in app.tray.menu.actions()
                if a.objectName().startswith("launch-")]
    assert launches[:2] == ["launch-quick", "launch-zoom"]


def test_a_web_profile_asks_for_its_meeting_link_checked_by_the_parser(
        app: App, qtbot: QtBot) -> None:
    panel = app.window.launch_panel
    app.window.profile_list.select("web-meeting")
    assert panel.form.isRowVisible(panel.link)
    assert not panel.form.isRowVisible(panel.rows["command"])  # no command for a browser
    assert not panel.launch_button.isEnabled()
    assert panel.launch_button.toolTip().startswith("Paste the meeting link first")
    assert not panel.link.message.isVisible()
    qtbot.keyClicks(panel.link.edit, "https://bad host/x")
    assert panel.link.message.isVisible() and not panel.launch_button.isEnabled()
    assert "not a meeting link this launcher accepts" in panel.link.message.text()
    panel.link.edit.clear()
    qtbot.keyClicks(panel.link.edit, "https://zoom.us/j/123456789")
    assert "cannot open it" in panel.link.message.text()  # a Zoom link is not for a browser
    panel.link.edit.clear()
    qtbot.keyClicks(panel.link.edit, "meet.example.org/room")  # no scheme: https
    assert not panel.link.message.isVisible() and panel.launch_button.isEnabled()
    assert panel.options().join_url == "https://meet.example.org/room"
    panel.launch_requested.disconnect(app.window.launch)  # what it asks, not a browser
    with qtbot.waitSignal(panel.launch_requested, timeout=5000) as asked:
        panel.launch_button.click()
    assert asked.args[0] == "web-meeting"
    assert asked.args[1].join_url == "https://meet.example.org/room"
    # Jitsi has its own start page: the link is optional there.
    app.window.profile_list.select("jitsi-web")
    assert panel.link.edit.text() == "meet.example.org/room"  # kept, and it fits Jitsi too
    panel.link.edit.clear()
    assert panel.launch_button.isEnabled() and panel.options().join_url is None
    app.window.profile_list.select("generic")
    assert not panel.form.isRowVisible(panel.link)


def _routed(app: App, qtbot: QtBot, text: str) -> Any:
    """What the welcome bar's Join does with *text* (the launch itself not started)."""
    window = app.window
    window.links.launch_requested.disconnect(window.launch)
    got: list[tuple[str, Any]] = []
    window.links.launch_requested.connect(lambda name, options: got.append((name, options)))
    window.welcome.link.setText(text)
    qtbot.mouseClick(window.welcome.join, Qt.MouseButton.LeftButton)
    return got


def test_a_jitsi_link_without_a_scheme_goes_to_the_jitsi_profile(
        app: App, qtbot: QtBot) -> None:
    got = _routed(app, qtbot, "meet.jit.si/MyRoom")
    assert [(name, options.join_url) for name, options in got] == [
        ("jitsi-web", "https://meet.jit.si/MyRoom")]


def test_a_link_several_profiles_fit_asks_which(app: App, qtbot: QtBot) -> None:
    got = _routed(app, qtbot, "https://bbb.example.org/rooms/abc/join")
    chooser = app.window.links.chooser
    assert isinstance(chooser, QInputDialog) and chooser.isVisible() and got == []
    items = chooser.comboBoxItems()
    assert items[0] == "Web meeting"  # the usual profile for an unknown host first
    assert set(items) == {"Web meeting", "BigBlueButton (web)", "Jitsi Meet (web)",
                          "Nextcloud Talk (web)"}
    chooser.setTextValue("BigBlueButton (web)")
    chooser.accept()
    assert [(name, options.join_url) for name, options in got] == [
        ("bigbluebutton-web", "https://bbb.example.org/rooms/abc/join")]


def test_an_empty_plot_does_not_contradict_the_connection_list(qtbot: QtBot) -> None:
    from sandbox_launcher.session.live import TrafficPoint
    from sandbox_launcher.ui.traffic_plot import TrafficPlot

    plot = TrafficPlot()
    qtbot.addWidget(plot)
    assert plot.empty_text() == "No network traffic yet"
    plot.set_series((TrafficPoint(0, 0),), listed_bytes=3072)  # the list counts 3 KiB
    assert plot.empty_text() == ("No allowed traffic in the last minutes; the list below "
                                 "counts every connection since the start (3.0 KiB)")


def test_reloading_the_profiles_keeps_the_command_typed_for_this_launch(
        app: App, qtbot: QtBot) -> None:
    """Saving in the editor reloads the profiles; what was typed for the launch stays."""
    panel = app.window.launch_panel
    app.window.profile_list.select("generic")
    qtbot.keyClicks(panel.editors["command"].widget, "/bin/true")
    app.window.reload_profiles(select="generic")
    qtbot.waitUntil(lambda: not app.bridge.busy(), timeout=10_000)
    assert panel.editors["command"].text_value()[0] == ["/bin/true"]
    assert panel.launch_button.isEnabled()
    app.window.profile_list.select("zoom")  # another profile: its own values
    app.window.profile_list.select("generic")
    assert panel.editors["command"].text_value()[0] == []


def test_the_end_summary_says_which_server_did_not_answer_and_the_exit_status(
        app: App) -> None:
    from sandbox_launcher.session.events import Dns
    from sandbox_launcher.session.lifecycle import Event, State
    from sandbox_launcher.ui.session_texts import summary_text

    report = {"network": {"summary": {"hosts_contacted": 0, "countries": [], "blocked": 1},
                          "dns": [{"name": "meet.jit.si", "verdict": "unanswered"},
                                  {"name": "meet.jit.si", "verdict": "unanswered"},
                                  {"name": "tracker.example", "verdict": "refused"}]},
              "wipe": {"verified": True}, "exit": {"status": 1}}
    assert summary_text(report) == (
        "Contacted 0 hosts in 0 countries, blocked 1; wipe verified. meet.jit.si did not "
        "answer — no network? Names outside the allowlist refused: 1. The client ended "
        "with status 1.")
    stopped = {**report, "stopped_by_user": True, "exit": {"status": 143}}
    assert not summary_text(stopped).endswith("status 143.")  # the user's own Stop
    calm = {"network": {"summary": {}, "dns": []}, "wipe": {"verified": True},
            "exit": {"status": 0}}
    assert summary_text(calm) == "Contacted 0 hosts in 0 countries, blocked 0; wipe verified."
    # while it runs: the status bar says it at once
    app.window._on_live_trouble(Event("web-1", State.RUNNING, data=Dns(
        "meet.jit.si.", "A", "unanswered", "no answer from the upstream")))
    assert app.window.statusBar().currentMessage() == (
        "web-1: meet.jit.si did not answer — no network?")
