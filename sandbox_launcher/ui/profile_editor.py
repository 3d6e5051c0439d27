"""The profile editor: a form generated from the schema, validated as you type.

Every field shows why its value is refused right next to it; Save stays disabled while
anything is refused. Saving writes the user's TOML file through the app service, on a
worker thread; only the keys that differ from the profile's base are written.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

from PySide6.QtCore import QCoreApplication, Signal
from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QLabel,
    QLineEdit,
    QScrollArea,
    QVBoxLayout,
    QWidget,
)

from ..core import schema
from ..core.errors import LauncherError
from ..core.profile import Profile
from .bridge import ServiceBridge
from .errors import show_error
from .fields import ERROR_STYLE, FieldEditor, field_title

_NAME_RE = re.compile(r"^[a-z0-9][a-z0-9_-]{0,47}$")


class ProfileEditor(QDialog):
    """Edit a profile (or start a new one from the defaults when *profile* is None)."""

    saved = Signal(str)

    def __init__(self, bridge: ServiceBridge, profile: Profile | None,
                 locks: dict[str, str], parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.bridge = bridge
        self.setObjectName("profileEditor")
        self.setWindowTitle(self.tr("Edit profile {name}").format(name=profile.name)
                            if profile else self.tr("New profile"))
        self.resize(760, 640)
        outer = QVBoxLayout(self)
        self.status = QLabel()
        self.status.setObjectName("editorStatus")
        self.status.setStyleSheet(ERROR_STYLE)
        outer.addWidget(self.status)
        scroll = QScrollArea()
        scroll.setWidgetResizable(True)
        body = QWidget()
        form = QFormLayout(body)
        self.name_edit = QLineEdit(profile.name if profile else "")
        self.name_edit.setObjectName("field-name")
        self.name_edit.setAccessibleName(self.tr("Profile name"))
        self.name_reason = QLabel()
        self.name_reason.setObjectName("reason-name")
        self.name_reason.setStyleSheet(ERROR_STYLE)
        self.name_edit.textChanged.connect(self._revalidate)
        name_label = QLabel(self.tr("&Name:"))
        name_label.setBuddy(self.name_edit)
        form.addRow(name_label, self.name_edit)
        form.addRow("", self.name_reason)
        self.editors: dict[str, FieldEditor] = {}
        values = profile.values if profile else schema.defaults()
        for fld in schema.FIELDS:
            editor = FieldEditor(fld, body)
            editor.set_value(values[fld.key])
            editor.set_locked(locks.get(fld.key))
            editor.changed.connect(self._revalidate)
            label = QLabel(field_title(fld) + ":")
            label.setBuddy(editor.widget)
            form.addRow(label, editor.row(body))
            self.editors[fld.key] = editor
        scroll.setWidget(body)
        outer.addWidget(scroll, 1)
        self.buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Save
                                        | QDialogButtonBox.StandardButton.Cancel)
        self.save_button = self.buttons.button(QDialogButtonBox.StandardButton.Save)
        self.save_button.setObjectName("saveButton")
        self.save_button.setAccessibleName(self.tr("Save the profile"))
        self.buttons.accepted.connect(self._save)
        self.buttons.rejected.connect(self.reject)
        outer.addWidget(self.buttons)
        self.saved_path: Path | None = None
        self._revalidate()

    def problems(self) -> dict[str, str]:
        """Field key (or "name") → why it is refused."""
        found = {key: e.problem for key, e in self.editors.items() if e.problem}
        if not _NAME_RE.match(self.name_edit.text()):
            found["name"] = self.tr("use lower-case letters, digits, '-' and '_' (at most 48)")
        return found

    def values(self) -> dict[str, Any]:
        """Every field's value as the schema holds it."""
        return {key: e.text_value()[0] for key, e in self.editors.items()}

    def _revalidate(self) -> None:
        problems = self.problems()
        self.name_reason.setText(problems.get("name", ""))
        self.name_reason.setVisible("name" in problems)
        self.save_button.setEnabled(not problems)
        self.status.setText(QCoreApplication.translate(
            "ProfileEditor", "%n field(s) need attention", "", len(problems))
            if problems else "")

    def _save(self) -> None:
        if self.problems():
            return
        name, values = self.name_edit.text(), self.values()
        self.save_button.setEnabled(False)

        def done(path: object) -> None:
            self.saved_path = Path(str(path))
            self.saved.emit(name)
            self.accept()

        def failed(error: LauncherError) -> None:
            self.save_button.setEnabled(True)
            show_error(self, error)

        self.bridge.call(lambda: self.bridge.service.save_profile(name, values), done, failed)
