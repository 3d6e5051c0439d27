"""The system policy in the app: every locked key is read-only with a lock that says the
administrator set it, the app's own launch path cannot get around a lock, and the
administrator's profiles appear while the user's hide when the policy says so."""

from __future__ import annotations

from pathlib import Path

import pytest
from conftest import WAIT_MS, close_app
from PySide6.QtCore import QLocale, Qt
from PySide6.QtWidgets import QComboBox, QMessageBox
from pytestqt.qtbot import QtBot

from sandbox_launcher.core.errors import PolicyRefused
from sandbox_launcher.core.plan import RunOptions
from sandbox_launcher.core.policy import load_policy
from sandbox_launcher.session.service import SessionService
from sandbox_launcher.ui.app import App, build

LOCKS = ('[lock]\nbackend = "namespace"\n[lock.network]\nmode = "none"\n'
         '[lock.sandbox]\nhome_size = "256M"\nenv = {}\n[devices]\nallow_host_x11 = false\n')


def _build(qtbot: QtBot, tmp_path: Path, profiles_dir: Path, policy: str,
           *, profiles: bool = True) -> App:
    (tmp_path / "etc").mkdir()
    (tmp_path / "etc" / "policy.toml").write_text(policy, encoding="utf-8")
    admin = tmp_path / "etc" / "profiles"
    admin.mkdir()
    (admin / "corp-meet.toml").write_text(
        'title = "Corporate meeting"\ncommand = ["/bin/sh", "-c", "sleep 1"]\n',
        encoding="utf-8")
    service = SessionService(profiles_dir=profiles_dir,
                             policy_path=tmp_path / "etc" / "policy.toml",
                             admin_profiles=admin, pending_dir=tmp_path / "pending")
    built = build(service, locale=QLocale(QLocale.Language.English))
    qtbot.addWidget(built.window)
    if profiles:
        qtbot.waitUntil(lambda: built.window.profile_list.count() > 0, timeout=WAIT_MS)
    else:
        qtbot.waitUntil(lambda: "policy" in built.window.statusBar().currentMessage(),
                        timeout=WAIT_MS)
    qtbot.waitUntil(lambda: not built.bridge.busy(), timeout=WAIT_MS)
    return built


def test_every_lock_is_shown_and_holds(qtbot: QtBot, tmp_path: Path,
                                       profiles_dir: Path) -> None:
    (profiles_dir / "sleeper.toml").write_text(
        'title = "Sleeper"\ncommand = ["/bin/sh", "-c", "sleep 120"]\nbackend = "vm"\n'
        '[network]\nmode = "allowlist"\n[sandbox]\nhome_size = "2G"\n'
        'env = { LEAK = "1" }\n', encoding="utf-8")
    app = _build(qtbot, tmp_path, profiles_dir, LOCKS)
    try:
        policy = load_policy(tmp_path / "etc" / "policy.toml")
        locked = set(policy.constraints)
        assert locked == {"backend", "network.mode", "sandbox.home_size", "sandbox.env",
                          "devices.display"}
        app.window.profile_list.select("sleeper")
        # The profile as the app shows it already has the administrator's values.
        sleeper = app.window.profiles["sleeper"]
        assert (sleeper["backend"], sleeper["network.mode"]) == ("namespace", "none")
        panel = app.window.launch_panel
        for option in ("backend", "network"):
            editor = panel.editors[option]
            assert not editor.widget.isEnabled() and not editor.lock.isHidden()
            assert "set by your administrator" in editor.lock.toolTip()
            assert "set by your administrator" in editor.widget.toolTip()
        assert panel.editors["command"].widget.isEnabled()  # not locked: editable
        editor = app.window.edit_profile()
        for key, field in editor.editors.items():
            if key in locked:
                assert not field.widget.isEnabled(), key
                assert "Fixed by the system policy" in field.lock.toolTip(), key
                assert "set by your administrator in" in field.lock.toolTip(), key
            elif key not in ("network.allow_countries", "network.deny_countries"):
                assert field.widget.isEnabled(), key
        assert editor.editors["backend"].text_value()[0] == "namespace"
        editor.reject()
        # A panel that was tampered with (the lock lifted in the widget) is still refused:
        # the lock is applied below the app, where the launch is planned.
        backend = panel.editors["backend"].widget
        assert isinstance(backend, QComboBox)
        backend.setEnabled(True)
        backend.setCurrentText("vm")
        assert panel.options().backend == "vm"
        with pytest.raises(PolicyRefused, match="set by your administrator"):
            app.bridge.service.start("sleeper", panel.options())
        qtbot.mouseClick(panel.launch_button, Qt.MouseButton.LeftButton)
        qtbot.waitUntil(lambda: app.window.findChild(QMessageBox, "errorBox") is not None,
                        timeout=WAIT_MS)
        box = app.window.findChild(QMessageBox, "errorBox")
        assert isinstance(box, QMessageBox) and "administrator" in box.text()
        box.close()
        assert app.bridge.service.entries() == []  # nothing was started
    finally:
        close_app(app)


def test_admin_profiles_appear_and_user_profiles_hide(qtbot: QtBot, tmp_path: Path,
                                                      profiles_dir: Path) -> None:
    app = _build(qtbot, tmp_path, profiles_dir, "[profiles]\nhide_user = true\n")
    try:
        names = set(app.window.profiles)
        assert "corp-meet" in names and app.window.profiles["corp-meet"].admin
        assert not names & {"sleeper", "quick"}  # the user's own files are not read
        assert "zoom" in names  # built-ins stay
    finally:
        close_app(app)


def test_a_broken_policy_locks_everything_and_lists_no_profile(
        qtbot: QtBot, tmp_path: Path, profiles_dir: Path) -> None:
    app = _build(qtbot, tmp_path, profiles_dir, "[lock]\nbackend = 7\n", profiles=False)
    try:
        assert app.window.profiles == {}
        assert "policy.toml:2 [lock.backend]" in app.window.statusBar().currentMessage()
        with pytest.raises(Exception, match=r"policy\.toml:2 \[lock\.backend\]"):
            app.bridge.service.start("sleeper", RunOptions())
    finally:
        close_app(app)
