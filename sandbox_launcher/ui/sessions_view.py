"""Running and ended sessions: live state, uptime, CPU and memory, the devices in use
(camera, shared screen), traffic, connections, summary, and the microphone switch of a
running session."""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import Qt, QTimer, Signal
from PySide6.QtWidgets import (
    QAbstractItemView,
    QFileDialog,
    QGroupBox,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QMessageBox,
    QPushButton,
    QSplitter,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from ..core.errors import LauncherError
from ..session.entries import Finished, SessionEntry, Usage
from ..session.events import HelperLost, Mic
from ..session.lifecycle import Event, State
from .bridge import ServiceBridge
from .connections_table import ConnectionsTable
from .device_use import device_details, in_use_text
from .downloads import DownloadsBar, PendingDownloads
from .errors import show_error
from .questions import ask_stop
from .session_texts import duration_text, entry_state_text, summary_text
from .settings import UiSettings
from .traffic_plot import TrafficPlot, human_bytes
from .wipe_steps import WipeSteps, no_cancel_reason

USAGE_EVERY_MS = 2000
COLUMNS = 7
#: The column that shows the devices a running session has in use.
DEVICES_COLUMN = 6


#: States in which Stop & Wipe is under way and cannot be cancelled.
_ENDING = (State.STOPPING, State.WIPING, State.VERIFYING)


class SessionsView(QWidget):
    """The sessions table, and the details of the selected one."""

    #: a session was stopped, saved… (the window's status bar shows it)
    notice = Signal(str)

    def __init__(self, bridge: ServiceBridge, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("sessionsView")
        self.bridge = bridge
        self.settings: UiSettings | None = None  # the window's, set by it
        self.usage: dict[str, Usage] = {}
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        split = QSplitter(Qt.Orientation.Horizontal)
        self.table = QTableWidget(0, COLUMNS)
        self.table.setObjectName("sessionTable")
        self.table.setAccessibleName(self.tr("Sessions"))
        self.table.setHorizontalHeaderLabels([
            self.tr("Profile"), self.tr("Session"), self.tr("State"), self.tr("Uptime"),
            self.tr("CPU"), self.tr("Memory"), self.tr("In use")])
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.verticalHeader().hide()
        self.table.horizontalHeader().setSectionResizeMode(QHeaderView.ResizeMode.
                                                           ResizeToContents)
        self.table.horizontalHeader().setStretchLastSection(True)
        self.table.itemSelectionChanged.connect(self._show_details)
        split.addWidget(self.table)
        split.addWidget(self._details_box())
        split.setSizes([480, 520])
        layout.addWidget(split)
        bridge.session_event.connect(self.on_event)
        bridge.session_finished.connect(self.on_finished)
        self.clock = QTimer(self)
        self.clock.timeout.connect(self._tick)
        self.clock.start(1000)
        self._ticks = 0

    def _details_box(self) -> QGroupBox:
        box = QGroupBox(self.tr("Selected session"))
        layout = QVBoxLayout(box)
        self.summary = QLabel(self.tr("No session selected."))
        self.summary.setObjectName("sessionSummary")
        self.summary.setWordWrap(True)
        self.summary.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        layout.addWidget(self.summary)
        self.traffic = TrafficPlot()
        layout.addWidget(self.traffic)
        self.connections = ConnectionsTable()
        layout.addWidget(self.connections, 1)
        self.wipe_steps = WipeSteps()
        layout.addWidget(self.wipe_steps)
        self.downloads = PendingDownloads(self.bridge, self)
        self.downloads.notice.connect(self.notice)
        self.downloads_bar = DownloadsBar(self.downloads)
        layout.addWidget(self.downloads_bar)
        buttons = QHBoxLayout()
        self.stop_button = QPushButton(self.tr("&Stop && Wipe"))
        self.stop_button.setObjectName("stopButton")
        self.stop_button.setAccessibleName(self.tr("Stop and wipe the selected session"))
        self.stop_button.clicked.connect(self.stop_selected)
        self.save_button = QPushButton(self.tr("Save &report…"))
        self.save_button.setObjectName("saveReportButton")
        self.save_button.setAccessibleName(self.tr("Save the report of the selected session"))
        self.save_button.clicked.connect(self._ask_report_path)
        self.mic_button = QPushButton(self.tr("&Microphone on"))
        self.mic_button.setObjectName("micButton")
        self.mic_button.setCheckable(True)
        self.mic_button.setAccessibleName(self.tr("Microphone of the selected session"))
        self.mic_button.clicked.connect(self._mic_clicked)
        buttons.addWidget(self.mic_button)
        buttons.addStretch(1)
        buttons.addWidget(self.save_button)
        buttons.addWidget(self.stop_button)
        layout.addLayout(buttons)
        self.stop_button.setEnabled(False)
        self.save_button.setEnabled(False)
        self._show_mic(None)
        return box

    # ------------------------------------------------------------------ model → view

    def _row_of(self, session_id: str) -> int:
        for row in range(self.table.rowCount()):
            item = self.table.item(row, 1)
            if item is not None and item.text() == session_id:
                return row
        return -1

    def add_session(self, session_id: str) -> None:
        """Show a session the moment it was started."""
        if self._row_of(session_id) >= 0:
            return
        entry = self.bridge.service.entry(session_id)
        row = self.table.rowCount()
        self.table.insertRow(row)
        for col, text in enumerate((entry.title, entry.id, "", "", "", "", "")):
            self.table.setItem(row, col, QTableWidgetItem(text))
        self._refresh_row(entry)
        self.table.selectRow(row)

    def _refresh_row(self, entry: SessionEntry) -> None:
        row = self._row_of(entry.id)
        if row < 0:
            return
        state = entry_state_text(entry) if entry.error is None else self.tr("failed to start")
        usage = self.usage.get(entry.id)
        cells = {2: state, 3: duration_text(entry.uptime()), DEVICES_COLUMN: self.in_use(entry)}
        if entry.active and usage is not None:
            cells[4] = f"{usage.cpu_percent:.0f} %"
            cells[5] = human_bytes(usage.rss_bytes)
        elif not entry.active:
            cells[4] = cells[5] = "-"
        for col, text in cells.items():
            item = self.table.item(row, col)
            if item is not None:
                item.setText(text)

    def in_use(self, entry: SessionEntry) -> str:
        """The devices a running session uses now: camera open, microphone recorded,
        screen shared ("" otherwise; ui/device_use.py)."""
        return in_use_text(entry)

    def selected_id(self) -> str:
        """The selected session's id, or ""."""
        rows = self.table.selectionModel().selectedRows()
        if not rows:
            return ""
        item = self.table.item(rows[0].row(), 1)
        return item.text() if item is not None else ""

    def _show_details(self) -> None:
        session_id = self.selected_id()
        self.downloads_bar.show_session(session_id)
        if not session_id:
            self.summary.setText(self.tr("No session selected."))
            self.traffic.set_series(())
            self.stop_button.setEnabled(False)
            self.save_button.setEnabled(False)
            self._show_mic(None)
            self.wipe_steps.show_entry(None)
            return
        entry = self.bridge.service.entry(session_id)
        self._show_mic(entry)
        self.wipe_steps.show_entry(entry)
        self.stop_button.setToolTip(no_cancel_reason() if entry.active and entry.state in
                                    _ENDING else "")
        self.traffic.set_series(entry.traffic.points, sum(
            int(c.get("bytes_out", 0) or 0) + int(c.get("bytes_in", 0) or 0)
            for c in entry.connections))
        self.stop_button.setEnabled(entry.active and entry.state in (
            State.PREPARING, State.STARTING, State.RUNNING))
        self.save_button.setEnabled(entry.outcome is not None)
        if entry.error is not None:
            self.summary.setText(self.tr("Could not start: {why}").format(
                why=entry.error.summary))
        elif entry.outcome is not None:
            self.summary.setText(summary_text(entry.outcome.report))
        else:
            text = self.tr("{title} ({id}): {state}").format(
                title=entry.title, id=entry.id, state=entry_state_text(entry))
            if device_details(entry):  # granted, and whether in use (and since when)
                text += "; " + device_details(entry)
            for lost in entry.lost:  # a helper died: what the meeting lost
                text += "\n" + self.tr("Lost: {what}").format(what=lost)
            self.summary.setText(text)
        self.connections.show_entry(entry)

    # ------------------------------------------------------------------ signals

    def on_event(self, event: Event) -> None:
        """A state change or live network data of a session."""
        try:
            entry = self.bridge.service.entry(event.session_id)
        except KeyError:
            return
        self.wipe_steps.note_event(event)
        self.add_session(event.session_id)
        self._refresh_row(entry)
        if self.selected_id() == event.session_id:
            self._show_details()
            if event.data is None and event.state in _ENDING:
                # as the wipe steps do: the step this event announces, even when the
                # session is already further on by the time the GUI thread gets here
                self.stop_button.setToolTip(no_cancel_reason())
        if isinstance(event.data, HelperLost):
            self.notice.emit(self.tr("{id}: {what}").format(id=event.session_id,
                                                            what=event.data.effect))
        if isinstance(event.data, Mic) and event.data.error:
            self.notice.emit(self.tr("The microphone of {id} stays muted: {why}").format(
                id=event.session_id, why=event.data.error))

    def on_finished(self, finished: Finished) -> None:
        """A session ended: freeze its row and show the summary."""
        try:
            entry = self.bridge.service.entry(finished.session_id)
        except KeyError:
            return
        self.add_session(finished.session_id)
        self._refresh_row(entry)
        if self.selected_id() == finished.session_id:
            self._show_details()
        if entry.outcome is not None:  # replaces "Stopping … and wiping it…" in the status bar
            self.notice.emit(self.tr("{id} ended. {summary}").format(
                id=finished.session_id, summary=summary_text(entry.outcome.report)))

    def _tick(self) -> None:
        self._ticks += 1
        for entry in self.bridge.service.entries():
            self._refresh_row(entry)
            if entry.active and entry.state is State.RUNNING and (
                    self._ticks % (USAGE_EVERY_MS // 1000) == 0):
                self._measure(entry.id)

    def _measure(self, session_id: str) -> None:
        def done(usage: object) -> None:
            if isinstance(usage, Usage):
                self.usage[session_id] = usage
                self._refresh_row(self.bridge.service.entry(session_id))

        self.bridge.call(lambda: self.bridge.service.usage(session_id), done)

    def _show_mic(self, entry: SessionEntry | None) -> None:
        """The switch follows the session's own mic events: it shows what *is*, not
        what was asked (a switch-on that failed stays off, with the reason)."""
        usable = (entry is not None and entry.active and entry.state is State.RUNNING
                  and entry.mic_muted is not None)
        on = entry is not None and entry.mic_muted is False
        self.mic_button.setEnabled(usable)
        self.mic_button.setChecked(on)
        self.mic_button.setText(self.tr("&Mute microphone") if on
                                else self.tr("&Microphone on"))
        why = ""
        if entry is not None and entry.active and entry.mic_muted is None:
            why = self.tr("This session has no microphone to switch (no sound server, "
                          "--no-mic, or the system policy).")
        self.mic_button.setToolTip(why)
        self.mic_button.setAccessibleDescription(why)

    # ------------------------------------------------------------------ actions

    def _mic_clicked(self, checked: bool) -> None:
        session_id = self.selected_id()
        if session_id:
            self.set_mic(session_id, muted=not checked)

    def set_mic(self, session_id: str, *, muted: bool) -> None:
        """Ask a running session to mute or unmute; the button follows its answer."""
        self.bridge.call(lambda: self.bridge.service.set_mic(session_id, muted))
        text = (self.tr("Muting the microphone of {id}…") if muted
                else self.tr("Switching on the microphone of {id}…"))
        self.notice.emit(text.format(id=session_id))

    def stop_selected(self) -> None:
        """Stop & Wipe the selected session (after asking, unless told not to ask)."""
        session_id = self.selected_id()
        if session_id:
            self.ask_stop(session_id)

    def ask_stop(self, session_id: str) -> QMessageBox | None:
        """"Stop TITLE and wipe it?", then stop; the question, if one was asked."""
        self.settings = self.settings or UiSettings()
        return ask_stop(self.window(), self.bridge.service.entry(session_id).title,
                        session_id, self.settings, lambda: self.stop(session_id))

    def stop(self, session_id: str) -> None:
        """Ask a session to stop; its row then follows it through wiping to wiped."""
        self.stop_button.setEnabled(False)
        self.bridge.call(lambda: self.bridge.service.stop(session_id))
        self.notice.emit(self.tr("Stopping {id} and wiping it…").format(id=session_id))

    def _ask_report_path(self) -> None:
        session_id = self.selected_id()
        if not session_id:
            return
        dialog = QFileDialog(self, self.tr("Save the session report"),
                             str(Path.home() / f"{session_id}.json"), "JSON (*.json)")
        dialog.setAcceptMode(QFileDialog.AcceptMode.AcceptSave)
        dialog.setObjectName("reportDialog")
        dialog.fileSelected.connect(lambda path: self.save_report(session_id, Path(path)))
        dialog.open()

    def save_report(self, session_id: str, path: Path) -> None:
        """Write the session's full report (summary, connections, wipe checks) to *path*."""
        def failed(error: LauncherError) -> None:
            show_error(self, error)

        def done(_: object) -> None:
            self.notice.emit(self.tr("Report saved to {path}").format(path=path))

        def write() -> None:
            try:
                self.bridge.service.save_report(session_id, path)
            except OSError as exc:
                raise LauncherError(f"the report could not be saved: {exc.strerror}",
                                    "choose another folder", details=str(exc)) from exc

        self.bridge.call(write, done, failed)
