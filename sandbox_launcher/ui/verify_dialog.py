"""*Verify isolation…*: the hostile probe in one profile's sandbox, as a table.

Shows the profile's saved result at once (if there is one), runs a new verification
on a worker thread through the bridge (the service function
:func:`~sandbox_launcher.session.verify.verify_profile`, which saves it), and fills the
same table the command line prints: each escape blocked or ESCAPED, each grant working
or BROKEN, or not tested and why.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import Any

from PySide6.QtGui import QColor
from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QHeaderView,
    QLabel,
    QPushButton,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from ..core.errors import LauncherError
from ..session.verify import load_saved

#: ``run(profile)`` -> the published JSON; called on a worker thread.
VerifyCall = Callable[[str], dict[str, Any]]
#: ``call(fn, done, failed)``: the bridge's worker call.
WorkerCall = Callable[..., None]

_BAD = QColor("#b00020")
_GOOD = QColor("#1b5e20")


class VerifyDialog(QDialog):
    """One profile's verification: the table, a Verify button, the saved result."""

    def __init__(self, profile: str, run: VerifyCall, call: WorkerCall,
                 parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.profile = profile
        self._run = run
        self._call = call
        self.setObjectName("verifyDialog")
        self.setWindowTitle(self.tr("Verify isolation: {profile}").format(profile=profile))
        layout = QVBoxLayout(self)
        self.summary = QLabel()
        self.summary.setWordWrap(True)
        layout.addWidget(self.summary)
        self.table = QTableWidget(0, 3)
        self.table.setHorizontalHeaderLabels([self.tr("Check"), self.tr("Result"),
                                              self.tr("Detail")])
        self.table.horizontalHeader().setSectionResizeMode(2, QHeaderView.ResizeMode.Stretch)
        self.table.setEditTriggers(QTableWidget.EditTrigger.NoEditTriggers)
        self.table.setAccessibleName(self.tr("Verification result"))
        layout.addWidget(self.table, 1)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close)
        self.verify_button = QPushButton(self.tr("&Verify now"))
        buttons.addButton(self.verify_button, QDialogButtonBox.ButtonRole.ActionRole)
        buttons.rejected.connect(self.reject)
        self.verify_button.clicked.connect(self.start)
        layout.addWidget(buttons)
        self.resize(820, 560)
        saved = load_saved(profile)
        if saved is not None:
            self.show_result(saved, saved_at=float(saved.get("ended", 0)))
        else:
            self.summary.setText(self.tr("Not verified yet. Verify runs a hostile test "
                                         "client in this profile's sandbox (a few seconds)."))

    def start(self) -> None:
        """Run a new verification on a worker thread."""
        self.verify_button.setEnabled(False)
        self.summary.setText(self.tr("Verifying… the test client is trying every escape."))
        self._call(lambda: self._run(self.profile), self.show_result, self._failed)

    def _failed(self, error: LauncherError) -> None:
        self.verify_button.setEnabled(True)
        self.summary.setText(self.tr("Could not verify: {summary}").format(
            summary=error.summary))

    def show_result(self, result: dict[str, Any], saved_at: float | None = None) -> None:
        """Fill the table from the published JSON (a fresh result, or the saved one)."""
        self.verify_button.setEnabled(True)
        profiles = [p for p in result.get("profiles", []) if p.get("profile") == self.profile]
        checks = profiles[0].get("checks", []) if profiles else []
        self.table.setRowCount(len(checks))
        for row, check in enumerate(checks):
            status = str(check.get("status", ""))
            items = [QTableWidgetItem(str(check.get("title", ""))), QTableWidgetItem(status),
                     QTableWidgetItem(str(check.get("detail", "")))]
            if status in ("ESCAPED", "BROKEN"):
                items[1].setForeground(_BAD)
            elif status in ("blocked", "working"):
                items[1].setForeground(_GOOD)
            items[2].setToolTip(str(check.get("detail", "")))
            for column, item in enumerate(items):
                self.table.setItem(row, column, item)
        self.table.resizeColumnToContents(0)
        passed = bool(profiles) and bool(profiles[0].get("passed"))
        text = (self.tr("Passed: nothing escaped and every grant works.") if passed
                else self.tr("FAILED: see the rows marked ESCAPED or BROKEN."))
        if profiles and profiles[0].get("error"):
            text = self.tr("Could not verify: {error}").format(error=profiles[0]["error"])
        when = saved_at if saved_at is not None else float(result.get("ended", 0))
        if when:
            text += " " + self.tr("(result of {time})").format(
                time=time.strftime("%Y-%m-%d %H:%M", time.localtime(when)))
        self.summary.setText(text)
