"""A read-only share as a snapshot copy: what is copied, the caps, and the fallback."""

from __future__ import annotations

import os
import shutil
import stat
import subprocess
import tempfile
from collections.abc import Iterator
from pathlib import Path

import pytest

from sandbox_launcher.core.devices import ShareGrant
from sandbox_launcher.devices import share_copy
from sandbox_launcher.devices.share_copy import share_notes, share_view, snapshot


def _grant(path: Path, writable: bool = False) -> ShareGrant:
    st = path.stat()
    return ShareGrant(str(path), writable, st.st_dev, st.st_ino)


def _open(path: Path) -> int:
    return os.open(path, os.O_PATH | os.O_DIRECTORY | os.O_CLOEXEC)


@pytest.fixture
def folder(tmp_path: Path) -> Path:
    share = tmp_path / "Meeting"
    (share / "slides").mkdir(parents=True)
    (share / "agenda.txt").write_text("agenda\n")
    (share / "slides" / "deck.pdf").write_bytes(b"%PDF" + b"x" * 1000)
    (share / "run.sh").write_text("#!/bin/sh\n")
    (share / "run.sh").chmod(0o755)
    (share / "latest").symlink_to("slides/deck.pdf")
    (share / "keys").symlink_to("/home/someone/.ssh")
    (share / "up").symlink_to("../elsewhere")
    os.mkfifo(share / "pipe")
    return share


@pytest.fixture
def workdir() -> Iterator[Path]:
    path = Path(tempfile.mkdtemp(prefix="sl-devices-"))
    yield path
    subprocess.run(["chmod", "-R", "u+w", str(path)], check=False, timeout=30)
    shutil.rmtree(path)


def test_files_folders_and_inside_links_are_copied_nothing_else(
        folder: Path, workdir: Path) -> None:
    fd = _open(folder)
    try:
        snap = snapshot(fd, workdir / "share")
    finally:
        os.close(fd)
    copy = workdir / "share"
    assert snap.path == copy and snap.files == 3 and snap.bytes == 7 + 1004 + 10
    assert (copy / "slides" / "deck.pdf").read_bytes() == (folder / "slides" /
                                                          "deck.pdf").read_bytes()
    assert os.readlink(copy / "latest") == "slides/deck.pdf"
    assert not (copy / "keys").is_symlink() and not (copy / "up").is_symlink()
    assert not (copy / "pipe").exists()
    assert sorted(snap.skipped) == ["keys (a link out of the folder)",
                                    "pipe (not a file or folder)",
                                    "up (a link out of the folder)"]
    assert stat.S_IMODE((copy / "run.sh").stat().st_mode) == 0o500
    assert stat.S_IMODE((copy / "agenda.txt").stat().st_mode) == 0o400
    assert (folder / "agenda.txt").read_text() == "agenda\n"  # the original untouched


@pytest.mark.parametrize(("cap", "entries"), [(1000, 100), (1 << 20, 3)])
def test_above_a_cap_nothing_is_kept_and_the_share_is_bound(
        folder: Path, workdir: Path, cap: int, entries: int) -> None:
    fd = _open(folder)
    try:
        snap = snapshot(fd, workdir / "share", cap, entries)
    finally:
        os.close(fd)
    assert snap.path is None and not (workdir / "share").exists()
    report = snap.to_dict(str(folder))
    assert report["mode"] == "bind" and report["host_path_visible"] is True
    assert "larger than a copy may be" in report["why"] and str(folder) in report["why"]


def test_a_read_only_share_is_seen_through_its_copy_a_writable_one_is_bound(
        folder: Path, workdir: Path) -> None:
    fd = _open(folder)
    try:
        read_only = share_view(_grant(folder), fd, workdir)
        writable = share_view(_grant(folder, writable=True), fd, workdir)
    finally:
        os.close(fd)
    assert (read_only.src, read_only.fd) == (str(workdir / "share"), -1)
    assert read_only.report()["mode"] == "snapshot"
    assert read_only.report()["host_path_visible"] is False
    assert (writable.src, writable.fd) == ("", fd)
    assert writable.report()["host_path_visible"] is True
    removed = read_only.remove()
    assert removed.ok and not (workdir / "share").exists()
    assert writable.remove().ok


def test_the_user_hears_before_the_start_when_the_path_stays_visible(
        folder: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    home = str(folder.parent)
    assert share_notes(None, home) == []
    assert share_notes(_grant(folder), home) == []  # copied
    notes = share_notes(_grant(folder, writable=True), home)
    assert len(notes) == 1 and "a writable share is the folder itself" in notes[0]
    outside = Path(tempfile.mkdtemp(prefix="sl-share-"))  # names no one
    try:
        assert share_notes(_grant(outside, writable=True), "/nonexistent-home") == []
    finally:
        outside.rmdir()
    monkeypatch.setattr(share_copy, "SNAPSHOT_ENTRIES", 2)
    notes = share_notes(_grant(folder), home)
    assert len(notes) == 1 and "larger than a copy may be" in notes[0]
