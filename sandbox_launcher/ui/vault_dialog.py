"""The "Remembered sign-ins" window: which profiles keep their sign-in, how big each vault
is, when it was last used, and Forget (after a question).

The vault's own service functions do the work on a worker thread (through the bridge):
reading the keyring may wait for the desktop's unlock prompt, and this window never
talks to the keyring or the files itself.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import Any

from PySide6.QtCore import QCoreApplication, Qt, Signal
from PySide6.QtGui import QAction
from PySide6.QtWidgets import (
    QAbstractItemView,
    QDialog,
    QDialogButtonBox,
    QHeaderView,
    QLabel,
    QMessageBox,
    QPushButton,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from ..core.errors import LauncherError
from ..vault import ForgetResult, VaultStatus, forget, overview
from .bridge import ServiceBridge


class VaultDialog(QDialog):
    """Lists :func:`vault.overview` and forgets a vault with :func:`vault.forget`."""

    #: a line for the main window's status bar
    notice = Signal(str)

    def __init__(self, bridge: ServiceBridge, parent: QWidget | None = None, *,
                 list_vaults: Callable[[], list[VaultStatus]] = overview,
                 forget_vault: Callable[[str], ForgetResult] = forget) -> None:
        super().__init__(parent)
        self.bridge = bridge
        self._list = list_vaults
        self._forget = forget_vault
        self.rows: list[VaultStatus] = []
        self._error = ""  # the last failure, shown until the next list
        self.setObjectName("vaultDialog")
        self.setWindowTitle(self.tr("Remembered sign-ins"))
        self.resize(720, 320)
        intro = QLabel(self.tr(
            "Profiles with remember_signin = true keep the client's sign-in between "
            "sessions, encrypted, with the key in your desktop's keyring."))
        intro.setWordWrap(True)
        self.table = QTableWidget(0, 5)
        self.table.setObjectName("vaultTable")
        self.table.setHorizontalHeaderLabels([
            self.tr("Profile"), self.tr("Remembers"), self.tr("Vault size"),
            self.tr("Last used"), self.tr("Key")])
        self.table.horizontalHeader().setSectionResizeMode(QHeaderView.ResizeMode.Stretch)
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.itemSelectionChanged.connect(self._update_buttons)
        self.status = QLabel()
        self.status.setObjectName("vaultStatus")
        self.status.setWordWrap(True)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close)
        buttons.rejected.connect(self.reject)
        self.forget_button = QPushButton(self.tr("&Forget…"))
        self.forget_button.setObjectName("forgetVault")
        self.forget_button.clicked.connect(lambda _checked=False: self.ask_forget())
        buttons.addButton(self.forget_button, QDialogButtonBox.ButtonRole.ActionRole)
        layout = QVBoxLayout(self)
        for widget in (intro, self.table, self.status, buttons):
            layout.addWidget(widget)
        self._update_buttons()
        self.refresh()

    def refresh(self) -> None:
        """Read the vaults again (on a worker thread)."""
        self.status.setText(self.tr("Reading…"))
        self.bridge.call(self._list, self._show, self._failed)

    def _show(self, result: Any) -> None:
        self.rows = list(result)
        self.table.setRowCount(len(self.rows))
        for n, row in enumerate(self.rows):
            key = {"present": self.tr("in the keyring"), "missing": self.tr("missing")}.get(
                row.key, row.key_problem or self.tr("unknown"))
            cells = (row.profile, self.tr("yes") if row.remember else self.tr("no"),
                     f"{row.size / 1024:.1f} KiB" if row.exists else self.tr("no vault"),
                     time.strftime("%Y-%m-%d %H:%M", time.localtime(row.last_used))
                     if row.last_used else self.tr("never"), key)
            for column, text in enumerate(cells):
                self.table.setItem(n, column, QTableWidgetItem(text))
        aside = sum(len(r.set_aside) for r in self.rows)
        text = (self.tr("No profile remembers sign-in.") if not self.rows else
                self.tr("{n} bad vault(s) kept for inspection in the vault folder.").format(
                    n=aside) if aside else "")
        self.status.setText("\n".join(filter(None, (self._error, text))))
        self._error = ""
        self._update_buttons()

    def _failed(self, error: LauncherError) -> None:
        self.status.setText(error.summary)
        self._update_buttons()

    def selected(self) -> str:
        """The selected profile's name ("" when none)."""
        rows = self.table.selectionModel().selectedRows()
        return self.rows[rows[0].row()].profile if rows else ""

    def _update_buttons(self) -> None:
        self.forget_button.setEnabled(bool(self.selected()))

    def ask_forget(self) -> QMessageBox | None:
        """Ask before forgetting the selected profile's sign-in."""
        profile = self.selected()
        if not profile:
            return None
        box = QMessageBox(QMessageBox.Icon.Question, self.tr("Forget sign-in"),
                          self.tr("Forget the sign-in of {profile}?").format(profile=profile),
                          QMessageBox.StandardButton.Yes | QMessageBox.StandardButton.No, self)
        box.setInformativeText(self.tr(
            "Its vault and its key are deleted; the next session starts signed out."))
        box.setDefaultButton(QMessageBox.StandardButton.No)
        box.setObjectName("forgetQuestion")
        box.accepted.connect(lambda: self.forget(profile))
        box.open()
        return box

    def forget(self, profile: str) -> None:
        """Forget *profile*'s vault and key (on a worker thread), then list again."""
        self.forget_button.setEnabled(False)

        def done(_result: object) -> None:
            self.notice.emit(self.tr("Sign-in of {profile} forgotten.").format(profile=profile))
            self.refresh()

        def failed(error: LauncherError) -> None:
            self._error = error.summary
            self.refresh()

        self.bridge.call(lambda: self._forget(profile), done, failed)


def vault_action(bridge: ServiceBridge, window: QWidget,
                 notice: Callable[[str], None] | None = None) -> QAction:
    """The menu action that opens the window (a new one each time, deleted on close)."""
    action = QAction(QCoreApplication.translate("VaultDialog", "Remembered &sign-ins…"),
                     window)
    action.setObjectName("rememberedSignins")

    def show() -> None:
        dialog = VaultDialog(bridge, window)
        dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        if notice is not None:
            dialog.notice.connect(notice)
        dialog.open()

    action.triggered.connect(lambda _checked=False: show())
    return action
