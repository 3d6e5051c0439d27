"""The tray icon: launch profiles, join meetings, switch microphones, stop sessions.

The icon shows state (idle, session running, microphone live, screen shared, camera
live); balloons announce session start and end and bursts of blocked connections.
"""

from __future__ import annotations

import time
from collections.abc import Callable

from PySide6.QtCore import QObject, Signal
from PySide6.QtGui import QAction
from PySide6.QtWidgets import QInputDialog, QMenu, QMessageBox, QSystemTrayIcon

from ..core.plan import RunOptions
from ..session.entries import Finished
from ..session.events import Connections, DeviceUse, HelperLost, Mic
from ..session.lifecycle import Event, State
from ..session.live import BurstWatch, Indicator, LiveState
from . import profile_text
from .bridge import ServiceBridge
from .clients_dialog import ClientsDialog
from .icons import state_icon
from .main_window import MainWindow
from .session_texts import state_text, summary_text

NOTIFY_MS = 6000


class Tray(QObject):
    """The icon shows the live state; its menu rebuilds itself each time it opens."""

    #: a desktop notification was shown (title, text)
    notified = Signal(str, str)

    def __init__(self, bridge: ServiceBridge, window: MainWindow,
                 clock: Callable[[], float] = time.monotonic) -> None:
        super().__init__(window)
        self.bridge = bridge
        self.window = window
        self.clock = clock
        self.bursts = BurstWatch()
        self.indicator = Indicator.IDLE
        self.icon = QSystemTrayIcon(state_icon(Indicator.IDLE), self)
        self.icon.setObjectName("trayIcon")
        self.icon.setToolTip(self.tr("Sandbox Launcher: no session running"))
        self.menu = QMenu()
        self.menu.setObjectName("trayMenu")
        self.menu.setAccessibleName(self.tr("Sandbox Launcher"))
        self.menu.aboutToShow.connect(self.rebuild)
        self.icon.setContextMenu(self.menu)
        self.icon.activated.connect(self._activated)
        bridge.session_event.connect(self._on_event)
        bridge.session_finished.connect(self._on_finished)
        window.profiles_loaded.connect(self.rebuild)
        window.kept_in_tray.connect(lambda: self.notify(
            self.tr("Sandbox Launcher is still running"),
            self.tr("It stays here in the tray, and running meetings go on. To end it, "
                    "choose Quit in this icon's menu.")))
        self.rebuild()

    @property
    def running(self) -> bool:
        """Whether any session has not ended yet."""
        return self.indicator is not Indicator.IDLE

    def show(self) -> bool:
        """Show the icon if there is a tray host; True if shown."""
        if not QSystemTrayIcon.isSystemTrayAvailable():
            return False
        self.icon.show()
        self.window.keep_in_tray = True
        return True

    def rebuild(self) -> None:
        """Profiles, join from clipboard, running sessions with stop, window, quit."""
        self.menu.clear()
        self.menu.addSection(self.tr("Launch"))
        for profile in self.window.sorted_profiles():
            action = QAction(profile_text.plain_title(profile).replace("&", "&&"), self.menu)
            action.setObjectName(f"launch-{profile.name}")
            action.triggered.connect(
                lambda _checked=False, name=profile.name: self.window.launch(name, RunOptions()))
            self.menu.addAction(action)
        join = QAction(self.tr("Join meeting from clipboard"), self.menu)
        join.setObjectName("joinFromClipboard")
        join.triggered.connect(lambda _checked=False: self.join_from_clipboard())
        self.menu.addAction(join)
        opener = QAction(self.tr("Open meeting link…"), self.menu)
        opener.setObjectName("openMeetingLink")
        opener.triggered.connect(lambda _checked=False: self.open_meeting_link())
        self.menu.addAction(opener)
        clients = QAction(self.tr("Clients…"), self.menu)
        clients.setObjectName("manageClients")
        clients.triggered.connect(lambda _checked=False: self.open_clients())
        self.menu.addAction(clients)
        active = [e for e in self.bridge.service.entries() if e.active]
        if active:
            self.menu.addSection(self.tr("Running sessions"))
            for entry in active:
                if entry.mic_muted is not None and entry.state is State.RUNNING:
                    self.menu.addAction(self._mic_action(entry.id, entry.title,
                                                         entry.mic_muted))
                ending = entry.state in (State.STOPPING, State.WIPING, State.VERIFYING)
                text = (self.tr("{title} ({id}): {state}…") if ending
                        else self.tr("Stop && wipe {title} ({id})"))
                action = QAction(text.format(title=entry.title, id=entry.id,
                                             state=state_text(entry.state)), self.menu)
                action.setObjectName(f"stop-{entry.id}")
                action.setEnabled(entry.state in (State.PREPARING, State.STARTING,
                                                  State.RUNNING))
                action.triggered.connect(
                    lambda _checked=False, sid=entry.id: self.window.sessions.ask_stop(sid))
                self.menu.addAction(action)
        self.menu.addSeparator()
        opener = QAction(self.tr("Open window"), self.menu)
        opener.setObjectName("openWindow")
        opener.triggered.connect(self.open_window)
        self.menu.addAction(opener)
        quitter = QAction(self.tr("Quit"), self.menu)
        quitter.setObjectName("quit")
        quitter.triggered.connect(self.window.quit)
        self.menu.addAction(quitter)

    def action(self, name: str) -> QAction | None:
        """The menu action called *name* (tests and keyboard users find them by name)."""
        for action in self.menu.actions():
            if action.objectName() == name:
                return action
        return None

    def open_window(self) -> None:
        """Show and raise the main window."""
        self.window.show()
        self.window.raise_()
        self.window.activateWindow()

    def _mic_action(self, session_id: str, title: str, muted: bool) -> QAction:
        action = QAction(self.tr("Microphone on: {title} ({id})").format(
            title=title, id=session_id), self.menu)
        action.setObjectName(f"mic-{session_id}")
        action.setCheckable(True)
        action.setChecked(not muted)
        action.toggled.connect(
            lambda on, sid=session_id: self.window.sessions.set_mic(sid, muted=not on))
        return action

    def join_from_clipboard(self) -> QMessageBox | QInputDialog | None:
        """Check the link on the clipboard and start its profile (the box shown, if any)."""
        return self.window.links.from_clipboard()

    def open_meeting_link(self) -> QInputDialog:
        """Ask for a meeting link (with the window, so the dialog has a parent to sit on)."""
        self.open_window()
        return self.window.links.ask()

    def open_clients(self) -> ClientsDialog:
        """The Clients window (with the main window, like the other dialogs)."""
        self.open_window()
        return self.window.open_clients()

    def _activated(self, reason: QSystemTrayIcon.ActivationReason) -> None:
        if reason == QSystemTrayIcon.ActivationReason.Trigger:
            if self.window.isVisible():
                self.window.hide()
            else:
                self.open_window()

    def notify(self, title: str, text: str) -> None:
        """A desktop notification (the tray host's, or Qt's balloon)."""
        self.icon.showMessage(title, text, QSystemTrayIcon.MessageIcon.Information, NOTIFY_MS)
        self.notified.emit(title, text)

    def tooltip(self, live: LiveState) -> str:
        """The icon's tooltip: the state the icon shows, in words."""
        count = live.sessions
        if live.camera and live.mic:
            return self.tr("Sandbox Launcher: camera and microphone live, "
                           "%n session(s) running", "", count)
        if live.camera:
            return self.tr("Sandbox Launcher: camera live, %n session(s) running", "", count)
        if live.screen:
            return (self.tr("Sandbox Launcher: screen shared and microphone live, "
                            "%n session(s) running", "", count) if live.mic else
                    self.tr("Sandbox Launcher: screen shared, %n session(s) running", "",
                            count))
        if live.mic:
            return self.tr("Sandbox Launcher: microphone live, %n session(s) running", "",
                           count)
        if count:
            return self.tr("Sandbox Launcher: %n session(s) running", "", count)
        return self.tr("Sandbox Launcher: no session running")

    def _update_icon(self) -> None:
        live = self.bridge.service.live_state()
        if live.indicator is not self.indicator:
            self.indicator = live.indicator
            self.icon.setIcon(state_icon(live.indicator))
        self.icon.setToolTip(self.tooltip(live))

    def _on_event(self, event: Event) -> None:
        if event.data is not None:
            match event.data:
                case Mic() | DeviceUse():  # a device started or stopped being in use
                    self._update_icon()
                case Connections() as snapshot:
                    self._check_burst(event.session_id, snapshot)
                case HelperLost(effect=effect):
                    self.notify(self.tr("Session {id} lost a helper").format(
                        id=event.session_id), effect)
            return
        self._update_icon()
        if event.state is State.RUNNING:
            title = self.bridge.service.entry(event.session_id).title
            self.notify(self.tr("Session started"),
                        self.tr("{title} is running in a sandbox ({id}).").format(
                            title=title, id=event.session_id))

    def _check_burst(self, session_id: str, snapshot: Connections) -> None:
        new = self.bursts.update(session_id, snapshot.rows(), self.clock())
        if new:
            self.notify(self.tr("Connections blocked: {id}").format(id=session_id),
                        self.tr("The sandbox blocked %n new destination(s) in the last "
                                "seconds. The session's connection list names them.", "",
                                new))

    def _on_finished(self, finished: Finished) -> None:
        self._update_icon()
        self.bursts.forget(finished.session_id)
        if finished.outcome is not None:
            text = summary_text(finished.outcome.report)
        elif finished.error is not None:
            text = finished.error.summary
        else:
            text = ""
        self.notify(self.tr("Session ended: {id}").format(id=finished.session_id), text)
