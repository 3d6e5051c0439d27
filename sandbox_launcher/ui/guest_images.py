"""Where the app reaches guest images: the menu's *Guest images…*, and a VM session that
could not start because its image is missing or modified, whose error offers *Build the
image…* (the window, with that image selected) instead of a command line.

One :class:`GuestImages` per main window holds the one window (a build survives closing
it) and cancels a running build when the app quits.
"""

from __future__ import annotations

from PySide6.QtCore import QCoreApplication, QObject
from PySide6.QtGui import QAction
from PySide6.QtWidgets import QMessageBox, QWidget

from ..session.entries import Finished
from ..session.images import ImageService, ImageUnusable
from .bridge import ServiceBridge
from .errors import show_error
from .image_errors import for_the_app
from .images_window import ImagesWindow

#: How long quitting waits for a cancelled build to remove its files.
QUIT_WAIT = 60.0


class GuestImages(QObject):
    """The Guest images window's owner, and the offer on a session's image error."""

    def __init__(self, bridge: ServiceBridge, parent: QWidget,
                 images: ImageService | None = None) -> None:
        super().__init__(parent)
        self.bridge = bridge
        self.parent_widget = parent
        self.images = images or ImageService()
        self.window: ImagesWindow | None = None
        self.error_box: QMessageBox | None = None
        bridge.session_finished.connect(self._session_finished)
        app = QCoreApplication.instance()
        if app is not None:
            app.aboutToQuit.connect(self.cancel_builds)

    def action(self) -> QAction:
        """*Guest images…* for a menu."""
        action = QAction(self.tr("&Guest images…"), self.parent_widget)
        action.setObjectName("guestImages")
        action.triggered.connect(lambda _checked=False: self.open())
        return action

    def open(self, name: str = "") -> ImagesWindow:
        """Show the window (one, kept), with *name* selected if given."""
        if self.window is None:
            self.window = ImagesWindow(self.bridge, self.images, self.parent_widget)
        else:
            self.window.refresh()
        if name:
            self.window.select(name)
        self.window.show()
        self.window.raise_()
        self.window.activateWindow()
        return self.window

    def _session_finished(self, finished: Finished) -> None:
        if isinstance(finished.error, ImageUnusable):
            self.offer_build(finished.error)

    def offer_build(self, error: ImageUnusable) -> QMessageBox:
        """The error in words, with *Build the image…* opening the window on it."""
        box = show_error(self.parent_widget, for_the_app(error),
                         self.tr("The meeting could not start"))
        build = box.addButton(self.tr("&Build the image…"), QMessageBox.ButtonRole.ActionRole)
        build.setObjectName("buildTheImage")
        build.clicked.connect(lambda: self.open(error.image))
        self.error_box = box
        return box

    def cancel_builds(self) -> None:
        """Quitting: stop a running build and wait until nothing of it is left."""
        self.images.cancel_all(QUIT_WAIT)
