"""Icons drawn at run time (no image files to ship): the app's shield and a lock."""

from __future__ import annotations

from PySide6.QtCore import QPointF, QRectF, Qt
from PySide6.QtGui import QBrush, QColor, QIcon, QPainter, QPainterPath, QPen, QPixmap

IDLE = QColor("#5a6b7d")
RUNNING = QColor("#2e9d4f")


def _shield(size: int, colour: QColor, dot: bool) -> QPixmap:
    pixmap = QPixmap(size, size)
    pixmap.fill(Qt.GlobalColor.transparent)
    painter = QPainter(pixmap)
    painter.setRenderHint(QPainter.RenderHint.Antialiasing)
    s = size / 32
    path = QPainterPath()
    path.moveTo(16 * s, 2 * s)
    path.lineTo(28 * s, 6 * s)
    path.cubicTo(28 * s, 18 * s, 24 * s, 26 * s, 16 * s, 30 * s)
    path.cubicTo(8 * s, 26 * s, 4 * s, 18 * s, 4 * s, 6 * s)
    path.closeSubpath()
    painter.setPen(QPen(colour.darker(140), max(1.0, 1.5 * s)))
    painter.setBrush(QBrush(colour))
    painter.drawPath(path)
    if dot:  # a session is running: a white "live" dot in the middle
        painter.setPen(Qt.PenStyle.NoPen)
        painter.setBrush(QBrush(QColor("white")))
        painter.drawEllipse(QPointF(16 * s, 15 * s), 5 * s, 5 * s)
    else:  # idle: a white check-less bar
        painter.setPen(QPen(QColor("white"), 2.5 * s))
        painter.drawLine(QPointF(11 * s, 15 * s), QPointF(21 * s, 15 * s))
    painter.end()
    return pixmap


def app_icon(running: bool) -> QIcon:
    """The shield: grey when idle, green with a dot while a session runs."""
    icon = QIcon()
    for size in (16, 22, 24, 32, 48, 64):
        icon.addPixmap(_shield(size, RUNNING if running else IDLE, running))
    return icon


def lock_pixmap(size: int = 14) -> QPixmap:
    """A padlock, shown next to settings the system policy fixes."""
    pixmap = QPixmap(size, size)
    pixmap.fill(Qt.GlobalColor.transparent)
    painter = QPainter(pixmap)
    painter.setRenderHint(QPainter.RenderHint.Antialiasing)
    s = size / 14
    painter.setPen(QPen(QColor("#7a5c00"), 1.6 * s))
    painter.setBrush(Qt.BrushStyle.NoBrush)
    painter.drawArc(QRectF(3.5 * s, 1 * s, 7 * s, 8 * s), 0, 180 * 16)
    painter.drawLine(QPointF(3.5 * s, 5 * s), QPointF(3.5 * s, 7 * s))
    painter.drawLine(QPointF(10.5 * s, 5 * s), QPointF(10.5 * s, 7 * s))
    painter.setPen(Qt.PenStyle.NoPen)
    painter.setBrush(QBrush(QColor("#c99700")))
    painter.drawRoundedRect(QRectF(2 * s, 6.5 * s, 10 * s, 7 * s), 1.5 * s, 1.5 * s)
    painter.end()
    return pixmap
