"""The Clients window: the vendor clients in the store, and installing, updating and
removing them, each on a worker thread with its progress shown (``client_progress.py``)."""

from __future__ import annotations

import itertools
import urllib.parse
from collections.abc import Callable
from pathlib import Path

from PySide6.QtCore import QDateTime, Qt, Signal
from PySide6.QtGui import QShowEvent
from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QFileDialog,
    QHBoxLayout,
    QLabel,
    QMessageBox,
    QPushButton,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from ..clients.store import Installed
from ..clients.vendors import VENDORS
from ..core.errors import LauncherError
from ..session.clients import (
    DOWNLOAD_STEPS,
    INSTALL_FILE_STEPS,
    REMOVE_STEPS,
    Cancelled,
    ClientService,
    Installation,
    VendorListing,
)
from ..session.lifecycle import Event, State
from .bridge import ServiceBridge
from .client_errors import for_the_window
from .client_progress import ClientProgress
from .errors import show_error
from .package_check import PackageCheck
from .tables import row_table

#: How many of the package's skipped parts the result line names (all are in its tooltip).
SKIPPED_SHOWN = 3
_ROLE = Qt.ItemDataRole.UserRole


class ClientsDialog(QDialog):
    """Installed vendor clients; Install from file, Download latest, Remove."""

    #: something for the main window's status bar
    notice = Signal(str)
    #: a client was installed or removed (the launch panel's Install/Launch follows)
    store_changed = Signal()

    def __init__(self, bridge: ServiceBridge, clients: ClientService,
                 parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.bridge = bridge
        self.clients = clients
        self.listing: list[VendorListing] = []
        self._generation = itertools.count()
        self._wanted = 0
        self.setObjectName("clientsDialog")
        self.setWindowTitle(self.tr("Clients"))
        self.resize(860, 600)
        layout = QVBoxLayout(self)
        layout.addWidget(self._intro())
        self.table = row_table("clientTable", self.tr("Installed clients"), [
            self.tr("Client"), self.tr("Version"), self.tr("Status"), self.tr("Installed"),
            self.tr("Verified by"), self.tr("Source")])
        self.table.itemSelectionChanged.connect(self._update_buttons)
        layout.addWidget(self.table, 1)
        self.check = PackageCheck(self)
        layout.addWidget(self.check)
        buttons = QHBoxLayout()
        self.file_button = QPushButton(self.tr("Install from &file…"))
        self.file_button.setObjectName("installFileButton")
        self.file_button.setAccessibleName(self.tr("Install a client from a downloaded file"))
        self.file_button.clicked.connect(self.ask_file)
        self.download_button = QPushButton(self.tr("&Download latest"))
        self.download_button.setObjectName("downloadButton")
        self.download_button.clicked.connect(lambda _checked=False: self.download())
        self.remove_button = QPushButton(self.tr("&Remove…"))
        self.remove_button.setObjectName("removeButton")
        self.remove_button.setAccessibleName(self.tr("Remove the selected version"))
        self.remove_button.clicked.connect(self.ask_remove)
        for button in (self.file_button, self.download_button, self.remove_button):
            buttons.addWidget(button)
        buttons.addStretch(1)
        close = QDialogButtonBox(QDialogButtonBox.StandardButton.Close)
        close.rejected.connect(self.reject)
        buttons.addWidget(close)
        layout.addLayout(buttons)
        self.progress = ClientProgress(self)
        layout.addWidget(self.progress)
        bridge.session_event.connect(self._on_session_event)
        bridge.sessions_changed.connect(self._refresh_if_shown)
        self._update_buttons()

    def _intro(self) -> QLabel:
        intro = QLabel(self.tr(
            "Vendor clients are unpacked as you, read-only, after their signature or "
            "checksum is verified; their installer scripts never run. A session gets the "
            "current version; the one that last started is kept until the new one has "
            "started once."))
        intro.setWordWrap(True)
        return intro

    # ------------------------------------------------------------------ the list

    def showEvent(self, event: QShowEvent) -> None:  # noqa: N802 (Qt's name)
        """Read the store again each time the window opens."""
        super().showEvent(event)
        self.refresh()

    wanted_vendor = ""

    def refresh(self) -> None:
        """Read the store (and who uses which client) on a worker, then show it."""
        token = self._wanted = next(self._generation)

        def done(listing: object) -> None:
            if token == self._wanted and isinstance(listing, list):
                self._show(listing)

        def failed(error: LauncherError) -> None:
            show_error(self, for_the_window(error), self.tr("Could not read the client store"))

        self.bridge.call(self.clients.listing, done, failed)

    def _refresh_if_shown(self) -> None:
        if self.isVisible():
            self.refresh()

    def _on_session_event(self, event: Event) -> None:
        # A session starting or ending changes who uses which client.
        if event.data is None and event.state in (State.PREPARING, State.WIPED,
                                                  State.FAILED):
            self._refresh_if_shown()

    def choose_vendor(self, vendor: str) -> None:
        """Select *vendor*'s row (now, and again once the store has been read)."""
        self.wanted_vendor = vendor
        for row in range(self.table.rowCount()):
            if self._row_key(row)[0] == vendor:
                self.table.selectRow(row)
                return

    def _show(self, listing: list[VendorListing]) -> None:
        selected = self.selected()
        if self.wanted_vendor:
            selected = (self.wanted_vendor, next(
                (i.versions[0].version for i in listing
                 if i.vendor.name == self.wanted_vendor and i.versions), ""))
            self.wanted_vendor = ""
        self.listing = listing
        self.table.setRowCount(0)
        for item in listing:
            versions: list[Installed | None] = list(item.versions) or [None]
            for installed in versions:
                self._add_row(item, installed)
        row = next((r for r in range(self.table.rowCount())
                    if self._row_key(r) == selected), 0)
        if self.table.rowCount():
            self.table.selectRow(row)
        self._update_buttons()

    def _add_row(self, item: VendorListing, installed: Installed | None) -> None:
        row = self.table.rowCount()
        self.table.insertRow(row)
        if installed is None:
            cells = [item.vendor.title, "—", self.tr("not installed"), "", "", ""]
            tip = self.tr("Install it from a downloaded file, or download it from {url}."
                          ).format(url=self.clients.url(item.vendor.name))
        else:
            info = installed.info
            cells = [item.vendor.title, installed.version, self._status(item, installed),
                     _local_time(str(info.get("installed", ""))),
                     self._verified(str(info.get("verified", "")),
                                    str(info.get("verified_by", ""))),
                     _short_source(str(info.get("source", "")))]
            tip = self.tr("Stored in {path}\nVerified by: {method} {by}\nSource: {source}"
                          ).format(path=installed.path, method=info.get("verified", "?"),
                                   by=info.get("verified_by", ""),
                                   source=info.get("source", "?"))
            skipped = info.get("skipped") or []
            if skipped:
                tip += "\n" + self.tr("Not installed from the package:") + "\n  " + \
                    "\n  ".join(str(s) for s in skipped)
        for col, text in enumerate(cells):
            cell = QTableWidgetItem(text)
            cell.setToolTip(tip)
            cell.setData(_ROLE, (item.vendor.name,
                                 installed.version if installed is not None else ""))
            self.table.setItem(row, col, cell)

    def _status(self, item: VendorListing, installed: Installed) -> str:
        if installed.current and installed.last_started:
            text = self.tr("current, last started")
        elif installed.current:
            text = self.tr("current, not started yet")
        elif installed.last_started:
            text = self.tr("previous, kept until the current one has started")
        else:
            text = self.tr("older")
        if item.users:
            text += "; " + self.tr("in use by {sessions}").format(
                sessions=", ".join(item.users))
        return text

    def _verified(self, method: str, by: str) -> str:
        names = {"gpg (debsig)": self.tr("signature in the package (debsig)"),
                 "gpg (dpkg-sig builder)": self.tr("signature in the package (dpkg-sig)"),
                 "gpg (detached)": self.tr("signature file"),
                 "sha256": self.tr("SHA-256 checksum")}
        short = by[-16:] if method.startswith("gpg") else by[:16]
        text = names.get(method, method)
        return f"{text} {short}…" if short else text

    def _row_key(self, row: int) -> tuple[str, str]:
        cell = self.table.item(row, 0)
        data = cell.data(_ROLE) if cell is not None else None
        return (str(data[0]), str(data[1])) if isinstance(data, tuple) else ("", "")

    def selected(self) -> tuple[str, str]:
        """(vendor, version) of the selected row; the version is "" for "not installed"."""
        rows = self.table.selectionModel().selectedRows()
        return self._row_key(rows[0].row()) if rows else ("", "")

    def _vendor(self) -> str:
        return self.selected()[0] or next(iter(sorted(VENDORS)))

    def _users(self, vendor: str) -> tuple[str, ...]:
        return next((i.users for i in self.listing if i.vendor.name == vendor), ())

    def _update_buttons(self) -> None:
        busy = self.progress.running
        vendor, version = self.selected()
        title = VENDORS[self._vendor()].title
        self.file_button.setEnabled(not busy)
        self.download_button.setEnabled(not busy)
        self.download_button.setToolTip(self.tr(
            "Download {title}'s current package from {url}, verify it and install it"
            ).format(title=title, url=self.clients.url(self._vendor())))
        self.download_button.setAccessibleName(self.tr("Download the latest {title}").format(
            title=title))
        users = self._users(vendor)
        why = ""
        if busy:
            why = self.tr("Wait until the running job has finished.")
        elif not version:
            why = self.tr("Select an installed version to remove.")
        elif users:
            why = self.tr("{title} is in use by {sessions}: stop the session first.").format(
                title=title, sessions=", ".join(users))
        self.remove_button.setEnabled(not why)
        self.remove_button.setToolTip(why or self.tr("Remove {title} {version}").format(
            title=title, version=version))
        self.remove_button.setAccessibleDescription(why)

    # ------------------------------------------------------------------ jobs

    def ask_file(self) -> QFileDialog:
        """Ask for a downloaded package (opened, not exec'd: the UI never blocks)."""
        dialog = QFileDialog(self, self.tr("Install a client from a file"), str(Path.home()),
                             self.tr("Client packages (*.deb *.tar.xz *.tar.gz *.tgz)"))
        dialog.setObjectName("clientFileDialog")
        dialog.setFileMode(QFileDialog.FileMode.ExistingFile)
        dialog.fileSelected.connect(lambda path: self.install_file(Path(path)))
        dialog.open()
        return dialog

    def install_file(self, path: Path, vendor: str = "") -> None:
        """Verify and install *path* as *vendor*'s client (default: the selected one)."""
        name = vendor or self._vendor()
        job = self.progress.start(self.tr("Installing {title} from {file}").format(
            title=VENDORS[name].title, file=path.name), INSTALL_FILE_STEPS)
        sha256, signature = self.check.values()
        self._run(lambda: self.clients.install_file(name, path, job, sha256=sha256,
                                                    signature=signature))

    def download(self, vendor: str = "") -> None:
        """Download *vendor*'s current package (default: the selected one) and install it."""
        name = vendor or self._vendor()
        url = self.clients.url(name)
        host = urllib.parse.urlsplit(url).hostname or url
        job = self.progress.start(self.tr("Downloading {title} from {url}").format(
            title=VENDORS[name].title, url=url), DOWNLOAD_STEPS, host)
        self._run(lambda: self.clients.download(name, job))

    def ask_remove(self) -> QMessageBox | None:
        """Ask before removing the selected version."""
        vendor, version = self.selected()
        if not version:
            return None
        title = VENDORS[vendor].title
        box = QMessageBox(QMessageBox.Icon.Question, self.tr("Remove a client"),
                          self.tr("Remove {title} {version}?").format(title=title,
                                                                      version=version),
                          QMessageBox.StandardButton.Yes | QMessageBox.StandardButton.No,
                          self)
        box.setInformativeText(self.tr(
            "Its files are deleted. Sessions then get the version that is left, if any."))
        box.setDefaultButton(QMessageBox.StandardButton.No)
        box.setObjectName("removeQuestion")
        box.accepted.connect(lambda: self.remove(vendor, version))
        box.open()
        return box

    def remove(self, vendor: str, version: str) -> None:
        """Remove one version (refused while a session uses the client)."""
        job = self.progress.start(self.tr("Removing {title} {version}").format(
            title=VENDORS[vendor].title, version=version), REMOVE_STEPS)
        self._run(lambda: self.clients.remove(vendor, version, job))

    def _run(self, work: Callable[[], object]) -> None:
        self._update_buttons()

        def done(result: object) -> None:
            if isinstance(result, Installation):
                text = self._installed_text(result)
            else:
                text = self.tr("Removed.")
            self.progress.succeeded(text)
            self._update_buttons()
            self.notice.emit(text.split("\n", 1)[0])
            self.store_changed.emit()
            self.refresh()

        def failed(raw: LauncherError) -> None:
            error = for_the_window(raw)
            self.progress.failed(error)
            self._update_buttons()
            self.refresh()
            if not isinstance(error, Cancelled):
                show_error(self, error, self.tr("Client store"))

        self.bridge.call(work, done, failed)

    def _installed_text(self, result: Installation) -> str:
        entry = result.installed
        text = self.tr("Installed {title} {version} (verified: {method}).").format(
            title=VENDORS[entry.vendor].title, version=entry.version,
            method=self._verified(str(entry.info.get("verified", "")), ""))
        if result.skipped:
            shown = "; ".join(result.skipped[:SKIPPED_SHOWN])
            more = len(result.skipped) - SKIPPED_SHOWN
            text += "\n" + self.tr("Not installed from the package: {items}").format(
                items=shown)
            if more > 0:
                text += " " + self.tr("and %n more (see the list's tooltip)", "", more)
        return text


def _local_time(iso: str) -> str:
    when = QDateTime.fromString(iso, Qt.DateFormat.ISODate)
    return when.toLocalTime().toString("yyyy-MM-dd HH:mm") if when.isValid() else iso


def _short_source(source: str) -> str:
    if "://" in source:
        return urllib.parse.urlsplit(source).hostname or source
    return Path(source).name
