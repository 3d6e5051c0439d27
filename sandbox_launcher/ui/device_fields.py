"""The launch panel's device grants: camera, microphone, a shared window, share folder,
kept downloads.

Nothing is granted unless chosen here. A grant this host or the system policy cannot
give is shown disabled *with the reason*; a share folder the plan would refuse (home,
``/``, a dot-folder…) gets the plan's own reason beside the field, and Launch waits.
"""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import QT_TRANSLATE_NOOP, QCoreApplication, QObject, Signal
from PySide6.QtWidgets import (
    QComboBox,
    QFileDialog,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from ..core.policy import DevicePolicy
from ..session.choices import DeviceChoices, keep_problem, share_problem
from .fields import ERROR_STYLE

NOTE_STYLE = "color: palette(mid);"
#: The mic choices: what RunOptions.mic gets for each entry of the combo, in order.
MIC_VALUES: tuple[bool | None, ...] = (None, True, False)

#: session.choices' fixed reasons, for lupdate (the service stays free of Qt).
_REASONS = (
    QT_TRANSLATE_NOOP("Devices", "no camera found on this computer"),
    QT_TRANSLATE_NOOP("Devices", "the system policy never grants a camera on this machine"),
    QT_TRANSLATE_NOOP("Devices", "the system policy never grants a share folder on this "
                                 "machine"),
    QT_TRANSLATE_NOOP("Devices", "the system policy always discards downloads on this "
                                 "machine"),
    QT_TRANSLATE_NOOP("Devices", "the system policy never grants the microphone on this "
                                 "machine"),
    QT_TRANSLATE_NOOP("Devices", "the system policy never shares the screen on this machine"),
    QT_TRANSLATE_NOOP("Devices", "no desktop display to share from (neither Wayland nor X11)"),
    QT_TRANSLATE_NOOP("Devices", "no window on the desktop to share"),
    # devices.audio's NO_SOUND_SERVER, NO_SOUND_PACKAGES, NO_SPEAKERS (a test keeps them equal)
    QT_TRANSLATE_NOOP("Devices", "no sound system runs for your login (neither PulseAudio "
                                 "nor PipeWire answers)"),
    QT_TRANSLATE_NOOP("Devices", "sound in meetings needs the packages pulseaudio and "
                                 "pulseaudio-utils, which are not installed (ask whoever "
                                 "looks after this computer)"),
    QT_TRANSLATE_NOOP("Devices", "this profile has no speakers, and the microphone was not "
                                 "asked for"),
)


def reason_text(reason: str) -> str:
    """A reason from the service in the user's language (host details stay as they are)."""
    return QCoreApplication.translate("Devices", reason)


def _label(name: str, style: str) -> QLabel:
    label = QLabel()
    label.setObjectName(name)
    label.setStyleSheet(style)
    label.setWordWrap(True)
    label.hide()
    return label


class FolderField(QObject):
    """A folder path with a Choose… button (a non-blocking directory dialog)."""

    changed = Signal()

    def __init__(self, name: str, placeholder: str, title: str, parent: QWidget) -> None:
        super().__init__(parent)
        self.title = title
        self.line = QLineEdit(parent)
        self.line.setObjectName(name)
        self.line.setPlaceholderText(placeholder)
        self.line.setClearButtonEnabled(True)
        self.line.textChanged.connect(lambda _text: self.changed.emit())
        self.button = QPushButton(self.tr("Choose…"), parent)
        self.button.setObjectName(f"{name}Choose")
        self.button.setAccessibleName(title)
        self.button.clicked.connect(self.choose)
        self.dialog: QFileDialog | None = None

    def choose(self) -> QFileDialog:
        """Open the folder dialog (``open``, not ``exec``: the UI never blocks)."""
        dialog = QFileDialog(self.line, self.title, self.line.text().strip())
        dialog.setFileMode(QFileDialog.FileMode.Directory)
        dialog.setOption(QFileDialog.Option.ShowDirsOnly, True)
        dialog.setObjectName(f"{self.line.objectName()}Dialog")
        dialog.fileSelected.connect(self.line.setText)
        dialog.open()
        self.dialog = dialog
        return dialog

    def text(self) -> str:
        """The folder as typed or chosen."""
        return self.line.text().strip()

    def set_enabled(self, enabled: bool) -> None:
        """Enable or disable the field and its button."""
        self.line.setEnabled(enabled)
        self.button.setEnabled(enabled)


class DeviceControls(QObject):
    """Rows for the launch form; ``options()`` gives their part of RunOptions."""

    changed = Signal()
    #: the user wants the host's windows listed again
    refresh_requested = Signal()

    def __init__(self, form: QFormLayout, parent: QWidget) -> None:
        super().__init__(parent)
        self.policy = DevicePolicy()
        self.camera = QComboBox(parent)
        self.camera.setObjectName("cameraChoice")
        self.camera.setAccessibleName(self.tr("Camera"))
        self.camera_note = _label("cameraReason", NOTE_STYLE)
        form.addRow(self.tr("Camera:"), self._column(self.camera, self.camera_note))

        self.mic = QComboBox(parent)
        self.mic.setObjectName("micChoice")
        self.mic.setAccessibleName(self.tr("Microphone"))
        self.mic.addItems([self.tr("muted at the start; switch it on in the sessions list"),
                           self.tr("on from the start"),
                           self.tr("off for the whole session")])
        self.mic_note = _label("micReason", NOTE_STYLE)
        form.addRow(self.tr("Microphone:"), self._column(self.mic, self.mic_note))

        self.screen = QComboBox(parent)
        self.screen.setObjectName("screenChoice")
        self.screen.setAccessibleName(self.tr("Share a window"))
        self.screen.currentIndexChanged.connect(lambda _i: self.changed.emit())
        self.screen_refresh = QPushButton(self.tr("Refresh"), parent)
        self.screen_refresh.setObjectName("screenRefresh")
        self.screen_refresh.setAccessibleName(self.tr("List the windows again"))
        self.screen_refresh.clicked.connect(self.refresh_requested.emit)
        self.screen_note = _label("screenReason", NOTE_STYLE)
        self.screen_reason = ""  # from the host and policy
        self.profile_display = ""  # the profile's devices.display
        form.addRow(self.tr("Share a window:"), self._column(
            self._row(self.screen, self.screen_refresh), self.screen_note))

        self.share = FolderField("shareFolder", self.tr("no folder shared"),
                                 self.tr("Share a folder"), parent)
        self.share.changed.connect(self._validate)
        self.share_mode = QComboBox(parent)
        self.share_mode.setObjectName("shareMode")
        self.share_mode.setAccessibleName(self.tr("Access to the shared folder"))
        self.share_mode.addItems([self.tr("read-only"), self.tr("read-write")])
        self.share_mode.currentIndexChanged.connect(self._validate)
        self.share_reason = _label("shareReason", ERROR_STYLE)
        form.addRow(self.tr("Share a folder:"), self._column(
            self._row(self.share.line, self.share_mode, self.share.button), self.share_reason))

        self.keep = FolderField("keepDownloads",
                                self.tr("none: the app asks when the session ends"),
                                self.tr("Keep downloads in"), parent)
        self.keep.changed.connect(self._validate)
        self.keep_reason = _label("keepReason", ERROR_STYLE)
        form.addRow(self.tr("Keep downloads in:"), self._column(
            self._row(self.keep.line, self.keep.button), self.keep_reason))
        self.share_problem = self.keep_problem = ""
        self.set_choices(DeviceChoices())

    @staticmethod
    def _row(*widgets: QWidget) -> QWidget:
        box = QWidget()
        layout = QHBoxLayout(box)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(widgets[0], 1)
        for widget in widgets[1:]:
            layout.addWidget(widget)
        return box

    @staticmethod
    def _column(widget: QWidget, note: QLabel) -> QWidget:
        box = QWidget()
        layout = QVBoxLayout(box)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setSpacing(2)
        layout.addWidget(widget)
        layout.addWidget(note)
        return box

    def set_choices(self, choices: DeviceChoices) -> None:
        """Fill the camera list and disable what cannot be granted, saying why."""
        self.policy = choices.policy
        chosen = self.camera.currentData()  # kept when the list is read again
        self.camera.clear()
        self.camera.addItem(self.tr("none"), "none")
        for cam in choices.cameras:
            self.camera.addItem(f"{cam.card} ({cam.name})", cam.name)
        self.camera.setCurrentIndex(max(0, self.camera.findData(chosen)))
        self._disable(self.camera, self.camera_note, choices.camera_reason)
        if choices.mic_reason:
            self.mic.setCurrentIndex(0)
        self._disable(self.mic, self.mic_note, choices.mic_reason)
        self._fill_screen(choices)
        self.share.set_enabled(not choices.share_reason)
        self.share_mode.setEnabled(not choices.share_reason)
        self.keep.set_enabled(not choices.keep_reason)
        if choices.share_reason:
            self.share.line.clear()
            self.share.line.setPlaceholderText(reason_text(choices.share_reason))
        if choices.keep_reason:
            self.keep.line.clear()
            self.keep.line.setPlaceholderText(reason_text(choices.keep_reason))
        self._validate()

    def _fill_screen(self, choices: DeviceChoices) -> None:
        """The host's windows by title (X11), or the desktop's own dialog (Wayland)."""
        chosen = self.screen.currentData()
        self.screen.clear()
        self.screen.addItem(self.tr("nothing shared"), None)
        if choices.screen_mode == "portal":
            self.screen.addItem(self.tr("ask the desktop when the client shares (portal)"),
                                "portal")
        for window in choices.windows:
            self.screen.addItem(window.label(), str(window.id))
        self.screen.setCurrentIndex(max(0, self.screen.findData(chosen)))
        self.screen_refresh.setVisible(choices.screen_mode == "mirror")
        self.screen_reason = choices.screen_reason
        self._screen_state()

    def set_profile_display(self, mode: str) -> None:
        """The selected profile's display: sharing needs the isolated one."""
        self.profile_display = mode
        self._screen_state()

    def _screen_state(self) -> None:
        reason = self.screen_reason
        if not reason and self.profile_display == "none":
            reason = self.tr("this profile gives the client no display")
        elif not reason and self.profile_display == "insecure_host_x11":
            reason = self.tr("this profile hands the client the whole host screen "
                             "(insecure_host_x11)")
        if reason:
            self.screen.setCurrentIndex(0)
        self._disable(self.screen, self.screen_note, reason)
        self.screen_refresh.setEnabled(not reason or reason == self.screen_reason)

    def _disable(self, widget: QWidget, note: QLabel, reason: str) -> None:
        widget.setEnabled(not reason)
        text = self.tr("Not available: {why}").format(why=reason_text(reason)) if reason else ""
        note.setText(text)
        note.setVisible(bool(reason))
        widget.setToolTip(text)
        widget.setAccessibleDescription(text)

    def _validate(self, *_args: object) -> None:
        self.share_problem = share_problem(self.share.text(), self.writable(), self.policy)
        self.keep_problem = keep_problem(self.keep.text())
        for label, line, problem in ((self.share_reason, self.share.line, self.share_problem),
                                     (self.keep_reason, self.keep.line, self.keep_problem)):
            label.setText(problem)
            label.setVisible(bool(problem))
            line.setAccessibleDescription(problem)
        self.changed.emit()

    def writable(self) -> bool:
        """Whether the share is read-write."""
        return self.share_mode.currentIndex() == 1

    def problems(self) -> list[str]:
        """Why a launch with these choices would be refused (empty when it would not)."""
        return [p for p in (self.share_problem, self.keep_problem) if p]

    def options(self) -> dict[str, Any]:
        """Keyword arguments for RunOptions: only the grants that were chosen."""
        chosen: dict[str, Any] = {}
        camera = self.camera.currentData()
        if self.camera.isEnabled() and camera not in (None, "none"):
            chosen["camera"] = str(camera)
        if self.mic.isEnabled() and MIC_VALUES[self.mic.currentIndex()] is not None:
            chosen["mic"] = MIC_VALUES[self.mic.currentIndex()]
        if self.screen.isEnabled() and self.screen.currentData():
            chosen["share_screen"] = str(self.screen.currentData())
        if self.share.line.isEnabled() and self.share.text():
            chosen["shares"] = (f"{self.share.text()}:{'rw' if self.writable() else 'ro'}",)
        if self.keep.line.isEnabled() and self.keep.text():
            chosen["keep_downloads"] = self.keep.text()
        return chosen
