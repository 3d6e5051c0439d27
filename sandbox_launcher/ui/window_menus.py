"""The main window's menu bar: Profiles (new, edit, launch, verify, start at login,
spares, quit), Meeting (links), Sessions (stop, downloads waiting), Clients (manage,
sign-ins, guest images), Help (check this computer); and what only the menu does: verify a
profile's isolation, start at login.

The strings keep the translation context ``MainWindow`` they were written under.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from PySide6.QtCore import QCoreApplication
from PySide6.QtGui import QAction, QKeySequence

from ..core.errors import LauncherError
from ..host import autostart
from .errors import show_error
from .host_check import host_check_action
from .spares import spares_action
from .vault_dialog import vault_action

if TYPE_CHECKING:  # the window builds its menus: no import cycle at run time
    from .main_window import MainWindow


def _action(window: MainWindow, text: str,
            shortcut: QKeySequence.StandardKey | str = "", name: str = "") -> QAction:
    action = QAction(text, window)
    if shortcut:
        action.setShortcut(QKeySequence(shortcut))
    if name:
        action.setObjectName(name)
    return action


class WindowMenus:
    """The window's actions, each in its menu."""

    def __init__(self, window: MainWindow) -> None:
        self._window = window
        translate = QCoreApplication.translate
        links, sessions = window.links, window.sessions
        self.new_action = _action(window, translate("MainWindow", "&New profile…"),
                                  QKeySequence.StandardKey.New)
        self.new_action.triggered.connect(lambda: window.edit_profile(new=True))
        self.edit_action = _action(window, translate("MainWindow", "&Edit profile…"),
                                   "Ctrl+E")
        self.edit_action.triggered.connect(lambda _checked=False: window.edit_profile())
        self.launch_action = _action(window, translate("MainWindow", "&Launch"),
                                     "Ctrl+Return")
        self.launch_action.triggered.connect(window.launch_panel.launch_button.click)
        self.verify_action = _action(window, translate("MainWindow", "&Verify isolation…"))
        self.verify_action.triggered.connect(self._verify_profile)
        self.autostart_action = _action(window, translate("MainWindow",
                                                          "Start in tray at &login"))
        self.autostart_action.setCheckable(True)
        self.autostart_action.setChecked(autostart.is_enabled())
        self.autostart_action.toggled.connect(self._set_autostart)
        self.quit_action = _action(window, translate("MainWindow", "&Quit"),
                                   QKeySequence.StandardKey.Quit)
        self.quit_action.triggered.connect(window.quit)
        self.join_action = _action(window, translate("MainWindow",
                                                     "Join meeting from &clipboard"),
                                   "Ctrl+Shift+V", "joinFromClipboard")
        self.join_action.triggered.connect(lambda _checked=False: links.from_clipboard())
        self.open_link_action = _action(window, translate("MainWindow",
                                                          "&Open meeting link…"),
                                        "Ctrl+L", "openMeetingLink")
        self.open_link_action.triggered.connect(lambda _checked=False: links.ask())
        self.stop_action = _action(window, translate("MainWindow", "&Stop && wipe selected"),
                                   "Ctrl+W")
        self.stop_action.triggered.connect(sessions.stop_selected)
        self.downloads_action = _action(window, translate("MainWindow",
                                                          "&Downloads waiting…"),
                                        "Ctrl+Shift+D", "downloadsWaiting")
        self.downloads_action.triggered.connect(
            lambda _checked=False: sessions.downloads.offer_waiting(say_none=True))
        self.clients_action = _action(window, translate("MainWindow", "&Manage clients…"),
                                      "Ctrl+Shift+C", "manageClients")
        self.clients_action.triggered.connect(lambda _checked=False: window.open_clients())
        self._fill()

    def _fill(self) -> None:
        window, bar = self._window, self._window.menuBar()
        translate = QCoreApplication.translate
        menu = bar.addMenu(translate("MainWindow", "&Profiles"))
        for action in (self.new_action, self.edit_action, self.launch_action,
                       self.verify_action):
            menu.addAction(action)
        menu.addSeparator()
        menu.addAction(self.autostart_action)
        menu.addAction(spares_action(window.bridge, window.settings, window))
        menu.addSeparator()
        menu.addAction(self.quit_action)
        meeting = bar.addMenu(translate("MainWindow", "&Meeting"))
        meeting.addAction(self.join_action)
        meeting.addAction(self.open_link_action)
        session_menu = bar.addMenu(translate("MainWindow", "&Sessions"))
        session_menu.addAction(self.stop_action)
        session_menu.addAction(self.downloads_action)
        clients_menu = bar.addMenu(translate("MainWindow", "&Clients"))
        clients_menu.addAction(self.clients_action)
        clients_menu.addAction(vault_action(window.bridge, window, window.show_notice))
        clients_menu.addAction(window.guest_images.action())
        help_menu = bar.addMenu(translate("MainWindow", "&Help"))
        help_menu.addAction(host_check_action(window.bridge.call, window))

    def _verify_profile(self) -> None:
        """*Verify isolation…* for the selected profile (its dialog runs the service)."""
        from ..session.verify import verify_profile
        from .verify_dialog import VerifyDialog

        window = self._window
        name, launcher = window.profile_list.current_name(), window.bridge.service.launcher
        if name:
            VerifyDialog(name, lambda p: verify_profile(launcher, p), window.bridge.call,
                         window).open()

    def _set_autostart(self, enabled: bool) -> None:
        translate = QCoreApplication.translate
        try:
            path = autostart.set_enabled(enabled)
        except OSError as exc:
            show_error(self._window, LauncherError(
                translate("MainWindow", "Could not change the login start: {why}").format(
                    why=exc.strerror), details=str(exc)))
            return
        self._window.show_notice(
            (translate("MainWindow", "Starts in the tray at login ({path}).") if enabled
             else translate("MainWindow", "No longer starts at login.")).format(path=path))
