"""The top of the window for someone who just wants a meeting: paste a link and Join,
Start Zoom, or Install Zoom… when it is not installed yet. Nothing here is an error:
a first run shows what to do, not what went wrong."""

from __future__ import annotations

from PySide6.QtCore import Signal
from PySide6.QtWidgets import (
    QFrame,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QVBoxLayout,
    QWidget,
)


class WelcomeBar(QFrame):
    """"Join a meeting": a link field and Join; Start Zoom / Install Zoom…."""

    #: the text in the link field (the window's link checker takes it from here)
    join_requested = Signal(str)
    #: Start Zoom was pressed
    start_zoom = Signal()
    #: Install Zoom… was pressed
    install_zoom = Signal()

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("welcome")
        self.setFrameShape(QFrame.Shape.StyledPanel)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(10, 8, 10, 8)
        heading = QLabel("<b>" + self.tr("Join a meeting") + "</b>")
        layout.addWidget(heading)
        row = QHBoxLayout()
        self.link = QLineEdit()
        self.link.setObjectName("welcomeLink")
        self.link.setPlaceholderText(self.tr("Paste the meeting link from the invitation "
                                             "(Zoom, Teams, Webex, Jitsi, …)"))
        self.link.setAccessibleName(self.tr("Meeting link"))
        self.link.setClearButtonEnabled(True)
        self.link.returnPressed.connect(self._join)
        self.link.textChanged.connect(self._update)
        heading.setBuddy(self.link)
        row.addWidget(self.link, 1)
        self.join = QPushButton(self.tr("&Join"))
        self.join.setObjectName("welcomeJoin")
        self.join.clicked.connect(self._join)
        row.addWidget(self.join)
        self.or_label = QLabel(self.tr("or"))
        row.addWidget(self.or_label)
        self.zoom = QPushButton(self.tr("Start &Zoom"))
        self.zoom.setObjectName("welcomeZoom")
        self.zoom.clicked.connect(self._zoom_clicked)
        row.addWidget(self.zoom)
        layout.addLayout(row)
        self.zoom_installed = True
        self.set_zoom_installed(True)
        self._update()

    def set_zoom_installed(self, installed: bool) -> None:
        """Start Zoom when its client is in the store, else Install Zoom…."""
        self.zoom_installed = installed
        if installed:
            self.zoom.setText(self.tr("Start &Zoom"))
            self.zoom.setToolTip(self.tr("Start the Zoom client in a fresh sandbox"))
        else:
            self.zoom.setText(self.tr("Install &Zoom…"))
            self.zoom.setToolTip(self.tr("Zoom is not installed yet: open the Clients "
                                         "window to install it from Zoom's package"))

    def _zoom_clicked(self) -> None:
        if self.zoom_installed:
            self.start_zoom.emit()
        else:
            self.install_zoom.emit()

    def _update(self) -> None:
        self.join.setEnabled(bool(self.link.text().strip()))

    def _join(self) -> None:
        text = self.link.text().strip()
        if text:
            self.join_requested.emit(text)
