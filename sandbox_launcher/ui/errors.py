"""Errors as a one-line summary, with the hint and the details behind a button."""

from __future__ import annotations

from PySide6.QtCore import QCoreApplication
from PySide6.QtWidgets import QMessageBox, QWidget

from ..core.errors import LauncherError


def show_error(parent: QWidget | None, error: LauncherError, title: str = "") -> QMessageBox:
    """Open (not exec: the UI never blocks) a message box for *error*."""
    box = QMessageBox(parent)
    box.setIcon(QMessageBox.Icon.Warning)
    box.setWindowTitle(title or QCoreApplication.translate("Errors", "Sandbox Launcher"))
    box.setText(error.summary)
    if error.hint:
        box.setInformativeText(
            QCoreApplication.translate("Errors", "What to do: {hint}").format(hint=error.hint))
    details = error.details or f"{type(error).__name__}: {error.summary}"
    box.setDetailedText(details)
    box.setObjectName("errorBox")
    box.setAccessibleName(QCoreApplication.translate("Errors", "Error"))
    box.open()
    return box
