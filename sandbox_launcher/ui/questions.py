"""The questions the app asks before it ends something: stopping a meeting, quitting.

Each returns the (non-blocking, already open) box, so tests and the tray can answer it;
the choice's work is done by the callbacks given. The strings are written out in full
``QCoreApplication.translate`` calls so that lupdate finds them.
"""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtCore import QCoreApplication
from PySide6.QtWidgets import QCheckBox, QMessageBox, QWidget

from .settings import UiSettings


def ask_stop(parent: QWidget, title: str, session_id: str, settings: UiSettings,
             stop: Callable[[], None]) -> QMessageBox | None:
    """"Stop TITLE and wipe it?" unless the settings say not to ask (then stop at once)."""
    if not settings.confirm_stop:
        stop()
        return None
    box = QMessageBox(
        QMessageBox.Icon.Question,
        QCoreApplication.translate("Questions", "Stop meeting"),
        QCoreApplication.translate("Questions", "Stop {title} ({id}) and wipe its sandbox?"
                                   ).format(title=title, id=session_id),
        QMessageBox.StandardButton.NoButton, parent)
    box.setObjectName("stopQuestion")
    box.setInformativeText(QCoreApplication.translate(
        "Questions", "The meeting ends for you, and everything the client saved in the "
                     "sandbox is deleted."))
    yes = box.addButton(QCoreApplication.translate("Questions", "&Stop && Wipe"),
                        QMessageBox.ButtonRole.DestructiveRole)
    yes.setObjectName("confirmStop")
    cancel = box.addButton(QMessageBox.StandardButton.Cancel)
    box.setDefaultButton(cancel)
    again = QCheckBox(QCoreApplication.translate("Questions",
                                                 "Stop without asking from now on"))
    again.setObjectName("stopWithoutAsking")
    box.setCheckBox(again)

    def answered(button: object) -> None:
        if button is yes:
            if again.isChecked():
                settings.confirm_stop = False
            stop()

    box.buttonClicked.connect(answered)
    box.open()
    return box


def _quit_texts(running: int) -> tuple[str, str, str]:
    """(question, explanation, stop button) for *running* meetings."""
    if running == 1:
        return (QCoreApplication.translate("Questions", "1 meeting is running."),
                QCoreApplication.translate("Questions", "Quitting stops it and wipes its "
                                                        "sandbox. Kept in the tray, it goes "
                                                        "on."),
                QCoreApplication.translate("Questions", "&Stop && wipe it and quit"))
    return (QCoreApplication.translate("Questions", "{n} meetings are running.").format(
                n=running),
            QCoreApplication.translate("Questions", "Quitting stops them and wipes their "
                                                    "sandboxes. Kept in the tray, they go "
                                                    "on."),
            QCoreApplication.translate("Questions", "&Stop && wipe them and quit"))


def ask_quit(parent: QWidget, running: int, *, tray: bool, stop_all: Callable[[], None],
             keep: Callable[[], None]) -> QMessageBox:
    """"N meetings are running": stop & wipe them and quit / keep running in the tray /
    cancel (the tray choice only when there is a tray to keep running in)."""
    question, explanation, stop_text = _quit_texts(running)
    box = QMessageBox(QMessageBox.Icon.Question,
                      QCoreApplication.translate("Questions", "Quit Sandbox Launcher"),
                      question, QMessageBox.StandardButton.NoButton, parent)
    box.setObjectName("quitQuestion")
    box.setInformativeText(explanation)
    stop = box.addButton(stop_text, QMessageBox.ButtonRole.DestructiveRole)
    stop.setObjectName("quitStopAll")
    stay = None
    if tray:
        stay = box.addButton(QCoreApplication.translate("Questions",
                                                        "&Keep running in the tray"),
                             QMessageBox.ButtonRole.ActionRole)
        stay.setObjectName("quitKeepInTray")
    cancel = box.addButton(QMessageBox.StandardButton.Cancel)
    cancel.setObjectName("quitCancel")
    box.setDefaultButton(cancel)

    def answered(button: object) -> None:
        if button is stop:
            stop_all()
        elif stay is not None and button is stay:
            keep()

    box.buttonClicked.connect(answered)
    box.open()
    return box
