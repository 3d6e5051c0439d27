"""The Profiles menu's "Keep a meeting ready" switch: the user turns spare sessions off
(and on) without editing app.ini; a system policy that forbids them disables it, saying why."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from conftest import WAIT_MS, close_app
from PySide6.QtCore import QLocale
from PySide6.QtGui import QAction
from pytestqt.qtbot import QtBot

from sandbox_launcher.session.service import SessionService
from sandbox_launcher.ui.app import build
from sandbox_launcher.ui.settings import UiSettings


def _switch(window: Any) -> QAction:
    action: QAction | None = window.findChild(QAction, "keepSpares")
    assert action is not None, "the Profiles menu has no spare-session switch"
    return action


def test_the_switch_turns_spares_off_and_on(qtbot: QtBot, app: Any) -> None:
    switch = _switch(app.window)
    assert switch.isEnabled() and switch.isChecked()  # on by default
    pool = app.bridge.service.spares
    switch.setChecked(False)
    assert app.window.settings.spares is False
    qtbot.waitUntil(lambda: pool.off_reason() == "turned off in the settings",
                    timeout=WAIT_MS)
    assert UiSettings(app.window.settings.path).spares is False  # saved
    switch.setChecked(True)
    qtbot.waitUntil(lambda: pool.enabled, timeout=WAIT_MS)
    assert app.window.settings.spares is True


def test_a_policy_that_forbids_spares_disables_the_switch(qtbot: QtBot, tmp_path: Path,
                                                          profiles_dir: Path) -> None:
    policy = tmp_path / "policy.toml"
    policy.write_text("[sessions]\nspares = false\n", encoding="utf-8")
    service = SessionService(profiles_dir=profiles_dir, policy_path=policy,
                             pending_dir=tmp_path / "pending")
    built = build(service, locale=QLocale(QLocale.Language.English),
                  settings=UiSettings(tmp_path / "app.ini"))
    qtbot.addWidget(built.window)
    try:
        switch = _switch(built.window)
        assert not switch.isEnabled() and not switch.isChecked()
        assert "system policy" in switch.toolTip()
        assert "spares = false" in switch.toolTip()
    finally:
        close_app(built)
