"""One form widget per schema field: the editor and the launch panel are built from these.

Each :class:`FieldEditor` turns the widget's text into the value the schema expects and
checks it with :func:`schema.check_value` as the user types, showing the reason next to
the field (bubblejail: field metadata drives the form).
"""

from __future__ import annotations

import json
import shlex
from typing import Any

from PySide6.QtCore import QT_TRANSLATE_NOOP, QCoreApplication, QObject, Signal
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPlainTextEdit,
    QWidget,
)

from ..core import schema
from ..core.schema import Field
from .field_help import field_help
from .icons import lock_pixmap

ERROR_STYLE = "color: #b00020;"


def _split_list(fld: Field, text: str) -> list[str]:
    if fld.key == "command":  # program and arguments: shell-like quoting
        return shlex.split(text)
    return [item.strip() for item in text.split(",") if item.strip()]


def _map_value(text: str) -> str:
    """A table value on one line: quoted (JSON escapes) when it has newlines or quotes."""
    return json.dumps(text) if ("\n" in text or text.startswith('"')) else text


def _join_list(fld: Field, items: list[str]) -> str:
    return shlex.join(items) if fld.key == "command" else ", ".join(items)


class FieldEditor(QObject):
    """The widget, the reason label and the lock of one field."""

    changed = Signal()

    def __init__(self, fld: Field, parent: QWidget) -> None:
        super().__init__(parent)
        self.field = fld
        self.widget: QWidget
        if fld.kind == "bool":
            box = QCheckBox(parent)
            box.toggled.connect(self._edited)
            self.widget = box
        elif fld.kind == "choice":
            combo = QComboBox(parent)
            for choice in fld.choices:  # shown in words, held as the schema's value
                combo.addItem(QCoreApplication.translate("Choices", choice), choice)
            combo.currentIndexChanged.connect(self._edited)
            self.widget = combo
        elif fld.kind == "str_map":
            text = QPlainTextEdit(parent)
            text.setPlaceholderText(self.tr("NAME=value, one per line"))
            text.setFixedHeight(text.fontMetrics().lineSpacing() * 3 + 12)
            text.setTabChangesFocus(True)
            text.textChanged.connect(self._edited)
            self.widget = text
        else:
            line = QLineEdit(parent)
            if fld.kind == "str_list" and fld.key != "command":
                line.setPlaceholderText(self.tr("comma-separated"))
            line.textChanged.connect(self._edited)
            self.widget = line
        self.widget.setObjectName(f"field-{fld.key}")
        self.widget.setAccessibleName(field_title(fld))
        self.widget.setAccessibleDescription(field_help(fld))
        self.widget.setToolTip(field_help(fld))
        self.reason = QLabel(parent)
        self.reason.setObjectName(f"reason-{fld.key}")
        self.reason.setStyleSheet(ERROR_STYLE)
        self.reason.setWordWrap(True)
        self.reason.hide()
        self.lock = QLabel(parent)
        self.lock.setPixmap(lock_pixmap())
        self.lock.hide()
        self.problem: str | None = None

    def row(self, parent: QWidget) -> QWidget:
        """The widget with its lock and reason beside it, for a form row."""
        box = QWidget(parent)
        layout = QHBoxLayout(box)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.widget, 3)
        layout.addWidget(self.lock)
        layout.addWidget(self.reason, 2)
        return box

    def set_value(self, value: Any) -> None:
        """Show *value* (as the schema holds it) in the widget."""
        w = self.widget
        if isinstance(w, QCheckBox):
            w.setChecked(bool(value))
        elif isinstance(w, QComboBox):
            w.setCurrentIndex(max(0, w.findData(str(value))))
        elif isinstance(w, QPlainTextEdit):
            w.setPlainText("\n".join(f"{k}={_map_value(v)}" for k, v in dict(value).items()))
        elif isinstance(w, QLineEdit):
            w.setText(_join_list(self.field, list(value)) if self.field.kind == "str_list"
                      else str(value))
        self.validate()

    def text_value(self) -> tuple[Any, str | None]:
        """The value the widget holds, and why it cannot be parsed (or None)."""
        w = self.widget
        if isinstance(w, QCheckBox):
            return w.isChecked(), None
        if isinstance(w, QComboBox):
            return str(w.currentData()), None
        if isinstance(w, QPlainTextEdit):
            found: dict[str, str] = {}
            for line in w.toPlainText().splitlines():
                if not line.strip():
                    continue
                name, sep, text = line.partition("=")
                if not sep:
                    return found, self.tr("{line!r} is not NAME=value").format(line=line)
                if text.startswith('"'):  # a quoted value: newlines and quotes as escapes
                    try:
                        text = str(json.loads(text))
                    except ValueError:
                        return found, self.tr("{line!r}: the quoted value is not closed "
                                              "properly").format(line=line)
                found[name.strip()] = text
            return found, None
        assert isinstance(w, QLineEdit)
        if self.field.kind == "str_list":
            try:
                return _split_list(self.field, w.text()), None
            except ValueError as exc:
                return [], self.tr("cannot split into arguments: {why}").format(why=exc)
        return w.text(), None

    def validate(self) -> str | None:
        """Check the current value; show and return the reason, None when fine."""
        value, problem = self.text_value()
        if problem is None:
            problem = schema.check_value(self.field.key, value)
        self.show_problem(problem)
        return problem

    def show_problem(self, problem: str | None) -> None:
        """Show why the value is refused next to the field (None clears it)."""
        self.problem = problem
        self.reason.setText(problem or "")
        self.reason.setVisible(problem is not None)
        self.widget.setAccessibleDescription(problem or field_help(self.field))

    def set_locked(self, what: str | None) -> None:
        """Show the policy lock and make the field read-only, or undo that."""
        self.lock.setVisible(what is not None)
        self.widget.setEnabled(what is None)
        if what is not None:
            text = QCoreApplication.translate(
                "FieldEditor", "Fixed by the system policy: {what}").format(what=what)
            self.lock.setToolTip(text)
            self.lock.setAccessibleName(text)
            self.widget.setToolTip(text)
        else:
            self.widget.setToolTip(field_help(self.field))

    def _edited(self, *_args: object) -> None:
        self.validate()
        self.changed.emit()


#: The schema's choice values that are words (the rest are names: zoom, chromium, vm).
_CHOICE_WORDS = (
    QT_TRANSLATE_NOOP("Choices", "none"),
    QT_TRANSLATE_NOOP("Choices", "allowlist"),
    QT_TRANSLATE_NOOP("Choices", "auto"),
    QT_TRANSLATE_NOOP("Choices", "isolated"),
    QT_TRANSLATE_NOOP("Choices", "insecure_host_x11"),
    QT_TRANSLATE_NOOP("Choices", "namespace"),
    QT_TRANSLATE_NOOP("Choices", "browser"),
)

#: Field titles, for lupdate (the schema itself stays free of Qt).
_TITLES = (
    QT_TRANSLATE_NOOP("Schema", "Title"),
    QT_TRANSLATE_NOOP("Schema", "Description"),
    QT_TRANSLATE_NOOP("Schema", "Client"),
    QT_TRANSLATE_NOOP("Schema", "Command"),
    QT_TRANSLATE_NOOP("Schema", "Backend"),
    QT_TRANSLATE_NOOP("Schema", "Home size"),
    QT_TRANSLATE_NOOP("Schema", "/tmp size"),
    QT_TRANSLATE_NOOP("Schema", "/dev/shm size"),
    QT_TRANSLATE_NOOP("Schema", "Nested user namespaces"),
    QT_TRANSLATE_NOOP("Schema", "Allowed system calls"),
    QT_TRANSLATE_NOOP("Schema", "Environment"),
    QT_TRANSLATE_NOOP("Schema", "Host variables passed"),
    QT_TRANSLATE_NOOP("Schema", "Network"),
    QT_TRANSLATE_NOOP("Schema", "Allowed domains"),
    QT_TRANSLATE_NOOP("Schema", "Allowed networks"),
    QT_TRANSLATE_NOOP("Schema", "Allowed ports"),
    QT_TRANSLATE_NOOP("Schema", "Vendor address lists"),
    QT_TRANSLATE_NOOP("Schema", "Allowed countries"),
    QT_TRANSLATE_NOOP("Schema", "Denied countries"),
    QT_TRANSLATE_NOOP("Schema", "Display"),
    QT_TRANSLATE_NOOP("Schema", "Window size"),
    QT_TRANSLATE_NOOP("Schema", "Speakers"),
    QT_TRANSLATE_NOOP("Schema", "Session-bus services"),
    QT_TRANSLATE_NOOP("Schema", "Seeded home files"),
    QT_TRANSLATE_NOOP("Schema", "Remember sign-in"),
    QT_TRANSLATE_NOOP("Schema", "Sign-in paths"),
    QT_TRANSLATE_NOOP("Schema", "Meeting page"),
    QT_TRANSLATE_NOOP("Schema", "Any meeting host"),
    QT_TRANSLATE_NOOP("Schema", "Browser"),
    QT_TRANSLATE_NOOP("Schema", "Browser arguments"),
)


def field_title(fld: Field) -> str:
    """The field's title in the user's language."""
    return QCoreApplication.translate("Schema", fld.title)
