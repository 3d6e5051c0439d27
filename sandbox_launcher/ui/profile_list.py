"""The profiles as cards: title, client, backend, network summary, and a lock for policy."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from PySide6.QtCore import QCoreApplication, QSize, Qt, Signal
from PySide6.QtWidgets import (
    QFrame,
    QHBoxLayout,
    QLabel,
    QListWidget,
    QListWidgetItem,
    QVBoxLayout,
    QWidget,
)

from ..core.profile import Profile
from . import profile_text
from .icons import lock_pixmap


def network_summary(profile: Profile) -> str:
    """One line on what the profile may reach."""
    if profile["network.mode"] == "none":
        return QCoreApplication.translate("ProfileList", "Network: none (loopback only)")
    domains = profile["network.domains"]
    ranges = profile["network.vendor_ranges"]
    if not domains and not ranges and profile["web.any_host"]:
        return QCoreApplication.translate(
            "ProfileList", "Network: only the meeting link's server, ports {ports}").format(
                ports=", ".join(profile["network.ports"]))
    text = QCoreApplication.translate("ProfileList", "Network: {count} domains").format(
        count=len(domains))
    if ranges:
        text += QCoreApplication.translate(
            "ProfileList", " + published ranges of {vendors}").format(vendors=", ".join(ranges))
    return text + QCoreApplication.translate("ProfileList", ", ports {ports}").format(
        ports=", ".join(profile["network.ports"]))


class ProfileCard(QFrame):
    """One profile as a small card."""

    def __init__(self, profile: Profile, locks: dict[str, str],
                 parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName(f"card-{profile.name}")
        layout = QVBoxLayout(self)
        layout.setContentsMargins(8, 6, 8, 6)
        layout.setSpacing(2)
        head = QHBoxLayout()
        title = QLabel(f"<b>{profile_text.title(profile)}</b>")
        head.addWidget(title, 1)
        origin = self.tr("built-in") if profile.builtin else self.tr("yours")
        if profile.builtin and len(profile.sources) > 1:
            origin = self.tr("built-in, changed")
        head.addWidget(QLabel(f"<small>{origin}</small>"))
        layout.addLayout(head)
        client = profile["client"]
        for text in (self.tr("Client: {client} · Backend: {backend}").format(
                client=client, backend=profile["backend"]), network_summary(profile)):
            label = QLabel(text)
            label.setWordWrap(True)
            layout.addWidget(label)
        if locks:
            row = QHBoxLayout()
            icon = QLabel()
            icon.setPixmap(lock_pixmap())
            row.addWidget(icon)
            text = self.tr("Fixed by the system policy: {what}").format(
                what="; ".join(f"{k.rpartition('.')[2]} {v}" for k, v in locks.items()))
            row.addWidget(QLabel(f"<small>{text}</small>"), 1)
            layout.addLayout(row)
            self.setToolTip(text)


class ProfileList(QListWidget):
    """Profiles as cards; keyboard navigable; emits the selected profile's name."""

    profile_selected = Signal(str)

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("profileList")
        self.setAccessibleName(self.tr("Profiles"))
        self.setSpacing(3)
        self.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        self.setResizeMode(QListWidget.ResizeMode.Adjust)
        self.currentItemChanged.connect(self._changed)

    def set_profiles(self, profiles: list[Profile], locks: dict[str, str],
                     order: Callable[[str, str], Any] | None = None) -> None:
        """Replace the cards, keeping the selection when the profile still exists.

        *order(name, title)* is the sort key (the window's: most used first, Zoom first).
        """
        current = self.current_name()
        self.clear()
        for profile in sorted(profiles, key=lambda p: order(p.name, p.title) if order
                              else (not p.builtin, p.title.lower())):
            item = QListWidgetItem()
            item.setData(Qt.ItemDataRole.UserRole, profile.name)
            item.setData(Qt.ItemDataRole.AccessibleTextRole,
                         f"{profile_text.plain_title(profile)}, "
                         f"{network_summary(profile)}")
            # the policy's locks are all network settings: moot for a profile without network
            card = ProfileCard(profile, locks if profile["network.mode"] != "none" else {})
            item.setSizeHint(card.sizeHint() + QSize(0, 4))
            self.addItem(item)
            self.setItemWidget(item, card)
            if profile.name == current:
                self.setCurrentItem(item)
        if self.currentItem() is None and self.count():
            self.setCurrentRow(0)

    def current_name(self) -> str:
        """The selected profile's name, or ""."""
        item = self.currentItem()
        return str(item.data(Qt.ItemDataRole.UserRole)) if item is not None else ""

    def select(self, name: str) -> None:
        """Select the card of *name*."""
        for row in range(self.count()):
            if self.item(row).data(Qt.ItemDataRole.UserRole) == name:
                self.setCurrentRow(row)

    def _changed(self, current: QListWidgetItem | None, _previous: object) -> None:
        if current is not None:
            self.profile_selected.emit(str(current.data(Qt.ItemDataRole.UserRole)))
