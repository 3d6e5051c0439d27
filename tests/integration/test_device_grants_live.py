"""Device grants with the real launcher as the unprivileged user: share folder, downloads,
camera (a stand-in node), filtered D-Bus, and bad input refused before anything starts.

The camera is a stand-in: no test machine has a webcam, so root makes a character device
with V4L2's major number (81) in the user's temp dir and the launcher is pointed at that
node with ``--camera PATH``. Nothing opens it (there is no driver behind it); the test
proves exactly that node, and no other, appears inside.
"""

from __future__ import annotations

import json
import os
import secrets
import subprocess
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

pytestmark = pytest.mark.integration

Run = Callable[..., subprocess.CompletedProcess[str]]
LAUNCHED = "SANDBOX-STARTED"


def _chown(user: Any, *paths: Path) -> None:
    for path in paths:
        if user.switch:
            os.chown(path, user.uid, user.gid, follow_symlinks=False)


@pytest.fixture
def share_dir(user_tmp: Path, launcher_user: Any) -> Path:
    folder = user_tmp / "meeting"
    folder.mkdir()
    (folder / "agenda.txt").write_text("agenda\n")
    _chown(launcher_user, folder, folder / "agenda.txt")
    return folder


def test_share_is_read_only_by_default(run_launcher: Run, share_dir: Path) -> None:
    script = ("cat ~/Shared/agenda.txt; (echo x > ~/Shared/new) 2>/dev/null "
              "&& echo WROTE || echo READONLY; ls ~/Shared")
    done = run_launcher(["run", "generic", "--share", str(share_dir), "--",
                         "/bin/sh", "-c", script], check=True)
    assert done.stdout.split() == ["agenda", "READONLY", "agenda.txt"]
    assert not (share_dir / "new").exists()


def test_share_rw_writes_reach_the_host(run_launcher: Run, share_dir: Path,
                                        launcher_user: Any, user_tmp: Path) -> None:
    report = user_tmp / "r.json"
    run_launcher(["run", "generic", "--share", f"{share_dir}:rw", "--report", str(report),
                  "--", "/bin/sh", "-c", "echo notes > ~/Shared/notes.txt"], check=True)
    written = share_dir / "notes.txt"
    assert written.read_text() == "notes\n" and written.stat().st_uid == launcher_user.uid
    grants = json.loads(report.read_text())["grants"]
    assert grants["share"] == {"host": str(share_dir), "inside": "/home/user/Shared",
                               "access": "read-write"}


@pytest.mark.parametrize(("case", "why"), [
    ("missing", "no such file"), ("home", "your home folder"), ("root", "whole file system"),
    ("parent", "contains your home"), ("symlink", "your home folder (it leads to"),
    ("two", "only one --share"),
])
def test_bad_share_is_refused_before_launch(run_launcher: Run, launcher_user: Any,
                                            user_tmp: Path, share_dir: Path,
                                            case: str, why: str) -> None:
    link = user_tmp / "innocent"
    link.symlink_to(launcher_user.home)
    _chown(launcher_user, link)
    args = {"missing": ["--share", str(user_tmp / "nope")],
            "home": ["--share", str(launcher_user.home)], "root": ["--share", "/:rw"],
            "parent": ["--share", str(launcher_user.home.parent)],
            "symlink": ["--share", f"{link}:rw"],
            "two": ["--share", str(share_dir), "--share", str(share_dir)]}[case]
    done = run_launcher(["run", "generic", *args, "--", "/bin/echo", LAUNCHED], check=125)
    assert why in done.stderr and "what to do:" in done.stderr
    assert LAUNCHED not in done.stdout


def test_downloads_are_discarded_unless_kept(run_launcher: Run, user_tmp: Path,
                                             launcher_user: Any) -> None:
    marker = f"sldl{secrets.token_hex(5)}"
    save = f"echo report > ~/Downloads/{marker}.pdf; mkdir ~/Downloads/d; echo b > ~/Downloads/d/b"
    report = user_tmp / "r.json"
    done = run_launcher(["run", "generic", "--report", str(report), "--",
                         "/bin/sh", "-c", save], check=True)
    downloads = json.loads(report.read_text())["devices"]["downloads"]
    assert downloads["discarded"] is True and downloads["kept_in"] is None
    assert [f["name"] for f in downloads["files"]] == ["d/b", f"{marker}.pdf"]
    assert "2 download(s) discarded" in done.stderr
    found = subprocess.run(["find", "/tmp", "/run/user", str(launcher_user.home), "-name",
                            f"{marker}*"], capture_output=True, text=True, check=False)
    assert found.stdout == ""
    keep = user_tmp / "kept"
    keep.mkdir()
    _chown(launcher_user, keep)
    run_launcher(["run", "generic", "--keep-downloads", str(keep), "--",
                  "/bin/sh", "-c", save], check=True)
    assert (keep / f"{marker}.pdf").read_text() == "report\n"
    assert (keep / "d" / "b").stat().st_uid == launcher_user.uid


@pytest.fixture
def stand_in_camera(user_tmp: Path, launcher_user: Any) -> Path:
    """A char device 81:7 (V4L2's major) owned by the user; root makes it with mknod."""
    if os.geteuid() != 0:
        pytest.skip("making a stand-in camera node needs root (mknod); CI runs as root")
    node = user_tmp / "video7"
    os.mknod(node, 0o660 | 0o020000, os.makedev(81, 7))
    _chown(launcher_user, node)
    return node


def test_camera_grant_shows_exactly_that_node(run_launcher: Run, stand_in_camera: Path,
                                              user_tmp: Path) -> None:
    report = user_tmp / "r.json"
    script = "stat -c '%n %F %t:%T' /dev/video*; ls /dev"
    done = run_launcher(["run", "generic", "--camera", str(stand_in_camera), "--report",
                         str(report), "--", "/bin/sh", "-c", script], check=True)
    lines = done.stdout.splitlines()
    assert lines[0] == "/dev/video7 character special file 51:7"  # 0x51 = 81
    assert [n for n in lines[1:] if n.startswith(("video", "media"))] == ["video7"]
    camera = json.loads(report.read_text())["grants"]["camera"]
    assert camera["node"] == str(stand_in_camera) and camera["inside"] == "/dev/video7"
    without = run_launcher(["run", "generic", "--", "/bin/sh", "-c", "ls /dev"], check=True)
    assert "video" not in without.stdout


@pytest.mark.parametrize(("camera", "why"), [
    ("video99", "no camera 'video99'"), ("/dev/null", "not a video device"),
    ("/tmp/no-such-camera", "no camera"),
])
def test_bad_camera_is_refused_before_launch(run_launcher: Run, camera: str, why: str) -> None:
    done = run_launcher(["run", "generic", "--camera", camera, "--", "/bin/echo", LAUNCHED],
                        check=125)
    assert why in done.stderr and LAUNCHED not in done.stdout


def test_cameras_lists_as_json(run_launcher: Run) -> None:
    done = run_launcher(["cameras", "--json"], check=True)
    listed = json.loads(done.stdout)["cameras"]
    assert all(c["major"] == 81 for c in listed)


def test_policy_forbids_camera_and_share(run_launcher: Run, system_policy: Any,
                                         stand_in_camera: Path, share_dir: Path,
                                         user_tmp: Path) -> None:
    system_policy.write(f'[devices]\nallow_camera = false\nforbid_share = ["{user_tmp}"]\n')
    try:
        for args in (["--camera", str(stand_in_camera)], ["--share", str(share_dir)]):
            done = run_launcher(["run", "generic", *args, "--", "/bin/echo", LAUNCHED],
                                check=125)
            assert "forbid" in done.stderr and LAUNCHED not in done.stdout
    finally:
        system_policy.write("")
