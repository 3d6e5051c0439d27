"""German through Qt's translation system (QTranslator + the shipped .qm)."""

from __future__ import annotations

from pathlib import Path

from conftest import close_app
from PySide6.QtCore import QLocale, Qt
from pytestqt.qtbot import QtBot

from sandbox_launcher.core.plan import RunOptions
from sandbox_launcher.session.lifecycle import State
from sandbox_launcher.session.service import SessionService
from sandbox_launcher.ui.app import build
from sandbox_launcher.ui.settings import UiSettings

WAIT_MS = 30_000


def test_german_ui_runs_a_session_and_says_so_in_german(
        qtbot: QtBot, service: SessionService, artifacts: Path) -> None:
    app = build(service, locale=QLocale(QLocale.Language.German, QLocale.Country.Germany))
    try:
        window = app.window
        qtbot.addWidget(window)
        qtbot.waitUntil(lambda: window.profile_list.count() > 0, timeout=WAIT_MS)
        assert next(t.language() for t in app.translators) == "de_DE"
        window.profile_list.select("quick")
        assert window.launch_panel.launch_button.text() == "&Starten"
        assert window.menuBar().actions()[0].text() == "&Profile"
        window.profile_list.select("quick")
        with qtbot.waitSignal(window.session_started, timeout=WAIT_MS) as started:
            qtbot.mouseClick(window.launch_panel.launch_button, Qt.MouseButton.LeftButton)
        view = window.sessions
        qtbot.waitUntil(lambda: view.summary.text().startswith("0 Hosts"), timeout=WAIT_MS)
        row = view._row_of(str(started.args[0]))
        # the summary comes with the report; the row follows the last state event, which
        # may still be on its way under load
        qtbot.waitUntil(lambda: view.table.item(row, 2).text() == "gelöscht",
                        timeout=WAIT_MS)
        assert view.summary.text() == ("0 Hosts in 0 Ländern kontaktiert, 0 blockiert; "
                                       "Löschung bestätigt.")
        window.profile_list.select("zoom")
        window.show()
        qtbot.wait(200)
        window.grab().save(str(artifacts / "window-de.png"))
        editor = window.edit_profile()
        qtbot.wait(200)
        editor.grab().save(str(artifacts / "editor-de.png"))
        editor.reject()
    finally:
        close_app(app)


def test_german_first_steps_and_questions(qtbot: QtBot, service: SessionService,
                                          ui_settings: UiSettings) -> None:
    """The welcome bar, the launch panel's link, the stop and quit questions in German."""
    app = build(service, locale=QLocale(QLocale.Language.German, QLocale.Country.Germany),
                settings=ui_settings)
    try:
        window = app.window
        qtbot.addWidget(window)
        qtbot.waitUntil(lambda: window.profile_list.count() > 0, timeout=WAIT_MS)
        assert window.welcome.join.text() == "&Beitreten"
        assert window.welcome.link.placeholderText().startswith("Besprechungslink aus")
        window.profile_list.select("web-meeting")
        panel = window.launch_panel
        assert panel.launch_button.toolTip().startswith("Fügen Sie zuerst den Besprechungs")
        assert panel.link.edit.placeholderText().endswith("(nötig)")
        window.profile_list.select("sleeper")
        with qtbot.waitSignal(window.session_started, timeout=WAIT_MS) as started:
            window.launch("sleeper", RunOptions())
        session_id = str(started.args[0])
        qtbot.waitUntil(lambda: service.entry(session_id).state is State.RUNNING,
                        timeout=WAIT_MS)
        stop = window.sessions.ask_stop(session_id)
        assert stop is not None and stop.windowTitle() == "Besprechung beenden"
        assert stop.text() == f"Sleeper ({session_id}) beenden und seine Sandbox löschen?"
        stop.reject()
        quit_box = window.quit()
        assert quit_box is not None and quit_box.text() == "1 Besprechung läuft."
        assert "Sie &beenden, löschen und schließen" in [b.text() for b in quit_box.buttons()]
        quit_box.reject()
        editor = window.edit_profile(new=True)
        assert [editor.tabs.tabText(i) for i in range(editor.tabs.count())] == [
            "Allgemein", "Netzwerk", "Geräte", "Erweitert"]
        assert editor.template.itemText(0) == "Leer (Voreinstellungen)"
        editor.reject()
        window.open_clients("zoom")
        dialog = window.clients_dialog
        assert dialog is not None and dialog.check.title().startswith("Paket prüfen mit")
        dialog.close()
    finally:
        close_app(app)
