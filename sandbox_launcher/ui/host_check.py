"""*Check this computer…*: what this machine can and cannot do, for a person.

The same checks as ``sandbox-launcher doctor`` (:func:`~sandbox_launcher.host.doctor.
run_checks`), run on a worker thread through the bridge, shown as a table with a verdict
on top. A selected row says what was found, what cannot work without it and what to do;
commands in a fix are for whoever looks after the computer, so they are said to be.
Error messages elsewhere in the app point here instead of naming the command
(:func:`~sandbox_launcher.ui.errors.person_hint`).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence

from PySide6.QtCore import QCoreApplication, Qt
from PySide6.QtGui import QAction, QColor
from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QLabel,
    QPushButton,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from ..core.check import Check
from ..core.errors import LauncherError
from .tables import row_table

#: ``call(fn, done, failed)``: the bridge's worker call.
WorkerCall = Callable[..., None]
#: Runs the checks (on a worker thread).
Checks = Callable[[], Sequence[Check]]

_COLOURS = {"ok": QColor("#1b5e20"), "warn": QColor("#8a6d00"), "fail": QColor("#b00020")}
#: Words that mark a fix as a command to type (for whoever administers the machine).
_COMMAND_MARKS = ("sudo ", "apt-get ", "apt ", "dnf ", "systemctl ", "sysctl ", "export ")


def is_command(hint: str) -> bool:
    """Whether *hint* asks for a command to be typed rather than something to click."""
    return any(mark in hint for mark in _COMMAND_MARKS)


def _default_checks() -> Sequence[Check]:
    from ..host.doctor import run_checks  # slow (probes namespaces): only when asked

    return run_checks()


class HostCheckDialog(QDialog):
    """The checks as a table; a row's explanation below it; *Check again*."""

    def __init__(self, call: WorkerCall, checks: Checks = _default_checks,
                 parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._call = call
        self._checks_fn = checks
        self.checks: list[Check] = []
        self.setObjectName("hostCheckDialog")
        self.setWindowTitle(self.tr("Check this computer"))
        layout = QVBoxLayout(self)
        self.summary = QLabel()
        self.summary.setObjectName("hostCheckSummary")
        self.summary.setWordWrap(True)
        layout.addWidget(self.summary)
        self.table = row_table("hostChecks", self.tr("What this computer can do"), [
            self.tr("Result"), self.tr("Check"), self.tr("Found")])
        self.table.itemSelectionChanged.connect(self._explain)
        layout.addWidget(self.table, 1)
        self.explanation = QLabel()
        self.explanation.setObjectName("hostCheckExplanation")
        self.explanation.setWordWrap(True)
        self.explanation.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.explanation.setMinimumHeight(80)
        self.explanation.setAlignment(Qt.AlignmentFlag.AlignTop)
        layout.addWidget(self.explanation)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close)
        self.again_button = QPushButton(self.tr("Check &again"))
        buttons.addButton(self.again_button, QDialogButtonBox.ButtonRole.ActionRole)
        buttons.rejected.connect(self.reject)
        self.again_button.clicked.connect(self.start)
        layout.addWidget(buttons)
        self.resize(860, 560)
        self.start()

    def start(self) -> None:
        """Run the checks on a worker thread (they start test sandboxes: a second or two)."""
        self.again_button.setEnabled(False)
        self.summary.setText(self.tr("Checking this computer… (a test sandbox starts and "
                                     "stops)"))
        self._call(lambda: list(self._checks_fn()), self.show_checks, self._failed)

    def _failed(self, error: LauncherError) -> None:
        self.again_button.setEnabled(True)
        self.summary.setText(self.tr("The check itself failed: {summary}").format(
            summary=error.summary))

    def show_checks(self, checks: Sequence[Check]) -> None:
        """Fill the table, worst first, and say the verdict."""
        order = {"fail": 0, "warn": 1, "ok": 2}
        self.checks = sorted(checks, key=lambda c: order[c.status])
        self.table.setRowCount(len(self.checks))
        words = {"ok": self.tr("works"), "warn": self.tr("limited"),
                 "fail": self.tr("PROBLEM")}
        for row, check in enumerate(self.checks):
            result = QTableWidgetItem(words[check.status])
            result.setForeground(_COLOURS[check.status])
            found = QTableWidgetItem(check.detail)
            found.setToolTip(check.detail)
            for column, item in enumerate((result, QTableWidgetItem(check.name), found)):
                self.table.setItem(row, column, item)
        self.table.resizeColumnToContents(0)
        self.table.resizeColumnToContents(1)
        failed = [c for c in self.checks if c.status == "fail"]
        limited = [c for c in self.checks if c.status == "warn"]
        if failed:
            text = self.tr("Meetings cannot run in a sandbox on this computer yet: "
                           "{count} problem(s), listed first. Select one to see what to do.")
            self.summary.setText(text.format(count=len(failed)))
        elif limited:
            text = self.tr("Meetings can run in a sandbox on this computer. {count} "
                           "thing(s) are limited; select one to see what it costs and how "
                           "to fix it.")
            self.summary.setText(text.format(count=len(limited)))
        else:
            self.summary.setText(self.tr("Everything works: meetings can run in a sandbox "
                                         "on this computer."))
        self.again_button.setEnabled(True)
        if self.checks:
            self.table.selectRow(0)

    def _explain(self) -> None:
        rows = {index.row() for index in self.table.selectedIndexes()}
        if not rows:
            self.explanation.clear()
            return
        check = self.checks[min(rows)]
        lines = [f"<b>{_escape(check.name)}</b>: {_escape(check.detail)}"]
        if check.status != "ok" and check.required_for:
            lines.append(self.tr("Without it: {what} cannot work.").format(
                what=_escape(check.required_for)))
        if check.status != "ok" and check.hint:
            label = (self.tr("What to do (for whoever looks after this computer):")
                     if is_command(check.hint) else self.tr("What to do:"))
            lines.append(f"{label} <tt>{_escape(check.hint)}</tt>")
        self.explanation.setText("<br>".join(lines))


def host_check_action(call: WorkerCall, parent: QWidget) -> QAction:
    """The Help menu's *Check this computer…* (a new dialog each time: fresh checks)."""
    action = QAction(QCoreApplication.translate("HostCheckDialog", "&Check this computer…"),
                     parent)
    action.setObjectName("checkComputer")
    action.triggered.connect(lambda _checked=False: HostCheckDialog(call, parent=parent).open())
    return action


def _escape(text: str) -> str:
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
