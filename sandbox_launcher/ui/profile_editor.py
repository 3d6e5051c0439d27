"""The profile editor: a form generated from the schema, validated as you type.

Fields are in sections (General, Network, Devices, Advanced); every field shows why its
value is refused right next to it, and a section holding a refused value says so in its
tab. Save stays disabled while anything is refused. A new profile starts from a template
(a built-in profile, or empty); a changed built-in can be reset to its built-in values, a
profile of the user's own deleted. Saving writes the user's TOML file through the app
service, on a worker thread; only the keys that differ from the profile's base are written.
"""

from __future__ import annotations

import dataclasses
import re
from pathlib import Path
from typing import Any

from PySide6.QtCore import QCoreApplication, Signal
from PySide6.QtWidgets import (
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QLabel,
    QLineEdit,
    QMessageBox,
    QPushButton,
    QScrollArea,
    QTabWidget,
    QVBoxLayout,
    QWidget,
)

from ..clients.vendors import VENDORS
from ..core import schema
from ..core.errors import LauncherError
from ..core.profile import Profile
from .bridge import ServiceBridge
from .errors import show_error
from .fields import ERROR_STYLE, FieldEditor, field_title
from .profile_text import plain_title

_NAME_RE = re.compile(r"^[a-z0-9][a-z0-9_-]{0,47}$")
#: Which section a field is in, by the start of its key (the rest: Advanced).
_SECTIONS = (("general", ("title", "description", "client", "command", "backend", "web.")),
             ("network", ("network.",)), ("devices", ("devices.",)))
#: What the client field offers (the schema's own words: a vendor, a browser, none).
CLIENTS = ("none", "browser", "chromium", "firefox", *sorted(VENDORS))


def section_of(key: str) -> str:
    """"general", "network", "devices" or "advanced"."""
    for name, starts in _SECTIONS:
        if any(key == s or (s.endswith(".") and key.startswith(s)) for s in starts):
            return name
    return "advanced"


def _tab_titles() -> dict[str, str]:
    return {"general": QCoreApplication.translate("ProfileEditor", "General"),
            "network": QCoreApplication.translate("ProfileEditor", "Network"),
            "devices": QCoreApplication.translate("ProfileEditor", "Devices"),
            "advanced": QCoreApplication.translate("ProfileEditor", "Advanced")}


class ProfileEditor(QDialog):
    """Edit a profile (or start a new one from a template when *profile* is None)."""

    saved = Signal(str)
    #: the user's file of a profile was removed (reset to built-in, or deleted)
    removed = Signal(str)

    def __init__(self, bridge: ServiceBridge, profile: Profile | None,
                 locks: dict[str, str], parent: QWidget | None = None, *,
                 templates: dict[str, Profile] | None = None) -> None:
        super().__init__(parent)
        self.bridge = bridge
        self.profile = profile
        self.templates = {n: p for n, p in (templates or {}).items() if p.builtin}
        self.setObjectName("profileEditor")
        self.setWindowTitle(self.tr("Edit profile {name}").format(name=profile.name)
                            if profile else self.tr("New profile"))
        self.resize(760, 640)
        outer = QVBoxLayout(self)
        self.status = QLabel()
        self.status.setObjectName("editorStatus")
        self.status.setStyleSheet(ERROR_STYLE)
        outer.addWidget(self.status)
        head = QFormLayout()
        self.template = QComboBox()
        self.template.setObjectName("templateChooser")
        if profile is None:
            self.template.addItem(self.tr("Empty (defaults)"), "")
            for name, template in sorted(self.templates.items(),
                                         key=lambda item: plain_title(item[1]).lower()):
                self.template.addItem(plain_title(template), name)
            self.template.currentIndexChanged.connect(self._use_template)
            head.addRow(self.tr("Start &from:"), self.template)
        self.name_edit = QLineEdit(profile.name if profile else "")
        self.name_edit.setObjectName("field-name")
        self.name_edit.setAccessibleName(self.tr("Profile name"))
        self.name_reason = QLabel()
        self.name_reason.setObjectName("reason-name")
        self.name_reason.setStyleSheet(ERROR_STYLE)
        self.name_edit.textChanged.connect(self._revalidate)
        name_label = QLabel(self.tr("&Name:"))
        name_label.setBuddy(self.name_edit)
        head.addRow(name_label, self.name_edit)
        head.addRow("", self.name_reason)
        outer.addLayout(head)
        self.tabs = QTabWidget()
        self.tabs.setObjectName("editorSections")
        self.editors: dict[str, FieldEditor] = {}
        self._fill_tabs(profile.values if profile else schema.defaults(), locks)
        outer.addWidget(self.tabs, 1)
        self.buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Save
                                        | QDialogButtonBox.StandardButton.Cancel)
        self.save_button = self.buttons.button(QDialogButtonBox.StandardButton.Save)
        self.save_button.setObjectName("saveButton")
        self.save_button.setAccessibleName(self.tr("Save the profile"))
        self.buttons.accepted.connect(self._save)
        self.buttons.rejected.connect(self.reject)
        self.remove_button = self._remove_button(profile)
        outer.addWidget(self.buttons)
        self.saved_path: Path | None = None
        self.question: QMessageBox | None = None
        self._revalidate()

    def _fill_tabs(self, values: dict[str, Any], locks: dict[str, str]) -> None:
        forms: dict[str, QFormLayout] = {}
        self.pages: dict[str, QWidget] = {}
        for section, title in _tab_titles().items():
            scroll = QScrollArea()
            scroll.setWidgetResizable(True)
            body = QWidget()
            forms[section] = QFormLayout(body)
            scroll.setWidget(body)
            self.tabs.addTab(scroll, title)
            self.pages[section] = body
        for fld in schema.FIELDS:
            section = section_of(fld.key)
            body = self.pages[section]
            shown = fld
            if fld.key == "client":  # a chooser, not free text
                extra = () if values[fld.key] in CLIENTS else (str(values[fld.key]),)
                shown = dataclasses.replace(fld, kind="choice", choices=CLIENTS + extra)
            editor = FieldEditor(shown, body)
            editor.set_value(values[fld.key])
            editor.set_locked(locks.get(fld.key))
            editor.changed.connect(self._revalidate)
            label = QLabel(field_title(fld) + ":")
            label.setBuddy(editor.widget)
            forms[section].addRow(label, editor.row(body))
            self.editors[fld.key] = editor

    def _remove_button(self, profile: Profile | None) -> QPushButton | None:
        """Reset to built-in (a changed built-in) or Delete (the user's own profile)."""
        if profile is None:
            return None
        if profile.builtin and len(profile.sources) > 1:
            text = self.tr("&Reset to built-in…")
        elif not profile.builtin:
            text = self.tr("&Delete profile…")
        else:
            return None  # a built-in as shipped: nothing of the user's to remove
        button = self.buttons.addButton(text, QDialogButtonBox.ButtonRole.ResetRole)
        button.setObjectName("removeProfileButton")
        button.clicked.connect(self.ask_remove)
        return button

    def show_field(self, key: str) -> None:
        """Bring *key*'s section to the front (where its reason is shown)."""
        self.tabs.setCurrentIndex(list(self.pages).index(section_of(key)))

    def problems(self) -> dict[str, str]:
        """Field key (or "name") → why it is refused."""
        found = {key: e.problem for key, e in self.editors.items() if e.problem}
        if not _NAME_RE.match(self.name_edit.text()):
            found["name"] = self.tr("use lower-case letters, digits, '-' and '_' (at most 48)")
        return found

    def values(self) -> dict[str, Any]:
        """Every field's value as the schema holds it."""
        return {key: e.text_value()[0] for key, e in self.editors.items()}

    def _use_template(self) -> None:
        name = str(self.template.currentData() or "")
        template = self.templates.get(name)
        values = template.values if template is not None else schema.defaults()
        for key, editor in self.editors.items():
            if key == "title" and template is not None:
                editor.set_value(self.tr("{title} (mine)").format(
                    title=plain_title(template)))
            else:
                editor.set_value(values[key])
        if template is not None and not self.name_edit.text():
            self.name_edit.setText(f"{name}-mine")
        self._revalidate()

    def _revalidate(self) -> None:
        problems = self.problems()
        self.name_reason.setText(problems.get("name", ""))
        self.name_reason.setVisible("name" in problems)
        self.save_button.setEnabled(not problems)
        self.status.setText(QCoreApplication.translate(
            "ProfileEditor", "%n field(s) need attention", "", len(problems))
            if problems else "")
        marked = {section_of(key) for key in problems if key != "name"}
        for index, (section, title) in enumerate(_tab_titles().items()):
            self.tabs.setTabText(index, f"{title} ⚠" if section in marked else title)

    def ask_remove(self) -> QMessageBox:
        """Ask before removing the user's file (reset, or delete)."""
        assert self.profile is not None
        name = self.profile.name
        reset = self.profile.builtin
        box = QMessageBox(QMessageBox.Icon.Question, self.windowTitle(),
                          (self.tr("Reset {name} to its built-in settings? Your changes to "
                                   "it are deleted.") if reset else
                           self.tr("Delete the profile {name}?")).format(name=name),
                          QMessageBox.StandardButton.Cancel, self)
        box.setObjectName("removeProfileQuestion")
        yes = box.addButton(self.tr("&Reset") if reset else self.tr("&Delete"),
                            QMessageBox.ButtonRole.DestructiveRole)
        yes.setObjectName("confirmRemoveProfile")

        def answered(button: object) -> None:
            if button is yes:
                self._remove(name)

        box.buttonClicked.connect(answered)
        box.open()
        self.question = box
        return box

    def _remove(self, name: str) -> None:
        def done(_: object) -> None:
            self.removed.emit(name)
            self.accept()

        def failed(error: LauncherError) -> None:
            show_error(self, error)

        self.bridge.call(lambda: self.bridge.service.remove_user_profile(name), done, failed)

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
