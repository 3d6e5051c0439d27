"""The main window, launch panel and sessions view against real bubblewrap sessions."""

from __future__ import annotations

import json
from pathlib import Path

from conftest import WAIT_MS, confirm_stop
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QApplication, QLabel, QMessageBox
from pytestqt.qtbot import QtBot

from sandbox_launcher.core import schema
from sandbox_launcher.session.lifecycle import State
from sandbox_launcher.ui.app import App


def _names(app: App) -> list[str]:
    lst = app.window.profile_list
    return [str(lst.item(i).data(Qt.ItemDataRole.UserRole)) for i in range(lst.count())]


def test_window_lists_profiles_as_cards_with_policy_lock(app: App) -> None:
    names = _names(app)
    assert {"zoom", "generic", "sleeper", "quick"} <= set(names)
    card = app.window.profile_list.itemWidget(app.window.profile_list.item(names.index("zoom")))
    joined = " ".join(label.text() for label in card.findChildren(QLabel))
    assert "Zoom" in joined and "Backend: namespace" in joined
    assert "published ranges of zoom" in joined  # the network summary
    assert "Fixed by the system policy: deny_countries KP" in joined  # the lock
    assert app.window.profile_list.accessibleName() == "Profiles"


def test_launch_panel_is_generated_from_the_schema(app: App, qtbot: QtBot) -> None:
    panel = app.window.launch_panel
    wanted = {f.launch_option for f in schema.FIELDS if f.launch_option}
    assert set(panel.editors) == wanted == {"backend", "network", "command"}
    app.window.profile_list.select("generic")
    command = panel.editors["command"]
    # generic has no command of its own: Launch waits for one, and says so on the button,
    # not as an error beside the field (nothing went wrong: the user did nothing yet)
    assert not panel.launch_button.isEnabled()
    assert panel.launch_button.toolTip() == "Name the command to run first."
    assert not command.reason.isVisible() and panel.form.isRowVisible(panel.rows["command"])
    assert not panel.form.isRowVisible(panel.link)  # no meeting link for a bare command
    qtbot.keyClicks(command.widget, "/bin/sh -c 'echo \"unclosed")
    assert "cannot split" in command.reason.text() and not panel.launch_button.isEnabled()
    command.widget.clear()  # type: ignore[attr-defined]
    qtbot.keyClicks(command.widget, "/bin/true")
    assert not command.reason.isVisible() and panel.launch_button.isEnabled()
    options = panel.options()
    assert options.command == ("/bin/true",) and options.network is None
    assert options.camera is None and options.shares == () and options.mic is None


def _launch_generic(app: App, qtbot: QtBot, command: str) -> str:
    app.window.profile_list.select("generic")
    qtbot.keyClicks(app.window.launch_panel.editors["command"].widget, command)
    with qtbot.waitSignal(app.window.session_started, timeout=WAIT_MS) as started:
        qtbot.mouseClick(app.window.launch_panel.launch_button, Qt.MouseButton.LeftButton)
    return str(started.args[0])


def test_real_session_runs_to_a_verified_wipe_and_the_summary_saves(
        app: App, qtbot: QtBot, tmp_path: Path, artifacts: Path) -> None:
    app.window.show()
    session_id = _launch_generic(app, qtbot, "/bin/sh -c 'sleep 2'")
    view = app.window.sessions
    seen: list[str] = []

    def state() -> str:
        row = view._row_of(session_id)
        text = view.table.item(row, 2).text()
        if not seen or seen[-1] != text:
            seen.append(text)
        return text

    qtbot.waitUntil(lambda: state() == "running", timeout=WAIT_MS)
    qtbot.waitUntil(lambda: state() == "wiped", timeout=WAIT_MS)
    assert "running" in seen and seen[-1] == "wiped"
    assert view.selected_id() == session_id
    # the report (and with it the summary) follows the last state change
    qtbot.waitUntil(lambda: view.summary.text().startswith("Contacted"), timeout=WAIT_MS)
    assert view.summary.text() == ("Contacted 0 hosts in 0 countries, blocked 0; "
                                   "wipe verified.")
    uptime = view.table.item(view._row_of(session_id), 3).text()
    assert uptime in ("0:00:02", "0:00:03"), uptime
    assert view.save_button.isEnabled() and not view.stop_button.isEnabled()
    artifacts.joinpath("window-finished-session.png").unlink(missing_ok=True)
    app.window.grab().save(str(artifacts / "window-finished-session.png"))
    target = tmp_path / "report.json"
    with qtbot.waitSignal(view.notice, timeout=WAIT_MS):
        view.save_report(session_id, target)
    report = json.loads(target.read_text())
    assert report["id"] == session_id and report["wipe"]["verified"] is True
    assert report["exit"]["status"] == 0


def test_stop_and_wipe_ends_a_running_session_with_live_usage(app: App, qtbot: QtBot) -> None:
    session_id = _launch_generic(app, qtbot, "/bin/sh -c 'sleep 120'")
    view = app.window.sessions
    row = view._row_of(session_id)
    qtbot.waitUntil(lambda: view.table.item(row, 2).text() == "running", timeout=WAIT_MS)
    # psutil figures of the session's own processes arrive every 2 s
    qtbot.waitUntil(lambda: view.table.item(row, 5).text().endswith("iB"), timeout=WAIT_MS)
    assert view.usage[session_id].processes >= 1
    assert view.usage[session_id].rss_bytes > 0
    qtbot.waitUntil(view.stop_button.isEnabled, timeout=WAIT_MS)
    qtbot.mouseClick(view.stop_button, Qt.MouseButton.LeftButton)
    confirm_stop(qtbot)
    qtbot.waitUntil(lambda: view.table.item(row, 2).text() == "wiped", timeout=WAIT_MS)
    # usage stops with the report, which follows the last state change
    qtbot.waitUntil(lambda: view.table.item(row, 5).text() == "-", timeout=WAIT_MS)
    entry = app.bridge.service.entry(session_id)
    assert entry.state is State.WIPED and entry.outcome is not None
    assert entry.outcome.report["stopped_by_user"] is True
    assert entry.outcome.report["wipe"]["verified"] is True


def test_a_refused_launch_shows_a_one_line_error_with_details(app: App, qtbot: QtBot,
                                                             policy_file: Path) -> None:
    app.window.profile_list.select("quick")
    panel = app.window.launch_panel
    combo = panel.editors["backend"].widget
    combo.setCurrentIndex(combo.findText("vm"))  # type: ignore[attr-defined]
    # The administrator locks the backend after the panel was filled: the launch is
    # refused where every front end plans, not by the panel.
    policy_file.write_text('[lock]\nbackend = "namespace"\n')
    qtbot.mouseClick(panel.launch_button, Qt.MouseButton.LeftButton)

    def box() -> QMessageBox | None:
        found = app.window.findChild(QMessageBox, "errorBox")
        return found if isinstance(found, QMessageBox) and found.isVisible() else None

    qtbot.waitUntil(lambda: box() is not None, timeout=WAIT_MS)
    shown = box()
    assert shown is not None
    assert shown.text().startswith("backend cannot be 'vm' for this launch")
    assert "\n" not in shown.text()
    assert "ask your administrator" in shown.informativeText()
    assert "PolicyRefused" in shown.detailedText()
    assert panel.launch_button.isEnabled()  # the panel is usable again
    shown.close()
    assert not app.bridge.service.entries()  # nothing was started
    QApplication.processEvents()
