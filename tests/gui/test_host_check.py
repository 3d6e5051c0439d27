"""*Help → Check this computer…*: the host's checks in the app, and errors that point there.

The dialog runs the real checks (``sandbox-launcher doctor``'s, :func:`run_checks`) on a
worker thread as this unprivileged user: its rows and verdict must be the command line's.
Error boxes say what to do in the app; the command stays in the details.
"""

from __future__ import annotations

from typing import Any

from PySide6.QtWidgets import QMessageBox
from pytestqt.qtbot import QtBot

from sandbox_launcher.cli.doctor import is_ready
from sandbox_launcher.core.check import Check
from sandbox_launcher.core.errors import SessionError
from sandbox_launcher.host.doctor import run_checks
from sandbox_launcher.ui.errors import person_hint, show_error
from sandbox_launcher.ui.host_check import HostCheckDialog

WAIT_MS = 120_000  # the checks start test sandboxes, on a busy 2-core machine


def _dialog(app: Any) -> HostCheckDialog:
    shown = [d for d in app.window.findChildren(HostCheckDialog) if d.isVisible()]
    assert shown, "no Check this computer dialog"
    return shown[-1]


def test_check_this_computer_shows_the_doctors_checks(app: Any, qtbot: QtBot) -> None:
    action = app.window.findChild(type(app.window.menus.quit_action), "checkComputer")
    assert action is not None, "no Help > Check this computer…"
    action.trigger()
    dialog = _dialog(app)
    qtbot.waitUntil(dialog.again_button.isEnabled, timeout=WAIT_MS)
    expected = run_checks()  # the command line's view of this machine, now
    rows = {dialog.table.item(r, 1).text(): dialog.table.item(r, 0).text()
            for r in range(dialog.table.rowCount())}
    words = {"ok": "works", "warn": "limited", "fail": "PROBLEM"}
    # The same checks (a few probe live state, so compare names and the ready verdict).
    assert set(rows) == {c.name for c in expected}, rows
    assert rows["bubblewrap"] == words["ok"]  # the sandbox runs here: CI proves it daily
    ready = is_ready(expected)
    assert dialog.summary.text().startswith(
        "Meetings can run" if ready else "Meetings cannot run") or (
        ready and dialog.summary.text().startswith("Everything works")), dialog.summary.text()
    # Worst first, and a limited row explains itself.
    order = [dialog.table.item(r, 0).text() for r in range(dialog.table.rowCount())]
    assert order == sorted(order, key=["PROBLEM", "limited", "works"].index)
    limited = [r for r, word in enumerate(order) if word != "works"]
    if limited:
        dialog.table.selectRow(limited[0])
        text = dialog.explanation.text()
        assert "What to do" in text and dialog.checks[limited[0]].name in text, text
    dialog.close()


def test_explanations_mark_commands_for_the_administrator(qtbot: QtBot) -> None:
    calls: list[Any] = []
    dialog = HostCheckDialog(lambda fn, done, failed: calls.append((fn, done, failed)))
    qtbot.addWidget(dialog)
    assert not dialog.again_button.isEnabled() and "Checking" in dialog.summary.text()
    _fn, done, _failed = calls[0]
    checks = [Check("pasta", True, "found at /usr/bin/pasta"),
              Check.of_status("kvm", "warn", "KVM guests hang", "nothing to do: <slower>",
                              "", "vm backend"),
              Check.of_status("bubblewrap", "fail", "not installed",
                              "sudo apt-get install bubblewrap", "", "namespace sandbox")]
    done(checks)
    assert [dialog.table.item(r, 1).text() for r in range(3)] == ["bubblewrap", "kvm", "pasta"]
    assert dialog.summary.text().startswith("Meetings cannot run")
    assert "for whoever looks after this computer" in dialog.explanation.text()
    assert "namespace sandbox cannot work" in dialog.explanation.text()
    dialog.table.selectRow(1)
    assert "What to do:" in dialog.explanation.text()
    assert "&lt;slower&gt;" in dialog.explanation.text()  # shown as text, not markup
    assert "looks after" not in dialog.explanation.text()
    done(checks[:1])
    assert dialog.summary.text().startswith("Everything works")


def test_error_hints_say_what_to_do_in_the_app(qtbot: QtBot) -> None:
    assert "Check this computer" in person_hint(
        "check /dev/net/tun (or run 'sandbox-launcher doctor')")
    assert "sandbox-launcher" not in person_hint(
        "run 'sandbox-launcher doctor'; the client was not started")
    assert "start it again" in person_hint(
        "wipe it with 'sandbox-launcher wipe --stale', then open the link in a new session")
    assert person_hint("rebuild the image: sandbox-launcher image build") == (
        "open Clients > Guest images… and build it again")
    assert person_hint("see 'sandbox-launcher vault status' for the profiles").startswith(
        "this needs a step the app cannot take")
    assert person_hint("sudo apt-get install gpgv").startswith(
        "for whoever looks after this computer: sudo apt-get install gpgv")
    assert person_hint("close the other meeting first") == "close the other meeting first"
    box = show_error(None, SessionError("the network jail could not start",
                                        "run 'sandbox-launcher doctor'"))
    qtbot.addWidget(box)
    assert "sandbox-launcher" not in box.informativeText()
    assert "On the command line: run 'sandbox-launcher doctor'" in box.detailedText()
    assert isinstance(box, QMessageBox)
    box.close()
