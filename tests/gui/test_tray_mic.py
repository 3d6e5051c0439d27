"""The tray's microphone switch against a real sound server: a PulseAudio of the test
user's stands in for the desktop's, with a 440 Hz sine source as its microphone.

What the switch must do is visible on the host's server: while the session's microphone
is muted nothing records from the host's microphone; switched on from the tray, the
launcher's forwarder is a recording stream there; switched off again, it is gone.
"""

from __future__ import annotations

import contextlib
import os
import shutil
import socket
import subprocess
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from conftest import WAIT_MS, confirm_stop
from PySide6.QtGui import QColor
from pytestqt.qtbot import QtBot

from sandbox_launcher.core.plan import RunOptions
from sandbox_launcher.ui.app import App
from sandbox_launcher.ui.icons import MIC_LIVE, RUNNING

HOST_SCRIPT = """\
load-module module-native-protocol-unix socket={dir}/native auth-anonymous=1
load-module module-null-sink sink_name=host_speakers rate=48000
load-module module-sine-source source_name=host_mic rate=48000 frequency=440
set-default-sink host_speakers
set-default-source host_mic
"""


@pytest.fixture
def host_pulse(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[str]:
    """A real PulseAudio as the desktop's sound server; the app sees it as PULSE_SERVER."""
    for tool in ("pulseaudio", "pactl", "pacat"):
        assert shutil.which(tool), f"{tool} is missing: scripts/setup.sh --with-test-tools"
    folder = tmp_path / "host-pulse"
    (folder / "run").mkdir(parents=True)
    script = folder / "host.pa"
    script.write_text(HOST_SCRIPT.format(dir=folder), encoding="utf-8")
    log = folder / "host.log"
    with log.open("wb") as out:
        server = subprocess.Popen(
            ["pulseaudio", "-n", "--daemonize=no", "--use-pid-file=no", "--exit-idle-time=-1",
             "--disallow-exit", "-F", str(script)],
            env={**os.environ, "PULSE_RUNTIME_PATH": str(folder / "run")},
            stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL, stderr=out)
    address = f"unix:{folder}/native"
    try:
        deadline = time.monotonic() + 20
        while True:
            with socket.socket(socket.AF_UNIX) as probe, contextlib.suppress(OSError):
                probe.connect(str(folder / "native"))
                break
            assert server.poll() is None and time.monotonic() < deadline, log.read_text()
            time.sleep(0.05)
        monkeypatch.setenv("PULSE_SERVER", address)
        yield address
    finally:
        server.terminate()
        try:
            server.wait(10)
        except subprocess.TimeoutExpired:
            server.kill()
            server.wait(10)


def _host_recordings(address: str) -> int:
    """Recording streams on the host's server: the launcher's forwarder is the only one."""
    done = subprocess.run(["pactl", f"--server={address}", "list", "short", "source-outputs"],
                          capture_output=True, text=True, timeout=30, check=True)
    return len(done.stdout.splitlines())


def _icon_has(app: App, colour: QColor) -> bool:
    image = app.tray.icon.icon().pixmap(32, 32).toImage()
    want = colour.rgb() & 0xFFFFFF
    return sum(image.pixelColor(x, y).rgb() & 0xFFFFFF == want
               for x in range(32) for y in range(32)) >= 100


def test_tray_mute_switches_the_real_microphone(app: App, qtbot: QtBot,
                                                host_pulse: str) -> None:
    tray, service = app.tray, app.bridge.service
    tray.rebuild()
    # A client that records its microphone all along: live means on *and* recorded, so
    # the icon follows the switch here (and stays "running" while muted).
    recorder = RunOptions(command=("/bin/sh", "-c", "exec pacat --record --raw >/dev/null"))
    with qtbot.waitSignal(app.window.session_started, timeout=WAIT_MS) as started:
        app.window.launch("sleeper", recorder)
    session_id = str(started.args[0])

    def mic_action_checked(checked: bool) -> bool:
        tray.rebuild()
        action = tray.action(f"mic-{session_id}")
        return action is not None and action.isEnabled() and action.isChecked() == checked

    # The session's microphone exists and starts muted: nothing records the host's mic.
    qtbot.waitUntil(lambda: mic_action_checked(False), timeout=WAIT_MS)
    assert service.entry(session_id).mic_muted is True
    assert _host_recordings(host_pulse) == 0
    assert _icon_has(app, RUNNING)

    on = tray.action(f"mic-{session_id}")
    assert on is not None
    on.trigger()
    qtbot.waitUntil(lambda: service.entry(session_id).mic_muted is False, timeout=WAIT_MS)
    qtbot.waitUntil(lambda: _host_recordings(host_pulse) == 1, timeout=WAIT_MS)
    qtbot.waitUntil(lambda: _icon_has(app, MIC_LIVE), timeout=WAIT_MS)
    assert "microphone live" in tray.icon.toolTip()
    assert "microphone" in service.entry(session_id).in_use
    assert mic_action_checked(True)

    off = tray.action(f"mic-{session_id}")
    assert off is not None
    off.trigger()
    qtbot.waitUntil(lambda: service.entry(session_id).mic_muted is True, timeout=WAIT_MS)
    qtbot.waitUntil(lambda: _host_recordings(host_pulse) == 0, timeout=WAIT_MS)
    qtbot.waitUntil(lambda: _icon_has(app, RUNNING), timeout=WAIT_MS)

    stop = tray.action(f"stop-{session_id}")
    assert stop is not None
    qtbot.waitUntil(stop.isEnabled, timeout=WAIT_MS)
    stop.trigger()
    confirm_stop(qtbot)
    qtbot.waitUntil(lambda: service.entry(session_id).outcome is not None, timeout=WAIT_MS)
    outcome = service.entry(session_id).outcome
    assert outcome is not None and outcome.wipe_verified
    assert "muted at the start" in str(outcome.report["grants"]["microphone"])
    assert _host_recordings(host_pulse) == 0
