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
#: Snapshots the width shows at least (so the first ones are not a sliver at the right).
MIN_SPAN = 15


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
        self.listed_bytes = 0
        self.set_series(())

    def sizeHint(self) -> QSize:  # noqa: N802 (Qt's name)
        """Small: a strip above the connections."""
        return QSize(320, 64)

    def minimumSizeHint(self) -> QSize:  # noqa: N802 (Qt's name)
        """Never squashed to nothing."""
        return QSize(120, 48)

    def set_series(self, points: Sequence[TrafficPoint], listed_bytes: int = 0) -> None:
        """Show *points* (oldest first); the tooltip gives the newest rates.

        *listed_bytes*: what the connection list below counts (every connection, since
        the start), so an empty plot never contradicts it.
        """
        self.series = tuple(points)
        self.listed_bytes = listed_bytes
        last = self.series[-1] if self.series else TrafficPoint(0, 0)
        text = self.tr("Sending {out}/s, receiving {inbound}/s").format(
            out=human_bytes(last.bytes_out / SNAPSHOT_SECONDS),
            inbound=human_bytes(last.bytes_in / SNAPSHOT_SECONDS))
        self.setToolTip(text)
        self.setAccessibleDescription(text)
        self.update()

    def empty_text(self) -> str:
        """What an empty plot says: nothing yet, or nothing lately (the list has more)."""
        if self.listed_bytes:
            return self.tr("No allowed traffic in the last minutes; the list below counts "
                           "every connection since the start ({total})").format(
                               total=human_bytes(self.listed_bytes))
        return self.tr("No network traffic yet")

    def paintEvent(self, event: QPaintEvent) -> None:  # noqa: N802 (Qt's name)
        """Frame, one line for bytes out and one for bytes in, a legend and the peak."""
        del event
        painter = QPainter(self)
        painter.setRenderHint(QPainter.RenderHint.Antialiasing)
        rect = self.rect().adjusted(2, 2, -2, -2)
        palette = self.palette()
        painter.fillRect(rect, palette.color(QPalette.ColorRole.Base))
        painter.setPen(QPen(palette.color(QPalette.ColorRole.Mid), 1))
        painter.drawRect(rect)
        peak = max((max(p.bytes_out, p.bytes_in) for p in self.series), default=0)
        text_rect = rect.adjusted(6, 2, -6, -2)
        painter.setPen(palette.color(QPalette.ColorRole.PlaceholderText))
        if peak <= 0:
            painter.drawText(text_rect, int(Qt.AlignmentFlag.AlignCenter
                                            | Qt.TextFlag.TextWordWrap), self.empty_text())
            painter.end()
            return
        metrics = painter.fontMetrics()
        # The lines keep below the legend; a short series is spread over the width (and
        # squeezed as it grows, up to SERIES_LENGTH points), so the first minutes read.
        area = rect.adjusted(1, metrics.height() + 4, -1, -3)
        step = area.width() / (min(max(len(self.series), MIN_SPAN), SERIES_LENGTH) - 1)
        start = area.right() - step * (len(self.series) - 1)
        for colour, values in ((IN_COLOUR, [p.bytes_in for p in self.series]),
                               (OUT_COLOUR, [p.bytes_out for p in self.series])):
            points = [QPointF(start + i * step, area.bottom() - value / peak * area.height())
                      for i, value in enumerate(values)]
            painter.setPen(QPen(colour, 1.5, Qt.PenStyle.SolidLine))
            if len(points) == 1:  # one snapshot so far: a dot, not nothing
                painter.drawEllipse(points[0], 1.5, 1.5)
            else:
                painter.drawPolyline(QPolygonF(points))
        # The legend top left, the scale top right: which line is which, and how much.
        x = text_rect.left()
        for colour, label in ((OUT_COLOUR, self.tr("sent")), (IN_COLOUR, self.tr("received"))):
            painter.setPen(QPen(colour, 2))
            y = text_rect.top() + metrics.ascent() // 2 + 1
            painter.drawLine(x, y, x + 12, y)
            painter.setPen(palette.color(QPalette.ColorRole.Text))
            painter.drawText(x + 16, text_rect.top() + metrics.ascent(), label)
            x += 16 + metrics.horizontalAdvance(label) + 12
        painter.drawText(text_rect, int(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignTop),
                         self.tr("peak {rate}/s").format(
                             rate=human_bytes(peak / SNAPSHOT_SECONDS)))
        painter.end()
