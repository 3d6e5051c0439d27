"""The VM's home hooks: the agent's seed and capture (images/agent/slt_home.py, run here
on the host's Python, as in the guest), the host's reading of what the guest hands back,
the new protocol messages, and the app pool's size under the system policy."""

from __future__ import annotations

import base64
import importlib.util
import io
import json
import os
import tarfile
from pathlib import Path
from types import ModuleType
from typing import Any

import pytest

from sandbox_launcher.backends.vm.errors import AgentError
from sandbox_launcher.backends.vm.home import _tar, read_capture
from sandbox_launcher.backends.vm.protocol import (
    MAX_ARCHIVE_CHUNK,
    Archive,
    Seeded,
    parse_message,
)
from sandbox_launcher.core.policy import load_policy
from sandbox_launcher.session.vm_pool import pool_size

AGENT_DIR = Path(__file__).resolve().parents[2] / "images" / "agent"


@pytest.fixture(scope="module")
def slt_home() -> ModuleType:
    spec = importlib.util.spec_from_file_location("slt_home", AGENT_DIR / "slt_home.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_seed_then_capture_round_trip(slt_home: ModuleType, tmp_path: Path) -> None:
    seed = _tar({".zoom/data/token": b"t=1\n", ".config/zoomus.conf": b"[General]\n"})
    assert slt_home.unpack(seed, str(tmp_path)) == 2
    assert (tmp_path / ".zoom/data/token").read_bytes() == b"t=1\n"
    assert oct((tmp_path / ".zoom/data/token").stat().st_mode & 0o777) == "0o600"
    (tmp_path / ".zoom/logs").mkdir()
    (tmp_path / ".zoom/logs/zoom.log").write_text("not a sign-in path")
    os.symlink("/etc/passwd", tmp_path / ".zoom/data/planted")
    data = slt_home.pack(str(tmp_path), [".zoom/data", ".config/zoomus.conf", ".nothing"],
                         1 << 20)
    captured = read_capture(data, (".zoom/data", ".config/zoomus.conf"))
    assert captured.files == {".zoom/data/token": b"t=1\n",
                              ".config/zoomus.conf": b"[General]\n"}
    assert captured.skipped == (".zoom/data/planted",)  # a link: left out, said
    assert captured.problem == ""


def test_a_planted_link_in_the_home_is_replaced_not_written_through(
        slt_home: ModuleType, tmp_path: Path) -> None:
    target = tmp_path / "outside"
    target.write_text("keep")
    home = tmp_path / "home"
    (home / ".zoom").mkdir(parents=True)
    os.symlink(target, home / ".zoom/token")
    slt_home.unpack(_tar({".zoom/token": b"new"}), str(home))
    assert target.read_text() == "keep"
    assert (home / ".zoom/token").read_bytes() == b"new"
    assert not (home / ".zoom/token").is_symlink()


@pytest.mark.parametrize("name", ["../escape", "/etc/passwd", "a/../../b"])
def test_seed_paths_outside_the_home_are_refused(slt_home: ModuleType, tmp_path: Path,
                                                 name: str) -> None:
    buffer = io.BytesIO()
    with tarfile.open(fileobj=buffer, mode="w") as archive:
        info = tarfile.TarInfo(name)
        info.size = 1
        archive.addfile(info, io.BytesIO(b"x"))
    with pytest.raises(slt_home.HomeError, match="refused path"):
        slt_home.unpack(buffer.getvalue(), str(tmp_path / "home"))
    assert not (tmp_path / "escape").exists()


def test_seed_links_are_refused(slt_home: ModuleType, tmp_path: Path) -> None:
    buffer = io.BytesIO()
    with tarfile.open(fileobj=buffer, mode="w") as archive:
        info = tarfile.TarInfo(".zoom/link")
        info.type, info.linkname = tarfile.SYMTYPE, "/etc/shadow"
        archive.addfile(info)
    with pytest.raises(slt_home.HomeError, match="not a regular file"):
        slt_home.unpack(buffer.getvalue(), str(tmp_path))


def test_capture_above_the_limit_is_refused_whole(slt_home: ModuleType,
                                                  tmp_path: Path) -> None:
    (tmp_path / ".zoom").mkdir()
    (tmp_path / ".zoom/big").write_bytes(b"x" * 5000)
    with pytest.raises(slt_home.HomeError, match="more than 4096 bytes"):
        slt_home.pack(str(tmp_path), [".zoom"], 4096)


def test_the_host_keeps_only_regular_files_under_the_asked_paths() -> None:
    data = _tar({".zoom/data/a": b"1", ".ssh/id_rsa": b"not asked for", "../x": b"2"})
    assert read_capture(data, (".zoom/data",)).files == {".zoom/data/a": b"1"}
    assert read_capture(b"", (".zoom",)).files == {}
    assert "damaged" in read_capture(b"not a tar" * 100, (".zoom",)).problem


def _line(**fields: Any) -> bytes:
    return json.dumps({"v": 1, **fields}).encode()


def test_seeded_and_archive_messages_are_checked() -> None:
    assert parse_message(_line(type="seeded", files=3)) == Seeded(3)
    piece = base64.b64encode(b"tar").decode()
    assert parse_message(_line(type="archive", data=piece, more=False)) == Archive(b"tar",
                                                                                   False)
    too_big = base64.b64encode(b"x" * (MAX_ARCHIVE_CHUNK + 1)).decode()
    for bad in ({"type": "archive", "data": too_big, "more": True},
                {"type": "archive", "data": piece, "more": 1},
                {"type": "archive", "data": "!!", "more": False},
                {"type": "seeded", "files": "3"}):
        with pytest.raises(AgentError):
            parse_message(_line(**bad))


def test_pool_size_the_policys_lock_wins_and_battery_keeps_none(tmp_path: Path) -> None:
    unset = load_policy(tmp_path / "none.toml")
    assert pool_size(2, unset, tmp_path / "power") == 2  # the user's setting
    policy_file = tmp_path / "policy.toml"
    policy_file.write_text("[vm]\npool_size = 0\n")
    assert pool_size(2, load_policy(policy_file), tmp_path / "power") == 0  # locked off
    policy_file.write_text("[vm]\npool_size = 3\n")
    assert pool_size(0, load_policy(policy_file), tmp_path / "power") == 3
    battery = tmp_path / "power" / "BAT0"
    battery.mkdir(parents=True)
    (battery / "type").write_text("Battery\n")
    assert pool_size(3, load_policy(policy_file), tmp_path / "power") == 0


def test_in_a_guest_only_the_hosts_own_dmi_values_escape(
        monkeypatch: pytest.MonkeyPatch) -> None:
    from sandbox_launcher.verify import hostile_client as hc

    guest = {"sys_vendor": "QEMU", "product_uuid": "5e3c-guest"}
    monkeypatch.setattr(hc, "dmi_values", lambda: dict(guest))
    assert hc.attempt_dmi()["escaped"]  # a namespace: any readable value is the host's
    assert not hc.attempt_dmi(["sys_vendor=Lenovo", "product_uuid=11-host"])["escaped"]
    assert not hc.attempt_dmi([])["escaped"]
    seen = hc.attempt_dmi(["product_uuid=5e3c-guest"])  # passed through: the host's own
    assert seen["escaped"] and "product_uuid" in seen["detail"]


def test_a_dead_apps_pool_files_are_swept_a_live_ones_kept(tmp_path: Path) -> None:
    from sandbox_launcher.session.vm_pool import sweep_dead_pools

    live = tmp_path / str(os.getpid()) / "pool-live"
    dead = tmp_path / "4194303" / "pool-dead"  # above any pid_max: never a live process
    for vm_dir in (live, dead):
        vm_dir.mkdir(parents=True)
        (vm_dir / "disk.qcow2").write_bytes(b"overlay")
    assert sweep_dead_pools(tmp_path) == ["4194303"]
    assert not dead.parent.exists()
    assert (live / "disk.qcow2").exists()
