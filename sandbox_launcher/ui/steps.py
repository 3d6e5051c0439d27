"""A list of named steps with their state (waiting, under way, done, failed, skipped):
the progress of client installs and of a session's stop and wipe."""

from __future__ import annotations

import enum
from collections.abc import Sequence

from PySide6.QtCore import QCoreApplication, QPointF, QRectF, Qt
from PySide6.QtGui import QBrush, QColor, QFont, QFontMetrics, QPainter, QPen, QPixmap
from PySide6.QtWidgets import QBoxLayout, QHBoxLayout, QLabel, QVBoxLayout, QWidget

ICON_SIZE = 16


class StepState(enum.Enum):
    """Where one step is."""

    WAITING = "waiting"
    ACTIVE = "active"
    DONE = "done"
    FAILED = "failed"
    SKIPPED = "skipped"


_COLOURS = {StepState.WAITING: QColor("#9aa5b1"), StepState.ACTIVE: QColor("#1f6fc5"),
            StepState.DONE: QColor("#2e9d4f"), StepState.FAILED: QColor("#c62828"),
            StepState.SKIPPED: QColor("#9aa5b1")}


def state_name(state: StepState) -> str:
    """A step state in the user's language (screen readers say it after the step)."""
    names = {
        StepState.WAITING: QCoreApplication.translate("Steps", "waiting"),
        StepState.ACTIVE: QCoreApplication.translate("Steps", "under way"),
        StepState.DONE: QCoreApplication.translate("Steps", "done"),
        StepState.FAILED: QCoreApplication.translate("Steps", "failed"),
        StepState.SKIPPED: QCoreApplication.translate("Steps", "not needed"),
    }
    return names[state]


def step_pixmap(state: StepState, size: int = ICON_SIZE) -> QPixmap:
    """A round mark: a ring (waiting), a dot (under way), a tick, a cross, a dash."""
    pixmap = QPixmap(size, size)
    pixmap.fill(Qt.GlobalColor.transparent)
    painter = QPainter(pixmap)
    painter.setRenderHint(QPainter.RenderHint.Antialiasing)
    s = size / 16
    colour = _COLOURS[state]
    white = QPen(QColor("white"), 2 * s, Qt.PenStyle.SolidLine, Qt.PenCapStyle.RoundCap)
    circle = QRectF(1.5 * s, 1.5 * s, 13 * s, 13 * s)
    if state is StepState.WAITING:
        painter.setPen(QPen(colour, 1.5 * s))
        painter.setBrush(Qt.BrushStyle.NoBrush)
        painter.drawEllipse(circle)
    else:
        painter.setPen(Qt.PenStyle.NoPen)
        painter.setBrush(QBrush(colour))
        painter.drawEllipse(circle)
        painter.setPen(white)
        if state is StepState.ACTIVE:
            painter.setPen(Qt.PenStyle.NoPen)
            painter.setBrush(QBrush(QColor("white")))
            painter.drawEllipse(QPointF(8 * s, 8 * s), 2.5 * s, 2.5 * s)
        elif state is StepState.DONE:
            painter.drawPolyline([QPointF(4.8 * s, 8.3 * s), QPointF(7 * s, 10.5 * s),
                                  QPointF(11.2 * s, 5.6 * s)])
        elif state is StepState.FAILED:
            painter.drawLine(QPointF(5.5 * s, 5.5 * s), QPointF(10.5 * s, 10.5 * s))
            painter.drawLine(QPointF(10.5 * s, 5.5 * s), QPointF(5.5 * s, 10.5 * s))
        else:
            painter.drawLine(QPointF(5 * s, 8 * s), QPointF(11 * s, 8 * s))
    painter.end()
    return pixmap


class _StepRow(QWidget):
    def __init__(self, text: str, parent: QWidget) -> None:
        super().__init__(parent)
        layout = QHBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setSpacing(6)
        self.mark = QLabel(self)
        self.mark.setFixedSize(ICON_SIZE, ICON_SIZE)
        self.label = QLabel(text, self)
        # As wide as in bold (the step under way), so the row never jumps or clips.
        bold = QFont(self.label.font())
        bold.setBold(True)
        self.label.setMinimumWidth(QFontMetrics(bold).horizontalAdvance(text) + 2)
        layout.addWidget(self.mark)
        layout.addWidget(self.label, 1)
        self.text = text
        self.state = StepState.WAITING
        self.set_state(StepState.WAITING)

    def set_state(self, state: StepState) -> None:
        self.state = state
        self.mark.setPixmap(step_pixmap(state))
        font = QFont(self.label.font())
        font.setBold(state is StepState.ACTIVE)
        self.label.setFont(font)
        self.label.setEnabled(state is not StepState.WAITING)
        described = f"{self.text}: {state_name(state)}"
        self.setAccessibleName(described)
        self.label.setAccessibleName(described)
        self.setToolTip(state_name(state))


class StepList(QWidget):
    """Named steps, top to bottom (or left to right), each with its state's mark."""

    def __init__(self, steps: Sequence[tuple[str, str]] = (), *, horizontal: bool = False,
                 parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._horizontal = horizontal
        self._layout: QBoxLayout = QHBoxLayout(self) if horizontal else QVBoxLayout(self)
        self._layout.setContentsMargins(0, 0, 0, 0)
        self._layout.setSpacing(12 if horizontal else 4)
        self._rows: dict[str, _StepRow] = {}
        self.set_steps(steps)

    def set_steps(self, steps: Sequence[tuple[str, str]]) -> None:
        """Replace the steps with *steps* (key, text), all waiting."""
        for row in self._rows.values():
            self._layout.removeWidget(row)
            row.deleteLater()
        self._rows = {}
        while self._layout.count():
            self._layout.takeAt(0)
        for key, text in steps:
            row = _StepRow(text, self)
            self._rows[key] = row
            self._layout.addWidget(row)
        self._layout.addStretch(1)

    def keys(self) -> list[str]:
        """The steps' keys, in order."""
        return list(self._rows)

    def set_state(self, key: str, state: StepState) -> None:
        """Set one step's state (unknown keys are ignored)."""
        row = self._rows.get(key)
        if row is not None:
            row.set_state(state)

    def advance(self, key: str) -> None:
        """*key* is under way: the steps before it are done (or stay skipped/failed)."""
        seen = False
        for name, row in self._rows.items():
            if name == key:
                row.set_state(StepState.ACTIVE)
                seen = True
            elif not seen and row.state in (StepState.WAITING, StepState.ACTIVE):
                row.set_state(StepState.DONE)

    def state(self, key: str) -> StepState:
        """One step's state."""
        return self._rows[key].state

    def states(self) -> dict[str, StepState]:
        """Every step's state, in order."""
        return {key: row.state for key, row in self._rows.items()}

    def text(self, key: str) -> str:
        """One step's text."""
        return self._rows[key].text

    def active(self) -> str:
        """The key of the step under way, or ""."""
        return next((k for k, r in self._rows.items() if r.state is StepState.ACTIVE), "")
