"""At the end of a session the app asks what to do with its downloads: Keep…, Discard, or
decide later (nothing is lost), and files left by an earlier run are offered again.

Real bubblewrap sessions: the client is a shell that saves files into its Downloads
folder (one with spaces, umlauts and a leading dash), plus a symlink to a host secret and
a FIFO, which are never held, and ends.
"""

from __future__ import annotations

import json
import os
import shlex
from pathlib import Path

import pytest
from conftest import WAIT_MS, close_app
from PySide6.QtCore import QLocale, Qt
from PySide6.QtWidgets import QMessageBox, QPushButton
from pytestqt.qtbot import QtBot

from sandbox_launcher.core import paths
from sandbox_launcher.core.devices import DOWNLOADS_INSIDE
from sandbox_launcher.core.plan import RunOptions
from sandbox_launcher.session.service import SessionService
from sandbox_launcher.ui.app import App, build
from sandbox_launcher.ui.downloads import PendingDownloads
from sandbox_launcher.ui.downloads_question import DownloadsQuestion

AWKWARD = "-Bericht März 2024 (final).txt"
FIRST = "first file\n"
SECOND = "second file, a bit longer\n"
SAVE = (f"cd {DOWNLOADS_INSIDE} && printf %s {shlex.quote(FIRST)} > ./{shlex.quote(AWKWARD)}"
        f" && printf %s {shlex.quote(SECOND)} > notes.txt"
        " && ln -s /etc/passwd passwd-link && mkfifo pipe")


@pytest.fixture
def profiles_dir(profiles_dir: Path) -> Path:
    """The test profiles, and one whose client saves downloads and ends."""
    command = json.dumps(["/bin/sh", "-c", SAVE], ensure_ascii=False)
    (profiles_dir / "downloader.toml").write_text(
        'title = "Downloader"\ndescription = "Saves two files, a link and a pipe."\n'
        f"command = {command}\n"
        '[devices]\ndisplay = "none"\nspeakers = false\n', encoding="utf-8")
    return profiles_dir


def _run(app: App, qtbot: QtBot) -> str:
    with qtbot.waitSignal(app.window.session_started, timeout=WAIT_MS) as started:
        app.window.launch("downloader", RunOptions())
    return str(started.args[0])


def _downloads(app: App) -> PendingDownloads:
    return app.window.sessions.downloads


def _question(app: App, qtbot: QtBot, session_id: str) -> DownloadsQuestion:
    questions = _downloads(app).questions
    qtbot.waitUntil(lambda: session_id in questions and questions[session_id].isVisible(),
                    timeout=WAIT_MS)
    return questions[session_id]


def _choose(app: App, qtbot: QtBot, button: QPushButton, folder: Path) -> None:
    """Click a Keep… button and pick *folder* in the (non-blocking) folder dialog."""
    qtbot.mouseClick(button, Qt.MouseButton.LeftButton)
    chooser = _downloads(app).chooser
    assert chooser is not None
    qtbot.waitUntil(chooser.isVisible, timeout=WAIT_MS)
    chooser.selectFile(str(folder))
    chooser.accept()


def _downloads_report(app: App, session_id: str) -> tuple[dict[str, object], dict[str, object]]:
    """The app's copy of the report's downloads, and the stored report's."""
    outcome = app.bridge.service.entry(session_id).outcome
    assert outcome is not None
    stored = json.loads((paths.reports_dir() / f"{session_id}.json").read_text())
    return outcome.report["devices"]["downloads"], stored["devices"]["downloads"]


def test_the_app_asks_and_keeps_the_files_next_to_older_ones(
        app: App, qtbot: QtBot, tmp_path: Path, pending_dir: Path, artifacts: Path) -> None:
    session_id = _run(app, qtbot)
    question = _question(app, qtbot, session_id)
    table = question.table
    assert [table.item(r, 0).text() for r in range(table.rowCount())] == [AWKWARD,
                                                                          "notes.txt"]
    assert [table.item(r, 1).text() for r in range(table.rowCount())] == ["11 B", "26 B"]
    assert "2 files (37 B)" in question.intro.text()
    assert question.origin.text().startswith(f"Session {session_id} (downloader), ended ")
    assert question.skipped.isVisible()
    assert "2 items that were not regular files" in question.skipped.text()
    assert "passwd-link, pipe" in question.skipped.text()
    held = pending_dir / session_id
    assert sorted(p.name for p in held.iterdir()) == [AWKWARD, "notes.txt"]
    assert (held / AWKWARD).read_text() == FIRST
    outcome = app.bridge.service.entry(session_id).outcome
    assert outcome is not None and outcome.wipe_verified  # held outside: the wipe holds
    qtbot.wait(300)
    artifacts.joinpath("downloads-question.png").unlink(missing_ok=True)
    question.grab().save(str(artifacts / "downloads-question.png"))

    target = tmp_path / "Kept"
    target.mkdir()
    (target / "notes.txt").write_text("older notes\n")  # a name clash: both are kept
    with qtbot.waitSignal(app.window.sessions.notice, timeout=WAIT_MS) as notice:
        _choose(app, qtbot, question.keep_button, target)
    assert notice.args[0] == f"Kept 2 files of {session_id} in {target}."
    assert not question.isVisible() and session_id not in _downloads(app).waiting
    assert (target / AWKWARD).read_text() == FIRST
    assert (target / "notes.txt").read_text() == "older notes\n"
    assert (target / "notes.1.txt").read_text() == SECOND
    assert sorted(os.listdir(target)) == [AWKWARD, "notes.1.txt", "notes.txt"]
    assert not held.exists()
    for downloads in _downloads_report(app, session_id):
        assert downloads["decision"] == "kept" and downloads["kept_in"] == str(target)
        assert [f["kept_as"] for f in downloads["files"]] == [  # type: ignore[attr-defined]
            str(target / AWKWARD), str(target / "notes.1.txt")]
        assert downloads["skipped_not_regular"] == ["passwd-link", "pipe"]


def test_discard_deletes_them_and_the_report_says_so(
        app: App, qtbot: QtBot, pending_dir: Path) -> None:
    session_id = _run(app, qtbot)
    question = _question(app, qtbot, session_id)
    assert (pending_dir / session_id).is_dir()
    with qtbot.waitSignal(app.window.sessions.notice, timeout=WAIT_MS) as notice:
        qtbot.mouseClick(question.discard_button, Qt.MouseButton.LeftButton)
    assert notice.args[0] == f"Discarded 2 files of {session_id}."
    assert not question.isVisible()
    assert list(pending_dir.iterdir()) == []
    for downloads in _downloads_report(app, session_id):
        assert downloads["decision"] == "discarded" and downloads["discarded"] is True


def _error_box(app: App) -> QMessageBox | None:
    shown = [b for b in app.window.findChildren(QMessageBox, "errorBox") if b.isVisible()]
    return shown[0] if shown else None


def test_a_dismissed_question_loses_nothing_and_the_details_offer_the_files(
        app: App, qtbot: QtBot, tmp_path: Path, pending_dir: Path, artifacts: Path) -> None:
    session_id = _run(app, qtbot)
    question = _question(app, qtbot, session_id)
    with qtbot.waitSignal(app.window.sessions.notice, timeout=WAIT_MS):
        qtbot.keyClick(question, Qt.Key.Key_Escape)  # dismissed
    assert not question.isVisible()
    held = pending_dir / session_id
    assert sorted(p.name for p in held.iterdir()) == [AWKWARD, "notes.txt"]
    downloads, stored = _downloads_report(app, session_id)
    assert downloads["decision"] == stored["decision"] == "pending"  # left pending

    view = app.window.sessions
    view.table.selectRow(view._row_of(session_id))
    bar = view.downloads_bar
    qtbot.waitUntil(bar.isVisible, timeout=WAIT_MS)
    assert bar.label.text() == "Downloads waiting: 2 files (37 B)"
    app.window.show()
    qtbot.wait(200)
    artifacts.joinpath("window-downloads-waiting.png").unlink(missing_ok=True)
    app.window.grab().save(str(artifacts / "window-downloads-waiting.png"))
    # a folder that cannot be written: one line, details behind a button; nothing lost
    locked = tmp_path / "locked"
    locked.mkdir(mode=0o500)
    _choose(app, qtbot, bar.keep_button, locked)
    qtbot.waitUntil(lambda: _error_box(app) is not None, timeout=WAIT_MS)
    box = _error_box(app)
    assert box is not None
    assert box.text() == f"the downloads cannot be kept in {locked}: you cannot write there"
    assert "the files keep waiting" in box.informativeText()
    box.close()
    qtbot.waitUntil(lambda: not app.bridge.busy(), timeout=WAIT_MS)
    assert bar.isVisible() and bar.keep_button.isEnabled() and held.is_dir()
    # later, from the details: kept
    target = tmp_path / "Later"
    target.mkdir()
    with qtbot.waitSignal(view.notice, timeout=WAIT_MS):
        _choose(app, qtbot, bar.keep_button, target)
    assert sorted(os.listdir(target)) == [AWKWARD, "notes.txt"]
    assert (target / "notes.txt").read_text() == SECOND
    assert not bar.isVisible() and not held.exists()
    downloads, stored = _downloads_report(app, session_id)
    assert downloads["decision"] == stored["decision"] == "kept"


def _build(qtbot: QtBot, service: SessionService) -> App:
    """The app, closed by the test itself (close_app): a quit and a start again."""
    built = build(service, locale=QLocale(QLocale.Language.English))
    qtbot.waitUntil(lambda: built.window.profile_list.count() > 0, timeout=WAIT_MS)
    return built


def test_files_left_by_an_earlier_run_are_offered_at_the_next_start(
        qtbot: QtBot, service: SessionService, profiles_dir: Path, policy_file: Path,
        pending_dir: Path) -> None:
    first = _build(qtbot, service)
    try:
        session_id = _run(first, qtbot)
        _question(first, qtbot, session_id).reject()  # dismissed, then the app quits
    finally:
        close_app(first)
    assert (pending_dir / session_id).is_dir()
    again = SessionService(profiles_dir=profiles_dir, policy_path=policy_file,
                           pending_dir=pending_dir)
    second = _build(qtbot, again)
    try:
        question = _question(second, qtbot, session_id)
        assert question.table.rowCount() == 2
        assert question.origin.text().startswith(f"Session {session_id} (downloader)")
        with qtbot.waitSignal(second.window.sessions.notice, timeout=WAIT_MS):
            qtbot.mouseClick(question.discard_button, Qt.MouseButton.LeftButton)
        assert not (pending_dir / session_id).exists()
        stored = json.loads((paths.reports_dir() / f"{session_id}.json").read_text())
        assert stored["devices"]["downloads"]["decision"] == "discarded"
        # the menu entry finds nothing more
        with qtbot.waitSignal(second.window.sessions.notice, timeout=WAIT_MS) as notice:
            second.window.menus.downloads_action.trigger()
        assert notice.args[0] == "No downloads are waiting."
    finally:
        close_app(second)


def test_the_policy_discards_them_without_asking(
        app: App, qtbot: QtBot, policy_file: Path, pending_dir: Path) -> None:
    policy_file.write_text("[devices]\nallow_keep_downloads = false\n", encoding="utf-8")
    session_id = _run(app, qtbot)
    service = app.bridge.service
    qtbot.waitUntil(lambda: service.entry(session_id).outcome is not None, timeout=WAIT_MS)
    qtbot.waitUntil(lambda: not app.bridge.busy(), timeout=WAIT_MS)
    qtbot.wait(500)
    assert _downloads(app).questions == {} and _downloads(app).waiting == {}
    assert not pending_dir.exists() or list(pending_dir.iterdir()) == []
    downloads, stored = _downloads_report(app, session_id)
    assert downloads == stored
    assert downloads["discarded"] is True and "decision" not in downloads
    assert downloads["discard_reason"] == ("the system policy always discards downloads "
                                           "on this machine")
    assert [f["name"] for f in downloads["files"]] == [AWKWARD, "notes.txt"]  # type: ignore
