"""Icons drawn at run time (no image files to ship): the app's shield in its tray states
(idle, running, microphone live, screen shared, camera live) and a lock."""

from __future__ import annotations

from PySide6.QtCore import QPointF, QRectF, Qt
from PySide6.QtGui import QBrush, QColor, QIcon, QPainter, QPainterPath, QPen, QPixmap

from ..session.live import Indicator

IDLE = QColor("#5a6b7d")
RUNNING = QColor("#2e9d4f")
MIC_LIVE = QColor("#c77700")
CAMERA_LIVE = QColor("#c62828")
SCREEN_SHARED = QColor("#7b3fb8")
COLOURS = {Indicator.IDLE: IDLE, Indicator.RUNNING: RUNNING, Indicator.MIC: MIC_LIVE,
           Indicator.SCREEN: SCREEN_SHARED, Indicator.CAMERA: CAMERA_LIVE}
SIZES = (16, 22, 24, 32, 48, 64)


def _state_shield(size: int, indicator: Indicator, colour: QColor) -> QPixmap:
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
    white = QColor("white")
    if indicator is Indicator.RUNNING:  # a session is running: a white "live" dot
        painter.setPen(Qt.PenStyle.NoPen)
        painter.setBrush(QBrush(white))
        painter.drawEllipse(QPointF(16 * s, 15 * s), 5 * s, 5 * s)
    elif indicator is Indicator.MIC:  # a microphone: capsule, cradle and stand
        painter.setPen(Qt.PenStyle.NoPen)
        painter.setBrush(QBrush(white))
        painter.drawRoundedRect(QRectF(13 * s, 7 * s, 6 * s, 11 * s), 3 * s, 3 * s)
        painter.setPen(QPen(white, 1.6 * s))
        painter.setBrush(Qt.BrushStyle.NoBrush)
        painter.drawArc(QRectF(10.5 * s, 10 * s, 11 * s, 10 * s), 180 * 16, 180 * 16)
        painter.drawLine(QPointF(16 * s, 20 * s), QPointF(16 * s, 23 * s))
        painter.drawLine(QPointF(13 * s, 23 * s), QPointF(19 * s, 23 * s))
    elif indicator is Indicator.CAMERA:  # a video camera: body and lens wedge
        painter.setPen(Qt.PenStyle.NoPen)
        painter.setBrush(QBrush(white))
        painter.drawRoundedRect(QRectF(8.5 * s, 11 * s, 10.5 * s, 9 * s), 1.5 * s, 1.5 * s)
        lens = QPainterPath()
        lens.moveTo(19 * s, 15.5 * s)
        lens.lineTo(23.5 * s, 12 * s)
        lens.lineTo(23.5 * s, 19 * s)
        lens.closeSubpath()
        painter.drawPath(lens)
    elif indicator is Indicator.SCREEN:  # a monitor: screen outline and foot
        painter.setPen(QPen(white, 1.8 * s))
        painter.setBrush(Qt.BrushStyle.NoBrush)
        painter.drawRect(QRectF(9 * s, 9 * s, 14 * s, 10 * s))
        painter.drawLine(QPointF(16 * s, 19 * s), QPointF(16 * s, 22.5 * s))
        painter.drawLine(QPointF(12.5 * s, 22.5 * s), QPointF(19.5 * s, 22.5 * s))
    else:  # idle: a white check-less bar
        painter.setPen(QPen(white, 2.5 * s))
        painter.drawLine(QPointF(11 * s, 15 * s), QPointF(21 * s, 15 * s))
    painter.end()
    return pixmap


def app_icon(running: bool) -> QIcon:
    """The shield: grey when idle, green with a dot while a session runs."""
    return state_icon(Indicator.RUNNING if running else Indicator.IDLE)


def state_icon(indicator: Indicator) -> QIcon:
    """The tray shield for *indicator*: grey idle, green running (dot), amber with a
    microphone while one is live (on and recorded), purple with a monitor while a window
    or the screen is shared, red with a camera while a camera is open (not only granted)."""
    icon = QIcon()
    for size in SIZES:
        icon.addPixmap(_state_shield(size, indicator, COLOURS[indicator]))
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
