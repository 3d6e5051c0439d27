"""The Clients window fills what only the command line could: the vendor's published
checksum (and a signature file); its errors say what to do in the window, in words."""

from __future__ import annotations

import hashlib
from collections.abc import Iterator
from pathlib import Path

import pytest
from conftest import WAIT_MS, close_app
from PySide6.QtCore import QLocale
from PySide6.QtWidgets import QMessageBox
from pytestqt.qtbot import QtBot
from support.fake_vendor import build_deb, deb_parts

from sandbox_launcher.clients.store import ClientStore
from sandbox_launcher.core.errors import ClientStoreError
from sandbox_launcher.session.clients import ClientService
from sandbox_launcher.session.service import SessionService
from sandbox_launcher.ui.app import App, build
from sandbox_launcher.ui.client_errors import for_the_window
from sandbox_launcher.ui.clients_dialog import ClientsDialog


@pytest.fixture
def package(tmp_path: Path) -> Path:
    """A vendor package nobody vouched for: no signature, no checksum IT recorded."""
    return build_deb(tmp_path / "zoom_amd64.deb", deb_parts(tmp_path / "canary"))


@pytest.fixture
def app(qtbot: QtBot, profiles_dir: Path, policy_file: Path, tmp_path: Path,
        monkeypatch: pytest.MonkeyPatch) -> Iterator[App]:
    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path / "data"))
    trust = tmp_path / "trust"
    trust.mkdir()
    service = SessionService(profiles_dir=profiles_dir, policy_path=policy_file)
    # Download from a closed port on this machine: refused at once, nothing leaves it.
    clients = ClientService(service, store=ClientStore(), trust_dir=trust,
                            urls={"zoom": "https://127.0.0.1:9/zoom_amd64.deb"})
    built = build(service, locale=QLocale(QLocale.Language.English), clients=clients)
    qtbot.addWidget(built.window)
    qtbot.waitUntil(lambda: built.window.profile_list.count() > 0, timeout=WAIT_MS)
    yield built
    close_app(built)


def _error_box(dialog: ClientsDialog) -> QMessageBox | None:
    shown = [b for b in dialog.findChildren(QMessageBox, "errorBox") if b.isVisible()]
    return shown[-1] if shown else None


def _open(app: App, qtbot: QtBot) -> ClientsDialog:
    dialog = app.window.open_clients("zoom")
    qtbot.waitUntil(lambda: dialog.table.rowCount() > 0 and not app.bridge.busy(),
                    timeout=WAIT_MS)
    return dialog


def test_the_vendors_checksum_typed_in_the_window_installs_the_package(
        app: App, qtbot: QtBot, package: Path) -> None:
    dialog = _open(app, qtbot)
    assert dialog.selected() == ("zoom", "")
    dialog.install_file(package)  # as the file dialog hands it over
    qtbot.waitUntil(lambda: _error_box(dialog) is not None, timeout=WAIT_MS)
    box = _error_box(dialog)
    assert box is not None
    said = box.text() + box.informativeText()
    assert "no signature and no recorded checksum" in said
    assert 'under "Check the package with" in this window' in said
    assert "sandbox-launcher" not in said and "--" not in said  # no command line
    assert "--sha256" in box.detailedText()  # kept for whoever wants it
    box.close()
    qtbot.keyClicks(dialog.check.sha256, "12ab")
    assert dialog.check.problem.isVisible()
    dialog.check.sha256.setText(hashlib.sha256(package.read_bytes()).hexdigest())
    assert not dialog.check.problem.isVisible()
    dialog.install_file(package)
    qtbot.waitUntil(lambda: not dialog.progress.running and not app.bridge.busy(),
                    timeout=WAIT_MS)
    assert dialog.progress.result.text().startswith("Installed Zoom ")
    assert "(verified: SHA-256 checksum)" in dialog.progress.result.text()
    qtbot.waitUntil(lambda: app.window.installed_clients == {"zoom"}, timeout=WAIT_MS)


def test_a_failed_download_says_what_happened_and_what_to_do_in_the_window(
        app: App, qtbot: QtBot) -> None:
    dialog = _open(app, qtbot)
    dialog.download("zoom")
    qtbot.waitUntil(lambda: _error_box(dialog) is not None, timeout=WAIT_MS)
    box = _error_box(dialog)
    assert box is not None
    said = box.text() + box.informativeText()
    assert "[Errno" not in said and "sandbox-launcher" not in said, said
    assert "the server refused the connection" in said
    assert '"Install from file…" in this window' in said


def test_raw_resolver_errors_are_put_in_words() -> None:
    raw = ClientStoreError(
        "could not download https://zoom.example/x.deb: <urlopen error [Errno -2] Name or "
        "service not known>",
        "check the network, or download the package with a browser and run: "
        "sandbox-launcher client install VENDOR --from FILE")
    told = for_the_window(raw)
    assert isinstance(told, ClientStoreError)
    assert told.summary == ("could not download https://zoom.example/x.deb: the server's "
                            "name could not be looked up (no network?)")
    assert "VENDOR" not in told.hint and "Install from file" in told.hint
    assert "[Errno -2]" in told.details
