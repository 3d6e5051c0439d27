"""What keeps a session's wipe off the next sandbox (spares start while sessions end):
pinned namespaces and a display number taken again."""

from __future__ import annotations

import os
from pathlib import Path

from sandbox_launcher.backends.namespace import cleanup
from sandbox_launcher.core.devices import DevicePlan
from sandbox_launcher.devices.host import HostDevices, _identity


def test_pin_holds_the_recorded_namespaces_only() -> None:
    me = os.getpid()
    net = os.stat(f"/proc/{me}/ns/net").st_ino
    uts = os.stat(f"/proc/{me}/ns/uts").st_ino
    fds = cleanup.pin(me, {"net": net, "uts": uts + 1})  # uts: not the one recorded
    try:
        assert [os.fstat(fd).st_ino for fd in fds] == [net]
    finally:
        cleanup.unpin(fds)
    for fd in fds:  # closed
        try:
            os.fstat(fd)
        except OSError:
            continue
        raise AssertionError(f"fd {fd} is still open")
    assert cleanup.pin(999_999_999, {"net": net}) == []  # no such init: nothing pinned


def _devices(tmp_path: Path) -> HostDevices:
    socket, lock = tmp_path / "X7", tmp_path / ".X7-lock"
    socket.write_text("")
    lock.write_text("      4242\n")
    devices = HostDevices(DevicePlan(), tmp_path, False)
    devices.x_files = [socket, lock]
    devices.x_made = [_identity(socket), _identity(lock)]
    return devices


def test_the_nested_servers_own_files_count_while_they_are_there(tmp_path: Path) -> None:
    devices = _devices(tmp_path)
    assert devices._x_files_left() == [str(tmp_path / "X7"), str(tmp_path / ".X7-lock")]
    (tmp_path / ".X7-lock").unlink()
    assert devices._x_files_left() == [str(tmp_path / "X7")]


def test_files_another_server_made_on_the_same_number_are_not_ours(tmp_path: Path) -> None:
    devices = _devices(tmp_path)
    for path in devices.x_files:  # ours went; the next server made its own
        path.unlink()
    (tmp_path / "X7").write_text("")
    (tmp_path / ".X7-lock").write_text("      5151\n")
    assert devices._x_files_left() == []
