"""Python's cyclic garbage collector, run only on the GUI thread.

The collector normally runs in whichever thread happens to allocate when a threshold
is crossed: here often a worker thread (``ui/bridge.py``) or a session thread. If the
garbage it finds holds a Qt object, that object is destroyed on that thread, and Qt
crashes (a segfault, seen in the GUI tests as "Garbage-collecting" on a ui-worker).
So the app turns automatic collection off and collects from a timer on the GUI thread,
generation by generation, with the thresholds the interpreter would have used.
"""

from __future__ import annotations

import gc

from PySide6.QtCore import QObject, QTimer

INTERVAL_MS = 500


class GuiThreadCollector(QObject):
    """Install once per QApplication: ``GuiThreadCollector.install(qapp)``."""

    def __init__(self, parent: QObject) -> None:
        super().__init__(parent)
        self.setObjectName("guiThreadCollector")
        self.thresholds = gc.get_threshold()
        gc.disable()
        self.timer = QTimer(self)
        self.timer.timeout.connect(self.collect)
        self.timer.start(INTERVAL_MS)

    @classmethod
    def install(cls, app: QObject) -> GuiThreadCollector:
        """The collector of *app*, created on first use."""
        found = app.findChild(GuiThreadCollector, "guiThreadCollector")
        return found if isinstance(found, GuiThreadCollector) else cls(app)

    def collect(self) -> None:
        """Collect the generations whose counts passed their thresholds (as gc would)."""
        counts = gc.get_count()
        generation = -1
        for level in range(3):
            if counts[level] > self.thresholds[level]:
                generation = level
        if generation >= 0:
            gc.collect(generation)
