"""Downloads that wait for the user's decision: the question when a session ends, the
bar in the session's details, and the files left by an earlier run of the app.

The file work (listing, moving, deleting) runs on workers through the bridge; errors go
through :func:`show_error`, and the files stay where they wait (nothing is lost when a
folder is not writable or the disk is full).
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from PySide6.QtCore import QObject, QStandardPaths, Signal
from PySide6.QtWidgets import QFileDialog, QFrame, QHBoxLayout, QLabel, QPushButton, QWidget

from ..core.errors import LauncherError
from ..devices.pending import PendingSet
from ..session.entries import Finished
from .bridge import ServiceBridge
from .downloads_question import DownloadsQuestion, download_pixmap, files_text
from .errors import show_error
from .traffic_plot import human_bytes

BAR_STYLE = ("QFrame#downloadsBar { background: #eaf2fb; border: 1px solid #9bbce0; "
             "border-radius: 4px; }")


def default_folder() -> str:
    """The user's download folder (XDG), or the home folder when it does not exist."""
    found = QStandardPaths.writableLocation(QStandardPaths.StandardLocation.DownloadLocation)
    return found if found and Path(found).is_dir() else str(Path.home())


class PendingDownloads(QObject):
    """What waits, per session; asks, keeps and discards (one decision at a time each)."""

    #: the files waiting for this session id changed (arrived, kept, discarded, busy)
    changed = Signal(str)
    #: a line for the status bar
    notice = Signal(str)

    def __init__(self, bridge: ServiceBridge, view: QWidget) -> None:
        super().__init__(view)
        self.bridge = bridge
        self.view = view
        self.waiting: dict[str, PendingSet] = {}
        self.busy: set[str] = set()
        self.questions: dict[str, DownloadsQuestion] = {}
        self.chooser: QFileDialog | None = None
        bridge.session_finished.connect(self._finished)

    # ------------------------------------------------------------------ what waits

    def offer_waiting(self, *, say_none: bool = False) -> None:
        """Read what waits (earlier runs' too) and ask about each (at start, from the menu)."""
        def done(found: object) -> None:
            sets = [p for p in found if isinstance(p, PendingSet)] if isinstance(
                found, list) else []
            for pending in sets:
                self._add(pending, ask=True)
            if say_none and not sets:
                self.notice.emit(self.tr("No downloads are waiting."))

        self.bridge.call(self.bridge.service.downloads.waiting, done,
                         self._show_error)

    def _finished(self, finished: Finished) -> None:
        try:
            entry = self.bridge.service.entry(finished.session_id)
        except KeyError:
            return
        report: dict[str, Any] = entry.outcome.report if entry.outcome is not None else {}
        downloads = (report.get("devices") or {}).get("downloads") or {}
        if downloads.get("decision") == "pending":
            self._reread(finished.session_id, ask=True)

    def _reread(self, session_id: str, *, ask: bool) -> None:
        def done(found: object) -> None:
            if isinstance(found, PendingSet):
                self._add(found, ask=ask)
            else:
                self._gone(session_id)

        self.bridge.call(lambda: self.bridge.service.downloads.of(session_id), done,
                         self._show_error)

    def _parent(self, session_id: str) -> QWidget:
        """The question while it is shown (dialogs then open over it), else the window."""
        question = self.questions.get(session_id)
        return question if question is not None and question.isVisible() else (
            self.view.window())

    def _show_error(self, error: LauncherError) -> None:
        show_error(self.view.window(), error)

    def _add(self, pending: PendingSet, *, ask: bool) -> None:
        self.waiting[pending.session_id] = pending
        question = self.questions.get(pending.session_id)
        if question is not None:
            question.set_pending(pending)
        self.changed.emit(pending.session_id)
        if ask:
            self.ask(pending.session_id)

    def _gone(self, session_id: str) -> None:
        self.waiting.pop(session_id, None)
        question = self.questions.pop(session_id, None)
        if question is not None:
            question.accept()  # decided: close() would reject, which means "decide later"
            question.deleteLater()
        self.changed.emit(session_id)

    # ------------------------------------------------------------------ asking

    def ask(self, session_id: str) -> DownloadsQuestion | None:
        """Show (or raise) the question about *session_id*'s files; None if none wait."""
        pending = self.waiting.get(session_id)
        if pending is None:
            return None
        question = self.questions.get(session_id)
        if question is None:
            question = DownloadsQuestion(pending, self.view.window())
            question.keep_requested.connect(lambda: self.choose_folder(session_id))
            question.discard_requested.connect(lambda: self.discard(session_id))
            question.rejected.connect(lambda: self.notice.emit(self.tr(
                "The downloads of {id} keep waiting in the session's details.").format(
                id=session_id)))
            self.questions[session_id] = question
        question.set_busy(session_id in self.busy)
        question.show()
        question.raise_()
        question.activateWindow()
        return question

    def choose_folder(self, session_id: str) -> QFileDialog:
        """Pick where to keep the files (``open``, not ``exec``: the UI never blocks)."""
        dialog = QFileDialog(self._parent(session_id), self.tr("Keep the downloads in"),
                             default_folder())
        dialog.setFileMode(QFileDialog.FileMode.Directory)
        dialog.setOption(QFileDialog.Option.ShowDirsOnly, True)
        dialog.setObjectName("keepFolderDialog")
        dialog.fileSelected.connect(lambda folder: self.keep(session_id, folder))
        dialog.open()
        self.chooser = dialog
        return dialog

    # ------------------------------------------------------------------ deciding

    def keep(self, session_id: str, folder: str) -> None:
        """Move the files into *folder* on a worker; the question closes when done."""
        count = len(self.waiting[session_id].files) if session_id in self.waiting else 0
        self._begin(session_id, self.tr("Keeping the files in {folder}…").format(
            folder=folder))
        self.bridge.call(
            lambda: self.bridge.service.downloads.keep(session_id, folder),
            lambda _decision: self._decided(session_id, self.tr(
                "Kept {files} of {id} in {folder}.").format(
                files=files_text(count), id=session_id, folder=folder)),
            lambda error: self._failed(session_id, error))

    def discard(self, session_id: str) -> None:
        """Delete the files on a worker."""
        count = len(self.waiting[session_id].files) if session_id in self.waiting else 0
        self._begin(session_id, self.tr("Discarding the files…"))
        self.bridge.call(
            lambda: self.bridge.service.downloads.discard(session_id),
            lambda _decision: self._decided(session_id, self.tr(
                "Discarded {files} of {id}.").format(files=files_text(count),
                                                     id=session_id)),
            lambda error: self._failed(session_id, error))

    def _begin(self, session_id: str, text: str) -> None:
        self.busy.add(session_id)
        question = self.questions.get(session_id)
        if question is not None:
            question.set_busy(True, text)
        self.changed.emit(session_id)

    def _decided(self, session_id: str, text: str) -> None:
        self.busy.discard(session_id)
        self._gone(session_id)
        self.notice.emit(text)

    def _failed(self, session_id: str, error: LauncherError) -> None:
        self.busy.discard(session_id)
        question = self.questions.get(session_id)
        if question is not None:
            question.set_busy(False)
        show_error(self._parent(session_id), error)
        self._reread(session_id, ask=False)  # some may have been kept: show what is left


class DownloadsBar(QFrame):
    """In the session's details: "N files wait" with Keep… / Discard / Show files…."""

    def __init__(self, downloads: PendingDownloads, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("downloadsBar")
        self.setAccessibleName(self.tr("Downloads waiting"))
        self.setStyleSheet(BAR_STYLE)
        self.downloads = downloads
        self.session_id = ""
        layout = QHBoxLayout(self)
        layout.setContentsMargins(8, 4, 8, 4)
        icon = QLabel()
        icon.setPixmap(download_pixmap(22))
        layout.addWidget(icon)
        self.label = QLabel()
        self.label.setObjectName("downloadsBarText")
        layout.addWidget(self.label, 1)
        self.keep_button = self._button("keepWaiting", self.tr("&Keep…"),
                                        self.tr("Keep the waiting downloads"))
        self.keep_button.clicked.connect(
            lambda: self.downloads.choose_folder(self.session_id))
        self.discard_button = self._button("discardWaiting", self.tr("&Discard"),
                                           self.tr("Delete the waiting downloads"))
        self.discard_button.clicked.connect(lambda: self.downloads.discard(self.session_id))
        self.show_button = self._button("showWaiting", self.tr("Show &files…"),
                                        self.tr("List the waiting downloads"))
        self.show_button.clicked.connect(lambda: self.downloads.ask(self.session_id))
        for button in (self.show_button, self.keep_button, self.discard_button):
            layout.addWidget(button)
        downloads.changed.connect(self._changed)
        self.hide()

    def _button(self, name: str, text: str, accessible: str) -> QPushButton:
        button = QPushButton(text)
        button.setObjectName(name)
        button.setAccessibleName(accessible)
        return button

    def show_session(self, session_id: str) -> None:
        """Follow the selected session ("" for none)."""
        self.session_id = session_id
        self._refresh()

    def _changed(self, session_id: str) -> None:
        if session_id == self.session_id:
            self._refresh()

    def _refresh(self) -> None:
        pending = self.downloads.waiting.get(self.session_id)
        self.setVisible(pending is not None)
        if pending is None:
            return
        self.label.setText(self.tr("Downloads waiting: {files} ({size})").format(
            files=files_text(len(pending.files)), size=human_bytes(pending.total)))
        busy = self.session_id in self.downloads.busy
        self.keep_button.setEnabled(not busy)
        self.discard_button.setEnabled(not busy)
