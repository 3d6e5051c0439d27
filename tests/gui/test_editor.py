"""The profile editor validates as you type and saves a profile the launcher then loads."""

from __future__ import annotations

import tomllib
from pathlib import Path

from conftest import WAIT_MS
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QComboBox, QLineEdit, QPushButton
from pytestqt.qtbot import QtBot

from sandbox_launcher.core.profile import load_profiles
from sandbox_launcher.ui.app import App
from sandbox_launcher.ui.profile_editor import ProfileEditor


def _line(editor: ProfileEditor, key: str) -> QLineEdit:
    widget = editor.editors[key].widget
    assert isinstance(widget, QLineEdit)
    return widget


def _retype(qtbot: QtBot, line: QLineEdit, text: str) -> None:
    line.selectAll()
    qtbot.keyClick(line, Qt.Key.Key_Delete)
    qtbot.keyClicks(line, text)


def test_editor_shows_the_reason_next_to_the_field_as_you_type(app: App, qtbot: QtBot) -> None:
    app.window.profile_list.select("zoom")
    editor = app.window.edit_profile()
    assert editor.save_button.isEnabled()
    assert [editor.tabs.tabText(i) for i in range(editor.tabs.count())] == [
        "General", "Network", "Devices", "Advanced"]
    editor.show_field("sandbox.home_size")
    home = _line(editor, "sandbox.home_size")
    _retype(qtbot, home, "lots")
    reason = editor.editors["sandbox.home_size"].reason
    assert reason.isVisible() and "is not a size such as 512M or 2G" in reason.text()
    assert not editor.save_button.isEnabled()
    assert editor.status.text() == "1 field(s) need attention"
    assert editor.tabs.tabText(3) == "Advanced ⚠"  # the section says where to look
    # the reason is where assistive technology finds it too
    assert "not a size" in home.accessibleDescription()
    _retype(qtbot, home, "3G")
    assert not reason.isVisible() and editor.save_button.isEnabled()
    domains = _line(editor, "network.domains")
    qtbot.keyClicks(domains, ", not a domain")
    assert "is not a domain pattern" in editor.editors["network.domains"].reason.text()
    _retype(qtbot, _line(editor, "sandbox.tmp_size"), "99G")
    assert editor.status.text() == "2 field(s) need attention"
    editor.reject()


def test_policy_locked_fields_are_read_only_with_a_lock(app: App) -> None:
    app.window.profile_list.select("zoom")
    editor = app.window.edit_profile()
    locked = editor.editors["network.deny_countries"]
    assert not locked.widget.isEnabled() and not locked.lock.isHidden()
    assert "KP" in locked.lock.toolTip()
    assert editor.editors["network.allow_countries"].widget.isEnabled()
    editor.reject()


def test_saving_writes_only_the_changes_and_the_profile_reloads(
        app: App, qtbot: QtBot, profiles_dir: Path) -> None:
    app.window.profile_list.select("zoom")
    editor = app.window.edit_profile()
    _retype(qtbot, _line(editor, "sandbox.home_size"), "3G")
    with qtbot.waitSignal(app.window.profiles_loaded, timeout=WAIT_MS):
        qtbot.mouseClick(editor.save_button, Qt.MouseButton.LeftButton)
    saved = profiles_dir / "zoom.toml"
    assert tomllib.loads(saved.read_text()) == {"sandbox": {"home_size": "3G"}}
    zoom = load_profiles(profiles_dir).get("zoom")
    assert zoom["sandbox.home_size"] == "3G"
    assert zoom["sandbox.nested_userns"] is True  # the built-in's other keys still apply
    assert app.window.profile_list.current_name() == "zoom"
    assert app.window.profiles["zoom"]["sandbox.home_size"] == "3G"


def test_a_new_profile_needs_a_valid_name_and_then_launches(
        app: App, qtbot: QtBot, profiles_dir: Path) -> None:
    editor = app.window.edit_profile(new=True)
    assert not editor.save_button.isEnabled() and editor.name_reason.isVisible()
    qtbot.keyClicks(editor.name_edit, "Bad Name")
    assert not editor.save_button.isEnabled()
    _retype(qtbot, editor.name_edit, "echoer")
    qtbot.keyClicks(_line(editor, "title"), "Echoer")
    qtbot.keyClicks(_line(editor, "command"), "/bin/echo hello")
    assert editor.save_button.isEnabled(), editor.problems()
    with qtbot.waitSignal(app.window.profiles_loaded, timeout=WAIT_MS):
        qtbot.mouseClick(editor.save_button, Qt.MouseButton.LeftButton)
    assert tomllib.loads((profiles_dir / "echoer.toml").read_text()) == {
        "title": "Echoer", "command": ["/bin/echo", "hello"]}
    assert app.window.launch_panel.profile is not None
    assert app.window.launch_panel.profile.name == "echoer"
    with qtbot.waitSignal(app.window.session_started, timeout=WAIT_MS) as started:
        qtbot.mouseClick(app.window.launch_panel.launch_button, Qt.MouseButton.LeftButton)
    session_id = str(started.args[0])
    qtbot.waitUntil(lambda: app.bridge.service.entry(session_id).outcome is not None,
                    timeout=WAIT_MS)
    outcome = app.bridge.service.entry(session_id).outcome
    assert outcome is not None and outcome.status == 0 and outcome.wipe_verified


def test_new_profile_from_a_template_with_a_client_chooser_then_delete_it(
        app: App, qtbot: QtBot) -> None:
    editor = app.window.edit_profile(new=True)
    chooser = editor.template
    assert chooser.itemText(0) == "Empty (defaults)"
    chooser.setCurrentIndex(chooser.findData("jitsi-web"))
    assert editor.name_edit.text() == "jitsi-web-mine"
    assert editor.values()["web.url"] == "https://meet.jit.si/"
    assert editor.values()["title"] == "Jitsi Meet (web) (mine)"
    client = editor.editors["client"].widget
    assert isinstance(client, QComboBox)  # a chooser, not free text
    assert {client.itemText(i) for i in range(client.count())} >= {"none", "browser", "zoom"}
    with qtbot.waitSignal(editor.saved, timeout=WAIT_MS):
        qtbot.mouseClick(editor.save_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: "jitsi-web-mine" in app.window.profiles, timeout=WAIT_MS)
    mine = app.window.edit_profile()
    assert mine.profile is not None and mine.profile.name == "jitsi-web-mine"
    assert mine.remove_button is not None and mine.remove_button.text() == "&Delete profile…"
    box = mine.ask_remove()
    with qtbot.waitSignal(mine.removed, timeout=WAIT_MS):
        box.findChild(QPushButton, "confirmRemoveProfile").click()
    qtbot.waitUntil(lambda: "jitsi-web-mine" not in app.window.profiles, timeout=WAIT_MS)


def test_a_changed_built_in_resets_to_its_built_in_values(app: App, qtbot: QtBot) -> None:
    app.window.profile_list.select("webex-web")
    editor = app.window.edit_profile()
    assert editor.remove_button is None  # as shipped: nothing of the user's to reset
    _retype(qtbot, _line(editor, "sandbox.home_size"), "3G")
    with qtbot.waitSignal(editor.saved, timeout=WAIT_MS):
        qtbot.mouseClick(editor.save_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: app.window.profiles["webex-web"]["sandbox.home_size"] == "3G",
                    timeout=WAIT_MS)
    changed = app.window.edit_profile()
    assert changed.remove_button is not None
    assert changed.remove_button.text() == "&Reset to built-in…"
    box = changed.ask_remove()
    assert "Your changes to it are deleted" in box.text()
    with qtbot.waitSignal(changed.removed, timeout=WAIT_MS):
        box.findChild(QPushButton, "confirmRemoveProfile").click()
    qtbot.waitUntil(lambda: app.window.profiles["webex-web"]["sandbox.home_size"] == "2G",
                    timeout=WAIT_MS)
