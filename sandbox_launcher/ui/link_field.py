"""The launch panel's meeting-link field: checked as it is typed by the same strict parser
and the same routing as every other link (``clients.links``, ``clients.routing``)."""

from __future__ import annotations

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import QLabel, QLineEdit, QVBoxLayout, QWidget

from ..clients import links, routing
from ..core.errors import MeetingLinkError
from ..core.profile import Profile


class MeetingLinkField(QWidget):
    """A line for the link and, under it, why it cannot be used (in words)."""

    #: the link or its verdict changed
    changed = Signal()

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("meetingLink")
        self.profile: Profile | None = None
        self.link: links.MeetingLink | None = None
        self.problem = ""
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setSpacing(2)
        self.edit = QLineEdit()
        self.edit.setObjectName("meetingLinkEdit")
        self.edit.setClearButtonEnabled(True)
        self.edit.setAccessibleName(self.tr("Meeting link"))
        self.edit.textChanged.connect(self._check)
        layout.addWidget(self.edit)
        self.message = QLabel()
        self.message.setObjectName("meetingLinkProblem")
        self.message.setWordWrap(True)
        self.message.setTextFormat(Qt.TextFormat.PlainText)  # the link is anyone's text
        self.message.setStyleSheet("color: #b00020")
        self.message.hide()
        layout.addWidget(self.message)

    def required(self) -> bool:
        """A web profile without a meeting page of its own needs a link to open."""
        return (self.profile is not None and self.profile["client"] == "browser"
                and not self.profile["web.url"])

    def set_profile(self, profile: Profile | None) -> None:
        """Check the link again for *profile* (a link for Jitsi does not fit Zoom)."""
        self.profile = profile
        if self.required():
            self.edit.setPlaceholderText(self.tr("https://… the meeting link from the "
                                                 "invitation (needed)"))
        elif profile is not None and profile["client"] == "zoom":
            self.edit.setPlaceholderText(self.tr("optional: https://zoom.us/j/… to join a "
                                                 "meeting at once"))
        else:
            self.edit.setPlaceholderText(self.tr("optional: the meeting link; without "
                                                 "one, the service's start page opens"))
        self._check()

    def _check(self) -> None:
        text = self.edit.text().strip()
        self.link, self.problem = None, ""
        if text and self.profile is not None:
            try:
                link = links.parse(routing.with_scheme(text))
            except MeetingLinkError as exc:
                self.problem = exc.summary
            else:
                if routing.fit(self.profile, link):
                    self.link = link
                else:
                    self.problem = self.tr(
                        "This is a {service} meeting on {host}; {title} cannot open it. "
                        "Paste it under Join a meeting above: it finds the right "
                        "profile.").format(service=link.service, host=link.host,
                                           title=self.profile.title)
        self.message.setText(self.problem)
        self.message.setVisible(bool(self.problem))
        self.changed.emit()
