"""*Profiles → Verify isolation…*: a real verification from the app, then its saved result.

The dialog calls the service (session/verify.py) on a worker thread; the probe runs in
the selected profile's real sandbox and on verify's own fake internet, as this (the
unprivileged) user. The table must show every escape blocked, and opening the dialog
again shows the saved result without running anything.
"""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import Qt
from pytestqt.qtbot import QtBot

from sandbox_launcher.ui.verify_dialog import VerifyDialog

WAIT_MS = 240_000  # two sessions and the fake internet, on a busy 2-core machine


def _dialog(app: Any) -> VerifyDialog:
    shown = [d for d in app.window.findChildren(VerifyDialog) if d.isVisible()]
    assert shown, "no Verify isolation dialog"
    return shown[-1]


def test_verify_isolation_from_the_profile_menu(app: Any, qtbot: QtBot) -> None:
    app.window.profile_list.select("generic")
    app.window.menus.verify_action.trigger()
    dialog = _dialog(app)
    assert dialog.profile == "generic"
    qtbot.mouseClick(dialog.verify_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: dialog.verify_button.isEnabled() and dialog.table.rowCount() > 0,
                    timeout=WAIT_MS)
    results = {dialog.table.item(r, 0).text(): dialog.table.item(r, 1).text()
               for r in range(dialog.table.rowCount())}
    assert dialog.summary.text().startswith("Passed"), (dialog.summary.text(), results)
    assert results["host X11 server, socket file"] == "blocked", results
    assert results["a host on your LAN"] == "blocked", results
    assert "ESCAPED" not in results.values() and "BROKEN" not in results.values()
    dialog.close()
    # Opened again: the saved result, at once, without a new run.
    app.window.menus.verify_action.trigger()
    again = _dialog(app)
    assert again.table.rowCount() == len(results)
    assert "(result of " in again.summary.text()
    again.close()
