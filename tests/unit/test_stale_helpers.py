"""wipe --stale's part for device helpers: survivors found by their state dir, and a dead
nested X server's files removed only while they are still that server's."""

from __future__ import annotations

import os
import subprocess
import sys
import time
from pathlib import Path

import pytest

from sandbox_launcher.devices.stale import helper_pids, remember_x_files, wipe_helpers


def _dead_pid() -> int:
    child = subprocess.Popen(["true"])
    child.wait()
    return child.pid


def _x_files(tmp_path: Path, pid: int) -> tuple[Path, Path]:
    (tmp_path / ".X11-unix").mkdir(exist_ok=True)
    sock, lock = tmp_path / ".X11-unix" / "X7", tmp_path / ".X7-lock"
    sock.write_text("")
    lock.write_text(f"{pid:10d}\n")
    return sock, lock


@pytest.fixture
def state(tmp_path: Path) -> Path:
    path = tmp_path / "session"
    path.mkdir()
    return path


def test_a_dead_servers_files_are_removed(tmp_path: Path, state: Path) -> None:
    pid = _dead_pid()
    sock, lock = _x_files(tmp_path, pid)
    remember_x_files(state, pid, sock, lock)
    killed, checks = wipe_helpers(state)
    assert killed == 0 and all(c.ok for c in checks), checks
    assert "removed" in checks[1].detail
    assert not sock.exists() and not lock.exists()


def test_files_of_a_server_that_took_the_number_since_are_kept(tmp_path: Path,
                                                               state: Path) -> None:
    pid = _dead_pid()
    sock, lock = _x_files(tmp_path, pid)
    remember_x_files(state, pid, sock, lock)
    sock.unlink()
    lock.unlink()
    time.sleep(0.05)  # a new server comes later; an inode alone may well be reused
    _x_files(tmp_path, _dead_pid())
    wipe_helpers(state)
    assert sock.exists() and lock.exists()


def test_a_live_servers_files_are_kept(tmp_path: Path, state: Path) -> None:
    sock, lock = _x_files(tmp_path, os.getpid())
    remember_x_files(state, os.getpid(), sock, lock)
    wipe_helpers(state)
    assert sock.exists() and lock.exists()


def test_surviving_helpers_are_found_by_their_state_dir_and_killed(tmp_path: Path) -> None:
    state = tmp_path / "sessions" / "zoom-abc123"
    other = tmp_path / "sessions" / "zoom-abc1234"
    state.mkdir(parents=True)
    sleep = [sys.executable, "-c", "import time; time.sleep(60)"]
    mine = subprocess.Popen([*sleep, f"{state}/Xauthority"])
    by_env = subprocess.Popen(sleep, env={"SANDBOX_LAUNCHER_STATE": f"{state}/pulse"})
    theirs = subprocess.Popen([*sleep, f"{other}/Xauthority"])
    try:
        assert sorted(helper_pids(state)) == sorted([mine.pid, by_env.pid])
        killed, checks = wipe_helpers(state)
        assert killed == 2 and checks[0].ok, checks
        assert mine.wait(5) == -9 and by_env.wait(5) == -9 and theirs.poll() is None
    finally:
        for proc in (mine, by_env, theirs):
            proc.kill()
            proc.wait()
