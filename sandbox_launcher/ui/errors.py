"""Errors as a one-line summary, with the hint and the details behind a button.

Hints are written for the command line too ("run 'sandbox-launcher doctor'"); a person in
the app gets what to do *in the app* (:func:`person_hint`), and the command-line text
stays in the details for whoever wants it.
"""

from __future__ import annotations

import re

from PySide6.QtCore import QCoreApplication
from PySide6.QtWidgets import QMessageBox, QWidget

from ..core.errors import LauncherError
from .host_check import is_command

_DOCTOR = re.compile(r"\(?(?:or )?run '?sandbox-launcher doctor'?\)?")
_STALE = re.compile(r"(?:wipe it with )?'?sandbox-launcher wipe --stale'?")
_IMAGE = re.compile(r"(?:rebuild (?:it|the image): )?'?sandbox-launcher image [a-z]+[^;']*'?")
_CLI = re.compile(r"sandbox-launcher [a-z]")


def person_hint(hint: str) -> str:
    """*hint* in words for a person using the app: commands of ours become the app's own
    places, a command only an administrator types is said to be one."""
    if not hint:
        return ""
    text = _DOCTOR.sub(QCoreApplication.translate(
        "Errors", "open Help > Check this computer… to see what is missing"), hint)
    text = _STALE.sub(QCoreApplication.translate(
        "Errors", "quit Sandbox Launcher and start it again (it wipes what a stopped "
                  "launcher left)"), text)
    text = _IMAGE.sub(QCoreApplication.translate(
        "Errors", "open Clients > Guest images… and build it again"), text)
    if _CLI.search(text):  # a command of ours with no place in the app: say so plainly
        return QCoreApplication.translate(
            "Errors", "this needs a step the app cannot take for you; \"Show Details\" has "
                      "it for whoever looks after this computer")
    if is_command(text):
        return QCoreApplication.translate(
            "Errors", "for whoever looks after this computer: {hint}").format(hint=text)
    return text


def show_error(parent: QWidget | None, error: LauncherError, title: str = "") -> QMessageBox:
    """Open (not exec: the UI never blocks) a message box for *error*."""
    box = QMessageBox(parent)
    box.setIcon(QMessageBox.Icon.Warning)
    box.setWindowTitle(title or QCoreApplication.translate("Errors", "Sandbox Launcher"))
    box.setText(error.summary)
    hint = person_hint(error.hint)
    if hint:
        box.setInformativeText(
            QCoreApplication.translate("Errors", "What to do: {hint}").format(hint=hint))
    details = error.details or f"{type(error).__name__}: {error.summary}"
    if hint != error.hint:
        details += "\n\n" + QCoreApplication.translate(
            "Errors", "On the command line: {hint}").format(hint=error.hint)
    box.setDetailedText(details)
    box.setObjectName("errorBox")
    box.setAccessibleName(QCoreApplication.translate("Errors", "Error"))
    box.open()
    return box
