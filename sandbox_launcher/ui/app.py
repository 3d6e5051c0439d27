"""Start the desktop app: ``main(service)``, with the service passed in (never global)."""

from __future__ import annotations

import contextlib
import sys
from dataclasses import dataclass
from importlib import resources
from pathlib import Path

from PySide6.QtCore import QEvent, QLibraryInfo, QLocale, QTranslator
from PySide6.QtWidgets import QApplication

from ..core.errors import LauncherError
from ..session import instance
from ..session.clients import ClientService
from ..session.service import SessionService
from .bridge import ServiceBridge
from .collector import GuiThreadCollector
from .icons import app_icon
from .instance import InstanceServer
from .link_question import LinkQuestions
from .main_window import MainWindow
from .settings import UiSettings
from .spares import keep_spares_soon
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
    #: Asks when a session's client wants an address opened outside (SSO sign-in).
    questions: LinkQuestions | None = None


def build(service: SessionService, *, tray_only: bool = False,
          locale: QLocale | None = None, ask_link: bool = False,
          clients: ClientService | None = None, settings: UiSettings | None = None) -> App:
    """Create the window and the tray around *service* (a QApplication must not exist yet
    or is reused); *clients* is the client store's service (default: the user's store);
    *settings* the app's own settings (default: the user's app.ini)."""
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
    window = MainWindow(bridge, clients=clients, settings=settings)
    keep_spares_soon(bridge, window.settings)
    tray = Tray(bridge, window)
    questions = LinkQuestions(bridge, window)
    service.launcher.ask_link = questions.asker()
    shown = tray.show()
    # With a tray, the app lives on when its window is closed; without one it cannot.
    qapp.setQuitOnLastWindowClosed(not shown)
    if not tray_only or not shown or ask_link:
        window.show()
    if ask_link:  # the desktop entry's "Open meeting link" action
        window.links.ask()
    return App(qapp, bridge, window, tray, shown, translators, questions)


def teardown(app: App) -> None:
    """Take the app down in a fixed order while Python and Qt are both still whole.

    Left to the interpreter's exit, the window, the tray and the bridge were destroyed in
    whatever order finalization picked, some from Qt's side after their Python wrappers
    were gone; that is where "Fatal Python error: none_dealloc" came from on quit.
    """
    app.bridge.service.set_listener(None)  # no more signals into widgets going away
    app.bridge.service.launcher.ask_link = None
    if app.questions is not None:
        app.questions.refuse_all()
    app.tray.icon.hide()
    app.window.quitting = True
    app.window.close()
    app.tray.deleteLater()
    app.window.deleteLater()
    app.bridge.deleteLater()
    # deleteLater runs on DeferredDelete events, which only an event loop delivers
    app.qapp.sendPostedEvents(None, QEvent.Type.DeferredDelete.value)
    app.qapp.processEvents()
    for translator in app.translators:
        app.qapp.removeTranslator(translator)


def main(service: SessionService, *, tray_only: bool = False,
         ask_link: bool = False, link: str = "") -> int:
    """Run the app until Quit; every session is stopped and wiped before it returns.

    One app per user: if one runs already, it is shown (and handed *link*) instead.
    """
    lock = instance.InstanceLock()
    if not lock.acquire():
        if instance.hand_over(link):
            print("sandbox-launcher: the app is already running; it was brought to the "
                  "front" + (" with the link" if link else ""), file=sys.stderr)
            return 0
        print("sandbox-launcher: error: another app holds the lock but does not answer; "
              f"end it, or remove {instance.lock_path()}", file=sys.stderr)
        return 125
    try:
        app = build(service, tray_only=tray_only, ask_link=ask_link)
        server = InstanceServer(instance.socket_path(), app.qapp)
        server.handed.connect(app.window.handed_over)
        if tray_only and not app.tray_shown:
            print("sandbox-launcher: no system tray here; showing the window instead",
                  file=sys.stderr)
        if link:
            app.window.handed_over(link)
        with contextlib.suppress(LauncherError):  # a broken policy: no pool, sessions say why
            service.start_vm_pool(UiSettings().vm_pool_size)
        status = app.qapp.exec()
        server.close()
        service.shutdown()
        teardown(app)
    finally:
        lock.release()
    return status
