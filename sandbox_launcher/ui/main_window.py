"""The main window: profile cards and launch panel on top, sessions below."""

from __future__ import annotations

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QCloseEvent
from PySide6.QtWidgets import (
    QApplication,
    QDialog,
    QFrame,
    QMainWindow,
    QMessageBox,
    QProgressDialog,
    QScrollArea,
    QSplitter,
    QVBoxLayout,
    QWidget,
)

from ..clients.vendors import VENDORS
from ..core.errors import LauncherError
from ..core.plan import RunOptions
from ..core.profile import Profile, ProfileSet
from ..session.choices import DeviceChoices
from ..session.clients import ClientService
from ..session.lifecycle import Event
from .bridge import ServiceBridge
from .client_errors import for_the_launch
from .clients_dialog import ClientsDialog
from .errors import show_error
from .guest_images import GuestImages
from .icons import app_icon
from .launch_panel import LaunchPanel
from .meeting_links import MeetingLinks
from .profile_editor import ProfileEditor
from .profile_list import ProfileList
from .questions import ask_quit
from .session_trouble import live_notice
from .sessions_view import SessionsView
from .settings import UiSettings
from .spares import keep_spares
from .welcome import WelcomeBar
from .window_menus import WindowMenus


class MainWindow(QMainWindow):
    """Profiles, per-launch options and sessions; closing it keeps the tray."""

    #: a session was started from the window or the tray (its id)
    session_started = Signal(str)
    #: profiles were (re)loaded
    profiles_loaded = Signal()
    #: closing hid the window into the tray for the first time (the tray says so, once)
    kept_in_tray = Signal()

    def __init__(self, bridge: ServiceBridge, parent: QWidget | None = None, *,
                 clients: ClientService | None = None,
                 settings: UiSettings | None = None) -> None:
        super().__init__(parent)
        self.bridge = bridge
        self.settings = settings or UiSettings()
        self.quitting = False
        self.quit_question: QMessageBox | None = None
        self.clients = clients or ClientService(bridge.service)
        self.clients_dialog: ClientsDialog | None = None
        self.keep_in_tray = False  # set by the tray when a tray host is there
        self.profiles: dict[str, Profile] = {}
        self.locks: dict[str, str] = {}
        self.editor: ProfileEditor | None = None
        self.setObjectName("mainWindow")
        self.setWindowTitle(self.tr("Sandbox Launcher"))
        self.setWindowIcon(app_icon(False))
        self.resize(1040, 720)
        self.profile_list = ProfileList()
        self.launch_panel = LaunchPanel()
        self.sessions = SessionsView(bridge)
        self.sessions.settings = self.settings
        self.welcome = WelcomeBar()
        self.setCentralWidget(self._layout())
        self.links = MeetingLinks(bridge, self)
        self.links.launch_requested.connect(self.launch)
        self.links.notice.connect(self.show_notice)
        self.guest_images = GuestImages(bridge, self)  # a VM session's image error offers it
        #: The menu bar's actions (ui/window_menus.py).
        self.menus = WindowMenus(self)
        self.profile_list.profile_selected.connect(self._select)
        self.profile_list.doubleClicked.connect(lambda _index: self.edit_profile())
        self.launch_panel.launch_requested.connect(self.launch)
        self.installed_clients: set[str] | None = None  # store vendors; None: not read yet
        self._connect_first_steps()
        self.launch_panel.device_choices_wanted.connect(
            lambda: self.bridge.call(self.bridge.service.device_choices,
                                     self.launch_panel.set_device_choices))
        self.sessions.notice.connect(lambda text: self.statusBar().showMessage(text, 8000))
        self.bridge.session_event.connect(self._on_live_trouble)
        self.statusBar().showMessage(self.tr("Ready."))
        self.reload_profiles()
        self.check_clients()
        self.bridge.call(self.bridge.service.wipe_stale, self._stale_wiped)
        # Downloads an earlier run left waiting (it quit or crashed) are asked about again.
        self.sessions.downloads.offer_waiting()

    def _layout(self) -> QWidget:
        """The welcome bar; profiles and launch panel side by side; sessions below."""
        top = QSplitter(Qt.Orientation.Horizontal)
        top.addWidget(self.profile_list)
        # Scrolls rather than squeezing its rows into each other when the sessions below
        # take the height (wipe steps, a downloads bar) in a small window.
        launch_scroll = QScrollArea()
        launch_scroll.setObjectName("launchScroll")
        launch_scroll.setWidgetResizable(True)
        launch_scroll.setFrameShape(QFrame.Shape.NoFrame)
        launch_scroll.setWidget(self.launch_panel)
        top.addWidget(launch_scroll)
        top.setSizes([440, 600])
        split = QSplitter(Qt.Orientation.Vertical)
        split.addWidget(top)
        split.addWidget(self.sessions)
        split.setSizes([400, 320])
        central = QWidget()
        layout = QVBoxLayout(central)
        layout.addWidget(self.welcome)
        layout.addWidget(split)
        return central

    def _connect_first_steps(self) -> None:
        """The welcome bar and the launch panel's Install… button."""
        self.launch_panel.install_requested.connect(self.open_clients)
        self.welcome.join_requested.connect(self.links.open)
        self.welcome.start_zoom.connect(lambda: self.launch("zoom", RunOptions()))
        self.welcome.install_zoom.connect(lambda: self.open_clients("zoom"))

    def open_clients(self, vendor: str = "") -> ClientsDialog:
        """Show the Clients window (one, kept: a running job survives closing it), with
        *vendor* chosen if given."""
        if self.clients_dialog is None:
            self.clients_dialog = ClientsDialog(self.bridge, self.clients, self)
            self.clients_dialog.notice.connect(self.show_notice)
            self.clients_dialog.store_changed.connect(self.check_clients)
        if vendor:
            self.clients_dialog.choose_vendor(vendor)
        self.clients_dialog.show()
        self.clients_dialog.raise_()
        self.clients_dialog.activateWindow()
        return self.clients_dialog

    def show_notice(self, text: str) -> None:
        """A line in the status bar for a while."""
        self.statusBar().showMessage(text, 8000)

    # ------------------------------------------------------------------ profiles

    def reload_profiles(self, select: str = "") -> None:
        """Read profiles and policy locks on a worker, then show them."""
        service = self.bridge.service

        def load() -> tuple[ProfileSet, dict[str, str], DeviceChoices]:
            return service.profiles(), service.locked_fields(), service.device_choices()

        def done(result: object) -> None:
            assert isinstance(result, tuple)
            found, locks, choices = result
            assert isinstance(found, ProfileSet) and isinstance(locks, dict)
            self.profiles, self.locks = dict(found.profiles), dict(locks)
            self.launch_panel.set_device_choices(choices)
            self.profile_list.set_profiles(list(self.profiles.values()), self.locks,
                                           self.settings.order_key)
            if select:
                self.profile_list.select(select)
            self._select(self.profile_list.current_name())
            for error in found.broken:
                self.statusBar().showMessage(
                    self.tr("A profile file is broken: {why}").format(why=error.summary))
            self.profiles_loaded.emit()

        def failed(error: LauncherError) -> None:
            show_error(self, error)

        self.bridge.call(load, done, failed)

    def _select(self, name: str) -> None:
        self.launch_panel.set_profile(self.profiles.get(name), self.locks)
        self._show_missing_client()

    def check_clients(self) -> None:
        """Read which vendor clients the store holds (on a worker); Launch becomes
        Install… for a profile whose client is missing, and the welcome bar follows."""
        def done(listing: object) -> None:
            if isinstance(listing, list):
                self.installed_clients = {i.vendor.name for i in listing if i.versions}
                self._show_missing_client()

        self.bridge.call(self.clients.listing, done)

    def _show_missing_client(self) -> None:
        installed = self.installed_clients
        self.welcome.set_zoom_installed(installed is None or "zoom" in installed)
        profile = self.launch_panel.profile
        vendor = profile["client"] if profile is not None else ""
        missing = installed is not None and vendor in VENDORS and vendor not in installed
        self.launch_panel.set_missing_client(vendor if missing else "",
                                             VENDORS[vendor].title if missing else "")

    def edit_profile(self, new: bool = False) -> ProfileEditor:
        """Open the editor (non-modal) for the selected profile, or a new one."""
        profile = None if new else self.profiles.get(self.profile_list.current_name())
        self.editor = ProfileEditor(self.bridge, profile, self.locks, self,
                                    templates=self.profiles)
        self.editor.saved.connect(lambda name: self.reload_profiles(select=name))
        self.editor.removed.connect(lambda name: self.reload_profiles(select=name))
        self.editor.removed.connect(lambda name: self.statusBar().showMessage(
            self.tr("Profile {name}: your file of it was removed.").format(name=name), 8000))
        self.editor.saved.connect(lambda name: self.statusBar().showMessage(
            self.tr("Profile {name} saved.").format(name=name), 8000))
        self.editor.open()
        return self.editor

    # ------------------------------------------------------------------ sessions

    def launch(self, name: str, options: RunOptions) -> None:
        """Start a session on the service (planning runs on a worker thread)."""
        self.launch_panel.set_busy(True)
        self.statusBar().showMessage(self.tr("Starting {name}…").format(name=name))

        def done(session_id: object) -> None:
            self.launch_panel.set_busy(False)
            self.settings.count_use(name)
            keep_spares(self.bridge, self.settings)  # the most used may have changed
            self.sessions.add_session(str(session_id))
            self.statusBar().showMessage(self.tr("Session {id} started.").format(
                id=session_id), 8000)
            self.session_started.emit(str(session_id))

        def failed(error: LauncherError) -> None:
            self.launch_panel.set_busy(False)
            self.statusBar().showMessage(error.summary, 8000)
            box = show_error(self, for_the_launch(error),
                             self.tr("Could not start {name}").format(name=name))
            vendor = self.profiles[name]["client"] if name in self.profiles else ""
            if vendor in VENDORS and "client install" in error.hint:
                install = box.addButton(self.tr("&Install {title}…").format(
                    title=VENDORS[vendor].title), QMessageBox.ButtonRole.ActionRole)
                install.setObjectName("installClient")
                install.clicked.connect(lambda: self.open_clients(vendor))

        self.bridge.call(lambda: self.bridge.service.start(name, options), done, failed)

    def _on_live_trouble(self, event: Event) -> None:
        """A server that does not answer, said while the meeting runs."""
        notice = live_notice(event.data) if event.data is not None else ""
        if notice:
            self.statusBar().showMessage(
                self.tr("{id}: {notice}").format(id=event.session_id, notice=notice), 15000)

    def _stale_wiped(self, wiped: object) -> None:
        count = len(wiped) if isinstance(wiped, list) else 0
        if count:
            self.statusBar().showMessage(
                self.tr("Wiped %n session(s) left by a launcher that died.", "", count), 10000)

    # ------------------------------------------------------------------ closing

    def sorted_profiles(self) -> list[Profile]:
        """The profiles in the order the list shows them (most used first, Zoom first)."""
        return sorted(self.profiles.values(),
                      key=lambda p: self.settings.order_key(p.name, p.title))

    def handed_over(self, link: str) -> None:
        """A second start of the app: show this one, and open the link it brought."""
        self.show()
        self.raise_()
        self.activateWindow()
        if link:
            self.links.open(link.strip())

    def closeEvent(self, event: QCloseEvent) -> None:  # noqa: N802 (Qt's name)
        """With a tray, closing only hides the window (said once); sessions go on."""
        if self.quitting:
            event.accept()
        elif self.keep_in_tray:
            self.hide()
            event.ignore()
            if not self.settings.tray_notice_shown:
                self.settings.tray_notice_shown = True
                self.kept_in_tray.emit()
        else:
            event.ignore()
            self.quit()

    def quit(self) -> QMessageBox | None:
        """Quit for real; with meetings running, ask first (the question, if asked)."""
        active = self.bridge.service.active_count()
        if not active:
            self.really_quit()
            return None
        if self.quit_question is not None and self.quit_question.isVisible():
            self.quit_question.raise_()
            return self.quit_question
        self.quit_question = ask_quit(self, active, tray=self.keep_in_tray,
                                      stop_all=self.stop_all_and_quit, keep=self.hide)
        return self.quit_question

    def stop_all_and_quit(self) -> None:
        """Stop every session, wait for the wipes (with progress), then quit."""
        active = self.bridge.service.active_count()
        progress = QProgressDialog(
            self.tr("Stopping %n session(s) and wiping…", "", active), "", 0, 0, self)
        progress.setCancelButton(None)
        progress.setObjectName("quitProgress")
        progress.setWindowModality(Qt.WindowModality.WindowModal)
        progress.show()

        def done(_: object) -> None:
            progress.close()
            self.really_quit()

        self.bridge.call(self.bridge.service.shutdown, done)

    def really_quit(self) -> None:
        """End the event loop. Since Qt 6, quit() first asks every window to close, and
        this window, hiding into the tray, refused: Quit only hid it. Now it agrees
        (``quitting``). Not exit(): outside the loop that leaves the thread marked as
        quitting, and queued signals (the bridge's results) are no longer delivered."""
        self.quitting = True
        for widget in QApplication.topLevelWidgets():
            if isinstance(widget, QDialog) and widget.isVisible():
                widget.close()
        QApplication.quit()
