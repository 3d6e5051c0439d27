"""The app's question when a session's client asks to open an address outside its sandbox.

The session layer (``session/links_out.py``) calls the asker on a thread of its own and
waits; the asker hands the question to the GUI thread through a signal and blocks until
the person answers (or :data:`ASK_SECONDS` pass: then it is refused). The dialog names
the session (profile and id) and shows the whole address with its host emphasised, so a
look-alike host stands out: "Open in my browser" / "Copy address" / "Refuse". Closing it
refuses. A session that ends takes its open question with it.
"""

from __future__ import annotations

import html
import threading
from dataclasses import dataclass, field

from PySide6.QtCore import QObject, Qt, Signal, Slot
from PySide6.QtGui import QGuiApplication
from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QLabel,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from ..session.entries import Finished
from ..session.links_out import Answer, Asker, LinkQuestion
from .bridge import ServiceBridge

#: The person has this long to answer; the client's xdg-open waits a little longer.
ASK_SECONDS = 300.0


@dataclass
class _Reply:
    """Where the GUI thread puts the answer for the waiting session thread."""

    answer: Answer = Answer.REFUSE
    done: threading.Event = field(default_factory=threading.Event)

    def give(self, answer: Answer) -> None:
        if not self.done.is_set():
            self.answer = answer
            self.done.set()


def address_html(question: LinkQuestion) -> str:
    """The address as rich text, escaped, with the host in bold and larger."""
    before, host, after = question.address.parts()
    return (f"<span style='font-family: monospace'>{html.escape(before)}"
            f"<b style='font-size: large; color: #1a5fb4'>{html.escape(host)}</b>"
            f"{html.escape(after)}</span>")


class LinkQuestionDialog(QDialog):
    """One question: which session asks to open which address."""

    answered = Signal(object)  # Answer

    def __init__(self, question: LinkQuestion, title: str, parent: QWidget | None) -> None:
        super().__init__(parent)
        self.question = question
        self.setObjectName("linkQuestion")
        self.setWindowTitle(self.tr("A meeting asks to open an address"))
        layout = QVBoxLayout(self)
        intro = QLabel(self.tr("The {profile} session {id} asks to open this address in "
                               "your browser:").format(profile=title, id=question.session_id))
        intro.setObjectName("linkQuestionIntro")
        intro.setWordWrap(True)
        address = QLabel(address_html(question))
        address.setObjectName("linkQuestionAddress")
        address.setTextFormat(Qt.TextFormat.RichText)
        address.setWordWrap(True)
        address.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        host = QLabel(self.tr("It goes to <b>{host}</b>. Open it only if you expected a "
                              "sign-in or page there.").format(
                                  host=html.escape(question.address.host)))
        host.setObjectName("linkQuestionHost")
        host.setTextFormat(Qt.TextFormat.RichText)
        host.setWordWrap(True)
        buttons = QDialogButtonBox(self)
        self._buttons: dict[Answer, QPushButton] = {}
        for answer, name, text, role in (
                (Answer.OPEN, "openInBrowser", self.tr("&Open in my browser"),
                 QDialogButtonBox.ButtonRole.AcceptRole),
                (Answer.COPY, "copyAddress", self.tr("&Copy address"),
                 QDialogButtonBox.ButtonRole.ActionRole),
                (Answer.REFUSE, "refuseAddress", self.tr("&Refuse"),
                 QDialogButtonBox.ButtonRole.RejectRole)):
            button = buttons.addButton(text, role)
            button.setObjectName(name)
            button.clicked.connect(lambda _=False, a=answer: self._answer(a))
            self._buttons[answer] = button
        self._buttons[Answer.REFUSE].setDefault(True)  # Enter never opens by accident
        for widget in (intro, address, host, buttons):
            layout.addWidget(widget)
        self.resize(620, self.sizeHint().height())
        self._done = False

    def button(self, answer: Answer) -> QPushButton:
        """The button that gives *answer* (for tests)."""
        return self._buttons[answer]

    def _answer(self, answer: Answer) -> None:
        if self._done:
            return
        self._done = True
        if answer is Answer.COPY:
            QGuiApplication.clipboard().setText(self.question.address.url)
        self.answered.emit(answer)
        self.accept() if answer is not Answer.REFUSE else self.reject()

    def reject(self) -> None:
        """Closed (Esc, the close button) or Refuse: refused."""
        if not self._done:
            self._done = True
            self.answered.emit(Answer.REFUSE)
        super().reject()


class LinkQuestions(QObject):
    """Asks in the GUI thread for the session threads; one dialog per question."""

    #: A dialog was shown (for the window's status bar and tests).
    shown = Signal(object)
    _asked = Signal(object, object)

    def __init__(self, bridge: ServiceBridge, window: QWidget) -> None:
        super().__init__(window)
        self._bridge = bridge
        self._window = window
        self._open: dict[str, list[tuple[LinkQuestionDialog, _Reply]]] = {}
        self._asked.connect(self._show)
        bridge.session_finished.connect(self._session_ended)

    def asker(self) -> Asker:
        """The function the session layer calls (on its own thread) to ask."""
        def ask(question: LinkQuestion) -> Answer:
            reply = _Reply()
            self._asked.emit(question, reply)
            reply.done.wait(ASK_SECONDS)
            reply.give(Answer.REFUSE)  # no answer in time: refused
            return reply.answer

        return ask

    def _title(self, profile: str) -> str:
        found = self._bridge.service.profiles().profiles.get(profile)
        return found.title if found is not None else profile

    @Slot(object, object)
    def _show(self, question: LinkQuestion, reply: _Reply) -> None:
        if reply.done.is_set():
            return
        dialog = LinkQuestionDialog(question, self._title(question.profile), self._window)
        dialog.answered.connect(reply.give)
        dialog.finished.connect(lambda _r: self._forget(question.session_id, dialog))
        self._open.setdefault(question.session_id, []).append((dialog, reply))
        dialog.open()
        dialog.raise_()
        self.shown.emit(dialog)

    def _forget(self, session_id: str, dialog: LinkQuestionDialog) -> None:
        kept = [(d, r) for d, r in self._open.get(session_id, []) if d is not dialog]
        if kept:
            self._open[session_id] = kept
        else:
            self._open.pop(session_id, None)
        dialog.deleteLater()

    def open_dialogs(self) -> list[LinkQuestionDialog]:
        """The questions on screen now."""
        return [d for pairs in self._open.values() for d, _ in pairs]

    @Slot(object)
    def _session_ended(self, finished: Finished) -> None:
        for dialog, _reply in list(self._open.get(finished.session_id, [])):
            dialog.reject()

    def refuse_all(self) -> None:
        """Quitting: every open question is refused."""
        for dialog in self.open_dialogs():
            dialog.reject()
