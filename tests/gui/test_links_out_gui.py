"""The app's question when a client signs in with SSO: Open, Copy, Refuse; the return link.

Real app service, a real bubblewrap session of the Zoom profile whose client is the SSO
stand-in (tests/stand_in/sso_client.py): it runs ``xdg-open`` for three addresses, one
after the other (each waits for its answer), then waits for its sign-in's return link.
The host's browser is a fake that records its argv (``SANDBOX_LAUNCHER_BROWSER``).
The question must come with the app in the tray (its window hidden), name the session and
show the address with its host; Open hands
exactly that address to the browser, Copy puts it on the clipboard and opens nothing,
Refuse leaves nothing; the return link pasted into the app reaches the asking session
(its client ends once it has it), and the report lists the answers by host only.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

import pytest
from conftest import WAIT_MS, close_app
from PySide6.QtCore import QLocale
from PySide6.QtGui import QGuiApplication
from pytestqt.qtbot import QtBot

from sandbox_launcher.core.plan import RunOptions
from sandbox_launcher.session.lifecycle import State
from sandbox_launcher.session.links_out import Answer
from sandbox_launcher.session.service import SessionService
from sandbox_launcher.ui.app import App, build
from sandbox_launcher.ui.link_question import LinkQuestionDialog

STAND_IN = Path(__file__).resolve().parents[1] / "stand_in" / "sso_client.py"
SIGN_IN = "https://sso.example/login?x=1"
COPIED = "https://help.example/article?id=7"
REFUSED = "https://tracker.example/pixel"
RETURN = "zoommtg://zoom.us/join?confno=1&token=x"
#: Zoom without a window, sound or network (nothing leaves the machine).
OFFLINE_ZOOM = ('[network]\nmode = "none"\n[devices]\ndisplay = "none"\nspeakers = false\n')
FAKE_BROWSER = """#!/usr/bin/python3
import json, sys
with open({out!r}, "a", encoding="utf-8") as fh:
    fh.write(json.dumps(sys.argv[1:]) + "\\n")
"""


@pytest.fixture
def app(qtbot: QtBot, profiles_dir: Path, policy_file: Path, tmp_path: Path,
        monkeypatch: pytest.MonkeyPatch) -> Iterator[App]:
    (profiles_dir / "zoom.toml").write_text(OFFLINE_ZOOM, encoding="utf-8")
    browser = tmp_path / "browser"
    browser.write_text(FAKE_BROWSER.format(out=str(tmp_path / "browser.log")))
    browser.chmod(0o755)
    monkeypatch.setenv("SANDBOX_LAUNCHER_BROWSER", str(browser))
    service = SessionService(profiles_dir=profiles_dir, policy_path=policy_file,
                             pending_dir=tmp_path / "pending")
    built = build(service, locale=QLocale(QLocale.Language.English))
    qtbot.addWidget(built.window)
    qtbot.waitUntil(lambda: built.window.profile_list.count() > 0, timeout=WAIT_MS)
    yield built
    close_app(built)


def _question(app: App, qtbot: QtBot, url: str) -> LinkQuestionDialog:
    assert app.questions is not None
    questions = app.questions
    qtbot.waitUntil(lambda: any(d.question.address.url == url and d.isVisible()
                                for d in questions.open_dialogs()), timeout=WAIT_MS)
    return next(d for d in questions.open_dialogs() if d.question.address.url == url)


def _label(dialog: LinkQuestionDialog, name: str) -> str:
    from PySide6.QtWidgets import QLabel

    label = dialog.findChild(QLabel, name)
    assert label is not None
    return label.text()


def test_the_question_opens_copies_or_refuses_and_the_return_link_comes_back(
        app: App, qtbot: QtBot, tmp_path: Path, artifacts: Path) -> None:
    service = app.bridge.service
    log = tmp_path / "browser.log"
    command = ("/usr/bin/python3", "-c", STAND_IN.read_text(), "--open", SIGN_IN,
               "--open", COPIED, "--open", REFUSED, "--seconds", "90")
    session_id = service.start("zoom", RunOptions(command=command))
    app.window.sessions.add_session(session_id)
    qtbot.waitUntil(lambda: service.entry(session_id).state is State.RUNNING,
                    timeout=WAIT_MS)

    app.window.hide()  # the app lives in the tray: the question comes all the same
    first = _question(app, qtbot, SIGN_IN)
    assert first.windowTitle() == "A meeting asks to open an address"
    assert f"The Zoom session {session_id} asks to open" in _label(first, "linkQuestionIntro")
    shown = _label(first, "linkQuestionAddress")
    assert ">sso.example</b>/login?x=1" in shown and "https://" in shown
    assert "<b>sso.example</b>" in _label(first, "linkQuestionHost")
    assert [first.button(a).text() for a in Answer] == [
        "&Open in my browser", "&Copy address", "&Refuse"]
    assert first.button(Answer.REFUSE).isDefault()
    first.raise_()
    qtbot.wait(200)  # painted before the picture
    first.grab().save(str(artifacts / "sso-question.png"))
    assert not log.exists()  # nothing opened before the person said so
    first.button(Answer.OPEN).click()
    qtbot.waitUntil(log.exists, timeout=WAIT_MS)

    second = _question(app, qtbot, COPIED)
    second.button(Answer.COPY).click()
    assert QGuiApplication.clipboard().text() == COPIED
    third = _question(app, qtbot, REFUSED)
    third.button(Answer.REFUSE).click()

    # The sign-in's return link, as the desktop hands it to the app: to that session.
    with qtbot.waitSignal(app.window.links.joined, timeout=WAIT_MS) as joined:
        assert app.window.links.open(RETURN) is None
    assert joined.args[0].session_id == session_id
    qtbot.waitUntil(lambda: service.entry(session_id).outcome is not None, timeout=60_000)
    assert [e.id for e in service.entries()] == [session_id]  # no new session
    # Exactly the one address the person opened, as one argument.
    assert [json.loads(line) for line in log.read_text().splitlines()] == [[SIGN_IN]]
    outcome = service.entry(session_id).outcome
    assert outcome is not None and outcome.status == 0 and outcome.wipe_verified
    asked = outcome.report["devices"]["links_out"]["requests"]
    assert [(r["host"], r["answer"], r["by"]) for r in asked] == [
        ("sso.example", "opened", "user"), ("help.example", "copied", "user"),
        ("tracker.example", "refused", "user")]
    assert [(j["service"], j["host"]) for j in outcome.report["joins"]["links"]] == [
        ("zoom", "zoom.us")]


def test_the_question_in_german(qtbot: QtBot, service: SessionService) -> None:
    from sandbox_launcher.core.outbound import check_address
    from sandbox_launcher.session.links_out import LinkQuestion

    german = build(service, locale=QLocale(QLocale.Language.German, QLocale.Country.Germany))
    try:
        dialog = LinkQuestionDialog(LinkQuestion("zoom-abc123", "zoom", 1,
                                                 check_address(SIGN_IN)), "Zoom", german.window)
        qtbot.addWidget(dialog)
        assert dialog.windowTitle() == "Eine Besprechung möchte eine Adresse öffnen"
        assert _label(dialog, "linkQuestionIntro") == (
            "Die Sitzung zoom-abc123 (Zoom) möchte diese Adresse in Ihrem Browser öffnen:")
        assert _label(dialog, "linkQuestionHost").startswith("Sie führt zu <b>sso.example</b>")
        assert [dialog.button(a).text() for a in Answer] == [
            "In meinem Browser ö&ffnen", "Adresse &kopieren", "&Ablehnen"]
        with qtbot.waitSignal(dialog.answered) as answered:
            dialog.reject()  # closing it refuses
        assert answered.args == [Answer.REFUSE]
    finally:
        close_app(german)
