"""The question at the end of a session: keep its downloads, or discard them.

A non-modal window per session (the app goes on while it is open). Dismissing it decides
nothing: the files keep waiting, and the session's details offer them again.
"""

from __future__ import annotations

from PySide6.QtCore import QCoreApplication, QDate, QDateTime, QLocale, QPointF, QRectF, Qt, Signal
from PySide6.QtGui import QBrush, QColor, QPainter, QPainterPath, QPen, QPixmap
from PySide6.QtWidgets import (
    QAbstractItemView,
    QDialog,
    QDialogButtonBox,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from ..devices.pending import PendingSet, display_name
from .device_fields import NOTE_STYLE
from .icons import IDLE
from .traffic_plot import human_bytes


def download_pixmap(size: int = 48) -> QPixmap:
    """An arrow into a tray: "files that came down", drawn at run time."""
    pixmap = QPixmap(size, size)
    pixmap.fill(Qt.GlobalColor.transparent)
    painter = QPainter(pixmap)
    painter.setRenderHint(QPainter.RenderHint.Antialiasing)
    s = size / 32
    colour = QColor(IDLE)
    painter.setPen(QPen(colour.darker(130), 2.2 * s, Qt.PenStyle.SolidLine,
                        Qt.PenCapStyle.RoundCap, Qt.PenJoinStyle.RoundJoin))
    painter.setBrush(Qt.BrushStyle.NoBrush)
    tray = QPainterPath()
    tray.moveTo(5 * s, 19 * s)
    tray.lineTo(5 * s, 27 * s)
    tray.lineTo(27 * s, 27 * s)
    tray.lineTo(27 * s, 19 * s)
    painter.drawPath(tray)
    painter.setPen(Qt.PenStyle.NoPen)
    painter.setBrush(QBrush(QColor("#2f7fc1")))
    painter.drawRoundedRect(QRectF(13 * s, 3 * s, 6 * s, 12 * s), 1.5 * s, 1.5 * s)
    arrow = QPainterPath()
    arrow.moveTo(QPointF(8 * s, 13 * s))
    arrow.lineTo(QPointF(24 * s, 13 * s))
    arrow.lineTo(QPointF(16 * s, 22 * s))
    arrow.closeSubpath()
    painter.drawPath(arrow)
    painter.end()
    return pixmap


def files_text(count: int) -> str:
    """"one file", "2 files" (English and German have these two forms)."""
    return (QCoreApplication.translate("Downloads", "one file") if count == 1 else
            QCoreApplication.translate("Downloads", "{n} files").format(n=count))


def items_text(count: int) -> str:
    """"one item", "2 items"."""
    return (QCoreApplication.translate("Downloads", "one item") if count == 1 else
            QCoreApplication.translate("Downloads", "{n} items").format(n=count))


def ended_text(pending: PendingSet) -> str:
    """When the session ended: "at 09:58" today, else with the day ("" when unknown)."""
    if pending.ended is None:
        return ""
    when = QDateTime.fromSecsSinceEpoch(int(pending.ended))
    locale = QLocale()
    time = locale.toString(when.time(), QLocale.FormatType.ShortFormat)
    if when.date() == QDate.currentDate():
        return QCoreApplication.translate("Downloads", "at {time}").format(time=time)
    return QCoreApplication.translate("Downloads", "on {date} at {time}").format(
        date=locale.toString(when.date(), QLocale.FormatType.LongFormat), time=time)


class DownloadsQuestion(QDialog):
    """Keep… / Discard / Decide later for one session's held downloads."""

    #: the user wants to pick a folder to keep the files in
    keep_requested = Signal()
    discard_requested = Signal()

    def __init__(self, pending: PendingSet, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("downloadsQuestion")
        self.setWindowModality(Qt.WindowModality.NonModal)
        self.setWindowTitle(self.tr("Downloads of {id}").format(id=pending.session_id))
        self.setAccessibleName(self.tr("Keep or discard the downloads"))
        self.resize(560, 380)
        layout = QVBoxLayout(self)
        layout.addLayout(self._head())
        self.table = self._files()
        layout.addWidget(self.table, 1)
        self.skipped = QLabel()
        self.skipped.setObjectName("downloadsSkipped")
        self.skipped.setWordWrap(True)
        self.skipped.setStyleSheet(NOTE_STYLE)
        layout.addWidget(self.skipped)
        self.status = QLabel(self.tr("Closing this window loses nothing: the files keep "
                                     "waiting in the session's details and under "
                                     "Sessions → Downloads waiting."))
        self.status.setObjectName("downloadsStatus")
        self.status.setWordWrap(True)
        self.status.setStyleSheet(NOTE_STYLE)
        layout.addWidget(self.status)
        layout.addWidget(self._buttons())
        self.set_pending(pending)
        self.keep_button.setFocus()

    def _head(self) -> QHBoxLayout:
        head = QHBoxLayout()
        icon = QLabel()
        icon.setPixmap(download_pixmap(48))
        icon.setAlignment(Qt.AlignmentFlag.AlignTop)
        head.addWidget(icon)
        texts = QVBoxLayout()
        self.title = QLabel(self.tr("Keep what the session downloaded?"))
        self.title.setObjectName("downloadsTitle")
        self.title.setStyleSheet("font-size: 12pt; font-weight: bold;")
        self.origin = QLabel()
        self.origin.setObjectName("downloadsOrigin")
        self.intro = QLabel()
        self.intro.setObjectName("downloadsIntro")
        self.intro.setWordWrap(True)
        for label in (self.title, self.origin, self.intro):
            texts.addWidget(label)
        head.addLayout(texts, 1)
        return head

    def _files(self) -> QTableWidget:
        table = QTableWidget(0, 2)
        table.setObjectName("downloadsFiles")
        table.setAccessibleName(self.tr("Downloaded files"))
        table.setHorizontalHeaderLabels([self.tr("Name"), self.tr("Size")])
        table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        table.verticalHeader().hide()
        table.setShowGrid(False)
        table.setAlternatingRowColors(True)
        header = table.horizontalHeader()
        header.setSectionResizeMode(0, QHeaderView.ResizeMode.Stretch)
        header.setSectionResizeMode(1, QHeaderView.ResizeMode.ResizeToContents)
        return table

    def _buttons(self) -> QDialogButtonBox:
        self.buttons = QDialogButtonBox()
        self.keep_button = self.buttons.addButton(self.tr("&Keep…"),
                                                  QDialogButtonBox.ButtonRole.AcceptRole)
        self.keep_button.setObjectName("keepDownloadsButton")
        self.keep_button.setAccessibleName(self.tr("Keep the files in a folder you choose"))
        self.discard_button = self.buttons.addButton(
            self.tr("&Discard"), QDialogButtonBox.ButtonRole.DestructiveRole)
        self.discard_button.setObjectName("discardDownloadsButton")
        self.discard_button.setAccessibleName(self.tr("Delete the files"))
        self.later_button = self.buttons.addButton(self.tr("Decide &later"),
                                                   QDialogButtonBox.ButtonRole.RejectRole)
        self.later_button.setObjectName("laterDownloadsButton")
        self.later_button.setAccessibleName(self.tr("Close; the files keep waiting"))
        self.keep_button.setDefault(True)
        self.keep_button.clicked.connect(self.keep_requested.emit)
        self.discard_button.clicked.connect(self.discard_requested.emit)
        self.buttons.rejected.connect(self.reject)
        return self.buttons

    def set_pending(self, pending: PendingSet) -> None:
        """Show *pending*'s files (again: some may have been kept since)."""
        ended = ended_text(pending)
        origin = (self.tr("Session {id} ({profile}), ended {when}") if pending.profile
                  else self.tr("Session {id}, ended {when}")) if ended else (
            self.tr("Session {id} ({profile})") if pending.profile else self.tr("Session {id}"))
        self.origin.setText(origin.format(id=pending.session_id, profile=pending.profile,
                                          when=ended))
        self.intro.setText(self.tr(
            "The client saved {files} ({size}) in its Downloads folder. They are held "
            "outside every sandbox until you keep them in a folder of yours or discard "
            "them.").format(files=files_text(len(pending.files)),
                            size=human_bytes(pending.total)))
        self.table.setRowCount(len(pending.files))
        for row, item in enumerate(pending.files):
            name = QTableWidgetItem(display_name(item.name))
            name.setToolTip(display_name(item.name))
            size = QTableWidgetItem(human_bytes(item.size))
            size.setTextAlignment(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
            self.table.setItem(row, 0, name)
            self.table.setItem(row, 1, size)
        shown = ", ".join(display_name(s) for s in pending.skipped[:5])
        more = "…" if len(pending.skipped) > 5 else ""
        self.skipped.setText(self.tr(
            "Never kept: {items} that were not regular files (links, pipes or devices): "
            "{names}").format(items=items_text(len(pending.skipped)), names=shown + more))
        self.skipped.setVisible(bool(pending.skipped))

    def set_busy(self, busy: bool, text: str = "") -> None:
        """While the files are moved or deleted: no second decision, and what happens."""
        for button in (self.keep_button, self.discard_button):
            button.setEnabled(not busy)
        if text:
            self.status.setText(text)
