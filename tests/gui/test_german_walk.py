"""Every window of the app in German, walked: no text a person sees is still one of the
app's English source strings (the catalogue says what each was translated to)."""

from __future__ import annotations

import xml.etree.ElementTree as ET
from collections.abc import Iterator
from pathlib import Path

import pytest
from conftest import WAIT_MS, close_app
from PySide6.QtCore import QLocale
from PySide6.QtWidgets import (
    QAbstractButton,
    QComboBox,
    QGroupBox,
    QLabel,
    QLineEdit,
    QTableWidget,
    QTabWidget,
    QWidget,
)
from pytestqt.qtbot import QtBot

from sandbox_launcher.core.plan import RunOptions
from sandbox_launcher.session.lifecycle import State
from sandbox_launcher.session.service import SessionService
from sandbox_launcher.ui.app import App, build
from sandbox_launcher.ui.settings import UiSettings

TS = Path(__file__).resolve().parents[2] / "sandbox_launcher" / "ui" / "i18n" / \
    "sandbox_launcher_de.ts"


def _english() -> set[str]:
    """The catalogue's English sources whose German differs (placeholders left out:
    a filled-in text cannot be compared)."""
    found, german = set(), set()
    for message in ET.parse(TS).getroot().iter("message"):
        source = message.findtext("source") or ""
        element = message.find("translation")
        translation = "".join(element.itertext()) if element is not None else ""
        german.add(_plain(translation))
        if source != translation and "{" not in source and "%" not in source:
            found.add(_plain(source))
    # A word that is German too in some place ("Client", "Status") proves nothing.
    return found - german


def _plain(text: str) -> str:
    """Without the mnemonic marks (&&: a literal &)."""
    return text.replace("&&", "\0").replace("&", "").replace("\0", "&").strip()


def _texts(widget: QWidget) -> Iterator[str]:
    """What a person reads on *widget* and everything in it."""
    for child in [widget, *widget.findChildren(QWidget)]:
        if not child.isVisible():
            continue
        if isinstance(child, (QLabel, QAbstractButton)):
            yield child.text()
        if isinstance(child, QLineEdit):
            yield child.placeholderText()
        if isinstance(child, QGroupBox):
            yield child.title()
        if isinstance(child, QComboBox):
            yield from (child.itemText(i) for i in range(child.count()))
        if isinstance(child, QTabWidget):
            yield from (child.tabText(i) for i in range(child.count()))
        if isinstance(child, QTableWidget):
            yield from (child.horizontalHeaderItem(i).text()
                        for i in range(child.columnCount()) if child.horizontalHeaderItem(i))
        yield child.toolTip()
        if child.isWindow():
            yield child.windowTitle()
    for action in widget.findChildren(QWidget):
        for act in action.actions():
            yield act.text()


def _english_in(widget: QWidget, english: set[str]) -> list[str]:
    shown = {_plain(t) for t in _texts(widget) if t}
    return sorted(shown & english)


@pytest.fixture
def german(qtbot: QtBot, service: SessionService, ui_settings: UiSettings) -> Iterator[App]:
    app = build(service, locale=QLocale(QLocale.Language.German, QLocale.Country.Germany),
                settings=ui_settings)
    qtbot.addWidget(app.window)
    qtbot.waitUntil(lambda: app.window.profile_list.count() > 0, timeout=WAIT_MS)
    qtbot.waitUntil(lambda: app.window.installed_clients is not None, timeout=WAIT_MS)
    yield app
    close_app(app)


def test_every_window_in_german_shows_no_english_source_string(
        german: App, qtbot: QtBot) -> None:
    english = _english()
    assert len(english) > 300  # the catalogue was read
    window = german.window
    window.show()
    seen: dict[str, list[str]] = {}
    for profile in ("zoom", "web-meeting", "generic"):
        window.profile_list.select(profile)
        seen[f"window ({profile})"] = _english_in(window, english)
    german.tray.rebuild()
    seen["tray menu"] = sorted({_plain(a.text()) for a in german.tray.menu.actions()}
                               & english)
    editor = window.edit_profile(new=True)
    for index in range(editor.tabs.count()):
        editor.tabs.setCurrentIndex(index)
        seen[f"editor tab {index}"] = _english_in(editor, english)
    editor.reject()
    dialog = window.open_clients("zoom")
    qtbot.waitUntil(lambda: dialog.table.rowCount() > 0, timeout=WAIT_MS)
    seen["clients"] = _english_in(dialog, english)
    dialog.close()
    with qtbot.waitSignal(window.session_started, timeout=WAIT_MS) as started:
        window.launch("sleeper", RunOptions())
    session_id = str(started.args[0])
    qtbot.waitUntil(lambda: german.bridge.service.entry(session_id).state is State.RUNNING,
                    timeout=WAIT_MS)
    seen["window (running)"] = _english_in(window, english)
    stop = window.sessions.ask_stop(session_id)
    assert stop is not None
    seen["stop question"] = _english_in(stop, english)
    stop.reject()
    quit_box = window.quit()
    assert quit_box is not None
    seen["quit question"] = _english_in(quit_box, english)
    quit_box.reject()
    left = {k: v for k, v in seen.items() if v}
    assert not left, "\n".join(f"{k}: {v}" for k, v in left.items())
