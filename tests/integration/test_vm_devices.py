"""A VM's devices for real: the share folder by 9p, sound through the session's own server
under the outside mute, and the screen in virt-viewer attached without a TCP port.

libvirtd in session mode as the unprivileged user, software emulation, the reduced test
image (conftest_vm.py), the host's PulseAudio of conftest_audio.py, the user's own Xvfb
(``-displayfd``: a free display chosen by the server, no race with other test runs).
Every VM is wiped and the wipe verified by the driver.
"""

from __future__ import annotations

import json
import os
import select
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from conftest import (
    REPO_ROOT,
    LauncherUser,
    RunLauncher,
    as_user_argv,
    last_json,
    stop_process,
    user_environment,
)
from conftest_audio import MIC_HZ, HostSound
from conftest_vm import BOOT_TIMEOUT

pytestmark = [pytest.mark.integration, pytest.mark.needs_root]

VENV_PYTHON = REPO_ROOT / ".venv" / "bin" / "python"
DRIVER = REPO_ROOT / "tests" / "integration" / "vm_devices_driver.py"


def _driver(run_as_user: RunLauncher, *args: str, env: dict[str, str] | None = None
            ) -> dict[str, Any]:
    done = run_as_user([str(VENV_PYTHON), str(DRIVER), *args], timeout=BOOT_TIMEOUT,
                       env_extra=env or {})
    assert done.returncode == 0, done.stdout + done.stderr
    return last_json(done.stdout)


@pytest.fixture
def user_display(launcher_user: LauncherUser) -> Iterator[str]:
    """The test user's desktop: an Xvfb of its own, on the display it picked itself."""
    read_fd, write_fd = os.pipe()
    server = subprocess.Popen(
        as_user_argv(launcher_user, ["Xvfb", "-displayfd", str(write_fd), "-nolisten", "tcp"]),
        env=user_environment(launcher_user), pass_fds=(write_fd,),
        stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    os.close(write_fd)
    try:
        ready, _w, _x = select.select([read_fd], [], [], 30)
        number = os.read(read_fd, 16).decode().strip() if ready else ""
        assert number.isdigit(), "Xvfb did not start"
        yield f":{number}"
    finally:
        os.close(read_fd)
        stop_process(server)


def _all_ok(checks: list[dict[str, Any]]) -> None:
    assert len(checks) == 3 and [c for c in checks if not c["ok"]] == [], checks


def _share(user: LauncherUser, tmp: Path) -> Path:
    folder = tmp / "Meeting"
    folder.mkdir()
    (folder / "hello.txt").write_text("agenda from the host\n")
    subprocess.run(["chown", "-R", f"{user.uid}:{user.gid}", str(folder)], check=True)
    return folder


def test_the_share_is_read_only_in_the_guest_even_remounted(
    vm_test_image: Path, run_as_user: RunLauncher, launcher_user: LauncherUser,
    vm_workdir: Path, user_tmp: Path,
) -> None:
    folder = _share(launcher_user, user_tmp)
    result = _driver(run_as_user, "share", str(vm_workdir), str(folder), "ro")
    probe = result["probe"]
    assert probe["read"] == "agenda from the host\n", probe  # the control: it is there
    assert len(probe["mounts"]) == 1 and " 9p ro," in probe["mounts"][0], probe
    assert "Read-only file system" in probe["write"], probe
    # A hostile guest remounts it read-write (it is root in there): QEMU still refuses.
    assert probe["remount_rc"] == 0, probe
    assert "Read-only file system" in probe["write_after_remount"], probe
    assert sorted(p.name for p in folder.iterdir()) == ["hello.txt"]
    _all_ok(result["checks"])
    assert list(vm_workdir.iterdir()) == []


def test_the_guest_records_the_microphone_only_while_it_is_unmuted_outside(
    vm_test_image: Path, run_as_user: RunLauncher, vm_workdir: Path, host_sound: HostSound,
) -> None:
    result = _driver(run_as_user, "sound", str(vm_workdir), host_sound.server)
    # QEMU's audio backend is a client of the session's server, never of the host's.
    assert "qemu-system-x86_64" in result["session_clients"], result
    assert "qemu-system-x86_64" not in result["host_clients"], result
    for label in ("muted", "unmuted", "muted_again"):
        assert result[label]["rc"] == 0 and result[label]["samples"] >= 100000, \
            json.dumps(result[label])
    # The guest's own capture is fully on in every case (as a client would set it)...
    assert result["muted_state"] is True and result["muted_again_state"] is True
    assert result["muted"]["rms"] < 50, result["muted"]  # ...muted outside: silence
    assert result["muted_again"]["rms"] < 50, result["muted_again"]
    assert result["unmuted_state"] is False
    assert result["unmuted"]["rms"] > 1000, result["unmuted"]  # the control: it records
    # The host's tone, not noise (zero crossings; TCG's clock makes it a little off).
    assert abs(result["unmuted"]["hz"] - MIC_HZ) < MIC_HZ * 0.15, result["unmuted"]
    _all_ok(result["checks"])


def test_the_viewer_attaches_without_a_port_and_closing_it_ends_the_session(
    vm_test_image: Path, run_as_user: RunLauncher, vm_workdir: Path, user_display: str,
) -> None:
    result = _driver(run_as_user, "viewer", str(vm_workdir), env={"DISPLAY": user_display})
    spice = result["spice"]
    # virt-viewer --attach got its connection from libvirt: its channels are connected...
    for channel in ("main", "display", "inputs"):
        assert f"channel name: {channel}" in spice, spice
    assert result["qemu_pids"], result
    assert result["listening"] == [], result  # ...and QEMU listens on no TCP port
    assert result["viewer_inet"] == [], result  # nor did the viewer connect over TCP
    # Closing the window ended the client (SIGTERM) and so the session, promptly.
    assert result["status"] == 143, result
    assert result["ended_s"] < 30, result
    _all_ok(result["checks"])
    assert list(vm_workdir.iterdir()) == []
    print(f"TCG: display VM agent-ready in {result['ready_s']:.1f} s", file=sys.stderr)


def test_run_backend_vm_shares_a_folder_read_write_through_the_whole_launch_path(
    vm_default_image: Path, run_launcher: RunLauncher, launcher_user: LauncherUser,
    user_tmp: Path,
) -> None:
    """The CLI's ``run``: plan, session resources (the checked share), the backend's
    devices, the agent's mount at the namespace session's path, the report."""
    folder = _share(launcher_user, user_tmp)
    report = user_tmp / "report.json"
    script = ("import os; print(open('/home/user/Shared/hello.txt').read(), end=''); "
              "open('/home/user/Shared/from-vm.txt', 'w').write('minutes\\n'); "
              "print(sorted(os.listdir('/home/user/Shared')))")
    done = run_launcher(["run", "generic", "--backend", "vm", "--share", f"{folder}:rw",
                         "--report", str(report), "--", "/usr/bin/python3", "-c", script],
                        timeout=BOOT_TIMEOUT)
    assert done.returncode == 0, done.stdout + done.stderr
    assert "agenda from the host" in done.stdout
    assert "['from-vm.txt', 'hello.txt']" in done.stdout
    written = folder / "from-vm.txt"
    assert written.read_text() == "minutes\n"
    assert written.stat().st_uid == launcher_user.uid  # squash: the user's file, no mapping
    data = json.loads(report.read_text())
    assert data["grants"]["share"]["access"] == "read-write", data["grants"]
    notes = " ".join(data["notes"])
    assert f"VM devices: share folder {folder} (read-write, 9p)" in notes, notes
