"""The "Remembered sign-ins" window: lists a real vault (in-memory keyring, the test's own
vault dir), forgets it only after the question, and opens from the Clients menu."""

from __future__ import annotations

import io
import tarfile
from pathlib import Path
from typing import Any

from keyring.backend import KeyringBackend
from PySide6.QtGui import QAction
from PySide6.QtWidgets import QMessageBox
from pytestqt.qtbot import QtBot

from sandbox_launcher import vault
from sandbox_launcher.core.profile import Profile
from sandbox_launcher.core.schema import defaults
from sandbox_launcher.ui.vault_dialog import VaultDialog

WAIT_MS = 10_000


class MemoryKeyring(KeyringBackend):
    priority = 1  # type: ignore[assignment]

    def __init__(self) -> None:
        super().__init__()
        self.items: dict[tuple[str, str], str] = {}

    def get_password(self, service: str, username: str) -> str | None:
        return self.items.get((service, username))

    def set_password(self, service: str, username: str, password: str) -> None:
        self.items[(service, username)] = password

    def delete_password(self, service: str, username: str) -> None:
        del self.items[(service, username)]


def _tar() -> bytes:
    out = io.BytesIO()
    with tarfile.open(fileobj=out, mode="w") as tar:
        info = tarfile.TarInfo(".zoom/data/token")
        info.size = 5
        tar.addfile(info, io.BytesIO(b"token"))
    return out.getvalue()


def test_lists_and_forgets_after_asking(app: Any, qtbot: QtBot, tmp_path: Path) -> None:
    ring = MemoryKeyring()
    base = tmp_path / "vaults"
    assert vault.save_capture("zoom", _tar(), ring, base=base).saved
    zoom = Profile("zoom", {**defaults(), "remember_signin": True}, (), True)
    dialog = VaultDialog(
        app.bridge, app.window,
        list_vaults=lambda: vault.status([zoom], ring, base=base),
        forget_vault=lambda name: vault.forget(name, ring, base=base))
    qtbot.addWidget(dialog)
    qtbot.waitUntil(lambda: dialog.table.rowCount() == 1, timeout=WAIT_MS)
    assert dialog.table.item(0, 0).text() == "zoom"
    assert dialog.table.item(0, 2).text().endswith("KiB")
    assert dialog.table.item(0, 4).text() == "in the keyring"
    assert not dialog.forget_button.isEnabled()  # nothing selected yet
    dialog.table.selectRow(0)
    assert dialog.forget_button.isEnabled()
    box = dialog.ask_forget()
    assert box is not None and box.objectName() == "forgetQuestion"
    box.button(QMessageBox.StandardButton.No).click()
    qtbot.wait(200)
    assert (base / "zoom.vault").exists() and ring.items  # "No" forgets nothing
    box = dialog.ask_forget()
    assert box is not None
    with qtbot.waitSignal(dialog.notice, timeout=WAIT_MS) as said:
        box.button(QMessageBox.StandardButton.Yes).click()
    assert said.args == ["Sign-in of zoom forgotten."]
    qtbot.waitUntil(lambda: dialog.table.item(0, 2).text() == "no vault", timeout=WAIT_MS)
    assert not (base / "zoom.vault").exists() and ring.items == {}


def test_the_clients_menu_opens_it(app: Any, qtbot: QtBot) -> None:
    action = app.window.findChild(QAction, "rememberedSignins")
    assert action is not None and action.text() == "Remembered &sign-ins…"
    action.trigger()
    qtbot.waitUntil(lambda: app.window.findChild(VaultDialog) is not None, timeout=WAIT_MS)
    dialog = app.window.findChild(VaultDialog)
    assert dialog.isVisible()
    # The real keyring: whatever this desktop has, the window says something, not "Reading…".
    qtbot.waitUntil(lambda: dialog.status.text() != "Reading…", timeout=WAIT_MS)
    dialog.close()
