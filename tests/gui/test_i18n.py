"""German through Qt's translation system (QTranslator + the shipped .qm)."""

from __future__ import annotations

from pathlib import Path

from conftest import close_app
from PySide6.QtCore import QLocale, Qt
from pytestqt.qtbot import QtBot

from sandbox_launcher.session.service import SessionService
from sandbox_launcher.ui.app import build

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
        assert view.table.item(row, 2).text() == "gelöscht"
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
