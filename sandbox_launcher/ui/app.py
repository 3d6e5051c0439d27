"""Start the desktop app: ``main(service)``, with the service passed in (never global)."""

from __future__ import annotations

import sys
from dataclasses import dataclass
from importlib import resources
from pathlib import Path

from PySide6.QtCore import QLibraryInfo, QLocale, QTranslator
from PySide6.QtWidgets import QApplication

from ..session.clients import ClientService
from ..session.service import SessionService
from .bridge import ServiceBridge
from .collector import GuiThreadCollector
from .icons import app_icon
from .main_window import MainWindow
from .tray import Tray

APP_NAME = "sandbox-launcher"


def i18n_dir() -> Path:
    """Where the compiled translations (.qm) ship."""
    return Path(str(resources.files("sandbox_launcher.ui") / "i18n"))


def install_translators(app: QApplication, locale: QLocale) -> list[QTranslator]:
    """Our strings and Qt's own (buttons such as Save/Cancel), for *locale*."""
    installed = []
    for name, directory in (("sandbox_launcher", str(i18n_dir())),
                            ("qtbase", QLibraryInfo.path(QLibraryInfo.LibraryPath.
                                                         TranslationsPath))):
        translator = QTranslator(app)
        if translator.load(locale, name, "_", directory):
            app.installTranslator(translator)
            installed.append(translator)
    return installed


@dataclass
class App:
    """Everything main() builds, so tests can drive it."""

    qapp: QApplication
    bridge: ServiceBridge
    window: MainWindow
    tray: Tray
    tray_shown: bool
    translators: list[QTranslator]


def build(service: SessionService, *, tray_only: bool = False,
          locale: QLocale | None = None, ask_link: bool = False,
          clients: ClientService | None = None) -> App:
    """Create the window and the tray around *service* (a QApplication must not exist yet
    or is reused); *clients* is the client store's service (default: the user's store)."""
    existing = QApplication.instance()
    qapp = existing if isinstance(existing, QApplication) else QApplication(
        [sys.argv[0] if sys.argv else APP_NAME])
    qapp.setApplicationName(APP_NAME)
    qapp.setApplicationDisplayName("Sandbox Launcher")
    qapp.setDesktopFileName(APP_NAME)
    qapp.setWindowIcon(app_icon(False))
    GuiThreadCollector.install(qapp)  # before any worker thread exists
    translators = install_translators(qapp, locale or QLocale.system())
    bridge = ServiceBridge(service, qapp)
    window = MainWindow(bridge, clients=clients)
    tray = Tray(bridge, window)
    shown = tray.show()
    # With a tray, the app lives on when its window is closed; without one it cannot.
    qapp.setQuitOnLastWindowClosed(not shown)
    if not tray_only or not shown or ask_link:
        window.show()
    if ask_link:  # the desktop entry's "Open meeting link" action
        window.links.ask()
    return App(qapp, bridge, window, tray, shown, translators)


def main(service: SessionService, *, tray_only: bool = False,
         ask_link: bool = False) -> int:
    """Run the app until Quit; every session is stopped and wiped before it returns."""
    app = build(service, tray_only=tray_only, ask_link=ask_link)
    if tray_only and not app.tray_shown:
        print("sandbox-launcher: no system tray here; showing the window instead",
              file=sys.stderr)
    status = app.qapp.exec()
    service.shutdown()
    return status
