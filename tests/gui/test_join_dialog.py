"""A second meeting link in the app while a session of its profile runs: join it, or not.

Real app service, real bubblewrap sessions. The running session's client is the link
stand-in (tests/stand_in/link_client.py), which keeps what it saw in ~/Downloads, so the
test reads it back (``keep_downloads``) after the session: the joined link must have
reached the *same* session. A link for another host is refused, with the reason, and the
refusal's "Start a new session" starts one.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

import pytest
from conftest import close_app
from PySide6.QtCore import QLocale
from PySide6.QtWidgets import QMessageBox, QPushButton
from pytestqt.qtbot import QtBot

from sandbox_launcher.core.plan import RunOptions
from sandbox_launcher.session import store
from sandbox_launcher.session.lifecycle import State
from sandbox_launcher.session.service import SessionService
from sandbox_launcher.ui.app import App, build

WAIT_MS = 30_000
STAND_IN = Path(__file__).resolve().parents[1] / "stand_in" / "link_client.py"
MEETING = "https://meet.example.org/team-room"
SECOND = "https://meet.example.org/other-room?x=1&y=2"
OTHER_HOST = "https://meet.example.net/room"
#: The web-meeting profile without a window, sound or network (nothing leaves the machine).
OFFLINE_WEB_MEETING = ('[web]\nbrowser_args = ["--headless=new"]\n'
                       '[network]\nmode = "none"\n[devices]\ndisplay = "none"\n'
                       'speakers = false\n')


@pytest.fixture
def app(qtbot: QtBot, profiles_dir: Path, policy_file: Path) -> Iterator[App]:
    (profiles_dir / "web-meeting.toml").write_text(OFFLINE_WEB_MEETING, encoding="utf-8")
    service = SessionService(profiles_dir=profiles_dir, policy_path=policy_file)
    built = build(service, locale=QLocale(QLocale.Language.English))
    qtbot.addWidget(built.window)
    qtbot.waitUntil(lambda: built.window.profile_list.count() > 0, timeout=WAIT_MS)
    qtbot.waitUntil(lambda: not built.bridge.busy(), timeout=WAIT_MS)
    yield built
    close_app(built)


def _box(app: App, name: str) -> QMessageBox | None:
    shown = [b for b in app.window.findChildren(QMessageBox, name) if b.isVisible()]
    return shown[-1] if shown else None


def _button(box: QMessageBox, name: str) -> QPushButton:
    button = box.findChild(QPushButton, name)
    assert button is not None, [b.text() for b in box.buttons()]
    return button


def test_join_in_the_running_session_or_start_a_new_one(app: App, qtbot: QtBot,
                                                         tmp_path: Path) -> None:
    service = app.bridge.service
    kept = tmp_path / "kept"
    kept.mkdir()
    command = ("/usr/bin/python3", "-c", STAND_IN.read_text(), "--downloads")
    first = service.start("web-meeting", RunOptions(join_url=MEETING, command=command,
                                                    keep_downloads=str(kept)))
    app.window.sessions.add_session(first)
    qtbot.waitUntil(lambda: service.entry(first).state is State.RUNNING, timeout=WAIT_MS)

    # A second link of the same host: asked, and joining hands it to that session.
    box = app.window.links.open(SECOND)
    assert box is not None and box.objectName() == "linkSessionRunning"
    assert f"already running in session {first}" in box.text()
    assert sorted(b.text() for b in box.buttons()) == [
        "&Join in running session", "Cancel", "Start a &new session"]
    with qtbot.waitSignal(app.window.links.joined, timeout=WAIT_MS) as joined:
        _button(box, "joinRunningSession").click()
    assert joined.args[0].session_id == first and joined.args[0].host == "meet.example.org"
    # The first client notes each later start in ~/Downloads, a folder of the state dir.
    seen = store.state_dir(first) / "downloads" / "link-client.json"
    qtbot.waitUntil(lambda: seen.exists() and len(json.loads(seen.read_text())) == 2,
                    timeout=WAIT_MS)
    assert [e.id for e in service.entries()] == [first]  # nothing new was started

    # Another host: refused with the reason, and a new session offered.
    box = app.window.links.open(OTHER_HOST)
    assert box is not None
    with qtbot.waitSignal(app.window.links.join_refused, timeout=WAIT_MS) as refused:
        _button(box, "joinRunningSession").click()
    assert "meet.example.net is not allowed" in refused.args[0].summary
    qtbot.waitUntil(lambda: _box(app, "joinRefused") is not None, timeout=WAIT_MS)
    refusal = _box(app, "joinRefused")
    assert refusal is not None and "made for meet.example.org" in refusal.text()
    with qtbot.waitSignal(app.window.session_started, timeout=WAIT_MS) as started:
        _button(refusal, "startNewSession").click()
    second = str(started.args[0])
    assert second != first and service.entry(second).profile == "web-meeting"

    for session_id in (first, second):
        app.window.sessions.stop(session_id)
    for session_id in (first, second):
        qtbot.waitUntil(lambda s=session_id: service.entry(s).outcome is not None,
                        timeout=60_000)
    outcome = service.entry(first).outcome
    assert outcome is not None and outcome.wipe_verified
    assert [(j["service"], j["host"]) for j in outcome.report["joins"]["links"]] == [
        ("web", "meet.example.org")]
    records = json.loads((kept / "link-client.json").read_text())
    assert [r["role"] for r in records] == ["first", "joined"]
    assert records[0]["argv"][-1] == MEETING and records[1]["argv"][-1] == SECOND
    assert records[1]["ns"] == records[0]["ns"]  # the same session
    assert records[1]["status"] == records[0]["status"]  # confined the same way
    outcome = service.entry(second).outcome
    assert outcome is not None and outcome.wipe_verified
    assert outcome.report["joins"]["links"] == []
