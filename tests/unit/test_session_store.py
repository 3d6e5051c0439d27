"""Session records: the owner's flock tells running from stale, even after SIGKILL."""

from __future__ import annotations

import os
import signal
import time
from pathlib import Path

import pytest

from sandbox_launcher.core.errors import SessionNotFound
from sandbox_launcher.session import report, store


def _record(session_id: str = "generic-abc123") -> store.SessionRecord:
    return store.SessionRecord(id=session_id, profile="generic", backend="namespace",
                               state="running", started=time.time(), launcher_pid=os.getpid())


def test_owned_session_is_running_until_released(tmp_path: Path) -> None:
    owned = store.OwnedSession(_record(), tmp_path)
    [found] = store.list_sessions(tmp_path)
    assert not found.stale and found.to_dict()["state"] == "running"
    owned.set_state("stopping")
    assert store.find_session("generic-abc123", tmp_path).record.state == "stopping"
    owned.release()
    assert store.find_session("generic-abc123", tmp_path).stale


def test_session_of_a_killed_owner_is_stale(tmp_path: Path) -> None:
    pid = os.fork()
    if pid == 0:  # child: own a session, then die without cleaning up
        store.OwnedSession(_record("generic-dead01"), tmp_path)
        os.kill(os.getpid(), signal.SIGKILL)
    os.waitpid(pid, 0)
    found = store.find_session("generic-dead01", tmp_path)
    assert found.stale and found.to_dict()["state"] == "stale"


def test_dir_without_record_is_stale_once_old(tmp_path: Path) -> None:
    young = tmp_path / "x-1"
    young.mkdir()
    assert store.list_sessions(tmp_path) == []  # may be in creation
    old = time.time() - 60
    os.utime(young, (old, old))
    [found] = store.list_sessions(tmp_path)
    assert found.stale and found.record.state == "unknown"


def test_unknown_session(tmp_path: Path) -> None:
    with pytest.raises(SessionNotFound):
        store.find_session("nope", tmp_path)


@pytest.mark.parametrize(("status", "code", "sig"), [(0, 0, None), (3, 3, None),
                                                     (139, None, 11), (None, None, None)])
def test_exit_info(status: int | None, code: int | None, sig: int | None) -> None:
    info = report.exit_info(status)
    assert (info.status, info.code, info.signal) == (status, code, sig)
    if sig:
        assert info.signal_name == "SIGSEGV"
