"""The Guest images window on real images: the test recipe is built for real from the
window (mmdebstrap, 35 s here), then listed, checked, found modified and removed; a real
build cancelled half-way, and one cancelled by quitting, leave no process and no file; a
real VM session whose image is missing offers *Build the image…* without a command line.

Each test has a store of its own, so the user's images (the VM tests' cache) are never
touched.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import tempfile
import threading
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import shiboken6
from conftest import WAIT_MS, close_app
from PySide6.QtCore import QLocale
from PySide6.QtGui import QAction
from PySide6.QtWidgets import QMessageBox, QPushButton
from pytestqt.qtbot import QtBot

from sandbox_launcher.backends.vm import build_proc
from sandbox_launcher.core.plan import RunOptions
from sandbox_launcher.session.images import (
    ImageService,
    ImageState,
    JobState,
)
from sandbox_launcher.session.service import SessionService
from sandbox_launcher.ui.app import build
from sandbox_launcher.ui.guest_images import GuestImages
from sandbox_launcher.ui.images_window import BUILT, NAME, SIZE, STATE, USE, ImagesWindow

#: A real build of the test recipe: 35-60 s here, several times that under load.
BUILD_MS = 900_000


@pytest.fixture
def store(tmp_path: Path) -> Iterator[Path]:
    """An image store of this test's own (removed with whatever is read-only in it)."""
    folder = tmp_path / "images"
    folder.mkdir()
    yield folder
    build_proc.remove_tree(folder)


def _rows(window: ImagesWindow) -> dict[str, str]:
    return {window.table.item(r, NAME).text(): window.table.item(r, STATE).text()
            for r in range(window.table.rowCount())}


def _opened(qtbot: QtBot, app: Any, service: ImageService, name: str = "") -> ImagesWindow:
    images_ui = GuestImages(app.bridge, app.window, service)
    window = images_ui.open(name)
    qtbot.waitUntil(lambda: window.table.rowCount() >= 3 and not app.bridge.busy(),
                    timeout=WAIT_MS * 4)
    return window


def test_the_test_recipe_is_built_checked_found_modified_and_removed(
        qtbot: QtBot, app: Any, store: Path, artifacts: Path) -> None:
    window = _opened(qtbot, app, ImageService(store), "test")
    assert window.selected() == "test" and _rows(window)["test"] == "not built"
    assert window.build_button.text() == "&Build" and not window.check_button.isEnabled()
    changed: list[bool] = []
    window.images_changed.connect(lambda: changed.append(True))
    window.build_button.click()
    assert not window.build_button.isEnabled() and window.busy.isVisible()
    job = window.job
    assert job is not None
    qtbot.waitUntil(lambda: bool(changed) or not job.running, timeout=BUILD_MS)
    assert job.state is JobState.DONE, (job.error, window.log.toPlainText())
    qtbot.waitUntil(lambda: bool(changed), timeout=WAIT_MS)  # the window heard the end
    assert changed and window.status.text().startswith("test was built in ")
    steps = [step for _t, step, _d in job.steps]
    assert steps[0] == "check" and steps[-1] == "done"
    assert {"bootstrap", "convert", "manifest"} <= set(steps)
    qtbot.waitUntil(lambda: not app.bridge.busy(), timeout=WAIT_MS)
    assert _rows(window)["test"] == "ready" and _rows(window)["default"] == "not built"
    assert window.build_button.text() == "Re&build" and window.remove_button.isEnabled()
    assert not window.busy.isVisible()
    row = window.table.currentRow()
    assert window.table.item(row, SIZE).text().endswith("MiB")
    assert window.table.item(row, BUILT).text()[:2] == "20"  # the built date
    assert window.table.item(row, USE).text() == "the launcher's own tests (small)"
    assert ImageService(store).row("test").state is ImageState.READY  # what sessions see
    window.grab().save(str(artifacts / "images-window.png"))
    window.check_button.click()
    qtbot.waitUntil(lambda: "every file matches" in window.status.text(), timeout=WAIT_MS)
    kernel = store / "test" / "vmlinuz"
    (store / "test").chmod(0o755)
    kernel.chmod(0o644)
    with kernel.open("ab") as f:
        f.write(b"planted")
    kernel.chmod(0o444)
    qtbot.waitUntil(window.check_button.isEnabled, timeout=WAIT_MS)  # the listing is back
    window.check_button.click()
    qtbot.waitUntil(lambda: "was modified" in window.status.text(), timeout=WAIT_MS)
    qtbot.waitUntil(lambda: _rows(window).get("test") == "modified — not used",
                    timeout=WAIT_MS)
    question = window.ask_remove("test")
    assert question is not None
    confirm = question.findChild(QPushButton, "confirmRemove")
    confirm.click()
    qtbot.waitUntil(lambda: _rows(window).get("test") == "not built", timeout=WAIT_MS)
    qtbot.waitUntil(lambda: window.status.text() == "test was removed.", timeout=WAIT_MS)
    assert list(store.iterdir()) == []  # nothing hidden left either
    assert window.build_button.text() == "&Build" and not window.remove_button.isEnabled()
    qtbot.waitUntil(lambda: not app.bridge.busy(), timeout=WAIT_MS)


def test_a_window_deleted_while_its_listing_is_out_drops_the_answer(
        qtbot: QtBot, app: Any, store: Path) -> None:
    """The listing runs on a worker; the window may be gone (the app quit, its parent
    deleted) when the answer comes: the answer is dropped, not shown in a dead table."""
    release = threading.Event()
    service = ImageService(store)
    real_rows = service.rows

    def slow_rows(*, check: bool = True) -> list[Any]:
        release.wait(30)
        return real_rows(check=check)

    service.rows = slow_rows  # type: ignore[method-assign]
    window = ImagesWindow(app.bridge, service)
    assert app.bridge.busy()
    window.deleteLater()
    qtbot.waitUntil(lambda: not shiboken6.isValid(window), timeout=WAIT_MS)
    release.set()
    qtbot.waitUntil(lambda: not app.bridge.busy(), timeout=WAIT_MS)  # delivered: no error


def _build_processes(marker: str) -> list[str]:
    out = subprocess.run(["pgrep", "-u", str(os.getuid()), "-a", "-f", marker],
                         capture_output=True, text=True, check=False).stdout
    return [line for line in out.splitlines() if "pgrep" not in line]


def test_a_real_build_cancelled_half_way_leaves_nothing(qtbot: QtBot, app: Any,
                                                        store: Path) -> None:
    scratch_before = set(Path(tempfile.gettempdir()).glob("sandbox-launcher-build-*"))
    window = _opened(qtbot, app, ImageService(store), "test")
    window.build_button.click()
    assert window.job is not None and window.cancel_button.isVisible()
    # mmdebstrap is at work: packages are being installed into its chroot
    job = window.job
    qtbot.waitUntil(lambda: ("Installing Debian packages" in window.log.toPlainText()
                             and "extracting" in window.log.toPlainText())
                    or not job.running, timeout=BUILD_MS)  # a failed build: fail now
    assert job.running, window.log.toPlainText() + window.status.text()
    assert _build_processes(str(store)), "mmdebstrap is not running"
    qtbot.wait(1000)
    assert "Building test: Installing Debian packages (0:" in window.status.text()
    assert window.busy.isVisible()
    assert "running --" not in window.log.toPlainText()  # mmdebstrap's plumbing left out
    window.cancel_button.click()
    qtbot.waitUntil(lambda: window.job is not None and not window.job.running,
                    timeout=WAIT_MS * 2)
    assert window.job.state is JobState.CANCELLED
    qtbot.waitUntil(lambda: "cancelled" in window.status.text(), timeout=WAIT_MS)
    assert _build_processes(str(store)) == []
    assert _build_processes("mmdebstrap") == []
    assert list(store.iterdir()) == []
    assert set(Path(tempfile.gettempdir()).glob("sandbox-launcher-build-*")) <= scratch_before
    assert window.build_button.isEnabled() and not window.cancel_button.isVisible()
    qtbot.waitUntil(lambda: not app.bridge.busy(), timeout=WAIT_MS)


def test_a_vm_session_whose_image_is_missing_offers_to_build_it(
        qtbot: QtBot, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """A real VM session of the app, its image store empty: the session fails at the
    backend's image check, and the app's error says so in words, with a button."""
    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path / "data"))  # no image built there
    profiles = tmp_path / "profiles"
    profiles.mkdir()
    (profiles / "vmcmd.toml").write_text(
        'title = "VM command"\nbackend = "vm"\ncommand = ["/bin/true"]\n'
        '[network]\nmode = "none"\n[devices]\ndisplay = "none"\nspeakers = false\n',
        encoding="utf-8")
    service = SessionService(profiles_dir=profiles, policy_path=tmp_path / "policy.toml",
                             pending_dir=tmp_path / "pending")
    app = build(service, locale=QLocale(QLocale.Language.English))
    try:
        qtbot.waitUntil(lambda: app.window.profile_list.count() > 0, timeout=WAIT_MS)
        images_ui = app.window.guest_images
        assert images_ui.images.store == tmp_path / "data" / "sandbox-launcher" / "images"
        app.window.launch("vmcmd", RunOptions())
        qtbot.waitUntil(lambda: images_ui.error_box is not None, timeout=WAIT_MS * 4)
        box = images_ui.error_box
        assert isinstance(box, QMessageBox)
        said = " ".join((box.text(), box.informativeText()))
        assert "sandbox-launcher" not in said and "sudo" not in said
        assert box.text() == "The guest image “default” is not built yet."
        assert "Guest images window" in box.informativeText()
        assert "sandbox-launcher image build default" in box.detailedText()  # for who wants it
        button = box.findChild(QPushButton, "buildTheImage")
        assert button is not None and button.text() == "&Build the image…"
        button.click()
        window = images_ui.window
        assert window is not None and window.isVisible()
        qtbot.waitUntil(lambda: window.selected() == "default", timeout=WAIT_MS * 4)
        assert window.build_button.isEnabled() and window.build_button.text() == "&Build"
        assert _rows(window)["default"] == "not built"
        qtbot.waitUntil(lambda: not app.bridge.busy(), timeout=WAIT_MS)
    finally:
        close_app(app)


def test_quitting_the_app_cancels_a_build_and_leaves_nothing(qtbot: QtBot, app: Any,
                                                             store: Path) -> None:
    images_ui = GuestImages(app.bridge, app.window, ImageService(store))
    window = _opened(qtbot, app, images_ui.images, "test")
    window.build_button.click()
    job = window.job
    assert job is not None
    qtbot.waitUntil(lambda: bool(_build_processes(str(store))) or not job.running,
                    timeout=BUILD_MS)
    assert job.running, window.log.toPlainText() + window.status.text()
    app.qapp.aboutToQuit.emit()  # what quitting sends before the event loop returns
    assert job.state is JobState.CANCELLED  # the quit waited for the cleanup
    assert _build_processes(str(store)) == [] and list(store.iterdir()) == []
    qtbot.waitUntil(lambda: not app.bridge.busy(), timeout=WAIT_MS)


def test_leftovers_owned_by_subordinate_ids_are_removed(tmp_path: Path) -> None:
    """A chroot whose mmdebstrap was killed belongs to the user's subordinate ids: the
    user cannot delete it, and the build's cleanup must (not run as root: as the user)."""
    work = tmp_path / ".build-test-killed"
    work.mkdir()
    chroot = work / "scratch" / "mmdebstrap.X"
    subprocess.run(["unshare", "--map-users=auto", "--map-groups=auto", "--map-user=65536",
                    "--map-group=65536", "--setuid", "0", "--setgid", "0", "sh", "-c",
                    f"mkdir -p {chroot}/etc && echo x > {chroot}/etc/passwd && "
                    f"chown -R 0:0 {chroot} && chmod 0700 {chroot}"], check=True, timeout=30)
    assert chroot.stat().st_uid != os.getuid()
    with pytest.raises(PermissionError):
        shutil.rmtree(chroot)  # what the user alone cannot do
    build_proc.remove_tree(work)
    assert not work.exists()


def test_the_menu_opens_the_window_in_german(qtbot: QtBot, service: SessionService,
                                             tmp_path: Path,
                                             monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path / "data"))
    app = build(service, locale=QLocale(QLocale.Language.German, QLocale.Country.Germany))
    try:
        action = app.window.findChild(QAction, "guestImages")
        assert action is not None and action.text() == "&Gastsysteme…"
        holding = [a.text() for a in app.window.menuBar().actions()
                   if a.menu() is not None and action in a.menu().actions()]
        assert holding == ["&Clients"]  # the German catalogue keeps this menu's name
        action.trigger()
        window = app.window.guest_images.window
        assert window is not None and window.windowTitle() == "Gastsysteme"
        qtbot.waitUntil(lambda: window.table.rowCount() >= 3 and not app.bridge.busy(),
                        timeout=WAIT_MS * 4)
        assert _rows(window)["default"] == "nicht erstellt"
        assert window.table.horizontalHeaderItem(USE).text() == "Verwendet für"
        assert window.build_button.text() == "&Erstellen"
    finally:
        close_app(app)
