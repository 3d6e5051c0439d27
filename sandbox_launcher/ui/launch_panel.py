"""Per-launch choices for the selected profile, generated from the schema's metadata.

Exactly the fields with a ``launch_option`` (backend, network, command) become toggles;
below them the device grants (camera, microphone, a shared window, share folder, kept
downloads), each off unless chosen, and disabled with the reason when the host, the
policy or the profile cannot give it (``device_fields.py``).
"""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (
    QFormLayout,
    QGroupBox,
    QHBoxLayout,
    QLabel,
    QProgressBar,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from ..core import schema
from ..core.plan import RunOptions
from ..core.profile import Profile
from ..session.choices import DeviceChoices
from . import profile_text
from .device_fields import DeviceControls
from .fields import FieldEditor, field_title
from .link_field import MeetingLinkField


class LaunchPanel(QGroupBox):
    """Choose per-launch options and press Launch."""

    #: (profile name, RunOptions)
    launch_requested = Signal(str, object)
    #: the device choices should be read again (the host's windows changed)
    device_choices_wanted = Signal()
    #: the profile's client is not installed: open the Clients window for this vendor
    install_requested = Signal(str)

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("launchPanel")
        self.setTitle(self.tr("Launch"))
        self.profile: Profile | None = None
        self.busy = False
        self.missing_client = ""  # a store vendor this profile needs and lacks
        layout = QVBoxLayout(self)
        # The button at the top, beside the title: the choices below may need scrolling,
        # and a first-time user must see Launch (or Install…) without looking for it.
        buttons = QHBoxLayout()
        self.heading = QLabel()
        self.heading.setWordWrap(True)
        buttons.addWidget(self.heading, 1)
        self.progress = QProgressBar()
        self.progress.setRange(0, 0)  # busy: starting takes a moment
        self.progress.setMaximumWidth(120)
        self.progress.setAccessibleName(self.tr("Starting"))
        self.progress.hide()
        buttons.addWidget(self.progress)
        self.launch_button = QPushButton(self.tr("&Launch"))
        self.launch_button.setObjectName("launchButton")
        self.launch_button.setAccessibleName(self.tr("Launch the selected profile"))
        self.launch_button.setDefault(True)
        self.launch_button.clicked.connect(self._launch)
        buttons.addWidget(self.launch_button)
        layout.addLayout(buttons)
        form = QFormLayout()
        self.form = form
        self.link = MeetingLinkField(self)
        self.link.changed.connect(self._update_button)
        link_label = QLabel(self.tr("Meeting &link:"))
        link_label.setBuddy(self.link.edit)
        form.addRow(link_label, self.link)
        self.editors: dict[str, FieldEditor] = {}
        self.rows: dict[str, QWidget] = {}
        for fld in schema.FIELDS:
            if not fld.launch_option:
                continue
            editor = FieldEditor(fld, self)
            editor.changed.connect(self._update_button)
            label = QLabel(field_title(fld) + ":")
            label.setBuddy(editor.widget)
            row = editor.row(self)
            form.addRow(label, row)
            self.editors[fld.launch_option] = editor
            self.rows[fld.launch_option] = row
        self.devices = DeviceControls(form, self)
        self.devices.changed.connect(self._update_button)
        self.devices.refresh_requested.connect(self.device_choices_wanted.emit)
        layout.addLayout(form)
        layout.addStretch(1)
        self._update_button()

    def set_profile(self, profile: Profile | None, locks: dict[str, str]) -> None:
        """Show *profile*'s own values as the defaults of this launch; the same profile
        again (reloaded after the editor saved it) keeps what was typed for this launch."""
        old = self.profile
        typed: dict[str, Any] = {}
        if old is not None and profile is not None and old.name == profile.name:
            for option, editor in self.editors.items():
                value, problem = editor.text_value()
                if problem is None and value != old[editor.field.key]:
                    typed[option] = value
        self.profile = profile
        if profile is None:
            self.heading.setText(self.tr("No profile selected."))
        else:
            self.heading.setText(f"<b>{profile_text.title(profile)}</b><br><small>"
                                 f"{profile_text.description(profile)}</small>")
        for option, editor in self.editors.items():
            key = editor.field.key
            if profile is not None:
                editor.set_value(typed.get(option, profile[key]))
            editor.set_locked(locks.get(key))
        self.devices.set_profile_display(profile["devices.display"] if profile else "")
        # A command only for a profile without a client of its own (generic); a meeting
        # link for every client that joins meetings (Zoom, the web profiles).
        client = profile["client"] if profile is not None else "none"
        self.form.setRowVisible(self.rows["command"], client == "none")
        self.form.setRowVisible(self.link, client != "none")
        self.link.set_profile(profile)
        command = self.editors.get("command")
        if command is not None and profile is not None and not profile["command"]:
            line = command.widget
            line.setProperty("placeholderText", self.tr("the command to run in the sandbox"))
        self._update_button()

    def set_missing_client(self, vendor: str, title: str) -> None:
        """The selected profile's client *vendor* is not installed ("" if it is): the
        button becomes "Install TITLE…" and opens the Clients window."""
        self.missing_client = vendor
        if vendor:
            self.launch_button.setText(self.tr("&Install {title}…").format(title=title))
            self.launch_button.setAccessibleName(
                self.tr("Install {title} in the Clients window").format(title=title))
        else:
            self.launch_button.setText(self.tr("&Launch"))
            self.launch_button.setAccessibleName(self.tr("Launch the selected profile"))
        self._update_button()

    def set_device_choices(self, choices: DeviceChoices) -> None:
        """What this host and policy can grant (cameras, reasons for what they cannot)."""
        self.devices.set_choices(choices)

    def options(self) -> RunOptions:
        """The RunOptions for the current choices (only what differs is passed on)."""
        chosen: dict[str, Any] = self.devices.options()
        if self.link.link is not None:
            chosen["join_url"] = self.link.link.url
        for option, editor in self.shown_editors().items():
            value, _ = editor.text_value()
            if self.profile is not None and value == self.profile[editor.field.key]:
                continue
            chosen[option] = tuple(value) if isinstance(value, list) else value
        return RunOptions(**chosen)

    def set_busy(self, busy: bool) -> None:
        """Show progress while a start is under way."""
        self.busy = busy
        self.progress.setVisible(busy)
        self._update_button()

    def shown_editors(self) -> dict[str, FieldEditor]:
        """The per-launch fields this profile shows (a hidden command is the profile's
        own, passed on unchanged)."""
        return {option: editor for option, editor in self.editors.items()
                if self.form.isRowVisible(self.rows[option])}

    def missing(self) -> str:
        """What must still be filled in before Launch (no error: nothing was wrong yet)."""
        if self.profile is None:
            return ""
        command = self.editors.get("command")
        if (self.profile["client"] == "none" and not self.profile["command"]
                and command is not None and not command.text_value()[0]):
            return self.tr("Name the command to run first.")
        if self.link.required() and self.link.link is None:
            return self.tr("Paste the meeting link first: this profile has no meeting "
                           "page of its own.")
        return ""

    def _update_button(self) -> None:
        problems = [e.problem for e in self.shown_editors().values() if e.problem]
        problems += self.devices.problems()
        if self.link.problem:
            problems.append(self.link.problem)
        waiting = self.missing()
        if self.missing_client:
            problems, waiting = [], ""  # Install needs none of the launch choices
        self.launch_button.setEnabled(self.profile is not None and not problems
                                      and not waiting and not self.busy)
        self.launch_button.setToolTip(waiting or "")

    def _launch(self) -> None:
        if self.profile is None or not self.launch_button.isEnabled():
            return
        if self.missing_client:
            self.install_requested.emit(self.missing_client)
        else:
            self.launch_requested.emit(self.profile.name, self.options())

    def keyPressEvent(self, event: Any) -> None:  # noqa: N802 (Qt's name)
        """Enter anywhere in the panel launches."""
        if event.key() in (Qt.Key.Key_Return, Qt.Key.Key_Enter):
            self._launch()
        else:
            super().keyPressEvent(event)
