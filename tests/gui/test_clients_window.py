"""The Clients window against the real client store: install from a file with its steps,
a download cancelled half-way that leaves the store as it was, removal refused while a
real session uses the client, and that session's stop and wipe shown step by step.

The package is the fake vendor's hostile .deb (maintainer scripts, a setuid helper, a
device node), unsigned and trusted through a recorded SHA-256 in a test trust dir, as IT
would record one in /etc/sandbox-launcher/keys/zoom.sha256sums. Downloads come from an
HTTPS server of the test's own on 127.0.0.1 (``slow_server.py``).
"""

from __future__ import annotations

import hashlib
import json
import os
import stat
import tempfile
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from conftest import WAIT_MS, close_app, confirm_stop
from PySide6.QtCore import QLocale, Qt
from PySide6.QtWidgets import QFileDialog, QMessageBox
from pytestqt.qtbot import QtBot
from slow_server import SLOW_SIZE, Site, serve
from support.fake_vendor import build_deb, deb_parts

from sandbox_launcher.clients.store import ClientStore
from sandbox_launcher.core.plan import RunOptions
from sandbox_launcher.session.clients import ClientService, Progress, Step
from sandbox_launcher.session.lifecycle import Event, State
from sandbox_launcher.session.service import SessionService
from sandbox_launcher.ui.app import App, build
from sandbox_launcher.ui.clients_dialog import ClientsDialog
from sandbox_launcher.ui.steps import StepState
from sandbox_launcher.ui.wipe_steps import no_cancel_reason
from sandbox_launcher.verify import PROBE_SCRIPT

HOSTILE_CLIENT = PROBE_SCRIPT
VERSION = "6.1.0.198"


def _standin_profile(profiles_dir: Path) -> None:
    """A profile whose client is the store's zoom, running the hostile stand-in's sleep
    (it leaves files in its home and /tmp for the wipe), with nothing else granted."""
    argv = ["/usr/bin/python3", "-c", HOSTILE_CLIENT.read_text(), "sleep", "120",
            "--marker", "sl-gui-clients"]
    (profiles_dir / "standin.toml").write_text(
        'title = "Stand-in Zoom"\ndescription = "The hostile stand-in with the store\'s '
        'zoom mounted."\nclient = "zoom"\n'
        f"command = [{', '.join(json.dumps(a) for a in argv)}]\n"
        '[network]\nmode = "none"\n[devices]\ndisplay = "none"\nspeakers = false\n',
        encoding="utf-8")


@pytest.fixture
def package(tmp_path: Path) -> Path:
    """The fake vendor's .deb; its scripts would write a canary if they ever ran."""
    parts = deb_parts(tmp_path / "canary")
    return build_deb(tmp_path / "zoom_amd64.deb", parts)


@pytest.fixture
def trust_dir(tmp_path: Path, package: Path) -> Path:
    """IT's trust dir with the package's recorded checksum (no key: sha256 path)."""
    directory = tmp_path / "trust"
    directory.mkdir()
    digest = hashlib.sha256(package.read_bytes()).hexdigest()
    (directory / "zoom.sha256sums").write_text(f"{digest}  zoom_amd64.deb\n")
    return directory


@pytest.fixture
def site(tmp_path: Path, package: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Site]:
    certs = tmp_path / "certs"
    certs.mkdir()
    with serve(package, certs) as running:
        monkeypatch.setenv("SSL_CERT_FILE", str(running.ca))
        for name in ("https_proxy", "HTTPS_PROXY", "all_proxy", "ALL_PROXY"):
            monkeypatch.delenv(name, raising=False)
        yield running


@pytest.fixture
def store_root(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """The user's data dir for this test: the window and the sessions' plans share it."""
    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path / "data"))
    return ClientStore().root


@pytest.fixture
def app(qtbot: QtBot, profiles_dir: Path, policy_file: Path, trust_dir: Path,
        store_root: Path, site: Site) -> Iterator[App]:
    _standin_profile(profiles_dir)
    service = SessionService(profiles_dir=profiles_dir, policy_path=policy_file)
    clients = ClientService(service, store=ClientStore(store_root), trust_dir=trust_dir,
                            urls={"zoom": f"{site.base}/zoom_amd64.deb"})
    built = build(service, locale=QLocale(QLocale.Language.English), clients=clients)
    qtbot.addWidget(built.window)
    qtbot.waitUntil(lambda: built.window.profile_list.count() > 0, timeout=WAIT_MS)
    yield built
    close_app(built)


def _snapshot(root: Path) -> dict[str, Any]:
    """Everything of the store a change could touch: names, types, modes, contents."""
    found: dict[str, Any] = {}
    for path in sorted([root, *root.rglob("*")]) if root.exists() else []:
        info = path.lstat()
        content = hashlib.sha256(path.read_bytes()).hexdigest() if path.is_file() else ""
        found[str(path.relative_to(root))] = (stat.filemode(info.st_mode), info.st_size,
                                              content)
    return found


def _temp_entries() -> set[str]:
    return set(os.listdir(tempfile.gettempdir()))


def _record(dialog: ClientsDialog) -> list[tuple[Step, bool, str]]:
    """(step, Cancel enabled, its tooltip) as each report reached the window."""
    seen: list[tuple[Step, bool, str]] = []

    def note(progress: Progress) -> None:
        button = dialog.progress.cancel_button
        if not seen or seen[-1][0] is not progress.step:
            seen.append((progress.step, button.isEnabled(), button.toolTip()))

    dialog.progress.relay.progress.connect(note)  # after the panel's own slot
    return seen


def _cells(dialog: ClientsDialog, row: int) -> list[str]:
    return [dialog.table.item(row, col).text() for col in range(dialog.table.columnCount())]


def _open(app: App, qtbot: QtBot) -> ClientsDialog:
    app.window.show()
    app.window.menus.clients_action.trigger()
    dialog = app.window.clients_dialog
    assert dialog is not None
    qtbot.waitUntil(lambda: dialog.table.rowCount() > 0 and not app.bridge.busy(),
                    timeout=WAIT_MS)
    return dialog


def _install_through_the_file_dialog(app: App, qtbot: QtBot, dialog: ClientsDialog,
                                     package: Path) -> list[tuple[Step, bool, str]]:
    seen = _record(dialog)
    chooser = dialog.ask_file()
    assert isinstance(chooser, QFileDialog) and chooser.isVisible()
    chooser.selectFile(str(package))
    chooser.accept()
    qtbot.waitUntil(lambda: not dialog.progress.running and not app.bridge.busy(),
                    timeout=WAIT_MS)
    qtbot.waitUntil(lambda: _cells(dialog, 0)[1] == VERSION, timeout=WAIT_MS)
    return seen


def test_install_from_a_file_shows_its_steps_and_the_installed_version(
        app: App, qtbot: QtBot, package: Path, store_root: Path, artifacts: Path) -> None:
    assert app.window.menus.clients_action.shortcut().toString() == "Ctrl+Shift+C"
    app.tray.rebuild()
    assert app.tray.action("manageClients") is not None
    dialog = _open(app, qtbot)
    assert dialog.table.accessibleName() == "Installed clients"
    assert _cells(dialog, 0)[:3] == ["Zoom", "—", "not installed"]
    assert not dialog.remove_button.isEnabled()
    seen = _install_through_the_file_dialog(app, qtbot, dialog, package)
    assert [s for s, _, _ in seen] == [Step.COPY, Step.VERIFY, Step.UNPACK, Step.READ_ONLY,
                                       Step.COMMIT, Step.DONE]
    cancel = {step: (enabled, tip) for step, enabled, tip in seen}
    assert cancel[Step.VERIFY][0] and "stays as it was" in cancel[Step.VERIFY][1]
    assert not cancel[Step.COMMIT][0]
    assert "can no longer be cancelled" in cancel[Step.COMMIT][1]
    steps = dialog.progress.steps
    assert set(steps.states().values()) == {StepState.DONE}
    assert steps.text(Step.UNPACK.value) == ("Unpacking, removing setuid bits (installer "
                                             "scripts never run)")
    result = dialog.progress.result.text()
    assert result.startswith(f"Installed Zoom {VERSION} (verified: SHA-256 checksum).")
    assert "preinst (never run)" in result
    row = _cells(dialog, 0)
    assert row[:3] == ["Zoom", VERSION, "current, not started yet"]
    assert row[4].startswith("SHA-256 checksum ") and row[5] == "zoom_amd64.deb"
    assert "setuid/setgid bits of zoom-helper" in dialog.table.item(0, 0).toolTip()
    assert not (package.parent / "canary").exists(), "a maintainer script ran"
    installed = store_root / "zoom" / VERSION
    assert sorted(p.name for p in installed.iterdir()) == ["ZoomLauncher", "version.txt",
                                                          "zoom-helper"]
    assert not installed.joinpath("zoom-helper").stat().st_mode & (stat.S_ISUID | 0o222)
    assert dialog.remove_button.isEnabled()
    qtbot.wait(200)
    dialog.grab().save(str(artifacts / "clients-installed.png"))
    # The same package again changes nothing but says so: it is the current version.
    dialog.install_file(package)
    qtbot.waitUntil(lambda: not dialog.progress.running, timeout=WAIT_MS)
    assert dialog.progress.result.text().startswith(f"Installed Zoom {VERSION}")


def test_a_cancelled_download_leaves_the_store_exactly_as_before(
        app: App, qtbot: QtBot, package: Path, store_root: Path, site: Site,
        artifacts: Path) -> None:
    dialog = _open(app, qtbot)
    # First a real download (fast path) so there is something to keep intact.
    dialog.download()
    qtbot.waitUntil(lambda: not dialog.progress.running, timeout=WAIT_MS)
    assert dialog.progress.result.text().startswith(f"Installed Zoom {VERSION}")
    qtbot.waitUntil(lambda: _cells(dialog, 0)[1] == VERSION, timeout=WAIT_MS)
    assert _cells(dialog, 0)[5] == "127.0.0.1"
    before, temp_before = _snapshot(store_root), _temp_entries()
    # Then the vendor's server turns slow: cancel half-way through the download.
    dialog.clients._urls["zoom"] = f"{site.base}/slow/zoom_amd64.deb"
    seen = _record(dialog)
    dialog.download()
    bar = dialog.progress.bar
    qtbot.waitUntil(lambda: bar.maximum() == SLOW_SIZE and bar.value() >= 64 << 10,
                    timeout=WAIT_MS)
    detail = dialog.progress.detail.text()
    assert " KiB of 4.0 MiB, " in detail and detail.endswith("/s"), detail
    assert dialog.progress.steps.active() == Step.DOWNLOAD.value
    assert dialog.progress.steps.text(Step.DOWNLOAD.value) == "Downloading from 127.0.0.1"
    cancel = dialog.progress.cancel_button
    assert cancel.isEnabled()
    assert not dialog.file_button.isEnabled() and not dialog.remove_button.isEnabled()
    qtbot.wait(300)
    dialog.grab().save(str(artifacts / "clients-progress.png"))
    qtbot.mouseClick(cancel, Qt.MouseButton.LeftButton)
    assert not cancel.isEnabled() and cancel.text() == "Cancelling…"
    qtbot.waitUntil(lambda: not dialog.progress.running and not app.bridge.busy(),
                    timeout=WAIT_MS)
    assert dialog.progress.result.text() == ("Cancelled. Nothing was installed; the client "
                                             "store is as it was before.")
    assert dialog.progress.steps.state(Step.DOWNLOAD.value) is StepState.FAILED
    assert [s for s, _, _ in seen] == [Step.DOWNLOAD]  # never verified, never unpacked
    assert dialog.progress.bar.value() < dialog.progress.bar.maximum()
    assert dialog.findChild(QMessageBox, "errorBox") is None  # a cancel is not an error
    assert _snapshot(store_root) == before
    assert not [p for p in (store_root / "zoom").iterdir() if p.name.startswith(".staging")]
    assert _temp_entries() == temp_before
    assert site.requests.count("/slow/zoom_amd64.deb") == 1
    assert _cells(dialog, 0)[:3] == ["Zoom", VERSION, "current, not started yet"]


class WipeWatch:
    """What the sessions view shows of one session as each of its state events arrives
    (connected after the view's own slot: what the user sees at that moment)."""

    def __init__(self, app: App, artifacts: Path) -> None:
        self.app, self.artifacts = app, artifacts
        self.session_id = ""
        self.seen: list[tuple[State, dict[str, StepState], bool, str]] = []
        self.bars: list[int] = []

    def note(self, event: Event) -> None:
        view = self.app.window.sessions
        if event.session_id != self.session_id or event.data is not None:
            return
        self.seen.append((event.state, view.wipe_steps.steps.states(),
                          not view.wipe_steps.isHidden(), view.stop_button.toolTip()))
        self.bars.append(view.wipe_steps.bar.value())
        if event.state is State.WIPING:
            self.app.window.grab().save(str(self.artifacts / "window-wiping.png"))


def test_remove_is_refused_while_a_session_uses_the_client_whose_wipe_shows_its_steps(
        app: App, qtbot: QtBot, package: Path, store_root: Path, artifacts: Path) -> None:
    dialog = _open(app, qtbot)
    _install_through_the_file_dialog(app, qtbot, dialog, package)
    view = app.window.sessions
    watch = WipeWatch(app, artifacts)
    app.bridge.session_event.connect(watch.note)
    with qtbot.waitSignal(app.window.session_started, timeout=WAIT_MS) as started:
        app.window.launch("standin", RunOptions())
    session_id = watch.session_id = str(started.args[0])
    qtbot.waitUntil(lambda: app.bridge.service.entry(session_id).state is State.RUNNING,
                    timeout=WAIT_MS)
    assert view.wipe_steps.isHidden()  # running: nothing is ending yet
    # The window learns who uses the client: Remove is off, and says why.
    dialog.refresh()
    qtbot.waitUntil(lambda: "in use by" in _cells(dialog, 0)[2], timeout=WAIT_MS)
    assert not dialog.remove_button.isEnabled()
    assert dialog.remove_button.toolTip() == (f"Zoom is in use by {session_id}: stop the "
                                              "session first.")
    # Asked anyway (a session that started a moment ago): the service refuses.
    before = _snapshot(store_root)
    dialog.remove("zoom", VERSION)
    qtbot.waitUntil(lambda: not dialog.progress.running, timeout=WAIT_MS)
    box = dialog.findChild(QMessageBox, "errorBox")
    assert isinstance(box, QMessageBox)
    assert box.text() == f"Zoom is in use by session {session_id}; nothing was removed"
    box.close()
    assert _snapshot(store_root) == before
    # Stop & Wipe: the sessions view follows the end step by step; no Cancel for a wipe.
    qtbot.waitUntil(view.stop_button.isEnabled, timeout=WAIT_MS)
    qtbot.mouseClick(view.stop_button, Qt.MouseButton.LeftButton)
    confirm_stop(qtbot)
    qtbot.waitUntil(lambda: bool(watch.seen) and watch.seen[-1][0] is State.WIPED,
                    timeout=WAIT_MS)
    w, d, a = StepState.WAITING, StepState.DONE, StepState.ACTIVE
    keys = ("stopping", "wiping", "verifying", "wiped")
    ending = [(state, tuple(marks[k] for k in keys), shown, tip)
              for state, marks, shown, tip in watch.seen if state in
              (State.STOPPING, State.WIPING, State.VERIFYING, State.WIPED)]
    assert [(s, m, shown) for s, m, shown, _ in ending] == [
        (State.STOPPING, (a, w, w, w), True), (State.WIPING, (d, a, w, w), True),
        (State.VERIFYING, (d, d, a, w), True), (State.WIPED, (d, d, d, d), True)]
    assert all(tip == no_cancel_reason() for _, _, _, tip in ending[:3])
    assert watch.bars[-4:] == [0, 1, 2, 4]
    assert not view.stop_button.isEnabled()
    assert view.wipe_steps.note.text() == "Wipe verified: nothing of the session is left."
    assert view.wipe_steps.note.toolTip() == no_cancel_reason()
    qtbot.waitUntil(lambda: app.bridge.service.entry(session_id).outcome is not None,
                    timeout=WAIT_MS)
    outcome = app.bridge.service.entry(session_id).outcome
    assert outcome is not None and outcome.wipe_verified
    assert outcome.report["grants"]["client"]["store_client"] == f"zoom/{VERSION}"
    # It ran from the app, as from the CLI: now it is the version known to start.
    # (recorded on the session's thread right after its outcome, before Finished is sent)
    qtbot.waitUntil(lambda: json.loads((store_root / "zoom" / "state.json").read_text())
                    ["last_started"] == VERSION, timeout=WAIT_MS)
    dialog.refresh()
    qtbot.waitUntil(lambda: "not started yet" not in _cells(dialog, 0)[2], timeout=WAIT_MS)
    # Now the client can go: confirm, and the list shows it gone.
    _remove_through_the_dialog(dialog, qtbot, store_root)



def _remove_through_the_dialog(dialog: ClientsDialog, qtbot: QtBot, store_root: Path) -> None:
    """Remove the installed Zoom with the dialog's confirmation; the list shows it gone."""
    qtbot.waitUntil(dialog.remove_button.isEnabled, timeout=WAIT_MS)
    question = dialog.ask_remove()
    assert isinstance(question, QMessageBox)
    assert question.text() == f"Remove Zoom {VERSION}?"
    assert question.defaultButton() is question.button(QMessageBox.StandardButton.No)
    qtbot.mouseClick(question.button(QMessageBox.StandardButton.Yes),
                     Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: _cells(dialog, 0)[:3] == ["Zoom", "—", "not installed"],
                    timeout=WAIT_MS)
    assert dialog.progress.result.text() == "Removed."
    assert [p.name for p in (store_root / "zoom").iterdir()
            if p.name not in (".lock", "state.json")] == []

def test_a_client_that_ends_by_itself_needs_no_stopping_step(app: App, qtbot: QtBot) -> None:
    view = app.window.sessions
    with qtbot.waitSignal(app.window.session_started, timeout=WAIT_MS) as started:
        app.window.launch("quick", RunOptions())
    session_id = str(started.args[0])
    qtbot.waitUntil(lambda: app.bridge.service.entry(session_id).outcome is not None,
                    timeout=WAIT_MS)
    qtbot.waitUntil(lambda: view.wipe_steps.bar.value() == view.wipe_steps.bar.maximum(),
                    timeout=WAIT_MS)
    assert view.selected_id() == session_id and not view.wipe_steps.isHidden()
    assert list(view.wipe_steps.steps.states().values()) == [
        StepState.SKIPPED, StepState.DONE, StepState.DONE, StepState.DONE]
    assert view.wipe_steps.steps.text("wiped") == "Wiped"
    assert view.wipe_steps.bar.value() == view.wipe_steps.bar.maximum()


def test_first_run_installs_zoom_through_the_clients_window_then_launches(
        app: App, qtbot: QtBot, package: Path) -> None:
    """A first run as a person meets it: nothing installed, no error anywhere; the
    welcome bar and the Stand-in Zoom card say Install…, which opens the Clients window
    on Zoom; installed from a local signed package, the same button launches it."""
    window, panel = app.window, app.window.launch_panel
    window.show()
    qtbot.waitUntil(lambda: window.installed_clients is not None, timeout=WAIT_MS)
    assert window.welcome.zoom.text() == "Install &Zoom…"
    assert window.statusBar().currentMessage() == "Ready."
    window.profile_list.select("standin")
    assert panel.launch_button.text() == "&Install Zoom…" and panel.launch_button.isEnabled()
    qtbot.mouseClick(panel.launch_button, Qt.MouseButton.LeftButton)
    dialog = window.clients_dialog
    assert dialog is not None
    qtbot.waitUntil(lambda: dialog.isVisible() and dialog.table.rowCount() > 0
                    and not app.bridge.busy(), timeout=WAIT_MS)
    assert dialog.selected() == ("zoom", "")  # Zoom chosen, not installed yet
    _install_through_the_file_dialog(app, qtbot, dialog, package)
    qtbot.waitUntil(lambda: panel.launch_button.text() == "&Launch", timeout=WAIT_MS)
    assert window.welcome.zoom.text() == "Start &Zoom"
    dialog.close()
    with qtbot.waitSignal(window.session_started, timeout=WAIT_MS) as started:
        qtbot.mouseClick(panel.launch_button, Qt.MouseButton.LeftButton)
    session_id = str(started.args[0])
    qtbot.waitUntil(lambda: app.bridge.service.entry(session_id).state is State.RUNNING,
                    timeout=WAIT_MS)
    window.sessions.ask_stop(session_id)
    confirm_stop(qtbot)
    qtbot.waitUntil(lambda: app.bridge.service.entry(session_id).outcome is not None,
                    timeout=WAIT_MS)
