"""The probe's attempts that ``verify`` added, run on the host where they DO work.

Same rule as tests/unit/test_hostile_client.py: an attempt that cannot report an escape
unconfined would pass forever inside a sandbox.
"""

from __future__ import annotations

import json
import os
import secrets
import socket
import subprocess
import sys
from pathlib import Path
from typing import Any

from sandbox_launcher.verify import PROBE_SCRIPT

PYTHON = "/usr/bin/python3"


def probe(tmp_path: Path, *args: str, env: dict[str, str] | None = None) -> dict[str, Any]:
    out = tmp_path / "out.json"
    done = subprocess.run([PYTHON, str(PROBE_SCRIPT), "probe", *args, "--out", str(out)],
                          capture_output=True, text=True, timeout=60, check=False, env=env)
    assert done.returncode == 0, done.stderr
    assert done.stdout == "", "with --out nothing goes to stdout (the user's terminal)"
    result: dict[str, Any] = json.loads(out.read_text())
    return result


def test_ptrace_and_devices_escape_unconfined(tmp_path: Path) -> None:
    marker = f"slpt{secrets.token_hex(6)}"
    sleeper = subprocess.Popen([sys.executable, "-c", "import time; time.sleep(60)", marker])
    try:
        found = probe(tmp_path, "--ptrace-marker", marker, "--devices")["attempts"]
    finally:
        sleeper.kill()
        sleeper.wait()
    assert found["ptrace"]["escaped"] is True, found["ptrace"]
    assert f"seized [{sleeper.pid}]" in found["ptrace"]["detail"]
    # The host's /dev holds more than bwrap's minimal set (a loop device, a tty…).
    assert found["devices"]["escaped"] is True, found["devices"]


def test_a_granted_device_or_socket_is_not_an_escape(tmp_path: Path) -> None:
    listener = socket.socket(socket.AF_UNIX)
    path = f"/tmp/sl-verify-test-{secrets.token_hex(4)}"
    listener.bind(path)
    listener.listen(1)
    try:
        found = probe(tmp_path, "--ssh-socket", "/nonexistent", "--granted-socket", path)
    finally:
        listener.close()
        os.unlink(path)
    scan = found["attempts"]["socket_scan"]["detail"]
    assert f"granted, not tried: ['{path}']" in scan, scan


def test_share_grant_checks_the_granted_mode(tmp_path: Path) -> None:
    share = tmp_path / "share"
    share.mkdir()
    granted_ro = probe(tmp_path, "--share-dir", str(share), "--share-mode", "ro")
    # Writable but granted read-only: the grant is not what was asked for.
    assert granted_ro["grants"]["share"]["working"] is False
    granted_rw = probe(tmp_path, "--share-dir", str(share), "--share-mode", "rw")
    assert granted_rw["grants"]["share"]["working"] is True
    assert list(share.iterdir()) == []  # the probe removes its test file


def test_the_microphone_without_a_sound_server_records_nothing(tmp_path: Path) -> None:
    # A sound server that is not there: parec must fail, and fast, not hang.
    nowhere = {**os.environ, "PULSE_SERVER": f"unix:{tmp_path}/no-such-socket"}
    env_free = probe(tmp_path, "--record-mic", "0.5", env=nowhere)
    assert env_free["grants"]["microphone"]["rms"] is None
