"""A small plot of a session's bytes out and in per network snapshot (QPainter only:
the app ships PySide6-Essentials, without QtCharts)."""

from __future__ import annotations

from collections.abc import Sequence

from PySide6.QtCore import QPointF, QSize, Qt
from PySide6.QtGui import QColor, QPainter, QPaintEvent, QPalette, QPen, QPolygonF
from PySide6.QtWidgets import QSizePolicy, QWidget

from ..session.live import SERIES_LENGTH, SNAPSHOT_SECONDS, TrafficPoint

OUT_COLOUR = QColor("#c0392b")
IN_COLOUR = QColor("#2471a3")


def human_bytes(count: float) -> str:
    """1536 → "1.5 KiB"."""
    for unit in ("B", "KiB", "MiB", "GiB"):
        if count < 1024 or unit == "GiB":
            return f"{count:.0f} {unit}" if unit == "B" else f"{count:.1f} {unit}"
        count /= 1024
    return str(count)


class TrafficPlot(QWidget):
    """Sent (red) and received (blue) bytes per snapshot, newest at the right."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("trafficPlot")
        self.setAccessibleName(self.tr("Network traffic of the selected session"))
        self.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Fixed)
        self.series: tuple[TrafficPoint, ...] = ()
        self.set_series(())

    def sizeHint(self) -> QSize:  # noqa: N802 (Qt's name)
        """Small: a strip above the connections."""
        return QSize(320, 64)

    def minimumSizeHint(self) -> QSize:  # noqa: N802 (Qt's name)
        """Never squashed to nothing."""
        return QSize(120, 48)

    def set_series(self, points: Sequence[TrafficPoint]) -> None:
        """Show *points* (oldest first); the tooltip gives the newest rates."""
        self.series = tuple(points)
        last = self.series[-1] if self.series else TrafficPoint(0, 0)
        text = self.tr("Sending {out}/s, receiving {inbound}/s").format(
            out=human_bytes(last.bytes_out / SNAPSHOT_SECONDS),
            inbound=human_bytes(last.bytes_in / SNAPSHOT_SECONDS))
        self.setToolTip(text)
        self.setAccessibleDescription(text)
        self.update()

    def paintEvent(self, event: QPaintEvent) -> None:  # noqa: N802 (Qt's name)
        """Axis, then one line for bytes out and one for bytes in."""
        del event
        painter = QPainter(self)
        painter.setRenderHint(QPainter.RenderHint.Antialiasing)
        rect = self.rect().adjusted(2, 2, -2, -2)
        painter.fillRect(rect, self.palette().color(QPalette.ColorRole.Base))
        painter.setPen(QPen(self.palette().color(QPalette.ColorRole.Mid), 1))
        painter.drawRect(rect)
        peak = max((max(p.bytes_out, p.bytes_in) for p in self.series), default=0)
        if peak > 0 and len(self.series) > 1:
            step = rect.width() / (SERIES_LENGTH - 1)
            start = rect.right() - step * (len(self.series) - 1)
            for colour, values in ((IN_COLOUR, [p.bytes_in for p in self.series]),
                                   (OUT_COLOUR, [p.bytes_out for p in self.series])):
                line = QPolygonF([QPointF(start + i * step,
                                          rect.bottom() - value / peak * (rect.height() - 4))
                                  for i, value in enumerate(values)])
                painter.setPen(QPen(colour, 1.5, Qt.PenStyle.SolidLine))
                painter.drawPolyline(line)
        painter.end()
