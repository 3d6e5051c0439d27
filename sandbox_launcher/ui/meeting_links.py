"""Meeting links in the app: from the clipboard, or typed into "Open meeting link…".

A link comes from anyone (an e-mail, a chat, a web page). It goes through the strict
parser (:func:`clients.links.parse`) before anything else sees it. A refused link is
shown escaped (``links.shown``), as plain text (no rich text, no clickable links: a
hostile link must not paint the dialog), with the reason, and is passed nowhere. An
accepted one starts its service's profile with the *rebuilt* link as ``join_url``, or,
while a session of that profile runs, the person chooses: join the meeting in that
session (its client is handed the link, confined as it is: ``session/join.py``, on a
worker thread) or start a new session. A refused join says why and offers a new session.
"""

from __future__ import annotations

from PySide6.QtCore import QObject, Qt, Signal
from PySide6.QtGui import QGuiApplication
from PySide6.QtWidgets import QInputDialog, QLabel, QMessageBox, QWidget

from ..clients import links, routing
from ..core.errors import LauncherError, MeetingLinkError
from ..core.plan import RunOptions
from .bridge import ServiceBridge
from .errors import person_hint, show_error


def plain_text_box(box: QMessageBox) -> None:
    """Every label of *box* as plain text that opens nothing (for text from outside)."""
    box.setTextFormat(Qt.TextFormat.PlainText)
    for label in box.findChildren(QLabel):
        label.setTextFormat(Qt.TextFormat.PlainText)
        label.setOpenExternalLinks(False)


class MeetingLinks(QObject):
    """Checks links and asks for launches; the window and the tray share one.

    It talks to the window only through signals and its Qt parent: a Python reference
    back to the window would put the window into a reference cycle, and the garbage
    collector may run on any thread (deleting a window off the GUI thread crashes Qt).
    """

    #: (profile name, RunOptions with the rebuilt link as join_url)
    launch_requested = Signal(str, object)
    #: a line for the status bar
    notice = Signal(str)
    #: a link went to a running session (``session.join.Joined``)
    joined = Signal(object)
    #: a running session refused a link (``LauncherError``); the box offers a new session
    join_refused = Signal(object)

    def __init__(self, bridge: ServiceBridge, parent: QWidget) -> None:
        super().__init__(parent)
        self.bridge = bridge
        self.dialog: QInputDialog | None = None
        self.chooser: QInputDialog | None = None

    @property
    def parent_widget(self) -> QWidget:
        """The window the dialogs sit on."""
        parent = self.parent()
        assert isinstance(parent, QWidget)
        return parent

    def from_clipboard(self) -> QMessageBox | QInputDialog | None:
        """Open the link on the clipboard; the box shown, if one was (refusal, question)."""
        text = QGuiApplication.clipboard().text().strip()
        if not text:
            box = QMessageBox(QMessageBox.Icon.Information, self.tr("Join meeting"),
                              self.tr("The clipboard holds no meeting link."),
                              QMessageBox.StandardButton.Ok, self.parent_widget)
            box.setInformativeText(self.tr("Copy the link from the invitation, then try "
                                           "again."))
            box.setObjectName("clipboardEmpty")
            box.open()
            return box
        return self.open(text)

    def ask(self) -> QInputDialog:
        """"Open meeting link…": a non-blocking dialog for pasting a link."""
        dialog = QInputDialog(self.parent_widget)
        dialog.setObjectName("openLinkDialog")
        dialog.setWindowTitle(self.tr("Open meeting link"))
        dialog.setLabelText(self.tr("Meeting link (Zoom, Teams, Webex or an https:// web "
                                    "meeting):"))
        dialog.setInputMode(QInputDialog.InputMode.TextInput)
        dialog.resize(560, dialog.sizeHint().height())
        dialog.textValueSelected.connect(lambda text: self.open(text.strip()))
        dialog.open()
        self.dialog = dialog
        return dialog

    def open(self, text: str) -> QMessageBox | QInputDialog | None:
        """Parse *text*; refuse it visibly, let the person choose among the profiles that
        fit it equally well, ask about a running session, or launch. A sign-in's return
        link (``zoommtg://…`` while a session waits for it) goes back to that session."""
        if self._returned(text):
            return None
        try:
            link = links.parse(routing.with_scheme(text))
            fits = routing.candidates(link, self.bridge.service.profiles().profiles.values())
            if not fits:
                routing.choose(link, [])  # raises the "no profile can open" error
        except MeetingLinkError as exc:
            return self._refused(exc)
        # A session of a fitting profile runs: that one is asked about (join or new),
        # the newest first; otherwise several equally good profiles: the person picks.
        service = self.bridge.service
        running = [(f.name, found) for f in fits
                   if (found := service.running_for(link, f.name)) is not None]
        if running:
            return self.open_in(link, running[0][0])
        if len(fits) > 1:
            return self._choose(link, fits)
        return self.open_in(link, fits[0].name)

    def _returned(self, text: str) -> bool:
        """Hand a sign-in's return link to the session that waits for it, if one does."""
        launcher = self.bridge.service.launcher
        found = launcher.return_route(text)
        if found is None:
            return False

        def failed(error: LauncherError) -> None:
            show_error(self.parent_widget, error, self.tr("Sign-in"))
            self.join_refused.emit(error)

        self.bridge.call(lambda: launcher.hand_back(*found), self.joined.emit, failed)
        self.notice.emit(self.tr("The sign-in went back to session {id}.").format(
            id=found[1].record.id))
        return True

    def _choose(self, link: links.MeetingLink, fits: list[routing.Fit]) -> QInputDialog:
        """Several profiles fit equally well: the person picks (the usual one first)."""
        dialog = QInputDialog(self.parent_widget)
        dialog.setObjectName("profileChooser")
        dialog.setWindowTitle(self.tr("Open meeting link"))
        dialog.setLabelText(self.tr("Which kind of meeting is on {host}?").format(
            host=link.host))
        dialog.setComboBoxItems([f.title for f in fits])
        dialog.setComboBoxEditable(False)
        dialog.setOkButtonText(self.tr("&Open"))
        by_title = {f.title: f.name for f in fits}
        dialog.textValueSelected.connect(
            lambda title: self.open_in(link, by_title[title]) if title in by_title else None)
        dialog.open()
        self.chooser = dialog
        return dialog

    def open_in(self, link: links.MeetingLink, profile: str) -> QMessageBox | None:
        """Open *link* in *profile*: join or new when one of it runs, else launch."""
        running = self.bridge.service.running_for(link, profile)
        if running is not None:
            session_id, title = running
            return self._ask_join_or_new(link, profile, title, session_id)
        self._start(link, profile)
        return None

    def _refused(self, error: MeetingLinkError) -> QMessageBox:
        box = QMessageBox(self.parent_widget)
        box.setObjectName("linkRefused")
        box.setIcon(QMessageBox.Icon.Warning)
        box.setWindowTitle(self.tr("Meeting link refused"))
        # the summary holds the link as links.shown() escaped it, and the reason
        box.setText(error.summary)
        box.setInformativeText(self.tr("Nothing was started; the link was passed to no "
                                       "program."))
        if error.hint:
            box.setDetailedText(self.tr("What to do: {hint}").format(
                hint=person_hint(error.hint)))
        plain_text_box(box)
        box.open()
        return box

    def _ask_join_or_new(self, link: links.MeetingLink, profile: str, title: str,
                         session_id: str) -> QMessageBox:
        box = QMessageBox(self.parent_widget)
        box.setObjectName("linkSessionRunning")
        box.setIcon(QMessageBox.Icon.Question)
        box.setWindowTitle(self.tr("Join meeting"))
        box.setText(self.tr("{title} is already running in session {id}.").format(
            title=title, id=session_id))
        box.setInformativeText(self.tr(
            "Join this meeting in the running session (its client is handed the link and "
            "stays confined as it is), or start a new session for it?"))
        join = box.addButton(self.tr("&Join in running session"),
                             QMessageBox.ButtonRole.AcceptRole)
        join.setObjectName("joinRunningSession")
        new = box.addButton(self.tr("Start a &new session"), QMessageBox.ButtonRole.ActionRole)
        new.setObjectName("startNewSession")
        box.addButton(QMessageBox.StandardButton.Cancel)
        box.setDefaultButton(join)
        plain_text_box(box)

        def answered(button: object) -> None:
            if button is join:
                self._join(link, profile, session_id)
            elif button is new:
                self._start(link, profile)

        box.buttonClicked.connect(answered)
        box.open()
        return box

    def _join(self, link: links.MeetingLink, profile: str, session_id: str) -> None:
        """Hand *link* to the running session on a worker thread."""
        self.notice.emit(self.tr("Handing the {service} meeting on {host} to session "
                                 "{id}…").format(service=link.service, host=link.host,
                                                 id=session_id))
        service = self.bridge.service

        def done(result: object) -> None:
            self.notice.emit(self.tr("Session {id} has the meeting on {host}.").format(
                id=session_id, host=link.host))
            self.joined.emit(result)

        def failed(error: LauncherError) -> None:
            self._join_refused(error, link, profile)

        self.bridge.call(lambda: service.join(session_id, link.url), done, failed)

    def _join_refused(self, error: LauncherError, link: links.MeetingLink,
                      profile: str) -> QMessageBox:
        box = show_error(self.parent_widget, error, self.tr("Join meeting"))
        box.setObjectName("joinRefused")
        new = box.addButton(self.tr("Start a &new session"), QMessageBox.ButtonRole.AcceptRole)
        new.setObjectName("startNewSession")
        plain_text_box(box)

        def answered(button: object) -> None:
            if button is new:
                self._start(link, profile)

        box.buttonClicked.connect(answered)
        self.join_refused.emit(error)
        return box

    def _start(self, link: links.MeetingLink, profile: str) -> None:
        self.notice.emit(self.tr("Opening a {service} meeting on {host} in the profile "
                                 "{profile}…").format(service=link.service, host=link.host,
                                                      profile=profile))
        self.launch_requested.emit(profile, RunOptions(join_url=link.url))
